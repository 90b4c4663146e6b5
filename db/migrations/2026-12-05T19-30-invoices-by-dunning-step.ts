import { type Kysely, sql } from 'kysely';

/**
 * The metrics count open invoices by dunning step, and those whose step is days late, at every
 * scrape (observability/metrics.ts): from this small partial index instead of all invoices. Open
 * incidents by phase and those needing attention have theirs already (incidents_open_by_phase,
 * incidents_needing_attention).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index invoices_open_by_stage on invoices (stage, pay_by_date) include (dunning_paused) where status = 'open'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index invoices_open_by_stage`.execute(db);
}
