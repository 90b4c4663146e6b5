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

/** The expression the trigram index tenants_search is on (migration 2026-12-05T17-50-directory-search): written once. */
const tenantText = sql<string>`lower(contract_number || ' ' || name || ' ' || street || ' ' || house_number || ' ' || postal_code || ' ' || city || ' ' || building_id)`;
/** The expression the trigram index tenants_address_search is on. */
const addressText = sql<string>`lower(street || ' ' || house_number || ' ' || postal_code || ' ' || city)`;
const everyWord = (q: string, expression: RawBuilder<string>) => sql<boolean>`${sql.join(words(q).map((w) => sql`${expression} like ${containing(w)}`), sql` and `)}`;
/** Tenants weighed per search at most. */
const CANDIDATES = 200;
const householdsLabel = (n: number) => `${n} ${n === 1 ? 'huishouden' : 'huishoudens'}`;

/**
 * The directory's complexes, buildings or tenants that match what a person typed: every word of it
 * somewhere in the id (or, for a tenant, contract number, name and address); those whose id starts
 * with it first. Served by trigram indexes: a word of three characters or more narrows the search
 * through them (shorter words only filter), and of the tenants that match at most CANDIDATES are
 * weighed, so that a common name ("Jansen") costs no more than a rare one: typing more narrows it.
 */
export async function searchDirectory(db: Db, input: { kind: SearchKind; q: string; complexId?: string | undefined; buildingId?: string | undefined; limit: number }): Promise<Suggestion[]> {
  const { kind, q, limit } = input;
  if (words(q).length === 0) return [];
  const prefix = `${q.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

  // Without a word of three characters the trigram index cannot narrow the search: then only what is exactly the id, or a key of households.
  const indexed = words(q).some((w) => w.length >= 3);

  if (kind === 'tenant') {
    const columns = ['contract_number', 'name', 'street', 'house_number', 'postal_code', 'city', 'complex_id', 'building_id', 'unit'] as const;
    let candidates = db.selectFrom('tenants').select([...columns]).where(indexed ? everyWord(q, tenantText) : sql<boolean>`false`);
    if (input.complexId) candidates = candidates.where('complex_id', '=', input.complexId);
    if (input.buildingId) candidates = candidates.where('building_id', '=', input.buildingId);
    const [exact, rows] = await Promise.all([
      db.selectFrom('tenants').select([...columns]).where('contract_number', '=', q.trim()).execute(),
      db
        .selectFrom(candidates.limit(CANDIDATES).as('t'))
        .selectAll()
        .orderBy(sql`lower(t.contract_number) like ${prefix}`, 'desc')
        .orderBy('t.name')
        .orderBy('t.contract_number')
        .limit(limit)
        .execute(),
    ]);
    const seen = new Set<string>();
    const all = [...exact, ...rows].filter((t) => !seen.has(t.contract_number) && seen.add(t.contract_number)).slice(0, limit);
    return all.map((t) => ({
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
    .selectFrom(
      db
        .selectFrom('tenants')
        .select([kind === 'complex' ? 'complex_id as key' : 'building_id as key', 'complex_id'])
        // By the address only (its own trigram index), not a name.
        .where(indexed ? everyWord(q, addressText) : sql<boolean>`false`)
        .$if(Boolean(input.complexId) && kind === 'building', (qb) => qb.where('complex_id', '=', input.complexId!))
        .limit(CANDIDATES)
        .as('a'),
    )
    .select(['a.key', 'a.complex_id']);
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
