import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { parse as parseCsv } from 'csv-parse/sync';
import { sql } from 'kysely';
import { buildApp } from '../../api/app';
import { createActivities } from '../../activities';
import { exportColumns, type ExportRow } from '../../db/billing-export';
import { createDb, type Db } from '../../db/connection';
import { appendToStream, readStream, type StoredEvent } from '../../db/event-store';
import { rebuildProjections } from '../../db/projections';
import { amsterdamDate } from '../../domain/calendar';
import type { DomainEvent } from '../../domain/events';
import { resolvePolicy, type Policy } from '../../domain/policy';
import type { Role } from '../../config/config';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { event, incidentReported } from '../support/events';

const keys = { finance: 'test-finance-key', consultant: 'test-consultant-key' } as const;
const auth = (role: keyof typeof keys) => ({ authorization: `Bearer ${keys[role]}` });

/** Ledger accounts and cost centres other than the defaults, so that the export is seen to take them from the policy. */
const policy = resolvePolicy({
  categories: { fouled_stairwell: { ledgerAccount: '8411' }, bulk_waste: { ledgerAccount: '8412' } },
  collectionCostsLedgerAccount: '8431',
  serviceCostsLedgerAccount: '8421',
  receivablesLedgerAccount: '1310',
  costCentres: { C1: 'KP-C1', C2: 'KP-C2' },
  defaultCostCentre: 'KP-ALG',
});

/** The API on its own: these routes only read and write PostgreSQL, so Temporal is never called. */
async function startApi(db: Db, withPolicy: Policy = policy): Promise<FastifyInstance> {
  return buildApp({
    db,
    temporal: {} as Client,
    config: {
      apiKeys: new Map<string, Role>(Object.entries(keys).map(([role, key]) => [key, role as Role])),
      linkSecret: 'test-link-secret-0123456789',
      policy: withPolicy,
      publicUrl: 'http://polluter-pays.test',
      corporationName: 'Woonstichting Test',
      corporationIban: 'NL91ABNA0417164300',
      corporationAddress: 'Postbus 1, 3500 AA Utrecht',
      temporal: { address: undefined, namespace: 'default', taskQueue: 'unused', tls: undefined, apiKey: undefined },
    },
  });
}

/** Appends the way the workflows do: event ids `<stream>/<version>`, at the version the stream is at. */
class Streams {
  private readonly versions = new Map<string, number>();
  constructor(private readonly db: Db) {}

  async append(streamId: string, ...events: DomainEvent[]): Promise<StoredEvent[]> {
    const version = this.versions.get(streamId) ?? 0;
    const batch = events.map((e, i) => ({ eventId: `${streamId}/${version + i + 1}`, event: e }));
    const result = await appendToStream(this.db, streamId, version === 0 ? 'no_stream' : version, batch, { actor: 'test' });
    expect(result.alreadyAppended).toBe(false);
    this.versions.set(streamId, result.streamVersion);
    return result.events;
  }

  /** A stream written by an activity (issueInvoice: version 1). */
  seen(streamId: string, version: number): void {
    this.versions.set(streamId, version);
  }
}

function csvRows(body: string): string[][] {
  return parseCsv(body) as string[][];
}

const asCsvRecord = (row: ExportRow): string[] => exportColumns.map((c) => row[c] ?? '');

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

let database: TestDatabase;
let db: Db;
let app: FastifyInstance;
let streams: Streams;

beforeAll(async () => {
  database = await createTestDatabase('billing_export');
  // A pool large enough for the concurrent batch requests to really run side by side.
  db = createDb(database.url, 20);
  app = await startApi(db);
  streams = new Streams(db);
});

afterAll(async () => {
  await app?.close();
  await db?.destroy();
  await database?.drop();
});

const activities = () =>
  createActivities({
    db,
    mailer: { send: async () => {}, close: () => {} },
    policy,
    publicUrl: 'http://polluter-pays.test',
    linkSecret: 'test-link-secret-0123456789',
    corporationName: 'Woonstichting Test',
    corporationIban: 'NL91ABNA0417164300',
    corporationAddress: 'Postbus 1, 3500 AA Utrecht',
  });

/** What the events below say each booking is, in export order: written out by hand from the events, not read from the ledger. */
let expected: ExportRow[];
let serviceCostsDate: string;

const everything = 'from=2000-01-01&to=2099-12-31';

describe('GET /billing/export', () => {
  beforeAll(async () => {
    // 1. Stairwell in complex C1 (cost centre KP-C1): an invoice with two lines (each its own VAT code),
    //    a partial payment, then collection costs and interest after the 14-day letter.
    await streams.append('incident-INC-A', incidentReported('INC-A', { category: 'fouled_stairwell', complexId: 'C1', polluterTenantId: 'A-2' }));
    const invoiceA = await activities().issueInvoice({
      eventId: 'incident-INC-A/invoice',
      incidentId: 'INC-A',
      category: 'fouled_stairwell',
      location: 'trappenhuis',
      debtorTenantId: 'A-2',
      issuedAt: '2031-03-10T09:00:00.000Z',
      paymentTermDays: 14,
      lines: [
        { description: 'Schoonmaak: vervuild trappenhuis', amountCents: 12_000, vatCode: 'BTW-GEEN' },
        { description: 'Administratiekosten, "vast"', amountCents: 1_550, vatCode: 'BTW-HOOG' },
      ],
      metadata: { actor: 'system' },
    });
    expect(invoiceA.invoiceNumber).toBe('2031-000001');
    streams.seen('invoice-2031-000001', 1);
    await streams.append(
      'invoice-2031-000001',
      event('PaymentRegistered', {
        invoiceNumber: '2031-000001',
        incidentId: 'INC-A',
        paymentId: 'PAY-1',
        amountCents: 5_005,
        paidOn: '2031-03-20',
        source: 'manual',
        reference: 'deel 1, rest volgt',
        registeredBy: 'finance:test',
      }),
    );
    await streams.append(
      'invoice-2031-000001',
      event('CollectionCostsAdded', { invoiceNumber: '2031-000001', incidentId: 'INC-A', amountCents: 4_000, interestCents: 37, addedOn: '2031-04-30' }),
      event('InvoiceHandedToCollections', { invoiceNumber: '2031-000001', incidentId: 'INC-A', openCents: 12_582, handedOverOn: '2031-04-30' }),
    );

    // 2. Bulk waste in complex C2: invoiced, then credited in full.
    await streams.append('incident-INC-B', incidentReported('INC-B', { category: 'bulk_waste', complexId: 'C2', buildingId: 'C2-A', polluterTenantId: 'B-7' }));
    const invoiceB = await activities().issueInvoice({
      eventId: 'incident-INC-B/invoice',
      incidentId: 'INC-B',
      category: 'bulk_waste',
      location: 'kelderbox',
      debtorTenantId: 'B-7',
      issuedAt: '2031-03-15T10:00:00.000Z',
      paymentTermDays: 14,
      lines: [{ description: 'Schoonmaak: grofvuil', amountCents: 9_005, vatCode: 'BTW-GEEN' }],
      metadata: { actor: 'system' },
    });
    expect(invoiceB.invoiceNumber).toBe('2031-000002');
    const credit = await activities().issueCreditNote({
      eventId: 'invoice-2031-000002/credit',
      streamId: 'invoice-2031-000002',
      expectedVersion: 1,
      invoiceNumber: '2031-000002',
      incidentId: 'INC-B',
      category: 'bulk_waste',
      location: 'kelderbox',
      debtorTenantId: 'B-7',
      amountCents: 9_005,
      reason: 'onterecht',
      creditedBy: 'finance:test',
      issuedAt: '2031-03-18T10:00:00.000Z',
      metadata: { actor: 'finance:test' },
    });
    expect(credit.creditNoteNumber).toBe('C2031-000001');

    // 3. Unknown polluter in complex C9 (no cost centre of its own): the cost split over three households.
    await streams.append('incident-INC-C', incidentReported('INC-C', { category: 'bulk_waste', complexId: 'C9', buildingId: 'C9-A' }));
    const [allocated] = await streams.append(
      'incident-INC-C',
      event('ServiceCostsAllocated', {
        totalCents: 10_001,
        vatCode: 'BTW-GEEN',
        allocations: [
          { tenantId: 'C9-1', amountCents: 3_334 },
          { tenantId: 'C9-2', amountCents: 3_334 },
          { tenantId: 'C9-3', amountCents: 3_333 },
        ],
        letters: [],
      }),
    );
    // Service costs are booked on the day they are allocated (today), which sorts before 2031.
    serviceCostsDate = amsterdamDate(allocated!.recordedAt);
    expect(serviceCostsDate < '2031-03-10').toBe(true);

    const row = (r: Omit<ExportRow, 'currency'>): ExportRow => ({ ...r, currency: 'EUR' });
    const service = (n: number, tenant: string, amount: string) =>
      row({
        record_type: 'service_costs',
        booking_date: serviceCostsDate,
        document_number: 'INC-C',
        invoice_number: null,
        debtor: tenant,
        description: 'Schoonmaakkosten via servicekosten',
        ledger_account: '8421',
        cost_centre: 'KP-ALG',
        vat_code: 'BTW-GEEN',
        amount,
        incident_id: 'INC-C',
        entry_id: `incident-INC-C/2#${n}`,
      });
    expected = [
      service(1, 'C9-1', '33.34'),
      service(2, 'C9-2', '33.34'),
      service(3, 'C9-3', '33.33'),
      row({
        record_type: 'invoice_line',
        booking_date: '2031-03-10',
        document_number: '2031-000001',
        invoice_number: '2031-000001',
        debtor: 'A-2',
        description: 'Schoonmaak: vervuild trappenhuis',
        ledger_account: '8411',
        cost_centre: 'KP-C1',
        vat_code: 'BTW-GEEN',
        amount: '120.00',
        incident_id: 'INC-A',
        entry_id: 'incident-INC-A/invoice#1',
      }),
      row({
        record_type: 'invoice_line',
        booking_date: '2031-03-10',
        document_number: '2031-000001',
        invoice_number: '2031-000001',
        debtor: 'A-2',
        description: 'Administratiekosten, "vast"',
        ledger_account: '8411',
        cost_centre: 'KP-C1',
        vat_code: 'BTW-HOOG',
        amount: '15.50',
        incident_id: 'INC-A',
        entry_id: 'incident-INC-A/invoice#2',
      }),
      row({
        record_type: 'invoice_line',
        booking_date: '2031-03-15',
        document_number: '2031-000002',
        invoice_number: '2031-000002',
        debtor: 'B-7',
        description: 'Schoonmaak: grofvuil',
        ledger_account: '8412',
        cost_centre: 'KP-C2',
        vat_code: 'BTW-GEEN',
        amount: '90.05',
        incident_id: 'INC-B',
        entry_id: 'incident-INC-B/invoice#1',
      }),
      row({
        record_type: 'credit_note',
        booking_date: '2031-03-18',
        document_number: 'C2031-000001',
        invoice_number: '2031-000002',
        debtor: 'B-7',
        description: 'Creditnota: onterecht',
        ledger_account: '8412',
        cost_centre: 'KP-C2',
        vat_code: 'BTW-GEEN',
        amount: '-90.05',
        incident_id: 'INC-B',
        entry_id: 'invoice-2031-000002/credit#1',
      }),
      row({
        record_type: 'payment',
        booking_date: '2031-03-20',
        document_number: 'PAY-1',
        invoice_number: '2031-000001',
        debtor: 'A-2',
        description: 'Betaling deel 1, rest volgt',
        ledger_account: '1310',
        cost_centre: 'KP-C1',
        vat_code: 'BTW-GEEN',
        amount: '-50.05',
        incident_id: 'INC-A',
        entry_id: 'invoice-2031-000001/2#1',
      }),
      row({
        record_type: 'collection_costs',
        booking_date: '2031-04-30',
        document_number: '2031-000001',
        invoice_number: '2031-000001',
        debtor: 'A-2',
        description: 'Buitengerechtelijke incassokosten',
        ledger_account: '8431',
        cost_centre: 'KP-C1',
        vat_code: 'BTW-GEEN',
        amount: '40.00',
        incident_id: 'INC-A',
        entry_id: 'invoice-2031-000001/3#1',
      }),
      row({
        record_type: 'interest',
        booking_date: '2031-04-30',
        document_number: '2031-000001',
        invoice_number: '2031-000001',
        debtor: 'A-2',
        description: 'Wettelijke rente',
        ledger_account: '8431',
        cost_centre: 'KP-C1',
        vat_code: 'BTW-GEEN',
        amount: '0.37',
        incident_id: 'INC-A',
        entry_id: 'invoice-2031-000001/3#2',
      }),
    ];
  });

  test('CSV: the header row, then one line per booking as the events say, in booking order', async () => {
    const response = await app.inject({ method: 'GET', url: `/billing/export?${everything}&format=csv`, headers: auth('finance') });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="billing-export-2000-01-01-2099-12-31.csv"');
    expect(response.body.split('\n')[0]).toBe(
      'record_type,booking_date,document_number,invoice_number,debtor,description,ledger_account,cost_centre,vat_code,amount,currency,incident_id,entry_id',
    );
    // Quoted where a field needs it, plain otherwise.
    expect(response.body).toContain(',"Administratiekosten, ""vast""",8411,KP-C1,BTW-HOOG,15.50,EUR,INC-A,incident-INC-A/invoice#2\n');
    const [header, ...rows] = csvRows(response.body);
    expect(header).toEqual([...exportColumns]);
    expect(rows).toEqual(expected.map(asCsvRecord));
    for (const row of rows) expect(row[exportColumns.indexOf('amount')]).toMatch(/^-?\d+\.\d{2}$/);
  });

  test('format defaults to CSV', async () => {
    const response = await app.inject({ method: 'GET', url: `/billing/export?${everything}`, headers: auth('finance') });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csvRows(response.body)).toHaveLength(expected.length + 1);
  });

  test('JSON: one array of the same rows', async () => {
    const response = await app.inject({ method: 'GET', url: `/billing/export?${everything}&format=json`, headers: auth('finance') });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.json()).toEqual(expected);
    expect(Object.keys(response.json()[0])).toEqual([...exportColumns]);
  });

  test('the period filters on the booking date, both ends inclusive', async () => {
    const get = async (from: string, to: string, format: 'csv' | 'json') =>
      app.inject({ method: 'GET', url: `/billing/export?from=${from}&to=${to}&format=${format}`, headers: auth('finance') });

    const march = await get('2031-03-15', '2031-03-20', 'json');
    expect(march.json()).toEqual(expected.filter((r) => r.booking_date >= '2031-03-15' && r.booking_date <= '2031-03-20'));
    expect(march.json().map((r: ExportRow) => r.record_type)).toEqual(['invoice_line', 'credit_note', 'payment']);

    const oneDay = await get('2031-04-30', '2031-04-30', 'csv');
    expect(csvRows(oneDay.body).slice(1)).toEqual(expected.filter((r) => r.booking_date === '2031-04-30').map(asCsvRecord));
    expect(csvRows(oneDay.body)).toHaveLength(3);

    const today = await get(serviceCostsDate, serviceCostsDate, 'json');
    expect(today.json()).toEqual(expected.slice(0, 3));

    const nothing = await get('2031-05-01', '2031-12-31', 'csv');
    expect(nothing.statusCode).toBe(200);
    expect(nothing.body).toBe(`${exportColumns.join(',')}\n`);
    expect((await get('2031-05-01', '2031-12-31', 'json')).json()).toEqual([]);
  });

  test.each([
    ['no from', 'to=2031-03-31', 'query.from'],
    ['no to', 'from=2031-03-01', 'query.to'],
    ['a date that does not exist', 'from=2031-02-30&to=2031-03-31', 'query.from'],
    ['a date in another notation', 'from=01-03-2031&to=2031-03-31', 'query.from'],
    ['a date with a time', 'from=2031-03-01T00:00:00Z&to=2031-03-31', 'query.from'],
    ['to before from', 'from=2031-03-31&to=2031-03-01', 'query.to'],
    ['an unknown format', 'from=2031-03-01&to=2031-03-31&format=xml', 'query.format'],
  ])('400 for %s, naming the field', async (_name, query, path) => {
    const response = await app.inject({ method: 'GET', url: `/billing/export?${query}`, headers: auth('finance') });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json().errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  test('finance only: 401 without a key, 403 for another role', async () => {
    const url = `/billing/export?${everything}`;
    expect((await app.inject({ method: 'GET', url })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url, headers: auth('consultant') })).statusCode).toBe(403);
    for (const [method, path] of [['POST', '/billing/export-batches'], ['GET', '/billing/export-batches'], ['GET', '/billing/export-batches/EB-000001'], ['GET', '/reports/finance/outstanding']] as const) {
      expect((await app.inject({ method, url: path, headers: auth('consultant') })).statusCode).toBe(403);
    }
  });
});

describe('export batches', () => {
  const post = () => app.inject({ method: 'POST', url: '/billing/export-batches', headers: auth('finance') });
  const download = (id: string) => app.inject({ method: 'GET', url: `/billing/export-batches/${id}`, headers: auth('finance') });
  const ledgerIds = async () => (await db.selectFrom('billing_ledger').select('entry_id').execute()).map((r) => r.entry_id).sort();
  const entryIdsOf = (csv: string) => csvRows(csv).slice(1).map((r) => r[exportColumns.indexOf('entry_id')]!);
  let first: { batchId: string; rowCount: number; sha256: string; createdAt: string };

  test('the first batch holds every booking, as the export has them', async () => {
    const response = await post();
    expect(response.statusCode).toBe(201);
    first = response.json();
    expect(first).toEqual({ batchId: 'EB-000001', rowCount: expected.length, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), createdAt: expect.any(String) });
    expect(response.headers.location).toBe('/billing/export-batches/EB-000001');

    const batch = await download(first.batchId);
    expect(batch.statusCode).toBe(200);
    expect(batch.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(batch.headers['content-disposition']).toBe('attachment; filename="billing-export-EB-000001.csv"');
    const [header, ...rows] = csvRows(batch.body);
    expect(header).toEqual([...exportColumns]);
    expect(rows).toEqual(expected.map(asCsvRecord));
    // Same columns, same order, same bytes as the period export.
    const exported = await app.inject({ method: 'GET', url: `/billing/export?${everything}`, headers: auth('finance') });
    expect(batch.body).toBe(exported.body);
  });

  test('a batch downloads identically every time, and its SHA-256 is that of the bytes', async () => {
    const one = await download(first.batchId);
    const two = await download(first.batchId);
    expect(one.rawPayload.equals(two.rawPayload)).toBe(true);
    expect(sha256(one.rawPayload)).toBe(first.sha256);
    expect(one.headers.etag).toBe(`"${first.sha256}"`);
  });

  test('the next batch holds only what was booked since; then there is nothing new', async () => {
    await streams.append(
      'invoice-2031-000001',
      event('PaymentRegistered', {
        invoiceNumber: '2031-000001',
        incidentId: 'INC-A',
        paymentId: 'PAY-2',
        amountCents: 1_000,
        paidOn: '2031-05-02',
        source: 'manual',
        reference: null,
        registeredBy: 'finance:test',
      }),
    );
    const response = await post();
    expect(response.statusCode).toBe(201);
    const second = response.json();
    expect(second).toMatchObject({ batchId: 'EB-000002', rowCount: 1 });
    const rows = csvRows((await download(second.batchId)).body);
    expect(rows).toEqual([
      [...exportColumns],
      ['payment', '2031-05-02', 'PAY-2', '2031-000001', 'A-2', 'Betaling', '1310', 'KP-C1', 'BTW-GEEN', '-10.00', 'EUR', 'INC-A', 'invoice-2031-000001/5#1'],
    ]);

    const empty = await post();
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toEqual({ batchId: null, rowCount: 0, sha256: null, createdAt: null });

    const list = await app.inject({ method: 'GET', url: '/billing/export-batches', headers: auth('finance') });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({ batches: [second, first] });
    expect((await app.inject({ method: 'GET', url: '/billing/export-batches?limit=1&offset=1', headers: auth('finance') })).json()).toEqual({ batches: [first] });
  });

  test('an unknown batch is 404', async () => {
    const response = await download('EB-999999');
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  test('a rebuild of the read models does not forget what was exported', async () => {
    const before = await ledgerIds();
    await rebuildProjections(db);
    expect(await ledgerIds()).toEqual(before);
    const response = await post();
    expect(response.statusCode).toBe(200);
    expect(response.json().rowCount).toBe(0);
  });

  test('10 concurrent requests while bookings are appended: every booking in exactly one batch', async () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    // Twelve incidents, each its own stream, whose service costs are booked: six before the requests, six while they run.
    const book = async (i: number) => {
      const id = `INC-R${i}`;
      await streams.append(`incident-${id}`, incidentReported(id, { category: 'bulk_waste', complexId: 'C2', buildingId: 'C2-B' }));
      await streams.append(
        `incident-${id}`,
        event('ServiceCostsAllocated', {
          totalCents: 1_001 + i,
          vatCode: 'BTW-GEEN',
          allocations: [
            { tenantId: 'C2-B-1', amountCents: 501 + i },
            { tenantId: 'C2-B-2', amountCents: 500 },
          ],
          letters: [],
        }),
      );
    };
    for (let i = 0; i < 6; i++) await book(i);
    const appends = Array.from({ length: 6 }, async (_, i) => {
      await sleep(i * 5);
      await book(6 + i);
    });
    const posts = Array.from({ length: 10 }, () => post());
    const [responses] = await Promise.all([Promise.all(posts), Promise.all(appends)]);
    for (const response of responses) expect([200, 201]).toContain(response.statusCode);
    // What was appended after the last of the ten took its batch: one more.
    const last = await post();
    expect([200, 201]).toContain(last.statusCode);
    expect((await post()).statusCode).toBe(200);

    const made = [...responses, last].filter((r) => r.statusCode === 201).map((r) => r.json());
    expect(responses.filter((r) => r.statusCode === 201).length).toBeGreaterThanOrEqual(1);
    const ids = made.map((b) => b.batchId);
    expect(new Set(ids).size).toBe(ids.length);

    // Every batch ever made, read back as its CSV: disjoint, and together exactly the ledger.
    const { batches } = (await app.inject({ method: 'GET', url: '/billing/export-batches?limit=1000', headers: auth('finance') })).json();
    expect(batches.map((b: { batchId: string }) => b.batchId)).toEqual(expect.arrayContaining(ids));
    const seen: string[] = [];
    for (const batch of batches) {
      const csv = await download(batch.batchId);
      expect(sha256(csv.rawPayload)).toBe(batch.sha256);
      const entries = entryIdsOf(csv.body);
      expect(entries).toHaveLength(batch.rowCount);
      const recorded = await db.selectFrom('billing_export_batch_entries').select('entry_id').where('batch_id', '=', batch.batchId).execute();
      expect(entries.slice().sort()).toEqual(recorded.map((r) => r.entry_id).sort());
      seen.push(...entries);
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice().sort()).toEqual(await ledgerIds());
    expect(seen.length).toBe(expected.length + 1 + 12 * 2);
  });
});

describe('GET /reports/finance/outstanding', () => {
  let reportDatabase: TestDatabase;
  let reportApp: FastifyInstance;

  beforeAll(async () => {
    reportDatabase = await createTestDatabase('finance_outstanding');
    reportApp = await startApi(reportDatabase.db);
    const invoice = (
      number: string,
      dueDate: string,
      amounts: { total: number; paid?: number; costs?: number; interest?: number },
      state: { status?: 'open' | 'paid' | 'credited'; stage?: string; issueDate?: string } = {},
    ) => ({
      invoice_number: number,
      incident_id: `INC-${number}`,
      debtor_tenant_id: 'T-1',
      issue_date: state.issueDate ?? '2031-01-02',
      due_date: dueDate,
      pay_by_date: dueDate,
      total_cents: amounts.total,
      paid_cents: amounts.paid ?? 0,
      collection_costs_cents: amounts.costs ?? 0,
      interest_cents: amounts.interest ?? 0,
      lines: JSON.stringify([]),
      recorded_at: new Date('2031-01-02T09:00:00Z'),
      status: state.status ?? 'open',
      stage: state.stage ?? 'issued',
    });
    // As of 2031-06-30.
    await reportDatabase.db
      .insertInto('invoices')
      .values([
        invoice('2031-000001', '2031-07-10', { total: 10_000 }, { issueDate: '2031-06-26' }), // due in 10 days: not yet due
        invoice('2031-000002', '2031-07-01', { total: 1_000, paid: 1 }, { issueDate: '2031-06-17' }), // due tomorrow: not yet due
        invoice('2031-000003', '2031-06-30', { total: 5_000, paid: 1_000 }), // due today: 0 days past due
        invoice('2031-000004', '2031-05-31', { total: 2_000 }), // 30 days
        invoice('2031-000005', '2031-05-30', { total: 3_000 }), // 31 days
        invoice('2031-000006', '2031-05-01', { total: 3_500, paid: 500 }), // 60 days
        invoice('2031-000007', '2031-04-30', { total: 4_000 }), // 61 days
        invoice('2031-000008', '2031-04-01', { total: 6_000, costs: 900, interest: 12 }), // 90 days
        invoice('2031-000009', '2031-03-31', { total: 7_000, paid: 2_000, costs: 1_050, interest: 55 }), // 91 days
        invoice('2031-000010', '2031-01-15', { total: 8_000, costs: 1_200, interest: 80 }, { stage: 'collections' }), // handed to collections: apart
        invoice('2031-000011', '2031-02-01', { total: 9_000, paid: 9_000 }, { status: 'paid' }),
        invoice('2031-000012', '2031-02-01', { total: 9_000 }, { status: 'credited' }),
        invoice('2031-000013', '2031-07-20', { total: 9_999 }, { issueDate: '2031-07-06' }), // issued after asOf
      ])
      .execute();
    const payment = (n: number, paidOn: string, amount: number) => ({
      invoice_number: '2031-000003',
      payment_id: `P-${n}`,
      amount_cents: amount,
      paid_on: paidOn,
      source: 'manual',
      reference: null,
      recorded_at: new Date(`${paidOn}T12:00:00Z`),
    });
    await reportDatabase.db
      .insertInto('payments')
      .values([payment(1, '2031-05-31', 100), payment(2, '2031-06-01', 1_000), payment(3, '2031-06-15', 250), payment(4, '2031-06-30', 30), payment(5, '2031-07-01', 7)])
      .execute();
  });

  afterAll(async () => {
    await reportApp?.close();
    await reportDatabase?.drop();
  });

  test('open invoices by days past due as of asOf, collections apart, recovered in the period', async () => {
    const response = await reportApp.inject({ method: 'GET', url: '/reports/finance/outstanding?asOf=2031-06-30&from=2031-06-01&to=2031-06-30', headers: auth('finance') });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      asOf: '2031-06-30',
      buckets: [
        { bucket: 'not_yet_due', count: 2, openCents: 10_000 + 999 },
        { bucket: '0-30', count: 2, openCents: 4_000 + 2_000 },
        { bucket: '31-60', count: 2, openCents: 3_000 + 3_000 },
        { bucket: '61-90', count: 2, openCents: 4_000 + 6_912 },
        { bucket: '90+', count: 1, openCents: 6_105 },
      ],
      collections: { count: 1, openCents: 9_280 },
      totalOpen: { count: 10, openCents: 10_999 + 6_000 + 6_000 + 10_912 + 6_105 + 9_280 },
      recovered: { from: '2031-06-01', to: '2031-06-30', count: 3, amountCents: 1_280 },
    });
  });

  test('a later asOf moves invoices into older buckets and counts the ones issued since', async () => {
    const response = await reportApp.inject({ method: 'GET', url: '/reports/finance/outstanding?asOf=2031-07-31&from=2031-07-01&to=2031-07-31', headers: auth('finance') });
    const report = response.json();
    expect(report.buckets).toEqual([
      { bucket: 'not_yet_due', count: 0, openCents: 0 },
      { bucket: '0-30', count: 3, openCents: 10_000 + 999 + 9_999 },
      { bucket: '31-60', count: 1, openCents: 4_000 },
      { bucket: '61-90', count: 2, openCents: 2_000 + 3_000 },
      { bucket: '90+', count: 4, openCents: 3_000 + 4_000 + 6_912 + 6_105 },
    ]);
    expect(report.recovered).toEqual({ from: '2031-07-01', to: '2031-07-31', count: 1, amountCents: 7 });
  });

  test('400 for a bad asOf or an empty period', async () => {
    for (const query of ['asOf=2031-06-31', 'asOf=yesterday', 'asOf=2031-06-30&from=2031-06-30&to=2031-06-01']) {
      const response = await reportApp.inject({ method: 'GET', url: `/reports/finance/outstanding?${query}`, headers: auth('finance') });
      expect({ query, status: response.statusCode }).toEqual({ query, status: 400 });
    }
  });
});

describe('text a spreadsheet would take for a formula, and money owed back', () => {
  let own: TestDatabase;
  let ownApp: FastifyInstance;
  let ownStreams: Streams;

  beforeAll(async () => {
    own = await createTestDatabase('billing_export_cells');
    ownApp = await startApi(own.db);
    ownStreams = new Streams(own.db);
    const ownActivities = createActivities({
      db: own.db,
      mailer: { send: async () => {}, close: () => {} },
      policy,
      publicUrl: 'http://polluter-pays.test',
      linkSecret: 'test-link-secret-0123456789',
      corporationName: 'Woonstichting Test',
    corporationIban: 'NL91ABNA0417164300',
    corporationAddress: 'Postbus 1, 3500 AA Utrecht',
    });
    // A complex, a debtor, a payment id and a reference as a hostile clerk or an import could write them.
    await ownStreams.append('incident-INC-X', incidentReported('INC-X', { category: 'fouled_stairwell', complexId: '@SUM(A1)', polluterTenantId: '+31-HACK' }));
    const issued = await ownActivities.issueInvoice({
      eventId: 'incident-INC-X/invoice',
      incidentId: 'INC-X',
      category: 'fouled_stairwell',
      location: 'trappenhuis',
      debtorTenantId: '+31-HACK',
      issuedAt: '2031-03-10T09:00:00.000Z',
      paymentTermDays: 14,
      lines: [{ description: '=HYPERLINK("http://evil.test","klik")', amountCents: 18_750, vatCode: '\tBTW' }],
      metadata: { actor: 'system' },
    });
    expect(issued.invoiceNumber).toBe('2031-000001');
    ownStreams.seen('invoice-2031-000001', 1);
    await ownStreams.append(
      'invoice-2031-000001',
      event('PaymentRegistered', {
        invoiceNumber: '2031-000001',
        incidentId: 'INC-X',
        paymentId: '=2+3-cmd|x',
        amountCents: 5_000,
        paidOn: '2031-03-20',
        source: 'csv',
        reference: null,
        registeredBy: 'finance:test',
      }),
    );
    // Credited after that payment: the whole claim is credited, the paid part is owed back.
    const credit = await ownActivities.issueCreditNote({
      eventId: 'invoice-2031-000001/3',
      streamId: 'invoice-2031-000001',
      expectedVersion: 2,
      invoiceNumber: '2031-000001',
      incidentId: 'INC-X',
      category: 'fouled_stairwell',
      location: 'trappenhuis',
      debtorTenantId: '+31-HACK',
      amountCents: 18_750,
      refundDueCents: 5_000,
      reason: '-onterecht',
      creditedBy: 'finance:test',
      issuedAt: '2031-03-25T10:00:00.000Z',
      metadata: { actor: 'finance:test' },
    });
    expect(credit.creditNoteNumber).toBe('C2031-000001');
  });

  afterAll(async () => {
    await ownApp?.close();
    await own?.drop();
  });

  const csvOf = async (url: string, role: keyof typeof keys = 'finance') => {
    const response = await ownApp.inject({ method: 'GET', url, headers: auth(role) });
    expect(response.statusCode).toBe(200);
    return response.body;
  };

  const expectedRows = [
    ['invoice_line', '2031-03-10', '2031-000001', '2031-000001', "'+31-HACK", `'=HYPERLINK("http://evil.test","klik")`, '8411', 'KP-ALG', "'\tBTW", '187.50', 'EUR', 'INC-X', 'incident-INC-X/invoice#1'],
    ['payment', '2031-03-20', "'=2+3-cmd|x", '2031-000001', "'+31-HACK", 'Betaling', '1310', 'KP-ALG', "'\tBTW", '-50.00', 'EUR', 'INC-X', 'invoice-2031-000001/2#1'],
    ['credit_note', '2031-03-25', 'C2031-000001', '2031-000001', "'+31-HACK", 'Creditnota: -onterecht', '8411', 'KP-ALG', "'\tBTW", '-187.50', 'EUR', 'INC-X', 'invoice-2031-000001/3#1'],
    ['refund_due', '2031-03-25', 'C2031-000001', '2031-000001', "'+31-HACK", 'Terug te betalen aan huurder: 2031-000001', '1610', 'KP-ALG', "'\tBTW", '50.00', 'EUR', 'INC-X', 'invoice-2031-000001/3#2'],
  ];

  test('the CSV export and a new batch put a quote before every text cell that starts with = + - @ tab or CR; amounts stay numbers', async () => {
    const exported = await csvOf(`/billing/export?${everything}`);
    expect(csvRows(exported).slice(1)).toEqual(expectedRows);
    expect(exported).toContain(',-50.00,EUR,');
    const batch = (await ownApp.inject({ method: 'POST', url: '/billing/export-batches', headers: auth('finance') })).json();
    expect(csvRows(await csvOf(`/billing/export-batches/${batch.batchId}`)).slice(1)).toEqual(expectedRows);
    // JSON is not a spreadsheet: its values are as booked.
    const json = (await ownApp.inject({ method: 'GET', url: `/billing/export?${everything}&format=json`, headers: auth('finance') })).json();
    expect(json.map((r: ExportRow) => r.document_number)).toEqual(['2031-000001', '=2+3-cmd|x', 'C2031-000001', 'C2031-000001']);
  });

  test('the summary CSV neutralises the group (a complex id) too', async () => {
    const csv = await csvOf('/reports/summary?from=2031-03-01&to=2031-03-31&groupBy=complex&format=csv', 'consultant');
    const [header, group, total] = csvRows(csv);
    expect(header![0]).toBe('group');
    expect(group![0]).toBe("'@SUM(A1)");
    expect(total![0]).toBe('total');
  });

  test('a credited invoice that was partly paid shows what is owed back; a rebuild gives the same rows', async () => {
    const invoice = (await ownApp.inject({ method: 'GET', url: '/invoices/2031-000001', headers: auth('finance') })).json();
    expect(invoice).toEqual(expect.objectContaining({ status: 'credited', paidCents: 5_000, refundDueCents: 5_000 }));
    const before = await own.db.selectFrom('billing_ledger').selectAll().orderBy('entry_id').execute();
    await rebuildProjections(own.db);
    expect(await own.db.selectFrom('billing_ledger').selectAll().orderBy('entry_id').execute()).toEqual(before);
    expect((await own.db.selectFrom('invoices').select('refund_due_cents').executeTakeFirstOrThrow()).refund_due_cents).toBe(5_000);
  });

  test('an InvoiceCredited stored before refundDueCents existed still reads (as 0) and rebuilds', async () => {
    await ownStreams.append('incident-INC-OLD', incidentReported('INC-OLD', { category: 'bulk_waste', complexId: 'C2', polluterTenantId: 'T-OLD' }));
    await ownStreams.append(
      'invoice-2031-000099',
      event('InvoiceIssued', {
        invoiceNumber: '2031-000099',
        incidentId: 'INC-OLD',
        debtorTenantId: 'T-OLD',
        issueDate: '2031-03-01',
        dueDate: '2031-03-15',
        lines: [{ description: 'Schoonmaak', amountCents: 1_000, vatCode: 'BTW-GEEN' }],
        totalCents: 1_000,
        letters: [],
      }),
    );
    // Written as the code of before wrote it: no refundDueCents, in the data nor in the letter.
    const old = {
      invoiceNumber: '2031-000099',
      incidentId: 'INC-OLD',
      creditNoteNumber: 'C2031-000099',
      issueDate: '2031-03-05',
      amountCents: 1_000,
      reason: 'oud',
      creditedBy: 'finance:test',
      letters: [
        {
          letterId: 'invoice-2031-000099/2/T-OLD',
          recipient: { type: 'tenant', id: 'T-OLD' },
          content: { kind: 'credit_note', incidentId: 'INC-OLD', category: 'bulk_waste', location: 'x', creditNoteNumber: 'C2031-000099', invoiceNumber: '2031-000099', issueDate: '2031-03-05', amountCents: 1_000, reason: 'oud' },
        },
      ],
    };
    await sql`insert into events (stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at)
      values ('invoice-2031-000099', 2, 'invoice-2031-000099/2', 'InvoiceCredited', 1, ${JSON.stringify(old)}::jsonb, '{}'::jsonb, now())`.execute(own.db);
    const stream = await readStream(own.db, 'invoice-2031-000099');
    const credited = stream[1]!.event;
    expect(credited.type === 'InvoiceCredited' && credited.data.refundDueCents).toBe(0);
    expect(credited.type === 'InvoiceCredited' && credited.data.letters[0]!.content).toEqual(expect.objectContaining({ refundDueCents: 0 }));
    await rebuildProjections(own.db);
    const rows = await own.db.selectFrom('billing_ledger').select(['record_type', 'amount_cents']).where('invoice_number', '=', '2031-000099').orderBy('entry_id').execute();
    expect(rows).toEqual([
      { record_type: 'invoice_line', amount_cents: 1_000 },
      { record_type: 'credit_note', amount_cents: -1_000 },
    ]);
    expect((await own.db.selectFrom('invoices').select(['status', 'refund_due_cents']).where('invoice_number', '=', '2031-000099').executeTakeFirstOrThrow())).toEqual({
      status: 'credited',
      refund_due_cents: 0,
    });
  });
});

describe('a download the client abandons half-way', () => {
  let abandoned: TestDatabase;
  let single: Db;
  let api: FastifyInstance;
  const rows = 100_000;

  beforeAll(async () => {
    abandoned = await createTestDatabase('billing_export_abort');
    // Far more than the socket buffers hold (~14 MB of CSV), straight into the ledger.
    await sql`
      insert into billing_ledger (entry_id, position, record_type, booking_date, document_number, invoice_number, incident_id,
                                  debtor_tenant_id, category, complex_id, description, vat_code, amount_cents)
      select 'bulk/' || g || '#1', g, 'invoice_line', to_char(date '2026-01-01' + (g % 365), 'YYYY-MM-DD'), '2026-' || lpad(g::text, 6, '0'),
             '2026-' || lpad(g::text, 6, '0'), 'INC-' || g, 'T-' || (g % 500), 'fouled_stairwell', 'C1', 'Schoonmaak: vervuild trappenhuis', 'BTW-GEEN', g
      from generate_series(1, ${rows}) g`.execute(abandoned.db);
    // One connection: a cursor left open would hold it, and every later request would wait for ever.
    single = createDb(abandoned.url, 1);
    api = await startApi(single);
    await api.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    // Should the test have failed, a leaked connection would keep these waiting: do not wait for ever.
    const within = (work: Promise<unknown> | undefined) => Promise.race([work, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    await within(api?.close());
    await within(single?.destroy());
    await abandoned?.drop();
  });

  test('closes its cursor and gives its connection back', async () => {
    const { port } = api.server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/billing/export?from=2026-01-01&to=2026-12-31', headers: auth('finance') }, (res) => {
        expect(res.statusCode).toBe(200);
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
      req.end();
    });
    const later = api.inject({ method: 'GET', url: '/billing/export?from=2026-01-01&to=2026-01-01&format=json', headers: auth('finance') });
    const stuck = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the abandoned export still holds the connection')), 10_000).unref());
    const response = await Promise.race([later, stuck]);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toHaveLength(Math.floor(rows / 365));
    // Nothing of the abandoned export is still running in PostgreSQL.
    const { rows: busy } = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and state <> 'idle'`.execute(abandoned.db);
    expect(busy[0]!.n).toBe(0);
  });
});

describe('OpenAPI', () => {
  test('the billing routes are in /openapi.json with their operationIds, and the document is valid', async () => {
    const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const operations: [string, string, string][] = [
      ['/billing/export', 'get', 'billingExport'],
      ['/billing/export-batches', 'post', 'createBillingExportBatch'],
      ['/billing/export-batches', 'get', 'listBillingExportBatches'],
      ['/billing/export-batches/{id}', 'get', 'getBillingExportBatch'],
      ['/reports/finance/outstanding', 'get', 'financeOutstandingReport'],
    ];
    for (const [path, method, operationId] of operations) {
      expect({ path, method, operationId: document.paths?.[path]?.[method]?.operationId }).toEqual({ path, method, operationId });
    }
    const exportResponse = document.paths['/billing/export'].get.responses['200'].content;
    expect(Object.keys(exportResponse)).toEqual(['text/csv', 'application/json']);
    expect(Object.keys(exportResponse['application/json'].schema.items.properties)).toEqual([...exportColumns]);
    expect(await validateOpenApi(document)).toEqual({ valid: true });
  });
});

/** The validator is an ES module that reads its schemas through import.meta: run it in a plain Node process. */
function validateOpenApi(document: unknown): Promise<{ valid: boolean; errors?: unknown }> {
  const script = `
    import { Validator } from '@seriousme/openapi-schema-validator';
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    const result = await new Validator().validate(JSON.parse(input));
    process.stdout.write(JSON.stringify(result));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`the OpenAPI validator failed (${code}): ${stderr}`));
      resolve(JSON.parse(stdout) as { valid: boolean; errors?: unknown });
    });
    child.stdin.end(JSON.stringify(document));
  });
}
