import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleSpec } from '@temporalio/client';
import { amsterdamInstant } from '../domain/calendar';
import type { RoundPlan } from '../domain/round';
import { roundScheduleId, roundWorkflowId, type RoundInput } from '../workflows/round-messages';
import type { roundWorkflow } from '../workflows/round';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * When a complex's rounds start: every `intervalWeeks` weeks from the first day, at 06:00 that day
 * (Amsterdam; the round itself moves to the next working day when that is a weekend or holiday).
 * An interval spec counts from the epoch, so the offset puts its beat on the first day.
 */
export function roundScheduleSpec(plan: Pick<RoundPlan, 'intervalWeeks' | 'firstDate'>): ScheduleSpec {
  const first = amsterdamInstant(plan.firstDate, '06:00');
  const every = plan.intervalWeeks * WEEK_MS;
  return { intervals: [{ every, offset: first.getTime() % every }], startAt: new Date(first.getTime() - 60_000) };
}

/**
 * The complex's Temporal Schedule, made or brought up to date with its plan (idempotent: saving
 * the same plan twice leaves one schedule as it was). Rounds may overlap: an overdue round stays
 * open while the next one starts. A schedule missed while Temporal was down starts its round
 * when it is back, within a day.
 */
export async function saveRoundSchedule(temporal: Client, taskQueue: string, complexId: string, plan: RoundPlan): Promise<string> {
  const scheduleId = roundScheduleId(complexId);
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'roundWorkflow',
    workflowId: roundWorkflowId(complexId),
    taskQueue,
    args: [{ complexId } satisfies RoundInput] as Parameters<typeof roundWorkflow>,
  };
  const spec = roundScheduleSpec(plan);
  const policies = { overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: 24 * 60 * 60 * 1000 };
  const update = () =>
    temporal.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action, policies: { ...previous.policies, ...policies } }));
  try {
    await update();
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
    try {
      await temporal.schedule.create({ scheduleId, spec, action, policies, state: { note: `rounds of complex ${complexId}` } });
    } catch (raced) {
      // Made meanwhile by another save of the plan: bring that one up to date.
      if (!(raced instanceof ScheduleAlreadyRunning)) throw raced;
      await update();
    }
  }
  return scheduleId;
}

/** A round now, outside the beat (the consultant walks today): the schedule starts it as it would on time. */
export async function triggerRound(temporal: Client, complexId: string): Promise<void> {
  await temporal.schedule.getHandle(roundScheduleId(complexId)).trigger(ScheduleOverlapPolicy.ALLOW_ALL);
}

/** The schedule's next start times, for the plan's page. */
export async function nextRoundTimes(temporal: Client, complexId: string): Promise<string[]> {
  try {
    const description = await temporal.schedule.getHandle(roundScheduleId(complexId)).describe();
    return description.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString());
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return [];
    throw error;
  }
}
