import { type Kysely, sql } from 'kysely';

/**
 * Supervision rounds (issue 16): the plans per complex (directory data), the rounds' read models
 * (projections of the Round* events: rounds, their spaces, their findings), and how an incident came
 * in (complaint or supervision). Old incidents are complaints. Indexes for what reads them: a
 * consultant's open rounds by due day, a complex's rounds over time, incidents by report day with
 * complex and source (the supervision report), and the incidents of one space over time (did it come back).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table round_plans (
    complex_id text primary key,
    consultant text not null,
    interval_weeks integer not null check (interval_weeks between 1 and 52),
    due_within_working_days integer not null check (due_within_working_days between 1 and 60),
    first_date date not null,
    buildings jsonb not null,
    updated_at timestamptz not null default now(),
    updated_by text not null
  )`.execute(db);
  await sql`create table rounds (
    round_id text primary key,
    complex_id text not null,
    consultant text not null,
    planned_date date not null,
    due_date date not null,
    due_at timestamptz not null,
    status text not null,
    overdue boolean not null default false,
    spaces_total integer not null,
    spaces_in_order integer not null default 0,
    spaces_with_findings integer not null default 0,
    findings integer not null default 0,
    completed_at timestamptz,
    on_time boolean,
    scheduled_at timestamptz not null
  )`.execute(db);
  await sql`create index rounds_open_by_consultant on rounds (consultant, due_date) where status <> 'completed'`.execute(db);
  await sql`create index rounds_by_complex on rounds (complex_id, planned_date)`.execute(db);
  await sql`create index rounds_by_planned_date on rounds (planned_date)`.execute(db);
  await sql`create table round_spaces (
    round_id text not null,
    building_id text not null,
    position integer not null,
    walk_order integer not null,
    name text not null,
    result text,
    marked_at timestamptz,
    primary key (round_id, building_id, position)
  )`.execute(db);
  await sql`create table round_findings (
    finding_id text primary key,
    round_id text not null,
    building_id text not null,
    position integer not null,
    category text not null,
    incident_id text not null,
    polluter_known boolean not null,
    recorded_by text not null,
    recorded_at timestamptz not null
  )`.execute(db);
  await sql`create index round_findings_by_round on round_findings (round_id)`.execute(db);
  await sql`alter table incidents add column source text not null default 'complaint', add column round_id text`.execute(db);
  await sql`create index incidents_by_source on incidents (reported_on) include (complex_id, source)`.execute(db);
  await sql`create index incidents_by_space on incidents (building_id, category, reported_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index incidents_by_space`.execute(db);
  await sql`drop index incidents_by_source`.execute(db);
  await sql`alter table incidents drop column round_id, drop column source`.execute(db);
  for (const table of ['round_findings', 'round_spaces', 'rounds', 'round_plans']) await sql`drop table ${sql.table(table)}`.execute(db);
}
