import { stringify } from 'csv-stringify/sync';
import { sql } from 'kysely';
import { createExportBatch, exportBatchContent, exportColumns, streamExportCsv, toExportRow, type LedgerRow } from '../../db/billing-export';
import { formulaSafeCast } from '../../domain/csv-cells';
import { resolvePolicy } from '../../domain/policy';
import { createTestDatabase, type TestDatabase } from '../support/database';

/*
 * The CSV export is PostgreSQL's COPY; before, csv-stringify wrote each row of toExportRow with the
 * formula rule (domain/csv-cells.ts). For text a clerk, an import or a policy could hold, the COPY
 * writes the same bytes as that writer would: quoting, empty cells, the formula quote, amounts.
 */

const policy = resolvePolicy({
  categories: { vandalism: { ledgerAccount: '=8450' } },
  costCentres: { 'C-QUOTE': 'KP "oost", 2', 'C-FORMULA': '-KP' },
  defaultCostCentre: '@ALG',
});

const texts = [
  '=HYPERLINK("http://evil.test")',
  '+31 6 1234',
  '-onterecht',
  '@SUM(A1)',
  '\tBTW',
  '\rregel',
  '',
  "'al veilig",
  ' =spatie eerst',
  'a=b',
  'komma, en "aanhalingstekens"',
  'twee\nregels',
  'één € 5,– ß 漢字',
];

let database: TestDatabase;
const rows: LedgerRow[] = [];

beforeAll(async () => {
  database = await createTestDatabase('billing_export_copy');
  texts.forEach((text, i) => {
    rows.push({
      entry_id: `entry-${i}#1`,
      position: i + 1,
      record_type: (['invoice_line', 'credit_note', 'collection_costs', 'interest', 'payment', 'service_costs', 'refund_due'] as const)[i % 7]!,
      booking_date: '2031-03-10',
      document_number: text,
      invoice_number: i % 3 === 0 ? null : text,
      incident_id: `INC-${i}`,
      debtor_tenant_id: text,
      // An unknown category has no ledger account: an empty cell.
      category: (['fouled_stairwell', 'vandalism', 'no_such_category'] as const)[i % 3]!,
      complex_id: (['C-QUOTE', 'C-FORMULA', 'C-OTHER'] as const)[i % 3]!,
      description: text,
      vat_code: text,
      amount_cents: [0, -5, 18_750, -18_750, 1, 100_000_000][i % 6]!,
    });
  });
  await database.db.insertInto('billing_ledger').values(rows).execute();
});

afterAll(async () => {
  await database?.drop();
});

/** What csv-stringify wrote for these rows before the export became a COPY. */
function asCsvStringifyWroteIt(ledger: LedgerRow[]): string {
  return stringify(
    ledger.map((row) => toExportRow(row, policy)),
    { header: true, columns: [...exportColumns], cast: formulaSafeCast(exportColumns, ['amount']) },
  );
}

async function read(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

test('the period export is byte for byte what csv-stringify wrote, for hostile and empty text, quotes, newlines and every amount', async () => {
  const csv = await read(await streamExportCsv(database.db, { from: '2031-03-01', to: '2031-03-31' }, policy));
  expect(csv).toBe(asCsvStringifyWroteIt(rows));
  expect(csv).toContain(`,'=8450,`);
  expect(csv).toContain(`"KP ""oost"", 2"`);
  expect(csv).toContain(`,'@ALG,`);
  expect(csv).toContain(',-0.05,EUR,');
});

test('a new batch stores those same bytes', async () => {
  const batch = await createExportBatch(database.db, policy);
  expect(batch?.rowCount).toBe(rows.length);
  const stored = await exportBatchContent(database.db, batch!.batchId);
  expect(stored!.content.toString('utf8')).toBe(asCsvStringifyWroteIt(rows));
});

test('an empty period is the header row alone, and the connection goes back to the pool', async () => {
  expect(await read(await streamExportCsv(database.db, { from: '2032-01-01', to: '2032-12-31' }, policy))).toBe(`${exportColumns.join(',')}\n`);
  const { rows: busy } = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and state <> 'idle'`.execute(database.db);
  expect(busy[0]!.n).toBe(0);
});
