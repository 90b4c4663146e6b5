import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
  ParentClosePolicy,
} from '@temporalio/workflow';
import { unstorableTextPath, UNSTORABLE_TEXT_MESSAGE } from '../domain/text';
import { AppendAbandoned, EventStream, StepAbandoned, asFailure, dataFailureOf, mailActivity, persevere, storeActivity } from './stream';
import { invoiceWorkflow } from './invoice';
import type { UpdateDefinition } from '@temporalio/common';
import type { Activities } from '../activities';
import type { DomainEvent, Outcome } from '../domain/events';
import type { Letter, LetterContent } from '../domain/letters';
import {
  evolve,
  initialState,
  decide,
  warningFor,
  type Command,
  type IncidentState,
  type OpenIncident,
} from '../domain/incident';
import { deadlineAfter, instantBefore } from '../domain/duration';
import { splitToTheCent } from '../domain/money';
import { categoryLabels } from '../domain/policy';
import {
  cancelUpdate,
  completeCleanupUpdate,
  identifyPolluterUpdate,
  incidentStateQuery,
  linkDuplicateUpdate,
  openDisputeUpdate,
  recordInspectionUpdate,
  reportCleanupUpdate,
  resolveDisputeUpdate,
  resolveAttentionUpdate,
  invoiceWorkflowId,
  type IncidentInput,
  type UpdateResult,
} from './messages';

const store = proxyActivities<Activities>(storeActivity);
const mail = proxyActivities<Activities>(mailActivity);

const DAY_MS = 24 * 60 * 60 * 1000;

/** One incident's whole life: notify, wait for the cleanup, remind, escalate, settle, inform, close. */
export async function incidentWorkflow(input: IncidentInput): Promise<Outcome> {
  const unstorable = unstorableTextPath(input);
  if (unstorable) throw ApplicationFailure.nonRetryable(`input.${unstorable.join('.')} ${UNSTORABLE_TEXT_MESSAGE}`, 'UnstorableData');
  const streamId = `incident-${input.incidentId}`;
  const { workflowId, runId } = workflowInfo();
  const stream = new EventStream<IncidentState>(streamId, { state: initialState, version: 0 }, evolve, store.appendEvents);
  const now = () => new Date(Date.now()).toISOString();
  const nextEventId = (offset = 1) => stream.nextEventId(offset);
  /** Evolve the state at once, append in order: the workflow is the stream's only writer. */
  const record = (events: DomainEvent[], actor?: string) => stream.record(events, actor);

  /** A step that fails on its data waits here for a person; a cancellation or an upheld dispute gives it up. */
  const attention = {
    record: (step: string, reason: string) => record([{ type: 'AttentionRequired', data: { step, reason, since: now() } }]),
    resolved: () => stream.state.status !== 'open' || stream.state.attention === null,
    abandoned: () => stream.state.status === 'open' && (stream.state.cancelled || stream.state.dispute === 'upheld'),
  };
  const step = <T>(name: string, action: () => Promise<T>) => persevere(name, action, attention);
  /** Set once settling has started the invoice's workflow: settling may be tried again. */
  let invoiceStarted = false;

  function open(): OpenIncident {
    const state = stream.state;
    if (state.status !== 'open') throw new Error(`incident ${input.incidentId} is ${state.status}`);
    return state;
  }

  const policy = { current: null as Awaited<ReturnType<Activities['incidentPolicy']>> | null };

  function commandFor<Args>(build: (args: Args) => Command, actorOf: (args: Args) => string) {
    return {
      validator: (args: Args) => {
        let events: DomainEvent[];
        try {
          events = decide(stream.state, build(args));
        } catch (error) {
          asFailure(error);
        }
        // Refused here, before it is accepted, rather than failing the append.
        const unstorableAt = unstorableTextPath(events);
        if (unstorableAt) throw ApplicationFailure.create({ type: 'unstorable', message: `${unstorableAt.slice(2).join('.')} ${UNSTORABLE_TEXT_MESSAGE}`, nonRetryable: true });
      },
      handler: async (args: Args): Promise<UpdateResult> => {
        let events: DomainEvent[];
        try {
          events = decide(stream.state, build(args));
        } catch (error) {
          asFailure(error);
        }
        try {
          await record(events, actorOf(args));
        } catch (error) {
          const failure = dataFailureOf(error);
          if (failure) throw ApplicationFailure.create({ type: 'unstorable', message: failure.message, nonRetryable: true });
          if (error instanceof AppendAbandoned) throw ApplicationFailure.create({ type: 'retry', message: 'the incident was busy; try again', nonRetryable: true });
          throw error;
        }
        return { streamVersion: stream.version, state: stream.state };
      },
    };
  }

  function registerUpdate<Args>(
    definition: UpdateDefinition<UpdateResult, [Args]>,
    build: (args: Args) => Command,
    actorOf: (args: Args) => string,
  ) {
    const { validator, handler } = commandFor(build, actorOf);
    setHandler(definition, handler, { validator });
  }

  registerUpdate(
    reportCleanupUpdate,
    (a) => ({ type: 'ReportCleanup', ...a, acceptWithoutInspection: policy.current?.acceptCleanupReportWithoutInspection ?? false, now: now() }),
    (a) => a.actor,
  );
  registerUpdate(recordInspectionUpdate, (a) => ({ type: 'RecordInspection', ...a, now: now() }), (a) => a.inspector);
  registerUpdate(identifyPolluterUpdate, (a) => ({ type: 'IdentifyPolluter', ...a }), (a) => a.identifiedBy);
  registerUpdate(openDisputeUpdate, (a) => ({ type: 'OpenDispute', ...a }), (a) => a.actor);
  registerUpdate(resolveDisputeUpdate, (a) => ({ type: 'ResolveDispute', ...a }), (a) => a.resolvedBy);
  registerUpdate(
    completeCleanupUpdate,
    (a) => ({ type: 'CompleteCleanup', ...a, fixedTariffCents: policy.current?.fixedTariffCents ?? null, now: now() }),
    (a) => a.contractorId,
  );
  registerUpdate(cancelUpdate, (a) => ({ type: 'Cancel', ...a }), (a) => a.cancelledBy);
  registerUpdate(linkDuplicateUpdate, (a) => ({ type: 'LinkDuplicate', ...a, now: now() }), (a) => a.reportedBy);
  registerUpdate(resolveAttentionUpdate, (a) => ({ type: 'ResolveAttention', ...a, now: now() }), (a) => a.by);
  setHandler(incidentStateQuery, () => stream.state);

  const common = { incidentId: input.incidentId, category: input.category, location: input.location };
  const tenantLetter = (id: string, tenantId: string, content: LetterContent): Letter => ({
    letterId: `${id}/${tenantId}`,
    recipient: { type: 'tenant', id: tenantId },
    content,
  });
  async function deliver(letters: Letter[]): Promise<void> {
    if (letters.length > 0) await step('deliver letters', () => mail.deliverLetters(letters));
  }

  async function close(outcome: Outcome): Promise<Outcome> {
    // Closing is never given up: it is what a cancellation or a dismissal comes to.
    await persevere('close', () => record([{ type: 'IncidentClosed', data: { outcome, closedAt: now() } }]), { ...attention, abandoned: () => false });
    await condition(allHandlersFinished);
    return outcome;
  }

  // 1. Triage.
  await step('record the report', () => record([{ type: 'IncidentReported', data: { ...input } }], input.reportedBy));
  const rules = await store.incidentPolicy(input.category);
  policy.current = rules;
  try {
    if (!rules.handled) {
      await step('return the report to the complainant', async () => {
        const id = nextEventId();
        const letters = input.complainantTenantId ? [tenantLetter(id, input.complainantTenantId, { kind: 'complainant_advice', ...common })] : [];
        await record([
          {
            type: 'ReportReturnedToComplainant',
            data: { reason: `${categoryLabels[input.category]} is not taken up by the corporation`, letters },
          },
        ]);
        await deliver(letters);
      });
      return await close('returned_to_complainant');
    }
    if (input.complainantTenantId) {
      const complainant = input.complainantTenantId;
      await step('acknowledge the complainant', async () => {
        const letters = [tenantLetter(nextEventId(), complainant, { kind: 'complainant_acknowledgement', ...common })];
        await record([{ type: 'ComplainantAcknowledged', data: { letters } }]);
        await deliver(letters);
      });
    }
    return await lifecycle();
  } catch (error) {
    if (!(error instanceof StepAbandoned)) throw error;
    const state = open();
    return close(state.cancelled ? 'cancelled' : 'dismissed');
  }

  // 2. Notify: the known polluter personally, or every household that can use the space.
  async function notify(): Promise<void> {
    const incident = open();
    const notifiedAt = new Date(Date.now());
    const { deadline, deadlineDate } = deadlineAfter(notifiedAt, rules.noticePeriod);
    const reminder = instantBefore({ deadline, deadlineDate }, rules.reminderBefore);
    const reminderAt = reminder.getTime() > notifiedAt.getTime() ? reminder.toISOString() : null;
    const timing = { deadline: deadline.toISOString(), deadlineDate, reminderAt };
    const id = nextEventId();
    if (incident.polluterTenantId) {
      const linkExpiresAt = new Date(deadline.getTime() + rules.tenantLinkValidityDays * DAY_MS).toISOString();
      const letters = [
        tenantLetter(id, incident.polluterTenantId, {
          kind: 'formal_notice',
          ...common,
          deadline: timing.deadline,
          deadlineDate,
          tariffCents: rules.fixedTariffCents,
          linkExpiresAt,
        }),
      ];
      await record([{ type: 'PolluterNotified', data: { tenantId: incident.polluterTenantId, ...timing, letters } }]);
      await deliver(letters);
    } else {
      const households = await store.householdsOf(input.buildingId);
      const letters = households.map((tenantId) =>
        tenantLetter(id, tenantId, { kind: 'collective_notice', ...common, deadline: timing.deadline, deadlineDate }),
      );
      await record([{ type: 'CollectiveNoticeSent', data: { households, ...timing, letters } }]);
      await deliver(letters);
    }
  }

  // 3. Remind.
  async function remind(): Promise<void> {
    const incident = open();
    const id = nextEventId();
    const deadline = incident.deadline as string;
    const deadlineDate = incident.deadlineDate as string;
    const recipients = incident.notifiedTenantId ? [incident.notifiedTenantId] : await store.householdsOf(input.buildingId);
    const collective = incident.notifiedTenantId === null;
    const linkExpiresAt = collective ? null : new Date(Date.parse(deadline) + rules.tenantLinkValidityDays * DAY_MS).toISOString();
    const letters = recipients.map((tenantId) =>
      tenantLetter(id, tenantId, { kind: 'reminder', ...common, deadline, deadlineDate, collective, linkExpiresAt }),
    );
    await record([{ type: 'ReminderSent', data: { letters } }]);
    await deliver(letters);
  }

  // 5. Escalate: a work order to the contractor.
  async function orderCleanup(): Promise<void> {
    const contractorId = await store.chooseContractor({ category: input.category, complexId: input.complexId });
    const workOrderNumber = `WO-${input.incidentId}`;
    const id = nextEventId();
    const letters: Letter[] = [
      {
        letterId: `${id}/${contractorId}`,
        recipient: { type: 'contractor', id: contractorId },
        content: { kind: 'work_order', ...common, workOrderNumber, buildingId: input.buildingId },
      },
    ];
    await record([{ type: 'CleanupOrdered', data: { contractorId, workOrderNumber, orderedAt: now(), letters } }]);
    await deliver(letters);
  }

  // 6 and 7. Consequences, then the neighbours.
  async function settle(): Promise<Outcome> {
    const incident = open();
    const cleanedByCorporation = incident.cleanedBy === 'corporation';
    const costCents = incident.costCents ?? 0;
    let outcome: Outcome = 'self_cleaned';
    const polluter = incident.polluterTenantId;
    if (polluter) {
      const prior = await store.countPriorOffences({
        tenantId: polluter,
        before: now(),
        windowMonths: rules.repeatOffenceWindowMonths,
        incidentId: input.incidentId,
      });
      const warning = warningFor(prior, rules.tenancyEscalationFromOffence);
      let invoice: { invoiceNumber: string; totalCents: number } | null = null;
      if (cleanedByCorporation) {
        outcome = 'cleaned_and_charged';
        const lines = [{ description: `Schoonmaak: ${categoryLabels[input.category]}, ${input.location}`, amountCents: costCents, vatCode: rules.vatCode }];
        if (rules.administrationFeeCents > 0) {
          lines.push({ description: 'Administratiekosten', amountCents: rules.administrationFeeCents, vatCode: rules.vatCode });
        }
        const totalCents = lines.reduce((sum, line) => sum + line.amountCents, 0);
        if (totalCents > 0) {
          const issued = await store.issueInvoice({
            eventId: `${streamId}/invoice`,
            incidentId: input.incidentId,
            category: input.category,
            location: input.location,
            debtorTenantId: polluter,
            issuedAt: now(),
            paymentTermDays: rules.paymentTermDays,
            lines,
            metadata: { workflowId, runId, actor: 'system', causationId: `${streamId}/${stream.version}` },
          });
          invoice = { invoiceNumber: issued.invoiceNumber, totalCents };
          await deliver(issued.letters);
          // The invoice lives on after the incident closes: payments, reminders, the 14-day letter.
          // Once: settling is tried again when its warning had to count the offences anew.
          if (!invoiceStarted) {
            await startChild(invoiceWorkflow, {
              workflowId: invoiceWorkflowId(input.incidentId, issued.invoiceNumber),
              parentClosePolicy: ParentClosePolicy.ABANDON,
              args: [
                {
                  invoiceNumber: issued.invoiceNumber,
                  incidentId: input.incidentId,
                  category: input.category,
                  location: input.location,
                  debtorTenantId: polluter,
                  issueDate: issued.issueDate,
                  dueDate: issued.dueDate,
                  totalCents,
                },
              ],
            });
            invoiceStarted = true;
          }
        }
      }
      const id = nextEventId();
      const letters = [
        tenantLetter(id, polluter, {
          kind: 'warning',
          ...common,
          offenceNumber: warning.offenceNumber,
          severity: warning.severity,
          cleanedBy: cleanedByCorporation ? 'corporation' : 'tenant',
          invoiceNumber: invoice?.invoiceNumber ?? null,
          totalCents: invoice?.totalCents ?? null,
        }),
      ];
      const events: DomainEvent[] = [
        {
          type: 'WarningIssued',
          data: { tenantId: polluter, offenceNumber: warning.offenceNumber, severity: warning.severity, issuedAt: now(), letters },
        },
      ];
      if (warning.flagForTenancyEscalation) {
        events.push({ type: 'TenancyEscalationFlagged', data: { tenantId: polluter, offenceNumber: warning.offenceNumber } });
      }
      await record(events);
      await deliver(letters);
    } else if (cleanedByCorporation) {
      const households = await store.householdsOf(input.buildingId);
      if (rules.serviceCostsForUnknownPolluter && input.category !== 'vandalism' && households.length > 0 && costCents > 0) {
        outcome = 'cleaned_at_service_cost';
        const shares = splitToTheCent(costCents, households.length);
        const id = nextEventId();
        const allocations = households.map((tenantId, i) => ({ tenantId, amountCents: shares[i] ?? 0 }));
        const letters = allocations.map((a) =>
          tenantLetter(id, a.tenantId, {
            kind: 'service_cost_notice',
            ...common,
            totalCents: costCents,
            shareCents: a.amountCents,
            households: households.length,
          }),
        );
        await record([{ type: 'ServiceCostsAllocated', data: { totalCents: costCents, allocations, letters } }]);
        await deliver(letters);
      } else {
        outcome = 'cleaned_at_corporation_cost';
        await record([{ type: 'CostBorneByCorporation', data: { costCents } }]);
      }
    }

    const neighbours = (await store.householdsOf(input.buildingId)).filter((tenantId) => tenantId !== polluter);
    if (neighbours.length < rules.neighboursNoticeMinimumHouseholds) {
      await record([
        { type: 'NeighboursNoticeSuppressed', data: { households: neighbours.length, minimum: rules.neighboursNoticeMinimumHouseholds } },
      ]);
    } else {
      const id = nextEventId();
      const resolved = outcome as 'self_cleaned' | 'cleaned_and_charged' | 'cleaned_at_service_cost' | 'cleaned_at_corporation_cost';
      const letters = neighbours.map((tenantId) =>
        tenantLetter(id, tenantId, { kind: 'neighbours_notice', ...common, outcome: resolved, polluterKnown: polluter !== null }),
      );
      await record([{ type: 'NeighboursInformed', data: { households: neighbours.length, letters } }]);
      await deliver(letters);
    }
    return outcome;
  }

  // The life of an open incident: each pass acts on the state, or sleeps until it changes or a
  // timer (reminder, deadline) is due.
  async function lifecycle(): Promise<Outcome> {
    await step('notify', notify);
    for (;;) {
      // What an Update recorded is durable before anything follows from it (an invoice, a notice).
      try {
        await stream.settled();
      } catch {
        // An append failed and the state is back to what is stored: decide again from it.
      }
      const incident = open();
      if (incident.cancelled) return close('cancelled');
      if (incident.dispute === 'upheld') return close('dismissed');
      if (incident.phase === 'settling') {
        if (incident.dispute !== 'open') return close(await step('settle', settle));
      } else if (incident.phase === 'awaiting_cleanup') {
        if (incident.polluterTenantId !== null && incident.notifiedTenantId !== incident.polluterTenantId) {
          await step('notify', notify);
          continue;
        }
        const deadline = Date.parse(incident.deadline as string);
        const reminderAt = incident.reminderAt === null || incident.reminded ? null : Date.parse(incident.reminderAt);
        const t = Date.now();
        const waitingForInspection = incident.cleanupReportPending;
        // No reminder while the tenant awaits an inspection or disputes the notice.
        if (reminderAt !== null && t >= reminderAt && t < deadline && !waitingForInspection && incident.dispute !== 'open') {
          await step('remind', remind);
          continue;
        }
        if (t >= deadline && !waitingForInspection && incident.dispute !== 'open') {
          await step('order the cleanup', orderCleanup);
          continue;
        }
        const timers = [reminderAt !== null && !waitingForInspection ? reminderAt : null, t < deadline ? deadline : null];
        const next = timers.filter((x): x is number => x !== null && x > t);
        await sleepUntilChange(next.length > 0 ? Math.min(...next) : null);
        continue;
      }
      await sleepUntilChange(null);
    }
  }

  async function sleepUntilChange(until: number | null): Promise<void> {
    const seen = stream.version;
    if (until === null) {
      await condition(() => stream.version !== seen);
    } else {
      await condition(() => stream.version !== seen, Math.max(1, until - Date.now()));
    }
  }
}
