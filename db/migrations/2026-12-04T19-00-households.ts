import { type Kysely, sql } from 'kysely';

/**
 * Households per building and per complex, as the directory has them, keyed as the report cells
 * are (dimension, key): the hot spots divide incidents by them on every request, and counting
 * 40,000 tenants took as long as summing the report cells. Kept by triggers on `tenants`, whoever
 * writes it: a tenant counts in its building's row (with the building's complex) and in its
 * complex's; a move counts one less where it left.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table households (
      dimension text not null check (dimension in ('complex', 'building')),
      key text not null,
      complex_id text not null,
      households integer not null check (households >= 0),
      primary key (dimension, key, complex_id)
    )`.execute(db);
  await sql`
    insert into households
    select 'building', building_id, complex_id, count(*) from tenants group by building_id, complex_id
    union all
    select 'complex', complex_id, complex_id, count(*) from tenants group by complex_id`.execute(db);
  await sql`
    create function households_count(p_building_id text, p_complex_id text, p_change integer) returns void language plpgsql as $$
    begin
      if p_change > 0 then
        insert into households as h values ('building', p_building_id, p_complex_id, p_change), ('complex', p_complex_id, p_complex_id, p_change)
        on conflict (dimension, key, complex_id) do update set households = h.households + excluded.households;
      else
        update households set households = households + p_change
        where complex_id = p_complex_id and (dimension, key) in (('building', p_building_id), ('complex', p_complex_id));
        delete from households where complex_id = p_complex_id and (dimension, key) in (('building', p_building_id), ('complex', p_complex_id)) and households = 0;
      end if;
    end $$`.execute(db);
  await sql`
    create function households_on_tenant() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then perform households_count(old.building_id, old.complex_id, -1); end if;
      if tg_op in ('INSERT', 'UPDATE') then perform households_count(new.building_id, new.complex_id, 1); end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger households_tenant_added_or_removed after insert or delete on tenants for each row execute function households_on_tenant()`.execute(db);
  await sql`
    create trigger households_tenant_moved after update on tenants for each row
    when (old.building_id is distinct from new.building_id or old.complex_id is distinct from new.complex_id)
    execute function households_on_tenant()`.execute(db);
  await sql`create function households_on_truncate() returns trigger language plpgsql as $$ begin delete from households; return null; end $$`.execute(db);
  await sql`create trigger households_tenants_truncated after truncate on tenants for each statement execute function households_on_truncate()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger households_tenants_truncated on tenants`.execute(db);
  await sql`drop trigger households_tenant_moved on tenants`.execute(db);
  await sql`drop trigger households_tenant_added_or_removed on tenants`.execute(db);
  await sql`drop function households_on_truncate(), households_on_tenant(), households_count(text, text, integer)`.execute(db);
  await sql`drop table households`.execute(db);
}
