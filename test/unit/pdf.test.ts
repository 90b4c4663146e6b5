import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { type FinancialLetter, type PdfParty, printable, renderFinancialPdf, renderLetterPdf, renderPostBatchPdf } from '../../documents/pdf';
import type { LetterContent } from '../../domain/letters';
import { epcPayload } from '../../documents/epc-qr';
import { sampleCorporation } from '../support/letter-samples';

const corporation = sampleCorporation;
const tenant: PdfParty = {
  name: 'J. de Vries',
  address: { street: 'Kerkstraat', houseNumber: '12-B', postalCode: '1234 AB', city: 'Utrecht' },
};

const invoice: FinancialLetter = {
  kind: 'invoice',
  invoiceNumber: '2031-000123',
  issueDate: '2031-12-03',
  dueDate: '2031-12-17',
  incidentId: 'INC-2031-0042',
  lines: [
    { description: 'Reinigen trappenhuis A', amountCents: 15000, vatCode: 'buiten reikwijdte' },
    { description: 'Voorrijkosten', amountCents: 3750, vatCode: 'buiten reikwijdte' },
  ],
  totalCents: 18750,
};
const reminder: FinancialLetter = {
  kind: 'payment_reminder',
  invoiceNumber: '2031-000123',
  issueDate: '2031-12-20',
  dueDate: '2031-12-17',
  openCents: 18750,
  newDueDate: '2032-01-03',
};
const finalNotice: FinancialLetter = {
  kind: 'final_notice',
  invoiceNumber: '2031-000123',
  letterDate: '2031-12-29',
  openCents: 18750,
  finalDate: '2032-01-15',
  collectionCostsCents: 4000,
  interestCents: 123,
};
const creditNote: FinancialLetter = {
  kind: 'credit_note',
  creditNoteNumber: 'C2032-000007',
  invoiceNumber: '2031-000123',
  issueDate: '2032-01-05',
  amountCents: 18750,
  reason: 'De kosten zijn ten onrechte in rekening gebracht.',
};

/**
 * pdf-parse (pdf.js) loads its worker with a dynamic import(), which Jest's CommonJS sandbox
 * refuses without --experimental-vm-modules; so the extraction runs in a plain Node child process.
 */
const EXTRACT_TEXT = `
const { PDFParse } = require('pdf-parse');
const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', async () => {
  const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
  try {
    process.stdout.write(JSON.stringify((await parser.getText()).text));
  } finally {
    await parser.destroy();
  }
});
`;

/** The images of a PDF (pdf-parse), read as QR codes by jsQR: what a banking app would scan. */
const READ_QR_CODES = `
const { PDFParse } = require('pdf-parse');
const { PNG } = require('pngjs');
const jsQR = require('jsqr');
const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', async () => {
  const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
  try {
    const images = (await parser.getImage({ imageBuffer: true, imageDataUrl: false })).pages.flatMap((p) => p.images);
    const codes = images.map((image) => {
      const png = PNG.sync.read(Buffer.from(image.data));
      return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
    });
    process.stdout.write(JSON.stringify(codes));
  } finally {
    await parser.destroy();
  }
});
`;

function qrCodesIn(pdf: Buffer): Promise<(string | null)[]> {
  return new Promise((done, fail) => {
    const child = execFile(process.execPath, ['-e', READ_QR_CODES], { cwd: resolve(__dirname, '../..'), maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) fail(new Error(`reading the QR codes failed: ${stderr || error.message}`));
      else done(JSON.parse(stdout) as (string | null)[]);
    });
    child.stdin?.end(pdf);
  });
}

/** The text of every page, whitespace collapsed so that line breaks do not matter. */
function textOf(pdf: Buffer): Promise<string> {
  return new Promise((done, fail) => {
    const child = execFile(process.execPath, ['-e', EXTRACT_TEXT], { cwd: resolve(__dirname, '../..'), maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) fail(new Error(`pdf-parse failed: ${stderr || error.message}`));
      else done((JSON.parse(stdout) as string).replace(/\s+/g, ' '));
    });
    child.stdin?.end(pdf);
  });
}

async function render(letter: FinancialLetter, recipient: PdfParty = tenant): Promise<{ pdf: Buffer; text: string }> {
  const pdf = await renderFinancialPdf(letter, recipient, corporation);
  return { pdf, text: await textOf(pdf) };
}

function expectAll(text: string, ...needles: string[]): void {
  for (const needle of needles) expect(text).toContain(needle);
}

describe('every financial letter', () => {
  const letters: FinancialLetter[] = [invoice, reminder, finalNotice, creditNote];

  it.each(letters.map((l) => [l.kind, l] as const))('%s is an A4 PDF from the corporation to the tenant', async (_kind, letter) => {
    const { pdf, text } = await render(letter);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1')).toMatch(/\/MediaBox \[0 0 595\.28 841\.89\]/);
    expectAll(text, 'Woonstichting Thuis', 'Stationsplein 1, 3511 ED Utrecht', 'Postbus 1, 3500 AA Utrecht', 'NL91 ABNA 0417 1643 00', 'KvK 30123456');
    expectAll(text, '030 123 45 67', 'info@thuis.example');
    expectAll(text, 'J. de Vries', 'Kerkstraat 12-B', '1234 AB', 'UTRECHT', 'Geachte heer, mevrouw,', 'Met vriendelijke groet,');
    expectAll(text, '2031-000123', '€ 187,50');
  });

  it.each(letters.map((l) => [l.kind, l] as const))('%s gives the same bytes when rendered twice', async (_kind, letter) => {
    const first = await renderFinancialPdf(letter, tenant, corporation);
    const second = await renderFinancialPdf(letter, tenant, corporation);
    expect(first.equals(second)).toBe(true);
  });
});

describe('the invoice', () => {
  it('lists the lines with their amounts, the total, the dates in Dutch and how to pay', async () => {
    const { text } = await render(invoice);
    expectAll(text, 'Factuur 2031-000123', 'Factuurdatum 3 december 2031', 'Vervaldatum 17 december 2031', 'Ons kenmerk INC-2031-0042');
    expectAll(text, 'Reinigen trappenhuis A buiten reikwijdte € 150,00', 'Voorrijkosten buiten reikwijdte € 37,50', 'Totaal € 187,50');
    expectAll(
      text,
      'Wilt u het bedrag van € 187,50 uiterlijk op 17 december 2031 overmaken naar IBAN NL91 ABNA 0417 1643 00 ten name van Woonstichting Thuis?',
      'Vermeld bij uw betaling altijd betalingskenmerk 2031-000123 (het factuurnummer)',
    );
  });

  it('renders the euro sign as a real € character', async () => {
    const { text } = await render(invoice);
    expect(text).toContain('€');
    expect(text).not.toMatch(/\uFFFD/);
  });

  it('stores a fixed creation date taken from the letter date, so the bytes do not depend on the clock', async () => {
    const datesIn = (pdf: Buffer) => pdf.toString('latin1').match(/\(D:\d{14}Z\)/g);
    // CreationDate and ModDate: noon in Amsterdam on 3 December 2031 (CET) is 11:00 UTC.
    expect(datesIn(await renderFinancialPdf(invoice, tenant, corporation))).toEqual(['(D:20311203110000Z)', '(D:20311203110000Z)']);
    const nextDay = await renderFinancialPdf({ ...invoice, issueDate: '2031-12-04' }, tenant, corporation);
    expect(datesIn(nextDay)).toEqual(['(D:20311204110000Z)', '(D:20311204110000Z)']);
  });

  it('continues a long table on the next page with its header repeated, and numbers the pages', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => ({ description: `Werkzaamheid ${i + 1}`, amountCents: 1000 + i, vatCode: 'buiten reikwijdte' }));
    const totalCents = lines.reduce((sum, l) => sum + l.amountCents, 0);
    const { text } = await render({ ...invoice, lines, totalCents });
    expectAll(text, 'Werkzaamheid 1 buiten reikwijdte € 10,00', 'Werkzaamheid 30 buiten reikwijdte € 10,29', 'Totaal € 304,35');
    expect(text.match(/Omschrijving Btw-code Bedrag/g)).toHaveLength(2);
    expect(text).toMatch(/Pagina 1 van 2 .*Pagina 2 van 2/);
    expect(text).not.toContain('Pagina 3');
  });

  it('refuses lines that do not add up to the total', async () => {
    await expect(renderFinancialPdf({ ...invoice, totalCents: 18751 }, tenant, corporation)).rejects.toThrow(/add up to 18750 cents/);
  });

  it('refuses amounts that are not whole cents', async () => {
    const lines = [{ description: 'Reinigen', amountCents: 187.5, vatCode: 'buiten reikwijdte' }];
    await expect(renderFinancialPdf({ ...invoice, lines, totalCents: 187.5 }, tenant, corporation)).rejects.toThrow(RangeError);
  });
});

describe('the payment reminder', () => {
  it('gives the open amount, the passed due date and the new date to pay by', async () => {
    const { text } = await render(reminder);
    expectAll(text, 'Betalingsherinnering factuur 2031-000123', 'Datum 20 december 2031', 'Vervaldatum factuur 17 december 2031');
    expectAll(text, 'is op 17 december 2031 verstreken', 'staat er nog € 187,50 open');
    expectAll(text, 'Wilt u het bedrag van € 187,50 uiterlijk op 3 januari 2032 overmaken naar IBAN NL91 ABNA 0417 1643 00', 'factuurnummer 2031-000123');
    expectAll(text, 'Aan deze herinnering zijn geen kosten verbonden.');
  });
});

describe('the final notice (veertiendagenbrief, art. 6:96 BW)', () => {
  it('states the concrete final date and the exact collection costs by the statutory scale', async () => {
    const { text } = await render(finalNotice);
    expectAll(text, 'Aanmaning factuur 2031-000123', 'Datum 29 december 2031', 'Uiterste betaaldatum 15 januari 2032');
    expectAll(text, 'Maak dit bedrag uiterlijk op 15 januari 2032 over naar IBAN NL91 ABNA 0417 1643 00', 'onder vermelding van betalingskenmerk 2031-000123');
    expectAll(
      text,
      'Heeft u het openstaande bedrag niet uiterlijk op 15 januari 2032 betaald, dan wordt het verhoogd met incassokosten van € 40,00.',
      'Besluit vergoeding voor buitengerechtelijke incassokosten',
      'artikel 6:96 Burgerlijk Wetboek',
    );
    expectAll(text, 'Incassokosten als u niet uiterlijk op 15 januari 2032 betaalt € 40,00');
  });

  it('states the statutory interest when there is any', async () => {
    const { text } = await render(finalNotice);
    expectAll(text, 'wettelijke rente', 'bedraagt die rente € 1,23', 'Wettelijke rente tot en met 29 december 2031 € 1,23');
  });

  it('says nothing about interest when policy charges none', async () => {
    const { text } = await render({ ...finalNotice, interestCents: null });
    expect(text).not.toMatch(/rente/i);
    expectAll(text, 'incassokosten van € 40,00');
  });

  it('writes larger amounts with Dutch thousands separators', async () => {
    const { text } = await render({ ...finalNotice, openCents: 1_234_567, collectionCostsCents: 28_673 });
    expectAll(text, '€ 12.345,67', 'incassokosten van € 286,73');
  });

  it('refuses a final date that leaves less than 14 days after the day after receipt', async () => {
    await expect(renderFinancialPdf({ ...finalNotice, finalDate: '2032-01-12' }, tenant, corporation)).rejects.toThrow(/too early/);
    // Fifteen days after the letter date is the earliest possible.
    await expect(renderFinancialPdf({ ...finalNotice, finalDate: '2032-01-13' }, tenant, corporation)).resolves.toBeInstanceOf(Buffer);
  });
});

describe('the credit note', () => {
  it('names its own number, the invoice it credits, the amount and the reason', async () => {
    const { text } = await render(creditNote);
    expectAll(text, 'Creditnota C2032-000007 bij factuur 2031-000123', 'Datum 5 januari 2032', 'Creditnotanummer C2032-000007', 'Betreft factuur 2031-000123');
    expectAll(text, 'Wij crediteren € 187,50', 'Reden: De kosten zijn ten onrechte in rekening gebracht.', 'Totaal -€ 187,50');
  });

  it('refuses a zero amount', async () => {
    await expect(renderFinancialPdf({ ...creditNote, amountCents: 0 }, tenant, corporation)).rejects.toThrow(/must be positive/);
  });

  it('says what the tenant had paid and that it is paid back, when the invoice was partly paid', async () => {
    const { text } = await render({ ...creditNote, refundDueCents: 5000 });
    expectAll(text, 'Wij crediteren € 187,50', 'Terug te betalen aan u € 50,00', 'U had op deze factuur al € 50,00 betaald; dat bedrag betalen wij aan u terug');
  });
});

describe('recipients and characters', () => {
  it('addresses a recipient without a postal address by name only', async () => {
    const { text } = await render(invoice, { name: 'Schoonmaakbedrijf Glans B.V.', address: null });
    expectAll(text, 'Schoonmaakbedrijf Glans B.V.', 'Geachte heer, mevrouw,');
  });

  it('prints names in any Latin script as written, and marks what the embedded font lacks', async () => {
    expect(printable('één café, € 5')).toBe('één café, € 5');
    expect(printable('Łukasz Wałęsa')).toBe('Łukasz Wałęsa');
    expect(printable('Ağaoğlu 日本')).toBe('Ağaoğlu ??');
    const { text } = await render(reminder, { ...tenant, name: 'Łukasz Wałęsa' });
    expectAll(text, 'Łukasz Wałęsa', 'Geachte heer, mevrouw,', 'niet in één keer betalen');
  });
});

describe('fonts and the payment QR code', () => {
  it.each([invoice, reminder, finalNotice, creditNote].map((l) => [l.kind, l] as const))('%s embeds its font (DejaVu Sans as a TrueType subset) and uses no unembedded standard font', async (_kind, letter) => {
    const pdf = (await renderFinancialPdf(letter, tenant, corporation)).toString('latin1');
    const fonts = [...pdf.matchAll(/\/Type \/Font\b[^]*?>>/g)].map((m) => m[0]);
    expect(fonts.length).toBeGreaterThan(0);
    expect(pdf).toMatch(/\/FontFile2 \d+ 0 R/);
    expect(pdf).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans\b/);
    expect(pdf).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans-Bold\b/);
    expect(pdf).not.toMatch(/\/BaseFont \/Helvetica/);
    const descriptors = (pdf.match(/\/Type \/FontDescriptor/g) ?? []).length;
    expect((pdf.match(/\/FontFile2/g) ?? []).length).toBe(descriptors);
  });

  it.each([invoice, reminder, finalNotice].map((l) => [l.kind, l] as const))('%s carries a payment QR code (an image) and says what it fills in', async (_kind, letter) => {
    const { pdf, text } = await render(letter);
    expect(pdf.toString('latin1')).toMatch(/\/Subtype \/Image/);
    expectAll(text, 'Betalen met uw bankapp', '€ 187,50 aan Woonstichting Thuis', 'Betalingskenmerk 2031-000123');
  });

  it.each([
    ['invoice', invoice, 18750],
    ['payment_reminder', reminder, 18750],
    ['final_notice', finalNotice, 18750],
  ] as const)('%s: the QR code taken out of the PDF decodes (jsQR) to the EPC payment of the open amount to the corporation with the invoice number', async (_kind, letter, cents) => {
    const pdf = await renderFinancialPdf(letter, tenant, corporation);
    expect(await qrCodesIn(pdf)).toEqual([epcPayload({ bic: 'ABNANL2A', name: 'Woonstichting Thuis', iban: 'NL91ABNA0417164300', amountCents: cents, reference: '2031-000123' })]);
    expect(epcPayload({ bic: 'ABNANL2A', name: 'Woonstichting Thuis', iban: 'NL91ABNA0417164300', amountCents: cents, reference: '2031-000123' })).toContain('\nEUR187.50\n');
  });

  it('puts no QR code on a credit note, which asks for no payment', async () => {
    const { pdf, text } = await render(creditNote);
    expect(pdf.toString('latin1')).not.toMatch(/\/Subtype \/Image/);
    expect(text).not.toContain('bankapp');
  });
});

describe('every letter kind on paper', () => {
  const options = { tenantLinkUrl: 'https://meldingen.thuis.example/links/abc.def', corporation, letterDate: '2031-12-03' };
  const common = { incidentId: 'incident-7', incidentNumber: '2031-00042', category: 'fouled_stairwell' as const, location: 'trappenhuis A' };
  const notice: LetterContent = {
    kind: 'formal_notice',
    ...common,
    deadline: '2031-12-09T23:00:00.000Z',
    deadlineDate: '2031-12-09',
    tariffCents: 9500,
    linkExpiresAt: '2031-12-23T23:00:00.000Z',
  };
  const neighbours: LetterContent = { kind: 'neighbours_notice', ...common, outcome: 'cleaned_at_service_cost', polluterKnown: false };

  it('a formal notice by post: the same wording as its e-mail, dated, with our reference, the deadline, the link and how to reach us', async () => {
    const text = await textOf(await renderLetterPdf(notice, tenant, options));
    expectAll(
      text,
      'Datum 3 december 2031',
      'Ons kenmerk 2031-00042',
      'Ingebrekestelling: vervuild trappenhuis, uiterlijk dinsdag 9 december 2031',
      'Geachte heer, mevrouw,',
      'Wij sommeren u uiterlijk op dinsdag 9 december 2031 het trappenhuis schoon te maken.',
      'https://meldingen.thuis.example/links/abc.def',
      '030 123 45 67',
      'Met vriendelijke groet,',
    );
  });

  it('the day’s post in one PDF: each letter from a new page, each numbered on its own', async () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ description: `Werkzaamheid ${i + 1}`, amountCents: 1000, vatCode: 'x' }));
    const longInvoice: LetterContent = { kind: 'invoice', ...common, invoiceNumber: '2031-000123', issueDate: '2031-12-03', dueDate: '2031-12-17', lines: many, totalCents: 40_000 };
    const pdf = await renderPostBatchPdf(
      [
        { content: notice, recipient: tenant, options },
        { content: longInvoice, recipient: tenant, options },
        { content: neighbours, recipient: { ...tenant, name: 'P. Buur' }, options },
      ],
      corporation,
      '2031-12-03',
    );
    const text = await textOf(pdf);
    expect(text.match(/Geachte (heer, mevrouw|bewoner),/g)).toHaveLength(3);
    // The long invoice runs over three pages, numbered 1 to 3; the one-page letters have no number.
    expect(text).toMatch(/Pagina 1 van 3 .*Pagina 2 van 3 .*Pagina 3 van 3/);
    expect(text).not.toMatch(/Pagina \d van [^3]/);
    expect(text.indexOf('Ingebrekestelling')).toBeLessThan(text.indexOf('Factuur 2031-000123'));
    expect(text.indexOf('Factuur 2031-000123')).toBeLessThan(text.indexOf('P. Buur'));
    expect((pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length).toBe(5);
  });
});
