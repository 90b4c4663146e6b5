import { type Kysely, sql } from 'kysely';
import { workingDayNumbers } from './frozen/dutch-working-days-2026-11-25';

/**
 * The reports' read models.
 *
 * - `incidents` gets the facts the reports need per incident (report and close dates, working days
 *   to close, deadline extensions, an upheld dispute, the offence number, service costs, when the
 *   cleanup was reported and ordered), filled by the projection from the events.
 * - `working_day_calendar` numbers the Dutch working days, so that SQL can count the working days
 *   between two dates exactly as domain/calendar.ts does: it is filled from a copy of its rules frozen
 *   on the day of this migration (frozen/). When the calendar's rules change, a later migration
 *   fills it again.
 * - `report_cells` holds the summary figures pre-aggregated by the period the incidents were
 *   reported in: per day and category; per day, dekad (1st-10th, 11th-20th, 21st-end) and month
 *   and complex; per month and building; so that a report over a year of a million incidents
 *   reads thousands of rows, not hundreds of thousands. Triggers, deferred to the commit, keep it
 *   in step with `incidents` and `invoices` (each row change adds what the row contributes now and
 *   takes away what it contributed before); a rebuild recomputes it from those tables in one
 *   statement. `report_incident_cell` and `report_invoice_cell` define what a row contributes,
 *   `report_cells_recompute` the same for a whole table at once.
 */
/**
 * Handled incidents by working days to close, per cell: `close_days[d + 1]` counts those closed in
 * d working days for d = 0..30; `close_days_over` ({"45": 2}) those closed in more (or, were a close
 * ever dated before its report, fewer). Summed column by column, a year of cells adds up fast.
 */
const HISTOGRAM_DAYS = 31;
const ZEROS = sql.raw(`array_fill(0, array[${HISTOGRAM_DAYS}])`);

export async function up(db: Kysely<any>): Promise<void> {
  // --- per-incident facts ---------------------------------------------------------------------
  await db.schema
    .alterTable('incidents')
    .addColumn('reported_on', 'date')
    .addColumn('closed_on', 'date')
    .addColumn('close_working_days', 'integer')
    .addColumn('deadline_extensions', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('dispute_upheld', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('offence_number', 'integer')
    .addColumn('service_costs_cents', 'bigint')
    .addColumn('cleanup_reported_at', 'timestamptz')
    .addColumn('cleanup_ordered_at', 'timestamptz')
    .execute();

  // --- the working-day calendar ---------------------------------------------------------------
  await db.schema
    .createTable('working_day_calendar')
    .addColumn('day', 'date', (c) => c.primaryKey())
    .addColumn('working_day_number', 'integer', (c) => c.notNull())
    .execute();
  const days = workingDayNumbers('2000-01-01', '2100-01-01');
  for (let i = 0; i < days.length; i += 5000) await db.insertInto('working_day_calendar').values(days.slice(i, i + 5000)).execute();
  // Working days after `from_day` up to and including `to_day`: 0 on the same day; null outside 2000-2099.
  await sql`
    create function working_days_between(from_day date, to_day date) returns integer language sql stable as $$
      select (select working_day_number from working_day_calendar where day = to_day)
           - (select working_day_number from working_day_calendar where day = from_day)
    $$`.execute(db);

  // --- backfill of the new facts from the read models and the events --------------------------
  await sql`update incidents set reported_on = (reported_at at time zone 'Europe/Amsterdam')::date,
    closed_on = (closed_at at time zone 'Europe/Amsterdam')::date,
    dispute_upheld = dispute = 'upheld'`.execute(db);
  await sql`update incidents set close_working_days = working_days_between(reported_on, closed_on) where closed_on is not null`.execute(db);
  await sql`alter table incidents alter column reported_on set not null`.execute(db);
  await sql`update incidents i set offence_number = o.offence_number from offences o where o.incident_id = i.incident_id`.execute(db);
  await sql`update incidents i set service_costs_cents = s.total from
    (select incident_id, sum(amount_cents) as total from service_cost_allocations group by incident_id) s where s.incident_id = i.incident_id`.execute(db);
  await sql`update incidents i set dispute_upheld = true from invoices v
    where v.incident_id = i.incident_id and v.status = 'credited' and v.dunning_paused`.execute(db);
  await sql`update incidents i set deadline_extensions = e.extensions from (
      select incident_id,
        greatest(count(*) filter (where type in ('PolluterNotified', 'CollectiveNoticeSent')) - 1, 0)
          + count(*) filter (where type = 'DunningResumed') as extensions
      from (select case when stream_id like 'incident-%' then substr(stream_id, 10) else data->>'incidentId' end as incident_id, type
            from events where type in ('PolluterNotified', 'CollectiveNoticeSent', 'DunningResumed')) x
      group by incident_id) e
    where e.incident_id = i.incident_id`.execute(db);
  await sql`update incidents i set cleanup_reported_at = e.at from (
      select distinct on (stream_id) substr(stream_id, 10) as incident_id, (data->>'reportedAt')::timestamptz as at
      from events where type = 'CleanupReported' order by stream_id, position desc) e
    where e.incident_id = i.incident_id`.execute(db);
  await sql`update incidents i set cleanup_ordered_at = e.at from (
      select distinct on (stream_id) substr(stream_id, 10) as incident_id, (data->>'orderedAt')::timestamptz as at
      from events where type = 'CleanupOrdered' order by stream_id, position desc) e
    where e.incident_id = i.incident_id`.execute(db);

  // --- indexes of the case review and the overdue lists ---------------------------------------
  // "Unknown polluter again": incidents taken up whose polluter is not known, per building.
  await sql`create index incidents_unknown_polluter_by_building on incidents (building_id, reported_at)
    where polluter_tenant_id is null and (outcome is null or outcome not in ('returned_to_complainant', 'cancelled'))`.execute(db);
  await sql`create index incidents_waiting_for_inspection on incidents (cleanup_reported_at, incident_id) where status = 'open' and phase = 'cleanup_reported'`.execute(db);
  await sql`create index incidents_waiting_for_contractor on incidents (cleanup_ordered_at, incident_id) where status = 'open' and phase = 'cleanup_ordered'`.execute(db);
  // Invoices in dunning: open ones by due date, with what they still claim.
  await sql`create index invoices_in_dunning on invoices (due_date, invoice_number) include (total_cents, collection_costs_cents, interest_cents, paid_cents)
    where status = 'open'`.execute(db);

  // --- pre-aggregated report cells ------------------------------------------------------------
  const measure = (name: string, type: 'integer' | 'bigint' = 'integer') => sql.raw(`${name} ${type} not null default 0`);
  await sql`
    create table report_cells (
      dimension text not null check (dimension in ('category', 'complex', 'building')),
      grain text not null check (grain in ('day', 'dekad', 'month')),
      period date not null,
      key text not null,
      ${sql.join(
        [
          measure('reported'),
          measure('open'),
          measure('returned'),
          measure('self_resolved'),
          measure('charged'),
          measure('service_cost'),
          measure('own_cost'),
          measure('dismissed'),
          measure('cancelled'),
          measure('repeat_offences'),
          measure('tenancy_escalations'),
          measure('taken_up'),
          measure('cost_cents', 'bigint'),
          measure('service_costs_cents', 'bigint'),
          measure('invoiced_cents', 'bigint'),
          measure('credited_cents', 'bigint'),
          measure('recovered_cents', 'bigint'),
          measure('outstanding_cents', 'bigint'),
        ],
        sql`, `,
      )},
      close_days integer[] not null default ${ZEROS},
      close_days_over jsonb not null default '{}',
      primary key (dimension, grain, period, key)
    )`.execute(db);
  // The hot spots read the month cells' counts alone: an index-only scan.
  await sql`create index report_cells_taken_up on report_cells (dimension, period, key) include (taken_up) where grain = 'month'`.execute(db);

  await sql`
    create function report_empty_cell() returns report_cells language sql immutable as $$
      select null::text, null::text, null::date, null::text, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, ${ZEROS}, '{}'::jsonb
    $$`.execute(db);
  // What one incident contributes. Handled: closed other than returned to the complainant or cancelled.
  await sql`
    create function report_close_days(i incidents) returns integer language sql immutable as $$
      select case when i.outcome in ('self_cleaned', 'cleaned_and_charged', 'cleaned_at_service_cost', 'cleaned_at_corporation_cost', 'dismissed')
             then i.close_working_days end
    $$`.execute(db);
  await sql`
    create function report_incident_cell(i incidents) returns report_cells language sql immutable as $$
      select null::text, null::text, null::date, null::text,
        1,
        (i.status = 'open')::int,
        coalesce(i.outcome = 'returned_to_complainant', false)::int,
        coalesce(i.outcome = 'self_cleaned', false)::int,
        coalesce(i.outcome = 'cleaned_and_charged', false)::int,
        coalesce(i.outcome = 'cleaned_at_service_cost', false)::int,
        coalesce(i.outcome = 'cleaned_at_corporation_cost', false)::int,
        coalesce(i.outcome = 'dismissed', false)::int,
        coalesce(i.outcome = 'cancelled', false)::int,
        (coalesce(i.offence_number, 0) >= 2)::int,
        i.tenancy_escalation::int,
        coalesce(i.outcome not in ('returned_to_complainant', 'cancelled'), true)::int,
        coalesce(i.cost_cents, 0)::bigint,
        coalesce(i.service_costs_cents, 0)::bigint,
        0::bigint, 0::bigint, 0::bigint, 0::bigint,
        case when report_close_days(i) between 0 and ${sql.lit(HISTOGRAM_DAYS - 1)}
          then array_fill(0, array[report_close_days(i)]) || 1 || array_fill(0, array[${sql.lit(HISTOGRAM_DAYS - 1)} - report_close_days(i)])
          else ${ZEROS} end,
        case when report_close_days(i) is null or report_close_days(i) between 0 and ${sql.lit(HISTOGRAM_DAYS - 1)} then '{}'::jsonb
          else jsonb_build_object(report_close_days(i)::text, 1) end
    $$`.execute(db);
  // What one invoice contributes to its incident's cells: outstanding is what an open invoice still claims.
  await sql`
    create function report_invoice_cell(v invoices) returns report_cells language sql immutable as $$
      select null::text, null::text, null::date, null::text,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0::bigint, 0::bigint,
        v.total_cents::bigint,
        v.credited_cents::bigint,
        v.paid_cents::bigint,
        case when v.status = 'open' then v.total_cents + v.collection_costs_cents + v.interest_cents - v.paid_cents else 0 end::bigint,
        ${ZEROS}, '{}'::jsonb
    $$`.execute(db);
  // A histogram of working days ({"3": 12}) plus or minus another; counts that reach 0 are dropped.
  // PL/pgSQL rather than SQL functions: their plans are kept for the session, which a trigger needs.
  await sql`
    create function report_histogram_add(a jsonb, b jsonb, sign integer) returns jsonb language plpgsql immutable as $$
    declare result jsonb := a; k text; n integer;
    begin
      for k, n in select key, value::int from jsonb_each_text(b) loop
        n := coalesce((result ->> k)::int, 0) + sign * n;
        result := case when n = 0 then result - k else jsonb_set(result, array[k], to_jsonb(n)) end;
      end loop;
      return result;
    end $$`.execute(db);
  // The first day of the day's dekad: the 1st, 11th or 21st of its month.
  await sql`
    create function report_dekad(day date) returns date language sql immutable as $$
      select (date_trunc('month', day) + (least((extract(day from day)::int - 1) / 10, 2) * 10) * interval '1 day')::date
    $$`.execute(db);
  // Add (now minus before) to the five cells of an incident reported on p_day.
  await sql`
    create function report_cells_add(p_day date, p_category text, p_complex text, p_building text, now_ report_cells, before_ report_cells)
    returns void language plpgsql as $$
    declare
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
                   ('building', 'month', month, p_building)) d(dimension, grain, period, key)
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

  // Deferred to the commit, so that a cell's row lock is held for the commit only (not, for
  // example, while the API starts a workflow inside the transaction that records the report).
  await sql`
    create function report_cells_on_incident() returns trigger language plpgsql as $$
    begin
      perform report_cells_add(new.reported_on, new.category, new.complex_id, new.building_id, report_incident_cell(new),
        case when tg_op = 'UPDATE' then report_incident_cell(old) else report_empty_cell() end);
      return null;
    end $$`.execute(db);
  await sql`
    create function report_cells_on_invoice() returns trigger language plpgsql as $$
    declare i incidents;
    begin
      select * into i from incidents where incident_id = new.incident_id;
      if found then
        perform report_cells_add(i.reported_on, i.category, i.complex_id, i.building_id, report_invoice_cell(new),
          case when tg_op = 'UPDATE' then report_invoice_cell(old) else report_empty_cell() end);
      end if;
      return null;
    end $$`.execute(db);
  await sql`create constraint trigger report_cells_incident_inserted after insert on incidents
    deferrable initially deferred for each row execute function report_cells_on_incident()`.execute(db);
  await sql`create constraint trigger report_cells_incident_updated after update on incidents deferrable initially deferred for each row
    when ((old.status, old.outcome, old.close_working_days, old.offence_number, old.tenancy_escalation, old.cost_cents, old.service_costs_cents)
      is distinct from (new.status, new.outcome, new.close_working_days, new.offence_number, new.tenancy_escalation, new.cost_cents, new.service_costs_cents))
    execute function report_cells_on_incident()`.execute(db);
  await sql`create constraint trigger report_cells_invoice_inserted after insert on invoices
    deferrable initially deferred for each row execute function report_cells_on_invoice()`.execute(db);
  await sql`create constraint trigger report_cells_invoice_updated after update on invoices deferrable initially deferred for each row
    when ((old.status, old.total_cents, old.paid_cents, old.collection_costs_cents, old.interest_cents, old.credited_cents)
      is distinct from (new.status, new.total_cents, new.paid_cents, new.collection_costs_cents, new.interest_cents, new.credited_cents))
    execute function report_cells_on_invoice()`.execute(db);
  // The rebuild switches the triggers off while it replays, and recomputes the cells at the end.
  await sql`
    create function report_cells_triggers(enabled boolean) returns void language plpgsql as $$
    declare verb text := case when enabled then 'enable' else 'disable' end;
    begin
      execute format('alter table incidents %s trigger report_cells_incident_inserted', verb);
      execute format('alter table incidents %s trigger report_cells_incident_updated', verb);
      execute format('alter table invoices %s trigger report_cells_invoice_inserted', verb);
      execute format('alter table invoices %s trigger report_cells_invoice_updated', verb);
    end $$`.execute(db);
  // The same contributions as report_incident_cell and report_invoice_cell, written out for a
  // single pass over the tables (a function call per row would take a rebuild a second per
  // 10,000 incidents); the rebuild test holds the two to the same rows.
  await sql`
    create function report_cells_recompute() returns void language sql as $$
      delete from report_cells;
      with contributions as (
        select i.reported_on as day, report_dekad(i.reported_on) as dekad, date_trunc('month', i.reported_on)::date as month,
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
          coalesce(i.cost_cents, 0)::bigint as cost_cents,
          coalesce(i.service_costs_cents, 0)::bigint as service_costs_cents,
          0::bigint as invoiced_cents, 0::bigint as credited_cents, 0::bigint as recovered_cents, 0::bigint as outstanding_cents,
          case when i.outcome in ('self_cleaned', 'cleaned_and_charged', 'cleaned_at_service_cost', 'cleaned_at_corporation_cost', 'dismissed')
            then i.close_working_days end as wd
        from incidents i
        union all
        select i.reported_on, report_dekad(i.reported_on), date_trunc('month', i.reported_on)::date, i.category, i.complex_id, i.building_id,
          0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
          v.total_cents, v.credited_cents, v.paid_cents,
          case when v.status = 'open' then v.total_cents + v.collection_costs_cents + v.interest_cents - v.paid_cents else 0 end,
          null
        from invoices v join incidents i on i.incident_id = v.incident_id
      ), sums as (
        select
          case when grouping(category) = 0 then 'category' when grouping(building_id) = 0 then 'building' else 'complex' end as dimension,
          case when grouping(day) = 0 then 'day' when grouping(dekad) = 0 then 'dekad' else 'month' end as grain,
          coalesce(day, dekad, month) as period,
          coalesce(category, building_id, complex_id) as key,
          sum(reported)::int as reported, sum(open)::int as open, sum(returned)::int as returned, sum(self_resolved)::int as self_resolved,
          sum(charged)::int as charged, sum(service_cost)::int as service_cost, sum(own_cost)::int as own_cost, sum(dismissed)::int as dismissed,
          sum(cancelled)::int as cancelled, sum(repeat_offences)::int as repeat_offences, sum(tenancy_escalations)::int as tenancy_escalations,
          sum(taken_up)::int as taken_up, sum(cost_cents)::bigint as cost_cents, sum(service_costs_cents)::bigint as service_costs_cents,
          sum(invoiced_cents)::bigint as invoiced_cents, sum(credited_cents)::bigint as credited_cents,
          sum(recovered_cents)::bigint as recovered_cents, sum(outstanding_cents)::bigint as outstanding_cents
        from contributions
        group by grouping sets ((day, category), (day, complex_id), (dekad, complex_id), (month, complex_id), (month, building_id))
      ), days as (
        select
          case when grouping(category) = 0 then 'category' when grouping(building_id) = 0 then 'building' else 'complex' end as dimension,
          case when grouping(day) = 0 then 'day' when grouping(dekad) = 0 then 'dekad' else 'month' end as grain,
          coalesce(day, dekad, month) as period,
          coalesce(category, building_id, complex_id) as key,
          wd, count(*) as n
        from contributions where wd is not null
        group by grouping sets ((day, category, wd), (day, complex_id, wd), (dekad, complex_id, wd), (month, complex_id, wd), (month, building_id, wd))
      ), histograms as (
        select dimension, grain, period, key,
          array[${sql.join(Array.from({ length: HISTOGRAM_DAYS }, (_, d) => sql`coalesce(sum(n) filter (where wd = ${sql.lit(d)}), 0)::int`))}] as close_days,
          coalesce(jsonb_object_agg(wd::text, n) filter (where wd not between 0 and ${sql.lit(HISTOGRAM_DAYS - 1)}), '{}'::jsonb) as close_days_over
        from days group by dimension, grain, period, key
      )
      insert into report_cells (dimension, grain, period, key, reported, open, returned, self_resolved, charged, service_cost, own_cost,
        dismissed, cancelled, repeat_offences, tenancy_escalations, taken_up, cost_cents, service_costs_cents, invoiced_cents, credited_cents,
        recovered_cents, outstanding_cents, close_days, close_days_over)
      select s.*, coalesce(h.close_days, ${ZEROS}), coalesce(h.close_days_over, '{}'::jsonb)
      from sums s left join histograms h using (dimension, grain, period, key)
    $$`.execute(db);
  await sql`select report_cells_recompute()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const trigger of ['report_cells_incident_inserted', 'report_cells_incident_updated']) await sql`drop trigger ${sql.id(trigger)} on incidents`.execute(db);
  for (const trigger of ['report_cells_invoice_inserted', 'report_cells_invoice_updated']) await sql`drop trigger ${sql.id(trigger)} on invoices`.execute(db);
  for (const fn of [
    'report_cells_recompute()',
    'report_cells_triggers(boolean)',
    'report_cells_on_invoice()',
    'report_cells_on_incident()',
    'report_cells_add(date, text, text, text, report_cells, report_cells)',
    'report_histogram_add(jsonb, jsonb, integer)',
    'report_invoice_cell(invoices)',
    'report_empty_cell()',
    'report_incident_cell(incidents)',
    'report_close_days(incidents)',
    'report_dekad(date)',
    'working_days_between(date, date)',
  ]) {
    await sql.raw(`drop function ${fn}`).execute(db);
  }
  await db.schema.dropTable('report_cells').execute();
  await db.schema.dropTable('working_day_calendar').execute();
  for (const index of ['incidents_unknown_polluter_by_building', 'incidents_waiting_for_inspection', 'incidents_waiting_for_contractor', 'invoices_in_dunning']) {
    await db.schema.dropIndex(index).execute();
  }
  for (const column of ['reported_on', 'closed_on', 'close_working_days', 'deadline_extensions', 'dispute_upheld', 'offence_number', 'service_costs_cents', 'cleanup_reported_at', 'cleanup_ordered_at']) {
    await db.schema.alterTable('incidents').dropColumn(column).execute();
  }
}
