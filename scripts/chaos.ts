/**
 * `npm run chaos`: the whole product under faults, repeatably.
 *
 *   npm run chaos -- --incidents 200 --seed 1
 *
 * Starts a stack of its own: a throwaway PostgreSQL cluster (never the machine's server on 5432),
 * a Temporal dev server on an sqlite file, the worker and the API as child processes (what `npm run
 * worker` and `npm run api` run), and an SMTP sink that keeps every message with its Message-ID.
 * Uploads a directory through the API, then reports the incidents at a steady rate, each with an
 * Idempotency-Key, and drives each one to an outcome as people would (tenants confirm through the
 * link in their letter, consultants inspect, cancel, identify the polluter and rule on disputes,
 * the contractor reports the cost, finance books payments and credits invoices), retrying on 503,
 * other 5xx and refused connections with the same key. Meanwhile faults follow a schedule drawn
 * from the seed: the worker killed (SIGKILL) and started again, PostgreSQL stopped `immediate` for
 * 12 s, the SMTP relay gone for 60 s, the API killed and started again, the Temporal dev server
 * restarted. Then it waits for the system to come to rest, checks the invariants, prints a summary
 * and exits 1 when one of them fails. Everything it started is stopped; its files stay in
 * .data/chaos-<time>-seed<seed>/ (logs; the databases too with --keep or when an invariant failed).
 *
 * Options: --incidents N (200), --seed S (1), --rate R reports a second (2), --worker-kills K (8),
 * --pg-down SECONDS (12), --smtp-down SECONDS (60), --quiesce SECONDS (120), --keep.
 */
import { mkdirSync, rmSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { createDb, ensureDatabase, migrateToLatest, type Db } from '../db/connection';
import { rebuildProjections } from '../db/projections';
import { projectionTables } from '../db/schema';
import { amsterdamDate } from '../domain/calendar';
import { incidentIdFor } from '../api/routes/incidents';
import { projectRoot, temporalCliPath } from './temporal-binaries';
import { ThrowawayPostgres } from './chaos/postgres';
import { MailSink } from './chaos/mail-sink';
import { Supervised, freePort } from './chaos/processes';

// ------------------------------------------------------------------------------------------------
// Options, clock, log

const { values: flags } = parseArgs({
  options: {
    incidents: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    rate: { type: 'string', default: '2' },
    'worker-kills': { type: 'string', default: '8' },
    'pg-down': { type: 'string', default: '12' },
    'smtp-down': { type: 'string', default: '60' },
    quiesce: { type: 'string', default: '120' },
    keep: { type: 'boolean', default: false },
  },
});
const options = {
  incidents: positiveInt(flags.incidents, 'incidents'),
  seed: positiveInt(flags.seed, 'seed'),
  rate: Number(flags.rate),
  workerKills: Number(flags['worker-kills']),
  pgDown: Number(flags['pg-down']),
  smtpDown: Number(flags['smtp-down']),
  quiesce: Number(flags.quiesce),
  keep: flags.keep ?? false,
};

function positiveInt(value: string | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number, not ${value}`);
  return n;
}

const started = Date.now();
/** Seconds since the run started. */
const clock = () => (Date.now() - started) / 1000;
const root = projectRoot();
const runDir = join(root, '.data', `chaos-${new Date().toISOString().replace(/[:.]/g, '-')}-seed${options.seed}`);
mkdirSync(runDir, { recursive: true });
const runLog = join(runDir, 'chaos.log');

function log(line: string): void {
  const stamped = `[${clock().toFixed(1).padStart(6)}s] ${line}`;
  console.log(stamped);
  appendFileSync(runLog, `${stamped}\n`);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** mulberry32: the run's only source of chance, so that a seed gives the same plans and schedule. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rng = random(options.seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const between = (lo: number, hi: number) => lo + rng() * (hi - lo);

// ------------------------------------------------------------------------------------------------
// Faults: what happened when

interface Fault {
  kind: 'worker kill' | 'postgres stop' | 'smtp down' | 'api kill' | 'temporal restart';
  start: number;
  end: number | null;
}
const faults: Fault[] = [];
/** When the system came to rest (seconds), for the drain time after the last fault. */
let restAt = 0;
const activeFaults = (at: number) => faults.filter((f) => f.start <= at && (f.end === null || at <= f.end)).map((f) => f.kind);

// ------------------------------------------------------------------------------------------------
// The API, as its clients use it: every attempt counted by status

const keys = { consultant: 'chaos-consultant-key', finance: 'chaos-finance-key', admin: 'chaos-admin-key', contractor: 'chaos-contractor-key' } as const;
type Role = keyof typeof keys;
const LINK_SECRET = 'chaos-link-secret-0123456789';

interface Attempt {
  at: number;
  op: string;
  status: number | 'refused';
  faults: string[];
  detail?: string;
}
const attempts: Attempt[] = [];
let apiBase = '';

class GaveUp extends Error {}

interface CallOptions {
  role?: Role;
  token?: string;
  body?: unknown;
  key?: string;
  /** Give up after this many seconds of retrying. */
  patience?: number;
}

/**
 * One request, tried again on 503 (after its Retry-After), any other 5xx and a refused or cut
 * connection, always with the same Idempotency-Key; answers the first other status.
 */
async function call(op: string, method: string, path: string, o: CallOptions = {}): Promise<{ status: number; body: any; tries: number }> {
  const giveUpAt = Date.now() + (o.patience ?? 240) * 1000;
  const url = `${apiBase}${path}${o.token ? `${path.includes('?') ? '&' : '?'}token=${o.token}` : ''}`;
  const headers: Record<string, string> = {};
  if (o.role) headers.authorization = `Bearer ${keys[o.role]}`;
  if (o.key) headers['idempotency-key'] = o.key;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  for (let tries = 1; ; tries++) {
    const at = clock();
    let wait = 1000;
    try {
      const response = await fetch(url, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body), signal: AbortSignal.timeout(30_000) });
      const text = await response.text();
      const body = text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
      const attempt: Attempt = { at, op, status: response.status, faults: activeFaults(at) };
      if (response.status >= 500) attempt.detail = typeof body === 'object' && body ? String(body.detail ?? '') : String(body).slice(0, 200);
      attempts.push(attempt);
      if (response.status < 500 && response.status !== 429) return { status: response.status, body, tries };
      const retryAfter = Number(response.headers.get('retry-after'));
      if (response.status === 503 || response.status === 429) wait = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 10) * 1000 : 2000;
    } catch (error) {
      attempts.push({ at, op, status: 'refused', faults: activeFaults(at), detail: describe(error) });
    }
    if (Date.now() + wait > giveUpAt) throw new GaveUp(`${op} ${path}: gave up after ${o.patience ?? 240} s of retries`);
    await sleep(wait);
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
}

// ------------------------------------------------------------------------------------------------
// The directory and the plans

const BUILDINGS = Math.max(12, Math.ceil(options.incidents / 3.3));
const HOUSEHOLDS = 6;
const buildingId = (b: number) => `B${String(b).padStart(3, '0')}`;
const complexOf = (b: number) => `C${((b - 1) % 6) + 1}`;
const tenantId = (b: number, u: number) => `T-${String(b).padStart(3, '0')}-${u}`;

function directory() {
  const tenants = [];
  for (let b = 1; b <= BUILDINGS; b++) {
    for (let u = 1; u <= HOUSEHOLDS; u++) {
      tenants.push({
        contractNumber: tenantId(b, u),
        name: `Bewoner ${b}-${u}`,
        // The last household of each building has no e-mail: its letters go to the print queue.
        email: u === HOUSEHOLDS ? null : `bewoner.${b}.${u}@chaos.test`,
        street: 'Chaosstraat',
        houseNumber: `${b}-${u}`,
        postalCode: '3511 AB',
        city: 'Utrecht',
        complexId: complexOf(b),
        buildingId: buildingId(b),
        unit: String(u),
      });
    }
  }
  return { tenants, contractors: [{ contractorId: 'K-1', name: 'Schoonmaak Chaos BV', email: 'werkorders@schoonmaak.test', categories: [], complexes: [] }] };
}

const handledCategories = ['fouled_stairwell', 'bulk_waste', 'vandalism', 'neglected_garden'] as const;
type Category = (typeof handledCategories)[number] | 'living_noise';

type Scenario =
  | 'link_then_inspection'
  | 'inspection_clean'
  | 'collective_clean'
  | 'escalate_charged'
  | 'escalate_unknown'
  | 'identify_later'
  | 'dispute_upheld'
  | 'dispute_rejected'
  | 'cancelled'
  | 'not_handled';
const scenarioWeights: [Scenario, number][] = [
  ['link_then_inspection', 22],
  ['inspection_clean', 10],
  ['collective_clean', 6],
  ['escalate_charged', 30],
  ['escalate_unknown', 8],
  ['identify_later', 6],
  ['dispute_upheld', 4],
  ['dispute_rejected', 4],
  ['cancelled', 5],
  ['not_handled', 5],
];
type Finance = 'pay' | 'partial_then_credit' | 'dispute_upheld' | 'leave_open';

interface Plan {
  index: number;
  key: string;
  scenario: Scenario;
  category: Category;
  building: number;
  polluter: string | null;
  complainant: string | null;
  identifyAs: string | null;
  costCents: number;
  finance: Finance;
  /** Reports of the same space by others while it is open: linked to it. */
  duplicateKeys: string[];
}

function drawScenario(): Scenario {
  const total = scenarioWeights.reduce((sum, [, w]) => sum + w, 0);
  let r = rng() * total;
  for (const [scenario, weight] of scenarioWeights) {
    r -= weight;
    if (r < 0) return scenario;
  }
  return 'escalate_charged';
}

function makePlans(): Plan[] {
  // Each space (building, category) has at most one incident, so that no report is a duplicate by chance.
  const slots: { building: number; category: Category }[] = [];
  for (let b = 1; b <= BUILDINGS; b++) for (const category of [...handledCategories, 'living_noise' as const]) slots.push({ building: b, category });
  const free = (test: (category: Category) => boolean) => {
    const candidates = slots.filter((s) => test(s.category));
    const slot = pick(candidates);
    slots.splice(slots.indexOf(slot), 1);
    return slot;
  };
  // Polluters are mostly each building's first household: repeat offenders, up to a tenancy flag.
  const polluterIn = (b: number) => tenantId(b, rng() < 0.5 ? 1 : 1 + Math.ceil(rng() * 4));
  const plans: Plan[] = [];
  for (let index = 0; index < options.incidents; index++) {
    const scenario = drawScenario();
    const known = !['collective_clean', 'escalate_unknown', 'identify_later', 'not_handled'].includes(scenario);
    const slot =
      scenario === 'not_handled'
        ? free((c) => c === 'living_noise')
        : scenario === 'link_then_inspection'
          ? free((c) => c !== 'living_noise')
          : free((c) => c !== 'living_noise' && c !== 'neglected_garden');
    const finance = pick<Finance>(['pay', 'pay', 'pay', 'partial_then_credit', 'partial_then_credit', 'dispute_upheld', 'leave_open', 'leave_open']);
    plans.push({
      index,
      key: `chaos-${options.seed}-report-${index}`,
      scenario,
      category: slot.category,
      building: slot.building,
      polluter: known ? polluterIn(slot.building) : null,
      complainant: rng() < 0.4 || scenario === 'not_handled' ? tenantId(slot.building, HOUSEHOLDS) : null,
      identifyAs: scenario === 'identify_later' ? polluterIn(slot.building) : null,
      costCents: 5_000 + Math.floor(rng() * 40_000),
      finance,
      duplicateKeys: [],
    });
  }
  // Some spaces are reported again while their incident waits for the contractor.
  const waiting = plans.filter((p) => p.scenario === 'escalate_charged' || p.scenario === 'escalate_unknown');
  for (let i = 0; i < Math.round(options.incidents / 20) && waiting.length > 0; i++) {
    const plan = pick(waiting);
    plan.duplicateKeys.push(`chaos-${options.seed}-duplicate-${i}`);
  }
  return plans;
}

// ------------------------------------------------------------------------------------------------
// What the API says of each incident, read the way a consultant's screen would: the list, every 1.5 s

interface Seen {
  incidentId: string;
  status: 'open' | 'closed';
  phase: string;
  outcome: string | null;
  polluterTenantId: string | null;
  dispute: string;
  deadline: string | null;
  invoiceNumber: string | null;
  attention: { step: string; reason: string } | null;
}
const seen = new Map<string, Seen>();
let observing = true;
let wake: (() => void)[] = [];

async function observe(): Promise<void> {
  while (observing) {
    try {
      for (let offset = 0; ; offset += 500) {
        const { status, body } = await call('GET /incidents', 'GET', `/incidents?limit=500&offset=${offset}`, { role: 'consultant', patience: 60 });
        if (status !== 200) break;
        for (const incident of body.incidents as Seen[]) seen.set(incident.incidentId, incident);
        if (offset + 500 >= body.total) break;
      }
    } catch {
      // gave up for now; the next round tries again
    }
    const waiting = wake;
    wake = [];
    for (const w of waiting) w();
    await sleep(1500);
  }
}

/** The incident as last seen once `test` holds, or null after `timeoutMs`. */
async function until(incidentId: string, test: (incident: Seen) => boolean, timeoutMs: number): Promise<Seen | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const incident = seen.get(incidentId);
    if (incident && test(incident)) return incident;
    if (Date.now() > deadline) return null;
    await new Promise<void>((resolve) => {
      wake.push(resolve);
      setTimeout(resolve, 3000);
    });
  }
}

// ------------------------------------------------------------------------------------------------
// The driver: people acting on each incident

interface Reported {
  key: string;
  plan: number;
  duplicate: boolean;
  status: number;
  incidentId: string | null;
  duplicateOf: string | null;
}
const reports: Reported[] = [];
const driverProblems: string[] = [];
const actionsRefused: { at: number; incident: string; action: string; status: number; detail: string; tries: number }[] = [];
let sink: MailSink;

async function drive(plan: Plan, driveUntil: number): Promise<void> {
  const b = plan.building;
  const report = await call('POST /incidents', 'POST', '/incidents', {
    role: 'consultant',
    key: plan.key,
    body: {
      category: plan.category,
      complexId: complexOf(b),
      buildingId: buildingId(b),
      location: 'trappenhuis, 2e verdieping',
      description: `chaos ${options.seed}/${plan.index}: ${plan.scenario}`,
      polluterTenantId: plan.polluter,
      complainantTenantId: plan.complainant,
    },
  });
  const incidentId: string | null = report.body?.incidentId ?? null;
  reports.push({ key: plan.key, plan: plan.index, duplicate: false, status: report.status, incidentId, duplicateOf: report.body?.duplicateOf ?? null });
  if (!incidentId || (report.status !== 201 && report.status !== 200)) {
    driverProblems.push(`report ${plan.key}: ${report.status} ${JSON.stringify(report.body).slice(0, 200)}`);
    return;
  }
  const done = new Set<string>();
  /** An action with its own key; a 409 means the incident moved on: the person looks again. */
  const act = async (name: string, role: Role | null, path: string, body: unknown, token?: string) => {
    done.add(name);
    const response = await call(`POST /incidents/:id/${path.split('?')[0]}`, 'POST', `/incidents/${incidentId}/${path}`, {
      role: role ?? undefined,
      token,
      key: `${plan.key}/${name}`,
      body,
    });
    if (response.status !== 200) {
      actionsRefused.push({ at: clock(), incident: incidentId, action: name, status: response.status, detail: String(response.body?.detail ?? '').slice(0, 160), tries: response.tries });
    }
    return response;
  };

  while (Date.now() < driveUntil) {
    const incident = await until(incidentId, (i) => i.status === 'closed' || i.phase !== 'reported' || i.attention !== null, 5_000);
    if (!incident) continue;
    if (incident.status === 'closed') break;
    if (incident.attention) break; // listed at the end with its reason: a person would look into it
    const phase = incident.phase;

    // Others report the same space while it waits for the contractor.
    if (phase === 'cleanup_ordered' && plan.duplicateKeys.length > 0 && !done.has('duplicates')) {
      done.add('duplicates');
      for (const key of plan.duplicateKeys) {
        const duplicate = await call('POST /incidents', 'POST', '/incidents', {
          role: 'consultant',
          key,
          body: { category: plan.category, complexId: complexOf(b), buildingId: buildingId(b), location: 'trappenhuis', description: 'nogmaals gemeld', polluterTenantId: null },
        });
        reports.push({ key, plan: plan.index, duplicate: true, status: duplicate.status, incidentId: duplicate.body?.incidentId ?? null, duplicateOf: duplicate.body?.duplicateOf ?? null });
      }
    }

    // The read model says cleanup_reported while a tenant's report awaits the inspection.
    if (phase === 'awaiting_cleanup' || phase === 'cleanup_reported') {
      const notified = incident.polluterTenantId;
      if (plan.scenario === 'cancelled' && !done.has('cancel')) {
        await act('cancel', 'consultant', 'cancellation', { reason: 'dubbel gemeld bij de aannemer' });
      } else if ((plan.scenario === 'dispute_upheld' || plan.scenario === 'dispute_rejected') && !done.has('dispute')) {
        const token = notified ? await sink.linkFor(incidentId, notified, 20_000) : null;
        // The tenant objects through the link in the notice; without one, by phone to the consultant.
        await act('dispute', token ? null : 'consultant', 'disputes', { reason: 'ik was het niet' }, token ?? undefined);
      } else if (incident.dispute === 'open' && !done.has('ruling')) {
        await act('ruling', 'consultant', 'disputes/resolution', { decision: plan.scenario === 'dispute_upheld' ? 'upheld' : 'rejected', note: 'gesprek gevoerd' });
      } else if (plan.scenario === 'identify_later' && !notified && !done.has('identify')) {
        await sleep(between(1000, 4000));
        await act('identify', 'consultant', 'polluter', { tenantId: plan.identifyAs });
      } else if (plan.scenario === 'link_then_inspection' && notified && !done.has('cleanup report')) {
        const token = await sink.linkFor(incidentId, notified, 25_000);
        if (token) await act('cleanup report', null, 'cleanup-reports', { note: 'opgeruimd' }, token);
        else await act('cleanup report', 'consultant', 'cleanup-reports', { note: 'huurder belde: opgeruimd' });
      } else if (
        (plan.scenario === 'link_then_inspection' && done.has('cleanup report') && plan.category !== 'neglected_garden') ||
        plan.scenario === 'inspection_clean' ||
        plan.scenario === 'collective_clean' ||
        (plan.scenario === 'identify_later' && notified && plan.index % 2 === 0)
      ) {
        if (!done.has('inspection')) {
          await sleep(between(500, 3000));
          await act('inspection', 'consultant', 'inspections', { result: 'clean', note: 'bij controle schoon' });
        }
      }
    } else if (phase === 'cleanup_ordered' && !done.has('completion')) {
      await sleep(between(500, 3000));
      await act('completion', 'contractor', 'completion', { contractorId: 'K-1', costCents: plan.costCents });
    }
    // Wait for the incident to move on before looking again.
    const before = JSON.stringify(seen.get(incidentId));
    await until(incidentId, (i) => JSON.stringify(i) !== before, 10_000);
  }

  const closed = seen.get(incidentId);
  if (!closed || closed.status !== 'closed' || !closed.invoiceNumber) return;
  await settleInvoice(plan, incidentId, closed.invoiceNumber);
}

/** Finance and the tenant with the invoice: paid, paid in part and credited, disputed and upheld, or left open. */
async function settleInvoice(plan: Plan, incidentId: string, invoiceNumber: string): Promise<void> {
  const invoice = await call('GET /invoices/:number', 'GET', `/invoices/${invoiceNumber}`, { role: 'finance' });
  if (invoice.status !== 200) return;
  const total: number = invoice.body.totalCents;
  const today = amsterdamDate(new Date());
  const refused = (action: string, response: { status: number; body: any; tries: number }) => {
    if (response.status !== 200) {
      actionsRefused.push({ at: clock(), incident: incidentId, action, status: response.status, detail: String(response.body?.detail ?? '').slice(0, 160), tries: response.tries });
    }
  };
  const pay = (amountCents: number, n: number) =>
    call('POST /invoices/:number/payments', 'POST', `/invoices/${invoiceNumber}/payments`, {
      role: 'finance',
      key: `${plan.key}/payment-${n}`,
      body: { amountCents, paidOn: today, paymentId: `${plan.key}/payment-${n}`, reference: invoiceNumber },
    }).then((r) => refused(`payment ${n}`, r));
  await sleep(between(500, 3000));
  if (plan.finance === 'pay') {
    await pay(total, 1);
  } else if (plan.finance === 'partial_then_credit') {
    await pay(Math.floor(total / 3), 1);
    // Now and then two clerks credit the same invoice at the same moment: one credit note, the other refused.
    const clerks = plan.index % 3 === 0 ? ['credit (clerk 1)', 'credit (clerk 2)'] : ['credit'];
    await Promise.all(
      clerks.map(async (clerk) => {
        const credit = await call('POST /invoices/:number/credit', 'POST', `/invoices/${invoiceNumber}/credit`, {
          role: 'finance',
          key: `${plan.key}/${clerk}`,
          body: { reason: 'coulance na gesprek' },
        });
        refused(clerk, credit);
      }),
    );
  } else if (plan.finance === 'dispute_upheld') {
    const dispute = await call('POST /incidents/:id/disputes', 'POST', `/incidents/${incidentId}/disputes`, { role: 'consultant', key: `${plan.key}/invoice-dispute`, body: { reason: 'factuur betwist' } });
    refused('invoice dispute', dispute);
    if (dispute.status === 200) {
      const ruling = await call('POST /incidents/:id/disputes/resolution', 'POST', `/incidents/${incidentId}/disputes/resolution`, {
        role: 'consultant',
        key: `${plan.key}/invoice-ruling`,
        body: { decision: 'upheld', note: 'bezwaar terecht' },
      });
      refused('invoice ruling', ruling);
    }
  }
}

// ------------------------------------------------------------------------------------------------
// The stack

interface Stack {
  pg: ThrowawayPostgres;
  temporal: Supervised;
  temporalAddress: string;
  worker: Supervised;
  api: Supervised;
  db: Db;
}

async function waitForTemporal(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2000 });
      try {
        await connection.withDeadline(Date.now() + 2000, () => connection.workflowService.getSystemInfo({}));
        // The default namespace exists once the dev server is fully up.
        await connection.withDeadline(Date.now() + 2000, () => connection.workflowService.describeNamespace({ namespace: 'default' }));
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the Temporal dev server at ${address} did not come up: ${describe(error)}`, { cause: error });
      await sleep(500);
    }
  }
}

async function waitForApi(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${apiBase}/readyz`, { signal: AbortSignal.timeout(3000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the API did not become ready within ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

async function startStack(): Promise<Stack> {
  const [pgPort, temporalPort, apiPort, smtpPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  log(`run folder ${runDir}`);
  const pg = ThrowawayPostgres.create(runDir, pgPort);
  await pg.start();
  log(`PostgreSQL ${pg.binDir} on 127.0.0.1:${pgPort} (cluster ${pg.dataDir})`);
  await ensureDatabase(pg.url);
  const db = createDb(pg.url, 4);
  await migrateToLatest(db);

  const cli = await temporalCliPath();
  const temporalAddress = `127.0.0.1:${temporalPort}`;
  const temporal = new Supervised(
    'temporal',
    cli,
    ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(temporalPort), '--headless', '--db-filename', join(runDir, 'temporal.sqlite'), '--log-level', 'warn'],
    process.env,
    join(runDir, 'temporal.log'),
    clock,
    log,
    root,
  );
  temporal.start();
  await waitForTemporal(temporalAddress, 60_000);
  log(`Temporal dev server ${cli} on ${temporalAddress}`);

  sink = new MailSink(smtpPort, clock);
  await sink.up();
  log(`SMTP sink on 127.0.0.1:${smtpPort}`);

  const policyFile = join(runDir, 'policy.json');
  const seconds = { noticePeriod: 'PT40S', reminderBefore: 'PT20S' };
  writeFileSync(
    policyFile,
    JSON.stringify({
      categories: {
        fouled_stairwell: seconds,
        bulk_waste: { ...seconds, serviceCostsForUnknownPolluter: true },
        vandalism: seconds,
        neglected_garden: { ...seconds, acceptCleanupReportWithoutInspection: true },
      },
    }),
  );
  apiBase = `http://127.0.0.1:${apiPort}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: pg.url,
    TEMPORAL_ADDRESS: temporalAddress,
    SMTP_URL: sink.url,
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    PUBLIC_URL: apiBase,
    POLICY_FILE: policyFile,
    API_KEYS: Object.entries(keys).map(([role, key]) => `${role}:${key}`).join(','),
    LINK_SECRET,
    // Every tenant of the run clicks from this one address: the limit per address is not what is tried here.
    TENANT_LINK_RATE_LIMIT: '10000/m',
    // No metrics ports: their defaults may be taken by another stack on the machine.
    WORKER_METRICS_PORT: '0',
    TEMPORAL_SDK_METRICS_PORT: '0',
  };
  // What `npm run worker` and `npm run api` run (tsx), as one process each: a SIGKILL reaches it.
  const tsx = (entry: string) => ['--import', 'tsx', entry];
  const worker = new Supervised('worker', process.execPath, tsx('worker/main.ts'), env, join(runDir, 'worker.log'), clock, log, root);
  const api = new Supervised('api', process.execPath, tsx('api/server.ts'), env, join(runDir, 'api.log'), clock, log, root);
  worker.start();
  api.start();
  await waitForApi(60_000);
  log(`API on ${apiBase}; worker started (pid ${worker.pid})`);
  return { pg, temporal, temporalAddress, worker, api, db };
}

// ------------------------------------------------------------------------------------------------
// The schedule of faults, drawn from the seed

interface Scheduled {
  at: number;
  kind: Fault['kind'];
  /** Seconds down (a kill: before it is started again). */
  down: number;
}

function schedule(reportingSeconds: number): Scheduled[] {
  const span = reportingSeconds + 60;
  const planned: Scheduled[] = [];
  // PostgreSQL, Temporal and the API each in a third of the reporting time, the relay's minute anywhere in it.
  const third = reportingSeconds / 3;
  const thirds = [0, 1, 2].sort(() => rng() - 0.5);
  planned.push({ at: between(10, 10 + third - 5) + thirds[0]! * third, kind: 'postgres stop', down: options.pgDown });
  planned.push({ at: between(10, 10 + third - 5) + thirds[1]! * third, kind: 'temporal restart', down: 3 });
  planned.push({ at: between(10, 10 + third - 5) + thirds[2]! * third, kind: 'api kill', down: between(1, 4) });
  planned.push({ at: between(15, Math.max(16, reportingSeconds - 20)), kind: 'smtp down', down: options.smtpDown });
  // The worker killed every so often, over the reporting time and the minute after.
  for (let i = 0; i < options.workerKills; i++) {
    const slot = span / options.workerKills;
    planned.push({ at: 8 + i * slot + between(0, slot * 0.7), kind: 'worker kill', down: between(1, 5) });
  }
  return planned.sort((a, b) => a.at - b.at);
}

async function inject(stack: Stack, planned: Scheduled): Promise<void> {
  const wait = planned.at - clock();
  if (wait > 0) await sleep(wait * 1000);
  const fault: Fault = { kind: planned.kind, start: clock(), end: null };
  faults.push(fault);
  const downMs = planned.down * 1000;
  switch (planned.kind) {
    case 'worker kill':
      log(`FAULT worker SIGKILL (pid ${stack.worker.pid}); back in ${planned.down.toFixed(1)} s`);
      await stack.worker.kill();
      await sleep(downMs);
      stack.worker.start();
      break;
    case 'api kill':
      log(`FAULT API SIGKILL (pid ${stack.api.pid}); back in ${planned.down.toFixed(1)} s`);
      await stack.api.kill();
      await sleep(downMs);
      stack.api.start();
      break;
    case 'postgres stop':
      log(`FAULT PostgreSQL stop -m immediate; back in ${planned.down} s`);
      await stack.pg.stopImmediately();
      await sleep(downMs);
      await stack.pg.start();
      break;
    case 'smtp down':
      log(`FAULT SMTP relay down for ${planned.down} s`);
      await sink.down();
      await sleep(downMs);
      await sink.up();
      break;
    case 'temporal restart':
      log('FAULT Temporal dev server restart');
      await stack.temporal.terminate();
      await sleep(downMs);
      stack.temporal.start();
      await waitForTemporal(stack.temporalAddress, 60_000);
      break;
  }
  fault.end = clock();
  log(`      ${planned.kind} over after ${(fault.end - fault.start).toFixed(1)} s`);
}

// ------------------------------------------------------------------------------------------------
// Invariants

interface Check {
  name: string;
  ok: boolean;
  /** Listed, but not a failure (for instance incidents that wait in needs attention). */
  note?: boolean;
  detail: string[];
}

async function rows<T>(db: Db, query: ReturnType<typeof sql<T>>): Promise<T[]> {
  return (await query.execute(db)).rows;
}

function gapless(numbers: string[], pattern: RegExp): string[] {
  const byYear = new Map<string, number[]>();
  for (const n of numbers) {
    const m = pattern.exec(n);
    if (!m) return [`${n} is not a number of the series`];
    byYear.set(m[1]!, [...(byYear.get(m[1]!) ?? []), Number(m[2])]);
  }
  const problems: string[] = [];
  for (const [year, list] of byYear) {
    list.sort((a, b) => a - b);
    list.forEach((n, i) => {
      if (n !== i + 1) problems.push(`${year}: number ${i + 1} expected, found ${n}`);
    });
  }
  return problems.slice(0, 10);
}

async function checkInvariants(stack: Stack, plans: Plan[]): Promise<{ checks: Check[]; doubles: string[] }> {
  const { db } = stack;
  const checks: Check[] = [];

  // 1. An outcome for every incident, or needs attention with its reason.
  const incidents = await db.selectFrom('incidents').selectAll().execute();
  const stuck = incidents.filter((i) => i.status !== 'closed' && i.attention_since === null);
  const attention = incidents.filter((i) => i.status !== 'closed' && i.attention_since !== null);
  checks.push({ name: 'every incident reached an outcome', ok: stuck.length === 0, detail: stuck.map((i) => `${i.incident_id} ${i.category} still ${i.status}/${i.phase}`) });
  checks.push({
    name: 'incidents in needs attention',
    ok: true,
    note: attention.length > 0,
    detail: attention.map((i) => `${i.incident_id} ${i.attention_step}: ${i.attention_reason}`),
  });

  // 2. One incident per report key; a duplicate linked once.
  const byKey = new Map(reports.map((r) => [r.key, r]));
  const derived = new Map<string, string>();
  for (const r of reports) if (!r.duplicate) derived.set(incidentIdFor(r.key), r.key);
  const oneProblems: string[] = [];
  for (const i of incidents) if (!derived.has(i.incident_id)) oneProblems.push(`incident ${i.incident_id} (${i.building_id} ${i.category}) belongs to no report key`);
  for (const plan of plans) {
    const r = byKey.get(plan.key);
    if (!r) oneProblems.push(`${plan.key} was never answered`);
    else if (r.incidentId !== incidentIdFor(plan.key)) oneProblems.push(`${plan.key} answered ${r.status} with incident ${r.incidentId}, not ${incidentIdFor(plan.key)}`);
  }
  const linked = await rows<{ incident_id: string; n: number }>(
    db,
    sql`select substr(stream_id, 10) as incident_id, count(*)::int as n from events where type = 'DuplicateReportLinked' group by stream_id`,
  );
  const linkedCount = new Map(linked.map((l) => [l.incident_id, l.n]));
  for (const plan of plans) {
    if (plan.duplicateKeys.length === 0) continue;
    const expected = plan.duplicateKeys.filter((k) => byKey.get(k)?.duplicateOf).length;
    const got = linkedCount.get(incidentIdFor(plan.key)) ?? 0;
    for (const k of plan.duplicateKeys) {
      const r = byKey.get(k);
      if (r && r.duplicateOf !== null && r.duplicateOf !== incidentIdFor(plan.key)) oneProblems.push(`${k} was linked to ${r.duplicateOf}, not the open incident of its space`);
    }
    if (got !== expected) oneProblems.push(`incident of ${plan.key}: ${got} duplicate reports linked, ${expected} answered as linked`);
  }
  checks.push({ name: 'exactly one incident per report key', ok: oneProblems.length === 0, detail: oneProblems });

  // 3. Gapless stream versions.
  const gaps = await rows<{ stream_id: string; n: number; lo: number; hi: number }>(
    db,
    sql`select stream_id, count(*)::int as n, min(stream_version) as lo, max(stream_version) as hi from events group by stream_id
        having min(stream_version) <> 1 or max(stream_version) <> count(*)`,
  );
  const streams = await rows<{ kind: string; n: number }>(db, sql`select split_part(stream_id, '-', 1) as kind, count(distinct stream_id)::int as n from events group by 1`);
  checks.push({
    name: `stream versions gapless (${streams.map((s) => `${s.n} ${s.kind}`).join(', ')})`,
    ok: gaps.length === 0,
    detail: gaps.map((g) => `${g.stream_id}: ${g.n} events, versions ${g.lo}..${g.hi}`),
  });

  // 4. Invoice and credit-note numbers gapless per year; one invoice per incident, one credit note per invoice.
  const issued = await rows<{ number: string; incident: string }>(db, sql`select data->>'invoiceNumber' as number, data->>'incidentId' as incident from events where type = 'InvoiceIssued'`);
  const credited = await rows<{ number: string; invoice: string }>(db, sql`select data->>'creditNoteNumber' as number, data->>'invoiceNumber' as invoice from events where type = 'InvoiceCredited'`);
  const series = await db.selectFrom('invoice_number_series').selectAll().execute();
  const numberProblems = [...gapless(issued.map((i) => i.number), /^(\d{4})-(\d{6})$/), ...gapless(credited.map((c) => c.number), /^C(\d{4})-(\d{6})$/)];
  for (const s of series) {
    const taken = (s.series === 'invoice' ? issued.map((i) => i.number) : credited.map((c) => c.number)).filter((n) => n.includes(`${s.year}-`)).length;
    if (taken !== s.last_number) numberProblems.push(`series ${s.series} ${s.year}: last number ${s.last_number}, ${taken} issued`);
  }
  const twice = <T>(list: T[], keyOf: (t: T) => string) => {
    const count = new Map<string, number>();
    for (const t of list) count.set(keyOf(t), (count.get(keyOf(t)) ?? 0) + 1);
    return [...count].filter(([, n]) => n > 1);
  };
  for (const [incident, n] of twice(issued, (i) => i.incident)) numberProblems.push(`incident ${incident} has ${n} invoices`);
  for (const [invoice, n] of twice(credited, (c) => c.invoice)) {
    numberProblems.push(`invoice ${invoice} has ${n} credit notes (${credited.filter((c) => c.invoice === invoice).map((c) => c.number).join(', ')})`);
  }
  checks.push({ name: `invoice and credit-note numbers gapless, once each (${issued.length} invoices, ${credited.length} credit notes)`, ok: numberProblems.length === 0, detail: numberProblems });

  // 5. Offence numbers per tenant 1..n.
  const offences = await rows<{ tenant_id: string; numbers: number[] }>(db, sql`select tenant_id, array_agg(offence_number order by offence_number) as numbers from offences group by tenant_id`);
  const offenceProblems = offences.filter((o) => o.numbers.some((n, i) => n !== i + 1)).map((o) => `${o.tenant_id}: ${o.numbers.join(', ')}`);
  const maxOffence = Math.max(0, ...offences.map((o) => o.numbers.length));
  checks.push({ name: `offence numbers per tenant 1..n (${offences.length} tenants, up to ${maxOffence})`, ok: offenceProblems.length === 0, detail: offenceProblems });

  // 6. Every letter delivered; every e-mail reached the relay.
  const undelivered = await rows<{ letter_id: string; status: string | null }>(
    db,
    sql`select n.letter_id, d.status from notifications n left join letter_deliveries d on d.letter_id = n.letter_id where d.letter_id is null or d.status <> 'sent'`,
  );
  const emails = await rows<{ letter_id: string; message_id: string; attempts: number }>(
    db,
    sql`select letter_id, message_id, attempts from letter_deliveries where channel = 'email'`,
  );
  const letterCount = await rows<{ n: number; print: number }>(db, sql`select count(*)::int as n, count(*) filter (where d.channel = 'print')::int as print from notifications n left join letter_deliveries d using (letter_id)`);
  const lost = emails.filter((e) => !sink.copies.has(e.message_id));
  checks.push({
    name: `every letter delivered (${letterCount[0]?.n ?? 0} letters: ${emails.length} e-mails, ${letterCount[0]?.print ?? 0} on the print queue)`,
    ok: undelivered.length === 0 && lost.length === 0,
    detail: [...undelivered.map((u) => `${u.letter_id}: ${u.status ?? 'no delivery'}`), ...lost.map((l) => `${l.letter_id}: recorded as sent, never reached the relay`)],
  });

  // 7. Letters sent twice, with the fault that opened the window.
  const doubles: string[] = [];
  const attemptsOf = new Map(emails.map((e) => [e.message_id, e]));
  for (const [messageId, times] of sink.copies) {
    if (times.length < 2) continue;
    const first = times[0]!;
    const last = times[times.length - 1]!;
    // The window: the claim stays open from the relay's answer until the settle is stored. What closed
    // it too late: a fault under way when the first copy went out (the database gone: the settle
    // waits), and the first worker kill after it (the retry then sends the letter again).
    const ongoing = faults.filter((f) => f.start <= first && (f.end ?? Infinity) >= first);
    const kill = faults.find((f) => f.kind === 'worker kill' && f.start >= first - 0.5 && f.start <= last);
    const cause = [...new Set([...ongoing, ...(kill ? [kill] : [])])];
    const near =
      cause.map((f) => `${f.kind} ${f.start >= first ? '+' : ''}${(f.start - first).toFixed(1)} s${f.start <= first ? ` (under way, ${(f.end! - f.start).toFixed(0)} s long)` : ''}`).join(', ') ||
      'no fault: a retry without a kill';
    doubles.push(`${attemptsOf.get(messageId)?.letter_id ?? messageId}: ${times.length} copies at ${times.map((t) => `${t.toFixed(1)} s`).join(', ')} (attempts ${attemptsOf.get(messageId)?.attempts ?? '?'}); window: ${near}`);
  }
  checks.push({ name: `letters sent more than once (same Message-ID at the relay): ${doubles.length}`, ok: true, note: doubles.length > 0, detail: doubles });

  // 8. The rebuild of the read models gives the live rows.
  const live = await readModels(db);
  const rebuilt = await rebuildProjections(db);
  const after = await readModels(db);
  const rebuildProblems: string[] = [];
  for (const table of projectionTables) {
    const a = live[table]!;
    const b = after[table]!;
    if (a.length !== b.length) rebuildProblems.push(`${table}: ${a.length} rows live, ${b.length} rebuilt`);
    const bSet = new Set(b);
    const differing = a.filter((row) => !bSet.has(row));
    if (differing.length > 0) rebuildProblems.push(`${table}: ${differing.length} rows differ, e.g. live ${differing[0]!.slice(0, 300)}`);
  }
  checks.push({ name: `rebuilt read models equal the live ones (${rebuilt.events} events in ${rebuilt.seconds.toFixed(1)} s)`, ok: rebuildProblems.length === 0, detail: rebuildProblems });

  // 9. Processes: no exit other than the kills of the run.
  const crashes = [stack.worker, stack.api, stack.temporal].flatMap((p) => p.crashes.map((c) => `${p.name} died by itself at ${c.at.toFixed(1)} s (code ${c.code}, signal ${c.signal}):\n${c.tail.split('\n').slice(-8).join('\n')}`));
  checks.push({ name: 'the processes survived (no exit but the kills)', ok: crashes.length === 0, detail: crashes });

  // 10. The API: no 500.
  const fiveHundreds = attempts.filter((a) => a.status === 500);
  checks.push({
    name: `no 500 from the API (${attempts.length} requests)`,
    ok: fiveHundreds.length === 0,
    detail: fiveHundreds.slice(0, 15).map((a) => `${a.at.toFixed(1)} s ${a.op} during [${a.faults.join(', ') || 'no fault'}]: ${a.detail ?? ''}`),
  });

  // 11. A retried action answers as its first attempt: no 409 that names what the action itself did.
  const ownEffect: Record<string, RegExp> = {
    inspection: /closed \(self_cleaned\)/,
    'cleanup report': /closed \(self_cleaned\)/,
    cancel: /closed \(cancelled\)/,
    ruling: /closed \(dismissed\)/,
    completion: /closed \(cleaned_/,
    credit: /is credited/,
    'invoice ruling': /closed|no open dispute|is credited/,
  };
  const misleading = actionsRefused.filter((a) => a.tries > 1 && a.status === 409 && ownEffect[a.action]?.test(a.detail));
  checks.push({
    name: `a retried action answers as its first attempt (${actionsRefused.filter((a) => a.tries > 1).length} refusals after retries)`,
    ok: misleading.length === 0,
    detail: misleading.map((a) => `${a.incident} ${a.action}, after ${a.tries - 1} attempts that failed: ${a.status} ${a.detail}`),
  });

  // 12. Temporal: nothing failed, no incident left running.
  const temporalProblems: string[] = [];
  let running = { incidents: -1, invoices: -1 };
  try {
    const connection = await Connection.connect({ address: stack.temporalAddress });
    const client = new Client({ connection, namespace: 'default' });
    const count = async (query: string) => (await client.workflow.count(query)).count;
    running = { incidents: await count(`WorkflowType = 'incidentWorkflow' AND ExecutionStatus = 'Running'`), invoices: await count(`WorkflowType = 'invoiceWorkflow' AND ExecutionStatus = 'Running'`) };
    const waitingForAPerson = attention.length;
    if (running.incidents > waitingForAPerson) temporalProblems.push(`${running.incidents} incident workflows still running (${waitingForAPerson} wait for attention)`);
    for await (const w of client.workflow.list({ query: `ExecutionStatus = 'Failed' OR ExecutionStatus = 'Terminated' OR ExecutionStatus = 'TimedOut'` })) {
      temporalProblems.push(`${w.workflowId} ${w.status.name}`);
    }
    await connection.close();
  } catch (error) {
    temporalProblems.push(`could not ask Temporal: ${describe(error)}`);
  }
  checks.push({ name: `workflows: none failed, no incident left running (invoice workflows open: ${running.invoices})`, ok: temporalProblems.length === 0, detail: temporalProblems });

  return { checks, doubles };
}

/** Every read model's rows as text, sorted: equal lists are equal tables. */
async function readModels(db: Db): Promise<Record<string, string[]>> {
  const result: Record<string, string[]> = {};
  for (const table of projectionTables) {
    const { rows: found } = await sql<{ row: string }>`select t::text as row from ${sql.table(table)} t order by 1`.execute(db);
    result[table] = found.map((r) => r.row);
  }
  return result;
}

// ------------------------------------------------------------------------------------------------
// Main

async function waitForRest(db: Db, timeoutSeconds: number): Promise<boolean> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    try {
      const [open] = await rows<{ open: number; sending: number }>(
        db,
        sql`select (select count(*)::int from incidents where status = 'open' and attention_since is null) as open,
                   (select count(*)::int from letter_deliveries where status = 'sending') as sending`,
      );
      if (open && open.open === 0 && open.sending === 0) return true;
      if (Date.now() > deadline) {
        log(`not at rest after ${timeoutSeconds} s: ${open?.open} incidents open, ${open?.sending} letters being sent`);
        return false;
      }
    } catch (error) {
      if (Date.now() > deadline) return false;
      log(`waiting for rest: ${describe(error)}`);
    }
    await sleep(2000);
  }
}

function summarise(plans: Plan[], checks: Check[], duration: number, closeSeconds: number[]): void {
  const q = (p: number) => closeSeconds[Math.min(closeSeconds.length - 1, Math.floor(p * closeSeconds.length))]?.toFixed(0) ?? '-';
  const timing = `report to close (every outcome) p50 ${q(0.5)} s, p90 ${q(0.9)} s, max ${q(1)} s`;
  const counted = new Map<string, number>();
  for (const a of attempts) counted.set(String(a.status), (counted.get(String(a.status)) ?? 0) + 1);
  const duringFaults = new Map<string, Map<string, number>>();
  for (const a of attempts) {
    for (const f of a.faults) {
      const m = duringFaults.get(f) ?? new Map<string, number>();
      m.set(String(a.status), (m.get(String(a.status)) ?? 0) + 1);
      duringFaults.set(f, m);
    }
  }
  const fmt = (m: Map<string, number>) => [...m].sort().map(([s, n]) => `${s}: ${n}`).join(', ');
  const kinds = new Map<string, number>();
  for (const f of faults) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
  const outcomes = new Map<string, number>();
  for (const i of seen.values()) outcomes.set(i.outcome ?? `${i.status}/${i.phase}`, (outcomes.get(i.outcome ?? `${i.status}/${i.phase}`) ?? 0) + 1);
  const scenarios = new Map<string, number>();
  for (const p of plans) scenarios.set(p.scenario, (scenarios.get(p.scenario) ?? 0) + 1);

  const lines = [
    '',
    `== chaos run, seed ${options.seed}: ${options.incidents} incidents (+${reports.filter((r) => r.duplicate).length} duplicate reports) in ${duration.toFixed(0)} s`,
    `faults       ${[...kinds].map(([k, n]) => `${k} x${n}`).join(', ')}`,
    `scenarios    ${[...scenarios].map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `outcomes     ${[...outcomes].sort().map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `API answers  ${fmt(counted)}  (refused: no API listening)`,
    ...[...duringFaults].map(([f, m]) => `  during ${f.padEnd(17)} ${fmt(m)}`),
    `refused actions (4xx, the person looked again): ${actionsRefused.length}${actionsRefused.length ? `: ${[...new Set(actionsRefused.map((a) => `${a.action} ${a.status}`))].join(', ')}` : ''}`,
    `mail         ${sink.messages.length} messages at the relay, ${sink.copies.size} distinct Message-IDs`,
    `timing       ${timing}; at rest ${(restAt - Math.max(...faults.map((f) => f.end ?? 0))).toFixed(0)} s after the last fault ended`,
    '',
    'invariant                                                                          result',
    ...checks.map((c) => `${c.name.slice(0, 82).padEnd(83)}${c.ok ? (c.note ? 'listed' : 'ok') : 'FAILED'}`),
  ];
  for (const c of checks) {
    if (c.detail.length === 0) continue;
    lines.push('', `-- ${c.name}:`, ...c.detail.slice(0, 25).map((d) => `   ${d}`), ...(c.detail.length > 25 ? [`   ... ${c.detail.length - 25} more`] : []));
  }
  if (actionsRefused.length > 0) {
    lines.push('', '-- actions refused (the person looked again):', ...actionsRefused.map((a) => `   ${a.at.toFixed(1)} s ${a.incident} ${a.action}${a.tries > 1 ? ` (try ${a.tries})` : ''}: ${a.status} ${a.detail}`));
  }
  if (driverProblems.length > 0) lines.push('', '-- driver:', ...driverProblems.slice(0, 20).map((d) => `   ${d}`));
  for (const line of lines) log(line);
}

async function main(): Promise<number> {
  const plans = makePlans();
  writeFileSync(join(runDir, 'plans.json'), JSON.stringify(plans, null, 1));
  let stack: Stack | null = null;
  const cleanupNow = () => {
    stack?.worker.killNow();
    stack?.api.killNow();
    stack?.temporal.killNow();
    try {
      stack?.pg.stop();
    } catch {
      // best effort at exit
    }
  };
  process.once('SIGINT', () => {
    log('interrupted: stopping everything');
    cleanupNow();
    process.exit(130);
  });
  // Whatever goes wrong in the run itself, nothing it started outlives it.
  process.once('uncaughtException', (error) => {
    log(`the chaos run itself failed: ${error.stack ?? error.message}`);
    cleanupNow();
    process.exit(2);
  });
  let failed = true;
  try {
    stack = await startStack();
    const dir = directory();
    const tenants = await call('PUT /directory/tenants', 'PUT', '/directory/tenants', { role: 'admin', body: dir.tenants });
    const contractors = await call('PUT /directory/contractors', 'PUT', '/directory/contractors', { role: 'admin', body: dir.contractors });
    if (tenants.status !== 200 || contractors.status !== 200) throw new Error(`directory upload: ${tenants.status} ${contractors.status}`);
    log(`directory: ${dir.tenants.length} households in ${BUILDINGS} buildings, 1 contractor`);

    const reportingSeconds = options.incidents / options.rate;
    const planned = schedule(reportingSeconds);
    writeFileSync(join(runDir, 'schedule.json'), JSON.stringify(planned, null, 1));
    log(`${options.incidents} incidents over ${reportingSeconds.toFixed(0)} s; faults at ${planned.map((p) => `${p.at.toFixed(0)}s ${p.kind}`).join(', ')}`);
    const t0 = clock();
    planned.forEach((p) => (p.at += t0));

    const observer = observe();
    const faultsDone = (async () => {
      // One fault of a kind at a time: a worker kill waits for the one before it.
      const chains = new Map<string, Promise<void>>();
      await Promise.all(
        planned.map((p) => {
          const chain = (chains.get(p.kind) ?? Promise.resolve()).then(() => inject(stack!, p));
          chains.set(p.kind, chain);
          return chain;
        }),
      );
    })();
    const driveUntil = Date.now() + (reportingSeconds + 200) * 1000;
    const progress = setInterval(() => {
      const values = [...seen.values()];
      const closed = values.filter((i) => i.status === 'closed').length;
      const statuses = attempts.reduce((m, a) => m.set(String(a.status), (m.get(String(a.status)) ?? 0) + 1), new Map<string, number>());
      log(`progress: ${reports.filter((r) => !r.duplicate).length}/${options.incidents} reported, ${closed} closed, ${values.length - closed} open; API ${[...statuses].map(([s, n]) => `${s}:${n}`).join(' ')}`);
    }, 15_000);
    const drivers = plans.map(async (plan) => {
      await sleep(plan.index * (1000 / options.rate));
      try {
        await drive(plan, driveUntil);
      } catch (error) {
        driverProblems.push(`${plan.key} (${plan.scenario}): ${describe(error)}`);
      }
    });
    await Promise.all(drivers);
    await faultsDone;
    log('every incident driven; waiting for the system to come to rest');
    await waitForRest(stack.db, options.quiesce);
    restAt = clock();
    clearInterval(progress);
    observing = false;
    await observer;

    const closeSeconds = (
      await rows<{ s: number }>(stack.db, sql`select extract(epoch from closed_at - reported_at)::float8 as s from incidents where closed_at is not null order by 1`)
    ).map((r) => r.s);
    const { checks } = await checkInvariants(stack, plans);
    summarise(plans, checks, clock(), closeSeconds);
    writeFileSync(join(runDir, 'attempts.json'), JSON.stringify(attempts));
    writeFileSync(join(runDir, 'faults.json'), JSON.stringify(faults, null, 1));
    writeFileSync(join(runDir, 'reports.json'), JSON.stringify(reports, null, 1));
    failed = checks.some((c) => !c.ok);
    return failed ? 1 : 0;
  } finally {
    if (stack) {
      await stack.worker.stop();
      await stack.api.stop();
      await stack.db.destroy().catch(() => undefined);
      await stack.temporal.stop();
      try {
        stack.pg.stop();
      } catch (error) {
        log(`stopping PostgreSQL: ${describe(error)}`);
      }
      await sink?.down();
      if (!failed && !options.keep) {
        rmSync(stack.pg.baseDir, { recursive: true, force: true });
        rmSync(join(runDir, 'temporal.sqlite'), { force: true });
      }
      log(`logs in ${runDir}${failed || options.keep ? ' (with the PostgreSQL cluster and Temporal sqlite file)' : ''}`);
    }
  }
}

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    log(`chaos run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    if (existsSync(runLog)) process.stderr.write(`see ${runLog}\n`);
    process.exit(2);
  });
