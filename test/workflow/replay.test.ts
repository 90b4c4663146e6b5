/**
 * Replays every recorded workflow history in test/fixtures/histories on the current workflow code.
 * A change to the workflow that would break incidents already running in production (a command
 * added, removed or reordered without a patch) fails here as nondeterminism.
 *
 * Record the histories again with `RECORD_HISTORIES=1 npx jest test/workflow/incident-lifecycle.test.ts
 * test/workflow/incident-branches.test.ts` only when such a change is intended and patched.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { History } from '@temporalio/common/lib/proto-utils';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker, type ReplayResult } from '@temporalio/worker';
import { HISTORIES_DIR, workflowBundle } from '../support/harness';

jest.setTimeout(120_000);

const files = existsSync(HISTORIES_DIR) ? readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort() : [];

/** The workflow id is not in the history itself: rebuild it from the incident id in the start input. */
function workflowIdOf(history: History, file: string): string {
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
  if (!payload) return file;
  const input = JSON.parse(new TextDecoder().decode(payload)) as { incidentId?: string };
  return input.incidentId ? `incident-${input.incidentId}` : file;
}

const results = new Map<string, ReplayResult>();

beforeAll(async () => {
  if (files.length === 0) return;
  const histories = files.map((file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')));
    return { file, workflowId: workflowIdOf(history, file), history };
  });
  const replayed: ReplayResult[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: workflowBundle() }, histories)) replayed.push(result);
  // One result per history, in the order given.
  expect(replayed).toHaveLength(histories.length);
  histories.forEach((h, i) => results.set(h.file, replayed[i]!));
});

test('there are recorded histories to replay', () => {
  expect(files).not.toEqual([]);
});

test.each(files.length > 0 ? files : ['(no histories recorded)'])('%s replays without nondeterminism', (file) => {
  const result = results.get(file);
  expect(result).toBeDefined();
  expect(result!.error).toBeUndefined();
});
