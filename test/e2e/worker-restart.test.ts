import { startStack, auth, waitForIncident, type Stack } from '../support/stack';

jest.setTimeout(120_000);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('e2e_restart');
});
afterAll(async () => {
  await stack?.stop();
});

test('a worker stopped mid-lifecycle and started again completes the incident with no mail, event or invoice twice', async () => {
  const reported = await stack.app.inject({
    method: 'POST',
    url: '/incidents',
    headers: auth('consultant'),
    payload: { category: 'fouled_stairwell', complexId: 'C1', buildingId: 'C1-A', location: 'kelderbox gang', polluterTenantId: 'A-5' },
  });
  expect(reported.statusCode).toBe(201);
  const { incidentId } = reported.json();
  await waitForIncident(stack, incidentId, (i) => i.phase === 'awaiting_cleanup');

  // Down while the deadline passes: the timers fire when a worker is back.
  await stack.stopWorker();
  await new Promise((resolve) => setTimeout(resolve, 6_000));
  const whileDown = await waitForIncident(stack, incidentId, () => true);
  expect(whileDown.phase).toBe('awaiting_cleanup');
  await stack.startWorker();
  await waitForIncident(stack, incidentId, (i) => i.phase === 'cleanup_ordered');

  const completed = await stack.app.inject({
    method: 'POST',
    url: `/incidents/${incidentId}/completion`,
    headers: auth('contractor'),
    payload: { contractorId: 'K-1', costCents: 9900 },
  });
  expect(completed.statusCode).toBe(200);
  // And down again while the consequences are being issued.
  await stack.stopWorker();
  await stack.startWorker();
  const closed = await waitForIncident(stack, incidentId, (i) => i.status === 'closed');
  expect(closed.outcome).toBe('cleaned_and_charged');

  const types = closed.timeline.map((e: { type: string }) => e.type);
  expect(types).toEqual([...new Set(types)]);
  expect(types).toEqual(expect.arrayContaining(['CleanupOrdered', 'InvoiceIssued', 'WarningIssued', 'NeighboursInformed', 'IncidentClosed']));

  const { db } = stack.database;
  const invoices = await db.selectFrom('invoices').selectAll().where('incident_id', '=', incidentId).execute();
  expect(invoices).toHaveLength(1);
  expect(invoices[0]!.total_cents).toBe(9900);

  const letters = await db.selectFrom('notifications').select('letter_id').where('incident_id', '=', incidentId).execute();
  const deliveries = await db.selectFrom('letter_deliveries').select('letter_id').where('letter_id', 'in', letters.map((l) => l.letter_id)).execute();
  expect(deliveries).toHaveLength(letters.length);

  // One of each letter; a reminder only if the worker was still up when it fell due.
  const kinds = stack.smtp.to('a5@bewoners.test').map((m) => m.subject.split(/[: ]/)[0]);
  expect(kinds.filter((k) => k !== 'Herinnering').sort()).toEqual(['Factuur', 'Ingebrekestelling', 'Waarschuwing']);
  expect(kinds.filter((k) => k === 'Herinnering').length).toBeLessThanOrEqual(1);
  const messageIds = stack.smtp.mails.map((m) => m.messageId);
  expect(new Set(messageIds).size).toBe(messageIds.length);
});
