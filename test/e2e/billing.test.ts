import { startStack, auth, waitForIncident, type Stack } from '../support/stack';
import { camtStatement } from '../support/camt';
import { amsterdamDate } from '../../domain/calendar';
import { signTenantLink } from '../../documents/links';
import { invoiceWorkflowId } from '../../workflows/messages';
import { LINK_SECRET, eventually } from '../support/harness';

jest.setTimeout(120_000);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('e2e_billing');
});
afterAll(async () => {
  await stack?.stop();
});

async function chargedIncident(polluter: string, costCents: number): Promise<{ incidentId: string; invoiceNumber: string }> {
  const reported = await stack.app.inject({
    method: 'POST',
    url: '/incidents',
    headers: auth('consultant'),
    payload: { category: 'fouled_stairwell', complexId: 'C1', buildingId: 'C1-A', location: `hal bij ${polluter}`, polluterTenantId: polluter },
  });
  const { incidentId } = reported.json();
  await waitForIncident(stack, incidentId, (i) => i.phase === 'cleanup_ordered');
  await stack.app.inject({ method: 'POST', url: `/incidents/${incidentId}/completion`, headers: auth('contractor'), payload: { contractorId: 'K-1', costCents } });
  const closed = await waitForIncident(stack, incidentId, (i) => i.status === 'closed');
  return { incidentId, invoiceNumber: closed.invoiceNumber };
}

async function invoice(number: string) {
  return (await stack.app.inject({ method: 'GET', url: `/invoices/${number}`, headers: auth('finance') })).json();
}

async function waitForInvoice(number: string, test: (i: any) => boolean) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = await invoice(number);
    if (test(found)) return found;
    if (Date.now() > deadline) throw new Error(`invoice ${number}: ${JSON.stringify(found)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('finance books a manual payment and a bank statement; the statement imported twice books nothing twice; the invoice is paid', async () => {
  const { invoiceNumber } = await chargedIncident('A-6', 18750);
  expect(await invoice(invoiceNumber)).toEqual(expect.objectContaining({ status: 'open', totalCents: 18750, openCents: 18750 }));

  const pay = () =>
    stack.app.inject({
      method: 'POST',
      url: `/invoices/${invoiceNumber}/payments`,
      headers: auth('finance'),
      payload: { amountCents: 5000, paidOn: amsterdamDate(new Date()), paymentId: 'kas-1' },
    });
  expect((await pay()).json()).toEqual({ invoiceNumber, paymentId: 'kas-1', booked: true });
  expect((await pay()).json()).toEqual({ invoiceNumber, paymentId: 'kas-1', booked: false });
  expect((await invoice(invoiceNumber)).openCents).toBe(13750);

  const statement = camtStatement('STMT-1', [
    { ref: 'ENTRY-1', cents: 13750, remittance: `Factuur ${invoiceNumber} restant` },
    { ref: 'ENTRY-2', cents: 2500, remittance: 'huur december' },
    { ref: 'ENTRY-3', cents: 1000, remittance: `${invoiceNumber} en 2026-999999` },
  ]);
  const importStatement = () =>
    stack.app.inject({ method: 'POST', url: '/payments/bank-statements', headers: { ...auth('finance'), 'content-type': 'application/xml' }, payload: statement });
  const first = (await importStatement()).json();
  expect(first.booked).toEqual([{ reference: 'camt:ENTRY-1', invoiceNumber, amountCents: 13750 }]);
  expect(first.unmatched.map((u: { reference: string; reason: string }) => [u.reference, u.reason])).toEqual([
    ['camt:ENTRY-2', 'no invoice number in the payment reference'],
    ['camt:ENTRY-3', expect.stringMatching(/^ambiguous/)],
  ]);
  const second = (await importStatement()).json();
  expect(second.booked).toEqual([]);
  expect(second.alreadyBooked).toEqual([{ reference: 'camt:ENTRY-1', invoiceNumber }]);

  const paid = await waitForInvoice(invoiceNumber, (i) => i.status === 'paid');
  expect(paid.paidCents).toBe(18750);
  expect(paid.payments.map((p: { paymentId: string; source: string }) => [p.paymentId, p.source])).toEqual([
    ['kas-1', 'manual'],
    ['camt:ENTRY-1', 'camt053'],
  ]);
  const unmatched = (await stack.app.inject({ method: 'GET', url: '/payments/unmatched', headers: auth('finance') })).json();
  expect(unmatched.payments.map((p: { reference: string }) => p.reference)).toEqual(['camt:ENTRY-2', 'camt:ENTRY-3']);

  // The invoice went out by mail with the PDF; the same document is available for print.
  const letters = (await stack.app.inject({ method: 'GET', url: `/incidents/${paid.incidentId}`, headers: auth('consultant') })).json().letters;
  const invoiceLetter = letters.find((l: { kind: string }) => l.kind === 'invoice');
  const pdf = await stack.app.inject({ method: 'GET', url: `/letters/${encodeURIComponent(invoiceLetter.letterId)}/pdf`, headers: auth('finance') });
  expect(pdf.headers['content-type']).toBe('application/pdf');
  expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
});

test('a dispute on a closed incident pauses its invoice; upheld, a credit note stops it and the tenant gets it as PDF', async () => {
  const { incidentId, invoiceNumber } = await chargedIncident('A-3', 9900);
  const opened = await stack.app.inject({
    method: 'POST',
    url: `/incidents/${incidentId}/disputes`,
    headers: auth('consultant'),
    payload: { reason: 'huurder toont aan dat het een ander was' },
  });
  expect(opened.statusCode).toBe(200);
  expect((await waitForInvoice(invoiceNumber, (i) => i.dunningPaused)).status).toBe('open');

  const upheld = await stack.app.inject({
    method: 'POST',
    url: `/incidents/${incidentId}/disputes/resolution`,
    headers: auth('consultant'),
    payload: { decision: 'upheld', note: 'camerabeelden' },
  });
  expect(upheld.statusCode).toBe(200);
  const credited = await waitForInvoice(invoiceNumber, (i) => i.status === 'credited');
  expect(credited.creditNoteNumber).toMatch(/^C\d{4}-000001$/);

  const creditMail = stack.smtp.to('a3@bewoners.test').find((m) => m.subject.startsWith('Creditnota'));
  expect(creditMail?.text).toContain('€ 99,00');
  expect(creditMail?.attachments).toEqual([expect.objectContaining({ contentType: 'application/pdf' })]);

  // A payment for a credited invoice is refused with the reason, and a CSV line for it is listed, not booked.
  const refused = await stack.app.inject({
    method: 'POST',
    url: `/invoices/${invoiceNumber}/payments`,
    headers: auth('finance'),
    payload: { amountCents: 9900, paidOn: amsterdamDate(new Date()) },
  });
  expect(refused.statusCode).toBe(409);
  const csv = await stack.app.inject({
    method: 'POST',
    url: '/payments/imports',
    headers: { ...auth('finance'), 'content-type': 'text/csv' },
    payload: `invoiceNumber,amount,paidOn,reference,paymentId\n${invoiceNumber},99.00,${amsterdamDate(new Date())},factuur,csv-1\n`,
  });
  expect(csv.json().unmatched).toEqual([expect.objectContaining({ reference: 'csv-1', reason: `invoice ${invoiceNumber} is credited` })]);
});

describe('a dispute between the invoice mail and the incident close', () => {
  const link = (incidentId: string, tenantId: string) => signTenantLink({ incidentId, tenantId, expiresAt: new Date(Date.now() + 86_400_000) }, LINK_SECRET);

  /** Reported and cleaned by the contractor in a building of its own; returns as soon as the incident has its invoice. */
  async function cleanedByContractor(polluter: string, building: string): Promise<{ incidentId: string; invoiceNumber: string }> {
    const reported = await stack.app.inject({
      method: 'POST',
      url: '/incidents',
      headers: auth('consultant'),
      payload: { category: 'fouled_stairwell', complexId: 'C1', buildingId: building, location: `hal ${building}`, polluterTenantId: polluter },
    });
    const { incidentId } = reported.json();
    await waitForIncident(stack, incidentId, (i) => i.phase === 'cleanup_ordered');
    await stack.app.inject({ method: 'POST', url: `/incidents/${incidentId}/completion`, headers: auth('contractor'), payload: { contractorId: 'K-1', costCents: 7500 } });
    const settling = await waitForIncident(stack, incidentId, (i) => i.invoiceNumber !== null);
    return { incidentId, invoiceNumber: settling.invoiceNumber };
  }

  afterEach(() => stack.smtp.refuse(null));

  test('the tenant disputes the mailed invoice while the incident is still being settled: the dunning pauses', async () => {
    // The warning letter waits (the mail server answers "try again later"), so the incident stays settling.
    stack.smtp.refuse((mail) => mail.envelopeTo.includes('a4@bewoners.test') && mail.subject.startsWith('Waarschuwing'));
    const { incidentId, invoiceNumber } = await cleanedByContractor('A-4', 'D-1');
    const handle = stack.client.workflow.getHandle(invoiceWorkflowId(incidentId, invoiceNumber));
    await eventually(async () => expect((await handle.describe()).status.name).toBe('RUNNING'));
    expect((await waitForIncident(stack, incidentId, () => true)).phase).toBe('settling');

    const disputed = await stack.app.inject({
      method: 'POST',
      url: `/incidents/${incidentId}/disputes?token=${link(incidentId, 'A-4')}`,
      payload: { reason: 'ik was het niet' },
    });
    expect(disputed.statusCode).toBe(200);
    expect(disputed.json()).toEqual(expect.objectContaining({ incidentId, status: 'open', phase: 'settling' }));
    expect((await waitForInvoice(invoiceNumber, (i) => i.dunningPaused)).status).toBe('open');

    // The warning goes out after all; the incident closes, the invoice stays paused until the consultant decides.
    stack.smtp.refuse(null);
    expect((await waitForIncident(stack, incidentId, (i) => i.status === 'closed')).outcome).toBe('cleaned_and_charged');
    expect(await invoice(invoiceNumber)).toEqual(expect.objectContaining({ status: 'open', dunningPaused: true }));
    const timeline = (await invoice(invoiceNumber)).timeline.map((e: { type: string }) => e.type);
    expect(timeline).toEqual(['InvoiceIssued', 'DunningPaused']);
  });

  test('before the invoice workflow has started a dispute is answered 503 with Retry-After; then it pauses the dunning', async () => {
    // The invoice mail waits: the invoice is issued, its workflow starts once the mail is out.
    stack.smtp.refuse((mail) => mail.envelopeTo.includes('a6@bewoners.test') && mail.subject.startsWith('Factuur'));
    const { incidentId, invoiceNumber } = await cleanedByContractor('A-6', 'D-2');
    const dispute = () =>
      stack.app.inject({ method: 'POST', url: `/incidents/${incidentId}/disputes`, headers: auth('consultant'), payload: { reason: 'huurder belt: was de buurman' } });
    const early = await dispute();
    expect(early.statusCode).toBe(503);
    expect(early.headers['retry-after']).toBe('2');
    expect(early.headers['content-type']).toContain('application/problem+json');

    stack.smtp.refuse(null);
    const handle = stack.client.workflow.getHandle(invoiceWorkflowId(incidentId, invoiceNumber));
    await eventually(async () => expect((await handle.describe()).status.name).toBe('RUNNING'), 60_000);
    expect((await dispute()).statusCode).toBe(200);
    expect((await waitForInvoice(invoiceNumber, (i) => i.dunningPaused)).status).toBe('open');
  });
});
