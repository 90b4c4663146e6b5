/**
 * `npm run bench -- --lifecycle`: how many incident lifecycles, with their letters, the workers
 * carry, and what runs out first.
 *
 *   npm run bench -- --lifecycle                                 # 15 reports/s for 45 s; 1, then 2 workers
 *   npm run bench -- --lifecycle --rate 10 --seconds 120 --drain 120 --workers 1,2,3
 *
 * For each number of workers it starts a stack of its own on a fresh database (the machine's
 * PostgreSQL) and task queue: the API (`api/server.ts`) and the workers (`worker/main.ts`, what
 * `npm run api` and `npm run worker` run) as child processes, on one Temporal dev server and an SMTP
 * catcher that takes every message (and only counts it). It reports incidents through
 * `POST /incidents` at a steady rate, each on a building of its own with its polluter known, under
 * a policy of seconds (notice period 30 s, reminder 15 s before): the notice, the reminder, the
 * deadline, the work order to the contractor; as soon as an incident's work order is out the
 * bench, as the contractor, reports the cleanup with its cost (`POST /incidents/:id/completion`),
 * and the invoice, the warning and the neighbours' notices close the lifecycle
 * (`cleaned_and_charged`). Every 5 s it samples the incidents closed, the letters delivered, the
 * Temporal task queues' backlog (count and age of the oldest task), each process's CPU and the
 * workers' RSS. It prints a table per run and a summary naming what used the CPU.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SMTPServer } from 'smtp-server';
import { createDb, dropDatabase, ensureDatabase, migrateToLatest, type Db } from '../db/connection';
import { upsertContractors, upsertTenants, type Tenant } from '../db/directory';
import { defaultDatabaseUrl, workerDefaults } from '../config/config';
import { projectRoot, temporalCliPath } from './temporal-binaries';
import { freePort } from './ports';

const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface LifecycleOptions {
  rate: number;
  seconds: number;
  drain: number;
  workers: number[];
  /** Extra environment for the workers (WORKER_MAX_*, DATABASE_POOL_SIZE): to try other sizings. */
  workerEnv: Record<string, string>;
}

export function lifecycleOptions(argv: string[]): LifecycleOptions {
  const { values } = parseArgs({
    args: argv,
    strict: false,
    options: {
      rate: { type: 'string', default: '15' },
      seconds: { type: 'string', default: '45' },
      drain: { type: 'string', default: '75' },
      workers: { type: 'string', default: '1,2' },
      'worker-env': { type: 'string', default: '' },
    },
  });
  const number = (name: string, min: number) => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name}: a number of at least ${min}, not ${String(values[name])}`);
    return n;
  };
  const workers = String(values.workers)
    .split(',')
    .map((w) => Number(w.trim()));
  if (workers.some((w) => !Number.isInteger(w) || w < 1 || w > 8)) throw new Error('--workers: numbers of worker processes (1-8) separated by commas, such as 1,2');
  const workerEnv = Object.fromEntries(
    String(values['worker-env'])
      .split(',')
      .filter(Boolean)
      .map((pair) => {
        const at = pair.indexOf('=');
        if (at <= 0) throw new Error(`--worker-env: NAME=value pairs separated by commas, not ${pair}`);
        return [pair.slice(0, at), pair.slice(at + 1)];
      }),
  );
  return { rate: number('rate', 0.1), seconds: number('seconds', 5), drain: number('drain', 10), workers, workerEnv };
}

// ---------------------------------------------------------------------------------------------
// The directory: a building of 8 households per incident (a second report on a building would be
// linked to the first as a duplicate), the polluter its first household; one contractor.

const HOUSEHOLDS = 8;
const buildingOf = (n: number) => `LC-${String(n).padStart(5, '0')}`;
const complexOf = (n: number) => `LCX-${String(Math.floor(n / 5)).padStart(4, '0')}`;
const tenantOf = (n: number, h: number) => `${buildingOf(n)}-${h}`;

function tenants(buildings: number): Tenant[] {
  const all: Tenant[] = [];
  for (let n = 0; n < buildings; n++) {
    for (let h = 1; h <= HOUSEHOLDS; h++) {
      all.push({
        contractNumber: tenantOf(n, h),
        name: `Huishouden ${tenantOf(n, h)}`,
        // One household in eight has no e-mail address: its letters go to the print queue.
        email: h === HOUSEHOLDS ? null : `${tenantOf(n, h).toLowerCase()}@bewoners.test`,
        street: `Benchstraat ${n}`,
        houseNumber: String(h),
        postalCode: '3511 AA',
        city: 'Utrecht',
        complexId: complexOf(n),
        buildingId: buildingOf(n),
        unit: String(h),
      });
    }
  }
  return all;
}

// ---------------------------------------------------------------------------------------------
// Processes: CPU (utime + stime) and memory from /proc.

const ticksPerSecond = 100; // USER_HZ on Linux

function cpuSecondsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return null;
  }
}

function memoryOf(pid: number): { rss: number; peak: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** A process's main thread (a Node process's JavaScript thread): seconds on a CPU, and runnable but waiting for one. */
function schedulerSecondsOf(pid: number): { ran: number; waited: number } | null {
  try {
    const [ran, waited] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return { ran: ran! / 1e9, waited: waited! / 1e9 };
  } catch {
    return null;
  }
}

/** The whole machine's busy CPU seconds (every process, the other work on it too). */
function machineBusySeconds(): number {
  const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
  const [user, nice, system, , , irq, softirq, steal] = cpu!.split(/\s+/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / ticksPerSecond;
}

/** CPU seconds used by a set of processes since the first time each was seen. */
class CpuMeter {
  private first = new Map<number, number>();
  private last = new Map<number, number>();
  sample(pids: number[]): void {
    for (const pid of pids) {
      const seconds = cpuSecondsOf(pid);
      if (seconds === null) continue;
      if (!this.first.has(pid)) this.first.set(pid, seconds);
      this.last.set(pid, seconds);
    }
  }
  get seconds(): number {
    let total = 0;
    for (const [pid, last] of this.last) total += last - this.first.get(pid)!;
    return total;
  }
}

function startProcess(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const out = openSync(logFile, 'a');
  const child = spawn(command, args, { env, cwd: projectRoot(), stdio: ['ignore', out, out] });
  child.on('exit', (code, signal) => {
    if (!stopping.has(child)) log(`  ${name} exited by itself (code ${code}, signal ${signal}); see ${logFile}`);
  });
  return child;
}

const stopping = new Set<ChildProcess>();
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  stopping.add(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------
// The SMTP catcher: takes every message, counts it, keeps nothing.

class CountingSmtp {
  messages = 0;
  bytes = 0;
  lastAt = 0;
  private server: SMTPServer;
  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 20 * 1024 * 1024,
      onData: (stream, _session, callback) => {
        stream.on('data', (chunk: Buffer) => (this.bytes += chunk.length));
        stream.on('end', () => {
          this.messages++;
          this.lastAt = Date.now();
          callback();
        });
      },
    });
  }
  listen(port: number): Promise<void> {
    return new Promise((resolve) => this.server.listen(port, '127.0.0.1', resolve));
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------------------------------------
// One run: N workers against reports at a rate.

interface Sample {
  at: number;
  reported: number;
  closed: number;
  letters: number;
  emails: number;
  workflowBacklog: number;
  workflowBacklogAge: number;
  activityBacklog: number;
  activityBacklogAge: number;
  workerRss: number[];
}

export interface RunResult {
  workers: number;
  accepted: number;
  refused: number;
  reportSeconds: number;
  closed: number;
  letters: number;
  emails: number;
  firstCloseAt: number | null;
  lastCloseAt: number | null;
  firstLetterAt: number | null;
  lastLetterAt: number | null;
  samples: Sample[];
  workerPeakRss: number[];
  /** Cores each part used idle, measured for 10 s before the reports. */
  idleCores: { workers: number; api: number; temporal: number; postgres: number };
  /** The workers' JavaScript threads over the run, summed: on a CPU, and runnable but waiting for one. */
  workerThreads: { ran: number; waited: number };
  cpu: Record<'workers' | 'api' | 'temporal' | 'postgres' | 'bench (SMTP, driver)' | 'machine (everything)', number>;
  wallSeconds: number;
  maxWorkflowBacklogAge: number;
  maxActivityBacklogAge: number;
  endBacklog: { workflow: number; activity: number };
  reportP95Ms: number;
}

const keys = { consultant: 'bench-consultant-key', contractor: 'bench-contractor-key', admin: 'bench-admin-key' };

async function describeBacklog(connection: Connection, taskQueue: string, type: temporal.api.enums.v1.TaskQueueType): Promise<{ count: number; age: number }> {
  try {
    const response = await connection.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: type,
      reportStats: true,
    });
    const stats = response.stats;
    const age = stats?.approximateBacklogAge;
    return { count: Number(stats?.approximateBacklogCount ?? 0), age: age ? Number(age.seconds ?? 0) + (age.nanos ?? 0) / 1e9 : 0 };
  } catch {
    return { count: NaN, age: NaN };
  }
}

async function pollers(connection: Connection, taskQueue: string): Promise<number> {
  const response = await connection.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  return new Set(response.pollers.map((p) => p.identity)).size;
}

async function oneRun(
  workers: number,
  options: LifecycleOptions,
  shared: { temporalAddress: string; temporalPid: number; connection: Connection; smtp: CountingSmtp; smtpUrl: string; runDir: string },
): Promise<RunResult> {
  const id = randomUUID().slice(0, 8);
  const url = new URL(process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? defaultDatabaseUrl('postgres'));
  url.pathname = `/pp_bench_lifecycle_${id}`;
  const databaseUrl = url.toString();
  const databaseName = url.pathname.slice(1);
  const taskQueue = `bench-lifecycle-${id}`;
  const incidents = Math.ceil(options.rate * options.seconds);
  await ensureDatabase(databaseUrl);
  const db: Db = createDb(databaseUrl, 4);
  const children: ChildProcess[] = [];
  try {
    await migrateToLatest(db);
    await upsertTenants(db, tenants(incidents));
    await upsertContractors(db, [{ contractorId: 'K-01', name: 'Schoonmaak Bench', email: 'werkorders@schoon.test', categories: [], complexes: [] }]);

    const apiPort = await freePort();
    const apiBase = `http://127.0.0.1:${apiPort}`;
    const policyFile = join(shared.runDir, 'policy.json');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: shared.temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      SMTP_URL: shared.smtpUrl,
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      PUBLIC_URL: apiBase,
      POLICY_FILE: policyFile,
      API_KEYS: Object.entries(keys).map(([role, key]) => `${role}:${key}`).join(','),
      LINK_SECRET: 'bench-lifecycle-link-secret-0123456789',
      // Several workers on one machine: their metrics ports would collide (the bench measures by itself).
      WORKER_METRICS_PORT: '0',
      TEMPORAL_SDK_METRICS_PORT: '0',
    };
    const tsx = (entry: string) => ['--import', 'tsx', entry];
    const api = startProcess('api', process.execPath, tsx('api/server.ts'), env, join(shared.runDir, `api-${workers}.log`));
    children.push(api);
    const workerProcesses = Array.from({ length: workers }, (_, w) =>
      startProcess(`worker ${w + 1}`, process.execPath, tsx('worker/main.ts'), { ...env, ...options.workerEnv }, join(shared.runDir, `worker-${workers}-${w + 1}.log`)),
    );
    children.push(...workerProcesses);

    // Ready: the API answers and every worker polls the task queue (each bundles the workflows first).
    for (const deadline = Date.now() + 180_000; ; ) {
      const apiReady = await fetch(`${apiBase}/readyz`).then((r) => r.status === 200, () => false);
      if (apiReady && (await pollers(shared.connection, taskQueue)) >= workers) break;
      if (Date.now() > deadline) throw new Error('the API and the workers were not ready within 3 minutes');
      await sleep(500);
    }
    log(`[lifecycle] ${workers} worker(s) polling ${taskQueue}; reporting ${incidents} incidents at ${options.rate}/s`);

    // What the stack uses doing nothing (pollers, timers, the dev server's housekeeping): 10 s idle,
    // so that a lifecycle's cost is what it adds.
    const idle = { workers: new CpuMeter(), api: new CpuMeter(), temporal: new CpuMeter(), postgres: new CpuMeter() };
    const sampleIdle = async () => {
      const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity where datname = ${databaseName}`.execute(db);
      idle.workers.sample(workerProcesses.map((p) => p.pid!));
      idle.api.sample([api.pid!]);
      idle.temporal.sample([shared.temporalPid]);
      idle.postgres.sample(rows.map((r) => r.pid));
    };
    await sampleIdle();
    await sleep(10_000);
    await sampleIdle();
    const idleCores = { workers: idle.workers.seconds / 10, api: idle.api.seconds / 10, temporal: idle.temporal.seconds / 10, postgres: idle.postgres.seconds / 10 };

    const smtpAtStart = shared.smtp.messages;
    const started = Date.now();
    const clock = () => (Date.now() - started) / 1000;
    const meters = { workers: new CpuMeter(), api: new CpuMeter(), temporal: new CpuMeter(), postgres: new CpuMeter(), bench: new CpuMeter() };
    const machineAtStart = machineBusySeconds();
    const threadsAtStart = workerProcesses.map((p) => schedulerSecondsOf(p.pid!) ?? { ran: 0, waited: 0 });
    let threadsAtEnd = threadsAtStart;
    let postgresPids: number[] = [];
    const sampleCpu = async () => {
      const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity where datname = ${databaseName}`.execute(db);
      postgresPids = rows.map((r) => r.pid);
      meters.workers.sample(workerProcesses.map((p) => p.pid!));
      threadsAtEnd = workerProcesses.map((p, w) => schedulerSecondsOf(p.pid!) ?? threadsAtEnd[w]!);
      meters.api.sample([api.pid!]);
      meters.temporal.sample([shared.temporalPid]);
      meters.postgres.sample(postgresPids);
      meters.bench.sample([process.pid]);
    };
    await sampleCpu();

    // The reports, on schedule whatever the answers take.
    let accepted = 0;
    let refused = 0;
    const latencies: number[] = [];
    const reporting = (async () => {
      const sent: Promise<void>[] = [];
      for (let n = 0; n < incidents; n++) {
        const due = started + (n * 1000) / options.rate;
        if (due > Date.now()) await sleep(due - Date.now());
        const at = performance.now();
        sent.push(
          fetch(`${apiBase}/incidents`, {
            method: 'POST',
            headers: { authorization: `Bearer ${keys.consultant}`, 'content-type': 'application/json', 'idempotency-key': `${id}-${n}` },
            body: JSON.stringify({
              category: 'fouled_stairwell',
              complexId: complexOf(n),
              buildingId: buildingOf(n),
              location: 'trappenhuis',
              description: 'benchmark',
              polluterTenantId: tenantOf(n, 1),
            }),
          }).then(
            async (response) => {
              await response.arrayBuffer();
              latencies.push(performance.now() - at);
              if (response.status === 201) accepted++;
              else {
                refused++;
                if (refused <= 3) log(`  POST /incidents answered ${response.status}`);
              }
            },
            () => void refused++,
          ),
        );
      }
      await Promise.all(sent);
      return clock();
    })();

    // The contractor: reports the cleanup of every incident whose work order is out.
    const completed = new Set<string>();
    let contracting = true;
    const contractor = (async () => {
      while (contracting) {
        const ordered = await db.selectFrom('incidents').select('incident_id').where('phase', '=', 'cleanup_ordered').where('status', '=', 'open').execute();
        const todo = ordered.map((r) => r.incident_id).filter((i) => !completed.has(i));
        for (let i = 0; i < todo.length; i += 8) {
          await Promise.all(
            todo.slice(i, i + 8).map(async (incidentId) => {
              const response = await fetch(`${apiBase}/incidents/${incidentId}/completion`, {
                method: 'POST',
                headers: { authorization: `Bearer ${keys.contractor}`, 'content-type': 'application/json', 'idempotency-key': `${incidentId}/completion` },
                body: JSON.stringify({ contractorId: 'K-01', costCents: 18_750 }),
              }).catch(() => null);
              await response?.arrayBuffer();
              if (response?.status === 200) completed.add(incidentId);
            }),
          );
        }
        await sleep(1000);
      }
    })();

    const samples: Sample[] = [];
    const peaks = workerProcesses.map(() => 0);
    let firstCloseAt: number | null = null;
    let lastCloseAt: number | null = null;
    let firstLetterAt: number | null = null;
    let lastLetterAt: number | null = null;
    let reportSeconds = options.seconds;
    void reporting.then((s) => (reportSeconds = s));
    const end = options.seconds + options.drain;
    for (let tick = 1; ; tick++) {
      await sleep(Math.max(0, started + tick * 5000 - Date.now()));
      await sampleCpu();
      const counts = await sql<{ closed: number; letters: number }>`
        select (select count(*)::int from incidents where status = 'closed') as closed,
               (select count(*)::int from letter_deliveries where status = 'sent') as letters`.execute(db);
      const { closed, letters } = counts.rows[0]!;
      const [wf, act] = await Promise.all([
        describeBacklog(shared.connection, taskQueue, temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
        describeBacklog(shared.connection, taskQueue, temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
      ]);
      const rss = workerProcesses.map((p, w) => {
        const memory = memoryOf(p.pid!);
        if (memory) peaks[w] = Math.max(peaks[w]!, memory.peak);
        return memory?.rss ?? 0;
      });
      const at = Math.round(clock());
      const previous = samples.at(-1);
      if (closed > 0 && firstCloseAt === null) firstCloseAt = at;
      if (closed > (previous?.closed ?? 0)) lastCloseAt = at;
      if (letters > 0 && firstLetterAt === null) firstLetterAt = at;
      if (letters > (previous?.letters ?? 0)) lastLetterAt = at;
      const sample: Sample = {
        at,
        reported: accepted,
        closed,
        letters,
        emails: shared.smtp.messages - smtpAtStart,
        workflowBacklog: wf.count,
        workflowBacklogAge: wf.age,
        activityBacklog: act.count,
        activityBacklogAge: act.age,
        workerRss: rss,
      };
      samples.push(sample);
      log(
        `  ${at.toFixed(0).padStart(4)} s  reported ${String(accepted).padStart(5)}  closed ${String(closed).padStart(5)}  letters ${String(letters).padStart(6)}` +
          `  backlog wf ${wf.count} (${wf.age.toFixed(1)} s) act ${act.count} (${act.age.toFixed(1)} s)  worker RSS ${rss.map((r) => `${mb(r)} MB`).join(', ')}`,
      );
      const allDone = accepted + refused >= incidents && closed >= accepted && wf.count === 0 && act.count === 0;
      if (at >= end || (allDone && at >= options.seconds)) break;
    }
    contracting = false;
    await contractor;
    await reporting;
    const wallSeconds = clock();
    const last = samples.at(-1)!;
    latencies.sort((a, b) => a - b);
    return {
      workers,
      accepted,
      refused,
      reportSeconds,
      closed: last.closed,
      letters: last.letters,
      emails: last.emails,
      firstCloseAt,
      lastCloseAt,
      firstLetterAt,
      lastLetterAt,
      samples,
      workerPeakRss: peaks,
      idleCores,
      workerThreads: {
        ran: threadsAtEnd.reduce((sum, t, w) => sum + t.ran - threadsAtStart[w]!.ran, 0),
        waited: threadsAtEnd.reduce((sum, t, w) => sum + t.waited - threadsAtStart[w]!.waited, 0),
      },
      cpu: {
        workers: meters.workers.seconds,
        api: meters.api.seconds,
        temporal: meters.temporal.seconds,
        postgres: meters.postgres.seconds,
        'bench (SMTP, driver)': meters.bench.seconds,
        'machine (everything)': machineBusySeconds() - machineAtStart,
      },
      wallSeconds,
      maxWorkflowBacklogAge: Math.max(...samples.map((s) => s.workflowBacklogAge || 0)),
      maxActivityBacklogAge: Math.max(...samples.map((s) => s.activityBacklogAge || 0)),
      endBacklog: { workflow: last.workflowBacklog, activity: last.activityBacklog },
      reportP95Ms: latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.95))] ?? NaN,
    };
  } finally {
    await Promise.all(children.map(stopProcess));
    await db.destroy();
    await dropDatabase(databaseUrl);
  }
}

const mb = (bytes: number) => Math.round(bytes / 2 ** 20).toLocaleString('en-US');
const rate = (count: number, from: number | null, to: number | null) => (from === null || to === null || to <= from ? '-' : (count / (to - from)).toFixed(2));

function summary(results: RunResult[], options: LifecycleOptions, started: Date): string {
  const sizing = { ...workerDefaults, ...options.workerEnv };
  const lines = [
    '',
    `incident lifecycles, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC: node ${process.version}, ${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GB, load average at start ${os.loadavg()[0]!.toFixed(1)}`,
    `reports at ${options.rate}/s for ${options.seconds} s (POST /incidents), notice 30 s, reminder 15 s before; the contractor's completion at once; drain up to ${options.drain} s`,
    `worker sizing: ${JSON.stringify(sizing)}`,
    '',
  ];
  const header = ['workers', 'starts/s', 'closed', 'lifecycles/s', 'letters', 'letters/s', 'max backlog age wf / act (s)', 'end backlog wf / act', 'worker RSS peak (MB)', 'p95 report (ms)'];
  const rows = results.map((r) => [
    String(r.workers),
    (r.accepted / r.reportSeconds).toFixed(2),
    `${r.closed} of ${r.accepted}`,
    `${rate(r.closed, r.firstCloseAt, r.lastCloseAt)} (${r.firstCloseAt ?? '-'}-${r.lastCloseAt ?? '-'} s)`,
    `${r.letters} (${r.emails} mails)`,
    `${rate(r.letters, r.firstLetterAt, r.lastLetterAt)} (${r.firstLetterAt ?? '-'}-${r.lastLetterAt ?? '-'} s)`,
    `${r.maxWorkflowBacklogAge.toFixed(1)} / ${r.maxActivityBacklogAge.toFixed(1)}`,
    `${r.endBacklog.workflow} / ${r.endBacklog.activity}`,
    r.workerPeakRss.map(mb).join(', '),
    r.reportP95Ms.toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  lines.push(line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line), '');
  for (const r of results) {
    const cores = Object.entries(r.cpu).map(([name, seconds]) => [name, seconds / r.wallSeconds] as const);
    const ours = cores.filter(([name]) => name !== 'machine (everything)').sort((a, b) => b[1] - a[1]);
    const machine = r.cpu['machine (everything)'] / r.wallSeconds;
    const perWorker = r.cpu.workers / r.wallSeconds / r.workers;
    lines.push(
      `${r.workers} worker(s), ${r.wallSeconds.toFixed(0)} s: CPU in cores: ${cores.map(([name, c]) => `${name} ${c.toFixed(2)}`).join(', ')}`,
      `  bottleneck: ${bottleneck(ours[0]![0], perWorker, machine, r)}`,
    );
    // What a lifecycle costs in CPU, whatever else the machine did meanwhile: the figure to size by.
    if (r.closed >= 0.9 * r.accepted && r.closed > 0) {
      // CPU a lifecycle adds: what each part used beyond its idle use over the run.
      const added = (part: 'workers' | 'api' | 'temporal' | 'postgres') => Math.max(0, r.cpu[part] - r.idleCores[part] * r.wallSeconds);
      const per = (seconds: number) => (seconds / r.closed) * 1000;
      const stack = added('workers') + added('api') + added('temporal') + added('postgres');
      lines.push(
        `  idle, in cores: workers ${r.idleCores.workers.toFixed(3)}, API ${r.idleCores.api.toFixed(3)}, Temporal ${r.idleCores.temporal.toFixed(3)}, PostgreSQL ${r.idleCores.postgres.toFixed(3)}`,
        `  CPU a lifecycle adds (with its ${(r.letters / r.closed).toFixed(1)} letters): workers ${per(added('workers')).toFixed(0)} ms, API ${per(added('api')).toFixed(0)} ms, Temporal ${per(added('temporal')).toFixed(0)} ms, PostgreSQL ${per(added('postgres')).toFixed(0)} ms; ` +
          `one worker process (one JavaScript thread, at most ~0.9 of a core) carries ~${(0.9 / (added('workers') / r.closed)).toFixed(1)} lifecycles/s; ` +
          `the whole stack on ${os.cpus().length} dedicated cores ~${(os.cpus().length / (stack / r.closed)).toFixed(1)} lifecycles/s`,
      );
    }
  }
  return lines.join('\n');
}

function bottleneck(top: string, perWorker: number, machine: number, r: RunResult): string {
  const keptUp = r.closed >= r.accepted && r.endBacklog.workflow === 0 && r.endBacklog.activity === 0;
  const parts = [
    keptUp ? 'kept up (every lifecycle closed, no backlog left)' : `did not keep up (${r.accepted - r.closed} lifecycles open at the end, backlog ${r.endBacklog.workflow} / ${r.endBacklog.activity})`,
    `largest CPU user: ${top}`,
    `each worker used ${perWorker.toFixed(2)} of a core${perWorker > 0.85 ? ' (its JavaScript thread is saturated)' : ''}`,
    `the workers' JavaScript threads ran ${r.workerThreads.ran.toFixed(0)} s and waited for a CPU ${r.workerThreads.waited.toFixed(0)} s of ${(r.wallSeconds * r.workers).toFixed(0)} s` +
      (r.workerThreads.waited > r.workerThreads.ran ? ' (starved: they waited for a CPU longer than they ran)' : r.workerThreads.ran + r.workerThreads.waited < 0.5 * r.wallSeconds * r.workers ? ' (mostly idle: waiting on Temporal, PostgreSQL or SMTP)' : ''),
    `the machine was ${((machine / os.cpus().length) * 100).toFixed(0)}% busy${machine / os.cpus().length > 0.9 ? ' (CPU-bound: every core busy)' : ''}`,
  ];
  return parts.join('; ');
}

export async function benchLifecycle(argv: string[]): Promise<void> {
  const options = lifecycleOptions(argv);
  const started = new Date();
  const runDir = join(projectRoot(), '.data', `bench-lifecycle-${started.toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(runDir, { recursive: true });
  writeFileSync(
    join(runDir, 'policy.json'),
    JSON.stringify({ categories: { fouled_stairwell: { noticePeriod: 'PT30S', reminderBefore: 'PT15S' } } }),
  );
  const [temporalPort, smtpPort] = [await freePort(), await freePort()];
  const temporalAddress = `127.0.0.1:${temporalPort}`;
  const server = startProcess(
    'temporal',
    await temporalCliPath(),
    ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(temporalPort), '--headless', '--log-level', 'error'],
    process.env,
    join(runDir, 'temporal.log'),
  );
  const smtp = new CountingSmtp();
  await smtp.listen(smtpPort);
  let connection: Connection | null = null;
  const results: RunResult[] = [];
  try {
    for (const deadline = Date.now() + 60_000; ; ) {
      try {
        connection = await Connection.connect({ address: temporalAddress });
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        break;
      } catch (error) {
        await connection?.close();
        connection = null;
        if (Date.now() > deadline) throw error;
        await sleep(500);
      }
    }
    log(`[lifecycle] Temporal dev server on ${temporalAddress}, SMTP catcher on 127.0.0.1:${smtpPort}, logs in ${runDir}`);
    for (const workers of options.workers) {
      results.push(await oneRun(workers, options, { temporalAddress, temporalPid: server.pid!, connection, smtp, smtpUrl: `smtp://127.0.0.1:${smtpPort}`, runDir }));
    }
  } finally {
    await connection?.close();
    await smtp.close();
    await stopProcess(server);
  }
  process.stdout.write(`${summary(results, options, started)}\n`);
}
