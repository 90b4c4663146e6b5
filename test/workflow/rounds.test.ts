/**
 * The round workflow on the time-skipping server: its due day on the working-day calendar, overdue
 * when that day passes unwalked (and only then), still walkable after, and the round's read model
 * as the events leave it. Schedules are not on this server: test/e2e/rounds.test.ts covers them on
 * the dev server.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { Activities } from '../../activities';
import { readStream } from '../../db/event-store';
import { saveRoundPlan, roundWithSpaces } from '../../db/rounds';
import { resolvePolicy } from '../../domain/policy';
import { roundWorkflow } from '../../workflows';
import { completeRoundUpdate, markInOrderUpdate, pauseRoundUpdate, recordFindingUpdate, roundStateQuery } from '../../workflows/round-messages';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedDirectory } from '../support/fixtures';
import { createWorker, eventually, recordHistory, testActivities } from '../support/harness';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp';

jest.setTimeout(180_000);

const DAY = 24 * 60 * 60 * 1000;
let env: TestWorkflowEnvironment;
let database: TestDatabase;
let smtp: TestSmtpServer;
let activities: Activities;
let worker: Worker;
const taskQueue = 'rounds';

const plan = {
  consultant: 'carla',
  intervalWeeks: 4,
  dueWithinWorkingDays: 5,
  firstDate: '2032-03-06',
  buildings: [
    { buildingId: 'C1-A', spaces: ['Trappenhuis', 'Kelder'] },
    { buildingId: 'C1-B', spaces: ['Hal'] },
  ],
};

beforeAll(async () => {
  database = await createTestDatabase('rounds_workflow');
  smtp = await startTestSmtpServer();
  await seedDirectory(database.db);
  await saveRoundPlan(database.db, 'C1', plan, 'admin:test');
  activities = testActivities(database.db, smtp.url, resolvePolicy());
});
afterAll(async () => {
  await smtp?.close();
  await database?.drop();
});
afterEach(async () => {
  await env?.teardown();
});

async function startingAt(iso: string): Promise<void> {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER_PATH as string } },
  });
  worker = await createWorker(env, taskQueue, activities);
  await env.sleep(Date.parse(iso) - (await env.currentTimeMs()));
}

const types = async (roundId: string) => (await readStream(database.db, `round-${roundId}`)).map((e) => e.event.type);

test('a round started on a Saturday is planned for Monday and due five working days later; unwalked by the end of that day it is overdue, and can still be walked', async () => {
  await startingAt('2032-03-06T06:00:00+01:00'); // a Saturday
  const roundId = 'C1-overdue';
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: `round-${roundId}`, args: [{ complexId: 'C1' }] });
    const scheduled = await eventually(async () => {
      const round = await roundWithSpaces(database.db, roundId);
      if (!round) throw new Error('not yet');
      return round;
    });
    expect(scheduled).toMatchObject({ plannedDate: '2032-03-08', dueDate: '2032-03-15', due: '2032-03-15T23:00:00.000Z', status: 'open', overdue: false, consultant: 'carla' });
    expect(scheduled.spaces.map((s) => s.name)).toEqual(['Trappenhuis', 'Kelder', 'Hal']);

    // Walked in part on Monday, paused.
    await env.sleep(2 * DAY);
    await handle.executeUpdate(markInOrderUpdate, { args: [{ buildingId: 'C1-A', position: 1, by: 'person:carla' }] });
    await handle.executeUpdate(pauseRoundUpdate, { args: [{ by: 'person:carla' }] });
    // Up to the evening of the due day: not yet overdue.
    await env.sleep(Date.parse('2032-03-15T22:00:00Z') - (await env.currentTimeMs()));
    expect(await types(roundId)).not.toContain('RoundOverdue');
    // Past midnight: overdue, as a deadline is.
    await env.sleep(2 * 60 * 60 * 1000);
    await eventually(async () => expect(await types(roundId)).toContain('RoundOverdue'));
    expect(await roundWithSpaces(database.db, roundId)).toMatchObject({ overdue: true, status: 'paused' });

    // Walked late: the finding's space, the last one, then completed (not on time).
    await handle.executeUpdate(recordFindingUpdate, {
      args: [{ findingId: 'finding-0001', buildingId: 'C1-A', position: 2, category: 'bulk_waste', incidentId: 'incident-x', polluterKnown: false, by: 'person:carla' }],
    });
    await handle.executeUpdate(markInOrderUpdate, { args: [{ buildingId: 'C1-B', position: 1, by: 'person:carla' }] });
    const done = await handle.executeUpdate(completeRoundUpdate, { args: [{ by: 'person:carla' }] });
    expect(done.state.status).toBe('completed');
    expect(await handle.result()).toBe('completed');
    await recordHistory('round-walked-late', handle);
    expect(await types(roundId)).toEqual(['RoundScheduled', 'RoundSpaceInOrder', 'RoundPaused', 'RoundOverdue', 'RoundResumed', 'RoundFindingRecorded', 'RoundSpaceInOrder', 'RoundCompleted']);
    expect(await roundWithSpaces(database.db, roundId)).toMatchObject({ status: 'completed', onTime: false, overdue: true, spacesInOrder: 2, spacesWithFindings: 1, findings: 1 });
  });
});

test('a round walked before its due day is never overdue; a finding sent twice is recorded once; a completed round refuses more', async () => {
  await startingAt('2032-04-26T06:00:00+02:00'); // a Monday; Tuesday 27 April is King's Day
  const roundId = 'C1-on-time';
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: `round-${roundId}`, args: [{ complexId: 'C1' }] });
    await eventually(async () => expect((await handle.query(roundStateQuery)).status).toBe('open'));
    // Five working days from Monday, King's Day skipped: Tuesday 4 May.
    expect(await roundWithSpaces(database.db, roundId)).toMatchObject({ plannedDate: '2032-04-26', dueDate: '2032-05-04' });
    const finding = { findingId: 'finding-0002', buildingId: 'C1-B', position: 1, category: 'fouled_stairwell' as const, incidentId: 'incident-y', polluterKnown: true, by: 'person:carla' };
    await handle.executeUpdate(recordFindingUpdate, { args: [finding] });
    await handle.executeUpdate(recordFindingUpdate, { args: [finding] });
    await handle.executeUpdate(markInOrderUpdate, { args: [{ buildingId: 'C1-A', position: 1, by: 'person:carla' }] });
    await handle.executeUpdate(markInOrderUpdate, { args: [{ buildingId: 'C1-A', position: 2, by: 'person:carla' }] });
    await handle.executeUpdate(completeRoundUpdate, { args: [{ by: 'person:carla' }] });
    expect(await handle.result()).toBe('completed');
    await env.sleep(30 * DAY);
    expect(await types(roundId)).toEqual(['RoundScheduled', 'RoundFindingRecorded', 'RoundSpaceInOrder', 'RoundSpaceInOrder', 'RoundCompleted']);
    expect(await roundWithSpaces(database.db, roundId)).toMatchObject({ onTime: true, overdue: false, findings: 1 });
    await expect(handle.executeUpdate(markInOrderUpdate, { args: [{ buildingId: 'C1-A', position: 1, by: 'person:carla' }] })).rejects.toThrow();
  });
});

test('a space not in the round is refused; a complex without a plan starts no round', async () => {
  await startingAt('2032-05-10T06:00:00+02:00');
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: 'round-C1-refusals', args: [{ complexId: 'C1' }] });
    await eventually(async () => expect((await handle.query(roundStateQuery)).status).toBe('open'));
    const refusal = await handle.executeUpdate(markInOrderUpdate, { args: [{ buildingId: 'C1-B', position: 2, by: 'person:carla' }] }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String((refusal as WorkflowUpdateFailedError).cause?.message)).toContain('no space 2 of building C1-B in this round');
    const early = await handle.executeUpdate(completeRoundUpdate, { args: [{ by: 'person:carla' }] }).catch((e: unknown) => e);
    expect(String((early as WorkflowUpdateFailedError).cause?.message)).toContain("3 of the round's spaces are not yet looked at");

    const none = await env.client.workflow.execute(roundWorkflow, { taskQueue, workflowId: 'round-NOPLAN-1', args: [{ complexId: 'NOPLAN' }] });
    expect(none).toBe('no_plan');
    expect(await types('NOPLAN-1')).toEqual([]);
    await handle.terminate();
  });
});
