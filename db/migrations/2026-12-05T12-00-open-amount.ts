import { type Kysely, sql } from 'kysely';

/**
 * An invoice's open amount in one place in SQL: a generated column that mirrors `openCents` in
 * domain/invoice/state.ts (what is still owed on an open invoice; 0 once it is paid or credited),
 * held to it by a test (test/integration/open-amount.test.ts). The API, the overdue lists and the
 * finance report read it; the report cells' triggers (migrations 2026-11-25T13-00 and
 * 2026-12-03T18-00) spell the same sum and are held to it by the reports' tests.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table invoices add column open_cents bigint not null
    generated always as (case when status = 'open' then total_cents + collection_costs_cents + interest_cents - paid_cents else 0 end) stored`.execute(db);
  await sql`create index invoices_in_dunning_open on invoices (due_date, invoice_number) include (open_cents) where status = 'open'`.execute(db);
  await sql`drop index invoices_in_dunning`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index invoices_in_dunning on invoices (due_date, invoice_number) include (total_cents, collection_costs_cents, interest_cents, paid_cents)
    where status = 'open'`.execute(db);
  await sql`drop index invoices_in_dunning_open`.execute(db);
  await sql`alter table invoices drop column open_cents`.execute(db);
}
