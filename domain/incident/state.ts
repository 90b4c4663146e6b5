import type { DomainEvent, Outcome } from '../events';
import type { Category } from '../policy';

/**
 * Where an incident is in its life. The read model's phase is this same value (db/projections.ts
 * sets it with `phaseAfter`).
 */
export type Phase =
  | 'reported' // recorded, nobody notified yet
  | 'awaiting_cleanup' // notice sent, waiting for the tenant(s) to clean
  | 'cleanup_reported' // "it is clean" reported, waiting for the inspection
  | 'cleanup_ordered' // the contractor has the work order
  | 'settling' // clean (by tenant or contractor); consequences being issued
  | 'closed';

/** The phase an event moves an incident to, or null when it leaves the phase as it was. */
export function phaseAfter(event: DomainEvent): Phase | null {
  switch (event.type) {
    case 'IncidentReported':
      return 'reported';
    case 'PolluterNotified':
    case 'CollectiveNoticeSent':
      return 'awaiting_cleanup';
    case 'CleanupReported':
      return 'cleanup_reported';
    case 'InspectionRecorded':
      return event.data.result === 'clean' ? 'settling' : 'awaiting_cleanup';
    case 'CleanupOrdered':
      return 'cleanup_ordered';
    case 'CleanupCompleted':
      return 'settling';
    case 'IncidentClosed':
      return 'closed';
    default:
      return null;
  }
}

export interface IncidentFacts {
  incidentId: string;
  incidentNumber: string | null;
  category: Category;
  complexId: string;
  buildingId: string;
  location: string;
  reportedAt: string;
  complainantTenantId: string | null;
}

export interface Attention {
  step: string;
  reason: string;
  since: string;
}

export interface OpenIncident {
  status: 'open';
  facts: IncidentFacts;
  phase: Exclude<Phase, 'closed'>;
  polluterTenantId: string | null;
  /** The tenant the current notice went to; null for a collective notice or none yet. */
  notifiedTenantId: string | null;
  deadline: string | null;
  deadlineDate: string | null;
  reminderAt: string | null;
  reminded: boolean;
  cleanedBy: 'tenant' | 'corporation' | null;
  dispute: 'none' | 'open' | 'upheld' | 'rejected';
  contractorId: string | null;
  costCents: number | null;
  cancelled: boolean;
  /** A step failed on its data and waits for a person (see AttentionRequired). */
  attention: Attention | null;
  /** Complainants of later reports on the space, still to be acknowledged. */
  complainantsToAcknowledge: string[];
  /** The day each of its letters that went by post was posted (LetterPosted), by letter id. */
  posted: Record<string, string>;
  /** What the process has done on its way to the close. */
  done: {
    returnedToComplainant: boolean;
    complainantAcknowledged: boolean;
    warning: boolean;
    costs: 'service_costs' | 'corporation' | null;
    neighbours: boolean;
  };
}

export type ClosedIncident = { status: 'closed'; facts: IncidentFacts; outcome: Outcome; polluterTenantId: string | null };
export type IncidentState = { status: 'none' } | OpenIncident | ClosedIncident;

export const initialState: IncidentState = { status: 'none' };

export function evolve(state: IncidentState, event: DomainEvent): IncidentState {
  if (event.type === 'IncidentReported') {
    const d = event.data;
    return {
      status: 'open',
      facts: {
        incidentId: d.incidentId,
        incidentNumber: d.incidentNumber ?? null,
        category: d.category,
        complexId: d.complexId,
        buildingId: d.buildingId,
        location: d.location,
        reportedAt: d.reportedAt,
        complainantTenantId: d.complainantTenantId,
      },
      phase: 'reported',
      polluterTenantId: d.polluterTenantId,
      notifiedTenantId: null,
      deadline: null,
      deadlineDate: null,
      reminderAt: null,
      reminded: false,
      cleanedBy: null,
      dispute: 'none',
      contractorId: null,
      costCents: null,
      cancelled: false,
      attention: null,
      complainantsToAcknowledge: [],
      posted: {},
      done: { returnedToComplainant: false, complainantAcknowledged: false, warning: false, costs: null, neighbours: false },
    };
  }
  if (state.status !== 'open') return state;
  const phase = phaseAfter(event);
  const moved: OpenIncident = phase === null || phase === 'closed' ? state : { ...state, phase };
  const done = (changes: Partial<OpenIncident['done']>): OpenIncident => ({ ...moved, done: { ...moved.done, ...changes } });
  switch (event.type) {
    case 'ReportReturnedToComplainant':
      return done({ returnedToComplainant: true });
    case 'ComplainantAcknowledged':
      return { ...done({ complainantAcknowledged: true }), complainantsToAcknowledge: [] };
    case 'DuplicateReportLinked': {
      const complainant = event.data.complainantTenantId ?? null;
      const known = complainant === null || complainant === moved.facts.complainantTenantId || moved.complainantsToAcknowledge.includes(complainant);
      return known ? moved : { ...moved, complainantsToAcknowledge: [...moved.complainantsToAcknowledge, complainant] };
    }
    case 'PolluterNotified':
      return {
        ...moved,
        notifiedTenantId: event.data.tenantId,
        deadline: event.data.deadline,
        deadlineDate: event.data.deadlineDate,
        reminderAt: event.data.reminderAt,
        reminded: false,
      };
    case 'CollectiveNoticeSent':
      return {
        ...moved,
        notifiedTenantId: null,
        deadline: event.data.deadline,
        deadlineDate: event.data.deadlineDate,
        reminderAt: event.data.reminderAt,
        reminded: false,
      };
    case 'ReminderSent':
      return { ...moved, reminded: true };
    case 'DeadlineMoved':
      return { ...moved, deadline: event.data.deadline, deadlineDate: event.data.deadlineDate, reminderAt: event.data.reminderAt };
    case 'InspectionRecorded':
      return event.data.result === 'clean' ? { ...moved, cleanedBy: 'tenant' } : moved;
    case 'PolluterIdentified':
      return { ...moved, polluterTenantId: event.data.tenantId };
    case 'DisputeOpened':
      return { ...moved, dispute: 'open' };
    case 'DisputeResolved':
      return { ...moved, dispute: event.data.decision };
    case 'CleanupOrdered':
      return { ...moved, contractorId: event.data.contractorId };
    case 'CleanupCompleted':
      return { ...moved, cleanedBy: 'corporation', costCents: event.data.costCents };
    case 'WarningIssued':
      return done({ warning: true });
    case 'ServiceCostsAllocated':
      return done({ costs: 'service_costs' });
    case 'CostBorneByCorporation':
      return done({ costs: 'corporation' });
    case 'NeighboursInformed':
    case 'NeighboursNoticeSuppressed':
      return done({ neighbours: true });
    case 'IncidentCancelled':
      return { ...moved, cancelled: true };
    case 'AttentionRequired':
      return { ...moved, attention: { step: event.data.step, reason: event.data.reason, since: event.data.since } };
    case 'AttentionResolved':
      return { ...moved, attention: null };
    case 'LetterPosted':
      return { ...moved, posted: { ...moved.posted, [event.data.letterId]: event.data.postedOn } };
    case 'IncidentClosed':
      return { status: 'closed', facts: state.facts, outcome: event.data.outcome, polluterTenantId: state.polluterTenantId };
    default:
      return moved;
  }
}
