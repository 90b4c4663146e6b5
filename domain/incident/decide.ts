import type { DomainEvent } from '../events';
import { IllegalStateError, ValidationError } from '../errors';
import { instantBefore, type PolicyDuration } from '../duration';
import { asPostedAt, letterPosted, type PostingCommand } from '../posting';
import type { IncidentState, OpenIncident, Phase } from './state';

/** The commands people give an open incident, each with the instant it was given. */
export type Command =
  | {
      type: 'ReportCleanup';
      by: 'tenant' | 'consultant';
      actor: string;
      note: string | null;
      now: string;
      /** The category's policy accepts the report without a consultant's inspection (absent: it does not). */
      acceptWithoutInspection?: boolean;
      photoIds?: string[];
    }
  | { type: 'RecordInspection'; result: 'clean' | 'not_clean'; inspector: string; note: string | null; now: string; photoIds?: string[] }
  | { type: 'IdentifyPolluter'; tenantId: string; identifiedBy: string }
  | { type: 'OpenDispute'; by: 'tenant' | 'consultant'; actor: string; reason: string }
  | { type: 'ResolveDispute'; decision: 'upheld' | 'rejected'; resolvedBy: string; note: string | null }
  | { type: 'CompleteCleanup'; contractorId: string; costCents: number | null; fixedTariffCents: number | null; now: string; photoIds?: string[]; note?: string | null }
  | { type: 'Cancel'; reason: string; cancelledBy: string }
  | {
      type: 'LinkDuplicate';
      reportId: string;
      reportedBy: string;
      description: string;
      now: string;
      polluterTenantId?: string | null;
      complainantTenantId?: string | null;
      photoIds?: string[];
    }
  | { type: 'ResolveAttention'; by: string; note: string | null; now: string }
  /** A letter that went by post was posted; `reminderBefore` is the category's policy (a moved deadline moves its reminder). */
  | ({ type: 'RecordPosting'; reminderBefore: PolicyDuration } & PostingCommand);

type Decided<K extends DomainEvent['type']> = Extract<DomainEvent, { type: K }>[];

/** The facts of an open incident that decide what it allows; the read model has them too. */
type Facts = Pick<OpenIncident, 'dispute' | 'polluterTenantId'> & { phase: Phase; attention: unknown };

/**
 * What an open incident allows, for the commands whose refusal depends only on its phase and its
 * facts: decide refuses what these deny, and the workspace offers only what they allow.
 */
export const allows = {
  /** A cleanup may be reported or inspected while the polluter is asked to clean. */
  inspection: (s: Facts) => s.phase === 'awaiting_cleanup' || s.phase === 'cleanup_reported',
  identifyingThePolluter: (s: Facts) => s.polluterTenantId === null && s.phase !== 'settling',
  // A step stuck on its data may be given up, whatever the phase.
  cancelling: (s: Facts) => !(s.phase === 'settling' && s.dispute !== 'open' && s.attention === null),
};

function requireAwaitingCleanup(state: OpenIncident, action: string): void {
  if (allows.inspection(state)) return;
  if (state.phase === 'reported') throw new IllegalStateError(`cannot ${action}: nobody has been notified yet`);
  if (state.phase === 'cleanup_ordered') throw new IllegalStateError(`cannot ${action}: the cleanup has been ordered from the contractor`);
  if (state.phase === 'settling') throw new IllegalStateError(`cannot ${action}: the space has already been cleaned`);
}

/** What every command to a closed incident is told (its workflow has ended: the API tells it too). */
export const closedRefusal = (outcome: string) => new IllegalStateError(`the incident is closed (${outcome})`);

/**
 * Where a dispute goes: to the incident while it can still be settled otherwise; to its invoice
 * once the incident is being settled or closed and the invoice is open (the dispute then pauses
 * the dunning, and upheld, credits the invoice).
 */
export function disputeGoesTo(incident: { status: 'open' | 'closed'; phase: string }, invoice: { status: string } | null): 'incident' | 'invoice' {
  const settled = incident.status === 'closed' || incident.phase === 'settling';
  return settled && invoice?.status === 'open' ? 'invoice' : 'incident';
}

/** Refused with 409 unless the incident is open: none, closed, being cancelled or dismissed. */
export function requireOpen(state: IncidentState): OpenIncident {
  if (state.status === 'none') throw new IllegalStateError('the incident has not been reported yet');
  if (state.status === 'closed') throw closedRefusal(state.outcome);
  if (state.cancelled) throw new IllegalStateError('the incident is being cancelled');
  if (state.dispute === 'upheld') throw new IllegalStateError('the dispute was upheld; the incident is being dismissed');
  return state;
}

/** An action's photos on its event; none, no field (events from before photos read the same). */
const photosOf = (c: { photoIds?: string[] }) => (c.photoIds && c.photoIds.length > 0 ? { photoIds: c.photoIds } : {});

export function reportCleanup(
  state: IncidentState,
  c: Extract<Command, { type: 'ReportCleanup' }>,
): Decided<'CleanupReported' | 'InspectionRecorded'> {
  const open = requireOpen(state);
  requireAwaitingCleanup(open, 'report a cleanup');
  if (open.phase === 'cleanup_reported') throw new IllegalStateError('a cleanup has already been reported and awaits inspection');
  const reported: Decided<'CleanupReported'>[number] = {
    type: 'CleanupReported',
    data: { by: c.by, actor: c.actor, note: c.note, reportedAt: c.now, ...photosOf(c) },
  };
  if (!c.acceptWithoutInspection) return [reported];
  // Policy takes the report's word for it: recorded as a clean inspection, marked as such.
  return [
    reported,
    { type: 'InspectionRecorded', data: { result: 'clean', inspector: c.actor, note: null, inspectedAt: c.now, acceptedFromReport: true } },
  ];
}

export function recordInspection(state: IncidentState, c: Extract<Command, { type: 'RecordInspection' }>): Decided<'InspectionRecorded'> {
  const open = requireOpen(state);
  requireAwaitingCleanup(open, 'record an inspection');
  return [
    {
      type: 'InspectionRecorded',
      data: { result: c.result, inspector: c.inspector, note: c.note, inspectedAt: c.now, acceptedFromReport: false, ...photosOf(c) },
    },
  ];
}

export function identifyPolluter(state: IncidentState, c: Extract<Command, { type: 'IdentifyPolluter' }>): Decided<'PolluterIdentified'> {
  const open = requireOpen(state);
  if (open.polluterTenantId !== null) throw new IllegalStateError(`the polluter is already identified (${open.polluterTenantId})`);
  if (!allows.identifyingThePolluter(open)) throw new IllegalStateError('the consequences are already being settled');
  return [{ type: 'PolluterIdentified', data: { tenantId: c.tenantId, identifiedBy: c.identifiedBy } }];
}

export function openDispute(state: IncidentState, c: Extract<Command, { type: 'OpenDispute' }>): Decided<'DisputeOpened'> {
  const open = requireOpen(state);
  if (open.dispute === 'open') throw new IllegalStateError('a dispute is already open');
  if (open.phase === 'reported') throw new IllegalStateError('nobody has been notified yet');
  if (open.phase === 'settling') throw new IllegalStateError('the space is clean and the consequences are being issued');
  if (c.reason.trim() === '') throw new ValidationError('a dispute needs a reason', [{ path: 'reason', message: 'required' }]);
  return [{ type: 'DisputeOpened', data: { by: c.by, actor: c.actor, reason: c.reason } }];
}

export function resolveDispute(state: IncidentState, c: Extract<Command, { type: 'ResolveDispute' }>): Decided<'DisputeResolved'> {
  const open = requireOpen(state);
  if (open.dispute !== 'open') throw new IllegalStateError('there is no open dispute');
  return [{ type: 'DisputeResolved', data: { decision: c.decision, resolvedBy: c.resolvedBy, note: c.note } }];
}

export function completeCleanup(state: IncidentState, c: Extract<Command, { type: 'CompleteCleanup' }>): Decided<'CleanupCompleted'> {
  const open = requireOpen(state);
  if (open.phase !== 'cleanup_ordered') throw new IllegalStateError('no cleanup has been ordered for this incident');
  if (open.contractorId !== c.contractorId) throw new IllegalStateError(`the work order went to contractor ${open.contractorId}`);
  if (c.fixedTariffCents === null && c.costCents === null) {
    throw new ValidationError('this category has no fixed tariff: report the cost', [{ path: 'costCents', message: 'required' }]);
  }
  const costCents = c.fixedTariffCents ?? (c.costCents as number);
  return [
    {
      type: 'CleanupCompleted',
      data: {
        contractorId: c.contractorId,
        reportedCostCents: c.costCents,
        costCents,
        tariffApplied: c.fixedTariffCents !== null,
        completedAt: c.now,
        ...photosOf(c),
        ...(c.note ? { note: c.note } : {}),
      },
    },
  ];
}

export function cancel(state: IncidentState, c: Extract<Command, { type: 'Cancel' }>): Decided<'IncidentCancelled'> {
  const open = requireOpen(state);
  if (!allows.cancelling(open)) {
    throw new IllegalStateError('the space is clean and the consequences are being issued');
  }
  if (c.reason.trim() === '') throw new ValidationError('a cancellation needs a reason', [{ path: 'reason', message: 'required' }]);
  return [{ type: 'IncidentCancelled', data: { reason: c.reason, cancelledBy: c.cancelledBy } }];
}

/**
 * A second report on the space: linked, and what it adds is used: the polluter it names becomes
 * the incident's polluter when none is known yet (and can still be asked to clean), and a
 * complainant of its own is acknowledged (the process sends that letter: see `next`).
 */
export function linkDuplicate(state: IncidentState, c: Extract<Command, { type: 'LinkDuplicate' }>): Decided<'DuplicateReportLinked' | 'PolluterIdentified'> {
  const open = requireOpen(state);
  const linked: Decided<'DuplicateReportLinked'>[number] = {
    type: 'DuplicateReportLinked',
    data: {
      reportId: c.reportId,
      reportedBy: c.reportedBy,
      description: c.description,
      reportedAt: c.now,
      polluterTenantId: c.polluterTenantId ?? null,
      complainantTenantId: c.complainantTenantId ?? null,
      ...photosOf(c),
    },
  };
  const identifies = c.polluterTenantId && open.polluterTenantId === null && open.phase !== 'settling';
  return identifies ? [linked, { type: 'PolluterIdentified', data: { tenantId: c.polluterTenantId as string, identifiedBy: c.reportedBy } }] : [linked];
}

/** A person has dealt with what stopped a step (corrected the directory, for instance): the step is tried again. */
export function resolveAttention(state: IncidentState, c: Extract<Command, { type: 'ResolveAttention' }>): Decided<'AttentionResolved'> {
  const open = requireOpen(state);
  if (open.attention === null) throw new IllegalStateError('the incident does not need attention');
  return [{ type: 'AttentionResolved', data: { by: c.by, note: c.note, resolvedAt: c.now } }];
}

/**
 * A letter posted: recorded once (the same day again is nothing new); the notice the tenant or the
 * households are asked to clean by gives its term from the posting, so the deadline moves when that
 * is later. A closed incident's letters are posted too (a warning, the neighbours' notice).
 */
export function recordPosting(state: IncidentState, c: Extract<Command, { type: 'RecordPosting' }>): Decided<'LetterPosted' | 'DeadlineMoved'> {
  if (state.status === 'none') throw new IllegalStateError('the incident has not been reported yet');
  const posted = letterPosted(state.status === 'open' ? state.posted : {}, c);
  if (posted.length === 0 || state.status !== 'open' || !isTheNoticeInForce(state, c.letter)) return posted;
  const { deadline } = asPostedAt(c.letter.content, new Date(posted[0]!.data.countedFrom));
  if (!deadline || Date.parse(deadline.deadline) <= Date.parse(state.deadline as string)) return posted;
  const reminder = instantBefore({ deadline: new Date(deadline.deadline), deadlineDate: deadline.deadlineDate }, c.reminderBefore);
  const reminderAt = !state.reminded && reminder.getTime() > Date.parse(c.now) ? reminder.toISOString() : null;
  return [...posted, { type: 'DeadlineMoved', data: { ...deadline, reminderAt, reason: `the notice was posted on ${c.postedOn}` } }];
}

/** The letter is the notice whose deadline the incident waits for (not an earlier one, nor a reminder). */
function isTheNoticeInForce(state: OpenIncident, letter: PostingCommand['letter']): boolean {
  if (state.deadline === null || !allows.inspection(state) || state.cancelled) return false;
  if (letter.content.kind === 'formal_notice') return state.notifiedTenantId === letter.recipientId;
  return letter.content.kind === 'collective_notice' && state.notifiedTenantId === null;
}

export function decide(state: IncidentState, command: Command): DomainEvent[] {
  switch (command.type) {
    case 'ReportCleanup':
      return reportCleanup(state, command);
    case 'RecordInspection':
      return recordInspection(state, command);
    case 'IdentifyPolluter':
      return identifyPolluter(state, command);
    case 'OpenDispute':
      return openDispute(state, command);
    case 'ResolveDispute':
      return resolveDispute(state, command);
    case 'CompleteCleanup':
      return completeCleanup(state, command);
    case 'Cancel':
      return cancel(state, command);
    case 'LinkDuplicate':
      return linkDuplicate(state, command);
    case 'ResolveAttention':
      return resolveAttention(state, command);
    case 'RecordPosting':
      return recordPosting(state, command);
    default: {
      const unreachable: never = command;
      throw new Error(`unknown command ${JSON.stringify(unreachable)}`);
    }
  }
}
