import type { TestWorkflowEnvironment } from '@temporalio/testing';

export default async function globalTeardown(): Promise<void> {
  const env = (globalThis as { __temporalDevServer?: TestWorkflowEnvironment }).__temporalDevServer;
  await env?.teardown();
}
