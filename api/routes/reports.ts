import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import {
  caseReasons,
  caseReview,
  hotspots,
  lastWholeMonths,
  overdue,
  previousMonth,
  summary,
  summaryCsvColumns,
  summaryCsvRows,
  today,
} from '../../db/reports';
import { formulaSafeCast } from '../../domain/csv-cells';
import { badRequest } from '../problems';
import type { ApiDeps } from '../deps';
import * as s from '../schemas';

const { localDate } = s;
const { yearMonth } = s;
const count = z.number().int();
const cents = z.number().int().describe('euro cents');

/** Ten years is the longest period a report covers. */
const MAX_PERIOD_DAYS = 3660;

function assertPeriod(from: string, to: string, field = 'query'): void {
  if (from > to) throw badRequest('from is after to', [{ path: `${field}.from`, message: 'must be on or before to' }]);
  if ((Date.parse(to) - Date.parse(from)) / 86_400_000 > MAX_PERIOD_DAYS) {
    throw badRequest('the period is longer than ten years', [{ path: `${field}.to`, message: 'at most ten years after from' }]);
  }
}

const figuresSchema = z.object({
  reported: count.describe('incidents reported in the period'),
  open: count.describe('of those, still open'),
  returnedToComplainant: count.describe('closed as returned_to_complainant: a complaint the corporation does not take up'),
  selfResolved: count.describe('closed as self_cleaned: the polluter or the residents cleaned it themselves'),
  cleanedByCorporation: z
    .object({
      total: count,
      charged: count.describe('cleaned_and_charged: the polluter was invoiced'),
      serviceCosts: count.describe('cleaned_at_service_cost: charged to the households through the service costs'),
      ownCost: count.describe('cleaned_at_corporation_cost: the corporation bore the cost'),
    })
    .describe('closed after a contractor cleaned on the corporation\'s order'),
  dismissed: count.describe('closed as dismissed: a dispute was upheld'),
  cancelled: count,
  handled: count.describe('selfResolved + cleanedByCorporation.total + dismissed: closed, and taken up'),
  selfResolutionRate: z.number().nullable().describe('selfResolved / handled (0..1, 4 decimals); null when nothing was handled'),
  workingDaysToClose: z
    .object({
      median: count.nullable().describe('at least half of the handled incidents closed within this many working days'),
      p90: count.nullable().describe('at least nine in ten handled incidents closed within this many working days'),
    })
    .describe('working days after the report day up to and including the closing day, of handled incidents'),
  costs: z.object({
    incurredCents: cents.describe('what the contractors\' cleanups cost'),
    invoicedCents: cents.describe('invoiced to polluters (invoice totals)'),
    creditedCents: cents.describe('credited again by credit notes'),
    recoveredCents: cents.describe('paid on those invoices'),
    outstandingCents: cents.describe('still owed on open invoices, collection costs and interest included'),
    serviceCostsCents: cents.describe('charged to households through the service costs'),
  }),
  repeatOffences: count.describe('incidents whose warning was a repeat offence (the polluter\'s second or later within the window)'),
  tenancyEscalations: count.describe('incidents flagged for tenancy escalation'),
});

const summarySchema = z.object({
  from: z.string(),
  to: z.string(),
  groupBy: z.enum(['category', 'complex', 'month']).nullable(),
  groups: z.array(z.object({ key: z.string().describe('the category, the complex id, or the month (YYYY-MM)') }).extend(figuresSchema.shape)),
  total: figuresSchema,
});

const timelineSchema = z.object({
  position: count,
  streamId: z.string(),
  type: z.string(),
  recordedAt: z.string(),
  actor: z.string().nullable(),
  data: z.record(z.string(), z.unknown()).describe('the event; letters as their number'),
});

const caseSchema = z.object({
  incidentId: z.string(),
  category: z.string(),
  complexId: z.string(),
  buildingId: z.string(),
  location: z.string(),
  status: z.string(),
  outcome: z.string().nullable(),
  reportedAt: z.string(),
  closedAt: z.string().nullable(),
  polluterTenantId: z.string().nullable(),
  costCents: cents.nullable(),
  invoiceNumber: z.string().nullable(),
  offenceNumber: count.nullable(),
  deadlineExtensions: count,
  reasons: z.array(z.enum(caseReasons)),
  timeline: z.array(timelineSchema),
});

const hotspotSchema = z.object({
  key: z.string().describe('the complex or building id'),
  complexId: z.string().nullable(),
  households: count.describe('households in the directory'),
  incidents: count.describe('incidents taken up (not returned to the complainant, not cancelled) reported in the period'),
  incidentsPerHousehold: z.number().nullable(),
  previousIncidents: count.describe('the same, in the period of equal length just before'),
  previousIncidentsPerHousehold: z.number().nullable(),
  change: count.describe('incidents - previousIncidents'),
  trend: z.enum(['up', 'down', 'same', 'new']),
});

const overdueSchema = z.object({
  asOf: z.string(),
  contractorWorkingDays: count,
  needsAttention: z
    .object({
      total: count,
      items: z.array(
        z.object({
          kind: z.enum(['incident', 'invoice']),
          incidentId: z.string(),
          invoiceNumber: z.string().nullable(),
          step: z.string(),
          reason: z.string(),
          since: z.string(),
        }),
      ),
    })
    .describe('incidents and invoices whose process waits for a person: a step failed on its data'),
  inspectionsWaiting: z.object({
    total: count,
    items: z.array(
      z.object({
        incidentId: z.string(),
        incidentNumber: z.string().nullable(),
        category: z.string(),
        complexId: z.string(),
        buildingId: z.string(),
        location: z.string(),
        cleanupReportedAt: z.string(),
        workingDaysWaiting: count.nullable(),
      }),
    ),
  }),
  contractorsLate: z.object({
    total: count,
    items: z.array(
      z.object({
        incidentId: z.string(),
        incidentNumber: z.string().nullable(),
        category: z.string(),
        complexId: z.string(),
        buildingId: z.string(),
        contractorId: z.string().nullable(),
        orderedAt: z.string(),
        workingDaysSinceOrder: count.nullable(),
      }),
    ),
  }),
  invoicesInDunning: z.object({
    total: count,
    openCents: cents,
    items: z.array(
      z.object({
        invoiceNumber: z.string(),
        incidentId: z.string(),
        debtorTenantId: z.string(),
        dueDate: z.string(),
        payByDate: z.string(),
        stage: z.string(),
        openCents: cents,
        daysOverdue: count,
        dunningPaused: z.boolean(),
      }),
    ),
  }),
});

const untyped = (reply: unknown) => reply as FastifyReply;

/**
 * A large report (a thousand complexes, fifty timelines) as JSON text: built by our own code to the
 * documented schema, it skips the per-field response validation, which would take longer than
 * the query.
 */
function sendJson(reply: unknown, body: unknown) {
  return untyped(reply).type('application/json; charset=utf-8').send(Buffer.from(JSON.stringify(body)));
}

export function registerReportRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db } = deps;
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['reports'];

  routes.get(
    '/reports/summary',
    {
      config: { access: { roles: ['consultant', 'manager', 'admin'] } },
      schema: {
        operationId: 'reportSummary',
        tags,
        summary: 'Outcomes, self-resolution rate, working days to close, costs and repeat offences of the incidents reported in a period',
        querystring: z.object({
          from: localDate.describe('first report date, inclusive (YYYY-MM-DD, Amsterdam)'),
          to: localDate.describe('last report date, inclusive'),
          groupBy: z.enum(['category', 'complex', 'month']).optional().describe('one row per group besides the total'),
          format: z.enum(['json', 'csv']).default('json'),
        }),
        response: {
          200: {
            description: 'the figures per group and in total; CSV: a row per group and a last row "total", money in cents',
            content: { 'application/json': { schema: summarySchema }, 'text/csv': { schema: z.string().describe(`CSV with the columns ${summaryCsvColumns.join(',')}`) } },
          },
          ...s.problemResponses,
        },
      },
    },
    async (request, reply) => {
      const { from, to, groupBy, format } = request.query;
      assertPeriod(from, to);
      const report = await summary(db, { from, to, groupBy: groupBy ?? null });
      if (format === 'csv') {
        // The group is a complex id, a category or a month: text a spreadsheet must not take for a formula.
        const csv = stringify(summaryCsvRows(report), { header: true, columns: [...summaryCsvColumns], cast: formulaSafeCast(summaryCsvColumns, ['self_resolution_rate']) });
        return untyped(reply)
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="report-summary-${from}-${to}${groupBy ? `-by-${groupBy}` : ''}.csv"`)
          .send(csv);
      }
      return sendJson(reply, report);
    },
  );

  routes.get(
    '/reports/case-review',
    {
      config: { access: { roles: ['consultant', 'manager', 'admin'] } },
      schema: {
        operationId: 'reportCaseReview',
        tags,
        summary: 'Incidents worth discussing as a team, each with its timeline: cleaned by the corporation, dispute upheld, repeat offender, deadline extended, unknown polluter again',
        querystring: z.object({
          from: localDate.optional().describe('first report date (default: the first day of last month)'),
          to: localDate.optional().describe('last report date (default: the last day of last month)'),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: {
          200: z.object({ from: z.string(), to: z.string(), total: count, limit: count, offset: count, cases: z.array(caseSchema) }),
          ...s.problemResponses,
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const fallback = previousMonth();
      const from = q.from ?? fallback.from;
      const to = q.to ?? fallback.to;
      assertPeriod(from, to);
      return sendJson(reply, await caseReview(db, { from, to, limit: q.limit, offset: q.offset }));
    },
  );

  routes.get(
    '/reports/hotspots',
    {
      config: { access: { roles: ['consultant', 'manager', 'admin'] } },
      schema: {
        operationId: 'reportHotspots',
        tags,
        summary: 'Complexes and buildings by incidents per household, beside the period of equal length before',
        querystring: z.object({
          from: yearMonth.optional().describe('first month (YYYY-MM; default: three whole months ago)'),
          to: yearMonth.optional().describe('last month (YYYY-MM; default: last month)'),
          limit: z.coerce.number().int().min(1).max(500).default(20),
        }),
        response: {
          200: z.object({
            from: z.string(),
            to: z.string(),
            previousFrom: z.string(),
            previousTo: z.string(),
            complexes: z.array(hotspotSchema),
            buildings: z.array(hotspotSchema),
          }),
          ...s.problemResponses,
        },
      },
    },
    async (request) => {
      const fallback = lastWholeMonths(3);
      const from = request.query.from ?? fallback.from;
      const to = request.query.to ?? (request.query.from && request.query.from > fallback.to ? request.query.from : fallback.to);
      assertPeriod(`${from}-01`, `${to}-01`);
      return hotspots(db, { from, to, limit: request.query.limit });
    },
  );

  routes.get(
    '/reports/overdue',
    {
      config: { access: { roles: ['consultant', 'manager', 'admin'] } },
      schema: {
        operationId: 'reportOverdue',
        tags,
        summary: "The consultant's lists: inspections waiting, contractors late, invoices in dunning",
        querystring: z.object({
          asOf: localDate.optional().describe('the day to look from (default: today, Amsterdam)'),
          contractorDays: z.coerce.number().int().min(0).max(60).default(3).describe('a work order is late when not completed this many working days after the order day'),
          limit: z.coerce.number().int().min(1).max(500).default(100).describe('items per list, oldest first'),
        }),
        response: { 200: overdueSchema, ...s.problemResponses },
      },
    },
    async (request) => {
      const q = request.query;
      return overdue(db, { asOf: q.asOf ?? today(), contractorWorkingDays: q.contractorDays, limit: q.limit });
    },
  );
}
