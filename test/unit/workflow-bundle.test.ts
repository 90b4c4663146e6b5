import { readFileSync } from 'node:fs';

/**
 * The SDK evaluates a workflow's modules again for every workflow it starts or replays: zod and the
 * event schemas in them cost 50-230 ms each (README, Capacity and sizing workers). The bundle the
 * tests run (made by test/support/global-setup.ts from workflows/index.ts, as the worker makes it)
 * must hold none of it.
 */
test('the workflow bundle holds no zod, so starting or replaying a workflow evaluates no schemas', () => {
  const codePath = process.env.TEST_WORKFLOW_BUNDLE;
  if (!codePath) throw new Error('TEST_WORKFLOW_BUNDLE is not set: run the tests through jest');
  const code = readFileSync(codePath, 'utf8');
  const modules = [...code.matchAll(/\/\*\*\*\/ "\.\/([^"]+)"/g)].map((m) => m[1]);
  expect(modules).toContain('workflows/index.ts');
  expect(modules.filter((m) => /node_modules\/zod\b|domain\/policy\.ts|domain\/events\.ts|domain\/round-plan\.ts/.test(m ?? ''))).toEqual([]);
});
