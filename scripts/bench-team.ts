/**
 * The team's reads at 100,000 incidents: the month's case review and the lasting-solution report,
 * on a database of their own (created and dropped), the incidents written straight into the read
 * model (3 years, 2,000 buildings, 4 categories, 85 % closed). Prints p50 and p95 of 30 runs each.
 *
 *   npx tsx scripts/bench-team.ts [incidents]
 */
import { sql } from 'kysely';
import { createTestDatabase } from '../test/support/database';
import { lastingSolutions, listAgreements, reviewCases } from '../db/reviews';

async function main() {
  const n = Number(process.argv[2] ?? 100_000);
  const database = await createTestDatabase('bench_team');
  const db = database.db;
  try {
    const started = Date.now();
    await sql`select report_cells_triggers(false)`.execute(db).catch(() => undefined);
    await sql`
      insert into incidents (incident_id, category, complex_id, building_id, location, polluter_tenant_id, status, phase, reported_at, reported_on,
        dispute, contractor_id, tenancy_escalation, offence_number, deadline_extensions, outcome, closed_at, last_position)
      select 'B' || g, (array['fouled_stairwell','bulk_waste','neglected_garden','vandalism'])[1 + g % 4], 'C' || (g % 200), 'G' || (g % 2000), 'trappenhuis',
        case when g % 3 = 0 then null else 'T-' || (g % 50000) end,
        case when g % 7 = 0 then 'open' else 'closed' end, case when g % 7 = 0 then 'awaiting_cleanup' else 'closed' end,
        r, (r at time zone 'Europe/Amsterdam')::date,
        case when g % 23 = 0 then 'open' else 'none' end, case when g % 5 = 0 then 'K-1' end, g % 97 = 0, 1 + g % 4, g % 13 / 12,
        case when g % 7 = 0 then null else (array['self_cleaned','cleaned_and_charged','cleaned_at_service_cost','cleaned_at_corporation_cost','dismissed','cancelled'])[1 + g % 6] end,
        case when g % 7 = 0 then null else r + interval '9 days' end, g
      from generate_series(1, ${n}) g, lateral (select timestamptz '2024-01-01 09:00+01' + (g::float / ${n}) * interval '1080 days' as r) t`.execute(db);
    await sql`analyze incidents`.execute(db);
    console.log(`${n} incidents written in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const time = async (label: string, run: () => Promise<unknown>) => {
      await run();
      const ms: number[] = [];
      for (let i = 0; i < 30; i++) {
        const t = process.hrtime.bigint();
        await run();
        ms.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      ms.sort((a, b) => a - b);
      console.log(`${label}: p50 ${ms[14]!.toFixed(1)} ms, p95 ${ms[28]!.toFixed(1)} ms`);
    };
    await time('case review, a month (first 200 cases)', () => reviewCases(db, { month: '2026-06', limit: 200, offset: 0 }));
    await time('lasting solutions, a year of closes', () => lastingSolutions(db, { from: '2025-01-01', to: '2025-12-31', asOf: '2026-12-05' }));
    await time('lasting solutions, three years of closes', () => lastingSolutions(db, { from: '2024-01-01', to: '2026-12-31', asOf: '2026-12-05' }));
    await time('agreements, open first', () => listAgreements(db, { status: 'all', limit: 50, offset: 0 }));
  } finally {
    await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
