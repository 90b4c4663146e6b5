import type { Browser } from 'playwright-core';
import { startStack, auth, waitForIncident, type Stack } from '../support/stack';
import { expectAccessible, launchBrowser, newPerson, signIn } from '../support/browser';

jest.setTimeout(120_000);

/** Deadlines an hour away: incidents wait while people look at them. */
const slowPolicy = { categories: { fouled_stairwell: { noticePeriod: 'PT1H', reminderBefore: 'PT30M' } } };

let stack: Stack;
let browser: Browser;
beforeAll(async () => {
  stack = await startStack('browser_sign_in', slowPolicy, { web: true });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

test('a consultant signs in with the corporation\'s provider, sees their name and the places of their role, and signs out', async () => {
  const { context, page } = await newPerson(browser);
  await page.goto(`${stack.url}/app/meldingen`);
  // Not signed in: to the provider's sign-in, and back to where they were going.
  await page.fill('input[name=login]', 'consultant');
  await page.fill('input[name=password]', 'welkom');
  await Promise.all([page.waitForURL(`${stack.url}/app/meldingen`), page.click('button[type=submit]')]);

  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Meldingen');
  expect(await page.locator('header').innerText()).toContain('Carla de Consulent');
  const menu = page.getByRole('navigation', { name: 'Hoofdmenu' });
  expect(await menu.getByRole('link').allInnerTexts()).toEqual(['Werkvoorraad', 'Melden', 'Rondes', 'Meldingen', 'Post', 'Casusoverleg']);
  expect(await menu.getByRole('link', { name: 'Meldingen' }).getAttribute('aria-current')).toBe('page');
  await expectAccessible(page);

  await page.getByRole('button', { name: 'Afmelden' }).click();
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('U bent afgemeld');
  // The workspace's session is gone (the provider's own session stays, as with Entra ID: signing in again is a click).
  expect((await page.request.get(`${stack.url}/incidents`)).status()).toBe(401);
  await context.close();
});

test('an action a signed-in person takes is recorded as theirs, and the timeline names them', async () => {
  const reported = await stack.app.inject({
    method: 'POST',
    url: '/incidents',
    headers: auth('consultant'),
    payload: { category: 'fouled_stairwell', complexId: 'C1', buildingId: 'SIGN-1', location: 'trappenhuis', polluterTenantId: 'A-2' },
  });
  const { incidentId } = reported.json();
  await waitForIncident(stack, incidentId, (i) => i.phase === 'awaiting_cleanup');

  const { context, page } = await newPerson(browser);
  await signIn(page, stack.url, 'consultant', '/app/meldingen');
  // The browser's session calls the API as the person; a change carries the session's CSRF token.
  const csrf = await page.locator('input[name=_csrf]').first().inputValue();
  const without = await page.request.post(`${stack.url}/incidents/${incidentId}/inspections`, { data: { result: 'not_clean' } });
  expect(without.status()).toBe(403);
  const withToken = await page.request.post(`${stack.url}/incidents/${incidentId}/inspections`, { data: { result: 'not_clean' }, headers: { 'x-csrf-token': csrf } });
  expect(withToken.status()).toBe(200);

  const incident = await waitForIncident(stack, incidentId, (i) => i.timeline.some((e: { type: string }) => e.type === 'InspectionRecorded'));
  const inspection = incident.timeline.find((e: { type: string }) => e.type === 'InspectionRecorded');
  expect({ actor: inspection.actor, actorName: inspection.actorName }).toEqual({ actor: 'person:consultant', actorName: 'Carla de Consulent' });
  await context.close();
});

test('a page of a role the person does not have says so; on a phone the page is usable and accessible too', async () => {
  const { context, page } = await newPerson(browser, 'phone');
  await signIn(page, stack.url, 'contractor', '/app/meldingen');
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Geen toegang');
  expect(await page.locator('main').innerText()).toContain('U heeft geen rechten voor deze handeling.');
  await expectAccessible(page);
  await context.close();
});

test('keyboard only: the first Tab reaches the skip link, which leads to the content', async () => {
  const { context, page } = await newPerson(browser);
  await signIn(page, stack.url, 'manager', '/app/meldingen');
  await page.keyboard.press('Tab');
  expect(await page.evaluate('document.activeElement && document.activeElement.textContent')).toBe('Naar de inhoud');
  await page.keyboard.press('Enter');
  expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('inhoud');
  await context.close();
});
