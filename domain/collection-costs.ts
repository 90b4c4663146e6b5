/**
 * What an unpaid invoice grows by under Dutch law: the statutory extrajudicial collection costs
 * (art. 6:96 BW with the Besluit vergoeding voor buitengerechtelijke incassokosten) and the
 * statutory interest for non-commercial transactions (wettelijke rente, art. 6:119 BW).
 *
 * Temporal workflow code imports this module, so it stays pure and deterministic: no Node
 * built-ins, no clock, no Intl, and Dates are only built and read through their UTC methods.
 * All amounts are integer euro cents; intermediate values are kept exact (integers or BigInt
 * fractions) and rounded once, at the end.
 */
import { isLocalDate, type LocalDate } from './calendar';
import type { Cents } from './money';

// ---------------------------------------------------------------------------------------------
// Collection costs (Besluit vergoeding voor buitengerechtelijke incassokosten, art. 2)
// ---------------------------------------------------------------------------------------------

/**
 * The scale, in bands over the principal. `rateThousandths` is the percentage times 10, so that
 * every band rate is a whole number of thousandths (15% = 150/1000, 0.5% = 5/1000) and the sum
 * over the bands can be done in integers.
 */
const COLLECTION_COST_BANDS: readonly { widthCents: number; rateThousandths: number }[] = [
  { widthCents: 250_000, rateThousandths: 150 }, // 15% of the first EUR 2,500
  { widthCents: 250_000, rateThousandths: 100 }, // 10% of the next EUR 2,500
  { widthCents: 500_000, rateThousandths: 50 }, //   5% of the next EUR 5,000
  { widthCents: 19_000_000, rateThousandths: 10 }, // 1% of the next EUR 190,000
  { widthCents: Number.POSITIVE_INFINITY, rateThousandths: 5 }, // 0.5% above EUR 200,000
];

export const COLLECTION_COSTS_MINIMUM_CENTS: Cents = 4_000; // EUR 40
export const COLLECTION_COSTS_MAXIMUM_CENTS: Cents = 677_500; // EUR 6,775

/**
 * The maximum is reached exactly at a principal of EUR 1,000,000 (2,775 + 0.5% of 800,000 =
 * 6,775). Capping the principal there before multiplying keeps every intermediate product far
 * below Number.MAX_SAFE_INTEGER (at most 5 * 10^8 thousandths of a cent per band) for any safe
 * integer principal, without changing the result.
 */
const PRINCIPAL_AT_MAXIMUM_CENTS = 100_000_000;

/**
 * The statutory extrajudicial collection costs on a principal, in cents.
 *
 * Rounding: the bands are summed exactly, in thousandths of a cent, and the sum is rounded half
 * up to the cent once. The Besluit states the scale as percentages of the principal and gives no
 * rounding rule, so the amount owed is the exact percentage sum; a letter can only name whole
 * cents, and rounding that exact sum to the nearest cent (a half cent up, the usual commercial
 * rule) gives the amount closest to the statutory one, and the same amount however the
 * computation is arranged. Rounding each band separately would let the errors add up (up to
 * half a cent per band), and truncating would systematically undercharge, so neither is used. The minimum
 * and maximum are whole cents, so applying them after rounding gives the same result as before.
 *
 * A principal of 0 owes nothing: the EUR 40 minimum applies only to a claim above zero.
 */
export function statutoryCollectionCostsCents(principalCents: number): Cents {
  if (!Number.isSafeInteger(principalCents) || principalCents < 0) {
    throw new RangeError(`principal must be a non-negative whole number of cents, got ${principalCents}`);
  }
  if (principalCents === 0) return 0;

  let remaining = Math.min(principalCents, PRINCIPAL_AT_MAXIMUM_CENTS);
  let thousandthsOfCent = 0;
  for (const band of COLLECTION_COST_BANDS) {
    if (remaining <= 0) break;
    const inBand = Math.min(remaining, band.widthCents);
    thousandthsOfCent += inBand * band.rateThousandths;
    remaining -= inBand;
  }
  const rounded = Math.floor((thousandthsOfCent + 500) / 1000); // half up; thousandthsOfCent >= 0
  return Math.min(COLLECTION_COSTS_MAXIMUM_CENTS, Math.max(COLLECTION_COSTS_MINIMUM_CENTS, rounded));
}

// ---------------------------------------------------------------------------------------------
// Statutory interest (wettelijke rente, art. 6:119 and 6:120 BW)
// ---------------------------------------------------------------------------------------------

export interface StatutoryInterestRate {
  /** The first day on which this rate applies; it applies until the day before the next row. */
  from: LocalDate;
  /** Percent per year, e.g. 6 for 6%; at most 4 decimals. */
  percent: number;
}

/**
 * The statutory interest for non-commercial transactions (art. 6:119 BW; the rate a tenant, a
 * consumer, owes), as set by the Besluit vaststelling wettelijke rente and its predecessor
 * (KB of 18 January 1971, Stb. 27). Rows as far back as 2012 are included so that old claims
 * can be computed; every change from 1 July 2012 up to 1 January 2025 is listed.
 *
 * Certain: 3% from 2012-07-01, 2% from 2015-01-01 (Stb. 2014, 491), 4% from 2023-01-01,
 * 6% from 2023-07-01 (Stb. 2023, 235), 7% from 2024-01-01 (Stb. 2023, 484), 6% from 2025-01-01.
 * Not included, because not known for certain when this was written: any change on or after
 * 2025-07-01. The last row applies open-ended, so policy MUST extend this table (policy can
 * override it as a whole) before computing interest for days after
 * `dutchStatutoryInterestRatesVerifiedUntil`.
 */
export const dutchStatutoryInterestRates: readonly StatutoryInterestRate[] = [
  { from: '2012-07-01', percent: 3 },
  { from: '2015-01-01', percent: 2 },
  { from: '2023-01-01', percent: 4 },
  { from: '2023-07-01', percent: 6 },
  { from: '2024-01-01', percent: 7 },
  { from: '2025-01-01', percent: 6 },
];

/** The last day for which `dutchStatutoryInterestRates` is known to be complete. */
export const dutchStatutoryInterestRatesVerifiedUntil: LocalDate = '2025-06-30';

const MS_PER_DAY = 86_400_000;
/** Rates are carried as percent * 10^4 so that a rate with up to 4 decimals is an integer. */
const PERCENT_SCALE = 10_000;
/** Interest for one day on base B at scaled rate r is B * r / DAY_DENOMINATOR (actual/365). */
const DAY_DENOMINATOR = BigInt(100 * PERCENT_SCALE * 365);

interface Ymd {
  year: number;
  month: number; // 1-12
  day: number;
}

function parseDate(s: string, what: string): Ymd {
  if (!isLocalDate(s)) throw new RangeError(`${what} must be an existing date as 'YYYY-MM-DD', got ${JSON.stringify(s)}`);
  return { year: Number(s.slice(0, 4)), month: Number(s.slice(5, 7)), day: Number(s.slice(8, 10)) };
}

/** Days since 1970-01-01 (UTC arithmetic only). */
function dayNumber({ year, month, day }: Ymd): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return Math.round(date.getTime() / MS_PER_DAY);
}

function dayNumberToString(n: number): string {
  const d = new Date(n * MS_PER_DAY);
  const pad = (v: number, w: number) => String(v).padStart(w, '0');
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate(); // day 0 of the next month
}

/**
 * The date `years` years after `start`. A year that starts on 29 February ends on 28 February
 * in a common year (the last day of that month), not on 1 March.
 */
function anniversary(start: Ymd, years: number): number {
  const year = start.year + years;
  return dayNumber({ year, month: start.month, day: Math.min(start.day, daysInMonth(year, start.month)) });
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** An exact non-negative fraction. */
interface Fraction {
  num: bigint;
  den: bigint;
}

function reduce({ num, den }: Fraction): Fraction {
  const g = gcd(num, den);
  return g > 1n ? { num: num / g, den: den / g } : { num, den };
}

function roundHalfUp({ num, den }: Fraction): bigint {
  return (2n * num + den) / (2n * den); // BigInt division truncates, which is floor for non-negatives
}

/**
 * Statutory interest on `principalCents` for the days after `from` up to and including `to`.
 *
 * - Each day counts at the rate in force on that day (a row of `rates` applies from its date
 *   until the day before the next row's date), as 1/365 of the yearly percentage (actual/365,
 *   also in a leap year: a 366-day year earns 366/365 of the percentage).
 * - Within a year the interest is simple. Art. 6:119 lid 2 BW: "Telkens na afloop van een jaar
 *   wordt het bedrag waarover de wettelijke rente wordt berekend, vermeerderd met de over dat
 *   jaar verschuldigde rente." The years are counted from `from`, the day from which interest
 *   runs (not calendar years): at the end of each full year the interest of that year is added
 *   to the base, and the next year's interest is computed on the principal plus all interest
 *   compounded so far. A period shorter than a year is therefore simple interest.
 * - All of it is computed as an exact fraction (BigInt) and rounded half up to the cent once at
 *   the end, so the result does not depend on intermediate rounding of the yearly amounts.
 *
 * Returns the interest only (not the principal). `from` equal to `to` gives 0; `to` before
 * `from`, a malformed date, an unsorted or empty rate table, a negative or non-finite rate, or a
 * day before the first rate's date throw a RangeError.
 */
export function statutoryInterestCents(
  principalCents: number,
  from: LocalDate,
  to: LocalDate,
  rates: readonly StatutoryInterestRate[],
): Cents {
  if (!Number.isSafeInteger(principalCents) || principalCents < 0) {
    throw new RangeError(`principal must be a non-negative whole number of cents, got ${principalCents}`);
  }
  const start = parseDate(from, 'from');
  const fromDay = dayNumber(start);
  const toDay = dayNumber(parseDate(to, 'to'));
  if (toDay < fromDay) throw new RangeError(`'to' (${to}) is before 'from' (${from})`);

  const table = validateRates(rates);
  if (toDay === fromDay || principalCents === 0) return 0;
  const firstRateDay = table[0]!.day;
  if (fromDay + 1 < firstRateDay) {
    throw new RangeError(`no statutory interest rate known for ${dayNumberToString(fromDay + 1)}; the table starts on ${dayNumberToString(firstRateDay)}`);
  }

  /** The sum over the days d with after < d <= through of (scaled rate on day d). */
  function rateDays(after: number, through: number): bigint {
    let sum = 0n;
    for (let i = 0; i < table.length; i++) {
      const lo = Math.max(after + 1, table[i]!.day);
      const hi = Math.min(through, i + 1 < table.length ? table[i + 1]!.day - 1 : through);
      if (hi >= lo) sum += BigInt(hi - lo + 1) * table[i]!.scaled;
    }
    return sum;
  }

  let base: Fraction = { num: BigInt(principalCents), den: 1n };
  let cursor = fromDay; // interest has been accounted for up to and including this day
  for (let year = 1; cursor < toDay; year++) {
    const yearEnd = anniversary(start, year);
    const through = Math.min(yearEnd, toDay);
    // The interest over (cursor, through] on the current base, as a fraction over base.den * DAY_DENOMINATOR.
    const interestNum = base.num * rateDays(cursor, through);
    // base + interest; when the year is complete this is the new, compounded base (art. 6:119 lid 2),
    // otherwise it is the final amount for the last, partial year.
    base = reduce({ num: base.num * DAY_DENOMINATOR + interestNum, den: base.den * DAY_DENOMINATOR });
    cursor = through;
  }

  const interest: Fraction = { num: base.num - BigInt(principalCents) * base.den, den: base.den };
  return Number(roundHalfUp(interest));
}

function validateRates(rates: readonly StatutoryInterestRate[]): { day: number; scaled: bigint }[] {
  if (rates.length === 0) throw new RangeError('the statutory interest rate table is empty');
  const table = rates.map((rate, i) => {
    if (!Number.isFinite(rate.percent) || rate.percent < 0) {
      throw new RangeError(`rate ${i} (${rate.from}) must be a non-negative percentage, got ${rate.percent}`);
    }
    const scaled = Math.round(rate.percent * PERCENT_SCALE);
    if (Math.abs(scaled - rate.percent * PERCENT_SCALE) > 1e-6) {
      throw new RangeError(`rate ${i} (${rate.from}) has more than 4 decimals: ${rate.percent}`);
    }
    return { day: dayNumber(parseDate(rate.from, `rate ${i} 'from'`)), scaled: BigInt(scaled) };
  });
  for (let i = 1; i < table.length; i++) {
    if (table[i]!.day <= table[i - 1]!.day) {
      throw new RangeError(`the statutory interest rate table must be sorted by date without duplicates (row ${i}: ${rates[i]!.from})`);
    }
  }
  return table;
}
