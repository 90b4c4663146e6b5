import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { namesIn, opsExpressions, root } from '../support/ops';
import type { Db } from '../../db/connection';
import { createApiMetrics, createWorkerMetrics, metricNames } from '../../observability/metrics';

/**
 * The example dashboard and alert rules (ops/) name metrics by hand: each name of ours must be one
 * the registries have, so that a renamed metric cannot leave a panel or an alert silently empty.
 * (The Temporal SDK's names are checked against a real worker's scrape in test/e2e/operations.test.ts.)
 */
/** Every series name the registries expose: a histogram as its _bucket, _sum and _count. */
function exposedNames(): Set<string> {
  const api = createApiMetrics({ db: {} as Db, readiness: async () => ({ database: 'ok', temporal: 'ok' }) });
  const worker = createWorkerMetrics();
  const names = new Set<string>();
  for (const registry of [api.registry, worker.registry]) {
    for (const metric of registry.getMetricsAsArray()) {
      const { name, type } = metric as unknown as { name: string; type: string };
      names.add(name);
      if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    }
  }
  return names;
}

test('every metric of ours that the dashboard and the alert rules name exists', () => {
  const exposed = exposedNames();
  const missing = opsExpressions().flatMap(({ where, expr }) => namesIn(expr, 'polluter_pays_').filter((name) => !exposed.has(name)).map((name) => `${where}: ${name}`));
  expect(missing).toEqual([]);
});

test('the dashboard shows every metric of ours, and the alert rules cover what the issue asks', () => {
  const dashboard = opsExpressions().filter((e) => e.where.startsWith('panel'));
  const shown = new Set(dashboard.flatMap(({ expr }) => namesIn(expr, 'polluter_pays_')).map((name) => name.replace(/_(bucket|sum|count)$/, '')));
  expect(Object.values(metricNames).filter((name) => !shown.has(name))).toEqual([]);

  const alerted = opsExpressions().filter((e) => e.where.startsWith('alert')).map((e) => e.expr).join('\n');
  for (const name of [
    metricNames.incidentsNeedingAttention,
    metricNames.lettersFailed,
    metricNames.dependencyUp,
    metricNames.activityRetries,
    metricNames.invoicesStepOverdue,
  ]) {
    expect(alerted).toContain(name);
  }
  expect(alerted).toMatch(/polluter_pays_incidents_needing_attention\) > 0/);
});

test('the Prometheus example scrapes the three ports and loads the rules', () => {
  const config = readFileSync(join(root, 'ops/prometheus/prometheus.yml'), 'utf8');
  expect(config).toContain('rule_files:\n  - alerts.yml');
  expect([...config.matchAll(/job_name: (\S+)/g)].map((m) => m[1])).toEqual(['polluter-pays-api', 'polluter-pays-worker', 'polluter-pays-temporal-sdk']);
});
