import { sql, type Kysely } from 'kysely';

/**
 * Photos as evidence (a consultant's report, a tenant's cleanup report, an inspection, a
 * contractor's after-photo): kept here, outside Temporal's payloads and the events, which carry
 * only their ids. A photo belongs to one incident once an action names it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('photos')
    .addColumn('photo_id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text')
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('byte_size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bytea', (c) => c.notNull())
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('photos_incident').on('photos').column('incident_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('photos').execute();
}
