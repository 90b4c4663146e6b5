/**
 * A step that fails on its data (here: the relay refuses a tenant's address for good) does not retry
 * forever and does not kill the workflow: the incident or invoice waits in "needs attention" with the
 * reason, is listed for staff, and goes on when a person has dealt with it.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { Activities } from '../../activities';
import { readStream } from '../../db/event-store';
import { upsertTenants } from '../../db/directory';
import { overdue } from '../../db/reports';
import { resolvePolicy } from '../../domain/policy';
import { incidentWorkflow, invoiceWorkflow } from '../../workflows';
import {
  incidentWorkflowId,
  invoiceWorkflowId,
  registerPaymentUpdate,
  reportCleanupUpdate,
  resolveAttentionUpdate,
  resolveInvoiceAttentionUpdate,
  type IncidentInput,
  type InvoiceInput,
} from '../../workflows/messages';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { buildingA, seedDirectory } from '../support/fixtures';
import { createWorker, eventually, testActivities } from '../support/harness';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp';

jest.setTimeout(180_000);

const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;
const refused = new Set<string>();
let env: TestWorkflowEnvironment;
let database: TestDatabase;
let smtp: TestSmtpServer;
let activities: Activities;
let worker: Worker;
const taskQueue = 'attention';

beforeAll(async () => {
  database = await createTestDatabase('attention');
  smtp = await startTestSmtpServer({ refused });
  await seedDirectory(database.db);
  activities = testActivities(database.db, smtp.url, resolvePolicy());
});
afterAll(async () => {
  await smtp?.close();
  await database?.drop();
});
afterEach(async () => {
  await env?.teardown();
  refused.clear();
});

async function startingAt(iso: string): Promise<void> {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER_PATH as string } },
  });
  worker = await createWorker(env, taskQueue, activities);
  await env.sleep(Date.parse(iso) - (await env.currentTimeMs()));
}

const types = async (streamId: string) => (await readStream(database.db, streamId)).map((e) => e.event.type);

test('a formal notice the relay refuses for good puts the incident in needs attention; after the address is corrected and a consultant resolves it, the notice goes out and the incident goes on', async () => {
  await startingAt('2032-03-01T09:00:00+01:00'); // a Monday
  const tenant = buildingA[2]!;
  refused.add(tenant.email!);
  const input: IncidentInput = {
    incidentId: 'attention-notice',
    category: 'fouled_stairwell',
    complexId: 'C1',
    buildingId: 'C1-A',
    location: 'trappenhuis, tweede verdieping',
    description: 'vuilniszakken',
    polluterTenantId: tenant.contractNumber,
    complainantTenantId: null,
    reportedBy: 'consultant:test',
    reportedAt: '2032-03-01T08:00:00.000Z',
  };
  const streamId = `incident-${input.incidentId}`;
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(incidentWorkflow, { taskQueue, workflowId: incidentWorkflowId(input.incidentId), args: [input] });
    const attention = await eventually(async () => {
      const row = await database.db.selectFrom('incidents').selectAll().where('incident_id', '=', input.incidentId).executeTakeFirstOrThrow();
      if (row.attention_since === null) throw new Error('not yet in needs attention');
      return row;
    });
    expect(attention.attention_step).toBe('deliver letters');
    expect(attention.attention_reason).toContain('550');
    // The recipient by reference: the address itself stays out of the event and Temporal's history (README: Erasure).
    expect(attention.attention_reason).toContain(`<e-mailadres van huurder ${tenant.contractNumber}>`);
    expect(attention.attention_reason).not.toContain(tenant.email);
    expect(await types(streamId)).toEqual(['IncidentReported', 'PolluterNotified', 'AttentionRequired']);

    // Listed for staff, and counted.
    const lists = await overdue(database.db, { asOf: '2032-03-01', contractorWorkingDays: 5, limit: 10 });
    expect(lists.needsAttention).toEqual({
      total: 1,
      items: [expect.objectContaining({ kind: 'incident', incidentId: input.incidentId, step: 'deliver letters', invoiceNumber: null })],
    });

    // A week goes by: no reminder, no escalation, no second attempt while it waits for a person.
    await env.sleep(7 * DAY);
    expect(await types(streamId)).toEqual(['IncidentReported', 'PolluterNotified', 'AttentionRequired']);
    expect(smtp.to(tenant.email!)).toEqual([]);

    // Resolving it without an attention pending is refused; with one, it is recorded and the step is tried again.
    await upsertTenants(database.db, [{ ...tenant, email: 'a3.nieuw@bewoners.test' }]);
    await handle.executeUpdate(resolveAttentionUpdate, { args: [{ by: 'consultant:test', note: 'e-mailadres gecorrigeerd' }] });
    await eventually(() => expect(smtp.to('a3.nieuw@bewoners.test').map((m) => m.subject)).toEqual([expect.stringMatching(/ingebrekestelling|schoonmaken/i)]));
    const resolved = await database.db.selectFrom('incidents').selectAll().where('incident_id', '=', input.incidentId).executeTakeFirstOrThrow();
    expect(resolved.attention_since).toBeNull();
    await expect(handle.executeUpdate(resolveAttentionUpdate, { args: [{ by: 'consultant:test', note: null }] })).rejects.toThrow(WorkflowUpdateFailedError);

    // The notice went out a week late: the tenant gets the whole term from that day (issue 14, item 11),
    // so the deadline moves; the reminder comes before it, and once it passes, the cleanup is ordered.
    await eventually(async () => expect(await types(streamId)).toContain('DeadlineMoved'));
    expect(await types(streamId)).toEqual(['IncidentReported', 'PolluterNotified', 'AttentionRequired', 'AttentionResolved', 'DeadlineMoved']);
    const moved = await database.db.selectFrom('incidents').select(['deadline']).where('incident_id', '=', input.incidentId).executeTakeFirstOrThrow();
    expect(moved.deadline!.getTime()).toBeGreaterThan(await env.currentTimeMs());
    await env.sleep(moved.deadline!.getTime() - (await env.currentTimeMs()) + HOUR);
    await eventually(async () => expect(await types(streamId)).toContain('CleanupOrdered'));
    expect((await types(streamId)).slice(0, 7)).toEqual(['IncidentReported', 'PolluterNotified', 'AttentionRequired', 'AttentionResolved', 'DeadlineMoved', 'ReminderSent', 'CleanupOrdered']);
  });
  await upsertTenants(database.db, [tenant]);
});

test('an Update that carries text PostgreSQL cannot store is refused before it is accepted, and the incident goes on', async () => {
  await startingAt('2032-04-05T09:00:00+02:00');
  const input: IncidentInput = {
    incidentId: 'attention-nul',
    category: 'fouled_stairwell',
    complexId: 'C1',
    buildingId: 'C1-A',
    location: 'kelder',
    description: '',
    polluterTenantId: 'A-4',
    complainantTenantId: null,
    reportedBy: 'consultant:test',
    reportedAt: '2032-04-05T07:00:00.000Z',
  };
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(incidentWorkflow, { taskQueue, workflowId: incidentWorkflowId(input.incidentId), args: [input] });
    await eventually(async () => expect(await types(`incident-${input.incidentId}`)).toContain('PolluterNotified'));
    const refusal = await handle.executeUpdate(reportCleanupUpdate, { args: [{ by: 'tenant', actor: 'tenant:A-4', note: 'schoon\u0000gemaakt' }] }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String((refusal as WorkflowUpdateFailedError).cause?.message)).toContain('cannot be stored');
    const accepted = await handle.executeUpdate(reportCleanupUpdate, { args: [{ by: 'tenant', actor: 'tenant:A-4', note: 'schoongemaakt' }] });
    expect(accepted.state).toEqual(expect.objectContaining({ status: 'open', phase: 'cleanup_reported' }));
    expect(await types(`incident-${input.incidentId}`)).toEqual(['IncidentReported', 'PolluterNotified', 'CleanupReported']);
  });
});

test("a payment reminder the relay refuses puts the invoice in needs attention; finance resolves it and the reminder goes out; a payment in the meantime still books", async () => {
  await startingAt('2032-05-03T10:00:00+02:00');
  const debtor = buildingA[4]!;
  const { invoiceNumber } = await activities.issueInvoice({
    eventId: 'incident-attention-invoice/invoice',
    incidentId: 'attention-invoice',
    category: 'bulk_waste',
    location: 'fietsenstalling',
    debtorTenantId: debtor.contractNumber,
    issuedAt: '2032-05-03T08:00:00.000Z',
    paymentTermDays: 14,
    lines: [{ description: 'Schoonmaak', amountCents: 18750, vatCode: 'BTW-GEEN' }],
    metadata: {},
  });
  const issued = (await readStream(database.db, `invoice-${invoiceNumber}`))[0]!.event;
  if (issued.type !== 'InvoiceIssued') throw new Error('expected InvoiceIssued');
  const input: InvoiceInput = {
    invoiceNumber,
    incidentId: 'attention-invoice',
    category: 'bulk_waste',
    location: 'fietsenstalling',
    debtorTenantId: debtor.contractNumber,
    issueDate: issued.data.issueDate,
    dueDate: issued.data.dueDate,
    totalCents: 18750,
  };
  refused.add(debtor.email!);
  const streamId = `invoice-${invoiceNumber}`;
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(invoiceWorkflow, { taskQueue, workflowId: invoiceWorkflowId(input.incidentId, invoiceNumber), args: [input] });
    await env.sleep(16 * DAY);
    const row = await eventually(async () => {
      const invoice = await database.db.selectFrom('invoices').selectAll().where('invoice_number', '=', invoiceNumber).executeTakeFirstOrThrow();
      if (invoice.attention_since === null) throw new Error('not yet in needs attention');
      return invoice;
    });
    expect({ step: row.attention_step, reason: row.attention_reason }).toEqual({ step: 'deliver letters', reason: expect.stringContaining('550') });
    expect(await types(streamId)).toEqual(['InvoiceIssued', 'PaymentReminderSent', 'AttentionRequired']);
    const lists = await overdue(database.db, { asOf: '2032-05-20', contractorWorkingDays: 5, limit: 10 });
    expect(lists.needsAttention.items).toContainEqual(expect.objectContaining({ kind: 'invoice', invoiceNumber, step: 'deliver letters' }));

    // A part payment while it waits is booked as ever.
    await handle.executeUpdate(registerPaymentUpdate, { args: [{ paymentId: 'att-1', amountCents: 5000, paidOn: '2032-05-20', source: 'manual', reference: null, registeredBy: 'finance:test' }] });

    refused.clear();
    await handle.executeUpdate(resolveInvoiceAttentionUpdate, { args: [{ by: 'finance:test', note: 'relay gerepareerd' }] });
    await eventually(() => expect(smtp.to(debtor.email!).length).toBe(1));
    expect(await types(streamId)).toEqual(['InvoiceIssued', 'PaymentReminderSent', 'AttentionRequired', 'PaymentRegistered', 'AttentionResolved']);
    const after = await database.db.selectFrom('invoices').selectAll().where('invoice_number', '=', invoiceNumber).executeTakeFirstOrThrow();
    expect({ attention: after.attention_since, paid: after.paid_cents }).toEqual({ attention: null, paid: 5000 });
  });
});
