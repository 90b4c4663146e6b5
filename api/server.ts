import { Client, Connection } from '@temporalio/client';
import { createDb } from '../db/connection';
import { loadConfig } from '../config/config';
import { temporalConnectionOptions } from '../config/temporal-connection';
import { buildApp } from './app';

/** The API process: config, database, Temporal client, listen. */
async function main() {
  const config = loadConfig();
  const db = createDb(config.databaseUrl, config.databasePoolSize);
  const connection = await Connection.connect(temporalConnectionOptions(config));
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  const app = await buildApp({ db, temporal, config }, { logger: true });
  await app.listen({ port: config.port, host: config.host });
  const shutdown = async () => {
    await app.close();
    await connection.close();
    await db.destroy();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
