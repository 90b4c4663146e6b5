import type { DomainEvent, EventData } from './events';
import { IllegalStateError, ValidationError } from './errors';
import { addCalendarDays, addWorkingDays, isWorkingDay, type LocalDate } from './calendar';
import { statutoryCollectionCostsCents } from './collection-costs';

export type InvoiceStage = 'issued' | 'reminded' | 'final_notice' | 'collections';

export interface OpenInvoice {
  status: 'open';
  invoiceNumber: string;
  incidentId: string;
  debtorTenantId: string;
  totalCents: number;
  paidCents: number;
  collectionCostsCents: number;
  interestCents: number;
  stage: InvoiceStage;
  /** The date by which the current stage asks for payment (due date, reminder's date, final date). */
  payByDate: LocalDate;
  /** Collection costs announced in the 14-day letter, added if the final date passes. */
  announcedCostsCents: number;
  announcedInterestCents: number;
  pausedSince: LocalDate | null;
  paymentIds: string[];
  /** A step failed on its data and waits for a person (see AttentionRequired). */
  attention: { step: string; reason: string; since: string } | null;
}

export type InvoiceState =
  | { status: 'none' }
  | OpenInvoice
  | { status: 'paid' | 'credited'; invoiceNumber: string; incidentId: string; paymentIds: string[]; paidCents: number };

export const initialInvoiceState: InvoiceState = { status: 'none' };

/** What the debtor still owes: principal plus added costs and interest, less what was paid. */
export function openCents(state: OpenInvoice): number {
  return state.totalCents + state.collectionCostsCents + state.interestCents - state.paidCents;
}

function daysBetween(from: LocalDate, to: LocalDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function evolveInvoice(state: InvoiceState, event: DomainEvent): InvoiceState {
  if (event.type === 'InvoiceIssued') {
    const d = event.data;
    return {
      status: 'open',
      invoiceNumber: d.invoiceNumber,
      incidentId: d.incidentId,
      debtorTenantId: d.debtorTenantId,
      totalCents: d.totalCents,
      paidCents: 0,
      collectionCostsCents: 0,
      interestCents: 0,
      stage: 'issued',
      payByDate: d.dueDate,
      announcedCostsCents: 0,
      announcedInterestCents: 0,
      pausedSince: null,
      paymentIds: [],
      attention: null,
    };
  }
  if (state.status === 'none') return state;
  if (event.type === 'PaymentRegistered') {
    return { ...state, paidCents: state.paidCents + event.data.amountCents, paymentIds: [...state.paymentIds, event.data.paymentId] };
  }
  if (state.status !== 'open') return state;
  switch (event.type) {
    case 'InvoicePaid':
      return { status: 'paid', invoiceNumber: state.invoiceNumber, incidentId: state.incidentId, paymentIds: state.paymentIds, paidCents: state.paidCents };
    case 'InvoiceCredited':
      return { status: 'credited', invoiceNumber: state.invoiceNumber, incidentId: state.incidentId, paymentIds: state.paymentIds, paidCents: state.paidCents };
    case 'PaymentReminderSent':
      return { ...state, stage: 'reminded', payByDate: event.data.newDueDate };
    case 'FinalNoticeSent':
      return {
        ...state,
        stage: 'final_notice',
        payByDate: event.data.finalDate,
        announcedCostsCents: event.data.collectionCostsCents,
        announcedInterestCents: event.data.interestCents ?? 0,
      };
    case 'CollectionCostsAdded':
      return { ...state, collectionCostsCents: state.collectionCostsCents + event.data.amountCents, interestCents: state.interestCents + event.data.interestCents };
    case 'InvoiceHandedToCollections':
      return { ...state, stage: 'collections' };
    case 'DunningPaused':
      return { ...state, pausedSince: event.data.pausedOn };
    case 'DunningResumed':
      return { ...state, pausedSince: null, payByDate: event.data.payByDate };
    case 'AttentionRequired':
      return { ...state, attention: { step: event.data.step, reason: event.data.reason, since: event.data.since } };
    case 'AttentionResolved':
      return { ...state, attention: null };
    default:
      return state;
  }
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
  if (state.status === 'none') throw new IllegalStateError('the invoice has not been issued');
  if (state.paymentIds.includes(c.paymentId)) return [];
  if (state.status === 'credited') throw new IllegalStateError(`invoice ${state.invoiceNumber} has been credited`);
  if (!Number.isSafeInteger(c.amountCents) || c.amountCents <= 0) {
    throw new ValidationError('a payment is a positive whole number of cents', [{ path: 'amountCents', message: 'must be > 0' }]);
  }
  const base = { invoiceNumber: state.invoiceNumber, incidentId: state.incidentId };
  const registered: DomainEvent = { type: 'PaymentRegistered', data: { ...base, ...c } };
  if (state.status !== 'open') return [registered];
  const remaining = openCents(state) - c.amountCents;
  if (remaining > 0) return [registered];
  return [registered, { type: 'InvoicePaid', data: { ...base, paidOn: c.paidOn, overpaidCents: -remaining } }];
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

export function creditInvoice(
  state: InvoiceState,
  c: { creditNoteNumber: string; issueDate: LocalDate; reason: string; creditedBy: string; letters: EventData<'InvoiceCredited'>['letters'] },
): DomainEvent[] {
  if (state.status !== 'open') throw new IllegalStateError(`the invoice is ${state.status === 'none' ? 'not issued' : state.status}`);
  if (c.reason.trim() === '') throw new ValidationError('a credit note needs a reason', [{ path: 'reason', message: 'required' }]);
  return [
    {
      type: 'InvoiceCredited',
      data: {
        invoiceNumber: state.invoiceNumber,
        incidentId: state.incidentId,
        creditNoteNumber: c.creditNoteNumber,
        issueDate: c.issueDate,
        amountCents: state.totalCents + state.collectionCostsCents + state.interestCents,
        refundDueCents: state.paidCents,
        reason: c.reason,
        creditedBy: c.creditedBy,
        letters: c.letters,
      },
    },
  ];
}

export function resolveAttention(state: InvoiceState, c: { by: string; note: string | null; now: string }): DomainEvent[] {
  if (state.status !== 'open') throw new IllegalStateError(`the invoice is ${state.status === 'none' ? 'not issued' : state.status}`);
  if (state.attention === null) throw new IllegalStateError('the invoice does not need attention');
  return [{ type: 'AttentionResolved', data: { by: c.by, note: c.note, resolvedAt: c.now } }];
}

export function requireCreditable(state: InvoiceState): OpenInvoice {
  if (state.status !== 'open') throw new IllegalStateError(`the invoice is ${state.status === 'none' ? 'not issued' : state.status}`);
  return state;
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
