import type { DomainEvent } from '../events';
import type { LocalDate } from '../calendar';
import type { Category } from '../policy';

export type InvoiceStage = 'issued' | 'reminded' | 'final_notice' | 'collections';

/** What an invoice's process knows from its start: the invoice as issued (its InvoiceIssued event) and the incident's space. */
export interface InvoiceOpening {
  invoiceNumber: string;
  incidentId: string;
  category: Category;
  location: string;
  debtorTenantId: string;
  issueDate: LocalDate;
  dueDate: LocalDate;
  totalCents: number;
}

export interface OpenInvoice extends InvoiceOpening {
  status: 'open';
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
  /** The day each of its letters that went by post was posted (LetterPosted), by letter id. */
  posted: Record<string, LocalDate>;
}

export type SettledInvoice = { status: 'paid' | 'credited'; invoiceNumber: string; incidentId: string; paymentIds: string[]; paidCents: number };
export type InvoiceState = OpenInvoice | SettledInvoice;

/** The invoice as its InvoiceIssued event left it: the first state of its process. */
export function issuedInvoice(opening: InvoiceOpening): OpenInvoice {
  return {
    ...opening,
    status: 'open',
    paidCents: 0,
    collectionCostsCents: 0,
    interestCents: 0,
    stage: 'issued',
    payByDate: opening.dueDate,
    announcedCostsCents: 0,
    announcedInterestCents: 0,
    pausedSince: null,
    paymentIds: [],
    attention: null,
    posted: {},
  };
}

/**
 * What the debtor still owes: principal plus added costs and interest, less what was paid. The
 * read model's open amount (db/projections.ts, the invoices' `open_cents` column) mirrors this, and
 * a test holds them to each other.
 */
export function openCents(state: Pick<OpenInvoice, 'totalCents' | 'collectionCostsCents' | 'interestCents' | 'paidCents'>): number {
  return state.totalCents + state.collectionCostsCents + state.interestCents - state.paidCents;
}

export function evolveInvoice(state: InvoiceState, event: DomainEvent): InvoiceState {
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
    case 'FinalDateMoved':
      return { ...state, payByDate: event.data.finalDate };
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
    case 'LetterPosted':
      return { ...state, posted: { ...state.posted, [event.data.letterId]: event.data.postedOn } };
    default:
      return state;
  }
}
