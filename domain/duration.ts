/**
 * Policy durations: either a number of Dutch working days, or an exact
 * ISO-8601 duration (handy for tests and demos: 'PT30S').
 */
import {
  addWorkingDays,
  amsterdamDate,
  amsterdamInstant,
  endOfDay,
  subtractWorkingDays,
  type LocalDate,
} from './calendar';

export type PolicyDuration =
  | { kind: 'workingDays'; days: number }
  | { kind: 'iso'; ms: number; text: string };

export interface Deadline {
  deadline: Date;
  deadlineDate: LocalDate;
}

/** A policy duration that cannot be read. */
export class DurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DurationError';
  }
}

/** Working-day moments (reminders, follow-ups) fall at the start of office hours. */
const OFFICE_OPENS = '09:00';

const MS_PER = { week: 604_800_000, day: 86_400_000, hour: 3_600_000, minute: 60_000, second: 1_000 };

/**
 * No policy duration is longer than ten years: beyond that it is a typing error, a long ISO
 * duration leaves the range of a Date (the deadline is NaN), and a million working days take the
 * workflow seconds to count.
 */
export const MAX_POLICY_DAYS = 3_653;

const ISO_DURATION_PATTERN = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
/** A Y or M before the 'T' means years or months; after it, M is minutes. */
const HAS_YEARS_OR_MONTHS = /^P[^T]*[YM]/;

/**
 * Milliseconds in an ISO-8601 duration of weeks, days, hours, minutes and seconds; a day counts as
 * 24 hours. At most MAX_POLICY_DAYS days; anything else is a DurationError.
 */
export function parseIsoDuration(text: string): number {
  const match = ISO_DURATION_PATTERN.exec(text);
  // 'P' and 'PT' match the pattern but name no amount at all.
  if (!match || text === 'P' || text.endsWith('T')) {
    if (HAS_YEARS_OR_MONTHS.test(text)) {
      throw new DurationError(`ISO-8601 duration ${JSON.stringify(text)} uses years or months, which have no fixed length; use weeks or days`);
    }
    throw new DurationError(`Invalid ISO-8601 duration ${JSON.stringify(text)}: expected e.g. 'PT30S', 'PT1H30M', 'P3D' or 'P1W'`);
  }
  const [, weeks, days, hours, minutes, seconds] = match;
  const amount = (value: string | undefined) => (value === undefined ? 0 : Number(value));
  const ms = Math.round(
    amount(weeks) * MS_PER.week
      + amount(days) * MS_PER.day
      + amount(hours) * MS_PER.hour
      + amount(minutes) * MS_PER.minute
      + amount(seconds) * MS_PER.second,
  );
  if (!(ms <= MAX_POLICY_DAYS * MS_PER.day)) {
    throw new DurationError(`ISO-8601 duration ${JSON.stringify(text)} is longer than ${MAX_POLICY_DAYS} days`);
  }
  return ms;
}

/** Working days: the tenant has the whole deadline day, so the deadline is the midnight that ends it. */
export function deadlineAfter(from: Date, d: PolicyDuration): Deadline {
  if (d.kind === 'workingDays') {
    const deadlineDate = addWorkingDays(amsterdamDate(from), d.days);
    return { deadline: endOfDay(deadlineDate), deadlineDate };
  }
  const deadline = new Date(from.getTime() + d.ms);
  return { deadline, deadlineDate: amsterdamDate(deadline) };
}

/**
 * When to remind: `d` before the deadline (working days: at office opening on that day), never
 * after it. 0 working days before an ISO deadline that falls before 09:00 gives the deadline.
 */
export function instantBefore({ deadline, deadlineDate }: Deadline, d: PolicyDuration): Date {
  if (d.kind === 'iso') return new Date(deadline.getTime() - d.ms);
  const reminder = amsterdamInstant(subtractWorkingDays(deadlineDate, d.days), OFFICE_OPENS);
  return reminder.getTime() <= deadline.getTime() ? reminder : deadline;
}

export function addDuration(from: Date, d: PolicyDuration): Date {
  if (d.kind === 'workingDays') return amsterdamInstant(addWorkingDays(amsterdamDate(from), d.days), OFFICE_OPENS);
  return new Date(from.getTime() + d.ms);
}

/** The start of a look-back window ending at `now`: working days count from that day's midnight. */
export function windowStart(now: Date, d: PolicyDuration): Date {
  if (d.kind === 'iso') return new Date(now.getTime() - d.ms);
  return amsterdamInstant(subtractWorkingDays(amsterdamDate(now), d.days), '00:00');
}
