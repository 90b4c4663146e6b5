import {
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { Activities } from '../activities';
import type { DomainEvent, Outcome } from '../domain/events';
import { lettersOf } from '../domain/event-letters';
import { decide, evolve, initialState, next, type Command, type IncidentState, type LookedUp, type Phase } from '../domain/incident';
import type { IncidentPolicy } from '../domain/policy';
import { IllegalStateError } from '../domain/errors';
import { totalOf } from '../domain/invoice';
import { incidentStreamId } from '../domain/streams';
import { UNSTORABLE_TEXT_MESSAGE, unstorableTextPath } from '../domain/text';
import { invoiceWorkflow } from './invoice';
import * as m from './messages';
import { EventStream, StepAbandoned, acceptUpdate, mailActivity, persevere, recordStep, storeActivity } from './stream';
import { incidentSearchAttributes, invoiceSearchAttributes, searchAttributes } from './search-attributes';
import { incidentTimerSummary, invoiceWorkflowSummary } from './summaries';

const store = proxyActivities<Activities>(storeActivity);
const mail = proxyActivities<Activities>(mailActivity);

/**
 * One incident's whole life, as `next` in domain/incident/process.ts decides it: this function only
 * carries the steps out (append, look up, issue the invoice, deliver the letters, wait) and answers
 * the people's commands through Updates, whose validators run the domain's `decide`.
 */
export async function incidentWorkflow(input: m.IncidentInput): Promise<Outcome> {
  const unstorable = unstorableTextPath(input);
  if (unstorable) throw ApplicationFailure.nonRetryable(`input.${unstorable.join('.')} ${UNSTORABLE_TEXT_MESSAGE}`, 'UnstorableData');
  const streamId = incidentStreamId(input.incidentId);
  const stream = new EventStream<IncidentState>(streamId, { state: initialState, version: 0 }, evolve, store.appendEvents);
  const now = () => new Date(Date.now()).toISOString();
  let policy: IncidentPolicy | null = null;
  let lookedUp: LookedUp = {};

  /** A step that fails on its data waits here for a person; a cancellation or an upheld dispute gives it up. */
  const attention = {
    record: (step: string, reason: string) => stream.record([{ type: 'AttentionRequired', data: { step, reason, since: now() } }]),
    resolved: () => stream.state.status !== 'open' || stream.state.attention === null,
    abandoned: () => stream.state.status === 'open' && (stream.state.cancelled || stream.state.dispute === 'upheld'),
  };
  /** Deliver a step's letters; the dates they gave as they went out (domain/sending.ts). */
  const deliver = async (events: DomainEvent[]) => {
    const letters = events.flatMap(lettersOf);
    return letters.length > 0 ? persevere('deliver letters', () => mail.deliverLetters(letters), attention) : null;
  };

  const accept = <Args>(definition: UpdateDefinition<m.UpdateResult, [Args]>, command: (args: Args) => Command, actorOf: (args: Args) => string) =>
    acceptUpdate(stream, definition, (args) => decide(stream.state, command(args)), actorOf, () => ({ streamVersion: stream.version, state: stream.state }));
  accept(m.reportCleanupUpdate, (a) => ({ type: 'ReportCleanup', ...a, acceptWithoutInspection: policy?.acceptCleanupReportWithoutInspection ?? false, now: now() }), (a) => a.actor);
  accept(m.recordInspectionUpdate, (a) => ({ type: 'RecordInspection', ...a, now: now() }), (a) => a.inspector);
  accept(m.identifyPolluterUpdate, (a) => ({ type: 'IdentifyPolluter', ...a }), (a) => a.identifiedBy);
  accept(m.openDisputeUpdate, (a) => ({ type: 'OpenDispute', ...a }), (a) => a.actor);
  accept(m.resolveDisputeUpdate, (a) => ({ type: 'ResolveDispute', ...a }), (a) => a.resolvedBy);
  accept(
    m.completeCleanupUpdate,
    (a) => ({
      type: 'CompleteCleanup',
      contractorId: a.contractorId,
      costCents: a.costCents,
      ...(a.photoIds ? { photoIds: a.photoIds } : {}),
      ...(a.note ? { note: a.note } : {}),
      fixedTariffCents: policy?.fixedTariffCents ?? null,
      now: now(),
    }),
    // The person who reported it; before persons (and from an integration's key), the contractor.
    (a) => a.actor ?? a.contractorId,
  );
  accept(m.cancelUpdate, (a) => ({ type: 'Cancel', ...a }), (a) => a.cancelledBy);
  accept(m.linkDuplicateUpdate, (a) => ({ type: 'LinkDuplicate', ...a, now: now() }), (a) => a.reportedBy);
  accept(m.resolveAttentionUpdate, (a) => ({ type: 'ResolveAttention', ...a, now: now() }), (a) => a.by);
  accept(
    m.recordPostingUpdate,
    (a) => {
      // Nothing is posted before the notice, and the notice follows the policy's loading.
      if (!policy) throw new IllegalStateError('the incident has not been reported yet');
      return { type: 'RecordPosting', ...a, reminderBefore: policy.reminderBefore, now: now() };
    },
    (a) => a.by,
  );
  setHandler(m.incidentStateQuery, () => stream.state);

  // Incidents begun on earlier code keep the commands they recorded: no search attributes for them.
  // Nor for a run its starter gave none (the time-skipping test server knows no custom attributes):
  // the API starts every incident with them, on a namespace that has them registered.
  const searchable = patched('incident-search-attributes') && workflowInfo().typedSearchAttributes.get(searchAttributes.phase) !== undefined;
  let indexedPhase: Phase | null = null;
  /** The phase an operator finds the incident by in the Temporal UI (IncidentPhase), kept current. */
  const indexPhase = () => {
    const phase = stream.state.status === 'open' ? stream.state.phase : stream.state.status === 'closed' ? 'closed' : null;
    if (!searchable || phase === null || phase === indexedPhase) return;
    upsertSearchAttributes(incidentSearchAttributes(input, phase));
    indexedPhase = phase;
  };

  await persevere('record the report', () => stream.record([{ type: 'IncidentReported', data: { ...input } }], input.reportedBy), attention);
  policy = await store.incidentPolicy(input.category);
  const rules = policy;
  let invoiceStarted = false;
  // Incidents begun on earlier code notified a polluter identified during an inspection's wait at once.
  const compatibility = { notifyIdentifiedPolluterDuringInspection: !patched('hold-notice-while-a-cleanup-awaits-inspection') };

  for (;;) {
    try {
      // What an Update recorded is durable before anything follows from it (an invoice, a notice).
      await stream.settled();
    } catch {
      // An append failed and the state is back to what is stored: decide again from it.
    }
    indexPhase();
    const step = next(stream.state, { now: now(), streamId, version: stream.version }, rules, lookedUp, compatibility);
    try {
      switch (step.type) {
        case 'finished':
          await condition(allHandlersFinished);
          return step.outcome;
        case 'wait': {
          const seen = stream.version;
          if (step.until === null) await condition(() => stream.version !== seen);
          else await condition(() => stream.version !== seen, Math.max(1, Date.parse(step.until) - Date.now()), { summary: incidentTimerSummary(stream.state, step.until) });
          break;
        }
        case 'lookUp':
          lookedUp = { ...lookedUp, ...(await lookUp(step.fact)) };
          break;
        case 'issueInvoice': {
          const { workflowId, runId } = workflowInfo();
          const metadata = { workflowId, runId, actor: 'system', causationId: `${streamId}/${stream.version}` };
          const { draft } = step;
          const issued = await persevere(
            step.step,
            () => store.issueInvoice({ eventId: `${streamId}/invoice`, incidentId: input.incidentId, category: input.category, location: input.location, issuedAt: now(), ...draft, metadata }),
            attention,
          );
          if (issued.letters.length > 0) await persevere('deliver letters', () => mail.deliverLetters(issued.letters), attention);
          const invoice = { invoiceNumber: issued.invoiceNumber, issueDate: issued.issueDate, dueDate: issued.dueDate, totalCents: totalOf(draft.lines) };
          // The invoice lives on after the incident closes: payments, reminders, the 14-day letter.
          if (!invoiceStarted) {
            await startChild(invoiceWorkflow, {
              workflowId: m.invoiceWorkflowId(input.incidentId, invoice.invoiceNumber),
              parentClosePolicy: ParentClosePolicy.ABANDON,
              args: [{ ...invoice, incidentId: input.incidentId, category: input.category, location: input.location, debtorTenantId: draft.debtorTenantId }],
              ...(searchable
                ? {
                    typedSearchAttributes: invoiceSearchAttributes({ invoiceNumber: invoice.invoiceNumber, incidentNumber: input.incidentNumber, category: input.category }),
                    staticSummary: invoiceWorkflowSummary({ ...invoice, incidentNumber: input.incidentNumber }),
                  }
                : {}),
            });
            invoiceStarted = true;
          }
          lookedUp = { ...lookedUp, invoice };
          break;
        }
        case 'record': {
          // What was looked up served this step (or is looked up again); the invoice stays known (it is not on this stream).
          const stored = await recordStep(stream, step.step, step.events, attention);
          lookedUp = { invoice: lookedUp.invoice };
          const sent = stored ? await deliver(step.events) : null;
          if (sent?.deadline) lookedUp = { ...lookedUp, sentDeadline: sent.deadline };
          break;
        }
      }
    } catch (error) {
      // Given up while it waited for attention: the next pass closes it (cancelled or dismissed).
      if (!(error instanceof StepAbandoned)) throw error;
    }
  }

  async function lookUp(fact: 'households' | 'priorOffences' | 'contractor'): Promise<LookedUp> {
    const incident = stream.state;
    if (incident.status !== 'open') return {};
    if (fact === 'households') return { households: await store.householdsOf(input.buildingId) };
    if (fact === 'contractor') return { contractorId: await store.chooseContractor({ category: input.category, complexId: input.complexId }) };
    const polluter = incident.polluterTenantId as string;
    return { priorOffences: await store.countPriorOffences({ tenantId: polluter, before: now(), windowMonths: rules.repeatOffenceWindowMonths, incidentId: input.incidentId }) };
  }
}
