import fc from 'fast-check';
import {
  addWorkingDays,
  amsterdamDate,
  amsterdamInstant,
  dutchPublicHolidays,
  isWorkingDay,
  subtractWorkingDays,
  type LocalDate,
} from '../../domain/calendar';
import {
  addDuration,
  deadlineAfter,
  DurationError,
  instantBefore,
  parseIsoDuration,
  windowStart,
  type PolicyDuration,
} from '../../domain/duration';
import { policyDurationSchema } from '../../domain/duration-schema';
import { centsToDecimal, formatEuro, InvalidCentsError, splitToTheCent } from '../../domain/money';
import { runs } from '../support/properties';

const MS_PER_DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Amsterdam wall-clock time by the tz database (Intl), independent of the calendar's own DST rule
// ---------------------------------------------------------------------------------------------

const amsterdamClock = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Amsterdam',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function wallClock(instant: Date): { date: LocalDate; time: string } {
  const part = (type: Intl.DateTimeFormatPartTypes) => amsterdamClock.formatToParts(instant).find((p) => p.type === type)!.value;
  return { date: `${part('year')}-${part('month')}-${part('day')}`, time: `${part('hour')}:${part('minute')}:${part('second')}` };
}

const nextDay = (date: LocalDate) => new Date(Date.parse(`${date}T00:00:00Z`) + MS_PER_DAY).toISOString().slice(0, 10);

/** Working days after `from` up to and including `to`, counted one calendar day at a time. */
function workingDaysBetween(from: LocalDate, to: LocalDate): number {
  let count = 0;
  for (let day = nextDay(from); day <= to; day = nextDay(day)) if (isWorkingDay(day)) count++;
  return count;
}

// ---------------------------------------------------------------------------------------------
// Generators: instants in 2000-2099, weighted towards DST changes and public holidays
// ---------------------------------------------------------------------------------------------

const year = fc.integer({ min: 2000, max: 2098 });

function lastSunday(y: number, month: number): number {
  for (let day = 31; ; day--) if (new Date(Date.UTC(y, month - 1, day)).getUTCDay() === 0) return day;
}

const nearDstChange = fc
  .tuple(year, fc.constantFrom(3, 10), fc.integer({ min: -48 * 60, max: 48 * 60 }))
  .map(([y, month, minutes]) => new Date(Date.UTC(y, month - 1, lastSunday(y, month), 1) + minutes * 60_000));

const nearHoliday = fc
  .tuple(year, fc.nat(7), fc.integer({ min: -4 * 24 * 60, max: 2 * 24 * 60 }))
  .map(([y, i, minutes]) => new Date(Date.parse(`${dutchPublicHolidays(y)[i]!.date}T00:00:00Z`) + minutes * 60_000));

const instant = fc.oneof(
  fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2098-12-31T00:00:00Z'), noInvalidDate: true }),
  nearDstChange,
  nearHoliday,
);

const localDate = instant.map((d) => d.toISOString().slice(0, 10));

const workingDays = (days: number): PolicyDuration => ({ kind: 'workingDays', days });

/** An ISO-8601 text for a whole number of milliseconds, spelled in one of the ways the parser reads. */
const isoText = fc
  .record({
    ms: fc.integer({ min: 0, max: 90 * MS_PER_DAY }),
    weeks: fc.boolean(),
    days: fc.boolean(),
    hours: fc.boolean(),
    minutes: fc.boolean(),
  })
  .map(({ ms, weeks, days, hours, minutes }) => {
    let rest = ms;
    const take = (use: boolean, unit: number) => {
      if (!use) return 0;
      const n = Math.floor(rest / unit);
      rest -= n * unit;
      return n;
    };
    const w = take(weeks, 7 * MS_PER_DAY);
    const d = take(days, MS_PER_DAY);
    const h = take(hours, 3_600_000);
    const m = take(minutes, 60_000);
    const seconds = rest % 1000 === 0 ? String(rest / 1000) : (rest / 1000).toFixed(3);
    const date = `${w ? `${w}W` : ''}${d ? `${d}D` : ''}`;
    const time = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${rest > 0 || (date === '' && !h && !m) ? `${seconds}S` : ''}`;
    return { ms, text: `P${date}${time ? `T${time}` : ''}` };
  });

type IsoDuration = Extract<PolicyDuration, { kind: 'iso' }>;
const isoDuration = isoText.map(({ ms, text }): IsoDuration => ({ kind: 'iso', ms, text }));
const policyDuration = fc.oneof(fc.integer({ min: 0, max: 40 }).map(workingDays), isoDuration);

// ---------------------------------------------------------------------------------------------
// Durations
// ---------------------------------------------------------------------------------------------

describe('parseIsoDuration', () => {
  it('reads a formatted duration back as its milliseconds', () => {
    fc.assert(
      fc.property(isoText, ({ ms, text }) => {
        expect(parseIsoDuration(text)).toBe(ms);
      }),
      runs(100),
    );
  });

  it('gives a whole, non-negative, bounded number of milliseconds or throws a DurationError: never NaN, never negative', () => {
    const durationish = fc
      .array(fc.oneof(fc.constantFrom('P', 'T', 'W', 'D', 'H', 'M', 'S', 'Y', '.', ',', '-', '+', ' ', 'e', '1e3', '99999999999999999999', 'Infinity'), fc.stringMatching(/^\d{1,4}$/)), {
        maxLength: 12,
      })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(durationish, fc.string({ maxLength: 12 })), (text) => {
        let ms: number;
        try {
          ms = parseIsoDuration(text);
        } catch (error) {
          expect(error).toBeInstanceOf(DurationError);
          return;
        }
        expect(Number.isSafeInteger(ms)).toBe(true);
        expect(ms).toBeGreaterThanOrEqual(0);
        // Any duration it accepts can be added to any date of this century.
        expect(Number.isNaN(new Date(Date.parse('2099-12-31T00:00:00Z') + ms).getTime())).toBe(false);
      }),
      runs(200),
    );
  });
});

describe('policy durations', () => {
  it('every duration the policy accepts gives a real deadline after the start', () => {
    const input = fc.oneof(
      fc.integer({ min: 0, max: 40 }),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      isoText.map((t) => t.text),
      fc.tuple(fc.stringMatching(/^\d{1,20}$/), fc.constantFrom('W', 'D', 'DT0S', 'TH', 'TM', 'TS')).map(([n, unit]) => (unit.startsWith('T') ? `PT${n}${unit[1]}` : `P${n}${unit}`)),
    );
    fc.assert(
      fc.property(input, instant, (value, from) => {
        const parsed = policyDurationSchema.safeParse(value);
        if (!parsed.success) return;
        const { deadline, deadlineDate } = deadlineAfter(from, parsed.data);
        expect(Number.isNaN(deadline.getTime())).toBe(false);
        expect(deadline.getTime()).toBeGreaterThanOrEqual(from.getTime());
        expect(deadlineDate).toBe(amsterdamDate(new Date(deadline.getTime() - (parsed.data.kind === 'workingDays' ? 1 : 0))));
      }),
      runs(100),
    );
  });

  it('a deadline of n working days ends at Amsterdam midnight after the n-th working day, across DST changes and holidays', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 30 }), (from, n) => {
        const { deadline, deadlineDate } = deadlineAfter(from, workingDays(n));
        expect(deadline.getTime()).toBeGreaterThan(from.getTime());
        if (n > 0) expect(isWorkingDay(deadlineDate)).toBe(true);
        expect(workingDaysBetween(wallClock(from).date, deadlineDate)).toBe(n);
        // The whole deadline day is the tenant's: the last millisecond is on it, the deadline is the next day's 00:00.
        expect(wallClock(new Date(deadline.getTime() - 1)).date).toBe(deadlineDate);
        expect(wallClock(deadline)).toEqual({ date: nextDay(deadlineDate), time: '00:00:00' });
      }),
      runs(100),
    );
  });

  it('an ISO deadline is exactly the duration after the start, dated in Amsterdam', () => {
    fc.assert(
      fc.property(instant, isoDuration, (from, d) => {
        const { deadline, deadlineDate } = deadlineAfter(from, d);
        expect(deadline.getTime() - from.getTime()).toBe(d.ms);
        expect(deadlineDate).toBe(wallClock(deadline).date);
      }),
      runs(100),
    );
  });

  it('a reminder is never after the deadline, whatever the two durations are', () => {
    fc.assert(
      fc.property(instant, policyDuration, policyDuration, (from, period, before) => {
        const deadline = deadlineAfter(from, period);
        expect(instantBefore(deadline, before).getTime()).toBeLessThanOrEqual(deadline.deadline.getTime());
      }),
      runs(200),
    );
  });

  it('a reminder n working days before a deadline is at 09:00 Amsterdam on the n-th working day before the deadline day', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 10 }), (from, period, n) => {
        const deadline = deadlineAfter(from, workingDays(period));
        const reminder = wallClock(instantBefore(deadline, workingDays(n)));
        expect(reminder.time).toBe('09:00:00');
        expect(isWorkingDay(reminder.date)).toBe(true);
        expect(workingDaysBetween(reminder.date, deadline.deadlineDate)).toBe(n);
      }),
      runs(100),
    );
  });

  it('adding n working days lands at 09:00 Amsterdam on a working day, and counting back gives n', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 30 }), (from, n) => {
        const at = addDuration(from, workingDays(n));
        const landed = wallClock(at);
        expect(at.getTime()).toBeGreaterThan(from.getTime());
        expect(landed.time).toBe('09:00:00');
        expect(isWorkingDay(landed.date)).toBe(true);
        expect(workingDaysBetween(wallClock(from).date, landed.date)).toBe(n);
        if (isWorkingDay(wallClock(from).date)) expect(subtractWorkingDays(landed.date, n)).toBe(wallClock(from).date);
      }),
      runs(100),
    );
  });

  it('a look-back window starts at or before now: n working days back at Amsterdam midnight, or exactly the ISO duration', () => {
    fc.assert(
      fc.property(instant, policyDuration, (now, d) => {
        const start = windowStart(now, d);
        expect(start.getTime()).toBeLessThanOrEqual(now.getTime());
        if (d.kind === 'iso') {
          expect(now.getTime() - start.getTime()).toBe(d.ms);
        } else {
          expect(wallClock(start).time).toBe('00:00:00');
          expect(subtractWorkingDays(wallClock(now).date, d.days)).toBe(wallClock(start).date);
        }
      }),
      runs(100),
    );
  });
});

describe('working days', () => {
  it('adding n working days and counting them back gives n; from a working day, subtracting returns to it', () => {
    fc.assert(
      fc.property(localDate, fc.integer({ min: 0, max: 60 }), (date, n) => {
        const later = addWorkingDays(date, n);
        expect(workingDaysBetween(date, later)).toBe(n);
        if (n > 0) expect(isWorkingDay(later)).toBe(true);
        if (isWorkingDay(date)) expect(subtractWorkingDays(later, n)).toBe(date);
        const earlier = subtractWorkingDays(date, n);
        expect(workingDaysBetween(earlier, date) + (isWorkingDay(date) || n === 0 ? 0 : 1)).toBe(n);
      }),
      runs(100),
    );
  });

  it('amsterdamInstant shows the asked wall-clock time, except in the hour skipped in spring (read as winter time)', () => {
    const time = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    fc.assert(
      fc.property(localDate, time, (date, hhmm) => {
        const shown = wallClock(amsterdamInstant(date, hhmm));
        const inSpringGap = date.slice(5, 7) === '03' && Number(date.slice(8)) === lastSunday(Number(date.slice(0, 4)), 3) && hhmm.startsWith('02:');
        expect(shown).toEqual(inSpringGap ? { date, time: `03:${hhmm.slice(3)}:00` } : { date, time: `${hhmm}:00` });
      }),
      runs(150),
    );
  });

  it("the calendar's own DST rule gives the same Amsterdam date as the tz database", () => {
    fc.assert(
      fc.property(instant, (at) => {
        expect(amsterdamDate(at)).toBe(wallClock(at).date);
      }),
      runs(200),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Money
// ---------------------------------------------------------------------------------------------

const cents = fc.oneof(fc.integer({ min: -1_000_000_00, max: 1_000_000_00 }), fc.maxSafeInteger(), fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: 0 }));
const notCents = fc.oneof(
  fc.double({ noInteger: true }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53, -(2 ** 53), 1e21, 0.1, -0.5),
);

describe('splitToTheCent', () => {
  it('gives shares that add up exactly and differ by at most one cent', () => {
    fc.assert(
      fc.property(cents, fc.integer({ min: 1, max: 500 }), (total, parts) => {
        const shares = splitToTheCent(total, parts);
        expect(shares).toHaveLength(parts);
        expect(shares.every(Number.isSafeInteger)).toBe(true);
        expect(shares.reduce((sum, s) => sum + BigInt(s), 0n)).toBe(BigInt(total));
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      }),
      runs(100),
    );
  });

  it('refuses a total that is not a whole, safe number of cents with an InvalidCentsError', () => {
    fc.assert(
      fc.property(notCents, fc.integer({ min: 1, max: 10 }), (total, parts) => {
        expect(() => splitToTheCent(total, parts)).toThrow(InvalidCentsError);
      }),
      runs(100),
    );
  });
});

describe('formatEuro and centsToDecimal', () => {
  it('are injective: two different amounts never print alike', () => {
    fc.assert(
      fc.property(cents, cents, (a, b) => {
        fc.pre(a !== b);
        expect(formatEuro(a)).not.toBe(formatEuro(b));
        expect(centsToDecimal(a)).not.toBe(centsToDecimal(b));
      }),
      runs(200),
    );
  });

  it('print the exact cents: reading the text back with BigInt gives the amount', () => {
    const readDecimal = (text: string) => {
      const [, sign, whole, fraction] = /^(-?)(\d+)\.(\d{2})$/.exec(text)!;
      return (sign ? -1n : 1n) * (BigInt(whole!) * 100n + BigInt(fraction!));
    };
    const readEuro = (text: string) => {
      const [, sign, whole, fraction] = /^(-?)€ (\d{1,3}(?:\.\d{3})*),(\d{2})$/.exec(text)!;
      return (sign ? -1n : 1n) * (BigInt(whole!.replaceAll('.', '')) * 100n + BigInt(fraction!));
    };
    fc.assert(
      fc.property(cents, (amount) => {
        expect(readDecimal(centsToDecimal(amount))).toBe(BigInt(amount));
        expect(readEuro(formatEuro(amount))).toBe(BigInt(amount));
      }),
      runs(100),
    );
  });

  it('refuse what is not a whole, safe number of cents with an InvalidCentsError', () => {
    fc.assert(
      fc.property(notCents, (amount) => {
        expect(() => formatEuro(amount)).toThrow(InvalidCentsError);
        expect(() => centsToDecimal(amount)).toThrow(InvalidCentsError);
      }),
      runs(100),
    );
  });
});
