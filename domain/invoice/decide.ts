import type { DomainEvent } from '../events';
import { IllegalStateError, ValidationError } from '../errors';
import { addCalendarDays, type LocalDate } from '../calendar';
import { openCents, type InvoiceState, type OpenInvoice } from './state';
import { asPostedAt, letterPosted, type PostingCommand } from '../posting';

function daysBetween(from: LocalDate, to: LocalDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** A dispute pauses dunning; on resumption the pay-by date moves on by the length of the pause. */
export function pauseDunning(state: InvoiceState, c: { reason: string; by: string; on: LocalDate }): DomainEvent[] {
  if (state.status !== 'open' || state.pausedSince !== null) return [];
  return [{ type: 'DunningPaused', data: { invoiceNumber: state.invoiceNumber, incidentId: state.incidentId, reason: c.reason, by: c.by, pausedOn: c.on } }];
}

export function resumeDunning(state: InvoiceState, c: { by: string; on: LocalDate }): DomainEvent[] {
  if (state.status !== 'open' || state.pausedSince === null) return [];
  const payByDate = addCalendarDays(state.payByDate, Math.max(0, daysBetween(state.pausedSince, c.on)));
  return [{ type: 'DunningResumed', data: { invoiceNumber: state.invoiceNumber, incidentId: state.incidentId, by: c.by, resumedOn: c.on, payByDate } }];
}

export interface PaymentCommand {
  paymentId: string;
  amountCents: number;
  paidOn: LocalDate;
  source: 'manual' | 'csv' | 'camt053';
  reference: string | null;
  registeredBy: string;
}

/** A payment: booked once per payment id; partial allowed; more than owed is recorded as overpaid. */
export function registerPayment(state: InvoiceState, c: PaymentCommand): DomainEvent[] {
  if (state.paymentIds.includes(c.paymentId)) return [];
  if (state.status === 'credited') throw new IllegalStateError(`invoice ${state.invoiceNumber} has been credited`);
  if (!Number.isSafeInteger(c.amountCents) || c.amountCents <= 0) {
    throw new ValidationError('a payment is a positive whole number of cents', [{ path: 'amountCents', message: 'must be > 0' }]);
  }
  const base = { invoiceNumber: state.invoiceNumber, incidentId: state.incidentId };
  const registered: DomainEvent = { type: 'PaymentRegistered', data: { ...base, ...c } };
  if (state.status !== 'open') return [registered];
  const overpaidCents = c.amountCents - openCents(state);
  if (overpaidCents < 0) return [registered];
  return [registered, { type: 'InvoicePaid', data: { ...base, paidOn: c.paidOn, overpaidCents } }];
}


/**
 * What is wrong with a payment date, or null: a payment is not made after today (Europe/Amsterdam)
 * nor before the invoice it pays was issued (`issueDate` null: no invoice to compare with).
 */
export function paymentDateProblem(paidOn: LocalDate, today: LocalDate, issueDate: LocalDate | null): string | null {
  if (paidOn > today) return `a payment date cannot be in the future (today is ${today})`;
  if (issueDate !== null && paidOn < issueDate) return `paid before the invoice was issued (${issueDate})`;
  return null;
}

/** What a credit note credits: the whole claim; what was paid on it is owed back to the tenant. */
export interface CreditDraft {
  amountCents: number;
  refundDueCents: number;
  reason: string;
  creditedBy: string;
  issueDate: LocalDate;
}

export function creditInvoice(state: InvoiceState, c: { reason: string; creditedBy: string; on: LocalDate }): CreditDraft {
  const open = requireCreditable(state);
  if (c.reason.trim() === '') throw new ValidationError('a credit note needs a reason', [{ path: 'reason', message: 'required' }]);
  return {
    amountCents: open.totalCents + open.collectionCostsCents + open.interestCents,
    refundDueCents: open.paidCents,
    reason: c.reason,
    creditedBy: c.creditedBy,
    issueDate: c.on,
  };
}

export function resolveAttention(state: InvoiceState, c: { by: string; note: string | null; now: string }): DomainEvent[] {
  if (state.status !== 'open') throw new IllegalStateError(`the invoice is ${state.status}`);
  if (state.attention === null) throw new IllegalStateError('the invoice does not need attention');
  return [{ type: 'AttentionResolved', data: { by: c.by, note: c.note, resolvedAt: c.now } }];
}

export function requireCreditable(state: InvoiceState): OpenInvoice {
  if (state.status !== 'open') throw new IllegalStateError(`the invoice is ${state.status}`);
  return state;
}


/**
 * A letter of the invoice posted: recorded once (the same day again is nothing new); the 14-day
 * letter counts as received from the posting on, so its final date moves when that is later.
 */
export function recordPosting(state: InvoiceState, c: PostingCommand): DomainEvent[] {
  const posted = letterPosted(state.status === 'open' ? state.posted : {}, c);
  if (posted.length === 0 || state.status !== 'open' || state.stage !== 'final_notice' || c.letter.content.kind !== 'final_notice') return posted;
  const { finalDate } = asPostedAt(c.letter.content, new Date(posted[0]!.data.countedFrom));
  if (!finalDate || finalDate <= state.payByDate) return posted;
  return [...posted, { type: 'FinalDateMoved', data: { invoiceNumber: state.invoiceNumber, incidentId: state.incidentId, letterDate: c.postedOn, finalDate } }];
}
