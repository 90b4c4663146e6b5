import { randomBytes } from 'node:crypto';
import { defaultDatabaseUrl } from '../../config/config';
import { createDb, dropDatabase, ensureDatabase, migrateToLatest, type Db } from '../../db/connection';

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

/** A fresh, migrated database per test file, so that files run in parallel and leave nothing behind. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const base = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? defaultDatabaseUrl('postgres'));
  base.pathname = `/pp_test_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const url = base.toString();
  await ensureDatabase(url);
  const db = createDb(url, 5);
  await migrateToLatest(db);
  return {
    url,
    db,
    async drop() {
      await db.destroy();
      await dropDatabase(url);
    },
  };
}
