import '../observability/instrument';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { buildApp } from '../api/app';
import { createDb, ensureDatabase, migrateToLatest } from '../db/connection';
import { checkDatabaseServer, DatabaseUnreachableError, databaseAddress, isUnanswered } from '../db/reachability';
import { loadConfig } from '../config/config';
import { createWorker, installTemporalRuntime } from '../worker/main';
import { createLogger } from '../observability/logger';
import { createWorkerMetrics, serveMetrics } from '../observability/metrics';
import { stopTracing, tracingClientInterceptors } from '../observability/tracing';
import { ensureRetentionSchedule } from '../worker/retention-schedule';
import { temporalConnectionOptions } from '../config/temporal-connection';
import { temporalDataConverter } from '../config/payload-codec';
import { searchAttributesForCli } from '../worker/search-attributes';
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
  const ops = config.operations;
  // For a person at a terminal one readable line each; JSON when the output goes to a file or a collector.
  const logger = createLogger({ name: 'start', level: ops.logLevel, format: ops.logFormat ?? (process.stdout.isTTY ? 'pretty' : 'json') });
  const dataDir = ops.dataDir ?? join(projectRoot(), '.data');
  mkdirSync(dataDir, { recursive: true });
  // Run in this order when stopping: the API, the worker, the connections, then the child processes.
  const stops: (() => Promise<void> | void)[] = [];

  const ports: StartPort[] = [{ setting: 'PORT', port: config.port, what: 'the API', host: config.host }];
  if (!config.temporal.address) {
    ports.push({ setting: 'TEMPORAL_DEV_PORT', port: settings.TEMPORAL_DEV_PORT, what: 'the Temporal dev server' });
    ports.push({ setting: 'TEMPORAL_UI_PORT', port: settings.TEMPORAL_UI_PORT, what: 'the Temporal UI' });
  }
  if (!config.smtpUrl) ports.push({ setting: 'MAIL_CATCHER_PORT', port: settings.MAIL_CATCHER_PORT, what: 'the mail catcher' });
  if (!config.oidc.issuer) ports.push({ setting: 'OIDC_DEV_PORT', port: config.oidc.devPort, what: 'the development sign-in provider' });
  if (ops.workerMetricsPort) ports.push({ setting: 'WORKER_METRICS_PORT', port: ops.workerMetricsPort, what: "the worker's metrics", host: config.host });
  if (ops.temporalSdkMetricsPort) ports.push({ setting: 'TEMPORAL_SDK_METRICS_PORT', port: ops.temporalSdkMetricsPort, what: "the Temporal SDK's metrics", host: config.host });
  const taken = await takenPorts(ports);
  if (taken.length > 0) throw new Error(taken.join('\n'));
  // After the port check: the runtime listens on TEMPORAL_SDK_METRICS_PORT from here on.
  installTemporalRuntime(config, logger);

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
    logger.info(`No PostgreSQL answers at ${databaseAddress(config.databaseUrl)} (DATABASE_URL unset): started the embedded PostgreSQL in .data/postgres (port ${server.port})`);
    config.databaseUrl = server.urlFor(new URL(config.databaseUrl).pathname.slice(1) || 'polluter_pays');
  }

  let temporalUi: string | null = null;
  let temporalSetting = 'TEMPORAL_ADDRESS';
  if (!config.temporal.address) {
    const cli = await temporalCliPath();
    const { TEMPORAL_DEV_PORT: grpcPort, TEMPORAL_UI_PORT: uiPort } = settings;
    // The UI decodes the encrypted payloads through the API's codec endpoint (api/routes/codec.ts), as a signed-in person.
    const uiOptions = ['--ui-codec-endpoint', `${config.publicUrl}/codec`, ...searchAttributesForCli().flatMap((pair) => ['--search-attribute', pair])];
    const devServer: ChildProcess = spawn(
      cli,
      ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(grpcPort), '--ui-port', String(uiPort), '--db-filename', join(dataDir, 'temporal.sqlite'), '--log-level', 'error', ...uiOptions],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    let devServerStopping = false;
    devServer.once('exit', (code) => {
      if (!devServerStopping && code !== null && code !== 0) logger.error(`the Temporal dev server exited with ${code} (is port ${grpcPort} (TEMPORAL_DEV_PORT) or ${uiPort} (TEMPORAL_UI_PORT) taken?)`);
    });
    stops.push(() => {
      devServerStopping = true;
      return stopChild(devServer);
    });
    config.temporal.address = `127.0.0.1:${grpcPort}`;
    temporalSetting = 'TEMPORAL_DEV_PORT';
    temporalUi = `http://127.0.0.1:${uiPort}`;
    config.temporalUiOrigin ??= temporalUi;
  }
  const connection = await connectWithRetry(() => Connection.connect(temporalConnectionOptions(config)), 30_000, `${config.temporal.address} (${temporalSetting})`);
  stops.unshift(() => connection.close());

  await ensureDatabase(config.databaseUrl).catch((error: unknown) => {
    throw new DatabaseUnreachableError('DATABASE_URL', databaseAddress(config.databaseUrl), error);
  });
  const db = createDb(config.databaseUrl, config.databasePoolSize);
  await migrateToLatest(db, (line) => logger.info(line));
  stops.unshift(() => db.destroy());

  let smtpUrl = config.smtpUrl;
  let mailFolder: string | null = null;
  if (!smtpUrl) {
    const catcher = await startMailCatcher(join(dataDir, 'mail'), settings.MAIL_CATCHER_PORT, (line) => logger.info(line));
    smtpUrl = catcher.url;
    mailFolder = catcher.folder;
    stops.unshift(() => catcher.close());
  }

  const workerMetrics = createWorkerMetrics();
  if (ops.workerMetricsPort) {
    const metricsServer = await serveMetrics(workerMetrics.registry, config.host, ops.workerMetricsPort);
    stops.unshift(() => new Promise<void>((resolve) => metricsServer.close(() => resolve())));
  }
  const { worker, close: closeWorker } = await createWorker(config, smtpUrl, workerMetrics, (line) => logger.warn(line));
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

  const temporal = new Client({ connection, namespace: config.temporal.namespace, interceptors: tracingClientInterceptors(), dataConverter: temporalDataConverter(config.payloadEncryption) });
  await ensureRetentionSchedule(temporal, config.temporal.taskQueue);
  const app = await buildApp({ db, temporal, config: { ...config, smtpUrl } }, { logger, metricsToken: ops.metricsToken });
  await app.listen({ port: config.port, host: config.host });
  stops.unshift(() => app.close());

  const keys = [...config.apiKeys.entries()].map(([key, role]) => `${role}=${key}`).join('  ');
  console.log(`
polluter-pays is running
  workspace     ${config.publicUrl}/app
  sign-in       ${devSignIn ? `a local provider at ${config.oidc.issuer}: sign in as ${Object.entries(developmentUsers).map(([login, u]) => `${login} (${u.name})`).join(', ')}; any password` : config.oidc.issuer}
  API           ${config.publicUrl}   (OpenAPI: /openapi.json)
  Temporal UI   ${temporalUi ?? `(your cluster at ${config.temporal.address})`}${temporalUi ? `
                payloads are encrypted: sign in to the workspace, then in the UI's Codec Server settings use your
                browser's setting, endpoint ${config.publicUrl}/codec, with "Include cross-origin credentials"` : ''}
  PostgreSQL    ${embeddedPostgres ?? databaseAddress(config.databaseUrl)}
  mail          ${mailFolder ? `caught in ${mailFolder} (.eml files)` : `sent through ${config.smtpUrl}`}
  API keys      ${config.production ? '(from API_KEYS)' : keys}
Try it: npm run demo        Stop: Ctrl-C
`);

  let stopping = false;
  const stop = async (why: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    logger.info(`stopping (${why})`);
    let failed = false;
    for (const step of stops) {
      await Promise.resolve(step()).catch((error: unknown) => {
        failed = true;
        logger.error({ err: error }, 'a part did not stop cleanly');
      });
    }
    await stopTracing();
    logger.info('stopped');
    process.exit(failed ? 1 : exitCode);
  };
  process.once('SIGINT', () => void stop('SIGINT', 0));
  process.once('SIGTERM', () => void stop('SIGTERM', 0));
  running.catch((error: unknown) => {
    logger.error({ err: error }, 'the worker stopped');
    void stop('the worker stopped', 1);
  });
}

/** SIGTERM, and wait until it has gone (SIGKILL after 10 s): nothing is left running after `npm start`. */
function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
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
