import { timingSafeEqual } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/connection';
import { createApiMetrics } from './metrics';
import type { ReadinessChecks } from './readiness';

/**
 * GET /metrics on the API (Prometheus' text format), the request latencies it reports, and the
 * request's trace span named by its route. Open like
 * /healthz unless a token is set (METRICS_TOKEN); it shows counts, never a person or an incident.
 */
export function registerMetricsRoute(app: FastifyInstance, deps: { db: Db; readiness: () => Promise<ReadinessChecks>; token?: string }): void {
  const metrics = createApiMetrics(deps);
  app.addHook('onRequest', async (request) => {
    // The HTTP request's span (when tracing) is named by its route, as the latencies are: `POST /incidents`.
    const span = trace.getActiveSpan();
    if (span && request.routeOptions.url) span.updateName(`${request.method} ${request.routeOptions.url}`).setAttribute('http.route', request.routeOptions.url);
  });
  app.addHook('onResponse', async (request, reply) => {
    // The route's pattern (`/incidents/:id`), never the URL: one series per route, not per incident.
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });
  const expected = deps.token ? Buffer.from(`Bearer ${deps.token}`) : null;
  app.get('/metrics', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    if (expected) {
      const given = Buffer.from(request.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return reply.status(401).header('www-authenticate', 'Bearer realm="metrics"').type('text/plain').send('GET /metrics needs the METRICS_TOKEN as a bearer token\n');
      }
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
