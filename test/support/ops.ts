import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The example dashboard and alert rules (ops/), as the expressions they query. */
export const root = join(__dirname, '..', '..');

/** Every query of the dashboard's panels and of the alert rules, with where it is. */
export function opsExpressions(): { where: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync(join(root, 'ops/grafana/polluter-pays.json'), 'utf8')) as { panels: { title: string; targets?: { expr: string }[] }[] };
  const panels = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr })));
  const rules = [...readFileSync(join(root, 'ops/prometheus/alerts.yml'), 'utf8').matchAll(/- alert: (\S+)\n\s+expr: (.+)/g)].map((m) => ({ where: `alert ${m[1]}`, expr: m[2]! }));
  return [...panels, ...rules];
}

/** The metric names with this prefix in one expression. */
export const namesIn = (expr: string, prefix: string) => [...expr.matchAll(new RegExp(`\\b${prefix}[a-z_]+`, 'g'))].map((m) => m[0]);

