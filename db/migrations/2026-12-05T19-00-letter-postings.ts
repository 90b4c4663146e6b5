import type { Kysely } from 'kysely';

/**
 * The day each letter that went by post was posted (read model of LetterPosted, rebuilt with the
 * others): the print queue lists the letters not yet posted, and each letter says when it was.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('letter_postings')
    .addColumn('letter_id', 'text', (c) => c.primaryKey())
    .addColumn('posted_on', 'text', (c) => c.notNull())
    .addColumn('counted_from', 'timestamptz', (c) => c.notNull())
    .addColumn('posted_by', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('letter_postings').execute();
}
