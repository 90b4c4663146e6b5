import { type Kysely, sql } from 'kysely';

/**
 * Buildings in the directory: where a contractor has to go. A work order names the building's
 * address, its complex and how to get in; the building id alone tells a contractor nothing.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('buildings')
    .addColumn('building_id', 'text', (c) => c.primaryKey())
    .addColumn('complex_id', 'text', (c) => c.notNull())
    .addColumn('street', 'text', (c) => c.notNull())
    .addColumn('house_numbers', 'text', (c) => c.notNull())
    .addColumn('postal_code', 'text', (c) => c.notNull())
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('access_notes', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('buildings').execute();
}
