import { type Kysely, sql } from 'kysely';

/**
 * The report cells' key carries what the summary sums, so that it reads a period's cells from the
 * key's index alone. The cells are updated at every incident's step, and each update writes the
 * row anew wherever the table has room, so that a period's cells end up scattered over a table
 * far larger than PostgreSQL's buffers. In the index they lie side by side, a piece of a period
 * in a few dozen pages (README's benchmark has the figures before and after).
 *
 * The rare closes after more than 30 working days (`close_days_over`, a JSON object that can
 * grow with the number of distinct days) stay out of the key, whose entries have a size limit;
 * the cells that have any are found through an index of their own.
 */
const summed = [
  'reported',
  'open',
  'returned',
  'self_resolved',
  'charged',
  'service_cost',
  'own_cost',
  'dismissed',
  'cancelled',
  'repeat_offences',
  'tenancy_escalations',
  'taken_up',
  'cost_cents',
  'service_costs_cents',
  'invoiced_cents',
  'credited_cents',
  'recovered_cents',
  'outstanding_cents',
  'close_days',
];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table report_cells drop constraint report_cells_pkey,
    add constraint report_cells_pkey primary key (dimension, grain, period, key) include (${sql.join(summed.map((column) => sql.id(column)))})`.execute(db);
  await sql`create index report_cells_late_closes on report_cells (dimension, grain, period, key) where close_days_over <> '{}'::jsonb`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index report_cells_late_closes`.execute(db);
  await sql`alter table report_cells drop constraint report_cells_pkey, add constraint report_cells_pkey primary key (dimension, grain, period, key)`.execute(db);
}
