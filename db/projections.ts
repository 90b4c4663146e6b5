import { sql, type Transaction, type UpdateObject } from 'kysely';
import { lettersOf } from '../domain/events';
import type { Database } from './schema';
import { projectionTables } from './schema';
import type { Db } from './connection';
import type { StoredEvent } from './event-store';
import { readAll } from './event-store';

type Tx = Transaction<Database>;

export function incidentIdOf(stored: StoredEvent): string | null {
  if (stored.streamId.startsWith('incident-')) return stored.streamId.slice('incident-'.length);
  const data = stored.event.data as { incidentId?: unknown };
  return typeof data.incidentId === 'string' ? data.incidentId : null;
}

/**
 * Update the read models for one stored event. Runs in the append's transaction, and again for
 * every event, in order, when the read models are rebuilt: it must read nothing but the event and
 * the read models themselves, so that both give identical rows.
 */
export async function project(trx: Tx, stored: StoredEvent): Promise<void> {
  const { event, recordedAt, position } = stored;
  const incidentId = incidentIdOf(stored);
  const updateIncident = (values: UpdateObject<Database, 'incidents'>) =>
    trx
      .updateTable('incidents')
      .set(values)
      .set({ last_position: position })
      .where('incident_id', '=', incidentId ?? '')
      .execute();

  switch (event.type) {
    case 'IncidentReported': {
      const d = event.data;
      await trx
        .insertInto('incidents')
        .values({
          incident_id: d.incidentId,
          category: d.category,
          complex_id: d.complexId,
          building_id: d.buildingId,
          location: d.location,
          polluter_tenant_id: d.polluterTenantId,
          complainant_tenant_id: d.complainantTenantId,
          status: 'open',
          phase: 'reported',
          reported_at: new Date(d.reportedAt),
          deadline: null,
          deadline_date: null,
          dispute: 'none',
          contractor_id: null,
          cost_cents: null,
          invoice_number: null,
          duplicate_reports: 0,
          tenancy_escalation: false,
          outcome: null,
          closed_at: null,
          last_position: position,
        })
        .execute();
      break;
    }
    case 'PolluterNotified':
      await updateIncident({
        phase: 'awaiting_cleanup',
        polluter_tenant_id: event.data.tenantId,
        deadline: new Date(event.data.deadline),
        deadline_date: event.data.deadlineDate,
      });
      break;
    case 'CollectiveNoticeSent':
      await updateIncident({ phase: 'awaiting_cleanup', deadline: new Date(event.data.deadline), deadline_date: event.data.deadlineDate });
      break;
    case 'CleanupReported':
      await updateIncident({ phase: 'cleanup_reported' });
      break;
    case 'InspectionRecorded':
      await updateIncident({ phase: event.data.result === 'clean' ? 'settling' : 'awaiting_cleanup' });
      break;
    case 'PolluterIdentified':
      await updateIncident({ polluter_tenant_id: event.data.tenantId });
      break;
    case 'DisputeOpened':
      await updateIncident({ dispute: 'open' });
      break;
    case 'DisputeResolved':
      await updateIncident({ dispute: event.data.decision });
      break;
    case 'CleanupOrdered':
      await updateIncident({ phase: 'cleanup_ordered', contractor_id: event.data.contractorId });
      break;
    case 'CleanupCompleted':
      await updateIncident({ phase: 'settling', cost_cents: event.data.costCents });
      break;
    case 'WarningIssued':
      await trx
        .insertInto('offences')
        .values({
          incident_id: incidentId ?? '',
          tenant_id: event.data.tenantId,
          offence_number: event.data.offenceNumber,
          severity: event.data.severity,
          recorded_at: new Date(event.data.issuedAt),
        })
        .execute();
      await updateIncident({});
      break;
    case 'TenancyEscalationFlagged':
      await updateIncident({ tenancy_escalation: true });
      break;
    case 'InvoiceIssued':
      await trx
        .insertInto('invoices')
        .values({
          invoice_number: event.data.invoiceNumber,
          incident_id: event.data.incidentId,
          debtor_tenant_id: event.data.debtorTenantId,
          issue_date: event.data.issueDate,
          due_date: event.data.dueDate,
          total_cents: event.data.totalCents,
          lines: JSON.stringify(event.data.lines),
          recorded_at: recordedAt,
        })
        .execute();
      await updateIncident({ invoice_number: event.data.invoiceNumber });
      break;
    case 'ServiceCostsAllocated':
      await trx
        .insertInto('service_cost_allocations')
        .values(
          event.data.allocations.map((a) => ({
            incident_id: incidentId ?? '',
            tenant_id: a.tenantId,
            amount_cents: a.amountCents,
            recorded_at: recordedAt,
          })),
        )
        .execute();
      await updateIncident({});
      break;
    case 'DuplicateReportLinked':
      await updateIncident({ duplicate_reports: sql`duplicate_reports + 1` });
      break;
    case 'IncidentClosed':
      await updateIncident({ status: 'closed', phase: 'closed', outcome: event.data.outcome, closed_at: new Date(event.data.closedAt) });
      break;
    default:
      if (incidentId !== null && stored.streamId.startsWith('incident-')) await updateIncident({});
  }

  const letters = lettersOf(event);
  if (letters.length > 0) {
    await trx
      .insertInto('notifications')
      .values(
        letters.map((letter) => ({
          letter_id: letter.letterId,
          incident_id: letter.content.incidentId,
          kind: letter.content.kind,
          recipient_type: letter.recipient.type,
          recipient_id: letter.recipient.id,
          event_id: stored.eventId,
          content: JSON.stringify(letter.content),
          recorded_at: recordedAt,
        })),
      )
      .execute();
  }
}

/** Drop every read model's rows and replay all events into them, in one transaction. */
export async function rebuildProjections(db: Db): Promise<{ events: number; seconds: number }> {
  const started = process.hrtime.bigint();
  let events = 0;
  await db.transaction().execute(async (trx) => {
    await sql`truncate table ${sql.join(projectionTables.map((t) => sql.table(t)))}`.execute(trx);
    for await (const page of readAll(trx, 5000)) {
      for (const stored of page) await project(trx, stored);
      events += page.length;
    }
  });
  return { events, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
