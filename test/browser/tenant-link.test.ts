import type { Browser, Page } from 'playwright-core';
import { signTenantLink } from '../../documents/links';
import { formatDutchWeekdayDate } from '../../domain/calendar';
import { LINK_SECRET } from '../support/harness';
import { startStack, auth, waitForIncident, type Stack } from '../support/stack';
import { expectAccessible, launchBrowser, newPerson } from '../support/browser';
import { deflateSync } from 'node:zlib';

/** A small real PNG (a 4 x 3 green image), as a phone's camera would hand the form a photo. */
function png(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(4, 0);
  header.writeUInt32BE(3, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.concat(Array.from({ length: 3 }, () => Buffer.from([0, ...Array.from({ length: 4 }, () => [0, 160, 60]).flat()])));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

jest.setTimeout(180_000);

/**
 * The tenant's link page in a real Chromium, opened from the link in the mail the tenant got:
 * the stairwell on the default policy (two working days, to the end of the day), bulk waste with
 * second-long terms (so that it goes to the contractor and is invoiced while the test waits).
 */
const policy = { categories: { bulk_waste: { noticePeriod: 'PT4S', reminderBefore: 'PT2S' } } };

let stack: Stack;
let browser: Browser;
beforeAll(async () => {
  // Every page of this file comes from 127.0.0.1: a limit above what the file does in a minute.
  stack = await startStack('browser_tenant_link', policy, { web: true, tenantLinkRateLimit: { max: 300, windowMs: 60_000 } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function report(category: string, buildingId: string, polluterTenantId: string, location: string): Promise<string> {
  const reported = await stack.app.inject({
    method: 'POST',
    url: '/incidents',
    headers: auth('consultant'),
    payload: { category, complexId: 'C1', buildingId, location, polluterTenantId },
  });
  expect(reported.statusCode).toBe(201);
  return reported.json().incidentId as string;
}

/** The tenant's link, as the mail they received has it (the token after /links/), on the stack's own address. */
async function linkFromMail(address: string, subject: RegExp): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const mail = stack.smtp.to(address).find((m) => subject.test(m.subject));
    const token = mail && /\/links\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
    if (token) return `${stack.url}/links/${token}`;
    if (Date.now() > deadline) throw new Error(`no mail with a link to ${address}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const h1 = (page: Page) => page.getByRole('heading', { level: 1 }).innerText();
const mainText = (page: Page) => page.locator('main').innerText();

/** No sideways scrolling on a small phone (360 px wide). */
async function expectNoHorizontalScrollAt360(page: Page): Promise<void> {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 360, height: 740 });
  expect(await page.evaluate('document.scrollingElement.scrollWidth')).toBeLessThanOrEqual(360);
  if (before) await page.setViewportSize(before);
}

test('on a phone the tenant opens the link from the notice, reads what is asked and by when, reports the cleanup with a note and a photo; after a reload it awaits inspection, and a second report is refused in Dutch', async () => {
  const incidentId = await report('fouled_stairwell', 'C1-A', 'A-2', 'trappenhuis, 3e verdieping');
  const link = await linkFromMail('a2@bewoners.test', /^Ingebrekestelling/);
  const incident = await waitForIncident(stack, incidentId, (i) => i.phase === 'awaiting_cleanup');
  const deadline = formatDutchWeekdayDate(incident.deadlineDate);
  expect(deadline).toMatch(/^(maandag|dinsdag|woensdag|donderdag|vrijdag) \d{1,2} \w+ 20\d\d$/);

  const { context, page } = await newPerson(browser, 'phone');
  const response = await page.goto(link);
  expect(response?.status()).toBe(200);
  expect(await page.locator('meta[name=viewport]').getAttribute('content')).toBe('width=device-width, initial-scale=1');
  expect(await page.title()).toContain('Woonstichting Test');
  expect(await page.locator('header').innerText()).toBe('Woonstichting Test');
  expect(await page.getByRole('navigation').count()).toBe(0);
  expect(await h1(page)).toBe(`Het trappenhuis schoonmaken, uiterlijk ${deadline}`);
  const text = await mainText(page);
  expect(text).toContain('trappenhuis, 3e verdieping, in uw gebouw aan de Stationsstraat in Utrecht');
  expect(text).toContain(`Woonstichting Test vraagt u om het trappenhuis schoon te maken, uiterlijk ${deadline}`);
  expect(text).toContain('Wat gebeurt er hierna?');
  expect(text).toContain(`Niet gedaan op ${deadline}? Dan laten wij het werk uitvoeren door een schoonmaakbedrijf en brengen wij de kosten bij u in rekening.`);
  expect(text).toContain('Zolang wij uw bezwaar beoordelen, laten wij het werk niet uitvoeren.');
  expect(text).toContain(`Noem daarbij uw kenmerk: ${incident.incidentNumber}`);
  expect(text).toContain('Postbus 1, 3500 AA Utrecht');
  expect(text).toContain('088 123 45 67');
  expect(await page.getByRole('link', { name: '088 123 45 67' }).getAttribute('href')).toBe('tel:0881234567');
  expect(text).not.toMatch(/\b(the|incident|cleanup|request)\b/);
  const photo = page.getByLabel('Foto (niet verplicht)');
  expect(await photo.getAttribute('accept')).toBe('image/*');
  expect(await photo.getAttribute('capture')).toBe('environment');
  await expectAccessible(page);
  await expectNoHorizontalScrollAt360(page);

  // The same page in a second tab, as a tenant who opened the link twice.
  const second = await context.newPage();
  await second.goto(link);

  // A file that is not a photo: refused at the field, in Dutch, and the note is kept.
  await page.getByLabel('Toelichting (niet verplicht)').fill('Alles geveegd en gedweild, vuilniszakken weggebracht.');
  await photo.setInputFiles({ name: 'boodschappen.txt', mimeType: 'text/plain', buffer: Buffer.from('melk, brood') });
  await page.getByRole('button', { name: 'Ik ben klaar' }).click();
  await page.waitForLoadState();
  expect(await page.getByRole('alert').innerText()).toContain('Dit bestand is geen foto. Kies een foto (JPEG, PNG, WebP of HEIC).');
  expect(await page.getByLabel('Foto (niet verplicht)').getAttribute('aria-invalid')).toBe('true');
  expect(await page.getByLabel('Toelichting (niet verplicht)').inputValue()).toBe('Alles geveegd en gedweild, vuilniszakken weggebracht.');
  expect(await h1(page)).toBe(`Het trappenhuis schoonmaken, uiterlijk ${deadline}`);
  await expectAccessible(page);

  await page.getByLabel('Foto (niet verplicht)').setInputFiles({ name: 'trappenhuis.png', mimeType: 'image/png', buffer: png() });
  expect(await page.getByAltText('De gekozen foto').isVisible()).toBe(true);
  await Promise.all([page.waitForURL(/\?gedaan=opgeruimd$/), page.getByRole('button', { name: 'Ik ben klaar' }).click()]);
  expect(await page.getByRole('status').innerText()).toContain(
    'Dank u wel. Wij hebben uw melding ontvangen dat het trappenhuis is schoongemaakt. Een medewerker komt dat controleren.',
  );
  expect(await h1(page)).toBe('Uw melding wacht op controle');
  await expectAccessible(page);

  // A reload (the link itself, as from the mail again): the state, not the same buttons.
  await page.goto(link);
  expect(await h1(page)).toBe('Uw melding wacht op controle');
  expect(await mainText(page)).toMatch(/U heeft op \w+ \d{1,2} \w+ 20\d\d om \d\d\.\d\d uur gemeld dat het trappenhuis is schoongemaakt, met een foto\. Dit wacht op controle door een medewerker/);
  expect(await page.getByRole('button').count()).toBe(0);
  expect(await page.getByRole('status').count()).toBe(0);
  await expectAccessible(page);
  await expectNoHorizontalScrollAt360(page);

  // The API recorded it as the tenant's, with the note.
  const reported = await waitForIncident(stack, incidentId, (i) => i.phase === 'cleanup_reported');
  const event = reported.timeline.find((e: { type: string }) => e.type === 'CleanupReported');
  expect({ actor: event.actor, note: event.data.note, by: event.data.by }).toEqual({ actor: 'tenant:A-2', note: 'Alles geveegd en gedweild, vuilniszakken weggebracht.', by: 'tenant' });
  // The photo is the incident's, as the tenant's upload, byte for byte.
  expect(event.data.photoIds).toHaveLength(1);
  const stored = await stack.database.db.selectFrom('photos').select(['incident_id', 'uploaded_by', 'content_type', 'bytes']).where('photo_id', '=', event.data.photoIds[0]).executeTakeFirstOrThrow();
  expect({ ...stored, bytes: stored.bytes.equals(png()) }).toEqual({ incident_id: incidentId, uploaded_by: 'tenant:A-2', content_type: 'image/png', bytes: true });

  // The second tab still shows the form: sending it is refused, in Dutch, with the state as it is now.
  await second.getByRole('button', { name: 'Ik ben klaar' }).click();
  await second.waitForLoadState();
  expect(await second.getByRole('alert').innerText()).toContain('U heeft al gemeld dat het klaar is. Een medewerker komt dat controleren; u hoeft nu niets meer te doen.');
  expect(await h1(second)).toBe('Uw melding wacht op controle');
  expect(await mainText(second)).not.toMatch(/cleanup|already|awaits/);
  await expectAccessible(second);
  await context.close();
});

test('at a desk the tenant objects with a reason: an empty reason is refused in Dutch at the field; the objection is recorded as a dispute', async () => {
  const incidentId = await report('fouled_stairwell', 'C1-B', 'B-2', 'trappenhuis bij de kelderdeur');
  const link = await linkFromMail('b2@bewoners.test', /^Ingebrekestelling/);
  await waitForIncident(stack, incidentId, (i) => i.phase === 'awaiting_cleanup');

  const { context, page } = await newPerson(browser, 'desk');
  await page.goto(link);
  expect(await h1(page)).toMatch(/^Het trappenhuis schoonmaken, uiterlijk /);
  await expectAccessible(page);
  // Keyboard: the first Tab reaches the skip link, which leads to the content; the forms follow in order.
  await page.keyboard.press('Tab');
  expect(await page.evaluate('document.activeElement && document.activeElement.textContent')).toBe('Naar de inhoud');
  await page.keyboard.press('Enter');
  expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('inhoud');
  const focusOrder: string[] = [];
  for (let i = 0; i < 12; i += 1) {
    await page.keyboard.press('Tab');
    focusOrder.push(String(await page.evaluate('document.activeElement && (document.activeElement.id || document.activeElement.textContent)')));
  }
  expect(focusOrder.slice(0, 5)).toEqual(['notitie', 'foto', 'Ik ben klaar', 'bezwaar-reden', 'Bezwaar indienen']);

  // Only spaces: past the browser's own check, refused by the page, at the field, in Dutch.
  const reason = page.getByLabel('Waarom bent u het er niet mee eens?');
  await reason.fill('   ');
  await page.getByRole('button', { name: 'Bezwaar indienen' }).click();
  await page.waitForLoadState();
  expect(await page.getByRole('alert').innerText()).toContain('Geef een reden op: waarom bent u het er niet mee eens?');
  expect(await reason.getAttribute('aria-invalid')).toBe('true');
  expect(await reason.getAttribute('aria-describedby')).toContain('bezwaar-fout');
  await expectAccessible(page);

  await reason.fill('Ik woon op de bovenste verdieping en kom nooit bij de kelder; het was de bezorger van nummer 3.');
  await Promise.all([page.waitForURL(/\?gedaan=bezwaar$/), page.getByRole('button', { name: 'Bezwaar indienen' }).click()]);
  expect(await page.getByRole('status').innerText()).toContain('Dank u wel. Wij hebben uw bezwaar ontvangen. Wij beoordelen het en laten u weten wat wij besluiten.');
  expect(await h1(page)).toBe('Uw bezwaar wordt beoordeeld');
  expect(await mainText(page)).toContain('Zolang wij uw bezwaar beoordelen, laten wij het werk niet uitvoeren en sturen wij geen herinnering.');
  expect(await page.getByRole('button').count()).toBe(0);
  await expectAccessible(page);

  const disputed = await waitForIncident(stack, incidentId, (i) => i.dispute === 'open');
  const event = disputed.timeline.find((e: { type: string }) => e.type === 'DisputeOpened');
  expect({ actor: event.actor, by: event.data.by, reason: event.data.reason }).toEqual({
    actor: 'tenant:B-2',
    by: 'tenant',
    reason: 'Ik woon op de bovenste verdieping en kom nooit bij de kelder; het was de bezorger van nummer 3.',
  });
  await context.close();
});

test('an expired or invalid link explains itself in Dutch and says how to reach the corporation', async () => {
  const incidentId = await report('vandalism', 'C1-A', 'A-5', 'brievenbussen in de hal');
  await waitForIncident(stack, incidentId, (i) => i.phase === 'awaiting_cleanup');
  const expired = signTenantLink({ incidentId, tenantId: 'A-5', expiresAt: new Date(Date.now() - 60_000) }, LINK_SECRET);

  for (const viewport of ['phone', 'desk'] as const) {
    const { context, page } = await newPerson(browser, viewport);
    const gone = await page.goto(`${stack.url}/links/${expired}`);
    expect(gone?.status()).toBe(410);
    expect(await h1(page)).toBe('Deze link is verlopen');
    const text = await mainText(page);
    expect(text).toContain('De link uit uw brief of e-mail is niet meer geldig.');
    expect(text).toContain('Neem dan contact op met Woonstichting Test');
    expect(text).toContain('Postbus 1, 3500 AA Utrecht');
    await expectAccessible(page);
    if (viewport === 'phone') await expectNoHorizontalScrollAt360(page);

    const [payload, signature] = expired.split('.') as [string, string];
    for (const broken of ['niet-een-link', `${payload}.${signature.slice(0, -2)}xy`, payload]) {
      const invalid = await page.goto(`${stack.url}/links/${broken}`);
      expect(invalid?.status()).toBe(404);
      expect(await h1(page)).toBe('Deze link werkt niet');
      expect(await mainText(page)).toContain('gebruik de hele link uit de brief of e-mail');
    }
    await expectAccessible(page);
    await context.close();
  }

  // A form posted with an expired link: the same explanation, nothing recorded.
  const posted = await stack.app.inject({ method: 'POST', url: `/links/${expired}/bezwaar`, payload: { reden: 'ik was het niet' } });
  expect(posted.statusCode).toBe(410);
  expect(posted.body).toContain('Deze link is verlopen');
  const incident = await waitForIncident(stack, incidentId, () => true);
  expect(incident.dispute).toBe('none');
});

test('a closed incident whose invoice is open offers the dispute of the invoice, not "afgehandeld"; the dispute pauses the dunning', async () => {
  const incidentId = await report('bulk_waste', 'C1-A', 'A-4', 'bij de containers');
  const link = await linkFromMail('a4@bewoners.test', /^Ingebrekestelling/);
  await waitForIncident(stack, incidentId, (i) => i.phase === 'cleanup_ordered');

  // The term has passed and the contractor has the order: no cleanup report any more, the objection still.
  const { context, page } = await newPerson(browser, 'phone');
  await page.goto(link);
  expect(await h1(page)).toBe('Wij laten het werk uitvoeren');
  expect(await mainText(page)).toContain('Wij hebben een schoonmaakbedrijf opdracht gegeven om het werk uit te voeren.');
  expect(await page.getByRole('button', { name: 'Ik ben klaar' }).count()).toBe(0);
  expect(await page.getByRole('button', { name: 'Bezwaar indienen' }).count()).toBe(1);
  await expectAccessible(page);

  const completed = await stack.app.inject({
    method: 'POST',
    url: `/incidents/${incidentId}/completion`,
    headers: auth('contractor'),
    payload: { contractorId: 'K-1', costCents: 12345 },
  });
  expect(completed.statusCode).toBe(200);
  const closed = await waitForIncident(stack, incidentId, (i) => i.status === 'closed', 60_000);
  expect(closed.outcome).toBe('cleaned_and_charged');
  const invoiceNumber: string = closed.invoiceNumber;
  const invoice = async () => (await stack.app.inject({ method: 'GET', url: `/invoices/${invoiceNumber}`, headers: auth('finance') })).json();
  const open = await invoice();
  expect(open.status).toBe('open');

  await page.goto(link);
  expect(await h1(page)).toBe(`Factuur ${invoiceNumber}: betalen uiterlijk ${formatDutchWeekdayDate(open.payByDate)}`);
  const text = await mainText(page);
  expect(text).not.toContain('afgehandeld');
  expect(text).toContain('€ 123,45');
  expect(text).toContain('NL91 ABNA 0417 1643 00');
  expect(text).toContain('Niet mee eens met de factuur? Maak bezwaar');
  expect(await page.getByRole('button', { name: 'Ik ben klaar' }).count()).toBe(0);
  await expectAccessible(page);
  await expectNoHorizontalScrollAt360(page);

  await page.getByLabel('Waarom bent u het niet eens met de factuur?').fill('Het grofvuil was niet van mij: ik heb een verklaring van de buren.');
  await Promise.all([page.waitForURL(/\?gedaan=factuurbezwaar$/), page.getByRole('button', { name: 'Bezwaar indienen' }).click()]);
  expect(await page.getByRole('status').innerText()).toContain(`Dank u wel. Wij hebben uw bezwaar tegen factuur ${invoiceNumber} ontvangen.`);
  expect(await h1(page)).toBe(`Uw bezwaar tegen factuur ${invoiceNumber} wordt beoordeeld`);
  await expectAccessible(page);

  const deadline = Date.now() + 20_000;
  while (!(await invoice()).dunningPaused) {
    if (Date.now() > deadline) throw new Error('the invoice dispute did not pause the dunning');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await context.close();
});

test("what cannot be read or stored is refused in Dutch on the page; an action's address opened as a page leads back to it", async () => {
  const incidentId = await report('neglected_garden', 'C1-A', 'A-6', 'achtertuin');
  const link = await linkFromMail('a6@bewoners.test', /^Ingebrekestelling/);
  await waitForIncident(stack, incidentId, (i) => i.phase === 'awaiting_cleanup');
  const path = new URL(link).pathname;
  const page = await stack.app.inject({ method: 'GET', url: path });
  const formToken = /name="_formulier" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const post = (action: string, payload: string | Record<string, string>, headers: Record<string, string> = {}) =>
    stack.app.inject({ method: 'POST', url: `${path}/${action}`, payload, headers: { 'sec-fetch-site': 'same-origin', ...headers } });

  // Text PostgreSQL cannot store: the page again, the reason in Dutch, nothing recorded.
  const nul = await post('bezwaar', { _formulier: formToken, reden: 'ik was het niet\u0000' });
  expect(nul.statusCode).toBe(400);
  expect(nul.headers['content-type']).toMatch(/^text\/html/);
  expect(nul.body).toContain('De tekst bevat een teken dat niet kan worden opgeslagen.');
  expect(nul.body).toContain('De tuin opruimen en onderhouden, uiterlijk');

  // More than a photo may be: refused at the photo field, in Dutch.
  const boundary = 'grens';
  const big = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_formulier"\r\n\r\n${formToken}\r\n--${boundary}\r\nContent-Disposition: form-data; name="foto"; filename="groot.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
    Buffer.alloc(11 * 1024 * 1024, 0xff),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const tooLarge = await stack.app.inject({
    method: 'POST',
    url: `${path}/opgeruimd`,
    payload: big,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'sec-fetch-site': 'same-origin' },
  });
  expect(tooLarge.statusCode).toBe(400);
  expect(tooLarge.body).toContain('<a href="#foto">De foto is te groot. Kies een kleinere foto (hoogstens 10 MB).</a>');
  expect(tooLarge.body).toMatch(/<input type="file" id="foto"[^>]* aria-invalid="true">/);

  // An action's address as a page (a refusal reloaded, a bookmark): back to the page.
  const opened = await stack.app.inject({ method: 'GET', url: `${path}/opgeruimd` });
  expect(opened.statusCode).toBe(303);
  expect(opened.headers.location).toBe(path);

  const incident = await waitForIncident(stack, incidentId, () => true);
  expect({ phase: incident.phase, dispute: incident.dispute }).toEqual({ phase: 'awaiting_cleanup', dispute: 'none' });
});
