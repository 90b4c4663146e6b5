import { createServer, type Server } from 'node:http';
import { sql } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Db } from '../db/connection';
import { addCalendarDays, amsterdamDate } from '../domain/calendar';
import type { Mailer } from '../activities/mailer';
import type { ReadinessChecks } from './readiness';

/**
 * Every metric of our own, by name: the dashboard (ops/grafana) and the alert rules
 * (ops/prometheus) use these names, and test/unit/ops-metrics.test.ts holds them to it.
 */
export const metricNames = {
  httpRequestDuration: 'polluter_pays_http_request_duration_seconds',
  incidentsOpen: 'polluter_pays_incidents_open',
  incidentsNeedingAttention: 'polluter_pays_incidents_needing_attention',
  invoicesOpen: 'polluter_pays_invoices_open',
  invoicesNeedingAttention: 'polluter_pays_invoices_needing_attention',
  invoicesStepOverdue: 'polluter_pays_invoices_step_overdue',
  dependencyUp: 'polluter_pays_dependency_up',
  lettersSent: 'polluter_pays_letters_sent_total',
  lettersFailed: 'polluter_pays_letters_failed_total',
  activityRetries: 'polluter_pays_activity_retries_total',
  activityDuration: 'polluter_pays_activity_duration_seconds',
} as const;

/** An open invoice's next dunning step is due the working day after its pay-by date; days past that, it is stuck. */
export const STEP_OVERDUE_AFTER_DAYS = 5;

export interface ApiMetrics {
  registry: Registry;
  /** One answered request, by its route's pattern (`/incidents/:id`), never the raw URL. */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void;
}

/**
 * The API's registry: request latencies, the read models' counts (asked at scrape time, each an
 * index-only count) and whether PostgreSQL, Temporal and SMTP answer. Only the API counts the read
 * models, so that a sum over processes does not count them twice.
 */
export function createApiMetrics(deps: { db: Db; readiness: () => Promise<ReadinessChecks> }): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Histogram({
    name: metricNames.httpRequestDuration,
    help: 'HTTP requests by method, route pattern and status code, in seconds',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const { db } = deps;
  // A scrape while PostgreSQL is away still answers: the counts are left out, dependency_up says why.
  const counted = async (gauge: Gauge<string>, query: () => Promise<{ labels: Record<string, string>; count: number }[]>) => {
    gauge.reset();
    const rows = await query().catch(() => []);
    for (const row of rows) gauge.set(row.labels, row.count);
  };
  new Gauge({
    name: metricNames.incidentsOpen,
    help: 'Open incidents by phase (read model)',
    labelNames: ['phase'] as const,
    registers: [registry],
    async collect() {
      await counted(this, async () => {
        const rows = await db.selectFrom('incidents').select(['phase', (eb) => eb.fn.countAll<string>().as('count')]).where('status', '=', 'open').groupBy('phase').execute();
        return rows.map((r) => ({ labels: { phase: r.phase }, count: Number(r.count) }));
      });
    },
  });
  for (const [name, table] of [
    [metricNames.incidentsNeedingAttention, 'incidents'],
    [metricNames.invoicesNeedingAttention, 'invoices'],
  ] as const) {
    new Gauge({
      name,
      help: `${table === 'incidents' ? 'Incidents' : 'Invoices'} whose step waits for a person (needs attention)`,
      registers: [registry],
      async collect() {
        await counted(this, async () => {
          const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('count')).where('attention_since', 'is not', null).executeTakeFirstOrThrow();
          return [{ labels: {}, count: Number(row.count) }];
        });
      },
    });
  }
  new Gauge({
    name: metricNames.invoicesOpen,
    help: 'Open invoices by dunning step (issued, reminded, final_notice, collections) and whether a dispute pauses the dunning',
    labelNames: ['stage', 'paused'] as const,
    registers: [registry],
    async collect() {
      await counted(this, async () => {
        const rows = await db
          .selectFrom('invoices')
          .select(['stage', 'dunning_paused', (eb) => eb.fn.countAll<string>().as('count')])
          .where('status', '=', 'open')
          .groupBy(['stage', 'dunning_paused'])
          .execute();
        return rows.map((r) => ({ labels: { stage: r.stage, paused: String(r.dunning_paused) }, count: Number(r.count) }));
      });
    },
  });
  new Gauge({
    name: metricNames.invoicesStepOverdue,
    help: `Open invoices whose next dunning step is more than ${STEP_OVERDUE_AFTER_DAYS} days late (not paused, not with collections, not waiting for a person): the workflow is stuck`,
    labelNames: ['stage'] as const,
    registers: [registry],
    async collect() {
      const before = addCalendarDays(amsterdamDate(new Date()), -STEP_OVERDUE_AFTER_DAYS);
      await counted(this, async () => {
        const rows = await db
          .selectFrom('invoices')
          .select(['stage', (eb) => eb.fn.countAll<string>().as('count')])
          .where('status', '=', 'open')
          .where('stage', '!=', 'collections')
          .where('pay_by_date', '<', before)
          .where(sql<boolean>`not dunning_paused`)
          .where('attention_since', 'is', null)
          .groupBy('stage')
          .execute();
        return rows.map((r) => ({ labels: { stage: r.stage }, count: Number(r.count) }));
      });
    },
  });
  new Gauge({
    name: metricNames.dependencyUp,
    help: 'Whether a dependency answers the readiness check (1) or not (0): database, temporal, smtp',
    labelNames: ['dependency'] as const,
    registers: [registry],
    async collect() {
      const checks = await deps.readiness();
      this.reset();
      for (const [dependency, answer] of Object.entries(checks)) this.set({ dependency }, answer === 'ok' ? 1 : 0);
    },
  });
  return {
    registry,
    observeRequest(method, route, statusCode, seconds) {
      requests.observe({ method, route, status_code: String(statusCode) }, seconds);
    },
  };
}

export interface WorkerMetrics {
  registry: Registry;
  /** Counts every e-mail the relay took or refused. */
  counting(mailer: Mailer): Mailer;
  /** For Worker.create's `interceptors.activity`: attempts after the first, and each attempt's duration. */
  activityInterceptor: ActivityInterceptorsFactory;
}

/** The worker's registry: letters sent and failed, activity retries and durations. */
export function createWorkerMetrics(): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const sent = new Counter({ name: metricNames.lettersSent, help: 'E-mails the SMTP relay accepted', registers: [registry] });
  const failed = new Counter({
    name: metricNames.lettersFailed,
    help: 'E-mails the SMTP relay did not accept: refused (a 5xx: the letter needs attention) or unsent (no connection, a 4xx: tried again)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const retries = new Counter({
    name: metricNames.activityRetries,
    help: 'Activity attempts after the first, by activity',
    labelNames: ['activity'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: metricNames.activityDuration,
    help: 'Activity attempts by activity and outcome (completed, failed), in seconds',
    labelNames: ['activity', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  failed.inc({ reason: 'refused' }, 0);
  failed.inc({ reason: 'unsent' }, 0);
  return {
    registry,
    counting(mailer) {
      return {
        async send(mail) {
          try {
            await mailer.send(mail);
            sent.inc();
          } catch (error) {
            const { responseCode } = (error ?? {}) as { responseCode?: unknown };
            failed.inc({ reason: typeof responseCode === 'number' && responseCode >= 500 ? 'refused' : 'unsent' });
            throw error;
          }
        },
        close: () => mailer.close(),
      };
    },
    activityInterceptor: (ctx: Context) => ({
      inbound: {
        async execute(input, next) {
          const { activityType, attempt } = ctx.info;
          if (attempt > 1) retries.inc({ activity: activityType });
          const done = durations.startTimer({ activity: activityType });
          try {
            const result = await next(input);
            done({ outcome: 'completed' });
            return result;
          } catch (error) {
            done({ outcome: 'failed' });
            throw error;
          }
        },
      },
    }),
  };
}

/** `GET /metrics` of a registry on its own port (the worker's; the API serves its own route). */
export async function serveMetrics(registry: Registry, host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${error instanceof Error ? error.message : String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
