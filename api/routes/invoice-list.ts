import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import { ageBuckets } from '../../db/billing-export';
import { addCalendarDays, amsterdamDate } from '../../domain/calendar';
import type { ApiDeps } from '../deps';
import * as s from '../schemas';
import { attentionOf } from './incidents';

const { localDate } = s;

/** The ages of the finance report (`GET /reports/finance/outstanding`), and the invoices handed to collections. */
export const invoiceAges = [...ageBuckets, 'collections'] as const;

const invoiceListItem = z.object({
  invoiceNumber: z.string(),
  incidentId: z.string(),
  debtorTenantId: z.string().describe("the tenant's contract number"),
  debtorName: z.string().nullable().describe('from the directory as it is now; null when the tenant is no longer in it'),
  issueDate: z.string(),
  dueDate: z.string(),
  payByDate: z.string().describe('the date by which the current dunning stage asks for payment'),
  status: z.enum(['open', 'paid', 'credited']),
  stage: z.string(),
  totalCents: z.number().int(),
  paidCents: z.number().int(),
  collectionCostsCents: z.number().int(),
  interestCents: z.number().int(),
  openCents: z.number().int().describe('still owed: total + collection costs + interest - paid on an open invoice, 0 otherwise'),
  creditNoteNumber: z.string().nullable(),
  refundDueCents: z.number().int(),
  daysPastDue: z.number().int().nullable().describe('open invoices: days from the due date to asOf (negative: not yet due); null otherwise'),
  dunningPaused: z.boolean(),
  attention: s.attentionSchema.nullable(),
});

const sumsSchema = z
  .object({
    totalCents: z.number().int(),
    paidCents: z.number().int(),
    openCents: z.number().int(),
    refundDueCents: z.number().int(),
  })
  .describe('over every invoice the filters select, not only this page');

/**
 * Finance's list of invoices, and a debtor's account: every invoice of one contract number with
 * what is open and the sums. Read from the invoices read model; newest invoice first.
 */
export function registerInvoiceListRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db } = deps;
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/invoices',
    {
      config: { access: { roles: ['finance', 'admin'] } },
      schema: {
        operationId: 'listInvoices',
        tags: ['billing'],
        summary: "Invoices, newest first, filtered by status, age past the due date and debtor (a debtor's account), paged, with the sums of the selection",
        querystring: z.object({
          status: z.enum(['open', 'paid', 'credited']).optional(),
          age: z
            .enum(invoiceAges)
            .optional()
            .describe('open invoices by days past the due date as of asOf, as in the finance report (collections: handed to collections, not aged)'),
          debtor: z.string().trim().min(1).max(100).optional().describe("the tenant's contract number: that debtor's invoices"),
          asOf: localDate.optional().describe('the day the ageing is counted to (default: today, Europe/Amsterdam)'),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
        }),
        response: {
          200: z.object({
            total: z.number().int(),
            limit: z.number().int(),
            offset: z.number().int(),
            asOf: z.string(),
            sums: sumsSchema,
            invoices: z.array(invoiceListItem),
          }),
          ...s.problemResponses,
        },
      },
    },
    async (request) => {
      const { status, age, debtor, limit, offset } = request.query;
      const asOf = request.query.asOf ?? amsterdamDate(new Date());
      let query = db.selectFrom('invoices as i');
      if (status) query = query.where('i.status', '=', status);
      if (debtor) query = query.where('i.debtor_tenant_id', '=', debtor);
      if (age) {
        query = query.where('i.status', '=', 'open');
        if (age === 'collections') query = query.where('i.stage', '=', 'collections');
        else {
          query = query.where('i.stage', '<>', 'collections').where('i.issue_date', '<=', asOf);
          // Days past due = asOf - due_date, in the buckets of the finance report.
          const dueOnOrAfter = (days: number) => addCalendarDays(asOf, -days);
          if (age === 'not_yet_due') query = query.where('i.due_date', '>', asOf);
          if (age === '0-30') query = query.where('i.due_date', '<=', asOf).where('i.due_date', '>=', dueOnOrAfter(30));
          if (age === '31-60') query = query.where('i.due_date', '<', dueOnOrAfter(30)).where('i.due_date', '>=', dueOnOrAfter(60));
          if (age === '61-90') query = query.where('i.due_date', '<', dueOnOrAfter(60)).where('i.due_date', '>=', dueOnOrAfter(90));
          if (age === '90+') query = query.where('i.due_date', '<', dueOnOrAfter(90));
        }
      }
      const [rows, summed] = await Promise.all([
        query
          .leftJoin('tenants as t', 't.contract_number', 'i.debtor_tenant_id')
          .selectAll('i')
          .select(['t.name as debtor_name', sql<number>`(${asOf}::date - i.due_date::date)`.as('days_past_due')])
          .orderBy('i.invoice_number', 'desc')
          .limit(limit)
          .offset(offset)
          .execute(),
        query
          .select([
            sql<number>`count(*)::int`.as('total'),
            sql<number>`coalesce(sum(i.total_cents), 0)::bigint`.as('total_cents'),
            sql<number>`coalesce(sum(i.paid_cents), 0)::bigint`.as('paid_cents'),
            sql<number>`coalesce(sum(i.open_cents), 0)::bigint`.as('open_cents'),
            sql<number>`coalesce(sum(i.refund_due_cents), 0)::bigint`.as('refund_due_cents'),
          ])
          .executeTakeFirstOrThrow(),
      ]);
      return {
        total: Number(summed.total),
        limit,
        offset,
        asOf,
        sums: {
          totalCents: Number(summed.total_cents),
          paidCents: Number(summed.paid_cents),
          openCents: Number(summed.open_cents),
          refundDueCents: Number(summed.refund_due_cents),
        },
        invoices: rows.map((r) => ({
          invoiceNumber: r.invoice_number,
          incidentId: r.incident_id,
          debtorTenantId: r.debtor_tenant_id,
          debtorName: r.debtor_name ?? null,
          issueDate: r.issue_date,
          dueDate: r.due_date,
          payByDate: r.pay_by_date,
          status: r.status,
          stage: r.stage,
          totalCents: Number(r.total_cents),
          paidCents: Number(r.paid_cents),
          collectionCostsCents: Number(r.collection_costs_cents),
          interestCents: Number(r.interest_cents),
          openCents: Number(r.open_cents),
          creditNoteNumber: r.credit_note_number,
          refundDueCents: Number(r.refund_due_cents),
          daysPastDue: r.status === 'open' ? Number(r.days_past_due) : null,
          dunningPaused: r.dunning_paused,
          attention: attentionOf(r),
        })),
      };
    },
  );
}
