/**
 * The team's case review: the cases of a month with why each is on the agenda (from the incidents
 * read model), the conclusions and agreements the team recorded (events on the stream
 * review-<month>, projected to case_review_conclusions and case_review_agreements), and the
 * lasting-solution report: of the incidents closed, how many came back at the same building and
 * category within 3, 6 and 12 months, by outcome.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { addCalendarDays, amsterdamInstant, type LocalDate } from '../domain/calendar';
import type { EventData } from '../domain/events';
import { IllegalStateError, NotFoundError } from '../domain/errors';
import { eventIdAt, reviewStreamId } from '../domain/streams';
import type { Db } from './connection';
import { appendToStream, ConcurrencyError } from './event-store';
import { UNKNOWN_AGAIN_MONTHS } from './reports';

/** Why a case is on the agenda, most pressing first. */
export const reviewReasons = [
  'needs_attention',
  'tenancy_escalation',
  'repeat_offender',
  'disputed',
  'dispute_upheld',
  'escalated',
  'deadline_extended',
  'unknown_polluter_again',
] as const;
export type ReviewReason = (typeof reviewReasons)[number];

export interface ReviewCaseRow {
  incidentId: string;
  category: string;
  complexId: string;
  buildingId: string;
  location: string;
  status: string;
  phase: string;
  outcome: string | null;
  reportedAt: string;
  reasons: ReviewReason[];
  conclusion: { text: string; by: string; byName: string; recordedAt: string } | null;
}

export interface Agreement {
  agreementId: string;
  month: string;
  caseId: string | null;
  text: string;
  owner: string;
  dueDate: string;
  madeBy: string;
  madeByName: string;
  madeAt: string;
  done: { at: string; byName: string; note: string | null } | null;
}

/** The first and last day of a month (YYYY-MM). */
export function monthPeriod(month: string): { from: LocalDate; to: LocalDate } {
  const from = `${month}-01`;
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return { from, to: addCalendarDays(next, -1) };
}

/** The cases of a month's review: incidents reported in the month with at least one reason, newest first, with the conclusion recorded. */
export async function reviewCases(
  db: Db,
  input: { month: string; limit: number; offset: number },
): Promise<{ month: string; from: LocalDate; to: LocalDate; total: number; cases: ReviewCaseRow[] }> {
  const { from, to } = monthPeriod(input.month);
  const start = amsterdamInstant(from, '00:00');
  const end = amsterdamInstant(addCalendarDays(to, 1), '00:00');
  const { rows } = await sql<{
    incident_id: string;
    category: string;
    complex_id: string;
    building_id: string;
    location: string;
    status: string;
    phase: string;
    outcome: string | null;
    reported_at: Date;
    reasons: ReviewReason[];
    total: number;
    conclusion: string | null;
    recorded_by: string | null;
    recorded_by_name: string | null;
    recorded_at: Date | null;
  }>`
    with candidates as (
      select i.incident_id, i.category, i.complex_id, i.building_id, i.location, i.status, i.phase, i.outcome, i.reported_at,
        array_remove(array[
          case when i.attention_since is not null then 'needs_attention' end,
          case when i.tenancy_escalation then 'tenancy_escalation' end,
          case when coalesce(i.offence_number, 0) >= 2 then 'repeat_offender' end,
          case when i.dispute <> 'none' then 'disputed' end,
          case when i.dispute_upheld then 'dispute_upheld' end,
          case when i.contractor_id is not null then 'escalated' end,
          case when i.deadline_extensions > 0 then 'deadline_extended' end,
          case when i.polluter_tenant_id is null and (i.outcome is null or i.outcome not in ('returned_to_complainant', 'cancelled')) and exists (
            select 1 from incidents e
            where e.building_id = i.building_id
              and e.polluter_tenant_id is null and (e.outcome is null or e.outcome not in ('returned_to_complainant', 'cancelled'))
              and e.reported_at < i.reported_at and e.reported_at >= i.reported_at - ${`${UNKNOWN_AGAIN_MONTHS} months`}::interval) then 'unknown_polluter_again' end
        ], null) as reasons
      from incidents i
      where i.reported_at >= ${start} and i.reported_at < ${end}
    )
    select c.*, count(*) over ()::int as total, r.conclusion, r.recorded_by, r.recorded_by_name, r.recorded_at
    from candidates c
    left join case_review_conclusions r on r.month = ${input.month} and r.case_id = c.incident_id
    where cardinality(c.reasons) > 0
    order by c.reported_at desc, c.incident_id
    limit ${input.limit} offset ${input.offset}`.execute(db);
  let total = rows[0]?.total ?? 0;
  if (rows.length === 0 && input.offset > 0) {
    // Past the last page: the count without the rows.
    const counted = await reviewCases(db, { ...input, offset: 0, limit: 1 });
    total = counted.total;
  }
  return {
    month: input.month,
    from,
    to,
    total,
    cases: rows.map((r) => ({
      incidentId: r.incident_id,
      category: r.category,
      complexId: r.complex_id,
      buildingId: r.building_id,
      location: r.location,
      status: r.status,
      phase: r.phase,
      outcome: r.outcome,
      reportedAt: r.reported_at.toISOString(),
      reasons: reviewReasons.filter((reason) => r.reasons.includes(reason)),
      conclusion:
        r.conclusion === null
          ? null
          : { text: r.conclusion, by: r.recorded_by ?? '', byName: r.recorded_by_name ?? '', recordedAt: (r.recorded_at ?? new Date(0)).toISOString() },
    })),
  };
}

type AgreementRow = {
  agreement_id: string;
  month: string;
  case_id: string | null;
  text: string;
  owner: string;
  due_date: string;
  made_by: string;
  made_by_name: string;
  made_at: Date;
  done_at: Date | null;
  done_by_name: string | null;
  done_note: string | null;
};

const agreementColumns = sql`agreement_id, month, case_id, text, owner, due_date::text as due_date, made_by, made_by_name, made_at, done_at, done_by_name, done_note`;

function toAgreement(r: AgreementRow): Agreement {
  return {
    agreementId: r.agreement_id,
    month: r.month,
    caseId: r.case_id,
    text: r.text,
    owner: r.owner,
    dueDate: r.due_date,
    madeBy: r.made_by,
    madeByName: r.made_by_name,
    madeAt: r.made_at.toISOString(),
    done: r.done_at === null ? null : { at: r.done_at.toISOString(), byName: r.done_by_name ?? '', note: r.done_note },
  };
}

export async function agreementsOfMonth(db: Db, month: string): Promise<Agreement[]> {
  const { rows } = await sql<AgreementRow>`select ${agreementColumns} from case_review_agreements where month = ${month} order by made_at, agreement_id`.execute(db);
  return rows.map(toAgreement);
}

/** Every agreement, open first (by due date), then done (by due date, latest first). */
export async function listAgreements(
  db: Db,
  input: { status: 'open' | 'done' | 'all'; limit: number; offset: number },
): Promise<{ total: number; open: number; agreements: Agreement[] }> {
  const where = input.status === 'open' ? sql`done_at is null` : input.status === 'done' ? sql`done_at is not null` : sql`true`;
  const [page, counts] = await Promise.all([
    sql<AgreementRow>`select ${agreementColumns} from case_review_agreements where ${where}
      order by (done_at is not null), case when done_at is null then due_date end, due_date desc, agreement_id
      limit ${input.limit} offset ${input.offset}`.execute(db),
    sql<{ total: number; open: number }>`select count(*) filter (where ${where})::int as total, count(*) filter (where done_at is null)::int as open from case_review_agreements`.execute(db),
  ]);
  return { total: counts.rows[0]?.total ?? 0, open: counts.rows[0]?.open ?? 0, agreements: page.rows.map(toAgreement) };
}

async function agreementById(db: Db, agreementId: string): Promise<Agreement | null> {
  const { rows } = await sql<AgreementRow>`select ${agreementColumns} from case_review_agreements where agreement_id = ${agreementId}`.execute(db);
  return rows[0] ? toAgreement(rows[0]) : null;
}

interface Actor {
  by: string;
  byName: string;
}

/**
 * Append one event to a month's review stream at the version it is at (the id is the stream and
 * that version); when another append got there first, read again and try again. `build` runs
 * before each attempt and may refuse.
 */
async function appendToReview(db: Db, month: string, actor: string, build: () => Promise<Parameters<typeof appendToStream>[3][number]['event']>): Promise<void> {
  const streamId = reviewStreamId(month);
  for (let attempt = 0; ; attempt++) {
    const event = await build();
    const row = await db.selectFrom('events').select((eb) => eb.fn.max('stream_version').as('version')).where('stream_id', '=', streamId).executeTakeFirst();
    const version = row?.version ?? 0;
    try {
      await appendToStream(db, streamId, version === 0 ? 'no_stream' : version, [{ eventId: eventIdAt(streamId, version + 1), event }], { actor });
      return;
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= 4) throw error;
    }
  }
}

async function requireIncident(db: Db, incidentId: string): Promise<void> {
  const found = await db.selectFrom('incidents').select('incident_id').where('incident_id', '=', incidentId).executeTakeFirst();
  if (!found) throw new NotFoundError(`incident ${incidentId} not found`);
}

export async function recordConclusion(db: Db, input: { month: string; caseId: string; conclusion: string } & Actor): Promise<NonNullable<ReviewCaseRow['conclusion']>> {
  await requireIncident(db, input.caseId);
  const data: EventData<'CaseReviewConclusionRecorded'> = {
    month: input.month,
    caseId: input.caseId,
    conclusion: input.conclusion,
    by: input.by,
    byName: input.byName,
    recordedAt: new Date().toISOString(),
  };
  await appendToReview(db, input.month, input.by, async () => ({ type: 'CaseReviewConclusionRecorded', data }));
  return { text: data.conclusion, by: data.by, byName: data.byName, recordedAt: data.recordedAt };
}

export async function makeAgreement(
  db: Db,
  input: { month: string; caseId: string | null; text: string; owner: string; dueDate: LocalDate; agreementId?: string } & Actor,
): Promise<{ agreement: Agreement; created: boolean }> {
  if (input.caseId !== null) await requireIncident(db, input.caseId);
  // A form sent twice (a double click, a retry) carries the same id: the agreement it made.
  if (input.agreementId) {
    const earlier = await agreementById(db, input.agreementId);
    if (earlier) {
      if (earlier.month === input.month && earlier.text === input.text && earlier.owner === input.owner && earlier.dueDate === input.dueDate && earlier.caseId === input.caseId) {
        return { agreement: earlier, created: false };
      }
      throw new IllegalStateError(`agreement ${input.agreementId} was made before with other content`);
    }
  }
  const data: EventData<'CaseReviewAgreementMade'> = {
    month: input.month,
    agreementId: input.agreementId ?? randomUUID(),
    caseId: input.caseId,
    text: input.text,
    owner: input.owner,
    dueDate: input.dueDate,
    by: input.by,
    byName: input.byName,
    madeAt: new Date().toISOString(),
  };
  await appendToReview(db, input.month, input.by, async () => ({ type: 'CaseReviewAgreementMade', data }));
  return { agreement: (await agreementById(db, data.agreementId))!, created: true };
}

export async function markAgreementDone(db: Db, input: { agreementId: string; note: string | null } & Actor): Promise<Agreement> {
  const first = await agreementById(db, input.agreementId);
  if (!first) throw new NotFoundError(`agreement ${input.agreementId} not found`);
  await appendToReview(db, first.month, input.by, async () => {
    const now = await agreementById(db, input.agreementId);
    if (now?.done) throw new IllegalStateError(`the agreement was already marked done by ${now.done.byName}`);
    return {
      type: 'CaseReviewAgreementDone',
      data: { month: first.month, agreementId: input.agreementId, note: input.note, by: input.by, byName: input.byName, doneAt: new Date().toISOString() },
    };
  });
  return (await agreementById(db, input.agreementId))!;
}

// ---------------------------------------------------------------------------------------------
// Lasting solutions
// ---------------------------------------------------------------------------------------------

/** The outcomes whose lasting effect is compared: an incident taken up and closed. */
export const lastingOutcomes = ['self_cleaned', 'cleaned_and_charged', 'cleaned_at_service_cost', 'cleaned_at_corporation_cost', 'dismissed'] as const;
export const lastingHorizons = [3, 6, 12] as const;

export interface LastingFigures {
  closed: number;
  /** Per horizon: the incidents closed at least that many months before asOf (the others cannot be judged yet), and of those, how many came back within it. */
  horizons: { months: number; judged: number; cameBack: number; rate: number | null }[];
}

export interface LastingSolutions {
  from: LocalDate;
  to: LocalDate;
  asOf: LocalDate;
  outcomes: ({ outcome: (typeof lastingOutcomes)[number] } & LastingFigures)[];
  total: LastingFigures;
}

const rate = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

/**
 * Of the incidents closed (with a lasting outcome) in [from, to] (Amsterdam dates of closing), how
 * many came back: a new incident at the same building and category (not cancelled) reported after
 * the closing and within 3, 6 and 12 months of it. Only incidents closed at least that long before
 * asOf count for a horizon.
 */
export async function lastingSolutions(db: Db, input: { from: LocalDate; to: LocalDate; asOf: LocalDate }): Promise<LastingSolutions> {
  const start = amsterdamInstant(input.from, '00:00');
  const end = amsterdamInstant(addCalendarDays(input.to, 1), '00:00');
  const asOf = amsterdamInstant(addCalendarDays(input.asOf, 1), '00:00');
  // The next report after each close, in one pass over the spaces' closes and reports (reported
  // from `from` to a year after `to`): sorted by space, latest first, the smallest report time of
  // the rows before a close. Its building id and category sorted bytewise (collation "C"), which is
  // several times faster than by language rules. In two halves at once (by the building's hash), on
  // two connections.
  const half = (parity: 0 | 1) =>
    db
      .transaction()
      .setAccessMode('read only')
      .execute(async (trx) => {
        await sql`set local max_parallel_workers_per_gather = 0; set local jit = off; set local work_mem = '32MB'`.execute(trx);
        return sql<{ outcome: string; closed: number; judged3: number; back3: number; judged6: number; back6: number; judged12: number; back12: number }>`
          with spaces as (
            select building_id, category, closed_at as t, outcome, closed_at, null::timestamptz as report_at
            from incidents
            where status = 'closed' and closed_at >= ${start} and closed_at < ${end} and outcome = any(${[...lastingOutcomes]}::text[])
              and hashtext(building_id) & 1 = ${sql.lit(parity)}
            union all
            select building_id, category, reported_at, null, null, reported_at
            from incidents
            where reported_at > ${start} and reported_at <= ${end}::timestamptz + interval '12 months' and outcome is distinct from 'cancelled'
              and hashtext(building_id) & 1 = ${sql.lit(parity)}
          ),
          closes as (
            select outcome, closed_at,
              min(report_at) over (partition by building_id collate "C", category collate "C" order by t desc, outcome is null rows between unbounded preceding and 1 preceding) as next_report
            from spaces
          )
          select outcome, count(*)::int as closed,
            ${sql.join(
              lastingHorizons.map(
                (n) => sql`count(*) filter (where closed_at + ${`${n} months`}::interval <= ${asOf})::int as ${sql.ref(`judged${n}`)},
                  count(*) filter (where closed_at + ${`${n} months`}::interval <= ${asOf} and next_report <= closed_at + ${`${n} months`}::interval)::int as ${sql.ref(`back${n}`)}`,
              ),
            )}
          from closes where outcome is not null
          group by outcome`.execute(trx);
      });
  const halves = await Promise.all([half(0), half(1)]);
  const rows: Record<string, number | string>[] = [];
  const merged = new Map<string, Record<string, number | string>>();
  for (const { rows: part } of halves) {
    for (const r of part) {
      const into = merged.get(r.outcome);
      if (!into) {
        const copy = { ...r } as Record<string, number | string>;
        merged.set(r.outcome, copy);
        rows.push(copy);
      } else for (const [k, v] of Object.entries(r)) if (typeof v === 'number') into[k] = Number(into[k] ?? 0) + v;
    }
  }
  const figuresOf = (r: { closed: number } & Record<string, number | string>): LastingFigures => ({
    closed: r.closed,
    horizons: lastingHorizons.map((n) => {
      const judged = Number(r[`judged${n}`] ?? 0);
      const cameBack = Number(r[`back${n}`] ?? 0);
      return { months: n, judged, cameBack, rate: rate(cameBack, judged) };
    }),
  });
  const byOutcome = new Map(rows.map((r) => [String(r.outcome), r]));
  const zero = { closed: 0 };
  const sum: Record<string, number> = { closed: 0 };
  for (const r of rows) for (const [k, v] of Object.entries(r)) if (typeof v === 'number') sum[k] = (sum[k] ?? 0) + v;
  return {
    from: input.from,
    to: input.to,
    asOf: input.asOf,
    outcomes: lastingOutcomes.map((outcome) => ({ outcome, ...figuresOf((byOutcome.get(outcome) as unknown as { closed: number } & Record<string, number>) ?? zero) })),
    total: figuresOf(sum as { closed: number } & Record<string, number>),
  };
}
