import { type Kysely, sql } from 'kysely';

/**
 * The incident list's search (`q`): an address (where in the building, the building or complex, or
 * the street and house number of a household in the building), a contract number (the polluter's)
 * or an incident number. Words inside the text are found with trigram indexes (pg_trgm, in
 * PostgreSQL's contrib: a trusted extension since 13, so the database's owner may create it);
 * contract numbers exactly, case aside; numbers by the unique index they have.
 */
const incidentSearchText = sql`(location || ' ' || building_id || ' ' || complex_id)`;
const tenantAddressText = sql`(street || ' ' || house_number)`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`create index incidents_search_text on incidents using gin (${incidentSearchText} gin_trgm_ops)`.execute(db);
  await sql`create index incidents_by_polluter on incidents (upper(polluter_tenant_id)) where polluter_tenant_id is not null`.execute(db);
  await sql`create index incidents_by_building on incidents (building_id)`.execute(db);
  await sql`create index tenants_address_text on tenants using gin (${tenantAddressText} gin_trgm_ops)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ['incidents_search_text', 'incidents_by_polluter', 'incidents_by_building', 'tenants_address_text']) {
    await sql`drop index ${sql.ref(index)}`.execute(db);
  }
}
