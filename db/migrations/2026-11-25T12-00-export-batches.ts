import { type Kysely, sql } from 'kysely';

// Finance's export batches. Not projections: a rebuild of the read models must not forget what was exported.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('billing_export_batches')
    .addColumn('batch_id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('row_count', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content', 'bytea', (c) => c.notNull())
    .execute();

  // One row per exported ledger entry (billing_ledger.entry_id, deliberately without a foreign key:
  // a rebuild truncates the ledger and replays the same entry ids). The batch is inserted after its
  // entries, in the same transaction: the foreign key is checked at commit.
  await db.schema
    .createTable('billing_export_batch_entries')
    .addColumn('entry_id', 'text', (c) => c.primaryKey())
    .addColumn('batch_id', 'text', (c) => c.notNull())
    .addForeignKeyConstraint('billing_export_batch_entries_batch_fk', ['batch_id'], 'billing_export_batches', ['batch_id'], (fk) =>
      fk.deferrable().initiallyDeferred(),
    )
    .execute();
  await db.schema.createIndex('billing_export_batch_entries_by_batch').on('billing_export_batch_entries').column('batch_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('billing_export_batch_entries').execute();
  await db.schema.dropTable('billing_export_batches').execute();
}
