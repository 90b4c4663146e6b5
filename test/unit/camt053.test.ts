import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CamtError,
  invoiceNumbersIn,
  parseCamt053,
  parseCamtAmountCents,
  type ParsedStatement,
  type StatementEntry,
} from '../../documents/camt053';

const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'camt053', name), 'utf8');
const ING = 'ing-2031-02-03.camt053.001.02.xml';
const RABOBANK = 'rabobank-2031-02-04.camt053.001.08.xml';

/** A minimal statement around the given <Ntry> elements (no balances unless given). */
function camt(entries: string, options: { version?: string; currency?: string; balances?: string; root?: (body: string) => string } = {}): string {
  const body = `<BkToCstmrStmt>
    <GrpHdr><MsgId>TEST</MsgId><CreDtTm>2031-03-02T06:00:00+01:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>TEST-STMT-1</Id>
      <Acct><Id><IBAN>NL67 INGB 0006 5432 10</IBAN></Id><Ccy>${options.currency ?? 'EUR'}</Ccy></Acct>
      ${options.balances ?? ''}
      ${entries}
    </Stmt>
  </BkToCstmrStmt>`;
  const ns = `urn:iso:std:iso:20022:tech:xsd:camt.053.001.${options.version ?? '02'}`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${options.root ? options.root(body) : `<Document xmlns="${ns}">${body}</Document>`}`;
}

function ntry(amount: string, fields: { cdi?: string; ccy?: string; ref?: string; sts?: string; details?: string; extra?: string } = {}): string {
  return `<Ntry>
    ${fields.ref ?? ''}
    <Amt Ccy="${fields.ccy ?? 'EUR'}">${amount}</Amt>
    <CdtDbtInd>${fields.cdi ?? 'CRDT'}</CdtDbtInd>
    <Sts>${fields.sts ?? 'BOOK'}</Sts>
    <BookgDt><Dt>2031-03-01</Dt></BookgDt>
    ${fields.details ?? ''}
    ${fields.extra ?? ''}
  </Ntry>`;
}

function balances(opening: string, closing: string): string {
  const bal = (code: string, amount: string) =>
    `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">${amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2031-03-01</Dt></Dt></Bal>`;
  return bal('OPBD', opening) + bal('CLBD', closing);
}

describe('parseCamt053 on an ING statement (camt.053.001.02)', () => {
  const ingEntry = (e: Partial<StatementEntry> & Pick<StatementEntry, 'entryReference' | 'amountCents'>): StatementEntry => ({
    statementId: '20310203-0006543210-00023',
    bookingDate: '2031-02-03',
    valueDate: '2031-02-03',
    currency: 'EUR',
    creditDebit: 'CRDT',
    debtorName: null,
    debtorIban: null,
    remittance: '',
    endToEndId: null,
    ...e,
  });

  it('reads every booked entry with its payer, remittance and references', () => {
    const expected: ParsedStatement[] = [
      {
        statementId: '20310203-0006543210-00023',
        iban: 'NL67INGB0006543210',
        entries: [
          ingEntry({
            entryReference: '2031020300000011',
            amountCents: 18_750,
            debtorName: 'J. de Vries',
            debtorIban: 'NL16RABO0158764323',
            remittance: 'Factuur 2031-000001',
            endToEndId: 'FVDV20310201',
          }),
          ingEntry({
            entryReference: '2031020300000012',
            amountCents: 5_000,
            debtorName: 'M. Yilmaz',
            debtorIban: 'NL81SNSB0912345683',
            remittance: 'Deelbetaling factuur 2031-000002, rest volgt',
            endToEndId: null, // NOTPROVIDED
          }),
          ingEntry({
            entryReference: '2031020300000013',
            amountCents: 24_510,
            debtorName: 'Fam. Bakker',
            debtorIban: 'NL56ASNB0707123461',
            remittance: 'Factuur 2031-000003 en 2031-000004 fam. Bakker', // two Ustrd lines joined
            endToEndId: 'BAKKER-0203',
          }),
          ingEntry({
            entryReference: '00000014', // no AcctSvcrRef: the NtryRef
            valueDate: '2031-02-04',
            amountCents: 81_234,
            debtorName: 'P. Jansen',
            debtorIban: 'NL73TRIO0338123458',
            remittance: 'Schoonmaakkosten portiek Vaartstraat 12 januari',
          }),
          ingEntry({
            entryReference: '2031020300000015',
            amountCents: 123_450,
            creditDebit: 'DBIT',
            debtorName: 'Woonstichting De Vaart',
            debtorIban: 'NL67INGB0006543210',
            remittance: 'Factuur GL-2031-0042 reiniging trappenhuis',
            endToEndId: 'WSDV-BET-2031-0087',
          }),
        ],
      },
    ];
    expect(parseCamt053(fixture(ING))).toEqual(expected);
  });

  it('finds the invoice numbers: one, one (partial), two (ambiguous), none, and none in a supplier reference', () => {
    const [statement] = parseCamt053(fixture(ING));
    expect(statement!.entries.map((e) => invoiceNumbersIn(e.remittance))).toEqual([
      ['2031-000001'],
      ['2031-000002'],
      ['2031-000003', '2031-000004'],
      [],
      [],
    ]);
  });
});

describe('parseCamt053 on a Rabobank statement (camt.053.001.08)', () => {
  const raboEntry = (e: Partial<StatementEntry> & Pick<StatementEntry, 'entryReference' | 'amountCents'>): StatementEntry => ({
    statementId: '0312345682_EUR_20310204',
    bookingDate: '2031-02-04',
    valueDate: '2031-02-04',
    currency: 'EUR',
    creditDebit: 'CRDT',
    debtorName: null,
    debtorIban: null,
    remittance: '',
    endToEndId: null,
    ...e,
  });

  it('reads structured remittance and splits a batch entry into one entry per transaction', () => {
    const expected: ParsedStatement[] = [
      {
        statementId: '0312345682_EUR_20310204',
        iban: 'NL70RABO0312345682',
        entries: [
          raboEntry({
            entryReference: '0000000481516231',
            amountCents: 9_500,
            debtorName: 'S. El Amrani', // Dbtr/Pty/Nm in version 08
            debtorIban: 'NL94KNAB0256789029',
            remittance: '2031-000005', // Strd/CdtrRefInf/Ref
            endToEndId: 'KNAB-8812736',
          }),
          raboEntry({
            entryReference: '0000000481516232/1',
            amountCents: 12_000,
            debtorName: 'Bewindvoering Zorgvuldig B.V.',
            debtorIban: 'NL23RABO0123987660',
            remittance: 'Factuur 2031-000006 inz. cliënt H. Smit',
            endToEndId: 'BWZ-2031-02-0042',
          }),
          raboEntry({
            entryReference: '0000000481516232/2',
            amountCents: 19_025,
            debtorName: 'Bewindvoering Zorgvuldig B.V.',
            debtorIban: 'NL23RABO0123987660',
            remittance: 'Fact.nr 2031000007 cliënt R. Öztürk',
            endToEndId: 'BWZ-2031-02-0043',
          }),
          raboEntry({
            entryReference: '0000000481516233',
            amountCents: 4_200,
            debtorName: 'L. Visser',
            debtorIban: 'NL94BUNQ2045678903',
            remittance: 'fact 2031 000008 portiek',
          }),
        ],
      },
    ];
    expect(parseCamt053(fixture(RABOBANK))).toEqual(expected);
  });

  it('finds the invoice numbers in structured, compact and spaced form', () => {
    const [statement] = parseCamt053(fixture(RABOBANK));
    expect(statement!.entries.map((e) => invoiceNumbersIn(e.remittance))).toEqual([
      ['2031-000005'],
      ['2031-000006'],
      ['2031-000007'],
      ['2031-000008'],
    ]);
  });

  it('gives the same references when the same file is read again', () => {
    const refs = () => parseCamt053(fixture(RABOBANK))[0]!.entries.map((e) => e.entryReference);
    expect(refs()).toEqual(refs());
  });
});

describe('parseCamt053 details', () => {
  it('reads amounts such as 1234.5 and 0.1 as exact cents', () => {
    const xml = camt(ntry('1234.5', { ref: '<AcctSvcrRef>A</AcctSvcrRef>' }) + ntry('0.1', { ref: '<AcctSvcrRef>B</AcctSvcrRef>' }), {
      balances: balances('1.00', '1235.60'),
    });
    const [statement] = parseCamt053(xml);
    expect(statement!.iban).toBe('NL67INGB0006543210'); // spaces removed
    expect(statement!.entries.map((e) => e.amountCents)).toEqual([123_450, 10]);
  });

  it('reads a document whose elements carry a namespace prefix', () => {
    const xml = camt(ntry('10.00', { ref: '<NtryRef>1</NtryRef>' }), {
      root: (body) =>
        `<ns2:Document xmlns:ns2="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">${body.replace(/<(\/?)(\w+)/g, '<$1ns2:$2')}</ns2:Document>`,
    });
    const [statement] = parseCamt053(xml);
    expect(statement!.entries).toHaveLength(1);
    expect(statement!.entries[0]!.amountCents).toBe(1_000);
  });

  it('leaves out entries that are not booked', () => {
    const xml = camt(ntry('10.00', { ref: '<NtryRef>1</NtryRef>' }) + ntry('20.00', { ref: '<NtryRef>2</NtryRef>', sts: 'PDNG' }));
    expect(parseCamt053(xml)[0]!.entries.map((e) => e.entryReference)).toEqual(['1']);
  });

  it('uses AddtlNtryInf as remittance for an entry without transaction details', () => {
    const xml = camt(ntry('10.00', { ref: '<NtryRef>1</NtryRef>', extra: '<AddtlNtryInf>Betaling factuur 2031-000009</AddtlNtryInf>' }));
    const [entry] = parseCamt053(xml)[0]!.entries;
    expect(entry).toMatchObject({ remittance: 'Betaling factuur 2031-000009', debtorName: null, endToEndId: null, valueDate: null });
  });

  it('gives an entry without references a stable hash, different for two identical payments', () => {
    const same = ntry('10.00', { details: '<NtryDtls><TxDtls><RmtInf><Ustrd>Factuur 2031-000010</Ustrd></RmtInf></TxDtls></NtryDtls>' });
    const xml = camt(same + same);
    const first = parseCamt053(xml)[0]!.entries.map((e) => e.entryReference);
    const again = parseCamt053(xml)[0]!.entries.map((e) => e.entryReference);
    expect(first).toEqual(again);
    expect(first[0]).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect(first[1]).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect(first[0]).not.toBe(first[1]);
  });

  it('reads every statement in a document', () => {
    const xml = camt(ntry('10.00', { ref: '<NtryRef>1</NtryRef>' })).replace(
      '</Stmt>',
      '</Stmt><Stmt><Id>TEST-STMT-2</Id><Acct><Id><IBAN>NL70RABO0312345682</IBAN></Id></Acct></Stmt>',
    );
    expect(parseCamt053(xml).map((s) => [s.statementId, s.iban, s.entries.length])).toEqual([
      ['TEST-STMT-1', 'NL67INGB0006543210', 1],
      ['TEST-STMT-2', 'NL70RABO0312345682', 0],
    ]);
  });

  it.each(['02', '04', '08', '13'])('accepts camt.053.001.%s', (version) => {
    expect(parseCamt053(camt(ntry('1.00', { ref: '<NtryRef>1</NtryRef>' }), { version }))).toHaveLength(1);
  });
});

describe('parseCamt053 refuses what it cannot read, with a CamtError', () => {
  const batch = (total: string, a: string, b: string) =>
    ntry(total, {
      ref: '<AcctSvcrRef>X</AcctSvcrRef>',
      details: `<NtryDtls><TxDtls><Amt Ccy="EUR">${a}</Amt></TxDtls><TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">${b}</Amt></TxAmt></AmtDtls></TxDtls></NtryDtls>`,
    });

  it.each<[string, string, RegExp]>([
    ['empty input', '', /empty/],
    ['plain text', 'Factuur 2031-000001 betaald', /not well-formed XML/],
    ['JSON', '{"Document": {}}', /not well-formed XML/],
    ['unclosed XML', '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>', /not well-formed XML/],
    ['an HTML page', '<html><body>Inloggen bij uw bank</body></html>', /root element is <html>/],
    ['a document without namespace', '<Document><BkToCstmrStmt/></Document>', /expected <Document>/],
    ['a camt.054 notification', camt('', { root: (b) => `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">${b}</Document>` }), /camt\.054\.001\.02/],
    ['a pain.001 payment order', '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn/></Document>', /pain\.001/],
    ['an unsupported version', camt('', { version: '01' }), /not supported/],
    ['a DOCTYPE', '<!DOCTYPE Document [<!ENTITY x "y">]><Document/>', /DOCTYPE/],
    ['a statement without entries container', '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><Other/></Document>', /BkToCstmrStmt/],
    ['a USD account', camt('', { currency: 'USD' }), /USD/],
    ['an entry in USD', camt(ntry('10.00', { ccy: 'USD', ref: '<NtryRef>1</NtryRef>' })), /entry 1: amount 10\.00 is in USD/],
    ['a decimal comma', camt(ntry('12,50', { ref: '<NtryRef>1</NtryRef>' })), /not an amount/],
    ['a fraction of a cent', camt(ntry('1.005', { ref: '<NtryRef>1</NtryRef>' })), /fractions of a cent/],
    ['an unknown credit/debit indicator', camt(ntry('1.00', { cdi: 'CRED', ref: '<NtryRef>1</NtryRef>' })), /CdtDbtInd/],
    ['a batch whose transactions do not add up', camt(batch('30.00', '10.00', '15.00')), /add up to 25\.00, the entry to 30\.00/],
    ['a batch transaction without amount', camt(batch('30.00', '10.00', '20.00').replace(/<AmtDtls>.*<\/AmtDtls>/, '')), /has no amount/],
    ['two entries with one reference', camt(ntry('1.00', { ref: '<NtryRef>7</NtryRef>' }) + ntry('2.00', { ref: '<NtryRef>7</NtryRef>' })), /occurs twice/],
    ['balances that do not match the entries', camt(ntry('10.00', { ref: '<NtryRef>1</NtryRef>' }), { balances: balances('100.00', '120.00') }), /incomplete/],
  ])('%s', (_name, xml, message) => {
    expect(() => parseCamt053(xml)).toThrow(CamtError);
    expect(() => parseCamt053(xml)).toThrow(message);
  });

  it('accepts a batch whose transactions add up, and balances that match', () => {
    const [statement] = parseCamt053(camt(batch('30.00', '10.00', '20.00'), { balances: balances('100.00', '130.00') }));
    expect(statement!.entries.map((e) => [e.entryReference, e.amountCents])).toEqual([
      ['X/1', 1_000],
      ['X/2', 2_000],
    ]);
  });
});

describe('sums of amounts beyond 2^53 cents (found by the property tests)', () => {
  const MAX = '90071992547409.91'; // Number.MAX_SAFE_INTEGER cents, the largest amount that is read
  const entries = ntry(MAX, { ref: '<NtryRef>1</NtryRef>' }) + ntry('0.02', { ref: '<NtryRef>2</NtryRef>' }) + ntry(MAX, { cdi: 'DBIT', ref: '<NtryRef>3</NtryRef>' });

  it('checks the balances exactly when the running sum of the entries passes 2^53', () => {
    // In floating point MAX + 2 rounds to 2^53, and the net came out as 0.01 instead of 0.02.
    expect(parseCamt053(camt(entries, { balances: balances('0.00', '0.02') }))[0]!.entries).toHaveLength(3);
    expect(() => parseCamt053(camt(entries, { balances: balances('0.00', '0.01') }))).toThrow(/net 0\.02\) do not take the opening balance 0\.00 to the closing balance 0\.01/);
  });

  it('checks a batch exactly when the running sum of its transactions passes 2^53', () => {
    const tx = (amount: string, cdi: string) => `<TxDtls><Amt Ccy="EUR">${amount}</Amt><CdtDbtInd>${cdi}</CdtDbtInd></TxDtls>`;
    const batch = (total: string) =>
      ntry(total, { ref: '<AcctSvcrRef>B</AcctSvcrRef>', details: `<NtryDtls>${tx(MAX, 'CRDT')}${tx('0.02', 'CRDT')}${tx(MAX, 'DBIT')}</NtryDtls>` });
    expect(parseCamt053(camt(batch('0.02')))[0]!.entries.map((e) => [e.entryReference, e.creditDebit, e.amountCents])).toEqual([
      ['B/1', 'CRDT', Number.MAX_SAFE_INTEGER],
      ['B/2', 'CRDT', 2],
      ['B/3', 'DBIT', Number.MAX_SAFE_INTEGER],
    ]);
    expect(() => parseCamt053(camt(batch('0.01')))).toThrow(/add up to 0\.02, the entry to 0\.01/);
  });
});

describe('parseCamtAmountCents', () => {
  it.each<[string, number]>([
    ['1234.5', 123_450],
    ['0.1', 10],
    ['0.10', 10],
    ['0.01', 1],
    ['12', 1_200],
    ['10.500', 1_050],
    ['000123.45', 12_345],
    ['0.29', 29], // 0.29 * 100 is 28.999999999999996 in floating point
    ['1.15', 115], // and 1.15 * 100 is 114.99999999999999
    ['90071992547409.91', 9_007_199_254_740_991],
  ])('reads %s as %i cents', (text, cents) => {
    expect(parseCamtAmountCents(text)).toBe(cents);
  });

  it.each(['', '-1.00', '+1.00', '1e3', '1,50', '1.', '.5', '1.005', '1 000.00', '90071992547409.92'])('rejects %j', (text) => {
    expect(() => parseCamtAmountCents(text)).toThrow(CamtError);
  });
});

describe('invoiceNumbersIn', () => {
  it.each<[string, string[]]>([
    ['Factuur 2026-000123', ['2026-000123']],
    ['factuur 2026 000123', ['2026-000123']],
    ['factuur2026000123', []], // compact and glued to letters: could be the account number in an IBAN
    ['fact.nr. 2026000123', ['2026-000123']],
    ['nr2026-000123', ['2026-000123']],
    ['Factuur 2026–000123 (en dash)', ['2026-000123']],
    ['2026-000123/2026-000124', ['2026-000123', '2026-000124']],
    ['2026-000123, nogmaals 2026000123 en 2026 000123', ['2026-000123']],
    ['Factuur 2031-000003 en 2031-000004', ['2031-000003', '2031-000004']],
    ['', []],
    ['huur maart', []],
    ['factuur 2026-123', []], // leading zeros dropped: not recognised
    ['12026-000123', []],
    ['2026-0001234', []],
    ['kenmerk 1234567890123456', []],
    ['2031020300000011', []],
    ['IBAN NL12RABO2026000123', []],
    ['datum 2026-01-15', []],
    ['1999-000123', []],
  ])('%j -> %j', (text, expected) => {
    expect(invoiceNumbersIn(text)).toEqual(expected);
  });
});
