import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/connection';
import { createApiMetrics } from './metrics';
import type { ReadinessChecks } from './readiness';

/**
 * GET /metrics on the API (Prometheus' text format), and the request latencies it reports. Open like
 * /healthz unless a token is set (METRICS_TOKEN); it shows counts, never a person or an incident.
 */
export function registerMetricsRoute(app: FastifyInstance, deps: { db: Db; readiness: () => Promise<ReadinessChecks>; token?: string }): void {
  const metrics = createApiMetrics(deps);
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
