/**
 * A letter by post counts from the day it was really posted (issue 14, item 8): the domain's
 * decision on a posting, given/when/then. Dates Europe/Amsterdam, in January 2031 (no holidays).
 */
import { decide, evolve, initialState, type Command, type IncidentState } from '../../domain/incident';
import { evolveInvoice, issuedInvoice, recordPosting as recordInvoicePosting, type InvoiceState } from '../../domain/invoice';
import type { DomainEvent } from '../../domain/events';
import type { LetterContent } from '../../domain/letters';
import { IllegalStateError, ValidationError } from '../../domain/errors';
import { asPrinted, postingMoment, type PostedLetter } from '../../domain/posting';
import { renderLetter } from '../../documents/letters';
import { sampleCorporation, sampleTenant } from '../support/letter-samples';

const reported: DomainEvent = {
  type: 'IncidentReported',
  data: {
    incidentId: 'i-1',
    category: 'bulk_waste',
    complexId: 'C1',
    buildingId: 'C1-A',
    location: 'berging',
    description: '',
    polluterTenantId: 'A-1',
    complainantTenantId: null,
    reportedBy: 'consultant',
    reportedAt: '2031-01-06T09:00:00Z',
  },
};
// Made Monday 6 January 2031, 10:00: five working days, to the end of Monday 13 January.
const notice: LetterContent = {
  kind: 'formal_notice',
  incidentId: 'i-1',
  category: 'bulk_waste',
  location: 'berging',
  deadline: '2031-01-13T23:00:00.000Z',
  deadlineDate: '2031-01-13',
  tariffCents: null,
  linkExpiresAt: '2031-01-27T23:00:00.000Z',
  term: { kind: 'workingDays', days: 5 },
};
const notified: DomainEvent = {
  type: 'PolluterNotified',
  data: { tenantId: 'A-1', deadline: notice.kind === 'formal_notice' ? notice.deadline : '', deadlineDate: '2031-01-13', reminderAt: '2031-01-13T08:00:00.000Z', letters: [] },
};
const letter: PostedLetter = { letterId: 'incident-i-1/2/A-1', recipientId: 'A-1', content: notice, queuedOn: '2031-01-06' };

const given = (...events: DomainEvent[]): IncidentState => events.reduce(evolve, initialState);
const posting = (postedOn: string, now: string, posted: PostedLetter = letter): Command => ({
  type: 'RecordPosting',
  letter: posted,
  postedOn,
  by: 'person:clerk',
  now,
  reminderBefore: { kind: 'workingDays', days: 1 },
});

test('a formal notice posted on Thursday, three days after it was made, gives its five working days from then: the deadline and the reminder move', () => {
  const events = decide(given(reported, notified), posting('2031-01-09', '2031-01-09T15:00:00Z'));
  expect(events).toEqual([
    { type: 'LetterPosted', data: { letterId: 'incident-i-1/2/A-1', postedOn: '2031-01-09', countedFrom: '2031-01-09T22:59:00.000Z', by: 'person:clerk' } },
    {
      type: 'DeadlineMoved',
      // Friday 10, Monday 13 to Thursday 16 January; reminded on Wednesday 15 at 09:00.
      data: { deadline: '2031-01-16T23:00:00.000Z', deadlineDate: '2031-01-16', reminderAt: '2031-01-15T08:00:00.000Z', reason: 'the notice was posted on 2031-01-09' },
    },
  ]);
  const state = given(reported, notified, ...events);
  expect(state.status === 'open' && [state.deadlineDate, state.posted]).toEqual(['2031-01-16', { 'incident-i-1/2/A-1': '2031-01-09' }]);
});

test('a notice posted the day it was made keeps its deadline; recorded again for that day it is nothing new; for another day it is refused', () => {
  const events = decide(given(reported, notified), posting('2031-01-06', '2031-01-06T16:00:00Z'));
  expect(events.map((e) => e.type)).toEqual(['LetterPosted']);
  const state = given(reported, notified, ...events);
  expect(decide(state, posting('2031-01-06', '2031-01-07T09:00:00Z'))).toEqual([]);
  expect(() => decide(state, posting('2031-01-07', '2031-01-07T09:00:00Z'))).toThrow(new IllegalStateError('the letter was already posted on 2031-01-06'));
});

test('a posting in the future or before the letter was on the print queue is refused, naming the date', () => {
  const state = given(reported, notified);
  expect(() => decide(state, posting('2031-01-10', '2031-01-09T15:00:00Z'))).toThrow(ValidationError);
  expect(() => decide(state, posting('2031-01-10', '2031-01-09T15:00:00Z'))).toThrow('a letter cannot be posted in the future (today is 2031-01-09)');
  expect(() => decide(state, posting('2031-01-05', '2031-01-09T15:00:00Z'))).toThrow('the letter was only put on the print queue on 2031-01-06');
});

test('posting a letter that gives no term (a reminder, a warning) or a notice no longer in force records the posting only', () => {
  const reminder: PostedLetter = { ...letter, letterId: 'incident-i-1/3/A-1', content: { kind: 'reminder', incidentId: 'i-1', category: 'bulk_waste', location: 'berging', deadline: '2031-01-13T23:00:00.000Z', deadlineDate: '2031-01-13', collective: false, linkExpiresAt: null } };
  expect(decide(given(reported, notified), posting('2031-01-09', '2031-01-09T15:00:00Z', reminder)).map((e) => e.type)).toEqual(['LetterPosted']);
  // The cleanup has been ordered: the deadline is past its use.
  const ordered: DomainEvent = { type: 'CleanupOrdered', data: { contractorId: 'K-1', workOrderNumber: 'WO-i-1', orderedAt: '2031-01-14T00:00:00Z', letters: [] } };
  expect(decide(given(reported, notified, ordered), posting('2031-01-09', '2031-01-14T15:00:00Z')).map((e) => e.type)).toEqual(['LetterPosted']);
  // Another tenant's notice (the polluter named later got their own).
  expect(decide(given(reported, notified), posting('2031-01-09', '2031-01-09T15:00:00Z', { ...letter, recipientId: 'A-9' })).map((e) => e.type)).toEqual(['LetterPosted']);
});

test('the moment a posting counts from is the last minute of the posting day, Amsterdam time', () => {
  expect(postingMoment('2031-01-09').toISOString()).toBe('2031-01-09T22:59:00.000Z');
  expect(postingMoment('2031-07-09').toISOString()).toBe('2031-07-09T21:59:00.000Z');
});

describe('the 14-day letter by post', () => {
  const opening = { invoiceNumber: '2031-000001', incidentId: 'i-1', category: 'bulk_waste' as const, location: 'berging', debtorTenantId: 'A-1', issueDate: '2030-12-01', dueDate: '2030-12-15', totalCents: 18750 };
  // Made Monday 6 January 2031, received two working days later (Wednesday 8): final date Thursday 23 January.
  const finalNotice: LetterContent = {
    kind: 'final_notice',
    incidentId: 'i-1',
    category: 'bulk_waste',
    location: 'berging',
    invoiceNumber: '2031-000001',
    letterDate: '2031-01-06',
    openCents: 18750,
    finalDate: '2031-01-23',
    collectionCostsCents: 4000,
    interestCents: null,
    receiptAfterWorkingDays: 2,
  };
  const sent: DomainEvent = {
    type: 'FinalNoticeSent',
    data: { invoiceNumber: '2031-000001', incidentId: 'i-1', letterDate: '2031-01-06', receivedDate: '2031-01-08', finalDate: '2031-01-23', openCents: 18750, collectionCostsCents: 4000, interestCents: null, letters: [] },
  };
  const state: InvoiceState = [sent].reduce(evolveInvoice, issuedInvoice(opening) as InvoiceState);
  const finalLetter: PostedLetter = { letterId: 'invoice-2031-000001/3/A-1', recipientId: 'A-1', content: finalNotice, queuedOn: '2031-01-06' };

  test('posted on Friday 10 January: received Tuesday 14, final date 14 days after the day after, Wednesday 29 January', () => {
    const events = recordInvoicePosting(state, { letter: finalLetter, postedOn: '2031-01-10', by: 'person:clerk', now: '2031-01-10T16:00:00Z' });
    expect(events).toEqual([
      { type: 'LetterPosted', data: { letterId: 'invoice-2031-000001/3/A-1', postedOn: '2031-01-10', countedFrom: '2031-01-10T22:59:00.000Z', by: 'person:clerk' } },
      { type: 'FinalDateMoved', data: { invoiceNumber: '2031-000001', incidentId: 'i-1', letterDate: '2031-01-10', finalDate: '2031-01-29' } },
    ]);
    const after = events.reduce(evolveInvoice, state);
    expect(after.status === 'open' && after.payByDate).toBe('2031-01-29');
  });

  test('posted the day it was made: the final date stands', () => {
    expect(recordInvoicePosting(state, { letter: finalLetter, postedOn: '2031-01-06', by: 'person:clerk', now: '2031-01-06T16:00:00Z' }).map((e) => e.type)).toEqual(['LetterPosted']);
  });
});

describe('the letter as printed', () => {
  const print = (posting: { postedOn: string; countedFrom: Date } | null, today: string) => {
    const printed = asPrinted(notice, posting, today);
    return { ...printed, text: renderLetter(printed.content, sampleTenant, { tenantLinkUrl: null, corporation: sampleCorporation, letterDate: printed.letterDate, channel: 'post' }).text };
  };

  test('posted on Thursday 9 January: dated that day, and the deadline it says is the moved one, Thursday 16 January', () => {
    const { letterDate, text } = print({ postedOn: '2031-01-09', countedFrom: postingMoment('2031-01-09') }, '2031-01-20');
    expect(letterDate).toBe('2031-01-09');
    expect(text).toContain('9 januari 2031');
    expect(text).toContain('donderdag 16 januari 2031');
    expect(text).not.toContain('maandag 13 januari 2031');
  });

  test('not posted yet: printed on Wednesday 8 January to be posted that day, it gives its term from then', () => {
    const { letterDate, text } = print(null, '2031-01-08');
    expect(letterDate).toBe('2031-01-08');
    expect(text).toContain('woensdag 15 januari 2031');
  });

  test('printed the day it was made, it says what its event recorded', () => {
    expect(print(null, '2031-01-06').content).toEqual(notice);
  });
});
