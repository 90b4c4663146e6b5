/**
 * The incident's lifecycle on the pure process (domain/incident), given/when/then, without Temporal:
 * triage, the notice and its deadline, the reminder, the tenant's cleanup and its inspection, the
 * escalation to the contractor, a polluter identified later, disputes, cancellation, duplicates,
 * needs attention, and what each command is refused with in each phase. The consequences (invoice,
 * warning, costs, neighbours, outcome) are in incident-settling-process.test.ts.
 *
 * Dates are Europe/Amsterdam; instants in the events are UTC.
 */
import { act, buildingA, lettersTo, reported, type Action, type IncidentScenario } from '../support/process';

const incidentId = 'i-1';
const common = { incidentId, category: 'fouled_stairwell', location: 'trappenhuis, 2e verdieping' } as const;

describe('triage', () => {
  test('a complaint the corporation does not take up (living noise) returns advice to the complainant and closes at once', () => {
    const s = reported(
      { category: 'living_noise', buildingId: 'C1-B', location: 'Kerkweg 2', polluterTenantId: 'B-2', complainantTenantId: 'B-1' },
      { at: '2032-01-15T10:00:00+01:00' },
    );
    expect(s.types()).toEqual(['IncidentReported', 'ReportReturnedToComplainant', 'IncidentClosed']);
    expect(s.one('ReportReturnedToComplainant')).toEqual({
      reason: 'leefgeluid is not taken up by the corporation',
      letters: [
        {
          letterId: 'incident-i-1/2/B-1',
          recipient: { type: 'tenant', id: 'B-1' },
          content: { kind: 'complainant_advice', incidentId, category: 'living_noise', location: 'Kerkweg 2' },
        },
      ],
    });
    expect(s.one('IncidentClosed')).toEqual({ outcome: 'returned_to_complainant', closedAt: '2032-01-15T09:00:00.000Z' });
    expect(s.outcome).toBe('returned_to_complainant');
    // Nobody else hears of it: the named polluter is not even looked at.
    expect(s.lookUps).toEqual([]);
  });

  test.each(['children_playing', 'parking'] as const)('a %s report without a complainant is returned with no letter at all', (category) => {
    const s = reported({ category }, { at: '2032-01-15T10:00:00+01:00' });
    expect(s.one('ReportReturnedToComplainant').letters).toEqual([]);
    expect(s.outcome).toBe('returned_to_complainant');
  });

  test('a handled complaint is acknowledged to the complainant before the polluter is notified', () => {
    // Thursday 5 February 2032: two working days skip the weekend, deadline Monday 9 February.
    const s = reported({ polluterTenantId: 'A-3', complainantTenantId: 'A-6' }, { at: '2032-02-05T10:00:00+01:00' });
    expect(s.types()).toEqual(['IncidentReported', 'ComplainantAcknowledged', 'PolluterNotified']);
    expect(s.one('ComplainantAcknowledged').letters).toEqual([
      { letterId: 'incident-i-1/2/A-6', recipient: { type: 'tenant', id: 'A-6' }, content: { kind: 'complainant_acknowledgement', ...common } },
    ]);
    expect(s.one('PolluterNotified')).toMatchObject({ tenantId: 'A-3', deadlineDate: '2032-02-09' });
    expect(lettersTo(s.one('PolluterNotified'))).toEqual(['A-3: formal_notice']);
  });
});

describe('the notice and its deadline', () => {
  // Monday 3 March 2031, 10:00 CET.
  test.each([
    ['fouled_stairwell', '2031-03-05', '2031-03-05T23:00:00.000Z', '2031-03-04T08:00:00.000Z'],
    ['bulk_waste', '2031-03-10', '2031-03-10T23:00:00.000Z', '2031-03-07T08:00:00.000Z'],
    ['vandalism', '2031-03-10', '2031-03-10T23:00:00.000Z', '2031-03-07T08:00:00.000Z'],
    ['neglected_garden', '2031-03-17', '2031-03-17T23:00:00.000Z', '2031-03-14T08:00:00.000Z'],
  ] as const)('a known polluter of a %s gets a formal notice until the end of %s, reminded at 09:00 the working day before', (category, deadlineDate, deadline, reminderAt) => {
    const s = reported({ category, polluterTenantId: 'A-2' }, { at: '2031-03-03T10:00:00+01:00' });
    expect(s.types()).toEqual(['IncidentReported', 'PolluterNotified']);
    expect(s.one('PolluterNotified')).toMatchObject({ tenantId: 'A-2', deadlineDate, deadline, reminderAt });
    expect(s.one('PolluterNotified').letters).toEqual([
      {
        letterId: 'incident-i-1/2/A-2',
        recipient: { type: 'tenant', id: 'A-2' },
        content: expect.objectContaining({ kind: 'formal_notice', incidentId, category, deadline, deadlineDate, tariffCents: null }),
      },
    ]);
    expect(s.waitingUntil).toBe(reminderAt);
    expect(s.lookUps).toEqual([]);
  });

  test('a notice on a Friday afternoon skips the weekend (Friday 18 July 2031: Tuesday 22 July)', () => {
    const s = reported({ polluterTenantId: 'A-2' }, { at: '2031-07-18T15:00:00+02:00' });
    expect(s.one('PolluterNotified')).toMatchObject({ deadlineDate: '2031-07-22', deadline: '2031-07-22T22:00:00.000Z', reminderAt: '2031-07-21T07:00:00.000Z' });
  });

  test('the Christmas holidays are skipped: five working days from Friday 19 December 2031 end on Tuesday 30 December', () => {
    const s = reported({ category: 'bulk_waste', polluterTenantId: 'A-2' }, { at: '2031-12-19T15:00:00+01:00' });
    expect(s.one('PolluterNotified')).toMatchObject({ deadlineDate: '2031-12-30', deadline: '2031-12-30T23:00:00.000Z', reminderAt: '2031-12-29T08:00:00.000Z' });
  });

  test("King's Day on a Thursday is skipped (Tuesday 25 April 2034: Friday 28 April)", () => {
    const s = reported({ buildingId: 'C1-B' }, { at: '2034-04-25T10:00:00+02:00', directory: { households: ['B-1', 'B-2', 'B-3'] } });
    expect(s.one('CollectiveNoticeSent')).toMatchObject({ households: ['B-1', 'B-2', 'B-3'], deadlineDate: '2034-04-28' });
  });

  test("when 27 April is a Sunday King's Day is Saturday 26 April, and Monday 28 April 2031 is a working day", () => {
    const s = reported({ polluterTenantId: 'A-2' }, { at: '2031-04-25T10:00:00+02:00' });
    expect(s.one('PolluterNotified')).toMatchObject({ deadlineDate: '2031-04-29', reminderAt: '2031-04-28T07:00:00.000Z' });
  });

  test('Liberation Day and Ascension Day are skipped (Monday 3 May 2032, five working days: Wednesday 12 May)', () => {
    const s = reported({ category: 'bulk_waste' }, { at: '2032-05-03T10:00:00+02:00' });
    expect(s.one('CollectiveNoticeSent')).toMatchObject({ deadlineDate: '2032-05-12', deadline: '2032-05-12T22:00:00.000Z', reminderAt: '2032-05-11T07:00:00.000Z' });
  });

  test('Easter Monday is skipped and summer time starts before the deadline: the deadline is midnight CEST, the reminder 09:00 CET', () => {
    // Thursday 25 March 2032; summer time starts Sunday 28 March; Easter Monday 29 March.
    const s = reported({}, { at: '2032-03-25T10:00:00+01:00' });
    expect(s.one('CollectiveNoticeSent')).toMatchObject({ deadlineDate: '2032-03-30', deadline: '2032-03-30T22:00:00.000Z', reminderAt: '2032-03-26T08:00:00.000Z' });
  });

  test('winter time starts before the deadline: the reminder is 09:00 CEST, the deadline midnight CET', () => {
    // Thursday 23 October 2031; winter time starts Sunday 26 October.
    const s = reported({ polluterTenantId: 'A-2' }, { at: '2031-10-23T10:00:00+02:00' });
    expect(s.one('PolluterNotified')).toMatchObject({ deadlineDate: '2031-10-27', deadline: '2031-10-27T23:00:00.000Z', reminderAt: '2031-10-24T07:00:00.000Z' });
  });

  test("the tenant's link stays valid until the end of the thirtieth day after the deadline, across a change to summer time", () => {
    // Deadline Wednesday 5 March 2031 (ends at midnight CET); thirty days on is 4 April, in summer time.
    const s = reported({ polluterTenantId: 'A-2' }, { at: '2031-03-03T10:00:00+01:00' });
    const [notice] = s.one('PolluterNotified').letters;
    expect(notice!.content).toMatchObject({ kind: 'formal_notice', linkExpiresAt: '2031-04-04T22:00:00.000Z' });
  });

  test("across the change to winter time the link's thirty days do not end an hour early", () => {
    // Deadline Wednesday 1 October 2031 (midnight CEST); thirty days on is 31 October, in winter time.
    const s = reported({ polluterTenantId: 'A-2' }, { at: '2031-09-29T10:00:00+02:00' });
    expect(s.one('PolluterNotified')).toMatchObject({ deadline: '2031-10-01T22:00:00.000Z' });
    expect(s.one('PolluterNotified').letters[0]!.content).toMatchObject({ linkExpiresAt: '2031-10-31T23:00:00.000Z' });
  });

  test('an ISO-8601 notice period counts exact time: PT30S with a reminder 10 seconds before', () => {
    const s = reported({ polluterTenantId: 'A-2' }, { at: '2031-03-03T10:00:00+01:00', policy: { categories: { fouled_stairwell: { noticePeriod: 'PT30S', reminderBefore: 'PT10S' } } } });
    expect(s.one('PolluterNotified')).toMatchObject({ deadline: '2031-03-03T09:00:30.000Z', deadlineDate: '2031-03-03', reminderAt: '2031-03-03T09:00:20.000Z' });
    s.at('2031-03-03T10:01:00+01:00');
    expect(s.types()).toEqual(['IncidentReported', 'PolluterNotified', 'ReminderSent', 'CleanupOrdered']);
    expect([s.recordedAt('ReminderSent'), s.recordedAt('CleanupOrdered')]).toEqual(['2031-03-03T09:00:20.000Z', '2031-03-03T09:00:30.000Z']);
  });

  test('an ISO-8601 week with the default reminder: 09:00 on the working day before the deadline date', () => {
    const s = reported({ polluterTenantId: 'A-2' }, { at: '2031-03-03T10:00:00+01:00', policy: { categories: { fouled_stairwell: { noticePeriod: 'P1W' } } } });
    expect(s.one('PolluterNotified')).toMatchObject({ deadline: '2031-03-10T09:00:00.000Z', deadlineDate: '2031-03-10', reminderAt: '2031-03-07T08:00:00.000Z' });
  });

  test('no reminder when the deadline is too close for one: the process waits for the deadline', () => {
    // One working day from Monday 10:00: the reminder would have been Monday 09:00, already past.
    const s = reported({ polluterTenantId: 'A-2' }, { at: '2031-03-03T10:00:00+01:00', policy: { categories: { fouled_stairwell: { noticePeriod: 1 } } } });
    expect(s.one('PolluterNotified')).toMatchObject({ deadlineDate: '2031-03-04', reminderAt: null });
    expect(s.waitingUntil).toBe('2031-03-04T23:00:00.000Z');
    s.at('2031-03-05T09:00:00+01:00');
    expect(s.types()).toEqual(['IncidentReported', 'PolluterNotified', 'CleanupOrdered']);
  });

  test('an ISO-8601 notice period with the default working-day reminder has no reminder', () => {
    const s = reported({ polluterTenantId: 'A-2' }, { at: '2031-03-03T10:00:00+01:00', policy: { categories: { fouled_stairwell: { noticePeriod: 'PT30S' } } } });
    expect(s.one('PolluterNotified').reminderAt).toBeNull();
    expect(s.waitingUntil).toBe('2031-03-03T09:00:30.000Z');
  });
});

describe('the collective notice', () => {
  test('an unknown polluter: every household that can use the space gets the notice, in the order the directory gives them', () => {
    const households = ['A-4', 'A-1', 'A-6', 'A-2', 'A-5', 'A-3'];
    const s = reported({}, { at: '2032-03-25T10:00:00+01:00', directory: { households } });
    expect(s.lookUps).toEqual(['households']);
    expect(s.one('CollectiveNoticeSent')).toMatchObject({ households, deadlineDate: '2032-03-30' });
    expect(s.one('CollectiveNoticeSent').letters).toEqual(
      households.map((tenantId) => ({
        letterId: `incident-i-1/2/${tenantId}`,
        recipient: { type: 'tenant', id: tenantId },
        content: { kind: 'collective_notice', ...common, deadline: '2032-03-30T22:00:00.000Z', deadlineDate: '2032-03-30', term: { kind: 'workingDays', days: 2 } },
      })),
    );
  });

  test('the collective reminder goes to every household again, marked collective and without a personal link', () => {
    const s = reported({}, { at: '2032-03-25T10:00:00+01:00' });
    s.at('2032-03-26T09:00:30+01:00');
    expect(s.recordedAt('ReminderSent')).toBe('2032-03-26T08:00:00.000Z');
    expect(lettersTo(s.one('ReminderSent'))).toEqual(buildingA.map((t) => `${t}: reminder`));
    expect(s.one('ReminderSent').letters[0]!.content).toEqual({ kind: 'reminder', ...common, deadline: '2032-03-30T22:00:00.000Z', deadlineDate: '2032-03-30', collective: true, linkExpiresAt: null });
  });

  test('a space no household is listed for: the notice goes to nobody, and the deadline still runs', () => {
    const s = reported({}, { at: '2032-03-25T10:00:00+01:00', directory: { households: [] } });
    expect(s.one('CollectiveNoticeSent')).toMatchObject({ households: [], letters: [] });
    s.at('2032-03-31T08:00:00+02:00');
    expect(s.types()).toEqual(['IncidentReported', 'CollectiveNoticeSent', 'ReminderSent', 'CleanupOrdered']);
    expect(s.one('ReminderSent').letters).toEqual([]);
  });
});

describe('the reminder', () => {
  test('goes out at 09:00 one working day before the deadline, the Christmas holidays skipped, with the link to confirm', () => {
    const s = reported({ category: 'bulk_waste', location: 'bergingsgang, kelder', polluterTenantId: 'A-2' }, { at: '2031-12-19T15:00:00+01:00' });
    s.at('2031-12-29T08:59:00+01:00');
    expect(s.types()).toEqual(['IncidentReported', 'PolluterNotified']);
    s.at('2031-12-29T09:00:30+01:00');
    expect(s.types()).toEqual(['IncidentReported', 'PolluterNotified', 'ReminderSent']);
    expect(s.recordedAt('ReminderSent')).toBe('2031-12-29T08:00:00.000Z');
    expect(s.one('ReminderSent').letters).toEqual([
      {
        letterId: 'incident-i-1/3/A-2',
        recipient: { type: 'tenant', id: 'A-2' },
        content: {
          kind: 'reminder',
          incidentId,
          category: 'bulk_waste',
          location: 'bergingsgang, kelder',
          deadline: '2031-12-30T23:00:00.000Z',
          deadlineDate: '2031-12-30',
          collective: false,
          linkExpiresAt: '2032-01-29T23:00:00.000Z',
        },
      },
    ]);
    expect(s.waitingUntil).toBe('2031-12-30T23:00:00.000Z');

    s.when(act.reportCleanup('tenant', 'A-2')).when(act.inspect('clean'));
    expect(s.types()).toEqual([
      'IncidentReported',
      'PolluterNotified',
      'ReminderSent',
      'CleanupReported',
      'InspectionRecorded',
      'WarningIssued',
      'NeighboursInformed',
      'IncidentClosed',
    ]);
    expect(s.outcome).toBe('self_cleaned');
  });

  test('none while a cleanup report awaits inspection, and no escalation either; inspected not clean after the deadline, the cleanup is ordered at once', () => {
    // Bulk waste from Monday 3 March 2031: reminder Friday 7 March, deadline Monday 10 March.
    const s = reported({ category: 'bulk_waste', polluterTenantId: 'A-2' }, { at: '2031-03-03T10:00:00+01:00' });
    s.at('2031-03-05T11:00:00+01:00').when(act.reportCleanup('tenant', 'A-2', 'opgeruimd'));
    expect(s.open.phase).toBe('cleanup_reported');
    expect(s.waitingUntil).toBe('2031-03-10T23:00:00.000Z');
    s.at('2031-03-12T09:00:00+01:00');
    expect(s.types()).toEqual(['IncidentReported', 'PolluterNotified', 'CleanupReported']);
    expect(s.waitingUntil).toBeNull();

    s.when(act.inspect('not_clean', 'consultant-1', 'nog steeds afval'));
    expect(s.types().slice(3)).toEqual(['InspectionRecorded', 'CleanupOrdered']);
    expect(s.one('CleanupOrdered').orderedAt).toBe('2031-03-12T08:00:00.000Z');
  });

  test('none while a dispute is open, and no escalation either', () => {
    const s = reported({ category: 'bulk_waste', polluterTenantId: 'A-2' }, { at: '2031-03-03T10:00:00+01:00' });
    s.at('2031-03-05T11:00:00+01:00').when(act.dispute('niet van mij'));
    s.at('2031-03-14T09:00:00+01:00');
    expect(s.types()).toEqual(['IncidentReported', 'PolluterNotified', 'DisputeOpened']);
    expect(s.waitingUntil).toBeNull();
  });

  test('held by a dispute that is rejected before the deadline, the reminder goes out then', () => {
    const s = reported({ category: 'bulk_waste', polluterTenantId: 'A-2' }, { at: '2031-03-03T10:00:00+01:00' });
    s.at('2031-03-05T11:00:00+01:00').when(act.dispute('niet van mij'));
    s.at('2031-03-10T10:00:00+01:00').when(act.resolveDispute('rejected'));
    expect(s.types().slice(2)).toEqual(['DisputeOpened', 'DisputeResolved', 'ReminderSent']);
    expect(s.recordedAt('ReminderSent')).toBe('2031-03-10T09:00:00.000Z');
    expect(s.waitingUntil).toBe('2031-03-10T23:00:00.000Z');
  });
});

describe("the tenant's cleanup", () => {
  test('a tenant who cleans in time and passes the inspection gets a warning and no invoice', () => {
    const s = reported({ polluterTenantId: 'A-3' }, { at: '2031-09-01T10:00:00+02:00' });
    s.at('2031-09-01T11:00:00+02:00').when(act.reportCleanup('tenant', 'A-3'));
    expect(s.one('CleanupReported')).toEqual({ by: 'tenant', actor: 'A-3', note: null, reportedAt: '2031-09-01T09:00:00.000Z' });
    s.when(act.inspect('clean'));
    expect(s.types()).toEqual(['IncidentReported', 'PolluterNotified', 'CleanupReported', 'InspectionRecorded', 'WarningIssued', 'NeighboursInformed', 'IncidentClosed']);
    expect(s.one('InspectionRecorded')).toEqual({ result: 'clean', inspector: 'consultant-1', note: null, inspectedAt: '2031-09-01T09:00:00.000Z', acceptedFromReport: false });
    expect(s.invoices).toEqual([]);
    expect(s.one('WarningIssued').letters[0]!.content).toMatchObject({ kind: 'warning', cleanedBy: 'tenant', invoiceNumber: null, totalCents: null });
    expect(s.outcome).toBe('self_cleaned');
  });

  test('inspected not clean before the deadline: back to waiting, the reminder still comes and the deadline still counts', () => {
    const s = reported({ category: 'bulk_waste', polluterTenantId: 'A-2' }, { at: '2031-03-03T10:00:00+01:00' });
    s.at('2031-03-05T11:00:00+01:00').when(act.reportCleanup('tenant', 'A-2'));
    s.at('2031-03-06T11:00:00+01:00').when(act.inspect('not_clean'));
    expect(s.open.phase).toBe('awaiting_cleanup');
    expect(s.waitingUntil).toBe('2031-03-07T08:00:00.000Z');
    s.at('2031-03-11T09:00:00+01:00');
    expect(s.types().slice(2)).toEqual(['CleanupReported', 'InspectionRecorded', 'ReminderSent', 'CleanupOrdered']);
    expect(s.one('CleanupOrdered').orderedAt).toBe('2031-03-10T23:00:00.000Z');
  });

  test('a tenant may report again after a not-clean inspection', () => {
    const s = reported({ polluterTenantId: 'A-2' }, { at: '2031-09-01T10:00:00+02:00' });
    s.when(act.reportCleanup()).when(act.inspect('not_clean')).when(act.reportCleanup()).when(act.inspect('clean'));
    expect(s.all('InspectionRecorded').map((i) => i.result)).toEqual(['not_clean', 'clean']);
    expect(s.outcome).toBe('self_cleaned');
  });

  test('a consultant may inspect without a report and find it clean', () => {
    const s = reported({ polluterTenantId: 'A-2' }, { at: '2031-09-01T10:00:00+02:00' });
    s.when(act.inspect('clean'));
    expect(s.types().slice(2, 4)).toEqual(['InspectionRecorded', 'WarningIssued']);
    expect(s.outcome).toBe('self_cleaned');
  });

  test("where policy accepts the report without inspection, the tenant's report closes the incident as self-cleaned", () => {
    const s = reported(
      { buildingId: 'C1-B', location: 'portiek Kerkweg 1-3', polluterTenantId: 'B-3' },
      { at: '2034-06-08T10:00:00+02:00', policy: { categories: { fouled_stairwell: { acceptCleanupReportWithoutInspection: true } } }, directory: { households: ['B-1', 'B-2', 'B-3'] } },
    );
    s.when(act.reportCleanup('tenant', 'B-3', 'Alles is weer schoon.'));
    expect(s.types()).toEqual(['IncidentReported', 'PolluterNotified', 'CleanupReported', 'InspectionRecorded', 'WarningIssued', 'NeighboursNoticeSuppressed', 'IncidentClosed']);
    expect(s.one('CleanupReported')).toMatchObject({ by: 'tenant', actor: 'B-3', note: 'Alles is weer schoon.' });
    expect(s.one('InspectionRecorded')).toEqual({ result: 'clean', inspector: 'B-3', note: null, inspectedAt: '2034-06-08T08:00:00.000Z', acceptedFromReport: true });
    expect(s.one('WarningIssued')).toMatchObject({ tenantId: 'B-3', offenceNumber: 1 });
    expect(s.outcome).toBe('self_cleaned');
  });
});

describe('the escalation', () => {
  test('at the deadline the contractor is looked up and gets the work order with its number', () => {
    // Friday 18 July 2031, 15:00: deadline Tuesday 22 July, reminder Monday 21 July at 09:00.
    const s = reported({ polluterTenantId: 'A-2' }, { at: '2031-07-18T15:00:00+02:00', directory: { contractorId: 'K-7' } });
    s.at('2031-07-23T09:00:00+02:00');
    expect(s.types()).toEqual(['IncidentReported', 'PolluterNotified', 'ReminderSent', 'CleanupOrdered']);
    expect(s.lookUps).toEqual(['contractor']);
    expect(s.one('CleanupOrdered')).toEqual({
      contractorId: 'K-7',
      workOrderNumber: 'WO-i-1',
      orderedAt: '2031-07-22T22:00:00.000Z',
      letters: [
        {
          letterId: 'incident-i-1/4/K-7',
          recipient: { type: 'contractor', id: 'K-7' },
          // Three working days from the order (Wednesday 23 July): Monday 28 July.
          content: { kind: 'work_order', ...common, workOrderNumber: 'WO-i-1', buildingId: 'C1-A', complexId: 'C1', completeBy: '2031-07-28' },
        },
      ],
    });
    expect(s.open.phase).toBe('cleanup_ordered');
    expect(s.waitingUntil).toBeNull();
  });
});

describe('a polluter identified later', () => {
  test('while the collective notice runs: a formal notice with a deadline of their own, and the collective dates no longer count', () => {
    // Monday 7 June 2032: the collective deadline is Monday 14 June. Identified Wednesday 9 June: Wednesday 16 June.
    const s = reported({ category: 'bulk_waste', location: 'kelderbox 4' }, { at: '2032-06-07T10:00:00+02:00' });
    expect(s.one('CollectiveNoticeSent')).toMatchObject({ deadlineDate: '2032-06-14' });
    s.at('2032-06-09T14:00:00+02:00').when(act.identify('A-5'));
    expect(s.types().slice(2)).toEqual(['PolluterIdentified', 'PolluterNotified']);
    expect(s.one('PolluterIdentified')).toEqual({ tenantId: 'A-5', identifiedBy: 'consultant-1' });
    expect(s.one('PolluterNotified')).toMatchObject({ tenantId: 'A-5', deadlineDate: '2032-06-16', reminderAt: '2032-06-15T07:00:00.000Z' });
    expect(lettersTo(s.one('PolluterNotified'))).toEqual(['A-5: formal_notice']);

    // Past the collective reminder (Friday 11 June) and the collective deadline (Monday 14 June).
    s.at('2032-06-15T10:00:00+02:00');
    expect(s.types().slice(4)).toEqual(['ReminderSent']);
    expect(lettersTo(s.one('ReminderSent'))).toEqual(['A-5: reminder']);
    s.when(act.reportCleanup('tenant', 'A-5', 'opgeruimd')).when(act.inspect('clean'));
    expect(s.one('WarningIssued')).toMatchObject({ tenantId: 'A-5', offenceNumber: 1, severity: 'standard' });
    expect(s.one('NeighboursInformed').households).toBe(5);
    expect(s.outcome).toBe('self_cleaned');
  });

  test('after the cleanup was ordered: no notice of their own; the invoice and the warning go to them', () => {
    const s = reported({}, { at: '2032-06-07T10:00:00+02:00' });
    s.at('2032-06-10T10:00:00+02:00').when(act.identify('A-4'));
    expect(s.types()).toEqual(['IncidentReported', 'CollectiveNoticeSent', 'ReminderSent', 'CleanupOrdered', 'PolluterIdentified']);
    expect(s.waitingUntil).toBeNull();
    s.when(act.complete(9900));
    expect(s.invoices.map((i) => [i.data.debtorTenantId, i.data.totalCents])).toEqual([['A-4', 9900]]);
    expect(s.one('WarningIssued')).toMatchObject({ tenantId: 'A-4', offenceNumber: 1 });
    expect(lettersTo(s.one('NeighboursInformed'))).toEqual(['A-1', 'A-2', 'A-3', 'A-5', 'A-6'].map((t) => `${t}: neighbours_notice`));
    expect(s.outcome).toBe('cleaned_and_charged');
  });

  test('while a cleanup report awaits inspection: no notice, reminder or escalation until the inspection; not clean, they get a notice and a deadline of their own', () => {
    // Monday 7 June 2032, collective deadline Wednesday 9 June.
    const s = reported({}, { at: '2032-06-07T10:00:00+02:00' });
    s.when(act.reportCleanup('consultant', 'consultant-1', 'bewoners zeggen dat het schoon is')).when(act.identify('A-5'));
    expect(s.types()).toEqual(['IncidentReported', 'CollectiveNoticeSent', 'CleanupReported', 'PolluterIdentified']);
    expect(s.open.phase).toBe('cleanup_reported');
    s.at('2032-06-14T10:00:00+02:00');
    expect(s.types()).toEqual(['IncidentReported', 'CollectiveNoticeSent', 'CleanupReported', 'PolluterIdentified']);

    s.when(act.inspect('not_clean'));
    expect(s.types().slice(4)).toEqual(['InspectionRecorded', 'PolluterNotified']);
    // Two working days from Monday 14 June.
    expect(s.one('PolluterNotified')).toMatchObject({ tenantId: 'A-5', deadlineDate: '2032-06-16' });
  });

  test('an incident begun on earlier code (no patch marker) notifies them at once, as that code did, so that its history replays', () => {
    const s = reported({}, { at: '2032-06-07T10:00:00+02:00', compatibility: { notifyIdentifiedPolluterDuringInspection: true } });
    s.when(act.reportCleanup('consultant', 'consultant-1', 'bewoners zeggen dat het schoon is')).when(act.identify('A-5'));
    expect(s.types()).toEqual(['IncidentReported', 'CollectiveNoticeSent', 'CleanupReported', 'PolluterIdentified', 'PolluterNotified']);
  });

  test('while a cleanup report awaits inspection, then inspected clean: the warning goes to them, and it was cleaned without the corporation', () => {
    const s = reported({}, { at: '2032-06-07T10:00:00+02:00' });
    s.when(act.reportCleanup('consultant', 'consultant-1')).when(act.identify('A-5')).when(act.inspect('clean'));
    expect(s.types().slice(3)).toEqual(['PolluterIdentified', 'InspectionRecorded', 'WarningIssued', 'NeighboursInformed', 'IncidentClosed']);
    expect(s.one('WarningIssued')).toMatchObject({ tenantId: 'A-5', offenceNumber: 1 });
    expect(s.outcome).toBe('self_cleaned');
  });

  test('a polluter already known cannot be identified again', () => {
    const s = reported({ polluterTenantId: 'A-2' }, { at: '2032-06-07T10:00:00+02:00' });
    expect(s.refuses(act.identify('A-3'))).toEqual(['IllegalStateError', 'the polluter is already identified (A-2)']);
  });
});

describe('disputes', () => {
  test('a dispute opened before the deadline holds the escalation; upheld, the incident is dismissed without consequences', () => {
    // Friday 2 July 2032: deadline Tuesday 6 July, reminder Monday 5 July 09:00.
    const s = reported({ polluterTenantId: 'A-4' }, { at: '2032-07-02T10:00:00+02:00' });
    s.at('2032-07-05T10:00:00+02:00').when(act.dispute('Ik woon op de derde verdieping; dit afval is niet van mij.', 'tenant', 'A-4'));
    s.at('2032-07-08T10:00:00+02:00');
    expect([s.open.phase, s.open.dispute]).toEqual(['awaiting_cleanup', 'open']);
    expect(s.types()).not.toContain('CleanupOrdered');

    s.when(act.resolveDispute('upheld', 'Camerabeelden tonen een andere bewoner.'));
    expect(s.types()).toEqual(['IncidentReported', 'PolluterNotified', 'ReminderSent', 'DisputeOpened', 'DisputeResolved', 'IncidentClosed']);
    expect(s.one('DisputeOpened')).toEqual({ by: 'tenant', actor: 'A-4', reason: 'Ik woon op de derde verdieping; dit afval is niet van mij.' });
    expect(s.one('DisputeResolved')).toEqual({ decision: 'upheld', resolvedBy: 'consultant-1', note: 'Camerabeelden tonen een andere bewoner.' });
    expect(s.one('IncidentClosed')).toEqual({ outcome: 'dismissed', closedAt: '2032-07-08T08:00:00.000Z' });
    expect(s.lookUps).toEqual([]);
  });

  test('a dispute rejected after the deadline has passed orders the cleanup at once', () => {
    // Friday 6 August 2032: deadline Tuesday 10 August.
    const s = reported({ polluterTenantId: 'A-4' }, { at: '2032-08-06T10:00:00+02:00', directory: { invoiceNumber: '2032-000017' } });
    s.at('2032-08-09T10:00:00+02:00').when(act.dispute('De huurder betwist de melding telefonisch.', 'consultant', 'consultant-2'));
    s.at('2032-08-12T09:00:00+02:00');
    expect(s.types()).not.toContain('CleanupOrdered');

    s.when(act.resolveDispute('rejected'));
    expect([s.open.phase, s.open.dispute]).toEqual(['cleanup_ordered', 'rejected']);
    expect(s.one('CleanupOrdered').orderedAt).toBe('2032-08-12T07:00:00.000Z');
    expect(s.refuses(act.inspect('clean'))).toEqual(['IllegalStateError', 'cannot record an inspection: the cleanup has been ordered from the contractor']);

    s.when(act.complete(9900));
    expect(s.types()).toEqual([
      'IncidentReported',
      'PolluterNotified',
      'ReminderSent',
      'DisputeOpened',
      'DisputeResolved',
      'CleanupOrdered',
      'CleanupCompleted',
      'WarningIssued',
      'NeighboursInformed',
      'IncidentClosed',
    ]);
    expect(s.invoices[0]!.data).toMatchObject({ invoiceNumber: '2032-000017', debtorTenantId: 'A-4', issueDate: '2032-08-12', dueDate: '2032-08-26', totalCents: 9900 });
    expect(s.one('WarningIssued')).toMatchObject({ tenantId: 'A-4', offenceNumber: 1, severity: 'standard' });
    expect(s.outcome).toBe('cleaned_and_charged');
  });

  test('a dispute while the contractor works: the completion waits for the decision; rejected, the consequences follow', () => {
    const s = reported({ polluterTenantId: 'A-2' }, { at: '2032-08-06T10:00:00+02:00' });
    s.at('2032-08-11T10:00:00+02:00').when(act.dispute('de schoonmaak was niet nodig'));
    s.when(act.complete(5000));
    expect(s.open.phase).toBe('settling');
    expect(s.waitingUntil).toBeNull();
    expect(s.types().slice(-1)).toEqual(['CleanupCompleted']);
    s.when(act.resolveDispute('rejected'));
    expect(s.types().slice(-4)).toEqual(['DisputeResolved', 'WarningIssued', 'NeighboursInformed', 'IncidentClosed']);
    expect(s.outcome).toBe('cleaned_and_charged');
  });

  test('a dispute upheld after the contractor cleaned: dismissed, no invoice, no warning, no cost booked', () => {
    const s = reported({ polluterTenantId: 'A-2' }, { at: '2032-08-06T10:00:00+02:00' });
    s.at('2032-08-11T10:00:00+02:00').when(act.dispute('niet van mij')).when(act.complete(5000)).when(act.resolveDispute('upheld'));
    expect(s.types().slice(-3)).toEqual(['CleanupCompleted', 'DisputeResolved', 'IncidentClosed']);
    expect(s.invoices).toEqual([]);
    expect(s.outcome).toBe('dismissed');
  });

  test('a dispute needs a reason, only one is open at a time, and only an open one can be resolved', () => {
    const s = reported({ polluterTenantId: 'A-2' }, { at: '2032-08-06T10:00:00+02:00' });
    expect(s.refuses(act.resolveDispute('upheld'))).toEqual(['IllegalStateError', 'there is no open dispute']);
    expect(s.refuses(act.dispute('  '))).toEqual(['ValidationError', 'a dispute needs a reason']);
    s.when(act.dispute('niet van mij'));
    expect(s.refuses(act.dispute('nog steeds niet'))).toEqual(['IllegalStateError', 'a dispute is already open']);
  });
});

describe('cancellation', () => {
  test('with a reason, the incident closes as cancelled without a neighbours notice; without a reason, or out of turn, commands are refused', () => {
    const s = reported({ polluterTenantId: 'A-2' }, { at: '2032-09-10T10:00:00+02:00' });
    expect(s.refuses(act.complete(5000))).toEqual(['IllegalStateError', 'no cleanup has been ordered for this incident']);
    expect(s.refuses(act.resolveDispute('upheld'))).toEqual(['IllegalStateError', 'there is no open dispute']);
    for (const reason of ['', '   ']) expect(s.refuses(act.cancel(reason))).toEqual(['ValidationError', 'a cancellation needs a reason']);

    s.when(act.cancel('De melding bleek op een misverstand te berusten.'));
    expect(s.types()).toEqual(['IncidentReported', 'PolluterNotified', 'IncidentCancelled', 'IncidentClosed']);
    expect(s.one('IncidentCancelled')).toEqual({ reason: 'De melding bleek op een misverstand te berusten.', cancelledBy: 'consultant-2' });
    expect(s.outcome).toBe('cancelled');
    expect(s.refuses(act.cancel('nogmaals'))).toEqual(['IllegalStateError', 'the incident is closed (cancelled)']);
  });

  test.each([
    ['while a cleanup report awaits inspection', (s: IncidentScenario) => s.when(act.reportCleanup())],
    ['while the contractor has the work order', (s: IncidentScenario) => s.at('2032-09-15T10:00:00+02:00')],
    ['while a dispute is open', (s: IncidentScenario) => s.when(act.dispute('niet van mij'))],
    ['after the reminder', (s: IncidentScenario) => s.at('2032-09-13T10:00:00+02:00')],
  ])('a cancellation %s closes the incident as cancelled, with nothing further', (_when, before) => {
    const s = before(reported({ polluterTenantId: 'A-2' }, { at: '2032-09-10T10:00:00+02:00' }));
    const recorded = s.types().length;
    s.when(act.cancel('dubbele melding'));
    expect(s.typesSince(recorded)).toEqual(['IncidentCancelled', 'IncidentClosed']);
    expect(s.outcome).toBe('cancelled');
  });

  test('refused while the consequences are being settled, unless a step there needs attention', () => {
    const s = reported({ polluterTenantId: 'A-2' }, { at: '2032-09-10T10:00:00+02:00' });
    // The moment between the clean inspection and the warning.
    s.accept(act.inspect('clean'));
    expect(s.open.phase).toBe('settling');
    expect(s.refuses(act.cancel('te laat'))).toEqual(['IllegalStateError', 'the space is clean and the consequences are being issued']);

    const stuck = reported({ polluterTenantId: 'A-2' }, { at: '2032-09-10T10:00:00+02:00', lettersBounce: 'settle' });
    stuck.when(act.inspect('clean'));
    expect(stuck.types().slice(-2)).toEqual(['WarningIssued', 'AttentionRequired']);
    stuck.when(act.cancel('de huurder is verhuisd'));
    expect(stuck.types().slice(-2)).toEqual(['IncidentCancelled', 'IncidentClosed']);
    expect(stuck.outcome).toBe('cancelled');
  });

  test('once cancelled or dismissed, nothing more is accepted while it closes', () => {
    const cancelled = reported({ polluterTenantId: 'A-2' }, { at: '2032-09-10T10:00:00+02:00' }).accept(act.cancel('vergissing'));
    expect(cancelled.refuses(act.reportCleanup())).toEqual(['IllegalStateError', 'the incident is being cancelled']);
    const dismissed = reported({ polluterTenantId: 'A-2' }, { at: '2032-09-10T10:00:00+02:00' }).when(act.dispute('niet van mij')).accept(act.resolveDispute('upheld'));
    expect(dismissed.refuses(act.cancel('toch niet'))).toEqual(['IllegalStateError', 'the dispute was upheld; the incident is being dismissed']);
  });

  test('cancelled while the acknowledgement to the complainant waits for attention: the polluter gets no notice', () => {
    const s = reported({ polluterTenantId: 'A-2', complainantTenantId: 'A-6' }, { at: '2032-09-10T10:00:00+02:00', lettersBounce: 'acknowledge the complainant' });
    expect(s.types()).toEqual(['IncidentReported', 'ComplainantAcknowledged', 'AttentionRequired']);
    s.when(act.cancel('de melder trekt de melding in'));
    expect(s.types()).toEqual(['IncidentReported', 'ComplainantAcknowledged', 'AttentionRequired', 'IncidentCancelled', 'IncidentClosed']);
    expect(s.outcome).toBe('cancelled');
  });

  test('cancelled while the advice to the complainant waits for attention: closed as cancelled', () => {
    const s = reported({ category: 'parking', complainantTenantId: 'A-6' }, { at: '2032-09-10T10:00:00+02:00', lettersBounce: 'return the report to the complainant' });
    expect(s.types()).toEqual(['IncidentReported', 'ReportReturnedToComplainant', 'AttentionRequired']);
    s.when(act.cancel('de melder is verhuisd'));
    expect(s.types().slice(-2)).toEqual(['IncidentCancelled', 'IncidentClosed']);
    expect(s.outcome).toBe('cancelled');
  });
});

describe('duplicates', () => {
  test('a duplicate report is linked to the open incident and starts nothing', () => {
    const s = reported({ category: 'bulk_waste', location: 'fietsenberging' }, { at: '2034-09-14T10:00:00+02:00' });
    const waiting = s.waitingUntil;
    s.at('2034-09-14T10:01:00+02:00').when(act.linkDuplicate('R-1', 'A-3', 'grofvuil bij de fietsen'));
    s.at('2034-09-14T12:01:00+02:00').when(act.linkDuplicate('R-2', 'A-5', 'oude bank in de berging'));
    expect(s.all('DuplicateReportLinked')).toEqual([
      { reportId: 'R-1', reportedBy: 'A-3', description: 'grofvuil bij de fietsen', reportedAt: '2034-09-14T08:01:00.000Z', polluterTenantId: null, complainantTenantId: null },
      { reportId: 'R-2', reportedBy: 'A-5', description: 'oude bank in de berging', reportedAt: '2034-09-14T10:01:00.000Z', polluterTenantId: null, complainantTenantId: null },
    ]);
    expect(s.types()).toEqual(['IncidentReported', 'CollectiveNoticeSent', 'DuplicateReportLinked', 'DuplicateReportLinked']);
    expect(s.waitingUntil).toBe(waiting);
    s.when(act.cancel('De gemeente heeft het grofvuil opgehaald.'));
    expect(s.outcome).toBe('cancelled');
    expect(s.refuses(act.linkDuplicate('R-3', 'A-1', 'weer grofvuil'))).toEqual(['IllegalStateError', 'the incident is closed (cancelled)']);
  });
});

describe('a duplicate that adds something', () => {
  test('one that names the polluter while nobody is known: the polluter is identified and gets a notice with a deadline of their own; its complainant is acknowledged', () => {
    // Monday 3 March 2031: a collective notice, deadline Wednesday 5 March.
    const s = reported({ category: 'fouled_stairwell' }, { at: '2031-03-03T10:00:00+01:00' });
    expect(s.one('CollectiveNoticeSent').deadlineDate).toBe('2031-03-05');
    s.at('2031-03-03T11:00:00+01:00').when(act.linkDuplicate('R-1', 'consultant-2', 'zag wie het was', { polluterTenantId: 'A-4', complainantTenantId: 'B-1' }));
    expect(s.types().slice(2)).toEqual(['DuplicateReportLinked', 'PolluterIdentified', 'ComplainantAcknowledged', 'PolluterNotified']);
    expect(s.one('PolluterIdentified')).toEqual({ tenantId: 'A-4', identifiedBy: 'consultant-2' });
    // Two working days from Monday: Wednesday, for the polluter too.
    expect(s.one('PolluterNotified')).toMatchObject({ tenantId: 'A-4', deadlineDate: '2031-03-05' });
    expect(lettersTo(s.one('ComplainantAcknowledged'))).toEqual(['B-1: complainant_acknowledgement']);
  });

  test('one that names another polluter than the known one changes nothing but the record; the same complainant twice is acknowledged once', () => {
    const s = reported({ polluterTenantId: 'A-2', complainantTenantId: 'B-1' }, { at: '2031-03-03T10:00:00+01:00' });
    s.when(act.linkDuplicate('R-1', 'consultant-2', 'weer vuil', { polluterTenantId: 'A-5', complainantTenantId: 'B-1' }));
    expect(s.types()).toEqual(['IncidentReported', 'ComplainantAcknowledged', 'PolluterNotified', 'DuplicateReportLinked']);
    expect(s.open.polluterTenantId).toBe('A-2');
    expect(s.one('DuplicateReportLinked')).toMatchObject({ polluterTenantId: 'A-5', complainantTenantId: 'B-1' });
  });
});

describe('needs attention', () => {
  test('a notice whose letter bounces waits for a person: no reminder, no escalation; resolved, it goes on from where it is', () => {
    const s = reported({ polluterTenantId: 'A-3' }, { at: '2032-03-01T09:00:00+01:00', lettersBounce: 'notify' });
    expect(s.types()).toEqual(['IncidentReported', 'PolluterNotified', 'AttentionRequired']);
    expect(s.open.attention).toEqual({ step: 'deliver letters', reason: '550 5.1.1 mailbox unavailable', since: '2032-03-01T08:00:00.000Z' });
    expect(s.waitingUntil).toBeNull();

    s.at('2032-03-08T09:00:00+01:00');
    expect(s.types()).toEqual(['IncidentReported', 'PolluterNotified', 'AttentionRequired']);

    s.when(act.resolveAttention('consultant:test', 'e-mailadres gecorrigeerd'));
    expect(s.one('AttentionResolved')).toEqual({ by: 'consultant:test', note: 'e-mailadres gecorrigeerd', resolvedAt: '2032-03-08T08:00:00.000Z' });
    expect(s.open.attention).toBeNull();
    // Its deadline passed while it waited: the cleanup is ordered.
    expect(s.types().slice(3)).toEqual(['AttentionResolved', 'CleanupOrdered']);
    expect(s.refuses(act.resolveAttention())).toEqual(['IllegalStateError', 'the incident does not need attention']);
  });

  test('the work order that bounces waits too; the contractor can still report completion', () => {
    const s = reported({ polluterTenantId: 'A-2' }, { at: '2032-03-01T09:00:00+01:00', lettersBounce: 'order the cleanup' });
    s.at('2032-03-04T09:00:00+01:00');
    expect(s.types().slice(-2)).toEqual(['CleanupOrdered', 'AttentionRequired']);
    s.when(act.resolveAttention()).when(act.complete(4000));
    expect(s.outcome).toBe('cleaned_and_charged');
  });
});

describe("what each command is refused with, phase by phase (known polluter A-2)", () => {
  const at = '2032-09-10T10:00:00+02:00';
  const phases: Record<string, () => IncidentScenario> = {
    // The complainant's acknowledgement bounced: nobody has been notified yet.
    reported: () => reported({ polluterTenantId: 'A-2', complainantTenantId: 'A-6' }, { at, lettersBounce: 'acknowledge the complainant' }),
    awaiting_cleanup: () => reported({ polluterTenantId: 'A-2' }, { at }),
    cleanup_reported: () => reported({ polluterTenantId: 'A-2' }, { at }).when(act.reportCleanup()),
    cleanup_ordered: () => reported({ polluterTenantId: 'A-2' }, { at }).at('2032-09-15T10:00:00+02:00'),
    settling: () => reported({ polluterTenantId: 'A-2' }, { at }).accept(act.inspect('clean')),
    closed: () => reported({ polluterTenantId: 'A-2' }, { at }).when(act.inspect('clean')),
  };
  const commands: Record<string, Action> = {
    reportCleanup: act.reportCleanup(),
    inspect: act.inspect('clean'),
    identify: act.identify('A-3'),
    dispute: act.dispute('niet van mij'),
    resolveDispute: act.resolveDispute('rejected'),
    complete: act.complete(100),
    cancel: act.cancel('vergissing'),
    linkDuplicate: act.linkDuplicate('R-1', 'A-4', 'ook gezien'),
    resolveAttention: act.resolveAttention(),
  };
  const answer = (phase: string, command: Action): string => {
    try {
      phases[phase]!().accept(command);
      return 'accepted';
    } catch (error) {
      return `${(error as Error).name}: ${(error as Error).message}`;
    }
  };
  const table = (phase: string) => Object.fromEntries(Object.entries(commands).map(([name, command]) => [name, answer(phase, command)]));
  const notYet = 'nobody has been notified yet';
  const ordered = 'the cleanup has been ordered from the contractor';
  const cleaned = 'the space has already been cleaned';
  const noOrder = 'IllegalStateError: no cleanup has been ordered for this incident';
  const noDispute = 'IllegalStateError: there is no open dispute';
  const known = 'IllegalStateError: the polluter is already identified (A-2)';
  const noAttention = 'IllegalStateError: the incident does not need attention';

  test.each([
    [
      'reported',
      {
        reportCleanup: `IllegalStateError: cannot report a cleanup: ${notYet}`,
        inspect: `IllegalStateError: cannot record an inspection: ${notYet}`,
        identify: known,
        dispute: `IllegalStateError: ${notYet}`,
        resolveDispute: noDispute,
        complete: noOrder,
        cancel: 'accepted',
        linkDuplicate: 'accepted',
        resolveAttention: 'accepted',
      },
    ],
    [
      'awaiting_cleanup',
      { reportCleanup: 'accepted', inspect: 'accepted', identify: known, dispute: 'accepted', resolveDispute: noDispute, complete: noOrder, cancel: 'accepted', linkDuplicate: 'accepted', resolveAttention: noAttention },
    ],
    [
      'cleanup_reported',
      {
        reportCleanup: 'IllegalStateError: a cleanup has already been reported and awaits inspection',
        inspect: 'accepted',
        identify: known,
        dispute: 'accepted',
        resolveDispute: noDispute,
        complete: noOrder,
        cancel: 'accepted',
        linkDuplicate: 'accepted',
        resolveAttention: noAttention,
      },
    ],
    [
      'cleanup_ordered',
      {
        reportCleanup: `IllegalStateError: cannot report a cleanup: ${ordered}`,
        inspect: `IllegalStateError: cannot record an inspection: ${ordered}`,
        identify: known,
        dispute: 'accepted',
        resolveDispute: noDispute,
        complete: 'accepted',
        cancel: 'accepted',
        linkDuplicate: 'accepted',
        resolveAttention: noAttention,
      },
    ],
    [
      'settling',
      {
        reportCleanup: `IllegalStateError: cannot report a cleanup: ${cleaned}`,
        inspect: `IllegalStateError: cannot record an inspection: ${cleaned}`,
        identify: known,
        dispute: 'IllegalStateError: the space is clean and the consequences are being issued',
        resolveDispute: noDispute,
        complete: noOrder,
        cancel: 'IllegalStateError: the space is clean and the consequences are being issued',
        linkDuplicate: 'accepted',
        resolveAttention: noAttention,
      },
    ],
    ['closed', Object.fromEntries(Object.keys(commands).map((name) => [name, 'IllegalStateError: the incident is closed (self_cleaned)']))],
  ])('%s', (phase, expected) => {
    expect(table(phase)).toEqual(expected);
  });

  test('an unknown polluter cannot be named once the consequences are being settled', () => {
    const s = reported({}, { at }).accept(act.inspect('clean'));
    expect(s.refuses(act.identify('A-3'))).toEqual(['IllegalStateError', 'the consequences are already being settled']);
  });

  test('a completion from another contractor than the one with the work order is refused, and one without a cost where the category has no tariff', () => {
    const s = phases.cleanup_ordered!();
    expect(s.refuses(act.complete(100, 'K-2'))).toEqual(['IllegalStateError', 'the work order went to contractor K-1']);
    expect(s.refuses(act.complete(null))).toEqual(['ValidationError', 'this category has no fixed tariff: report the cost']);
  });
});
