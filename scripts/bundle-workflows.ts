import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { projectRoot } from './temporal-binaries';
import { prebuiltWorkflowBundle } from '../worker/workflow-bundle';

/**
 * Part of `npm run build`: the workflow code bundled once, at build time, into dist/ where the
 * compiled worker finds it (worker/workflow-bundle.ts); the image's worker then starts without
 * webpack's work and runs exactly the code that was built.
 */
async function main() {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows') });
  const target = join(projectRoot(), 'dist', prebuiltWorkflowBundle);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, code);
  console.log(`workflow bundle: ${target} (${Math.round(code.length / 1024)} KiB)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
