import { type Kysely, sql } from 'kysely';

/**
 * The consultant's work queue reads the incident list with filters of its own, each from a small
 * partial index: open incidents by phase, by cleanup deadline (the deadlines of today and ahead),
 * and the disputes that wait for a ruling (on the incident, or on its invoice: the dunning paused).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index incidents_open_by_phase on incidents (phase, reported_at) where status = 'open'`.execute(db);
  await sql`create index incidents_open_by_deadline on incidents (deadline_date) where status = 'open' and deadline_date is not null`.execute(db);
  await sql`create index incidents_disputed on incidents (incident_id) where status = 'open' and dispute = 'open'`.execute(db);
  await sql`create index invoices_disputed on invoices (incident_id) where status = 'open' and dunning_paused`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ['incidents_open_by_phase', 'incidents_open_by_deadline', 'incidents_disputed', 'invoices_disputed']) {
    await sql`drop index ${sql.ref(index)}`.execute(db);
  }
}
