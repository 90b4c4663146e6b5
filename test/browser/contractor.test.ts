import type { Browser } from 'playwright-core';
import { upsertContractors, upsertTenants } from '../../db/directory';
import { buildingC2 } from '../support/fixtures';
import { addWorkingDays, amsterdamDate } from '../../domain/calendar';
import { dutchDate } from '../../web/dutch';
import { startStack, auth, waitForIncident, type Stack } from '../support/stack';
import { expectAccessible, launchBrowser, newPerson, signIn } from '../support/browser';

jest.setTimeout(120_000);

/** Deadlines of seconds: the incidents reach their work orders while the test sets up. */
const policy = { categories: { fouled_stairwell: { noticePeriod: 'PT3S', reminderBefore: 'PT1S' }, bulk_waste: { noticePeriod: 'PT3S', reminderBefore: 'PT1S' } } };


const png = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082',
  'hex',
);

let stack: Stack;
let browser: Browser;
const orders: Record<'stairwell' | 'bulk' | 'others', { incidentId: string; incidentNumber: string; orderedAt: string }> = {} as never;

async function ordered(category: string, complexId: string, buildingId: string, polluter: string) {
  // As a client would: a 503 (Temporal busy on a loaded machine) is tried again with the same key.
  const key = `order-${buildingId}-${category}-${Date.now()}`;
  let reported;
  for (let attempt = 0; ; attempt++) {
    reported = await stack.app.inject({
      method: 'POST',
      url: '/incidents',
      headers: { ...auth('consultant'), 'idempotency-key': key },
      payload: { category, complexId, buildingId, location: 'trappenhuis, begane grond', description: 'zakken afval bij de voordeur', polluterTenantId: polluter },
    });
    if (reported.statusCode !== 503 || attempt === 5) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  expect({ status: reported.statusCode, body: reported.json() }).toMatchObject({ status: 201 });
  const { incidentId, incidentNumber } = reported.json();
  // A minute: on a busy machine the first workflow task waits for the bundle and a free core.
  const incident = await waitForIncident(stack, incidentId, (i) => i.phase === 'cleanup_ordered', 60_000);
  const order = incident.timeline.find((e: { type: string }) => e.type === 'CleanupOrdered');
  return { incidentId, incidentNumber, orderedAt: order.data.orderedAt as string };
}

beforeAll(async () => {
  stack = await startStack('browser_contractor', policy, { web: true });
  await upsertTenants(stack.database.db, buildingC2);
  await upsertContractors(stack.database.db, [{ contractorId: 'K-2', name: 'Schoon BV Kees', email: 'kees@schoonbv.example', categories: [], complexes: ['C2'] }]);
  browser = await launchBrowser();
  [orders.stairwell, orders.bulk, orders.others] = await Promise.all([
    ordered('fouled_stairwell', 'C2', 'C2-A', 'C2A-1'),
    ordered('bulk_waste', 'C2', 'C2-A', 'C2A-2'),
    ordered('fouled_stairwell', 'C1', 'C1-A', 'A-2'),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

test('a contractor signs in to exactly their own open work orders, with address, what to do and the deadline in Dutch', async () => {
  const { context, page } = await newPerson(browser);
  await signIn(page, stack.url, 'contractor');
  // The workspace opens on the work orders for a contractor.
  expect(new URL(page.url()).pathname).toBe('/app/werkorders');
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Werkorders');
  expect(await page.locator('p.lead').innerText()).toBe('Voor Schoon BV Kees: 2 werkorders staan open.');
  const titles = await page.locator('ul.work-orders h2').allInnerTexts();
  expect(titles.sort()).toEqual([`Werkorder ${orders.stairwell.incidentNumber}`, `Werkorder ${orders.bulk.incidentNumber}`].sort());
  expect(titles).not.toContain(`Werkorder ${orders.others.incidentNumber}`);

  const card = page.locator('ul.work-orders > li', { hasText: `Werkorder ${orders.stairwell.incidentNumber}` });
  const text = await card.innerText();
  expect(text).toContain('Het trappenhuis schoonmaken');
  expect(text).toContain('Lindelaan 1–4, 3512 AB Utrecht');
  expect(text).toContain('trappenhuis, begane grond');
  expect(text).toContain('zakken afval bij de voordeur');
  const due = dutchDate(addWorkingDays(amsterdamDate(new Date(orders.stairwell.orderedAt)), 3));
  expect(text).toContain(`Klaar uiterlijk\n${due}`);
  expect(due).toMatch(/^(maandag|dinsdag|woensdag|donderdag|vrijdag) \d{1,2} [a-z]+ \d{4}$/);
  expect(await page.locator('ul.work-orders > li', { hasText: `Werkorder ${orders.bulk.incidentNumber}` }).innerText()).toContain('Het grofvuil afvoeren en de ruimte schoonmaken');
  await expectAccessible(page);

  // Another company's order is not theirs to see.
  const other = await page.goto(`${stack.url}/app/werkorders/${orders.others.incidentId}`);
  expect(other?.status()).toBe(404);
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Werkorder niet gevonden');
  await expectAccessible(page);
  await context.close();
});

test('a contractor records the completion with "125,50" and a photo; the events carry 12550 cents, the photo, the note and their name', async () => {
  const { context, page } = await newPerson(browser);
  await signIn(page, stack.url, 'contractor', `/app/werkorders/${orders.stairwell.incidentId}`);
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(`Werkorder ${orders.stairwell.incidentNumber}`);
  await expectAccessible(page);

  // Refused first: an amount that is none, and no photo; the reasons in Dutch beside the fields, the typing kept.
  await page.getByLabel('Kosten in euro, inclusief btw').fill('twaalf euro');
  await page.getByLabel('Opmerking').fill('Trap gedweild, zakken afgevoerd.');
  const [refused] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Werk gereed melden' }).click()]);
  expect(refused.status()).toBe(400);
  expect(await page.locator('#cost-error').innerText()).toBe('Vul een bedrag in euro in, bijvoorbeeld 125,50 (met een komma voor de centen).');
  expect(await page.locator('#photos-error').innerText()).toBe('Voeg een foto toe van de ruimte na het werk.');
  expect(await page.getByLabel('Kosten in euro, inclusief btw').inputValue()).toBe('twaalf euro');
  expect(await page.getByLabel('Opmerking').inputValue()).toBe('Trap gedweild, zakken afgevoerd.');
  await expectAccessible(page);

  await page.getByLabel('Kosten in euro, inclusief btw').fill('125,50');
  await page.getByLabel('Foto na het werk').setInputFiles({ name: 'schoon.png', mimeType: 'image/png', buffer: png });
  await Promise.all([page.waitForURL(/\/app\/werkorders\?/), page.getByRole('button', { name: 'Werk gereed melden' }).click()]);
  expect(await page.getByRole('status').innerText()).toBe(`Werkorder ${orders.stairwell.incidentNumber} is gereed gemeld, met € 125,50 kosten. Dank u wel.`);
  expect(await page.locator('p.lead').innerText()).toBe('Voor Schoon BV Kees: 1 werkorder staat open.');
  expect(await page.locator('ul.work-orders h2').allInnerTexts()).toEqual([`Werkorder ${orders.bulk.incidentNumber}`]);
  await expectAccessible(page);

  const incident = await waitForIncident(stack, orders.stairwell.incidentId, (i) => i.timeline.some((e: { type: string }) => e.type === 'CleanupCompleted'));
  const completed = incident.timeline.find((e: { type: string }) => e.type === 'CleanupCompleted');
  expect(completed.data).toMatchObject({ contractorId: 'K-2', costCents: 12550, reportedCostCents: 12550, note: 'Trap gedweild, zakken afgevoerd.' });
  expect(completed.data.photoIds).toHaveLength(1);
  expect({ actor: completed.actor, name: completed.actorName }).toEqual({ actor: 'person:contractor', name: 'Kees Schoonmaker' });
  const photo = await stack.app.inject({ method: 'GET', url: `/photos/${completed.data.photoIds[0]}`, headers: auth('consultant') });
  expect(photo.rawPayload.equals(png)).toBe(true);

  // The contractor sees the photos of their own work orders, not those of an incident that is not theirs.
  expect((await page.request.get(`${stack.url}/photos/${completed.data.photoIds[0]}`)).status()).toBe(200);
  const uploaded = await stack.app.inject({
    method: 'POST',
    url: '/photos',
    headers: { ...auth('consultant'), 'content-type': 'multipart/form-data; boundary=x' },
    payload: Buffer.concat([Buffer.from('--x\r\nContent-Disposition: form-data; name="photo"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n'), png, Buffer.from('\r\n--x--\r\n')]),
  });
  const reported = await stack.app.inject({
    method: 'POST',
    url: '/incidents',
    headers: auth('consultant'),
    payload: { category: 'fouled_stairwell', complexId: 'C1', buildingId: 'C1-B', location: 'kelder', photoIds: [uploaded.json().photoId] },
  });
  expect(reported.statusCode).toBe(201);
  expect((await page.request.get(`${stack.url}/photos/${uploaded.json().photoId}`)).status()).toBe(403);

  // The completed order's page says so, and offers no second completion.
  await page.goto(`${stack.url}/app/werkorders/${orders.stairwell.incidentId}`);
  expect(await page.locator('main').innerText()).toContain('Deze werkorder is gereed gemeld, met € 125,50 kosten.');
  expect(await page.getByRole('button', { name: 'Werk gereed melden' }).count()).toBe(0);
  await context.close();
});

test('on a phone: the work orders and the completion form fit the screen and are accessible; "1.250" is twelve hundred and fifty euro', async () => {
  const { context, page } = await newPerson(browser, 'phone');
  await signIn(page, stack.url, 'contractor', '/app/werkorders');
  expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  await expectAccessible(page);
  await page.getByRole('link', { name: `Werkorder ${orders.bulk.incidentNumber}`, exact: true }).click();
  expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  await expectAccessible(page);
  await page.getByLabel('Kosten in euro, inclusief btw').fill('€ 1.250');
  await page.getByLabel('Foto na het werk').setInputFiles({ name: 'na.png', mimeType: 'image/png', buffer: png });
  await Promise.all([page.waitForURL(/\/app\/werkorders\?/), page.getByRole('button', { name: 'Werk gereed melden' }).click()]);
  expect(await page.getByRole('status').innerText()).toContain('met € 1.250,00 kosten');
  expect(await page.locator('p.lead').innerText()).toBe('Voor Schoon BV Kees: er staan geen werkorders open.');
  const incident = await waitForIncident(stack, orders.bulk.incidentId, (i) => i.timeline.some((e: { type: string }) => e.type === 'CleanupCompleted'));
  expect(incident.timeline.find((e: { type: string }) => e.type === 'CleanupCompleted').data.costCents).toBe(125000);
  await context.close();
});

test('a contractor whose e-mail address is in no contractor of the directory is told why, in Dutch, and sees no work orders', async () => {
  const db = stack.database.db;
  await db.updateTable('contractors').set({ email: 'planning@schoonbv.example' }).where('contractor_id', '=', 'K-2').execute();
  try {
    const { context, page } = await newPerson(browser, 'phone');
    await signIn(page, stack.url, 'contractor', '/app/werkorders');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Werkorders');
    expect(await page.getByRole('alert').innerText()).toBe(
      'Uw e-mailadres kees@schoonbv.example staat bij geen enkele aannemer in het adresboek van de corporatie. Vraag uw contactpersoon bij de corporatie om het adresboek aan te passen.',
    );
    expect(await page.locator('ul.work-orders').count()).toBe(0);
    await expectAccessible(page);
    await context.close();
  } finally {
    await db.updateTable('contractors').set({ email: 'kees@schoonbv.example' }).where('contractor_id', '=', 'K-2').execute();
  }
});
