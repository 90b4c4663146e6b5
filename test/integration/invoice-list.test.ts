import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { appendToStream } from '../../db/event-store';
import type { DomainEvent } from '../../domain/events';
import { resolvePolicy } from '../../domain/policy';
import type { Role } from '../../config/config';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { event, incidentReported } from '../support/events';
import { seedDirectory } from '../support/fixtures';

const keys = { finance: 'test-finance-key', consultant: 'test-consultant-key' } as const;
const auth = (role: keyof typeof keys) => ({ authorization: `Bearer ${keys[role]}` });

let database: TestDatabase;
let app: FastifyInstance;

async function append(streamId: string, events: DomainEvent[]) {
  await appendToStream(database.db, streamId, 'no_stream', events.map((e, i) => ({ eventId: `${streamId}/${i + 1}`, event: e })), { actor: 'test' });
}

/** An invoice of `cents` to `debtor`, issued and due on the given days, with what happened to it after. */
async function invoice(number: string, debtor: string, issueDate: string, dueDate: string, cents: number, after: (n: { invoiceNumber: string; incidentId: string }) => DomainEvent[] = () => []) {
  const incidentId = `INC-${number}`;
  await append(`incident-${incidentId}`, [incidentReported(incidentId, { polluterTenantId: debtor, reportedAt: `${issueDate}T08:00:00.000Z` })]);
  await append(`invoice-${number}`, [
    event('InvoiceIssued', {
      invoiceNumber: number,
      incidentId,
      debtorTenantId: debtor,
      issueDate,
      dueDate,
      lines: [{ description: 'Schoonmaak trappenhuis', amountCents: cents, vatCode: 'BTW-GEEN' }],
      totalCents: cents,
      letters: [],
    }),
    ...after({ invoiceNumber: number, incidentId }),
  ]);
}

const payment = (n: { invoiceNumber: string; incidentId: string }, paymentId: string, amountCents: number, paidOn: string) =>
  event('PaymentRegistered', { ...n, paymentId, amountCents, paidOn, source: 'manual', reference: null, registeredBy: 'test' });

beforeAll(async () => {
  database = await createTestDatabase('invoice_list');
  await seedDirectory(database.db);
  app = await buildApp({
    db: database.db,
    temporal: {} as Client,
    config: {
      apiKeys: new Map<string, Role>(Object.entries(keys).map(([role, key]) => [key, role as Role])),
      linkSecret: 'test-link-secret-0123456789',
      policy: resolvePolicy({}),
      publicUrl: 'http://polluter-pays.test',
      corporationName: 'Woonstichting Test',
      corporationIban: 'NL91ABNA0417164300',
      corporationAddress: 'Postbus 1, 3500 AA Utrecht',
      temporal: { address: undefined, namespace: 'default', taskQueue: 'unused', tls: undefined, apiKey: undefined },
    },
  });
  // As of 2031-03-01: 45 days past due; not yet due (partly paid); paid; credited after a payment;
  // handed to collections; 100 days past due (another debtor).
  await invoice('2031-000001', 'A-2', '2031-01-01', '2031-01-15', 10_000);
  await invoice('2031-000002', 'A-2', '2031-02-20', '2031-03-06', 8_000, (n) => [payment(n, 'p-2', 1_000, '2031-02-25')]);
  await invoice('2031-000003', 'A-3', '2031-02-01', '2031-02-15', 5_000, (n) => [
    payment(n, 'p-3', 5_000, '2031-02-10'),
    event('InvoicePaid', { ...n, paidOn: '2031-02-10', overpaidCents: 0 }),
  ]);
  await invoice('2031-000004', 'A-2', '2031-01-10', '2031-01-24', 6_000, (n) => [
    payment(n, 'p-4', 2_000, '2031-01-20'),
    event('InvoiceCredited', { ...n, creditNoteNumber: 'C2031-000001', issueDate: '2031-02-01', amountCents: 6_000, refundDueCents: 2_000, reason: 'coulance', creditedBy: 'test', letters: [] }),
  ]);
  await invoice('2031-000005', 'A-4', '2030-10-01', '2030-10-15', 7_000, (n) => [
    event('InvoiceHandedToCollections', { ...n, openCents: 7_000, handedOverOn: '2030-12-01' }),
  ]);
  await invoice('2031-000006', 'B-1', '2030-11-01', '2030-11-21', 3_000);
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

const list = async (query: string, role: keyof typeof keys = 'finance') => app.inject({ method: 'GET', url: `/invoices${query}`, headers: auth(role) });
const numbers = (body: { invoices: { invoiceNumber: string }[] }) => body.invoices.map((i) => i.invoiceNumber);

test('the invoices come newest first, paged, with the total and the sums of the whole selection', async () => {
  const first = (await list('?limit=2&asOf=2031-03-01')).json();
  expect(first).toEqual(expect.objectContaining({ total: 6, limit: 2, offset: 0, asOf: '2031-03-01' }));
  expect(numbers(first)).toEqual(['2031-000006', '2031-000005']);
  expect(first.sums).toEqual({ totalCents: 39_000, paidCents: 8_000, openCents: 10_000 + 7_000 + 7_000 + 3_000, refundDueCents: 2_000 });
  expect(numbers((await list('?limit=2&offset=4')).json())).toEqual(['2031-000002', '2031-000001']);
  const one = (await list('?limit=1&offset=5&asOf=2031-03-01')).json().invoices[0];
  expect(one).toEqual(
    expect.objectContaining({
      invoiceNumber: '2031-000001',
      debtorTenantId: 'A-2',
      debtorName: 'Bewoner A2',
      status: 'open',
      stage: 'issued',
      totalCents: 10_000,
      openCents: 10_000,
      daysPastDue: 45,
      attention: null,
    }),
  );
});

test('filtered by status and by age past the due date, in the buckets of the finance report', async () => {
  expect(numbers((await list('?status=paid')).json())).toEqual(['2031-000003']);
  expect(numbers((await list('?status=credited')).json())).toEqual(['2031-000004']);
  expect(numbers((await list('?status=open')).json())).toEqual(['2031-000006', '2031-000005', '2031-000002', '2031-000001']);
  const age = async (bucket: string) => numbers((await list(`?age=${encodeURIComponent(bucket)}&asOf=2031-03-01`)).json());
  expect(await age('not_yet_due')).toEqual(['2031-000002']);
  expect(await age('0-30')).toEqual([]);
  expect(await age('31-60')).toEqual(['2031-000001']);
  expect(await age('61-90')).toEqual([]);
  expect(await age('90+')).toEqual(['2031-000006']);
  expect(await age('collections')).toEqual(['2031-000005']);
  // The same buckets as the report, counted alike.
  const report = (await app.inject({ method: 'GET', url: '/reports/finance/outstanding?asOf=2031-03-01', headers: auth('finance') })).json();
  for (const bucket of report.buckets as { bucket: string; count: number; openCents: number }[]) {
    const listed = (await list(`?age=${encodeURIComponent(bucket.bucket)}&asOf=2031-03-01`)).json();
    expect({ bucket: bucket.bucket, count: listed.total, openCents: listed.sums.openCents }).toEqual(bucket);
  }
});

test("a debtor's account: every invoice of one contract number, with what is open in total", async () => {
  const account = (await list('?debtor=A-2&asOf=2031-03-01')).json();
  expect(numbers(account)).toEqual(['2031-000004', '2031-000002', '2031-000001']);
  expect(account.sums).toEqual({ totalCents: 24_000, paidCents: 3_000, openCents: 17_000, refundDueCents: 2_000 });
  expect(account.invoices.map((i: { status: string; openCents: number; daysPastDue: number | null }) => [i.status, i.openCents, i.daysPastDue])).toEqual([
    ['credited', 0, null],
    ['open', 7_000, -5],
    ['open', 10_000, 45],
  ]);
  expect((await list('?debtor=NOBODY')).json()).toEqual(expect.objectContaining({ total: 0, invoices: [], sums: { totalCents: 0, paidCents: 0, openCents: 0, refundDueCents: 0 } }));
});

test('bad filters are a 400 naming the field; the list is for finance (and admin), not consultants', async () => {
  const bad = await list('?age=ancient&limit=0');
  expect(bad.statusCode).toBe(400);
  expect(bad.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['query.age', 'query.limit']);
  expect((await list('', 'consultant')).statusCode).toBe(403);
});
