/**
 * The clerk who does the post (issue 14, item 8), in Chromium on a phone: the letters for tenants
 * without e-mail, the batch PDF, and per letter the day it was posted; a refused date is said in
 * Dutch at its field. axe on every state of the page.
 */
import type { Browser, Page } from 'playwright-core';
import { startStack, auth, waitForIncident, type Stack } from '../support/stack';
import { expectAccessible, launchBrowser, newPerson, signIn } from '../support/browser';
import { dutchDate } from '../../web/dutch';
import { addCalendarDays, amsterdamDate } from '../../domain/calendar';

jest.setTimeout(180_000);

/** Deadlines an hour away: the notices wait on the print queue while the clerk works. */
const slowPolicy = { categories: { fouled_stairwell: { noticePeriod: 'PT1H', reminderBefore: 'PT30M' }, bulk_waste: { noticePeriod: 'PT1H', reminderBefore: 'PT30M' } } };

let stack: Stack;
let browser: Browser;
beforeAll(async () => {
  stack = await startStack('browser_post', slowPolicy, { web: true });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function noticeFor(category: string, location: string): Promise<string> {
  const response = await stack.app.inject({ method: 'POST', url: '/incidents', headers: auth('consultant'), payload: { category, complexId: 'C1', buildingId: 'C1-A', location, polluterTenantId: 'A-1' } });
  expect(response.statusCode).toBe(201);
  const incident = await waitForIncident(stack, response.json().incidentId, (i) => i.letters.some((l: { kind: string; channel: string }) => l.kind === 'formal_notice' && l.channel === 'print'));
  return incident.letters.find((l: { kind: string }) => l.kind === 'formal_notice').letterId;
}

const fitsTheWidth = async (page: Page) => (await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')) as boolean;

test('on a phone, the clerk prints the letters to post, records one as posted today and another on a day that is refused, in Dutch', async () => {
  const today = amsterdamDate(new Date());
  await noticeFor('bulk_waste', 'bergingsgang');
  await noticeFor('fouled_stairwell', 'trappenhuis');
  const { context, page } = await newPerson(browser, 'phone');
  await signIn(page, stack.url, 'consultant', '/app/post');
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Post');
  expect(await page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Post' }).getAttribute('aria-current')).toBe('page');
  expect(await page.locator('p.lead').innerText()).toBe(`${dutchDate(today)}: 2 brieven om te printen en te posten.`);
  const toPost = page.getByRole('region', { name: 'Te posten' });
  expect(await toPost.getByRole('heading', { level: 3 }).allInnerTexts()).toEqual(['Ingebrekestelling aan huurder A-1', 'Ingebrekestelling aan huurder A-1']);
  expect(await fitsTheWidth(page)).toBe(true);
  await expectAccessible(page);

  // The batch PDF, as the browser gets it with the person's session.
  const batchLink = page.getByRole('link', { name: 'Alle brieven om te posten in één PDF' });
  const batch = await page.request.get(new URL((await batchLink.getAttribute('href'))!, stack.url).toString());
  expect({ status: batch.status(), type: batch.headers()['content-type'] }).toEqual({ status: 200, type: 'application/pdf' });

  // The first one: posted today (the date the field already holds).
  const dates = toPost.getByLabel(/^Gepost op/);
  expect(await dates.first().inputValue()).toBe(today);
  await toPost.getByRole('button', { name: /^Gepost/ }).first().click();
  await page.waitForURL(/\/app\/post\?/);
  expect(await page.getByRole('status').innerText()).toBe(`Ingebrekestelling is vastgelegd als gepost op ${dutchDate(today, false)}.`);
  expect(await page.locator('p.lead').innerText()).toBe(`${dutchDate(today)}: 1 brief om te printen en te posten.`);
  const postedToday = page.getByRole('region', { name: 'Vandaag vastgelegd' });
  expect(await postedToday.innerText()).toContain(`Ingebrekestelling aan huurder A-1\ngepost op ${dutchDate(today, false)}`);
  await expectAccessible(page);

  // The other one: a day before it was on the queue is refused, at its field.
  const date = page.getByRole('region', { name: 'Te posten' }).getByLabel(/^Gepost op/);
  await date.fill(addCalendarDays(today, -1));
  await page.getByRole('region', { name: 'Te posten' }).getByRole('button', { name: /^Gepost/ }).click();
  expect(await page.getByRole('alert').innerText()).toContain(`De brief stond pas op ${dutchDate(today, false)} klaar. Kies die dag of later.`);
  expect(await date.getAttribute('aria-invalid')).toBe('true');
  expect(await fitsTheWidth(page)).toBe(true);
  await expectAccessible(page);
  expect(await page.getByRole('region', { name: 'Te posten' }).getByRole('heading', { level: 3 }).count()).toBe(1);
  await context.close();
});
