import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { invoiceWorkflow } from '../../workflows';
import { creditInvoiceUpdate, invoiceWorkflowId, pauseDunningUpdate, registerPaymentUpdate, resumeDunningUpdate, type InvoiceInput } from '../../workflows/messages';
import { readStream } from '../../db/event-store';
import { resolvePolicy } from '../../domain/policy';
import type { Activities } from '../../activities';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp';
import { createWorker, eventually, testActivities } from '../support/harness';
import { seedDirectory } from '../support/fixtures';

jest.setTimeout(180_000);

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let smtp: TestSmtpServer;
let worker: Worker;
let activities: Activities;
const taskQueue = 'invoices';
const DAY = 24 * 60 * 60 * 1000;

beforeAll(async () => {
  database = await createTestDatabase('dunning');
  smtp = await startTestSmtpServer();
  await seedDirectory(database.db);
  activities = testActivities(database.db, smtp.url, resolvePolicy());
});
afterAll(async () => {
  await smtp?.close();
  await database?.drop();
});
afterEach(async () => {
  await env?.teardown();
});

let counter = 0;
/** Issue an invoice of EUR 187.50 to `debtor` at `issuedAt` (the incident workflow's step) and start its workflow then. */
async function issuedAt(issuedAtIso: string, debtor = 'A-2') {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER_PATH as string } },
  });
  worker = await createWorker(env, taskQueue, activities);
  await env.sleep(Date.parse(issuedAtIso) - (await env.currentTimeMs()));
  counter += 1;
  const incidentId = `dunning-${counter}`;
  const { invoiceNumber } = await activities.issueInvoice({
    eventId: `incident-${incidentId}/invoice`,
    incidentId,
    category: 'bulk_waste',
    location: 'fietsenstalling',
    debtorTenantId: debtor,
    issuedAt: issuedAtIso,
    paymentTermDays: 14,
    lines: [{ description: 'Schoonmaak', amountCents: 18750, vatCode: 'BTW-GEEN' }],
    metadata: {},
  });
  const stream = await readStream(database.db, `invoice-${invoiceNumber}`);
  const issued = stream[0]!.event;
  if (issued.type !== 'InvoiceIssued') throw new Error('expected InvoiceIssued');
  const input: InvoiceInput = {
    invoiceNumber,
    incidentId,
    category: 'bulk_waste',
    location: 'fietsenstalling',
    debtorTenantId: debtor,
    issueDate: issued.data.issueDate,
    dueDate: issued.data.dueDate,
    totalCents: issued.data.totalCents,
  };
  const handle = await env.client.workflow.start(invoiceWorkflow, { taskQueue, workflowId: invoiceWorkflowId(incidentId, invoiceNumber), args: [input] });
  return { handle, invoiceNumber, input };
}

async function events(invoiceNumber: string) {
  return (await readStream(database.db, `invoice-${invoiceNumber}`)).map((e) => e.event);
}

test('an unpaid invoice gets one free reminder, then the 14-day letter with the statutory costs, then goes to collections, on exact dates around Christmas', async () => {
  // Issued Friday 12 December 2031; due 26 December (Boxing Day).
  const { handle, invoiceNumber } = await issuedAt('2031-12-12T09:00:00Z');
  await worker.runUntil(async () => {
    await env.sleep(60 * DAY);
    const stream = await eventually(async () => {
      const found = await events(invoiceNumber);
      expect(found.map((e) => e.type)).toEqual([
        'InvoiceIssued',
        'PaymentReminderSent',
        'FinalNoticeSent',
        'CollectionCostsAdded',
        'InvoiceHandedToCollections',
      ]);
      return found;
    });
    const [issued, reminder, finalNotice, costs, handedOver] = stream;
    expect(issued!.type === 'InvoiceIssued' && issued!.data.dueDate).toBe('2031-12-26');
    // The first working day after the due date: 27 and 28 December are a weekend, so Monday 29 December;
    // the reminder asks for payment within 14 days.
    expect(reminder!.type === 'PaymentReminderSent' && reminder!.data.newDueDate).toBe('2032-01-12');
    // The 14-day letter on Tuesday 13 January, by e-mail so received that day: at least 14 days after
    // the day after receipt is 28 January, a Wednesday. EUR 187.50 is below the scale's minimum: EUR 40.
    expect(finalNotice!.type === 'FinalNoticeSent' && finalNotice!.data).toEqual(
      expect.objectContaining({ letterDate: '2032-01-13', receivedDate: '2032-01-13', finalDate: '2032-01-28', openCents: 18750, collectionCostsCents: 4000 }),
    );
    expect(costs!.type === 'CollectionCostsAdded' && costs!.data).toEqual(expect.objectContaining({ amountCents: 4000, addedOn: '2032-01-29' }));
    expect(handedOver!.type === 'InvoiceHandedToCollections' && handedOver!.data).toEqual(
      expect.objectContaining({ openCents: 22750, handedOverOn: '2032-01-29' }),
    );

    const subjects = await eventually(() => {
      const found = smtp.to('a2@bewoners.test').map((m) => m.subject);
      expect(found.some((subject) => subject.startsWith('Laatste aanmaning'))).toBe(true);
      return found;
    });
    expect(subjects).toEqual(
      expect.arrayContaining([`Betalingsherinnering factuur ${invoiceNumber}`, expect.stringMatching(/^Laatste aanmaning .*28 januari 2032/)]),
    );
    const letter = smtp.to('a2@bewoners.test').find((m) => m.subject.startsWith('Laatste aanmaning'));
    expect(letter!.text).toContain('€ 40,00');

    // Payments after the hand-over still count: paid in full ends it.
    await handle.executeUpdate(registerPaymentUpdate, {
      args: [{ paymentId: 'bank-1', amountCents: 22750, paidOn: '2032-02-02', source: 'manual', reference: invoiceNumber, registeredBy: 'finance' }],
    });
    expect(await handle.result()).toBe('paid');
  });
  const row = await database.db.selectFrom('invoices').selectAll().where('invoice_number', '=', invoiceNumber).executeTakeFirstOrThrow();
  expect(row).toEqual(expect.objectContaining({ status: 'paid', stage: 'collections', paid_cents: 22750, collection_costs_cents: 4000, settled_on: '2032-02-02' }));
});

test('a tenant without e-mail receives the 14-day letter by post two working days later, which moves the final date', async () => {
  // A-1 has no e-mail. Issued Monday 1 March 2032; due 15 March; reminder Tuesday 16 March asks for 30 March;
  // the letter goes on Wednesday 31 March, counts as received Friday 2 April; 2 + 15 = 17 April, a Saturday,
  // so the final date is Monday 19 April.
  const { invoiceNumber } = await issuedAt('2032-03-01T09:00:00Z', 'A-1');
  await worker.runUntil(async () => {
    await env.sleep(32 * DAY);
    await eventually(async () => {
      const finalNotice = (await events(invoiceNumber)).find((e) => e.type === 'FinalNoticeSent');
      expect(finalNotice?.type === 'FinalNoticeSent' && finalNotice.data).toEqual(
        expect.objectContaining({ letterDate: '2032-03-31', receivedDate: '2032-04-02', finalDate: '2032-04-19' }),
      );
    });
  });
  const deliveries = await database.db.selectFrom('letter_deliveries').selectAll().where('letter_id', 'like', `invoice-${invoiceNumber}/%`).execute();
  expect(deliveries.map((d) => d.channel)).toEqual(['print', 'print']);
});

test('partial payments add up; paid in full before the due date ends it without any reminder', async () => {
  const { handle, invoiceNumber } = await issuedAt('2032-05-03T09:00:00Z');
  await worker.runUntil(async () => {
    const first = await handle.executeUpdate(registerPaymentUpdate, {
      args: [{ paymentId: 'p-1', amountCents: 5000, paidOn: '2032-05-04', source: 'manual', reference: null, registeredBy: 'finance' }],
    });
    expect(first).toEqual(expect.objectContaining({ openCents: 13750, booked: true }));
    // The same payment again books nothing, and says so.
    const again = await handle.executeUpdate(registerPaymentUpdate, {
      args: [{ paymentId: 'p-1', amountCents: 5000, paidOn: '2032-05-04', source: 'manual', reference: null, registeredBy: 'finance' }],
    });
    expect(again).toEqual(expect.objectContaining({ openCents: 13750, booked: false }));
    await handle.executeUpdate(registerPaymentUpdate, {
      args: [{ paymentId: 'p-2', amountCents: 14000, paidOn: '2032-05-05', source: 'manual', reference: null, registeredBy: 'finance' }],
    });
    expect(await handle.result()).toBe('paid');
  });
  const stream = await events(invoiceNumber);
  expect(stream.map((e) => e.type)).toEqual(['InvoiceIssued', 'PaymentRegistered', 'PaymentRegistered', 'InvoicePaid']);
  expect(stream[3]!.type === 'InvoicePaid' && stream[3]!.data.overpaidCents).toBe(250);
});

test('a dispute pauses the dunning and moves the dates on by its length; a credit note stops it all', async () => {
  const { handle, invoiceNumber } = await issuedAt('2032-06-01T09:00:00Z');
  await worker.runUntil(async () => {
    await handle.executeUpdate(pauseDunningUpdate, { args: [{ reason: 'huurder betwist', by: 'consultant' }] });
    await env.sleep(30 * DAY);
    expect((await events(invoiceNumber)).map((e) => e.type)).toEqual(['InvoiceIssued', 'DunningPaused']);
    const resumed = await handle.executeUpdate(resumeDunningUpdate, { args: [{ by: 'consultant' }] });
    expect(resumed.status).toBe('open');
    const stream = await events(invoiceNumber);
    // Due 15 June, paused 1 June to 1 July: 30 days on, 15 July.
    expect(stream[2]!.type === 'DunningResumed' && stream[2]!.data.payByDate).toBe('2032-07-15');

    const credited = await handle.executeUpdate(creditInvoiceUpdate, { args: [{ reason: 'bezwaar gegrond', creditedBy: 'finance' }] });
    expect(credited.creditNoteNumber).toMatch(/^C2032-\d{6}$/);
    expect(await handle.result()).toBe('credited');
    await expect(
      handle.executeUpdate(registerPaymentUpdate, {
        args: [{ paymentId: 'late', amountCents: 100, paidOn: '2032-07-02', source: 'manual', reference: null, registeredBy: 'finance' }],
      }),
    ).rejects.toThrow();
  });
  const stream = await events(invoiceNumber);
  expect(stream.map((e) => e.type)).toEqual(['InvoiceIssued', 'DunningPaused', 'DunningResumed', 'InvoiceCredited']);
  const creditMail = smtp.to('a2@bewoners.test').find((m) => m.subject.startsWith('Creditnota'));
  expect(creditMail?.text).toContain('€ 187,50');
});

test('a credit without a reason is refused by the workflow, and nothing is written', async () => {
  const { handle, invoiceNumber } = await issuedAt('2032-08-02T09:00:00Z');
  await worker.runUntil(async () => {
    const refused = await handle.executeUpdate(creditInvoiceUpdate, { args: [{ reason: ' ', creditedBy: 'finance' }] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((await events(invoiceNumber)).map((e) => e.type)).toEqual(['InvoiceIssued']);
  });
});

test('two Updates with one payment id at once: one books it, the other is told it was booked', async () => {
  const { handle, invoiceNumber } = await issuedAt('2032-09-01T09:00:00Z');
  await worker.runUntil(async () => {
    const payment = { paymentId: 'same', amountCents: 1000, paidOn: '2032-09-01', source: 'manual' as const, reference: null, registeredBy: 'finance' };
    const results = await Promise.all([handle.executeUpdate(registerPaymentUpdate, { args: [payment] }), handle.executeUpdate(registerPaymentUpdate, { args: [payment] })]);
    expect(results.map((r) => r.booked).sort()).toEqual([false, true]);
  });
  expect((await events(invoiceNumber)).map((e) => e.type)).toEqual(['InvoiceIssued', 'PaymentRegistered']);
});

test('a partly paid invoice credited: the credit note is for the whole claim and records the paid part as owed back', async () => {
  const { handle, invoiceNumber } = await issuedAt('2032-10-01T09:00:00Z');
  await worker.runUntil(async () => {
    await handle.executeUpdate(registerPaymentUpdate, {
      args: [{ paymentId: 'deel', amountCents: 7500, paidOn: '2032-10-02', source: 'manual', reference: null, registeredBy: 'finance' }],
    });
    await handle.executeUpdate(creditInvoiceUpdate, { args: [{ reason: 'coulance', creditedBy: 'finance' }] });
    expect(await handle.result()).toBe('credited');
  });
  const credited = (await events(invoiceNumber)).find((e) => e.type === 'InvoiceCredited');
  expect(credited?.type === 'InvoiceCredited' && credited.data).toEqual(expect.objectContaining({ amountCents: 18750, refundDueCents: 7500 }));
  const letter = await eventually(() => {
    const found = smtp.to('a2@bewoners.test').find((m) => m.subject.startsWith('Creditnota') && m.text.includes('€ 75,00'));
    expect(found).toBeDefined();
    return found!;
  });
  expect(letter.text).toContain('dat bedrag betalen wij aan u terug');
});
