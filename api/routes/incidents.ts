import { attachPhotos, checkPhotos } from '../../db/photos';
import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import { readIncidentTimeline } from '../../db/event-store';
import { incidentSubject, subjectKeysOf } from '../../db/subject-keys';
import type { RawBuilder, Selectable } from 'kysely';
import type { IncidentsTable } from '../../db/schema';
import type { Db } from '../../db/connection';
import { categoryPolicy } from '../../domain/policy';
import { closedRefusal, disputeGoesTo } from '../../domain/incident';
import { amsterdamDate, amsterdamInstant, addCalendarDays } from '../../domain/calendar';
import { windowStart } from '../../domain/duration';
import {
  cancelUpdate,
  completeCleanupUpdate,
  identifyPolluterUpdate,
  incidentWorkflowId,
  linkDuplicateUpdate,
  openDisputeUpdate,
  recordInspectionUpdate,
  reportCleanupUpdate,
  resolveDisputeUpdate,
  resolveAttentionUpdate,
  creditInvoiceUpdate,
  invoiceWorkflowId,
  pauseDunningUpdate,
  resumeDunningUpdate,
  type InvoiceUpdateResult,
  type UpdateResult,
} from '../../workflows/messages';
import type { incidentWorkflow } from '../../workflows/incident';
import { callerOf, staffOf, type Caller } from '../auth';
import { badRequest, conflict, forbidden, notFound, unavailable } from '../problems';
import type { ApiDeps } from '../deps';
import * as s from '../schemas';
import { letterPdfUrl } from './letters';
import { namesOf } from '../sessions';
import { requireOwnWorkOrder } from './work-orders';
import { executeUpdate, idempotencyHeaders, updateIdFor, updateIdOf, withinTemporalLimit } from '../temporal-calls';
import { incidentSearchAttributes } from '../../workflows/search-attributes';
import { incidentWorkflowDetails, incidentWorkflowSummary } from '../../workflows/summaries';

/** `%text%` for LIKE, with LIKE's own wildcards in the text taken literally. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** '2026-123', '2026-00123' -> '2026-00123': the number as the read model keeps it. */
export function incidentNumberOf(text: string): string | null {
  const match = /^(\d{4})-0*(\d{1,9})$/.exec(text.trim());
  return match ? `${match[1]}-${match[2]!.padStart(5, '0')}` : null;
}

/**
 * The incidents a search finds: the place's text (location, building, complex) by its trigram
 * index, the polluter's contract number exactly (case aside), the incidents of the buildings whose
 * households' street and house number match (the tenants' trigram index), and the incident
 * number by its unique index (migration 2026-12-05T18-20, whose index expressions these are).
 *
 * One branch per way of finding, each read from its own index, together as UNION ALL; each branch
 * leaves out what an earlier one found, so that nothing is counted twice without a distinct over
 * the whole. A rare term is a few index lookups; a word in most locations is one sequential scan
 * (with the top rows kept by a heap sort), where an OR of the conditions would let the planner
 * walk the report date's index through every row for a rare one, and `id IN (union)` would probe
 * the primary key once per hit for a common one.
 */
function searchConditions(term: string) {
  const pattern = containing(term);
  const buildings = sql<string[]>`array(select distinct t.building_id from tenants t where (t.street || ' ' || t.house_number) ilike ${pattern})`;
  return {
    inText: sql<boolean>`(location || ' ' || building_id || ' ' || complex_id) ilike ${pattern}`,
    byPolluter: sql<boolean>`upper(polluter_tenant_id) = upper(${term})`,
    inBuildings: sql<boolean>`building_id = any(${buildings})`,
    byNumber: sql<boolean>`incident_number = ${incidentNumberOf(term) ?? term}`,
  };
}

/** The same search as one condition, for a walk along another index (many hits). */
function searchCondition(term: string) {
  const { inText, byPolluter, inBuildings, byNumber } = searchConditions(term);
  return sql<boolean>`(${inText} or ${byPolluter} or ${inBuildings} or ${byNumber})`;
}

/** How many hits a search counts; more are "at least" that many. */
export const SEARCH_COUNTED = 1000;

function searchedIncidents(db: Db, term: string) {
  const { inText, byPolluter, inBuildings, byNumber } = searchConditions(term);
  const branch = (found: RawBuilder<boolean>, ...before: RawBuilder<boolean>[]) =>
    db
      .selectFrom('incidents')
      .selectAll()
      .where(found)
      .where((eb) => eb.and(before.map((earlier) => eb(sql<boolean>`(${earlier})`, 'is not', sql.lit(true)))));
  const hits = branch(inText)
    .unionAll(branch(byPolluter, inText))
    .unionAll(branch(inBuildings, inText, byPolluter))
    .unionAll(branch(byNumber, inText, byPolluter, inBuildings));
  // The same columns as the table, under its name: the list's other filters and its order apply unchanged.
  return db.selectFrom(hits.as('incidents')) as unknown as ReturnType<typeof allIncidents>;
}

const allIncidents = (db: Db) => db.selectFrom('incidents');

function toIncident(row: Selectable<IncidentsTable>) {
  return {
    incidentId: row.incident_id,
    incidentNumber: row.incident_number,
    category: row.category,
    complexId: row.complex_id,
    buildingId: row.building_id,
    location: row.location,
    status: row.status,
    phase: row.phase,
    polluterTenantId: row.polluter_tenant_id,
    complainantTenantId: row.complainant_tenant_id,
    reportedAt: row.reported_at.toISOString(),
    deadline: row.deadline?.toISOString() ?? null,
    deadlineDate: row.deadline_date,
    dispute: row.dispute,
    contractorId: row.contractor_id,
    costCents: row.cost_cents,
    invoiceNumber: row.invoice_number,
    duplicateReports: row.duplicate_reports,
    tenancyEscalation: row.tenancy_escalation,
    outcome: row.outcome as z.infer<typeof s.incidentSchema>['outcome'],
    closedAt: row.closed_at?.toISOString() ?? null,
    attention: attentionOf(row),
    source: row.source === 'supervision' ? ('supervision' as const) : ('complaint' as const),
    roundId: row.round_id,
  };
}

export function attentionOf(row: { attention_step: string | null; attention_reason: string | null; attention_since: Date | null }) {
  return row.attention_since === null ? null : { step: row.attention_step ?? '', reason: row.attention_reason ?? '', since: row.attention_since.toISOString() };
}

/** The incident a report with this Idempotency-Key makes: a UUID (version 8) from the key's hash. */
export function incidentIdFor(idempotencyKey: string): string {
  const hex = createHash('sha256').update(`report\n${idempotencyKey}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A report through the same path as POST /incidents (a supervision round's finding uses it). */
export type ReportIncident = (
  caller: Caller,
  body: z.infer<typeof s.reportIncidentBody>,
  idempotencyKey: string | undefined,
  origin?: { roundId: string },
) => Promise<{ status: 200 | 201; body: z.infer<typeof s.reportedSchema> }>;

export function registerIncidentRoutes(app: FastifyInstance, deps: ApiDeps): { reportIncident: ReportIncident } {
  const { db, temporal, config } = deps;
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['incidents'];
  // Free text is sealed with the incident's key before it reaches Temporal or the event store (domain/sealed.ts).
  const keys = subjectKeysOf(db, config);
  const sealed = <T extends string | null | undefined>(incidentId: string, text: T) => keys.sealOptional(incidentSubject(incidentId), text);

  async function requireTenantExists(tenantId: string, field: string): Promise<void> {
    const found = await db.selectFrom('tenants').select('contract_number').where('contract_number', '=', tenantId).executeTakeFirst();
    if (!found) throw badRequest(`no tenant with contract number ${tenantId} in the directory`, [{ path: `body.${field}`, message: 'unknown contract number' }]);
  }

  /** A tenant's link acts only for the tenant who is currently asked to clean. */
  async function requireTheTenantAskedToClean(caller: Caller, incidentId: string): Promise<void> {
    if (caller.kind !== 'tenant') return;
    const incident = await db.selectFrom('incidents').select('polluter_tenant_id').where('incident_id', '=', incidentId).executeTakeFirst();
    if (incident && incident.polluter_tenant_id !== caller.link.tenantId) {
      throw forbidden('this link belongs to a tenant who is no longer the one asked to clean');
    }
  }

  /**
   * A command to the incident's workflow, whose validator decides it (domain/incident). A workflow
   * that has ended is a closed incident, refused as the domain refuses commands to one.
   */
  async function update<Args>(incidentId: string, definition: UpdateDefinition<UpdateResult, [Args]>, args: Args, request?: FastifyRequest) {
    const workflowId = incidentWorkflowId(incidentId);
    const updateId = request ? updateIdOf(request, definition.name, workflowId) : undefined;
    const result = await executeUpdate(temporal, workflowId, definition, args, updateId).catch(async (error: unknown) => {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      const row = await db.selectFrom('incidents').select(['status', 'outcome']).where('incident_id', '=', incidentId).executeTakeFirst();
      if (row?.status === 'closed') throw closedRefusal(row.outcome ?? 'closed');
      throw notFound(`no incident ${incidentId}`);
    });
    return {
      incidentId,
      streamVersion: result.streamVersion,
      status: result.state.status,
      phase: result.state.status === 'open' ? result.state.phase : null,
    };
  }

  /**
   * The incident's invoice, when it is issued and open and the incident is past its cleanup: being
   * settled (the invoice mailed, the incident not yet closed) or closed. A dispute then concerns the
   * invoice, and goes to the invoice workflow.
   */
  /** The incident's open invoice, when a dispute goes to it (domain: disputeGoesTo). */
  async function settledWithOpenInvoice(incidentId: string) {
    const row = await db
      .selectFrom('incidents as i')
      .innerJoin('invoices as v', 'v.invoice_number', 'i.invoice_number')
      .select(['i.status', 'i.phase', 'v.invoice_number', 'v.status as invoice_status', 'v.debtor_tenant_id', 'v.dunning_paused'])
      .where('i.incident_id', '=', incidentId)
      .executeTakeFirst();
    if (!row || disputeGoesTo(row, { status: row.invoice_status }) === 'incident') return null;
    return { invoiceNumber: row.invoice_number, debtor: row.debtor_tenant_id, paused: row.dunning_paused, status: row.status, phase: row.status === 'closed' ? null : row.phase };
  }

  async function invoiceUpdate<Args>(
    incidentId: string,
    invoiced: { invoiceNumber: string; status: string; phase: string | null },
    definition: UpdateDefinition<InvoiceUpdateResult, [Args]>,
    args: Args,
    request: FastifyRequest,
  ) {
    const workflowId = invoiceWorkflowId(incidentId, invoiced.invoiceNumber);
    let result: InvoiceUpdateResult;
    try {
      result = await executeUpdate(temporal, workflowId, definition, args, updateIdOf(request, definition.name, workflowId));
    } catch (error) {
      // Issued and being mailed: its workflow starts in a moment.
      if (error instanceof WorkflowNotFoundError) throw unavailable(`invoice ${invoiced.invoiceNumber} is being sent; try again shortly`, 2);
      throw error;
    }
    return { incidentId, streamVersion: result.streamVersion, status: invoiced.status, phase: invoiced.phase };
  }

  /**
   * A ruling retried with its Idempotency-Key whose first attempt reached the invoice's workflow:
   * that Update's own answer. Upheld, it credited the invoice (whose workflow then ended); rejected,
   * it resumed the dunning: either way the read model no longer shows a dispute on an open invoice,
   * and the retry would otherwise be refused (409) though the ruling was applied. Asked by the
   * Update's id, without sending it again: no Update by that id means a first attempt.
   */
  async function rulingAppliedBefore(incidentId: string, definition: { name: string }, request: FastifyRequest) {
    if (!request.headers['idempotency-key']) return null;
    const row = await db.selectFrom('incidents').select(['status', 'phase', 'invoice_number']).where('incident_id', '=', incidentId).executeTakeFirst();
    if (!row?.invoice_number) return null;
    const workflowId = invoiceWorkflowId(incidentId, row.invoice_number);
    const updateId = updateIdOf(request, definition.name, workflowId)!;
    try {
      const result = await withinTemporalLimit(temporal, () => temporal.workflow.getHandle(workflowId).getUpdateHandle<InvoiceUpdateResult>(updateId).result());
      return { incidentId, streamVersion: result.streamVersion, status: row.status, phase: row.status === 'closed' ? null : row.phase };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return null; // no such Update (or no such workflow): a first attempt
      throw error;
    }
  }

  /** The start of the window in which a new report on the same space is a duplicate. */
  function duplicateWindowStart(now: Date, category: Parameters<typeof categoryPolicy>[1]): Date {
    return windowStart(now, categoryPolicy(config.policy, category).duplicateWindow);
  }

  /**
   * A report, from the API or from a supervision round's finding (`origin`): the same path either
   * way (idempotency, duplicates, the incident's number and workflow), so that a finding becomes an
   * incident exactly as a report would, recorded as found by supervision.
   */
  async function reportIncident(caller: Caller, body: z.infer<typeof s.reportIncidentBody>, idempotencyKey: string | undefined, origin?: { roundId: string }) {
    const reported = (status: 200 | 201, answer: z.infer<typeof s.reportedSchema>) => ({ status, body: answer });
    if (body.polluterTenantId) await requireTenantExists(body.polluterTenantId, 'polluterTenantId');
    if (body.complainantTenantId) await requireTenantExists(body.complainantTenantId, 'complainantTenantId');
    const photoIds = body.photoIds ?? [];
    await checkPhotos(db, photoIds, caller.actor, null, 'body.photoIds');
    const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    const now = new Date();

    // Taken before the report's transaction: a number is never given twice, even if that transaction rolls back.
    const { rows: numbered } = await sql<{ number: string }>`select next_incident_number(${Number(amsterdamDate(now).slice(0, 4))}) as number`.execute(db);
    const incidentNumber = numbered[0]!.number;
    const decision = await db.transaction().execute(async (trx) => {
      // One report at a time per space, so that two simultaneous reports do not start two incidents.
      await sql`select pg_advisory_xact_lock(hashtext(${`${body.buildingId}/${body.category}`}))`.execute(trx);
      if (idempotencyKey) {
        const earlier = await trx.selectFrom('idempotency_keys').selectAll().where('key', '=', idempotencyKey).executeTakeFirst();
        if (earlier) {
          if (earlier.request_hash !== requestHash) throw conflict('this Idempotency-Key was used before with a different request');
          return { kind: 'replay' as const, incidentId: earlier.incident_id, duplicate: earlier.linked_as_duplicate, incidentNumber: earlier.incident_number };
        }
      }
      const since = duplicateWindowStart(now, body.category);
      // The register of reports, and the incidents themselves: a workflow started by an attempt whose
      // commit was lost records its incident all the same, and a retry without a key is its duplicate.
      const open =
        (await trx
          .selectFrom('incident_reports as r')
          .leftJoin('incidents as i', 'i.incident_id', 'r.incident_id')
          .select('r.incident_id')
          .where('r.building_id', '=', body.buildingId)
          .where('r.category', '=', body.category)
          .where('r.reported_at', '>=', since)
          .where((eb) => eb.or([eb('i.status', 'is', null), eb('i.status', '=', 'open')]))
          .orderBy('r.reported_at', 'desc')
          .limit(1)
          .executeTakeFirst()) ??
        (await trx
          .selectFrom('incidents')
          .select('incident_id')
          .where('building_id', '=', body.buildingId)
          .where('category', '=', body.category)
          .where('status', '=', 'open')
          .where('reported_at', '>=', since)
          .where('incident_id', '!=', idempotencyKey ? incidentIdFor(idempotencyKey) : '')
          .orderBy('reported_at', 'desc')
          .limit(1)
          .executeTakeFirst());
      if (open && categoryPolicy(config.policy, body.category).handled) {
        if (idempotencyKey) {
          await trx
            .insertInto('idempotency_keys')
            .values({ key: idempotencyKey, request_hash: requestHash, incident_id: open.incident_id, linked_as_duplicate: true })
            .execute();
        }
        return { kind: 'duplicate' as const, incidentId: open.incident_id };
      }
      // With a key, the incident's id (and so its workflow's) follows from the key: a retry after a
      // lost commit finds the workflow its first attempt started, instead of starting a second.
      const incidentId = idempotencyKey ? incidentIdFor(idempotencyKey) : randomUUID();
      await trx.insertInto('incident_reports').values({ incident_id: incidentId, building_id: body.buildingId, category: body.category, reported_at: now }).execute();
      if (idempotencyKey) {
        await trx.insertInto('idempotency_keys').values({ key: idempotencyKey, request_hash: requestHash, incident_id: incidentId, incident_number: incidentNumber }).execute();
      }
      const input = {
        incidentId,
        incidentNumber,
        category: body.category,
        complexId: body.complexId,
        buildingId: body.buildingId,
        location: body.location,
        description: await sealed(incidentId, body.description),
        polluterTenantId: body.polluterTenantId ?? null,
        complainantTenantId: body.complainantTenantId ?? null,
        reportedBy: caller.actor,
        reportedAt: now.toISOString(),
        ...(photoIds.length > 0 ? { photoIds } : {}),
        ...(origin ? { source: 'supervision' as const, roundId: origin.roundId } : {}),
      };
      // The workflow records the report (IncidentReported) as its first step: it is the stream's only writer.
      const workflowId = incidentWorkflowId(incidentId);
      // Started inside the transaction: when Temporal refuses, nothing of the report is kept.
      try {
        await withinTemporalLimit(temporal, () =>
          temporal.workflow.start<typeof incidentWorkflow>('incidentWorkflow', {
            taskQueue: config.temporal.taskQueue,
            workflowId,
            args: [input],
            // Found in the Temporal UI from the first moment (the workflow keeps the phase current).
            typedSearchAttributes: incidentSearchAttributes(input, 'reported'),
            staticSummary: incidentWorkflowSummary(input),
            staticDetails: incidentWorkflowDetails(input),
          }),
        );
      } catch (error) {
        // Started by an earlier attempt of this request (same key) whose commit was lost: its number is the incident's.
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        return { kind: 'started' as const, incidentId, numberTaken: false };
      }
      return { kind: 'started' as const, incidentId, numberTaken: true };
    });

    // A duplicate is linked by an Update whose id follows from the key: a retry links it once.
    const linkDuplicate = async (incidentId: string) =>
      executeUpdate(
        temporal,
        incidentWorkflowId(incidentId),
        linkDuplicateUpdate,
        {
          reportId: idempotencyKey ?? randomUUID(),
          reportedBy: caller.actor,
          description: await sealed(incidentId, body.description || body.location),
          // What the second report adds: the polluter it names, a complainant to acknowledge.
          polluterTenantId: body.polluterTenantId ?? null,
          complainantTenantId: body.complainantTenantId ?? null,
          ...(photoIds.length > 0 ? { photoIds } : {}),
        },
        idempotencyKey ? updateIdFor(idempotencyKey, 'linkDuplicate', incidentWorkflowId(incidentId)) : undefined,
      );
    // The photos are the incident's (the new one, or the one this report is a duplicate of).
    await attachPhotos(db, decision.incidentId, photoIds, caller.actor, 'body.photoIds');
    const known = (incidentId: string) => db.selectFrom('incidents').select(['status', 'incident_number']).where('incident_id', '=', incidentId).executeTakeFirst();
    if (decision.kind === 'duplicate') {
      await linkDuplicate(decision.incidentId);
      const target = await known(decision.incidentId);
      return reported(200, { incidentId: decision.incidentId, incidentNumber: target?.incident_number ?? null, duplicateOf: decision.incidentId });
    }
    if (decision.kind === 'replay') {
      // The first attempt may have stopped before its link: linked again, once, while the incident is open.
      const target = await known(decision.incidentId);
      if (decision.duplicate && target?.status === 'open') await linkDuplicate(decision.incidentId);
      return reported(200, {
        incidentId: decision.incidentId,
        incidentNumber: target?.incident_number ?? decision.incidentNumber,
        duplicateOf: decision.duplicate ? decision.incidentId : null,
      });
    }
    const number = decision.numberTaken ? incidentNumber : ((await known(decision.incidentId))?.incident_number ?? null);
    return reported(201, { incidentId: decision.incidentId, incidentNumber: number, duplicateOf: null });
  }

  routes.post(
    '/incidents',
    {
      config: { access: { roles: ['consultant'] } },
      schema: {
        operationId: 'reportIncident',
        tags,
        summary: 'Report an incident; a report on a space with an open incident is linked to it as a duplicate',
        headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
        body: s.reportIncidentBody,
        response: { 200: s.reportedSchema, 201: s.reportedSchema, ...s.problemResponses },
      },
    },
    async (request, reply) => {
      const answer = await reportIncident(staffOf(request), request.body, request.headers['idempotency-key']);
      return reply.status(answer.status).send(answer.body);
    },
  );

  routes.get(
    '/incidents',
    {
      config: { access: { roles: ['consultant', 'admin', 'manager'] } },
      schema: {
        operationId: 'listIncidents',
        tags,
        querystring: s.listIncidentsQuery,
        response: {
          200: z.object({
            incidents: z.array(s.incidentSchema),
            total: z.number().int(),
            totalIsAtLeast: z
              .boolean()
              .optional()
              .describe(`true when a search (q) found more than ${SEARCH_COUNTED} incidents: total is then ${SEARCH_COUNTED}, and a narrower search or a filter finds the rest`),
          }),
          ...s.problemResponses,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const filtered = (base: ReturnType<typeof allIncidents>) => {
        let query = base;
        if (q.status === 'needs_attention') query = query.where('attention_since', 'is not', null);
        else if (q.status) query = query.where('status', '=', q.status);
        if (q.category) query = query.where('category', '=', q.category);
        if (q.complexId) query = query.where('complex_id', '=', q.complexId);
        if (q.buildingId) query = query.where('building_id', '=', q.buildingId);
        if (q.from) query = query.where('reported_at', '>=', amsterdamInstant(q.from, '00:00'));
        if (q.to) query = query.where('reported_at', '<', amsterdamInstant(addCalendarDays(q.to, 1), '00:00'));
        if (q.phase) query = query.where('status', '=', 'open').where('phase', '=', q.phase);
        if (q.source) query = query.where('source', '=', q.source);
        if (q.deadlineFrom || q.deadlineTo) query = query.where('status', '=', 'open').where('deadline_date', 'is not', null);
        if (q.deadlineFrom) query = query.where('deadline_date', '>=', q.deadlineFrom);
        if (q.deadlineTo) query = query.where('deadline_date', '<=', q.deadlineTo);
        if (q.dispute === 'open') {
          // A dispute on the incident itself, or on its open invoice (which pauses the dunning): each a small partial index.
          query = query.where('incident_id', 'in', (eb) =>
            eb
              .selectFrom('incidents as d')
              .select('d.incident_id')
              .where('d.status', '=', 'open')
              .where('d.dispute', '=', 'open')
              .unionAll(eb.selectFrom('invoices as v').select('v.incident_id').where('v.status', '=', 'open').where('v.dunning_paused', '=', true)),
          );
        }
        return query;
      };
      if (q.q) {
        // A search counts its hits up to a limit: a few are read from the indexes and sorted; many (a
        // word in most locations) are found newest first along the report date's index, where the
        // first page is near, and counting them all would read every row.
        const term = q.q;
        const hits = filtered(searchedIncidents(db, term));
        const { n } = await db
          .selectFrom(hits.select(sql<number>`1`.as('one')).limit(SEARCH_COUNTED + 1).as('counted'))
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        const many = Number(n) > SEARCH_COUNTED;
        const listed = many ? filtered(allIncidents(db)).where(searchCondition(term)) : hits;
        const rows = await listed.selectAll().orderBy('reported_at', 'desc').orderBy('incident_id').limit(q.limit).offset(q.offset).execute();
        return { incidents: rows.map(toIncident), total: Math.min(Number(n), SEARCH_COUNTED), ...(many ? { totalIsAtLeast: true } : {}) };
      }
      const query = filtered(allIncidents(db));
      const [rows, count] = await Promise.all([
        query.selectAll().orderBy('reported_at', 'desc').orderBy('incident_id').limit(q.limit).offset(q.offset).execute(),
        query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
      ]);
      return { incidents: rows.map(toIncident), total: Number(count.total) };
    },
  );

  routes.get(
    '/incidents/:id',
    {
      config: { access: { roles: ['consultant', 'admin', 'manager'] } },
      schema: {
        operationId: 'getIncident',
        tags,
        summary: 'One incident with its timeline of events and the letters sent',
        params: s.incidentParams,
        response: { 200: s.incidentDetailSchema, ...s.problemResponses },
      },
    },
    async (request) => {
      const row = await db.selectFrom('incidents').selectAll().where('incident_id', '=', request.params.id).executeTakeFirst();
      if (!row) {
        // Reported a moment ago: its workflow has not recorded it yet.
        const registered = await db.selectFrom('incident_reports').select('incident_id').where('incident_id', '=', request.params.id).executeTakeFirst();
        if (registered) throw unavailable('the incident is being registered; try again in a moment', 1);
        throw notFound(`no incident ${request.params.id}`);
      }
      const [timeline, letters] = await Promise.all([
        readIncidentTimeline(db, row.incident_id).then((events) => keys.reveal(events)),
        db
          .selectFrom('notifications as n')
          .leftJoin('letter_deliveries as d', 'd.letter_id', 'n.letter_id')
          .leftJoin('letter_postings as p', 'p.letter_id', 'n.letter_id')
          .select(['n.letter_id', 'n.kind', 'n.recipient_type', 'n.recipient_id', 'n.recorded_at', 'd.channel', 'p.posted_on'])
          .where('n.incident_id', '=', row.incident_id)
          .orderBy('n.recorded_at')
          .orderBy('n.letter_id')
          .execute(),
      ]);
      const actorOf = (metadata: { actor?: unknown }) => (typeof metadata.actor === 'string' ? metadata.actor : null);
      const names = await namesOf(db, timeline.map((e) => actorOf(e.metadata)));
      return {
        ...toIncident(row),
        timeline: timeline.map((e) => ({
          position: e.position,
          streamId: e.streamId,
          type: e.event.type,
          data: e.event.data as Record<string, unknown>,
          actor: actorOf(e.metadata),
          actorName: names.get(actorOf(e.metadata) ?? '') ?? null,
          recordedAt: e.recordedAt.toISOString(),
        })),
        letters: letters.map((l) => ({
          letterId: l.letter_id,
          kind: l.kind,
          recipientType: l.recipient_type,
          recipientId: l.recipient_id,
          channel: l.channel ?? ('pending' as const),
          recordedAt: l.recorded_at.toISOString(),
          postedOn: l.posted_on,
          pdfUrl: letterPdfUrl(deps.config.publicUrl, l.letter_id),
        })),
      };
    },
  );

  const action = { 200: s.actionResultSchema, ...s.problemResponses };

  /** An action's photos, attached to its incident; as the Update's field, or none. */
  async function photosFor(incidentId: string, photoIds: string[] | undefined, actor: string): Promise<{ photoIds?: string[] }> {
    if (!photoIds || photoIds.length === 0) return {};
    await attachPhotos(db, incidentId, photoIds, actor, 'body.photoIds');
    return { photoIds };
  }

  routes.post(
    '/incidents/:id/cleanup-reports',
    {
      config: { access: { roles: ['consultant'], tenantLink: true } },
      schema: {
        operationId: 'reportCleanup',
        tags,
        summary: '"It is clean", by the tenant (signed link) or a consultant',
        params: s.incidentParams, headers: idempotencyHeaders,
        querystring: s.tenantTokenQuery,
        body: s.cleanupReportBody,
        response: action,
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await requireTheTenantAskedToClean(caller, request.params.id);
      const photoIds = await photosFor(request.params.id, request.body?.photoIds, caller.actor);
      return update(request.params.id, reportCleanupUpdate, {
        by: caller.kind === 'tenant' ? 'tenant' : 'consultant',
        actor: caller.actor,
        note: await sealed(request.params.id, request.body?.note ?? null),
        ...photoIds,
      }, request);
    },
  );

  routes.post(
    '/incidents/:id/inspections',
    { config: { access: { roles: ['consultant'] } }, schema: { operationId: 'recordInspection', tags, params: s.incidentParams, headers: idempotencyHeaders, body: s.inspectionBody, response: action } },
    async (request) => {
      const caller = staffOf(request);
      const photoIds = await photosFor(request.params.id, request.body.photoIds, caller.actor);
      return update(request.params.id, recordInspectionUpdate, { result: request.body.result, inspector: caller.actor, note: await sealed(request.params.id, request.body.note ?? null), ...photoIds }, request);
    },
  );

  routes.post(
    '/incidents/:id/polluter',
    { config: { access: { roles: ['consultant'] } }, schema: { operationId: 'identifyPolluter', tags, params: s.incidentParams, headers: idempotencyHeaders, body: s.polluterBody, response: action } },
    async (request) => {
      const caller = staffOf(request);
      await requireTenantExists(request.body.tenantId, 'tenantId');
      return update(request.params.id, identifyPolluterUpdate, { tenantId: request.body.tenantId, identifiedBy: caller.actor }, request);
    },
  );

  routes.post(
    '/incidents/:id/disputes',
    {
      config: { access: { roles: ['consultant'], tenantLink: true } },
      schema: {
        operationId: 'openDispute',
        tags,
        summary: 'Open a dispute, by the tenant (signed link) or a consultant: escalation pauses',
        params: s.incidentParams, headers: idempotencyHeaders,
        querystring: s.tenantTokenQuery,
        body: s.disputeBody,
        response: action,
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const invoiced = await settledWithOpenInvoice(request.params.id);
      if (invoiced) {
        // The incident is settled (or being settled), its invoice is not: the dispute pauses the dunning.
        if (caller.kind === 'tenant' && invoiced.debtor !== caller.link.tenantId) throw forbidden('this link belongs to another tenant');
        return invoiceUpdate(request.params.id, invoiced, pauseDunningUpdate, { reason: await sealed(request.params.id, request.body.reason), by: caller.actor }, request);
      }
      await requireTheTenantAskedToClean(caller, request.params.id);
      return update(request.params.id, openDisputeUpdate, {
        by: caller.kind === 'tenant' ? 'tenant' : 'consultant',
        actor: caller.actor,
        reason: await sealed(request.params.id, request.body.reason),
      }, request);
    },
  );

  routes.post(
    '/incidents/:id/disputes/resolution',
    {
      config: { access: { roles: ['consultant'] } },
      schema: {
        operationId: 'resolveDispute',
        tags,
        summary: 'Uphold (the incident is dismissed) or reject the open dispute',
        params: s.incidentParams, headers: idempotencyHeaders,
        body: s.disputeResolutionBody,
        response: action,
      },
    },
    async (request) => {
      const caller = staffOf(request);
      const earlier = await rulingAppliedBefore(request.params.id, request.body.decision === 'upheld' ? creditInvoiceUpdate : resumeDunningUpdate, request);
      if (earlier) return earlier;
      const invoiced = await settledWithOpenInvoice(request.params.id);
      if (invoiced) {
        if (!invoiced.paused) throw conflict('there is no open dispute');
        // Upheld: a credit note stops it all; rejected: the dunning resumes, its dates moved on by the pause.
        return request.body.decision === 'upheld'
          ? invoiceUpdate(request.params.id, invoiced, creditInvoiceUpdate, {
              // The ruling's words are the incident's narrative: sealed here too (the ledger leaves them out).
              reason: `bezwaar gegrond${request.body.note ? `: ${await sealed(request.params.id, request.body.note)}` : ''}`,
              creditedBy: caller.actor,
            }, request)
          : invoiceUpdate(request.params.id, invoiced, resumeDunningUpdate, { by: caller.actor }, request);
      }
      return update(request.params.id, resolveDisputeUpdate, { decision: request.body.decision, resolvedBy: caller.actor, note: await sealed(request.params.id, request.body.note ?? null) }, request);
    },
  );

  routes.post(
    '/incidents/:id/completion',
    {
      config: { access: { roles: ['contractor'] } },
      schema: {
        operationId: 'completeCleanup',
        tags,
        summary: "The contractor reports the work order done, with the cost (or the category's fixed tariff applies)",
        params: s.incidentParams, headers: idempotencyHeaders,
        body: s.completionBody,
        response: action,
      },
    },
    async (request) => {
      // A signed-in contractor reports only their own company's orders (api/routes/work-orders.ts).
      const caller = staffOf(request);
      await requireOwnWorkOrder(db, caller, request.params.id, request.body.contractorId);
      const photoIds = await photosFor(request.params.id, request.body.photoIds, caller.actor);
      return update(request.params.id, completeCleanupUpdate, {
        contractorId: request.body.contractorId,
        costCents: request.body.costCents ?? null,
        ...photoIds,
        ...(request.body.note ? { note: await sealed(request.params.id, request.body.note) } : {}),
        // A person is recorded by name; an integration's key as the contractor it reports for.
        ...(caller.kind === 'person' ? { actor: caller.actor } : {}),
      }, request);
    },
  );

  routes.post(
    '/incidents/:id/cancellation',
    { config: { access: { roles: ['consultant'] } }, schema: { operationId: 'cancelIncident', tags, params: s.incidentParams, headers: idempotencyHeaders, body: s.cancellationBody, response: action } },
    async (request) => {
      const caller = staffOf(request);
      return update(request.params.id, cancelUpdate, { reason: await sealed(request.params.id, request.body.reason), cancelledBy: caller.actor }, request);
    },
  );

  routes.post(
    '/incidents/:id/attention/resolution',
    {
      config: { access: { roles: ['consultant', 'admin'] } },
      schema: {
        operationId: 'resolveIncidentAttention',
        tags,
        summary: 'The cause of a step that failed on its data is dealt with (the directory corrected, for instance): the step is tried again',
        params: s.incidentParams, headers: idempotencyHeaders,
        body: s.attentionResolutionBody,
        response: action,
      },
    },
    async (request) => {
      const caller = staffOf(request);
      return update(request.params.id, resolveAttentionUpdate, { by: caller.actor, note: await sealed(request.params.id, request.body?.note ?? null) }, request);
    },
  );
  return { reportIncident };
}
