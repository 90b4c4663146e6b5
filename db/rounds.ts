import { sql } from 'kysely';
import type { Db } from './connection';
import { ValidationError } from '../domain/errors';
import type { RoundPlan } from '../domain/round';
import { addCalendarDays, amsterdamInstant, type LocalDate } from '../domain/calendar';

export interface StoredRoundPlan extends RoundPlan {
  complexId: string;
  updatedAt: string;
  updatedBy: string;
}

/**
 * Refuse a plan whose buildings are not the complex's (in the directory: a building's address, or
 * its households) or whose consultant is unknown (a person who signed in as a consultant), naming the field.
 */
export async function checkRoundPlan(db: Db, complexId: string, plan: RoundPlan): Promise<void> {
  const ids = plan.buildings.map((b) => b.buildingId);
  const known = await db
    .selectFrom('buildings')
    .select(['building_id', 'complex_id'])
    .where('building_id', 'in', ids)
    .union(db.selectFrom('tenants').select(['building_id', 'complex_id']).where('building_id', 'in', ids).distinct())
    .execute();
  const problems: { path: string; message: string }[] = [];
  plan.buildings.forEach((b, index) => {
    const rows = known.filter((k) => k.building_id === b.buildingId);
    if (rows.length === 0) problems.push({ path: `body.buildings.${index}.buildingId`, message: 'not a building in the directory' });
    else if (!rows.some((k) => k.complex_id === complexId)) problems.push({ path: `body.buildings.${index}.buildingId`, message: `not a building of complex ${complexId}` });
  });
  const consultant = await db.selectFrom('people').select('roles').where('subject', '=', plan.consultant).executeTakeFirst();
  if (!consultant || !consultant.roles.includes('consultant')) problems.push({ path: 'body.consultant', message: 'not a consultant who has signed in' });
  if (problems.length > 0) throw new ValidationError(`the round plan for complex ${complexId} does not fit the directory`, problems);
}

export async function saveRoundPlan(db: Db, complexId: string, plan: RoundPlan, by: string): Promise<StoredRoundPlan> {
  const values = {
    consultant: plan.consultant,
    interval_weeks: plan.intervalWeeks,
    due_within_working_days: plan.dueWithinWorkingDays,
    first_date: plan.firstDate,
    buildings: JSON.stringify(plan.buildings),
    updated_at: new Date(),
    updated_by: by,
  };
  await db
    .insertInto('round_plans')
    .values({ complex_id: complexId, ...values })
    .onConflict((oc) => oc.column('complex_id').doUpdateSet(values))
    .execute();
  return (await roundPlanOf(db, complexId))!;
}

export async function roundPlanOf(db: Db, complexId: string): Promise<StoredRoundPlan | null> {
  const row = await db.selectFrom('round_plans').selectAll().select(sql<string>`first_date::text`.as('first')).where('complex_id', '=', complexId).executeTakeFirst();
  if (!row) return null;
  return {
    complexId: row.complex_id,
    consultant: row.consultant,
    intervalWeeks: row.interval_weeks,
    dueWithinWorkingDays: row.due_within_working_days,
    firstDate: row.first,
    buildings: row.buildings,
    updatedAt: row.updated_at.toISOString(),
    updatedBy: row.updated_by,
  };
}

export async function roundPlans(db: Db): Promise<StoredRoundPlan[]> {
  const rows = await db.selectFrom('round_plans').select('complex_id').orderBy('complex_id').execute();
  return (await Promise.all(rows.map((r) => roundPlanOf(db, r.complex_id)))).filter((p): p is StoredRoundPlan => p !== null);
}

const roundColumns = [
  'round_id',
  'complex_id',
  'consultant',
  sql<string>`planned_date::text`.as('planned_date'),
  sql<string>`due_date::text`.as('due_date'),
  'due_at',
  'status',
  'overdue',
  'spaces_total',
  'spaces_in_order',
  'spaces_with_findings',
  'findings',
  'completed_at',
  'on_time',
] as const;

type RoundRow = {
  round_id: string;
  complex_id: string;
  consultant: string;
  planned_date: string;
  due_date: string;
  due_at: Date;
  status: 'open' | 'paused' | 'completed';
  overdue: boolean;
  spaces_total: number;
  spaces_in_order: number;
  spaces_with_findings: number;
  findings: number;
  completed_at: Date | null;
  on_time: boolean | null;
};

export function toRound(row: RoundRow) {
  return {
    roundId: row.round_id,
    complexId: row.complex_id,
    consultant: row.consultant,
    plannedDate: row.planned_date,
    dueDate: row.due_date,
    due: row.due_at.toISOString(),
    status: row.status,
    overdue: row.overdue,
    spacesTotal: row.spaces_total,
    spacesMarked: row.spaces_in_order + row.spaces_with_findings,
    spacesInOrder: row.spaces_in_order,
    spacesWithFindings: row.spaces_with_findings,
    findings: row.findings,
    completedAt: row.completed_at?.toISOString() ?? null,
    onTime: row.on_time,
  };
}
export type Round = ReturnType<typeof toRound>;

/** Rounds newest first: a consultant's, a complex's, open ones (not completed) or completed ones. */
export async function listRounds(db: Db, filter: { consultant?: string; complexId?: string; status?: 'open' | 'completed'; limit: number; offset: number }) {
  let query = db.selectFrom('rounds');
  if (filter.consultant) query = query.where('consultant', '=', filter.consultant);
  if (filter.complexId) query = query.where('complex_id', '=', filter.complexId);
  if (filter.status === 'open') query = query.where('status', '<>', 'completed');
  if (filter.status === 'completed') query = query.where('status', '=', 'completed');
  const [rows, count] = await Promise.all([
    query
      .select([...roundColumns])
      // Open ones by the day they are due (the most urgent first); otherwise the newest first.
      .orderBy(filter.status === 'open' ? 'due_date' : 'planned_date', filter.status === 'open' ? 'asc' : 'desc')
      .orderBy('round_id')
      .limit(filter.limit)
      .offset(filter.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rounds: (rows as RoundRow[]).map(toRound), total: Number(count.n) };
}

export async function roundWithSpaces(db: Db, roundId: string) {
  const row = await db.selectFrom('rounds').select([...roundColumns]).where('round_id', '=', roundId).executeTakeFirst();
  if (!row) return null;
  const [spaces, findings] = await Promise.all([
    db.selectFrom('round_spaces').selectAll().where('round_id', '=', roundId).orderBy('walk_order').execute(),
    db
      .selectFrom('round_findings as f')
      .leftJoin('incidents as i', 'i.incident_id', 'f.incident_id')
      .select(['f.finding_id', 'f.building_id', 'f.position', 'f.category', 'f.incident_id', 'i.incident_number', 'f.polluter_known', 'f.recorded_at'])
      .where('f.round_id', '=', roundId)
      .orderBy('f.recorded_at')
      .execute(),
  ]);
  return {
    ...toRound(row as RoundRow),
    // In walking order: the plan's buildings in its order, each building's spaces in theirs.
    spaces: spaces.map((s) => ({
        buildingId: s.building_id,
        position: s.position,
        name: s.name,
        result: s.result,
        markedAt: s.marked_at?.toISOString() ?? null,
        findings: findings
          .filter((f) => f.building_id === s.building_id && f.position === s.position)
          .map((f) => ({ findingId: f.finding_id, category: f.category, incidentId: f.incident_id, incidentNumber: f.incident_number ?? null, polluterKnown: f.polluter_known, recordedAt: f.recorded_at.toISOString() })),
      })),
  };
}

// ---------------------------------------------------------------------------------------------
// What the team learns (the supervision report)
// ---------------------------------------------------------------------------------------------

const startOf = (date: LocalDate) => amsterdamInstant(date, '00:00');
const endOf = (date: LocalDate) => amsterdamInstant(addCalendarDays(date, 1), '00:00');

/**
 * Incidents by how they came in (complaint or supervision), per complex and per month (Amsterdam)
 * of the report; rounds per complex with how many were completed on time and how many went overdue;
 * and per round and building the share of spaces found in order (the liveability trend).
 */
export async function supervisionReport(db: Db, input: { from: LocalDate; to: LocalDate; complexId?: string }) {
  const complex = input.complexId ? sql`and complex_id = ${input.complexId}` : sql``;
  const [bySource, rounds, trend] = await Promise.all([
    // By the report's Amsterdam date (reported_on), read from its covering index alone.
    sql<{ complex_id: string; month: string; complaint: number; supervision: number }>`
      select complex_id, to_char(date_trunc('month', reported_on), 'YYYY-MM') as month,
        count(*) filter (where source = 'complaint')::int as complaint,
        count(*) filter (where source = 'supervision')::int as supervision
      from incidents
      where reported_on >= ${input.from} and reported_on <= ${input.to} ${complex}
      group by complex_id, date_trunc('month', reported_on) order by 1, 2`.execute(db),
    sql<{ complex_id: string; due: number; completed: number; on_time: number; overdue: number; open: number }>`
      select complex_id, count(*)::int as due,
        count(*) filter (where status = 'completed')::int as completed,
        count(*) filter (where on_time)::int as on_time,
        count(*) filter (where overdue)::int as overdue,
        count(*) filter (where status <> 'completed')::int as open
      from rounds
      where planned_date >= ${input.from} and planned_date <= ${input.to} ${complex}
      group by 1 order by 1`.execute(db),
    sql<{ round_id: string; complex_id: string; planned_date: string; building_id: string; spaces: number; in_order: number }>`
      select r.round_id, r.complex_id, r.planned_date::text as planned_date, s.building_id,
        count(*)::int as spaces, count(*) filter (where s.result = 'in_order')::int as in_order
      from rounds r join round_spaces s on s.round_id = r.round_id
      where r.planned_date >= ${input.from} and r.planned_date <= ${input.to} and r.status = 'completed' ${input.complexId ? sql`and r.complex_id = ${input.complexId}` : sql``}
      group by r.round_id, r.complex_id, r.planned_date, s.building_id
      order by s.building_id, r.planned_date, r.round_id`.execute(db),
  ]);
  const share = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);
  const totals = bySource.rows.reduce((t, r) => ({ complaint: t.complaint + r.complaint, supervision: t.supervision + r.supervision }), { complaint: 0, supervision: 0 });
  return {
    from: input.from,
    to: input.to,
    incidents: {
      complaint: totals.complaint,
      supervision: totals.supervision,
      supervisionShare: share(totals.supervision, totals.complaint + totals.supervision),
      byComplexAndMonth: bySource.rows.map((r) => ({ complexId: r.complex_id, month: r.month, complaint: r.complaint, supervision: r.supervision })),
    },
    rounds: rounds.rows.map((r) => ({
      complexId: r.complex_id,
      due: r.due,
      completed: r.completed,
      onTime: r.on_time,
      overdue: r.overdue,
      open: r.open,
      onTimeShare: share(r.on_time, r.due),
    })),
    liveability: trend.rows.map((r) => ({
      roundId: r.round_id,
      complexId: r.complex_id,
      buildingId: r.building_id,
      plannedDate: r.planned_date,
      spaces: r.spaces,
      inOrder: r.in_order,
      inOrderShare: share(r.in_order, r.spaces),
    })),
  };
}
export type SupervisionReport = Awaited<ReturnType<typeof supervisionReport>>;

/**
 * Whether regular rounds lower recurrence: of the incidents closed in [from, to] (taken up and
 * closed), those whose complex had a round completed within `months` after the closing against
 * those without; and of each, how many came back (a new incident at the same building and category,
 * not cancelled, within `months`). Only incidents closed at least `months` before asOf are judged.
 */
export async function recurrenceByRounds(db: Db, input: { from: LocalDate; to: LocalDate; asOf: LocalDate; months: number }) {
  const start = startOf(input.from);
  const end = endOf(input.to);
  const span = `${input.months} months`;
  // Two passes of one sort each instead of a lookup per incident: the next report after each close
  // in its space (building and category), and the next completed round after it in its complex;
  // ties go to the close (a report or a round on the closing day's instant or date is not "after").
  const { rows } = await sql<{ with_rounds: boolean; judged: number; came_back: number }>`
    with closes as (
      select incident_id, complex_id, building_id, category, closed_at
      from incidents
      where status = 'closed' and closed_at >= ${start} and closed_at < ${end}
        and outcome = any(${['self_cleaned', 'cleaned_and_charged', 'cleaned_at_service_cost', 'cleaned_at_corporation_cost', 'dismissed']}::text[])
        and closed_at + ${span}::interval <= ${endOf(input.asOf)}
    ),
    by_space as (
      select incident_id, is_close, closed_at,
        min(report_at) over (partition by building_id collate "C", category collate "C" order by t desc, not is_close rows between unbounded preceding and 1 preceding) as next_report
      from (
        select incident_id, building_id, category, closed_at as t, true as is_close, closed_at, null::timestamptz as report_at from closes
        union all
        select null, building_id, category, reported_at, false, null, reported_at from incidents
        where reported_at > ${start} and reported_at <= ${end}::timestamptz + ${span}::interval and outcome is distinct from 'cancelled'
      ) spaces
    ),
    by_complex as (
      select incident_id, is_close,
        min(round_on) over (partition by complex_id collate "C" order by t desc, not is_close rows between unbounded preceding and 1 preceding) as next_round
      from (
        select incident_id, complex_id, (closed_at at time zone 'Europe/Amsterdam')::date as t, true as is_close, null::date as round_on from closes
        union all
        select null, complex_id, planned_date, false, planned_date from rounds
        where status = 'completed' and planned_date > ${input.from} and planned_date <= (${input.to}::date + ${span}::interval)::date
      ) walked
    )
    select coalesce(c.next_round <= ((s.closed_at + ${span}::interval) at time zone 'Europe/Amsterdam')::date, false) as with_rounds,
      count(*)::int as judged,
      count(*) filter (where s.next_report <= s.closed_at + ${span}::interval)::int as came_back
    from by_space s join by_complex c on c.incident_id = s.incident_id and c.is_close
    where s.is_close
    group by 1`.execute(db);
  const of = (withRounds: boolean) => {
    const row = rows.find((r) => r.with_rounds === withRounds);
    const judged = row?.judged ?? 0;
    const cameBack = row?.came_back ?? 0;
    return { judged, cameBack, rate: judged === 0 ? null : Math.round((cameBack / judged) * 10_000) / 10_000 };
  };
  return { months: input.months, withRounds: of(true), withoutRounds: of(false) };
}
