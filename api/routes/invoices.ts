import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import { sql, type Selectable } from 'kysely';
import { z } from 'zod';
import { readStream } from '../../db/event-store';
import { subjectKeysOf } from '../../db/subject-keys';
import type { Db } from '../../db/connection';
import type { InvoicesTable, UnmatchedPaymentsTable } from '../../db/schema';
import { parseCamt053, invoiceNumbersIn, CamtError } from '../../documents/camt053';
import { amsterdamDate } from '../../domain/calendar';
import { paymentDateProblem } from '../../domain/invoice';
import { centsToDecimal, InvalidEuroAmountError, MAX_PAYMENT_CENTS, parseEuroAmountCents } from '../../domain/money';
import {
  creditInvoiceUpdate,
  invoiceWorkflowId,
  registerPaymentUpdate,
  resolveInvoiceAttentionUpdate,
  type InvoiceUpdateResult,
} from '../../workflows/messages';
import { staffOf } from '../auth';
import { namesOf } from '../sessions';
import { csvLineOf } from '../csv-body';
import { HttpProblem, badRequest, conflict, excerpt, notFound, unavailable, validationProblem, type FieldProblem } from '../problems';
import type { ApiDeps } from '../deps';
import * as s from '../schemas';
import { attentionOf } from './incidents';
import { executeUpdate, idempotencyHeaders, updateIdOf } from '../temporal-calls';
import { invoiceStreamId } from '../../domain/streams';

const invoiceNumber = z.string().regex(/^\d{4}-\d{6}$/, 'expected an invoice number such as 2026-000123');
const { localDate } = s;

const paymentBody = z.object({
  amountCents: z.number().int().positive().max(MAX_PAYMENT_CENTS),
  paidOn: localDate.describe('not in the future (Europe/Amsterdam), not before the invoice date'),
  reference: z.string().trim().max(500).nullable().optional(),
  paymentId: z.string().trim().min(1).max(200).optional().describe("the bank's reference; a payment with the same id is booked once"),
});

const invoiceSchema = z.object({
  invoiceNumber: z.string(),
  incidentId: z.string(),
  debtorTenantId: z.string(),
  issueDate: z.string(),
  dueDate: z.string(),
  payByDate: z.string(),
  status: z.enum(['open', 'paid', 'credited']),
  stage: z.string(),
  totalCents: z.number().int(),
  paidCents: z.number().int(),
  collectionCostsCents: z.number().int(),
  interestCents: z.number().int(),
  openCents: z.number().int(),
  creditNoteNumber: z.string().nullable(),
  refundDueCents: z.number().int().describe('credited after payments were made: what was paid, owed back to the tenant'),
  dunningPaused: z.boolean(),
  attention: s.attentionSchema.nullable().describe('set while a step failed on its data and waits for a person'),
  payments: z.array(z.object({ paymentId: z.string(), amountCents: z.number().int(), paidOn: z.string(), source: z.string(), reference: z.string().nullable() })),
  timeline: z.array(
    z.object({
      type: z.string(),
      recordedAt: z.string(),
      actor: z.string().nullable().describe('who acted: person:<subject>, a role key, or the process'),
      actorName: z.string().nullable().describe("a person's display name"),
      data: z.record(z.string(), z.unknown()),
    }),
  ),
});

const resolutions = ['booked', 'not_ours', 'refunded'] as const;
type Resolution = (typeof resolutions)[number];

const importResultSchema = z.object({
  booked: z.array(z.object({ reference: z.string(), invoiceNumber: z.string(), amountCents: z.number().int() })),
  alreadyBooked: z.array(z.object({ reference: z.string(), invoiceNumber: z.string() })),
  unmatched: z.array(z.object({ reference: z.string(), amountCents: z.number().int(), remittance: z.string(), reason: z.string() })),
  alreadyResolved: z
    .array(z.object({ reference: z.string(), resolution: z.enum(resolutions), invoiceNumber: z.string().nullable() }))
    .describe('lines finance resolved before (not ours, refunded, or booked to an invoice): not listed again'),
});

type ImportResult = z.infer<typeof importResultSchema>;

const unmatchedPaymentSchema = z.object({
  reference: z.string(),
  source: z.string(),
  bookingDate: z.string(),
  amountCents: z.number().int(),
  debtorName: z.string().nullable(),
  debtorIban: z.string().nullable(),
  remittance: z.string(),
  reason: z.string(),
  importedAt: z.string(),
  resolution: z
    .object({
      outcome: z.enum(resolutions),
      invoiceNumber: z.string().nullable().describe('booked: the invoice the payment was booked to, with the line\'s reference as payment id'),
      by: z.string(),
      byName: z.string().nullable().describe("a person's display name"),
      at: z.string(),
      note: z.string().nullable(),
    })
    .nullable()
    .describe('null while the line is on the worklist'),
});

const resolutionBody = z.discriminatedUnion('resolution', [
  z.object({
    resolution: z.literal('booked').describe("book the line to this invoice, with the line's reference as payment id"),
    invoiceNumber,
    note: z.string().trim().max(1000).optional(),
  }),
  z.object({ resolution: z.literal('not_ours').describe('not a payment to us; nothing is booked'), note: z.string().trim().min(1).max(1000) }),
  z.object({ resolution: z.literal('refunded').describe('paid back to the payer; nothing is booked'), note: z.string().trim().min(1).max(1000) }),
]);

/** A CSV line as it is checked, before anything of the file is booked or listed. */
const csvPaymentLine = z.object({
  invoiceNumber: z.string().max(500, 'at most 500 characters'),
  amount: z.string(),
  paidOn: localDate,
  reference: z.string().max(500, 'at most 500 characters').optional(),
  paymentId: z.string().min(1, 'required').max(200, 'at most 200 characters'),
});

/** "187.50", "187,5" or "187" as cents, more than 0 and at most the cap of one payment; otherwise what is wrong. */
function csvAmountCents(text: string): { cents: number } | { problem: string } {
  try {
    return { cents: parseEuroAmountCents(text) };
  } catch (error) {
    if (error instanceof InvalidEuroAmountError) return { problem: error.fields[0]?.message ?? error.message };
    throw error;
  }
}

type InvoiceRow = Selectable<InvoicesTable>;
type UnmatchedRow = Selectable<UnmatchedPaymentsTable>;

async function invoiceRow(db: Db, number: string) {
  return db.selectFrom('invoices').selectAll().where('invoice_number', '=', number).executeTakeFirst();
}

/** The invoice a payment id was booked to, if any (a payment id is booked once per invoice). */
async function bookedTo(db: Db, paymentId: string, invoiceNumber?: string): Promise<string | null> {
  let query = db.selectFrom('payments').select('invoice_number').where('payment_id', '=', paymentId);
  if (invoiceNumber !== undefined) query = query.where('invoice_number', '=', invoiceNumber);
  const row = await query.orderBy('recorded_at').executeTakeFirst();
  return row?.invoice_number ?? null;
}

/** A listed line whose reference was booked as a payment id leaves the worklist: resolved as booked. */
async function resolveAsBooked(db: Db, reference: string, invoiceNumber: string, actor: string, note: string | null): Promise<void> {
  await db
    .updateTable('unmatched_payments')
    .set({ resolution: 'booked', resolved_invoice_number: invoiceNumber, resolved_by: actor, resolved_at: sql<Date>`now()`, resolution_note: note })
    .where('entry_reference', '=', reference)
    .where('resolution', 'is', null)
    .execute();
}

function toUnmatched(r: UnmatchedRow, names: Map<string, string> = new Map()): z.infer<typeof unmatchedPaymentSchema> {
  return {
    reference: r.entry_reference,
    source: r.source,
    bookingDate: r.booking_date,
    amountCents: r.amount_cents,
    debtorName: r.debtor_name,
    debtorIban: r.debtor_iban,
    remittance: r.remittance,
    reason: r.reason,
    importedAt: new Date(r.imported_at).toISOString(),
    resolution:
      r.resolution === null
        ? null
        : {
            outcome: r.resolution,
            invoiceNumber: r.resolved_invoice_number,
            by: r.resolved_by ?? '',
            byName: names.get(r.resolved_by ?? '') ?? null,
            at: r.resolved_at ? new Date(r.resolved_at).toISOString() : '',
            note: r.resolution_note,
          },
  };
}

const today = () => amsterdamDate(new Date());

/** Per request of a CSV upload: the line in the file on which each record starts (header: line 1). */
const fileLines = new WeakMap<object, number[]>();

export function registerInvoiceRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db, temporal } = deps;
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['billing'];

  async function update<Args>(number: string, definition: UpdateDefinition<InvoiceUpdateResult, [Args]>, args: Args, request?: FastifyRequest) {
    const invoice = await invoiceRow(db, number);
    if (!invoice) throw notFound(`no invoice ${number}`);
    const workflowId = invoiceWorkflowId(invoice.incident_id, number);
    return executeUpdate(temporal, workflowId, definition, args, request ? updateIdOf(request, definition.name, workflowId) : undefined);
  }

  /**
   * Book one payment, once. The invoice workflow runs its Updates one at a time and says whether
   * this call booked the payment id or found it booked: of two concurrent calls with one id, one
   * answers booked and the other already booked. A payment id the read model already holds is
   * answered without the workflow (which has ended once the invoice is paid).
   */
  async function book(
    invoice: InvoiceRow,
    payment: { paymentId: string; amountCents: number; paidOn: string; source: 'manual' | 'csv' | 'camt053'; reference: string | null },
    registeredBy: string,
  ): Promise<'booked' | 'already_booked'> {
    const number = invoice.invoice_number;
    if (await bookedTo(db, payment.paymentId, number)) return 'already_booked';
    if (invoice.status !== 'open') throw conflict(`invoice ${number} is ${invoice.status}`);
    let result: InvoiceUpdateResult;
    try {
      result = await temporal.workflow
        .getHandle(invoiceWorkflowId(invoice.incident_id, number))
        .executeUpdate(registerPaymentUpdate, { args: [{ ...payment, registeredBy }] });
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      // The workflow has ended since the read above (paid in full, perhaps by this very payment id
      // in a concurrent call, or credited), or has not started yet.
      if (await bookedTo(db, payment.paymentId, number)) return 'already_booked';
      const now = await invoiceRow(db, number);
      if (now && now.status !== 'open') throw conflict(`invoice ${number} is ${now.status}`);
      throw unavailable(`the workflow of invoice ${number} has not started yet; try again shortly`, 2);
    }
    // Undefined from a worker that predates the flag: its answer was that of a booking.
    return result.booked === false ? 'already_booked' : 'booked';
  }

  routes.get(
    '/invoices/:number',
    {
      config: { access: { roles: ['finance', 'consultant', 'admin'] } },
      schema: {
        operationId: 'getInvoice',
        tags,
        params: z.object({ number: invoiceNumber }),
        response: { 200: invoiceSchema, ...s.problemResponses },
      },
    },
    async (request) => {
      const invoice = await invoiceRow(db, request.params.number);
      if (!invoice) throw notFound(`no invoice ${request.params.number}`);
      const [payments, timeline] = await Promise.all([
        db.selectFrom('payments').selectAll().where('invoice_number', '=', invoice.invoice_number).orderBy('recorded_at').execute(),
        readStream(db, invoiceStreamId(invoice.invoice_number)).then((events) => subjectKeysOf(db, deps.config).reveal(events)),
      ]);
      const actorOf = (metadata: { actor?: unknown }) => (typeof metadata.actor === 'string' ? metadata.actor : null);
      const names = await namesOf(db, timeline.map((e) => actorOf(e.metadata)));
      return {
        invoiceNumber: invoice.invoice_number,
        incidentId: invoice.incident_id,
        debtorTenantId: invoice.debtor_tenant_id,
        issueDate: invoice.issue_date,
        dueDate: invoice.due_date,
        payByDate: invoice.pay_by_date,
        status: invoice.status,
        stage: invoice.stage,
        totalCents: invoice.total_cents,
        paidCents: invoice.paid_cents,
        collectionCostsCents: invoice.collection_costs_cents,
        interestCents: invoice.interest_cents,
        openCents: invoice.open_cents,
        creditNoteNumber: invoice.credit_note_number,
        refundDueCents: invoice.refund_due_cents,
        dunningPaused: invoice.dunning_paused,
        attention: attentionOf(invoice),
        payments: payments.map((p) => ({ paymentId: p.payment_id, amountCents: p.amount_cents, paidOn: p.paid_on, source: p.source, reference: p.reference })),
        timeline: timeline.map((e) => ({
          type: e.event.type,
          recordedAt: e.recordedAt.toISOString(),
          actor: actorOf(e.metadata),
          actorName: names.get(actorOf(e.metadata) ?? '') ?? null,
          data: e.event.data as Record<string, unknown>,
        })),
      };
    },
  );

  routes.post(
    '/invoices/:number/payments',
    {
      config: { access: { roles: ['finance'] } },
      schema: {
        operationId: 'registerPayment',
        tags,
        summary: 'Register a payment (partial allowed); the same paymentId is booked once',
        params: z.object({ number: invoiceNumber }),
        body: paymentBody,
        response: { 200: z.object({ invoiceNumber: z.string(), paymentId: z.string(), booked: z.boolean() }), ...s.problemResponses },
      },
    },
    async (request) => {
      const caller = staffOf(request);
      const paymentId = request.body.paymentId ?? request.headers['idempotency-key']?.toString() ?? randomUUID();
      const invoice = await invoiceRow(db, request.params.number);
      if (!invoice) throw notFound(`no invoice ${request.params.number}`);
      const dateProblem = paymentDateProblem(request.body.paidOn, today(), invoice.issue_date);
      if (dateProblem) throw validationProblem([{ path: 'body.paidOn', message: dateProblem }]);
      const outcome = await book(
        invoice,
        { paymentId, amountCents: request.body.amountCents, paidOn: request.body.paidOn, source: 'manual', reference: request.body.reference ?? null },
        caller.actor,
      );
      // A bank line on finance's worklist booked by hand under its own reference leaves the list.
      await resolveAsBooked(db, paymentId, invoice.invoice_number, caller.actor, 'booked by hand under its reference');
      return { invoiceNumber: request.params.number, paymentId, booked: outcome === 'booked' };
    },
  );

  routes.post(
    '/invoices/:number/attention/resolution',
    {
      config: { access: { roles: ['finance', 'admin'] } },
      schema: {
        operationId: 'resolveInvoiceAttention',
        tags,
        summary: 'The cause of a dunning step that failed on its data is dealt with (the directory corrected, for instance): the step is tried again',
        params: z.object({ number: invoiceNumber }),
        body: s.attentionResolutionBody,
        response: { 200: z.object({ invoiceNumber: z.string(), streamVersion: z.number().int(), status: z.string() }), ...s.problemResponses },
      },
    },
    async (request) => {
      const caller = staffOf(request);
      const result = await update(request.params.number, resolveInvoiceAttentionUpdate, { by: caller.actor, note: request.body?.note ?? null });
      return { invoiceNumber: request.params.number, streamVersion: result.streamVersion, status: result.status };
    },
  );

  routes.post(
    '/invoices/:number/credit',
    {
      config: { access: { roles: ['finance'] } },
      schema: {
        operationId: 'creditInvoice',
        tags,
        summary: 'Credit the invoice with a credit note of its own gapless series: all dunning stops',
        params: z.object({ number: invoiceNumber }),
        headers: idempotencyHeaders,
        body: z.object({ reason: z.string().trim().min(1).max(1000) }),
        response: { 200: z.object({ invoiceNumber: z.string(), creditNoteNumber: z.string() }), ...s.problemResponses },
      },
    },
    async (request) => {
      const caller = staffOf(request);
      const invoice = await invoiceRow(db, request.params.number);
      if (!invoice) throw notFound(`no invoice ${request.params.number}`);
      const refused = conflict(`invoice ${request.params.number} is ${invoice.status}`);
      // With a key, an invoice credited since may have been credited by this very request (its answer
      // lost): the key is the Update's id, and Temporal answers that Update's result.
      const key = request.headers['idempotency-key'];
      if (invoice.status !== 'open' && !key) throw refused;
      let result: InvoiceUpdateResult;
      try {
        result = await update(request.params.number, creditInvoiceUpdate, { reason: request.body.reason, creditedBy: caller.actor }, request);
      } catch (error) {
        // Not an Update the workflow applied before it ended.
        if (error instanceof WorkflowNotFoundError && invoice.status !== 'open') throw refused;
        throw error;
      }
      return { invoiceNumber: request.params.number, creditNoteNumber: result.creditNoteNumber ?? '' };
    },
  );

  routes.post(
    '/payments/imports',
    {
      config: { access: { roles: ['finance'] } },
      bodyLimit: 8 * 1024 * 1024, // 50,000 lines
      // The line in the file of each record, taken before validation hands the handler a copy of the records.
      preValidation: async (request) => {
        const records = request.body;
        if (Array.isArray(records)) fileLines.set(request, records.map((_, index) => csvLineOf(records, index) ?? index + 2));
      },
      schema: {
        operationId: 'importPayments',
        tags,
        summary:
          'Bulk payments as text/csv: invoiceNumber,amount,paidOn,reference,paymentId. Every line is checked before any is booked: ' +
          'one bad line and the whole file is refused (400, the bad lines listed), nothing booked or listed as unmatched',
        body: z
          .array(
            z.object({
              invoiceNumber: z.string().describe('the invoice number (2026-000123), or text holding it; at most 500 characters'),
              amount: z.string().describe(`euros, 187.50 or 187,50: more than 0 and at most ${centsToDecimal(MAX_PAYMENT_CENTS)}`),
              paidOn: z.string().describe('YYYY-MM-DD: not in the future (Europe/Amsterdam), not before the invoice date'),
              reference: z.string().optional().describe('at most 500 characters'),
              paymentId: z.string().describe("the bank's reference, at most 200 characters, once per file: a payment id is booked once"),
            }),
          )
          .max(50_000),
        response: { 200: importResultSchema, ...s.problemResponses },
      },
    },
    async (request) => {
      const caller = staffOf(request);
      const lines = await checkCsvLines(request.body, fileLines.get(request) ?? []);
      const result: ImportResult = { booked: [], alreadyBooked: [], unmatched: [], alreadyResolved: [] };
      for (const line of lines) await settleLine(result, { ...line, source: 'csv', debtorName: null, debtorIban: null, actor: caller.actor });
      return result;
    },
  );

  /**
   * Every line of a payment CSV checked, its invoice's date included, before anything is booked or
   * listed: one bad line refuses the file, with every bad line named (the first 20 listed).
   */
  async function checkCsvLines(rows: Record<string, string | undefined>[], lineNumbers: number[]) {
    const problems: { line: number; problem: FieldProblem }[] = [];
    const checked: { line: number; reference: string; candidates: string[]; amountCents: number; paidOn: string; remittance: string }[] = [];
    const lineOfPaymentId = new Map<string, number>();
    const now = today();
    rows.forEach((row, index) => {
      const line = lineNumbers[index] ?? index + 2;
      const problem = (field: string, message: string) => problems.push({ line, problem: { path: `line ${line}: ${field}`, message } });
      const before = problems.length;
      const parsed = csvPaymentLine.safeParse(row);
      if (!parsed.success) for (const issue of parsed.error.issues) problem(String(issue.path[0] ?? 'line'), issue.message);
      const amount = csvAmountCents(row.amount ?? '');
      if ('problem' in amount) problem('amount', amount.problem);
      if (parsed.success) {
        const future = paymentDateProblem(parsed.data.paidOn, now, null);
        if (future) problem('paidOn', future);
        const first = lineOfPaymentId.get(parsed.data.paymentId);
        if (first !== undefined) problem('paymentId', `the same payment id as line ${first}: a payment is booked once`);
        else lineOfPaymentId.set(parsed.data.paymentId, line);
      }
      if (problems.length > before || !parsed.success || 'problem' in amount) return;
      const { invoiceNumber, paidOn, reference, paymentId } = parsed.data;
      checked.push({ line, reference: paymentId, candidates: invoiceNumbersIn(invoiceNumber), amountCents: amount.cents, paidOn, remittance: reference ?? invoiceNumber });
    });
    // A payment is not made before the invoice it pays was issued.
    const numbers = [...new Set(checked.filter((l) => l.candidates.length === 1).map((l) => l.candidates[0]!))];
    const issued = new Map<string, string>();
    for (let i = 0; i < numbers.length; i += 5000) {
      const found = await db
        .selectFrom('invoices')
        .select(['invoice_number', 'issue_date'])
        .where(sql<boolean>`invoice_number = any(${numbers.slice(i, i + 5000)}::text[])`)
        .execute();
      for (const row of found) issued.set(row.invoice_number, row.issue_date);
    }
    for (const l of checked) {
      const issueDate = l.candidates.length === 1 ? (issued.get(l.candidates[0]!) ?? null) : null;
      const tooEarly = issueDate === null ? null : paymentDateProblem(l.paidOn, now, issueDate);
      if (tooEarly) problems.push({ line: l.line, problem: { path: `line ${l.line}: paidOn`, message: `${tooEarly}: invoice ${l.candidates[0]}` } });
    }
    if (problems.length > 0) throw validationProblem(problems.sort((a, b) => a.line - b.line).map((p) => p.problem));
    return checked;
  }

  routes.post(
    '/payments/bank-statements',
    {
      config: { access: { roles: ['finance'] } },
      bodyLimit: 32 * 1024 * 1024, // a month of a busy account's credits
      schema: {
        operationId: 'importBankStatement',
        tags,
        summary:
          'A bank statement in ISO 20022 CAMT.053 (application/xml): credits matched on the invoice number in the remittance information. ' +
          'A credit that cannot be booked (no single open invoice, booked before the invoice date or in the future, above the limit of one payment) is listed for finance with the reason',
        body: z.string().min(1),
        response: { 200: importResultSchema, ...s.problemResponses },
      },
    },
    async (request) => {
      const caller = staffOf(request);
      let statements;
      try {
        statements = parseCamt053(request.body);
      } catch (error) {
        if (error instanceof CamtError) throw badRequest(excerpt(error.message), [{ path: 'body', message: excerpt(error.message) }]);
        throw error;
      }
      const result: ImportResult = { booked: [], alreadyBooked: [], unmatched: [], alreadyResolved: [] };
      for (const statement of statements) {
        for (const entry of statement.entries) {
          if (entry.creditDebit !== 'CRDT' || entry.currency !== 'EUR') continue;
          await settleLine(result, {
            reference: `camt:${entry.entryReference}`,
            candidates: invoiceNumbersIn(entry.remittance),
            amountCents: entry.amountCents,
            paidOn: entry.bookingDate,
            remittance: entry.remittance,
            source: 'camt053',
            debtorName: entry.debtorName,
            debtorIban: entry.debtorIban,
            actor: caller.actor,
          });
        }
      }
      return result;
    },
  );

  routes.get(
    '/payments/unmatched',
    {
      config: { access: { roles: ['finance'] } },
      schema: {
        operationId: 'unmatchedPayments',
        tags,
        summary: "Imported lines that matched no single open invoice: finance's worklist, never guessed. Resolved lines leave it",
        querystring: z.object({
          status: z.enum(['open', 'resolved', 'all']).default('open').describe('open: still to resolve (the worklist); resolved: booked, not ours or refunded'),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: {
          200: z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), payments: z.array(unmatchedPaymentSchema) }),
          ...s.problemResponses,
        },
      },
    },
    async (request) => {
      const { status, limit, offset } = request.query;
      let query = db.selectFrom('unmatched_payments');
      if (status === 'open') query = query.where('resolution', 'is', null);
      if (status === 'resolved') query = query.where('resolution', 'is not', null);
      const [rows, counted] = await Promise.all([
        query.selectAll().orderBy('booking_date').orderBy('entry_reference').limit(limit).offset(offset).execute(),
        query.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow(),
      ]);
      const names = await namesOf(db, rows.map((r) => r.resolved_by));
      return { total: Number(counted.total), limit, offset, payments: rows.map((r) => toUnmatched(r, names)) };
    },
  );

  routes.post(
    '/payments/unmatched/:reference/resolution',
    {
      config: { access: { roles: ['finance'] } },
      schema: {
        operationId: 'resolveUnmatchedPayment',
        tags,
        summary:
          "Resolve a line on the worklist: book it to an invoice (the line's own reference is the payment id, so a re-import books nothing twice), " +
          'or mark it not ours, or refunded to the payer; recorded with who, when and the note. The same resolution again answers the recorded one',
        params: z.object({ reference: z.string().min(1).max(300).describe('the line\'s reference, e.g. camt:<entry reference> or a CSV paymentId') }),
        body: resolutionBody,
        response: { 200: unmatchedPaymentSchema, ...s.problemResponses },
      },
    },
    async (request) => {
      const caller = staffOf(request);
      const reference = request.params.reference;
      const body = request.body;
      const wanted = { resolution: body.resolution as Resolution, invoiceNumber: body.resolution === 'booked' ? body.invoiceNumber : null };
      // The line is locked while it is resolved: two clerks at once cannot book it and call it not ours.
      const resolved = await db.transaction().execute(async (trx) => {
        const line = await trx.selectFrom('unmatched_payments').selectAll().where('entry_reference', '=', reference).forUpdate().executeTakeFirst();
        if (!line) throw notFound(`no unmatched line ${reference}`);
        if (line.resolution !== null) {
          if (line.resolution === wanted.resolution && line.resolved_invoice_number === wanted.invoiceNumber) return line;
          const on = line.resolved_at ? new Date(line.resolved_at).toISOString() : '';
          throw conflict(`the line was resolved before: ${line.resolution}${line.resolved_invoice_number ? ` to ${line.resolved_invoice_number}` : ''} by ${line.resolved_by} at ${on}`);
        }
        if (body.resolution === 'booked') {
          const invoice = await invoiceRow(db, body.invoiceNumber);
          if (!invoice) throw validationProblem([{ path: 'body.invoiceNumber', message: `no invoice ${body.invoiceNumber}` }]);
          const other = await bookedTo(db, reference);
          if (other !== null && other !== invoice.invoice_number) throw conflict(`the line's reference was booked to invoice ${other}`);
          if (line.amount_cents <= 0 || line.amount_cents > MAX_PAYMENT_CENTS) throw conflict(`the line's amount cannot be booked as one payment (more than 0, at most ${centsToDecimal(MAX_PAYMENT_CENTS)})`);
          const future = paymentDateProblem(line.booking_date, today(), null);
          if (future) throw conflict(`the line cannot be booked yet: ${future}`);
          const tooEarly = paymentDateProblem(line.booking_date, today(), invoice.issue_date);
          if (tooEarly) throw validationProblem([{ path: 'body.invoiceNumber', message: `the line was ${tooEarly}` }]);
          await book(
            invoice,
            {
              paymentId: reference,
              amountCents: line.amount_cents,
              paidOn: line.booking_date,
              source: line.source === 'camt053' ? 'camt053' : 'csv',
              reference: line.remittance.slice(0, 500),
            },
            caller.actor,
          );
        }
        return trx
          .updateTable('unmatched_payments')
          .set({
            resolution: wanted.resolution,
            resolved_invoice_number: wanted.invoiceNumber,
            resolved_by: caller.actor,
            resolved_at: sql<Date>`now()`,
            resolution_note: body.note ?? null,
          })
          .where('entry_reference', '=', reference)
          .returningAll()
          .executeTakeFirstOrThrow();
      });
      return toUnmatched(resolved, await namesOf(db, [resolved.resolved_by]));
    },
  );

  /**
   * Match one imported line to exactly one open invoice and book it, or list it for finance with
   * the reason; never guess. A line finance resolved before, or whose reference was booked, is not
   * listed again.
   */
  async function settleLine(
    result: ImportResult,
    line: {
      reference: string;
      candidates: string[];
      amountCents: number;
      paidOn: string;
      remittance: string;
      source: 'csv' | 'camt053';
      debtorName: string | null;
      debtorIban: string | null;
      actor: string;
    },
  ): Promise<void> {
    const unmatched = async (reason: string) => {
      const booked = await bookedTo(db, line.reference);
      if (booked !== null) {
        await resolveAsBooked(db, line.reference, booked, line.actor, 'booked under its reference');
        result.alreadyBooked.push({ reference: line.reference, invoiceNumber: booked });
        return;
      }
      const listed = await db
        .insertInto('unmatched_payments')
        .values({
          entry_reference: line.reference,
          source: line.source,
          booking_date: line.paidOn,
          amount_cents: line.amountCents,
          debtor_name: line.debtorName,
          debtor_iban: line.debtorIban,
          remittance: line.remittance,
          reason,
        })
        .onConflict((oc) => oc.column('entry_reference').doNothing())
        .execute();
      if (Number(listed[0]?.numInsertedOrUpdatedRows ?? 0) === 0) {
        const before = await db
          .selectFrom('unmatched_payments')
          .select(['resolution', 'resolved_invoice_number'])
          .where('entry_reference', '=', line.reference)
          .executeTakeFirst();
        if (before?.resolution) {
          result.alreadyResolved.push({ reference: line.reference, resolution: before.resolution, invoiceNumber: before.resolved_invoice_number });
          return;
        }
      }
      result.unmatched.push({ reference: line.reference, amountCents: line.amountCents, remittance: line.remittance, reason });
    };
    if (line.candidates.length === 0) return unmatched('no invoice number in the payment reference');
    if (line.candidates.length > 1) return unmatched(`ambiguous: several invoice numbers (${line.candidates.join(', ')})`);
    const number = line.candidates[0]!;
    const invoice = await invoiceRow(db, number);
    if (!invoice) return unmatched(`no invoice ${number}`);
    if (await bookedTo(db, line.reference, number)) {
      await resolveAsBooked(db, line.reference, number, line.actor, 'booked under its reference');
      result.alreadyBooked.push({ reference: line.reference, invoiceNumber: number });
      return;
    }
    if (invoice.status !== 'open') return unmatched(`invoice ${number} is ${invoice.status}`);
    // A CSV file was checked as a whole before this; a bank statement's line that fails is listed.
    if (line.amountCents <= 0 || line.amountCents > MAX_PAYMENT_CENTS) {
      return unmatched(`amount ${centsToDecimal(line.amountCents)}: a payment is more than 0 and at most ${centsToDecimal(MAX_PAYMENT_CENTS)}`);
    }
    const dateProblem = paymentDateProblem(line.paidOn, today(), invoice.issue_date);
    if (dateProblem) return unmatched(`${dateProblem}: invoice ${number}`);
    let outcome: 'booked' | 'already_booked';
    try {
      outcome = await book(
        invoice,
        { paymentId: line.reference, amountCents: line.amountCents, paidOn: line.paidOn, source: line.source, reference: line.remittance.slice(0, 500) },
        line.actor,
      );
    } catch (error) {
      // The invoice was paid or credited since it was read: the line is listed with the reason.
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) return unmatched(error.cause.message);
      if (error instanceof HttpProblem && error.status === 409) return unmatched(error.message);
      throw error;
    }
    await resolveAsBooked(db, line.reference, number, line.actor, 'booked under its reference');
    if (outcome === 'already_booked') result.alreadyBooked.push({ reference: line.reference, invoiceNumber: number });
    else result.booked.push({ reference: line.reference, invoiceNumber: number, amountCents: line.amountCents });
  }
}
