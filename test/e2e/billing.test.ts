import { startStack, auth, waitForIncident, type Stack } from '../support/stack';
import { centsToDecimal } from '../../domain/money';

jest.setTimeout(120_000);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('e2e_billing');
});
afterAll(async () => {
  await stack?.stop();
});

/** A bank statement as a Dutch bank writes it (CAMT.053.001.02), balances consistent with its credits. */
function camtStatement(id: string, credits: { ref: string; cents: number; remittance: string }[]): string {
  const opening = 100_000;
  const closing = opening + credits.reduce((sum, c) => sum + c.cents, 0);
  const balance = (code: string, cents: number) =>
    `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">${centsToDecimal(cents)}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-01</Dt></Dt></Bal>`;
  const entries = credits
    .map(
      (c) => `<Ntry><Amt Ccy="EUR">${centsToDecimal(c.cents)}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2026-12-01</Dt></BookgDt><ValDt><Dt>2026-12-01</Dt></ValDt><AcctSvcrRef>${c.ref}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><AmtDtls><TxAmt><Amt Ccy="EUR">${centsToDecimal(c.cents)}</Amt></TxAmt></AmtDtls>
        <RltdPties><Dbtr><Nm>Bewoner</Nm></Dbtr><DbtrAcct><Id><IBAN>NL16RABO0158764323</IBAN></Id></DbtrAcct></RltdPties>
        <RmtInf><Ustrd>${c.remittance}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
  <GrpHdr><MsgId>${id}</MsgId><CreDtTm>2026-12-02T05:00:00+01:00</CreDtTm></GrpHdr>
  <Stmt><Id>${id}</Id><CreDtTm>2026-12-02T05:00:00+01:00</CreDtTm>
    <Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>
    ${balance('OPBD', opening)}${balance('CLBD', closing)}
    ${entries}
  </Stmt></BkToCstmrStmt></Document>`;
}

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
      payload: { amountCents: 5000, paidOn: '2026-11-30', paymentId: 'kas-1' },
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
    payload: { amountCents: 9900, paidOn: '2026-12-01' },
  });
  expect(refused.statusCode).toBe(409);
  const csv = await stack.app.inject({
    method: 'POST',
    url: '/payments/imports',
    headers: { ...auth('finance'), 'content-type': 'text/csv' },
    payload: `invoiceNumber,amount,paidOn,reference,paymentId\n${invoiceNumber},99.00,2026-12-01,factuur,csv-1\n`,
  });
  expect(csv.json().unmatched).toEqual([expect.objectContaining({ reference: 'csv-1', reason: `invoice ${invoiceNumber} is credited` })]);
});
