/**
 * The Dutch working-day calendar in Europe/Amsterdam.
 *
 * Temporal workflow code imports this module, so it must stay deterministic:
 * no Node built-ins, no Intl, and no local-time Date methods. Every Date here is
 * read and built through its UTC methods only, and Amsterdam time is derived by
 * applying the EU daylight-saving rule by hand.
 */

/** A calendar date without a time or zone, written 'YYYY-MM-DD'. */
export type LocalDate = string;

export interface HolidayOptions {
  /** Count Goede Vrijdag as a holiday. The Algemene termijnenwet does not; some contracts do. */
  goodFriday?: boolean;
}

export interface Holiday {
  date: LocalDate;
  name: string;
}

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const CET_OFFSET_MINUTES = 60;
const CEST_OFFSET_MINUTES = 120;

const SUNDAY = 0;
const SATURDAY = 6;

const DUTCH_MONTHS = [
  'januari', 'februari', 'maart', 'april', 'mei', 'juni',
  'juli', 'augustus', 'september', 'oktober', 'november', 'december',
];
const DUTCH_WEEKDAYS = ['zondag', 'maandag', 'dinsdag', 'woensdag', 'donderdag', 'vrijdag', 'zaterdag'];

const LOCAL_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

interface DateParts {
  year: number;
  month: number; // 1-12
  day: number;
}

/** Midnight UTC of the given date; setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999. */
function utcMidnight({ year, month, day }: DateParts): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date;
}

function partsOfUtcDate(date: Date): DateParts {
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function formatLocalDate({ year, month, day }: DateParts): LocalDate {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function tryParseLocalDate(s: string): DateParts | undefined {
  const match = LOCAL_DATE_PATTERN.exec(s);
  if (!match) return undefined;
  const parts = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  // Rejects dates such as 2026-02-30 that Date would silently roll over.
  return formatLocalDate(partsOfUtcDate(utcMidnight(parts))) === s ? parts : undefined;
}

function parseLocalDate(s: LocalDate): DateParts {
  const parts = tryParseLocalDate(s);
  if (!parts) throw new TypeError(`Invalid LocalDate ${JSON.stringify(s)}: expected an existing date as 'YYYY-MM-DD'`);
  return parts;
}

export function isLocalDate(s: string): boolean {
  return typeof s === 'string' && tryParseLocalDate(s) !== undefined;
}

function dayOfWeek(date: LocalDate): number {
  return utcMidnight(parseLocalDate(date)).getUTCDay();
}

export function addCalendarDays(date: LocalDate, n: number): LocalDate {
  if (!Number.isInteger(n)) throw new RangeError(`Number of days must be a whole number, got ${n}`);
  const shifted = new Date(utcMidnight(parseLocalDate(date)).getTime() + n * MS_PER_DAY);
  return formatLocalDate(partsOfUtcDate(shifted));
}

/** Anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
export function easterSunday(year: number): LocalDate {
  if (!Number.isInteger(year) || year < 1583) throw new RangeError(`Expected a Gregorian year, got ${year}`);
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return formatLocalDate({ year, month, day });
}

/** The rule since 2014; earlier years had Koninginnedag on 30 April. */
function kingsDay(year: number): LocalDate {
  const april27 = formatLocalDate({ year, month: 4, day: 27 });
  return dayOfWeek(april27) === SUNDAY ? addCalendarDays(april27, -1) : april27;
}

/** The "algemeen erkende feestdagen" of the Algemene termijnenwet, sorted by date. */
export function dutchPublicHolidays(year: number, options: HolidayOptions = {}): Holiday[] {
  const easter = easterSunday(year);
  const fixed = (month: number, day: number) => formatLocalDate({ year, month, day });
  const holidays: Holiday[] = [
    { date: fixed(1, 1), name: 'Nieuwjaarsdag' },
    { date: addCalendarDays(easter, 1), name: 'Tweede Paasdag' },
    { date: kingsDay(year), name: 'Koningsdag' },
    // The Algemene termijnenwet counts Bevrijdingsdag every year, not only in lustrum years.
    { date: fixed(5, 5), name: 'Bevrijdingsdag' },
    { date: addCalendarDays(easter, 39), name: 'Hemelvaartsdag' },
    { date: addCalendarDays(easter, 50), name: 'Tweede Pinksterdag' },
    { date: fixed(12, 25), name: 'Eerste Kerstdag' },
    { date: fixed(12, 26), name: 'Tweede Kerstdag' },
  ];
  if (options.goodFriday) holidays.push({ date: addCalendarDays(easter, -2), name: 'Goede Vrijdag' });
  return holidays.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
}

export function isWorkingDay(date: LocalDate, options: HolidayOptions = {}): boolean {
  const weekday = dayOfWeek(date);
  if (weekday === SATURDAY || weekday === SUNDAY) return false;
  const year = parseLocalDate(date).year;
  return !dutchPublicHolidays(year, options).some((holiday) => holiday.date === date);
}

function stepWorkingDays(date: LocalDate, n: number, step: 1 | -1, options: HolidayOptions): LocalDate {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`Number of working days must be a whole number >= 0, got ${n}`);
  parseLocalDate(date);
  let current = date;
  for (let found = 0; found < n; ) {
    current = addCalendarDays(current, step);
    if (isWorkingDay(current, options)) found++;
  }
  return current;
}

/** The n-th working day after `date`; `date` itself never counts, and n = 0 returns `date`. */
export function addWorkingDays(date: LocalDate, n: number, options: HolidayOptions = {}): LocalDate {
  return stepWorkingDays(date, n, 1, options);
}

/** The n-th working day before `date`; `date` itself never counts, and n = 0 returns `date`. */
export function subtractWorkingDays(date: LocalDate, n: number, options: HolidayOptions = {}): LocalDate {
  return stepWorkingDays(date, n, -1, options);
}

function lastSundayOf(year: number, month: number): number {
  const lastDay = utcMidnight({ year, month: month + 1, day: 0 });
  return lastDay.getUTCDate() - lastDay.getUTCDay();
}

/** EU rule: summer time runs from the last Sunday of March to the last Sunday of October, both at 01:00 UTC. */
export function amsterdamOffsetMinutes(instant: Date): number {
  const year = instant.getUTCFullYear();
  const summerStart = Date.UTC(year, 2, lastSundayOf(year, 3), 1);
  const summerEnd = Date.UTC(year, 9, lastSundayOf(year, 10), 1);
  const t = instant.getTime();
  return t >= summerStart && t < summerEnd ? CEST_OFFSET_MINUTES : CET_OFFSET_MINUTES;
}

export function amsterdamDate(instant: Date): LocalDate {
  const wallClock = new Date(instant.getTime() + amsterdamOffsetMinutes(instant) * MS_PER_MINUTE);
  return formatLocalDate(partsOfUtcDate(wallClock));
}

/**
 * The instant at which Amsterdam wall-clock time shows `date` at `time` ('HH:MM').
 * At the DST changes we use the offset in force before the change: a time in the
 * skipped spring hour (02:00-03:00) is read as CET, a time in the repeated autumn
 * hour is read as CEST, i.e. its first occurrence.
 */
export function amsterdamInstant(date: LocalDate, time: string): Date {
  const match = TIME_PATTERN.exec(time);
  if (!match) throw new TypeError(`Invalid time ${JSON.stringify(time)}: expected 'HH:MM' between 00:00 and 23:59`);
  const wallClockAsUtc = utcMidnight(parseLocalDate(date)).getTime()
    + (Number(match[1]) * 60 + Number(match[2])) * MS_PER_MINUTE;
  const asSummerTime = new Date(wallClockAsUtc - CEST_OFFSET_MINUTES * MS_PER_MINUTE);
  const asWinterTime = new Date(wallClockAsUtc - CET_OFFSET_MINUTES * MS_PER_MINUTE);
  // Summer time is right whenever it is consistent; that includes the autumn overlap.
  // Otherwise winter time: either it is consistent, or we are in the spring gap.
  return amsterdamOffsetMinutes(asSummerTime) === CEST_OFFSET_MINUTES ? asSummerTime : asWinterTime;
}

/**
 * The same Amsterdam wall-clock time `days` calendar days later: across a change of clock that is
 * an hour more or less than `days` times 24 hours, so that a midnight stays a midnight.
 */
export function addAmsterdamDays(instant: Date, days: number): Date {
  if (!Number.isInteger(days)) throw new RangeError(`Number of days must be a whole number, got ${days}`);
  const naive = instant.getTime() + days * MS_PER_DAY;
  const shift = (amsterdamOffsetMinutes(instant) - amsterdamOffsetMinutes(new Date(naive))) * MS_PER_MINUTE;
  return new Date(naive + shift);
}

/** The instant the next Amsterdam day starts: midnight after `date`. */
export function endOfDay(date: LocalDate): Date {
  return amsterdamInstant(addCalendarDays(date, 1), '00:00');
}

/** E.g. '2 december 2026'. */
export function formatDutchDate(date: LocalDate): string {
  const { year, month, day } = parseLocalDate(date);
  return `${day} ${DUTCH_MONTHS[month - 1]} ${year}`;
}

/** E.g. 'woensdag 2 december 2026'. */
export function formatDutchWeekdayDate(date: LocalDate): string {
  return `${DUTCH_WEEKDAYS[dayOfWeek(date)]} ${formatDutchDate(date)}`;
}

// ---------------------------------------------------------------------------------------------
// Working days counted between dates, as the working_day_calendar table counts them in SQL
// (migration 2026-11-25T13-00-reports; a test holds the two to each other)
// ---------------------------------------------------------------------------------------------

const CALENDAR_FIRST = '2000-01-01';
const CALENDAR_END = '2100-01-01';
const dayIndex = (date: LocalDate) => (Date.parse(`${date}T00:00:00Z`) - Date.parse(`${CALENDAR_FIRST}T00:00:00Z`)) / MS_PER_DAY;

let holidayIndexes: number[] | null = null;
/** Day numbers (since 2000-01-01) of the public holidays that fall on a weekday, in order. */
function weekdayHolidays(): number[] {
  if (holidayIndexes) return holidayIndexes;
  // A set: two holidays can fall on one day (Ascension on 5 May, as in 2016).
  const found = new Set<number>();
  for (let year = 2000; year < 2100; year++) {
    for (const { date } of dutchPublicHolidays(year)) {
      const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
      if (weekday !== 0 && weekday !== 6) found.add(dayIndex(date));
    }
  }
  holidayIndexes = [...found].sort((a, b) => a - b);
  return holidayIndexes;
}

/** The working days from 2000-01-01 up to and including `date`, as the calendar table numbers them; null outside 2000-2099. */
export function workingDayNumber(date: LocalDate): number | null {
  if (!isLocalDate(date) || date < CALENDAR_FIRST || date >= CALENDAR_END) return null;
  const index = dayIndex(date);
  // 2000-01-01 was a Saturday: every week from it holds five weekdays, and a part week of r days r - 2.
  const days = index + 1;
  const weekdays = Math.floor(days / 7) * 5 + Math.max(0, (days % 7) - 2);
  const holidays = weekdayHolidays();
  let lo = 0;
  let hi = holidays.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (holidays[mid]! <= index) lo = mid + 1;
    else hi = mid;
  }
  return weekdays - lo;
}

/**
 * Working days after `from` up to and including `to`: 0 when closed on the day of the report,
 * weekends and Dutch public holidays skipped; null outside 2000-2099. The SQL function
 * `working_days_between` gives the same.
 */
export function workingDaysBetween(from: LocalDate, to: LocalDate): number | null {
  const a = workingDayNumber(from);
  const b = workingDayNumber(to);
  return a === null || b === null ? null : b - a;
}
