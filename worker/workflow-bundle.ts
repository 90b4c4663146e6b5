import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where `npm run build` puts the bundled workflow code, relative to the compiled output (dist/). */
export const prebuiltWorkflowBundle = 'workflow-bundle.js';

/**
 * The workflow code for Worker.create: the bundle made at build time when this runs compiled from
 * dist/ (the image), else the workflow sources, bundled at start (development, tests).
 */
export function workflowCode(): { workflowBundle: { codePath: string } } | { workflowsPath: string } {
  const bundle = join(__dirname, '..', prebuiltWorkflowBundle);
  if (__filename.endsWith('.js') && existsSync(bundle)) return { workflowBundle: { codePath: bundle } };
  return { workflowsPath: require.resolve('../workflows') };
}
