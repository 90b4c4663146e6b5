import { financeRefusal, invoiceEventText, unmatchedReasonInDutch } from '../../web/dutch-finance';

describe("finance's Dutch", () => {
  test('every reason the import gives for an unmatched line reads in Dutch', () => {
    expect(unmatchedReasonInDutch('no invoice number in the payment reference')).toBe('Geen factuurnummer in de omschrijving.');
    expect(unmatchedReasonInDutch('ambiguous: several invoice numbers (2026-000001, 2026-000002)')).toBe('Meer dan één factuurnummer in de omschrijving (2026-000001, 2026-000002).');
    expect(unmatchedReasonInDutch('no invoice 2026-999999')).toBe('Factuur 2026-999999 bestaat niet.');
    expect(unmatchedReasonInDutch('invoice 2026-000003 is paid')).toBe('Factuur 2026-000003 is al betaald.');
    expect(unmatchedReasonInDutch('invoice 2026-000003 is credited')).toBe('Factuur 2026-000003 is al gecrediteerd.');
    expect(unmatchedReasonInDutch('amount 0.00: a payment is more than 0 and at most 1000000.00')).toBe('Bedrag 0.00: een betaling is meer dan 0 en ten hoogste 1000000.00.');
    expect(unmatchedReasonInDutch('a payment date cannot be in the future (today is 2026-12-05): invoice 2026-000001')).toBe(
      'De boekdatum ligt in de toekomst (vandaag is het zaterdag 5 december 2026).',
    );
    expect(unmatchedReasonInDutch('paid before the invoice was issued (2026-12-01): invoice 2026-000001')).toBe(
      'Betaald vóór de factuurdatum van factuur 2026-000001 (dinsdag 1 december 2026).',
    );
  });

  test("the API's refusals of a resolution, a credit and an upload read in Dutch with their reason", () => {
    expect(financeRefusal('the line was resolved before: not_ours by person:finance at 2026-12-05T10:00:00.000Z')).toBe('Deze regel is al afgehandeld: niet voor ons.');
    expect(financeRefusal('the line was resolved before: booked to 2026-000001 by person:finance at 2026-12-05T10:00:00.000Z')).toBe(
      'Deze regel is al afgehandeld: geboekt op een factuur (factuur 2026-000001).',
    );
    expect(financeRefusal("the line's reference was booked to invoice 2026-000002")).toBe('Deze betaling is al geboekt op factuur 2026-000002.');
    expect(financeRefusal('the invoice is being credited')).toBe('Deze factuur wordt al gecrediteerd.');
    expect(financeRefusal('invoice 2026-000001 is paid')).toBe('Factuur 2026-000001 is al betaald.');
    expect(financeRefusal('the request is invalid: 1 problem', [{ path: 'body.invoiceNumber', message: 'no invoice 2026-999999' }])).toBe(
      'Niet alle velden zijn goed ingevuld: factuurnummer: factuur 2026-999999 bestaat niet.',
    );
    expect(financeRefusal('the request is invalid: 2 problems', [
      { path: 'line 2: amount', message: 'a payment is more than 0.00' },
      { path: 'line 3: paymentId', message: 'the same payment id as line 2: a payment is booked once' },
    ])).toBe('Niet alle velden zijn goed ingevuld: regel 2 (bedrag): een betaling is meer dan € 0,00; regel 3 (betalingskenmerk): hetzelfde kenmerk als regel 2.');
  });

  test('a file that is not a bank statement or a readable CSV is said in Dutch', () => {
    expect(financeRefusal('not a CAMT.053 statement: not well-formed XML (line 3, column 7: Unexpected close tag)', [{ path: 'body', message: 'x' }])).toBe(
      'Dit is geen leesbaar bankafschrift (CAMT.053): het XML-bestand is beschadigd (regel 3, kolom 7). Kies het afschrift zoals de bank het levert.',
    );
    expect(financeRefusal('camt.053.001.01 is not supported (versions 02 to 13 are)')).toBe(
      'Deze versie van het bankafschrift (camt.053.001.01) wordt niet ondersteund; versie 02 tot en met 13 wel.',
    );
    expect(financeRefusal('the request is invalid: 1 problem', [{ path: 'line 2: paidOn', message: 'Invalid input: expected string, received undefined' }])).toBe(
      'Niet alle velden zijn goed ingevuld: regel 2 (betaaldatum): ontbreekt. De kolommen van een betalingsbestand zijn invoiceNumber, amount, paidOn, reference en paymentId.',
    );
    expect(
      financeRefusal('the CSV cannot be read: Quote Not Closed: the parsing is finished with an opening quote at line 2', [{ path: 'line 2', message: 'the CSV cannot be read: ...' }]),
    ).toBe('Het CSV-bestand kan niet worden gelezen (regel 2): een aanhalingsteken staat verkeerd of wordt niet gesloten.');
  });

  test('the steps of an invoice read as sentences with Dutch dates and amounts', () => {
    expect(invoiceEventText('PaymentRegistered', { amountCents: 123456, paidOn: '2026-12-05', source: 'camt053', reference: 'factuur 2026-000001' })).toEqual({
      title: 'Betaling ontvangen',
      text: '€ 1.234,56 betaald op zaterdag 5 december 2026 (bankafschrift, omschrijving: factuur 2026-000001).',
    });
    expect(invoiceEventText('InvoiceCredited', { creditNoteNumber: 'C2026-000001', issueDate: '2026-12-05', amountCents: 9900, reason: 'coulance', refundDueCents: 0 }).text).toBe(
      'Creditnota C2026-000001 van zaterdag 5 december 2026 voor € 99,00. Reden: coulance.',
    );
  });
});
