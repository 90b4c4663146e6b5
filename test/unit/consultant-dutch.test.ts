import { eventTypes } from '../../domain/events';
import { actorLabel, describeEvent } from '../../web/dutch-consultant';
import { inDutch } from '../../web/dutch';
import { allowedActions } from '../../web/pages/consultant-incident';

const at = '2026-12-05T10:15:00.000Z';
const letters: unknown[] = [];

test('the timeline says what happened in plain Dutch, with the reason or note a person gave', () => {
  expect(describeEvent('IncidentReported', {
    incidentId: 'i', incidentNumber: '2026-00001', category: 'fouled_stairwell', complexId: 'C1', buildingId: 'C1-A', location: 'trappenhuis', description: 'zakken bij de lift',
    polluterTenantId: null, complainantTenantId: null, reportedBy: 'person:carla', reportedAt: at,
  })).toEqual({ what: 'Melding gedaan: vervuild trappenhuis, trappenhuis; veroorzaker onbekend', said: '‘zakken bij de lift’' });
  expect(describeEvent('PolluterNotified', { tenantId: 'A-2', deadline: at, deadlineDate: '2026-12-08', reminderAt: null, letters })).toEqual({
    what: 'Ingebrekestelling verstuurd aan huurder A-2: opruimen uiterlijk dinsdag 8 december 2026',
    said: null,
  });
  expect(describeEvent('InspectionRecorded', { result: 'not_clean', inspector: 'person:carla', note: 'nog zakken', inspectedAt: at, acceptedFromReport: false })).toEqual({
    what: 'Gecontroleerd: niet schoon',
    said: '‘nog zakken’',
  });
  expect(describeEvent('CleanupCompleted', { contractorId: 'K-1', reportedCostCents: null, costCents: 12_550, tariffApplied: true, completedAt: at }).what).toBe(
    'Schoongemaakt door aannemer K-1: € 125,50 (vast tarief)',
  );
  expect(describeEvent('IncidentClosed', { outcome: 'cleaned_and_charged', closedAt: at }).what).toBe('Afgesloten: schoongemaakt en in rekening gebracht');
  expect(describeEvent('IncidentCancelled', { reason: '  dubbel gemeld ', cancelledBy: 'person:carla' })).toEqual({ what: 'Geannuleerd', said: '‘dubbel gemeld’' });
  // An event this page does not know yet, or data that does not parse, still shows as what it is.
  expect(describeEvent('SomethingNew', {})).toEqual({ what: 'SomethingNew', said: null });
  expect(describeEvent('PolluterNotified', { tenantId: 3 })).toEqual({ what: 'PolluterNotified', said: null });
});

test('every kind of event has a Dutch text of its own (no English event name on the page)', () => {
  // Each type's schema refused with empty data falls back to the type: that must be the only way to see one.
  for (const type of eventTypes) expect(describeEvent(type, {}).what).toBe(type);
  const source = describeEvent.toString();
  for (const type of eventTypes) expect(source).toContain(`case '${type}'`);
});

test('who acted: the name of a signed-in person, else what the actor is, in Dutch', () => {
  expect(actorLabel('person:carla', 'Carla de Consulent')).toBe('Carla de Consulent');
  expect(actorLabel('person:carla', null)).toBe('carla');
  expect(actorLabel('system', null)).toBe('automatisch');
  expect(actorLabel(null, null)).toBe('automatisch');
  expect(actorLabel('tenant:A-2', null)).toBe('huurder A-2');
  expect(actorLabel('consultant:1a2b3c4d', null)).toBe('woonconsulent (via een koppeling)');
  expect(actorLabel('K-1', null)).toBe('aannemer K-1');
});

test('the refusals the incident page can meet read in Dutch', () => {
  expect(inDutch('the incident is closed (cancelled)')).toBe('Deze melding is al afgesloten (geannuleerd).');
  expect(inDutch('there is no open dispute')).toBe('Er loopt geen bezwaar.');
  expect(inDutch('invoice 2026-000123 is being sent; try again shortly')).toBe('Factuur 2026-000123 wordt nog verstuurd. Probeer het over een ogenblik opnieuw.');
  expect(inDutch('this Idempotency-Key was used before with a different request')).toBe(
    'Dit formulier is al eens verstuurd met andere gegevens. Laad de pagina opnieuw en probeer het nog eens.',
  );
  expect(inDutch('nobody has been notified yet')).toBe('Dat kan nog niet: er is nog niemand aangeschreven.');
});

test('the incident page offers only what the state allows', () => {
  const incident = {
    status: 'open', phase: 'awaiting_cleanup', dispute: 'none', attention: null, polluterTenantId: 'A-2',
  } as unknown as Parameters<typeof allowedActions>[0];
  const offered = (changes: Record<string, unknown>, invoice: Parameters<typeof allowedActions>[1] = null) => {
    const a = allowedActions({ ...incident, ...changes } as typeof incident, invoice);
    return Object.entries(a).filter(([name, yes]) => yes && name !== 'disputeOnInvoice').map(([name]) => name);
  };
  expect(offered({})).toEqual(['inspect', 'cancel']);
  expect(offered({ phase: 'cleanup_reported' })).toEqual(['inspect', 'cancel']);
  expect(offered({ phase: 'reported' })).toEqual(['cancel']);
  expect(offered({ polluterTenantId: null })).toEqual(['inspect', 'identify', 'cancel']);
  expect(offered({ polluterTenantId: null, phase: 'settling' })).toEqual([]);
  expect(offered({ phase: 'cleanup_ordered', dispute: 'open' })).toEqual(['decide', 'cancel']);
  expect(offered({ phase: 'settling' })).toEqual([]);
  expect(offered({ phase: 'settling', attention: { step: 'deliver letters', reason: 'x', since: at } })).toEqual(['cancel', 'resolve']);
  expect(offered({ dispute: 'upheld' })).toEqual([]);
  expect(offered({ status: 'closed', phase: 'closed' })).toEqual([]);
  // Closed, but its invoice's dunning paused by a dispute: that dispute is decided here.
  const invoice = { invoiceNumber: '2026-000001', status: 'open' as const, payByDate: '2026-12-20', dunningPaused: true, openCents: 10_000 };
  expect(offered({ status: 'closed', phase: 'closed' }, invoice)).toEqual(['decide']);
  expect(offered({ status: 'closed', phase: 'closed' }, { ...invoice, dunningPaused: false })).toEqual([]);
});
