/**
 * Renders a sample of every letter kind, as a tenant or contractor gets it, into docs/letters/:
 * the e-mail (<kind>.html, and <kind>-mail.png as a phone shows it) and the PDF (<kind>.pdf, and
 * <kind>-pdf.png of its first page, drawn by pdf.js in Chromium). `npm run letter-samples`.
 * The wording itself is held to its reviewed text in test/fixtures/letters (test/unit/letter-dutch.test.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { type BuildingDetails, renderLetter, type RecipientDetails, type RenderOptions } from '../documents/letters';
import { renderLetterPdf } from '../documents/pdf';
import type { LetterContent } from '../domain/letters';
import { sampleCorporation, sampleTenant, sampleContractor } from '../test/support/letter-samples';

const OUT = resolve(__dirname, '../docs/letters');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const corporation = sampleCorporation;
const tenant = sampleTenant;
const contractor = sampleContractor;
const building: BuildingDetails = {
  buildingId: 'C114-A',
  complexId: '114 Lombok',
  street: 'Kerkstraat',
  houseNumbers: '2-24',
  postalCode: '3512 AB',
  city: 'Utrecht',
  accessNotes: 'Sleutel in het sleutelkastje naast de hoofdingang, code 4321.',
};
const link =
  'https://meldingen.thuis.example/links/eyJpIjoiMjAyNi0wMDEyMyIsInQiOiJIVC0xMDA0MiIsImUiOjE3OTg2NzUyMDB9.c2lnbmF0dXJlLXRoYXQtaXMtcmF0aGVyLWxvbmc';
const options: RenderOptions = { tenantLinkUrl: null, corporation, letterDate: '2026-12-03' };
const c = { incidentId: 'b7c1e0d2-5a43-4e4f-9c1a-0f3e2d1c4b5a', incidentNumber: '2026-00123', category: 'fouled_stairwell' as const, location: 'trappenhuis, 2e verdieping' };
const endOfDay = { deadline: '2026-12-08T23:00:00.000Z', deadlineDate: '2026-12-08' };
const invoice = { invoiceNumber: '2026-000042' };

const samples: Array<{ kind: string; content: LetterContent; recipient?: RecipientDetails; options?: Partial<RenderOptions> }> = [
  { kind: 'complainant_advice', content: { ...c, kind: 'complainant_advice', category: 'living_noise', location: 'woning boven mij' } },
  { kind: 'complainant_acknowledgement', content: { ...c, kind: 'complainant_acknowledgement' } },
  { kind: 'formal_notice', content: { ...c, kind: 'formal_notice', ...endOfDay, tariffCents: 9500, linkExpiresAt: '2026-12-22T23:00:00.000Z' }, options: { tenantLinkUrl: link } },
  { kind: 'collective_notice', content: { ...c, kind: 'collective_notice', ...endOfDay } },
  { kind: 'reminder', content: { ...c, kind: 'reminder', ...endOfDay, collective: false, linkExpiresAt: '2026-12-22T23:00:00.000Z' }, options: { tenantLinkUrl: link } },
  {
    kind: 'work_order',
    content: { ...c, kind: 'work_order', workOrderNumber: 'WO-2026-00123', buildingId: building.buildingId, complexId: building.complexId, completeBy: '2026-12-07' },
    recipient: contractor,
    options: { building },
  },
  { kind: 'warning', content: { ...c, kind: 'warning', offenceNumber: 2, severity: 'sharp', cleanedBy: 'corporation', ...invoice, totalCents: 113845 } },
  {
    kind: 'invoice',
    content: {
      ...c,
      kind: 'invoice',
      ...invoice,
      issueDate: '2026-12-03',
      dueDate: '2026-12-17',
      lines: [
        { description: 'Schoonmaak: vervuild trappenhuis, trappenhuis, 2e verdieping', amountCents: 112345, vatCode: 'BTW-GEEN' },
        { description: 'Administratiekosten', amountCents: 1500, vatCode: 'BTW-GEEN' },
      ],
      totalCents: 113845,
    },
  },
  { kind: 'service_cost_notice', content: { ...c, kind: 'service_cost_notice', totalCents: 10001, shareCents: 2501, households: 4 } },
  { kind: 'neighbours_notice', content: { ...c, kind: 'neighbours_notice', outcome: 'cleaned_and_charged', polluterKnown: true } },
  { kind: 'payment_reminder', content: { ...c, kind: 'payment_reminder', ...invoice, letterDate: '2026-12-21', issueDate: '2026-12-03', dueDate: '2026-12-17', openCents: 113845, newDueDate: '2027-01-04' } },
  {
    kind: 'final_notice',
    content: { ...c, kind: 'final_notice', ...invoice, letterDate: '2027-01-06', openCents: 113845, finalDate: '2027-01-22', collectionCostsCents: 17077, interestCents: 1234 },
  },
  {
    kind: 'credit_note',
    content: { ...c, kind: 'credit_note', ...invoice, creditNoteNumber: 'C2026-000007', issueDate: '2026-12-10', amountCents: 113845, refundDueCents: 5000, reason: 'De kosten zijn ten onrechte in rekening gebracht' },
  },
];

const PDF_PAGE = `<!DOCTYPE html><html><body style="margin:0"><canvas id="page"></canvas><script type="module">
import * as pdfjs from '/pdf.mjs';
pdfjs.GlobalWorkerOptions.workerSrc = '/pdf.worker.mjs';
const doc = await pdfjs.getDocument('/letter.pdf').promise;
const page = await doc.getPage(1);
const viewport = page.getViewport({ scale: 1.25 });
const canvas = document.getElementById('page');
canvas.width = viewport.width; canvas.height = viewport.height;
await page.render({ canvasContext: canvas.getContext('2d'), viewport }).promise;
document.title = 'rendered';
</script></body></html>`;

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const pdfjsDir = dirname(require.resolve('pdfjs-dist/build/pdf.mjs'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const phone = await browser.newPage({ viewport: { width: 390, height: 800 }, deviceScaleFactor: 1 });
    const desk = await browser.newPage({ viewport: { width: 800, height: 1100 } });
    for (const sample of samples) {
      const o = { ...options, ...sample.options };
      const recipient = sample.recipient ?? tenant;
      const mail = renderLetter(sample.content, recipient, o);
      writeFileSync(join(OUT, `${sample.kind}.html`), mail.html);
      writeFileSync(join(OUT, `${sample.kind}.txt`), `Onderwerp: ${mail.subject}\n\n${mail.text}`);
      await phone.setContent(mail.html);
      await phone.screenshot({ path: join(OUT, `${sample.kind}-mail.png`), fullPage: true });

      const pdf = await renderLetterPdf(sample.content, recipient, o);
      writeFileSync(join(OUT, `${sample.kind}.pdf`), pdf);
      await desk.unroute('**/*');
      await desk.route('http://samples.local/**', async (route) => {
        const path = new URL(route.request().url()).pathname;
        if (path === '/') return route.fulfill({ contentType: 'text/html', body: PDF_PAGE });
        if (path === '/letter.pdf') return route.fulfill({ contentType: 'application/pdf', body: pdf });
        return route.fulfill({ contentType: 'text/javascript', body: readFileSync(join(pdfjsDir, path.slice(1))) });
      });
      await desk.goto('http://samples.local/');
      await desk.waitForFunction("document.title === 'rendered'", undefined, { timeout: 30_000 });
      await desk.locator('#page').screenshot({ path: join(OUT, `${sample.kind}-pdf.png`) });
      console.log(`${sample.kind}: ${mail.subject}`);
    }
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
