import type { DomainEvent, Outcome } from '../events';
import type { InvoiceLine, Letter, LetterContent, resolvedOutcomes } from '../letters';
import type { IncidentPolicy } from '../policy';
import { categoryLabels } from '../categories';
import { addAmsterdamDays, addWorkingDays, amsterdamDate } from '../calendar';
import { deadlineAfter, instantBefore } from '../duration';
import { splitToTheCent } from '../money';
import { eventIdAt } from '../streams';
import { totalOf } from '../invoice';
import type { OpenIncident, IncidentState } from './state';

/**
 * What the incident's process does next, given its state, the time and what it has looked up since
 * it last recorded something: the whole lifecycle after the report, in one pure function. The
 * workflow carries each step out and asks again (workflows/incident.ts).
 */
export type IncidentStep =
  /** Append these events; then deliver the letters they carry. */
  | { type: 'record'; step: StepName; events: DomainEvent[] }
  /** Look up a fact in the directory or the offences; then ask again with it. */
  | { type: 'lookUp'; step: StepName; fact: Fact }
  /** Issue the invoice (a number of the year's series, recorded on its own stream), send it and start its workflow. */
  | { type: 'issueInvoice'; step: StepName; draft: InvoiceDraft }
  /** Nothing to do until this instant (a reminder, a deadline) or until the state changes (null: only then). */
  | { type: 'wait'; until: string | null }
  | { type: 'finished'; outcome: Outcome };

export type StepName =
  | 'return the report to the complainant'
  | 'acknowledge the complainant'
  | 'notify'
  | 'remind'
  | 'order the cleanup'
  | 'settle'
  | 'inform the neighbours'
  | 'close';

export type Fact = 'households' | 'priorOffences' | 'contractor';

/** What the workflow has looked up (or done outside the stream) since it last recorded an event. */
export interface LookedUp {
  /** The contract numbers of every household that can use the space, in a stable order. */
  households?: string[];
  /** Offences of the polluter in the repeat window, this incident's aside. */
  priorOffences?: number;
  contractorId?: string;
  /** The invoice this incident issued (kept for the rest of the incident: it is not on its stream). */
  invoice?: IssuedInvoice;
  /** The deadline the notice gave as it went out (domain/sending.ts), after its letters were delivered. */
  sentDeadline?: { deadline: string; deadlineDate: string };
}

export interface InvoiceDraft {
  debtorTenantId: string;
  lines: InvoiceLine[];
  paymentTermDays: number;
}

export interface IssuedInvoice {
  invoiceNumber: string;
  issueDate: string;
  dueDate: string;
  totalCents: number;
}

export interface Moment {
  /** The workflow clock. */
  now: string;
  streamId: string;
  /** The stream's version: the next event's id, and with it its letters' ids, follow from it. */
  version: number;
}

/**
 * How incidents that started on earlier code go on: those notified a polluter identified while a
 * cleanup report awaited inspection at once (the workflow asks Temporal's `patched` which applies).
 */
export interface Compatibility {
  notifyIdentifiedPolluterDuringInspection: boolean;
}

export function next(
  state: IncidentState,
  moment: Moment,
  policy: IncidentPolicy,
  lookedUp: LookedUp,
  compatibility: Compatibility = { notifyIdentifiedPolluterDuringInspection: false },
): IncidentStep {
  if (state.status === 'none') throw new Error('the process starts with the report (IncidentReported)');
  if (state.status === 'closed') return { type: 'finished', outcome: state.outcome };
  const incident = state;
  const { now } = moment;
  const t = Date.parse(now);
  const eventId = eventIdAt(moment.streamId, moment.version + 1);
  const common = {
    incidentId: incident.facts.incidentId,
    ...(incident.facts.incidentNumber ? { incidentNumber: incident.facts.incidentNumber } : {}),
    category: incident.facts.category,
    location: incident.facts.location,
  };
  const letterTo = (tenantId: string, content: LetterContent): Letter => ({ letterId: `${eventId}/${tenantId}`, recipient: { type: 'tenant', id: tenantId }, content });
  const record = (step: StepName, ...events: DomainEvent[]): IncidentStep => ({ type: 'record', step, events });
  const close = (outcome: Outcome) => record('close', { type: 'IncidentClosed', data: { outcome, closedAt: now } });
  const complainant = incident.facts.complainantTenantId;
  /** A tenant's link works until the same time of day (the deadline's midnight) the policy's days after the deadline. */
  const linkExpiry = (deadline: Date) => addAmsterdamDays(deadline, policy.tenantLinkValidityDays).toISOString();

  // Given up (whatever step it was at), or stopped for a person: nothing else happens first.
  if (incident.cancelled) return close('cancelled');
  if (incident.dispute === 'upheld') return close('dismissed');
  // A step failed on its data: no reminder, no escalation, no next step until a person resolves it.
  if (incident.attention !== null) return { type: 'wait', until: null };

  // 1. Triage: a category the corporation does not take up goes back to the complainant.
  if (!policy.handled) {
    if (incident.done.returnedToComplainant) return close('returned_to_complainant');
    return record('return the report to the complainant', {
      type: 'ReportReturnedToComplainant',
      data: {
        reason: `${categoryLabels[incident.facts.category]} is not taken up by the corporation`,
        letters: complainant ? [letterTo(complainant, { kind: 'complainant_advice', ...common })] : [],
      },
    });
  }
  if (complainant && !incident.done.complainantAcknowledged) {
    return record('acknowledge the complainant', { type: 'ComplainantAcknowledged', data: { letters: [letterTo(complainant, { kind: 'complainant_acknowledgement', ...common })] } });
  }

  // 2. Notify: the known polluter personally, or every household that can use the space.
  if (incident.phase === 'reported') return notify();

  // A later report's complainant hears that the report is being dealt with.
  if (incident.complainantsToAcknowledge.length > 0) {
    return record('acknowledge the complainant', {
      type: 'ComplainantAcknowledged',
      data: { letters: incident.complainantsToAcknowledge.map((tenantId) => letterTo(tenantId, { kind: 'complainant_acknowledgement', ...common })) },
    });
  }

  if (incident.phase === 'settling') return incident.dispute === 'open' ? { type: 'wait', until: null } : settle();
  if (incident.phase !== 'awaiting_cleanup' && incident.phase !== 'cleanup_reported') return { type: 'wait', until: null };

  // The notice went out late: its term runs from then.
  if (lookedUp.sentDeadline && Date.parse(lookedUp.sentDeadline.deadline) > Date.parse(incident.deadline as string)) {
    const moved = lookedUp.sentDeadline;
    const reminder = instantBefore({ deadline: new Date(moved.deadline), deadlineDate: moved.deadlineDate }, policy.reminderBefore);
    return record('notify', {
      type: 'DeadlineMoved',
      data: { ...moved, reminderAt: reminder.getTime() > t ? reminder.toISOString() : null, reason: 'the notice went out later than planned' },
    });
  }
  const waitingForInspection = incident.phase === 'cleanup_reported';
  // A polluter identified after the notice went out gets a notice of their own; while a cleanup
  // report awaits inspection, only if the inspection finds it not clean.
  const holdNotice = waitingForInspection && !compatibility.notifyIdentifiedPolluterDuringInspection;
  if (incident.polluterTenantId !== null && incident.notifiedTenantId !== incident.polluterTenantId && !holdNotice) return notify();
  const deadline = Date.parse(incident.deadline as string);
  const reminderAt = incident.reminderAt === null || incident.reminded ? null : Date.parse(incident.reminderAt);
  // 3. Remind; 5. escalate. Neither while the tenant awaits an inspection or disputes the notice.
  const held = waitingForInspection || incident.dispute === 'open';
  if (reminderAt !== null && t >= reminderAt && t < deadline && !held) return remind();
  if (t >= deadline && !held) return orderCleanup();
  const timers = [reminderAt !== null && !waitingForInspection ? reminderAt : null, t < deadline ? deadline : null].filter(
    (x): x is number => x !== null && x > t,
  );
  return { type: 'wait', until: timers.length > 0 ? new Date(Math.min(...timers)).toISOString() : null };

  function notify(): IncidentStep {
    const notifiedAt = new Date(t);
    const { deadline, deadlineDate } = deadlineAfter(notifiedAt, policy.noticePeriod);
    const reminder = instantBefore({ deadline, deadlineDate }, policy.reminderBefore);
    const reminderAt = reminder.getTime() > notifiedAt.getTime() ? reminder.toISOString() : null;
    const timing = { deadline: deadline.toISOString(), deadlineDate, reminderAt };
    const polluter = incident.polluterTenantId;
    if (polluter) {
      const linkExpiresAt = linkExpiry(deadline);
      const notice = letterTo(polluter, {
        kind: 'formal_notice',
        ...common,
        deadline: timing.deadline,
        deadlineDate,
        tariffCents: policy.fixedTariffCents,
        linkExpiresAt,
        term: policy.noticePeriod,
      });
      return record('notify', { type: 'PolluterNotified', data: { tenantId: polluter, ...timing, letters: [notice] } });
    }
    if (!lookedUp.households) return { type: 'lookUp', step: 'notify', fact: 'households' };
    const households = lookedUp.households;
    const letters = households.map((tenantId) => letterTo(tenantId, { kind: 'collective_notice', ...common, deadline: timing.deadline, deadlineDate, term: policy.noticePeriod }));
    return record('notify', { type: 'CollectiveNoticeSent', data: { households, ...timing, letters } });
  }

  function remind(): IncidentStep {
    const deadline = incident.deadline as string;
    const deadlineDate = incident.deadlineDate as string;
    const collective = incident.notifiedTenantId === null;
    if (collective && !lookedUp.households) return { type: 'lookUp', step: 'remind', fact: 'households' };
    const recipients = collective ? (lookedUp.households as string[]) : [incident.notifiedTenantId as string];
    const linkExpiresAt = collective ? null : linkExpiry(new Date(deadline));
    const letters = recipients.map((tenantId) => letterTo(tenantId, { kind: 'reminder', ...common, deadline, deadlineDate, collective, linkExpiresAt }));
    return record('remind', { type: 'ReminderSent', data: { letters } });
  }

  function orderCleanup(): IncidentStep {
    if (!lookedUp.contractorId) return { type: 'lookUp', step: 'order the cleanup', fact: 'contractor' };
    const contractorId = lookedUp.contractorId;
    const workOrder: Letter = {
      letterId: `${eventId}/${contractorId}`,
      recipient: { type: 'contractor', id: contractorId },
      content: {
        kind: 'work_order',
        ...common,
        workOrderNumber: workOrderNumberOf(common.incidentId),
        buildingId: incident.facts.buildingId,
        complexId: incident.facts.complexId,
        ...(policy.workOrderTermWorkingDays !== undefined ? { completeBy: addWorkingDays(amsterdamDate(new Date(t)), policy.workOrderTermWorkingDays) } : {}),
      },
    };
    return record('order the cleanup', { type: 'CleanupOrdered', data: { contractorId, workOrderNumber: workOrderNumberOf(common.incidentId), orderedAt: now, letters: [workOrder] } });
  }

  // 6 and 7. Consequences, then the neighbours, then the close.
  function settle(): IncidentStep {
    const polluter = incident.polluterTenantId;
    const cleanedByCorporation = incident.cleanedBy === 'corporation';
    if (polluter && !incident.done.warning) {
      if (lookedUp.priorOffences === undefined) return { type: 'lookUp', step: 'settle', fact: 'priorOffences' };
      if (cleanedByCorporation && lookedUp.invoice === undefined) {
        const lines = invoiceLinesFor(incident, policy);
        if (totalOf(lines) > 0) return { type: 'issueInvoice', step: 'settle', draft: { debtorTenantId: polluter, lines, paymentTermDays: policy.paymentTermDays } };
      }
      const warning = warningFor(lookedUp.priorOffences, policy.tenancyEscalationFromOffence);
      const invoice = lookedUp.invoice ?? null;
      const letter = letterTo(polluter, {
        kind: 'warning',
        ...common,
        offenceNumber: warning.offenceNumber,
        severity: warning.severity,
        cleanedBy: cleanedByCorporation ? 'corporation' : 'tenant',
        invoiceNumber: invoice?.invoiceNumber ?? null,
        totalCents: invoice?.totalCents ?? null,
      });
      const issued: DomainEvent = {
        type: 'WarningIssued',
        data: { tenantId: polluter, offenceNumber: warning.offenceNumber, severity: warning.severity, issuedAt: now, letters: [letter] },
      };
      return warning.flagForTenancyEscalation
        ? record('settle', issued, { type: 'TenancyEscalationFlagged', data: { tenantId: polluter, offenceNumber: warning.offenceNumber } })
        : record('settle', issued);
    }
    if (!polluter && cleanedByCorporation && incident.done.costs === null) {
      if (!lookedUp.households) return { type: 'lookUp', step: 'settle', fact: 'households' };
      const households = lookedUp.households;
      const costCents = incident.costCents ?? 0;
      if (serviceCostsApply(incident, policy, households.length)) {
        const shares = splitToTheCent(costCents, households.length);
        const allocations = households.map((tenantId, i) => ({ tenantId, amountCents: shares[i] ?? 0 }));
        const letters = allocations.map((a) =>
          letterTo(a.tenantId, { kind: 'service_cost_notice', ...common, totalCents: costCents, shareCents: a.amountCents, households: households.length }),
        );
        return record('settle', { type: 'ServiceCostsAllocated', data: { totalCents: costCents, vatCode: policy.vatCode, allocations, letters } });
      }
      return record('settle', { type: 'CostBorneByCorporation', data: { costCents } });
    }
    const outcome = settledOutcome(incident);
    if (!incident.done.neighbours) {
      if (!lookedUp.households) return { type: 'lookUp', step: 'inform the neighbours', fact: 'households' };
      const neighbours = lookedUp.households.filter((tenantId) => tenantId !== polluter);
      if (neighbours.length < policy.neighboursNoticeMinimumHouseholds) {
        return record('inform the neighbours', {
          type: 'NeighboursNoticeSuppressed',
          data: { households: neighbours.length, minimum: policy.neighboursNoticeMinimumHouseholds },
        });
      }
      const letters = neighbours.map((tenantId) => letterTo(tenantId, { kind: 'neighbours_notice', ...common, outcome, polluterKnown: polluter !== null }));
      return record('inform the neighbours', { type: 'NeighboursInformed', data: { households: neighbours.length, letters } });
    }
    return close(outcome);
  }
}

/** The offence count decides the warning: a repeat within the window is sharper; from the threshold on the case is flagged. */
export function warningFor(priorOffences: number, tenancyEscalationFromOffence: number) {
  const offenceNumber = priorOffences + 1;
  return {
    offenceNumber,
    severity: offenceNumber > 1 ? ('sharp' as const) : ('standard' as const),
    flagForTenancyEscalation: offenceNumber >= tenancyEscalationFromOffence,
  };
}

/** Cleaned by the corporation, charged to the polluter: the cost (or the tariff), and an administration fee only where policy sets one. */
export function invoiceLinesFor(incident: OpenIncident, policy: IncidentPolicy): InvoiceLine[] {
  const lines: InvoiceLine[] = [
    { description: `Schoonmaak: ${categoryLabels[incident.facts.category]}, ${incident.facts.location}`, amountCents: incident.costCents ?? 0, vatCode: policy.vatCode },
  ];
  if (policy.administrationFeeCents > 0) lines.push({ description: 'Administratiekosten', amountCents: policy.administrationFeeCents, vatCode: policy.vatCode });
  return lines;
}

/** Unknown polluter, cleaned by the corporation: the households share the cost where policy allows it, never for vandalism. */
function serviceCostsApply(incident: OpenIncident, policy: IncidentPolicy, households: number): boolean {
  return policy.serviceCostsForUnknownPolluter && incident.facts.category !== 'vandalism' && households > 0 && (incident.costCents ?? 0) > 0;
}

type Resolved = (typeof resolvedOutcomes)[number];

/** How a clean space ends, from what the settling recorded. */
export function settledOutcome(incident: OpenIncident): Resolved {
  if (incident.cleanedBy !== 'corporation') return 'self_cleaned';
  if (incident.polluterTenantId) return 'cleaned_and_charged';
  return incident.done.costs === 'service_costs' ? 'cleaned_at_service_cost' : 'cleaned_at_corporation_cost';
}

export const workOrderNumberOf = (incidentId: string) => `WO-${incidentId}`;
