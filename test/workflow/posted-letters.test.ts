/**
 * A letter by post counts from the day it was really posted (issue 14, item 8): a tenant without
 * e-mail gets the notice and the 14-day letter on the print queue; the clerk records the posting
 * (the Update the API sends, POST /letters/:letterId/posting) and the process waits for the dates
 * as posted. On the time-skipping server.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { Activities } from '../../activities';
import { readStream } from '../../db/event-store';
import { amsterdamDate } from '../../domain/calendar';
import { letterContentSchema } from '../../domain/letters';
import { resolvePolicy } from '../../domain/policy';
import type { PostedLetter } from '../../domain/posting';
import { incidentWorkflow, invoiceWorkflow } from '../../workflows';
import { incidentWorkflowId, invoiceWorkflowId, recordInvoicePostingUpdate, recordPostingUpdate, type IncidentInput, type InvoiceInput } from '../../workflows/messages';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedDirectory } from '../support/fixtures';
import { createWorker, eventually, testActivities } from '../support/harness';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp';

jest.setTimeout(240_000);

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let smtp: TestSmtpServer;
let activities: Activities;
let worker: Worker;
const taskQueue = 'posted-letters';

beforeAll(async () => {
  database = await createTestDatabase('posted_letters');
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

async function startAt(iso: string) {
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER_PATH as string } } });
  worker = await createWorker(env, taskQueue, activities);
  await env.sleep(Date.parse(iso) - (await env.currentTimeMs()));
}
const sleepUntil = async (iso: string) => env.sleep(Date.parse(iso) - (await env.currentTimeMs()));
const typesOf = async (streamId: string) => (await readStream(database.db, streamId)).map((e) => e.event.type);

/** The letter of this kind on the print queue, as the API reads it for the Update. */
async function queued(letterIdPrefix: string, kind: string): Promise<PostedLetter> {
  const row = await database.db
    .selectFrom('notifications as n')
    .innerJoin('letter_deliveries as d', 'd.letter_id', 'n.letter_id')
    .select(['n.letter_id', 'n.recipient_id', 'n.content', 'd.sent_content', 'd.delivered_at', 'd.channel'])
    .where('n.letter_id', 'like', `${letterIdPrefix}%`)
    .where('n.kind', '=', kind)
    .executeTakeFirstOrThrow();
  expect(row.channel).toBe('print');
  return { letterId: row.letter_id, recipientId: row.recipient_id, content: letterContentSchema.parse(row.sent_content ?? row.content), queuedOn: amsterdamDate(row.delivered_at) };
}

test('a formal notice posted three days after it was made: its five working days run from then, and the reminder and the cleanup order wait for that deadline', async () => {
  // Monday 6 January 2031, 10:00: bulk waste, five working days, to the end of Monday 13 January; reminder Friday 10, 09:00.
  await startAt('2031-01-06T10:00:00+01:00');
  const input: IncidentInput = {
    incidentId: 'posted-notice',
    incidentNumber: '2031-00007',
    category: 'bulk_waste',
    complexId: 'C1',
    buildingId: 'C1-A',
    location: 'bergingsgang',
    description: '',
    polluterTenantId: 'A-1',
    complainantTenantId: null,
    reportedBy: 'consultant:test',
    reportedAt: '2031-01-06T09:00:00.000Z',
  };
  const streamId = `incident-${input.incidentId}`;
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(incidentWorkflow, { taskQueue, workflowId: incidentWorkflowId(input.incidentId), args: [input] });
    const notice = await eventually(() => queued(streamId, 'formal_notice'));
    expect(notice.content.kind === 'formal_notice' && notice.content.deadlineDate).toBe('2031-01-13');

    // Posted on Thursday 9 January, recorded that afternoon.
    await sleepUntil('2031-01-09T15:00:00+01:00');
    const answer = await handle.executeUpdate(recordPostingUpdate, { args: [{ letter: notice, postedOn: '2031-01-09', by: 'person:clerk' }] });
    expect(answer.state.status === 'open' && answer.state.deadlineDate).toBe('2031-01-16');
    const stream = await readStream(database.db, streamId);
    expect(stream.slice(-2).map((e) => e.event)).toEqual([
      { type: 'LetterPosted', data: { letterId: notice.letterId, postedOn: '2031-01-09', countedFrom: '2031-01-09T22:59:00.000Z', by: 'person:clerk' } },
      {
        type: 'DeadlineMoved',
        data: { deadline: '2031-01-16T23:00:00.000Z', deadlineDate: '2031-01-16', reminderAt: '2031-01-15T08:00:00.000Z', reason: 'the notice was posted on 2031-01-09' },
      },
    ]);
    const row = await database.db.selectFrom('incidents').select(['deadline_date']).where('incident_id', '=', input.incidentId).executeTakeFirstOrThrow();
    expect(row.deadline_date).toBe('2031-01-16');
    // Recorded again for the same day: nothing new.
    await handle.executeUpdate(recordPostingUpdate, { args: [{ letter: notice, postedOn: '2031-01-09', by: 'person:clerk' }] });
    expect((await typesOf(streamId)).filter((t) => t === 'LetterPosted')).toHaveLength(1);

    // The planned reminder (Friday 10) and deadline (Monday 13) pass without either.
    await sleepUntil('2031-01-14T10:00:00+01:00');
    expect(await typesOf(streamId)).not.toContain('ReminderSent');
    expect(await typesOf(streamId)).not.toContain('CleanupOrdered');
    // The reminder on Wednesday 15 at 09:00; the cleanup ordered after Thursday 16.
    await sleepUntil('2031-01-15T10:00:00+01:00');
    await eventually(async () => expect(await typesOf(streamId)).toContain('ReminderSent'));
    expect(await typesOf(streamId)).not.toContain('CleanupOrdered');
    await sleepUntil('2031-01-17T00:30:00+01:00');
    const ordered = await eventually(async () => {
      const found = (await readStream(database.db, streamId)).find((e) => e.event.type === 'CleanupOrdered');
      expect(found).toBeDefined();
      return found!;
    });
    expect(ordered.event.type === 'CleanupOrdered' && ordered.event.data.orderedAt >= '2031-01-16T23:00:00.000Z').toBe(true);
  });
});

test('a 14-day letter posted two days late counts as received from then: the final date moves and the hand-over to collections waits for it', async () => {
  // A-1 has no e-mail. Issued Monday 1 March 2032, due 15 March; reminder Tuesday 16 March; the 14-day
  // letter on Wednesday 31 March (received Friday 2 April by post): final date Monday 19 April.
  await startAt('2032-03-01T09:00:00Z');
  const incidentId = 'posted-final-notice';
  const { invoiceNumber, issueDate, dueDate } = await activities.issueInvoice({
    eventId: `incident-${incidentId}/invoice`,
    incidentId,
    category: 'bulk_waste',
    location: 'fietsenstalling',
    debtorTenantId: 'A-1',
    issuedAt: '2032-03-01T09:00:00Z',
    paymentTermDays: 14,
    lines: [{ description: 'Schoonmaak', amountCents: 18750, vatCode: 'BTW-GEEN' }],
    metadata: {},
  });
  const input: InvoiceInput = { invoiceNumber, incidentId, category: 'bulk_waste', location: 'fietsenstalling', debtorTenantId: 'A-1', issueDate, dueDate, totalCents: 18750 };
  const streamId = `invoice-${invoiceNumber}`;
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(invoiceWorkflow, { taskQueue, workflowId: invoiceWorkflowId(incidentId, invoiceNumber), args: [input] });
    await sleepUntil('2032-03-31T12:00:00+02:00');
    const letter = await eventually(() => queued(streamId, 'final_notice'));
    expect(letter.content.kind === 'final_notice' && letter.content.finalDate).toBe('2032-04-19');

    // Posted on Friday 2 April: received Tuesday 6 April; 6 + 15 = Wednesday 21 April.
    await sleepUntil('2032-04-02T16:00:00+02:00');
    await handle.executeUpdate(recordInvoicePostingUpdate, { args: [{ letter, postedOn: '2032-04-02', by: 'person:clerk' }] });
    const stream = await readStream(database.db, streamId);
    expect(stream.slice(-2).map((e) => e.event)).toEqual([
      { type: 'LetterPosted', data: { letterId: letter.letterId, postedOn: '2032-04-02', countedFrom: '2032-04-02T21:59:00.000Z', by: 'person:clerk' } },
      { type: 'FinalDateMoved', data: { invoiceNumber, incidentId, letterDate: '2032-04-02', finalDate: '2032-04-21' } },
    ]);
    const row = await database.db.selectFrom('invoices').select(['pay_by_date']).where('invoice_number', '=', invoiceNumber).executeTakeFirstOrThrow();
    expect(row.pay_by_date).toBe('2032-04-21');

    // Tuesday 20 April, after the planned step: still waiting. Thursday 22 April at 09:00: collections.
    await sleepUntil('2032-04-20T12:00:00+02:00');
    expect(await typesOf(streamId)).not.toContain('InvoiceHandedToCollections');
    await sleepUntil('2032-04-22T10:00:00+02:00');
    const handedOver = await eventually(async () => {
      const found = (await readStream(database.db, streamId)).find((e) => e.event.type === 'InvoiceHandedToCollections');
      expect(found).toBeDefined();
      return found!;
    });
    expect(handedOver.event.type === 'InvoiceHandedToCollections' && handedOver.event.data.handedOverOn).toBe('2032-04-22');
  });
});
