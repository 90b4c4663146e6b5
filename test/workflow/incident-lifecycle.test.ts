import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { incidentWorkflow } from '../../workflows';
import { completeCleanupUpdate, incidentStateQuery, recordInspectionUpdate, reportCleanupUpdate, type IncidentInput } from '../../workflows/messages';
import { readIncidentTimeline } from '../../db/event-store';
import { resolvePolicy } from '../../domain/policy';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp';
import { createWorker, eventually, recordHistory, testActivities } from '../support/harness';
import { seedDirectory } from '../support/fixtures';

jest.setTimeout(180_000);

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let smtp: TestSmtpServer;
let worker: Worker;
const taskQueue = 'lifecycle';

beforeAll(async () => {
  database = await createTestDatabase('lifecycle');
  smtp = await startTestSmtpServer();
  await seedDirectory(database.db);
});

afterAll(async () => {
  await smtp?.close();
  await database?.drop();
});

/** Each scenario gets its own time-skipping server, its clock moved to a fixed instant so that deadlines are known dates. */
async function startingAt(iso: string, policyOverrides: unknown = {}): Promise<void> {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER_PATH as string } },
  });
  worker = await createWorker(env, taskQueue, testActivities(database.db, smtp.url, resolvePolicy(policyOverrides)));
  const target = Date.parse(iso);
  const now = await env.currentTimeMs();
  if (now > target) throw new Error(`the test server is already past ${iso}`);
  await env.sleep(target - now);
}

afterEach(async () => {
  await env?.teardown();
});

let counter = 0;
function incident(overrides: Partial<IncidentInput> = {}): IncidentInput {
  counter += 1;
  return {
    incidentId: `wf-${counter}-${Date.now()}`,
    category: 'fouled_stairwell',
    complexId: 'C1',
    buildingId: 'C1-A',
    location: 'trappenhuis, 2e verdieping',
    description: 'afval en urine in het trappenhuis',
    polluterTenantId: 'A-2',
    complainantTenantId: null,
    reportedBy: 'consultant-1',
    reportedAt: new Date().toISOString(),
    ...overrides,
  };
}

/**
 * The incident's timeline up to its close. Its invoice lives on in a workflow of its own, and once
 * the incident's result is in, the test server skips ahead to that workflow's reminders.
 */
async function eventTypes(incidentId: string): Promise<string[]> {
  const types = (await readIncidentTimeline(database.db, incidentId)).map((e) => e.event.type);
  return types.slice(0, types.indexOf('IncidentClosed') + 1);
}

test('a known polluter who does not clean gets the contractor, an invoice for the actual cost and a warning; the neighbours hear of it', async () => {
  // Friday 18 July 2031, 15:00 in Amsterdam (13:00Z): two working days make Tuesday 22 July.
  await startingAt('2031-07-18T13:00:00Z');
  const input = incident();
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(incidentWorkflow, { taskQueue, workflowId: `incident-${input.incidentId}`, args: [input] });
    await env.sleep('1 minute');
    await eventually(() => {
      const notice = smtp.to('a2@bewoners.test');
      expect(notice).toHaveLength(1);
      expect(notice[0]!.subject).toContain('dinsdag 22 juli 2031');
    });

    await env.sleep('5 days');
    await eventually(async () => {
      const state = await handle.query(incidentStateQuery);
      expect(state.status === 'open' && state.phase).toBe('cleanup_ordered');
      expect(smtp.to('a2@bewoners.test').map((m) => m.subject).join('\n')).toMatch(/herinnering/i);
      expect(smtp.to('orders@schoon.test')).toHaveLength(1);
    });

    await handle.executeUpdate(completeCleanupUpdate, { args: [{ contractorId: 'K-1', costCents: 18750 }] });
    expect(await handle.result()).toBe('cleaned_and_charged');
    await recordHistory('known-polluter-charged', handle);
  });

  expect(await eventTypes(input.incidentId)).toEqual([
    'IncidentReported',
    'PolluterNotified',
    'ReminderSent',
    'CleanupOrdered',
    'CleanupCompleted',
    'InvoiceIssued',
    'WarningIssued',
    'NeighboursInformed',
    'IncidentClosed',
  ]);
  const mails = smtp.to('a2@bewoners.test');
  const invoice = mails.find((m) => /factuur/i.test(m.subject));
  expect(invoice?.text).toContain('€ 187,50');
  expect(invoice?.text).toMatch(/2031-000001/);
  expect(mails.find((m) => /waarschuwing/i.test(m.subject))).toBeDefined();
  // Five neighbours besides the polluter; A-1 has no e-mail, so four get mail and one is queued for print.
  for (const neighbour of ['a3', 'a4', 'a5', 'a6']) {
    const notice = smtp.to(`${neighbour}@bewoners.test`).filter((m) => /afgehandeld|opgelost/i.test(m.subject + m.text));
    expect(notice).toHaveLength(1);
    expect(notice[0]!.text).not.toContain('Bewoner A2');
    expect(notice[0]!.text).not.toContain('Stationsstraat 12');
  }
});

test('a tenant who cleans in time and passes the inspection gets a warning and no invoice', async () => {
  await startingAt('2031-09-01T08:00:00Z');
  const input = incident({ polluterTenantId: 'A-3' });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(incidentWorkflow, { taskQueue, workflowId: `incident-${input.incidentId}`, args: [input] });
    await env.sleep('1 hour');
    await handle.executeUpdate(reportCleanupUpdate, { args: [{ by: 'tenant', actor: 'A-3', note: null }] });
    await handle.executeUpdate(recordInspectionUpdate, { args: [{ result: 'clean', inspector: 'consultant-1', note: null }] });
    expect(await handle.result()).toBe('self_cleaned');
    await recordHistory('self-cleaned', handle);
  });
  expect(await eventTypes(input.incidentId)).toEqual([
    'IncidentReported',
    'PolluterNotified',
    'CleanupReported',
    'InspectionRecorded',
    'WarningIssued',
    'NeighboursInformed',
    'IncidentClosed',
  ]);
  expect(smtp.to('a3@bewoners.test').some((m) => /factuur/i.test(m.subject))).toBe(false);
});
