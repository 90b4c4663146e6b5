import { addWorkingDays, amsterdamDate, type LocalDate } from './calendar';
import { deadlineAfter } from './duration';
import { finalDateFor } from './invoice/process';
import type { LetterContent } from './letters';

/**
 * A letter that goes out later than it was made for (a worker's backlog, a mail relay that was
 * down, a letter posted days after it was printed) must not shorten what it gives: the notice's
 * term runs from when it goes out, and the 14-day letter's final date from when it is received.
 * The letter is sent with the dates as of that moment, and the process takes them over
 * (DeadlineMoved, FinalDateMoved).
 */

/** Later than planned by no more than this, a letter keeps its dates (seconds of sending are no delay). */
export const LATE_LETTER_TOLERANCE_MS = 60_000;

export interface AsSent {
  content: LetterContent;
  /** The deadline a notice gives as sent (set for notices only). */
  deadline?: { deadline: string; deadlineDate: LocalDate };
  /** The final date a 14-day letter gives as sent. */
  finalDate?: LocalDate;
}

export function asSentAt(content: LetterContent, sentAt: Date): AsSent {
  if ((content.kind === 'formal_notice' || content.kind === 'collective_notice') && content.term) {
    const planned = Date.parse(content.deadline);
    const fromNow = deadlineAfter(sentAt, content.term);
    if (fromNow.deadline.getTime() <= planned + LATE_LETTER_TOLERANCE_MS) return { content, deadline: { deadline: content.deadline, deadlineDate: content.deadlineDate } };
    const moved = { deadline: fromNow.deadline.toISOString(), deadlineDate: fromNow.deadlineDate };
    if (content.kind === 'collective_notice') return { content: { ...content, ...moved }, deadline: moved };
    // The link stays valid as long after the deadline as it was planned to.
    const linkExpiresAt = new Date(Date.parse(content.linkExpiresAt) + (fromNow.deadline.getTime() - planned)).toISOString();
    return { content: { ...content, ...moved, linkExpiresAt }, deadline: moved };
  }
  if (content.kind === 'final_notice' && content.receiptAfterWorkingDays !== undefined) {
    const sentOn = amsterdamDate(sentAt);
    if (sentOn <= content.letterDate) return { content, finalDate: content.finalDate };
    const finalDate = finalDateFor(addWorkingDays(sentOn, content.receiptAfterWorkingDays));
    return finalDate > content.finalDate ? { content: { ...content, letterDate: sentOn, finalDate }, finalDate } : { content, finalDate: content.finalDate };
  }
  return { content };
}

/** The later of two deadlines (null: none yet). */
export function laterDeadline<T extends { deadline: string }>(a: T | null, b: T | null): T | null {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(b.deadline) > Date.parse(a.deadline) ? b : a;
}

