import type { Browser, Page } from 'playwright-core';
import { startStack, waitForIncident, type Stack } from '../support/stack';
import { expectAccessible, launchBrowser, newPerson, signIn } from '../support/browser';

jest.setTimeout(120_000);

/** Deadlines an hour away: incidents wait while people look at them. */
const slowPolicy = { categories: { fouled_stairwell: { noticePeriod: 'PT1H', reminderBefore: 'PT30M' } } };

/** A real (tiny) PNG: the photo store checks the bytes, not the name. */
const png = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082',
  'hex',
);

let stack: Stack;
let browser: Browser;
beforeAll(async () => {
  stack = await startStack('browser_report', slowPolicy, { web: true });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Type into a field with suggestions, wait for the directory's suggestion, and take it. */
async function choose(page: Page, field: string, typed: string, value: string): Promise<string> {
  const input = page.locator(`#${field}`);
  await input.fill('');
  await input.pressSequentially(typed, { delay: 20 });
  const list = await input.getAttribute('list');
  const option = page.locator(`datalist#${list} option[value="${value}"]`);
  await option.waitFor({ state: 'attached', timeout: 5000 });
  const label = (await option.getAttribute('label')) ?? '';
  // What choosing the suggestion does: the field takes its value, and the page names what was chosen.
  await input.fill(value);
  await input.dispatchEvent('change');
  await page.waitForFunction(([id, text]) => (globalThis as any).document.getElementById(`${id}-chosen`)?.textContent === text, [field, label] as const);
  return label;
}

test('a consultant reports an incident with the typeahead and a photo, and sees its number; the event carries the photo and the person', async () => {
  const { context, page } = await newPerson(browser);
  await signIn(page, stack.url, 'consultant', '/app/meldingen/nieuw');
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Nieuwe melding');
  await expectAccessible(page);

  await page.getByLabel('Soort melding').selectOption({ label: 'Vervuild trappenhuis' });
  expect(await choose(page, 'complexId', 'stations', 'C1')).toBe('Complex C1: Kerkweg, Stationsstraat, Utrecht (9 huishoudens)');
  expect(await choose(page, 'buildingId', 'C1-', 'C1-A')).toBe('Gebouw C1-A in complex C1: Stationsstraat, Utrecht (6 huishoudens)');
  await page.getByLabel('Plaats in het gebouw').fill('trappenhuis, 2e verdieping');
  await page.getByLabel('Omschrijving').fill('vuilniszakken en etensresten op de overloop');
  expect(await choose(page, 'polluterTenantId', 'bewoner a2', 'A-2')).toBe('Bewoner A2, Stationsstraat 12, Utrecht (gebouw C1-A)');
  expect(await choose(page, 'complainantTenantId', 'stationsstraat 13', 'A-3')).toBe('Bewoner A3, Stationsstraat 13, Utrecht (gebouw C1-A)');
  await page.locator('#photos').setInputFiles({ name: 'overloop.png', mimeType: 'image/png', buffer: png });
  await expectAccessible(page);

  await Promise.all([page.waitForURL(/\/app\/meldingen\/nieuw\/gemeld\?/), page.getByRole('button', { name: 'Melding versturen' }).click()]);
  const heading = await page.getByRole('heading', { level: 1 }).innerText();
  expect(heading).toMatch(/^Melding \d{4}-\d{5} is vastgelegd$/);
  const number = heading.split(' ')[1]!;
  const link = page.getByRole('link', { name: `Naar melding ${number}` });
  const href = (await link.getAttribute('href'))!;
  expect(href).toMatch(/^\/app\/meldingen\/[0-9a-f-]{36}$/);
  await expectAccessible(page);

  const incidentId = href.split('/').pop()!;
  const incident = await waitForIncident(stack, incidentId, (i) => i.phase === 'awaiting_cleanup');
  expect({ number: incident.incidentNumber, building: incident.buildingId, polluter: incident.polluterTenantId, complainant: incident.complainantTenantId }).toEqual({
    number,
    building: 'C1-A',
    polluter: 'A-2',
    complainant: 'A-3',
  });
  const reported = incident.timeline.find((e: { type: string }) => e.type === 'IncidentReported');
  expect(reported.actorName).toBe('Carla de Consulent');
  expect(reported.data.photoIds).toHaveLength(1);
  const photo = await stack.app.inject({ method: 'GET', url: `/photos/${reported.data.photoIds[0]}`, headers: { authorization: 'Bearer test-consultant-key' } });
  expect(photo.rawPayload.equals(png)).toBe(true);

  // Reloading the confirmation reports nothing twice.
  await page.reload();
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(heading);

  // The incident page shows the photo on the timeline, at the report, and it loads.
  await page.getByRole('link', { name: `Naar melding ${number}` }).click();
  const shown = page.locator('ol.timeline img');
  expect(await shown.count()).toBe(1);
  expect(await shown.getAttribute('alt')).toMatch(/^Foto 1 bij: Melding gedaan/);
  expect(await shown.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth > 0)).toBe(true);
  await expectAccessible(page);
  await context.close();
});

test('on a phone: a second report on the same space is linked to the open incident, and the page says which', async () => {
  const { context, page } = await newPerson(browser, 'phone');
  await signIn(page, stack.url, 'consultant', '/app/meldingen/nieuw');
  await page.getByLabel('Soort melding').selectOption({ label: 'Grofvuil in een gemeenschappelijke ruimte' });
  await choose(page, 'complexId', 'C1', 'C1');
  await choose(page, 'buildingId', 'kerkweg', 'C1-B');
  await page.getByLabel('Plaats in het gebouw').fill('fietsenberging');
  await expectAccessible(page);
  await Promise.all([page.waitForURL(/gemeld/), page.getByRole('button', { name: 'Melding versturen' }).click()]);
  const first = (await page.getByRole('heading', { level: 1 }).innerText()).split(' ')[1]!;
  expect(first).toMatch(/^\d{4}-\d{5}$/);
  // The incident is registered by its workflow a moment later; a report after that is a duplicate.
  const firstId = (await page.getByRole('link', { name: `Naar melding ${first}` }).getAttribute('href'))!.split('/').pop()!;
  await waitForIncident(stack, firstId, (i) => i.status === 'open');

  await page.goto(`${stack.url}/app/meldingen/nieuw`);
  await page.getByLabel('Soort melding').selectOption({ label: 'Grofvuil in een gemeenschappelijke ruimte' });
  await choose(page, 'complexId', 'C1', 'C1');
  await choose(page, 'buildingId', 'kerkweg', 'C1-B');
  await page.getByLabel('Plaats in het gebouw').fill('fietsenberging, achterin');
  await Promise.all([page.waitForURL(/gemeld/), page.getByRole('button', { name: 'Melding versturen' }).click()]);
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(`Deze melding hoort bij melding ${first}`);
  expect(await page.getByRole('link', { name: `Naar melding ${first}` }).getAttribute('href')).toBe(`/app/meldingen/${firstId}`);
  // Nothing of the page is wider than the phone.
  expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  await expectAccessible(page);
  const linked = await waitForIncident(stack, firstId, (i) => i.duplicateReports === 1);
  expect(linked.timeline.some((e: { type: string }) => e.type === 'DuplicateReportLinked')).toBe(true);
  await context.close();
});

test('a refused report shows each field\'s reason in Dutch next to it and keeps what was typed', async () => {
  const { context, page } = await newPerson(browser);
  await signIn(page, stack.url, 'consultant', '/app/meldingen/nieuw');
  await page.getByLabel('Soort melding').selectOption({ label: 'Vervuild trappenhuis' });
  await page.locator('#complexId').fill('C1');
  await page.locator('#buildingId').fill('C1-Z');
  await page.getByLabel('Omschrijving').fill('glas in de hal');
  await page.locator('#polluterTenantId').fill('Jansen');
  await page.locator('#photos').setInputFiles({ name: 'notitie.txt', mimeType: 'image/png', buffer: Buffer.from('geen foto') });
  const answer = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Melding versturen' }).click()]);
  expect(answer[0].status()).toBe(400);

  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Nieuwe melding');
  const summary = page.getByRole('alert');
  expect(await summary.getByRole('heading').innerText()).toBe('De melding is nog niet verstuurd');
  // The summary has the focus: a screen reader starts with what to mend.
  expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('fouten');
  const errorOf = (field: string) => page.locator(`#${field}-error`).innerText();
  expect(await errorOf('buildingId')).toBe('Gebouw C1-Z staat niet in het adresboek bij complex C1. Zoek op straat of nummer en kies het uit de lijst.');
  expect(await errorOf('location')).toBe('Vul in waar in het gebouw het is, bijvoorbeeld: trappenhuis, 2e verdieping.');
  expect(await errorOf('polluterTenantId')).toBe('Deze huurder staat niet in het adresboek. Zoek op naam of adres en kies de huurder uit de lijst.');
  expect(await errorOf('photos')).toBe('notitie.txt: dit bestand is geen foto (JPEG, PNG, WebP of HEIC).');
  // Each message is the field's description, for a screen reader; the summary links to the fields.
  expect(await page.locator('#buildingId').getAttribute('aria-describedby')).toContain('buildingId-error');
  expect(await page.locator('#buildingId').getAttribute('aria-invalid')).toBe('true');
  expect(await summary.getByRole('link').count()).toBe(4);
  // What was typed is kept.
  expect(await page.locator('#complexId').inputValue()).toBe('C1');
  expect(await page.locator('#buildingId').inputValue()).toBe('C1-Z');
  expect(await page.getByLabel('Omschrijving').inputValue()).toBe('glas in de hal');
  expect(await page.locator('#polluterTenantId').inputValue()).toBe('Jansen');
  expect(await page.getByLabel('Soort melding').inputValue()).toBe('fouled_stairwell');
  await expectAccessible(page);
  await context.close();
});

test('without script the form finds the directory on the server: a search step fills the suggestions and keeps the form', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false, bypassCSP: true, locale: 'nl-NL' });
  const page = await context.newPage();
  await signIn(page, stack.url, 'consultant', '/app/meldingen/nieuw');
  await page.locator('#complexId').fill('C1');
  await page.locator('#buildingId').fill('stationsstraat');
  await page.locator('#polluterTenantId').fill('kerkweg');
  await page.getByLabel('Plaats in het gebouw').fill('kelder');
  await page.getByRole('button', { name: 'Zoek in het adresboek' }).click();
  expect(await page.locator('datalist#gebouwen option').evaluateAll((options) => options.map((o) => (o as any).value))).toEqual(['C1-A']);
  expect(await page.locator('datalist#huurders-veroorzaker option').evaluateAll((options) => options.map((o) => (o as any).value))).toEqual(['B-1', 'B-2', 'B-3']);
  expect(await page.locator('#buildingId-chosen').innerText()).toBe('1 gevonden in het adresboek: kies in de lijst bij het veld.');
  expect(await page.getByLabel('Plaats in het gebouw').inputValue()).toBe('kelder');
  await context.close();
});
