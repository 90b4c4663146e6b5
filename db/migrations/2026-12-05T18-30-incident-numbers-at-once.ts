import { type Kysely, sql } from 'kysely';

/**
 * A year's first incident numbers asked at the same moment: `create sequence if not exists` is not
 * safe against itself (two sessions both find no sequence and both create it: one fails on
 * pg_class's unique index, and the report answered 500). Now the number is taken from the year's
 * sequence straight away; only when it does not exist yet, one session at a time (an advisory lock
 * per year) makes it, and the others find it made.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function next_incident_number(year integer) returns text language plpgsql as $$
    declare
      sequence_name text := 'incident_number_' || year;
      n bigint;
    begin
      begin
        n := nextval(sequence_name::regclass);
      exception when undefined_table then
        perform pg_advisory_xact_lock(hashtext(sequence_name));
        execute format('create sequence if not exists %I', sequence_name);
        n := nextval(sequence_name::regclass);
      end;
      return year || '-' || case when n < 100000 then lpad(n::text, 5, '0') else n::text end;
    end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function next_incident_number(year integer) returns text language plpgsql as $$
    declare
      sequence_name text := 'incident_number_' || year;
      n bigint;
    begin
      execute format('create sequence if not exists %I', sequence_name);
      n := nextval(sequence_name);
      return year || '-' || case when n < 100000 then lpad(n::text, 5, '0') else n::text end;
    end $$`.execute(db);
}
