import { sql } from 'kysely';
import { addWorkingDays, amsterdamDate } from '../domain/calendar';
import { workOrderNumberOf } from '../domain/incident/process';
import { incidentStreamId } from '../domain/streams';
import { defaultPolicy } from '../domain/policy';
import type { Db } from './connection';

/**
 * A contractor's work orders: incidents whose cleanup was ordered from them (CleanupOrdered) and
 * not yet completed, read from the incidents read model (phase `cleanup_ordered`), with the address
 * of the building and what the consultant described in the report.
 */

export interface ContractorRef {
  contractorId: string;
  name: string;
}

/** The contractors in the directory with this e-mail address (compared without case): a person's company. */
export async function contractorsByEmail(db: Db, email: string | null): Promise<ContractorRef[]> {
  if (!email) return [];
  const rows = await db
    .selectFrom('contractors')
    .select(['contractor_id', 'name'])
    .where(sql`lower(email)`, '=', email.trim().toLowerCase())
    .orderBy('contractor_id')
    .execute();
  return rows.map((r) => ({ contractorId: r.contractor_id, name: r.name }));
}

export interface WorkOrder {
  incidentId: string;
  incidentNumber: string | null;
  workOrderNumber: string;
  contractorId: string;
  category: string;
  complexId: string;
  buildingId: string;
  location: string;
  description: string;
  /** The photos taken with the report, as evidence of what there is to clean. */
  photoIds: string[];
  address: { streets: string; postalCode: string; city: string } | null;
  orderedAt: string;
  /** The Amsterdam day by which the work is expected, as the work order stated it (policy workOrderTermWorkingDays). */
  dueDate: string;
  status: 'open' | 'closed';
  phase: string;
  costCents: number | null;
}

type Row = {
  incident_id: string;
  incident_number: string | null;
  contractor_id: string | null;
  category: string;
  complex_id: string;
  building_id: string;
  location: string;
  cleanup_ordered_at: Date | null;
  status: 'open' | 'closed';
  phase: string;
  cost_cents: number | null;
};

const columns = ['incident_id', 'incident_number', 'contractor_id', 'category', 'complex_id', 'building_id', 'location', 'cleanup_ordered_at', 'status', 'phase', 'cost_cents'] as const;

/** House numbers in order, a run of three or more written as a range: "1–4, 7, 9a". */
export function houseNumbers(numbers: string[]): string {
  const sorted = [...numbers].sort((a, b) => a.localeCompare(b, 'nl', { numeric: true }));
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && /^\d+$/.test(sorted[j]!) && /^\d+$/.test(sorted[j + 1]!) && Number(sorted[j + 1]) === Number(sorted[j]) + 1) j++;
    parts.push(j - i >= 2 ? `${sorted[i]}–${sorted[j]}` : sorted.slice(i, j + 1).join(', '));
    i = j + 1;
  }
  return parts.join(', ');
}

/** Addresses of the buildings and the reports' descriptions, in one query each for all the orders. */
async function describe(db: Db, rows: Row[]): Promise<WorkOrder[]> {
  if (rows.length === 0) return [];
  const buildings = [...new Set(rows.map((r) => r.building_id))];
  const [addresses, reports] = await Promise.all([
    db
      .selectFrom('tenants')
      .select((eb) => [
        'building_id',
        'street',
        sql<string[]>`array_agg(distinct house_number)`.as('numbers'),
        eb.fn.min('postal_code').as('postal_code'),
        eb.fn.min('city').as('city'),
      ])
      .where('building_id', 'in', buildings)
      .groupBy(['building_id', 'street'])
      .orderBy('building_id')
      .orderBy('street')
      .execute(),
    db
      .selectFrom('events')
      .select(['stream_id', 'type', 'data'])
      .where('stream_id', 'in', rows.map((r) => incidentStreamId(r.incident_id)))
      .where('type', 'in', ['IncidentReported', 'CleanupOrdered'])
      .execute(),
  ]);
  const addressOf = new Map<string, { streets: string; postalCode: string; city: string }>();
  for (const a of addresses) {
    const known = addressOf.get(a.building_id);
    const street = `${a.street} ${houseNumbers(a.numbers)}`;
    addressOf.set(a.building_id, known ? { ...known, streets: `${known.streets}, ${street}` } : { streets: street, postalCode: a.postal_code, city: a.city });
  }
  const reportOf = new Map(reports.filter((r) => r.type === 'IncidentReported').map((r) => [r.stream_id, r.data as { description?: unknown; photoIds?: unknown }]));
  // The day the work order itself gave (absent in orders made before it said one).
  const completeByOf = new Map(
    reports
      .filter((r) => r.type === 'CleanupOrdered')
      .map((r) => [r.stream_id, (r.data as { letters?: { content?: { completeBy?: unknown } }[] }).letters?.[0]?.content?.completeBy]),
  );
  return rows.map((r) => {
    const orderedAt = r.cleanup_ordered_at ?? new Date(0);
    return {
      incidentId: r.incident_id,
      incidentNumber: r.incident_number,
      workOrderNumber: workOrderNumberOf(r.incident_id),
      contractorId: r.contractor_id ?? '',
      category: r.category,
      complexId: r.complex_id,
      buildingId: r.building_id,
      location: r.location,
      description: String(reportOf.get(incidentStreamId(r.incident_id))?.description ?? ''),
      photoIds: ((reportOf.get(incidentStreamId(r.incident_id))?.photoIds ?? []) as unknown[]).filter((id): id is string => typeof id === 'string'),
      address: addressOf.get(r.building_id) ?? null,
      orderedAt: orderedAt.toISOString(),
      dueDate: typeof completeByOf.get(incidentStreamId(r.incident_id)) === 'string'
        ? (completeByOf.get(incidentStreamId(r.incident_id)) as string)
        : addWorkingDays(amsterdamDate(orderedAt), defaultPolicy.workOrderTermWorkingDays as number),
      status: r.status,
      phase: r.phase,
      costCents: r.cost_cents,
    };
  });
}

/** The open work orders of these contractors, the oldest order first, with how many there are. */
export async function openWorkOrders(db: Db, contractorIds: string[], page: { limit: number; offset: number }): Promise<{ workOrders: WorkOrder[]; total: number }> {
  if (contractorIds.length === 0) return { workOrders: [], total: 0 };
  const open = db.selectFrom('incidents').where('contractor_id', 'in', contractorIds).where('status', '=', 'open').where('phase', '=', 'cleanup_ordered');
  const [rows, count] = await Promise.all([
    open.select([...columns]).orderBy('cleanup_ordered_at').orderBy('incident_id').limit(page.limit).offset(page.offset).execute(),
    open.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { workOrders: await describe(db, rows), total: Number(count.n) };
}

/** One work order of these contractors (open or done), or null when there is none for them. */
export async function workOrderOf(db: Db, contractorIds: string[], incidentId: string): Promise<WorkOrder | null> {
  if (contractorIds.length === 0) return null;
  const row = await db
    .selectFrom('incidents')
    .select([...columns])
    .where('incident_id', '=', incidentId)
    .where('contractor_id', 'in', contractorIds)
    .where('cleanup_ordered_at', 'is not', null)
    .executeTakeFirst();
  return row ? ((await describe(db, [row]))[0] ?? null) : null;
}
