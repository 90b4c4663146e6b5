import { startStack, auth, waitForIncident, type Stack } from '../support/stack';
import { eventually } from '../support/harness';

jest.setTimeout(120_000);

/** Found by `npm run chaos`: a credit retried while its first attempt waited for a worker took a second credit-note number. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack('e2e_credit_once');
});
afterAll(async () => {
  await stack?.stop();
});

async function chargedIncident(polluter: string, location: string): Promise<string> {
  const reported = await stack.app.inject({
    method: 'POST',
    url: '/incidents',
    headers: auth('consultant'),
    payload: { category: 'fouled_stairwell', complexId: 'C1', buildingId: 'C1-A', location, polluterTenantId: polluter },
  });
  const { incidentId } = reported.json();
  await waitForIncident(stack, incidentId, (i) => i.phase === 'cleanup_ordered');
  await stack.app.inject({ method: 'POST', url: `/incidents/${incidentId}/completion`, headers: auth('contractor'), payload: { contractorId: 'K-1', costCents: 12_000 } });
  return (await waitForIncident(stack, incidentId, (i) => i.status === 'closed')).invoiceNumber;
}

const credit = (invoiceNumber: string, key?: string) =>
  stack.app.inject({
    method: 'POST',
    url: `/invoices/${invoiceNumber}/credit`,
    headers: { ...auth('finance'), ...(key ? { 'idempotency-key': key } : {}) },
    payload: { reason: 'coulance' },
  });

async function creditNotesOf(invoiceNumber: string): Promise<string[]> {
  const rows = await stack.database.db
    .selectFrom('events')
    .select('data')
    .where('stream_id', '=', `invoice-${invoiceNumber}`)
    .where('type', '=', 'InvoiceCredited')
    .execute();
  return rows.map((r) => (r.data as { creditNoteNumber: string }).creditNoteNumber);
}

test('a credit retried with its Idempotency-Key after a 503 (no worker) is one credit note', async () => {
  const invoiceNumber = await chargedIncident('A-2', 'hal, retry');
  await stack.stopWorker();
  let first;
  try {
    // Both attempts wait for a worker in vain; Temporal keeps each Update until one comes.
    first = await credit(invoiceNumber, 'credit-retry-1');
    expect(first.statusCode).toBe(503);
    expect((await credit(invoiceNumber, 'credit-retry-1')).statusCode).toBe(503);
  } finally {
    await stack.startWorker();
  }
  // The worker applies the one Update the two attempts were; the next retry finds the invoice credited once.
  const credited = await eventually(async () => {
    const notes = await creditNotesOf(invoiceNumber);
    expect(notes).toHaveLength(1);
    return notes;
  });
  const retried = await credit(invoiceNumber, 'credit-retry-1');
  expect({ status: retried.statusCode, detail: retried.json().detail }).toEqual({ status: 409, detail: `invoice ${invoiceNumber} is credited` });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(await creditNotesOf(invoiceNumber)).toEqual(credited);
});

test('two credits of one invoice at the same moment make one credit note; the other is refused', async () => {
  const invoiceNumber = await chargedIncident('A-3', 'hal, concurrent');
  const answers = await Promise.all([credit(invoiceNumber), credit(invoiceNumber)]);
  expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
  expect(await creditNotesOf(invoiceNumber)).toHaveLength(1);
});
