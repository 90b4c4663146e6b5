import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { resolvePolicy } from '../../domain/policy';
import type { Role } from '../../worker/config';
import { createTestDatabase, type TestDatabase } from '../support/database';

const FINANCE_KEY = 'test-finance-key';

let database: TestDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  database = await createTestDatabase('payment_import_amounts');
  // Lines for unknown invoices are only listed for finance: Temporal is never called.
  app = await buildApp({
    db: database.db,
    temporal: {} as Client,
    config: {
      apiKeys: new Map<string, Role>([[FINANCE_KEY, 'finance']]),
      linkSecret: 'test-link-secret-0123456789',
      policy: resolvePolicy({}),
      publicUrl: 'http://polluter-pays.test',
      corporationName: 'Woonstichting Test',
      corporationIban: 'NL91ABNA0417164300',
      corporationAddress: 'Postbus 1, 3500 AA Utrecht',
      temporal: { address: undefined, namespace: 'default', taskQueue: 'unused', tls: undefined, apiKey: undefined },
    },
  });
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

const importCsv = (amount: string, paymentId: string) =>
  app.inject({
    method: 'POST',
    url: '/payments/imports',
    headers: { authorization: `Bearer ${FINANCE_KEY}`, 'content-type': 'text/csv' },
    payload: `invoiceNumber,amount,paidOn,reference,paymentId\n2031-999999,"${amount}",2031-03-01,test,${paymentId}\n`,
  });

describe('the amount column of a payment CSV', () => {
  it('reads 187.50 and 187,50 alike', async () => {
    for (const [amount, id] of [['187.50', 'csv-point'], ['187,50', 'csv-comma']] as const) {
      const response = await importCsv(amount, id);
      expect(response.statusCode).toBe(200);
      expect(response.json().unmatched).toEqual([expect.objectContaining({ reference: id, amountCents: 18_750 })]);
    }
  });

  it.each<[string, RegExp]>([
    ['99999999999999999999', /more than € 1\.000\.000,00/], // was a 500: the CAMT reader's CamtError reached the error handler
    ['2000000.00', /more than € 1\.000\.000,00/], // was listed as a payment of EUR 2,000,000, above the API's cap for one payment
    ['0.00', /more than 0\.00/], // was listed as a payment of nothing
  ])('refuses %s with a 400 that says why, and lists nothing', async (amount, reason) => {
    const response = await importCsv(amount, `csv-${amount}`);
    expect(response.statusCode).toBe(400);
    expect(response.json().detail).toMatch(reason);
    const listed = await database.db.selectFrom('unmatched_payments').select('entry_reference').where('entry_reference', '=', `csv-${amount}`).execute();
    expect(listed).toEqual([]);
  });
});
