import type { LightMyRequestResponse } from 'fastify';
import { addCalendarDays, amsterdamDate } from '../../domain/calendar';
import { camtStatement } from '../support/camt';
import { startStack, auth, waitForIncident, type Stack } from '../support/stack';

jest.setTimeout(180_000);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('e2e_finance');
});
afterAll(async () => {
  await stack?.stop();
});

const today = () => amsterdamDate(new Date());

type Problem = { status: number; detail: string; errors?: { path: string; message: string }[] };
function problem(response: LightMyRequestResponse, status: number): Problem {
  expect({ status: response.statusCode, type: response.headers['content-type'] }).toEqual({ status, type: expect.stringContaining('application/problem+json') });
  return response.json();
}

/** An incident the contractor cleaned for `costCents`, closed, its invoice open; each in a building of its own (no duplicate linking). */
async function invoiced(polluter: string, building: string, costCents: number): Promise<{ incidentId: string; invoiceNumber: string }> {
  const reported = await stack.app.inject({
    method: 'POST',
    url: '/incidents',
    headers: auth('consultant'),
    payload: { category: 'fouled_stairwell', complexId: 'C1', buildingId: building, location: `hal ${building}`, polluterTenantId: polluter },
  });
  expect(reported.statusCode).toBe(201);
  const { incidentId } = reported.json();
  await waitForIncident(stack, incidentId, (i) => i.phase === 'cleanup_ordered');
  await stack.app.inject({ method: 'POST', url: `/incidents/${incidentId}/completion`, headers: auth('contractor'), payload: { contractorId: 'K-1', costCents } });
  const closed = await waitForIncident(stack, incidentId, (i) => i.status === 'closed');
  return { incidentId, invoiceNumber: closed.invoiceNumber };
}

async function invoice(number: string) {
  return (await stack.app.inject({ method: 'GET', url: `/invoices/${number}`, headers: auth('finance') })).json();
}

const csvImport = (lines: string[]) =>
  stack.app.inject({
    method: 'POST',
    url: '/payments/imports',
    headers: { ...auth('finance'), 'content-type': 'text/csv' },
    payload: ['invoiceNumber,amount,paidOn,reference,paymentId', ...lines].join('\n'),
  });

const statementImport = (statement: string) =>
  stack.app.inject({ method: 'POST', url: '/payments/bank-statements', headers: { ...auth('finance'), 'content-type': 'application/xml' }, payload: statement });

const pay = (number: string, payload: Record<string, unknown>) =>
  stack.app.inject({ method: 'POST', url: `/invoices/${number}/payments`, headers: auth('finance'), payload });

const unmatched = async (query = '') => {
  const response = await stack.app.inject({ method: 'GET', url: `/payments/unmatched${query}`, headers: auth('finance') });
  expect(response.statusCode).toBe(200);
  return response.json();
};

const resolve = (reference: string, payload: Record<string, unknown>) =>
  stack.app.inject({ method: 'POST', url: `/payments/unmatched/${encodeURIComponent(reference)}/resolution`, headers: auth('finance'), payload });

// Five invoices, made side by side (each incident takes seconds of real time).
let csvInvoice: string;
let raceInvoice: string;
let worklistInvoice: string;
let creditInvoice: string;
let camtInvoice: string;
beforeAll(async () => {
  [csvInvoice, raceInvoice, worklistInvoice, creditInvoice, camtInvoice] = (
    await Promise.all([
      invoiced('A-2', 'F-1', 10_000),
      invoiced('A-3', 'F-2', 10_000),
      invoiced('A-4', 'F-3', 10_000),
      invoiced('A-5', 'F-4', 9_900),
      invoiced('A-6', 'F-5', 10_000),
    ])
  ).map((i) => i.invoiceNumber) as [string, string, string, string, string];
});

// First: the worklist's totals count only its own lines.
test("finance's worklist: unmatched bank lines page, are resolved with who, when and a note, leave the list, and a re-import lists none of them again", async () => {
  const statement = camtStatement('STMT-WORK', [
    { ref: 'W-1', cents: 5000, remittance: 'huur januari' },
    { ref: 'W-2', cents: 700, remittance: 'gift' },
    { ref: 'W-3', cents: 800, remittance: 'onbekend' },
    { ref: 'W-4', cents: 300, remittance: `${worklistInvoice} en 2026-999999` },
  ]);
  const imported = (await statementImport(statement)).json();
  expect(imported.unmatched.map((u: { reference: string }) => u.reference)).toEqual(['camt:W-1', 'camt:W-2', 'camt:W-3', 'camt:W-4']);

  // Paged, with the total.
  const page1 = await unmatched('?limit=2');
  expect(page1).toEqual(expect.objectContaining({ total: 4, limit: 2, offset: 0 }));
  expect(page1.payments.map((p: { reference: string }) => p.reference)).toEqual(['camt:W-1', 'camt:W-2']);
  expect((await unmatched('?limit=2&offset=2')).payments.map((p: { reference: string }) => p.reference)).toEqual(['camt:W-3', 'camt:W-4']);
  expect(page1.payments[0]).toEqual(expect.objectContaining({ amountCents: 5000, remittance: 'huur januari', resolution: null }));

  // Booked to an invoice: the payment id is the line's own reference.
  const booked = await resolve('camt:W-1', { resolution: 'booked', invoiceNumber: worklistInvoice, note: 'huurder belde: was voor de factuur' });
  expect(booked.statusCode).toBe(200);
  expect(booked.json().resolution).toEqual({
    outcome: 'booked',
    invoiceNumber: worklistInvoice,
    by: expect.stringMatching(/^finance:/),
    byName: null, // a role key, not a person
    at: expect.any(String),
    note: 'huurder belde: was voor de factuur',
  });
  const afterBooking = await invoice(worklistInvoice);
  expect(afterBooking.payments).toEqual([expect.objectContaining({ paymentId: 'camt:W-1', amountCents: 5000, source: 'camt053', reference: 'huur januari' })]);

  // Not ours; refunded. A note is required for both.
  expect(problem(await resolve('camt:W-2', { resolution: 'not_ours' }), 400).errors?.map((e) => e.path)).toEqual(['body.note']);
  const notOurs = await resolve('camt:W-2', { resolution: 'not_ours', note: 'storting op verkeerde rekening' });
  expect(notOurs.statusCode).toBe(200);
  expect((await resolve('camt:W-3', { resolution: 'refunded', note: 'teruggestort 3 dec' })).statusCode).toBe(200);

  // The same resolution again answers what was recorded; another is a conflict.
  const retried = await resolve('camt:W-2', { resolution: 'not_ours', note: 'storting op verkeerde rekening' });
  expect(retried.json()).toEqual(notOurs.json());
  expect(problem(await resolve('camt:W-2', { resolution: 'refunded', note: 'toch terug' }), 409).detail).toContain('not_ours');
  expect(problem(await resolve('camt:W-3', { resolution: 'booked', invoiceNumber: '2026-999999' }), 409).detail).toContain('refunded');
  expect(problem(await resolve('camt:W-4', { resolution: 'booked', invoiceNumber: '2026-999999' }), 400).errors?.map((e) => e.path)).toEqual(['body.invoiceNumber']);
  expect((await resolve('camt:NOPE', { resolution: 'not_ours', note: 'x' })).statusCode).toBe(404);

  // Booked by hand under its own reference: it leaves the list too.
  expect((await pay(worklistInvoice, { amountCents: 300, paidOn: today(), paymentId: 'camt:W-4' })).json().booked).toBe(true);

  expect(await unmatched()).toEqual({ total: 0, limit: 100, offset: 0, payments: [] });
  const resolved = await unmatched('?status=resolved');
  expect(resolved.total).toBe(4);
  expect(resolved.payments.map((p: { reference: string; resolution: { outcome: string; note: string | null } }) => [p.reference, p.resolution.outcome, p.resolution.note])).toEqual([
    ['camt:W-1', 'booked', 'huurder belde: was voor de factuur'],
    ['camt:W-2', 'not_ours', 'storting op verkeerde rekening'],
    ['camt:W-3', 'refunded', 'teruggestort 3 dec'],
    ['camt:W-4', 'booked', expect.any(String)],
  ]);
  expect((await unmatched('?status=all')).total).toBeGreaterThanOrEqual(4);

  // The statement again: nothing booked twice, nothing listed again.
  const again = (await statementImport(statement)).json();
  expect(again).toEqual({
    booked: [],
    alreadyBooked: [
      { reference: 'camt:W-1', invoiceNumber: worklistInvoice },
      { reference: 'camt:W-4', invoiceNumber: worklistInvoice },
    ],
    unmatched: [],
    alreadyResolved: [
      { reference: 'camt:W-2', resolution: 'not_ours', invoiceNumber: null },
      { reference: 'camt:W-3', resolution: 'refunded', invoiceNumber: null },
    ],
  });
  expect((await unmatched()).total).toBe(0);
  expect((await invoice(worklistInvoice)).paidCents).toBe(5300);
});

describe('a payment CSV is booked all or nothing', () => {
  test('one bad line refuses the whole file: every bad line is named, nothing is booked and nothing is listed as unmatched', async () => {
    const t = today();
    const file = [
      `${csvInvoice},10.00,${t},ok,csv-a`, // line 2
      `${csvInvoice},0.00,${t},nul,csv-b`, // line 3: nothing paid
      `${csvInvoice},5.00,${t},ok,csv-c`, // line 4
      `${csvInvoice},99999999999999999999,${t},veel,csv-d`, // line 5: beyond any cap
      `${csvInvoice},1.00,${addCalendarDays(t, 1)},morgen,csv-e`, // line 6: in the future
      `${csvInvoice},1.00,2020-01-02,oud,csv-f`, // line 7: before the invoice was issued
      `${csvInvoice},1.00,${t},${'r'.repeat(501)},csv-g`, // line 8: reference too long
      `${csvInvoice},1.00,${t},lang,${'p'.repeat(201)}`, // line 9: payment id too long
      `2026-999999,1.00,${t},onbekend,csv-h`, // line 10: fine, would be listed as unmatched
      `${csvInvoice},2.00,${t},dubbel,csv-a`, // line 11: the same payment id as line 2
      `${csvInvoice},1000000.01,${t},te veel,csv-i`, // line 12: above the cap of one payment
    ];
    const body = problem(await csvImport(file), 400);
    expect(body.errors?.map((e) => e.path)).toEqual([
      'line 3: amount',
      'line 5: amount',
      'line 6: paidOn',
      'line 7: paidOn',
      'line 8: reference',
      'line 9: paymentId',
      'line 11: paymentId',
      'line 12: amount',
    ]);
    expect(body.detail).toBe('the request is invalid: 8 problems');
    expect(body.errors?.find((e) => e.path === 'line 7: paidOn')?.message).toContain('before the invoice was issued');
    expect(JSON.stringify(body).length).toBeLessThan(4000); // no echo of the long values

    expect((await invoice(csvInvoice)).payments).toEqual([]);
    expect((await unmatched('?status=all')).payments.map((p: { reference: string }) => p.reference)).not.toContain('csv-h');

    // The good lines alone: booked; again: booked once.
    const good = [file[0]!, file[2]!, file[8]!];
    const first = await csvImport(good);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({
      booked: [
        { reference: 'csv-a', invoiceNumber: csvInvoice, amountCents: 1000 },
        { reference: 'csv-c', invoiceNumber: csvInvoice, amountCents: 500 },
      ],
      alreadyBooked: [],
      unmatched: [{ reference: 'csv-h', amountCents: 100, remittance: 'onbekend', reason: 'no invoice 2026-999999' }],
      alreadyResolved: [],
    });
    const again = (await csvImport(good)).json();
    expect(again.booked).toEqual([]);
    expect(again.alreadyBooked.map((b: { reference: string }) => b.reference)).toEqual(['csv-a', 'csv-c']);
    expect((await invoice(csvInvoice)).paidCents).toBe(1500);
  });

  test('a file with more than 20 bad lines lists the first 20 and says how many there are', async () => {
    const body = problem(await csvImport(Array.from({ length: 25 }, (_, i) => `${csvInvoice},0.00,${today()},x,many-${i}`)), 400);
    expect(body.errors).toHaveLength(20);
    expect(body.errors?.[0]).toEqual({ path: 'line 2: amount', message: 'a payment is more than 0.00' });
    expect(body.detail).toBe('the request is invalid: 25 problems, the first 20 listed');
  });

  test('one payment dated in the future or before the invoice date is refused, naming body.paidOn', async () => {
    const future = problem(await pay(csvInvoice, { amountCents: 100, paidOn: addCalendarDays(today(), 1), paymentId: 'later' }), 400);
    expect(future.errors).toEqual([{ path: 'body.paidOn', message: expect.stringContaining('future') }]);
    const early = problem(await pay(csvInvoice, { amountCents: 100, paidOn: '2020-01-02', paymentId: 'early' }), 400);
    expect(early.errors).toEqual([{ path: 'body.paidOn', message: expect.stringContaining('before the invoice was issued') }]);
    expect((await invoice(csvInvoice)).payments.map((p: { paymentId: string }) => p.paymentId)).toEqual(['csv-a', 'csv-c']);
  });

  test('a bank statement line dated before the invoice or in the future is listed for finance with the reason, not booked', async () => {
    const result = await statementImport(
      camtStatement('STMT-DATES', [
        { ref: 'D-1', cents: 500, remittance: `factuur ${camtInvoice}`, bookedOn: '2020-01-02' },
        { ref: 'D-2', cents: 600, remittance: `factuur ${camtInvoice}`, bookedOn: addCalendarDays(today(), 3) },
        { ref: 'D-3', cents: 700, remittance: `factuur ${camtInvoice}` },
      ]),
    );
    expect(result.statusCode).toBe(200);
    expect(result.json().booked).toEqual([{ reference: 'camt:D-3', invoiceNumber: camtInvoice, amountCents: 700 }]);
    expect(result.json().unmatched.map((u: { reference: string; reason: string }) => [u.reference, u.reason])).toEqual([
      ['camt:D-1', expect.stringContaining('before the invoice was issued')],
      ['camt:D-2', expect.stringContaining('future')],
    ]);
    expect((await invoice(camtInvoice)).paidCents).toBe(700);
  });
});

test('concurrent requests with one payment id: exactly one says booked, the others already booked, and the money is booked once', async () => {
  const race = async (paymentId: string, amountCents: number) =>
    Promise.all(Array.from({ length: 5 }, () => pay(raceInvoice, { amountCents, paidOn: today(), paymentId })));

  const partial = await race('kas-race', 1000);
  expect(partial.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
  expect(partial.map((r) => r.json().booked).sort()).toEqual([false, false, false, false, true]);

  // Paid in full by one of them: the workflow ends, and the others still learn it was booked.
  const full = await race('kas-rest', 9000);
  expect(full.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
  expect(full.map((r) => r.json().booked).sort()).toEqual([false, false, false, false, true]);

  const paid = await invoice(raceInvoice);
  expect(paid.payments.map((p: { paymentId: string; amountCents: number }) => [p.paymentId, p.amountCents])).toEqual([
    ['kas-race', 1000],
    ['kas-rest', 9000],
  ]);
  expect(paid).toEqual(expect.objectContaining({ status: 'paid', paidCents: 10_000 }));
});

test('crediting a partly paid invoice credits the whole claim and records the paid part as owed back to the tenant, in the export and the letter', async () => {
  expect((await pay(creditInvoice, { amountCents: 4000, paidOn: today(), paymentId: 'kas-deel' })).json().booked).toBe(true);
  const credited = await stack.app.inject({ method: 'POST', url: `/invoices/${creditInvoice}/credit`, headers: auth('finance'), payload: { reason: 'coulance' } });
  expect(credited.statusCode).toBe(200);
  const { creditNoteNumber } = credited.json();

  const after = await invoice(creditInvoice);
  expect(after).toEqual(expect.objectContaining({ status: 'credited', paidCents: 4000, refundDueCents: 4000, creditNoteNumber, openCents: 0 }));
  const event = after.timeline.find((e: { type: string }) => e.type === 'InvoiceCredited');
  expect(event.data).toEqual(expect.objectContaining({ amountCents: 9900, refundDueCents: 4000 }));

  const exported = await stack.app.inject({ method: 'GET', url: `/billing/export?from=${today()}&to=${today()}&format=json`, headers: auth('finance') });
  const rows = exported.json().filter((r: { invoice_number: string }) => r.invoice_number === creditInvoice);
  expect(rows.map((r: { record_type: string; amount: string; document_number: string; ledger_account: string }) => [r.record_type, r.amount, r.document_number, r.ledger_account])).toEqual([
    ['invoice_line', '99.00', creditInvoice, '8410'],
    ['payment', '-40.00', 'kas-deel', '1300'],
    ['credit_note', '-99.00', creditNoteNumber, '8410'],
    ['refund_due', '40.00', creditNoteNumber, '1610'],
  ]);
  // The debtor's account on this invoice comes to nothing: what is owed back is on the refunds account.
  expect(rows.reduce((sum: number, r: { amount: string }) => sum + Math.round(Number(r.amount) * 100), 0)).toBe(0);

  const letter = await waitForMail('a5@bewoners.test', 'Creditnota');
  expect(letter.text).toContain('€ 99,00');
  expect(letter.text).toMatch(/al € 40,00 betaald; dat bedrag betalen wij aan u terug/);
});

async function waitForMail(address: string, subjectStart: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = stack.smtp.to(address).find((m) => m.subject.startsWith(subjectStart));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no mail "${subjectStart}" to ${address}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
