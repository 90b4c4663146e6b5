import type { Db } from './connection';
import { readIncidentTimeline } from './event-store';
import { incidentsNaming } from './erasure';
import type { SubjectKeys } from './subject-keys';
import { NotFoundError } from '../domain/errors';
import { tenantStreamId } from '../domain/streams';

/**
 * Everything held about one tenant (AVG art. 15, the right of access): the directory's row, the
 * incidents that name them with every event (sealed texts opened, or [verwijderd]), the letters
 * sent to them, their invoices and payments, service-cost shares, offences, photos, and whether
 * their data was erased. Read from the same tables and events the workspace reads.
 */
export interface TenantDataExport {
  tenantId: string;
  madeAt: string;
  directory: {
    name: string;
    email: string | null;
    street: string;
    houseNumber: string;
    postalCode: string;
    city: string;
    complexId: string;
    buildingId: string;
    unit: string;
    updatedAt: string;
  } | null;
  /** Kept for the invoices after an erasure (db/erasure.ts). */
  billingAddressee: { name: string; street: string; houseNumber: string; postalCode: string; city: string; keepUntil: string } | null;
  erasures: { erasedAt: string; erasedBy: string }[];
  incidents: {
    incidentId: string;
    incidentNumber: string | null;
    roles: ('polluter' | 'complainant' | 'named')[];
    category: string;
    location: string;
    status: string;
    outcome: string | null;
    reportedAt: string;
    closedAt: string | null;
    events: { type: string; data: Record<string, unknown>; actor: string | null; recordedAt: string }[];
  }[];
  letters: { letterId: string; incidentId: string; kind: string; recordedAt: string; channel: string | null; address: string | null }[];
  invoices: {
    invoiceNumber: string;
    incidentId: string;
    issueDate: string;
    dueDate: string;
    totalCents: number;
    status: string;
    openCents: number;
    creditNoteNumber: string | null;
    payments: { paidOn: string; amountCents: number; source: string; reference: string | null }[];
  }[];
  serviceCostShares: { incidentId: string; amountCents: number; recordedAt: string }[];
  offences: { incidentId: string; offenceNumber: number; severity: string; recordedAt: string }[];
  photos: { photoId: string; incidentId: string | null; contentType: string; byteSize: number; uploadedAt: string; uploadedBy: string }[];
}

export async function tenantDataExport(db: Db, keys: SubjectKeys, tenantId: string, now: Date): Promise<TenantDataExport> {
  const [directory, addressee, erasureEvents, incidentIds, letters, invoices, shares, offences] = await Promise.all([
    db.selectFrom('tenants').selectAll().where('contract_number', '=', tenantId).executeTakeFirst(),
    db.selectFrom('billing_addressees').selectAll().select((eb) => eb.cast<string>('keep_until', 'text').as('keep_until_text')).where('contract_number', '=', tenantId).executeTakeFirst(),
    db.selectFrom('events').select(['data']).where('stream_id', '=', tenantStreamId(tenantId)).where('type', '=', 'TenantErased').orderBy('position').execute(),
    incidentsNaming(db, tenantId),
    db
      .selectFrom('notifications as n')
      .leftJoin('letter_deliveries as d', 'd.letter_id', 'n.letter_id')
      .select(['n.letter_id', 'n.incident_id', 'n.kind', 'n.recorded_at', 'd.channel', 'd.address'])
      .where('n.recipient_type', '=', 'tenant')
      .where('n.recipient_id', '=', tenantId)
      .orderBy('n.recorded_at')
      .orderBy('n.letter_id')
      .execute(),
    db.selectFrom('invoices').selectAll().where('debtor_tenant_id', '=', tenantId).orderBy('issue_date').orderBy('invoice_number').execute(),
    db.selectFrom('service_cost_allocations').selectAll().where('tenant_id', '=', tenantId).orderBy('recorded_at').execute(),
    db.selectFrom('offences').selectAll().where('tenant_id', '=', tenantId).orderBy('recorded_at').execute(),
  ]);
  const incidentRows = incidentIds.length === 0 ? [] : await db.selectFrom('incidents').selectAll().where('incident_id', 'in', incidentIds).orderBy('reported_at').execute();
  if (!directory && !addressee && erasureEvents.length === 0 && incidentRows.length === 0) throw new NotFoundError(`nothing is held about tenant ${tenantId}`);
  const invoiceNumbers = invoices.map((i) => i.invoice_number);
  const [payments, photos] = await Promise.all([
    invoiceNumbers.length === 0 ? [] : db.selectFrom('payments').selectAll().where('invoice_number', 'in', invoiceNumbers).orderBy('paid_on').execute(),
    db
      .selectFrom('photos')
      .select(['photo_id', 'incident_id', 'content_type', 'byte_size', 'uploaded_at', 'uploaded_by'])
      .where((eb) => eb.or([eb('incident_id', 'in', incidentIds.length > 0 ? incidentIds : ['']), eb('uploaded_by', '=', `tenant:${tenantId}`)]))
      .orderBy('uploaded_at')
      .execute(),
  ]);
  const incidents = await Promise.all(
    incidentRows.map(async (row) => {
      const timeline = await keys.reveal(await readIncidentTimeline(db, row.incident_id));
      const roles: TenantDataExport['incidents'][number]['roles'] = [];
      if (row.polluter_tenant_id === tenantId) roles.push('polluter');
      if (row.complainant_tenant_id === tenantId) roles.push('complainant');
      if (roles.length === 0) roles.push('named');
      return {
        incidentId: row.incident_id,
        incidentNumber: row.incident_number,
        roles,
        category: row.category,
        location: row.location,
        status: row.status,
        outcome: row.outcome,
        reportedAt: row.reported_at.toISOString(),
        closedAt: row.closed_at?.toISOString() ?? null,
        events: timeline.map((e) => ({
          type: e.event.type,
          data: e.event.data as Record<string, unknown>,
          actor: typeof e.metadata.actor === 'string' ? e.metadata.actor : null,
          recordedAt: e.recordedAt.toISOString(),
        })),
      };
    }),
  );
  return {
    tenantId,
    madeAt: now.toISOString(),
    directory: directory
      ? {
          name: directory.name,
          email: directory.email,
          street: directory.street,
          houseNumber: directory.house_number,
          postalCode: directory.postal_code,
          city: directory.city,
          complexId: directory.complex_id,
          buildingId: directory.building_id,
          unit: directory.unit,
          updatedAt: new Date(directory.updated_at).toISOString(),
        }
      : null,
    billingAddressee: addressee
      ? { name: addressee.name, street: addressee.street, houseNumber: addressee.house_number, postalCode: addressee.postal_code, city: addressee.city, keepUntil: addressee.keep_until_text }
      : null,
    erasures: erasureEvents.map((e) => {
      const data = e.data as { erasedAt: string; erasedBy: string };
      return { erasedAt: data.erasedAt, erasedBy: data.erasedBy };
    }),
    incidents,
    letters: letters.map((l) => ({ letterId: l.letter_id, incidentId: l.incident_id, kind: l.kind, recordedAt: l.recorded_at.toISOString(), channel: l.channel, address: l.address })),
    invoices: invoices.map((i) => ({
      invoiceNumber: i.invoice_number,
      incidentId: i.incident_id,
      issueDate: i.issue_date,
      dueDate: i.due_date,
      totalCents: i.total_cents,
      status: i.status,
      openCents: i.open_cents,
      creditNoteNumber: i.credit_note_number,
      payments: payments.filter((p) => p.invoice_number === i.invoice_number).map((p) => ({ paidOn: p.paid_on, amountCents: p.amount_cents, source: p.source, reference: p.reference })),
    })),
    serviceCostShares: shares.map((s) => ({ incidentId: s.incident_id, amountCents: s.amount_cents, recordedAt: s.recorded_at.toISOString() })),
    offences: offences.map((o) => ({ incidentId: o.incident_id, offenceNumber: o.offence_number, severity: o.severity, recordedAt: o.recorded_at.toISOString() })),
    photos: photos.map((p) => ({
      photoId: p.photo_id,
      incidentId: p.incident_id,
      contentType: p.content_type,
      byteSize: p.byte_size,
      uploadedAt: new Date(p.uploaded_at).toISOString(),
      uploadedBy: p.uploaded_by,
    })),
  };
}
