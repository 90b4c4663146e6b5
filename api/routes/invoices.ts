import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import { readStream } from '../../db/event-store';
import type { Db } from '../../db/connection';
import { parseCamt053, invoiceNumbersIn, CamtError } from '../../activities/camt053';
import { parseEuroAmountCents } from '../../domain/money';
import {
  creditInvoiceUpdate,
  invoiceWorkflowId,
  registerPaymentUpdate,
  resolveInvoiceAttentionUpdate,
  type InvoiceUpdateResult,
} from '../../workflows/messages';
import { staffOf } from '../auth';
import { badRequest, conflict, excerpt, notFound } from '../problems';
import type { ApiDeps } from '../app';
import * as s from '../schemas';
import { attentionOf } from './incidents';
import { executeUpdate } from '../temporal-calls';

const invoiceNumber = z.string().regex(/^\d{4}-\d{6}$/, 'expected an invoice number such as 2026-000123');
const localDate = z.iso.date();

const paymentBody = z.object({
  amountCents: z.number().int().positive().max(100_000_000),
  paidOn: localDate,
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
  dunningPaused: z.boolean(),
  attention: s.attentionSchema.nullable().describe('set while a step failed on its data and waits for a person'),
  payments: z.array(z.object({ paymentId: z.string(), amountCents: z.number().int(), paidOn: z.string(), source: z.string(), reference: z.string().nullable() })),
  timeline: z.array(z.object({ type: z.string(), recordedAt: z.string(), data: z.record(z.string(), z.unknown()) })),
});

const importResultSchema = z.object({
  booked: z.array(z.object({ reference: z.string(), invoiceNumber: z.string(), amountCents: z.number().int() })),
  alreadyBooked: z.array(z.object({ reference: z.string(), invoiceNumber: z.string() })),
  unmatched: z.array(z.object({ reference: z.string(), amountCents: z.number().int(), remittance: z.string(), reason: z.string() })),
});

type ImportResult = z.infer<typeof importResultSchema>;

async function invoiceRow(db: Db, number: string) {
  return db.selectFrom('invoices').selectAll().where('invoice_number', '=', number).executeTakeFirst();
}

export function registerInvoiceRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db, temporal } = deps;
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['billing'];

  async function update<Args>(number: string, definition: UpdateDefinition<InvoiceUpdateResult, [Args]>, args: Args) {
    const invoice = await invoiceRow(db, number);
    if (!invoice) throw notFound(`no invoice ${number}`);
    return executeUpdate(temporal, invoiceWorkflowId(invoice.incident_id, number), definition, args);
  }

  /** Book one payment, once: a payment id seen before books nothing and says so. */
  async function book(
    number: string,
    payment: { paymentId: string; amountCents: number; paidOn: string; source: 'manual' | 'csv' | 'camt053'; reference: string | null },
    registeredBy: string,
  ): Promise<'booked' | 'already_booked'> {
    const seen = await db.selectFrom('payments').select('payment_id').where('invoice_number', '=', number).where('payment_id', '=', payment.paymentId).executeTakeFirst();
    if (seen) return 'already_booked';
    const invoice = await invoiceRow(db, number);
    if (!invoice) throw notFound(`no invoice ${number}`);
    if (invoice.status !== 'open') throw conflict(`invoice ${number} is ${invoice.status}`);
    await update(number, registerPaymentUpdate, { ...payment, registeredBy });
    return 'booked';
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
        readStream(db, `invoice-${invoice.invoice_number}`),
      ]);
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
        openCents:
          invoice.status === 'open' ? invoice.total_cents + invoice.collection_costs_cents + invoice.interest_cents - invoice.paid_cents : 0,
        creditNoteNumber: invoice.credit_note_number,
        dunningPaused: invoice.dunning_paused,
        attention: attentionOf(invoice),
        payments: payments.map((p) => ({ paymentId: p.payment_id, amountCents: p.amount_cents, paidOn: p.paid_on, source: p.source, reference: p.reference })),
        timeline: timeline.map((e) => ({ type: e.event.type, recordedAt: e.recordedAt.toISOString(), data: e.event.data as Record<string, unknown> })),
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
      const outcome = await book(
        request.params.number,
        { paymentId, amountCents: request.body.amountCents, paidOn: request.body.paidOn, source: 'manual', reference: request.body.reference ?? null },
        caller.actor,
      );
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
        body: z.object({ reason: z.string().trim().min(1).max(1000) }),
        response: { 200: z.object({ invoiceNumber: z.string(), creditNoteNumber: z.string() }), ...s.problemResponses },
      },
    },
    async (request) => {
      const caller = staffOf(request);
      const invoice = await invoiceRow(db, request.params.number);
      if (!invoice) throw notFound(`no invoice ${request.params.number}`);
      if (invoice.status !== 'open') throw conflict(`invoice ${request.params.number} is ${invoice.status}`);
      const result = await update(request.params.number, creditInvoiceUpdate, { reason: request.body.reason, creditedBy: caller.actor });
      return { invoiceNumber: request.params.number, creditNoteNumber: result.creditNoteNumber ?? '' };
    },
  );

  routes.post(
    '/payments/imports',
    {
      config: { access: { roles: ['finance'] } },
      bodyLimit: 8 * 1024 * 1024, // 50,000 lines
      schema: {
        operationId: 'importPayments',
        tags,
        summary: 'Bulk payments as text/csv: invoiceNumber,amount,paidOn,reference,paymentId (amount in euros, e.g. 187.50)',
        body: z
          .array(
            z.object({
              invoiceNumber: z.string().trim(),
              amount: z.string().trim().regex(/^\d+([.,]\d{1,2})?$/, 'expected an amount in euros such as 187.50'),
              paidOn: localDate,
              reference: z.string().trim().optional(),
              paymentId: z.string().trim().min(1),
            }),
          )
          .max(50_000),
        response: { 200: importResultSchema, ...s.problemResponses },
      },
    },
    async (request) => {
      const caller = staffOf(request);
      const result: ImportResult = { booked: [], alreadyBooked: [], unmatched: [] };
      for (const row of request.body) {
        const amountCents = parseEuroAmountCents(row.amount);
        await settleLine(result, {
          reference: row.paymentId,
          candidates: invoiceNumbersIn(row.invoiceNumber),
          amountCents,
          paidOn: row.paidOn,
          remittance: row.reference ?? row.invoiceNumber,
          source: 'csv',
          debtorName: null,
          debtorIban: null,
          actor: caller.actor,
        });
      }
      return result;
    },
  );

  routes.post(
    '/payments/bank-statements',
    {
      config: { access: { roles: ['finance'] } },
      bodyLimit: 32 * 1024 * 1024, // a month of a busy account's credits
      schema: {
        operationId: 'importBankStatement',
        tags,
        summary: 'A bank statement in ISO 20022 CAMT.053 (application/xml): credits matched on the invoice number in the remittance information',
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
      const result: ImportResult = { booked: [], alreadyBooked: [], unmatched: [] };
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
        summary: 'Imported lines that matched no single open invoice: for finance to book by hand, never guessed',
        response: {
          200: z.object({
            payments: z.array(
              z.object({
                reference: z.string(),
                source: z.string(),
                bookingDate: z.string(),
                amountCents: z.number().int(),
                debtorName: z.string().nullable(),
                debtorIban: z.string().nullable(),
                remittance: z.string(),
                reason: z.string(),
              }),
            ),
          }),
          ...s.problemResponses,
        },
      },
    },
    async () => {
      const rows = await db.selectFrom('unmatched_payments').selectAll().orderBy('booking_date').orderBy('entry_reference').execute();
      return {
        payments: rows.map((r) => ({
          reference: r.entry_reference,
          source: r.source,
          bookingDate: r.booking_date,
          amountCents: r.amount_cents,
          debtorName: r.debtor_name,
          debtorIban: r.debtor_iban,
          remittance: r.remittance,
          reason: r.reason,
        })),
      };
    },
  );

  /** Match one imported line to exactly one open invoice, or list it for finance; never guess. */
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
      await db
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
      result.unmatched.push({ reference: line.reference, amountCents: line.amountCents, remittance: line.remittance, reason });
    };
    if (line.candidates.length === 0) return unmatched('no invoice number in the payment reference');
    if (line.candidates.length > 1) return unmatched(`ambiguous: several invoice numbers (${line.candidates.join(', ')})`);
    const number = line.candidates[0]!;
    const invoice = await invoiceRow(db, number);
    if (!invoice) return unmatched(`no invoice ${number}`);
    const seen = await db.selectFrom('payments').select('payment_id').where('invoice_number', '=', number).where('payment_id', '=', line.reference).executeTakeFirst();
    if (seen) {
      result.alreadyBooked.push({ reference: line.reference, invoiceNumber: number });
      return;
    }
    if (invoice.status !== 'open') return unmatched(`invoice ${number} is ${invoice.status}`);
    await update(number, registerPaymentUpdate, {
      paymentId: line.reference,
      amountCents: line.amountCents,
      paidOn: line.paidOn,
      source: line.source,
      reference: line.remittance.slice(0, 500),
      registeredBy: line.actor,
    });
    result.booked.push({ reference: line.reference, invoiceNumber: number, amountCents: line.amountCents });
  }
}
