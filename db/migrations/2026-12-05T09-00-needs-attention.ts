import { type Kysely, sql } from 'kysely';

/**
 * Needs attention: an incident or invoice whose step failed on its data waits for a person; the
 * read models say since when and why, and list them from a small partial index.
 *
 * Letter deliveries are claimed before the mail is handed to the relay (`sending`) and settled after
 * (`sent`): a retry that finds a claim knows an earlier attempt may have sent it, and counts it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const table of ['incidents', 'invoices']) {
    await db.schema
      .alterTable(table)
      .addColumn('attention_step', 'text')
      .addColumn('attention_reason', 'text')
      .addColumn('attention_since', 'timestamptz')
      .execute();
  }
  await sql`create index incidents_needing_attention on incidents (attention_since) where attention_since is not null`.execute(db);
  await sql`create index invoices_needing_attention on invoices (attention_since) where attention_since is not null`.execute(db);

  await db.schema
    .alterTable('letter_deliveries')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('sent'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('letter_deliveries').dropColumn('status').dropColumn('attempts').execute();
  await sql`drop index incidents_needing_attention`.execute(db);
  await sql`drop index invoices_needing_attention`.execute(db);
  for (const table of ['incidents', 'invoices']) {
    await db.schema.alterTable(table).dropColumn('attention_step').dropColumn('attention_reason').dropColumn('attention_since').execute();
  }
}
