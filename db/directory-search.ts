import { sql, type RawBuilder } from 'kysely';
import type { Db } from './connection';

export type SearchKind = 'complex' | 'building' | 'tenant';

export interface Suggestion {
  /** What goes in the field: the complex id, the building id or the contract number. */
  value: string;
  /** What a person recognises it by: address, households, name. */
  label: string;
  complexId: string;
  buildingId: string | null;
}

/** A LIKE pattern that finds `text` anywhere, with the wildcards in it taken literally. */
const containing = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
const words = (q: string) => q.trim().split(/\s+/).filter(Boolean).slice(0, 5);

/** The expression the trigram index tenants_search is on (migration 2026-12-05T16-10-directory-search): written once. */
const tenantText = sql<string>`lower(contract_number || ' ' || name || ' ' || street || ' ' || house_number || ' ' || postal_code || ' ' || city || ' ' || building_id)`;
const addressText = sql<string>`lower(street || ' ' || house_number || ' ' || postal_code || ' ' || city)`;
const everyWord = (q: string, expression: RawBuilder<string>) => sql<boolean>`${sql.join(words(q).map((w) => sql`${expression} like ${containing(w)}`), sql` and `)}`;
const householdsLabel = (n: number) => `${n} ${n === 1 ? 'huishouden' : 'huishoudens'}`;

/**
 * The directory's complexes, buildings or tenants that match what a person typed: every word of it
 * somewhere in the id (or, for a tenant, contract number, name and address); those whose id starts
 * with it first. Served by trigram indexes, so a few milliseconds at 100,000 tenants.
 */
export async function searchDirectory(db: Db, input: { kind: SearchKind; q: string; complexId?: string | undefined; buildingId?: string | undefined; limit: number }): Promise<Suggestion[]> {
  const { kind, q, limit } = input;
  if (words(q).length === 0) return [];
  const prefix = `${q.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

  if (kind === 'tenant') {
    let query = db
      .selectFrom('tenants')
      .select(['contract_number', 'name', 'street', 'house_number', 'postal_code', 'city', 'complex_id', 'building_id', 'unit'])
      .where(everyWord(q, tenantText));
    if (input.complexId) query = query.where('complex_id', '=', input.complexId);
    if (input.buildingId) query = query.where('building_id', '=', input.buildingId);
    const rows = await query
      .orderBy(sql`lower(contract_number) like ${prefix}`, 'desc')
      .orderBy('name')
      .orderBy('contract_number')
      .limit(limit)
      .execute();
    return rows.map((t) => ({
      value: t.contract_number,
      label: `${t.name}, ${t.street} ${t.house_number}, ${t.city} (gebouw ${t.building_id})`,
      complexId: t.complex_id,
      buildingId: t.building_id,
    }));
  }

  // Complexes and buildings: by their id (households, one row each), or by a street or place of their tenants.
  const dimension = kind;
  const byKey = db
    .selectFrom('households')
    .select(['key', 'complex_id'])
    .where('dimension', '=', dimension)
    .where(everyWord(q, sql<string>`lower(key)`))
    .$if(Boolean(input.complexId) && kind === 'building', (qb) => qb.where('complex_id', '=', input.complexId!));
  const byAddress = db
    .selectFrom('tenants')
    .select([kind === 'complex' ? 'complex_id as key' : 'building_id as key', 'complex_id'])
    // The index narrows to tenants with the words anywhere; of those, the words must be in the address (not a name).
    .where(everyWord(q, tenantText))
    .where(everyWord(q, addressText))
    .$if(Boolean(input.complexId) && kind === 'building', (qb) => qb.where('complex_id', '=', input.complexId!));
  const found = await db
    .selectFrom(byKey.union(byAddress).as('f'))
    .select(['f.key', 'f.complex_id'])
    .orderBy(sql`lower(f.key) like ${prefix}`, 'desc')
    .orderBy('f.key')
    .limit(limit)
    .execute();
  if (found.length === 0) return [];

  // What makes each recognisable: its streets and place, and its households; one query for all of them.
  const keys = found.map((f) => f.key);
  const where = kind === 'complex' ? sql.ref('complex_id') : sql.ref('building_id');
  const { rows: described } = await sql<{ key: string; complex_id: string; streets: string; city: string; households: number }>`
    select ${where} as key, complex_id, string_agg(distinct street, ', ' order by street) as streets, min(city) as city, count(*)::int as households
    from tenants where ${where} in (${sql.join(keys)}) group by ${where}, complex_id`.execute(db);
  const about = new Map(described.map((d) => [`${d.key}\n${d.complex_id}`, d]));
  return found.map((f) => {
    const d = about.get(`${f.key}\n${f.complex_id}`);
    const where = d ? `${d.streets}, ${d.city} (${householdsLabel(d.households)})` : 'geen huishoudens in het adresboek';
    return kind === 'complex'
      ? { value: f.key, label: `Complex ${f.key}: ${where}`, complexId: f.key, buildingId: null }
      : { value: f.key, label: `Gebouw ${f.key} in complex ${f.complex_id}: ${where}`, complexId: f.complex_id, buildingId: f.key };
  });
}
