import {
  addCalendarDays,
  addWorkingDays,
  amsterdamDate,
  amsterdamInstant,
  amsterdamOffsetMinutes,
  dutchPublicHolidays,
  easterSunday,
  endOfDay,
  formatDutchDate,
  formatDutchWeekdayDate,
  isLocalDate,
  isWorkingDay,
  subtractWorkingDays,
} from '../../domain/calendar';

const utc = (iso: string) => new Date(iso);
const HOUR_MS = 3_600_000;

describe('isLocalDate', () => {
  it.each(['2026-12-02', '2024-02-29', '2027-01-01'])('accepts the existing date %s', (s) => {
    expect(isLocalDate(s)).toBe(true);
  });

  it.each(['', '2026-2-3', '02-12-2026', '2026-02-30', '2025-02-29', '2026-13-01', '2026-12-02T00:00', ' 2026-12-02'])(
    'rejects %j',
    (s) => {
      expect(isLocalDate(s)).toBe(false);
    },
  );
});

describe('malformed LocalDate', () => {
  it.each<[string, () => unknown]>([
    ['isWorkingDay', () => isWorkingDay('2026-02-30')],
    ['addWorkingDays', () => addWorkingDays('02-12-2026', 1)],
    ['subtractWorkingDays', () => subtractWorkingDays('2026-12-1', 1)],
    ['addCalendarDays', () => addCalendarDays('yesterday', 1)],
    ['amsterdamInstant', () => amsterdamInstant('2026-00-10', '09:00')],
    ['endOfDay', () => endOfDay('')],
    ['formatDutchDate', () => formatDutchDate('2026/12/02')],
    ['formatDutchWeekdayDate', () => formatDutchWeekdayDate('2026-12-32')],
  ])('is rejected by %s with a TypeError naming the value', (_name, call) => {
    expect(call).toThrow(TypeError);
    expect(call).toThrow(/Invalid LocalDate/);
  });
});

describe('easterSunday', () => {
  it.each([
    [1818, '1818-03-22'], // earliest possible date
    [2008, '2008-03-23'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2028, '2028-04-16'],
    [2030, '2030-04-21'],
    [2038, '2038-04-25'], // latest possible date
  ])('falls in %i on %s', (year, expected) => {
    expect(easterSunday(year)).toBe(expected);
  });
});

describe('dutchPublicHolidays', () => {
  it('lists the eight holidays of the Algemene termijnenwet for 2026, sorted by date', () => {
    expect(dutchPublicHolidays(2026)).toEqual([
      { date: '2026-01-01', name: 'Nieuwjaarsdag' },
      { date: '2026-04-06', name: 'Tweede Paasdag' },
      { date: '2026-04-27', name: 'Koningsdag' },
      { date: '2026-05-05', name: 'Bevrijdingsdag' },
      { date: '2026-05-14', name: 'Hemelvaartsdag' },
      { date: '2026-05-25', name: 'Tweede Pinksterdag' },
      { date: '2026-12-25', name: 'Eerste Kerstdag' },
      { date: '2026-12-26', name: 'Tweede Kerstdag' },
    ]);
  });

  it('adds Goede Vrijdag only when asked to', () => {
    expect(dutchPublicHolidays(2026).map((h) => h.name)).not.toContain('Goede Vrijdag');
    expect(dutchPublicHolidays(2026, { goodFriday: true })).toContainEqual({ date: '2026-04-03', name: 'Goede Vrijdag' });
    expect(dutchPublicHolidays(2026, { goodFriday: true })[1]).toEqual({ date: '2026-04-03', name: 'Goede Vrijdag' });
  });

  it('moves Koningsdag to Saturday 26 April when 27 April is a Sunday', () => {
    const kingsDay = (year: number) => dutchPublicHolidays(year).find((h) => h.name === 'Koningsdag')?.date;
    expect(kingsDay(2025)).toBe('2025-04-26'); // 27 April 2025 was a Sunday
    expect(kingsDay(2031)).toBe('2031-04-26'); // 27 April 2031 is a Sunday
    expect(kingsDay(2026)).toBe('2026-04-27'); // a Monday
  });

  it('has Bevrijdingsdag every year, not only in lustrum years', () => {
    for (const year of [2026, 2027, 2028, 2029, 2030]) {
      expect(dutchPublicHolidays(year)).toContainEqual({ date: `${year}-05-05`, name: 'Bevrijdingsdag' });
    }
  });

  it('derives Ascension and Whit Monday from Easter', () => {
    const byName = (year: number) => new Map(dutchPublicHolidays(year).map((h) => [h.name, h.date]));
    expect(byName(2025).get('Hemelvaartsdag')).toBe('2025-05-29');
    expect(byName(2025).get('Tweede Pinksterdag')).toBe('2025-06-09');
    expect(byName(2026).get('Hemelvaartsdag')).toBe('2026-05-14');
    expect(byName(2026).get('Tweede Pinksterdag')).toBe('2026-05-25');
  });

  it('keeps the list sorted when Ascension falls before Bevrijdingsdag', () => {
    const holidays = dutchPublicHolidays(2008); // Easter 23 March 2008, Ascension 1 May 2008
    expect(holidays.find((h) => h.name === 'Hemelvaartsdag')?.date).toBe('2008-05-01');
    const dates = holidays.map((h) => h.date);
    expect(dates).toEqual([...dates].sort());
  });
});

describe('isWorkingDay', () => {
  it.each([
    ['2026-12-02', true, 'an ordinary Wednesday'],
    ['2026-12-24', true, 'Christmas Eve, a Thursday, is no holiday'],
    ['2026-12-31', true, "New Year's Eve, a Thursday, is no holiday"],
    ['2026-04-03', true, 'Good Friday by default'],
    ['2026-11-28', false, 'a Saturday'],
    ['2026-11-29', false, 'a Sunday'],
    ['2026-01-01', false, 'Nieuwjaarsdag'],
    ['2026-04-06', false, 'Tweede Paasdag'],
    ['2026-04-27', false, 'Koningsdag'],
    ['2026-05-05', false, 'Bevrijdingsdag'],
    ['2026-05-14', false, 'Hemelvaartsdag'],
    ['2026-05-25', false, 'Tweede Pinksterdag'],
    ['2026-12-25', false, 'Eerste Kerstdag'],
  ])('%s is %s (%s)', (date, expected) => {
    expect(isWorkingDay(date)).toBe(expected);
  });

  it('treats Good Friday as a holiday when the option is set', () => {
    expect(isWorkingDay('2026-04-03', { goodFriday: true })).toBe(false);
  });
});

describe('addCalendarDays', () => {
  it('moves across month and year ends, forwards and backwards', () => {
    expect(addCalendarDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addCalendarDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(addCalendarDays('2028-02-28', 1)).toBe('2028-02-29'); // 2028 is a leap year
    expect(addCalendarDays('2026-03-28', 2)).toBe('2026-03-30'); // a DST weekend changes nothing
    expect(addCalendarDays('2026-12-02', 0)).toBe('2026-12-02');
  });
});

describe('addWorkingDays', () => {
  it.each([
    // Fri 27 Nov 2026 -> Sat 28, Sun 29 skipped -> Mon 30 Nov is the 1st working day.
    ['2026-11-27', 1, '2026-11-30', 'across a weekend'],
    // Mon 30 Nov (1st), Tue 1 Dec (2nd).
    ['2026-11-27', 2, '2026-12-01', 'across a weekend, two days'],
    // Starting on a Saturday: Sun skipped, Mon 30 Nov is the 1st.
    ['2026-11-28', 1, '2026-11-30', 'starting on a weekend day'],
    // Thu 24 Dec (1st, an ordinary working day); Fri 25 Dec holiday, Sat 26 holiday + weekend,
    // Sun 27 weekend; Mon 28 Dec (2nd).
    ['2026-12-23', 2, '2026-12-28', 'across Christmas'],
    // Thu 31 Dec (1st); Fri 1 Jan 2027 Nieuwjaarsdag, Sat 2, Sun 3 skipped; Mon 4 Jan (2nd).
    ['2026-12-30', 2, '2027-01-04', 'across New Year'],
    // Fri 3 Apr (1st, Good Friday counts by default); Sat 4, Sun 5 (Easter), Mon 6 (Easter Monday)
    // skipped; Tue 7 Apr (2nd).
    ['2026-04-02', 2, '2026-04-07', 'across Easter Monday'],
    // Sat 26 Apr 2025 is Koningsdag but a weekend day anyway; Sun 27 skipped; Mon 28 Apr (1st).
    ['2025-04-25', 1, '2025-04-28', "across King's Day on a Saturday"],
    // Mon 27 Apr 2026 is Koningsdag; Tue 28 Apr (1st).
    ['2026-04-24', 1, '2026-04-28', "across King's Day on a Monday"],
    // Tue 5 May 2026 is Bevrijdingsdag; Wed 6 May (1st).
    ['2026-05-04', 1, '2026-05-06', 'across Bevrijdingsdag'],
    // Thu 14 May 2026 is Ascension; Fri 15 May (1st).
    ['2026-05-13', 1, '2026-05-15', 'across Ascension'],
    // Sat 23, Sun 24 weekend, Mon 25 May Whit Monday; Tue 26 May (1st).
    ['2026-05-22', 1, '2026-05-26', 'across Whit Monday'],
    // n = 0 returns the date unchanged, even on a Saturday.
    ['2026-11-28', 0, '2026-11-28', 'zero days'],
  ])('%s + %i working days = %s (%s)', (from, n, expected) => {
    expect(addWorkingDays(from, n)).toBe(expected);
  });

  it('skips Good Friday as well when the option is set', () => {
    // Fri 3 Apr holiday, Sat 4, Sun 5, Mon 6 skipped; Tue 7 (1st), Wed 8 (2nd).
    expect(addWorkingDays('2026-04-02', 2, { goodFriday: true })).toBe('2026-04-08');
  });

  it.each([-1, 1.5, Number.NaN])('rejects %p working days', (n) => {
    expect(() => addWorkingDays('2026-12-02', n)).toThrow(RangeError);
  });
});

describe('subtractWorkingDays', () => {
  it.each([
    // Sun 29, Sat 28 skipped; Fri 27 Nov (1st).
    ['2026-11-30', 1, '2026-11-27', 'back across a weekend'],
    // Sun 27, Sat 26, Fri 25 skipped; Thu 24 Dec (1st), Wed 23 Dec (2nd).
    ['2026-12-28', 2, '2026-12-23', 'back across Christmas'],
    // Mon 6 Apr Easter Monday, Sun 5, Sat 4 skipped; Fri 3 Apr (1st).
    ['2026-04-07', 1, '2026-04-03', 'back across Easter Monday'],
    // Thu 14 May Ascension skipped; Wed 13 May (1st).
    ['2026-05-15', 1, '2026-05-13', 'back across Ascension'],
    ['2026-12-02', 0, '2026-12-02', 'zero days'],
  ])('%s - %i working days = %s (%s)', (from, n, expected) => {
    expect(subtractWorkingDays(from, n)).toBe(expected);
  });

  it('skips Good Friday as well when the option is set', () => {
    // Mon 6, Sun 5, Sat 4, Fri 3 (Good Friday) skipped; Thu 2 Apr (1st).
    expect(subtractWorkingDays('2026-04-07', 1, { goodFriday: true })).toBe('2026-04-02');
  });

  it('undoes addWorkingDays when starting from a working day', () => {
    for (let date = '2026-01-02'; date < '2027-01-01'; date = addCalendarDays(date, 1)) {
      if (isWorkingDay(date)) expect(subtractWorkingDays(addWorkingDays(date, 3), 3)).toBe(date);
    }
  });
});

describe('amsterdamOffsetMinutes', () => {
  it('is CET (60) in winter and CEST (120) in summer', () => {
    expect(amsterdamOffsetMinutes(utc('2026-01-15T12:00:00Z'))).toBe(60);
    expect(amsterdamOffsetMinutes(utc('2026-07-15T12:00:00Z'))).toBe(120);
  });

  it('switches to CEST at 01:00 UTC on the last Sunday of March (29 March 2026)', () => {
    expect(amsterdamOffsetMinutes(utc('2026-03-29T00:59:59.999Z'))).toBe(60);
    expect(amsterdamOffsetMinutes(utc('2026-03-29T01:00:00Z'))).toBe(120);
  });

  it('switches back to CET at 01:00 UTC on the last Sunday of October (25 October 2026)', () => {
    expect(amsterdamOffsetMinutes(utc('2026-10-25T00:59:59.999Z'))).toBe(120);
    expect(amsterdamOffsetMinutes(utc('2026-10-25T01:00:00Z'))).toBe(60);
  });
});

describe('amsterdamDate', () => {
  it.each([
    ['2026-06-30T23:30:00Z', '2026-07-01', 'summer: 01:30 CEST the next day'],
    ['2026-06-30T21:59:59Z', '2026-06-30', 'summer: 23:59:59 CEST'],
    ['2026-12-31T22:59:59Z', '2026-12-31', 'winter: 23:59:59 CET'],
    ['2026-12-31T23:00:00Z', '2027-01-01', 'winter: midnight CET starts the new year'],
    ['2026-03-28T22:59:59Z', '2026-03-28', 'night before spring DST: 23:59:59 CET'],
    ['2026-03-28T23:00:00Z', '2026-03-29', 'night before spring DST: 00:00 CET'],
    ['2026-03-29T21:59:59Z', '2026-03-29', 'spring DST day: 23:59:59 CEST'],
    ['2026-03-29T22:00:00Z', '2026-03-30', 'spring DST day ends at 22:00 UTC'],
    ['2026-10-24T21:59:59Z', '2026-10-24', 'night before autumn DST: 23:59:59 CEST'],
    ['2026-10-24T22:00:00Z', '2026-10-25', 'night before autumn DST: 00:00 CEST'],
    ['2026-10-25T22:59:59Z', '2026-10-25', 'autumn DST day: 23:59:59 CET'],
    ['2026-10-25T23:00:00Z', '2026-10-26', 'autumn DST day ends at 23:00 UTC'],
  ])('%s is %s in Amsterdam (%s)', (instant, expected) => {
    expect(amsterdamDate(utc(instant))).toBe(expected);
  });
});

describe('amsterdamInstant', () => {
  it.each([
    ['2026-11-30', '09:00', '2026-11-30T08:00:00.000Z', 'winter, CET'],
    ['2026-07-01', '01:30', '2026-06-30T23:30:00.000Z', 'summer, CEST, previous UTC day'],
    ['2026-03-29', '00:00', '2026-03-28T23:00:00.000Z', 'spring DST day, before the change'],
    ['2026-03-29', '01:59', '2026-03-29T00:59:00.000Z', 'spring DST day, last CET minute'],
    ['2026-03-29', '03:00', '2026-03-29T01:00:00.000Z', 'spring DST day, first CEST minute'],
    // 02:30 does not exist on 29 March 2026; read with the offset before the change (CET).
    ['2026-03-29', '02:30', '2026-03-29T01:30:00.000Z', 'spring gap'],
    ['2026-10-25', '00:00', '2026-10-24T22:00:00.000Z', 'autumn DST day, before the change'],
    // 02:30 happens twice on 25 October 2026; read with the offset before the change (CEST).
    ['2026-10-25', '02:30', '2026-10-25T00:30:00.000Z', 'autumn overlap'],
    ['2026-10-25', '03:00', '2026-10-25T02:00:00.000Z', 'autumn DST day, after the change'],
  ])('%s %s Amsterdam is %s (%s)', (date, time, expected) => {
    expect(amsterdamInstant(date, time).toISOString()).toBe(expected);
  });

  it.each(['9:00', '24:00', '12:60', '12:00:00', ''])('rejects the time %j with a TypeError', (time) => {
    expect(() => amsterdamInstant('2026-12-02', time)).toThrow(TypeError);
  });

  it('round-trips with amsterdamDate for every day of 2026', () => {
    for (let date = '2026-01-01'; date < '2027-01-01'; date = addCalendarDays(date, 1)) {
      expect(amsterdamDate(amsterdamInstant(date, '00:00'))).toBe(date);
      expect(amsterdamDate(amsterdamInstant(date, '23:59'))).toBe(date);
    }
  });
});

describe('endOfDay', () => {
  it.each([
    ['2026-12-01', '2026-12-01T23:00:00.000Z', 'winter'],
    ['2026-07-01', '2026-07-01T22:00:00.000Z', 'summer'],
    ['2026-03-28', '2026-03-28T23:00:00.000Z', 'the day before spring DST'],
    ['2026-03-29', '2026-03-29T22:00:00.000Z', 'spring DST day'],
    ['2026-10-24', '2026-10-24T22:00:00.000Z', 'the day before autumn DST'],
    ['2026-10-25', '2026-10-25T23:00:00.000Z', 'autumn DST day'],
    ['2026-12-31', '2026-12-31T23:00:00.000Z', 'the last day of the year'],
  ])('the Amsterdam day %s ends at %s (%s)', (date, expected) => {
    expect(endOfDay(date).toISOString()).toBe(expected);
  });

  it('makes the DST days 23 and 25 hours long', () => {
    const length = (date: string) => (endOfDay(date).getTime() - endOfDay(addCalendarDays(date, -1)).getTime()) / HOUR_MS;
    expect(length('2026-03-29')).toBe(23);
    expect(length('2026-10-25')).toBe(25);
    expect(length('2026-06-15')).toBe(24);
  });
});

describe('Dutch date formatting', () => {
  it.each([
    ['2026-12-02', '2 december 2026', 'woensdag 2 december 2026'],
    ['2027-01-01', '1 januari 2027', 'vrijdag 1 januari 2027'],
    ['2026-03-29', '29 maart 2026', 'zondag 29 maart 2026'],
    ['2025-04-26', '26 april 2025', 'zaterdag 26 april 2025'],
    ['2026-05-14', '14 mei 2026', 'donderdag 14 mei 2026'],
  ])('%s reads "%s" and "%s"', (date, plain, withWeekday) => {
    expect(formatDutchDate(date)).toBe(plain);
    expect(formatDutchWeekdayDate(date)).toBe(withWeekday);
  });
});

test('the copy of the calendar frozen for the SQL working-day table (migration 2026-11-25) counts as the live calendar does', async () => {
  const { workingDayNumbers } = await import('../../db/migrations/frozen/dutch-working-days-2026-11-25');
  const { workingDayNumber } = await import('../../domain/calendar');
  const frozen = workingDayNumbers('2000-01-01', '2100-01-01');
  expect(frozen).toHaveLength(36525);
  for (const { day, working_day_number } of frozen) if (workingDayNumber(day) !== working_day_number) throw new Error(`${day}: frozen ${working_day_number}, live ${workingDayNumber(day)}`);
});
