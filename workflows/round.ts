import { allHandlersFinished, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { Activities } from '../activities';
import { decideRound, evolveRound, initialRoundState, nextForRound, roundDates, spacesOfPlan, type RoundCommand, type RoundState } from '../domain/round';
import * as m from './round-messages';
import { EventStream, acceptUpdate, storeActivity } from './stream';

const store = proxyActivities<Activities>(storeActivity);

/**
 * One supervision round: started by the complex's schedule (or by hand), it reads the plan, records
 * RoundScheduled with the day it is due, answers the consultant's walk through Updates (each decided
 * by domain/round.ts), marks it overdue when the due day passes unwalked, and ends when it is completed.
 * Returns 'completed', or 'no_plan' when the complex has no plan (any more).
 */
export async function roundWorkflow(input: m.RoundInput): Promise<'completed' | 'no_plan'> {
  const { workflowId } = workflowInfo();
  const roundId = m.roundIdOfWorkflow(workflowId);
  const stream = new EventStream<RoundState>(m.roundWorkflowId(roundId), { state: initialRoundState, version: 0 }, evolveRound, store.appendEvents);
  const now = () => new Date(Date.now()).toISOString();

  const accept = <Args extends { by: string }>(definition: UpdateDefinition<m.RoundUpdateResult, [Args]>, command: (args: Args) => RoundCommand) =>
    acceptUpdate(stream, definition, (args) => decideRound(stream.state, command(args)), (a) => a.by, () => ({ streamVersion: stream.version, state: stream.state }));
  accept(m.markInOrderUpdate, (a) => ({ type: 'MarkInOrder', ...a, now: now() }));
  accept(m.recordFindingUpdate, (a) => ({ type: 'RecordFinding', ...a, now: now() }));
  accept(m.pauseRoundUpdate, (a) => ({ type: 'Pause', ...a, now: now() }));
  accept(m.resumeRoundUpdate, (a) => ({ type: 'Resume', ...a, now: now() }));
  accept(m.completeRoundUpdate, (a) => ({ type: 'Complete', ...a, now: now() }));
  setHandler(m.roundStateQuery, () => stream.state);

  const plan = await store.roundPlanOf(input.complexId);
  if (!plan) return 'no_plan';
  const { plannedDate, dueDate, due } = roundDates(new Date(Date.now()), plan.dueWithinWorkingDays);
  await stream.record([
    { type: 'RoundScheduled', data: { roundId, complexId: input.complexId, consultant: plan.consultant, plannedDate, dueDate, due, spaces: spacesOfPlan(plan) } },
  ]);

  for (;;) {
    try {
      await stream.settled();
    } catch {
      // An append failed and the state is back to what is stored: decide again from it.
    }
    const step = nextForRound(stream.state, due, now());
    if (step.type === 'finished') {
      await condition(allHandlersFinished);
      return 'completed';
    }
    if (step.type === 'overdue') {
      await stream.record([{ type: 'RoundOverdue', data: { roundId, dueDate, at: now() } }]);
      continue;
    }
    const seen = stream.version;
    if (step.until === null) await condition(() => stream.version !== seen);
    else await condition(() => stream.version !== seen, Math.max(1, Date.parse(step.until) - Date.now()));
  }
}
