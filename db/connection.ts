import { Kysely, Migrator, PostgresDialect, type MigrationResultSet } from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import type { Database } from './schema';
import { migrations } from './migrations';

// BIGINT (int8) as a JavaScript number: our bigints are positions and cents, far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Db = Kysely<Database>;

/** Each database handle's pg pool: for what kysely cannot express, such as COPY ... TO STDOUT (db/billing-export.ts). */
const pools = new WeakMap<Db, pg.Pool>();

export function poolOf(db: Db): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error('not a database handle made by createDb');
  return pool;
}

export function createDb(databaseUrl: string, poolSize = 10): Db {
  // UTF-8 whatever the database's default: the bytes a COPY streams out are the client encoding's.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize, client_encoding: 'UTF8' });
  // When the server ends a connection (a restart, a dropped database, a network cut), its client emits
  // 'error', which without a listener crashes the process. The pool listens on idle clients only; a
  // client in use gets a listener of its own here, while its query fails with the error. The next
  // query opens a new connection, and fails there if the server is really gone.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  // cursor: lets `.stream()` read large results (the billing export) through a server-side cursor.
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool, cursor: Cursor }) });
  pools.set(db, pool);
  return db;
}

/** Create the database named in the URL when it does not exist yet (development and tests). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) throw new Error(`DATABASE_URL names no database: ${databaseUrl}`);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`create database "${name.replace(/"/g, '""')}"`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created concurrently: fine
      });
    }
  } finally {
    await client.end();
  }
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name.replace(/"/g, '""')}" with (force)`);
  } finally {
    await client.end();
  }
}

export class MigrationError extends Error {
  constructor(override readonly cause: unknown, readonly results: MigrationResultSet['results']) {
    super(`migration failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'MigrationError';
  }
}

export async function migrateToLatest(db: Db, log: (line: string) => void = () => {}): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  for (const result of results ?? []) log(`migration ${result.migrationName}: ${result.status}`);
  if (error) throw new MigrationError(error, results);
}
