/**
 * `npm run bench:export`: how fast GET /billing/export streams CSV, and with how much memory, beside
 * PostgreSQL's own `\copy ... csv` through psql for the same rows and columns.
 *
 * It creates a database of its own and seeds billing_ledger with 100,000 and then 1,000,000 rows
 * straight in SQL (insert ... select generate_series): seeding bypasses the event store, since what is
 * measured is the export, not the appends. For each size it starts nothing new: the real API
 * (buildApp, listening on a loopback port, in this process), warmed by one day's export (not
 * measured, as a running server is warm), streams the whole period over HTTP to curl writing to
 * /dev/null, timed, while the server's process.memoryUsage().rss is sampled every 50 ms; then once
 * more, untimed, to a client in this process that counts rows and bytes and hashes them. psql runs
 * `\copy (the same select) to '/dev/null' csv header`, timed, and once more to a file whose SHA-256
 * must equal the API's (same columns, same order, same bytes). Both timed runs include starting
 * their client process (and psql connecting). It prints
 * one table and drops its database.
 */
import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createReadStream, rmSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Client } from '@temporalio/client';
import { buildApp } from '../api/app';
import { createDb, dropDatabase, ensureDatabase, migrateToLatest, type Db } from '../db/connection';
import { exportColumns } from '../db/billing-export';
import { categories, resolvePolicy, type Policy } from '../domain/policy';
import { defaultDatabaseUrl, type Role } from '../config/config';

const sizes = [100_000, 1_000_000];
const period = { from: '2026-01-01', to: '2026-12-31' };
const financeKey = 'bench-finance-key';
const complexes = 40;
/** Half the complexes have a cost centre of their own; the rest get the default. */
const policy = resolvePolicy({
  costCentres: Object.fromEntries(Array.from({ length: complexes / 2 }, (_, c) => [complexId(c), `KP-${String(c).padStart(3, '0')}`])),
});

function complexId(c: number): string {
  return `CX-${String(c).padStart(3, '0')}`;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Ledger rows `first`..`last` (positions), every record type, spread over 2026. */
async function seed(db: Db, first: number, last: number): Promise<void> {
  const handled = categories.filter((c) => policy.categories[c]?.handled);
  await sql`
    insert into billing_ledger (entry_id, position, record_type, booking_date, document_number, invoice_number, incident_id,
                                debtor_tenant_id, category, complex_id, description, vat_code, amount_cents)
    select 'invoice-2026-' || lpad((g / 4)::text, 6, '0') || '/' || (g % 4 + 1) || '#1',
           g,
           t.record_type,
           to_char(date '2026-01-01' + (g % 365), 'YYYY-MM-DD'),
           case t.record_type when 'payment' then 'camt:NTRY-' || g
                              when 'credit_note' then 'C2026-' || lpad((g / 8)::text, 6, '0')
                              when 'service_costs' then 'INC-' || g
                              else '2026-' || lpad((g / 4)::text, 6, '0') end,
           case when t.record_type = 'service_costs' then null else '2026-' || lpad((g / 4)::text, 6, '0') end,
           'INC-' || (g / 4),
           'CX-' || lpad((g % ${complexes})::text, 3, '0') || '-' || chr(65 + g % 5) || '-' || (g % 8 + 1),
           (${sql.val(handled)}::text[])[1 + g % ${handled.length}],
           'CX-' || lpad((g % ${complexes})::text, 3, '0'),
           case t.record_type when 'invoice_line' then case when g % 3 = 0 then 'Administratiekosten, vast tarief' else 'Schoonmaak: vervuild trappenhuis' end
                              when 'payment' then 'Betaling 2026-' || lpad((g / 4)::text, 6, '0')
                              when 'credit_note' then 'Creditnota: geschil gegrond'
                              when 'collection_costs' then 'Buitengerechtelijke incassokosten'
                              when 'interest' then 'Wettelijke rente'
                              else 'Schoonmaakkosten via servicekosten' end,
           'BTW-GEEN',
           case when t.record_type in ('payment', 'credit_note') then -1 else 1 end * (100 + (g::bigint * 7919) % 49901)
    from generate_series(${first}::int, ${last}::int) g
    cross join lateral (select (array['invoice_line', 'invoice_line', 'invoice_line', 'payment', 'credit_note',
                                      'collection_costs', 'interest', 'service_costs'])[1 + g % 8] as record_type) t`.execute(db);
  await sql`analyze billing_ledger`.execute(db);
}

/** The export's select in SQL, with the policy's ledger accounts and cost centres as literals: for psql. */
function exportSelect(withPolicy: Policy): string {
  const lit = (text: string) => `'${text.replace(/'/g, "''")}'`;
  const categoryAccount = `case category ${Object.entries(withPolicy.categories)
    .map(([name, c]) => `when ${lit(name)} then ${lit(c.ledgerAccount)}`)
    .join(' ')} else '' end`;
  const costCentre = `case complex_id ${Object.entries(withPolicy.costCentres)
    .map(([complex, centre]) => `when ${lit(complex)} then ${lit(centre)}`)
    .join(' ')} else ${lit(withPolicy.defaultCostCentre)} end`;
  const columns = [
    'record_type',
    'booking_date',
    'document_number',
    'invoice_number',
    'debtor_tenant_id as debtor',
    'description',
    `case record_type when 'invoice_line' then ${categoryAccount} when 'credit_note' then ${categoryAccount}
       when 'collection_costs' then ${lit(withPolicy.collectionCostsLedgerAccount)} when 'interest' then ${lit(withPolicy.collectionCostsLedgerAccount)}
       when 'service_costs' then ${lit(withPolicy.serviceCostsLedgerAccount)} when 'payment' then ${lit(withPolicy.receivablesLedgerAccount)}
       when 'refund_due' then ${lit(withPolicy.refundsLedgerAccount)} end as ledger_account`,
    `${costCentre} as cost_centre`,
    'vat_code',
    'round(amount_cents / 100.0, 2) as amount',
    `'EUR' as currency`,
    'incident_id',
    'entry_id',
  ];
  return `select ${columns.join(', ')} from billing_ledger
    where booking_date between ${lit(period.from)} and ${lit(period.to)} order by booking_date, position, entry_id`.replace(/\s+/g, ' ');
}

interface Measurement {
  rows: number;
  bytes: number;
  seconds: number;
  sha256: string;
  baselineRss?: number;
  peakRss?: number;
  /** The same export read by a client in this process that counts and hashes it (sharing the server's thread). */
  inProcessSeconds?: number;
}

/** Stream the export over real HTTP, counting rows (lines after the header) and bytes, sampling RSS. */
async function viaApi(port: number, within: { from: string; to: string } = period): Promise<Measurement> {
  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const started = process.hrtime.bigint();
  try {
    return await new Promise<Measurement>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: `/billing/export?from=${within.from}&to=${within.to}&format=csv`, headers: { authorization: `Bearer ${financeKey}` } },
        (res) => {
          if (res.statusCode !== 200) return reject(new Error(`GET /billing/export answered ${res.statusCode}`));
          const hash = createHash('sha256');
          let bytes = 0;
          let lines = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            hash.update(chunk);
            for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
          });
          res.on('end', () => {
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            resolve({ rows: lines - 1, bytes, seconds, sha256: hash.digest('hex'), baselineRss, peakRss: Math.max(peakRss, process.memoryUsage().rss) });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  } finally {
    clearInterval(sampler);
  }
}

/**
 * The export timed as psql's is: a client process of its own (curl) that writes the bytes to
 * /dev/null, its start included; the server's RSS sampled meanwhile. Bytes only: the rows and the
 * SHA-256 come from viaApi's untimed download, as psql's from its second, untimed run.
 */
async function viaCurl(port: number): Promise<{ seconds: number; bytes: number; baselineRss: number; peakRss: number }> {
  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const started = process.hrtime.bigint();
  try {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{size_download}', '-H', `authorization: Bearer ${financeKey}`,
        `http://127.0.0.1:${port}/billing/export?from=${period.from}&to=${period.to}&format=csv`], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`curl exited ${code}: ${stderr.trim()}`))));
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const [status, bytes] = out.trim().split(' ');
    if (status !== '200') throw new Error(`GET /billing/export answered ${status} to curl`);
    return { seconds, bytes: Number(bytes), baselineRss, peakRss: Math.max(peakRss, process.memoryUsage().rss) };
  } finally {
    clearInterval(sampler);
  }
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${stderr.trim()}`))));
  });
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** psql's \copy of the same select: timed to /dev/null, then (untimed) to a file for the byte-for-byte check. */
async function viaPsql(databaseUrl: string, expectedRows: number): Promise<Measurement> {
  const select = exportSelect(policy);
  const psql = (target: string) => run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', databaseUrl, '-c', `\\copy (${select}) to '${target}' csv header`]);
  const started = process.hrtime.bigint();
  await psql('/dev/null');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const file = join(tmpdir(), `bench-export-${randomBytes(4).toString('hex')}.csv`);
  try {
    await psql(file);
    const { size } = await stat(file);
    return { rows: expectedRows, bytes: size, seconds, sha256: await sha256OfFile(file) };
  } finally {
    rmSync(file, { force: true });
  }
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const base = new URL(process.env.DATABASE_URL ?? defaultDatabaseUrl('postgres'));
  base.pathname = `/pp_bench_export_${randomBytes(4).toString('hex')}`;
  const databaseUrl = base.toString();
  const startedAt = Date.now();
  // The whole run must stay within a few minutes; should it hang, drop the database and stop.
  const watchdog = setTimeout(() => {
    log('bench:export: over 6 minutes, giving up');
    void dropDatabase(databaseUrl).finally(() => process.exit(1));
  }, 6 * 60_000);
  watchdog.unref();

  await ensureDatabase(databaseUrl);
  const db = createDb(databaseUrl, 4);
  const app = await buildApp({
    db,
    temporal: {} as Client,
    config: {
      apiKeys: new Map<string, Role>([[financeKey, 'finance']]),
      linkSecret: 'bench-link-secret-0123456789',
      policy,
      publicUrl: 'http://127.0.0.1',
      corporationName: 'Woonstichting Bench',
      corporationIban: 'NL91ABNA0417164300',
      corporationAddress: 'Postbus 1, 3500 AA Utrecht',
      temporal: { address: undefined, namespace: 'default', taskQueue: 'unused', tls: undefined, apiKey: undefined },
    },
  });
  const results: { size: number; api: Measurement; psql: Measurement; seedSeconds: number }[] = [];
  try {
    await migrateToLatest(db);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    log(`bench:export: database ${base.pathname.slice(1)}, API on 127.0.0.1:${port}`);

    let seeded = 0;
    for (const size of sizes) {
      const seedStarted = process.hrtime.bigint();
      await seed(db, seeded + 1, size);
      seeded = size;
      const seedSeconds = Number(process.hrtime.bigint() - seedStarted) / 1e9;
      log(`  seeded ${thousands(size)} ledger rows (+${thousands(size - (results.at(-1)?.size ?? 0))} in ${seedSeconds.toFixed(1)} s, SQL straight into billing_ledger)`);

      // Warm, as a running server is: its first request (routes compiled, a pooled connection
      // opened) is not what a finance export costs. One day's export, not measured.
      await viaApi(port, { from: period.from, to: period.from });
      const timed = await viaCurl(port);
      const checked = await viaApi(port);
      if (timed.bytes !== checked.bytes) throw new Error(`curl got ${timed.bytes} bytes, the checked download ${checked.bytes}`);
      const api: Measurement = { ...checked, seconds: timed.seconds, baselineRss: timed.baselineRss, peakRss: timed.peakRss, inProcessSeconds: checked.seconds };
      log(`  API:  ${thousands(api.rows)} rows in ${api.seconds.toFixed(2)} s`);
      const psql = await viaPsql(databaseUrl, size);
      log(`  psql: ${thousands(size)} rows in ${psql.seconds.toFixed(2)} s`);
      if (api.rows !== size) throw new Error(`the API exported ${api.rows} rows, expected ${size}`);
      if (api.sha256 !== psql.sha256 || api.bytes !== psql.bytes) {
        throw new Error(`the API's CSV differs from psql's (${api.bytes} vs ${psql.bytes} bytes): not the same columns or formatting`);
      }
      results.push({ size, api, psql, seedSeconds });
    }
  } finally {
    await app.close();
    await db.destroy();
    await dropDatabase(databaseUrl);
    clearTimeout(watchdog);
  }

  const header = ['rows', 'via', 'seconds', 'rows/s', 'MB', 'peak RSS Δ (MB)', 'API/psql (time)'];
  const table: string[][] = [];
  for (const { size, api, psql } of results) {
    table.push([thousands(size), 'API  GET /billing/export, curl', api.seconds.toFixed(2), thousands(api.rows / api.seconds), mb(api.bytes), mb(api.peakRss! - api.baselineRss!), `${(api.seconds / psql.seconds).toFixed(2)}x`]);
    table.push([thousands(size), "psql \\copy (select ...) csv header", psql.seconds.toFixed(2), thousands(size / psql.seconds), mb(psql.bytes), '(own process)', '']);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const out = [
    '',
    `billing export benchmark (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${exportColumns.length} columns, period ${period.from}..${period.to})`,
    'Seeding bypasses the event store (SQL insert ... select generate_series straight into billing_ledger): what is measured is the export.',
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...table.map(line),
    '',
    ...results.map(
      ({ size, api }) =>
        `${thousands(size)} rows: server RSS baseline ${mb(api.baselineRss!)} MB before the request, peak ${mb(api.peakRss!)} MB (sampled every 50 ms while curl downloads); read by a client in the server's process that counts and hashes it: ${api.inProcessSeconds!.toFixed(2)} s`,
    ),
    'API and psql output are byte-for-byte identical (SHA-256) at every size. Timed alike: curl and psql each to /dev/null, their start (and psql connecting) included.',
    `total run ${((Date.now() - startedAt) / 1000).toFixed(0)} s; database dropped.`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((error: unknown) => {
  log(`bench:export failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  process.exitCode = 1;
});
