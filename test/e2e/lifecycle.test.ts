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

  // Every letter has its PDF, at the link the API gives, with the letter id's slashes as they are.
  const letterId: string = printed[0].letterId;
  expect(letterId).toContain('/');
  expect(printed[0].pdfUrl).toBe(`${stack.url}/letters/${letterId}/pdf`);
  const pdf = await stack.app.inject({ method: 'GET', url: `/letters/${letterId}/pdf`, headers: auth('consultant') });
  expect({ status: pdf.statusCode, type: pdf.headers['content-type'] }).toEqual({ status: 200, type: 'application/pdf' });
  expect(pdf.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const encoded = await stack.app.inject({ method: 'GET', url: `/letters/${encodeURIComponent(letterId)}/pdf`, headers: auth('consultant') });
  expect(encoded.rawPayload.equals(pdf.rawPayload)).toBe(true);
  const detail = await stack.app.inject({ method: 'GET', url: `/incidents/${incidentId}`, headers: auth('consultant') });
  const letters: { letterId: string; kind: string; pdfUrl: string }[] = detail.json().letters;
  expect(letters.length).toBeGreaterThan(5);
  for (const l of letters) expect(l.pdfUrl).toBe(`${stack.url}/letters/${l.letterId}/pdf`);
  // A work order and a formal notice, not only the financial letters, have a PDF.
  for (const kind of ['work_order', 'formal_notice']) {
    const one = letters.find((l) => l.kind === kind)!;
    const response = await stack.app.inject({ method: 'GET', url: new URL(one.pdfUrl).pathname, headers: auth('consultant') });
    expect({ kind, status: response.statusCode, type: response.headers['content-type'] }).toEqual({ kind, status: 200, type: 'application/pdf' });
  }
  // The day's post as one PDF.
  const post = await stack.app.inject({ method: 'GET', url: '/letters/print-queue/pdf', headers: auth('consultant') });
  expect({ status: post.statusCode, type: post.headers['content-type'] }).toEqual({ status: 200, type: 'application/pdf' });
  const none = await stack.app.inject({ method: 'GET', url: '/letters/print-queue/pdf?date=2001-01-01', headers: auth('consultant') });
  expect(none.statusCode).toBe(404);
  const unknown = await stack.app.inject({ method: 'GET', url: '/letters/no/such/letter/pdf', headers: auth('consultant') });
  expect(unknown.statusCode).toBe(404);
});
