import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities, type Activities } from '../../activities';
import { createSmtpMailer } from '../../activities/mailer';
import type { Db } from '../../db/connection';
import type { Policy } from '../../domain/policy';

export const LINK_SECRET = 'test-link-secret-0123456789';
export const PUBLIC_URL = 'http://polluter-pays.test';

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
