import { sql, type Kysely } from 'kysely';

/**
 * Privacy (AVG): the subjects' data keys (crypto-shredding: a destroyed key leaves its sealed texts
 * unreadable in the immutable events and in Temporal's histories), what billing must keep of an
 * erased tenant, and the retention runs.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('subject_keys')
    .addColumn('key_id', 'text', (c) => c.primaryKey())
    .addColumn('subject', 'text', (c) => c.notNull().unique())
    // The data key, wrapped (AES-256-GCM) with the configuration's master key; null once destroyed.
    .addColumn('wrapped_key', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('destroyed_at', 'timestamptz')
    .addColumn('destroyed_because', 'text')
    .addCheckConstraint('subject_keys_destroyed_or_kept', sql`(wrapped_key is null) = (destroyed_at is not null)`)
    .execute();
  // The invoice's addressee, kept for the tax authority's 7 years after the tenant was erased from the directory.
  await db.schema
    .createTable('billing_addressees')
    .addColumn('contract_number', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('street', 'text', (c) => c.notNull())
    .addColumn('house_number', 'text', (c) => c.notNull())
    .addColumn('postal_code', 'text', (c) => c.notNull())
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('keep_until', 'date', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('retention_runs')
    .addColumn('run_id', 'text', (c) => c.primaryKey())
    .addColumn('ran_at', 'timestamptz', (c) => c.notNull())
    .addColumn('narratives_removed', 'integer', (c) => c.notNull())
    .addColumn('photos_removed', 'integer', (c) => c.notNull())
    .addColumn('offences_removed', 'integer', (c) => c.notNull())
    .addColumn('sessions_removed', 'integer', (c) => c.notNull())
    .addColumn('billing_addressees_removed', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('retention_runs').execute();
  await db.schema.dropTable('billing_addressees').execute();
  await db.schema.dropTable('subject_keys').execute();
}
