import { workspaceScriptBytes } from '../../web/assets';

test('a first load of the workspace ships at most 250 kB of compressed script (issue 13)', () => {
  const { plain, gzipped } = workspaceScriptBytes();
  expect(plain).toBeGreaterThan(0);
  expect(gzipped).toBeLessThanOrEqual(250 * 1024);
});
