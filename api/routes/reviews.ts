import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { today } from '../../db/reports';
import {
  agreementsOfMonth,
  lastingHorizons,
  lastingOutcomes,
  lastingSolutions,
  listAgreements,
  makeAgreement,
  markAgreementDone,
  recordConclusion,
  reviewCases,
  reviewReasons,
} from '../../db/reviews';
import { addCalendarDays } from '../../domain/calendar';
import { staffOf, type StaffCaller } from '../auth';
import { badRequest } from '../problems';
import type { ApiDeps } from '../deps';
import * as s from '../schemas';

const count = z.number().int();
const text = (max: number) => z.string().trim().min(1).max(max);

const conclusionSchema = z.object({ text: z.string(), by: z.string(), byName: z.string().describe('the name of who recorded it'), recordedAt: z.string() });

const reviewCaseSchema = z.object({
  incidentId: z.string(),
  category: z.string(),
  complexId: z.string(),
  buildingId: z.string(),
  location: z.string(),
  status: z.string(),
  phase: z.string(),
  outcome: z.string().nullable(),
  reportedAt: z.string(),
  reasons: z
    .array(z.enum(reviewReasons))
    .describe(
      'why it is on the agenda: needs_attention (a step waits for a person), tenancy_escalation (flagged), repeat_offender (second offence or later), disputed, dispute_upheld, escalated (a contractor was ordered), deadline_extended, unknown_polluter_again (an unknown polluter in the same building within 12 months)',
    ),
  conclusion: conclusionSchema.nullable().describe("the team's conclusion in this month's review"),
});

const agreementSchema = z.object({
  agreementId: z.string(),
  month: z.string().describe('the review (YYYY-MM) it was made in'),
  caseId: z.string().nullable().describe('the incident it is about; null: about the approach as a whole'),
  text: z.string(),
  owner: z.string().describe('who acts'),
  dueDate: z.string().describe('by when (YYYY-MM-DD)'),
  madeBy: z.string(),
  madeByName: z.string(),
  madeAt: z.string(),
  done: z.object({ at: z.string(), byName: z.string(), note: z.string().nullable() }).nullable(),
});

const monthParams = z.object({ month: s.yearMonth.describe('the month reviewed (YYYY-MM): the cases reported in it') });

const horizonSchema = z.object({
  months: count,
  judged: count.describe('incidents closed at least this many months before asOf: the others cannot be judged yet'),
  cameBack: count.describe('of those, how many had a new incident at the same building and category (not cancelled) within this many months of closing'),
  rate: z.number().nullable().describe('cameBack / judged (0..1, 4 decimals); null when none could be judged'),
});
const lastingFiguresSchema = z.object({ closed: count.describe('incidents closed in the period with this outcome'), horizons: z.array(horizonSchema) });
const lastingSchema = z.object({
  from: z.string(),
  to: z.string(),
  asOf: z.string(),
  outcomes: z.array(lastingFiguresSchema.extend({ outcome: z.enum(lastingOutcomes) })),
  total: lastingFiguresSchema,
});

export const lastingCsvColumns = ['outcome', 'closed', ...lastingHorizons.flatMap((n) => [`judged_${n}m`, `came_back_${n}m`, `rate_${n}m`])];

/** Who acted, as events record them: the actor, and the name people read. */
function actorOf(caller: StaffCaller): { by: string; byName: string } {
  return { by: caller.actor, byName: caller.kind === 'person' ? caller.person.name : caller.actor };
}

/** The team's case review (conclusions and agreements as events on review-<month>) and the lasting-solution report. */
export function registerReviewRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db } = deps;
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['reviews'];
  const team = { access: { roles: ['manager', 'consultant'] as const } };

  routes.get(
    '/reviews/agreements',
    {
      config: team,
      schema: {
        operationId: 'listReviewAgreements',
        tags,
        summary: 'Every agreement made in case reviews: open first (by due date), then done',
        querystring: z.object({
          status: z.enum(['open', 'done', 'all']).default('all'),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
        }),
        response: { 200: z.object({ total: count, open: count.describe('open agreements in all'), agreements: z.array(agreementSchema) }), ...s.problemResponses },
      },
    },
    async (request) => listAgreements(db, request.query),
  );

  routes.get(
    '/reviews/:month',
    {
      config: team,
      schema: {
        operationId: 'getReview',
        tags,
        summary: "A month's case review: the cases reported in it that are worth discussing, with their reasons and conclusions, and the agreements made",
        params: monthParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(100), offset: z.coerce.number().int().min(0).max(1_000_000).default(0) }),
        response: {
          200: z.object({
            month: z.string(),
            from: z.string(),
            to: z.string(),
            total: count.describe('cases in the month'),
            cases: z.array(reviewCaseSchema),
            agreements: z.array(agreementSchema).describe('the agreements made in this review'),
          }),
          ...s.problemResponses,
        },
      },
    },
    async (request) => {
      const [cases, agreements] = await Promise.all([
        reviewCases(db, { month: request.params.month, limit: request.query.limit, offset: request.query.offset }),
        agreementsOfMonth(db, request.params.month),
      ]);
      return { ...cases, agreements };
    },
  );

  routes.post(
    '/reviews/:month/conclusions',
    {
      config: team,
      schema: {
        operationId: 'recordReviewConclusion',
        tags,
        summary: "Record the team's conclusion on a case (an event CaseReviewConclusionRecorded on review-<month>; a later one replaces it)",
        params: monthParams,
        body: z.object({ caseId: text(100).describe('the incident'), conclusion: text(4000) }),
        response: { 200: conclusionSchema, ...s.problemResponses },
      },
    },
    async (request) => recordConclusion(db, { month: request.params.month, caseId: request.body.caseId, conclusion: request.body.conclusion, ...actorOf(staffOf(request)) }),
  );

  routes.post(
    '/reviews/:month/agreements',
    {
      config: team,
      schema: {
        operationId: 'makeReviewAgreement',
        tags,
        summary: 'Record an agreement made in the review: what, who acts, by when (an event CaseReviewAgreementMade)',
        params: monthParams,
        body: z.object({
          agreementId: z.uuid().optional().describe("the caller's id for it: sent again (a retry, a double click), the same agreement answers 200; with other content, 409"),
          caseId: text(100).nullable().optional().describe('the incident it is about; absent: the approach as a whole'),
          text: text(2000),
          owner: text(200).describe('who acts'),
          dueDate: s.localDate.describe('by when'),
        }),
        response: { 200: agreementSchema, 201: agreementSchema, ...s.problemResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const { agreement, created } = await makeAgreement(db, {
        agreementId: body.agreementId,
        month: request.params.month,
        caseId: body.caseId ?? null,
        text: body.text,
        owner: body.owner,
        dueDate: body.dueDate,
        ...actorOf(staffOf(request)),
      });
      return (reply as FastifyReply).status(created ? 201 : 200).send(agreement);
    },
  );

  routes.post(
    '/reviews/agreements/:agreementId/done',
    {
      config: team,
      schema: {
        operationId: 'markReviewAgreementDone',
        tags,
        summary: 'Mark an agreement done (an event CaseReviewAgreementDone); 409 when it already is',
        params: z.object({ agreementId: text(100) }),
        body: z.preprocess((b) => b ?? {}, z.object({ note: z.string().trim().max(2000).nullable().optional() })),
        response: { 200: agreementSchema, ...s.problemResponses },
      },
    },
    async (request) =>
      markAgreementDone(db, { agreementId: request.params.agreementId, note: request.body.note || null, ...actorOf(staffOf(request)) }),
  );

  routes.get(
    '/reports/lasting-solutions',
    {
      config: { access: { roles: ['manager', 'consultant', 'admin'] } },
      schema: {
        operationId: 'reportLastingSolutions',
        tags: ['reports'],
        summary:
          'Of the incidents closed in a period, by outcome: how many came back (a new incident at the same building and category) within 3, 6 and 12 months',
        querystring: z.object({
          from: s.localDate.optional().describe('first closing date, inclusive (default: a year before to)'),
          to: s.localDate.optional().describe('last closing date, inclusive (default: today, Amsterdam)'),
          asOf: s.localDate.optional().describe('the day to look from (default: today); a horizon counts only incidents closed at least that long before'),
          format: z.enum(['json', 'csv']).default('json'),
        }),
        response: {
          200: {
            description: 'per outcome and in total; CSV: a row per outcome and a last row "total", rates 0..1',
            content: { 'application/json': { schema: lastingSchema }, 'text/csv': { schema: z.string().describe(`CSV with the columns ${lastingCsvColumns.join(',')}`) } },
          },
          ...s.problemResponses,
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const asOf = q.asOf ?? today();
      const to = q.to ?? asOf;
      const from = q.from ?? addCalendarDays(to, -365);
      if (from > to) throw badRequest('from is after to', [{ path: 'query.from', message: 'must be on or before to' }]);
      if ((Date.parse(to) - Date.parse(from)) / 86_400_000 > 3660) throw badRequest('the period is longer than ten years', [{ path: 'query.to', message: 'at most ten years after from' }]);
      const report = await lastingSolutions(db, { from, to, asOf });
      if (q.format === 'csv') {
        const row = (key: string, f: (typeof report)['total']) => [key, f.closed, ...f.horizons.flatMap((h) => [h.judged, h.cameBack, h.rate ?? ''])];
        const csv = stringify([...report.outcomes.map((o) => row(o.outcome, o)), row('total', report.total)], { header: true, columns: lastingCsvColumns });
        return (reply as FastifyReply)
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="lasting-solutions-${from}-${to}.csv"`)
          .send(csv);
      }
      return report;
    },
  );
}
