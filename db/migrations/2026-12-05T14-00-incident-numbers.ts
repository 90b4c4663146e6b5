import { type Kysely, sql } from 'kysely';

/**
 * Incidents get a short number people can say on the phone: `2026-00123`, by the year of the
 * report (Amsterdam). A sequence per year, made when the year's first number is asked: numbers are
 * never given twice, but a report that fails after taking one leaves a gap (unlike invoice
 * numbers, nothing requires these to be gapless).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function next_incident_number(year integer) returns text language plpgsql as $$
    declare
      sequence_name text := 'incident_number_' || year;
      n bigint;
    begin
      execute format('create sequence if not exists %I', sequence_name);
      n := nextval(sequence_name);
      return year || '-' || case when n < 100000 then lpad(n::text, 5, '0') else n::text end;
    end $$`.execute(db);
  await db.schema.alterTable('incidents').addColumn('incident_number', 'text').execute();
  await sql`create unique index incidents_by_number on incidents (incident_number) where incident_number is not null`.execute(db);
  // A report retried with its Idempotency-Key answers with the number the first attempt took.
  await db.schema.alterTable('idempotency_keys').addColumn('incident_number', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('idempotency_keys').dropColumn('incident_number').execute();
  await sql`drop index incidents_by_number`.execute(db);
  await db.schema.alterTable('incidents').dropColumn('incident_number').execute();
  await sql`drop function next_incident_number(integer)`.execute(db);
}
