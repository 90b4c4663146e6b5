/**
 * The management reports, read from the projections: the pre-aggregated report cells (migration
 * 2026-11-25T13-00-reports) for the summary and the hot spots, the incidents read model for the
 * case review and the consultant's overdue lists.
 *
 * An incident belongs to the period in which it was reported (its Amsterdam date): every figure of
 * a period is about the incidents reported in it, whatever happened to them since, money included.
 */
import { sql, type RawBuilder, type Transaction } from 'kysely';
import {
  addCalendarDays,
  amsterdamDate,
  amsterdamInstant,
  isWorkingDay,
  subtractWorkingDays,
  workingDaysBetween,
  type LocalDate,
} from '../domain/calendar';
import type { Db } from './connection';

const MS_PER_DAY = 86_400_000;
import type { Database } from './schema';
import { incidentStreamId } from '../domain/streams';

/**
 * Run a report's query in a read-only transaction without parallel workers or JIT compilation: the
 * queries read tens of thousands of rows at most, where starting workers costs more than it saves
 * (and on a small server takes the CPU the next request needs), and compiling the summary's fifty
 * sums costs more than running them.
 */
function serially<T>(db: Db, query: (trx: Transaction<Database>) => Promise<T>, options: { groupByHashing?: boolean } = {}): Promise<T> {
  return db
    .transaction()
    .setAccessMode('read only')
    .execute(async (trx) => {
      await sql`set local max_parallel_workers_per_gather = 0; set local jit = off`.execute(trx);
      if (options.groupByHashing) await sql`set local enable_sort = off`.execute(trx);
      return query(trx);
    });
}

/**
 * For the queries that sum the report cells of a period's pieces: PostgreSQL cannot know how many
 * cells a piece has (the day cells, a few per period, dominate its statistics), expects a handful,
 * and sorts them to group them; a year's cells at a million incidents are tens of thousands, which
 * hashing groups several times faster (README's benchmark has the figures).
 */
const cellSums = { groupByHashing: true };

// ---------------------------------------------------------------------------------------------
// Periods
// ---------------------------------------------------------------------------------------------

const firstOfMonth = (date: LocalDate) => `${date.slice(0, 7)}-01`;
const nextMonth = (date: LocalDate) => {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  return month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
};
const monthsBefore = (month: LocalDate, n: number) => {
  let y = Number(month.slice(0, 4));
  let m = Number(month.slice(5, 7)) - n;
  while (m < 1) {
    m += 12;
    y--;
  }
  return `${y}-${String(m).padStart(2, '0')}-01`;
};

/** Today in Amsterdam. */
export const today = (now = new Date()) => amsterdamDate(now);

/** The previous calendar month, as an inclusive period. */
export function previousMonth(now = new Date()): { from: LocalDate; to: LocalDate } {
  const from = monthsBefore(firstOfMonth(today(now)), 1);
  return { from, to: addCalendarDays(nextMonth(from), -1) };
}

// ---------------------------------------------------------------------------------------------
// 1. Summary
// ---------------------------------------------------------------------------------------------

export type GroupBy = 'category' | 'complex' | 'month';

export interface SummaryFigures {
  reported: number;
  open: number;
  returnedToComplainant: number;
  selfResolved: number;
  cleanedByCorporation: { total: number; charged: number; serviceCosts: number; ownCost: number };
  dismissed: number;
  cancelled: number;
  handled: number;
  /** selfResolved / handled, 4 decimals; null when nothing was handled. */
  selfResolutionRate: number | null;
  workingDaysToClose: { median: number | null; p90: number | null };
  costs: {
    incurredCents: number;
    invoicedCents: number;
    creditedCents: number;
    recoveredCents: number;
    outstandingCents: number;
    serviceCostsCents: number;
  };
  repeatOffences: number;
  tenancyEscalations: number;
}

export interface Summary {
  from: LocalDate;
  to: LocalDate;
  groupBy: GroupBy | null;
  groups: (SummaryFigures & { key: string })[];
  total: SummaryFigures;
}

const measures = [
  'reported',
  'open',
  'returned',
  'self_resolved',
  'charged',
  'service_cost',
  'own_cost',
  'dismissed',
  'cancelled',
  'repeat_offences',
  'tenancy_escalations',
  'cost_cents',
  'invoiced_cents',
  'credited_cents',
  'recovered_cents',
  'outstanding_cents',
  'service_costs_cents',
] as const;
type Sums = Record<(typeof measures)[number], number>;
/** The days 0..30 a cell's close_days array counts; later closes are in close_days_over. */
const HISTOGRAM_DAYS = 31;

/**
 * The nearest-rank percentile of a histogram {working days: incidents}: the smallest number of
 * working days within which at least `numerator/denominator` of the incidents closed.
 */
export function percentileOf(histogram: Map<number, number>, numerator: number, denominator: number): number | null {
  return nearestRank(ascending(histogram), numerator, denominator);
}

/** The histogram's [working days, incidents] with incidents, by working days. */
const ascending = (histogram: Map<number, number>) => [...histogram.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);

function nearestRank(values: [number, number][], numerator: number, denominator: number): number | null {
  const total = values.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return null;
  let cumulative = 0;
  for (const [value, n] of values) {
    cumulative += n;
    if (cumulative * denominator >= numerator * total) return value;
  }
  return values[values.length - 1]![0];
}

/** `closes`: [working days, incidents] of the handled incidents, by working days. */
function figures(sums: Sums, closes: [number, number][]): SummaryFigures {
  const cleaned = sums.charged + sums.service_cost + sums.own_cost;
  const handled = sums.self_resolved + cleaned + sums.dismissed;
  return {
    reported: sums.reported,
    open: sums.open,
    returnedToComplainant: sums.returned,
    selfResolved: sums.self_resolved,
    cleanedByCorporation: { total: cleaned, charged: sums.charged, serviceCosts: sums.service_cost, ownCost: sums.own_cost },
    dismissed: sums.dismissed,
    cancelled: sums.cancelled,
    handled,
    selfResolutionRate: handled === 0 ? null : Math.round((sums.self_resolved / handled) * 10_000) / 10_000,
    workingDaysToClose: { median: nearestRank(closes, 1, 2), p90: nearestRank(closes, 9, 10) },
    costs: {
      incurredCents: sums.cost_cents,
      invoicedCents: sums.invoiced_cents,
      creditedCents: sums.credited_cents,
      recoveredCents: sums.recovered_cents,
      outstandingCents: sums.outstanding_cents,
      serviceCostsCents: sums.service_costs_cents,
    },
    repeatOffences: sums.repeat_offences,
    tenancyEscalations: sums.tenancy_escalations,
  };
}

const dekadEnd = (day: LocalDate) => {
  const d = Number(day.slice(8, 10));
  return d === 1 || d === 11 ? addCalendarDays(day, 9) : d === 21 ? addCalendarDays(nextMonth(day), -1) : null;
};
const quarterEnd = (day: LocalDate) => (/-(01|04|07|10)-01$/.test(day) ? addCalendarDays(nextMonth(nextMonth(nextMonth(day))), -1) : null);

/**
 * [from, to] as the fewest whole quarters, months, dekads (1st-10th, 11th-20th, 21st-end) and
 * days: each day, the largest of them that starts on it and ends within the period.
 */
export function periodPieces(from: LocalDate, to: LocalDate): { quarters: LocalDate[]; months: LocalDate[]; dekads: LocalDate[]; days: LocalDate[] } {
  const pieces = { quarters: [] as LocalDate[], months: [] as LocalDate[], dekads: [] as LocalDate[], days: [] as LocalDate[] };
  for (let day = from; day <= to; ) {
    const quarter = quarterEnd(day);
    const monthEnd = addCalendarDays(nextMonth(day), -1);
    const dekad = dekadEnd(day);
    if (quarter !== null && quarter <= to) {
      pieces.quarters.push(day);
      day = addCalendarDays(quarter, 1);
    } else if (day.endsWith('-01') && monthEnd <= to) {
      pieces.months.push(day);
      day = nextMonth(day);
    } else if (dekad !== null && dekad <= to) {
      pieces.dekads.push(day);
      day = addCalendarDays(dekad, 1);
    } else {
      pieces.days.push(day);
      day = addCalendarDays(day, 1);
    }
  }
  return pieces;
}

type Pieces = Partial<Record<'quarter' | 'month' | 'dekad' | 'day', LocalDate[]>>;

/**
 * The report cells of the given dimensions that hold the pieces of a period: `report_cells`
 * joined to the (dimension, grain, period) of each, so that each piece is one range of the index.
 */
function cellsOfPieces(dimensions: ('complex' | 'building')[], pieces: Pieces, condition = sql`true`) {
  const cells = dimensions.flatMap((dimension) => Object.entries(pieces).flatMap(([grain, periods]) => periods.map((period) => ({ dimension, grain, period }))));
  // "offset 0" keeps the pieces the outer side of the join: with a condition on the cells' keys
  // (a half of them, by hash) PostgreSQL expects few cells, and scans them all for each piece.
  return sql`(select c.* from unnest(${cells.map((c) => c.dimension)}::text[], ${cells.map((c) => c.grain)}::text[], ${cells.map((c) => c.period)}::date[]) as piece(dimension, grain, period)
    cross join lateral (select * from report_cells c where c.dimension = piece.dimension and c.grain = piece.grain and c.period = piece.period and ${condition} offset 0) c) report_cells`;
}

/**
 * The cells that hold the incidents reported in [from, to], and the group each counts in: per
 * category (or month, or in total), the category day cells; per complex, the complex's quarter,
 * month, dekad and day cells that make up the period. `condition`: on each cell, as it is read.
 */
function cellsOf(from: LocalDate, to: LocalDate, groupBy: GroupBy | null, condition = sql`true`) {
  if (groupBy !== 'complex') {
    return {
      group: groupBy === 'month' ? sql<string>`to_char(period, 'YYYY-MM')` : groupBy === 'category' ? sql<string>`key` : sql<string>`''`,
      cells: sql`report_cells`,
      where: sql`dimension = 'category' and grain = 'day' and period between ${from}::date and ${to}::date and ${condition}`,
    };
  }
  const { quarters, months, dekads, days } = periodPieces(from, to);
  return { group: sql<string>`key`, cells: cellsOfPieces(['complex'], { quarter: quarters, month: months, dekad: dekads, day: days }, condition), where: sql`true` };
}

/** A group's sums: the measures, then the histogram's days 0 .. 30; and the closes after more than 30 working days. */
interface Tally {
  values: number[];
  over: Map<number, number>;
}
const newTally = (): Tally => ({ values: new Array<number>(measures.length + HISTOGRAM_DAYS).fill(0), over: new Map() });

function figuresOf(tally: Tally): SummaryFigures {
  const sums = {} as Sums;
  measures.forEach((m, i) => (sums[m] = tally.values[i]!));
  // A thousand groups a request: the histogram's days are in order already, and the rare others sorted in.
  const closes: [number, number][] = [];
  for (let d = 0; d < HISTOGRAM_DAYS; d++) {
    const n = tally.values[measures.length + d]!;
    if (n > 0) closes.push([d, n]);
  }
  if (tally.over.size === 0) return figures(sums, closes);
  // Its days never meet the histogram's: closes after more than 30 (or, dated before the report, fewer than 0) working days.
  return figures(sums, ascending(new Map([...closes, ...tally.over])));
}

/**
 * The summary and the hot spots add up the cells in halves, on two connections at once
 * (PostgreSQL does not share one grouping between processes): the keys of one hash parity each.
 * The summary's sums and histogram come as one text per group, 'n,n,...': node-postgres spends
 * more on fifty columns of a thousand rows than PostgreSQL spends on the sums. `query` gets its
 * half as a condition on the cells' key.
 */
function inHalves<T>(db: Db, query: (half: RawBuilder<unknown>) => (trx: Transaction<Database>) => Promise<T>): Promise<T[]> {
  return Promise.all([0, 1].map((half) => serially(db, query(sql`hashtext(key) & 1 = ${sql.lit(half)}`), cellSums)));
}

/** What the summary sums of each group's cells: the measures, then the histogram's days 0 .. 30. */
const summedColumns = sql.join([
  ...measures.map((m) => sql`sum(${sql.ref(m)})`),
  ...Array.from({ length: HISTOGRAM_DAYS }, (_, d) => sql`sum(close_days[${sql.lit(d + 1)}])`),
]);

export async function summary(db: Db, input: { from: LocalDate; to: LocalDate; groupBy?: GroupBy | null }): Promise<Summary> {
  const { from, to } = input;
  const groupBy = input.groupBy ?? null;
  const cells = cellsOf(from, to, groupBy);
  // The few cells with closes after more than 30 working days, through their own index: the
  // sums read the key's index alone, which does not hold them (migration 2026-12-04T23-00).
  const lateCells = cellsOf(from, to, groupBy, sql`close_days_over <> '{}'::jsonb`);
  const halves = await inHalves(db, (half) => (trx) => sql<{ grp: string; sums: string | null; over: Record<string, number>[] | null }>`
    select ${cells.group} as grp, array_to_string(array[${summedColumns}], ',', '0') as sums, null::jsonb as over
    from ${cells.cells} where ${cells.where} and ${half} group by grp
    union all
    select ${lateCells.group} as grp, null, jsonb_agg(close_days_over)
    from ${lateCells.cells} where ${lateCells.where} and ${half} group by grp`.execute(trx));
  const groups = new Map<string, Tally>();
  const total = newTally();
  for (const { rows } of halves) {
    for (const row of rows) {
      let group = groups.get(row.grp);
      if (group === undefined) groups.set(row.grp, (group = newTally()));
      const values = row.sums?.split(',') ?? [];
      for (let i = 0; i < values.length; i++) {
        const n = Number(values[i]);
        group.values[i] = group.values[i]! + n;
        total.values[i] = total.values[i]! + n;
      }
      for (const histogram of row.over ?? []) {
        for (const [days, n] of Object.entries(histogram)) {
          for (const { over } of [group, total]) over.set(Number(days), (over.get(Number(days)) ?? 0) + n);
        }
      }
    }
  }
  return {
    from,
    to,
    groupBy,
    groups: groupBy === null ? [] : [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, g]) => ({ key, ...figuresOf(g) })),
    total: figuresOf(total),
  };
}

/** The summary as CSV rows: one per group and a last one, `total`, for the whole period. Money in cents. */
export const summaryCsvColumns = [
  'group',
  'reported',
  'open',
  'returned_to_complainant',
  'self_resolved',
  'cleaned_by_corporation',
  'cleaned_charged',
  'cleaned_service_costs',
  'cleaned_own_cost',
  'dismissed',
  'cancelled',
  'handled',
  'self_resolution_rate',
  'working_days_to_close_median',
  'working_days_to_close_p90',
  'costs_incurred_cents',
  'invoiced_cents',
  'credited_cents',
  'recovered_cents',
  'outstanding_cents',
  'service_costs_cents',
  'repeat_offences',
  'tenancy_escalations',
] as const;

export function summaryCsvRows(report: Summary): (string | number)[][] {
  const row = (key: string, f: SummaryFigures) => [
    key,
    f.reported,
    f.open,
    f.returnedToComplainant,
    f.selfResolved,
    f.cleanedByCorporation.total,
    f.cleanedByCorporation.charged,
    f.cleanedByCorporation.serviceCosts,
    f.cleanedByCorporation.ownCost,
    f.dismissed,
    f.cancelled,
    f.handled,
    f.selfResolutionRate === null ? '' : f.selfResolutionRate.toFixed(4),
    f.workingDaysToClose.median ?? '',
    f.workingDaysToClose.p90 ?? '',
    f.costs.incurredCents,
    f.costs.invoicedCents,
    f.costs.creditedCents,
    f.costs.recoveredCents,
    f.costs.outstandingCents,
    f.costs.serviceCostsCents,
    f.repeatOffences,
    f.tenancyEscalations,
  ];
  return [...report.groups.map((g) => row(g.key, g)), row('total', report.total)];
}

// ---------------------------------------------------------------------------------------------
// 2. Case review
// ---------------------------------------------------------------------------------------------

export const caseReasons = ['cleaned_by_corporation', 'dispute_upheld', 'repeat_offender', 'deadline_extended', 'unknown_polluter_again'] as const;
export type CaseReason = (typeof caseReasons)[number];

/** How far back an earlier incident with an unknown polluter in the same building counts. */
export const UNKNOWN_AGAIN_MONTHS = 12;

export interface ReviewCase {
  incidentId: string;
  category: string;
  complexId: string;
  buildingId: string;
  location: string;
  status: string;
  outcome: string | null;
  reportedAt: string;
  closedAt: string | null;
  polluterTenantId: string | null;
  costCents: number | null;
  invoiceNumber: string | null;
  offenceNumber: number | null;
  deadlineExtensions: number;
  reasons: CaseReason[];
  timeline: { position: number; streamId: string; type: string; recordedAt: string; actor: string | null; data: Record<string, unknown> }[];
}

export async function caseReview(
  db: Db,
  input: { from: LocalDate; to: LocalDate; limit: number; offset: number },
): Promise<{ from: LocalDate; to: LocalDate; total: number; limit: number; offset: number; cases: ReviewCase[] }> {
  const start = amsterdamInstant(input.from, '00:00');
  const end = amsterdamInstant(addCalendarDays(input.to, 1), '00:00');
  const candidatesBetween = (from: Date, to: Date) => sql`
    with candidates as (
      select i.*,
        coalesce(i.outcome in ('cleaned_and_charged', 'cleaned_at_service_cost', 'cleaned_at_corporation_cost'), false) as cleaned,
        coalesce(i.offence_number, 0) >= 2 as repeat_offender,
        i.deadline_extensions > 0 as deadline_extended,
        i.polluter_tenant_id is null and (i.outcome is null or i.outcome not in ('returned_to_complainant', 'cancelled')) and exists (
          select 1 from incidents e
          where e.building_id = i.building_id
            and e.polluter_tenant_id is null and (e.outcome is null or e.outcome not in ('returned_to_complainant', 'cancelled'))
            and e.reported_at < i.reported_at and e.reported_at >= i.reported_at - ${`${UNKNOWN_AGAIN_MONTHS} months`}::interval) as unknown_again
      from incidents i
      where i.reported_at >= ${from} and i.reported_at < ${to}
    )`;
  const candidates = candidatesBetween(start, end);
  const reason = sql`cleaned or dispute_upheld or repeat_offender or deadline_extended or unknown_again`;
  // The page (newest first: it stops at the last case it shows) with its timelines, and the total
  // (every incident of the period), side by side.
  const page = serially(db, (trx) => sql<{
    incident_id: string;
    category: string;
    complex_id: string;
    building_id: string;
    location: string;
    status: string;
    outcome: string | null;
    reported_at: Date;
    closed_at: Date | null;
    polluter_tenant_id: string | null;
    cost_cents: number | null;
    invoice_number: string | null;
    offence_number: number | null;
    deadline_extensions: number;
    cleaned: boolean;
    dispute_upheld: boolean;
    repeat_offender: boolean;
    deadline_extended: boolean;
    unknown_again: boolean;
  }>`${candidates}
    select incident_id, category, complex_id, building_id, location, status, outcome, reported_at, closed_at, polluter_tenant_id,
      cost_cents, invoice_number, offence_number, deadline_extensions, cleaned, dispute_upheld, repeat_offender, deadline_extended, unknown_again
    from candidates where ${reason}
    order by reported_at desc, incident_id
    limit ${input.limit} offset ${input.offset}`.execute(trx)).then(async ({ rows }) => ({ rows, events: await timelineEvents(db, rows.map((r) => r.incident_id)) }));
  // The total reads every incident of the period and looks up, for each with an unknown polluter,
  // an earlier one in its building: counted in two halves at once, on two connections (PostgreSQL
  // does not run these lookups in parallel by itself).
  const middle = new Date((start.getTime() + end.getTime()) / 2);
  const countBetween = (from: Date, to: Date) =>
    serially(db, (trx) => sql<{ total: number }>`${candidatesBetween(from, to)} select count(*)::int as total from candidates where ${reason}`.execute(trx)).then(
      ({ rows }) => rows[0]?.total ?? 0,
    );
  const counted = Promise.all([countBetween(start, middle), countBetween(middle, end)]).then(([a, b]) => a + b);
  const [{ rows, events }, total] = await Promise.all([page, counted]);
  const timelines = new Map<string, ReviewCase['timeline']>();
  for (const e of events) {
    const entry = {
      position: Number(e.position),
      streamId: e.stream_id,
      type: e.type,
      recordedAt: e.recorded_at.toISOString(),
      actor: typeof e.metadata.actor === 'string' ? e.metadata.actor : null,
      data: e.letters === null ? e.data : { ...e.data, letters: e.letters },
    };
    timelines.set(e.incident_id, [...(timelines.get(e.incident_id) ?? []), entry]);
  }
  return {
    from: input.from,
    to: input.to,
    total,
    limit: input.limit,
    offset: input.offset,
    cases: rows.map((r) => ({
      incidentId: r.incident_id,
      category: r.category,
      complexId: r.complex_id,
      buildingId: r.building_id,
      location: r.location,
      status: r.status,
      outcome: r.outcome,
      reportedAt: r.reported_at.toISOString(),
      closedAt: r.closed_at?.toISOString() ?? null,
      polluterTenantId: r.polluter_tenant_id,
      costCents: r.cost_cents === null ? null : Number(r.cost_cents),
      invoiceNumber: r.invoice_number,
      offenceNumber: r.offence_number,
      deadlineExtensions: r.deadline_extensions,
      reasons: caseReasons.filter(
        (reason) =>
          ({
            cleaned_by_corporation: r.cleaned,
            dispute_upheld: r.dispute_upheld,
            repeat_offender: r.repeat_offender,
            deadline_extended: r.deadline_extended,
            unknown_polluter_again: r.unknown_again,
          })[reason],
      ),
      timeline: timelines.get(r.incident_id) ?? [],
    })),
  };
}

/** The incidents' own events and their invoices', in order; of the letters an event records, only how many. */
async function timelineEvents(db: Db, ids: string[]) {
  if (ids.length === 0) return [];
  const { rows } = await sql<{
    position: number;
    stream_id: string;
    type: string;
    data: Record<string, unknown>;
    letters: number | null;
    metadata: Record<string, unknown>;
    recorded_at: Date;
    incident_id: string;
  }>`
    select position, stream_id, type, data - 'letters' as data, jsonb_array_length(data->'letters') as letters, metadata, recorded_at,
      case when stream_id like 'incident-%' then substr(stream_id, 10) else data->>'incidentId' end as incident_id
    from events
    where stream_id = any(${ids.map(incidentStreamId)}::text[]) or data->>'incidentId' = any(${ids}::text[])
    order by position`.execute(db);
  return rows;
}

// ---------------------------------------------------------------------------------------------
// 3. Hot spots
// ---------------------------------------------------------------------------------------------

export interface Hotspot {
  key: string;
  complexId: string | null;
  households: number;
  incidents: number;
  /** Incidents per household in the period, 4 decimals; null without households in the directory. */
  incidentsPerHousehold: number | null;
  previousIncidents: number;
  previousIncidentsPerHousehold: number | null;
  /** incidents - previousIncidents. */
  change: number;
  trend: 'up' | 'down' | 'same' | 'new';
}

export interface Hotspots {
  from: string;
  to: string;
  previousFrom: string;
  previousTo: string;
  complexes: Hotspot[];
  buildings: Hotspot[];
}

const YEAR_MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
export const isYearMonth = (value: string) => YEAR_MONTH.test(value);

/** The last n whole months before this one (YYYY-MM). */
export function lastWholeMonths(n: number, now = new Date()): { from: string; to: string } {
  const thisMonth = firstOfMonth(today(now));
  return { from: monthsBefore(thisMonth, n).slice(0, 7), to: monthsBefore(thisMonth, 1).slice(0, 7) };
}

/**
 * Complexes and buildings by incidents taken up (not returned to the complainant, not cancelled)
 * per household in the months from..to (YYYY-MM, inclusive), beside the same number of months
 * before.
 */
export async function hotspots(db: Db, input: { from: string; to: string; limit: number }): Promise<Hotspots> {
  const start = `${input.from}-01`;
  const end = nextMonth(`${input.to}-01`);
  const months = (Number(end.slice(0, 4)) * 12 + Number(end.slice(5, 7))) - (Number(start.slice(0, 4)) * 12 + Number(start.slice(5, 7)));
  const previousStart = monthsBefore(start, months);
  // Whole months: their quarters and months.
  const monthsOf = (first: LocalDate, next: LocalDate) => {
    const { quarters, months } = periodPieces(first, addCalendarDays(next, -1));
    return { quarter: quarters, month: months };
  };
  const current = monthsOf(start, end);
  const previous = monthsOf(previousStart, start);
  // "grain in": which lets PostgreSQL read the counts from the index report_cells_taken_up alone.
  const cells = cellsOfPieces(
    ['complex', 'building'],
    { quarter: [...current.quarter, ...previous.quarter], month: [...current.month, ...previous.month] },
    sql`grain in ('month', 'quarter')`,
  );
  // Each half of the keys (by hash, on two connections at once, as the summary) ranks its own and
  // sends its first `limit` of each dimension; the first `limit` of both halves are among them.
  const halves = await inHalves(db, (half) => (trx) => sql<{ dimension: 'complex' | 'building'; key: string; complex_id: string | null; households: number; current: number; previous: number; rate: number | null; previous_rate: number | null }>`
        with spots as (
          -- the households beside the cells, summed in the same pass: a join would look them up one by one
          select dimension, key,
            coalesce(sum(taken_up) filter (where period >= ${start}::date), 0)::int as current,
            coalesce(sum(taken_up) filter (where period < ${start}::date), 0)::int as previous,
            coalesce(sum(households), 0)::int as households,
            min(complex_id) as complex_id
          from (
            select dimension, key, period, taken_up, null::int as households, null::text as complex_id from ${cells}
            union all
            select dimension, key, null, null, households, complex_id from households
          ) counts
          where ${half}
          group by dimension, key
          having sum(taken_up) > 0
        ), rated as (
          select dimension, key, case when dimension = 'complex' then key else complex_id end as complex_id, households, current, previous,
            (20000 * current + households) / (2 * nullif(households, 0)) as rate,
            (20000 * previous + households) / (2 * nullif(households, 0)) as previous_rate
          from spots
        )
        select * from (
          select rated.*, row_number() over (partition by dimension order by rate desc nulls last, current desc, key collate "C") as rank from rated
        ) ranked
        where rank <= ${input.limit}`.execute(trx));
  // The rates come in ten-thousandths, rounded half up in integers: exact, and ranked as they are shown.
  const rate = (tenThousandths: number | null) => (tenThousandths === null ? null : tenThousandths / 10_000);
  const spot = (row: (typeof halves)[number]['rows'][number]): Hotspot => ({
    key: row.key,
    complexId: row.complex_id,
    households: row.households,
    incidents: row.current,
    incidentsPerHousehold: rate(row.rate),
    previousIncidents: row.previous,
    previousIncidentsPerHousehold: rate(row.previous_rate),
    change: row.current - row.previous,
    trend: row.previous === 0 ? (row.current === 0 ? 'same' : 'new') : row.current > row.previous ? 'up' : row.current < row.previous ? 'down' : 'same',
  });
  const ranked = (dimension: 'complex' | 'building') =>
    halves
      .flatMap(({ rows }) => rows.filter((row) => row.dimension === dimension).map(spot))
      .sort(
        (a, b) =>
          (b.incidentsPerHousehold ?? -1) - (a.incidentsPerHousehold ?? -1) || b.incidents - a.incidents || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
      )
      .slice(0, input.limit);
  return {
    from: input.from,
    to: input.to,
    previousFrom: previousStart.slice(0, 7),
    previousTo: addCalendarDays(start, -1).slice(0, 7),
    complexes: ranked('complex'),
    buildings: ranked('building'),
  };
}

// ---------------------------------------------------------------------------------------------
// 4. Overdue lists
// ---------------------------------------------------------------------------------------------

export interface OverdueLists {
  asOf: LocalDate;
  contractorWorkingDays: number;
  needsAttention: {
    total: number;
    items: { kind: 'incident' | 'invoice'; incidentId: string; invoiceNumber: string | null; step: string; reason: string; since: string }[];
  };
  inspectionsWaiting: {
    total: number;
    items: { incidentId: string; incidentNumber: string | null; category: string; complexId: string; buildingId: string; location: string; cleanupReportedAt: string; workingDaysWaiting: number | null }[];
  };
  contractorsLate: {
    total: number;
    items: { incidentId: string; incidentNumber: string | null; category: string; complexId: string; buildingId: string; contractorId: string | null; orderedAt: string; workingDaysSinceOrder: number | null }[];
  };
  invoicesInDunning: {
    total: number;
    openCents: number;
    items: { invoiceNumber: string; incidentId: string; debtorTenantId: string; dueDate: string; payByDate: string; stage: string; openCents: number; daysOverdue: number; dunningPaused: boolean }[];
  };
}

const calendarDaysBetween = (from: LocalDate, to: LocalDate) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / MS_PER_DAY);

/**
 * What the consultant should chase, as of a day: cleanups reported and not yet inspected; work
 * orders not completed more than `contractorWorkingDays` working days after the order day;
 * invoices still open after their due date (reminded, final notice, collections, or paused).
 */
export async function overdue(db: Db, input: { asOf: LocalDate; contractorWorkingDays: number; limit: number }): Promise<OverdueLists> {
  const { asOf, limit } = input;
  const endOfAsOf = amsterdamInstant(addCalendarDays(asOf, 1), '00:00');
  // Late: more than N working days from the order day to asOf, that is ordered before the N-th
  // working day before asOf's last working day (asOf itself when it is one).
  let lastWorkingDay = asOf;
  while (!isWorkingDay(lastWorkingDay)) lastWorkingDay = addCalendarDays(lastWorkingDay, -1);
  const lateBefore = amsterdamInstant(subtractWorkingDays(lastWorkingDay, input.contractorWorkingDays), '00:00');
  // Each list is one filter, read twice: the oldest `limit` items, and how many there are in all.
  const waitingInspection = db
    .selectFrom('incidents')
    .where('status', '=', 'open')
    .where('phase', '=', 'cleanup_reported')
    .where('cleanup_reported_at', '<', endOfAsOf);
  const contractorLate = db
    .selectFrom('incidents')
    .where('status', '=', 'open')
    .where('phase', '=', 'cleanup_ordered')
    .where('cleanup_ordered_at', '<', lateBefore);
  const inDunning = db.selectFrom('invoices').where('status', '=', 'open').where('due_date', '<', asOf);
  const waitingForAPerson = db
    .selectFrom('incidents')
    .select([sql<'incident' | 'invoice'>`'incident'`.as('kind'), 'incident_id', sql<string | null>`null`.as('invoice_number'), 'attention_step', 'attention_reason', 'attention_since'])
    .where('attention_since', 'is not', null)
    .unionAll(
      db
        .selectFrom('invoices')
        .select([sql<'incident' | 'invoice'>`'invoice'`.as('kind'), 'incident_id', 'invoice_number', 'attention_step', 'attention_reason', 'attention_since'])
        .where('attention_since', 'is not', null),
    );
  const openCents = sql.ref<number>('open_cents');
  const [attention, attentionCount, inspections, inspectionCount, late, lateCount, invoices, invoiceTotals] = await Promise.all([
    db.selectFrom(waitingForAPerson.as('a')).selectAll().orderBy('attention_since').orderBy('incident_id').limit(limit).execute(),
    db.selectFrom(waitingForAPerson.as('a')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    waitingInspection
      .select(['incident_id', 'incident_number', 'category', 'complex_id', 'building_id', 'location', 'cleanup_reported_at'])
      .orderBy('cleanup_reported_at')
      .orderBy('incident_id')
      .limit(limit)
      .execute(),
    waitingInspection.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    contractorLate
      .select(['incident_id', 'incident_number', 'category', 'complex_id', 'building_id', 'contractor_id', 'cleanup_ordered_at'])
      .orderBy('cleanup_ordered_at')
      .orderBy('incident_id')
      .limit(limit)
      .execute(),
    contractorLate.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    inDunning
      .select(['invoice_number', 'incident_id', 'debtor_tenant_id', 'due_date', 'pay_by_date', 'stage', 'dunning_paused'])
      .select(openCents.as('open_cents'))
      .orderBy('due_date')
      .orderBy('invoice_number')
      .limit(limit)
      .execute(),
    inDunning
      .select((eb) => [eb.fn.countAll<number>().as('n'), sql<number>`coalesce(sum(${openCents}), 0)`.as('open_cents')])
      .executeTakeFirstOrThrow(),
  ]);
  return {
    asOf,
    contractorWorkingDays: input.contractorWorkingDays,
    needsAttention: {
      total: Number(attentionCount.n),
      items: attention.map((r) => ({
        kind: r.kind,
        incidentId: r.incident_id,
        invoiceNumber: r.invoice_number,
        step: r.attention_step ?? '',
        reason: r.attention_reason ?? '',
        since: r.attention_since!.toISOString(),
      })),
    },
    inspectionsWaiting: {
      total: Number(inspectionCount.n),
      items: inspections.map((r) => ({
        incidentId: r.incident_id,
        incidentNumber: r.incident_number,
        category: r.category,
        complexId: r.complex_id,
        buildingId: r.building_id,
        location: r.location,
        cleanupReportedAt: r.cleanup_reported_at!.toISOString(),
        workingDaysWaiting: workingDaysBetween(amsterdamDate(r.cleanup_reported_at!), asOf),
      })),
    },
    contractorsLate: {
      total: Number(lateCount.n),
      items: late.map((r) => ({
        incidentId: r.incident_id,
        incidentNumber: r.incident_number,
        category: r.category,
        complexId: r.complex_id,
        buildingId: r.building_id,
        contractorId: r.contractor_id,
        orderedAt: r.cleanup_ordered_at!.toISOString(),
        workingDaysSinceOrder: workingDaysBetween(amsterdamDate(r.cleanup_ordered_at!), asOf),
      })),
    },
    invoicesInDunning: {
      total: Number(invoiceTotals.n),
      openCents: Number(invoiceTotals.open_cents),
      items: invoices.map((r) => ({
        invoiceNumber: r.invoice_number,
        incidentId: r.incident_id,
        debtorTenantId: r.debtor_tenant_id,
        dueDate: r.due_date,
        payByDate: r.pay_by_date,
        stage: r.stage,
        openCents: Number(r.open_cents),
        daysOverdue: calendarDaysBetween(r.due_date, asOf),
        dunningPaused: r.dunning_paused,
      })),
    },
  };
}
