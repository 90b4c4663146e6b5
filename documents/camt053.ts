/**
 * Reading ISO 20022 CAMT.053 bank-to-customer statements, the end-of-day statement format that
 * Dutch banks (ING, Rabobank, ABN AMRO, ...) give for download, so that incoming payments can be
 * matched to invoices.
 *
 * Accepted: documents in the namespace urn:iso:std:iso:20022:tech:xsd:camt.053.001.NN for
 * NN = 02 to 13 (tested: 02, as ING and ABN AMRO give it, and 08, as Rabobank gives it). The
 * elements read here have kept their names and places over those versions; the one difference
 * handled is that from version 08 on a related party is wrapped in <Pty> (RltdPties/Dbtr/Pty/Nm
 * instead of RltdPties/Dbtr/Nm).
 *
 * What comes out:
 * - Only booked entries (Sts BOOK; a missing status counts as booked). Pending or informational
 *   entries are left out: they are not money received.
 * - One StatementEntry per transaction: an entry with several TxDtls (a batch) gives one per
 *   TxDtls, with that transaction's own amount, party and remittance.
 * - amountCents is the amount as booked, always positive; creditDebit tells the direction
 *   (CRDT money in, DBIT money out, a reversal as booked by the bank).
 * - Money is integer cents, read from the decimal text without floating point; only EUR is
 *   accepted (an account or entry in another currency is a CamtError).
 *
 * Anything that is not a well-formed CAMT.053 document, or is one that does not add up (an
 * amount that is not a decimal, a batch whose transactions do not add up to the entry, a closing
 * balance that does not follow from the opening balance and the entries), is a CamtError with a
 * message that says where, so that finance can tell the bank file is at fault.
 */
import { createHash } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { isLocalDate } from '../domain/calendar';
import type { Cents } from '../domain/money';

export interface StatementEntry {
  statementId: string;
  /**
   * Stable and unique within the account: the entry's AcctSvcrRef (the bank's own reference),
   * else its NtryRef, else a hash of the account IBAN and the entry's content (see
   * `parseCamt053`). An entry with several TxDtls gives `${reference}/${n}` for its n-th
   * transaction, n counting from 1.
   */
  entryReference: string;
  bookingDate: string;
  valueDate: string | null;
  amountCents: Cents;
  currency: string;
  creditDebit: 'CRDT' | 'DBIT';
  /** The debtor (Dbtr) as the file names it: for CRDT the payer; for DBIT the account holder itself, when the bank gives it. */
  debtorName: string | null;
  debtorIban: string | null;
  /**
   * The unstructured lines (Ustrd) joined by single spaces, followed by the references of the
   * structured remittance (Strd/CdtrRefInf/Ref). An entry without any TxDtls carries its
   * AddtlNtryInf here instead, the only text such an entry has.
   */
  remittance: string;
  /** The payer's end-to-end id; null when absent or the SEPA placeholder NOTPROVIDED. */
  endToEndId: string | null;
}

export interface ParsedStatement {
  statementId: string;
  iban: string;
  entries: StatementEntry[];
}

export class CamtError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CamtError';
  }
}

const CAMT_053_NAMESPACE = /^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(\d{2})$/;
const OTHER_ISO_20022_NAMESPACE = /^urn:iso:std:iso:20022:tech:xsd:([a-z]{4}\.\d{3}\.\d{3}\.\d{2})$/;
const SUPPORTED_VERSIONS = { min: 2, max: 13 };
const ACCEPTED_CURRENCY = 'EUR';
const NOT_PROVIDED = 'NOTPROVIDED';

type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Every value stays the exact text of the file: amounts, references with leading zeros and
  // numeric-looking names must not become numbers.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Character references such as &#233; are decoded (a bank writes é that way now and then).
  htmlEntities: true,
});

/**
 * Parse a CAMT.053 document (one file may hold several statements, e.g. one per account).
 *
 * An entry without AcctSvcrRef and NtryRef gets the reference `sha256:` + 32 hex digits of a
 * hash over the account IBAN, the entry's complete content and how many identical entries came
 * before it in the statement: stable when the same file (or the same entry in a re-issued
 * statement) is read again, and different for two identical payments on one day.
 */
export function parseCamt053(xml: string): ParsedStatement[] {
  const document = parseDocument(xml);
  const bkToCstmrStmt = child(document, 'BkToCstmrStmt');
  if (!isNode(bkToCstmrStmt)) throw new CamtError('not a CAMT.053 statement: <Document> has no <BkToCstmrStmt>');
  const statements = children(bkToCstmrStmt, 'Stmt');
  if (statements.length === 0) throw new CamtError('the CAMT.053 document holds no <Stmt>');
  return statements.map((stmt, i) => parseStatement(stmt, i));
}

// ---------------------------------------------------------------------------------------------
// Document level
// ---------------------------------------------------------------------------------------------

function parseDocument(xml: string): XmlNode {
  if (typeof xml !== 'string' || xml.trim() === '') throw new CamtError('not a CAMT.053 statement: the input is empty');
  const text = xml.replace(/^\uFEFF/, '');
  // CAMT files never carry a DTD; refusing one closes the door on entity-expansion tricks.
  if (/<!DOCTYPE/i.test(text)) throw new CamtError('not a CAMT.053 statement: a DOCTYPE is not allowed');
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new CamtError(`not a CAMT.053 statement: not well-formed XML (line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg})`);
  }
  let parsed: XmlNode;
  try {
    parsed = parser.parse(text) as XmlNode;
  } catch (error) {
    throw new CamtError(`not a CAMT.053 statement: the XML could not be read (${error instanceof Error ? error.message : String(error)})`);
  }
  const roots = Object.keys(parsed).filter((key) => !key.startsWith('?') && !key.startsWith('#'));
  if (roots.length !== 1) throw new CamtError('not a CAMT.053 statement: expected one root element');
  const rootName = roots[0]!;
  const root = parsed[rootName];
  const colon = rootName.indexOf(':');
  const prefix = colon >= 0 ? rootName.slice(0, colon) : '';
  const localName = colon >= 0 ? rootName.slice(colon + 1) : rootName;
  const namespace = isNode(root) ? textOf(root[prefix ? `@_xmlns:${prefix}` : '@_xmlns']) : null;

  if (localName !== 'Document' || namespace === null) {
    throw new CamtError(`not a CAMT.053 statement: the root element is <${rootName}>${namespace ? ` in ${namespace}` : ''}, expected <Document> in ${namespaceOf('NN')}`);
  }
  const camt053 = CAMT_053_NAMESPACE.exec(namespace);
  if (!camt053) {
    const other = OTHER_ISO_20022_NAMESPACE.exec(namespace);
    throw new CamtError(
      other
        ? `not a CAMT.053 statement: this is ${other[1]}; only camt.053 (bank-to-customer statement) is read`
        : `not a CAMT.053 statement: unknown namespace ${namespace}`,
    );
  }
  const version = Number(camt053[1]);
  if (version < SUPPORTED_VERSIONS.min || version > SUPPORTED_VERSIONS.max) {
    throw new CamtError(`camt.053.001.${camt053[1]} is not supported (versions 02 to 13 are)`);
  }
  return withoutPrefixes(root) as XmlNode;
}

function namespaceOf(version: string): string {
  return `urn:iso:std:iso:20022:tech:xsd:camt.053.001.${version}`;
}

/**
 * The tree with namespace prefixes dropped from element names (ns2:Ntry -> Ntry), so that a
 * default namespace and a prefixed one read alike. Objects get no prototype, so no element name
 * can reach Object.prototype.
 */
function withoutPrefixes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPrefixes);
  if (!isNode(value)) return value;
  const result: XmlNode = Object.create(null) as XmlNode;
  for (const [key, inner] of Object.entries(value)) {
    const name = key.startsWith('@_') || key.startsWith('#') ? key : key.slice(key.indexOf(':') + 1);
    const converted = withoutPrefixes(inner);
    const existing = result[name];
    result[name] = existing === undefined ? converted : [...asList(existing), ...asList(converted)];
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Statement level
// ---------------------------------------------------------------------------------------------

function parseStatement(stmt: XmlNode, index: number): ParsedStatement {
  const statementId = textAt(stmt, 'Id');
  if (!statementId) throw new CamtError(`statement ${index + 1} has no <Id>`);
  const where = `statement ${statementId}`;

  const acct = child(stmt, 'Acct');
  const rawIban = isNode(acct) ? textAt(acct, 'Id', 'IBAN') : null;
  if (!rawIban) throw new CamtError(`${where}: the account has no IBAN`);
  const iban = rawIban.replace(/\s+/g, '').toUpperCase();
  const accountCurrency = isNode(acct) ? textAt(acct, 'Ccy') : null;
  if (accountCurrency !== null && accountCurrency !== ACCEPTED_CURRENCY) {
    throw new CamtError(`${where}: account ${iban} is held in ${accountCurrency}; only ${ACCEPTED_CURRENCY} accounts can be read`);
  }

  const entries: StatementEntry[] = [];
  const references = new Set<string>();
  const hashOccurrences = new Map<string, number>();
  // Sums are BigInt: amounts up to 2^53 cents each are valid, and a Number sum of them would round.
  let bookedNetCents = 0n;

  children(stmt, 'Ntry').forEach((ntry, n) => {
    const status = textAt(ntry, 'Sts') ?? textAt(ntry, 'Sts', 'Cd') ?? 'BOOK';
    if (status !== 'BOOK') return;
    const parsed = parseEntry(ntry, { statementId, iban, where: `${where}, entry ${n + 1}`, hashOccurrences });
    for (const entry of parsed.entries) {
      if (references.has(entry.entryReference)) {
        throw new CamtError(`${where}: entry reference ${entry.entryReference} occurs twice`);
      }
      references.add(entry.entryReference);
      entries.push(entry);
    }
    bookedNetCents += parsed.signedCents;
  });

  checkBalances(stmt, where, bookedNetCents);
  return { statementId, iban, entries };
}

/** If the statement gives an opening and a closing booked balance, the booked entries must bridge them. */
function checkBalances(stmt: XmlNode, where: string, bookedNetCents: bigint): void {
  let opening: bigint | null = null;
  let closing: bigint | null = null;
  for (const bal of children(stmt, 'Bal')) {
    const code = textAt(bal, 'Tp', 'CdOrPrtry', 'Cd');
    if (code !== 'OPBD' && code !== 'PRCD' && code !== 'CLBD') continue;
    const amount = money(bal, `${where}, balance ${code}`);
    const balance = signedCents(amount.cents, direction(bal, `${where}, balance ${code}`));
    if (code === 'CLBD') closing = balance;
    else opening ??= balance;
  }
  if (opening !== null && closing !== null && opening + bookedNetCents !== closing) {
    throw new CamtError(
      `${where}: the booked entries (net ${formatCents(bookedNetCents)}) do not take the opening balance ${formatCents(opening)} to the closing balance ${formatCents(closing)}; the file may be incomplete`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Entry level
// ---------------------------------------------------------------------------------------------

interface EntryContext {
  statementId: string;
  iban: string;
  where: string;
  hashOccurrences: Map<string, number>;
}

function parseEntry(ntry: XmlNode, ctx: EntryContext): { entries: StatementEntry[]; signedCents: bigint } {
  const { where } = ctx;
  const amount = money(ntry, where);
  const creditDebit = direction(ntry, where);
  const bookingDate = dateAt(ntry, 'BookgDt', where);
  if (bookingDate === null) throw new CamtError(`${where}: a booked entry without a booking date <BookgDt>`);
  const valueDate = dateAt(ntry, 'ValDt', where);
  const reference = textAt(ntry, 'AcctSvcrRef') ?? textAt(ntry, 'NtryRef') ?? contentHash(ntry, ctx);

  const transactions = children(ntry, 'NtryDtls').flatMap((details) => children(details, 'TxDtls'));
  const common = { statementId: ctx.statementId, bookingDate, valueDate, currency: amount.currency };
  const entrySignedCents = signedCents(amount.cents, creditDebit);

  if (transactions.length === 0) {
    const entry: StatementEntry = {
      ...common,
      entryReference: reference,
      amountCents: amount.cents,
      creditDebit,
      debtorName: null,
      debtorIban: null,
      remittance: textAt(ntry, 'AddtlNtryInf') ?? '',
      endToEndId: null,
    };
    return { entries: [entry], signedCents: entrySignedCents };
  }

  if (transactions.length === 1) {
    // The entry's amount is what was booked; a single transaction's own amount may be the
    // instructed one in another currency, so it is not used.
    const entry: StatementEntry = {
      ...common,
      entryReference: reference,
      amountCents: amount.cents,
      creditDebit,
      ...transactionFields(transactions[0]!),
    };
    return { entries: [entry], signedCents: entrySignedCents };
  }

  // A batch: each transaction carries its own amount, and together they make up the entry.
  let batchSignedCents = 0n;
  const entries = transactions.map((tx, i): StatementEntry => {
    const txWhere = `${where}, transaction ${i + 1}`;
    const txAmountNode = child(tx, 'Amt') !== undefined ? tx : child(tx, 'AmtDtls', 'TxAmt');
    if (!isNode(txAmountNode)) throw new CamtError(`${txWhere}: a transaction in a batch entry has no amount`);
    const txAmount = money(txAmountNode, txWhere);
    const txDirection = child(tx, 'CdtDbtInd') !== undefined ? direction(tx, txWhere) : creditDebit;
    batchSignedCents += signedCents(txAmount.cents, txDirection);
    return {
      ...common,
      entryReference: `${reference}/${i + 1}`,
      amountCents: txAmount.cents,
      creditDebit: txDirection,
      ...transactionFields(tx),
    };
  });
  if (batchSignedCents !== entrySignedCents) {
    throw new CamtError(`${where}: the ${transactions.length} transactions add up to ${formatCents(batchSignedCents)}, the entry to ${formatCents(entrySignedCents)}`);
  }
  return { entries, signedCents: entrySignedCents };
}

function transactionFields(tx: XmlNode): Pick<StatementEntry, 'debtorName' | 'debtorIban' | 'remittance' | 'endToEndId'> {
  const relatedParties = child(tx, 'RltdPties');
  let debtorName: string | null = null;
  let debtorIban: string | null = null;
  if (isNode(relatedParties)) {
    // Up to version 07 the party is Dbtr itself; from 08 on it is wrapped: Dbtr/Pty.
    debtorName = textAt(relatedParties, 'Dbtr', 'Pty', 'Nm') ?? textAt(relatedParties, 'Dbtr', 'Nm');
    debtorIban = textAt(relatedParties, 'DbtrAcct', 'Id', 'IBAN')?.replace(/\s+/g, '').toUpperCase() ?? null;
  }

  const parts: string[] = [];
  const rmtInf = child(tx, 'RmtInf');
  if (isNode(rmtInf)) {
    for (const line of asList(rmtInf.Ustrd)) {
      const value = textOf(line);
      if (value) parts.push(value);
    }
    for (const strd of asList(rmtInf.Strd)) {
      if (!isNode(strd)) continue;
      for (const ref of asList(strd.CdtrRefInf)) {
        const value = isNode(ref) ? textAt(ref, 'Ref') : null;
        if (value) parts.push(value);
      }
    }
  }

  const endToEnd = textAt(tx, 'Refs', 'EndToEndId');
  return {
    debtorName,
    debtorIban,
    remittance: parts.join(' '),
    endToEndId: endToEnd && endToEnd !== NOT_PROVIDED ? endToEnd : null,
  };
}

function contentHash(ntry: XmlNode, ctx: EntryContext): string {
  const content = JSON.stringify([ctx.iban, ntry]);
  const occurrence = ctx.hashOccurrences.get(content) ?? 0;
  ctx.hashOccurrences.set(content, occurrence + 1);
  const digest = createHash('sha256').update(`${content}\n${occurrence}`).digest('hex');
  return `sha256:${digest.slice(0, 32)}`;
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

const AMOUNT_PATTERN = /^(\d{1,18})(?:\.(\d{1,5}))?$/;

/**
 * An ISO 20022 amount ("1234.5", "0.10", "12") as integer cents, read digit by digit: no
 * floating point is involved. More than two decimals are accepted only when the extra ones are
 * zero ("10.500"); anything else that is not a plain non-negative decimal is a CamtError.
 */
export function parseCamtAmountCents(text: string): Cents {
  const match = AMOUNT_PATTERN.exec(text.trim());
  if (!match) throw new CamtError(`not an amount: ${JSON.stringify(text)}`);
  const whole = match[1]!;
  const fraction = match[2] ?? '';
  if (/[1-9]/.test(fraction.slice(2))) throw new CamtError(`amount ${text} has fractions of a cent`);
  const cents = Number(`${whole}${fraction.slice(0, 2).padEnd(2, '0')}`);
  if (!Number.isSafeInteger(cents)) throw new CamtError(`amount ${text} is too large`);
  return cents;
}

/** The <Amt Ccy="..."> child of a node, in cents, which must be in euros. */
function money(node: XmlNode, where: string): { cents: Cents; currency: string } {
  const amt = child(node, 'Amt');
  const text = textOf(amt);
  if (text === null) throw new CamtError(`${where}: no amount <Amt>`);
  const currency = isNode(amt) ? textOf(amt['@_Ccy']) : null;
  if (currency === null) throw new CamtError(`${where}: amount ${text} has no currency (Ccy)`);
  if (currency !== ACCEPTED_CURRENCY) {
    throw new CamtError(`${where}: amount ${text} is in ${currency}; only ${ACCEPTED_CURRENCY} can be read`);
  }
  try {
    return { cents: parseCamtAmountCents(text), currency };
  } catch (error) {
    if (error instanceof CamtError) throw new CamtError(`${where}: ${error.message}`);
    throw error;
  }
}

function direction(node: XmlNode, where: string): 'CRDT' | 'DBIT' {
  const value = textAt(node, 'CdtDbtInd');
  if (value !== 'CRDT' && value !== 'DBIT') throw new CamtError(`${where}: <CdtDbtInd> must be CRDT or DBIT, got ${JSON.stringify(value)}`);
  return value;
}

/** <name><Dt>YYYY-MM-DD</Dt></name> or <name><DtTm>...</DtTm></name> (the date as written), or null. */
function dateAt(node: XmlNode, name: string, where: string): string | null {
  const value = textAt(node, name, 'Dt') ?? textAt(node, name, 'DtTm')?.slice(0, 10) ?? null;
  if (value === null) return null;
  if (!isLocalDate(value)) throw new CamtError(`${where}: <${name}> is not a date: ${JSON.stringify(value)}`);
  return value;
}

function signedCents(cents: Cents, creditDebit: 'CRDT' | 'DBIT'): bigint {
  return creditDebit === 'DBIT' ? -BigInt(cents) : BigInt(cents);
}

function formatCents(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Tree helpers
// ---------------------------------------------------------------------------------------------

function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The first element at the path (an element that occurs more than once gives its first). */
function child(node: XmlNode, ...path: string[]): unknown {
  let current: unknown = node;
  for (const name of path) {
    if (!isNode(current)) return undefined;
    const next = current[name];
    current = Array.isArray(next) ? next[0] : next;
  }
  return current;
}

/** All elements of that name directly under the node; an element without children reads as an empty node. */
function children(node: XmlNode, name: string): XmlNode[] {
  return asList(node[name]).map((value) => (isNode(value) ? value : (Object.create(null) as XmlNode)));
}

/** The text of an element: a string, or the #text of an element that has attributes; blank is null. */
function textOf(value: unknown): string | null {
  const raw = isNode(value) ? value['#text'] : value;
  if (typeof raw !== 'string') return null;
  const trimmed = raw.trim();
  return trimmed === '' ? null : trimmed;
}

function textAt(node: XmlNode, ...path: string[]): string | null {
  return textOf(child(node, ...path));
}

// ---------------------------------------------------------------------------------------------
// Invoice numbers in remittance text
// ---------------------------------------------------------------------------------------------

/**
 * Invoice numbers as the invoices print them, 'YYYY-NNNNNN' (a year 2000-2099 and six digits),
 * and the ways tenants retype them in a payment description:
 *   2026-000123   the printed form (also with an en/em dash or a minus sign)
 *   2026 000123   with a space (or a no-break space) instead of the dash
 *   2026000123    without separator
 * Not recognised: shortened forms without the leading zeros ("2026-123"), which cannot be told
 * apart from other numbers, and a number glued to more digits ("12026-000123", "2026-0001234").
 * The form without separator must also not follow a letter, so that account numbers inside an
 * IBAN ("NL12RABO2026000123") are not taken for invoice numbers; with a separator a letter
 * before it is fine ("nr2026-000123").
 *
 * Returns the numbers normalised to 'YYYY-NNNNNN', each once, in order of first appearance.
 */
export function invoiceNumbersIn(remittance: string): string[] {
  const found: string[] = [];
  for (const match of remittance.matchAll(INVOICE_NUMBER)) {
    const number = `${match.groups!.year}-${match.groups!.separated ?? match.groups!.compact}`;
    if (!found.includes(number)) found.push(number);
  }
  return found;
}

const INVOICE_NUMBER = new RegExp(
  [
    '(?<!\\d)', // not glued to digits before
    '(?<year>20\\d{2})',
    '(?:',
    '[-\\u2010-\\u2015\\u2212 \\u00a0](?<separated>\\d{6})', // with a dash or a space
    '|',
    '(?<![A-Za-z]\\d{4})(?<compact>\\d{6})', // without separator, and the year not after a letter
    ')',
    '(?!\\d)', // not glued to digits after
  ].join(''),
  'g',
);
