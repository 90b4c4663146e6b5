import fc from 'fast-check';
import {
  CamtError,
  invoiceNumbersIn,
  parseCamt053,
  parseCamtAmountCents,
  type ParsedStatement,
  type StatementEntry,
} from '../../documents/camt053';
import { isLocalDate } from '../../domain/calendar';
import { runs } from '../support/properties';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const namespace = (version: number) => `urn:iso:std:iso:20022:tech:xsd:camt.053.001.${String(version).padStart(2, '0')}`;

// ---------------------------------------------------------------------------------------------
// A small XML model, written out the way a bank's exporter might
// ---------------------------------------------------------------------------------------------

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
}
/** A string is text, unescaped. */
type XmlNode = XmlElement | string;

function el(name: string, ...children: (XmlNode | null | undefined)[]): XmlElement {
  return { name, attributes: {}, children: children.filter((c): c is XmlNode => c !== null && c !== undefined) };
}

function withAttributes(element: XmlElement, attributes: Record<string, string>): XmlElement {
  return { ...element, attributes: { ...element.attributes, ...attributes } };
}

interface XmlStyle {
  /** '' for the default namespace, else a prefix on every element. */
  prefix: string;
  /** How characters outside ASCII are written: as they are, or as character references. */
  nonAscii: 'raw' | 'decimal' | 'hex';
  indent: boolean;
}

function escapeXml(text: string, style: XmlStyle, inAttribute = false): string {
  let out = '';
  for (const ch of text) {
    const codePoint = ch.codePointAt(0)!;
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '"' && inAttribute) out += '&quot;';
    // A raw CR would be read as a line feed (XML end-of-line handling); a reference keeps it.
    else if (ch === '\r') out += '&#13;';
    else if (codePoint > 0x7e && style.nonAscii === 'decimal') out += `&#${codePoint};`;
    else if (codePoint > 0x7e && style.nonAscii === 'hex') out += `&#x${codePoint.toString(16)};`;
    else out += ch;
  }
  return out;
}

function serialize(node: XmlNode, style: XmlStyle): string {
  if (typeof node === 'string') return escapeXml(node, style);
  const name = style.prefix ? `${style.prefix}:${node.name}` : node.name;
  const attributes = Object.entries(node.attributes)
    .map(([key, value]) => ` ${key}="${escapeXml(value, style, true)}"`)
    .join('');
  const inner = node.children.map((child) => serialize(child, style)).join(style.indent && node.children.every((c) => typeof c !== 'string') ? '\n  ' : '');
  return inner === '' ? `<${name}${attributes}/>` : `<${name}${attributes}>${inner}</${name}>`;
}

function writeDocument(root: XmlElement, version: number, style: XmlStyle): string {
  const xmlns = style.prefix ? `xmlns:${style.prefix}` : 'xmlns';
  return `<?xml version="1.0" encoding="UTF-8"?>\n${serialize(withAttributes(root, { [xmlns]: namespace(version) }), style)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

const codePoint = (min: number, max: number) => fc.integer({ min, max }).map((cp) => String.fromCodePoint(cp));

/** Any character XML 1.0 allows, weighted towards the ones that need care. */
const xmlChar = fc.oneof(
  { weight: 8, arbitrary: codePoint(0x20, 0x7e) },
  {
    weight: 4,
    arbitrary: fc.constantFrom('&', '<', '>', '"', "'", ']]>', '&amp;', '&#233;', '<![CDATA[', '\t', '\n', '\r', '\r\n', ' ', '\u00a0', 'é', 'ß', '€', 'ğ', '😀', '\ufeff', '\u2028'),
  },
  { weight: 2, arbitrary: codePoint(0x80, 0xd7ff) },
  { weight: 1, arbitrary: codePoint(0xe000, 0xfffd) },
  { weight: 1, arbitrary: codePoint(0x10000, 0x10ffff) },
);
const xmlText = (maxLength = 30) => fc.array(xmlChar, { maxLength }).map((chars) => chars.join(''));
const nonBlankXmlText = xmlText().filter((text) => text.trim() !== '');

const localDate = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));

const iban = fc
  .tuple(
    fc.stringMatching(/^NL\d{2}[A-Z]{4}\d{10}$/),
    fc.boolean(), // grouped by four, as printed
    fc.boolean(), // lower case
  )
  .map(([text, grouped, lower]) => {
    const written = grouped ? text.replace(/(.{4})(?!$)/g, '$1 ') : text;
    return lower ? written.toLowerCase() : written;
  });

const positiveCents = fc.oneof(
  { weight: 4, arbitrary: fc.bigInt({ min: 1n, max: 100_000_00n }) },
  { weight: 1, arbitrary: fc.bigInt({ min: 1n, max: MAX_SAFE }) },
);

/** How an amount is written: 12.50, 12.5, 12.500, 0012.50, 12 (for 12.00), with spaces around. */
const amountStyle = fc.record({
  short: fc.boolean(),
  extraZeros: fc.integer({ min: 0, max: 3 }),
  leadingZeros: fc.integer({ min: 0, max: 2 }),
  padded: fc.boolean(),
});
type AmountStyle = typeof amountStyle extends fc.Arbitrary<infer T> ? T : never;

function amountText(cents: bigint, style: AmountStyle): string {
  let fraction = (cents % 100n).toString().padStart(2, '0');
  if (style.short) fraction = fraction.replace(/0+$/, '');
  fraction += '0'.repeat(style.extraZeros);
  const whole = '0'.repeat(style.leadingZeros) + (cents / 100n).toString();
  const text = fraction === '' ? whole : `${whole}.${fraction}`;
  return style.padded ? ` ${text}\n` : text;
}

type Direction = 'CRDT' | 'DBIT';
const direction = fc.constantFrom<Direction>('CRDT', 'DBIT');

interface GenTransaction {
  amountCents: bigint;
  amountStyle: AmountStyle;
  amountInDetails: boolean;
  direction: Direction;
  debtorName: string | null;
  debtorIban: string | null;
  unstructured: string[];
  structured: string[];
  endToEndId: string | null;
}

const transaction: fc.Arbitrary<GenTransaction> = fc.record({
  amountCents: positiveCents,
  amountStyle,
  amountInDetails: fc.boolean(),
  direction,
  debtorName: fc.option(xmlText(), { nil: null }),
  debtorIban: fc.option(iban, { nil: null }),
  unstructured: fc.array(xmlText(), { maxLength: 3 }),
  structured: fc.array(xmlText(20), { maxLength: 2 }),
  endToEndId: fc.option(fc.oneof(fc.constant('NOTPROVIDED'), xmlText(20)), { nil: null }),
});

interface GenEntry {
  acctSvcrRef: string | null;
  ntryRef: string | null;
  status: 'BOOK' | 'PDNG' | 'INFO' | null;
  /** Used when the entry has fewer than two transactions. */
  amountCents: bigint;
  amountStyle: AmountStyle;
  direction: Direction;
  /** In a batch: each transaction names its direction, or all take the entry's. */
  batchDirections: 'own' | 'inherited';
  bookingDate: string;
  bookingAsDateTime: boolean;
  valueDate: string | null;
  transactions: GenTransaction[];
  additionalInfo: string | null;
}

const reference = fc.oneof(fc.stringMatching(/^[0-9A-Z]{4,16}$/), xmlText(16));

const entry: fc.Arbitrary<GenEntry> = fc.record({
  acctSvcrRef: fc.option(reference, { nil: null }),
  ntryRef: fc.option(reference, { nil: null }),
  status: fc.constantFrom<GenEntry['status']>('BOOK', 'BOOK', 'BOOK', null, 'PDNG', 'INFO'),
  amountCents: positiveCents,
  amountStyle,
  direction,
  batchDirections: fc.constantFrom<GenEntry['batchDirections']>('own', 'inherited'),
  bookingDate: localDate,
  bookingAsDateTime: fc.boolean(),
  valueDate: fc.option(localDate, { nil: null }),
  transactions: fc.array(transaction, { maxLength: 3 }),
  additionalInfo: fc.option(xmlText(), { nil: null }),
});

interface GenStatement {
  id: string;
  iban: string;
  accountCurrency: boolean;
  entries: GenEntry[];
  /** The opening balance in cents (negative: DBIT), or no balances at all. */
  openingCents: bigint | null;
  openingCode: 'OPBD' | 'PRCD';
  /** Added to the closing balance that follows from the entries (0: a statement that adds up). */
  closingErrorCents: bigint;
}

const statement = (closingError: fc.Arbitrary<bigint>): fc.Arbitrary<GenStatement> =>
  fc.record({
    id: nonBlankXmlText,
    iban,
    accountCurrency: fc.boolean(),
    entries: fc.array(entry, { maxLength: 5 }),
    openingCents: fc.option(fc.oneof(fc.bigInt({ min: -100_000_000_00n, max: 100_000_000_00n }), fc.bigInt({ min: -MAX_SAFE, max: MAX_SAFE })), {
      nil: null,
    }),
    openingCode: fc.constantFrom<GenStatement['openingCode']>('OPBD', 'PRCD'),
    closingErrorCents: closingError,
  });

const xmlStyle: fc.Arbitrary<XmlStyle> = fc.record({
  prefix: fc.constantFrom('', 'ns2', 'camt'),
  nonAscii: fc.constantFrom<XmlStyle['nonAscii']>('raw', 'decimal', 'hex'),
  indent: fc.boolean(),
});

interface GenDocument {
  version: number;
  style: XmlStyle;
  statements: GenStatement[];
}

const documentOf = (closingError: fc.Arbitrary<bigint>): fc.Arbitrary<GenDocument> =>
  fc.record({
    version: fc.integer({ min: 2, max: 13 }),
    style: xmlStyle,
    statements: fc.array(statement(closingError), { minLength: 1, maxLength: 2 }),
  });
const validDocument = documentOf(fc.constant(0n));

// ---------------------------------------------------------------------------------------------
// Generated model -> XML
// ---------------------------------------------------------------------------------------------

const amt = (cents: bigint, style: AmountStyle, currency = 'EUR') => withAttributes(el('Amt', amountText(cents, style)), { Ccy: currency });
const plainAmount: AmountStyle = { short: false, extraZeros: 0, leadingZeros: 0, padded: false };

function dateElement(name: string, date: string, asDateTime: boolean): XmlElement {
  return el(name, asDateTime ? el('DtTm', `${date}T23:30:00.000+01:00`) : el('Dt', date));
}

/** A batch's entry amount follows from its transactions; a negative net is a DBIT entry. */
function entryAmount(entry: GenEntry): { cents: bigint; direction: Direction } {
  if (entry.transactions.length < 2) return { cents: entry.amountCents, direction: entry.direction };
  if (entry.batchDirections === 'inherited') {
    return { cents: entry.transactions.reduce((sum, tx) => sum + tx.amountCents, 0n), direction: entry.direction };
  }
  const net = entry.transactions.reduce((sum, tx) => sum + (tx.direction === 'DBIT' ? -tx.amountCents : tx.amountCents), 0n);
  return { cents: net < 0n ? -net : net, direction: net < 0n ? 'DBIT' : 'CRDT' };
}

function transactionXml(tx: GenTransaction, version: number, batch: { direction: boolean } | null): XmlElement {
  const amountXml = batch
    ? tx.amountInDetails
      ? el('AmtDtls', el('TxAmt', amt(tx.amountCents, tx.amountStyle)))
      : amt(tx.amountCents, tx.amountStyle)
    : // A single transaction's own amount may be the instructed one, in another currency: not read.
      el('AmtDtls', el('InstdAmt', amt(tx.amountCents, plainAmount, 'USD')));
  const name = tx.debtorName === null ? null : version >= 8 ? el('Pty', el('Nm', tx.debtorName)) : el('Nm', tx.debtorName);
  return el(
    'TxDtls',
    el('Refs', el('AcctSvcrRef', 'TX-REF'), tx.endToEndId === null ? null : el('EndToEndId', tx.endToEndId)),
    amountXml,
    batch?.direction ? el('CdtDbtInd', tx.direction) : null,
    tx.debtorName === null && tx.debtorIban === null
      ? null
      : el('RltdPties', name === null ? null : el('Dbtr', name), tx.debtorIban === null ? null : el('DbtrAcct', el('Id', el('IBAN', tx.debtorIban)))),
    tx.unstructured.length === 0 && tx.structured.length === 0
      ? null
      : el(
          'RmtInf',
          ...tx.unstructured.map((line) => el('Ustrd', line)),
          ...tx.structured.map((ref) => el('Strd', el('CdtrRefInf', el('Tp', el('CdOrPrtry', el('Cd', 'SCOR'))), el('Ref', ref)))),
        ),
  );
}

function entryXml(entry: GenEntry, version: number): XmlElement {
  const { cents, direction } = entryAmount(entry);
  const batch = entry.transactions.length >= 2 ? { direction: entry.batchDirections === 'own' } : null;
  const status = entry.status === null ? null : version >= 8 ? el('Sts', el('Cd', entry.status)) : el('Sts', entry.status);
  return el(
    'Ntry',
    entry.ntryRef === null ? null : el('NtryRef', entry.ntryRef),
    amt(cents, entry.amountStyle),
    el('CdtDbtInd', direction),
    status,
    dateElement('BookgDt', entry.bookingDate, entry.bookingAsDateTime),
    entry.valueDate === null ? null : dateElement('ValDt', entry.valueDate, false),
    entry.acctSvcrRef === null ? null : el('AcctSvcrRef', entry.acctSvcrRef),
    el('BkTxCd', el('Domn', el('Cd', 'PMNT'), el('Fmly', el('Cd', 'RCDT'), el('SubFmlyCd', 'ESCT')))),
    entry.transactions.length === 0 ? null : el('NtryDtls', ...entry.transactions.map((tx) => transactionXml(tx, version, batch))),
    entry.additionalInfo === null ? null : el('AddtlNtryInf', entry.additionalInfo),
  );
}

const isBooked = (entry: GenEntry) => entry.status === null || entry.status === 'BOOK';
const signed = ({ cents, direction }: { cents: bigint; direction: Direction }) => (direction === 'DBIT' ? -cents : cents);
const netOf = (stmt: GenStatement) => stmt.entries.filter(isBooked).reduce((sum, e) => sum + signed(entryAmount(e)), 0n);

function balanceXml(code: string, cents: bigint, date: string): XmlElement {
  return el(
    'Bal',
    el('Tp', el('CdOrPrtry', el('Cd', code))),
    amt(cents < 0n ? -cents : cents, plainAmount),
    el('CdtDbtInd', cents < 0n ? 'DBIT' : 'CRDT'),
    el('Dt', el('Dt', date)),
  );
}

function statementXml(stmt: GenStatement, version: number): XmlElement {
  const balances =
    stmt.openingCents === null
      ? []
      : [balanceXml(stmt.openingCode, stmt.openingCents, '2031-03-01'), balanceXml('CLBD', stmt.openingCents + netOf(stmt) + stmt.closingErrorCents, '2031-03-02')];
  return el(
    'Stmt',
    el('Id', stmt.id),
    el('CreDtTm', '2031-03-02T06:00:00+01:00'),
    el('Acct', el('Id', el('IBAN', stmt.iban)), stmt.accountCurrency ? el('Ccy', 'EUR') : null),
    ...balances,
    ...stmt.entries.map((e) => entryXml(e, version)),
  );
}

function documentXml(doc: GenDocument): string {
  const root = el(
    'Document',
    el('BkToCstmrStmt', el('GrpHdr', el('MsgId', 'MSG-1'), el('CreDtTm', '2031-03-02T06:00:00+01:00')), ...doc.statements.map((s) => statementXml(s, doc.version))),
  );
  return writeDocument(root, doc.version, doc.style);
}

// ---------------------------------------------------------------------------------------------
// Generated model -> what the parser must give (or that it must refuse the document)
// ---------------------------------------------------------------------------------------------

const text = (value: string | null): string | null => (value === null || value.trim() === '' ? null : value.trim());
const normalisedIban = (value: string | null): string | null => text(value)?.replace(/\s+/g, '').toUpperCase() ?? null;
const HASH_REFERENCE = /^sha256:[0-9a-f]{32}$/;
const HASH_BATCH_REFERENCE = /^sha256:[0-9a-f]{32}\/\d+$/;

type Expectation = { ok: ParsedStatement[] } | { refused: string };

function transactionFields(tx: GenTransaction): Pick<StatementEntry, 'debtorName' | 'debtorIban' | 'remittance' | 'endToEndId'> {
  const endToEndId = text(tx.endToEndId);
  return {
    debtorName: text(tx.debtorName),
    debtorIban: normalisedIban(tx.debtorIban),
    remittance: [...tx.unstructured, ...tx.structured]
      .map(text)
      .filter((part): part is string => part !== null)
      .join(' '),
    endToEndId: endToEndId === 'NOTPROVIDED' ? null : endToEndId,
  };
}

function expectedStatement(stmt: GenStatement): ParsedStatement | { refused: string } {
  const statementId = text(stmt.id)!;
  const entries: StatementEntry[] = [];
  const references: string[] = [];
  for (const e of stmt.entries.filter(isBooked)) {
    const amount = entryAmount(e);
    if (amount.cents > MAX_SAFE) return { refused: 'too large' };
    const ownReference = text(e.acctSvcrRef) ?? text(e.ntryRef);
    const common = { statementId, bookingDate: e.bookingDate, valueDate: e.valueDate, currency: 'EUR' };
    if (e.transactions.length < 2) {
      const fields =
        e.transactions.length === 0
          ? { debtorName: null, debtorIban: null, remittance: text(e.additionalInfo) ?? '', endToEndId: null }
          : transactionFields(e.transactions[0]!);
      const entryReference: string = ownReference ?? (expect.stringMatching(HASH_REFERENCE) as string);
      if (ownReference !== null) references.push(ownReference);
      entries.push({ ...common, entryReference, amountCents: Number(amount.cents), creditDebit: amount.direction, ...fields });
      if (new Set(references).size !== references.length) return { refused: 'occurs twice' };
      continue;
    }
    if (e.transactions.some((tx) => tx.amountCents > MAX_SAFE)) return { refused: 'too large' };
    e.transactions.forEach((tx, i) => {
      const entryReference: string = ownReference === null ? (expect.stringMatching(HASH_BATCH_REFERENCE) as string) : `${ownReference}/${i + 1}`;
      if (ownReference !== null) references.push(entryReference);
      entries.push({
        ...common,
        entryReference,
        amountCents: Number(tx.amountCents),
        creditDebit: e.batchDirections === 'own' ? tx.direction : e.direction,
        ...transactionFields(tx),
      });
    });
    if (new Set(references).size !== references.length) return { refused: 'occurs twice' };
  }
  if (stmt.openingCents !== null) {
    const closing = stmt.openingCents + netOf(stmt) + stmt.closingErrorCents;
    if (stmt.openingCents > MAX_SAFE || stmt.openingCents < -MAX_SAFE || closing > MAX_SAFE || closing < -MAX_SAFE) return { refused: 'too large' };
    if (stmt.closingErrorCents !== 0n) return { refused: 'do not take the opening balance' };
  }
  return { statementId, iban: normalisedIban(stmt.iban)!, entries };
}

function expectedOutcome(doc: GenDocument): Expectation {
  const statements: ParsedStatement[] = [];
  for (const stmt of doc.statements) {
    const expected = expectedStatement(stmt);
    if ('refused' in expected) return expected;
    statements.push(expected);
  }
  return { ok: statements };
}

function outcomeOf(parse: () => ParsedStatement[]): { ok: ParsedStatement[] } | { error: unknown } {
  try {
    return { ok: parse() };
  } catch (error) {
    return { error };
  }
}

/** What any successful parse must satisfy, whatever went in. */
function expectSane(statements: ParsedStatement[]): void {
  for (const stmt of statements) {
    expect(stmt.statementId).not.toBe('');
    expect(stmt.iban).toMatch(/^\S+$/);
    const references = stmt.entries.map((e) => e.entryReference);
    expect(new Set(references).size).toBe(references.length);
    for (const e of stmt.entries) {
      expect(Number.isSafeInteger(e.amountCents)).toBe(true);
      expect(e.amountCents).toBeGreaterThanOrEqual(0);
      expect(['CRDT', 'DBIT']).toContain(e.creditDebit);
      expect(e.currency).toBe('EUR');
      expect(isLocalDate(e.bookingDate)).toBe(true);
      if (e.valueDate !== null) expect(isLocalDate(e.valueDate)).toBe(true);
      expect(e.entryReference).not.toBe('');
      expect(typeof e.remittance).toBe('string');
    }
  }
}

/** Parsing either succeeds with sane output or fails with a CamtError: never a TypeError, RangeError or other surprise. */
function expectOnlyCamtErrors(xml: string): void {
  const outcome = outcomeOf(() => parseCamt053(xml));
  if ('error' in outcome) {
    expect(outcome.error).toBeInstanceOf(CamtError);
    expect((outcome.error as Error).name).toBe('CamtError');
  } else {
    expectSane(outcome.ok);
  }
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/** The document parses to exactly what the model says, or is refused with a CamtError for the reason the model gives. */
function expectParsedAsModelled(doc: GenDocument): void {
  const expected = expectedOutcome(doc);
  const outcome = outcomeOf(() => parseCamt053(documentXml(doc)));
  if ('refused' in expected) {
    if (!('error' in outcome)) throw new Error(`expected a CamtError (${expected.refused}), got ${JSON.stringify(outcome.ok)}`);
    expect(outcome.error).toBeInstanceOf(CamtError);
    expect((outcome.error as Error).message).toContain(expected.refused);
  } else {
    if ('error' in outcome) throw outcome.error;
    expect(outcome.ok).toEqual(expected.ok);
  }
}

describe('a generated CAMT.053 statement', () => {
  it('parses back to exactly the booked amounts, directions, references, dates, parties and remittances that went in (versions 02 to 13)', () => {
    fc.assert(fc.property(validDocument, expectParsedAsModelled), runs(100));
  });

  it('never loses or gains a cent: the booked net per statement equals the integer sum that went in', () => {
    fc.assert(
      fc.property(validDocument, (doc) => {
        const expected = expectedOutcome(doc);
        fc.pre('ok' in expected);
        const parsed = parseCamt053(documentXml(doc));
        parsed.forEach((stmt, i) => {
          const net = stmt.entries.reduce((sum, e) => sum + (e.creditDebit === 'DBIT' ? -BigInt(e.amountCents) : BigInt(e.amountCents)), 0n);
          expect(net).toBe(netOf(doc.statements[i]!));
        });
      }),
      runs(40),
    );
  });

  it('is refused with a CamtError when its closing balance is off by any amount', () => {
    const nonZero = fc.bigInt({ min: -1_000_000n, max: 1_000_000n }).filter((delta) => delta !== 0n);
    fc.assert(
      fc.property(
        documentOf(nonZero).filter((doc) => doc.statements.some((s) => s.openingCents !== null)),
        (doc) => {
          expect(expectedOutcome(doc)).toHaveProperty('refused');
          expectParsedAsModelled(doc);
        },
      ),
      runs(40),
    );
  });

  it('is refused with a CamtError in a version outside 02 to 13', () => {
    fc.assert(
      fc.property(
        validDocument,
        fc.oneof(fc.constantFrom(0, 1), fc.integer({ min: 14, max: 99 })),
        (doc, version) => {
          const outcome = outcomeOf(() => parseCamt053(documentXml({ ...doc, version })));
          expect('error' in outcome && outcome.error instanceof CamtError).toBe(true);
        },
      ),
      runs(20),
    );
  });
});

// Garbage ---------------------------------------------------------------------------------------

const xmlishToken = fc.oneof(
  fc.constantFrom('<', '>', '</', '/>', '<?xml version="1.0"?>', '<!DOCTYPE x>', '<!--', '-->', '<![CDATA[', ']]>', '&', '&amp;', '&#', '&#x', ';', '="', '"', "'", ' ', '\n'),
  fc.constantFrom('Document', 'BkToCstmrStmt', 'Stmt', 'Ntry', 'Amt', 'Ccy', 'EUR', 'CdtDbtInd', 'CRDT', 'BookgDt', 'Dt', 'TxDtls', 'xmlns', namespace(2), 'ns2:', '__proto__', 'constructor'),
  fc.constantFrom('99999999999999999999', '1e3', '-5', '12.345', 'NaN', 'Infinity', '0x10', '1'),
  fc.string({ maxLength: 5 }),
);

/** Replace, delete, duplicate, wrap or rename one node of the document tree. */
type Mutation =
  | { kind: 'delete' }
  | { kind: 'duplicate' }
  | { kind: 'text'; value: string }
  | { kind: 'rename'; name: string }
  | { kind: 'wrap'; depth: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ kind: 'delete' }),
  fc.constant<Mutation>({ kind: 'duplicate' }),
  fc
    .oneof(
      fc.constantFrom('99999999999999999999', '1e3', '-12.00', '+1.00', '12.345', '1,00', '', ' ', 'NaN', 'Infinity', '0x1F', '１２.００', '2031-02-30', 'BOOK', 'DBIT', 'USD'),
      fc.string({ maxLength: 12 }),
    )
    .map((value): Mutation => ({ kind: 'text', value })),
  fc
    .constantFrom('Amt', 'Ntry', 'Stmt', 'TxDtls', 'NtryDtls', 'RmtInf', 'Ustrd', 'Bal', 'CdtDbtInd', 'BookgDt', 'Dt', 'Sts', 'Id', 'IBAN', 'Acct', 'x')
    .map((name): Mutation => ({ kind: 'rename', name })),
  fc.integer({ min: 1, max: 150 }).map((depth): Mutation => ({ kind: 'wrap', depth })),
);

function nodesOf(node: XmlNode, into: { parent: XmlElement; index: number }[] = []): { parent: XmlElement; index: number }[] {
  if (typeof node === 'string') return into;
  node.children.forEach((child, index) => {
    into.push({ parent: node, index });
    nodesOf(child, into);
  });
  return into;
}

function mutate(root: XmlElement, at: number, m: Mutation): void {
  const places = nodesOf(root);
  if (places.length === 0) return;
  const { parent, index } = places[at % places.length]!;
  const target = parent.children[index]!;
  switch (m.kind) {
    case 'delete':
      parent.children.splice(index, 1);
      return;
    case 'duplicate':
      parent.children.splice(index, 0, structuredClone(target));
      return;
    case 'text':
      if (typeof target === 'string') parent.children[index] = m.value;
      else target.children = [m.value];
      return;
    case 'rename':
      if (typeof target !== 'string') target.name = m.name;
      return;
    case 'wrap': {
      let wrapped: XmlNode = target;
      for (let i = 0; i < m.depth; i++) wrapped = el('X', wrapped);
      parent.children[index] = wrapped;
      return;
    }
    default: {
      const never: never = m;
      throw new Error(`unknown mutation ${JSON.stringify(never)}`);
    }
  }
}

function rootOf(doc: GenDocument): XmlElement {
  return el(
    'Document',
    el('BkToCstmrStmt', el('GrpHdr', el('MsgId', 'MSG-1')), ...doc.statements.map((s) => statementXml(s, doc.version))),
  );
}

describe('garbage given as a CAMT.053 statement', () => {
  it('random text never throws anything but a CamtError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.array(xmlishToken, { maxLength: 60 }).map((t) => t.join(''))), (input) => {
        expectOnlyCamtErrors(input);
      }),
      runs(200),
    );
  });

  it('random bytes, decoded as UTF-8, Latin-1 or UTF-16, never throw anything but a CamtError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom<BufferEncoding>('utf8', 'latin1', 'utf16le'), (bytes, encoding) => {
        expectOnlyCamtErrors(Buffer.from(bytes).toString(encoding));
      }),
      runs(100),
    );
  });

  it('a valid document cut off anywhere is refused with a CamtError (or, cut after the root, still reads)', () => {
    fc.assert(
      fc.property(validDocument, fc.double({ min: 0, max: 1, noNaN: true }), (doc, where) => {
        const xml = documentXml(doc);
        const cut = xml.slice(0, Math.floor(xml.length * where));
        expectOnlyCamtErrors(cut);
      }),
      runs(40),
    );
  });

  it('a valid document with elements deleted, duplicated, renamed, nested deeply or given garbage text never throws anything but a CamtError', () => {
    fc.assert(
      fc.property(validDocument, fc.array(fc.tuple(fc.nat(), mutation), { minLength: 1, maxLength: 4 }), (doc, mutations) => {
        const root = rootOf(doc);
        for (const [at, m] of mutations) mutate(root, at, m);
        expectOnlyCamtErrors(writeDocument(root, doc.version, doc.style));
      }),
      runs(60),
    );
  });

  it('a deeply nested document is refused with a CamtError, not a stack overflow', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5_000 }), fc.constantFrom('X', 'Ntry', 'Stmt', 'BkToCstmrStmt'), (depth, name) => {
        const xml = `<Document xmlns="${namespace(2)}">${`<${name}>`.repeat(depth)}${`</${name}>`.repeat(depth)}</Document>`;
        expectOnlyCamtErrors(xml);
      }),
      runs(20),
    );
  });
});

// Amounts ---------------------------------------------------------------------------------------

/** The documented meaning of an ISO 20022 amount, computed with BigInt: cents, or why it is refused. */
function amountOracle(input: string): bigint | 'refused' {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(input.trim());
  if (!match) return 'refused';
  const whole = match[1]!;
  const fraction = match[2] ?? '';
  if (whole.length > 18 || fraction.length > 5) return 'refused';
  if (/[1-9]/.test(fraction.slice(2))) return 'refused';
  const cents = BigInt(whole) * 100n + BigInt(fraction.slice(0, 2).padEnd(2, '0'));
  return cents > MAX_SAFE ? 'refused' : cents;
}

const amountLike = fc.oneof(
  fc.tuple(fc.stringMatching(/^\d{1,22}$/), fc.option(fc.stringMatching(/^\d{1,7}$/), { nil: null })).map(([w, f]) => (f === null ? w : `${w}.${f}`)),
  fc.constantFrom('99999999999999999999', '90071992547409.91', '90071992547409.92', '1e3', '-1.00', '+1.00', '1,00', '.50', '1.', ' 1.00 ', '1 000.00', 'NaN', 'Infinity', '0x10', '１２', '10.500', '10.501', '0.00000', ''),
  fc.string({ maxLength: 25 }),
);

describe('parseCamtAmountCents', () => {
  it('gives exactly the cents of the decimal text, computed in integers, or refuses it with a CamtError', () => {
    fc.assert(
      fc.property(amountLike, (input) => {
        const expected = amountOracle(input);
        if (expected === 'refused') {
          expect(() => parseCamtAmountCents(input)).toThrow(CamtError);
        } else {
          expect(parseCamtAmountCents(input)).toBe(Number(expected));
        }
      }),
      runs(200),
    );
  });

  it('reads back every amount it can hold, however it is written', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_SAFE }), amountStyle, (cents, style) => {
        expect(parseCamtAmountCents(amountText(cents, style))).toBe(Number(cents));
      }),
      runs(100),
    );
  });
});

// Invoice numbers ------------------------------------------------------------------------------

const SEPARATORS = ['-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', ' ', '\u00a0'];

/**
 * The documented rule, found another way: split the text into runs of digits; an invoice number is
 * a run '20YY' and a run of six digits with one separator between them, or a run of ten digits
 * starting with '20' that does not follow an ASCII letter.
 */
function invoiceNumbersOracle(remittance: string): string[] {
  const runs = [...remittance.matchAll(/[0-9]+/g)].map((m) => ({ digits: m[0], start: m.index, end: m.index + m[0].length }));
  const found: { at: number; number: string }[] = [];
  runs.forEach((run, i) => {
    const next = runs[i + 1];
    if (/^20\d\d$/.test(run.digits) && next && next.start === run.end + 1 && next.digits.length === 6 && SEPARATORS.includes(remittance[run.end]!)) {
      found.push({ at: run.start, number: `${run.digits}-${next.digits}` });
    }
    if (/^20\d{8}$/.test(run.digits) && !/[A-Za-z]/.test(remittance[run.start - 1] ?? '')) {
      found.push({ at: run.start, number: `${run.digits.slice(0, 4)}-${run.digits.slice(4)}` });
    }
  });
  return [...new Set(found.sort((a, b) => a.at - b.at).map((f) => f.number))];
}

const invoiceNumber = fc.tuple(fc.integer({ min: 2000, max: 2099 }), fc.integer({ min: 0, max: 999_999 })).map(([year, n]) => `${year}-${String(n).padStart(6, '0')}`);
const writtenAs = fc.constantFrom(...SEPARATORS, '');
const noiseWithoutDigits = fc
  .array(fc.oneof(fc.constantFrom('Factuur', 'nr', 'nr.', 'en', 'RABO', 'IBAN', ' ', ',', '/', ':', '-', '–', '\u00a0', 'é', '😀', '\n'), codePoint(0x20, 0x7e).filter((c) => !/\d/.test(c)), xmlChar.filter((c) => !/\d/.test(c))), {
    maxLength: 6,
  })
  .map((parts) => parts.join(''));

describe('invoiceNumbersIn', () => {
  it('finds exactly the invoice numbers embedded in noise, in every documented spelling, once each, in order', () => {
    fc.assert(
      fc.property(noiseWithoutDigits, fc.array(fc.tuple(invoiceNumber, writtenAs, noiseWithoutDigits.filter((n) => n !== '')), { maxLength: 5 }), (lead, parts) => {
        let remittance = lead;
        const expected: string[] = [];
        for (const [number, separator, noise] of parts) {
          const afterLetter = /[A-Za-z]$/.test(remittance);
          remittance += number.replace('-', separator) + noise;
          if (!(separator === '' && afterLetter) && !expected.includes(number)) expected.push(number);
        }
        expect(invoiceNumbersIn(remittance)).toEqual(expected);
      }),
      runs(200),
    );
  });

  it('never invents one: on digit-heavy text it agrees with the rule computed from runs of digits', () => {
    const digitHeavy = fc
      .array(fc.oneof(fc.constantFrom('20', '2026', '000123', '0', '1', '9', 'a', 'Z', 'é', '٣', '２'), fc.constantFrom(...SEPARATORS, '\t', '/', '.', '_')), { maxLength: 30 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(digitHeavy, (remittance) => {
        expect(invoiceNumbersIn(remittance)).toEqual(invoiceNumbersOracle(remittance));
      }),
      runs(300),
    );
  });
});
