import type { Browser, Page } from 'playwright-core';
import { appendToStream } from '../../db/event-store';
import { event, incidentReported } from '../support/events';
import { camtStatement } from '../support/camt';
import { startStack, auth, waitForIncident, type Stack } from '../support/stack';
import { expectAccessible, launchBrowser, newPerson, signIn } from '../support/browser';

jest.setTimeout(180_000);

let stack: Stack;
let browser: Browser;
let invoiceNumber: string;

/** An incident the polluter left: the deadline passes (seconds here), the contractor cleans for `costCents`, the invoice goes out. */
async function escalatedToInvoice(polluter: string, building: string, costCents: number): Promise<string> {
  const reported = await stack.app.inject({
    method: 'POST',
    url: '/incidents',
    headers: auth('consultant'),
    payload: { category: 'fouled_stairwell', complexId: 'C1', buildingId: building, location: `trappenhuis ${building}`, polluterTenantId: polluter },
  });
  expect(reported.statusCode).toBe(201);
  const { incidentId } = reported.json();
  await waitForIncident(stack, incidentId, (i) => i.phase === 'cleanup_ordered');
  const completed = await stack.app.inject({ method: 'POST', url: `/incidents/${incidentId}/completion`, headers: auth('contractor'), payload: { contractorId: 'K-1', costCents } });
  expect(completed.statusCode).toBe(200);
  const closed = await waitForIncident(stack, incidentId, (i) => i.status === 'closed' && i.invoiceNumber);
  return closed.invoiceNumber;
}

beforeAll(async () => {
  // The stack's fast policy: a notice period of seconds, so the escalation happens while the test waits.
  stack = await startStack('browser_finance', undefined, { web: true });
  browser = await launchBrowser();
  invoiceNumber = await escalatedToInvoice('A-2', 'FIN-1', 12_345);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const main = (page: Page) => page.locator('main').innerText();
const heading = (page: Page) => page.getByRole('heading', { level: 1 }).innerText();

test('finance finds the invoice of an escalated incident, with its amount, lines, letter and debtor', async () => {
  const { context, page } = await newPerson(browser);
  await signIn(page, stack.url, 'finance', '/app');
  // Finance opens on the invoices.
  expect(page.url()).toBe(`${stack.url}/app/facturen`);
  expect(await heading(page)).toBe('Facturen');
  const row = page.getByRole('row').filter({ hasText: invoiceNumber });
  expect(await row.innerText()).toMatch(/Bewoner A2[\s\S]*€ 123,45/);
  expect(await page.getByRole('region', { name: 'Openstaand naar ouderdom' }).innerText()).toContain('Nog niet vervallen');
  await expectAccessible(page);

  // Filtered: not among the paid ones, among the ones not yet due.
  await page.selectOption('#status', 'paid');
  await page.getByRole('button', { name: 'Toon facturen' }).click();
  expect(await main(page)).toContain('Geen facturen gevonden.');
  await page.selectOption('#status', '');
  await page.selectOption('#age', 'not_yet_due');
  await page.getByRole('button', { name: 'Toon facturen' }).click();
  expect(await page.getByRole('link', { name: invoiceNumber }).count()).toBe(1);

  await page.getByRole('link', { name: invoiceNumber }).click();
  expect(await heading(page)).toBe(`Factuur ${invoiceNumber}`);
  expect(await page.getByRole('link', { name: 'Bewoner A2' }).getAttribute('href')).toBe('/app/debiteuren/A-2');
  const facts = await page.locator('dl.facts').innerText();
  expect(facts).toMatch(/Factuurbedrag\s+€ 123,45/);
  expect(facts).toMatch(/Open\s+€ 123,45/);
  expect(facts).toMatch(/Vervaldatum\s+(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag) \d{1,2} \w+ 20\d\d/);
  const lines = await page.getByRole('table').first().innerText();
  expect(lines).toContain('€ 123,45');
  expect(lines).toContain('Totaal');
  expect(await main(page)).toContain('Er is nog niets betaald.');
  const pdf = page.getByRole('link', { name: 'Factuur (PDF)' });
  const download = await page.request.get(new URL((await pdf.getAttribute('href'))!, stack.url).toString());
  expect({ status: download.status(), type: download.headers()['content-type'] }).toEqual({ status: 200, type: 'application/pdf' });
  await expectAccessible(page);

  // The debtor's account: every invoice of the contract number, with what is open; found by the contract number too.
  await page.goto(`${stack.url}/app/facturen`);
  await page.getByRole('searchbox', { name: 'Factuurnummer of contractnummer' }).fill('A-2');
  await page.getByRole('button', { name: 'Zoeken' }).click();
  expect(await heading(page)).toBe('Debiteur Bewoner A2');
  expect(await page.getByRole('definition').filter({ hasText: '€' }).allInnerTexts()).toEqual(['€ 123,45', '€ 0,00', '€ 123,45']);
  expect(await page.getByRole('row').filter({ hasText: invoiceNumber }).count()).toBe(1);
  await expectAccessible(page);
  await context.close();
});

test('finance uploads a bank statement that pays the invoice in part, sees what matched, and resolves the unmatched line', async () => {
  const { context, page } = await newPerson(browser);
  await signIn(page, stack.url, 'finance', '/app/betalingen');
  expect(await heading(page)).toBe('Betalingen');
  expect(await main(page)).toContain('Er staan geen betalingen op de werklijst.');
  await expectAccessible(page);

  const statement = camtStatement('STMT-BROWSER', [
    { ref: 'BR-1', cents: 5_000, remittance: `Factuur ${invoiceNumber}` },
    { ref: 'BR-2', cents: 2_500, remittance: 'schoonmaak trappenhuis' },
  ]);
  await page.setInputFiles('#file', { name: 'afschrift.xml', mimeType: 'application/xml', buffer: Buffer.from(statement) });
  await page.getByRole('button', { name: 'Inlezen' }).click();
  expect(await page.getByRole('status').first().innerText()).toContain('afschrift.xml is ingelezen: 1 betaling geboekt, 1 niet gekoppeld.');
  const matched = page.getByRole('table', { name: 'Geboekt op een factuur' });
  expect(await matched.getByRole('row').nth(1).innerText()).toMatch(new RegExp(`${invoiceNumber}\\s+€ 50,00\\s+camt:BR-1`));
  expect(await page.getByRole('table', { name: /Niet gekoppeld/ }).innerText()).toContain('Geen factuurnummer in de omschrijving.');
  await expectAccessible(page);

  // The worklist: one line, with what the bank said.
  const item = page.locator('li.worklist-item').filter({ hasText: 'camt:BR-2' });
  expect(await item.getByRole('heading').innerText()).toMatch(/^€ 25,00 op \w+ \d{1,2} \w+ 20\d\d$/);
  // Not ours, without a note: refused, with the reason in Dutch.
  await item.getByRole('radio', { name: 'Niet voor ons' }).check();
  await item.getByRole('button', { name: 'Regel afhandelen' }).click();
  expect(await page.getByRole('alert').innerText()).toContain('Geef een toelichting');
  // Booked on an invoice that does not exist: the API's refusal, in Dutch.
  const again = page.locator('li.worklist-item').filter({ hasText: 'camt:BR-2' });
  await again.getByRole('radio', { name: 'Boeken op een factuur' }).check();
  await again.getByLabel(/Factuurnummer/).fill('2026-999999');
  await again.getByRole('button', { name: 'Regel afhandelen' }).click();
  expect(await page.getByRole('alert').innerText()).toContain('factuur 2026-999999 bestaat niet');
  // Booked on the invoice: confirmed, and the worklist is empty.
  const third = page.locator('li.worklist-item').filter({ hasText: 'camt:BR-2' });
  await third.getByRole('radio', { name: 'Boeken op een factuur' }).check();
  await third.getByLabel(/Factuurnummer/).fill(invoiceNumber);
  await third.getByLabel(/Toelichting/).fill('huurder belde: was voor de factuur');
  await third.getByRole('button', { name: 'Regel afhandelen' }).click();
  expect(await page.getByRole('status').first().innerText()).toContain(`Regel camt:BR-2 is geboekt op factuur ${invoiceNumber}.`);
  expect(await main(page)).toContain('Er staan geen betalingen op de werklijst.');
  await expectAccessible(page);

  // The resolved lines say how, by whom and why.
  await page.getByRole('link', { name: 'Toon de afgehandelde regels' }).click();
  expect(await page.getByRole('row').filter({ hasText: 'camt:BR-2' }).innerText()).toMatch(/geboekt op een factuur[\s\S]*Fatima Financiën, [\s\S]*huurder belde: was voor de factuur/);

  // The invoice: both payments, and what is still open.
  await page.goto(`${stack.url}/app/facturen/${invoiceNumber}`);
  const facts = await page.locator('dl.facts').innerText();
  expect(facts).toMatch(/Betaald\s+€ 75,00/);
  expect(facts).toMatch(/Open\s+€ 48,45/);
  const payments = page.getByRole('table').nth(1);
  expect(await payments.innerText()).toMatch(/€ 50,00\s+bankafschrift\s+camt:BR-1/);
  expect(await payments.innerText()).toMatch(/€ 25,00\s+bankafschrift\s+camt:BR-2/);
  await context.close();
});

test('finance creates an export batch, sees it in the history, and its download holds the invoice and the payments', async () => {
  const { context, page } = await newPerson(browser);
  await signIn(page, stack.url, 'finance', '/app/exports');
  expect(await heading(page)).toBe('Exports naar de boekhouding');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Exportbatch maken' }).click();
  expect(await page.getByRole('status').first().innerText()).toMatch(/De batch bevat \d+ boekingen\./);
  const history = page.getByRole('table', { name: 'Nieuwste batch eerst' });
  expect(await history.getByRole('row').count()).toBe(2);
  const link = history.getByRole('link', { name: /^Download batch .+ \(CSV\)$/ });
  const csv = await page.request.get(new URL((await link.getAttribute('href'))!, stack.url).toString());
  expect(csv.status()).toBe(200);
  const text = await csv.text();
  expect(text).toContain(`invoice_line,`);
  expect(text).toMatch(new RegExp(`${invoiceNumber}.*123\\.45`));
  expect(text).toMatch(/camt:BR-1.*-50\.00/);
  await expectAccessible(page);

  // Nothing new since: no empty batch, and a message that says so.
  await page.getByRole('button', { name: 'Exportbatch maken' }).click();
  expect(await page.getByRole('status').first().innerText()).toContain('Sinds de vorige batch is er niets nieuws om te exporteren');
  expect(await page.getByRole('table', { name: 'Nieuwste batch eerst' }).getByRole('row').count()).toBe(2);

  // A period's bookings: a period that ends before it starts is said in Dutch; a good one downloads.
  await page.fill('#from', '2026-12-31');
  await page.fill('#to', '2026-12-01');
  await page.getByRole('button', { name: 'Download CSV' }).click();
  expect(await page.getByRole('alert').innerText()).toContain('De datum tot en met ligt vóór de datum van.');
  await expectAccessible(page);
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(new Date());
  const period = await page.request.get(`${stack.url}/app/exports/periode?from=${today}&to=${today}`);
  expect({ status: period.status(), type: period.headers()['content-type'] }).toEqual({ status: 200, type: 'text/csv; charset=utf-8' });
  expect(await period.text()).toMatch(new RegExp(`invoice_line,${today},${invoiceNumber}`));
  await context.close();
});

test('finance credits the rest with a reason; the invoice shows the credit note, the amount owed back and who credited it', async () => {
  const { context, page } = await newPerson(browser);
  await signIn(page, stack.url, 'finance', `/app/facturen/${invoiceNumber}`);
  page.on('dialog', (dialog) => void dialog.accept());
  // A payment by hand with an amount that is not one: said in Dutch, nothing booked.
  await page.fill('#amount', '12,345');
  await page.getByRole('button', { name: 'Betaling boeken' }).click();
  expect(await page.getByRole('alert').innerText()).toContain('Vul het bedrag in euro in, met hoogstens twee cijfers na de komma');
  expect(await page.locator('dl.facts').innerText()).toMatch(/Betaald\s+€ 75,00/);
  // Without a reason: refused, in Dutch.
  await page.getByRole('button', { name: 'Factuur crediteren' }).click({ noWaitAfter: true });
  // The browser refuses an empty required field itself; without it the page says so.
  expect(await page.locator('#reason').evaluate((e: { validity: { valueMissing: boolean } }) => e.validity.valueMissing)).toBe(true);
  await page.fill('#reason', 'coulance: eerste keer');
  await page.getByRole('button', { name: 'Factuur crediteren' }).click();
  expect(await page.getByRole('status').first().innerText()).toMatch(/De factuur is gecrediteerd met creditnota C?\d{4}-\d{6}/);
  expect(await page.locator('p.lead').innerText()).toContain('gecrediteerd');
  expect(await page.locator('dl.facts').innerText()).toMatch(/Terug te betalen\s+€ 75,00 aan de huurder/);
  const credited = page.locator('ol.timeline li').filter({ hasText: 'Gecrediteerd' });
  expect(await credited.innerText()).toMatch(/Fatima Financiën[\s\S]*Reden: coulance: eerste keer\. Al betaald en terug te betalen aan de huurder: € 75,00\./);
  expect(await page.getByRole('heading', { name: 'Acties' }).count()).toBe(0);
  await expectAccessible(page);
  await context.close();
});

test('the invoice list and an invoice are usable at phone width', async () => {
  const { context, page } = await newPerson(browser, 'phone');
  await signIn(page, stack.url, 'finance', '/app/facturen');
  expect(await heading(page)).toBe('Facturen');
  const link = page.getByRole('link', { name: invoiceNumber });
  expect(await link.isVisible()).toBe(true);
  // Nothing wider than the screen: no sideways scrolling to read an invoice.
  expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
  await expectAccessible(page);
  await link.click();
  expect(await heading(page)).toBe(`Factuur ${invoiceNumber}`);
  expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
  await expectAccessible(page);
  await context.close();
});

test('a payment CSV with a bad line is refused as a whole, the bad line named in Dutch, and nothing is booked; a broken statement is refused in Dutch', async () => {
  const { context, page } = await newPerson(browser);
  await signIn(page, stack.url, 'finance', '/app/betalingen');
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(new Date());
  const csv = ['invoiceNumber,amount,paidOn,reference,paymentId', `${invoiceNumber},0.00,${today},nul,csv-nul`, `2026-999999,5.00,${today},onbekend,csv-ok`].join('\n');
  await page.setInputFiles('#file', { name: 'betalingen.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Inlezen' }).click();
  const alert = await page.getByRole('alert').innerText();
  expect(alert).toContain('betalingen.csv is niet ingelezen');
  expect(alert).toContain('regel 2 (bedrag): een betaling is meer dan € 0,00');
  expect(await main(page)).toContain('Er staan geen betalingen op de werklijst.');
  // A statement cut off half-way: not read, said in Dutch.
  await page.setInputFiles('#file', { name: 'kapot.xml', mimeType: 'application/xml', buffer: Buffer.from('<?xml version="1.0"?>\n<Document><BkToCstmrStmt>') });
  await page.getByRole('button', { name: 'Inlezen' }).click();
  expect(await page.getByRole('alert').innerText()).toMatch(/kapot\.xml is niet ingelezen[\s\S]*Dit is geen leesbaar bankafschrift \(CAMT\.053\)/);
  await expectAccessible(page);
  await context.close();
});

test("an invoice's dunning steps read in Dutch, with their dates and amounts, and it is listed among those handed to collections", async () => {
  // The steps of weeks, recorded as the invoice workflow records them (no workflow waits weeks in a test).
  const number = '2026-900001';
  const incidentId = 'INC-DUNNING';
  const n = { invoiceNumber: number, incidentId };
  await appendToStream(stack.database.db, `incident-${incidentId}`, 'no_stream', [{ eventId: `incident-${incidentId}/1`, event: incidentReported(incidentId, { polluterTenantId: 'A-3', reportedAt: '2026-08-03T08:00:00.000Z' }) }], { actor: 'test' });
  const events = [
    event('InvoiceIssued', { ...n, debtorTenantId: 'A-3', issueDate: '2026-08-10', dueDate: '2026-08-24', lines: [{ description: 'Schoonmaak grofvuil', amountCents: 20_000, vatCode: 'BTW-GEEN' }], totalCents: 20_000, letters: [] }),
    event('PaymentReminderSent', { ...n, newDueDate: '2026-09-08', openCents: 20_000, letters: [] }),
    event('DunningPaused', { ...n, reason: 'bezwaar van de huurder', by: 'person:consultant', pausedOn: '2026-09-01' }),
    event('DunningResumed', { ...n, by: 'person:consultant', resumedOn: '2026-09-04', payByDate: '2026-09-11' }),
    event('FinalNoticeSent', { ...n, letterDate: '2026-09-15', receivedDate: '2026-09-17', finalDate: '2026-10-02', openCents: 20_000, collectionCostsCents: 4_000, interestCents: null, letters: [] }),
    event('CollectionCostsAdded', { ...n, amountCents: 4_000, interestCents: 0, addedOn: '2026-10-05' }),
    event('InvoiceHandedToCollections', { ...n, openCents: 24_000, handedOverOn: '2026-10-05' }),
  ];
  await appendToStream(stack.database.db, `invoice-${number}`, 'no_stream', events.map((e, i) => ({ eventId: `invoice-${number}/${i + 1}`, event: e })), { actor: 'test' });

  const { context, page } = await newPerson(browser);
  await signIn(page, stack.url, 'finance', '/app/facturen?age=collections');
  expect(await page.getByRole('row').filter({ hasText: number }).innerText()).toMatch(/€ 200,00\s+€ 240,00\s+open, bij incasso/);
  await page.getByRole('link', { name: number }).click();
  expect(await page.locator('dl.facts').innerText()).toMatch(/Incassokosten\s+€ 40,00[\s\S]*Open\s+€ 240,00/);
  const steps = await page.locator('ol.timeline').innerText();
  expect(steps).toContain('Herinnering verstuurd');
  expect(steps).toContain('Nieuwe uiterste betaaldatum: dinsdag 8 september 2026.');
  expect(steps).toContain('Aanmanen gepauzeerd');
  expect(steps).toContain('Op dinsdag 1 september 2026: bezwaar van de huurder.');
  expect(steps).toContain('Aanmanen hervat');
  expect(steps).toContain('Veertiendagenbrief verstuurd (aanmaning)');
  expect(steps).toContain('Uiterste betaaldatum: vrijdag 2 oktober 2026; daarna komen er € 40,00 incassokosten bij.');
  expect(steps).toContain('Incassokosten toegevoegd');
  expect(steps).toContain('Overgedragen aan incasso');
  expect(steps).toContain('Op maandag 5 oktober 2026, met € 240,00 open.');
  await expectAccessible(page);
  await context.close();
});

test('keyboard only: from the skip link to the first invoice, and Enter opens it', async () => {
  const { context, page } = await newPerson(browser);
  await signIn(page, stack.url, 'finance', '/app/facturen');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  // Tab on from the content: the age cards, the filters, then the invoices.
  let focused = '';
  for (let i = 0; i < 20 && !/^\d{4}-\d{6}$/.test(focused); i++) {
    await page.keyboard.press('Tab');
    focused = String(await page.evaluate('document.activeElement && document.activeElement.textContent'));
  }
  expect(focused).toMatch(/^\d{4}-\d{6}$/);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${stack.url}/app/facturen/${focused}`);
  expect(await heading(page)).toBe(`Factuur ${focused}`);
  await context.close();
});

test('a consultant reads an invoice (from an incident) but has no finance actions; the list stays finance\'s', async () => {
  const { context, page } = await newPerson(browser);
  await signIn(page, stack.url, 'consultant', `/app/facturen/${invoiceNumber}`);
  expect(await heading(page)).toBe(`Factuur ${invoiceNumber}`);
  expect(await page.locator('dl.facts').innerText()).toMatch(/Factuurbedrag\s+€ 123,45/);
  expect(await page.getByRole('heading', { name: 'Acties' }).count()).toBe(0);
  expect(await page.getByRole('button', { name: 'Factuur crediteren' }).count()).toBe(0);
  await expectAccessible(page);
  await page.goto(`${stack.url}/app/facturen`);
  expect(await heading(page)).toBe('Geen toegang');
  await context.close();
});
