import { type Kysely, sql } from 'kysely';

/**
 * The team's case review (read models of the review-<YYYY-MM> streams): the conclusion recorded per
 * case of a month, and the agreements made, listed open first by due date. For the lasting-solution
 * report: the incidents closed in a period, by their closing time.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('case_review_conclusions')
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('conclusion', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('recorded_by_name', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('case_review_conclusions_pkey', ['month', 'case_id'])
    .execute();
  await db.schema
    .createTable('case_review_agreements')
    .addColumn('agreement_id', 'text', (c) => c.primaryKey())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('due_date', 'date', (c) => c.notNull())
    .addColumn('made_by', 'text', (c) => c.notNull())
    .addColumn('made_by_name', 'text', (c) => c.notNull())
    .addColumn('made_at', 'timestamptz', (c) => c.notNull())
    .addColumn('done_at', 'timestamptz')
    .addColumn('done_by_name', 'text')
    .addColumn('done_note', 'text')
    .execute();
  await sql`create index case_review_agreements_by_month on case_review_agreements (month, made_at)`.execute(db);
  await sql`create index case_review_agreements_open_first on case_review_agreements ((done_at is not null), due_date, agreement_id)`.execute(db);

  await sql`create index incidents_closed_at on incidents (closed_at) where status = 'closed'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index incidents_closed_at`.execute(db);
  await db.schema.dropTable('case_review_agreements').execute();
  await db.schema.dropTable('case_review_conclusions').execute();
}
