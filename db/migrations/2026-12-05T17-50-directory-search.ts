import { type Kysely, sql } from 'kysely';

/**
 * The workspace's typeahead over the directory (complex, building, tenant) and the link from a
 * signed-in contractor to their company:
 * - trigram indexes (pg_trgm, a trusted extension since PostgreSQL 13) so that a part of a name,
 *   street, contract number or building id is found at 100,000 tenants without reading them all;
 * - tenants by complex, for a complex's streets and households in a suggestion;
 * - contractors by e-mail (case-insensitive): the identity provider's e-mail claim names the company;
 * - a contractor's open work orders, oldest first.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`
    create index tenants_search on tenants using gin (
      lower(contract_number || ' ' || name || ' ' || street || ' ' || house_number || ' ' || postal_code || ' ' || city || ' ' || building_id) gin_trgm_ops
    )`.execute(db);
  // A complex or building found by its street or place: the address alone, so that a building id in the text above does not match.
  await sql`create index tenants_address_search on tenants using gin (lower(street || ' ' || house_number || ' ' || postal_code || ' ' || city) gin_trgm_ops)`.execute(db);
  await sql`create index tenants_by_complex on tenants (complex_id, street)`.execute(db);
  await sql`create index households_key_search on households using gin (lower(key) gin_trgm_ops)`.execute(db);
  await sql`create index contractors_by_email on contractors (lower(email))`.execute(db);
  await sql`create index incidents_open_work_orders on incidents (contractor_id, cleanup_ordered_at) where status = 'open' and phase = 'cleanup_ordered'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index incidents_open_work_orders`.execute(db);
  await sql`drop index contractors_by_email`.execute(db);
  await sql`drop index households_key_search`.execute(db);
  await sql`drop index tenants_by_complex`.execute(db);
  await sql`drop index tenants_address_search`.execute(db);
  await sql`drop index tenants_search`.execute(db);
}
