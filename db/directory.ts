import { sql } from 'kysely';
import { z } from 'zod';
import { ValidationError } from '../domain/errors';
import { categorySchema } from '../domain/policy';
import type { Db } from './connection';

const text = z.string().trim().min(1);

/** A tenant as the directory holds it: the personal data that events only point at. */
export const tenantSchema = z.object({
  contractNumber: text,
  name: text,
  email: z.email().nullable().optional().transform((v) => v ?? null),
  street: text,
  houseNumber: text,
  postalCode: z.string().trim().regex(/^\d{4}\s?[A-Z]{2}$/i, 'expected a Dutch postal code such as 1234 AB'),
  city: text,
  complexId: text,
  buildingId: text.describe('the building or entrance whose households share the space'),
  unit: text,
});
export type Tenant = z.infer<typeof tenantSchema>;

export const contractorSchema = z.object({
  contractorId: text,
  name: text,
  email: z.email(),
  categories: z.array(categorySchema).default([]).describe('empty: every category'),
  complexes: z.array(text).default([]).describe('empty: every complex'),
});
export type Contractor = z.infer<typeof contractorSchema>;

/** Rows per statement: PostgreSQL takes at most 65,535 parameters in one, and a tenant row has 10. */
const rowsPerStatement = 1000;

function inChunks<T>(rows: T[]): T[][] {
  return Array.from({ length: Math.ceil(rows.length / rowsPerStatement) }, (_, i) => rows.slice(i * rowsPerStatement, (i + 1) * rowsPerStatement));
}

/** One upload names each key once: PostgreSQL cannot upsert one row twice in a statement, nor should we guess which wins. */
export function refuseDuplicateKeys<T>(rows: T[], keyOf: (row: T) => string, field: string, what: string): void {
  const firstAt = new Map<string, number>();
  const fields: { path: string; message: string }[] = [];
  rows.forEach((row, index) => {
    const key = keyOf(row);
    const first = firstAt.get(key);
    if (first === undefined) firstAt.set(key, index);
    else fields.push({ path: `${index}.${field}`, message: `${what} ${key} appears more than once (first at ${first})` });
  });
  if (fields.length > 0) throw new ValidationError(`the upload names the same ${what} more than once`, fields);
}

/** Insert or update tenants by contract number: all of them or, when one is refused, none. */
export async function upsertTenants(db: Db, tenants: Tenant[]): Promise<number> {
  if (tenants.length === 0) return 0;
  refuseDuplicateKeys(tenants, (t) => t.contractNumber, 'contractNumber', 'contract number');
  await db.transaction().execute(async (trx) => {
    for (const chunk of inChunks(tenants)) await upsertTenantRows(trx, chunk);
  });
  return tenants.length;
}

async function upsertTenantRows(db: Db, tenants: Tenant[]): Promise<number> {
  if (tenants.length === 0) return 0;
  await db
    .insertInto('tenants')
    .values(
      tenants.map((t) => ({
        contract_number: t.contractNumber,
        name: t.name,
        email: t.email,
        street: t.street,
        house_number: t.houseNumber,
        postal_code: t.postalCode.toUpperCase(),
        city: t.city,
        complex_id: t.complexId,
        building_id: t.buildingId,
        unit: t.unit,
      })),
    )
    .onConflict((oc) =>
      oc.column('contract_number').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        email: eb.ref('excluded.email'),
        street: eb.ref('excluded.street'),
        house_number: eb.ref('excluded.house_number'),
        postal_code: eb.ref('excluded.postal_code'),
        city: eb.ref('excluded.city'),
        complex_id: eb.ref('excluded.complex_id'),
        building_id: eb.ref('excluded.building_id'),
        unit: eb.ref('excluded.unit'),
        updated_at: sql`now()`,
      })),
    )
    .execute();
  return tenants.length;
}

/** Insert or update contractors by id: all of them or, when one is refused, none. */
export async function upsertContractors(db: Db, contractors: Contractor[]): Promise<number> {
  if (contractors.length === 0) return 0;
  refuseDuplicateKeys(contractors, (c) => c.contractorId, 'contractorId', 'contractor');
  await db.transaction().execute(async (trx) => {
    for (const chunk of inChunks(contractors)) await upsertContractorRows(trx, chunk);
  });
  return contractors.length;
}

async function upsertContractorRows(db: Db, contractors: Contractor[]): Promise<number> {
  if (contractors.length === 0) return 0;
  await db
    .insertInto('contractors')
    .values(
      contractors.map((c) => ({
        contractor_id: c.contractorId,
        name: c.name,
        email: c.email,
        categories: c.categories,
        complexes: c.complexes,
      })),
    )
    .onConflict((oc) =>
      oc.column('contractor_id').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        email: eb.ref('excluded.email'),
        categories: eb.ref('excluded.categories'),
        complexes: eb.ref('excluded.complexes'),
        updated_at: sql`now()`,
      })),
    )
    .execute();
  return contractors.length;
}
