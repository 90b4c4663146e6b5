import { decide, evolve, initialState, warningFor, type Command, type IncidentState } from '../../domain/incident';
import type { DomainEvent } from '../../domain/events';
import { IllegalStateError, ValidationError } from '../../domain/errors';

const reported: DomainEvent = {
  type: 'IncidentReported',
  data: {
    incidentId: 'i-1',
    category: 'bulk_waste',
    complexId: 'C1',
    buildingId: 'C1-A',
    location: 'berging',
    description: '',
    polluterTenantId: 'A-2',
    complainantTenantId: null,
    reportedBy: 'consultant',
    reportedAt: '2031-01-06T09:00:00Z',
  },
};
const notified: DomainEvent = {
  type: 'PolluterNotified',
  data: { tenantId: 'A-2', deadline: '2031-01-13T23:00:00Z', deadlineDate: '2031-01-13', reminderAt: null, letters: [] },
};
const ordered: DomainEvent = { type: 'CleanupOrdered', data: { contractorId: 'K-1', workOrderNumber: 'WO-i-1', orderedAt: '2031-01-14T00:00:00Z', letters: [] } };

const given = (...events: DomainEvent[]): IncidentState => events.reduce(evolve, initialState);
const now = '2031-01-08T10:00:00Z';
const complete = (costCents: number | null, fixedTariffCents: number | null = null): Command => ({
  type: 'CompleteCleanup',
  contractorId: 'K-1',
  costCents,
  fixedTariffCents,
  now,
});

test('a tenant can report a cleanup once the notice is out, and not twice while it awaits inspection', () => {
  const report: Command = { type: 'ReportCleanup', by: 'tenant', actor: 'tenant:A-2', note: null, now };
  expect(() => decide(given(reported), report)).toThrow(IllegalStateError);
  const events = decide(given(reported, notified), report);
  expect(events.map((e) => e.type)).toEqual(['CleanupReported']);
  expect(() => decide(given(reported, notified, ...events), report)).toThrow('already been reported');
});

test('a clean inspection settles the incident as cleaned by the tenant', () => {
  const [inspection] = decide(given(reported, notified), { type: 'RecordInspection', result: 'clean', inspector: 'c', note: null, now });
  const state = given(reported, notified, inspection!);
  expect(state.status === 'open' && [state.phase, state.cleanedBy]).toEqual(['settling', 'tenant']);
});

test('the contractor cost is used unless the category has a fixed tariff', () => {
  expect(decide(given(reported, notified, ordered), complete(12345))).toEqual([
    expect.objectContaining({ data: expect.objectContaining({ costCents: 12345, tariffApplied: false }) }),
  ]);
  expect(decide(given(reported, notified, ordered), complete(12345, 15000))).toEqual([
    expect.objectContaining({ data: expect.objectContaining({ costCents: 15000, reportedCostCents: 12345, tariffApplied: true }) }),
  ]);
  expect(() => decide(given(reported, notified, ordered), complete(null))).toThrow(ValidationError);
  expect(() => decide(given(reported, notified), complete(100))).toThrow('no cleanup has been ordered');
});

test('a completion from another contractor than the one with the work order is refused', () => {
  expect(() => decide(given(reported, notified, ordered), { ...complete(100), contractorId: 'K-2' } as Command)).toThrow('contractor K-1');
});

test('a dispute needs a notice first and a reason, and only one can be open', () => {
  const dispute: Command = { type: 'OpenDispute', by: 'tenant', actor: 't', reason: 'niet van mij' };
  expect(() => decide(given(reported), dispute)).toThrow(IllegalStateError);
  expect(() => decide(given(reported, notified), { ...dispute, reason: ' ' } as Command)).toThrow(ValidationError);
  const opened = decide(given(reported, notified), dispute);
  expect(() => decide(given(reported, notified, ...opened), dispute)).toThrow('already open');
  expect(() => decide(given(reported, notified), { type: 'ResolveDispute', decision: 'upheld', resolvedBy: 'c', note: null })).toThrow('no open dispute');
});

test('a known polluter cannot be identified again, and a closed incident refuses everything', () => {
  expect(() => decide(given(reported, notified), { type: 'IdentifyPolluter', tenantId: 'A-3', identifiedBy: 'c' })).toThrow('already identified');
  const closed = given(reported, notified, { type: 'IncidentClosed', data: { outcome: 'cancelled', closedAt: now } });
  expect(() => decide(closed, { type: 'Cancel', reason: 'x', cancelledBy: 'c' })).toThrow('closed (cancelled)');
});

test('the second offence within the window is sharp and the third is flagged for tenancy escalation', () => {
  expect(warningFor(0, 3)).toEqual({ offenceNumber: 1, severity: 'standard', flagForTenancyEscalation: false });
  expect(warningFor(1, 3)).toEqual({ offenceNumber: 2, severity: 'sharp', flagForTenancyEscalation: false });
  expect(warningFor(2, 3)).toEqual({ offenceNumber: 3, severity: 'sharp', flagForTenancyEscalation: true });
});
