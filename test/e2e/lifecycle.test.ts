import { startStack, auth, waitForIncident, type Stack } from '../support/stack';
import { buildingA } from '../support/fixtures';

jest.setTimeout(120_000);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('e2e_lifecycle');
});
afterAll(async () => {
  await stack?.stop();
});

test('not cleaned -> contractor -> invoice -> neighbours informed -> closed, through the API, the dev server, PostgreSQL and SMTP', async () => {
  const reported = await stack.app.inject({
    method: 'POST',
    url: '/incidents',
    headers: auth('consultant'),
    payload: {
      category: 'fouled_stairwell',
      complexId: 'C1',
      buildingId: 'C1-A',
      location: 'trappenhuis, 3e verdieping',
      description: 'vuilniszakken op de overloop',
      polluterTenantId: 'A-4',
    },
  });
  expect(reported.statusCode).toBe(201);
  const { incidentId } = reported.json();

  const ordered = await waitForIncident(stack, incidentId, (i) => i.phase === 'cleanup_ordered');
  expect(ordered.contractorId).toBe('K-1');

  const completed = await stack.app.inject({
    method: 'POST',
    url: `/incidents/${incidentId}/completion`,
    headers: auth('contractor'),
    payload: { contractorId: 'K-1', costCents: 24999 },
  });
  expect(completed.statusCode).toBe(200);

  const closed = await waitForIncident(stack, incidentId, (i) => i.status === 'closed');
  expect(closed.outcome).toBe('cleaned_and_charged');
  expect(closed.invoiceNumber).toMatch(/^\d{4}-000001$/);
  expect(closed.timeline.map((e: { type: string }) => e.type)).toEqual([
    'IncidentReported',
    'PolluterNotified',
    'ReminderSent',
    'CleanupOrdered',
    'CleanupCompleted',
    'InvoiceIssued',
    'WarningIssued',
    'NeighboursInformed',
    'IncidentClosed',
  ]);

  const polluterMails = stack.smtp.to('a4@bewoners.test').map((m) => m.subject);
  expect(polluterMails).toHaveLength(4);
  expect(polluterMails[0]).toMatch(/^Ingebrekestelling/);
  expect(polluterMails[1]).toMatch(/^Herinnering/);
  const invoice = stack.smtp.to('a4@bewoners.test').find((m) => m.subject.startsWith('Factuur'));
  expect(invoice?.text).toContain('€ 249,99');
  expect(invoice?.text).toContain(closed.invoiceNumber);
  expect(stack.smtp.to('orders@schoon.test').map((m) => m.subject)).toEqual([expect.stringMatching(/^Werkopdracht/)]);

  // Neighbours: everyone in the building but the polluter; A-1 has no e-mail and is on the print queue.
  const polluter = buildingA.find((t) => t.contractNumber === 'A-4')!;
  for (const neighbour of ['a2', 'a3', 'a5', 'a6']) {
    const [notice, ...more] = stack.smtp.to(`${neighbour}@bewoners.test`);
    expect(more).toHaveLength(0);
    expect(notice!.subject).toMatch(/^Afgehandeld/);
    for (const personal of [polluter.name, `${polluter.street} ${polluter.houseNumber}`, `nummer ${polluter.unit}`]) {
      expect(notice!.text).not.toContain(personal);
      expect(notice!.html).not.toContain(personal);
    }
  }
  const printQueue = await stack.app.inject({ method: 'GET', url: '/letters/print-queue', headers: auth('consultant') });
  const printed = printQueue.json().letters.filter((l: { incidentId: string }) => l.incidentId === incidentId);
  expect(printed.map((l: { recipientId: string; kind: string }) => [l.recipientId, l.kind])).toEqual([['A-1', 'neighbours_notice']]);
  expect(printed[0].text).toContain('Bewoner A1');
  expect(printed[0].text).not.toContain(polluter.name);
});
