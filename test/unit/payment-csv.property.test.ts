import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { centsToDecimal, formatEuro, InvalidEuroAmountError, MAX_PAYMENT_CENTS, parseEuroAmountCents } from '../../domain/money';
import { runs } from '../support/properties';

// ---------------------------------------------------------------------------------------------
// The amount column
// ---------------------------------------------------------------------------------------------

/** What the route's schema lets through to the parser (api/routes/invoices.ts, POST /payments/imports). */
const ROUTE_AMOUNT_PATTERN = /^\d+([.,]\d{1,2})?$/;

/** The documented meaning, computed with BigInt: euros with at most two decimals, more than 0.00, at most the cap. */
function amountOracle(text: string): number | 'refused' {
  const match = /^([0-9]+)(?:[.,]([0-9]{1,2}))?$/.exec(text);
  if (!match) return 'refused';
  const cents = BigInt(match[1]!) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
  return cents === 0n || cents > BigInt(MAX_PAYMENT_CENTS) ? 'refused' : Number(cents);
}

const payment = fc.integer({ min: 1, max: MAX_PAYMENT_CENTS });

const amountLike = fc.oneof(
  fc
    .tuple(fc.stringMatching(/^\d{1,12}$/), fc.constantFrom('', '.', ','), fc.stringMatching(/^\d{0,4}$/))
    .map(([whole, separator, fraction]) => (separator === '' ? whole : `${whole}${separator}${fraction}`)),
  fc.tuple(payment, fc.constantFrom(' ', '\t', '\u00a0', '-', '+', '€', '€ ', 'e')).chain(([cents, extra]) =>
    fc.constantFrom(`${extra}${centsToDecimal(cents)}`, `${centsToDecimal(cents)}${extra}`, centsToDecimal(cents).replace('.', extra)),
  ),
  fc.constantFrom('99999999999999999999', '1000000.01', '1000000.00', '0.00', '0', '1e3', '1.000,00', '1,000.00', 'NaN', '１２', '', ' '),
  fc.string({ maxLength: 14 }),
);

describe('parseEuroAmountCents', () => {
  it('reads back every payment amount as centsToDecimal prints it, with a decimal point or a comma', () => {
    fc.assert(
      fc.property(payment, (cents) => {
        expect(parseEuroAmountCents(centsToDecimal(cents))).toBe(cents);
        expect(parseEuroAmountCents(centsToDecimal(cents).replace('.', ','))).toBe(cents);
      }),
      runs(100),
    );
  });

  it('reads back every payment amount as formatEuro prints it on a letter, once the euro sign and thousands dots are taken off', () => {
    fc.assert(
      fc.property(payment, (cents) => {
        expect(parseEuroAmountCents(formatEuro(cents).replace('€ ', '').replaceAll('.', ''))).toBe(cents);
      }),
      runs(100),
    );
  });

  it('reads 187.5 and 187 as 187.50 and 187.00', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_PAYMENT_CENTS / 10 }), (tenths) => {
        const text = `${Math.floor(tenths / 10)}.${tenths % 10}`;
        expect(parseEuroAmountCents(text)).toBe(tenths * 10);
        if (tenths % 10 === 0) expect(parseEuroAmountCents(String(tenths / 10))).toBe(tenths * 10);
      }),
      runs(100),
    );
  });

  it('gives exactly what a BigInt reading gives, or an InvalidEuroAmountError: never NaN, a fraction, zero, a negative or more than the cap', () => {
    fc.assert(
      fc.property(amountLike, (text) => {
        const expected = amountOracle(text);
        if (expected === 'refused') {
          expect(() => parseEuroAmountCents(text)).toThrow(InvalidEuroAmountError);
          return;
        }
        const cents = parseEuroAmountCents(text);
        expect(cents).toBe(expected);
        expect(Number.isSafeInteger(cents) && cents > 0 && cents <= MAX_PAYMENT_CENTS).toBe(true);
      }),
      runs(300),
    );
  });

  it("accepts only what the route's schema lets through, and refuses only zero and amounts over the cap among those", () => {
    fc.assert(
      fc.property(amountLike, (text) => {
        let accepted = true;
        try {
          parseEuroAmountCents(text);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidEuroAmountError);
          accepted = false;
        }
        if (accepted) expect(text).toMatch(ROUTE_AMOUNT_PATTERN);
        else if (ROUTE_AMOUNT_PATTERN.test(text)) expect(amountOracle(text)).toBe('refused');
      }),
      runs(200),
    );
  });

  it('refuses a third decimal, whatever it is', () => {
    fc.assert(
      fc.property(payment, fc.stringMatching(/^\d{1,5}$/), fc.constantFrom('.', ','), (cents, more, separator) => {
        const text = `${centsToDecimal(cents)}${more}`.replace('.', separator);
        expect(() => parseEuroAmountCents(text)).toThrow(InvalidEuroAmountError);
      }),
      runs(100),
    );
  });

  it('refuses every amount over the cap, up to numbers that do not fit in a double', () => {
    const over = fc.oneof(fc.bigInt({ min: BigInt(MAX_PAYMENT_CENTS) + 1n, max: 10n ** 12n }), fc.bigInt({ min: BigInt(MAX_PAYMENT_CENTS) + 1n, max: 10n ** 40n }));
    fc.assert(
      fc.property(over, (cents) => {
        const text = `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
        expect(() => parseEuroAmountCents(text)).toThrow(/more than € 1\.000\.000,00/);
      }),
      runs(100),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The CSV reader of the upload routes
// ---------------------------------------------------------------------------------------------

/** The options api/app.ts gives csv-parse for text/csv bodies. */
const UPLOAD_CSV_OPTIONS = { columns: true, skip_empty_lines: true, trim: true, bom: true } as const;
const COLUMNS = ['invoiceNumber', 'amount', 'paidOn', 'reference', 'paymentId'] as const;
type PaymentRow = Record<(typeof COLUMNS)[number], string>;

const readUpload = (text: string) => parse(text, UPLOAD_CSV_OPTIONS) as Record<string, string>[];

const csvChar = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.constantFrom(',', '"', "'", ';', '\n', '\r\n', '\r', ' ', '\t', '\u00a0', '\ufeff', '€', 'é', '😀', '#') },
);
const cell = fc.array(csvChar, { maxLength: 12 }).map((chars) => chars.join(''));
const row: fc.Arbitrary<PaymentRow> = fc.record({ invoiceNumber: cell, amount: cell, paidOn: cell, reference: cell, paymentId: cell });
/** A value that the reader's trimming leaves alone. */
const trimmedCell = cell.map((value) => value.trim());
const trimmedRow: fc.Arbitrary<PaymentRow> = fc.record({ invoiceNumber: trimmedCell, amount: trimmedCell, paidOn: trimmedCell, reference: trimmedCell, paymentId: trimmedCell });

const layout = fc.record({ bom: fc.boolean(), crlf: fc.boolean(), trailingNewline: fc.boolean() });
type Layout = typeof layout extends fc.Arbitrary<infer T> ? T : never;

function writeUpload(rows: PaymentRow[], { bom, crlf, trailingNewline }: Layout, options: { quoted: boolean }): string {
  const text = stringify(rows, { header: true, columns: [...COLUMNS], record_delimiter: crlf ? 'windows' : 'unix', quoted: options.quoted, quoted_empty: options.quoted });
  const body = trailingNewline ? text : text.replace(/\r?\n$/, '');
  return `${bom ? '\ufeff' : ''}${body}`;
}

describe('the CSV reader of the upload routes (csv-parse with columns, skip_empty_lines, trim, bom)', () => {
  it('reads back every row exactly when every field is quoted: commas, quotes, newlines, CRLF, BOM and spaces inside a field', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 6 }), layout, (rows, how) => {
        expect(readUpload(writeUpload(rows, how, { quoted: true }))).toEqual(rows);
      }),
      runs(100),
    );
  });

  it('reads back every row of trimmed values as csv-stringify writes it by default (quoting only where needed)', () => {
    fc.assert(
      fc.property(fc.array(trimmedRow, { maxLength: 6 }), layout, (rows, how) => {
        expect(readUpload(writeUpload(rows, how, { quoted: false }))).toEqual(rows);
      }),
      runs(100),
    );
  });

  it('trims the spaces around an unquoted value, as a spreadsheet leaves them, and keeps those inside quotes', () => {
    fc.assert(
      fc.property(trimmedRow, fc.constantFrom(' ', '  ', '\t', ' \t'), (r, pad) => {
        const unquoted = COLUMNS.map((c) => (/[",\r\n]/.test(r[c]) ? `"${r[c].replaceAll('"', '""')}"` : `${pad}${r[c]}${pad}`)).join(',');
        const quoted = COLUMNS.map((c) => `"${pad}${r[c].replaceAll('"', '""')}${pad}"`).join(',');
        expect(readUpload(`${COLUMNS.join(',')}\n${unquoted}\n`)).toEqual([r]);
        expect(readUpload(`${COLUMNS.join(',')}\n${quoted}\n`)).toEqual([Object.fromEntries(COLUMNS.map((c) => [c, `${pad}${r[c]}${pad}`]))]);
      }),
      runs(50),
    );
  });

  it('skips blank lines between rows, whatever the line ends', () => {
    fc.assert(
      fc.property(fc.array(trimmedRow, { minLength: 1, maxLength: 4 }), fc.constantFrom('\n', '\r\n'), fc.array(fc.constantFrom('', ' ', '\t'), { maxLength: 3 }), (rows, eol, blanks) => {
        fc.pre(!rows.some((r) => COLUMNS.some((c) => /[\r\n]/.test(r[c]))));
        const lines = stringify(rows, { header: true, columns: [...COLUMNS] }).trimEnd().split('\n');
        const text = lines.map((line, i) => (i === 0 ? line : `${blanks.join(eol)}${blanks.length ? eol : ''}${line}`)).join(eol);
        expect(readUpload(text)).toEqual(rows);
      }),
      runs(50),
    );
  });
});
