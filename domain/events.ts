import { z } from 'zod';
import { categorySchema, DEFAULT_VAT_CODE } from './policy';
import { invoiceLineSchema, letterSchema, resolvedOutcomes } from './letters';

const instant = z.iso.datetime({ offset: true });
const localDate = z.iso.date();
const letters = z.array(letterSchema);

export const outcomes = [
  'returned_to_complainant',
  ...resolvedOutcomes,
  'dismissed',
  'cancelled',
] as const;
export const outcomeSchema = z.enum(outcomes);
export type Outcome = z.infer<typeof outcomeSchema>;

/** Photos kept as evidence (db/photos.ts), by id; absent when there are none. */
const photoIds = z.array(z.string()).optional();

/** Every domain event: its type, its schema version and the schema of its data. */
export const eventSchemas = {
  IncidentReported: z.object({
    incidentId: z.string(),
    /** The short number people use (2026-00123); absent in reports from before numbers existed. */
    incidentNumber: z.string().optional(),
    category: categorySchema,
    complexId: z.string(),
    buildingId: z.string(),
    location: z.string(),
    description: z.string(),
    polluterTenantId: z.string().nullable(),
    complainantTenantId: z.string().nullable(),
    reportedBy: z.string(),
    reportedAt: instant,
    photoIds,
    /** How the corporation learnt of it: a complaint (absent: reports from before rounds existed) or a supervision round. */
    source: z.enum(['complaint', 'supervision']).optional(),
    /** The round whose finding it is (with source supervision). */
    roundId: z.string().optional(),
  }),
  ReportReturnedToComplainant: z.object({ reason: z.string(), letters }),
  ComplainantAcknowledged: z.object({ letters }),
  DuplicateReportLinked: z.object({
    reportId: z.string(),
    reportedBy: z.string(),
    description: z.string(),
    reportedAt: instant,
    /** What the second report named (absent in links from before they were kept). */
    polluterTenantId: z.string().nullable().optional(),
    complainantTenantId: z.string().nullable().optional(),
    photoIds,
  }),
  PolluterNotified: z.object({ tenantId: z.string(), deadline: instant, deadlineDate: localDate, reminderAt: instant.nullable(), letters }),
  CollectiveNoticeSent: z.object({
    households: z.array(z.string()),
    deadline: instant,
    deadlineDate: localDate,
    reminderAt: instant.nullable(),
    letters,
  }),
  ReminderSent: z.object({ letters }),
  CleanupReported: z.object({ by: z.enum(['tenant', 'consultant']), actor: z.string(), note: z.string().nullable(), reportedAt: instant, photoIds }),
  InspectionRecorded: z.object({
    result: z.enum(['clean', 'not_clean']),
    inspector: z.string(),
    note: z.string().nullable(),
    inspectedAt: instant,
    /** true when policy accepted a tenant's report without a visit. */
    acceptedFromReport: z.boolean(),
    photoIds,
  }),
  PolluterIdentified: z.object({ tenantId: z.string(), identifiedBy: z.string() }),
  DisputeOpened: z.object({ by: z.enum(['tenant', 'consultant']), actor: z.string(), reason: z.string() }),
  DisputeResolved: z.object({ decision: z.enum(['upheld', 'rejected']), resolvedBy: z.string(), note: z.string().nullable() }),
  CleanupOrdered: z.object({ contractorId: z.string(), workOrderNumber: z.string(), orderedAt: instant, letters }),
  CleanupCompleted: z.object({
    contractorId: z.string(),
    reportedCostCents: z.number().int().nonnegative().nullable(),
    costCents: z.number().int().nonnegative(),
    tariffApplied: z.boolean(),
    completedAt: instant,
    photoIds,
    /** What the contractor noted with the completion (absent when nothing, and before it was kept). */
    note: z.string().optional(),
  }),
  WarningIssued: z.object({
    tenantId: z.string(),
    offenceNumber: z.number().int().positive(),
    severity: z.enum(['standard', 'sharp']),
    issuedAt: instant,
    letters,
  }),
  TenancyEscalationFlagged: z.object({ tenantId: z.string(), offenceNumber: z.number().int().positive() }),
  InvoiceIssued: z.object({
    invoiceNumber: z.string(),
    incidentId: z.string(),
    debtorTenantId: z.string(),
    issueDate: localDate,
    dueDate: localDate,
    lines: z.array(invoiceLineSchema).min(1),
    totalCents: z.number().int().nonnegative(),
    letters,
  }),
  ServiceCostsAllocated: z.object({
    totalCents: z.number().int().nonnegative(),
    /** The category's VAT code (events from before it was recorded: the default). */
    vatCode: z.string().default(DEFAULT_VAT_CODE),
    allocations: z.array(z.object({ tenantId: z.string(), amountCents: z.number().int().nonnegative() })).min(1),
    letters,
  }),
  CostBorneByCorporation: z.object({ costCents: z.number().int().nonnegative() }),
  NeighboursInformed: z.object({ households: z.number().int().nonnegative(), letters }),
  NeighboursNoticeSuppressed: z.object({ households: z.number().int().nonnegative(), minimum: z.number().int() }),
  IncidentCancelled: z.object({ reason: z.string(), cancelledBy: z.string() }),
  /** The notice went out later than planned: its term runs from then (domain/sending.ts). */
  DeadlineMoved: z.object({ deadline: instant, deadlineDate: localDate, reminderAt: instant.nullable(), reason: z.string() }),
  /**
   * A letter that went by post was posted (on the stream of the event that carried it): what it gives
   * counts from `countedFrom`, a moment of `postedOn` no earlier than the posting (domain/posting.ts).
   */
  LetterPosted: z.object({ letterId: z.string(), postedOn: localDate, countedFrom: instant, by: z.string() }),
  // The invoice's own life, on the stream invoice-<number>.
  PaymentRegistered: z.object({
    invoiceNumber: z.string(),
    incidentId: z.string(),
    paymentId: z.string().describe('the bank entry reference or the caller\'s id: a payment is booked once'),
    amountCents: z.number().int().positive(),
    paidOn: localDate,
    source: z.enum(['manual', 'csv', 'camt053']),
    reference: z.string().nullable(),
    registeredBy: z.string(),
  }),
  InvoicePaid: z.object({ invoiceNumber: z.string(), incidentId: z.string(), paidOn: localDate, overpaidCents: z.number().int().nonnegative() }),
  PaymentReminderSent: z.object({ invoiceNumber: z.string(), incidentId: z.string(), newDueDate: localDate, openCents: z.number().int(), letters }),
  FinalNoticeSent: z.object({
    invoiceNumber: z.string(),
    incidentId: z.string(),
    letterDate: localDate,
    receivedDate: localDate,
    finalDate: localDate,
    openCents: z.number().int(),
    collectionCostsCents: z.number().int().nonnegative(),
    interestCents: z.number().int().nonnegative().nullable(),
    letters,
  }),
  CollectionCostsAdded: z.object({
    invoiceNumber: z.string(),
    incidentId: z.string(),
    amountCents: z.number().int().nonnegative(),
    interestCents: z.number().int().nonnegative(),
    addedOn: localDate,
  }),
  /** The 14-day letter went out later than planned: its final date counts from its receipt then. */
  FinalDateMoved: z.object({ invoiceNumber: z.string(), incidentId: z.string(), letterDate: localDate, finalDate: localDate }),
  InvoiceHandedToCollections: z.object({ invoiceNumber: z.string(), incidentId: z.string(), openCents: z.number().int(), handedOverOn: localDate }),
  DunningPaused: z.object({ invoiceNumber: z.string(), incidentId: z.string(), reason: z.string(), by: z.string(), pausedOn: localDate }),
  DunningResumed: z.object({
    invoiceNumber: z.string(),
    incidentId: z.string(),
    by: z.string(),
    resumedOn: localDate,
    /** The current stage's pay-by date, moved on by the length of the pause. */
    payByDate: localDate,
  }),
  InvoiceCredited: z.object({
    invoiceNumber: z.string(),
    incidentId: z.string(),
    creditNoteNumber: z.string(),
    issueDate: localDate,
    /** The whole claim: principal, collection costs and interest. */
    amountCents: z.number().int().nonnegative(),
    /**
     * What the tenant had paid on the invoice: owed back to them now that the whole claim is
     * credited (a refund_due booking). Events recorded before this field existed read as 0.
     */
    refundDueCents: z.number().int().nonnegative().default(0),
    reason: z.string(),
    creditedBy: z.string(),
    letters,
  }),
  IncidentClosed: z.object({ outcome: outcomeSchema, closedAt: instant }),
  // A step failed on its data (an incident's or an invoice's own stream): it waits for a person.
  AttentionRequired: z.object({
    step: z.string().describe('what the process was doing: notify, deliver letters, settle, ...'),
    reason: z.string(),
    since: instant,
  }),
  AttentionResolved: z.object({ by: z.string(), note: z.string().nullable(), resolvedAt: instant }),
  // The team's case review, on the stream review-<YYYY-MM> of the month reviewed (domain/streams.ts).
  // `caseId` is the incident discussed (not `incidentId`: these are the team's events, not the incident's).
  CaseReviewConclusionRecorded: z.object({
    month: z.string().regex(/^\d{4}-\d{2}$/),
    caseId: z.string(),
    conclusion: z.string(),
    by: z.string().describe('the actor: person:<subject> or a key'),
    byName: z.string(),
    recordedAt: instant,
  }),
  CaseReviewAgreementMade: z.object({
    month: z.string().regex(/^\d{4}-\d{2}$/),
    agreementId: z.string(),
    /** The case it is about; null: an agreement about the approach as a whole. */
    caseId: z.string().nullable(),
    text: z.string(),
    /** Who acts on it, as the team named them. */
    owner: z.string(),
    dueDate: localDate,
    by: z.string(),
    byName: z.string(),
    madeAt: instant,
  }),
  CaseReviewAgreementDone: z.object({
    month: z.string().regex(/^\d{4}-\d{2}$/),
    agreementId: z.string(),
    note: z.string().nullable(),
    by: z.string(),
    byName: z.string(),
    doneAt: instant,
  }),
  // A supervision round (schouw), on the stream round-<roundId> (domain/streams.ts, domain/round.ts).
  RoundScheduled: z.object({
    roundId: z.string(),
    complexId: z.string(),
    /** The subject of the consultant who walks it. */
    consultant: z.string(),
    plannedDate: localDate,
    dueDate: localDate,
    due: instant,
    spaces: z.array(z.object({ buildingId: z.string(), position: z.number().int().positive(), name: z.string() })).min(1),
  }),
  RoundSpaceInOrder: z.object({ roundId: z.string(), buildingId: z.string(), position: z.number().int().positive(), by: z.string(), at: instant }),
  RoundFindingRecorded: z.object({
    roundId: z.string(),
    /** Made by the consultant's phone: a finding sent again is the same finding. */
    findingId: z.string(),
    buildingId: z.string(),
    position: z.number().int().positive(),
    category: categorySchema,
    /** The incident the finding became (reported as a complaint would be, with source supervision). */
    incidentId: z.string(),
    polluterKnown: z.boolean(),
    by: z.string(),
    at: instant,
  }),
  RoundPaused: z.object({ roundId: z.string(), by: z.string(), at: instant }),
  RoundResumed: z.object({ roundId: z.string(), by: z.string(), at: instant }),
  RoundOverdue: z.object({ roundId: z.string(), dueDate: localDate, at: instant }),
  RoundCompleted: z.object({
    roundId: z.string(),
    by: z.string(),
    completedAt: instant,
    onTime: z.boolean(),
    spacesInOrder: z.number().int().nonnegative(),
    spacesWithFindings: z.number().int().nonnegative(),
    findings: z.number().int().nonnegative(),
  }),
  /** The retention run removed an offence record past the repeat window and its margin (db/retention.ts): it no longer counts or shows. */
  OffenceExpired: z.object({ tenantId: z.string(), offenceNumber: z.number().int().positive(), expiredAt: instant }),
  // Privacy (db/erasure.ts), on the stream tenant-<contract number>: the fact of an erasure, without the data erased.
  TenantErased: z.object({
    tenantId: z.string(),
    erasedBy: z.string(),
    erasedAt: instant,
    /** The incidents whose narrative (description, notes, photos) was removed with the tenant's data. */
    incidentIds: z.array(z.string()),
    /** Invoices whose copies keep the name and address for the tax authority, and until when. */
    invoicesKept: z.array(z.string()),
    billingKeptUntil: localDate.nullable(),
  }),
} as const;

export type EventType = keyof typeof eventSchemas;
export const eventTypes = Object.keys(eventSchemas) as EventType[];
/**
 * Recorded with every event. Shapes change only by adding fields with a default (zod's
 * `.default`), so that every stored event still parses; there is no upcaster, and a change that
 * needs one must bring it.
 */
export const eventSchemaVersion = 1;

export type DomainEvent = {
  [K in EventType]: { type: K; data: z.infer<(typeof eventSchemas)[K]> };
}[EventType];
export type EventOf<K extends EventType> = Extract<DomainEvent, { type: K }>;
export type EventData<K extends EventType> = EventOf<K>['data'];

export class UnknownEventError extends Error {
  constructor(readonly eventType: string) {
    super(`unknown event type ${eventType}`);
    this.name = 'UnknownEventError';
  }
}

/** Validate an event read back from storage or built by a caller. */
export function parseEvent(type: string, data: unknown): DomainEvent {
  if (!(type in eventSchemas)) throw new UnknownEventError(type);
  const schema = eventSchemas[type as EventType];
  return { type, data: schema.parse(data) } as DomainEvent;
}

