import { amsterdamInstant, endOfDay } from '../../domain/calendar';
import { dutchDeadline, dutchMoment, tenantRefusalInDutch } from '../../web/dutch-tenant';
import { stateOf } from '../../web/pages/tenant-link';

describe('the deadline in force, as the tenant reads it', () => {
  test('a deadline at the end of a day is that day, without a time', () => {
    expect(dutchDeadline(endOfDay('2026-12-10'))).toBe('donderdag 10 december 2026');
  });

  test('also across the change to summer and to winter time (a midnight of 23 and of 25 hours)', () => {
    expect(dutchDeadline(endOfDay('2026-03-29'))).toBe('zondag 29 maart 2026');
    expect(dutchDeadline(endOfDay('2026-10-25'))).toBe('zondag 25 oktober 2026');
    expect(dutchDeadline(endOfDay('2026-07-01'))).toBe('woensdag 1 juli 2026');
  });

  test('a deadline during a day (second-long demo terms) carries its time, in Amsterdam', () => {
    expect(dutchDeadline(amsterdamInstant('2026-12-05', '14:05'))).toBe('zaterdag 5 december 2026 om 14.05 uur');
    expect(dutchDeadline(amsterdamInstant('2026-07-01', '09:30'))).toBe('woensdag 1 juli 2026 om 09.30 uur');
    expect(dutchDeadline(new Date('2026-12-05T23:30:00Z'))).toBe('zondag 6 december 2026 om 00.30 uur');
    expect(dutchMoment(new Date('2026-12-05T10:07:00Z'))).toBe('zaterdag 5 december 2026 om 11.07 uur');
  });
});

describe("the API's refusals, as a tenant reads them", () => {
  const refusals = [
    'a cleanup has already been reported and awaits inspection',
    'a dispute is already open',
    'the request is invalid: body.reason: Too small: expected string to have >=1 characters',
    'tenant link expired',
    'tenant link malformed',
    'tenant link bad signature',
    'this link is for another incident',
    'this link belongs to a tenant who is no longer the one asked to clean',
    'this link belongs to another tenant',
    'too many requests on tenant links from this address; try again in 1 minute',
    'invoice 2026-000001 is being sent; try again shortly',
    'the incident is closed (cleaned_and_charged)',
    'the incident is being cancelled',
    'the dispute was upheld; the incident is being dismissed',
    'cannot report a cleanup: nobody has been notified yet',
    'cannot report a cleanup: the cleanup has been ordered from the contractor',
    'cannot report a cleanup: the space has already been cleaned',
    'the space is clean and the consequences are being issued',
    'the workflow engine does not answer in time; try again shortly',
    'the database is not reachable; try again shortly',
    'the incident is being registered; try again in a moment',
    'body.reason contains a character that cannot be stored (NUL, or half of a surrogate pair)',
    'a photo may be at most 10 MB',
    'the file is not a photo (JPEG, PNG, WebP or HEIC)',
    'the photo is empty',
    'a photo cannot be used here',
    'busy with an earlier change; try again',
    'something nobody foresaw happened',
  ];

  test.each(refusals)('%s: in Dutch, without a word of English', (detail) => {
    const dutch = tenantRefusalInDutch(detail);
    expect(dutch).toMatch(/^[A-Z][^]*[.?]$/);
    expect(dutch).not.toMatch(/\b(the|has|been|tenant|incident|invoice|request|try|again|cleanup|dispute|photo|invalid|expired|already|cannot|shortly|contractor)\b/);
  });

  test('the ones a tenant meets most, word for word', () => {
    expect(tenantRefusalInDutch('a cleanup has already been reported and awaits inspection')).toBe(
      'U heeft al gemeld dat het klaar is. Een medewerker komt dat controleren; u hoeft nu niets meer te doen.',
    );
    expect(tenantRefusalInDutch('the request is invalid: body.reason: required')).toBe(
      'Niet alle velden zijn goed ingevuld. Controleer wat u heeft ingevuld en probeer het opnieuw.',
    );
    expect(tenantRefusalInDutch('tenant link expired')).toBe('Deze link is verlopen.');
  });
});

describe('where the incident stands for the tenant of the link', () => {
  const link = { incidentId: 'i-1', tenantId: 'A-2', expiresAt: new Date('2027-01-01T00:00:00Z') };
  const incident = {
    id: 'i-1',
    number: '2026-00001',
    category: 'fouled_stairwell' as const,
    categoryLabel: 'vervuild trappenhuis',
    location: 'trappenhuis',
    buildingId: 'C1-A',
    status: 'open' as 'open' | 'closed',
    phase: 'awaiting_cleanup',
    polluter: 'A-2' as string | null,
    deadline: endOfDay('2026-12-10'),
    dispute: 'none',
    outcome: null as string | null,
    cleanupReportedAt: null,
    closedAt: null,
  };
  const invoice = { number: '2026-000001', debtor: 'A-2', status: 'open' as 'open' | 'paid' | 'credited', openCents: 12345, totalCents: 12345, payByDate: '2026-12-19', paused: false, creditNoteNumber: null };
  const view = (i: Partial<typeof incident>, v: Partial<typeof invoice> | null = null) => ({
    link,
    incident: { ...incident, ...i },
    invoice: v === null ? null : { ...invoice, ...v },
    rejectedInspection: null,
    cleanupPhotos: 0,
    tenant: null,
  });
  const kind = (i: Partial<typeof incident>, v: Partial<typeof invoice> | null = null) => stateOf(view(i, v)).kind;

  test('asked, awaiting inspection, objected, ordered, clean', () => {
    expect(kind({})).toBe('asked');
    expect(kind({ phase: 'cleanup_reported' })).toBe('awaiting_inspection');
    expect(kind({ dispute: 'open' })).toBe('disputed');
    expect(kind({ dispute: 'rejected' })).toBe('asked');
    expect(kind({ phase: 'cleanup_ordered' })).toBe('ordered');
    expect(kind({ phase: 'settling' })).toBe('cleaned');
    expect(kind({ phase: 'reported' })).toBe('processing');
  });

  test('a closed incident whose invoice is open offers the invoice (not "afgehandeld"); paused, it awaits the ruling', () => {
    expect(kind({ status: 'closed', phase: 'closed', outcome: 'cleaned_and_charged' }, {})).toBe('invoice_open');
    expect(kind({ phase: 'settling' }, {})).toBe('invoice_open');
    expect(kind({ status: 'closed', phase: 'closed', outcome: 'cleaned_and_charged' }, { paused: true })).toBe('invoice_disputed');
    expect(kind({ status: 'closed', phase: 'closed', outcome: 'cleaned_and_charged' }, { status: 'paid' })).toBe('invoice_paid');
    expect(kind({ status: 'closed', phase: 'closed', outcome: 'cleaned_and_charged' }, { status: 'credited' })).toBe('invoice_credited');
    // Another tenant's invoice is not this tenant's to dispute.
    expect(kind({ status: 'closed', phase: 'closed', outcome: 'cleaned_and_charged', polluter: 'A-3' }, { debtor: 'A-3' })).toBe('not_yours');
  });

  test('closed otherwise: done, dismissed, withdrawn', () => {
    expect(kind({ status: 'closed', phase: 'closed', outcome: 'self_cleaned' })).toBe('closed');
    expect(kind({ status: 'closed', phase: 'closed', outcome: 'dismissed' })).toBe('dismissed');
    expect(kind({ dispute: 'upheld' })).toBe('dismissed');
    expect(kind({ status: 'closed', phase: 'closed', outcome: 'cancelled' })).toBe('cancelled');
  });

  test('a link of a tenant who is not (or no longer) the one asked', () => {
    expect(kind({ polluter: null })).toBe('not_yours');
    expect(kind({ polluter: 'A-3' })).toBe('not_yours');
  });
});
