/**
 * `npm run fuzz`: Schemathesis, fed the API's own OpenAPI document, against the real thing: a
 * PostgreSQL database of its own (created and dropped), a Temporal dev server of its own on free
 * ports, a worker, a mail catcher on loopback and the API on a free port. It seeds the directory,
 * incidents in several states, invoices and an export batch through the API, so that generated
 * requests reach past the 404s (ids are drawn from what was seeded about half of the time), then
 * fuzzes every operation once per caller: each role's API key, a tenant's link and nobody; then, as
 * Schemathesis never puts a NUL into a path parameter, a short pass per key with every id a NUL.
 * The checks: no answer is a 5xx, each matches its documented schema, and each comes in time.
 *
 * It prints what it ran and each distinct failure (operation, status, a curl to reproduce it),
 * writes Schemathesis' logs and JSON reports to .data/fuzz/, and exits 1 when anything failed.
 *
 *   npm run fuzz                               # every caller, 20 examples per operation (fuzzing phase)
 *   npm run fuzz -- --max-examples 50 --seed 1 # more, and reproducibly
 *   npm run fuzz -- --callers consultant,none  # some callers only
 *   npm run fuzz -- --serve                    # start and seed the stack, print how to reach it, wait
 *
 * The pinned Schemathesis (requirements-fuzz.txt) is installed into .venv when missing, as the
 * Temporal binaries are (scripts/temporal-binaries.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { buildApp } from '../api/app';
import { signTenantLink } from '../documents/links';
import { amsterdamDate } from '../domain/calendar';
import { createDb, dropDatabase, ensureDatabase, migrateToLatest } from '../db/connection';
import { defaultDatabaseUrl, loadConfig, type Role } from '../config/config';
import { createWorker } from '../worker/main';
import { temporalDataConverter } from '../config/payload-codec';
import { startMailCatcher } from './mail-catcher';
import { schemathesisPath } from './schemathesis';
import { freePort } from './ports';
import { projectRoot, temporalCliPath } from './temporal-binaries';

/** In this order: those that can poison a seeded incident (the tenant's link, the consultant) last. */
const callers = ['none', 'contractor', 'finance', 'admin', 'manager', 'tenant', 'consultant'] as const satisfies readonly ('none' | 'tenant' | Role)[];
type Caller = (typeof callers)[number];

const keys: Record<Role, string> = {
  consultant: 'fuzz-consultant-key',
  finance: 'fuzz-finance-key',
  admin: 'fuzz-admin-key',
  contractor: 'fuzz-contractor-key',
  manager: 'fuzz-manager-key',
};
const linkSecret = 'fuzz-link-secret-0123456789';

/**
 * Stairwells run on seconds, so that seeding reaches invoices quickly; every other category keeps
 * its working-day deadlines, so that those incidents stay open while they are fuzzed.
 */
const fuzzPolicy = { categories: { fouled_stairwell: { noticePeriod: 'PT3S', reminderBefore: 'PT1S' } } };

const log = (line: string) => console.log(`[fuzz] ${line}`);

/**
 * One Schemathesis worker: with more, its threads race in the ast module of Python 3.11 before
 * 3.11.8 ("AST constructor recursion depth mismatch"), and two cores leave little to gain. A request
 * that takes 5 s has hung (an action takes well under a second). The stateful phase (`--phases
 * examples,coverage,fuzzing,stateful`) would guess links between operations; it is left out for time.
 */
const defaults = {
  maxExamples: '20',
  checks: 'not_a_server_error,response_schema_conformance',
  workers: '1',
  requestTimeout: '5',
  phases: 'examples,coverage,fuzzing',
};

async function main() {
  const { values } = parseArgs({
    options: {
      'max-examples': { type: 'string', default: defaults.maxExamples },
      checks: { type: 'string', default: defaults.checks },
      seed: { type: 'string' },
      callers: { type: 'string', default: callers.join(',') },
      workers: { type: 'string', default: defaults.workers },
      'request-timeout': { type: 'string', default: defaults.requestTimeout },
      phases: { type: 'string', default: defaults.phases },
      serve: { type: 'boolean', default: false },
    },
  });
  const selected = (values.callers ?? '').split(',').map((c) => c.trim()).filter(Boolean);
  for (const c of selected) if (!(callers as readonly string[]).includes(c)) throw new Error(`--callers: ${c} is not one of ${callers.join(', ')}`);
  for (const option of ['max-examples', 'request-timeout', 'workers', 'seed'] as const) {
    const value = values[option];
    if (value !== undefined && !/^\d+$/.test(value)) throw new Error(`--${option}: ${value} is not a whole number`);
  }
  const started = Date.now();

  const schemathesis = values.serve ? null : schemathesisPath();
  const stack = await startStack();
  let failed: boolean;
  try {
    log(`seeding the directory, incidents, invoices and an export batch`);
    const seed = await seedThroughApi(stack.url);
    log(`seeded ${seed.incidents.length} incidents, ${seed.invoices.length} invoices, ${seed.letters.length} letters, ${seed.batches.length} export batch`);
    if (schemathesis === null) {
      await serve(stack.url, seed);
      failed = false;
    } else {
      const outDir = join(projectRoot(), '.data', 'fuzz');
      rmSync(outDir, { recursive: true, force: true });
      mkdirSync(outDir, { recursive: true });
      const options: RunOptions = {
        maxExamples: Number(values['max-examples'] ?? defaults.maxExamples),
        checks: values.checks ?? defaults.checks,
        seed: values.seed,
        workers: values.workers ?? defaults.workers,
        requestTimeout: values['request-timeout'] ?? defaults.requestTimeout,
        phases: values.phases ?? defaults.phases,
      };
      const pathParameters = await pathParameterNames(stack.url);
      const runs: RunResult[] = [];
      const passes: Pass[] = [
        ...(selected as Caller[]).map((caller) => ({ name: caller, caller, config: schemathesisConfig(caller, seed), options })),
        // Schemathesis never puts a NUL in a path parameter itself: one short pass with every id a NUL.
        ...(selected as Caller[]).filter((caller) => caller !== 'none' && caller !== 'tenant').map((caller) => nulIdsPass(caller, pathParameters, options)),
      ];
      for (const pass of passes) {
        const runStarted = Date.now();
        const result = await runSchemathesis(schemathesis, stack.url, pass, outDir);
        runs.push(result);
        log(
          `${pass.name.padEnd(22)} ${String(result.operations).padStart(2)} operations, ${String(result.cases).padStart(4)} test cases, ${result.failures.length} failing` +
            `${result.problems.length ? `, ${result.problems.length} problems of the run` : ''} (${((Date.now() - runStarted) / 1000).toFixed(0)} s)`,
        );
      }
      failed = report(runs, outDir, (Date.now() - started) / 1000);
    }
  } finally {
    await stack.stop();
  }
  process.exit(failed ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// The stack

interface RunningStack {
  url: string;
  stop(): Promise<void>;
}

async function startStack(): Promise<RunningStack> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const stops: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await Promise.resolve(step()).catch((error: unknown) => console.error('[fuzz] while stopping:', error));
  };
  try {
    const [port, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    const cli = await temporalCliPath();
    const devServer: ChildProcess = spawn(
      cli,
      ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--http-port', String(httpPort), '--metrics-port', String(metricsPort), '--headless', '--log-level', 'error'],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    stops.push(() => stopProcess(devServer));
    // Should this process end without stopping (a crash, a second Ctrl-C), the dev server ends with it.
    process.once('exit', () => devServer.kill('SIGKILL'));
    const address = `127.0.0.1:${port}`;
    log(`Temporal dev server on ${address}`);

    const base = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? defaultDatabaseUrl('postgres'));
    base.pathname = `/pp_fuzz_${randomBytes(4).toString('hex')}`;
    const databaseUrl = base.toString();
    await ensureDatabase(databaseUrl);
    stops.push(() => dropDatabase(databaseUrl));
    const db = createDb(databaseUrl);
    stops.push(() => db.destroy());
    await migrateToLatest(db);
    log(`database ${base.pathname.slice(1)} (dropped at the end)`);

    const mailDir = mkdtempSync(join(tmpdir(), 'pp-fuzz-mail-'));
    stops.push(() => rmSync(mailDir, { recursive: true, force: true }));
    const catcher = await startMailCatcher(mailDir, 0, () => {});
    stops.push(() => catcher.close());

    const policyFile = join(mailDir, '..', `pp-fuzz-policy-${randomBytes(4).toString('hex')}.json`);
    writeFileSync(policyFile, JSON.stringify(fuzzPolicy));
    stops.push(() => rmSync(policyFile, { force: true }));
    const apiPort = await freePort();
    const config = loadConfig({
      NODE_ENV: 'development',
      PORT: String(apiPort),
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TASK_QUEUE: 'polluter-pays-fuzz',
      SMTP_URL: catcher.url,
      API_KEYS: Object.entries(keys).map(([role, key]) => `${role}:${key}`).join(','),
      LINK_SECRET: linkSecret,
      POLICY_FILE: policyFile,
      // The fuzzer sends a tenant's link thousands of times: the limit would answer most with 429.
      TENANT_LINK_RATE_LIMIT: '1000000/m',
    });

    const connection = await connectWithRetry(() => Connection.connect({ address }), 30_000);
    stops.push(() => connection.close());
    log('bundling the workflows and starting a worker');
    const { worker, close } = await createWorker(config, catcher.url);
    const running = worker.run();
    stops.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await close();
    });

    const app = await buildApp({ db, temporal: new Client({ connection, namespace: config.temporal.namespace, dataConverter: temporalDataConverter(config.payloadEncryption) }), config });
    await app.listen({ port: apiPort, host: '127.0.0.1' });
    stops.push(() => app.close());
    const url = `http://127.0.0.1:${apiPort}`;
    log(`API on ${url}`);
    return { url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}


async function connectWithRetry<T>(connect: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await connect();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`Temporal did not answer within ${timeoutMs / 1000} s: ${String(error)}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Seeding, through the API as a client would

interface Seed {
  incidents: string[];
  invoices: string[];
  letters: string[];
  batches: string[];
  tenants: string[];
  contractors: string[];
  /** A tenant's link: the polluter of tenantIncident, asked to clean. */
  tenantIncident: string;
  tenantToken: string;
}

async function call(url: string, method: string, path: string, role: Role | null, body?: unknown): Promise<any> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { ...(role ? { authorization: `Bearer ${keys[role]}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`seeding: ${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

async function waitFor(url: string, incidentId: string, test: (incident: any) => boolean, what: string): Promise<any> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    // 503 for the moment before the incident's workflow has recorded its report.
    const incident = await call(url, 'GET', `/incidents/${incidentId}`, 'consultant').catch((error: Error) => {
      if (/answered 503/.test(error.message)) return null;
      throw error;
    });
    if (incident && test(incident)) return incident;
    if (Date.now() > deadline) throw new Error(`seeding: incident ${incidentId} did not become ${what}: ${incident ? `${incident.status}/${incident.phase}` : 'not recorded'}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function seedThroughApi(url: string): Promise<Seed> {
  const household = (building: string, n: number, email: boolean) => ({
    contractNumber: `${building}-${n}`,
    name: `Bewoner ${building}${n}`,
    email: email ? `${building.toLowerCase()}${n}@bewoners.test` : null,
    street: 'Fuzzstraat',
    houseNumber: String(n),
    postalCode: '1234 AB',
    city: 'Utrecht',
    complexId: 'FZ1',
    buildingId: `FZ1-${building}`,
    unit: String(n),
  });
  const tenants = [...[1, 2, 3, 4, 5, 6].map((n) => household('A', n, n !== 1)), ...[1, 2, 3].map((n) => household('B', n, true))];
  await call(url, 'PUT', '/directory/tenants', 'admin', tenants);
  const contractors = [
    { contractorId: 'K-1', name: 'Schoon BV', email: 'orders@schoon.test', categories: [], complexes: [] },
    { contractorId: 'K-2', name: 'Grofvuil BV', email: 'orders@grofvuil.test', categories: ['bulk_waste'], complexes: ['FZ1'] },
  ];
  await call(url, 'PUT', '/directory/contractors', 'admin', contractors);

  const report = async (category: string, building: string, polluterTenantId: string | null, location: string) =>
    (await call(url, 'POST', '/incidents', 'consultant', { category, complexId: 'FZ1', buildingId: `FZ1-${building}`, location, description: 'gemeld voor de fuzz-run', polluterTenantId }))
      .incidentId as string;

  // Open, waiting for the polluter's cleanup (the tenant's link is for this one).
  const waiting = await report('bulk_waste', 'A', 'A-2', 'bij de containers');
  // Open, polluter unknown; open with a dispute; returned to the complainant; cancelled.
  const unknown = await report('neglected_garden', 'B', null, 'gemeenschappelijke tuin');
  const disputed = await report('vandalism', 'A', 'A-3', 'lift');
  const returned = await report('living_noise', 'B', null, 'tweede verdieping');
  const cancelled = await report('bulk_waste', 'B', 'B-1', 'kelder');
  // Stairwells on seconds: cleaned by the contractor and invoiced; one invoice part paid, one credited.
  const charged = await report('fouled_stairwell', 'A', 'A-4', 'trappenhuis');
  const credited = await report('fouled_stairwell', 'B', 'B-2', 'trappenhuis');

  await waitFor(url, disputed, (i) => i.phase === 'awaiting_cleanup', 'awaiting cleanup');
  await call(url, 'POST', `/incidents/${disputed}/disputes`, 'consultant', { reason: 'de huurder zegt dat het een ander was' });
  await waitFor(url, cancelled, (i) => i.phase === 'awaiting_cleanup', 'awaiting cleanup');
  await call(url, 'POST', `/incidents/${cancelled}/cancellation`, 'consultant', { reason: 'dubbel gemeld' });

  const invoices: string[] = [];
  for (const [incidentId, costCents] of [
    [charged, 18_750],
    [credited, 9_900],
  ] as const) {
    await waitFor(url, incidentId, (i) => i.phase === 'cleanup_ordered', 'cleanup ordered');
    await call(url, 'POST', `/incidents/${incidentId}/completion`, 'contractor', { contractorId: 'K-1', costCents });
    const closed = await waitFor(url, incidentId, (i) => i.status === 'closed' && i.invoiceNumber !== null, 'invoiced');
    invoices.push(closed.invoiceNumber as string);
  }
  const [paidInPart, toCredit] = invoices as [string, string];
  await call(url, 'POST', `/invoices/${paidInPart}/payments`, 'finance', { amountCents: 5_000, paidOn: amsterdamDate(new Date()), paymentId: 'fuzz-kas-1', reference: paidInPart });
  await call(url, 'POST', `/invoices/${toCredit}/credit`, 'finance', { reason: 'coulance' });
  const batch = await call(url, 'POST', '/billing/export-batches', 'finance');

  const incidents = [waiting, unknown, disputed, returned, cancelled, charged, credited];
  await waitFor(url, waiting, (i) => i.phase === 'awaiting_cleanup', 'awaiting cleanup');
  await waitFor(url, returned, (i) => i.status === 'closed', 'closed');
  const letters: string[] = [];
  for (const incidentId of incidents) {
    const detail = await call(url, 'GET', `/incidents/${incidentId}`, 'consultant');
    letters.push(...(detail.letters as { letterId: string }[]).map((l) => l.letterId));
  }
  return {
    incidents,
    invoices,
    letters,
    batches: batch?.batchId ? [batch.batchId as string] : [],
    tenants: tenants.map((t) => t.contractNumber),
    contractors: contractors.map((c) => c.contractorId),
    tenantIncident: waiting,
    tenantToken: signTenantLink({ incidentId: waiting, tenantId: 'A-2', expiresAt: new Date(Date.now() + 30 * 86_400_000) }, linkSecret),
  };
}

async function serve(url: string, seed: Seed): Promise<void> {
  console.log(`
The fuzz stack is running; the curl lines of a fuzz report run against it with API=${url}
  API=${url}
  keys        ${Object.entries(keys).map(([role, key]) => `${role}=${key}`).join('  ')}
  incidents   ${seed.incidents.join(' ')}
  invoices    ${seed.invoices.join(' ')}
  letters     ${seed.letters.slice(0, 3).join(' ')} ...
  tenant link ${url}/links/${seed.tenantToken}  (token=${seed.tenantToken})
Stop: Ctrl-C`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

// ---------------------------------------------------------------------------------------------
// Schemathesis

interface RunOptions {
  maxExamples: number;
  checks: string;
  seed: string | undefined;
  workers: string;
  requestTimeout: string;
  phases: string;
}

/** A request that failed a check (status set) or got no answer in time (status null). */
interface Failure {
  caller: Caller;
  operation: string;
  status: number | null;
  title: string;
  curl: string;
}

interface RunResult {
  caller: Caller;
  operations: number;
  cases: number;
  failures: Failure[];
  /** Problems of the run itself (no report written): the run fails with them. */
  problems: string[];
}

const toml = (value: unknown) => JSON.stringify(value);
const dictionary = (name: string, values: string[]) => (values.length ? `[dictionaries.${name}]\nvalues = ${toml(values)}\n` : '');
const bind = (key: string, name: string, values: string[], probability = 0.5) =>
  values.length ? `${toml(key)} = { dictionary = ${toml(name)}, probability = ${probability} }\n` : '';

/**
 * Text that the storage or a parser may choke on, mixed into string parameters and free-text fields
 * now and then: generated strings rarely hold a NUL, a date PostgreSQL cannot store, or a formula.
 */
const hostileText = ['\u0000', 'schoon\u0000gemaakt', '0000-01-01', '0020-02-29', '99999-12-31', '0000-01', '=2+3', '\u202e', '%00', '../../etc/passwd', 'é'.repeat(60)];
/** Mixed into the seeded ids of path parameters (their own dictionaries win over the type-wide one). */
const hostileIds = ['\u0000', 'a\u0000b'];
const freeTextFields = ['note', 'reason', 'location', 'description', 'reference', 'paymentId', 'complexId', 'buildingId'];
const directoryFields = ['contractNumber', 'name', 'email', 'street', 'city', 'complexId', 'buildingId', 'contractorId', 'invoiceNumber', 'reference', 'paymentId'];

/**
 * The project config of one run: the seeded ids as dictionaries, drawn about half of the time.
 * (Not the letters': their ids hold a slash, which Schemathesis never puts into a path parameter.)
 */
function schemathesisConfig(caller: Caller, seed: Seed): string {
  const incidents = caller === 'tenant' ? [seed.tenantIncident] : [...seed.incidents, ...hostileIds];
  const headers = caller !== 'none' && caller !== 'tenant' ? `[headers]\nAuthorization = ${toml(`Bearer ${keys[caller]}`)}\n\n` : '';
  return [
    // No replay of earlier runs' failures: each run stands on its own.
    '[cache]\nenabled = false\n\n',
    headers,
    dictionary('incidents', incidents),
    dictionary('invoices', [...seed.invoices, ...hostileIds]),
    dictionary('batches', [...seed.batches, ...hostileIds]),
    dictionary('tenants', seed.tenants),
    dictionary('contractors', seed.contractors),
    caller === 'tenant' ? dictionary('tokens', [seed.tenantToken]) : '',
    dictionary('hostile', hostileText),
    '\n[generation.dictionaries]\nstring = { dictionary = "hostile", probability = 0.05 }\n',
    '\n[parameters]\n',
    ...freeTextFields.map((field) => bind(`body.${field}`, 'hostile', hostileText, 0.1)),
    ...directoryFields.map((field) => bind(`body.[*].${field}`, 'hostile', hostileText, 0.05)),
    bind('path.number', 'invoices', seed.invoices),
    bind('body.polluterTenantId', 'tenants', seed.tenants),
    bind('body.complainantTenantId', 'tenants', seed.tenants),
    bind('body.tenantId', 'tenants', seed.tenants),
    bind('body.contractorId', 'contractors', seed.contractors),
    caller === 'tenant' ? bind('query.token', 'tokens', [seed.tenantToken], 0.9) : '',
    `\n[[operations]]\ninclude-path-regex = "^/incidents/"\n[operations.parameters]\n`,
    bind('path.id', 'incidents', incidents, caller === 'tenant' ? 0.9 : 0.5),
    `\n[[operations]]\ninclude-path = "/billing/export-batches/{id}"\n[operations.parameters]\n`,
    bind('path.id', 'batches', seed.batches),
  ].join('');
}

/** One Schemathesis run: who calls, with which project config and options. */
interface Pass {
  name: string;
  caller: Caller;
  config: string;
  options: RunOptions;
  filter?: string[];
}

/** The names of every path parameter in the API's OpenAPI document. */
async function pathParameterNames(url: string): Promise<string[]> {
  const document = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>> };
  const names = Object.values(document.paths).flatMap((item) => Object.values(item).flatMap((op) => (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name)));
  return [...new Set(names)];
}

function nulIdsPass(caller: Exclude<Caller, 'none' | 'tenant'>, pathParameters: string[], options: RunOptions): Pass {
  const config = [
    '[cache]\nenabled = false\n\n',
    `[headers]\nAuthorization = ${toml(`Bearer ${keys[caller]}`)}\n\n`,
    '[parameters]\n',
    ...pathParameters.map((name) => `${toml(`path.${name}`)} = ${toml('a\u0000b')}\n`),
  ].join('');
  return { name: `${caller} (NUL ids)`, caller, config, options: { ...options, phases: 'fuzzing', maxExamples: 3 }, filter: ['--include-path-regex', '\\{'] };
}

async function runSchemathesis(executable: string, url: string, pass: Pass, outDir: string): Promise<RunResult> {
  const { caller, options } = pass;
  const file = pass.name.replace(/[^a-z0-9]+/gi, '-').replace(/-$/, '');
  const configFile = join(outDir, `${file}.schemathesis.toml`);
  writeFileSync(configFile, pass.config);
  const jsonReport = join(outDir, `${file}.json`);
  const ndjsonReport = join(outDir, `${file}.ndjson`);
  const logFile = join(outDir, `${file}.log`);
  const args = [
    '--config-file',
    configFile,
    'run',
    `${url}/openapi.json`,
    ...(pass.filter ?? []),
    '--checks',
    options.checks,
    '--phases',
    options.phases,
    '--max-examples',
    String(options.maxExamples),
    '--workers',
    options.workers,
    '--request-timeout',
    options.requestTimeout,
    '--generation-allow-x00',
    'true',
    '--generation-database',
    'none',
    '--continue-on-failure',
    '--no-shrink',
    '--suppress-health-check',
    'all',
    '--no-color',
    '--output-sanitize',
    'false',
    '--report',
    'json,ndjson',
    '--report-json-path',
    jsonReport,
    '--report-ndjson-path',
    ndjsonReport,
    ...(options.seed === undefined ? [] : ['--seed', options.seed]),
  ];
  const output: Buffer[] = [];
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(executable, args, { cwd: outDir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', COLUMNS: '160' } });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.once('error', reject);
    child.once('close', resolve);
  });
  writeFileSync(logFile, Buffer.concat(output));
  if (!existsSync(jsonReport) || !existsSync(ndjsonReport)) {
    return { caller, operations: 0, cases: 0, failures: [], problems: [`Schemathesis exited with ${exitCode} and wrote no report; see ${logFile}`] };
  }
  return { caller, ...(await readReports(caller, jsonReport, ndjsonReport, readFileSync(logFile, 'utf8'), url)) };
}

interface Interaction {
  request: { method: string; uri: string; headers?: Record<string, string[]>; body?: { $base64?: string } | null };
  response?: { status_code: number } | null;
}

/**
 * Schemathesis' reports of one run: counts from the JSON report, each failing request from the NDJSON
 * events. A request without an answer (a timeout, a dropped connection) is an error event there,
 * without the request: its curl line is taken from the ERRORS section of the log.
 */
async function readReports(caller: Caller, jsonReport: string, ndjsonReport: string, log: string, url: string): Promise<Omit<RunResult, 'caller'>> {
  const summary = JSON.parse(readFileSync(jsonReport, 'utf8')) as { operations?: { tested?: number }; test_cases?: { generated?: number } };
  const failures: Failure[] = [];
  const problems: string[] = [];
  const errorCurls = curlsOfErrors(log, url);
  const lines = createInterface({ input: createReadStream(ndjsonReport, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const event = JSON.parse(line) as Record<string, any>;
    if (event.ScenarioFinished) {
      const recorder = event.ScenarioFinished.recorder as {
        label: string;
        checks: Record<string, { name: string; status: string; failure_info?: { failure?: { code?: string; title?: string } } }[]>;
        interactions: Record<string, Interaction>;
      };
      for (const [caseId, checks] of Object.entries(recorder.checks ?? {})) {
        for (const check of checks) {
          if (check.status !== 'failure') continue;
          const interaction = recorder.interactions?.[caseId];
          const failure = check.failure_info?.failure ?? {};
          failures.push({
            caller,
            operation: recorder.label,
            status: interaction?.response?.status_code ?? null,
            title: [failure.code, failure.title].filter(Boolean).join(' ') || check.name,
            curl: interaction ? curlOf(interaction) : '(no request recorded)',
          });
        }
      }
    } else if (event.NonFatalError) {
      const error = event.NonFatalError as { label?: string; value?: { type?: string; message?: string } };
      const operation = error.label ?? '?';
      const type = error.value?.type ?? 'error';
      if (!/^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \//.test(operation)) {
        problems.push(`${operation}: ${type}: ${error.value?.message ?? ''}`.slice(0, 500));
        continue;
      }
      const title = /timeout/i.test(type) ? 'no answer in time' : `${type}: ${(error.value?.message ?? '').slice(0, 200)}`;
      failures.push({ caller, operation, status: null, title, curl: errorCurls.get(operation)?.shift() ?? '(see the log)' });
    }
  }
  return { operations: summary.operations?.tested ?? 0, cases: summary.test_cases?.generated ?? 0, failures, problems };
}

/** The "Reproduce with" curl of each error in the log's ERRORS section, by operation, the API's address as $API. */
function curlsOfErrors(log: string, url: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const section = /^=+ ERRORS =+$([\s\S]*?)(?=^=+ [A-Z ]+ =+$|(?![\s\S]))/m.exec(log)?.[1] ?? '';
  let operation: string | null = null;
  for (const line of section.split('\n')) {
    const heading = /^_{3,} (.+?) _{3,}$/.exec(line.trim());
    if (heading?.[1]) operation = heading[1];
    else if (operation && line.trim().startsWith('curl ')) {
      const curl = line.trim().split(`'${url}`).join(`"$API"'`).split(url).join('"$API"');
      found.set(operation, [...(found.get(operation) ?? []), curl]);
    }
  }
  return found;
}

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** A curl line that sends the same request; the API's address is left to $API (see --serve). */
function curlOf({ request }: Interaction): string {
  const url = new URL(request.uri);
  const parts = ['curl', '-g', '-sS', '-i', '-X', request.method];
  for (const [name, values] of Object.entries(request.headers ?? {})) {
    if (/^(user-agent|accept|accept-encoding|connection|content-length|x-schemathesis-testcaseid)$/i.test(name)) continue;
    for (const value of values) parts.push('-H', shellQuote(`${name}: ${value}`));
  }
  parts.push(`"$API"${shellQuote(url.pathname + url.search)}`);
  const body = request.body?.$base64 === undefined ? null : Buffer.from(request.body.$base64, 'base64');
  if (body === null) return parts.join(' ');
  // Printable ASCII goes inline; anything else byte for byte through base64.
  if (/^[\x20-\x7e]*$/.test(body.toString('latin1'))) return [...parts, '--data-raw', shellQuote(body.toString('latin1'))].join(' ');
  return `printf %s ${shellQuote(body.toString('base64'))} | base64 -d | ${[...parts, '--data-binary', '@-'].join(' ')}`;
}

/** The summary, and each distinct failure (operation, status, what failed) with the shortest curl that shows it. */
function report(runs: RunResult[], outDir: string, seconds: number): boolean {
  const distinct = new Map<string, { failure: Failure; callers: Set<Caller>; count: number }>();
  for (const failure of runs.flatMap((r) => r.failures)) {
    const key = `${failure.operation} ${failure.status ?? '-'} ${failure.title}`;
    const seen = distinct.get(key);
    if (!seen) distinct.set(key, { failure, callers: new Set([failure.caller]), count: 1 });
    else {
      seen.callers.add(failure.caller);
      seen.count += 1;
      if (failure.curl.length < seen.failure.curl.length) seen.failure = failure;
    }
  }
  const problems = runs.flatMap((r) => r.problems.map((p) => `${r.caller}: ${p}`));
  const cases = runs.reduce((sum, r) => sum + r.cases, 0);
  const operations = Math.max(0, ...runs.map((r) => r.operations));
  console.log(
    `\n[fuzz] ${new Set(runs.map((r) => r.caller)).size} callers, ${operations} operations, ${runs.length} Schemathesis runs: ${cases} test cases in ${seconds.toFixed(0)} s; ` +
      `${distinct.size} distinct failures${problems.length ? `, ${problems.length} problems of the run itself` : ''}. Logs and reports: ${outDir}`,
  );
  const sorted = [...distinct.values()].sort((a, b) => a.failure.operation.localeCompare(b.failure.operation) || (a.failure.status ?? 0) - (b.failure.status ?? 0));
  for (const { failure, callers: who, count } of sorted) {
    const status = failure.status === null ? 'no answer' : String(failure.status);
    console.log(`\nFAIL ${failure.operation} -> ${status} (${failure.title}; ${count}x, as ${[...who].join(', ')})\n  ${failure.curl}`);
  }
  for (const problem of problems) console.log(`\nPROBLEM ${problem}`);
  if (sorted.length > 0) {
    console.log(`\nTo reproduce: npm run fuzz -- --serve starts the same stack, seeded, and prints API=...; the seeded incident ids differ from run to run.`);
  }
  return distinct.size > 0 || problems.length > 0 || runs.some((r) => r.operations === 0);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
