import type { Browser, Page } from 'playwright-core';
import { appendToStream } from '../../db/event-store';
import type { DomainEvent, Outcome } from '../../domain/events';
import { startStack, type Stack } from '../support/stack';
import { expectAccessible, launchBrowser, newPerson, signIn } from '../support/browser';
import { event, incidentReported } from '../support/events';

jest.setTimeout(120_000);

let stack: Stack;
let browser: Browser;

/** Incidents as their events, straight into the store (no workflow runs them): the pages read the read models. */
async function stream(incidentId: string, ...events: DomainEvent[]): Promise<void> {
  const streamId = `incident-${incidentId}`;
  await appendToStream(stack.database.db, streamId, 'no_stream', events.map((e, i) => ({ eventId: `${streamId}/${i + 1}`, event: e })), { actor: 'test' });
}
const at = (date: string, time = '09:00') => `${date}T${time}:00.000Z`;
const closed = (outcome: Outcome, date: string) => event('IncidentClosed', { outcome, closedAt: at(date, '10:00') });
const reported = (id: string, buildingId: string, date: string, overrides: Record<string, unknown> = {}) =>
  incidentReported(id, { buildingId, reportedAt: at(date), polluterTenantId: 'A-1', ...overrides });

/** This month in Amsterdam, and a day in it that has passed. */
const month = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
const dayOfMonth = `${month}-01`;

beforeAll(async () => {
  stack = await startStack('browser_team', {}, { web: true });
  browser = await launchBrowser();
  // This month's review: a repeat offender flagged for tenancy escalation, a dispute, and one without a reason.
  await stream(
    'TEAM-R1',
    reported('TEAM-R1', 'TB-1', dayOfMonth, { location: 'trappenhuis Kerkstraat 12' }),
    event('WarningIssued', { tenantId: 'A-1', offenceNumber: 3, severity: 'sharp', issuedAt: at(dayOfMonth, '10:00'), letters: [] }),
    event('TenancyEscalationFlagged', { tenantId: 'A-1', offenceNumber: 3 }),
  );
  await stream('TEAM-R2', reported('TEAM-R2', 'TB-2', dayOfMonth, { location: 'portiek Dorpsweg 3' }), event('DisputeOpened', { by: 'tenant', actor: 'tenant:A-1', reason: 'niet van mij' }));
  await stream('TEAM-R3', reported('TEAM-R3', 'TB-3', dayOfMonth, { location: 'berging Laan 8' }));
  // Lasting solutions, closed in 2025 (every horizon has passed since): charged 4 (1 back within 3
  // months, 1 more within 6); own cost 2 (1 back within 3, 1 more within 12).
  await stream('L1', reported('L1', 'LB1', '2025-01-02'), closed('cleaned_and_charged', '2025-01-10'));
  await stream('L1B', reported('L1B', 'LB1', '2025-03-01'));
  await stream('L2', reported('L2', 'LB2', '2025-01-02'), closed('cleaned_and_charged', '2025-01-10'));
  await stream('L2B', reported('L2B', 'LB2', '2025-06-01'));
  await stream('L3', reported('L3', 'LB3', '2025-01-02'), closed('cleaned_and_charged', '2025-01-10'));
  await stream('L6', reported('L6', 'LB6', '2025-05-20'), closed('cleaned_and_charged', '2025-06-01'));
  await stream('L4', reported('L4', 'LB4', '2025-02-02'), closed('cleaned_at_corporation_cost', '2025-02-10'));
  await stream('L4B', reported('L4B', 'LB4', '2025-02-20'));
  await stream('L5', reported('L5', 'LB5', '2025-02-02'), closed('cleaned_at_corporation_cost', '2025-02-10'));
  await stream('L5B', reported('L5B', 'LB5', '2025-10-01'));
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const caseCard = (page: Page, location: string) => page.locator('li.review-case', { has: page.getByRole('heading', { name: new RegExp(location) }) });

test('a manager holds the case review: the month\'s cases with their reasons, a conclusion and an agreement recorded with her name, listed on the agreements page', async () => {
  const { context, page } = await newPerson(browser);
  await signIn(page, stack.url, 'manager', '/app/casusoverleg');
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toMatch(/^Casusoverleg \w+ \d{4}$/);
  expect(await page.getByRole('status').first().innerText()).toContain('2 casussen op de agenda');
  const r1 = caseCard(page, 'Kerkstraat 12');
  expect(await r1.locator('.reasons').innerText()).toContain('huurrechtelijke escalatie');
  expect(await r1.locator('.reasons').innerText()).toContain('herhaalde overtreding');
  expect(await caseCard(page, 'Dorpsweg 3').locator('.reasons').innerText()).toContain('bezwaar');
  expect(await page.locator('main').innerText()).not.toContain('Laan 8');
  await expectAccessible(page);

  // The conclusion.
  await r1.locator('summary').click();
  await r1.getByLabel('Conclusie van het overleg').fill('Huurder uitnodigen voor een gesprek met de wijkagent.');
  await r1.getByRole('button', { name: 'Conclusie vastleggen' }).click();
  expect(await page.getByRole('status').first().innerText()).toContain('De conclusie is vastgelegd.');
  const after = caseCard(page, 'Kerkstraat 12');
  expect(await after.locator('dl').innerText()).toContain('Huurder uitnodigen voor een gesprek met de wijkagent.');
  expect(await after.locator('dl').innerText()).toContain('Marieke Manager');

  // An agreement: what, who, by when. An empty one is refused with the reason in Dutch.
  await after.locator('summary').click();
  await after.getByLabel('Wat is afgesproken').fill('Gesprek plannen met huurder');
  await after.getByLabel('Wie voert het uit').fill('Carla de Consulent');
  await after.getByLabel('Uiterlijk').fill('2030-01-15');
  await after.getByRole('button', { name: 'Afspraak vastleggen' }).click();
  expect(await page.getByRole('status').first().innerText()).toContain('De afspraak is vastgelegd.');
  expect(await caseCard(page, 'Kerkstraat 12').locator('ul.agreements').innerText()).toContain('Gesprek plannen met huurder');
  await expectAccessible(page);

  const review = await stack.database.db.selectFrom('events').select('type').where('stream_id', '=', `review-${month}`).execute();
  expect(review.map((e) => e.type)).toEqual(['CaseReviewConclusionRecorded', 'CaseReviewAgreementMade']);

  await page.getByRole('link', { name: 'Alle afspraken, open eerst' }).click();
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Afspraken uit het casusoverleg');
  const row = page.locator('tbody tr', { hasText: 'Gesprek plannen met huurder' });
  expect(await row.innerText()).toContain('Carla de Consulent');
  expect(await row.innerText()).toContain('dinsdag 15 januari 2030');
  expect(await row.innerText()).toContain('Marieke Manager');
  expect(await row.innerText()).toContain('open');
  await expectAccessible(page);
  await row.getByRole('button', { name: /Markeer als gedaan/ }).click();
  expect(await page.getByRole('status').first().innerText()).toContain('De afspraak is afgerond.');
  expect(await page.locator('tbody tr', { hasText: 'Gesprek plannen met huurder' }).innerText()).toMatch(/gedaan\s+Marieke Manager/);
  await context.close();
});

test('a refused agreement says why in Dutch and keeps what was typed', async () => {
  const { context, page } = await newPerson(browser);
  await signIn(page, stack.url, 'consultant', `/app/casusoverleg?maand=${month}`);
  const form = page.locator('form.agreement-form').last();
  await form.getByLabel('Wat is afgesproken').fill('Bewonersbrief');
  await form.getByLabel('Wie voert het uit').fill(' ');
  await form.getByLabel('Uiterlijk').fill('2030-02-01');
  // The browser would stop an empty required field; a space passes it and the API refuses it.
  await form.getByRole('button', { name: 'Afspraak vastleggen' }).click();
  expect(await page.getByRole('alert').innerText()).toContain('Controleer: Wie voert het uit.');
  expect(await page.locator('form.agreement-form').last().getByLabel('Wat is afgesproken').inputValue()).toBe('Bewonersbrief');
  await context.close();
});

test('the lasting-solution chart and table show the known figures; the CSV downloads', async () => {
  const { context, page } = await newPerson(browser);
  await signIn(page, stack.url, 'manager', '/app/rapportages?van=2025-01-01&tot=2025-12-31');
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Rapportages');
  const table = page.locator('table.lasting-table');
  const rowOf = (label: string) => table.locator('tbody tr', { has: page.getByRole('rowheader', { name: label, exact: true }) });
  expect((await rowOf('schoongemaakt, vervuiler betaalde').locator('td').allInnerTexts()).map((t) => t.replace(/\s+/g, ' '))).toEqual([
    '4',
    '25,0% (1 van 4)',
    '50,0% (2 van 4)',
    '50,0% (2 van 4)',
  ]);
  expect((await rowOf('schoongemaakt op eigen kosten').locator('td').allInnerTexts()).map((t) => t.replace(/\s+/g, ' '))).toEqual([
    '2',
    '50,0% (1 van 2)',
    '50,0% (1 van 2)',
    '100,0% (2 van 2)',
  ]);
  expect((await rowOf('alle uitkomsten').locator('td').allInnerTexts()).map((t) => t.replace(/\s+/g, ' '))).toEqual(['6', '33,3% (2 van 6)', '50,0% (3 van 6)', '66,7% (4 van 6)']);
  // The chart: an image with a name, its bars labelled with the same figures.
  const chart = page.getByRole('img', { name: 'Kwam terug binnen 3, 6 en 12 maanden, per afloop' });
  const texts = await chart.locator('text').allTextContents();
  expect(texts).toEqual(expect.arrayContaining(['schoongemaakt, vervuiler beta…', 'schoongemaakt op eigen kosten', '25,0%', '100,0%', '66,7%']));
  await expectAccessible(page);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Blijvende oplossing downloaden (CSV)' }).click()]);
  const csv = await (await download.createReadStream()).toArray();
  const lines = Buffer.concat(csv).toString('utf8').trim().split('\n');
  expect(lines).toContain('cleaned_and_charged,4,4,1,0.25,4,2,0.5,4,2,0.5');
  await context.close();
});

test('keyboard only: a case\'s forms open from the keyboard and a conclusion is recorded without a mouse', async () => {
  const { context, page } = await newPerson(browser);
  await signIn(page, stack.url, 'consultant', `/app/casusoverleg?maand=${month}`);
  const r2 = caseCard(page, 'Dorpsweg 3');
  await r2.locator('summary').focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  expect(await page.evaluate('document.activeElement && document.activeElement.id')).toMatch(/^conclusie-c\d+$/);
  await page.keyboard.type('Bezwaar afwachten.');
  await page.keyboard.press('Tab');
  await Promise.all([page.waitForURL(/vastgelegd=conclusie/), page.keyboard.press('Enter')]);
  expect(await page.getByRole('status').first().innerText()).toContain('De conclusie is vastgelegd.');
  expect(await caseCard(page, 'Dorpsweg 3').locator('dl').innerText()).toContain('Bezwaar afwachten. (Carla de Consulent');
  await context.close();
});

test('on a phone the case review and the reports are usable and accessible', async () => {
  const { context, page } = await newPerson(browser, 'phone');
  await signIn(page, stack.url, 'manager', '/app/casusoverleg');
  expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
  await expectAccessible(page);
  await page.goto(`${stack.url}/app/rapportages?van=2025-01-01&tot=2025-12-31`);
  expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
  await expectAccessible(page);
  await page.goto(`${stack.url}/app/casusoverleg/afspraken`);
  await expectAccessible(page);
  await context.close();
});
