import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ageBuckets,
  createExportBatch,
  exportBatchContent,
  exportColumns,
  streamExportCsv,
  ledgerRecordTypes,
  listExportBatches,
  mapRows,
  outstandingReport,
  streamLedgerRows,
  toExportRow,
  type LedgerRow,
} from '../../db/billing-export';
import { amsterdamDate } from '../../domain/calendar';
import { badRequest, notFound } from '../problems';
import type { ApiDeps } from '../deps';
import * as s from '../schemas';

const { localDate } = s;

const exportRowSchema = z
  .object({
    record_type: z.enum(ledgerRecordTypes),
    booking_date: z.string().describe('YYYY-MM-DD, Europe/Amsterdam'),
    document_number: z.string().describe('invoice number, credit-note number, payment id, or the incident id for service costs'),
    invoice_number: z.string().nullable().describe('null (CSV: empty) for service costs'),
    debtor: z.string().describe("the tenant's contract number"),
    description: z.string(),
    ledger_account: z.string(),
    cost_centre: z.string(),
    vat_code: z.string(),
    amount: z.string().regex(/^-?\d+\.\d{2}$/).describe('euros with two decimals and a dot: claims positive, payments and credit notes negative'),
    currency: z.literal('EUR'),
    incident_id: z.string(),
    entry_id: z.string().describe('stable id of the booking; a batch holds each entry at most once'),
  })
  .describe(`one booking; the CSV has these columns in this order: ${exportColumns.join(',')}`);

const csvSchema = z.string().describe(`CSV, UTF-8, header row first: ${exportColumns.join(',')}`);

const batchSchema = z.object({
  batchId: z.string(),
  rowCount: z.number().int(),
  sha256: z.string().describe('SHA-256 (hex) of the batch CSV'),
  createdAt: z.string(),
});

const emptyBatchSchema = z
  .object({ batchId: z.null(), rowCount: z.literal(0), sha256: z.null(), createdAt: z.null() })
  .describe('nothing new since the last batch: no batch is stored');

const countAndCents = z.object({ count: z.number().int(), openCents: z.number().int() });

const outstandingSchema = z.object({
  asOf: z.string(),
  buckets: z
    .array(z.object({ bucket: z.enum(ageBuckets), count: z.number().int(), openCents: z.number().int() }))
    .describe('open invoices not handed to collections, by days past the due date as of asOf (not_yet_due: due after asOf)'),
  collections: countAndCents.describe('open invoices handed to collections'),
  totalOpen: countAndCents,
  recovered: z.object({ from: z.string(), to: z.string(), count: z.number().int(), amountCents: z.number().int() }).describe('payments with a payment date in [from, to]'),
});

function assertPeriod(from: string, to: string): void {
  if (to < from) throw badRequest('the period is empty: to is before from', [{ path: 'query.to', message: `must be on or after from (${from})` }]);
}

const batchJson = (batch: { batchId: string; rowCount: number; sha256: string; createdAt: Date }) => ({
  batchId: batch.batchId,
  rowCount: batch.rowCount,
  sha256: batch.sha256,
  createdAt: batch.createdAt.toISOString(),
});

/** The typed reply only takes what the response schema describes as JSON; streams and bytes go out as they are. */
const untyped = (reply: unknown) => reply as FastifyReply;

/** Export rows as one JSON array, written a few hundred rows per chunk. */
function jsonArray(rows: AsyncIterator<unknown>, rowsPerChunk = 500): AsyncIterableIterator<string> {
  let started = false;
  let finished = false;
  const iterator: AsyncIterableIterator<string> = {
    async next() {
      if (finished) return { done: true, value: undefined };
      let chunk = '';
      for (let n = 0; n < rowsPerChunk; n++) {
        const next = await rows.next();
        if (next.done) {
          finished = true;
          chunk += started ? ']' : '[]';
          return { done: false, value: chunk };
        }
        chunk += (started ? ',' : '[') + JSON.stringify(next.value);
        started = true;
      }
      return { done: false, value: chunk };
    },
    async return() {
      finished = true;
      await rows.return?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

export function registerBillingRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db, config } = deps;
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['billing'];

  routes.get(
    '/billing/export',
    {
      config: { access: { roles: ['finance'] } },
      schema: {
        operationId: 'billingExport',
        tags,
        summary: 'Invoice lines, credit notes, collection costs, interest, payments and service-cost allocations booked in a period, streamed',
        querystring: z.object({
          from: localDate.describe('first booking date, inclusive (YYYY-MM-DD)'),
          to: localDate.describe('last booking date, inclusive (YYYY-MM-DD)'),
          format: z.enum(['csv', 'json']).default('csv'),
        }),
        response: {
          200: {
            description: 'the bookings ordered by booking date and event position',
            content: { 'text/csv': { schema: csvSchema }, 'application/json': { schema: z.array(exportRowSchema) } },
          },
          ...s.problemResponses,
        },
      },
    },
    async (request, reply) => {
      const { from, to, format } = request.query;
      assertPeriod(from, to);
      const policy = config.policy;
      if (format === 'csv') {
        // PostgreSQL writes the CSV (db/billing-export.ts); an error half-way (the database gone)
        // destroys the reply: the client sees a cut-off transfer, never a complete-looking file.
        const csv = await streamExportCsv(db, { from, to }, policy);
        csv.once('error', (error) => request.log.error({ err: error }, 'billing export failed while streaming'));
        return untyped(reply)
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="billing-export-${from}-${to}.csv"`)
          .send(csv);
      }
      const ledger = streamLedgerRows(db, { from, to });
      // Run the query before the status line goes out: a database that fails here is a 500 problem,
      // not a download cut off after its headers.
      const first = await ledger.next();
      let pending: IteratorResult<LedgerRow> | null = first;
      const source = mapRows<LedgerRow, ReturnType<typeof toExportRow>>(
        {
          next: async () => {
            if (pending) {
              const result = pending;
              pending = null;
              return result;
            }
            return ledger.next();
          },
          return: async () => {
            pending = null;
            return (await ledger.return?.()) ?? { done: true, value: undefined };
          },
        },
        (row) => toExportRow(row, policy),
      );
      return untyped(reply).type('application/json; charset=utf-8').send(Readable.from(jsonArray(source), { objectMode: false }));
    },
  );

  routes.post(
    '/billing/export-batches',
    {
      config: { access: { roles: ['finance'] } },
      schema: {
        operationId: 'createBillingExportBatch',
        tags,
        summary: 'Every booking not yet in a batch, exactly once (also under concurrent calls), stored as CSV for download',
        response: { 201: batchSchema, 200: emptyBatchSchema, ...s.problemResponses },
      },
    },
    async (request, reply) => {
      const batch = await createExportBatch(db, config.policy);
      if (!batch) return reply.status(200).send({ batchId: null, rowCount: 0 as const, sha256: null, createdAt: null });
      return reply.status(201).header('location', `/billing/export-batches/${batch.batchId}`).send(batchJson(batch));
    },
  );

  routes.get(
    '/billing/export-batches',
    {
      config: { access: { roles: ['finance'] } },
      schema: {
        operationId: 'listBillingExportBatches',
        tags,
        summary: 'The export batches, newest first',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.object({ batches: z.array(batchSchema) }), ...s.problemResponses },
      },
    },
    async (request) => {
      const batches = await listExportBatches(db, request.query);
      return { batches: batches.map(batchJson) };
    },
  );

  routes.get(
    '/billing/export-batches/:id',
    {
      config: { access: { roles: ['finance'] } },
      schema: {
        operationId: 'getBillingExportBatch',
        tags,
        summary: "A batch's CSV, byte for byte the same at every download (ETag: its SHA-256)",
        params: z.object({ id: z.string().trim().min(1).max(100) }),
        response: { 200: { description: 'the batch CSV', content: { 'text/csv': { schema: csvSchema } } }, ...s.problemResponses },
      },
    },
    async (request, reply) => {
      const batch = await exportBatchContent(db, request.params.id);
      if (!batch) throw notFound(`no export batch ${request.params.id}`);
      return untyped(reply)
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="billing-export-${batch.batchId}.csv"`)
        .header('etag', `"${batch.sha256}"`)
        .header('x-content-sha256', batch.sha256)
        .send(batch.content);
    },
  );

  routes.get(
    '/reports/finance/outstanding',
    {
      config: { access: { roles: ['finance'] } },
      schema: {
        operationId: 'financeOutstandingReport',
        tags: ['reports'],
        summary: 'Open invoices by age past the due date, those handed to collections, and the payments received in a period',
        querystring: z.object({
          asOf: localDate.optional().describe('the day the ageing is counted to (default: today, Europe/Amsterdam)'),
          from: localDate.optional().describe('first payment date counted as recovered, inclusive (default: the first of the month of to)'),
          to: localDate.optional().describe('last payment date counted as recovered, inclusive (default: asOf)'),
        }),
        response: { 200: outstandingSchema, ...s.problemResponses },
      },
    },
    async (request) => {
      const asOf = request.query.asOf ?? amsterdamDate(new Date());
      const to = request.query.to ?? asOf;
      const from = request.query.from ?? `${to.slice(0, 7)}-01`;
      assertPeriod(from, to);
      return outstandingReport(db, { asOf, from, to });
    },
  );
}
