import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { temporalCliPath, temporalTestServerPath } from '../../scripts/temporal-binaries';
import { searchAttributeKeys } from '../../workflows/search-attributes';

/**
 * One Temporal dev server for the whole run (it must start within seconds, so once, here), shared
 * by the end-to-end and Update tests through TEMPORAL_TEST_ADDRESS. Timer tests start their own
 * time-skipping server from TEMPORAL_TEST_SERVER_PATH.
 */
export default async function globalSetup(): Promise<void> {
  // Bundled once per run, out here: webpack does not run inside Jest's module registry.
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: silent });
  const dir = join(__dirname, '..', '..', '.data');
  mkdirSync(dir, { recursive: true });
  const codePath = join(dir, 'test-workflow-bundle.js');
  writeFileSync(codePath, bundle.code);
  process.env.TEST_WORKFLOW_BUNDLE = codePath;

  const cli = await temporalCliPath();
  process.env.TEMPORAL_TEST_SERVER_PATH = await temporalTestServerPath();
  const env = await TestWorkflowEnvironment.createLocal({
    // The incidents' search attributes, registered as `npm start` registers them.
    server: { executable: { type: 'existing-path', path: cli }, ip: '127.0.0.1', searchAttributes: searchAttributeKeys },
  });
  (globalThis as { __temporalDevServer?: TestWorkflowEnvironment }).__temporalDevServer = env;
  process.env.TEMPORAL_TEST_ADDRESS = env.address;
}

const silent = { log: () => {}, trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: console.error };
