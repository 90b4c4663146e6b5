import '../observability/instrument';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { workflowCode } from './workflow-bundle';
import { startWorkerHealth, workerHealthPort } from './health';
import { createSmtpMailer } from '../activities/mailer';
import { createDb } from '../db/connection';
import { warnWhenDatabaseUnreachable } from '../db/reachability';
import { loadConfig, type Config } from '../config/config';
import { temporalAddressLabel, temporalConnectionOptions, untilConnected } from '../config/temporal-connection';
import { createWorkerMetrics, serveMetrics, type WorkerMetrics } from '../observability/metrics';
import { stopTracing, workerTracing } from '../observability/tracing';
import { createLogger, temporalLogger, type Logger } from '../observability/logger';
import { temporalDataConverter } from '../config/payload-codec';
import { ensureSearchAttributes } from './search-attributes';
import { Client, Connection } from '@temporalio/client';
import { ensureRetentionSchedule } from './retention-schedule';
import { workerSizingOptions } from './sizing';

/** Build a worker for the incident workflows; `npm start` runs it in-process, deployments as `npm run worker`. */
export async function createWorker(config: Config, smtpUrl: string, metrics: WorkerMetrics = createWorkerMetrics(), log: (line: string) => void = console.error) {
  const db = createDb(config.databaseUrl, config.databasePoolSize);
  warnWhenDatabaseUnreachable(config.databaseUrl, log);
  const mailer = metrics.counting(createSmtpMailer(smtpUrl, config.mailFrom, config.corporationContact.email));
  // Started while Temporal restarts (or beside it), it waits rather than exits.
  const connection = await untilConnected(() => NativeConnection.connect(temporalConnectionOptions(config)), log, 300_000, temporalAddressLabel(config));
  const registered = await ensureSearchAttributes(connection, config.temporal.namespace);
  if (registered.length > 0) log(`registered the search attributes ${registered.join(', ')} in namespace ${config.temporal.namespace}`);
  const tracing = workerTracing();
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    // Payloads are encrypted outside the workflow sandbox, here in the worker's main thread.
    dataConverter: temporalDataConverter(config.payloadEncryption),
    // The prebuilt bundle holds no tracing interceptors: with tracing on, the workflows are bundled at start.
    ...(tracing ? { workflowsPath: require.resolve('../workflows') } : workflowCode()),
    interceptors: {
      workflowModules: tracing?.interceptors.workflowModules ?? [],
      activity: [metrics.activityInterceptor, ...(tracing?.interceptors.activity ?? [])],
    },
    ...(tracing ? { sinks: tracing.sinks } : {}),
    ...workerSizingOptions(config.worker),
    activities: createActivities({
      db,
      mailer,
      policy: config.policy,
      publicUrl: config.publicUrl,
      linkSecret: config.linkSecret,
      corporationName: config.corporationName,
      corporationIban: config.corporationIban,
      corporationAddress: config.corporationAddress,
      corporationContact: config.corporationContact,
      subjectKeysMasterKey: config.subjectKeysMasterKey,
      ...(config.subjectKeysPreviousMasterKey ? { subjectKeysPreviousMasterKey: config.subjectKeysPreviousMasterKey } : {}),
    }),
  });
  return {
    worker,
    async close() {
      await connection.close();
      mailer.close();
      await db.destroy();
    },
  };
}

/**
 * Once per process, before any connection: the SDK logs through pino, and serves its own metrics
 * (task queues, polls, schedule-to-start latencies) on TEMPORAL_SDK_METRICS_PORT.
 */
export function installTemporalRuntime(config: Config, logger: Logger): void {
  const { temporalSdkMetricsPort } = config.operations;
  Runtime.install({
    logger: temporalLogger(logger),
    telemetryOptions: temporalSdkMetricsPort ? { metrics: { prometheus: { bindAddress: `${config.host}:${temporalSdkMetricsPort}` } } } : {},
  });
}

async function main(logger: Logger, config: Config, smtpUrl: string) {
  installTemporalRuntime(config, logger);
  const metrics = createWorkerMetrics();
  const metricsServer = config.operations.workerMetricsPort ? await serveMetrics(metrics.registry, config.host, config.operations.workerMetricsPort) : null;
  const { worker, close } = await createWorker(config, smtpUrl, metrics, (line) => logger.warn(line));
  // The daily retention run (README: Operations, Retention): made once, left as an operator set it.
  const connection = await Connection.connect(temporalConnectionOptions(config));
  await ensureRetentionSchedule(new Client({ connection, namespace: config.temporal.namespace }), config.temporal.taskQueue);
  await connection.close();
  logger.info({ taskQueue: config.temporal.taskQueue, metricsPort: config.operations.workerMetricsPort || null }, 'worker running');
  const running = worker.run(); // until SIGINT or SIGTERM: the SDK stops polling and lets running activities finish
  const healthPort = workerHealthPort();
  const health = healthPort === undefined ? null : await startWorkerHealth(worker, healthPort);
  await running.finally(() => health?.close());
  await close();
  metricsServer?.close();
  await stopTracing();
  logger.info('worker stopped');
}

if (require.main === module) {
  let logger: Logger = createLogger({ name: 'worker' });
  try {
    const config = loadConfig();
    logger = createLogger({ name: 'worker', level: config.operations.logLevel, format: config.operations.logFormat });
    if (!config.smtpUrl) throw new Error('SMTP_URL is required for a standalone worker (npm start runs a local mail catcher instead)');
    main(logger, config, config.smtpUrl).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.fatal({ err: error }, 'the worker stopped');
        process.exit(1);
      },
    );
  } catch (error) {
    logger.fatal(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
