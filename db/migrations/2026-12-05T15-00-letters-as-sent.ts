import type { Kysely } from 'kysely';

/**
 * A letter that went out later than planned is sent with the dates as of then (domain/sending.ts):
 * what it said, when that differs from the content its event recorded, is kept with its delivery.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('letter_deliveries').addColumn('sent_content', 'jsonb').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('letter_deliveries').dropColumn('sent_content').execute();
}
