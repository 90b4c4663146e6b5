import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { sql, type Kysely, type Selectable } from 'kysely';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { formulaStarts, neutraliseFormula } from '../domain/csv-cells';
import { centsToDecimal } from '../domain/money';
import type { Category, Policy } from '../domain/policy';
import { poolOf } from './connection';
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

/** Which ledger rows a CSV export holds: those booked in a period, or those of one export batch. */
export type ExportSelection = Period | { batchId: string };

/** A text value inside SQL: a COPY takes no bind parameters. */
const literal = (text: string) => pg.escapeLiteral(text);

/** `expression` as a CSV text cell: neutralised as domain/csv-cells.ts does; empty as NULL (COPY quotes '' as "", csv-stringify wrote nothing). */
function textCell(expression: string): string {
  const starts = formulaStarts.map(literal).join(', ');
  return `nullif(case when left(${expression}, 1) in (${starts}) then '''' || ${expression} else ${expression} end, '')`;
}

/** A policy's value as a CSV cell, neutralised here rather than per row; null for empty. */
function policyCell(text: string): string | null {
  return text === '' ? null : neutraliseFormula(text);
}

const policyLiteral = (text: string) => {
  const cell = policyCell(text);
  return cell === null ? 'null' : literal(cell);
};

/**
 * The CSV export as one `COPY (select ...) TO STDOUT`: PostgreSQL writes the CSV (header row first,
 * `\n`, quoted only where needed, UTF-8) with the cells of toExportRow, in booking order. The
 * policy's ledger accounts and cost centres are literals of the statement (a JSON object each,
 * looked up per row); amounts are numerics with two decimals and a dot (-187.50), never neutralised.
 */
export function exportCopySql(selection: ExportSelection, policy: ExportPolicy): string {
  const categoryAccounts = Object.fromEntries(Object.entries(policy.categories).map(([name, c]) => [name, policyCell(c?.ledgerAccount ?? '')]));
  const costCentres = Object.fromEntries(Object.entries(policy.costCentres).map(([complex, centre]) => [complex, policyCell(centre)]));
  const categoryAccount = `(${literal(JSON.stringify(categoryAccounts))}::jsonb ->> l.category)`;
  const columns: Record<ExportColumn, string> = {
    record_type: 'l.record_type',
    booking_date: textCell('l.booking_date'),
    document_number: textCell('l.document_number'),
    invoice_number: textCell('l.invoice_number'),
    debtor: textCell('l.debtor_tenant_id'),
    description: textCell('l.description'),
    ledger_account: `case l.record_type
        when 'invoice_line' then ${categoryAccount} when 'credit_note' then ${categoryAccount}
        when 'collection_costs' then ${policyLiteral(policy.collectionCostsLedgerAccount)} when 'interest' then ${policyLiteral(policy.collectionCostsLedgerAccount)}
        when 'service_costs' then ${policyLiteral(policy.serviceCostsLedgerAccount)} when 'payment' then ${policyLiteral(policy.receivablesLedgerAccount)}
        when 'refund_due' then ${policyLiteral(policy.refundsLedgerAccount)} end`,
    cost_centre: `coalesce(${literal(JSON.stringify(costCentres))}::jsonb ->> l.complex_id, ${policyLiteral(policy.defaultCostCentre)})`,
    vat_code: textCell('l.vat_code'),
    amount: 'round(l.amount_cents / 100.0, 2)',
    currency: `'EUR'`,
    incident_id: textCell('l.incident_id'),
    entry_id: textCell('l.entry_id'),
  };
  const select = exportColumns.map((name) => `${columns[name]} as ${name}`).join(', ');
  const rows =
    'batchId' in selection
      ? `billing_ledger l join billing_export_batch_entries e on e.entry_id = l.entry_id where e.batch_id = ${literal(selection.batchId)}`
      : `billing_ledger l where l.booking_date between ${literal(selection.from)} and ${literal(selection.to)}`;
  return `copy (select ${select} from ${rows} order by l.booking_date, l.position, l.entry_id) to stdout with (format csv, header true)`;
}

/**
 * The CSV export of `selection`, streamed from PostgreSQL's own COPY on a pooled connection of its
 * own. Resolves once PostgreSQL has begun to send: a database that fails first is an error here, not
 * a download cut off after its headers. The connection goes back to the pool when the stream ends;
 * a stream that fails or is destroyed early (a client gone half-way) closes its connection, which
 * ends the COPY in PostgreSQL.
 */
export async function streamExportCsv(db: Kysely<Database>, selection: ExportSelection, policy: ExportPolicy): Promise<Readable> {
  const client = await poolOf(db).connect();
  let released = false;
  const release = (error?: Error) => {
    if (released) return;
    released = true;
    client.release(error);
  };
  const csv = client.query(copyTo(exportCopySql(selection, policy)));
  csv.once('end', () => release());
  csv.once('error', (error) => release(error));
  csv.once('close', () => release(csv.readableEnded ? undefined : new Error('the export was not read to its end')));
  await new Promise<void>((resolve, reject) => {
    const settle = (error?: Error) => {
      csv.off('readable', ready);
      csv.off('error', settle);
      if (error) reject(error);
      else resolve();
    };
    const ready = () => settle();
    csv.once('readable', ready);
    csv.once('error', settle);
  });
  return csv;
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
 * export's columns, same order and same bytes as GET /billing/export) with its SHA-256, in one
 * transaction under a transaction-level advisory lock: concurrent calls queue, and each row lands in
 * exactly one batch. A row whose append commits while a batch is being taken is not visible to it and
 * goes in the next. Nothing new: no batch is stored and the answer is null.
 *
 * The batch tables are not read models: a rebuild of the projections keeps them, and since entry ids
 * are derived from event ids, rebuilt ledger rows are recognised as exported. Batches taken before
 * the formula rule (domain/csv-cells.ts) keep their bytes: only new ones are written with it.
 *
 * On a pooled connection of its own rather than through kysely: the CSV is the COPY of the export
 * (exportCopySql), which must see the entries this transaction took.
 */
export async function createExportBatch(db: Kysely<Database>, policy: ExportPolicy): Promise<ExportBatch | null> {
  const client = await poolOf(db).connect();
  let failure: Error | undefined;
  try {
    await client.query('begin');
    await client.query(`select pg_advisory_xact_lock(${exportBatchLockKey})`);
    // A statement after the lock: its snapshot sees every batch committed before the lock was ours.
    const counted = await client.query<{ count: string }>('select count(*) as count from billing_export_batches');
    const batchId = `EB-${String(Number(counted.rows[0]!.count) + 1).padStart(6, '0')}`;
    const taken = await client.query(
      `insert into billing_export_batch_entries (entry_id, batch_id)
       select l.entry_id, $1 from billing_ledger l
       where not exists (select 1 from billing_export_batch_entries e where e.entry_id = l.entry_id)`,
      [batchId],
    );
    const rowCount = taken.rowCount ?? 0;
    if (rowCount === 0) {
      await client.query('rollback');
      return null;
    }
    const copy = client.query(copyTo(exportCopySql({ batchId }, policy)));
    const chunks: Buffer[] = [];
    for await (const chunk of copy) chunks.push(chunk as Buffer);
    const content = Buffer.concat(chunks);
    const sha256 = createHash('sha256').update(content).digest('hex');
    // The time the batch was taken (under the lock), not when its transaction began waiting for it.
    const stored = await client.query<{ created_at: Date }>(
      `insert into billing_export_batches (batch_id, created_at, row_count, sha256, content)
       values ($1, clock_timestamp(), $2, $3, $4) returning created_at`,
      [batchId, rowCount, sha256, content],
    );
    // Known once the COPY's command completed, which the statement after it waited for.
    if (copy.rowCount !== rowCount) throw new Error(`export batch ${batchId}: took ${rowCount} entries but wrote ${copy.rowCount} rows`);
    await client.query('commit');
    return { batchId, createdAt: stored.rows[0]!.created_at, rowCount, sha256 };
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    // A connection left mid-COPY cannot roll back: releasing it with the error closes it, which does.
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release(failure);
  }
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
