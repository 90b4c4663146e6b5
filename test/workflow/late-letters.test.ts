/**
 * A letter that goes out later than planned does not shorten what it gives (issue 14, item 11):
 * the notice's term runs from when it is sent, and the letter says so; the incident's deadline
 * moves with it. Here the mail relay refuses for a while (451, as a relay that is down), on the
 * time-skipping server.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { Activities } from '../../activities';
import { readStream } from '../../db/event-store';
import { resolvePolicy } from '../../domain/policy';
import { incidentWorkflow } from '../../workflows';
import { incidentWorkflowId, type IncidentInput } from '../../workflows/messages';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedDirectory } from '../support/fixtures';
import { createWorker, eventually, testActivities } from '../support/harness';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp';

jest.setTimeout(180_000);

const HOUR = 60 * 60 * 1000;
let env: TestWorkflowEnvironment;
let database: TestDatabase;
let smtp: TestSmtpServer;
let activities: Activities;
let worker: Worker;
const taskQueue = 'late-letters';

beforeAll(async () => {
  database = await createTestDatabase('late_letters');
  smtp = await startTestSmtpServer();
  await seedDirectory(database.db);
  activities = testActivities(database.db, smtp.url, resolvePolicy());
});
afterAll(async () => {
  await smtp?.close();
  await database?.drop();
});
afterEach(async () => {
  smtp.refuse(null);
  await env?.teardown();
});

const events = async (incidentId: string) => (await readStream(database.db, `incident-${incidentId}`)).map((e) => e.event);

test('a formal notice the relay holds up for a day and a half gives its two working days from when it goes out, and the incident waits for that deadline', async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER_PATH as string } } });
  worker = await createWorker(env, taskQueue, activities);
  // Monday 2 June 2031, 10:00: planned deadline Wednesday 4 June, end of the day.
  await env.sleep(Date.parse('2031-06-02T10:00:00+02:00') - (await env.currentTimeMs()));
  const input: IncidentInput = {
    incidentId: 'late-notice',
    incidentNumber: '2031-00042',
    category: 'fouled_stairwell',
    complexId: 'C1',
    buildingId: 'C1-A',
    location: 'trappenhuis',
    description: '',
    polluterTenantId: 'A-2',
    complainantTenantId: null,
    reportedBy: 'consultant:test',
    reportedAt: '2031-06-02T08:00:00.000Z',
  };
  smtp.refuse((mail) => mail.envelopeTo.includes('a2@bewoners.test'));
  await worker.runUntil(async () => {
    await env.client.workflow.start(incidentWorkflow, { taskQueue, workflowId: incidentWorkflowId(input.incidentId), args: [input] });
    await eventually(async () => expect((await events(input.incidentId)).map((e) => e.type)).toContain('PolluterNotified'));
    const planned = (await events(input.incidentId)).find((e) => e.type === 'PolluterNotified')!;
    expect(planned.type === 'PolluterNotified' && planned.data.deadlineDate).toBe('2031-06-04');

    // The relay is back on Tuesday evening: the notice goes out then.
    await env.sleep(Date.parse('2031-06-03T20:00:00+02:00') - (await env.currentTimeMs()));
    smtp.refuse(null);
    // The mail activity's next retry is due within its back-off (at most five minutes).
    await env.sleep(10 * 60 * 1000);
    await eventually(() => expect(smtp.to('a2@bewoners.test')).toHaveLength(1), 60_000);
    const notice = smtp.to('a2@bewoners.test')[0]!;
    // Two working days from Tuesday: Thursday 5 June; not the Wednesday that was planned.
    expect(notice.text).toContain('donderdag 5 juni 2031');
    expect(notice.text).not.toContain('woensdag 4 juni 2031');

    await eventually(async () => expect((await events(input.incidentId)).map((e) => e.type)).toContain('DeadlineMoved'));
    const moved = (await events(input.incidentId)).find((e) => e.type === 'DeadlineMoved')!;
    expect(moved.type === 'DeadlineMoved' && moved.data).toEqual({
      deadline: '2031-06-05T22:00:00.000Z',
      deadlineDate: '2031-06-05',
      // The reminder one working day before the deadline day: Wednesday 09:00.
      reminderAt: '2031-06-04T07:00:00.000Z',
      reason: 'the notice went out later than planned',
    });
    const row = await database.db.selectFrom('incidents').select(['deadline_date']).where('incident_id', '=', input.incidentId).executeTakeFirstOrThrow();
    expect(row.deadline_date).toBe('2031-06-05');

    // Wednesday night, the planned deadline: nothing is ordered; the cleanup is ordered after the moved one.
    await env.sleep(Date.parse('2031-06-05T08:00:00+02:00') - (await env.currentTimeMs()));
    expect((await events(input.incidentId)).map((e) => e.type)).not.toContain('CleanupOrdered');
    await env.sleep(Date.parse('2031-06-06T00:30:00+02:00') - (await env.currentTimeMs()));
    await eventually(async () => expect((await events(input.incidentId)).map((e) => e.type)).toContain('CleanupOrdered'));
    const ordered = (await events(input.incidentId)).find((e) => e.type === 'CleanupOrdered')!;
    expect(ordered.type === 'CleanupOrdered' && ordered.data.orderedAt >= '2031-06-05T22:00:00.000Z').toBe(true);
  });
});

test('a notice that goes out a few seconds after it was made keeps its deadline: no move is recorded', async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER_PATH as string } } });
  worker = await createWorker(env, taskQueue, activities);
  await env.sleep(Date.parse('2031-09-01T10:00:00+02:00') - (await env.currentTimeMs()));
  const input: IncidentInput = {
    incidentId: 'prompt-notice',
    category: 'fouled_stairwell',
    complexId: 'C1',
    buildingId: 'C1-A',
    location: 'kelder',
    description: '',
    polluterTenantId: 'A-3',
    complainantTenantId: null,
    reportedBy: 'consultant:test',
    reportedAt: '2031-09-01T08:00:00.000Z',
  };
  await worker.runUntil(async () => {
    await env.client.workflow.start(incidentWorkflow, { taskQueue, workflowId: incidentWorkflowId(input.incidentId), args: [input] });
    await eventually(() => expect(smtp.to('a3@bewoners.test')).toHaveLength(1));
    await env.sleep(HOUR);
    expect((await events(input.incidentId)).map((e) => e.type)).toEqual(['IncidentReported', 'PolluterNotified']);
  });
});
