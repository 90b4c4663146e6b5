/**
 * The Dutch working days as domain/calendar.ts counted them on 2026-11-25, frozen for the migration
 * that filled `working_day_calendar` then: a migration must do the same on every database, whatever
 * the live calendar becomes. A change of the rules is a new migration with its own copy.
 *
 * Weekends and the holidays of the Algemene termijnenwet: New Year, Easter Monday, King's Day (27
 * April, the 26th when the 27th is a Sunday), 5 May, Ascension, Whit Monday, Christmas, Boxing Day.
 */
const DAY_MS = 86_400_000;
const utc = (year: number, month: number, day: number) => Date.UTC(year, month - 1, day);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const h = (19 * a + b - Math.floor(b / 4) - Math.floor((b - Math.floor((b + 8) / 25) + 1) / 3) + 15) % 30;
  const l = (32 + 2 * (b % 4) + 2 * Math.floor(c / 4) - h - (c % 4)) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  return utc(year, Math.floor((h + l - 7 * m + 114) / 31), ((h + l - 7 * m + 114) % 31) + 1);
}

function holidays(year: number): Set<string> {
  const easter = easterSunday(year);
  const april27 = utc(year, 4, 27);
  const kingsDay = new Date(april27).getUTCDay() === 0 ? april27 - DAY_MS : april27;
  return new Set(
    [utc(year, 1, 1), easter + DAY_MS, kingsDay, utc(year, 5, 5), easter + 39 * DAY_MS, easter + 50 * DAY_MS, utc(year, 12, 25), utc(year, 12, 26)].map(iso),
  );
}

/** Every day from `first` up to (not including) `end`, numbered by the working days up to and including it. */
export function workingDayNumbers(first: string, end: string): { day: string; working_day_number: number }[] {
  const days: { day: string; working_day_number: number }[] = [];
  let number = 0;
  let year = -1;
  let yearHolidays = new Set<string>();
  for (let ms = Date.parse(`${first}T00:00:00Z`); ms < Date.parse(`${end}T00:00:00Z`); ms += DAY_MS) {
    const date = new Date(ms);
    if (date.getUTCFullYear() !== year) {
      year = date.getUTCFullYear();
      yearHolidays = holidays(year);
    }
    const day = iso(ms);
    const weekday = date.getUTCDay();
    if (weekday !== 0 && weekday !== 6 && !yearHolidays.has(day)) number++;
    days.push({ day, working_day_number: number });
  }
  return days;
}
