import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { parse as parseCsv } from 'csv-parse/sync';
import { sql } from 'kysely';
import { buildApp } from '../../api/app';
import type { ApiDeps } from '../../api/deps';
import { upsertTenants, type Tenant } from '../../db/directory';
import { appendToStream } from '../../db/event-store';
import { rebuildProjections } from '../../db/projections';
import { caseReview, hotspots, overdue, percentileOf, periodPieces, summary } from '../../db/reports';
import { workingDayNumber, workingDaysBetween } from '../../domain/calendar';
import { addCalendarDays, isWorkingDay } from '../../domain/calendar';
import type { DomainEvent, Outcome } from '../../domain/events';
import { resolvePolicy } from '../../domain/policy';
import type { Role } from '../../config/config';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { buildingA, buildingB } from '../support/fixtures';
import { event, incidentReported } from '../support/events';

let database: TestDatabase;
const db = () => database.db;

/** Building C2-A: four households, in another complex. */
const buildingC2: Tenant[] = [1, 2, 3, 4].map((n) => ({ ...buildingA[0]!, contractNumber: `C-${n}`, name: `Bewoner C${n}`, complexId: 'C2', buildingId: 'C2-A', unit: `${n}` }));

/** One stream, appended to as the workflow does: event ids `<stream>/<version>`, the version it is at. */
class Stream {
  version = 0;
  constructor(readonly streamId: string) {}
  async append(...events: DomainEvent[]): Promise<void> {
    const batch = events.map((e, i) => ({ eventId: `${this.streamId}/${this.version + i + 1}`, event: e }));
    const result = await appendToStream(db(), this.streamId, this.version === 0 ? 'no_stream' : this.version, batch, { actor: 'test' });
    this.version = result.streamVersion;
  }
}

// In March 2031 (no public holidays) 3 March is a Monday; 7, 14 and 21 March are Fridays.
const at = (date: string, time = '09:00') => `${date}T${time}:00.000Z`;
const deadline = (date: string) => ({ deadline: at(date, '22:59'), deadlineDate: date, reminderAt: null, letters: [] });
const closed = (outcome: Outcome, date: string) => event('IncidentClosed', { outcome, closedAt: at(date, '10:00') });
const notified = (tenantId: string, date: string) => event('PolluterNotified', { tenantId, ...deadline(date) });
const collective = (households: Tenant[], date: string) => event('CollectiveNoticeSent', { households: households.map((h) => h.contractNumber), ...deadline(date) });
const cleanedByTenant = (date: string) => [
  event('CleanupReported', { by: 'tenant', actor: 'tenant', note: null, reportedAt: at(date, '08:00') }),
  event('InspectionRecorded', { result: 'clean', inspector: 'consultant-1', note: null, inspectedAt: at(date, '09:30'), acceptedFromReport: false }),
];
const cleanedByContractor = (orderedOn: string, completedOn: string, costCents: number) => [
  event('CleanupOrdered', { contractorId: 'K-1', workOrderNumber: `WO-${orderedOn}-${costCents}`, orderedAt: at(orderedOn, '08:00'), letters: [] }),
  event('CleanupCompleted', { contractorId: 'K-1', reportedCostCents: costCents, costCents, tariffApplied: false, completedAt: at(completedOn, '08:00') }),
];
const warning = (tenantId: string, offenceNumber: number, date: string) =>
  event('WarningIssued', { tenantId, offenceNumber, severity: offenceNumber > 1 ? 'sharp' : 'standard', issuedAt: at(date, '09:45'), letters: [] });

/** An invoice on its own stream, as the issueInvoice activity records it. */
async function invoice(incidentId: string, number: string, debtor: string, issueDate: string, totalCents: number): Promise<Stream> {
  const stream = new Stream(`invoice-${number}`);
  await stream.append(
    event('InvoiceIssued', {
      invoiceNumber: number,
      incidentId,
      debtorTenantId: debtor,
      issueDate,
      dueDate: addCalendarDays(issueDate, 14),
      lines: [{ description: 'Schoonmaak', amountCents: totalCents, vatCode: 'BTW-GEEN' }],
      totalCents,
      letters: [],
    }),
  );
  return stream;
}

/**
 * The incidents, with the figures they make (reported in March 2031 unless said otherwise):
 *
 * | incident | building | outcome | reported -> closed | working days | money |
 * |---|---|---|---|---|---|
 * | S1 | C1-A | self_cleaned (A-2, 1st offence) | Mon 3 -> Wed 5 | 2 | |
 * | S2 | C1-A | self_cleaned, polluter unknown | Mon 3 -> Tue 4 | 1 | |
 * | S3 | C1-B | self_cleaned, bulk waste | Fri 7 -> Mon 10 | 1 (weekend) | |
 * | CH | C1-A | cleaned_and_charged; unknown, then A-2 (a 2nd notice: extended); 2nd offence, escalated | Mon 3 -> Wed 12 | 7 | cost 120.00, invoiced 120.00, paid 50.00 |
 * | CH2 | C1-A | cleaned_and_charged (A-4); invoice dispute rejected (extended), paid | Mon 10 -> Thu 13 | 3 | cost 80.00, invoiced and paid 80.00 |
 * | CH3 | C1-B | cleaned_and_charged (B-1); invoice dispute upheld: credited | Tue 11 -> Fri 14 | 3 | cost 60.00, invoiced and credited 60.00 |
 * | SC | C1-A | cleaned_at_service_cost, bulk waste, unknown (S2 before it: unknown again) | Tue 4 -> Tue 11 | 5 | cost 90.01 to the service costs |
 * | OC | C2-A | cleaned_at_corporation_cost, vandalism, unknown (UP0 in January: unknown again) | Wed 5 -> Wed 19 | 10 | cost 200.00 |
 * | DI | C1-A | dismissed (A-3's dispute upheld) | Thu 6 -> Mon 10 | 2 | |
 * | CA | C1-B | cancelled | Thu 6 | | |
 * | RT | C1-A | returned_to_complainant (living noise) | Thu 6 -> Thu 6 | 0, not handled | |
 * | OP | C1-A | open: cleanup reported Mon 10, not inspected | Fri 7 | | |
 * | CO | C1-B | open: contractor ordered Wed 12 | Mon 10 | | |
 * | UP0 | C2-A | self_cleaned, unknown (Fri 10 January -> Mon 13) | | 1 | |
 * | LONG | C2-A | self_cleaned, C-2 (Mon 6 January -> Mon 3 March) | | 40 (over 30) | |
 * | FEB | C1-A | self_cleaned, polluter known (28 February) | | | |
 * | APR | C2-A | self_cleaned, polluter known (1 April) | | | |
 *
 * March: reported 13, open 2, returned 1, cancelled 1, dismissed 1, self 3, cleaned 5 (charged 3,
 * service costs 1, own cost 1); handled 3 + 5 + 1 = 9; self-resolution rate 3/9. Working days of
 * the handled, sorted: 1 1 2 2 3 3 5 7 10: median (5th of 9) 3, p90 (9th: 8.1 of 9) 10.
 * Costs incurred 120.00 + 80.00 + 60.00 + 90.01 + 200.00 = 550.01; invoiced 260.00; credited
 * 60.00; recovered 50.00 + 80.00 = 130.00; outstanding 70.00; service costs 90.01.
 */
beforeAll(async () => {
  database = await createTestDatabase('reports');
  await upsertTenants(db(), [...buildingA, ...buildingB, ...buildingC2]);

  const s1 = new Stream('incident-S1');
  await s1.append(incidentReported('S1', { polluterTenantId: 'A-2', reportedAt: at('2031-03-03') }), notified('A-2', '2031-03-05'));
  await s1.append(...cleanedByTenant('2031-03-05'), warning('A-2', 1, '2031-03-05'), closed('self_cleaned', '2031-03-05'));

  const s2 = new Stream('incident-S2');
  await s2.append(incidentReported('S2', { reportedAt: at('2031-03-03', '08:00') }), collective(buildingA, '2031-03-05'));
  await s2.append(...cleanedByTenant('2031-03-04'), closed('self_cleaned', '2031-03-04'));

  const s3 = new Stream('incident-S3');
  await s3.append(incidentReported('S3', { category: 'bulk_waste', buildingId: 'C1-B', polluterTenantId: 'B-1', reportedAt: at('2031-03-07') }), notified('B-1', '2031-03-14'));
  await s3.append(...cleanedByTenant('2031-03-10'), warning('B-1', 1, '2031-03-10'), closed('self_cleaned', '2031-03-10'));

  const ch = new Stream('incident-CH');
  await ch.append(incidentReported('CH', { reportedAt: at('2031-03-03', '10:00') }), collective(buildingA, '2031-03-05'));
  await ch.append(event('PolluterIdentified', { tenantId: 'A-2', identifiedBy: 'consultant-1' }), notified('A-2', '2031-03-07'));
  await ch.append(...cleanedByContractor('2031-03-10', '2031-03-11', 12_000));
  const chInvoice = await invoice('CH', '2031-000001', 'A-2', '2031-03-12', 12_000);
  await ch.append(warning('A-2', 2, '2031-03-12'), event('TenancyEscalationFlagged', { tenantId: 'A-2', offenceNumber: 2 }), closed('cleaned_and_charged', '2031-03-12'));
  await chInvoice.append(
    event('PaymentRegistered', { invoiceNumber: '2031-000001', incidentId: 'CH', paymentId: 'P-1', amountCents: 5_000, paidOn: '2031-03-20', source: 'manual', reference: null, registeredBy: 'finance' }),
  );

  const ch2 = new Stream('incident-CH2');
  await ch2.append(incidentReported('CH2', { polluterTenantId: 'A-4', reportedAt: at('2031-03-10') }), notified('A-4', '2031-03-11'));
  await ch2.append(...cleanedByContractor('2031-03-12', '2031-03-13', 8_000));
  const ch2Invoice = await invoice('CH2', '2031-000002', 'A-4', '2031-03-13', 8_000);
  await ch2.append(warning('A-4', 1, '2031-03-13'), closed('cleaned_and_charged', '2031-03-13'));
  const ch2Ids = { invoiceNumber: '2031-000002', incidentId: 'CH2' };
  await ch2Invoice.append(event('DunningPaused', { ...ch2Ids, reason: 'bezwaar', by: 'tenant:A-4', pausedOn: '2031-03-14' }));
  await ch2Invoice.append(event('DunningResumed', { ...ch2Ids, by: 'consultant-1', resumedOn: '2031-03-17', payByDate: '2031-03-30' }));
  await ch2Invoice.append(
    event('PaymentRegistered', { ...ch2Ids, paymentId: 'P-2', amountCents: 8_000, paidOn: '2031-03-21', source: 'camt053', reference: null, registeredBy: 'finance' }),
    event('InvoicePaid', { ...ch2Ids, paidOn: '2031-03-21', overpaidCents: 0 }),
  );

  const ch3 = new Stream('incident-CH3');
  await ch3.append(incidentReported('CH3', { buildingId: 'C1-B', polluterTenantId: 'B-1', reportedAt: at('2031-03-11') }), notified('B-1', '2031-03-12'));
  await ch3.append(...cleanedByContractor('2031-03-13', '2031-03-14', 6_000));
  const ch3Invoice = await invoice('CH3', '2031-000003', 'B-1', '2031-03-14', 6_000);
  await ch3.append(warning('B-1', 1, '2031-03-14'), closed('cleaned_and_charged', '2031-03-14'));
  const ch3Ids = { invoiceNumber: '2031-000003', incidentId: 'CH3' };
  await ch3Invoice.append(event('DunningPaused', { ...ch3Ids, reason: 'bezwaar', by: 'tenant:B-1', pausedOn: '2031-03-17' }));
  await ch3Invoice.append(
    event('InvoiceCredited', { ...ch3Ids, creditNoteNumber: 'C2031-000001', issueDate: '2031-03-18', amountCents: 6_000, refundDueCents: 0, reason: 'bezwaar gegrond', creditedBy: 'consultant-1', letters: [] }),
  );

  const sc = new Stream('incident-SC');
  await sc.append(incidentReported('SC', { category: 'bulk_waste', reportedAt: at('2031-03-04') }), collective(buildingA, '2031-03-11'));
  await sc.append(...cleanedByContractor('2031-03-10', '2031-03-11', 9_001));
  await sc.append(
    event('ServiceCostsAllocated', { totalCents: 9_001, vatCode: 'BTW-GEEN', allocations: buildingA.map((t, i) => ({ tenantId: t.contractNumber, amountCents: i === 0 ? 1_501 : 1_500 })), letters: [] }),
    closed('cleaned_at_service_cost', '2031-03-11'),
  );

  const up0 = new Stream('incident-UP0');
  await up0.append(incidentReported('UP0', { category: 'vandalism', complexId: 'C2', buildingId: 'C2-A', reportedAt: at('2031-01-10') }), collective(buildingC2, '2031-01-17'));
  await up0.append(...cleanedByTenant('2031-01-13'), closed('self_cleaned', '2031-01-13'));

  const long = new Stream('incident-LONG');
  await long.append(incidentReported('LONG', { complexId: 'C2', buildingId: 'C2-A', polluterTenantId: 'C-2', reportedAt: at('2031-01-06') }), notified('C-2', '2031-01-08'));
  await long.append(...cleanedByTenant('2031-03-03'), warning('C-2', 1, '2031-03-03'), closed('self_cleaned', '2031-03-03'));

  const oc = new Stream('incident-OC');
  await oc.append(incidentReported('OC', { category: 'vandalism', complexId: 'C2', buildingId: 'C2-A', reportedAt: at('2031-03-05') }), collective(buildingC2, '2031-03-12'));
  await oc.append(...cleanedByContractor('2031-03-13', '2031-03-19', 20_000), event('CostBorneByCorporation', { costCents: 20_000 }), closed('cleaned_at_corporation_cost', '2031-03-19'));

  const di = new Stream('incident-DI');
  await di.append(incidentReported('DI', { polluterTenantId: 'A-3', reportedAt: at('2031-03-06') }), notified('A-3', '2031-03-10'));
  await di.append(event('DisputeOpened', { by: 'tenant', actor: 'tenant:A-3', reason: 'ik was het niet' }));
  await di.append(event('DisputeResolved', { decision: 'upheld', resolvedBy: 'consultant-1', note: null }), closed('dismissed', '2031-03-10'));

  const ca = new Stream('incident-CA');
  await ca.append(incidentReported('CA', { buildingId: 'C1-B', polluterTenantId: 'B-2', reportedAt: at('2031-03-06') }), notified('B-2', '2031-03-10'));
  await ca.append(event('IncidentCancelled', { reason: 'verkeerd gemeld', cancelledBy: 'consultant-1' }), closed('cancelled', '2031-03-07'));

  const rt = new Stream('incident-RT');
  await rt.append(
    incidentReported('RT', { category: 'living_noise', reportedAt: at('2031-03-06') }),
    event('ReportReturnedToComplainant', { reason: 'leefgeluid', letters: [] }),
    closed('returned_to_complainant', '2031-03-06'),
  );

  const op = new Stream('incident-OP');
  await op.append(incidentReported('OP', { polluterTenantId: 'A-5', reportedAt: at('2031-03-07') }), notified('A-5', '2031-03-11'));
  await op.append(event('CleanupReported', { by: 'tenant', actor: 'tenant:A-5', note: null, reportedAt: at('2031-03-10', '15:00') }));

  const co = new Stream('incident-CO');
  await co.append(incidentReported('CO', { buildingId: 'C1-B', polluterTenantId: 'B-2', reportedAt: at('2031-03-10') }), notified('B-2', '2031-03-11'));
  await co.append(event('CleanupOrdered', { contractorId: 'K-2', workOrderNumber: 'WO-CO', orderedAt: at('2031-03-12', '08:00'), letters: [] }));

  for (const [id, date, complexId, buildingId, polluter] of [
    ['FEB', '2031-02-28', 'C1', 'C1-A', 'A-6'],
    ['APR', '2031-04-01', 'C2', 'C2-A', 'C-1'],
  ] as const) {
    const s = new Stream(`incident-${id}`);
    await s.append(incidentReported(id, { complexId, buildingId, polluterTenantId: polluter, reportedAt: at(date) }), notified(polluter, addCalendarDays(date, 3)));
    await s.append(...cleanedByTenant(addCalendarDays(date, 1)), closed('self_cleaned', addCalendarDays(date, 1)));
  }
});

afterAll(async () => {
  await database?.drop();
});

const march = { from: '2031-03-01', to: '2031-03-31' };

describe('working days', () => {
  it('count the working days after the first date up to and including the second, as the calendar does', () => {
    expect(workingDaysBetween('2031-03-03', '2031-03-03')).toBe(0);
    expect(workingDaysBetween('2031-03-07', '2031-03-10')).toBe(1); // Friday to Monday
    expect(workingDaysBetween('2031-04-11', '2031-04-15')).toBe(1); // Good Friday counts; Easter Monday (14 April) does not
    expect(workingDaysBetween('2031-03-10', '2031-03-03')).toBe(-5);
    expect(workingDaysBetween('1999-12-31', '2031-03-03')).toBeNull();
    // Against the calendar day by day, over years with every kind of holiday.
    let date = '2025-12-20';
    let count = 0;
    while (date < '2028-01-10') {
      date = addCalendarDays(date, 1);
      if (isWorkingDay(date)) count++;
      expect(workingDaysBetween('2025-12-20', date)).toBe(count);
    }
  });

  it('agree with the SQL function the read models use', async () => {
    const pairs = [
      ['2031-03-03', '2031-03-19'],
      ['2024-04-26', '2024-05-10'],
      ['2026-12-24', '2027-01-04'],
      ['2000-01-01', '2099-12-31'],
    ];
    for (const [from, to] of pairs) {
      const { rows } = await sql<{ n: number }>`select working_days_between(${from}::date, ${to}::date) as n`.execute(db());
      expect(rows[0]!.n).toBe(workingDaysBetween(from!, to!));
    }
    expect(workingDayNumber('2000-01-03')).toBe(1); // the first working day: Monday 3 January 2000
  });
});

describe('periods', () => {
  it('are made of the fewest whole quarters, months, dekads and days', () => {
    expect(periodPieces('2031-02-15', '2031-04-10')).toEqual({
      quarters: [],
      months: ['2031-03-01'],
      dekads: ['2031-02-21', '2031-04-01'],
      days: ['2031-02-15', '2031-02-16', '2031-02-17', '2031-02-18', '2031-02-19', '2031-02-20'],
    });
    expect(periodPieces('2031-01-01', '2031-12-31')).toEqual({ quarters: ['2031-01-01', '2031-04-01', '2031-07-01', '2031-10-01'], months: [], dekads: [], days: [] });
    expect(periodPieces('2030-11-01', '2031-10-31')).toEqual({ quarters: ['2031-01-01', '2031-04-01', '2031-07-01'], months: ['2030-11-01', '2030-12-01', '2031-10-01'], dekads: [], days: [] });
    expect(periodPieces('2031-03-05', '2031-03-06')).toEqual({ quarters: [], months: [], dekads: [], days: ['2031-03-05', '2031-03-06'] });
  });
});

describe('percentiles', () => {
  it('are the smallest value within which at least that share of the incidents closed', () => {
    const h = (values: number[]) => values.reduce((m, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map<number, number>());
    expect(percentileOf(h([1, 1, 2, 2, 3, 3, 5, 7, 10]), 1, 2)).toBe(3);
    expect(percentileOf(h([1, 1, 2, 2, 3, 3, 5, 7, 10]), 9, 10)).toBe(10);
    expect(percentileOf(h([1, 2, 3, 4]), 1, 2)).toBe(2);
    expect(percentileOf(h(Array.from({ length: 30 }, (_, i) => i + 1)), 9, 10)).toBe(27);
    expect(percentileOf(h([]), 1, 2)).toBeNull();
  });
});

describe('the summary', () => {
  it('counts the incidents reported in the period by outcome, with the self-resolution rate', async () => {
    const { total, groups } = await summary(db(), march);
    expect(groups).toEqual([]);
    expect(total).toMatchObject({
      reported: 13,
      open: 2,
      returnedToComplainant: 1,
      selfResolved: 3,
      cleanedByCorporation: { total: 5, charged: 3, serviceCosts: 1, ownCost: 1 },
      dismissed: 1,
      cancelled: 1,
      handled: 9,
      selfResolutionRate: 0.3333,
    });
  });

  it('gives the median and p90 of the working days to close the handled incidents', async () => {
    const { total } = await summary(db(), march);
    expect(total.workingDaysToClose).toEqual({ median: 3, p90: 10 });
  });

  it('adds up costs incurred, invoiced, credited, recovered (payments), outstanding and service costs', async () => {
    const { total } = await summary(db(), march);
    expect(total.costs).toEqual({
      incurredCents: 55_001,
      invoicedCents: 26_000,
      creditedCents: 6_000,
      recoveredCents: 13_000,
      outstandingCents: 7_000,
      serviceCostsCents: 9_001,
    });
  });

  it('counts repeat offences and tenancy escalations', async () => {
    const { total } = await summary(db(), march);
    expect(total.repeatOffences).toBe(1);
    expect(total.tenancyEscalations).toBe(1);
  });

  it('groups by category', async () => {
    const { groups, total } = await summary(db(), { ...march, groupBy: 'category' });
    expect(groups.map((g) => [g.key, g.reported])).toEqual([
      ['bulk_waste', 2],
      ['fouled_stairwell', 9],
      ['living_noise', 1],
      ['vandalism', 1],
    ]);
    const bulk = groups.find((g) => g.key === 'bulk_waste')!;
    expect(bulk).toMatchObject({ selfResolved: 1, handled: 2, selfResolutionRate: 0.5, workingDaysToClose: { median: 1, p90: 5 } });
    expect(bulk.costs).toMatchObject({ incurredCents: 9_001, serviceCostsCents: 9_001, invoicedCents: 0 });
    const stairwell = groups.find((g) => g.key === 'fouled_stairwell')!;
    // Handled: S1 (2 working days), S2 (1), CH (7), CH2 (3), CH3 (3), DI (2); two of six self-resolved.
    expect(stairwell).toMatchObject({ handled: 6, selfResolved: 2, selfResolutionRate: 0.3333, workingDaysToClose: { median: 2, p90: 7 } });
    expect(groups.reduce((n, g) => n + g.reported, 0)).toBe(total.reported);
  });

  it('groups by complex, over whole months and the part months at the ends alike', async () => {
    const whole = await summary(db(), { ...march, groupBy: 'complex' });
    expect(whole.groups.map((g) => [g.key, g.reported, g.handled])).toEqual([
      ['C1', 12, 8],
      ['C2', 1, 1],
    ]);
    expect(whole.groups[1]).toMatchObject({ cleanedByCorporation: { ownCost: 1 }, costs: { incurredCents: 20_000 }, workingDaysToClose: { median: 10, p90: 10 } });
    // 15 February to 10 April: FEB and APR in it, UP0 not; March whole, the ends from the day cells.
    const ends = await summary(db(), { from: '2031-02-15', to: '2031-04-10', groupBy: 'complex' });
    expect(ends.groups.map((g) => [g.key, g.reported])).toEqual([
      ['C1', 13],
      ['C2', 2],
    ]);
    const byCategory = await summary(db(), { from: '2031-02-15', to: '2031-04-10', groupBy: 'category' });
    expect(ends.total).toEqual(byCategory.total);
    // A period inside one month: day cells only.
    const days = await summary(db(), { from: '2031-03-05', to: '2031-03-06', groupBy: 'complex' });
    expect(days.groups.map((g) => [g.key, g.reported])).toEqual([
      ['C1', 3],
      ['C2', 1],
    ]);
  });

  it('groups by complex over whole quarters, with months and days at the ends', async () => {
    // The first quarter: January UP0 and LONG (C2), February FEB (C1), March as above.
    const quarter = await summary(db(), { from: '2031-01-01', to: '2031-03-31', groupBy: 'complex' });
    expect(quarter.groups.map((g) => [g.key, g.reported, g.handled])).toEqual([
      ['C1', 13, 9],
      ['C2', 3, 3],
    ]);
    expect(quarter.total).toEqual((await summary(db(), { from: '2031-01-01', to: '2031-03-31', groupBy: 'category' })).total);
    // The quarter's histogram holds LONG's 40 working days as the month's does.
    expect(quarter.groups[1]).toMatchObject({ workingDaysToClose: { median: 10, p90: 40 } });
    // The quarter, April whole, and 1-3 May (none there).
    const longer = await summary(db(), { from: '2031-01-01', to: '2031-05-03', groupBy: 'complex' });
    expect(longer.groups.map((g) => [g.key, g.reported])).toEqual([
      ['C1', 13],
      ['C2', 4],
    ]);
    expect(longer.total).toEqual((await summary(db(), { from: '2031-01-01', to: '2031-05-03', groupBy: 'category' })).total);
  });

  it('groups by month of report', async () => {
    const { groups } = await summary(db(), { from: '2031-01-01', to: '2031-04-30', groupBy: 'month' });
    expect(groups.map((g) => [g.key, g.reported, g.selfResolved])).toEqual([
      ['2031-01', 2, 2],
      ['2031-02', 1, 1],
      ['2031-03', 13, 3],
      ['2031-04', 1, 1],
    ]);
  });

  it('counts closes after more than 30 working days exactly', async () => {
    // January: UP0 closed in 1 working day, LONG in 40 (7-10, 13-17, 20-24 and 27-31 January, all of February, 3 March).
    const { total, groups } = await summary(db(), { from: '2031-01-01', to: '2031-01-31', groupBy: 'complex' });
    expect(total).toMatchObject({ handled: 2, workingDaysToClose: { median: 1, p90: 40 } });
    expect(groups).toMatchObject([{ key: 'C2', workingDaysToClose: { median: 1, p90: 40 } }]);
  });

  it('is empty for a period without incidents', async () => {
    const { total } = await summary(db(), { from: '2030-01-01', to: '2030-12-31' });
    expect(total).toMatchObject({ reported: 0, handled: 0, selfResolutionRate: null, workingDaysToClose: { median: null, p90: null } });
  });
});

describe('the case review', () => {
  it('picks the incidents worth discussing, each with its reasons and timeline, newest first', async () => {
    const review = await caseReview(db(), { ...march, limit: 50, offset: 0 });
    expect(review.total).toBe(6);
    expect(review.cases.map((c) => [c.incidentId, c.reasons])).toEqual([
      ['CH3', ['cleaned_by_corporation', 'dispute_upheld']],
      ['CH2', ['cleaned_by_corporation', 'deadline_extended']],
      ['DI', ['dispute_upheld']],
      ['OC', ['cleaned_by_corporation', 'unknown_polluter_again']],
      ['SC', ['cleaned_by_corporation', 'unknown_polluter_again']],
      ['CH', ['cleaned_by_corporation', 'repeat_offender', 'deadline_extended']],
    ]);
    const ch = review.cases.find((c) => c.incidentId === 'CH')!;
    expect(ch.timeline.map((e) => e.type)).toEqual([
      'IncidentReported',
      'CollectiveNoticeSent',
      'PolluterIdentified',
      'PolluterNotified',
      'CleanupOrdered',
      'CleanupCompleted',
      'InvoiceIssued',
      'WarningIssued',
      'TenancyEscalationFlagged',
      'IncidentClosed',
      'PaymentRegistered',
    ]);
    expect(ch.timeline[1]!.data).toMatchObject({ letters: 0 });
    expect(ch).toMatchObject({ deadlineExtensions: 1, offenceNumber: 2, invoiceNumber: '2031-000001', costCents: 12_000 });
  });

  it('pages', async () => {
    const page = await caseReview(db(), { ...march, limit: 2, offset: 4 });
    expect(page.total).toBe(6);
    expect(page.cases.map((c) => c.incidentId)).toEqual(['SC', 'CH']);
    const past = await caseReview(db(), { ...march, limit: 2, offset: 10 });
    expect(past).toMatchObject({ total: 6, cases: [] });
  });
});

describe('the hot spots', () => {
  it('rank complexes and buildings by incidents taken up per household, beside the period before', async () => {
    const spots = await hotspots(db(), { from: '2031-03', to: '2031-03', limit: 10 });
    expect(spots).toMatchObject({ previousFrom: '2031-02', previousTo: '2031-02' });
    // C1-A (6 households): S1 S2 CH CH2 SC DI OP = 7 (RT returned: not counted); February: FEB.
    // C1-B (3): S3 CH3 CO = 3 (CA cancelled); C2-A (4): OC = 1.
    expect(spots.buildings).toEqual([
      { key: 'C1-A', complexId: 'C1', households: 6, incidents: 7, incidentsPerHousehold: 1.1667, previousIncidents: 1, previousIncidentsPerHousehold: 0.1667, change: 6, trend: 'up' },
      { key: 'C1-B', complexId: 'C1', households: 3, incidents: 3, incidentsPerHousehold: 1, previousIncidents: 0, previousIncidentsPerHousehold: 0, change: 3, trend: 'new' },
      { key: 'C2-A', complexId: 'C2', households: 4, incidents: 1, incidentsPerHousehold: 0.25, previousIncidents: 0, previousIncidentsPerHousehold: 0, change: 1, trend: 'new' },
    ]);
    expect(spots.complexes.map((c) => [c.key, c.households, c.incidents, c.incidentsPerHousehold])).toEqual([
      ['C1', 9, 10, 1.1111],
      ['C2', 4, 1, 0.25],
    ]);
    // The first of them, whichever half of the keys (by hash) each was ranked in.
    const firstTwo = await hotspots(db(), { from: '2031-03', to: '2031-03', limit: 2 });
    expect(firstTwo.buildings.map((b) => b.key)).toEqual(['C1-A', 'C1-B']);
    expect(firstTwo.complexes.map((c) => c.key)).toEqual(['C1', 'C2']);
    expect((await hotspots(db(), { from: '2031-03', to: '2031-03', limit: 1 })).buildings.map((b) => b.key)).toEqual(['C1-A']);
    // April beside March: C2-A the same (OC, then APR); C1-A and C1-B down to none.
    const april = await hotspots(db(), { from: '2031-04', to: '2031-04', limit: 10 });
    expect(april.buildings.map((b) => [b.key, b.incidents, b.previousIncidents, b.trend])).toEqual([
      ['C2-A', 1, 1, 'same'],
      ['C1-A', 0, 7, 'down'],
      ['C1-B', 0, 3, 'down'],
    ]);
  });
});

describe('the hot spots over a quarter', () => {
  it('count the quarter beside the one before, as its months add up', async () => {
    const spots = await hotspots(db(), { from: '2031-01', to: '2031-03', limit: 10 });
    expect(spots).toMatchObject({ previousFrom: '2030-10', previousTo: '2030-12' });
    // C1-A: FEB and March's seven; C1-B: March's three; C2-A: UP0, LONG and OC.
    expect(spots.buildings.map((b) => [b.key, b.incidents, b.previousIncidents, b.trend])).toEqual([
      ['C1-A', 8, 0, 'new'],
      ['C1-B', 3, 0, 'new'],
      ['C2-A', 3, 0, 'new'],
    ]);
    // February to April (months only) beside November to January (a month of the quarter before and a month of the quarter).
    const shifted = await hotspots(db(), { from: '2031-02', to: '2031-04', limit: 10 });
    expect(shifted.complexes.map((c) => [c.key, c.incidents, c.previousIncidents])).toEqual([
      ['C1', 11, 0],
      ['C2', 2, 2],
    ]);
  });
});

describe('the overdue lists', () => {
  it('list inspections waiting, contractors late and invoices in dunning', async () => {
    const lists = await overdue(db(), { asOf: '2031-03-20', contractorWorkingDays: 3, limit: 10 });
    expect(lists.inspectionsWaiting).toEqual({
      total: 1,
      items: [{ incidentId: 'OP', incidentNumber: null, category: 'fouled_stairwell', complexId: 'C1', buildingId: 'C1-A', location: 'trappenhuis, 2e verdieping', cleanupReportedAt: at('2031-03-10', '15:00'), workingDaysWaiting: 8 }],
    });
    expect(lists.contractorsLate).toEqual({
      total: 1,
      items: [{ incidentId: 'CO', incidentNumber: null, category: 'fouled_stairwell', complexId: 'C1', buildingId: 'C1-B', contractorId: 'K-2', orderedAt: at('2031-03-12', '08:00'), workingDaysSinceOrder: 6 }],
    });
    // Due 26 March: not yet in dunning on the 20th.
    expect(lists.invoicesInDunning).toEqual({ total: 0, openCents: 0, items: [] });
    // Ordered on the 12th, late from the fourth working day after it: not on the 17th (3), on the 18th (4).
    expect((await overdue(db(), { asOf: '2031-03-17', contractorWorkingDays: 3, limit: 10 })).contractorsLate.total).toBe(0);
    expect((await overdue(db(), { asOf: '2031-03-18', contractorWorkingDays: 3, limit: 10 })).contractorsLate.total).toBe(1);

    const later = await overdue(db(), { asOf: '2031-03-31', contractorWorkingDays: 3, limit: 10 });
    expect(later.invoicesInDunning).toEqual({
      total: 1,
      openCents: 7_000,
      items: [{ invoiceNumber: '2031-000001', incidentId: 'CH', debtorTenantId: 'A-2', dueDate: '2031-03-26', payByDate: '2031-03-26', stage: 'issued', openCents: 7_000, daysOverdue: 5, dunningPaused: false }],
    });
  });
});

describe('the report read models', () => {
  it('are rebuilt identically from the events', async () => {
    const cells = async () =>
      (await sql<Record<string, unknown>>`select * from report_cells order by dimension, grain, period, key`.execute(db())).rows;
    const incidents = async () =>
      (
        await sql<Record<string, unknown>>`select incident_id, reported_on::text, closed_on::text, close_working_days, deadline_extensions, dispute_upheld,
          offence_number, service_costs_cents, cleanup_reported_at, cleanup_ordered_at from incidents order by incident_id`.execute(db())
      ).rows;
    const [liveCells, liveIncidents] = [await cells(), await incidents()];
    expect(liveCells.length).toBeGreaterThan(0);
    await rebuildProjections(db());
    expect(await cells()).toEqual(liveCells);
    expect(await incidents()).toEqual(liveIncidents);
    expect((await summary(db(), march)).total).toMatchObject({ reported: 13, handled: 9, workingDaysToClose: { median: 3, p90: 10 } });
  });
});

describe('the reports API', () => {
  const keys = { consultant: 'test-consultant-key', finance: 'test-finance-key' } as const;
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp({
      db: db(),
      temporal: {} as Client,
      // The report routes only read PostgreSQL: Temporal is never called.
      config: {
        apiKeys: new Map<string, Role>(Object.entries(keys).map(([role, key]) => [key, role as Role])),
        linkSecret: 'test-link-secret-0123456789',
        policy: resolvePolicy(),
        publicUrl: 'http://polluter-pays.test',
        corporationName: 'Woonstichting Test',
        corporationIban: 'NL00TEST0123456789',
        corporationAddress: 'Teststraat 1, 1234 AB Utrecht',
        temporal: { address: 'unused:7233', namespace: 'default', taskQueue: 'unused', tls: undefined, apiKey: undefined },
      } as ApiDeps['config'],
    });
  });
  afterAll(async () => {
    await app?.close();
  });
  const get = (url: string, role: keyof typeof keys | null = 'consultant') => app.inject({ method: 'GET', url, headers: role ? { authorization: `Bearer ${keys[role]}` } : {} });

  it('answers the summary as JSON and as CSV', async () => {
    const json = await get('/reports/summary?from=2031-03-01&to=2031-03-31&groupBy=category');
    expect(json.statusCode).toBe(200);
    expect(json.json().total).toMatchObject({ reported: 13, selfResolutionRate: 0.3333 });
    const csv = await get('/reports/summary?from=2031-03-01&to=2031-03-31&groupBy=category&format=csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = parseCsv(csv.body, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.group)).toEqual(['bulk_waste', 'fouled_stairwell', 'living_noise', 'vandalism', 'total']);
    expect(rows[4]).toMatchObject({ reported: '13', handled: '9', self_resolution_rate: '0.3333', working_days_to_close_median: '3', working_days_to_close_p90: '10', recovered_cents: '13000' });
  });

  it('answers the other reports', async () => {
    expect((await get('/reports/case-review?from=2031-03-01&to=2031-03-31&limit=1')).json()).toMatchObject({ total: 6, cases: [{ incidentId: 'CH3' }] });
    expect((await get('/reports/hotspots?from=2031-03&to=2031-03')).json().buildings[0]).toMatchObject({ key: 'C1-A' });
    expect((await get('/reports/overdue?asOf=2031-03-20')).json().inspectionsWaiting.total).toBe(1);
  });

  it('refuses bad periods, no key and the wrong role', async () => {
    const bad = await get('/reports/summary?from=2031-04-01&to=2031-03-01');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([{ path: 'query.from', message: 'must be on or before to' }]);
    expect((await get('/reports/summary?from=2031-03-01')).statusCode).toBe(400);
    expect((await get('/reports/summary?from=2031-03-01&to=2031-03-31&groupBy=street')).statusCode).toBe(400);
    expect((await get('/reports/hotspots?from=2031-13')).statusCode).toBe(400);
    expect((await get('/reports/summary?from=2031-03-01&to=2031-03-31', null)).statusCode).toBe(401);
    expect((await get('/reports/summary?from=2031-03-01&to=2031-03-31', 'finance')).statusCode).toBe(403);
  });
});
