import { amsterdamDate, amsterdamInstant, type LocalDate } from './calendar';
import { IllegalStateError, ValidationError } from './errors';
import type { DomainEvent } from './events';
import type { LetterContent } from './letters';
import { asSentAt, type AsSent } from './sending';

/**
 * A letter for a tenant without e-mail lands on the print queue; a clerk prints it and posts it,
 * maybe days later. What the letter gives (a notice's term, a 14-day letter's final date) counts
 * from the day it was really posted: recorded as LetterPosted, with DeadlineMoved or
 * FinalDateMoved where that gives a later date (domain/sending.ts, as for a late e-mail).
 */

/** The letter as the print queue holds it: what the API reads from the read model and hands to the workflow. */
export interface PostedLetter {
  letterId: string;
  recipientId: string;
  /** The content as it was queued (its dates as of then). */
  content: LetterContent;
  /** The day it was queued for print (Europe/Amsterdam): it cannot have been posted before. */
  queuedOn: LocalDate;
}

export interface PostingCommand {
  letter: PostedLetter;
  postedOn: LocalDate;
  by: string;
  /** The clock (workflow time). */
  now: string;
}

/**
 * The moment a posting's terms count from: the last minute of the posting day. The hour it went into
 * the box is not known, a term counts from the day after anyway, and counting later never shortens
 * it; and a letter printed in the morning says what the process will hold to when it is posted that day.
 */
export function postingMoment(postedOn: LocalDate): Date {
  return amsterdamInstant(postedOn, '23:59');
}

/** The letter with its dates as of its posting (as a late e-mail is sent with its dates as of then). */
export function asPostedAt(content: LetterContent, countedFrom: Date): AsSent {
  return asSentAt(content, countedFrom);
}

/**
 * LetterPosted for a posting, or nothing when it was recorded before for the same day (a retry);
 * refused: a day in the future, a day before the letter was queued, or another day than the one
 * recorded before.
 */
export function letterPosted(posted: Readonly<Record<string, LocalDate>>, c: PostingCommand): Extract<DomainEvent, { type: 'LetterPosted' }>[] {
  const today = amsterdamDate(new Date(c.now));
  if (c.postedOn > today) {
    throw new ValidationError(`a letter cannot be posted in the future (today is ${today})`, [{ path: 'postedOn', message: 'after today' }]);
  }
  if (c.postedOn < c.letter.queuedOn) {
    throw new ValidationError(`the letter was only put on the print queue on ${c.letter.queuedOn}`, [{ path: 'postedOn', message: 'before the letter was made' }]);
  }
  const before = posted[c.letter.letterId];
  if (before === c.postedOn) return [];
  if (before !== undefined) throw new IllegalStateError(`the letter was already posted on ${before}`);
  const countedFrom = postingMoment(c.postedOn).toISOString();
  return [{ type: 'LetterPosted', data: { letterId: c.letter.letterId, postedOn: c.postedOn, countedFrom, by: c.by } }];
}

/**
 * A letter by post as it is printed: dated the day it is posted, with its dates as of then (those
 * LetterPosted counted from). Not posted yet, it is printed to be posted today.
 */
export function asPrinted(content: LetterContent, posting: { postedOn: LocalDate; countedFrom: Date } | null, today: LocalDate): { content: LetterContent; letterDate: LocalDate } {
  const postedOn = posting?.postedOn ?? today;
  return { content: asPostedAt(content, posting?.countedFrom ?? postingMoment(postedOn)).content, letterDate: postedOn };
}
