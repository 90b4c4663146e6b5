import '../observability/instrument';
import { Client, Connection } from '@temporalio/client';
import { createDb } from '../db/connection';
import { loadConfig, type Config } from '../config/config';
import { temporalAddressLabel, temporalConnectionOptions, untilConnected } from '../config/temporal-connection';
import { warnWhenDatabaseUnreachable } from '../db/reachability';
import { createLogger, type Logger } from '../observability/logger';
import { stopTracing, tracingClientInterceptors } from '../observability/tracing';
import { temporalDataConverter } from '../config/payload-codec';
import { buildApp } from './app';

/** The API process: config, database, Temporal client, listen; on SIGTERM or SIGINT it finishes what it serves and stops. */
async function main(logger: Logger, config: Config) {
  const db = createDb(config.databaseUrl, config.databasePoolSize);
  warnWhenDatabaseUnreachable(config.databaseUrl, (line) => logger.warn(line));
  // Started while Temporal restarts (or beside it), it waits rather than exits, as the worker does.
  const connection = await untilConnected(() => Connection.connect(temporalConnectionOptions(config)), (line) => logger.warn(line), 300_000, temporalAddressLabel(config));
  const temporal = new Client({ connection, namespace: config.temporal.namespace, interceptors: tracingClientInterceptors(), dataConverter: temporalDataConverter(config.payloadEncryption) });
  const app = await buildApp({ db, temporal, config }, { logger, metricsToken: config.operations.metricsToken });
  await app.listen({ port: config.port, host: config.host });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    try {
      await app.close(); // stops listening, waits for the requests under way
      await connection.close();
      await db.destroy();
      await stopTracing();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'stopping failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

let logger = createLogger({ name: 'api' });
try {
  const config = loadConfig();
  logger = createLogger({ name: 'api', level: config.operations.logLevel, format: config.operations.logFormat });
  main(logger, config).catch((error: unknown) => {
    logger.fatal({ err: error }, 'the API did not start');
    process.exit(1);
  });
} catch (error) {
  logger.fatal(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
