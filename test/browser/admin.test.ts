import type { Browser } from 'playwright-core';
import { startStack, type Stack } from '../support/stack';
import { expectAccessible, launchBrowser, newPerson, signIn } from '../support/browser';

jest.setTimeout(120_000);

let stack: Stack;
let browser: Browser;
beforeAll(async () => {
  // The development directory: building C1-B with B-1, B-2 and B-3 (test/support/fixtures.ts).
  stack = await startStack('browser_admin', {}, { web: true });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const header = 'contractNumber,name,email,street,houseNumber,postalCode,city,complexId,buildingId,unit';
const csvFile = (lines: string[]) => ({ name: 'huurders.csv', mimeType: 'text/csv', buffer: Buffer.from([header, ...lines].join('\r\n')) });

test('an admin uploads a tenant CSV, sees what would change, confirms, and the directory has changed', async () => {
  const { context, page } = await newPerson(browser);
  await signIn(page, stack.url, 'admin', '/app/adresboek');
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Adresboek');
  await expectAccessible(page);

  await page.getByLabel('CSV-bestand met huurders').setInputFiles(
    csvFile([
      'B-1,Bewoner B1,verhuisd@bewoners.test,Kerkweg,1,5678 CD,Utrecht,C1,C1-B,1a',
      'B-2,Bewoner B2,b2@bewoners.test,Kerkweg,2,5678 CD,Utrecht,C1,C1-B,2',
      'N-7,Nieuwe Huurder,,Kerkweg,7,5678 CD,Utrecht,C1,C1-B,7',
    ]),
  );
  await page.getByRole('button', { name: 'Huurders controleren' }).click();
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Controleer de wijzigingen');
  const cards = await page.locator('ul.cards li').allInnerTexts();
  expect(cards.map((c) => c.replace(/\s+/g, ' '))).toEqual(expect.arrayContaining(['Nieuw 1 huurder', 'Gewijzigd 1 huurder', 'Ongewijzigd 1 huurder']));
  const changed = page.getByRole('region', { name: 'Gewijzigde huurders' });
  const rows = (await changed.locator('tbody tr').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
  expect(rows).toEqual(['B-1 Bewoner B1 e-mail b1@bewoners.test verhuisd@bewoners.test', 'woning 1 1a']);
  expect(await page.locator('main').innerText()).toContain('N-7: Nieuwe Huurder');
  expect(await page.locator('main').innerText()).toContain('Inlezen verwijdert niemand');
  // Nothing has changed yet.
  expect((await stack.database.db.selectFrom('tenants').select('email').where('contract_number', '=', 'B-1').executeTakeFirstOrThrow()).email).toBe('b1@bewoners.test');
  await expectAccessible(page);

  await page.getByRole('button', { name: 'Deze 2 wijzigingen opslaan' }).click();
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Adresboek');
  expect(await page.getByRole('status').innerText()).toContain('3 huurders ingelezen.');
  const stored = await stack.database.db.selectFrom('tenants').select(['contract_number', 'email', 'unit']).where('contract_number', 'in', ['B-1', 'N-7']).orderBy('contract_number').execute();
  expect(stored).toEqual([
    { contract_number: 'B-1', email: 'verhuisd@bewoners.test', unit: '1a' },
    { contract_number: 'N-7', email: null, unit: '7' },
  ]);
  await context.close();
});

test('a file with a wrong line is refused with the line and the reason in Dutch, and nothing changes', async () => {
  const { context, page } = await newPerson(browser);
  await signIn(page, stack.url, 'admin', '/app/adresboek');
  await page.getByLabel('CSV-bestand met huurders').setInputFiles(csvFile(['X-1,Iemand,geen-mail,Kerkweg,1,12345,Utrecht,C1,C1-B,1']));
  await page.getByRole('button', { name: 'Huurders controleren' }).click();
  const alert = await page.getByRole('alert').innerText();
  expect(alert).toContain('Er is niets gewijzigd');
  expect(alert).toContain('Regel 2, postcode: geen geldige postcode (zoals 1234 AB)');
  expect(alert).toContain('Regel 2, e-mail: geen geldig e-mailadres');
  expect(await stack.database.db.selectFrom('tenants').select('contract_number').where('contract_number', '=', 'X-1').execute()).toEqual([]);
  await expectAccessible(page);
  await context.close();
});

test('the policy in force, in Dutch, for an admin and a manager; on a phone too', async () => {
  const { context, page } = await newPerson(browser, 'phone');
  await signIn(page, stack.url, 'manager', '/app/beleid');
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Beleid dat nu geldt');
  const stairwell = page.locator('tbody tr', { has: page.getByRole('rowheader', { name: 'vervuild trappenhuis' }) });
  const text = (await stairwell.innerText()).replace(/\s+/g, ' ');
  expect(text).toContain('2 werkdagen');
  expect(text).toContain('1 werkdag voor het einde van de termijn');
  expect(text).toContain('de werkelijke kosten van de aannemer');
  expect(text).toContain('14 dagen');
  expect(await page.locator('main').innerText()).toContain('Niet in behandeling (de melder krijgt advies): leefgeluid, spelende kinderen, parkeren.');
  expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
  await expectAccessible(page);
  await context.close();

  const admin = await newPerson(browser, 'phone');
  await signIn(admin.page, stack.url, 'admin', '/app/adresboek');
  expect(await admin.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
  await expectAccessible(admin.page);
  await admin.page.goto(`${stack.url}/app/beleid`);
  expect(await admin.page.getByRole('heading', { level: 1 }).innerText()).toBe('Beleid dat nu geldt');
  await admin.context.close();
});

test('the policy page says how long personal data is kept and what the last retention run removed; on a phone too', async () => {
  await stack.database.db
    .insertInto('retention_runs')
    .values({ run_id: 'retention-test', ran_at: new Date('2026-12-04T02:30:00Z'), narratives_removed: 3, photos_removed: 5, offences_removed: 1, sessions_removed: 2, billing_addressees_removed: 0 })
    .execute();
  const { context, page } = await newPerson(browser, 'phone');
  await signIn(page, stack.url, 'admin', '/app/beleid');
  await page.getByRole('heading', { name: 'Bewaartermijnen' }).waitFor();
  const row = async (name: string) => (await page.locator('tbody tr', { has: page.getByRole('rowheader', { name }) }).innerText()).replace(/\s+/g, ' ');
  expect(await row("Omschrijving, notities, redenen en foto's van een melding")).toContain('12 maanden na het afsluiten');
  expect(await row('Overtredingen van een huurder')).toContain('18 maanden');
  expect(await row('Facturen, betalingen en de naam en het adres op de factuur')).toContain('7 jaar na het jaar van de factuur');
  expect((await page.locator('main').innerText()).replace(/\s+/g, ' ')).toContain(
    "Laatst uitgevoerd op 4 december 2026, 03.30 uur: 3 meldingen zonder omschrijving en notities, 5 foto's, 1 overtreding, 2 sessies en 0 factuuradressen verwijderd.",
  );
  expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
  await expectAccessible(page);
  await context.close();
});

test('an admin answers a tenant\'s privacy requests: the document with everything held, then the erasure, after ticking that it is meant; on a phone too', async () => {
  const { context, page } = await newPerson(browser, 'phone');
  await signIn(page, stack.url, 'admin', '/app/privacy');
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Privacyverzoeken');
  expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
  await expectAccessible(page);

  await page.getByRole('textbox', { name: 'Contractnummer' }).first().fill('B-3');
  await page.getByRole('button', { name: 'Gegevens tonen' }).click();
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Uw gegevens bij Woonstichting Test');
  const document = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
  expect(document).toContain('Bewoner B3');
  expect(document).toContain('b3@bewoners.test');
  expect(document).toContain('Kerkweg 3, 5678 CD Utrecht');
  await expectAccessible(page);

  await page.goto(`${stack.url}/app/privacy`);
  const erase = page.locator('form', { has: page.getByRole('button', { name: 'Gegevens wissen' }) });
  await erase.getByRole('textbox', { name: 'Contractnummer' }).fill('B-3');
  await erase.getByRole('checkbox', { name: 'Ik weet dat wissen niet ongedaan kan worden' }).check();
  await erase.getByRole('button', { name: 'Gegevens wissen' }).click();
  expect((await page.locator('main').innerText()).replace(/\s+/g, ' ')).toContain('De gegevens van huurder B-3 zijn gewist');
  await expectAccessible(page);
  expect(await stack.database.db.selectFrom('tenants').select('name').where('contract_number', '=', 'B-3').executeTakeFirst()).toBeUndefined();
  await context.close();
});
