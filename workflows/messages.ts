import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Category } from '../domain/policy';
import type { IncidentState } from '../domain/incident';
import { incidentStreamId } from '../domain/streams';
import type { PostedLetter } from '../domain/posting';

/** The one task queue of the incident and invoice workflows, unless TEMPORAL_TASK_QUEUE says otherwise. */
export const DEFAULT_TASK_QUEUE = 'polluter-pays';

/** An incident's workflow is named as its stream. */
export const incidentWorkflowId = incidentStreamId;

/** Only ids and facts about the space: the workflow's input is kept in Temporal's history in plain text. */
export interface IncidentInput {
  incidentId: string;
  /** The short number people use (2026-00123); absent for incidents started before numbers existed. */
  incidentNumber?: string;
  category: Category;
  complexId: string;
  buildingId: string;
  location: string;
  description: string;
  polluterTenantId: string | null;
  complainantTenantId: string | null;
  reportedBy: string;
  reportedAt: string;
  /** Photos the consultant took with the report (ids in db/photos.ts); absent when none. */
  photoIds?: string[];
  /** A finding of a supervision round (with its round), or absent: a complaint. */
  source?: 'complaint' | 'supervision';
  roundId?: string;
}

export interface UpdateResult {
  streamVersion: number;
  state: IncidentState;
}

export const reportCleanupUpdate = defineUpdate<UpdateResult, [{ by: 'tenant' | 'consultant'; actor: string; note: string | null; photoIds?: string[] }]>('reportCleanup');
export const recordInspectionUpdate = defineUpdate<UpdateResult, [{ result: 'clean' | 'not_clean'; inspector: string; note: string | null; photoIds?: string[] }]>(
  'recordInspection',
);
export const identifyPolluterUpdate = defineUpdate<UpdateResult, [{ tenantId: string; identifiedBy: string }]>('identifyPolluter');
export const openDisputeUpdate = defineUpdate<UpdateResult, [{ by: 'tenant' | 'consultant'; actor: string; reason: string }]>('openDispute');
export const resolveDisputeUpdate = defineUpdate<UpdateResult, [{ decision: 'upheld' | 'rejected'; resolvedBy: string; note: string | null }]>(
  'resolveDispute',
);
/** `actor`: the person who reported it (person:<subject>); absent, the contractor is recorded as the actor (as before it existed). */
export const completeCleanupUpdate = defineUpdate<UpdateResult, [{ contractorId: string; costCents: number | null; photoIds?: string[]; note?: string | null; actor?: string }]>(
  'completeCleanup',
);
export const cancelUpdate = defineUpdate<UpdateResult, [{ reason: string; cancelledBy: string }]>('cancel');
export const linkDuplicateUpdate = defineUpdate<
  UpdateResult,
  [{ reportId: string; reportedBy: string; description: string; polluterTenantId?: string | null; complainantTenantId?: string | null; photoIds?: string[] }]
>('linkDuplicate');

/** A person has dealt with what stopped a step (corrected the directory, for instance): it is tried again. */
export const resolveAttentionUpdate = defineUpdate<UpdateResult, [{ by: string; note: string | null }]>('resolveAttention');

/** A letter that went by post was posted on `postedOn` (the letter as the print queue holds it: domain/posting.ts). */
export interface PostingArgs {
  letter: PostedLetter;
  postedOn: string;
  by: string;
}
export const recordPostingUpdate = defineUpdate<UpdateResult, [PostingArgs]>('recordPosting');

export const incidentStateQuery = defineQuery<IncidentState>('incidentState');

/** Named after the incident too: invoice numbers are unique per database, incident ids everywhere. */
export const invoiceWorkflowId = (incidentId: string, invoiceNumber: string) => `invoice-${invoiceNumber}-incident-${incidentId}`;

/** The invoice workflow starts from the InvoiceIssued event its parent recorded (stream version 1). */
export interface InvoiceInput {
  invoiceNumber: string;
  incidentId: string;
  category: Category;
  location: string;
  debtorTenantId: string;
  issueDate: string;
  dueDate: string;
  totalCents: number;
}

export interface InvoiceUpdateResult {
  streamVersion: number;
  status: 'open' | 'paid' | 'credited';
  openCents: number | null;
  creditNoteNumber?: string;
  /**
   * registerPayment: true when this call booked the payment, false when its payment id was booked
   * before (Updates run one at a time, so of two concurrent calls with one id exactly one says true).
   */
  booked?: boolean;
}

export const registerPaymentUpdate = defineUpdate<
  InvoiceUpdateResult,
  [{ paymentId: string; amountCents: number; paidOn: string; source: 'manual' | 'csv' | 'camt053'; reference: string | null; registeredBy: string }]
>('registerPayment');
export const creditInvoiceUpdate = defineUpdate<InvoiceUpdateResult, [{ reason: string; creditedBy: string }]>('creditInvoice');
export const pauseDunningUpdate = defineUpdate<InvoiceUpdateResult, [{ reason: string; by: string }]>('pauseDunning');
export const resolveInvoiceAttentionUpdate = defineUpdate<InvoiceUpdateResult, [{ by: string; note: string | null }]>('resolveInvoiceAttention');
export const resumeDunningUpdate = defineUpdate<InvoiceUpdateResult, [{ by: string }]>('resumeDunning');
export const recordInvoicePostingUpdate = defineUpdate<InvoiceUpdateResult, [PostingArgs]>('recordInvoicePosting');
