import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { freePort } from '../../scripts/ports';
import { incidentWorkflowId } from '../../workflows/messages';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedDirectory } from '../support/fixtures';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp';
import { keys } from '../support/stack';
import { namesIn, opsExpressions } from '../support/ops';

jest.setTimeout(300_000);

/**
 * The API and the worker as deployed (`npm run api`, `npm run worker`: processes of their own,
 * configured by the environment) against the run's Temporal dev server, PostgreSQL and a loopback
 * SMTP server, tracing to a collector stand-in that takes OTLP over HTTP: one report is one trace
 * from the HTTP request to the SQL of an activity, every log line is JSON with its request or
 * workflow, the metrics count what happened, /readyz names the SMTP relay when it goes away, and
 * SIGTERM stops both with exit code 0 and nothing on stderr.
 */
const root = join(__dirname, '..', '..');

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
}

let database: TestDatabase;
let smtp: TestSmtpServer;
let collector: Server;
const spans: ReceivedSpan[] = [];
const children: Running[] = [];

function start(script: string, env: NodeJS.ProcessEnv): Running {
  let stdout = '';
  let stderr = '';
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running = { child, stdout: () => stdout, stderr: () => stderr, exit };
  children.push(running);
  return running;
}

async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve(check()).catch(() => undefined);
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`not in time: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const jsonLines = (text: string) => text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, any>);

/** A collector's OTLP/HTTP endpoint (JSON), keeping every span it is sent. */
async function startCollector(): Promise<string> {
  collector = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.url === '/v1/traces') {
        for (const resourceSpans of JSON.parse(body).resourceSpans ?? []) {
          const service = resourceSpans.resource.attributes.find((a: any) => a.key === 'service.name')?.value.stringValue;
          for (const scope of resourceSpans.scopeSpans ?? []) {
            for (const s of scope.spans ?? []) spans.push({ service, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? '', name: s.name });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => collector.listen(port, '127.0.0.1', resolve));
  return `http://127.0.0.1:${port}`;
}

let api: Running;
let worker: Running;
let apiUrl: string;
let workerMetricsUrl: string;
let sdkMetricsUrl: string;
let incidentId: string;

beforeAll(async () => {
  database = await createTestDatabase('operations');
  await seedDirectory(database.db);
  smtp = await startTestSmtpServer();
  const otlp = await startCollector();
  const [apiPort, workerMetricsPort, sdkMetricsPort] = [await freePort(), await freePort(), await freePort()];
  const { DATABASE_URL: _d, LOG_FORMAT: _f, LOG_LEVEL: _l, OTEL_SERVICE_NAME: _s, ...inherited } = process.env;
  const env = {
    ...inherited,
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
    TEMPORAL_TASK_QUEUE: `operations-${Date.now()}`,
    SMTP_URL: smtp.url,
    API_KEYS: Object.entries(keys).map(([role, key]) => `${role}:${key}`).join(','),
    PORT: String(apiPort),
    WORKER_METRICS_PORT: String(workerMetricsPort),
    TEMPORAL_SDK_METRICS_PORT: String(sdkMetricsPort),
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
    OTEL_BSP_SCHEDULE_DELAY: '200',
  };
  apiUrl = `http://127.0.0.1:${apiPort}`;
  workerMetricsUrl = `http://127.0.0.1:${workerMetricsPort}/metrics`;
  sdkMetricsUrl = `http://127.0.0.1:${sdkMetricsPort}/metrics`;
  // The worker at debug: the SDK's line for each activity attempt, with the workflow's ids.
  worker = start('worker/main.ts', { ...env, LOG_LEVEL: 'debug' });
  api = start('api/server.ts', env);
  await eventually(async () => (await fetch(`${apiUrl}/readyz`)).status === 200, 'the API ready');
  await eventually(() => jsonLines(worker.stdout()).some((l) => l.msg === 'Worker state changed' && l.state === 'RUNNING'), 'the worker running', 180_000);

  // One report, through the API as a consultant makes it: the workflow mails the polluter a notice.
  const reported = await fetch(`${apiUrl}/incidents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.consultant}`, 'content-type': 'application/json' },
    body: JSON.stringify({ category: 'fouled_stairwell', complexId: 'C1', buildingId: 'C1-A', location: 'trappenhuis, 3e verdieping', description: 'vuilniszakken op de overloop', polluterTenantId: 'A-4' }),
  });
  expect(reported.status).toBe(201);
  ({ incidentId } = (await reported.json()) as { incidentId: string });
  await eventually(() => smtp.mails.length > 0, 'the notice mailed');
});

afterAll(async () => {
  for (const { child } of children) if (child.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
  await new Promise((resolve) => collector?.close(resolve));
  await smtp?.close();
  await database?.drop();
});

test('every log line is JSON; a request\'s lines carry its reqId, an activity\'s its workflowId', () => {
  const apiLines = jsonLines(api.stdout());
  const incoming = apiLines.find((l) => l.msg === 'incoming request' && l.req?.method === 'POST' && l.req?.url === '/incidents')!;
  expect(incoming.reqId).toEqual(expect.any(String));
  const completed = apiLines.find((l) => l.msg === 'request completed' && l.reqId === incoming.reqId);
  expect(completed?.res.statusCode).toBe(201);
  expect(apiLines.every((l) => l.name === 'api' && typeof l.level === 'string' && typeof l.time === 'string')).toBe(true);
  expect(JSON.stringify(apiLines)).not.toContain(keys.consultant);

  const workerLines = jsonLines(worker.stdout());
  const activityLines = workerLines.filter((l) => l.activityId !== undefined);
  expect(activityLines.length).toBeGreaterThan(0);
  expect(activityLines.filter((l) => typeof l.workflowId !== 'string')).toEqual([]);
  expect(activityLines.some((l) => l.workflowId === incidentWorkflowId(incidentId) && l.activityType === 'deliverLetters')).toBe(true);
});

test('the metrics count the request, the incident, the letters and the activities; the Temporal SDK serves its own', async () => {
  const apiMetrics = await (await fetch(`${apiUrl}/metrics`)).text();
  expect(apiMetrics).toMatch(/^polluter_pays_http_request_duration_seconds_count\{method="POST",route="\/incidents",status_code="201"\} 1$/m);
  expect(apiMetrics).toMatch(/^polluter_pays_incidents_open\{phase="awaiting_cleanup"\} 1$/m);
  expect(apiMetrics).toMatch(/^polluter_pays_incidents_needing_attention 0$/m);
  expect(apiMetrics).toMatch(/^polluter_pays_dependency_up\{dependency="smtp"\} 1$/m);

  const workerMetrics = await (await fetch(workerMetricsUrl)).text();
  expect(Number(/^polluter_pays_letters_sent_total (\d+)$/m.exec(workerMetrics)?.[1])).toBe(smtp.mails.length);
  expect(workerMetrics).toMatch(/^polluter_pays_activity_duration_seconds_count\{activity="deliverLetters",outcome="completed"\} [1-9]/m);

  // Every Temporal SDK metric the dashboard and the alert rules name, as a real worker serves it.
  const sdkMetrics = await (await fetch(sdkMetricsUrl)).text();
  const served = new Set([...sdkMetrics.matchAll(/^(temporal_[a-z_]+)/gm)].map((m) => m[1]));
  const named = [...new Set(opsExpressions().flatMap(({ expr }) => namesIn(expr, 'temporal_')))];
  expect(named.length).toBeGreaterThan(3);
  expect(named.filter((name) => !served.has(name))).toEqual([]);
});

test('a report is one trace: the HTTP request, the workflow it starts and runs, its activities and their SQL', async () => {
  const request = await eventually(() => spans.find((s) => s.name === 'POST /incidents' && s.service === 'polluter-pays-api'), 'the request span');
  const trace = () => spans.filter((s) => s.traceId === request.traceId);
  const byId = () => new Map(trace().map((s) => [s.spanId, s]));
  /** Whether a span descends from one named like `ancestor`, within the trace. */
  const under = (span: ReceivedSpan, ancestor: RegExp) => {
    const spansById = byId();
    for (let parent = spansById.get(span.parentSpanId); parent; parent = spansById.get(parent.parentSpanId)) if (ancestor.test(parent.name)) return true;
    return false;
  };
  await eventually(
    () => trace().some((s) => s.service === 'polluter-pays-worker' && s.name.startsWith('pg.query') && under(s, /^RunActivity:deliverLetters$/)),
    'the SQL of the activity that mails the notice, in the request trace',
  );
  // The workflow's own span ends when the workflow does (days later, in life): cancel it, so that it ends now.
  const cancelled = await fetch(`${apiUrl}/incidents/${incidentId}/cancellation`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.consultant}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'dubbel gemeld' }),
  });
  expect(cancelled.status).toBe(200);
  await eventually(() => trace().some((s) => s.name === 'RunWorkflow:incidentWorkflow'), 'the workflow span, once the workflow ended');
  const names = [...new Set(trace().map((s) => `${s.service} ${s.name}`))].filter((n) => !/ pg[.-]/.test(n) || /pg\.query/.test(n));
  expect(names).toEqual(
    expect.arrayContaining([
      'polluter-pays-api POST /incidents',
      'polluter-pays-api StartWorkflow:incidentWorkflow',
      'polluter-pays-worker RunWorkflow:incidentWorkflow',
      'polluter-pays-worker StartActivity:deliverLetters',
      'polluter-pays-worker RunActivity:deliverLetters',
    ]),
  );
  expect(names.some((n) => /^polluter-pays-api pg\.query/.test(n))).toBe(true);
  // The API's log lines of that request name its trace.
  const logged = jsonLines(api.stdout()).filter((l) => l.traceId === request.traceId).map((l) => l.msg);
  expect(logged).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
  // The chain, link by link: request → start → run → activity → SQL.
  const named = (name: string) => trace().find((s) => s.name === name)!;
  expect(under(named('StartWorkflow:incidentWorkflow'), /^POST \/incidents$/)).toBe(true);
  expect(under(named('RunWorkflow:incidentWorkflow'), /^StartWorkflow:incidentWorkflow$/)).toBe(true);
  expect(under(named('RunActivity:deliverLetters'), /^RunWorkflow:incidentWorkflow$/)).toBe(true);
});

test('/readyz names the SMTP relay when it goes away, letters fail and are tried again; SIGTERM stops the API and the worker cleanly', async () => {
  await smtp.close();
  const answer = await eventually(async () => {
    const response = await fetch(`${apiUrl}/readyz`);
    return response.status === 503 ? ((await response.json()) as { reason: string; checks: Record<string, string> }) : undefined;
  }, 'readiness failing');
  expect(answer.reason).toMatch(/^smtp: /);
  expect(answer.checks).toEqual({ database: 'ok', temporal: 'ok', smtp: expect.stringMatching(/ECONNREFUSED|connect/i) });

  // A report while the relay is gone: its notice fails, and the mail activity is tried again.
  const reported = await fetch(`${apiUrl}/incidents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.consultant}`, 'content-type': 'application/json' },
    body: JSON.stringify({ category: 'bulk_waste', complexId: 'C1', buildingId: 'C1-A', location: 'fietsenstalling', description: 'een bank', polluterTenantId: 'A-2' }),
  });
  expect(reported.status).toBe(201);
  const retried = await eventually(async () => {
    const text = await (await fetch(workerMetricsUrl)).text();
    return /^polluter_pays_activity_retries_total\{activity="deliverLetters"\} [1-9]/m.test(text) ? text : undefined;
  }, 'the notice tried again');
  expect(retried).toMatch(/^polluter_pays_letters_failed_total\{reason="unsent"\} [1-9]/m);
  expect(retried).toMatch(/^polluter_pays_letters_failed_total\{reason="refused"\} 0$/m);

  api.child.kill('SIGTERM');
  worker.child.kill('SIGTERM');
  expect(await api.exit).toBe(0);
  expect(await worker.exit).toBe(0);
  for (const process of [api, worker]) {
    expect(process.stderr()).toBe('');
    expect(process.stdout()).not.toMatch(/^\s+at /m);
  }
  expect(jsonLines(api.stdout()).at(-1)?.msg).toBe('stopped');
  expect(jsonLines(worker.stdout()).at(-1)?.msg).toBe('worker stopped');
});
