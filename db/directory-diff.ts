/**
 * What an upload of the directory would change, before it is made: the rows it adds, the rows it
 * changes (each field old -> new), how many it leaves as they are, and the rows in the directory
 * that the file does not name. An upload only adds and changes (by contract number or contractor
 * id): those rows stay as they are.
 */
import { sql } from 'kysely';
import type { Db } from './connection';
import { refuseDuplicateKeys, type Contractor, type Tenant } from './directory';

export interface FieldChange {
  field: string;
  old: string;
  new: string;
}

export interface DirectoryDiff {
  added: number;
  changed: number;
  unchanged: number;
  notInUpload: number;
  /** At most `listed` of each. */
  addedItems: { key: string; name: string }[];
  changedItems: { key: string; name: string; changes: FieldChange[] }[];
  notInUploadItems: { key: string; name: string }[];
}

const CHUNK = 5000;

function compare<T extends Record<string, string>>(
  upload: { key: string; name: string; fields: T }[],
  existing: Map<string, T>,
  listed: number,
): Omit<DirectoryDiff, 'notInUpload' | 'notInUploadItems'> {
  const diff = { added: 0, changed: 0, unchanged: 0, addedItems: [] as DirectoryDiff['addedItems'], changedItems: [] as DirectoryDiff['changedItems'] };
  for (const row of upload) {
    const before = existing.get(row.key);
    if (!before) {
      diff.added++;
      if (diff.addedItems.length < listed) diff.addedItems.push({ key: row.key, name: row.name });
      continue;
    }
    const changes = Object.keys(row.fields)
      .filter((field) => row.fields[field] !== before[field])
      .map((field) => ({ field, old: before[field] ?? '', new: row.fields[field] ?? '' }));
    if (changes.length === 0) diff.unchanged++;
    else {
      diff.changed++;
      if (diff.changedItems.length < listed) diff.changedItems.push({ key: row.key, name: row.name, changes });
    }
  }
  return diff;
}

/** A tenant as the upsert would store it (db/directory.ts), as text per field. */
const tenantFields = (t: Tenant) => ({
  name: t.name,
  email: t.email ?? '',
  street: t.street,
  houseNumber: t.houseNumber,
  postalCode: t.postalCode.toUpperCase(),
  city: t.city,
  complexId: t.complexId,
  buildingId: t.buildingId,
  unit: t.unit,
});

export async function diffTenants(db: Db, tenants: Tenant[], listed = 200): Promise<DirectoryDiff> {
  refuseDuplicateKeys(tenants, (t) => t.contractNumber, 'contractNumber', 'contract number');
  const keys = tenants.map((t) => t.contractNumber);
  const existing = new Map<string, ReturnType<typeof tenantFields>>();
  for (let i = 0; i < keys.length; i += CHUNK) {
    const rows = await db.selectFrom('tenants').selectAll().where('contract_number', '=', sql<string>`any(${keys.slice(i, i + CHUNK)}::text[])`).execute();
    for (const r of rows) {
      existing.set(r.contract_number, {
        name: r.name,
        email: r.email ?? '',
        street: r.street,
        houseNumber: r.house_number,
        postalCode: r.postal_code,
        city: r.city,
        complexId: r.complex_id,
        buildingId: r.building_id,
        unit: r.unit,
      });
    }
  }
  const diff = compare(tenants.map((t) => ({ key: t.contractNumber, name: t.name, fields: tenantFields(t) })), existing, listed);
  const { rows } = await sql<{ key: string; name: string; total: number }>`
    select contract_number as key, name, count(*) over ()::int as total from tenants
    where contract_number <> all(${keys}::text[]) order by contract_number limit ${listed}`.execute(db);
  return { ...diff, notInUpload: rows[0]?.total ?? 0, notInUploadItems: rows.map(({ key, name }) => ({ key, name })) };
}

const contractorFields = (c: Contractor) => ({ name: c.name, email: c.email, categories: [...c.categories].sort().join(';'), complexes: [...c.complexes].sort().join(';') });

export async function diffContractors(db: Db, contractors: Contractor[], listed = 200): Promise<DirectoryDiff> {
  refuseDuplicateKeys(contractors, (c) => c.contractorId, 'contractorId', 'contractor');
  const keys = contractors.map((c) => c.contractorId);
  const rows = await db.selectFrom('contractors').selectAll().where('contractor_id', '=', sql<string>`any(${keys}::text[])`).execute();
  const existing = new Map(
    rows.map((r) => [r.contractor_id, { name: r.name, email: r.email, categories: [...r.categories].sort().join(';'), complexes: [...r.complexes].sort().join(';') }]),
  );
  const diff = compare(contractors.map((c) => ({ key: c.contractorId, name: c.name, fields: contractorFields(c) })), existing, listed);
  const { rows: missing } = await sql<{ key: string; name: string; total: number }>`
    select contractor_id as key, name, count(*) over ()::int as total from contractors
    where contractor_id <> all(${keys}::text[]) order by contractor_id limit ${listed}`.execute(db);
  return { ...diff, notInUpload: missing[0]?.total ?? 0, notInUploadItems: missing.map(({ key, name }) => ({ key, name })) };
}
