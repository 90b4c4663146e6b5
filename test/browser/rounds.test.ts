import type { Browser, BrowserContext, Page } from 'playwright-core';
import { addWorkingDays, amsterdamDate, isWorkingDay } from '../../domain/calendar';
import { startStack, auth, waitForIncident, type Stack } from '../support/stack';
import { expectAccessible, launchBrowser, newPerson, signIn } from '../support/browser';

jest.setTimeout(240_000);

/**
 * The consultant's journey of a supervision round at a phone's width (375 px): the plan, a round
 * started from it, the walk one tap per space, a finding recorded while the phone has no
 * connection (kept on the phone, sent once when the connection is back) that becomes an incident
 * found by supervision whose polluter gets the formal notice; then the team's view of it.
 */
const slowPolicy = {
  categories: {
    fouled_stairwell: { noticePeriod: 'PT1H', reminderBefore: 'PT30M' },
    bulk_waste: { noticePeriod: 'PT1H', reminderBefore: 'PT30M' },
  },
};

/** A real (tiny) PNG: the photo store checks the bytes, not the name. */
const png = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082',
  'hex',
);

let stack: Stack;
let browser: Browser;
beforeAll(async () => {
  stack = await startStack('browser_rounds', slowPolicy, { web: true });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.client.schedule
    .getHandle('round-plan-C1')
    .delete()
    .catch(() => undefined);
  await stack?.stop();
});

async function phone(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, locale: 'nl-NL', timezoneId: 'Europe/Amsterdam', bypassCSP: true, isMobile: true, hasTouch: true });
  return { context, page: await context.newPage() };
}

const fitsTheWidth = async (page: Page) => (await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')) as boolean;

test('a consultant plans rounds for a complex, walks one on a phone, records a finding without a connection, and the finding becomes an incident whose polluter gets the notice', async () => {
  const { context, page } = await phone();
  await signIn(page, stack.url, 'consultant', '/app/rondes');
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Schouwrondes');
  expect(await page.getByRole('region', { name: 'Mijn rondes' }).innerText()).toContain('Er staat geen schouwronde voor u klaar.');

  // The plan: the walking route line by line; a building of another complex is refused by name.
  await page.getByRole('link', { name: 'Ronde plannen' }).click();
  await page.getByLabel('Complex').fill('C1');
  expect(await page.getByLabel('Woonconsulent die de rondes loopt').inputValue()).toBe('consultant');
  await page.getByLabel('Datum van de eerste ronde').fill('2027-01-04');
  await page.getByLabel('Ruimtes in looproute').fill('C1-A | Trappenhuis\nC1-A | Bergingsgang kelder\nC2-A | Hal');
  await page.getByRole('button', { name: 'Rondeplan bewaren' }).click();
  expect(await page.getByRole('alert').innerText()).toContain('Dat lukte niet');
  expect(await page.locator('main').innerText()).toContain('buildings.1.buildingId');
  await page.getByLabel('Ruimtes in looproute').fill('C1-A | Trappenhuis\nC1-A | Bergingsgang kelder\nC1-B | Hal');
  await page.getByRole('button', { name: 'Rondeplan bewaren' }).click();
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Rondeplan van complex C1');
  expect(await page.getByRole('region', { name: 'Volgende rondes' }).innerText()).toContain('4 januari 2027');
  expect(await fitsTheWidth(page)).toBe(true);
  await expectAccessible(page);

  // A round now (outside the beat): the complex's schedule starts it.
  await page.getByRole('button', { name: 'Nu een ronde starten' }).click();
  expect(await page.getByRole('status').first().innerText()).toContain('Er is een ronde gestart');
  const roundLink = page.getByRole('region', { name: 'Mijn rondes' }).getByRole('link', { name: 'Schouwronde C1' });
  for (let tries = 0; (await roundLink.count()) === 0 && tries < 50; tries++) {
    await page.waitForTimeout(300);
    await page.reload();
  }
  expect(await page.getByRole('region', { name: 'Mijn rondes' }).innerText()).toContain('0 van 3 ruimtes bekeken');

  // In the work queue too.
  await page.goto(`${stack.url}/app/werk`);
  const queue = page.getByRole('region', { name: /^Schouwrondes te lopen/ });
  expect(await queue.getByRole('link', { name: 'Schouwronde C1' }).count()).toBe(1);
  await queue.getByRole('link', { name: 'Schouwronde C1' }).click();

  // The walk: the spaces of each building in walking order.
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Schouwronde C1');
  const buildingA = page.getByRole('region', { name: 'Gebouw C1-A' });
  expect((await buildingA.getByRole('listitem').allInnerTexts()).map((t) => t.split('\n')[0])).toEqual(['Trappenhuis', 'Bergingsgang kelder']);
  expect(await fitsTheWidth(page)).toBe(true);
  await expectAccessible(page);
  await page.getByRole('button', { name: 'In orde: Trappenhuis' }).click();
  expect(await page.getByRole('status').first().innerText()).toBe('Vastgelegd: in orde.');
  expect(await page.locator('#voortgang').innerText()).toBe('1 van 3 ruimtes bekeken');

  // A finding in the cellar corridor, recorded while the phone has no connection.
  await page.getByRole('link', { name: 'Bevinding: Bergingsgang kelder' }).click();
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Bevinding: Bergingsgang kelder');
  await expectAccessible(page);
  await page.getByLabel('Wat is er aan de hand?').selectOption('bulk_waste');
  await page.getByLabel('Wat heeft u gezien?').fill('Matras en oude kast voor de bergingen');
  await page.getByLabel('Foto').setInputFiles({ name: 'kelder.png', mimeType: 'image/png', buffer: png });
  await page.getByLabel('Contractnummer van de veroorzaker').fill('A-2');
  const findingId = await page.locator('input[name=findingId]').inputValue();
  await context.setOffline(true);
  await page.getByRole('button', { name: 'Bevinding vastleggen' }).click();
  await page.waitForFunction("(document.getElementById('wachtrij')?.textContent ?? '').includes('wacht')");
  expect(await page.locator('#wachtrij').innerText()).toMatch(/wacht/);
  const kept = JSON.parse((await page.evaluate("localStorage.getItem('schouw-bevindingen')")) as string) as { fields: { findingId: string }; photo: string | null }[];
  expect(kept.map((k) => k.fields.findingId)).toEqual([findingId]);
  expect(kept[0]!.photo).toMatch(/^data:image\/jpeg;base64,/);
  const beforeOnline = await stack.database.db.selectFrom('round_findings').select('finding_id').execute();
  expect(beforeOnline).toEqual([]);

  // The connection is back: the finding goes, once, and the walk goes on.
  await context.setOffline(false);
  await page.waitForURL((url) => url.pathname.startsWith('/app/rondes/') && !url.pathname.endsWith('/bevinding'), { timeout: 30_000 });
  expect(await page.getByRole('status').first().innerText()).toBe('De bevinding is vastgelegd en is een melding geworden.');
  expect(await page.evaluate("localStorage.getItem('schouw-bevindingen')")).toBe('[]');
  const findings = await stack.database.db.selectFrom('round_findings').selectAll().execute();
  expect(findings.map((f) => f.finding_id)).toEqual([findingId]);
  const incidents = await stack.database.db.selectFrom('incidents').selectAll().execute();
  expect(incidents).toHaveLength(1);
  const incident = await waitForIncident(stack, findings[0]!.incident_id, (i) => i.phase === 'awaiting_cleanup');
  expect(incident).toMatchObject({ source: 'supervision', category: 'bulk_waste', buildingId: 'C1-A', location: 'Bergingsgang kelder', polluterTenantId: 'A-2' });
  const photos = await stack.database.db.selectFrom('photos').select('incident_id').execute();
  expect(photos.map((p) => p.incident_id)).toEqual([incident.incidentId]);
  // The polluter gets the formal notice, as after any report.
  for (let tries = 0; stack.smtp.to('a2@bewoners.test').length === 0 && tries < 100; tries++) await page.waitForTimeout(200);
  expect(stack.smtp.to('a2@bewoners.test').map((m) => m.subject)).toEqual([expect.stringMatching(/^Ingebrekestelling: grofvuil/)]);
  const space = page.getByRole('region', { name: 'Gebouw C1-A' }).getByRole('listitem').nth(1);
  expect(await space.innerText()).toContain(`Bevinding: melding ${incident.incidentNumber}`);

  // Paused, resumed, the last space, done.
  await page.getByRole('button', { name: 'Ronde pauzeren' }).click();
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toContain('Gepauzeerd');
  await page.getByRole('button', { name: 'Ronde hervatten' }).click();
  await page.getByRole('button', { name: 'In orde: Hal' }).click();
  await page.getByRole('button', { name: 'Ronde afronden' }).click();
  expect(await page.getByRole('status').first().innerText()).toBe('De ronde is afgerond.');
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toContain('Afgerond');
  expect(await page.getByRole('button', { name: /In orde/ }).count()).toBe(0);
  await expectAccessible(page);

  // The incident's page says it was found on a round.
  await page.getByRole('link', { name: `melding ${incident.incidentNumber}` }).click();
  expect(await page.getByRole('region', { name: 'Tijdlijn' }).innerText()).toContain('Gevonden bij een schouwronde: grofvuil in een gemeenschappelijke ruimte, Bergingsgang kelder');
  await context.close();

  // The team: how much came from supervision rather than from complaints.
  const complaint = await stack.app.inject({ method: 'POST', url: '/incidents', headers: auth('consultant'), payload: { category: 'fouled_stairwell', complexId: 'C1', buildingId: 'C1-B', location: 'trappenhuis' } });
  expect(complaint.statusCode).toBe(201);
  const manager = await newPerson(browser);
  await signIn(manager.page, stack.url, 'manager', '/app/rapportages');
  await manager.page.getByRole('link', { name: 'Toezicht: schouwrondes en klachten' }).click();
  expect(new URL(manager.page.url()).pathname).toBe('/app/rapportages/toezicht');
  // Up to the day the round was planned for (the next working day, when it was started on a weekend).
  const today = amsterdamDate(new Date());
  const planned = isWorkingDay(today) ? today : addWorkingDays(today, 1);
  await manager.page.goto(`${stack.url}/app/rapportages/toezicht?van=${today}&tot=${planned}`);
  expect(await manager.page.locator('.lead').innerText()).toContain('1 meldingen gevonden bij schouwrondes en 1 na een klacht (50,0% door toezicht)');
  const liveability = manager.page.getByRole('region', { name: 'Leefbaarheid per gebouw: ruimtes in orde per ronde' });
  expect(await liveability.innerText()).toContain('1 van 2 ruimtes in orde (50,0%)');
  await expectAccessible(manager.page);
  await manager.context.close();
});
