import { sql } from 'kysely';
import { createActivities } from '../../activities';
import type { OutgoingMail } from '../../activities/mailer';
import { appendToStream, readStream, type StoredEvent } from '../../db/event-store';
import { rebuildProjections } from '../../db/projections';
import { projectionTables } from '../../db/schema';
import type { DomainEvent } from '../../domain/events';
import type { Letter, LetterContent } from '../../domain/letters';
import { resolvePolicy } from '../../domain/policy';
import { splitToTheCent } from '../../domain/money';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { event, incidentReported } from '../support/events';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('projections');
});

afterAll(async () => {
  await database?.drop();
});

/** An incident's stream, appended to the way the workflow does: event ids `<stream>/<version>`, the version it is at. */
class IncidentStream {
  readonly streamId: string;
  version = 0;
  readonly stored: StoredEvent[] = [];
  constructor(readonly incidentId: string) {
    this.streamId = `incident-${incidentId}`;
  }

  /** The id the next appended event will have, for letter ids. */
  nextEventId(): string {
    return `${this.streamId}/${this.version + 1}`;
  }

  async append(...events: DomainEvent[]): Promise<StoredEvent[]> {
    const batch = events.map((e, i) => ({ eventId: `${this.streamId}/${this.version + i + 1}`, event: e }));
    const result = await appendToStream(database.db, this.streamId, this.version === 0 ? 'no_stream' : this.version, batch, {
      workflowId: `incident-${this.incidentId}`,
      runId: 'run-1',
      actor: 'test',
      causationId: batch[0]!.eventId,
    });
    expect(result.alreadyAppended).toBe(false);
    this.version = result.streamVersion;
    this.stored.push(...result.events);
    return result.events;
  }

  get lastPosition(): number {
    return this.stored[this.stored.length - 1]!.position;
  }
}

function letter(letterId: string, recipient: Letter['recipient'], content: LetterContent): Letter {
  return { letterId, recipient, content };
}

const mailed: OutgoingMail[] = [];
const activities = () =>
  createActivities({
    db: database.db,
    mailer: { send: async (mail) => void mailed.push(mail), close: () => {} },
    policy: resolvePolicy(),
    publicUrl: 'http://polluter-pays.test',
    linkSecret: 'test-link-secret-0123456789',
    corporationName: 'Woonstichting Test',
    corporationIban: 'NL91ABNA0417164300',
    corporationAddress: 'Postbus 1, 3500 AA Utrecht',
  });

/** The rows of every read model, ordered by their key (a read model added later: by the whole row). */
async function snapshot(): Promise<Record<string, unknown[]>> {
  const keys: Partial<Record<string, string[]>> = {
    incidents: ['incident_id'],
    offences: ['incident_id'],
    notifications: ['letter_id'],
    invoices: ['invoice_number'],
    service_cost_allocations: ['incident_id', 'tenant_id'],
  };
  const result: Record<string, unknown[]> = {};
  for (const table of projectionTables) {
    const key = keys[table];
    const orderBy = key ? sql.join(key.map((k) => sql.ref(k))) : sql`${sql.table(table)}::text`;
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)} order by ${orderBy}`.execute(database.db);
    result[table] = rows;
  }
  return result;
}

describe('read models', () => {
  const buildingA = ['A-1', 'A-2', 'A-3', 'A-4', 'A-5', 'A-6'];
  const charged = new IncidentStream('INC-charged');
  const serviceCost = new IncidentStream('INC-service-cost');
  const selfCleaned = new IncidentStream('INC-self-cleaned');
  const stillOpen = new IncidentStream('INC-open');
  const migrated = new IncidentStream('INC-migrated');
  let chargedInvoice: StoredEvent;
  let migratedInvoice: StoredEvent;
  let allocations: { tenantId: string; amountCents: number }[];

  beforeAll(async () => {
    const common = (s: IncidentStream, category: 'fouled_stairwell' | 'bulk_waste' = 'fouled_stairwell') => ({
      incidentId: s.incidentId,
      category,
      location: 'trappenhuis, 2e verdieping',
    });

    // Reported in an interleaved order, as they would be in a live system.
    await charged.append(incidentReported(charged.incidentId, { polluterTenantId: 'A-2', reportedAt: '2031-03-03T08:00:00.000Z' }));
    await serviceCost.append(incidentReported(serviceCost.incidentId, { category: 'bulk_waste', reportedAt: '2031-03-03T09:00:00.000Z' }));
    await selfCleaned.append(
      incidentReported(selfCleaned.incidentId, { polluterTenantId: 'A-2', complainantTenantId: 'A-5', reportedAt: '2031-03-03T10:00:00.000Z' }),
    );
    await stillOpen.append(incidentReported(stillOpen.incidentId, { buildingId: 'C1-B', reportedAt: '2031-03-04T08:00:00.000Z' }));
    await migrated.append(incidentReported(migrated.incidentId, { polluterTenantId: 'B-1', reportedAt: '2030-11-02T08:00:00.000Z' }));

    // 1. Polluter known, did nothing: contractor cleaned, polluter invoiced and warned, neighbours informed.
    {
      const s = charged;
      let id = s.nextEventId();
      await s.append(
        event('PolluterNotified', {
          tenantId: 'A-2',
          deadline: '2031-03-05T22:59:59.999Z',
          deadlineDate: '2031-03-05',
          reminderAt: '2031-03-04T08:00:00.000Z',
          letters: [
            letter(`${id}/A-2`, { type: 'tenant', id: 'A-2' }, {
              kind: 'formal_notice',
              ...common(s),
              deadline: '2031-03-05T22:59:59.999Z',
              deadlineDate: '2031-03-05',
              tariffCents: null,
              linkExpiresAt: '2031-04-02T08:00:00.000Z',
            }),
          ],
        }),
      );
      id = s.nextEventId();
      await s.append(
        event('ReminderSent', {
          letters: [
            letter(`${id}/A-2`, { type: 'tenant', id: 'A-2' }, {
              kind: 'reminder',
              ...common(s),
              deadline: '2031-03-05T22:59:59.999Z',
              deadlineDate: '2031-03-05',
              collective: false,
              linkExpiresAt: '2031-04-02T08:00:00.000Z',
            }),
          ],
        }),
      );
      id = s.nextEventId();
      await s.append(
        event('CleanupOrdered', {
          contractorId: 'K-1',
          workOrderNumber: `WO-${s.incidentId}`,
          orderedAt: '2031-03-06T08:00:00.000Z',
          letters: [letter(`${id}/K-1`, { type: 'contractor', id: 'K-1' }, { kind: 'work_order', ...common(s), workOrderNumber: `WO-${s.incidentId}`, buildingId: 'C1-A' })],
        }),
      );
      await s.append(
        event('CleanupCompleted', { contractorId: 'K-1', reportedCostCents: 12_000, costCents: 12_000, tariffApplied: false, completedAt: '2031-03-07T14:00:00.000Z' }),
      );
      const issued = await activities().issueInvoice({
        eventId: `${s.streamId}/invoice`,
        incidentId: s.incidentId,
        category: 'fouled_stairwell',
        location: 'trappenhuis, 2e verdieping',
        debtorTenantId: 'A-2',
        issuedAt: '2031-03-10T09:00:00.000Z',
        paymentTermDays: 14,
        lines: [{ description: 'Schoonmaak: vervuild trappenhuis', amountCents: 12_000, vatCode: 'BTW-GEEN' }],
        metadata: { workflowId: `incident-${s.incidentId}`, actor: 'system' },
      });
      expect(issued.invoiceNumber).toBe('2031-000001');
      chargedInvoice = (await readStream(database.db, `invoice-${issued.invoiceNumber}`))[0]!;
      id = s.nextEventId();
      await s.append(
        event('WarningIssued', {
          tenantId: 'A-2',
          offenceNumber: 1,
          severity: 'standard',
          issuedAt: '2031-03-10T09:00:01.000Z',
          letters: [
            letter(`${id}/A-2`, { type: 'tenant', id: 'A-2' }, {
              kind: 'warning',
              ...common(s),
              offenceNumber: 1,
              severity: 'standard',
              cleanedBy: 'corporation',
              invoiceNumber: issued.invoiceNumber,
              totalCents: 12_000,
            }),
          ],
        }),
      );
      id = s.nextEventId();
      const neighbours = buildingA.filter((t) => t !== 'A-2');
      await s.append(
        event('NeighboursInformed', {
          households: neighbours.length,
          letters: neighbours.map((t) =>
            letter(`${id}/${t}`, { type: 'tenant', id: t }, { kind: 'neighbours_notice', ...common(s), outcome: 'cleaned_and_charged', polluterKnown: true }),
          ),
        }),
        event('IncidentClosed', { outcome: 'cleaned_and_charged', closedAt: '2031-03-10T09:00:02.000Z' }),
      );
    }

    // 2. Polluter unknown: collective notice, contractor cleaned, costs shared by the building's households.
    {
      const s = serviceCost;
      let id = s.nextEventId();
      await s.append(
        event('CollectiveNoticeSent', {
          households: buildingA,
          deadline: '2031-03-10T22:59:59.999Z',
          deadlineDate: '2031-03-10',
          reminderAt: null,
          letters: buildingA.map((t) =>
            letter(`${id}/${t}`, { type: 'tenant', id: t }, { kind: 'collective_notice', ...common(s, 'bulk_waste'), deadline: '2031-03-10T22:59:59.999Z', deadlineDate: '2031-03-10' }),
          ),
        }),
      );
      id = s.nextEventId();
      await s.append(
        event('CleanupOrdered', {
          contractorId: 'K-2',
          workOrderNumber: `WO-${s.incidentId}`,
          orderedAt: '2031-03-11T08:00:00.000Z',
          letters: [
            letter(`${id}/K-2`, { type: 'contractor', id: 'K-2' }, { kind: 'work_order', ...common(s, 'bulk_waste'), workOrderNumber: `WO-${s.incidentId}`, buildingId: 'C1-A' }),
          ],
        }),
      );
      await s.append(
        event('CleanupCompleted', { contractorId: 'K-2', reportedCostCents: 15_000, costCents: 9_001, tariffApplied: true, completedAt: '2031-03-12T16:30:00.000Z' }),
      );
      const shares = splitToTheCent(9_001, buildingA.length);
      allocations = buildingA.map((tenantId, i) => ({ tenantId, amountCents: shares[i]! }));
      id = s.nextEventId();
      await s.append(
        event('ServiceCostsAllocated', {
          totalCents: 9_001,
          vatCode: 'BTW-GEEN',
          allocations,
          letters: allocations.map((a) =>
            letter(`${id}/${a.tenantId}`, { type: 'tenant', id: a.tenantId }, {
              kind: 'service_cost_notice',
              ...common(s, 'bulk_waste'),
              totalCents: 9_001,
              shareCents: a.amountCents,
              households: buildingA.length,
            }),
          ),
        }),
        event('IncidentClosed', { outcome: 'cleaned_at_service_cost', closedAt: '2031-03-12T16:30:01.000Z' }),
      );
    }

    // 3. The same polluter again, who cleaned up after a dispute was rejected; two duplicate reports linked.
    {
      const s = selfCleaned;
      await s.append(
        event('ComplainantAcknowledged', {
          letters: [letter(`${s.nextEventId()}/A-5`, { type: 'tenant', id: 'A-5' }, { kind: 'complainant_acknowledgement', ...common(s) })],
        }),
      );
      const id = s.nextEventId();
      await s.append(
        event('PolluterNotified', {
          tenantId: 'A-2',
          deadline: '2031-03-05T22:59:59.999Z',
          deadlineDate: '2031-03-05',
          reminderAt: null,
          letters: [
            letter(`${id}/A-2`, { type: 'tenant', id: 'A-2' }, {
              kind: 'formal_notice',
              ...common(s),
              deadline: '2031-03-05T22:59:59.999Z',
              deadlineDate: '2031-03-05',
              tariffCents: 9_500,
              linkExpiresAt: '2031-04-02T10:00:00.000Z',
            }),
          ],
        }),
      );
      // The notice went by post the next day (A-2 had no e-mail then).
      await s.append(event('LetterPosted', { letterId: `${id}/A-2`, postedOn: '2031-03-04', countedFrom: '2031-03-04T22:59:00.000Z', by: 'person:clerk' }));
      await s.append(event('DuplicateReportLinked', { reportId: 'R-1', reportedBy: 'consultant-2', description: 'nog steeds vies', reportedAt: '2031-03-04T07:00:00.000Z' }));
      await s.append(event('DisputeOpened', { by: 'tenant', actor: 'A-2', reason: 'ik was het niet' }));
      await s.append(event('DuplicateReportLinked', { reportId: 'R-2', reportedBy: 'consultant-3', description: 'stinkt', reportedAt: '2031-03-04T12:00:00.000Z' }));
      await s.append(event('DisputeResolved', { decision: 'rejected', resolvedBy: 'consultant-1', note: null }));
      await s.append(event('CleanupReported', { by: 'tenant', actor: 'A-2', note: 'schoon', reportedAt: '2031-03-05T18:00:00.000Z' }));
      await s.append(
        event('InspectionRecorded', { result: 'clean', inspector: 'consultant-1', note: null, inspectedAt: '2031-03-06T09:00:00.000Z', acceptedFromReport: false }),
      );
      const warningId = s.nextEventId();
      await s.append(
        event('WarningIssued', {
          tenantId: 'A-2',
          offenceNumber: 2,
          severity: 'sharp',
          issuedAt: '2031-03-06T09:00:01.000Z',
          letters: [
            letter(`${warningId}/A-2`, { type: 'tenant', id: 'A-2' }, {
              kind: 'warning',
              ...common(s),
              offenceNumber: 2,
              severity: 'sharp',
              cleanedBy: 'tenant',
              invoiceNumber: null,
              totalCents: null,
            }),
          ],
        }),
        event('TenancyEscalationFlagged', { tenantId: 'A-2', offenceNumber: 2 }),
        event('NeighboursNoticeSuppressed', { households: 3, minimum: 4 }),
        event('IncidentClosed', { outcome: 'self_cleaned', closedAt: '2031-03-06T09:00:02.000Z' }),
      );
    }

    // 4. Still open: notified, reported clean, inspected and found not clean.
    {
      const s = stillOpen;
      const id = s.nextEventId();
      await s.append(event('PolluterIdentified', { tenantId: 'B-2', identifiedBy: 'consultant-1' }));
      await s.append(
        event('PolluterNotified', {
          tenantId: 'B-3',
          deadline: '2031-03-06T22:59:59.999Z',
          deadlineDate: '2031-03-06',
          reminderAt: '2031-03-05T08:00:00.000Z',
          letters: [
            letter(`${id}/B-3`, { type: 'tenant', id: 'B-3' }, {
              kind: 'formal_notice',
              ...common(s),
              deadline: '2031-03-06T22:59:59.999Z',
              deadlineDate: '2031-03-06',
              tariffCents: null,
              linkExpiresAt: '2031-04-03T08:00:00.000Z',
            }),
          ],
        }),
      );
      await s.append(event('CleanupReported', { by: 'tenant', actor: 'B-3', note: null, reportedAt: '2031-03-05T10:00:00.000Z' }));
      await s.append(
        event('InspectionRecorded', { result: 'not_clean', inspector: 'consultant-2', note: 'nog vuil', inspectedAt: '2031-03-05T15:00:00.000Z', acceptedFromReport: false }),
      );
    }

    // 5. An invoice built by hand (taken over from the old system), two lines, on its own stream.
    {
      const s = migrated;
      await s.append(
        event('CleanupCompleted', { contractorId: 'K-1', reportedCostCents: null, costCents: 9_500, tariffApplied: true, completedAt: '2030-11-10T12:00:00.000Z' }),
      );
      const lines = [
        { description: 'Schoonmaak (tarief)', amountCents: 9_500, vatCode: 'BTW-GEEN' },
        { description: 'Administratiekosten', amountCents: 1_250, vatCode: 'BTW-GEEN' },
      ];
      const invoiceNumber = '2030-000042';
      const appended = await appendToStream(database.db, `invoice-${invoiceNumber}`, 'no_stream', [
        {
          eventId: `${s.streamId}/invoice`,
          event: event('InvoiceIssued', {
            invoiceNumber,
            incidentId: s.incidentId,
            debtorTenantId: 'B-1',
            issueDate: '2030-11-11',
            dueDate: '2030-11-25',
            lines,
            totalCents: 10_750,
            letters: [
              letter(`${s.streamId}/invoice/invoice`, { type: 'tenant', id: 'B-1' }, {
                kind: 'invoice',
                ...common(s),
                invoiceNumber,
                issueDate: '2030-11-11',
                dueDate: '2030-11-25',
                lines,
                totalCents: 10_750,
              }),
            ],
          }),
        },
      ]);
      migratedInvoice = appended.events[0]!;
      // The invoice stream's event is this incident's latest, until the incident's own stream moves on.
      expect(await database.db.selectFrom('incidents').select('last_position').where('incident_id', '=', s.incidentId).executeTakeFirstOrThrow()).toEqual({
        last_position: migratedInvoice.position,
      });
      await s.append(event('CostBorneByCorporation', { costCents: 0 }));
    }
  });

  it('incidents say where each incident stands', async () => {
    const rows = await database.db.selectFrom('incidents').selectAll().orderBy('incident_id').execute();
    expect(rows).toMatchObject([
      {
        incident_id: 'INC-charged',
        category: 'fouled_stairwell',
        complex_id: 'C1',
        building_id: 'C1-A',
        location: 'trappenhuis, 2e verdieping',
        polluter_tenant_id: 'A-2',
        complainant_tenant_id: null,
        status: 'closed',
        phase: 'closed',
        reported_at: new Date('2031-03-03T08:00:00.000Z'),
        deadline: new Date('2031-03-05T22:59:59.999Z'),
        deadline_date: '2031-03-05',
        dispute: 'none',
        contractor_id: 'K-1',
        cost_cents: 12_000,
        invoice_number: '2031-000001',
        duplicate_reports: 0,
        tenancy_escalation: false,
        outcome: 'cleaned_and_charged',
        closed_at: new Date('2031-03-10T09:00:02.000Z'),
        last_position: charged.lastPosition,
      },
      {
        incident_id: 'INC-migrated',
        category: 'fouled_stairwell',
        complex_id: 'C1',
        building_id: 'C1-A',
        location: 'trappenhuis, 2e verdieping',
        polluter_tenant_id: 'B-1',
        complainant_tenant_id: null,
        status: 'open',
        phase: 'settling',
        reported_at: new Date('2030-11-02T08:00:00.000Z'),
        deadline: null,
        deadline_date: null,
        dispute: 'none',
        contractor_id: null,
        cost_cents: 9_500,
        invoice_number: '2030-000042',
        duplicate_reports: 0,
        tenancy_escalation: false,
        outcome: null,
        closed_at: null,
        last_position: migrated.lastPosition,
      },
      {
        incident_id: 'INC-open',
        category: 'fouled_stairwell',
        complex_id: 'C1',
        building_id: 'C1-B',
        location: 'trappenhuis, 2e verdieping',
        polluter_tenant_id: 'B-3',
        complainant_tenant_id: null,
        status: 'open',
        phase: 'awaiting_cleanup',
        reported_at: new Date('2031-03-04T08:00:00.000Z'),
        deadline: new Date('2031-03-06T22:59:59.999Z'),
        deadline_date: '2031-03-06',
        dispute: 'none',
        contractor_id: null,
        cost_cents: null,
        invoice_number: null,
        duplicate_reports: 0,
        tenancy_escalation: false,
        outcome: null,
        closed_at: null,
        last_position: stillOpen.lastPosition,
      },
      {
        incident_id: 'INC-self-cleaned',
        category: 'fouled_stairwell',
        complex_id: 'C1',
        building_id: 'C1-A',
        location: 'trappenhuis, 2e verdieping',
        polluter_tenant_id: 'A-2',
        complainant_tenant_id: 'A-5',
        status: 'closed',
        phase: 'closed',
        reported_at: new Date('2031-03-03T10:00:00.000Z'),
        deadline: new Date('2031-03-05T22:59:59.999Z'),
        deadline_date: '2031-03-05',
        dispute: 'rejected',
        contractor_id: null,
        cost_cents: null,
        invoice_number: null,
        duplicate_reports: 2,
        tenancy_escalation: true,
        outcome: 'self_cleaned',
        closed_at: new Date('2031-03-06T09:00:02.000Z'),
        last_position: selfCleaned.lastPosition,
      },
      {
        incident_id: 'INC-service-cost',
        category: 'bulk_waste',
        complex_id: 'C1',
        building_id: 'C1-A',
        location: 'trappenhuis, 2e verdieping',
        polluter_tenant_id: null,
        complainant_tenant_id: null,
        status: 'closed',
        phase: 'closed',
        reported_at: new Date('2031-03-03T09:00:00.000Z'),
        deadline: new Date('2031-03-10T22:59:59.999Z'),
        deadline_date: '2031-03-10',
        dispute: 'none',
        contractor_id: 'K-2',
        cost_cents: 9_001,
        invoice_number: null,
        duplicate_reports: 0,
        tenancy_escalation: false,
        outcome: 'cleaned_at_service_cost',
        closed_at: new Date('2031-03-12T16:30:01.000Z'),
        last_position: serviceCost.lastPosition,
      },
    ]);
  });

  it('offences hold one row per warning, dated when it was issued', async () => {
    expect(await database.db.selectFrom('offences').selectAll().orderBy('incident_id').execute()).toMatchObject([
      { incident_id: 'INC-charged', tenant_id: 'A-2', offence_number: 1, severity: 'standard', recorded_at: new Date('2031-03-10T09:00:01.000Z') },
      { incident_id: 'INC-self-cleaned', tenant_id: 'A-2', offence_number: 2, severity: 'sharp', recorded_at: new Date('2031-03-06T09:00:01.000Z') },
    ]);
  });

  it('notifications hold every letter of every event, with the event that carried it', async () => {
    const rows = await database.db.selectFrom('notifications').selectAll().orderBy('letter_id').execute();
    const all = [...charged.stored, ...serviceCost.stored, ...selfCleaned.stored, ...stillOpen.stored, ...migrated.stored, chargedInvoice, migratedInvoice];
    const expected = all
      .flatMap((stored) =>
        ('letters' in stored.event.data ? stored.event.data.letters : []).map((l) => ({
          letter_id: l.letterId,
          incident_id: l.content.incidentId,
          kind: l.content.kind,
          recipient_type: l.recipient.type,
          recipient_id: l.recipient.id,
          event_id: stored.eventId,
          content: l.content,
          recorded_at: stored.recordedAt,
        })),
      )
      .sort((a, b) => (a.letter_id < b.letter_id ? -1 : a.letter_id > b.letter_id ? 1 : 0));
    expect(rows).toMatchObject(expected);

    const kinds = (incidentId: string) => rows.filter((r) => r.incident_id === incidentId).map((r) => `${r.kind}:${r.recipient_id}`).sort();
    expect(kinds('INC-charged')).toEqual(
      [
        'formal_notice:A-2',
        'reminder:A-2',
        'work_order:K-1',
        'invoice:A-2',
        'warning:A-2',
        ...['A-1', 'A-3', 'A-4', 'A-5', 'A-6'].map((t) => `neighbours_notice:${t}`),
      ].sort(),
    );
    expect(kinds('INC-service-cost')).toEqual(
      [...buildingA.map((t) => `collective_notice:${t}`), 'work_order:K-2', ...buildingA.map((t) => `service_cost_notice:${t}`)].sort(),
    );
    expect(kinds('INC-self-cleaned')).toEqual(['complainant_acknowledgement:A-5', 'formal_notice:A-2', 'warning:A-2']);
    expect(kinds('INC-open')).toEqual(['formal_notice:B-3']);
    expect(kinds('INC-migrated')).toEqual(['invoice:B-1']);
    expect(rows.find((r) => r.kind === 'invoice' && r.recipient_id === 'A-2')).toMatchObject({
      letter_id: 'incident-INC-charged/invoice/invoice',
      event_id: 'incident-INC-charged/invoice',
      content: { invoiceNumber: '2031-000001', totalCents: 12_000, issueDate: '2031-03-10', dueDate: '2031-03-24' },
    });
  });

  it('a letter posted says when: the day LetterPosted gives', async () => {
    expect(await database.db.selectFrom('letter_postings').selectAll().execute()).toEqual([
      {
        letter_id: 'incident-INC-self-cleaned/3/A-2',
        posted_on: '2031-03-04',
        counted_from: new Date('2031-03-04T22:59:00.000Z'),
        posted_by: 'person:clerk',
        event_id: 'incident-INC-self-cleaned/4',
      },
    ]);
  });

  it('invoices hold what InvoiceIssued says', async () => {
    expect(await database.db.selectFrom('invoices').selectAll().orderBy('invoice_number').execute()).toMatchObject([
      {
        invoice_number: '2030-000042',
        incident_id: 'INC-migrated',
        debtor_tenant_id: 'B-1',
        issue_date: '2030-11-11',
        due_date: '2030-11-25',
        total_cents: 10_750,
        lines: [
          { description: 'Schoonmaak (tarief)', amountCents: 9_500, vatCode: 'BTW-GEEN' },
          { description: 'Administratiekosten', amountCents: 1_250, vatCode: 'BTW-GEEN' },
        ],
        recorded_at: migratedInvoice.recordedAt,
      },
      {
        invoice_number: '2031-000001',
        incident_id: 'INC-charged',
        debtor_tenant_id: 'A-2',
        issue_date: '2031-03-10',
        due_date: '2031-03-24',
        total_cents: 12_000,
        lines: [{ description: 'Schoonmaak: vervuild trappenhuis', amountCents: 12_000, vatCode: 'BTW-GEEN' }],
        recorded_at: chargedInvoice.recordedAt,
      },
    ]);
    expect(chargedInvoice).toMatchObject({ streamId: 'invoice-2031-000001', streamVersion: 1, eventId: 'incident-INC-charged/invoice' });
    expect(mailed).toEqual([]);
  });

  it('service cost allocations split the cost over the households to the cent', async () => {
    const rows = await database.db.selectFrom('service_cost_allocations').selectAll().orderBy('incident_id').orderBy('tenant_id').execute();
    const recordedAt = serviceCost.stored.find((e) => e.event.type === 'ServiceCostsAllocated')!.recordedAt;
    expect(rows).toMatchObject(allocations.map((a) => ({ incident_id: 'INC-service-cost', tenant_id: a.tenantId, amount_cents: a.amountCents, recorded_at: recordedAt })));
    expect(rows.map((r) => r.amount_cents)).toEqual([1501, 1500, 1500, 1500, 1500, 1500]);
    expect(rows.reduce((sum, r) => sum + r.amount_cents, 0)).toBe(9_001);
  });

  it('are rebuilt from the events into identical rows', async () => {
    const before = await snapshot();
    expect(before.incidents).toHaveLength(5);
    expect(before.notifications!.length).toBeGreaterThan(20);
    expect(before.letter_postings).toHaveLength(1);
    const eventCount = Number(
      (await database.db.selectFrom('events').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n,
    );

    // Damage the read models, so that only a real replay can give the rows back.
    await database.db.updateTable('incidents').set({ phase: 'garbage', duplicate_reports: 99 }).execute();
    await database.db.deleteFrom('notifications').where('kind', '=', 'warning').execute();
    await database.db.deleteFrom('service_cost_allocations').execute();
    await database.db.deleteFrom('letter_postings').execute();
    await database.db.insertInto('offences').values({ incident_id: 'INC-bogus', tenant_id: 'X', offence_number: 1, severity: 'standard', recorded_at: new Date() }).execute();

    const result = await rebuildProjections(database.db);
    expect(result.events).toBe(eventCount);
    expect(await snapshot()).toEqual(before);

    // And a second rebuild from a clean slate changes nothing.
    await rebuildProjections(database.db);
    expect(await snapshot()).toEqual(before);
  });
});
