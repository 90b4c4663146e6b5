import { addWorkingDays, amsterdamDate, endOfDay, isWorkingDay, type LocalDate } from './calendar';
import { IllegalStateError, ValidationError } from './errors';
import type { DomainEvent, EventData } from './events';
import type { Category } from './policy';

/*
 * Supervision rounds (schouw): a consultant walks a complex on a schedule and looks at every shared
 * space. The plan says which spaces, in walking order, how often and by whom; each occurrence is a
 * round with its own stream (round-<roundId>) whose life this module decides.
 */

// The plan's schema (zod) is in round-plan.ts: the round workflow imports this module, and zod in a
// workflow's modules costs every workflow its evaluation again (README, Capacity).
export type { RoundPlan } from './round-plan';
import type { RoundPlan } from './round-plan';

/** A space of a round: the building's, numbered in walking order from 1. */
export interface RoundSpace {
  buildingId: string;
  position: number;
  name: string;
}

export type SpaceResult = 'in_order' | 'finding';

export type RoundState =
  | { status: 'none' }
  | {
      status: 'open' | 'paused' | 'completed';
      roundId: string;
      complexId: string;
      consultant: string;
      dueDate: LocalDate;
      overdue: boolean;
      spaces: (RoundSpace & { result: SpaceResult | null })[];
      /** Every finding by its client-made id, with the incident it became. */
      findings: Record<string, { incidentId: string; buildingId: string; position: number }>;
    };

export const initialRoundState: RoundState = { status: 'none' };

/** The spaces of a plan, in walking order: building by building, each building's spaces from 1. */
export function spacesOfPlan(plan: Pick<RoundPlan, 'buildings'>): RoundSpace[] {
  return plan.buildings.flatMap((b) => b.spaces.map((name, index) => ({ buildingId: b.buildingId, position: index + 1, name })));
}

/**
 * The day a round is walked and the day it is due: the day it was scheduled, or the next working
 * day when that is a weekend or public holiday; due that many working days later, at the end of
 * that day (Europe/Amsterdam).
 */
export function roundDates(scheduledAt: Date, dueWithinWorkingDays: number): { plannedDate: LocalDate; dueDate: LocalDate; due: string } {
  const day = amsterdamDate(scheduledAt);
  const plannedDate = isWorkingDay(day) ? day : addWorkingDays(day, 1);
  const dueDate = addWorkingDays(plannedDate, dueWithinWorkingDays);
  return { plannedDate, dueDate, due: endOfDay(dueDate).toISOString() };
}

export function evolveRound(state: RoundState, event: DomainEvent): RoundState {
  if (event.type === 'RoundScheduled') {
    const d = event.data;
    return {
      status: 'open',
      roundId: d.roundId,
      complexId: d.complexId,
      consultant: d.consultant,
      dueDate: d.dueDate,
      overdue: false,
      spaces: d.spaces.map((s) => ({ ...s, result: null })),
      findings: {},
    };
  }
  if (state.status === 'none') return state;
  const mark = (buildingId: string, position: number, result: SpaceResult) =>
    state.spaces.map((s) => (s.buildingId === buildingId && s.position === position ? { ...s, result } : s));
  switch (event.type) {
    case 'RoundSpaceInOrder':
      return { ...state, spaces: mark(event.data.buildingId, event.data.position, 'in_order') };
    case 'RoundFindingRecorded': {
      const d = event.data;
      return { ...state, spaces: mark(d.buildingId, d.position, 'finding'), findings: { ...state.findings, [d.findingId]: { incidentId: d.incidentId, buildingId: d.buildingId, position: d.position } } };
    }
    case 'RoundPaused':
      return { ...state, status: 'paused' };
    case 'RoundResumed':
      return { ...state, status: 'open' };
    case 'RoundOverdue':
      return { ...state, overdue: true };
    case 'RoundCompleted':
      return { ...state, status: 'completed' };
    default:
      return state;
  }
}

export type RoundCommand =
  | { type: 'MarkInOrder'; buildingId: string; position: number; by: string; now: string }
  | {
      type: 'RecordFinding';
      findingId: string;
      buildingId: string;
      position: number;
      category: Category;
      incidentId: string;
      polluterKnown: boolean;
      by: string;
      now: string;
    }
  | { type: 'Pause'; by: string; now: string }
  | { type: 'Resume'; by: string; now: string }
  | { type: 'Complete'; by: string; now: string };

type Open = Exclude<RoundState, { status: 'none' }>;

function requireWalkable(state: RoundState): Open {
  if (state.status === 'none') throw new IllegalStateError('the round has not started');
  if (state.status === 'completed') throw new IllegalStateError('the round is completed');
  return state;
}

function requireSpace(state: Open, buildingId: string, position: number) {
  const space = state.spaces.find((s) => s.buildingId === buildingId && s.position === position);
  if (!space) throw new ValidationError(`no space ${position} of building ${buildingId} in this round`, [{ path: 'body.position', message: 'not a space of this round' }]);
  return space;
}

/** Marking a space of a paused round takes the walk up again: the round is resumed first. */
const resumedIfPaused = (state: Open, by: string, now: string): DomainEvent[] =>
  state.status === 'paused' ? [{ type: 'RoundResumed', data: { roundId: state.roundId, by, at: now } }] : [];

export function decideRound(state: RoundState, command: RoundCommand): DomainEvent[] {
  const round = requireWalkable(state);
  switch (command.type) {
    case 'MarkInOrder': {
      const space = requireSpace(round, command.buildingId, command.position);
      if (space.result === 'in_order') return [];
      if (space.result === 'finding') throw new IllegalStateError(`${space.name} has a finding in this round`);
      return [
        ...resumedIfPaused(round, command.by, command.now),
        { type: 'RoundSpaceInOrder', data: { roundId: round.roundId, buildingId: command.buildingId, position: command.position, by: command.by, at: command.now } },
      ];
    }
    case 'RecordFinding': {
      // A finding sent again (a retry on a weak connection) is the same finding: recorded once.
      if (command.findingId in round.findings) return [];
      const space = requireSpace(round, command.buildingId, command.position);
      if (space.result === 'in_order') throw new IllegalStateError(`${space.name} was marked in order in this round`);
      const { type: _type, now, ...finding } = command;
      return [...resumedIfPaused(round, command.by, now), { type: 'RoundFindingRecorded', data: { roundId: round.roundId, ...finding, at: now } }];
    }
    case 'Pause':
      return round.status === 'paused' ? [] : [{ type: 'RoundPaused', data: { roundId: round.roundId, by: command.by, at: command.now } }];
    case 'Resume':
      return resumedIfPaused(round, command.by, command.now);
    case 'Complete': {
      const unmarked = round.spaces.filter((s) => s.result === null);
      if (unmarked.length > 0) throw new IllegalStateError(`${unmarked.length} of the round's spaces are not yet looked at: ${unmarked.map((s) => s.name).join(', ')}`);
      return [{ type: 'RoundCompleted', data: completion(round, command.by, command.now) }];
    }
    default: {
      const unknown: never = command;
      throw new ValidationError(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
}

function completion(round: Open, by: string, now: string): EventData<'RoundCompleted'> {
  const findings = Object.keys(round.findings).length;
  return {
    roundId: round.roundId,
    by,
    completedAt: now,
    onTime: amsterdamDate(new Date(now)) <= round.dueDate,
    spacesInOrder: round.spaces.filter((s) => s.result === 'in_order').length,
    spacesWithFindings: round.spaces.filter((s) => s.result === 'finding').length,
    findings,
  };
}

/** What the round's workflow does next: wait for the walk until it is due, mark it overdue, or end. */
export function nextForRound(state: RoundState, due: string, now: string): { type: 'wait'; until: string | null } | { type: 'overdue' } | { type: 'finished' } {
  if (state.status === 'none') return { type: 'wait', until: null };
  if (state.status === 'completed') return { type: 'finished' };
  if (!state.overdue && now >= due) return { type: 'overdue' };
  return { type: 'wait', until: state.overdue ? null : due };
}
