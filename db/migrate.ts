import { loadConfig } from '../config/config';
import { createDb, ensureDatabase, migrateToLatest } from './connection';
import { DatabaseUnreachableError, databaseAddress } from './reachability';

async function main() {
  const config = loadConfig();
  await ensureDatabase(config.databaseUrl).catch((error: unknown) => {
    throw new DatabaseUnreachableError('DATABASE_URL', databaseAddress(config.databaseUrl), error);
  });
  const db = createDb(config.databaseUrl, 1);
  try {
    await migrateToLatest(db, (line) => console.log(line));
    console.log('database is up to date');
  } finally {
    await db.destroy();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
