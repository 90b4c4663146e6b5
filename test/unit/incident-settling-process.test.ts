/**
 * The incident's consequences on the pure process (domain/incident), given/when/then, without
 * Temporal: the completion and its cost, the invoice's lines, the warning and the offence count,
 * an unknown polluter's cost (the corporation's or the service costs), the neighbours' notice, and
 * the outcome each path closes with.
 */
import { PolicyError } from '../../domain/policy';
import { act, buildingA, lettersTo, reported, rulesFor, InvoiceScenario, type IncidentOptions } from '../support/process';

/** A known polluter who left it to the contractor: Friday 18 July 2031, deadline Tuesday 22 July; the contractor is done on Thursday 24 July. */
function cleanedByContractor(costCents: number | null, options: Partial<IncidentOptions> = {}, polluterTenantId: string | null = 'A-2') {
  const s = reported({ polluterTenantId }, { at: '2031-07-18T15:00:00+02:00', ...options });
  return s.at('2031-07-24T10:00:00+02:00').when(act.complete(costCents));
}

/** A known polluter who cleaned in time. */
function selfCleaned(options: Partial<IncidentOptions> = {}, polluterTenantId = 'A-6') {
  return reported({ polluterTenantId }, { at: '2032-10-14T10:00:00+02:00', ...options }).when(act.reportCleanup('tenant', polluterTenantId)).when(act.inspect('clean'));
}

describe('the completion and the invoice', () => {
  test('a known polluter who does not clean gets the contractor, an invoice for the actual cost and a warning that names it; the neighbours hear of it', () => {
    const s = cleanedByContractor(18750);
    expect(s.types()).toEqual([
      'IncidentReported',
      'PolluterNotified',
      'ReminderSent',
      'CleanupOrdered',
      'CleanupCompleted',
      'WarningIssued',
      'NeighboursInformed',
      'IncidentClosed',
    ]);
    expect(s.one('CleanupCompleted')).toEqual({ contractorId: 'K-1', reportedCostCents: 18750, costCents: 18750, tariffApplied: false, completedAt: '2031-07-24T08:00:00.000Z' });
    expect(s.lookUps).toEqual(['contractor', 'priorOffences', 'households']);
    // The invoice is recorded on a stream of its own, before the warning that names it.
    expect(s.invoices.map((i) => i.data)).toEqual([
      {
        invoiceNumber: '2031-000001',
        incidentId: 'i-1',
        debtorTenantId: 'A-2',
        issueDate: '2031-07-24',
        dueDate: '2031-08-07',
        lines: [{ description: 'Schoonmaak: vervuild trappenhuis, trappenhuis, 2e verdieping', amountCents: 18750, vatCode: 'BTW-GEEN' }],
        totalCents: 18750,
        letters: [expect.objectContaining({ letterId: 'incident-i-1/invoice/invoice', recipient: { type: 'tenant', id: 'A-2' } })],
      },
    ]);
    expect(s.one('WarningIssued')).toMatchObject({ tenantId: 'A-2', offenceNumber: 1, severity: 'standard', issuedAt: '2031-07-24T08:00:00.000Z' });
    expect(s.one('WarningIssued').letters[0]!.content).toEqual({
      kind: 'warning',
      incidentId: 'i-1',
      category: 'fouled_stairwell',
      location: 'trappenhuis, 2e verdieping',
      offenceNumber: 1,
      severity: 'standard',
      cleanedBy: 'corporation',
      invoiceNumber: '2031-000001',
      totalCents: 18750,
    });
    expect(s.one('NeighboursInformed').households).toBe(5);
    expect(s.outcome).toBe('cleaned_and_charged');
  });

  test("a fixed tariff replaces the contractor's reported cost, on the notice and on the invoice", () => {
    const s = reported(
      { buildingId: 'C1-B', location: 'portiek Kerkweg 1-3', polluterTenantId: 'B-1' },
      { at: '2031-10-03T10:00:00+02:00', policy: { categories: { fouled_stairwell: { fixedTariffCents: 15000 } } }, directory: { households: ['B-1', 'B-2', 'B-3'] } },
    );
    expect(s.one('PolluterNotified').letters[0]!.content).toMatchObject({ kind: 'formal_notice', tariffCents: 15000 });
    s.at('2031-10-09T10:00:00+02:00').when(act.complete(23456));
    expect(s.one('CleanupCompleted')).toMatchObject({ reportedCostCents: 23456, costCents: 15000, tariffApplied: true });
    expect(s.invoices[0]!.data).toMatchObject({
      issueDate: '2031-10-09',
      dueDate: '2031-10-23',
      lines: [{ description: 'Schoonmaak: vervuild trappenhuis, portiek Kerkweg 1-3', amountCents: 15000, vatCode: 'BTW-GEEN' }],
      totalCents: 15000,
    });
    expect(s.one('NeighboursNoticeSuppressed')).toEqual({ households: 2, minimum: 4 });
    expect(s.outcome).toBe('cleaned_and_charged');
  });

  test('with a fixed tariff the contractor need not report a cost', () => {
    const s = cleanedByContractor(null, { policy: { categories: { fouled_stairwell: { fixedTariffCents: 15000 } } } });
    expect(s.one('CleanupCompleted')).toMatchObject({ reportedCostCents: null, costCents: 15000, tariffApplied: true });
  });

  test('an administration fee, where policy sets one, is a second invoice line', () => {
    const s = cleanedByContractor(18000, { policy: { categories: { fouled_stairwell: { administrationFeeCents: 2500 } } } });
    expect(s.invoices[0]!.data).toMatchObject({
      lines: [
        { description: 'Schoonmaak: vervuild trappenhuis, trappenhuis, 2e verdieping', amountCents: 18000, vatCode: 'BTW-GEEN' },
        { description: 'Administratiekosten', amountCents: 2500, vatCode: 'BTW-GEEN' },
      ],
      totalCents: 20500,
    });
  });

  test("the invoice's VAT code and payment term are the category's policy", () => {
    const s = cleanedByContractor(18000, { policy: { categories: { fouled_stairwell: { vatCode: 'BTW-21', paymentTermDays: 30 } } } });
    expect(s.invoices[0]!.data).toMatchObject({ issueDate: '2031-07-24', dueDate: '2031-08-23', lines: [expect.objectContaining({ vatCode: 'BTW-21' })] });
  });

  test('no invoice when the cleanup cost nothing: the warning says the corporation cleaned, with no invoice', () => {
    const s = cleanedByContractor(0);
    expect(s.invoices).toEqual([]);
    expect(s.one('WarningIssued').letters[0]!.content).toMatchObject({ cleanedBy: 'corporation', invoiceNumber: null, totalCents: null });
    expect(s.outcome).toBe('cleaned_and_charged');
  });

  test("the incident's invoice starts its own process from what the incident issued", () => {
    const s = cleanedByContractor(18750);
    const invoice = new InvoiceScenario(s.invoices[0]!, s.policy, 'email', s.now).run();
    // Due Thursday 7 August 2031: the reminder on Friday 8 August at 09:00.
    expect(invoice.waitingUntil).toBe('2031-08-08T07:00:00.000Z');
  });
});

describe('the warning', () => {
  test.each([
    [0, 1, 'standard', false],
    [1, 2, 'sharp', false],
    [2, 3, 'sharp', true],
    [5, 6, 'sharp', true],
  ] as const)('with %i earlier offences in the window the warning is offence %i, %s; flagged for tenancy escalation: %s', (priorOffences, offenceNumber, severity, flagged) => {
    const s = selfCleaned({ directory: { priorOffences } });
    expect(s.one('WarningIssued')).toMatchObject({ tenantId: 'A-6', offenceNumber, severity });
    expect(s.one('WarningIssued').letters[0]!.content).toMatchObject({ kind: 'warning', offenceNumber, severity, cleanedBy: 'tenant' });
    expect(s.all('TenancyEscalationFlagged')).toEqual(flagged ? [{ tenantId: 'A-6', offenceNumber }] : []);
    expect(s.types().slice(4, flagged ? 6 : 5)).toEqual(flagged ? ['WarningIssued', 'TenancyEscalationFlagged'] : ['WarningIssued']);
  });

  test('policy decides from which offence the case is flagged', () => {
    const s = selfCleaned({ directory: { priorOffences: 1 }, policy: { tenancyEscalationFromOffence: 2 } });
    expect(s.all('TenancyEscalationFlagged')).toEqual([{ tenantId: 'A-6', offenceNumber: 2 }]);
  });

  test('an unknown polluter gets no warning', () => {
    const s = reported({}, { at: '2032-10-14T10:00:00+02:00' }).when(act.reportCleanup('consultant', 'consultant-1')).when(act.inspect('clean'));
    expect(s.types()).not.toContain('WarningIssued');
    expect(s.lookUps).not.toContain('priorOffences');
    expect(s.outcome).toBe('self_cleaned');
  });
});

describe("an unknown polluter's cost", () => {
  /** Monday 3 May 2032, bulk waste, nobody named: deadline Wednesday 12 May; the contractor is done on Thursday 13 May. */
  function unknownPolluterCleaned(costCents: number, options: Partial<IncidentOptions> = {}, category: 'bulk_waste' | 'vandalism' = 'bulk_waste') {
    const s = reported({ category, location: 'fietsenberging' }, { at: '2032-05-03T10:00:00+02:00', ...options });
    return s.at('2032-05-13T09:00:00+02:00').when(act.complete(costCents));
  }
  const serviceCosts = { policy: { categories: { bulk_waste: { serviceCostsForUnknownPolluter: true } } } };

  test('nobody cleans after the collective notice and its reminder: the contractor cleans and the corporation bears the cost', () => {
    // Thursday 25 March 2032: deadline Tuesday 30 March (Easter Monday skipped, summer time from the 28th).
    const s = reported({ location: 'trappenhuis, 1e verdieping' }, { at: '2032-03-25T10:00:00+01:00' });
    s.at('2032-03-31T08:00:00+02:00');
    expect(s.one('CleanupOrdered')).toMatchObject({ contractorId: 'K-1', workOrderNumber: 'WO-i-1', orderedAt: '2032-03-30T22:00:00.000Z' });
    s.when(act.complete(12345));
    expect(s.types()).toEqual([
      'IncidentReported',
      'CollectiveNoticeSent',
      'ReminderSent',
      'CleanupOrdered',
      'CleanupCompleted',
      'CostBorneByCorporation',
      'NeighboursInformed',
      'IncidentClosed',
    ]);
    expect(s.one('CostBorneByCorporation')).toEqual({ costCents: 12345 });
    expect(s.all('WarningIssued')).toEqual([]);
    expect(s.invoices).toEqual([]);
    expect(lettersTo(s.one('NeighboursInformed'))).toEqual(buildingA.map((t) => `${t}: neighbours_notice`));
    expect(s.one('NeighboursInformed').letters[0]!.content).toMatchObject({ outcome: 'cleaned_at_corporation_cost', polluterKnown: false });
    expect(s.lookUps).toEqual(['households', 'households', 'contractor', 'households', 'households']);
    expect(s.outcome).toBe('cleaned_at_corporation_cost');
  });

  test('where policy allows it, the cost goes to the service costs of the households, split to the cent in the order the directory gives them', () => {
    const s = unknownPolluterCleaned(10001, serviceCosts);
    expect(s.types().slice(4)).toEqual(['CleanupCompleted', 'ServiceCostsAllocated', 'NeighboursInformed', 'IncidentClosed']);
    const allocated = s.one('ServiceCostsAllocated');
    expect(allocated.totalCents).toBe(10001);
    expect(allocated.allocations).toEqual([
      { tenantId: 'A-1', amountCents: 1667 },
      { tenantId: 'A-2', amountCents: 1667 },
      { tenantId: 'A-3', amountCents: 1667 },
      { tenantId: 'A-4', amountCents: 1667 },
      { tenantId: 'A-5', amountCents: 1667 },
      { tenantId: 'A-6', amountCents: 1666 },
    ]);
    expect(allocated.letters.map((l) => [l.recipient.id, l.content])).toEqual(
      allocated.allocations.map((a) => [
        a.tenantId,
        { kind: 'service_cost_notice', incidentId: 'i-1', category: 'bulk_waste', location: 'fietsenberging', totalCents: 10001, shareCents: a.amountCents, households: 6 },
      ]),
    );
    expect(s.one('NeighboursInformed').letters[0]!.content).toMatchObject({ outcome: 'cleaned_at_service_cost', polluterKnown: false });
    expect(s.outcome).toBe('cleaned_at_service_cost');
  });

  test('never for vandalism: the policy refuses it, and the process would not do it either', () => {
    expect(() => rulesFor('vandalism', { categories: { vandalism: { serviceCostsForUnknownPolluter: true } } })).toThrow(PolicyError);
    const s = unknownPolluterCleaned(10001, { unchecked: { serviceCostsForUnknownPolluter: true } }, 'vandalism');
    expect(s.one('CostBorneByCorporation')).toEqual({ costCents: 10001 });
    expect(s.outcome).toBe('cleaned_at_corporation_cost');
  });

  test('never when the cleanup cost nothing', () => {
    const s = unknownPolluterCleaned(0, serviceCosts);
    expect(s.one('CostBorneByCorporation')).toEqual({ costCents: 0 });
    expect(s.outcome).toBe('cleaned_at_corporation_cost');
  });

  test('never when no household is listed for the space; nor is there a neighbours notice', () => {
    const s = unknownPolluterCleaned(10001, { ...serviceCosts, directory: { households: [] } });
    expect(s.one('CostBorneByCorporation')).toEqual({ costCents: 10001 });
    expect(s.one('NeighboursNoticeSuppressed')).toEqual({ households: 0, minimum: 4 });
    expect(s.outcome).toBe('cleaned_at_corporation_cost');
  });

  test('a polluter named after the cleanup pays instead of the households', () => {
    const s = reported({ category: 'bulk_waste' }, { at: '2032-05-03T10:00:00+02:00', ...serviceCosts });
    s.at('2032-05-13T09:00:00+02:00').when(act.identify('A-3')).when(act.complete(10001));
    expect(s.types()).not.toContain('ServiceCostsAllocated');
    expect(s.invoices[0]!.data).toMatchObject({ debtorTenantId: 'A-3', totalCents: 10001 });
    expect(s.outcome).toBe('cleaned_and_charged');
  });
});

describe("the neighbours' notice", () => {
  test('goes to every household but the polluter, and says nothing of who it was', () => {
    const s = selfCleaned({}, 'A-3');
    expect(lettersTo(s.one('NeighboursInformed'))).toEqual(['A-1', 'A-2', 'A-4', 'A-5', 'A-6'].map((t) => `${t}: neighbours_notice`));
    for (const letter of s.one('NeighboursInformed').letters) {
      expect(letter.content).toEqual({ kind: 'neighbours_notice', incidentId: 'i-1', category: 'fouled_stairwell', location: 'trappenhuis, 2e verdieping', outcome: 'self_cleaned', polluterKnown: true });
    }
  });

  test('an unknown polluter: every household hears of it', () => {
    const s = reported({}, { at: '2032-10-14T10:00:00+02:00' }).when(act.inspect('clean'));
    expect(lettersTo(s.one('NeighboursInformed'))).toEqual(buildingA.map((t) => `${t}: neighbours_notice`));
    expect(s.one('NeighboursInformed').letters[0]!.content).toMatchObject({ polluterKnown: false });
  });

  test('in a building of three households no notice goes out: it would point at one household', () => {
    const s = reported({ buildingId: 'C1-B' }, { at: '2034-04-25T10:00:00+02:00', directory: { households: ['B-1', 'B-2', 'B-3'] } });
    s.when(act.reportCleanup('consultant', 'consultant-1', 'bewoners hebben samen opgeruimd')).when(act.inspect('clean'));
    expect(s.types()).toEqual(['IncidentReported', 'CollectiveNoticeSent', 'CleanupReported', 'InspectionRecorded', 'NeighboursNoticeSuppressed', 'IncidentClosed']);
    expect(s.one('NeighboursNoticeSuppressed')).toEqual({ households: 3, minimum: 4 });
    expect(s.outcome).toBe('self_cleaned');
  });

  test('four other households are enough; three are not', () => {
    const four = selfCleaned({ directory: { households: ['A-1', 'A-2', 'A-3', 'A-4', 'A-6'] } });
    expect(four.one('NeighboursInformed').households).toBe(4);
    const three = selfCleaned({ directory: { households: ['A-1', 'A-2', 'A-3', 'A-6'] } });
    expect(three.one('NeighboursNoticeSuppressed')).toEqual({ households: 3, minimum: 4 });
  });

  test('policy sets the minimum', () => {
    const s = selfCleaned({ directory: { households: ['B-1', 'B-2', 'A-6'] }, policy: { neighboursNoticeMinimumHouseholds: 2 } });
    expect(lettersTo(s.one('NeighboursInformed'))).toEqual(['B-1: neighbours_notice', 'B-2: neighbours_notice']);
  });
});

describe('the outcome', () => {
  test.each([
    ['returned_to_complainant', () => reported({ category: 'living_noise', complainantTenantId: 'A-1' }, { at: '2032-10-14T10:00:00+02:00' })],
    ['self_cleaned', () => selfCleaned()],
    ['cleaned_and_charged', () => cleanedByContractor(18750)],
    ['cleaned_at_service_cost', () => cleanedByContractor(18750, { policy: { categories: { fouled_stairwell: { serviceCostsForUnknownPolluter: true } } } }, null)],
    ['cleaned_at_corporation_cost', () => cleanedByContractor(18750, {}, null)],
    ['dismissed', () => reported({ polluterTenantId: 'A-2' }, { at: '2032-10-14T10:00:00+02:00' }).when(act.dispute('niet van mij')).when(act.resolveDispute('upheld'))],
    ['cancelled', () => reported({ polluterTenantId: 'A-2' }, { at: '2032-10-14T10:00:00+02:00' }).when(act.cancel('vergissing'))],
  ] as const)('%s', (outcome, path) => {
    const s = path();
    expect(s.outcome).toBe(outcome);
    expect(s.one('IncidentClosed').outcome).toBe(outcome);
    expect(s.types().at(-1)).toBe('IncidentClosed');
  });
});
