import type { Browser, Page } from 'playwright-core';
import { startStack, auth, waitForIncident, type Stack } from '../support/stack';
import { expectAccessible, launchBrowser, newPerson, signIn } from '../support/browser';

jest.setTimeout(180_000);

/** Deadlines an hour away: incidents wait while the consultant looks at them. */
const slowPolicy = {
  categories: {
    fouled_stairwell: { noticePeriod: 'PT1H', reminderBefore: 'PT30M' },
    bulk_waste: { noticePeriod: 'PT1H', reminderBefore: 'PT30M' },
  },
};

let stack: Stack;
let browser: Browser;
beforeAll(async () => {
  stack = await startStack('browser_consultant', slowPolicy, { web: true });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

type Json = Record<string, unknown>;

async function notified(body: Json): Promise<string> {
  const response = await stack.app.inject({ method: 'POST', url: '/incidents', headers: auth('consultant'), payload: body });
  expect(response.statusCode).toBe(201);
  const { incidentId } = response.json() as { incidentId: string };
  await waitForIncident(stack, incidentId, (i) => i.phase === 'awaiting_cleanup');
  return incidentId;
}

/** The page has no horizontal scroll: everything fits the width of the screen. */
async function fitsTheWidth(page: Page): Promise<boolean> {
  return (await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')) as boolean;
}

const section = (page: Page, name: string) => page.getByRole('region', { name: new RegExp(`^${name}`) });

test('the work queue opens on what waits today, each group with its count, its incidents and a Dutch empty state', async () => {
  const { context, page } = await newPerson(browser);
  await signIn(page, stack.url, 'consultant', '/app');
  // The workspace opens on the work queue for a consultant.
  expect(new URL(page.url()).pathname).toBe('/app/werk');
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Werkvoorraad');
  expect(await section(page, 'Bezwaren om te beoordelen').innerText()).toContain('Er ligt geen bezwaar dat op uw beslissing wacht.');
  expect(await section(page, 'Werkorders te laat').innerText()).toContain('Geen werkorder is te laat.');
  await expectAccessible(page);

  const incidentId = await notified({ category: 'bulk_waste', complexId: 'W1', buildingId: 'W1-A', location: 'bergingsgang kelder', polluterTenantId: 'A-4' });
  expect((await stack.app.inject({ method: 'POST', url: `/incidents/${incidentId}/disputes`, headers: auth('consultant'), payload: { reason: 'niet van mij' } })).statusCode).toBe(200);
  await waitForIncident(stack, incidentId, (i) => i.dispute === 'open');
  await page.reload();
  const disputes = section(page, 'Bezwaren om te beoordelen');
  expect(await disputes.getByRole('heading').innerText()).toBe('Bezwaren om te beoordelen 1 melding');
  const link = disputes.getByRole('link', { name: 'Grofvuil in een gemeenschappelijke ruimte: bergingsgang kelder (W1-A)' });
  expect(await link.getAttribute('href')).toBe(`/app/meldingen/${incidentId}#bezwaar`);
  expect(await disputes.innerText()).toContain('bezwaar tegen de melding');
  // Its deadline is today (an hour from now), unless the hour crosses midnight.
  const incident = await waitForIncident(stack, incidentId, () => true);
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(new Date());
  if (incident.deadlineDate === today) {
    expect(await section(page, 'Termijn loopt vandaag af').innerText()).toContain('bergingsgang kelder');
  }
  await expectAccessible(page);
  await context.close();
});

test('one search box finds an incident by its number, its address or the contract number of its polluter', async () => {
  const incidentId = await notified({ category: 'fouled_stairwell', complexId: 'C1', buildingId: 'C1-B', location: 'trappenhuis bij de lift', polluterTenantId: 'B-3' });
  const { incidentNumber } = await waitForIncident(stack, incidentId, () => true);
  const { context, page } = await newPerson(browser, 'phone');
  await signIn(page, stack.url, 'consultant', '/app/meldingen');
  const search = page.getByRole('search', { name: 'Meldingen zoeken en filteren' });
  for (const q of [incidentNumber, 'Kerkweg 3', 'b-3', 'bij de lift']) {
    await search.getByRole('searchbox', { name: 'Zoeken' }).fill(q);
    await search.getByRole('button', { name: 'Toon meldingen' }).click();
    expect(await page.getByRole('status').innerText()).toMatch(new RegExp(`^\\d+ melding(en)? gevonden voor ‘${q}’\\.$`));
    expect(await page.getByRole('link', { name: incidentNumber }).getAttribute('href')).toBe(`/app/meldingen/${incidentId}`);
  }
  expect(await fitsTheWidth(page)).toBe(true);
  await expectAccessible(page);
  await search.getByRole('searchbox', { name: 'Zoeken' }).fill('x');
  await search.getByRole('button', { name: 'Toon meldingen' }).click();
  expect(await page.locator('main').innerText()).toContain('Typ minstens twee tekens om te zoeken.');
  await context.close();
});
