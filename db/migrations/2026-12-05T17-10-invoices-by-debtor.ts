import { type Kysely, sql } from 'kysely';

/**
 * A debtor's account (`GET /invoices?debtor=`): every invoice of one contract number, newest
 * first, found by index instead of a scan of all invoices.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index invoices_by_debtor on invoices (debtor_tenant_id, invoice_number)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index invoices_by_debtor`.execute(db);
}
