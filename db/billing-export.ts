import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify, type Stringifier } from 'csv-stringify';
import { sql, type Kysely, type Selectable } from 'kysely';
import { formulaSafeCast } from '../domain/csv-cells';
import { centsToDecimal } from '../domain/money';
import type { Category, Policy } from '../domain/policy';
import type { BillingLedgerTable, Database } from './schema';

/*
 * Finance's billing export: the billing ledger (one row per booking, see db/projections.ts) as rows
 * for the corporation's accounting system, in a period (GET /billing/export) or as numbered batches
 * of everything not exported before (POST /billing/export-batches), and finance's outstanding report.
 */

export type LedgerRow = Selectable<BillingLedgerTable>;
export type LedgerRecordType = LedgerRow['record_type'];
export const ledgerRecordTypes = ['invoice_line', 'credit_note', 'collection_costs', 'interest', 'payment', 'service_costs', 'refund_due'] as const satisfies readonly LedgerRecordType[];

/**
 * The export's columns, in this order (the CSV header row, the keys of each JSON object):
 *
 * - `record_type`: invoice_line, credit_note, collection_costs, interest, payment, service_costs, refund_due
 * - `booking_date`: YYYY-MM-DD (Europe/Amsterdam): invoice or credit-note date, payment date, date costs were added or allocated
 * - `document_number`: invoice number, credit-note number (C2026-000001; also for refund_due), payment id, or the incident id (service costs)
 * - `invoice_number`: the invoice the booking belongs to; empty (JSON: null) for service costs
 * - `debtor`: the tenant's contract number
 * - `description`
 * - `ledger_account`: the category's ledgerAccount for invoice lines and credit notes, collectionCostsLedgerAccount
 *   for collection costs and interest, serviceCostsLedgerAccount for service costs, receivablesLedgerAccount for
 *   payments, refundsLedgerAccount for refund_due (empty for a category the policy does not know)
 * - `cost_centre`: the complex's cost centre (policy costCentres), else defaultCostCentre
 * - `vat_code`
 * - `amount`: euros with two decimals and a dot; claims positive, payments and credit notes negative (-187.50);
 *   refund_due positive: the part of a credited invoice already paid, moved from the debtor to what is owed back
 * - `currency`: EUR
 * - `incident_id`
 * - `entry_id`: the booking's stable id (`<event id>#<n>`), the same after a rebuild of the read models
 */
export const exportColumns = [
  'record_type',
  'booking_date',
  'document_number',
  'invoice_number',
  'debtor',
  'description',
  'ledger_account',
  'cost_centre',
  'vat_code',
  'amount',
  'currency',
  'incident_id',
  'entry_id',
] as const;
export type ExportColumn = (typeof exportColumns)[number];

export interface ExportRow {
  record_type: LedgerRecordType;
  booking_date: string;
  document_number: string;
  invoice_number: string | null;
  debtor: string;
  description: string;
  ledger_account: string;
  cost_centre: string;
  vat_code: string;
  amount: string;
  currency: 'EUR';
  incident_id: string;
  entry_id: string;
}

export type ExportPolicy = Pick<
  Policy,
  'categories' | 'collectionCostsLedgerAccount' | 'serviceCostsLedgerAccount' | 'receivablesLedgerAccount' | 'refundsLedgerAccount' | 'costCentres' | 'defaultCostCentre'
>;

export function ledgerAccountFor(row: Pick<LedgerRow, 'record_type' | 'category'>, policy: ExportPolicy): string {
  switch (row.record_type) {
    case 'invoice_line':
    case 'credit_note':
      return policy.categories[row.category as Category]?.ledgerAccount ?? '';
    case 'collection_costs':
    case 'interest':
      return policy.collectionCostsLedgerAccount;
    case 'service_costs':
      return policy.serviceCostsLedgerAccount;
    case 'payment':
      return policy.receivablesLedgerAccount;
    case 'refund_due':
      return policy.refundsLedgerAccount;
  }
}

export function costCentreFor(complexId: string, policy: ExportPolicy): string {
  return Object.hasOwn(policy.costCentres, complexId) ? policy.costCentres[complexId]! : policy.defaultCostCentre;
}

export function toExportRow(row: LedgerRow, policy: ExportPolicy): ExportRow {
  return {
    record_type: row.record_type,
    booking_date: row.booking_date,
    document_number: row.document_number,
    invoice_number: row.invoice_number,
    debtor: row.debtor_tenant_id,
    description: row.description,
    ledger_account: ledgerAccountFor(row, policy),
    cost_centre: costCentreFor(row.complex_id, policy),
    vat_code: row.vat_code,
    amount: centsToDecimal(row.amount_cents),
    currency: 'EUR',
    incident_id: row.incident_id,
    entry_id: row.entry_id,
  };
}

/**
 * A CSV writer of export rows: the header row first, then one line per row (`\n`, quoted only where
 * needed, UTF-8, no BOM). A text cell that a spreadsheet would take for a formula gets a `'` in front
 * (domain/csv-cells.ts); the amount stays a plain number. Batches taken before this rule keep their
 * bytes: only new ones are written this way.
 */
export function exportCsvStringifier(): Stringifier {
  return stringify({ header: true, columns: [...exportColumns], cast: formulaSafeCast(exportColumns, ['amount']) });
}

/**
 * Join small chunks into ~`size`-byte ones: csv-stringify emits one chunk per record, and a socket
 * write (an HTTP chunk) per record would cost more than writing the CSV.
 */
export function coalesce(size = 64 * 1024): Transform {
  let parts: Buffer[] = [];
  let length = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      parts.push(chunk);
      length += chunk.length;
      if (length < size) return done();
      const out = Buffer.concat(parts, length);
      parts = [];
      length = 0;
      done(null, out);
    },
    flush(done) {
      done(null, length > 0 ? Buffer.concat(parts, length) : undefined);
    },
  });
}

export interface Period {
  /** First booking date, inclusive (YYYY-MM-DD). */
  from: string;
  /** Last booking date, inclusive (YYYY-MM-DD). */
  to: string;
}

/**
 * The ledger rows booked in [from, to], ordered by (booking_date, position, entry_id), read through a
 * server-side cursor `chunkSize` rows at a time: memory stays flat however long the period. The
 * iterator holds a pooled connection until it is done or its `return()` is called.
 */
export function streamLedgerRows(db: Kysely<Database>, period: Period, options: { chunkSize?: number } = {}): AsyncIterableIterator<LedgerRow> {
  return db
    .selectFrom('billing_ledger')
    .selectAll()
    .where('booking_date', '>=', period.from)
    .where('booking_date', '<=', period.to)
    .orderBy('booking_date')
    .orderBy('position')
    .orderBy('entry_id')
    .stream(options.chunkSize ?? 1000);
}

// ---------------------------------------------------------------------------------------------------
// Export batches: everything in the ledger not yet in a batch, exactly once.

export interface ExportBatch {
  batchId: string;
  createdAt: Date;
  rowCount: number;
  sha256: string;
}

/** One key for the whole database: batches are taken one at a time. */
const exportBatchLockKey = 0x7070_6278; // "ppbx"

/**
 * Take every ledger row that is in no batch yet into a new batch, and store the batch's CSV (the
 * export's columns, same order as GET /billing/export) with its SHA-256, in one transaction under a
 * transaction-level advisory lock: concurrent calls queue, and each row lands in exactly one batch.
 * A row whose append commits while a batch is being taken is not visible to it and goes in the next.
 * Nothing new: no batch is stored and the answer is null.
 *
 * The batch tables are not read models: a rebuild of the projections keeps them, and since entry ids
 * are derived from event ids, rebuilt ledger rows are recognised as exported.
 */
export async function createExportBatch(db: Kysely<Database>, policy: ExportPolicy): Promise<ExportBatch | null> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${sql.lit(exportBatchLockKey)})`.execute(trx);
    // A statement after the lock: its snapshot sees every batch committed before the lock was ours.
    const { count } = await trx
      .selectFrom('billing_export_batches')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    const batchId = `EB-${String(Number(count) + 1).padStart(6, '0')}`;
    const taken = await sql`
      insert into billing_export_batch_entries (entry_id, batch_id)
      select l.entry_id, ${batchId} from billing_ledger l
      where not exists (select 1 from billing_export_batch_entries e where e.entry_id = l.entry_id)`.execute(trx);
    const rowCount = Number(taken.numAffectedRows ?? 0);
    if (rowCount === 0) return null;

    const rows = trx
      .selectFrom('billing_ledger as l')
      .innerJoin('billing_export_batch_entries as e', 'e.entry_id', 'l.entry_id')
      .selectAll('l')
      .where('e.batch_id', '=', batchId)
      .orderBy('l.booking_date')
      .orderBy('l.position')
      .orderBy('l.entry_id')
      .stream(1000);
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let rendered = 0;
    await pipeline(
      Readable.from(mapRows(rows, (row) => (rendered++, toExportRow(row, policy)))),
      exportCsvStringifier(),
      coalesce(),
      async (csv: AsyncIterable<Buffer>) => {
        for await (const chunk of csv) {
          hash.update(chunk);
          chunks.push(chunk);
        }
      },
    );
    if (rendered !== rowCount) throw new Error(`export batch ${batchId}: took ${rowCount} entries but rendered ${rendered} rows`);
    const content = Buffer.concat(chunks);
    const sha256 = hash.digest('hex');
    const batch = await trx
      .insertInto('billing_export_batches')
      // The time the batch was taken (under the lock), not when its transaction began waiting for it.
      .values({ batch_id: batchId, created_at: sql<Date>`clock_timestamp()`, row_count: rowCount, sha256, content })
      .returning(['batch_id', 'created_at', 'row_count', 'sha256'])
      .executeTakeFirstOrThrow();
    return { batchId: batch.batch_id, createdAt: batch.created_at, rowCount: batch.row_count, sha256: batch.sha256 };
  });
}

export async function exportBatchContent(db: Kysely<Database>, batchId: string): Promise<(ExportBatch & { content: Buffer }) | null> {
  const row = await db.selectFrom('billing_export_batches').selectAll().where('batch_id', '=', batchId).executeTakeFirst();
  if (!row) return null;
  return { batchId: row.batch_id, createdAt: row.created_at, rowCount: row.row_count, sha256: row.sha256, content: row.content };
}

/** Newest first. */
export async function listExportBatches(db: Kysely<Database>, page: { limit: number; offset: number }): Promise<ExportBatch[]> {
  const rows = await db
    .selectFrom('billing_export_batches')
    .select(['batch_id', 'created_at', 'row_count', 'sha256'])
    .orderBy(sql`length(batch_id)`, 'desc')
    .orderBy('batch_id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map((r) => ({ batchId: r.batch_id, createdAt: r.created_at, rowCount: r.row_count, sha256: r.sha256 }));
}

/**
 * `source` mapped, as an iterator whose `return()` reaches the source, even before the first `next()`
 * (a generator's would not: a stream destroyed early would leave the source's connection checked out).
 */
export function mapRows<T, U>(source: AsyncIterator<T>, map: (row: T) => U): AsyncIterableIterator<U> {
  const iterator: AsyncIterableIterator<U> = {
    async next() {
      const next = await source.next();
      return next.done ? { done: true, value: undefined } : { done: false, value: map(next.value) };
    },
    async return() {
      await source.return?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

// ---------------------------------------------------------------------------------------------------
// Finance's outstanding report.

export const ageBuckets = ['not_yet_due', '0-30', '31-60', '61-90', '90+'] as const;
export type AgeBucket = (typeof ageBuckets)[number];

export interface OutstandingReport {
  asOf: string;
  buckets: { bucket: AgeBucket; count: number; openCents: number }[];
  collections: { count: number; openCents: number };
  totalOpen: { count: number; openCents: number };
  recovered: { from: string; to: string; count: number; amountCents: number };
}

/**
 * Open invoices (status open, issued on or before asOf) by the days past their due date as of asOf
 * (asOf - due_date: not_yet_due below 0, then 0-30, 31-60, 61-90, 90+), each with its count and open
 * amount (total + collection costs + interest - paid). Invoices handed to collections are counted
 * apart, not in the buckets. Status and amounts are the read model's current ones; only the ageing is
 * as of asOf. Recovered: the payments with a payment date in [from, to].
 */
export async function outstandingReport(db: Kysely<Database>, query: { asOf: string; from: string; to: string }): Promise<OutstandingReport> {
  const days = sql<number>`(${query.asOf}::date - due_date::date)`;
  const bucket = sql<string>`case
      when stage = 'collections' then 'collections'
      when ${days} < 0 then 'not_yet_due'
      when ${days} <= 30 then '0-30'
      when ${days} <= 60 then '31-60'
      when ${days} <= 90 then '61-90'
      else '90+' end`;
  const [open, recovered] = await Promise.all([
    db
      .selectFrom('invoices')
      .select([
        bucket.as('bucket'),
        sql<number>`count(*)::int`.as('count'),
        sql<number>`coalesce(sum(open_cents), 0)::bigint`.as('open_cents'),
      ])
      .where('status', '=', 'open')
      .where('issue_date', '<=', query.asOf)
      .groupBy(sql`1`)
      .execute(),
    db
      .selectFrom('payments')
      .select([sql<number>`count(*)::int`.as('count'), sql<number>`coalesce(sum(amount_cents), 0)::bigint`.as('amount_cents')])
      .where('paid_on', '>=', query.from)
      .where('paid_on', '<=', query.to)
      .executeTakeFirstOrThrow(),
  ]);
  const of = (name: string) => {
    const row = open.find((r) => r.bucket === name);
    return { count: row?.count ?? 0, openCents: row?.open_cents ?? 0 };
  };
  const collections = of('collections');
  const buckets = ageBuckets.map((name) => ({ bucket: name, ...of(name) }));
  return {
    asOf: query.asOf,
    buckets,
    collections,
    totalOpen: {
      count: buckets.reduce((sum, b) => sum + b.count, collections.count),
      openCents: buckets.reduce((sum, b) => sum + b.openCents, collections.openCents),
    },
    recovered: { from: query.from, to: query.to, count: recovered.count, amountCents: recovered.amount_cents },
  };
}
