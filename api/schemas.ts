import { z } from 'zod';
import { categorySchema } from '../domain/policy';
import { outcomeSchema } from '../domain/events';

const id = z.string().trim().min(1).max(100);

const FIRST_DAY = '1900-01-01';
const LAST_DAY = '2999-12-31';
/** A day in the years the working-day calendar and the reports count with (PostgreSQL knows more, the calendar does not). */
export const localDate = z.iso.date({ abort: true }).refine((date) => date >= FIRST_DAY && date <= LAST_DAY, `expected a date from ${FIRST_DAY} to ${LAST_DAY}`);
/** A month (YYYY-MM) in the same years. */
export const yearMonth = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'expected a month as YYYY-MM', abort: true })
  .refine((month) => month >= FIRST_DAY.slice(0, 7) && month <= LAST_DAY.slice(0, 7), `expected a month from ${FIRST_DAY.slice(0, 7)} to ${LAST_DAY.slice(0, 7)}`);

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .describe('RFC 9457 problem details');

export const problemResponses = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
} as const;

/** Photos uploaded before (POST /photos) that the action carries as evidence. */
const photoIds = z.array(id).max(4).optional().describe('photos uploaded with POST /photos, at most 4');

export const reportIncidentBody = z.object({
  category: categorySchema,
  complexId: id,
  buildingId: id.describe('the building or entrance whose households share the space'),
  location: z.string().trim().min(1).max(500).describe('where in the building; no names'),
  description: z.string().trim().max(2000).default(''),
  polluterTenantId: id.nullable().optional().describe('contract number of the suspected polluter, when known'),
  complainantTenantId: id.nullable().optional().describe('contract number of the complainant, when a tenant'),
  photoIds,
});

export const attentionSchema = z.object({
  step: z.string().describe('what the process was doing'),
  reason: z.string(),
  since: z.string(),
});

export const incidentSchema = z.object({
  incidentId: z.string(),
  incidentNumber: z.string().nullable().describe('the short number people use: 2026-00123'),
  category: z.string(),
  complexId: z.string(),
  buildingId: z.string(),
  location: z.string(),
  status: z.enum(['open', 'closed']),
  phase: z.string(),
  polluterTenantId: z.string().nullable(),
  complainantTenantId: z.string().nullable(),
  reportedAt: z.string(),
  deadline: z.string().nullable(),
  deadlineDate: z.string().nullable(),
  dispute: z.string(),
  contractorId: z.string().nullable(),
  costCents: z.number().int().nullable(),
  invoiceNumber: z.string().nullable(),
  duplicateReports: z.number().int(),
  tenancyEscalation: z.boolean(),
  outcome: outcomeSchema.nullable(),
  closedAt: z.string().nullable(),
  attention: attentionSchema.nullable().describe('set while a step failed on its data and waits for a person'),
  source: z.enum(['complaint', 'supervision']).describe('how it came in: a complaint, or a finding of a supervision round'),
  roundId: z.string().nullable().describe('the round whose finding it is'),
});

export const reportedSchema = z.object({
  incidentId: z.string(),
  incidentNumber: z.string().nullable().describe('the short number people use (null for a duplicate: see duplicateOf)'),
  duplicateOf: z.string().nullable().describe('set when the report was linked to an open incident on the same space'),
});

export const timelineEntrySchema = z.object({
  position: z.number().int(),
  streamId: z.string(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
  actor: z.string().nullable().describe('who acted: person:<subject>, <role>:<key fingerprint>, tenant:<contract number>, or system'),
  actorName: z.string().nullable().describe('the name of the person who acted, for a person signed in to the workspace'),
  recordedAt: z.string(),
});

export const letterSummarySchema = z.object({
  letterId: z.string(),
  kind: z.string(),
  recipientType: z.string(),
  recipientId: z.string(),
  channel: z.enum(['email', 'print', 'pending']),
  recordedAt: z.string(),
  postedOn: localDate.nullable().describe('by post: the day it was posted; null otherwise or not yet'),
  pdfUrl: z.string().describe('the letter as PDF, as it went out'),
});

export const incidentDetailSchema = incidentSchema.extend({
  timeline: z.array(timelineEntrySchema),
  letters: z.array(letterSummarySchema),
});

export const listIncidentsQuery = z.object({
  status: z.enum(['open', 'closed', 'needs_attention']).optional().describe('needs_attention: open incidents whose process waits for a person'),
  category: categorySchema.optional(),
  complexId: id.optional(),
  buildingId: id.optional(),
  from: localDate.optional().describe('reported on or after (YYYY-MM-DD, Amsterdam)'),
  to: localDate.optional().describe('reported on or before (YYYY-MM-DD, Amsterdam)'),
  q: z
    .string()
    .trim()
    .min(2)
    .max(100)
    .optional()
    .describe('search: an address (where in the building, building, complex, or street and house number of a household), a contract number, an incident number'),
  phase: z.enum(['reported', 'awaiting_cleanup', 'cleanup_reported', 'cleanup_ordered', 'settling']).optional().describe('open incidents in this phase'),
  deadlineFrom: localDate.optional().describe('open incidents whose cleanup deadline falls on or after this day (YYYY-MM-DD, Amsterdam)'),
  deadlineTo: localDate.optional().describe('open incidents whose cleanup deadline falls on or before this day (YYYY-MM-DD, Amsterdam)'),
  dispute: z.enum(['open']).optional().describe('open: a dispute waits for a ruling, on the incident or on its invoice'),
  source: z.enum(['complaint', 'supervision']).optional().describe('how they came in: complaints, or findings of supervision rounds'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const incidentParams = z.object({ id });
export const tenantTokenQuery = z.object({ token: z.string().optional().describe("the signed link from the tenant's letter") });

/** The body is optional: a POST without one arrives as null, which `.default` alone would refuse. */
export const cleanupReportBody = z.preprocess((body) => body ?? {}, z.object({ note: z.string().trim().max(1000).nullable().optional(), photoIds }));
export const inspectionBody = z.object({ result: z.enum(['clean', 'not_clean']), note: z.string().trim().max(1000).nullable().optional(), photoIds });
export const polluterBody = z.object({ tenantId: id });
export const disputeBody = z.object({ reason: z.string().trim().min(1).max(2000) });
export const disputeResolutionBody = z.object({ decision: z.enum(['upheld', 'rejected']), note: z.string().trim().max(2000).nullable().optional() });
export const completionBody = z.object({
  contractorId: id,
  costCents: z.number().int().nonnegative().max(100_000_000).nullable().optional().describe('the actual cost in euro cents, VAT included'),
  photoIds,
  note: z.string().trim().max(1000).nullable().optional().describe("the contractor's note on the work done"),
});
export const cancellationBody = z.object({ reason: z.string().trim().min(1).max(2000) });
/** The body is optional, as for a cleanup report. */
export const attentionResolutionBody = z.preprocess((body) => body ?? {}, z.object({ note: z.string().trim().max(2000).nullable().optional() }));

export const actionResultSchema = z.object({
  incidentId: z.string(),
  streamVersion: z.number().int(),
  status: z.string(),
  phase: z.string().nullable(),
});

export const directoryResultSchema = z.object({ upserted: z.number().int() });

export const printQueueEntrySchema = z.object({
  letterId: z.string(),
  incidentId: z.string(),
  kind: z.string(),
  recipientId: z.string(),
  recordedAt: z.string(),
  queuedOn: localDate.describe('the day it was put on the print queue (Europe/Amsterdam)'),
  postedOn: localDate.nullable().describe('the day it was posted (POST /letters/:letterId/posting); null: still to be posted'),
  subject: z.string(),
  text: z.string(),
  pdfUrl: z.string().describe('the letter as PDF to print and post'),
});
