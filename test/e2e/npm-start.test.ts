import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/ports';
import { createTestDatabase, type TestDatabase } from '../support/database';

jest.setTimeout(300_000);

/**
 * `npm start` as a person runs it (its own Temporal dev server, mail catcher and OpenID provider
 * as child processes, the worker and the API inside), on ports of its own: SIGTERM to npm stops
 * every part, exits 0, and writes no error or stack trace.
 */
const root = join(__dirname, '..', '..');
let database: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  database = await createTestDatabase('npm_start');
  dataDir = mkdtempSync(join(tmpdir(), 'polluter-pays-start-'));
});
afterAll(async () => {
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Every process below `pid`, from /proc. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      // pid (comm) state ppid ...: the command may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* gone meanwhile */
    }
  }
  const found: number[] = [];
  for (let queue = [pid]; queue.length > 0; ) {
    const next = children.get(queue.shift()!) ?? [];
    found.push(...next);
    queue.push(...next);
  }
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

test('SIGTERM to npm start stops the API, the worker, the dev server, the mail catcher and the OpenID provider, and exits 0 without a stack trace', async () => {
  const ports = {
    PORT: await freePort(),
    OIDC_DEV_PORT: await freePort(),
    TEMPORAL_DEV_PORT: await freePort(),
    TEMPORAL_UI_PORT: await freePort(),
    MAIL_CATCHER_PORT: await freePort(),
    WORKER_METRICS_PORT: await freePort(),
    TEMPORAL_SDK_METRICS_PORT: await freePort(),
  };
  const { TEMPORAL_ADDRESS: _t, SMTP_URL: _s, OIDC_ISSUER: _o, LOG_FORMAT: _f, ...inherited } = process.env;
  const env = { ...inherited, ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])), DATABASE_URL: database.url, DATA_DIR: dataDir };
  const npm = spawn('npm', ['start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  npm.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  npm.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
  let parts: number[] = [];
  try {
    const deadline = Date.now() + 240_000;
    while (!stdout.includes('polluter-pays is running')) {
      if (npm.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up (${npm.exitCode}):\n${stdout}\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect((await fetch(`http://127.0.0.1:${ports.PORT}/readyz`)).status).toBe(200);
    for (const [name, port] of Object.entries(ports)) expect([name, await listening(port)]).toEqual([name, true]);
    parts = descendants(npm.pid!);
    // tsx and the node it runs, the Temporal dev server, the OpenID provider (and their helpers).
    expect(parts.length).toBeGreaterThanOrEqual(4);

    npm.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).not.toMatch(/^\s+at |Error/m);
    expect(stdout.trim().split('\n').at(-1)).toContain('"msg":"stopped"');
    expect(parts.filter(alive)).toEqual([]);
    for (const [name, port] of Object.entries(ports)) expect([name, await listening(port)]).toEqual([name, false]);
  } finally {
    // Only what this test started: npm, and the parts found under it while it ran.
    if (npm.exitCode === null && npm.signalCode === null) npm.kill('SIGKILL');
    for (const pid of parts) if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
});
