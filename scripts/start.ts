import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { buildApp } from '../api/app';
import { createDb, ensureDatabase, migrateToLatest } from '../db/connection';
import { loadConfig } from '../config/config';
import { createWorker } from '../worker/main';
import { temporalConnectionOptions } from '../config/temporal-connection';
import { projectRoot, temporalCliPath } from './temporal-binaries';
import { startMailCatcher } from './mail-catcher';
import { developmentUsers, startDevOidcProvider } from './oidc-dev';

/**
 * `npm start`: the whole thing on one machine. Temporal from TEMPORAL_ADDRESS or a dev server
 * started here; migrations on DATABASE_URL; mail to SMTP_URL or a local catcher; worker and API.
 */
async function main() {
  const config = loadConfig();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dataDir = join(projectRoot(), '.data');
  mkdirSync(dataDir, { recursive: true });
  const stops: (() => Promise<void> | void)[] = [];

  let temporalUi: string | null = null;
  if (!config.temporal.address) {
    const cli = await temporalCliPath();
    const devServer: ChildProcess = spawn(
      cli,
      ['server', 'start-dev', '--ip', '127.0.0.1', '--port', '7233', '--ui-port', '8233', '--db-filename', join(dataDir, 'temporal.sqlite'), '--log-level', 'warn'],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    devServer.once('exit', (code) => {
      if (code !== null && code !== 0) console.error(`the Temporal dev server exited with ${code} (is port 7233 or 8233 taken?)`);
    });
    stops.push(() => void devServer.kill('SIGTERM'));
    config.temporal.address = '127.0.0.1:7233';
    temporalUi = 'http://127.0.0.1:8233';
  }
  const connection = await connectWithRetry(() => Connection.connect(temporalConnectionOptions(config)), 30_000);
  stops.unshift(() => connection.close());

  await ensureDatabase(config.databaseUrl);
  const db = createDb(config.databaseUrl, config.databasePoolSize);
  await migrateToLatest(db, (line) => console.log(line));
  stops.unshift(() => db.destroy());

  let smtpUrl = config.smtpUrl;
  let mailFolder: string | null = null;
  if (!smtpUrl) {
    const catcher = await startMailCatcher(join(dataDir, 'mail'));
    smtpUrl = catcher.url;
    mailFolder = catcher.folder;
    stops.unshift(() => catcher.close());
  }

  const { worker, close: closeWorker } = await createWorker(config, smtpUrl);
  const running = worker.run();
  stops.unshift(async () => {
    // The worker stops by itself on SIGINT and SIGTERM (its shutdown signals): only ask when it still runs.
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
    await closeWorker();
  });

  let devSignIn = false;
  if (!config.oidc.issuer) {
    // No identity provider configured: a local one, with one user per role (scripts/oidc-dev-users.json).
    const provider = await startDevOidcProvider({ port: config.oidc.devPort, clientId: config.oidc.clientId, clientSecret: config.oidc.clientSecret, publicUrl: config.publicUrl });
    stops.push(() => provider.stop());
    config.oidc.issuer = provider.issuer;
    devSignIn = true;
  }

  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  const app = await buildApp({ db, temporal, config });
  await app.listen({ port: config.port, host: config.host });
  stops.unshift(() => app.close());

  const keys = [...config.apiKeys.entries()].map(([key, role]) => `${role}=${key}`).join('  ');
  console.log(`
polluter-pays is running
  workspace     ${config.publicUrl}/app
  sign-in       ${devSignIn ? `a local provider at ${config.oidc.issuer}: sign in as ${Object.entries(developmentUsers).map(([login, u]) => `${login} (${u.name})`).join(', ')}; any password` : config.oidc.issuer}
  API           ${config.publicUrl}   (OpenAPI: /openapi.json)
  Temporal UI   ${temporalUi ?? `(your cluster at ${config.temporal.address})`}
  mail          ${mailFolder ? `caught in ${mailFolder} (.eml files)` : `sent through ${config.smtpUrl}`}
  API keys      ${config.production ? '(from API_KEYS)' : keys}
Try it: npm run demo        Stop: Ctrl-C
`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    for (const step of stops) await Promise.resolve(step()).catch((error: unknown) => console.error(error));
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  running.catch((error: unknown) => {
    console.error('the worker stopped:', error);
    void stop();
  });
}

async function connectWithRetry<T>(connect: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await connect();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`Temporal did not answer within ${timeoutMs / 1000} s: ${String(error)}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
