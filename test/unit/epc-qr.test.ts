import { PNG } from 'pngjs';
import jsQR from 'jsqr';
import { epcPayload, qrPng } from '../../documents/epc-qr';

/** Reads a QR code back from the PNG the letters embed, with an independent decoder (jsQR). */
function decode(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height)?.data ?? null;
}

const payment = { bic: 'ABNANL2A', name: 'Woonstichting Thuis', iban: 'NL91 ABNA 0417 1643 00', amountCents: 113845, reference: '2026-000042' };

describe('the SEPA payment QR code (EPC069-12)', () => {
  it('is the EPC payload, line by line: service tag, version 002, UTF-8, SCT, BIC, name, IBAN, amount in euro, no purpose, no structured reference, the invoice number as remittance', () => {
    expect(epcPayload(payment).split('\n')).toEqual(['BCD', '002', '1', 'SCT', 'ABNANL2A', 'Woonstichting Thuis', 'NL91ABNA0417164300', 'EUR1138.45', '', '', '2026-000042']);
  });

  it('decodes, as a banking app reads it, to exactly that payload', async () => {
    const payload = epcPayload(payment);
    expect(decode(await qrPng(payload))).toBe(payload);
  });

  it('keeps a name with accents in UTF-8 and cuts it at 70 characters', async () => {
    const payload = epcPayload({ ...payment, name: `Stichting Wonen Zuid-Limburg – Ærø ${'x'.repeat(80)}` });
    expect(payload.split('\n')[5]).toHaveLength(70);
    expect(decode(await qrPng(payload))).toBe(payload);
  });

  it('writes small and large amounts with a decimal point and two decimals', () => {
    expect(epcPayload({ ...payment, amountCents: 1 }).split('\n')[7]).toBe('EUR0.01');
    expect(epcPayload({ ...payment, amountCents: 123456789 }).split('\n')[7]).toBe('EUR1234567.89');
  });

  it('refuses what a bank would refuse: no amount, a bad IBAN or BIC', () => {
    expect(() => epcPayload({ ...payment, amountCents: 0 })).toThrow(RangeError);
    expect(() => epcPayload({ ...payment, iban: 'NL91' })).toThrow(RangeError);
    expect(() => epcPayload({ ...payment, bic: 'ABN' })).toThrow(RangeError);
  });
});
