import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import { categorySchema } from '../../domain/policy';
import { roundPlanSchema } from '../../domain/round-plan';
import { amsterdamDate, addCalendarDays } from '../../domain/calendar';
import { checkRoundPlan, listRounds, recurrenceByRounds, roundPlanOf, roundPlans, roundWithSpaces, saveRoundPlan, supervisionReport } from '../../db/rounds';
import {
  completeRoundUpdate,
  markInOrderUpdate,
  pauseRoundUpdate,
  recordFindingUpdate,
  resumeRoundUpdate,
  roundWorkflowId,
  type RoundUpdateResult,
} from '../../workflows/round-messages';
import { staffOf } from '../auth';
import { badRequest, conflict, notFound } from '../problems';
import type { ApiDeps } from '../deps';
import * as s from '../schemas';
import { executeUpdate, idempotencyHeaders, updateIdFor, updateIdOf } from '../temporal-calls';
import { nextRoundTimes, saveRoundSchedule, triggerRound } from '../round-schedules';
import type { ReportIncident } from './incidents';

const id = z.string().trim().min(1).max(100);
/** A round's id is its complex and the time its schedule started it (round-<complex>-<time> is its workflow). */
const roundId = z.string().min(1).max(200);
const count = z.number().int();
const share = z.number().nullable().describe('a fraction from 0 to 1 (null when there is nothing to divide by)');

const storedPlanSchema = roundPlanSchema.safeExtend({
  complexId: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
  scheduleId: z.string().describe('the Temporal Schedule that starts its rounds: round-plan-<complexId>'),
  nextRounds: z.array(z.string()).describe('the next times the schedule starts a round (at most 3)'),
});

const roundSchema = z.object({
  roundId: z.string(),
  complexId: z.string(),
  consultant: z.string().describe('the subject of the consultant who walks it'),
  plannedDate: z.string().describe('the working day it is planned for (YYYY-MM-DD)'),
  dueDate: z.string().describe('the last day to walk it; after it the round is overdue'),
  due: z.string(),
  status: z.enum(['open', 'paused', 'completed']),
  overdue: z.boolean(),
  spacesTotal: count,
  spacesMarked: count,
  spacesInOrder: count,
  spacesWithFindings: count,
  findings: count,
  completedAt: z.string().nullable(),
  onTime: z.boolean().nullable(),
});

const roundDetailSchema = roundSchema.extend({
  spaces: z.array(
    z.object({
      buildingId: z.string(),
      position: count.describe('the space within its building, in walking order from 1'),
      name: z.string(),
      result: z.enum(['in_order', 'finding']).nullable(),
      markedAt: z.string().nullable(),
      findings: z.array(
        z.object({
          findingId: z.string(),
          category: z.string(),
          incidentId: z.string(),
          incidentNumber: z.string().nullable(),
          polluterKnown: z.boolean(),
          recordedAt: z.string(),
        }),
      ),
    }),
  ),
});

const actionAnswer = z.object({ roundId: z.string(), streamVersion: count, status: z.enum(['open', 'paused', 'completed']) });

const spaceBody = z.object({ buildingId: id, position: z.number().int().positive() });

const findingBody = spaceBody.extend({
  findingId: z
    .string()
    .regex(/^[A-Za-z0-9-]{8,64}$/, 'letters, digits and dashes, 8 to 64')
    .describe('made by the client when the finding is noted: sending it again (a weak connection) records it once'),
  category: categorySchema,
  note: z.string().trim().max(2000).default('').describe('what was found; no names'),
  polluterTenantId: id.nullable().optional().describe('contract number of the polluter, when known'),
  photoIds: z.array(id).max(4).optional().describe('photos uploaded with POST /photos, at most 4'),
});

const findingAnswer = z.object({
  findingId: z.string(),
  incidentId: z.string(),
  incidentNumber: z.string().nullable(),
  duplicateOf: z.string().nullable().describe('the open incident on the same space that the finding was linked to'),
  round: actionAnswer,
});

const MAX_PERIOD_DAYS = 3660;
function assertPeriod(from: string, to: string): void {
  if (from > to) throw badRequest('from is after to', [{ path: 'query.from', message: 'must be on or before to' }]);
  if ((Date.parse(to) - Date.parse(from)) / 86_400_000 > MAX_PERIOD_DAYS) throw badRequest('the period is longer than ten years', [{ path: 'query.to', message: 'at most ten years after from' }]);
}

/** Supervision rounds: the plans (and their schedules), the rounds and their walk, and what the team learns from them. */
export function registerRoundRoutes(app: FastifyInstance, deps: ApiDeps, reportIncident: ReportIncident): void {
  const { db, temporal, config } = deps;
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['rounds'];

  async function withSchedule(plan: NonNullable<Awaited<ReturnType<typeof roundPlanOf>>>) {
    return { ...plan, scheduleId: `round-plan-${plan.complexId}`, nextRounds: await nextRoundTimes(temporal, plan.complexId) };
  }

  routes.put(
    '/rounds/plans/:complexId',
    {
      config: { access: { roles: ['consultant', 'admin'] } },
      schema: {
        operationId: 'saveRoundPlan',
        tags,
        summary: "Plan a complex's supervision rounds: its buildings and their shared spaces in walking order, how often, by whom; makes or updates its Temporal Schedule",
        params: z.object({ complexId: id }),
        body: roundPlanSchema,
        response: { 200: storedPlanSchema, ...s.problemResponses },
      },
    },
    async (request) => {
      const caller = staffOf(request);
      const { complexId } = request.params;
      await checkRoundPlan(db, complexId, request.body);
      const plan = await saveRoundPlan(db, complexId, request.body, caller.actor);
      await saveRoundSchedule(temporal, config.temporal.taskQueue, complexId, request.body);
      return withSchedule(plan);
    },
  );

  routes.get(
    '/rounds/plans',
    {
      config: { access: { roles: ['consultant', 'admin', 'manager'] } },
      schema: { operationId: 'listRoundPlans', tags, response: { 200: z.object({ plans: z.array(roundPlanSchema.safeExtend({ complexId: z.string(), updatedAt: z.string(), updatedBy: z.string() })) }), ...s.problemResponses } },
    },
    async () => ({ plans: await roundPlans(db) }),
  );

  routes.get(
    '/rounds/plans/:complexId',
    {
      config: { access: { roles: ['consultant', 'admin', 'manager'] } },
      schema: { operationId: 'getRoundPlan', tags, params: z.object({ complexId: id }), response: { 200: storedPlanSchema, ...s.problemResponses } },
    },
    async (request) => {
      const plan = await roundPlanOf(db, request.params.complexId);
      if (!plan) throw notFound(`no round plan for complex ${request.params.complexId}`);
      return withSchedule(plan);
    },
  );

  routes.post(
    '/rounds/plans/:complexId/trigger',
    {
      config: { access: { roles: ['consultant', 'admin'] } },
      schema: {
        operationId: 'triggerRound',
        tags,
        summary: 'Start a round of the complex now, outside its beat (the schedule starts it as it would on time)',
        params: z.object({ complexId: id }),
        response: { 202: z.object({ complexId: z.string(), scheduleId: z.string() }), ...s.problemResponses },
      },
    },
    async (request, reply) => {
      const { complexId } = request.params;
      if (!(await roundPlanOf(db, complexId))) throw notFound(`no round plan for complex ${complexId}`);
      await triggerRound(temporal, complexId);
      return reply.status(202).send({ complexId, scheduleId: `round-plan-${complexId}` });
    },
  );

  routes.get(
    '/rounds',
    {
      config: { access: { roles: ['consultant', 'admin', 'manager'] } },
      schema: {
        operationId: 'listRounds',
        tags,
        summary: 'Rounds: open ones by the day they are due, others newest first',
        querystring: z.object({
          consultant: id.optional().describe("a consultant's subject; `me`: the signed-in person's"),
          complexId: id.optional(),
          status: z.enum(['open', 'completed']).optional().describe('open: not completed (open or paused)'),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          offset: z.coerce.number().int().min(0).max(100_000).default(0),
        }),
        response: { 200: z.object({ rounds: z.array(roundSchema), total: count }), ...s.problemResponses },
      },
    },
    async (request) => {
      const caller = staffOf(request);
      const q = request.query;
      let consultant = q.consultant;
      if (consultant === 'me') {
        if (caller.kind !== 'person') throw badRequest('only a signed-in person has rounds of their own', [{ path: 'query.consultant', message: 'name a consultant' }]);
        consultant = caller.person.subject;
      }
      return listRounds(db, { ...(consultant ? { consultant } : {}), ...(q.complexId ? { complexId: q.complexId } : {}), ...(q.status ? { status: q.status } : {}), limit: q.limit, offset: q.offset });
    },
  );

  routes.get(
    '/rounds/:roundId',
    {
      config: { access: { roles: ['consultant', 'admin', 'manager'] } },
      schema: { operationId: 'getRound', tags, params: z.object({ roundId }), response: { 200: roundDetailSchema, ...s.problemResponses } },
    },
    async (request) => {
      const round = await roundWithSpaces(db, request.params.roundId);
      if (!round) throw notFound(`no round ${request.params.roundId}`);
      return round;
    },
  );

  async function update<Args>(id: string, definition: UpdateDefinition<RoundUpdateResult, [Args]>, args: Args, updateId: string | undefined) {
    const result = await executeUpdate(temporal, roundWorkflowId(id), definition, args, updateId).catch(async (error: unknown) => {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      const row = await db.selectFrom('rounds').select('status').where('round_id', '=', id).executeTakeFirst();
      if (row?.status === 'completed') throw conflict('the round is completed');
      throw notFound(`no round ${id}`);
    });
    const state = result.state;
    return { roundId: id, streamVersion: result.streamVersion, status: state.status === 'none' ? ('open' as const) : state.status };
  }

  const action = (path: string, operationId: string, summary: string, definition: UpdateDefinition<RoundUpdateResult, [{ by: string }]>) =>
    routes.post(
      `/rounds/:roundId/${path}`,
      {
        config: { access: { roles: ['consultant'] } },
        schema: { operationId, tags, summary, params: z.object({ roundId }), headers: idempotencyHeaders, response: { 200: actionAnswer, ...s.problemResponses } },
      },
      async (request) => {
        const caller = staffOf(request);
        const wid = roundWorkflowId(request.params.roundId);
        return update(request.params.roundId, definition, { by: caller.actor }, updateIdOf(request, definition.name, wid));
      },
    );
  action('pause', 'pauseRound', 'Pause the walk (continue later: marking a space, or resume, takes it up again)', pauseRoundUpdate);
  action('resume', 'resumeRound', 'Resume a paused walk', resumeRoundUpdate);
  action('completion', 'completeRound', 'The round is walked: every space is marked in order or has a finding', completeRoundUpdate);

  routes.post(
    '/rounds/:roundId/spaces/in-order',
    {
      config: { access: { roles: ['consultant'] } },
      schema: {
        operationId: 'markSpaceInOrder',
        tags,
        summary: 'A space of the round is in order (marking it again changes nothing)',
        params: z.object({ roundId }),
        headers: idempotencyHeaders,
        body: spaceBody,
        response: { 200: actionAnswer, ...s.problemResponses },
      },
    },
    async (request) => {
      const caller = staffOf(request);
      const wid = roundWorkflowId(request.params.roundId);
      return update(request.params.roundId, markInOrderUpdate, { ...request.body, by: caller.actor }, updateIdOf(request, markInOrderUpdate.name, wid));
    },
  );

  routes.post(
    '/rounds/:roundId/findings',
    {
      config: { access: { roles: ['consultant'] } },
      schema: {
        operationId: 'recordFinding',
        tags,
        summary:
          'A finding at a space of the round: it becomes an incident exactly as a report would (POST /incidents), found by supervision; sent again with the same findingId, it is the same finding and the same incident',
        params: z.object({ roundId }),
        body: findingBody,
        response: { 200: findingAnswer, 201: findingAnswer, ...s.problemResponses },
      },
    },
    async (request, reply) => {
      const caller = staffOf(request);
      const body = request.body;
      const round = await roundWithSpaces(db, request.params.roundId);
      if (!round) throw notFound(`no round ${request.params.roundId}`);
      const space = round.spaces.find((sp) => sp.buildingId === body.buildingId && sp.position === body.position);
      if (!space) throw badRequest(`no space ${body.position} of building ${body.buildingId} in this round`, [{ path: 'body.position', message: 'not a space of this round' }]);
      const recorded = space.findings.find((f) => f.findingId === body.findingId);
      const wid = roundWorkflowId(round.roundId);
      if (recorded) {
        // Sent again after it was recorded: the same answer, nothing twice.
        return reply.status(200).send({
          findingId: body.findingId,
          incidentId: recorded.incidentId,
          incidentNumber: recorded.incidentNumber,
          duplicateOf: null,
          round: { roundId: round.roundId, streamVersion: 0, status: round.status },
        });
      }
      if (round.status === 'completed') throw conflict('the round is completed');
      if (space.result === 'in_order') throw conflict(`${space.name} was marked in order in this round`);
      const key = `round-finding:${body.findingId}`;
      // An earlier attempt that reported the incident (its photos uploaded anew since): that incident, not a conflict.
      const earlier = await db.selectFrom('idempotency_keys').select(['incident_id', 'incident_number', 'linked_as_duplicate']).where('key', '=', key).executeTakeFirst();
      const report = earlier
        ? { status: 200 as const, body: { incidentId: earlier.incident_id, incidentNumber: earlier.incident_number, duplicateOf: earlier.linked_as_duplicate ? earlier.incident_id : null } }
        : await reportIncident(
            caller,
            {
              category: body.category,
              complexId: round.complexId,
              buildingId: body.buildingId,
              location: space.name,
              description: body.note,
              polluterTenantId: body.polluterTenantId ?? null,
              complainantTenantId: null,
              ...(body.photoIds && body.photoIds.length > 0 ? { photoIds: body.photoIds } : {}),
            },
            key,
            { roundId: round.roundId },
          );
      const answer = await update(
        round.roundId,
        recordFindingUpdate,
        {
          findingId: body.findingId,
          buildingId: body.buildingId,
          position: body.position,
          category: body.category,
          incidentId: report.body.incidentId,
          polluterKnown: Boolean(body.polluterTenantId),
          by: caller.actor,
        },
        updateIdFor(body.findingId, recordFindingUpdate.name, wid),
      );
      return reply.status(earlier ? 200 : 201).send({ findingId: body.findingId, ...report.body, round: answer });
    },
  );

  // What the team learns: how much of the enforcement came from supervision, rounds on time, the liveability trend.
  routes.get(
    '/reports/supervision',
    {
      config: { access: { roles: ['consultant', 'admin', 'manager'] } },
      schema: {
        operationId: 'reportSupervision',
        tags: ['reports'],
        summary: 'Incidents found by supervision against complaints per complex and month; rounds done on time per complex; spaces in order per round and building',
        querystring: z.object({
          from: s.localDate.optional().describe('first day (default: a year before to)'),
          to: s.localDate.optional().describe('last day (default: today)'),
          complexId: id.optional(),
        }),
        response: {
          200: z.object({
            from: z.string(),
            to: z.string(),
            incidents: z.object({
              complaint: count,
              supervision: count,
              supervisionShare: share,
              byComplexAndMonth: z.array(z.object({ complexId: z.string(), month: z.string(), complaint: count, supervision: count })),
            }),
            rounds: z.array(z.object({ complexId: z.string(), due: count, completed: count, onTime: count, overdue: count, open: count, onTimeShare: share })),
            liveability: z.array(
              z.object({ roundId: z.string(), complexId: z.string(), buildingId: z.string(), plannedDate: z.string(), spaces: count, inOrder: count, inOrderShare: share }),
            ),
          }),
          ...s.problemResponses,
        },
      },
    },
    async (request) => {
      const to = request.query.to ?? amsterdamDate(new Date());
      const from = request.query.from ?? addCalendarDays(to, -364);
      assertPeriod(from, to);
      return supervisionReport(db, { from, to, ...(request.query.complexId ? { complexId: request.query.complexId } : {}) });
    },
  );

  routes.get(
    '/reports/recurrence-by-rounds',
    {
      config: { access: { roles: ['consultant', 'admin', 'manager'] } },
      schema: {
        operationId: 'reportRecurrenceByRounds',
        tags: ['reports'],
        summary: 'Whether regular rounds lower recurrence: incidents closed in the period, split by a round completed in their complex within the months after, and how many came back',
        querystring: z.object({
          from: s.localDate,
          to: s.localDate,
          asOf: s.localDate.optional().describe('judge up to this day (default: today)'),
          months: z.coerce.number().int().min(1).max(24).default(6),
        }),
        response: {
          200: z.object({
            months: count,
            withRounds: z.object({ judged: count, cameBack: count, rate: share }),
            withoutRounds: z.object({ judged: count, cameBack: count, rate: share }),
          }),
          ...s.problemResponses,
        },
      },
    },
    async (request) => {
      const q = request.query;
      assertPeriod(q.from, q.to);
      return recurrenceByRounds(db, { from: q.from, to: q.to, asOf: q.asOf ?? amsterdamDate(new Date()), months: q.months });
    },
  );
}
