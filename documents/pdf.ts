/**
 * Renders the financial letters (invoice, payment reminder, the statutory 14-day letter and the
 * credit note) as A4 PDF documents, in Dutch, with the corporation as sender.
 *
 * Deterministic: no clock. The PDF's CreationDate and ModDate (and with them the file ID pdfkit
 * derives from the document info) come from the letter's own date, so the same input always gives
 * the same bytes. The font is DejaVu Sans (the dejavu-fonts-ttf package), embedded as a subset, so
 * that every reader and printer shows the same letters and names in any Latin script print as
 * written. Invoices and payment letters carry a SEPA payment QR code (documents/epc-qr.ts).
 */
import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';
import { type Corporation, formatIban, howToReach } from './corporation';
import { epcPayload, qrPng } from './epc-qr';
import { draftOf, headingFacts, type RenderOptions, salutationOf } from './letters';
import { addCalendarDays, amsterdamInstant, formatDutchDate, type LocalDate } from '../domain/calendar';
import { assertCents, type Cents, formatEuro } from '../domain/money';
import { financialLetterKinds, type LetterContent } from '../domain/letters';

export interface PdfParty {
  name: string;
  address: { street: string; houseNumber: string; postalCode: string; city: string } | null;
}

/** The corporation as sender: name, where to pay, how to reach it, its KvK number. */
export type PdfCorporation = Corporation;

export type FinancialLetter =
  | {
      kind: 'invoice';
      invoiceNumber: string;
      issueDate: string;
      dueDate: string;
      incidentId: string;
      lines: { description: string; amountCents: number; vatCode: string }[];
      totalCents: number;
    }
  | {
      kind: 'payment_reminder';
      invoiceNumber: string;
      /** The date of the reminder itself. */
      issueDate: string;
      /** The invoice's original due date. */
      dueDate: string;
      openCents: number;
      newDueDate: string;
    }
  | {
      /** The 14-day letter, art. 6:96 BW (veertiendagenbrief). */
      kind: 'final_notice';
      invoiceNumber: string;
      letterDate: string;
      openCents: number;
      /** The concrete last day to pay before the collection costs are added. */
      finalDate: string;
      /** By the statutory scale (Besluit vergoeding voor buitengerechtelijke incassokosten). */
      collectionCostsCents: number;
      /** Statutory interest up to the letter date; null when policy does not charge interest. */
      interestCents: number | null;
    }
  | {
      kind: 'credit_note';
      creditNoteNumber: string;
      invoiceNumber: string;
      issueDate: string;
      amountCents: number;
      /** Already paid on the invoice: paid back to the tenant (absent or 0: nothing was paid). */
      refundDueCents?: number;
      reason: string;
    };

/**
 * Art. 6:96 lid 6 BW: the debtor gets 14 days starting the day after receipt of the letter. The
 * letter cannot be received before its own date, so a final date earlier than this is never valid.
 */
const MIN_DAYS_FROM_LETTER_TO_FINAL_DATE = 15;

// ---------------------------------------------------------------------------------------------
// Letter model: what each kind says, independent of the drawing

type Block =
  | { type: 'p'; text: string; bold?: boolean }
  | { type: 'table'; rows: Array<{ description: string; vatCode: string; amount: string }>; total: string }
  | { type: 'facts'; rows: Array<[label: string, value: string]> }
  /** The SEPA payment QR code with what it fills in (drawn from Letter.payment). */
  | { type: 'qr' };

interface Letter {
  letterDate: LocalDate;
  title: string;
  subject: string;
  references: Array<[label: string, value: string]>;
  body: Block[];
  /** What the payment QR code asks for, on a letter that asks for payment. */
  payment?: { amountCents: number; reference: string };
  /** Absent: 'Geachte heer, mevrouw,'. */
  salutation?: string;
}

const p = (text: string, bold = false): Block => ({ type: 'p', text, bold });

/** Joins with no-break spaces, so that an amount or an IBAN is never split over two lines. */
const nb = (text: string): string => text.replace(/ /g, '\u00A0');
/** An amount in running text. */
const euro = (cents: Cents): string => nb(formatEuro(cents));
const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

function paymentInstruction(amountCents: Cents, byDate: LocalDate, invoiceNumber: string, corporation: PdfCorporation): string {
  return (
    `Wilt u het bedrag van ${euro(amountCents)} uiterlijk op ${formatDutchDate(byDate)} overmaken naar ` +
    `IBAN ${nb(formatIban(corporation.iban))} ten name van ${corporation.name}? Vermeld bij uw betaling altijd betalingskenmerk ${invoiceNumber} (het factuurnummer), ` +
    'of scan de QR-code hieronder met uw bankapp.'
  );
}

function invoice(l: Extract<FinancialLetter, { kind: 'invoice' }>, corporation: PdfCorporation): Letter {
  if (l.lines.length === 0) throw new RangeError(`invoice ${l.invoiceNumber} has no lines`);
  const sum = l.lines.reduce((acc, line) => acc + assertCents(line.amountCents, 'line amount'), 0);
  if (sum !== assertCents(l.totalCents, 'total')) {
    throw new RangeError(`invoice ${l.invoiceNumber}: the lines add up to ${sum} cents, not the total of ${l.totalCents}`);
  }
  return {
    letterDate: l.issueDate,
    title: `Factuur ${l.invoiceNumber}`,
    subject: `Factuur ${l.invoiceNumber}`,
    references: [
      ['Factuurdatum', formatDutchDate(l.issueDate)],
      ['Factuurnummer', l.invoiceNumber],
      ['Vervaldatum', formatDutchDate(l.dueDate)],
      ['Ons kenmerk', l.incidentId],
    ],
    payment: { amountCents: l.totalCents, reference: l.invoiceNumber },
    body: [
      p(
        `Hierbij ontvangt u de factuur voor de werkzaamheden die wij hebben laten uitvoeren in verband met melding ${l.incidentId}. ` +
          'Omdat u hiervoor verantwoordelijk bent, brengen wij de kosten bij u in rekening.',
      ),
      {
        type: 'table',
        rows: l.lines.map((line) => ({ description: line.description, vatCode: line.vatCode, amount: formatEuro(line.amountCents) })),
        total: formatEuro(l.totalCents),
      },
      p(paymentInstruction(l.totalCents, l.dueDate, l.invoiceNumber, corporation)),
      { type: 'qr' },
      p(`Heeft u vragen over deze factuur of bent u het er niet mee eens? ${capitalize(howToReach(corporation))} en noem daarbij factuurnummer ${l.invoiceNumber}.`),
    ],
  };
}

function paymentReminder(l: Extract<FinancialLetter, { kind: 'payment_reminder' }>, corporation: PdfCorporation): Letter {
  assertCents(l.openCents, 'open amount');
  return {
    letterDate: l.issueDate,
    title: `Betalingsherinnering factuur ${l.invoiceNumber}`,
    subject: `Betalingsherinnering factuur ${l.invoiceNumber}`,
    references: [
      ['Datum', formatDutchDate(l.issueDate)],
      ['Factuurnummer', l.invoiceNumber],
      ['Vervaldatum factuur', formatDutchDate(l.dueDate)],
      ['Openstaand bedrag', formatEuro(l.openCents)],
    ],
    payment: { amountCents: l.openCents, reference: l.invoiceNumber },
    body: [
      p(
        `De betalingstermijn van factuur ${l.invoiceNumber} is op ${formatDutchDate(l.dueDate)} verstreken. ` +
          `Volgens onze administratie staat er nog ${euro(l.openCents)} open. Misschien is de betaling u ontschoten.`,
      ),
      p(paymentInstruction(l.openCents, l.newDueDate, l.invoiceNumber, corporation)),
      { type: 'qr' },
      p('Aan deze herinnering zijn geen kosten verbonden. Heeft u het bedrag inmiddels betaald? Dan kunt u deze herinnering als niet verzonden beschouwen.'),
      p(
        'Kunt u het bedrag niet in één keer betalen, of bent u het niet eens met de factuur? ' +
          `${capitalize(howToReach(corporation))} en noem daarbij factuurnummer ${l.invoiceNumber}.`,
      ),
    ],
  };
}

function finalNotice(l: Extract<FinancialLetter, { kind: 'final_notice' }>, corporation: PdfCorporation): Letter {
  assertCents(l.openCents, 'open amount');
  assertCents(l.collectionCostsCents, 'collection costs');
  if (l.interestCents !== null) assertCents(l.interestCents, 'interest');
  const earliest = addCalendarDays(l.letterDate, MIN_DAYS_FROM_LETTER_TO_FINAL_DATE);
  if (l.finalDate < earliest) {
    throw new RangeError(
      `final notice for invoice ${l.invoiceNumber}: final date ${l.finalDate} is too early; ` +
        `art. 6:96 BW needs 14 days from the day after receipt, so ${earliest} at the earliest for a letter dated ${l.letterDate}`,
    );
  }
  const open = euro(l.openCents);
  const final = formatDutchDate(l.finalDate);
  const costs = euro(l.collectionCostsCents);
  const facts: Array<[string, string]> = [
    ['Openstaand bedrag', formatEuro(l.openCents)],
    ['Uiterste betaaldatum', final],
    [`Incassokosten als u niet uiterlijk op ${final} betaalt`, formatEuro(l.collectionCostsCents)],
  ];
  const body: Block[] = [
    p(
      `Wij hebben u eerder een factuur en een betalingsherinnering gestuurd voor factuur ${l.invoiceNumber}. ` +
        `Volgens onze administratie heeft u het bedrag van ${open} nog steeds niet (volledig) betaald.`,
    ),
    p(
      `Wij geven u de gelegenheid het openstaande bedrag van ${open} alsnog te betalen. ` +
        `Maak dit bedrag uiterlijk op ${final} over naar IBAN ${nb(formatIban(corporation.iban))} ten name van ${corporation.name}, ` +
        `onder vermelding van betalingskenmerk ${l.invoiceNumber} (het factuurnummer), of scan de QR-code hieronder met uw bankapp.`,
      true,
    ),
    { type: 'qr' },
    p(
      `Heeft u het openstaande bedrag niet uiterlijk op ${final} betaald, dan wordt het verhoogd met incassokosten van ${costs}. ` +
        'Dit bedrag is berekend volgens de wettelijke staffel van het Besluit vergoeding voor buitengerechtelijke incassokosten ' +
        '(artikel 6:96 Burgerlijk Wetboek). Ook dragen wij de vordering dan over voor incasso.',
    ),
  ];
  if (l.interestCents !== null) {
    const interest = euro(l.interestCents);
    facts.push([`Wettelijke rente tot en met ${formatDutchDate(l.letterDate)}`, formatEuro(l.interestCents)]);
    body.push(
      p(
        `Daarnaast brengen wij over het openstaande bedrag de wettelijke rente in rekening. Tot en met de datum van deze brief ` +
          `bedraagt die rente ${interest}. De rente loopt door tot de dag waarop u betaalt.`,
      ),
    );
  }
  body.push(
    { type: 'facts', rows: facts },
    p(`Kunt u het bedrag niet in één keer betalen? Neem dan vóór ${final} contact met ons op: ${howToReach(corporation)}. Samen zoeken wij naar een oplossing, bijvoorbeeld een betalingsregeling.`),
    p('Heeft u het bedrag inmiddels betaald? Dan kunt u deze brief als niet verzonden beschouwen.'),
  );
  return {
    letterDate: l.letterDate,
    title: `Aanmaning factuur ${l.invoiceNumber}`,
    subject: `Aanmaning factuur ${l.invoiceNumber}: laatste betalingstermijn`,
    references: [
      ['Datum', formatDutchDate(l.letterDate)],
      ['Factuurnummer', l.invoiceNumber],
      ['Openstaand bedrag', formatEuro(l.openCents)],
      ['Uiterste betaaldatum', final],
    ],
    payment: { amountCents: l.openCents, reference: l.invoiceNumber },
    body,
  };
}

function creditNote(l: Extract<FinancialLetter, { kind: 'credit_note' }>, corporation: PdfCorporation): Letter {
  assertCents(l.amountCents, 'credit amount');
  if (l.amountCents <= 0) throw new RangeError(`credit note ${l.creditNoteNumber}: the amount must be positive, got ${l.amountCents}`);
  const amount = euro(l.amountCents);
  const refundCents = l.refundDueCents ?? 0;
  assertCents(refundCents, 'refund');
  if (refundCents < 0 || refundCents > l.amountCents) throw new RangeError(`credit note ${l.creditNoteNumber}: the refund must be between 0 and the amount, got ${refundCents}`);
  return {
    letterDate: l.issueDate,
    title: `Creditnota ${l.creditNoteNumber}`,
    subject: `Creditnota ${l.creditNoteNumber} bij factuur ${l.invoiceNumber}`,
    references: [
      ['Datum', formatDutchDate(l.issueDate)],
      ['Creditnotanummer', l.creditNoteNumber],
      ['Betreft factuur', l.invoiceNumber],
      ['Bedrag', formatEuro(l.amountCents)],
      ...(refundCents > 0 ? ([['Terug te betalen aan u', formatEuro(refundCents)]] as [string, string][]) : []),
    ],
    body: [
      p(`Hierbij ontvangt u een creditnota bij factuur ${l.invoiceNumber}. Wij crediteren ${amount}. Reden: ${l.reason}`),
      {
        type: 'table',
        rows: [{ description: `Creditering factuur ${l.invoiceNumber}`, vatCode: '', amount: formatEuro(-l.amountCents) }],
        total: formatEuro(-l.amountCents),
      },
      refundCents > 0
        ? p(
            `Dit bedrag verrekenen wij met factuur ${l.invoiceNumber}: u hoeft niets meer te betalen. U had op deze factuur al ${euro(refundCents)} ` +
              'betaald; dat bedrag betalen wij aan u terug, op de rekening waarvan u betaalde.',
            true,
          )
        : p(
            `Dit bedrag verrekenen wij met factuur ${l.invoiceNumber}; dat deel van de factuur hoeft u niet te betalen. ` +
              'Heeft u de factuur al betaald, dan betalen wij wat u te veel heeft betaald aan u terug.',
          ),
      p(`Heeft u vragen? ${capitalize(howToReach(corporation))} en noem daarbij creditnotanummer ${l.creditNoteNumber}.`),
    ],
  };
}

function compose(letter: FinancialLetter, corporation: PdfCorporation): Letter {
  switch (letter.kind) {
    case 'invoice':
      return invoice(letter, corporation);
    case 'payment_reminder':
      return paymentReminder(letter, corporation);
    case 'final_notice':
      return finalNotice(letter, corporation);
    case 'credit_note':
      return creditNote(letter, corporation);
    default: {
      const unreachable: never = letter;
      throw new Error(`unknown financial letter ${JSON.stringify(unreachable)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// What the embedded font can show

/** Latin (with its extensions), Greek, Cyrillic, general punctuation and the euro sign: in DejaVu Sans. */
function inFont(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return (
    (code >= 0x20 && code <= 0x7e) ||
    (code >= 0xa0 && code <= 0x24f) ||
    (code >= 0x370 && code <= 0x4ff) ||
    (code >= 0x1e00 && code <= 0x1eff) ||
    (code >= 0x2010 && code <= 0x2027) ||
    (code >= 0x2030 && code <= 0x205e) ||
    code === 0x20ac
  );
}

/** Text as the PDF can show it: one line, what the font has as is, else without its accents, else '?'. */
export function printable(text: string): string {
  let out = '';
  for (const char of text.replace(/[\r\n\t]+/g, ' ').replace(/[\u200B\u2060\uFEFF]/g, '')) {
    if (inFont(char)) {
      out += char;
    } else {
      const stripped = [...char.normalize('NFKD')].filter((c) => inFont(c)).join('');
      out += stripped === '' ? '?' : stripped;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Drawing

const PAGE = { width: 595.28, height: 841.89 }; // A4 in points
const MARGIN = { top: 56, bottom: 80, left: 70, right: 56 };
const CONTENT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
const RIGHT_EDGE = PAGE.width - MARGIN.right;
/** DejaVu Sans, embedded: registered per document under these names. */
const FONT = 'Sans';
const BOLD = 'Sans-Bold';
const FONT_FILES = {
  [FONT]: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  [BOLD]: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
};
/**
 * The fonts parsed once per process and shared by every document (each still embeds its own
 * subset): parsing them per PDF (fontkit decoding their tables) was most of the CPU of an invoice,
 * ~170 ms, measured with --cpu-prof. PDFKit takes a fontkit font where it takes a file.
 */
let parsedFonts: Record<string, fontkit.Font> | null = null;
function embeddedFonts(): Record<string, fontkit.Font> {
  parsedFonts ??= Object.fromEntries(Object.entries(FONT_FILES).map(([name, file]) => [name, fontkit.openSync(file) as fontkit.Font]));
  return parsedFonts;
}
/** A parsed font where PDFKit's types only name files and bytes. */
const fontSource = (name: string) => embeddedFonts()[name] as unknown as string;
const BODY_SIZE = 9.5;
const SMALL_SIZE = 8;
const TEXT_COLOUR = '#1a1a1a';
const MUTED_COLOUR = '#666666';
const RULE_COLOUR = '#999999';
/** Top left of the address block, about 25 mm from the left and 53 mm from the top, where a window envelope shows it. */
const ADDRESS_BLOCK = { x: MARGIN.left, y: 150, width: 240 };
const SENDER_BLOCK = { x: 350, width: RIGHT_EDGE - 350 };
const REFERENCES_Y = 262;
const PARAGRAPH_GAP = 8;
const LINE_GAP = 2;

type Doc = PDFKit.PDFDocument;

function bottomLimit(doc: Doc): number {
  return doc.page.height - doc.page.margins.bottom;
}

function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > bottomLimit(doc)) {
    doc.addPage();
    doc.x = MARGIN.left;
  }
}

function drawSender(doc: Doc, corporation: PdfCorporation): void {
  doc.fillColor(TEXT_COLOUR).font(BOLD).fontSize(13).text(printable(corporation.name), SENDER_BLOCK.x, MARGIN.top, { width: SENDER_BLOCK.width });
  doc.moveDown(0.3);
  doc.font(FONT).fontSize(9).fillColor(MUTED_COLOUR);
  for (const line of [
    corporation.postalAddress,
    `Bezoekadres: ${corporation.visitingAddress}`,
    `Telefoon: ${corporation.phone}`,
    corporation.email,
    ...(corporation.website ? [corporation.website] : []),
    `IBAN ${formatIban(corporation.iban)}`,
    `KvK ${corporation.kvk}`,
  ]) {
    doc.text(printable(line), { width: SENDER_BLOCK.width, lineGap: LINE_GAP });
  }
}

function addressLines(recipient: PdfParty): string[] {
  const lines = [recipient.name.trim()].filter((l) => l !== '');
  const a = recipient.address;
  if (a !== null) lines.push(`${a.street} ${a.houseNumber}`.trim(), `${a.postalCode}  ${a.city.toUpperCase()}`.trim());
  return lines.map(printable);
}

function drawAddress(doc: Doc, recipient: PdfParty): void {
  doc.fillColor(TEXT_COLOUR).font(FONT).fontSize(BODY_SIZE);
  doc.y = ADDRESS_BLOCK.y;
  for (const line of addressLines(recipient)) {
    doc.text(line, ADDRESS_BLOCK.x, doc.y, { width: ADDRESS_BLOCK.width, lineGap: LINE_GAP });
  }
}

/** The reference line: up to four labelled values side by side. */
function drawReferences(doc: Doc, references: Array<[string, string]>): void {
  const columnWidth = CONTENT_WIDTH / Math.max(references.length, 1);
  let bottom = REFERENCES_Y;
  references.forEach(([label, value], i) => {
    const x = MARGIN.left + i * columnWidth;
    const width = columnWidth - 8;
    doc.font(FONT).fontSize(SMALL_SIZE).fillColor(MUTED_COLOUR).text(printable(label), x, REFERENCES_Y, { width });
    doc.font(FONT).fontSize(BODY_SIZE).fillColor(TEXT_COLOUR).text(printable(value), x, REFERENCES_Y + 12, { width });
    bottom = Math.max(bottom, doc.y);
  });
  doc.moveTo(MARGIN.left, bottom + 6).lineTo(RIGHT_EDGE, bottom + 6).lineWidth(0.5).strokeColor(RULE_COLOUR).stroke();
  doc.x = MARGIN.left;
  doc.y = bottom + 24;
}

function drawParagraph(doc: Doc, text: string, bold = false): void {
  const options = { width: CONTENT_WIDTH, lineGap: LINE_GAP };
  doc.font(bold ? BOLD : FONT).fontSize(BODY_SIZE).fillColor(TEXT_COLOUR);
  const encoded = printable(text);
  ensureSpace(doc, Math.min(doc.heightOfString(encoded, options), 3 * (BODY_SIZE + LINE_GAP)));
  doc.text(encoded, MARGIN.left, doc.y, options);
  doc.y += PARAGRAPH_GAP;
}

const TABLE = {
  descriptionWidth: CONTENT_WIDTH - 90 - 110,
  vatX: MARGIN.left + CONTENT_WIDTH - 90 - 110 + 10,
  vatWidth: 90,
  amountX: RIGHT_EDGE - 100,
  amountWidth: 100,
  padding: 5,
};

function rule(doc: Doc, y: number, width = 0.5): void {
  doc.moveTo(MARGIN.left, y).lineTo(RIGHT_EDGE, y).lineWidth(width).strokeColor(RULE_COLOUR).stroke();
}

type TableCells = { description: string; vatCode: string; amount: string };

function drawTableRow(doc: Doc, cells: TableCells, font: string, onNewPage?: () => void): void {
  const description = printable(cells.description);
  doc.font(font).fontSize(BODY_SIZE);
  const height = doc.heightOfString(description, { width: TABLE.descriptionWidth, lineGap: LINE_GAP });
  if (doc.y + height + 2 * TABLE.padding > bottomLimit(doc)) {
    ensureSpace(doc, height + 2 * TABLE.padding);
    onNewPage?.();
    doc.font(font).fontSize(BODY_SIZE);
  }
  const y = doc.y + TABLE.padding;
  doc.fillColor(TEXT_COLOUR);
  doc.text(description, MARGIN.left, y, { width: TABLE.descriptionWidth, lineGap: LINE_GAP });
  doc.text(printable(cells.vatCode), TABLE.vatX, y, { width: TABLE.vatWidth, lineGap: LINE_GAP });
  doc.text(printable(cells.amount), TABLE.amountX, y, { width: TABLE.amountWidth, align: 'right', lineGap: LINE_GAP });
  doc.x = MARGIN.left;
  doc.y = y + height + TABLE.padding;
}

/** A table of amounts: description, VAT code (when any line has one) and the amount right-aligned. */
function drawTable(doc: Doc, block: Extract<Block, { type: 'table' }>): void {
  const showVat = block.rows.some((row) => row.vatCode !== '');
  const header = (): void => {
    drawTableRow(doc, { description: 'Omschrijving', vatCode: showVat ? 'Btw-code' : '', amount: 'Bedrag' }, BOLD);
    rule(doc, doc.y, 0.75);
  };
  // Header, first row and total together at least; a table continued on a next page repeats its header.
  ensureSpace(doc, 3 * (BODY_SIZE + LINE_GAP + 2 * TABLE.padding));
  header();
  for (const row of block.rows) {
    drawTableRow(doc, showVat ? row : { ...row, vatCode: '' }, FONT, header);
  }
  ensureSpace(doc, BODY_SIZE + LINE_GAP + 2 * TABLE.padding);
  rule(doc, doc.y, 0.75);
  drawTableRow(doc, { description: 'Totaal', vatCode: '', amount: block.total }, BOLD);
  doc.y += PARAGRAPH_GAP + 4;
}

function drawFacts(doc: Doc, block: Extract<Block, { type: 'facts' }>): void {
  const padding = 10;
  const labelWidth = CONTENT_WIDTH - 2 * padding - 110;
  doc.font(FONT).fontSize(BODY_SIZE);
  const rowHeights = block.rows.map(([label]) => doc.heightOfString(printable(label), { width: labelWidth, lineGap: LINE_GAP }) + 4);
  const boxHeight = rowHeights.reduce((a, b) => a + b, 0) + 2 * padding - 4;
  ensureSpace(doc, boxHeight);
  const top = doc.y;
  doc.rect(MARGIN.left, top, CONTENT_WIDTH, boxHeight).fillColor('#f2f2f2').fill();
  let y = top + padding;
  block.rows.forEach(([label, value], i) => {
    doc.font(FONT).fillColor(TEXT_COLOUR).text(printable(label), MARGIN.left + padding, y, { width: labelWidth, lineGap: LINE_GAP });
    doc.font(BOLD).text(printable(value), RIGHT_EDGE - padding - 110, y, { width: 110, align: 'right', lineGap: LINE_GAP });
    y += rowHeights[i] ?? 0;
  });
  doc.x = MARGIN.left;
  doc.y = top + boxHeight + PARAGRAPH_GAP + 6;
}

/** Footers on the pages from `first` on (one letter's pages, in a batch of several). */
function drawFooters(doc: Doc, corporation: PdfCorporation, first: number): void {
  const all = doc.bufferedPageRange();
  const range = { start: first, count: all.start + all.count - first };
  const footer = printable(`${corporation.name}  ·  ${corporation.postalAddress}  ·  IBAN ${formatIban(corporation.iban)}  ·  KvK ${corporation.kvk}`);
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Writing below the bottom margin would start a new page; lift the margin while drawing the footer.
    const bottomMargin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = doc.page.height - 50;
    rule(doc, y - 8);
    doc.font(FONT).fontSize(SMALL_SIZE - 0.5).fillColor(MUTED_COLOUR);
    doc.text(footer, MARGIN.left, y, { width: CONTENT_WIDTH - 70, lineBreak: false, ellipsis: true, height: SMALL_SIZE + 2 });
    if (range.count > 1) {
      doc.text(`Pagina ${i - range.start + 1} van ${range.count}`, RIGHT_EDGE - 70, y, { width: 70, align: 'right', lineBreak: false });
    }
    doc.page.margins.bottom = bottomMargin;
  }
}

/** The payment QR code beside what it fills in, kept together on one page. */
function drawQr(doc: Doc, png: Buffer, payment: NonNullable<Letter['payment']>, corporation: PdfCorporation): void {
  const size = 80;
  ensureSpace(doc, size + PARAGRAPH_GAP);
  const top = doc.y;
  doc.image(png, MARGIN.left, top, { width: size, height: size });
  const x = MARGIN.left + size + 14;
  const width = CONTENT_WIDTH - size - 14;
  doc.font(BOLD).fontSize(BODY_SIZE).fillColor(TEXT_COLOUR).text('Betalen met uw bankapp', x, top + 4, { width, lineGap: LINE_GAP });
  doc.font(FONT).fontSize(SMALL_SIZE + 1).fillColor(MUTED_COLOUR);
  for (const line of [
    `${formatEuro(payment.amountCents)} aan ${corporation.name}`,
    `IBAN ${formatIban(corporation.iban)}`,
    `Betalingskenmerk ${payment.reference}`,
  ]) {
    doc.text(printable(line), x, doc.y, { width, lineGap: LINE_GAP });
  }
  doc.x = MARGIN.left;
  doc.y = Math.max(doc.y, top + size) + PARAGRAPH_GAP + 4;
}

function draw(doc: Doc, letter: Letter, recipient: PdfParty, corporation: PdfCorporation, qr: Buffer | null): void {
  const pages = doc.bufferedPageRange();
  const first = pages.start + pages.count - 1;
  doc.x = MARGIN.left;
  drawSender(doc, corporation);
  drawAddress(doc, recipient);
  drawReferences(doc, letter.references);

  doc.font(BOLD).fontSize(12).fillColor(TEXT_COLOUR).text(printable(letter.subject), MARGIN.left, doc.y, { width: CONTENT_WIDTH });
  doc.y += 14;
  drawParagraph(doc, letter.salutation ?? 'Geachte heer, mevrouw,');

  for (const block of letter.body) {
    switch (block.type) {
      case 'p':
        drawParagraph(doc, block.text, block.bold);
        break;
      case 'table':
        drawTable(doc, block);
        break;
      case 'facts':
        drawFacts(doc, block);
        break;
      case 'qr':
        if (qr !== null && letter.payment) drawQr(doc, qr, letter.payment, corporation);
        break;
      default: {
        const unreachable: never = block;
        throw new Error(`unknown block ${JSON.stringify(unreachable)}`);
      }
    }
  }

  ensureSpace(doc, 4 * (BODY_SIZE + LINE_GAP));
  doc.y += 4;
  drawParagraph(doc, 'Met vriendelijke groet,');
  doc.y += 10;
  drawParagraph(doc, corporation.name);
  drawFooters(doc, corporation, first);
}

/** Renders a financial letter to an A4 PDF; the same input always gives the same bytes. */
export async function renderFinancialPdf(letter: FinancialLetter, recipient: PdfParty, corporation: PdfCorporation): Promise<Buffer> {
  return renderComposed(compose(letter, corporation), recipient, corporation);
}

/**
 * Any letter as an A4 PDF, for post: the financial ones as their own documents, every other kind
 * from the same wording as its e-mail (documents/letters.ts), dated the day it goes out.
 */
export async function renderLetterPdf(content: LetterContent, recipient: PdfParty, options: RenderOptions): Promise<Buffer> {
  const composed = composeAny(content, options);
  return renderComposed(composed, recipient, options.corporation);
}

async function renderComposed(composed: Letter, recipient: PdfParty, corporation: PdfCorporation): Promise<Buffer> {
  return renderDocument([{ composed, recipient }], corporation, composed.title, composed.subject, composed.letterDate);
}

/** Compose any letter for its PDF. */
function composeAny(content: LetterContent, options: RenderOptions): Letter {
  const financial = toFinancialLetter(content);
  if (financial) return compose(financial, options.corporation);
  const post: RenderOptions = { ...options, channel: 'post', pdfUrl: null };
  const draft = draftOf(content, post);
  const facts = headingFacts(content, draft, post);
  const rest = facts.slice(3);
  const body: Block[] = [
    ...(rest.length > 0 ? [{ type: 'facts' as const, rows: rest }] : []),
    ...draft.body.map((b): Block => {
      switch (b.type) {
        case 'p':
          return p(b.text, b.bold);
        case 'link':
          return p(b.url);
        case 'facts':
          return { type: 'facts', rows: b.rows };
        case 'table':
          return { type: 'facts', rows: b.rows.map((r) => [r[0] ?? '', r[1] ?? '']) };
        default: {
          const unreachable: never = b;
          throw new Error(`unknown block ${JSON.stringify(unreachable)}`);
        }
      }
    }),
  ];
  return { letterDate: options.letterDate, title: draft.subject, subject: draft.subject, references: facts.slice(0, 3), body, salutation: salutationOf(draft) };
}

/**
 * The day's post as one PDF to print: each letter from a new page, numbered on its own, in the
 * order given. Dated `date` (the PDF's own date; each letter carries its own).
 */
export async function renderPostBatchPdf(
  letters: Array<{ content: LetterContent; recipient: PdfParty; options: RenderOptions }>,
  corporation: PdfCorporation,
  date: LocalDate,
): Promise<Buffer> {
  const items = letters.map((l) => ({ composed: composeAny(l.content, l.options), recipient: l.recipient }));
  return renderDocument(items, corporation, `Post van ${formatDutchDate(date)}`, `${letters.length} brieven om te printen en te versturen`, date);
}

async function renderDocument(
  items: Array<{ composed: Letter; recipient: PdfParty }>,
  corporation: PdfCorporation,
  title: string,
  subject: string,
  date: LocalDate,
): Promise<Buffer> {
  const qrs = await Promise.all(
    items.map(({ composed }) =>
      composed.payment
        ? qrPng(epcPayload({ bic: corporation.bic, name: corporation.name, iban: corporation.iban, amountCents: composed.payment.amountCents, reference: composed.payment.reference }))
        : null,
    ),
  );
  // Noon in Amsterdam on the letter's date: the same calendar date in UTC, as the PDF stores it.
  const fixedDate = amsterdamInstant(date, '12:00');

  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    compress: true,
    lang: 'nl-NL',
    displayTitle: true,
    font: fontSource(FONT),
    info: {
      Title: title,
      Author: corporation.name,
      Subject: subject,
      Creator: 'polluter-pays',
      Producer: 'PDFKit',
      CreationDate: fixedDate,
      ModDate: fixedDate,
    },
  });

  const done = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  try {
    for (const name of Object.keys(FONT_FILES)) doc.registerFont(name, fontSource(name));
    doc.font(FONT);
    items.forEach(({ composed, recipient }, i) => {
      if (i > 0) doc.addPage();
      draw(doc, composed, recipient, corporation, qrs[i] ?? null);
    });
  } finally {
    doc.end();
  }
  return done;
}

/** The document a letter carries as a PDF, or null for a letter that has none. */
export function toFinancialLetter(content: LetterContent): FinancialLetter | null {
  if (!(financialLetterKinds as readonly string[]).includes(content.kind)) return null;
  switch (content.kind) {
    case 'invoice':
      return { kind: 'invoice', invoiceNumber: content.invoiceNumber, issueDate: content.issueDate, dueDate: content.dueDate, incidentId: content.incidentNumber ?? content.incidentId, lines: content.lines, totalCents: content.totalCents };
    case 'payment_reminder':
      // The PDF's date is the reminder's own; the invoice's due date stays the original one.
      return { kind: 'payment_reminder', invoiceNumber: content.invoiceNumber, issueDate: content.letterDate, dueDate: content.dueDate, openCents: content.openCents, newDueDate: content.newDueDate };
    case 'final_notice':
      return {
        kind: 'final_notice',
        invoiceNumber: content.invoiceNumber,
        letterDate: content.letterDate,
        openCents: content.openCents,
        finalDate: content.finalDate,
        collectionCostsCents: content.collectionCostsCents,
        interestCents: content.interestCents,
      };
    case 'credit_note':
      return {
        kind: 'credit_note',
        creditNoteNumber: content.creditNoteNumber,
        invoiceNumber: content.invoiceNumber,
        issueDate: content.issueDate,
        amountCents: content.amountCents,
        refundDueCents: content.refundDueCents,
        reason: content.reason,
      };
    default:
      return null;
  }
}
