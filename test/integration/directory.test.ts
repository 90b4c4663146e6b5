import { contractorSchema, tenantSchema, upsertContractors, upsertTenants, type Tenant } from '../../db/directory';
import { ValidationError } from '../../domain/errors';
import { createTestDatabase, type TestDatabase } from '../support/database';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('directory');
});

afterAll(async () => {
  await database?.drop();
});

function tenant(contractNumber: string, overrides: Partial<Tenant> = {}): Tenant {
  return tenantSchema.parse({
    contractNumber,
    name: `Bewoner ${contractNumber}`,
    email: `${contractNumber.toLowerCase()}@bewoners.test`,
    street: 'Stationsstraat',
    houseNumber: '12',
    postalCode: '1234 AB',
    city: 'Utrecht',
    complexId: 'C1',
    buildingId: 'C1-A',
    unit: '1',
    ...overrides,
  });
}

async function tenantRow(contractNumber: string) {
  return database.db.selectFrom('tenants').selectAll().where('contract_number', '=', contractNumber).executeTakeFirst();
}

async function count(table: 'tenants' | 'contractors'): Promise<number> {
  const row = await database.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('upsertTenants', () => {
  it('inserts new tenants, then updates them by contract number', async () => {
    expect(await upsertTenants(database.db, [tenant('T-1'), tenant('T-2', { email: null, unit: '2', postalCode: '1234ab' })])).toBe(2);
    const inserted = await tenantRow('T-1');
    expect(inserted).toEqual({
      contract_number: 'T-1',
      name: 'Bewoner T-1',
      email: 't-1@bewoners.test',
      street: 'Stationsstraat',
      house_number: '12',
      postal_code: '1234 AB',
      city: 'Utrecht',
      complex_id: 'C1',
      building_id: 'C1-A',
      unit: '1',
      updated_at: expect.any(Date),
    });
    // Postal codes are stored in capitals; no e-mail is stored as null (letters go on paper).
    expect(await tenantRow('T-2')).toMatchObject({ email: null, postal_code: '1234AB', unit: '2' });

    // T-1 moved within the complex and gave an e-mail address; T-3 is new; T-2 is not in this upload.
    const moved = tenant('T-1', {
      name: 'J. de Vries',
      email: 'jdevries@example.test',
      street: 'Kerkweg',
      houseNumber: '3-B',
      postalCode: '5678 cd',
      city: 'Zeist',
      buildingId: 'C1-B',
      unit: '3B',
    });
    expect(await upsertTenants(database.db, [moved, tenant('T-3')])).toBe(2);

    expect(await count('tenants')).toBe(3);
    const updated = await tenantRow('T-1');
    expect(updated).toEqual({
      contract_number: 'T-1',
      name: 'J. de Vries',
      email: 'jdevries@example.test',
      street: 'Kerkweg',
      house_number: '3-B',
      postal_code: '5678 CD',
      city: 'Zeist',
      complex_id: 'C1',
      building_id: 'C1-B',
      unit: '3B',
      updated_at: expect.any(Date),
    });
    expect(updated!.updated_at.getTime()).toBeGreaterThan(inserted!.updated_at.getTime());
    expect(await tenantRow('T-2')).toMatchObject({ name: 'Bewoner T-2', email: null });

    // An e-mail address can be taken away again.
    await upsertTenants(database.db, [tenant('T-1', { email: null })]);
    expect((await tenantRow('T-1'))!.email).toBeNull();
  });

  it('keeps the households per building and complex that the hot spots divide by, through moves and removals', async () => {
    const households = () =>
      database.db.selectFrom('households').select(['dimension', 'key', 'complex_id', 'households']).where('complex_id', 'like', 'HH-%').orderBy(['dimension', 'key']).execute();
    await upsertTenants(database.db, [
      tenant('HH-1', { complexId: 'HH-C1', buildingId: 'HH-C1-A' }),
      tenant('HH-2', { complexId: 'HH-C1', buildingId: 'HH-C1-A' }),
      tenant('HH-3', { complexId: 'HH-C1', buildingId: 'HH-C1-B' }),
    ]);
    expect(await households()).toEqual([
      { dimension: 'building', key: 'HH-C1-A', complex_id: 'HH-C1', households: 2 },
      { dimension: 'building', key: 'HH-C1-B', complex_id: 'HH-C1', households: 1 },
      { dimension: 'complex', key: 'HH-C1', complex_id: 'HH-C1', households: 3 },
    ]);

    // HH-3 moves to another complex; HH-1's new e-mail address moves nothing.
    await upsertTenants(database.db, [tenant('HH-3', { complexId: 'HH-C2', buildingId: 'HH-C2-A' }), tenant('HH-1', { complexId: 'HH-C1', buildingId: 'HH-C1-A', email: 'nieuw@bewoners.test' })]);
    expect(await households()).toEqual([
      { dimension: 'building', key: 'HH-C1-A', complex_id: 'HH-C1', households: 2 },
      { dimension: 'building', key: 'HH-C2-A', complex_id: 'HH-C2', households: 1 },
      { dimension: 'complex', key: 'HH-C1', complex_id: 'HH-C1', households: 2 },
      { dimension: 'complex', key: 'HH-C2', complex_id: 'HH-C2', households: 1 },
    ]);

    await database.db.deleteFrom('tenants').where('contract_number', 'in', ['HH-1', 'HH-3']).execute();
    expect(await households()).toEqual([
      { dimension: 'building', key: 'HH-C1-A', complex_id: 'HH-C1', households: 1 },
      { dimension: 'complex', key: 'HH-C1', complex_id: 'HH-C1', households: 1 },
    ]);
    await database.db.deleteFrom('tenants').where('contract_number', '=', 'HH-2').execute();
    expect(await households()).toEqual([]);
  });

  it('does nothing with an empty upload', async () => {
    const before = await count('tenants');
    expect(await upsertTenants(database.db, [])).toBe(0);
    expect(await count('tenants')).toBe(before);
  });

  it('takes a whole corporation in one upload (more rows than one statement can carry parameters for)', async () => {
    // 10 columns a row: 7,000 rows are 70,000 parameters, above PostgreSQL's 65,535 per statement.
    const many = Array.from({ length: 7_000 }, (_, i) => tenant(`BULK-${String(i).padStart(5, '0')}`, { unit: String(i) }));
    expect(await upsertTenants(database.db, many)).toBe(7_000);
    expect(await tenantRow('BULK-06999')).toMatchObject({ unit: '6999' });

    expect(await upsertTenants(database.db, many.map((t) => ({ ...t, city: 'Amersfoort' })))).toBe(7_000);
    const cities = await database.db.selectFrom('tenants').select('city').distinct().where('contract_number', 'like', 'BULK-%').execute();
    expect(cities).toEqual([{ city: 'Amersfoort' }]);
  });

  it('refuses an upload that names one contract number twice, naming it, and writes nothing', async () => {
    const before = await count('tenants');
    const error = await upsertTenants(database.db, [tenant('DUP-1'), tenant('DUP-2'), tenant('DUP-1', { name: 'Iemand anders' })]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields).toEqual([{ path: '2.contractNumber', message: expect.stringContaining('DUP-1') }]);
    expect(await count('tenants')).toBe(before);
  });
});

describe('upsertContractors', () => {
  it('inserts new contractors, then updates them by id', async () => {
    const k1 = contractorSchema.parse({ contractorId: 'K-1', name: 'Schoon BV', email: 'orders@schoon.test' });
    const k2 = contractorSchema.parse({ contractorId: 'K-2', name: 'Groen & Co', email: 'tuin@groen.test', categories: ['neglected_garden'], complexes: ['C1', 'C2'] });
    expect(await upsertContractors(database.db, [k1, k2])).toBe(2);

    const rows = () => database.db.selectFrom('contractors').selectAll().orderBy('contractor_id').execute();
    const inserted = await rows();
    expect(inserted).toEqual([
      { contractor_id: 'K-1', name: 'Schoon BV', email: 'orders@schoon.test', categories: [], complexes: [], updated_at: expect.any(Date) },
      { contractor_id: 'K-2', name: 'Groen & Co', email: 'tuin@groen.test', categories: ['neglected_garden'], complexes: ['C1', 'C2'], updated_at: expect.any(Date) },
    ]);

    const k1Narrowed = contractorSchema.parse({ ...k1, name: 'Schoon & Snel BV', email: 'planning@schoon.test', categories: ['fouled_stairwell', 'bulk_waste'], complexes: ['C1'] });
    expect(await upsertContractors(database.db, [k1Narrowed])).toBe(1);

    const updated = await rows();
    expect(updated).toEqual([
      { contractor_id: 'K-1', name: 'Schoon & Snel BV', email: 'planning@schoon.test', categories: ['fouled_stairwell', 'bulk_waste'], complexes: ['C1'], updated_at: expect.any(Date) },
      inserted[1],
    ]);
    expect(updated[0]!.updated_at.getTime()).toBeGreaterThan(inserted[0]!.updated_at.getTime());
    expect(await upsertContractors(database.db, [])).toBe(0);
  });

  it('refuses an upload that names one contractor twice and writes nothing', async () => {
    const before = await count('contractors');
    const k = contractorSchema.parse({ contractorId: 'K-9', name: 'Dubbel BV', email: 'dubbel@example.test' });
    const error = await upsertContractors(database.db, [k, { ...k, name: 'Dubbel BV 2' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields).toEqual([{ path: '1.contractorId', message: expect.stringContaining('K-9') }]);
    expect(await count('contractors')).toBe(before);
  });
});

describe('tenantSchema', () => {
  const valid = {
    contractNumber: 'T-9',
    name: 'J. de Vries',
    email: 'jdevries@example.test',
    street: 'Kerkstraat',
    houseNumber: '12',
    postalCode: '1234 AB',
    city: 'Utrecht',
    complexId: 'C1',
    buildingId: 'C1-A',
    unit: '12',
  };

  it('accepts Dutch postal codes with or without the space, in either case, and no e-mail', () => {
    for (const postalCode of ['1234 AB', '1234AB', '1234 ab', ' 9999ZZ ']) {
      expect(tenantSchema.safeParse({ ...valid, postalCode }).success).toBe(true);
    }
    expect(tenantSchema.parse({ ...valid, email: undefined }).email).toBeNull();
    expect(tenantSchema.parse({ ...valid, email: null }).email).toBeNull();
  });

  it('refuses a bad postal code, saying what a good one looks like', () => {
    for (const postalCode of ['123 AB', '12345 AB', '1234 A', '1234 A1', 'AB 1234', '']) {
      const result = tenantSchema.safeParse({ ...valid, postalCode });
      expect(result.success).toBe(false);
      expect(result.error!.issues).toEqual([expect.objectContaining({ path: ['postalCode'], message: 'expected a Dutch postal code such as 1234 AB' })]);
    }
  });

  it('refuses a bad e-mail address, naming the field', () => {
    for (const email of ['jdevries', 'jdevries@', '@example.test', 'j de vries@example.test']) {
      const result = tenantSchema.safeParse({ ...valid, email });
      expect(result.success).toBe(false);
      expect(result.error!.issues).toEqual([expect.objectContaining({ path: ['email'], message: expect.stringMatching(/email/i) })]);
    }
  });

  it('names every missing or blank field', () => {
    const result = tenantSchema.safeParse({ ...valid, name: '  ', city: undefined });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['city', 'name']);
  });
});
