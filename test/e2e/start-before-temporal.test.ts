import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../scripts/chaos/processes';
import { temporalCliPath } from '../../scripts/temporal-binaries';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp';

jest.setTimeout(120_000);

/**
 * Found by `npm run chaos`: a worker started again while the Temporal dev server restarted exited
 * at once (ConnectionRefused from NativeConnection.connect). Started before Temporal answers, the
 * worker waits for it, as the API does.
 */
const root = join(__dirname, '..', '..');
let database: TestDatabase;
let smtp: TestSmtpServer;
const children: ChildProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase('start_before_temporal');
  smtp = await startTestSmtpServer();
});
afterAll(async () => {
  for (const child of children) if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  await smtp?.close();
  await database?.drop();
});

function start(command: string, args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  children.push(child);
  return { child, output: () => output };
}

async function eventually(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not in time: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test('a worker and an API started while Temporal is down wait for it, and serve once it is up', async () => {
  const [temporalPort, apiPort] = [await freePort(), await freePort()];
  const env = {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_TASK_QUEUE: `start-before-temporal-${Date.now()}`,
    SMTP_URL: smtp.url,
    PORT: String(apiPort),
    WORKER_METRICS_PORT: '0',
    TEMPORAL_SDK_METRICS_PORT: '0',
  };
  const worker = start(process.execPath, ['--import', 'tsx', 'worker/main.ts'], env);
  const api = start(process.execPath, ['--import', 'tsx', 'api/server.ts'], env);

  // Nothing answers on the Temporal port: both say so, naming the setting, and wait rather than exit
  // (loading takes seconds on a busy machine, so their first try is waited for rather than a fixed time).
  const waiting = `Temporal does not answer at 127.0.0.1:${temporalPort} (TEMPORAL_ADDRESS)`;
  await eventually(() => worker.output().includes(waiting) && api.output().includes(waiting), 60_000, 'both waiting for Temporal');
  expect({ worker: worker.child.exitCode, api: api.child.exitCode }).toEqual({ worker: null, api: null });

  start(await temporalCliPath(), ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(temporalPort), '--headless', '--log-level', 'error'], {});
  await eventually(
    async () => {
      try {
        return (await fetch(`http://127.0.0.1:${apiPort}/readyz`)).status === 200;
      } catch {
        return false;
      }
    },
    60_000,
    'the API ready',
  );
  // The SDK's line, as JSON from pino: {"state":"RUNNING",...,"msg":"Worker state changed"}.
  await eventually(() => worker.output().split('\n').some((line) => line.includes('Worker state changed') && line.includes('RUNNING')), 60_000, 'the worker running');
  expect([worker.child.exitCode, api.child.exitCode]).toEqual([null, null]);
});
