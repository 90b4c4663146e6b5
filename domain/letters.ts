import { z } from 'zod';
import { categorySchema } from './policy';

const instant = z.iso.datetime({ offset: true });
const localDate = z.iso.date();
const cents = z.number().int();

const common = {
  incidentId: z.string(),
  /** The incident's short number, said on the phone and in "ons kenmerk" (absent in letters from before numbers existed). */
  incidentNumber: z.string().optional(),
  category: categorySchema,
  location: z.string(),
};

/**
 * The notice period, so that a letter that goes out later than planned is sent with the deadline
 * its term gives from then (domain/sending.ts); absent in letters from before it was kept.
 */
const term = z.union([
  z.object({ kind: z.literal('workingDays'), days: z.number().int().nonnegative() }),
  z.object({ kind: z.literal('iso'), ms: z.number().int().nonnegative(), text: z.string() }),
]);

export const invoiceLineSchema = z.object({
  description: z.string(),
  amountCents: cents.nonnegative(),
  vatCode: z.string(),
});
export type InvoiceLine = z.infer<typeof invoiceLineSchema>;

export const resolvedOutcomes = ['self_cleaned', 'cleaned_and_charged', 'cleaned_at_service_cost', 'cleaned_at_corporation_cost'] as const;

/** What a letter says, minus the recipient's personal data, which is read from the directory when it is sent. */
export const letterContentSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('complainant_advice'), ...common }),
  z.object({ kind: z.literal('complainant_acknowledgement'), ...common }),
  z.object({
    kind: z.literal('formal_notice'),
    ...common,
    deadline: instant,
    deadlineDate: localDate,
    tariffCents: cents.nullable(),
    linkExpiresAt: instant,
    term: term.optional(),
  }),
  z.object({ kind: z.literal('collective_notice'), ...common, deadline: instant, deadlineDate: localDate, term: term.optional() }),
  z.object({
    kind: z.literal('reminder'),
    ...common,
    deadline: instant,
    deadlineDate: localDate,
    collective: z.boolean(),
    linkExpiresAt: instant.nullable(),
  }),
  z.object({
    kind: z.literal('work_order'),
    ...common,
    workOrderNumber: z.string(),
    buildingId: z.string(),
    /** The building's complex (absent in orders from before it was said). */
    complexId: z.string().optional(),
    /** The day the work is to be done by (absent in orders from before it was said). */
    completeBy: localDate.optional(),
  }),
  z.object({
    kind: z.literal('warning'),
    ...common,
    offenceNumber: z.number().int().positive(),
    severity: z.enum(['standard', 'sharp']),
    cleanedBy: z.enum(['tenant', 'corporation']),
    invoiceNumber: z.string().nullable(),
    totalCents: cents.nullable(),
  }),
  z.object({
    kind: z.literal('invoice'),
    ...common,
    invoiceNumber: z.string(),
    issueDate: localDate,
    dueDate: localDate,
    lines: z.array(invoiceLineSchema),
    totalCents: cents,
  }),
  z.object({
    kind: z.literal('service_cost_notice'),
    ...common,
    totalCents: cents,
    shareCents: cents,
    households: z.number().int().positive(),
  }),
  z.object({ kind: z.literal('neighbours_notice'), ...common, outcome: z.enum(resolvedOutcomes), polluterKnown: z.boolean() }),
  z.object({
    kind: z.literal('payment_reminder'),
    ...common,
    invoiceNumber: z.string(),
    letterDate: localDate,
    issueDate: localDate,
    dueDate: localDate,
    openCents: cents,
    newDueDate: localDate,
  }),
  z.object({
    kind: z.literal('final_notice'),
    ...common,
    invoiceNumber: z.string(),
    letterDate: localDate,
    openCents: cents,
    finalDate: localDate,
    collectionCostsCents: cents,
    interestCents: cents.nullable(),
    /** Working days from sending to receipt (0 by e-mail): the final date counts from receipt (absent in older letters). */
    receiptAfterWorkingDays: z.number().int().nonnegative().optional(),
  }),
  z.object({
    kind: z.literal('credit_note'),
    ...common,
    creditNoteNumber: z.string(),
    invoiceNumber: z.string(),
    issueDate: localDate,
    amountCents: cents,
    /** Already paid on the invoice, and so to be paid back (0 in letters written before it was said). */
    refundDueCents: cents.nonnegative().default(0),
    reason: z.string(),
  }),
]);
/** Letters that go out with a PDF of the document attached. */
export const financialLetterKinds = ['invoice', 'payment_reminder', 'final_notice', 'credit_note'] as const;
export type LetterContent = z.infer<typeof letterContentSchema>;
export type LetterKind = LetterContent['kind'];

export const letterSchema = z.object({
  letterId: z.string(),
  recipient: z.object({ type: z.enum(['tenant', 'contractor']), id: z.string() }),
  content: letterContentSchema,
});
export type Letter = z.infer<typeof letterSchema>;
