import { loadConfig } from '../config/config';
import { createDb, migrateToLatest } from './connection';
import { rebuildProjections } from './projections';

async function main() {
  const db = createDb(loadConfig().databaseUrl, 1);
  try {
    await migrateToLatest(db);
    const { events, seconds } = await rebuildProjections(db);
    console.log(`rebuilt the read models from ${events} events in ${seconds.toFixed(2)} s (${Math.round(events / Math.max(seconds, 1e-9))} events/s)`);
  } finally {
    await db.destroy();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
