import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../scripts/ports';

jest.setTimeout(60_000);

/**
 * What a person sees when `npm start`, the API, the worker or the migration cannot get going: the
 * setting to change and the address that failed, not a bare ECONNREFUSED.
 */
const root = join(__dirname, '..', '..');
const children: ChildProcess[] = [];
const servers: Server[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

function run(script: string, env: NodeJS.ProcessEnv) {
  let output = '';
  // A setting given as undefined is left out.
  const fullEnv = Object.fromEntries(Object.entries({ ...process.env, NODE_ENV: 'development', SMTP_URL: 'smtp://127.0.0.1:1', ...env }).filter(([, value]) => value !== undefined));
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    output: () => output,
    exited,
    async until(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${pattern} in:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      child.kill('SIGKILL');
      return output;
    },
  };
}

async function occupiedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return (server.address() as { port: number }).port;
}

/** Ports nobody listens on, for everything npm start would open. */
async function freeStartPorts(): Promise<NodeJS.ProcessEnv> {
  return {
    PORT: String(await freePort()),
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    MAIL_CATCHER_PORT: String(await freePort()),
    OIDC_DEV_PORT: String(await freePort()),
    EMBEDDED_PG_PORT: String(await freePort()),
  };
}

test('npm start names the setting of each port that is taken, and starts nothing', async () => {
  const [temporal, mail] = [await occupiedPort(), await occupiedPort()];
  const start = run('scripts/start.ts', { ...(await freeStartPorts()), TEMPORAL_DEV_PORT: String(temporal), MAIL_CATCHER_PORT: String(mail), SMTP_URL: undefined });
  expect(await start.exited).toBe(1);
  expect(start.output()).toContain(`Port ${temporal} (the Temporal dev server) is taken; set TEMPORAL_DEV_PORT to a free port`);
  expect(start.output()).toContain(`Port ${mail} (the mail catcher) is taken; set MAIL_CATCHER_PORT to a free port`);
  expect(start.output()).not.toMatch(/migration|polluter-pays is running/);
});

test('npm start with a DATABASE_URL where nothing answers names the setting and the address (and runs no embedded PostgreSQL)', async () => {
  const port = await freePort();
  const start = run('scripts/start.ts', { ...(await freeStartPorts()), DATABASE_URL: `postgresql://someone:secret@127.0.0.1:${port}/polluter_pays` });
  expect(await start.exited).toBe(1);
  expect(start.output()).toContain(`PostgreSQL does not answer at 127.0.0.1:${port} (DATABASE_URL): `);
  expect(start.output()).not.toContain('secret');
  expect(start.output()).not.toContain('embedded PostgreSQL');
});

test('the migration, the API and the worker name DATABASE_URL and its address when PostgreSQL does not answer', async () => {
  const port = await freePort();
  const env = { DATABASE_URL: `postgresql://someone@127.0.0.1:${port}/polluter_pays`, TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`, PORT: String(await freePort()) };
  const migrate = run('db/migrate.ts', env);
  expect(await migrate.exited).toBe(1);
  expect(migrate.output()).toContain(`PostgreSQL does not answer at 127.0.0.1:${port} (DATABASE_URL): `);
  const named = new RegExp(`PostgreSQL does not answer at 127\\.0\\.0\\.1:${port} \\(DATABASE_URL\\)`);
  await Promise.all([run('api/server.ts', env).until(named), run('worker/main.ts', env).until(named)]);
});

test('the API and the worker name TEMPORAL_ADDRESS and the address while Temporal does not answer', async () => {
  const port = await freePort();
  const env = { TEMPORAL_ADDRESS: `127.0.0.1:${port}`, PORT: String(await freePort()) };
  const named = new RegExp(`Temporal does not answer at 127\\.0\\.0\\.1:${port} \\(TEMPORAL_ADDRESS\\)`);
  await Promise.all([run('api/server.ts', env).until(named), run('worker/main.ts', env).until(named)]);
});
