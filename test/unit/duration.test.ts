import { amsterdamInstant } from '../../domain/calendar';
import {
  addDuration,
  deadlineAfter,
  DurationError,
  instantBefore,
  parseIsoDuration,
  type PolicyDuration,
} from '../../domain/duration';
import { policyDurationSchema } from '../../domain/duration-schema';

const workingDays = (days: number): PolicyDuration => ({ kind: 'workingDays', days });
const iso = (text: string): PolicyDuration => ({ kind: 'iso', ms: parseIsoDuration(text), text });

describe('parseIsoDuration', () => {
  it.each([
    ['PT10S', 10_000],
    ['PT0S', 0],
    ['PT0.5S', 500],
    ['PT1.25S', 1_250],
    ['PT30M', 1_800_000],
    ['PT1H30M', 5_400_000],
    ['P3D', 3 * 86_400_000],
    ['P1W', 7 * 86_400_000],
    ['P1DT2H', 26 * 3_600_000],
    ['P1W2DT3H4M5S', (9 * 24 + 3) * 3_600_000 + 4 * 60_000 + 5_000],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseIsoDuration(text)).toBe(ms);
  });

  it.each(['P1Y', 'P2M', 'P1Y2M3D', 'P1MT5M'])('rejects %s because years and months have no fixed length', (text) => {
    expect(() => parseIsoDuration(text)).toThrow(/years or months/);
  });

  it.each(['', 'P', 'PT', 'P1DT', '10S', 'pt10s', '-PT10S', 'PT10S ', 'PT1.5M', 'PT-1S', 'P1.5D', '30'])(
    'rejects the malformed duration %j',
    (text) => {
      expect(() => parseIsoDuration(text)).toThrow(/Invalid ISO-8601 duration/);
    },
  );
});

describe('policyDurationSchema', () => {
  it('reads a whole number as working days', () => {
    expect(policyDurationSchema.parse(2)).toEqual({ kind: 'workingDays', days: 2 });
    expect(policyDurationSchema.parse(0)).toEqual({ kind: 'workingDays', days: 0 });
  });

  it('reads an ISO-8601 string as an exact duration, keeping the text', () => {
    expect(policyDurationSchema.parse('PT30S')).toEqual({ kind: 'iso', ms: 30_000, text: 'PT30S' });
    expect(policyDurationSchema.parse('P1W')).toEqual({ kind: 'iso', ms: 604_800_000, text: 'P1W' });
  });

  it.each([-1, 2.5, 'two days', 'P1M', '', true, null, undefined, {}])('rejects %p with a readable message', (value) => {
    const result = policyDurationSchema.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues).toHaveLength(1);
    expect(result.error?.issues[0]?.message).toMatch(
      /^expected a whole number of working days or an ISO-8601 duration such as PT30S/,
    );
  });

  it('explains why a duration with months is rejected', () => {
    expect(policyDurationSchema.safeParse('P1M').error?.issues[0]?.message).toMatch(/years or months/);
  });
});

describe('deadlineAfter', () => {
  // Friday 27 November 2026, 15:00 in Amsterdam (CET, UTC+1).
  const fridayAfternoon = amsterdamInstant('2026-11-27', '15:00');

  it('gives the tenant the whole n-th working day: Friday + 2 working days ends at Tuesday midnight', () => {
    expect(fridayAfternoon.toISOString()).toBe('2026-11-27T14:00:00.000Z');
    // Sat 28 and Sun 29 skipped; Mon 30 Nov (1st), Tue 1 Dec (2nd); Tuesday ends at 00:00 CET = 23:00Z.
    const { deadline, deadlineDate } = deadlineAfter(fridayAfternoon, workingDays(2));
    expect(deadlineDate).toBe('2026-12-01');
    expect(deadline.toISOString()).toBe('2026-12-01T23:00:00.000Z');
  });

  it('counts from the Amsterdam date, not the UTC date', () => {
    // 23:30Z on Thursday 26 Nov is already 00:30 on Friday 27 Nov in Amsterdam; Mon 30 Nov is the 1st.
    const { deadlineDate } = deadlineAfter(new Date('2026-11-26T23:30:00Z'), workingDays(1));
    expect(deadlineDate).toBe('2026-11-30');
  });

  it('ends a summer deadline at midnight CEST, after skipping Ascension', () => {
    // Wed 13 May 2026; Thu 14 May is Ascension, so Fri 15 May is the 1st; it ends at 00:00 CEST = 22:00Z.
    const { deadline, deadlineDate } = deadlineAfter(amsterdamInstant('2026-05-13', '10:00'), workingDays(1));
    expect(deadlineDate).toBe('2026-05-15');
    expect(deadline.toISOString()).toBe('2026-05-15T22:00:00.000Z');
  });

  it('adds an ISO duration exactly and dates the deadline in Amsterdam', () => {
    expect(deadlineAfter(fridayAfternoon, iso('PT10S'))).toEqual({
      deadline: new Date('2026-11-27T14:00:10Z'),
      deadlineDate: '2026-11-27',
    });
    // 22:30Z + 1 h = 23:30Z on 30 June, which is 01:30 on 1 July in Amsterdam.
    expect(deadlineAfter(new Date('2026-06-30T22:30:00Z'), iso('PT1H'))).toEqual({
      deadline: new Date('2026-06-30T23:30:00Z'),
      deadlineDate: '2026-07-01',
    });
  });
});

describe('instantBefore', () => {
  it('reminds at 09:00 Amsterdam one working day before a Tuesday deadline: Monday 08:00Z', () => {
    const deadline = deadlineAfter(amsterdamInstant('2026-11-27', '15:00'), workingDays(2));
    expect(instantBefore(deadline, workingDays(1)).toISOString()).toBe('2026-11-30T08:00:00.000Z');
  });

  it('skips back over weekends and holidays', () => {
    // Deadline Mon 28 Dec 2026; Sun 27, Sat 26, Fri 25 skipped; Thu 24 Dec 09:00 CET = 08:00Z.
    const deadline = { deadline: new Date('2026-12-28T23:00:00Z'), deadlineDate: '2026-12-28' };
    expect(instantBefore(deadline, workingDays(1)).toISOString()).toBe('2026-12-24T08:00:00.000Z');
  });

  it('uses CEST for a summer reminder', () => {
    // Deadline Fri 15 May 2026; Thu 14 May Ascension skipped; Wed 13 May 09:00 CEST = 07:00Z.
    const deadline = { deadline: new Date('2026-05-15T22:00:00Z'), deadlineDate: '2026-05-15' };
    expect(instantBefore(deadline, workingDays(1)).toISOString()).toBe('2026-05-13T07:00:00.000Z');
  });

  it('subtracts an ISO duration exactly', () => {
    const deadline = { deadline: new Date('2026-12-01T23:00:00Z'), deadlineDate: '2026-12-01' };
    expect(instantBefore(deadline, iso('PT5S')).toISOString()).toBe('2026-12-01T22:59:55.000Z');
    expect(instantBefore(deadline, iso('P1D')).toISOString()).toBe('2026-11-30T23:00:00.000Z');
  });
});

describe('addDuration', () => {
  it('lands on 09:00 Amsterdam on the n-th working day', () => {
    // Fri 27 Nov 2026 15:00 CET + 1 working day = Mon 30 Nov 09:00 CET = 08:00Z.
    expect(addDuration(new Date('2026-11-27T14:00:00Z'), workingDays(1)).toISOString()).toBe('2026-11-30T08:00:00.000Z');
    // Wed 23 Dec + 2 working days = Mon 28 Dec (Thu 24 is the 1st) 09:00 CET = 08:00Z.
    expect(addDuration(new Date('2026-12-23T10:00:00Z'), workingDays(2)).toISOString()).toBe('2026-12-28T08:00:00.000Z');
    // Wed 13 May + 1 working day = Fri 15 May (Ascension skipped) 09:00 CEST = 07:00Z.
    expect(addDuration(new Date('2026-05-13T08:00:00Z'), workingDays(1)).toISOString()).toBe('2026-05-15T07:00:00.000Z');
  });

  it('adds an ISO duration exactly', () => {
    expect(addDuration(new Date('2026-11-27T14:00:00Z'), iso('PT10S')).toISOString()).toBe('2026-11-27T14:00:10.000Z');
    expect(addDuration(new Date('2026-11-27T14:00:00Z'), iso('PT1H30M')).toISOString()).toBe('2026-11-27T15:30:00.000Z');
  });
});

describe('durations found by the property tests', () => {
  it.each(['P1000000000W', 'PT99999999999999999999S', 'P3654D', 'PT87697H'])(
    'refuses %s, longer than ten years, with a DurationError (it gave a deadline of NaN, or one centuries away)',
    (text) => {
      expect(() => parseIsoDuration(text)).toThrow(DurationError);
      expect(() => parseIsoDuration(text)).toThrow(/longer than 3653 days/);
    },
  );

  it('accepts ten years', () => {
    expect(parseIsoDuration('P3653D')).toBe(3_653 * 86_400_000);
    expect(policyDurationSchema.parse(3_653)).toEqual({ kind: 'workingDays', days: 3_653 });
  });

  it('refuses more than 3653 working days (a billion of them kept the workflow counting for hours)', () => {
    for (const days of [3_654, 1_000_000_000, Number.MAX_SAFE_INTEGER]) {
      expect(policyDurationSchema.safeParse(days).error?.issues[0]?.message).toMatch(/at most 3653 working days/);
    }
  });

  it('throws a DurationError, not a plain Error, for a malformed duration', () => {
    expect(() => parseIsoDuration('soon')).toThrow(DurationError);
    expect(() => parseIsoDuration('P1M')).toThrow(DurationError);
  });

  it('never reminds after the deadline: 0 working days before an ISO deadline at 07:00:40 is the deadline, not 09:00', () => {
    const deadline = deadlineAfter(amsterdamInstant('2026-11-30', '07:00'), iso('PT40S'));
    expect(deadline.deadline.toISOString()).toBe('2026-11-30T06:00:40.000Z');
    expect(instantBefore(deadline, workingDays(0))).toEqual(deadline.deadline);
  });
});
