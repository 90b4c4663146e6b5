import { sql } from 'kysely';
import { createDb } from '../../db/connection';
import { createTestDatabase, type TestDatabase } from '../support/database';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('incident_numbers');
});
afterAll(async () => {
  await database?.drop();
});

const next = async (db: typeof database.db, year: number) => (await sql<{ n: string }>`select next_incident_number(${year}) as n`.execute(db)).rows[0]!.n;

test("a year's first reports at the same moment each get a number, all different (found by CI: three reports at once answered 500)", async () => {
  // Ten connections, so that the calls really run at the same time.
  const db = createDb(database.url, 10);
  try {
    const numbers = await Promise.all(Array.from({ length: 30 }, () => next(db, 2031)));
    expect(new Set(numbers).size).toBe(30);
    expect([...numbers].sort()).toEqual(Array.from({ length: 30 }, (_, i) => `2031-${String(i + 1).padStart(5, '0')}`));
  } finally {
    await db.destroy();
  }
});

test('numbers run per year, five digits, more when a year has more reports', async () => {
  expect(await next(database.db, 2032)).toBe('2032-00001');
  expect(await next(database.db, 2032)).toBe('2032-00002');
  expect(await next(database.db, 2033)).toBe('2033-00001');
  await sql`select setval('incident_number_2033', 99999)`.execute(database.db);
  expect(await next(database.db, 2033)).toBe('2033-100000');
});
