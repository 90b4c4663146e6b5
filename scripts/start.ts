import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { buildApp } from '../api/app';
import { createDb, ensureDatabase, migrateToLatest } from '../db/connection';
import { checkDatabaseServer, DatabaseUnreachableError, databaseAddress, isUnanswered } from '../db/reachability';
import { loadConfig } from '../config/config';
import { createWorker } from '../worker/main';
import { temporalConnectionOptions } from '../config/temporal-connection';
import { projectRoot, temporalCliPath } from './temporal-binaries';
import { startMailCatcher } from './mail-catcher';
import { developmentUsers, startDevOidcProvider } from './oidc-dev';
import { takenPorts, type StartPort } from './ports';
import { loadStartSettings } from './start-settings';
import { startEmbeddedPostgres } from './embedded-postgres';

/**
 * `npm start`: the whole thing on one machine. PostgreSQL from DATABASE_URL, else the machine's own
 * on 127.0.0.1:5432, else an embedded one in .data/postgres; Temporal from TEMPORAL_ADDRESS or a dev
 * server started here; migrations; mail to SMTP_URL or a local catcher; worker and API. Every port
 * it listens on has a setting, named when the port is taken.
 */
async function main() {
  const config = loadConfig();
  const settings = loadStartSettings();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dataDir = join(projectRoot(), '.data');
  mkdirSync(dataDir, { recursive: true });
  const stops: (() => Promise<void> | void)[] = [];

  const ports: StartPort[] = [{ setting: 'PORT', port: config.port, what: 'the API', host: config.host }];
  if (!config.temporal.address) {
    ports.push({ setting: 'TEMPORAL_DEV_PORT', port: settings.TEMPORAL_DEV_PORT, what: 'the Temporal dev server' });
    ports.push({ setting: 'TEMPORAL_UI_PORT', port: settings.TEMPORAL_UI_PORT, what: 'the Temporal UI' });
  }
  if (!config.smtpUrl) ports.push({ setting: 'MAIL_CATCHER_PORT', port: settings.MAIL_CATCHER_PORT, what: 'the mail catcher' });
  if (!config.oidc.issuer) ports.push({ setting: 'OIDC_DEV_PORT', port: config.oidc.devPort, what: 'the development sign-in provider' });
  const taken = await takenPorts(ports);
  if (taken.length > 0) throw new Error(taken.join('\n'));

  let embeddedPostgres: string | null = null;
  const databaseProblem = await checkDatabaseServer(config.databaseUrl).then(() => null, (error: unknown) => error);
  if (databaseProblem) {
    // Nothing answers where PostgreSQL would be, and nobody said where it is: run one here.
    if (process.env.DATABASE_URL !== undefined || !(databaseProblem instanceof DatabaseUnreachableError) || !isUnanswered(databaseProblem.cause)) throw databaseProblem;
    const taken = await takenPorts([{ setting: 'EMBEDDED_PG_PORT', port: settings.EMBEDDED_PG_PORT, what: 'the embedded PostgreSQL' }]);
    if (taken.length > 0) throw new Error(taken.join('\n'));
    const folder = join(dataDir, 'postgres');
    const server = await startEmbeddedPostgres(folder, settings.EMBEDDED_PG_PORT);
    // Last to stop: the worker and the API finish with the database still there.
    stops.push(() => server.stop());
    embeddedPostgres = `${databaseAddress(config.databaseUrl)} does not answer; embedded PostgreSQL in ${folder} on 127.0.0.1:${server.port} (EMBEDDED_PG_PORT)`;
    console.log(`No PostgreSQL answers at ${databaseAddress(config.databaseUrl)} (DATABASE_URL unset): started the embedded PostgreSQL in .data/postgres (port ${server.port})`);
    config.databaseUrl = server.urlFor(new URL(config.databaseUrl).pathname.slice(1) || 'polluter_pays');
  }

  let temporalUi: string | null = null;
  let temporalSetting = 'TEMPORAL_ADDRESS';
  if (!config.temporal.address) {
    const cli = await temporalCliPath();
    const { TEMPORAL_DEV_PORT: grpcPort, TEMPORAL_UI_PORT: uiPort } = settings;
    const devServer: ChildProcess = spawn(
      cli,
      ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(grpcPort), '--ui-port', String(uiPort), '--db-filename', join(dataDir, 'temporal.sqlite'), '--log-level', 'warn'],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    devServer.once('exit', (code) => {
      if (code !== null && code !== 0) console.error(`the Temporal dev server exited with ${code} (is port ${grpcPort} (TEMPORAL_DEV_PORT) or ${uiPort} (TEMPORAL_UI_PORT) taken?)`);
    });
    stops.push(() => void devServer.kill('SIGTERM'));
    config.temporal.address = `127.0.0.1:${grpcPort}`;
    temporalSetting = 'TEMPORAL_DEV_PORT';
    temporalUi = `http://127.0.0.1:${uiPort}`;
  }
  const connection = await connectWithRetry(() => Connection.connect(temporalConnectionOptions(config)), 30_000, `${config.temporal.address} (${temporalSetting})`);
  stops.unshift(() => connection.close());

  await ensureDatabase(config.databaseUrl).catch((error: unknown) => {
    throw new DatabaseUnreachableError('DATABASE_URL', databaseAddress(config.databaseUrl), error);
  });
  const db = createDb(config.databaseUrl);
  await migrateToLatest(db, (line) => console.log(line));
  stops.unshift(() => db.destroy());

  let smtpUrl = config.smtpUrl;
  let mailFolder: string | null = null;
  if (!smtpUrl) {
    const catcher = await startMailCatcher(join(dataDir, 'mail'), settings.MAIL_CATCHER_PORT);
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
  PostgreSQL    ${embeddedPostgres ?? databaseAddress(config.databaseUrl)}
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

async function connectWithRetry<T>(connect: () => Promise<T>, timeoutMs: number, where: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await connect();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`Temporal did not answer at ${where} within ${timeoutMs / 1000} s: ${String(error)}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
