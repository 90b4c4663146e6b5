import { startStack, auth, waitForIncident, type Stack } from '../support/stack';
import { eventually } from '../support/harness';

jest.setTimeout(120_000);

/**
 * Found by `npm run chaos`: an action retried with its Idempotency-Key after its first attempt timed
 * out (503) but was applied all the same answered 409 once the incident had closed (main now sends
 * it to the workflow, which answers), and so did an upheld ruling on an invoice dispute (the invoice
 * credited by it, the retry went to the closed incident); a credit retried so, or two credits at
 * once, took two credit-note numbers.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack('e2e_retried_actions');
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

async function invoice(number: string) {
  return (await stack.app.inject({ method: 'GET', url: `/invoices/${number}`, headers: auth('finance') })).json();
}

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
  // The worker applies the one Update the two attempts were; the next retry, after the invoice's
  // workflow has ended, answers with that credit note.
  const credited = await eventually(async () => {
    const notes = await creditNotesOf(invoiceNumber);
    expect(notes).toHaveLength(1);
    return notes;
  });
  await eventually(async () => expect((await invoice(invoiceNumber)).status).toBe('credited'));
  const retried = await credit(invoiceNumber, 'credit-retry-1');
  expect({ status: retried.statusCode, body: retried.json() }).toEqual({ status: 200, body: { invoiceNumber, creditNoteNumber: credited[0] } });
  // Another clerk's credit (another key) is refused.
  expect((await credit(invoiceNumber, 'credit-other-clerk')).statusCode).toBe(409);
  expect(await creditNotesOf(invoiceNumber)).toEqual(credited);
});

test('two credits of one invoice at the same moment make one credit note; the other is refused', async () => {
  const invoiceNumber = await chargedIncident('A-3', 'hal, concurrent');
  const answers = await Promise.all([credit(invoiceNumber), credit(invoiceNumber)]);
  expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
  expect(await creditNotesOf(invoiceNumber)).toHaveLength(1);
});

test('an inspection that timed out (503, no worker) but was applied, retried with its key after the incident closed, answers as the first attempt did', async () => {
  const reported = await stack.app.inject({
    method: 'POST',
    url: '/incidents',
    headers: auth('consultant'),
    payload: { category: 'fouled_stairwell', complexId: 'C1', buildingId: 'C1-B', location: 'trap, inspectie', polluterTenantId: 'B-1' },
  });
  const { incidentId } = reported.json();
  await waitForIncident(stack, incidentId, (i) => i.phase === 'awaiting_cleanup');
  const inspect = (key: string) =>
    stack.app.inject({
      method: 'POST',
      url: `/incidents/${incidentId}/inspections`,
      headers: { ...auth('consultant'), 'idempotency-key': key },
      payload: { result: 'clean' },
    });
  await stack.stopWorker();
  try {
    expect((await inspect('schoon-na-controle')).statusCode).toBe(503);
  } finally {
    await stack.startWorker();
  }
  // Temporal kept the Update: the worker applies it, and the incident settles and closes.
  const closed = await waitForIncident(stack, incidentId, (i) => i.status === 'closed');
  expect(closed.outcome).toBe('self_cleaned');
  const retried = await inspect('schoon-na-controle');
  expect(retried.statusCode).toBe(200);
  expect(retried.json()).toEqual(expect.objectContaining({ incidentId, status: 'open', phase: 'settling' }));
  expect(closed.timeline.filter((e: { type: string }) => e.type === 'InspectionRecorded')).toHaveLength(1);
  // Another inspection (another key, or none) is refused: the incident is closed.
  expect((await inspect('nog-een-controle')).json()).toEqual(expect.objectContaining({ status: 409, detail: 'the incident is closed (self_cleaned)' }));
});

test('a ruling on an invoice dispute that timed out (503) but was applied, retried with its key, answers as the first attempt did', async () => {
  const invoiceNumber = await chargedIncident('A-4', 'hal, betwist');
  const { incidentId } = await invoice(invoiceNumber);
  const disputed = await stack.app.inject({
    method: 'POST',
    url: `/incidents/${incidentId}/disputes`,
    headers: { ...auth('consultant'), 'idempotency-key': 'bezwaar-factuur' },
    payload: { reason: 'factuur betwist' },
  });
  expect(disputed.statusCode).toBe(200);
  const rule = (key: string) =>
    stack.app.inject({
      method: 'POST',
      url: `/incidents/${incidentId}/disputes/resolution`,
      headers: { ...auth('consultant'), 'idempotency-key': key },
      payload: { decision: 'upheld', note: 'terecht' },
    });
  await stack.stopWorker();
  try {
    expect((await rule('uitspraak-1')).statusCode).toBe(503);
  } finally {
    await stack.startWorker();
  }
  // The Update was kept: the worker credits the invoice, whose workflow then ends.
  await eventually(async () => expect((await invoice(invoiceNumber)).status).toBe('credited'));
  const retried = await rule('uitspraak-1');
  expect({ status: retried.statusCode, body: retried.json() }).toEqual({ status: 200, body: expect.objectContaining({ incidentId, status: 'closed' }) });
  expect(await creditNotesOf(invoiceNumber)).toHaveLength(1);
  // Another ruling (another key) is refused.
  expect((await rule('uitspraak-2')).statusCode).toBe(409);
});
