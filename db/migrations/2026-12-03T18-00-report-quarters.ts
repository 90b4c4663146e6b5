import { type Kysely, sql } from 'kysely';

/**
 * Quarter cells: the complexes' and buildings' report cells per quarter of report, beside those
 * per month. A summary by complex over a year, or the hot spots over twelve months beside the
 * twelve before, then reads the quarters a period covers whole and months only at its ends: half
 * the rows, or less, of twelve months each.
 *
 * The two functions that know the cells (`report_cells_add`, which the triggers call, and
 * `report_cells_recompute`, which the rebuild calls) are replaced by copies of those of
 * 2026-11-25T13-00-reports with the quarter cells added; `down` puts back their cells. The
 * recompute now counts the histograms in the same pass as the sums (the separate pass with its
 * sort and join took half of a rebuild's minute at a million incidents), and adds the rare closes
 * after more than 30 working days afterwards.
 */
const HISTOGRAM_DAYS = 31;
const ZEROS = sql.raw(`array_fill(0, array[${HISTOGRAM_DAYS}])`);

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table report_cells drop constraint report_cells_grain_check`.execute(db);
  await sql`alter table report_cells add constraint report_cells_grain_check check (grain in ('day', 'dekad', 'month', 'quarter'))`.execute(db);
  // The hot spots read the month and quarter cells' counts alone: an index-only scan.
  await sql`drop index report_cells_taken_up`.execute(db);
  await sql`create index report_cells_taken_up on report_cells (dimension, grain, period, key) include (taken_up) where grain in ('month', 'quarter')`.execute(db);
  await defineCellFunctions(db, 'with quarters');
  await sql`select report_cells_recompute()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await defineCellFunctions(db, 'without quarters');
  await sql`delete from report_cells where grain = 'quarter'`.execute(db);
  await sql`drop index report_cells_taken_up`.execute(db);
  await sql`create index report_cells_taken_up on report_cells (dimension, period, key) include (taken_up) where grain = 'month'`.execute(db);
  await sql`alter table report_cells drop constraint report_cells_grain_check`.execute(db);
  await sql`alter table report_cells add constraint report_cells_grain_check check (grain in ('day', 'dekad', 'month'))`.execute(db);
}

/**
 * `contributions`: the type of an incident's and an invoice's amounts as the recompute sums them
 * (migration 2026-12-04T20-00-report-cells-integer-sums sums them as integers, into bigints).
 */
export async function defineCellFunctions(
  db: Kysely<any>,
  version: 'with quarters' | 'without quarters',
  contributions: 'bigint' | 'integer' = 'bigint',
): Promise<void> {
  const quarters = version === 'with quarters';
  const amount = sql.raw(contributions);
  // Add (now minus before) to the cells of an incident reported on p_day.
  await sql`
    create or replace function report_cells_add(p_day date, p_category text, p_complex text, p_building text, now_ report_cells, before_ report_cells)
    returns void language plpgsql as $$
    declare
      quarter date := date_trunc('quarter', p_day)::date;
      month date := date_trunc('month', p_day)::date;
      dekad date := report_dekad(p_day);
      days integer[] := ${ZEROS};
      over jsonb := case when now_.close_days_over = before_.close_days_over then '{}'::jsonb
        else report_histogram_add(now_.close_days_over, before_.close_days_over, -1) end;
    begin
      if now_.close_days <> before_.close_days then
        for i in 1..${sql.lit(HISTOGRAM_DAYS)} loop days[i] := now_.close_days[i] - before_.close_days[i]; end loop;
      end if;
      insert into report_cells as c (dimension, grain, period, key, reported, open, returned, self_resolved, charged, service_cost, own_cost,
        dismissed, cancelled, repeat_offences, tenancy_escalations, taken_up, cost_cents, service_costs_cents, invoiced_cents, credited_cents,
        recovered_cents, outstanding_cents, close_days, close_days_over)
      select d.dimension, d.grain, d.period, d.key,
        now_.reported - before_.reported, now_.open - before_.open, now_.returned - before_.returned,
        now_.self_resolved - before_.self_resolved, now_.charged - before_.charged, now_.service_cost - before_.service_cost,
        now_.own_cost - before_.own_cost, now_.dismissed - before_.dismissed, now_.cancelled - before_.cancelled,
        now_.repeat_offences - before_.repeat_offences, now_.tenancy_escalations - before_.tenancy_escalations,
        now_.taken_up - before_.taken_up, now_.cost_cents - before_.cost_cents,
        now_.service_costs_cents - before_.service_costs_cents, now_.invoiced_cents - before_.invoiced_cents,
        now_.credited_cents - before_.credited_cents, now_.recovered_cents - before_.recovered_cents,
        now_.outstanding_cents - before_.outstanding_cents, days, over
      from (values ('category', 'day', p_day, p_category),
                   ('complex', 'day', p_day, p_complex),
                   ('complex', 'dekad', dekad, p_complex),
                   ('complex', 'month', month, p_complex),
                   ('building', 'month', month, p_building)
                   ${quarters ? sql`, ('complex', 'quarter', quarter, p_complex), ('building', 'quarter', quarter, p_building)` : sql``}
           ) d(dimension, grain, period, key)
      on conflict (dimension, grain, period, key) do update set
        reported = c.reported + excluded.reported, open = c.open + excluded.open, returned = c.returned + excluded.returned,
        self_resolved = c.self_resolved + excluded.self_resolved, charged = c.charged + excluded.charged,
        service_cost = c.service_cost + excluded.service_cost, own_cost = c.own_cost + excluded.own_cost,
        dismissed = c.dismissed + excluded.dismissed, cancelled = c.cancelled + excluded.cancelled,
        repeat_offences = c.repeat_offences + excluded.repeat_offences,
        tenancy_escalations = c.tenancy_escalations + excluded.tenancy_escalations, taken_up = c.taken_up + excluded.taken_up,
        cost_cents = c.cost_cents + excluded.cost_cents, service_costs_cents = c.service_costs_cents + excluded.service_costs_cents,
        invoiced_cents = c.invoiced_cents + excluded.invoiced_cents, credited_cents = c.credited_cents + excluded.credited_cents,
        recovered_cents = c.recovered_cents + excluded.recovered_cents, outstanding_cents = c.outstanding_cents + excluded.outstanding_cents,
        close_days = case when excluded.close_days = ${ZEROS} then c.close_days
          else (select array_agg(a + b order by n) from unnest(c.close_days, excluded.close_days) with ordinality x(a, b, n)) end,
        close_days_over = case when excluded.close_days_over = '{}'::jsonb then c.close_days_over
          else report_histogram_add(c.close_days_over, excluded.close_days_over, 1) end;
    end $$`.execute(db);

  // The cells of every incident and invoice at once; the grouping sets are the cells above.
  const groupingSets = quarters
    ? '(day, category), (day, complex_id), (dekad, complex_id), (month, complex_id), (month, building_id), (quarter, complex_id), (quarter, building_id)'
    : '(day, category), (day, complex_id), (dekad, complex_id), (month, complex_id), (month, building_id)';
  const withDays = (sets: string) => sql.raw(sets.replace(/\)/g, ', wd)'));
  const cell = quarters
    ? sql`
      case when grouping(category) = 0 then 'category' when grouping(building_id) = 0 then 'building' else 'complex' end as dimension,
      case when grouping(day) = 0 then 'day' when grouping(dekad) = 0 then 'dekad' when grouping(month) = 0 then 'month' else 'quarter' end as grain,
      coalesce(day, dekad, month, quarter) as period,
      coalesce(category, building_id, complex_id) as key`
    : sql`
      case when grouping(category) = 0 then 'category' when grouping(building_id) = 0 then 'building' else 'complex' end as dimension,
      case when grouping(day) = 0 then 'day' when grouping(dekad) = 0 then 'dekad' else 'month' end as grain,
      coalesce(day, dekad, month) as period,
      coalesce(category, building_id, complex_id) as key`;
  await sql`
    create or replace function report_cells_recompute() returns void language sql as $$
      delete from report_cells;
      with contributions as (
        select i.reported_on as day, report_dekad(i.reported_on) as dekad, date_trunc('month', i.reported_on)::date as month,
          date_trunc('quarter', i.reported_on)::date as quarter,
          i.category, i.complex_id, i.building_id,
          1 as reported,
          (i.status = 'open')::int as open,
          coalesce(i.outcome = 'returned_to_complainant', false)::int as returned,
          coalesce(i.outcome = 'self_cleaned', false)::int as self_resolved,
          coalesce(i.outcome = 'cleaned_and_charged', false)::int as charged,
          coalesce(i.outcome = 'cleaned_at_service_cost', false)::int as service_cost,
          coalesce(i.outcome = 'cleaned_at_corporation_cost', false)::int as own_cost,
          coalesce(i.outcome = 'dismissed', false)::int as dismissed,
          coalesce(i.outcome = 'cancelled', false)::int as cancelled,
          (coalesce(i.offence_number, 0) >= 2)::int as repeat_offences,
          i.tenancy_escalation::int as tenancy_escalations,
          coalesce(i.outcome not in ('returned_to_complainant', 'cancelled'), true)::int as taken_up,
          coalesce(i.cost_cents, 0)::${amount} as cost_cents,
          coalesce(i.service_costs_cents, 0)::${amount} as service_costs_cents,
          0::${amount} as invoiced_cents, 0::${amount} as credited_cents, 0::${amount} as recovered_cents, 0::${amount} as outstanding_cents,
          case when i.outcome in ('self_cleaned', 'cleaned_and_charged', 'cleaned_at_service_cost', 'cleaned_at_corporation_cost', 'dismissed')
            then i.close_working_days end as wd
        from incidents i
        union all
        select i.reported_on, report_dekad(i.reported_on), date_trunc('month', i.reported_on)::date, date_trunc('quarter', i.reported_on)::date,
          i.category, i.complex_id, i.building_id,
          0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
          v.total_cents::${amount}, v.credited_cents::${amount}, v.paid_cents::${amount},
          (case when v.status = 'open' then v.total_cents + v.collection_costs_cents + v.interest_cents - v.paid_cents else 0 end)::${amount},
          null
        from invoices v join incidents i on i.incident_id = v.incident_id
      )
      insert into report_cells (dimension, grain, period, key, reported, open, returned, self_resolved, charged, service_cost, own_cost,
        dismissed, cancelled, repeat_offences, tenancy_escalations, taken_up, cost_cents, service_costs_cents, invoiced_cents, credited_cents,
        recovered_cents, outstanding_cents, close_days, close_days_over)
      select ${cell},
        sum(reported)::int, sum(open)::int, sum(returned)::int, sum(self_resolved)::int, sum(charged)::int, sum(service_cost)::int,
        sum(own_cost)::int, sum(dismissed)::int, sum(cancelled)::int, sum(repeat_offences)::int, sum(tenancy_escalations)::int,
        sum(taken_up)::int, sum(cost_cents)::bigint, sum(service_costs_cents)::bigint, sum(invoiced_cents)::bigint,
        sum(credited_cents)::bigint, sum(recovered_cents)::bigint, sum(outstanding_cents)::bigint,
        array[${sql.join(Array.from({ length: HISTOGRAM_DAYS }, (_, d) => sql`count(*) filter (where wd = ${sql.lit(d)})::int`))}],
        '{}'::jsonb
      from contributions
      group by grouping sets (${sql.raw(groupingSets)});

      -- The rare closes after more than 30 working days (or, were a close dated before its report, fewer).
      update report_cells c set close_days_over = o.over
      from (
        select dimension, grain, period, key, jsonb_object_agg(wd::text, n) as over
        from (
          select ${cell}, wd, count(*)::int as n
          from (
            select i.reported_on as day, report_dekad(i.reported_on) as dekad, date_trunc('month', i.reported_on)::date as month,
              date_trunc('quarter', i.reported_on)::date as quarter, i.category, i.complex_id, i.building_id, i.close_working_days as wd
            from incidents i
            where i.outcome in ('self_cleaned', 'cleaned_and_charged', 'cleaned_at_service_cost', 'cleaned_at_corporation_cost', 'dismissed')
              and i.close_working_days not between 0 and ${sql.lit(HISTOGRAM_DAYS - 1)}
          ) late
          group by grouping sets (${withDays(groupingSets)})
        ) per_day
        group by dimension, grain, period, key
      ) o
      where c.dimension = o.dimension and c.grain = o.grain and c.period = o.period and c.key = o.key;
    $$`.execute(db);
}
