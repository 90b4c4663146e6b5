/**
 * The invoice's life on the pure process (domain/invoice), given/when/then, without Temporal: the
 * Dutch dunning (free reminder, 14-day letter, collection costs, statutory interest, collections),
 * payments, the pause of a dispute, the credit note and needs attention.
 *
 * Dates are Europe/Amsterdam; a dunning step falls due at 09:00 on the first working day after the
 * date it follows.
 */
import { paymentDateProblem } from '../../domain/invoice';
import { invoiceIssuedAt, lettersTo, pay, type InvoiceAction } from '../support/process';

const pause = (reason = 'huurder betwist', by = 'consultant-1'): InvoiceAction => ({ type: 'PauseDunning', reason, by });
const resume = (by = 'consultant-1'): InvoiceAction => ({ type: 'ResumeDunning', by });
const credit = (reason = 'bezwaar gegrond', creditedBy = 'finance'): InvoiceAction => ({ type: 'CreditInvoice', reason, creditedBy });
const resolveAttention = (by = 'finance', note: string | null = null): InvoiceAction => ({ type: 'ResolveAttention', by, note });
const euros = (amountCents: number) => [{ description: 'Schoonmaak', amountCents, vatCode: 'BTW-GEEN' }];

describe('the dunning', () => {
  test('unpaid: one free reminder, then the 14-day letter with the statutory costs, then collections, on exact dates around Christmas', () => {
    // Issued Friday 12 December 2031; due Friday 26 December (Boxing Day).
    const s = invoiceIssuedAt({ at: '2031-12-12T10:00:00+01:00' });
    expect(s.one('InvoiceIssued')).toMatchObject({ invoiceNumber: '2031-000001', issueDate: '2031-12-12', dueDate: '2031-12-26', totalCents: 18750 });
    // 27 and 28 December are a weekend: Monday 29 December at 09:00.
    expect(s.waitingUntil).toBe('2031-12-29T08:00:00.000Z');

    s.at('2032-03-01T12:00:00+01:00');
    expect(s.types()).toEqual(['InvoiceIssued', 'PaymentReminderSent', 'FinalNoticeSent', 'CollectionCostsAdded', 'InvoiceHandedToCollections']);
    expect(s.recordedAt('PaymentReminderSent')).toBe('2031-12-29T08:00:00.000Z');
    expect(s.one('PaymentReminderSent')).toMatchObject({ invoiceNumber: '2031-000001', incidentId: 'i-1', newDueDate: '2032-01-12', openCents: 18750 });
    expect(s.one('PaymentReminderSent').letters).toEqual([
      {
        letterId: 'invoice-2031-000001/2/A-2',
        recipient: { type: 'tenant', id: 'A-2' },
        content: {
          kind: 'payment_reminder',
          incidentId: 'i-1',
          category: 'bulk_waste',
          location: 'fietsenstalling',
          invoiceNumber: '2031-000001',
          letterDate: '2031-12-29',
          issueDate: '2031-12-12',
          dueDate: '2031-12-26',
          openCents: 18750,
          newDueDate: '2032-01-12',
        },
      },
    ]);
    // The 14-day letter on Tuesday 13 January, by e-mail so received that day: at least 14 days after the
    // day after receipt is Wednesday 28 January. EUR 187.50 is below the scale's minimum: EUR 40.
    expect(s.lookUps).toEqual(['letterChannel']);
    expect(s.recordedAt('FinalNoticeSent')).toBe('2032-01-13T08:00:00.000Z');
    expect(s.one('FinalNoticeSent')).toMatchObject({ letterDate: '2032-01-13', receivedDate: '2032-01-13', finalDate: '2032-01-28', openCents: 18750, collectionCostsCents: 4000, interestCents: null });
    expect(s.one('FinalNoticeSent').letters[0]!.content).toMatchObject({ kind: 'final_notice', letterDate: '2032-01-13', finalDate: '2032-01-28', openCents: 18750, collectionCostsCents: 4000, interestCents: null });
    expect(s.recordedAt('CollectionCostsAdded')).toBe('2032-01-29T08:00:00.000Z');
    expect(s.one('CollectionCostsAdded')).toMatchObject({ amountCents: 4000, interestCents: 0, addedOn: '2032-01-29' });
    expect(s.one('InvoiceHandedToCollections')).toMatchObject({ openCents: 22750, handedOverOn: '2032-01-29' });
    expect(s.waitingUntil).toBeNull();

    // Payments after the hand-over still count: paid in full ends it.
    s.when(pay('bank-1', 22750, '2032-03-01'));
    expect(s.types().slice(-2)).toEqual(['PaymentRegistered', 'InvoicePaid']);
    expect(s.one('InvoicePaid')).toEqual({ invoiceNumber: '2031-000001', incidentId: 'i-1', paidOn: '2032-03-01', overpaidCents: 0 });
    expect(s.result).toBe('paid');
  });

  test('due on New Year\'s Eve: the reminder on Friday 2 January, the 14-day letter on Monday 19 January', () => {
    const s = invoiceIssuedAt({ at: '2031-12-17T10:00:00+01:00' });
    expect(s.one('InvoiceIssued').dueDate).toBe('2031-12-31');
    expect(s.waitingUntil).toBe('2032-01-02T08:00:00.000Z');
    s.at('2032-02-10T12:00:00+01:00');
    expect(s.one('PaymentReminderSent').newDueDate).toBe('2032-01-16');
    expect(s.one('FinalNoticeSent')).toMatchObject({ letterDate: '2032-01-19', finalDate: '2032-02-03' });
    expect(s.one('InvoiceHandedToCollections').handedOverOn).toBe('2032-02-04');
  });

  test('nothing happens before 09:00 on the first working day after the due date', () => {
    const s = invoiceIssuedAt({ at: '2031-12-12T10:00:00+01:00' });
    s.at('2031-12-29T08:59:59+01:00');
    expect(s.types()).toEqual(['InvoiceIssued']);
    s.at('2031-12-29T09:00:00+01:00');
    expect(s.types()).toEqual(['InvoiceIssued', 'PaymentReminderSent']);
  });

  test('a tenant without e-mail receives the 14-day letter by post two working days later, which moves the final date', () => {
    // Issued Monday 1 March 2032; due 15 March; the reminder on Tuesday 16 March asks for 30 March; the letter goes on
    // Wednesday 31 March, counts as received Friday 2 April; 2 + 15 = 17 April, a Saturday: Monday 19 April.
    const s = invoiceIssuedAt({ at: '2032-03-01T10:00:00+01:00', debtorTenantId: 'A-1', letterChannel: 'post' });
    s.at('2032-04-02T12:00:00+02:00');
    expect(s.recordedAt('PaymentReminderSent')).toBe('2032-03-16T08:00:00.000Z');
    // Summer time by then: 09:00 CEST.
    expect(s.recordedAt('FinalNoticeSent')).toBe('2032-03-31T07:00:00.000Z');
    expect(s.one('FinalNoticeSent')).toMatchObject({ letterDate: '2032-03-31', receivedDate: '2032-04-02', finalDate: '2032-04-19' });
    expect(lettersTo(s.one('FinalNoticeSent'))).toEqual(['A-1: final_notice']);
  });

  test('policy sets how long the post takes', () => {
    const s = invoiceIssuedAt({ at: '2032-03-01T10:00:00+01:00', letterChannel: 'post', policy: { postDeliveryWorkingDays: 3 } });
    s.at('2032-04-02T12:00:00+02:00');
    expect(s.one('FinalNoticeSent')).toMatchObject({ letterDate: '2032-03-31', receivedDate: '2032-04-05', finalDate: '2032-04-20' });
  });

  test.each([
    [18750, 4000], // below the minimum of EUR 40
    [26667, 4000], // 15% is EUR 40.00 to the cent
    [300000, 42500], // 15% of 2,500 + 10% of 500
    [1000000, 87500], // 15% of 2,500 + 10% of 2,500 + 5% of 5,000
    [2000000, 97500], // ... + 1% of 10,000
  ])('the 14-day letter on EUR %i cents names collection costs of %i cents by the legal scale, added after the final date', (totalCents, costs) => {
    const s = invoiceIssuedAt({ at: '2031-12-12T10:00:00+01:00', lines: euros(totalCents) });
    s.at('2032-02-01T12:00:00+01:00');
    expect(s.one('FinalNoticeSent')).toMatchObject({ openCents: totalCents, collectionCostsCents: costs });
    expect(s.one('CollectionCostsAdded').amountCents).toBe(costs);
    expect(s.one('InvoiceHandedToCollections').openCents).toBe(totalCents + costs);
  });

  test('damages, not a contractual claim (collectionCostsApply false): the 14-day letter names no costs and none are added', () => {
    const s = invoiceIssuedAt({ at: '2031-12-12T10:00:00+01:00', policy: { categories: { bulk_waste: { collectionCostsApply: false } } } });
    s.at('2032-02-01T12:00:00+01:00');
    expect(s.one('FinalNoticeSent')).toMatchObject({ collectionCostsCents: 0, interestCents: null });
    expect(s.types()).toEqual(['InvoiceIssued', 'PaymentReminderSent', 'FinalNoticeSent', 'InvoiceHandedToCollections']);
    expect(s.one('InvoiceHandedToCollections').openCents).toBe(18750);
  });

  test('statutory interest, where policy enables it, runs from the due date: named in the 14-day letter, added at the hand-over', () => {
    // 7.3% a year is 0.02% a day: 20 cents a day on EUR 1,000.
    const s = invoiceIssuedAt({
      at: '2031-12-12T10:00:00+01:00',
      lines: euros(100000),
      policy: { statutoryInterestRates: [{ from: '2030-01-01', percent: 7.3 }], categories: { bulk_waste: { statutoryInterest: true } } },
    });
    s.at('2032-02-01T12:00:00+01:00');
    // 26 December to 13 January: 18 days. To 29 January: 34 days.
    expect(s.one('FinalNoticeSent')).toMatchObject({ collectionCostsCents: 15000, interestCents: 360 });
    expect(s.one('CollectionCostsAdded')).toMatchObject({ amountCents: 15000, interestCents: 680 });
    expect(s.one('InvoiceHandedToCollections').openCents).toBe(100000 + 15000 + 680);
  });
});

describe('payments', () => {
  test('partial payments add up; paid in full before the due date ends it without any reminder; the same payment is booked once', () => {
    const s = invoiceIssuedAt({ at: '2032-05-03T10:00:00+02:00' });
    s.when(pay('p-1', 5000, '2032-05-04'));
    expect(s.open.paidCents).toBe(5000);
    s.when(pay('p-1', 5000, '2032-05-04'));
    expect(s.types()).toEqual(['InvoiceIssued', 'PaymentRegistered']);
    s.when(pay('p-2', 14000, '2032-05-05'));
    expect(s.types()).toEqual(['InvoiceIssued', 'PaymentRegistered', 'PaymentRegistered', 'InvoicePaid']);
    expect(s.all('PaymentRegistered')).toEqual([
      { invoiceNumber: '2032-000001', incidentId: 'i-1', paymentId: 'p-1', amountCents: 5000, paidOn: '2032-05-04', source: 'manual', reference: null, registeredBy: 'finance' },
      { invoiceNumber: '2032-000001', incidentId: 'i-1', paymentId: 'p-2', amountCents: 14000, paidOn: '2032-05-05', source: 'manual', reference: null, registeredBy: 'finance' },
    ]);
    // Overpaid by EUR 2.50: recorded.
    expect(s.one('InvoicePaid')).toMatchObject({ paidOn: '2032-05-05', overpaidCents: 250 });
    expect(s.result).toBe('paid');
  });

  test('a part paid before the reminder: the reminder and the 14-day letter ask for what is still open, the costs reckoned on it', () => {
    const s = invoiceIssuedAt({ at: '2031-12-12T10:00:00+01:00', lines: euros(300000) });
    s.when(pay('p-1', 100000, '2031-12-20'));
    s.at('2032-02-01T12:00:00+01:00');
    expect(s.one('PaymentReminderSent').openCents).toBe(200000);
    // 15% of EUR 2,000.
    expect(s.one('FinalNoticeSent')).toMatchObject({ openCents: 200000, collectionCostsCents: 30000 });
    expect(s.one('InvoiceHandedToCollections').openCents).toBe(230000);
  });

  test('a payment is a positive whole number of cents', () => {
    const s = invoiceIssuedAt({ at: '2032-05-03T10:00:00+02:00' });
    expect(s.refuses(pay('p-0', 0, '2032-05-04'))).toEqual(['ValidationError', 'a payment is a positive whole number of cents']);
    expect(s.refuses(pay('p-x', 12.5, '2032-05-04'))).toEqual(['ValidationError', 'a payment is a positive whole number of cents']);
  });

  test('a payment date is neither in the future nor before the invoice', () => {
    expect(paymentDateProblem('2032-05-05', '2032-05-04', '2032-05-03')).toBe('a payment date cannot be in the future (today is 2032-05-04)');
    expect(paymentDateProblem('2032-05-02', '2032-05-04', '2032-05-03')).toBe('paid before the invoice was issued (2032-05-03)');
    expect(paymentDateProblem('2032-05-03', '2032-05-04', '2032-05-03')).toBeNull();
    expect(paymentDateProblem('2032-05-01', '2032-05-04', null)).toBeNull();
  });

  test('after a credit note a new payment is refused; one booked before is still recognised and books nothing', () => {
    const s = invoiceIssuedAt({ at: '2032-05-03T10:00:00+02:00' });
    s.when(pay('p-1', 5000, '2032-05-04')).when(credit());
    expect(s.refuses(pay('late', 100, '2032-05-06'))).toEqual(['IllegalStateError', 'invoice 2032-000001 has been credited']);
    const recorded = s.types().length;
    s.when(pay('p-1', 5000, '2032-05-04'));
    expect(s.types()).toHaveLength(recorded);
  });
});

describe('a dispute pauses the dunning', () => {
  test('and moves the dates on by its length; a credit note then stops it all', () => {
    // Due 15 June; paused 1 June to 1 July: 30 days on, 15 July.
    const s = invoiceIssuedAt({ at: '2032-06-01T10:00:00+02:00' });
    s.when(pause('huurder betwist'));
    expect(s.one('DunningPaused')).toEqual({ invoiceNumber: '2032-000001', incidentId: 'i-1', reason: 'huurder betwist', by: 'consultant-1', pausedOn: '2032-06-01' });
    expect(s.waitingUntil).toBeNull();
    s.at('2032-07-01T10:00:00+02:00');
    expect(s.types()).toEqual(['InvoiceIssued', 'DunningPaused']);

    s.when(resume());
    expect(s.one('DunningResumed')).toEqual({ invoiceNumber: '2032-000001', incidentId: 'i-1', by: 'consultant-1', resumedOn: '2032-07-01', payByDate: '2032-07-15' });
    expect(s.waitingUntil).toBe('2032-07-16T07:00:00.000Z');

    s.when(credit('bezwaar gegrond'));
    expect(s.one('InvoiceCredited')).toMatchObject({
      invoiceNumber: '2032-000001',
      creditNoteNumber: 'C2032-000001',
      issueDate: '2032-07-01',
      amountCents: 18750,
      refundDueCents: 0,
      reason: 'bezwaar gegrond',
      creditedBy: 'finance',
    });
    expect(s.one('InvoiceCredited').letters).toEqual([
      {
        letterId: 'invoice-2032-000001/4/A-2',
        recipient: { type: 'tenant', id: 'A-2' },
        content: {
          kind: 'credit_note',
          incidentId: 'i-1',
          category: 'bulk_waste',
          location: 'fietsenstalling',
          creditNoteNumber: 'C2032-000001',
          invoiceNumber: '2032-000001',
          issueDate: '2032-07-01',
          amountCents: 18750,
          refundDueCents: 0,
          reason: 'bezwaar gegrond',
        },
      },
    ]);
    expect(s.result).toBe('credited');
  });

  test('a pause after the reminder moves the 14-day letter on by its length', () => {
    // Reminder Monday 29 December 2031 asks for 12 January; paused 5 to 15 January: 10 days, so 22 January.
    const s = invoiceIssuedAt({ at: '2031-12-12T10:00:00+01:00' });
    s.at('2032-01-05T10:00:00+01:00').when(pause());
    s.at('2032-01-15T10:00:00+01:00').when(resume());
    expect(s.one('DunningResumed').payByDate).toBe('2032-01-22');
    expect(s.waitingUntil).toBe('2032-01-23T08:00:00.000Z');
  });

  test('a step that fell due during the pause is not taken while it lasts', () => {
    const s = invoiceIssuedAt({ at: '2031-12-12T10:00:00+01:00' });
    s.at('2031-12-20T10:00:00+01:00').when(pause());
    s.at('2032-03-01T10:00:00+01:00');
    expect(s.types()).toEqual(['InvoiceIssued', 'DunningPaused']);
  });

  test('pausing a paused invoice, or resuming one that is not paused, records nothing; a paid one refuses both', () => {
    const s = invoiceIssuedAt({ at: '2032-06-01T10:00:00+02:00' });
    s.when(resume());
    expect(s.types()).toEqual(['InvoiceIssued']);
    s.when(pause()).when(pause('nog een keer'));
    expect(s.types()).toEqual(['InvoiceIssued', 'DunningPaused']);
    s.when(pay('p-1', 18750, '2032-06-02'));
    expect(s.refuses(pause())).toEqual(['IllegalStateError', 'the invoice is paid']);
    expect(s.refuses(resume())).toEqual(['IllegalStateError', 'the invoice is paid']);
  });

  test('a payment while paused still counts: paid in full ends it', () => {
    const s = invoiceIssuedAt({ at: '2032-06-01T10:00:00+02:00' });
    s.when(pause()).when(pay('p-1', 18750, '2032-06-10'));
    expect(s.result).toBe('paid');
  });
});

describe('the credit note', () => {
  test('a partly paid invoice: the credit note is for the whole claim and records the paid part as owed back', () => {
    const s = invoiceIssuedAt({ at: '2032-10-01T10:00:00+02:00' });
    s.when(pay('deel', 7500, '2032-10-02')).when(credit('coulance'));
    expect(s.one('InvoiceCredited')).toMatchObject({ amountCents: 18750, refundDueCents: 7500, reason: 'coulance' });
    expect(s.one('InvoiceCredited').letters[0]!.content).toMatchObject({ kind: 'credit_note', amountCents: 18750, refundDueCents: 7500 });
    expect(s.result).toBe('credited');
  });

  test('after the hand-over the whole claim includes the collection costs and interest added', () => {
    const s = invoiceIssuedAt({
      at: '2031-12-12T10:00:00+01:00',
      lines: euros(100000),
      policy: { statutoryInterestRates: [{ from: '2030-01-01', percent: 7.3 }], categories: { bulk_waste: { statutoryInterest: true } } },
    });
    s.at('2032-02-01T12:00:00+01:00').when(credit('oninbaar'));
    expect(s.one('InvoiceCredited')).toMatchObject({ amountCents: 100000 + 15000 + 680, refundDueCents: 0 });
  });

  test('refused without a reason, and for an invoice that is paid or already credited', () => {
    const s = invoiceIssuedAt({ at: '2032-08-02T10:00:00+02:00' });
    expect(s.refuses(credit(' '))).toEqual(['ValidationError', 'a credit note needs a reason']);
    s.when(credit('vergissing'));
    expect(s.refuses(credit('nogmaals'))).toEqual(['IllegalStateError', 'the invoice is credited']);

    const paid = invoiceIssuedAt({ at: '2032-08-02T10:00:00+02:00' }).when(pay('p-1', 18750, '2032-08-03'));
    expect(paid.refuses(credit('te laat'))).toEqual(['IllegalStateError', 'the invoice is paid']);
  });
});

describe('needs attention', () => {
  test('a payment reminder that bounces waits for a person, past the date of the 14-day letter; a payment meanwhile still books; resolved, the dunning goes on', () => {
    // Issued Monday 3 May 2032; due 17 May; the reminder on Tuesday 18 May asks for 1 June.
    const s = invoiceIssuedAt({ at: '2032-05-03T10:00:00+02:00', debtorTenantId: 'A-5', lettersBounce: 'send the payment reminder' });
    s.at('2032-05-20T10:00:00+02:00');
    expect(s.types()).toEqual(['InvoiceIssued', 'PaymentReminderSent', 'AttentionRequired']);
    expect(s.open.attention).toEqual({ step: 'deliver letters', reason: '550 5.1.1 mailbox unavailable', since: '2032-05-18T07:00:00.000Z' });
    s.when(pay('att-1', 5000, '2032-05-20'));
    s.at('2032-06-10T10:00:00+02:00');
    expect(s.types()).toEqual(['InvoiceIssued', 'PaymentReminderSent', 'AttentionRequired', 'PaymentRegistered']);
    expect(s.waitingUntil).toBeNull();

    s.when(resolveAttention('finance', 'relay gerepareerd'));
    expect(s.one('AttentionResolved')).toEqual({ by: 'finance', note: 'relay gerepareerd', resolvedAt: '2032-06-10T08:00:00.000Z' });
    // The 14-day letter's day (Wednesday 2 June) has passed: it goes now, for what is still open.
    expect(s.types().slice(-2)).toEqual(['AttentionResolved', 'FinalNoticeSent']);
    expect(s.one('FinalNoticeSent')).toMatchObject({ letterDate: '2032-06-10', openCents: 13750 });
    expect(s.refuses(resolveAttention())).toEqual(['IllegalStateError', 'the invoice does not need attention']);
  });

  test('paid in full while it waits for attention, it ends', () => {
    const s = invoiceIssuedAt({ at: '2032-05-03T10:00:00+02:00', lettersBounce: 'send the payment reminder' });
    s.at('2032-05-20T10:00:00+02:00').when(pay('p-1', 18750, '2032-05-20'));
    expect(s.result).toBe('paid');
    expect(s.refuses(resolveAttention())).toEqual(['IllegalStateError', 'the invoice is paid']);
  });
});
