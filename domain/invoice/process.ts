import type { DomainEvent } from '../events';
import type { Letter, LetterContent } from '../letters';
import { addCalendarDays, addWorkingDays, amsterdamDate, amsterdamInstant, isWorkingDay, type LocalDate } from '../calendar';
import { statutoryCollectionCostsCents, statutoryInterestCents } from '../collection-costs';
import type { IncidentPolicy } from '../policy';
import { eventIdAt } from '../streams';
import { openCents, type InvoiceState, type OpenInvoice } from './state';

/**
 * What the invoice's process does next: the Dutch dunning in one pure function. Unpaid after the
 * due date: one free reminder; then the 14-day letter with the statutory collection costs; after
 * its final date the costs are added and the invoice goes to collections. Paid in full or credited
 * ends it; a dispute pauses it, and so does a step that needs attention. The workflow carries each
 * step out and asks again.
 */
export type InvoiceStep =
  | { type: 'record'; step: InvoiceStepName; events: DomainEvent[] }
  | { type: 'lookUp'; step: InvoiceStepName; fact: 'letterChannel' }
  | { type: 'wait'; until: string | null }
  | { type: 'finished'; result: 'paid' | 'credited' };

export type InvoiceStepName = 'send the payment reminder' | 'send the 14-day letter' | 'hand over to collections';

export interface InvoiceLookedUp {
  /** How the debtor gets letters: it decides when the 14-day letter counts as received. */
  letterChannel?: 'email' | 'post';
  /** The final date the 14-day letter gave as it went out (domain/sending.ts). */
  sentFinalDate?: LocalDate;
}

export function nextForInvoice(
  state: InvoiceState,
  moment: { now: string; streamId: string; version: number },
  policy: IncidentPolicy,
  lookedUp: InvoiceLookedUp,
): InvoiceStep {
  if (state.status !== 'open') return { type: 'finished', result: state.status };
  // The 14-day letter went out late: its final date counts from its receipt then.
  if (state.stage === 'final_notice' && lookedUp.sentFinalDate && lookedUp.sentFinalDate > state.payByDate) {
    return {
      type: 'record',
      step: 'send the 14-day letter',
      events: [{ type: 'FinalDateMoved', data: { invoiceNumber: state.invoiceNumber, incidentId: state.incidentId, letterDate: amsterdamDate(new Date(moment.now)), finalDate: lookedUp.sentFinalDate } }],
    };
  }
  // Paused by a dispute, with collections, or a step waits for a person: nothing until that changes.
  if (state.pausedSince !== null || state.stage === 'collections' || state.attention !== null) return { type: 'wait', until: null };
  const stepAt = amsterdamInstant(nextWorkingDay(state.payByDate), '09:00');
  if (Date.parse(moment.now) < stepAt.getTime()) return { type: 'wait', until: stepAt.toISOString() };

  const today = amsterdamDate(new Date(moment.now));
  const base = { invoiceNumber: state.invoiceNumber, incidentId: state.incidentId };
  const common = { incidentId: state.incidentId, category: state.category, location: state.location };
  const letterTo = (content: LetterContent): Letter[] => [
    { letterId: `${eventIdAt(moment.streamId, moment.version + 1)}/${state.debtorTenantId}`, recipient: { type: 'tenant', id: state.debtorTenantId }, content },
  ];
  const open = openCents(state);
  if (state.stage === 'issued') {
    const newDueDate = addCalendarDays(today, policy.paymentReminderTermDays);
    const letters = letterTo({ kind: 'payment_reminder', ...common, invoiceNumber: state.invoiceNumber, letterDate: today, issueDate: state.issueDate, dueDate: state.dueDate, openCents: open, newDueDate });
    return { type: 'record', step: 'send the payment reminder', events: [{ type: 'PaymentReminderSent', data: { ...base, newDueDate, openCents: open, letters } }] };
  }
  if (state.stage === 'reminded') {
    if (!lookedUp.letterChannel) return { type: 'lookUp', step: 'send the 14-day letter', fact: 'letterChannel' };
    const receivedDate = receivedDateFor(today, lookedUp.letterChannel, policy.postDeliveryWorkingDays);
    const finalDate = finalDateFor(receivedDate);
    const collectionCostsCents = collectionCostsFor(state, policy.collectionCostsApply);
    const interestCents = policy.statutoryInterest ? statutoryInterestCents(state.totalCents - state.paidCents, state.dueDate, today, policy.statutoryInterestRates) : null;
    const receiptAfterWorkingDays = lookedUp.letterChannel === 'email' ? 0 : policy.postDeliveryWorkingDays;
    const letters = letterTo({ kind: 'final_notice', ...common, invoiceNumber: state.invoiceNumber, letterDate: today, openCents: open, finalDate, collectionCostsCents, interestCents, receiptAfterWorkingDays });
    return {
      type: 'record',
      step: 'send the 14-day letter',
      events: [{ type: 'FinalNoticeSent', data: { ...base, letterDate: today, receivedDate, finalDate, openCents: open, collectionCostsCents, interestCents, letters } }],
    };
  }
  const interestCents = policy.statutoryInterest ? statutoryInterestCents(state.totalCents - state.paidCents, state.dueDate, today, policy.statutoryInterestRates) : 0;
  const events: DomainEvent[] = [];
  if (state.announcedCostsCents > 0 || interestCents > 0) {
    events.push({ type: 'CollectionCostsAdded', data: { ...base, amountCents: state.announcedCostsCents, interestCents, addedOn: today } });
  }
  events.push({ type: 'InvoiceHandedToCollections', data: { ...base, openCents: open + state.announcedCostsCents + interestCents, handedOverOn: today } });
  return { type: 'record', step: 'hand over to collections', events };
}

/** The first working day after `date`: a step that falls due "after" a date happens then, at 09:00. */
export function nextWorkingDay(date: LocalDate): LocalDate {
  return addWorkingDays(date, 1);
}

/**
 * The 14-day letter's final date (art. 6:96 BW): at least 14 days after the day after the letter
 * is received, moved to the next working day when it falls on a weekend or public holiday
 * (Algemene termijnenwet).
 */
export function finalDateFor(receivedDate: LocalDate): LocalDate {
  let date = addCalendarDays(receivedDate, 1 + 14);
  while (!isWorkingDay(date)) date = addCalendarDays(date, 1);
  return date;
}

/** A letter counts as received the day it is mailed, or after the policy's working days by post. */
export function receivedDateFor(letterDate: LocalDate, channel: 'email' | 'post', postWorkingDays: number): LocalDate {
  return channel === 'email' ? letterDate : addWorkingDays(letterDate, postWorkingDays);
}

export function collectionCostsFor(state: OpenInvoice, scaleApplies: boolean): number {
  return scaleApplies ? statutoryCollectionCostsCents(Math.max(0, state.totalCents - state.paidCents)) : 0;
}
