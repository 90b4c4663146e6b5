import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities, type Activities } from '../../activities';
import { createSmtpMailer } from '../../activities/mailer';
import type { Db } from '../../db/connection';
import type { Policy } from '../../domain/policy';
import { temporalDataConverter, type PayloadEncryption } from '../../config/payload-codec';

export const LINK_SECRET = 'test-link-secret-0123456789';
export const PUBLIC_URL = 'http://polluter-pays.test';

/** A key of this test run's own: what the clients and workers of the end-to-end stack encrypt with. */
export const TEST_PAYLOAD_ENCRYPTION: PayloadEncryption = { keyId: 'test', keys: new Map([['test', randomBytes(32)]]) };
export const testDataConverter = temporalDataConverter(TEST_PAYLOAD_ENCRYPTION);

/** The workflow bundle that Jest's globalSetup built for this run. */
export function workflowBundle(): { codePath: string } {
  const codePath = process.env.TEST_WORKFLOW_BUNDLE;
  if (!codePath) throw new Error('TEST_WORKFLOW_BUNDLE is not set: run the tests through jest (globalSetup bundles the workflows)');
  return { codePath };
}

export function testActivities(db: Db, smtpUrl: string, policy: Policy): Activities {
  return createActivities({
    db,
    mailer: createSmtpMailer(smtpUrl, 'Woonstichting Test <noreply@woonstichting.test>'),
    policy,
    publicUrl: PUBLIC_URL,
    linkSecret: LINK_SECRET,
    corporationName: 'Woonstichting Test',
    corporationIban: 'NL91ABNA0417164300',
    corporationAddress: 'Postbus 1, 3500 AA Utrecht',
  });
}

export async function createWorker(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  activities: Activities,
): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: workflowBundle(),
    activities,
  });
}

/** Where the recorded workflow histories live; test/workflow/replay.test.ts replays every file in it. */
export const HISTORIES_DIR = join(__dirname, '..', 'fixtures', 'histories');

/**
 * With RECORD_HISTORIES=1, save a finished workflow's history as `<name>.json`, in the JSON form
 * that `temporal workflow show --output json` writes, for the replay test. Otherwise do nothing.
 */
export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  mkdirSync(HISTORIES_DIR, { recursive: true });
  writeFileSync(join(HISTORIES_DIR, `${name}.json`), `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 2)}\n`);
}

/**
 * Wait in real time until `check` passes: the test server fires timers at once, but the worker's
 * activities (database, SMTP) still take real milliseconds, more so on a loaded machine.
 */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
