/**
 * The SEPA payment QR code (EPC069-12, "GiroCode"): a Dutch banking app that scans it fills in
 * the account, the name, the amount and the payment reference of a transfer.
 *
 * Version 002, UTF-8. The reference is the invoice number, which is no ISO 11649 creditor
 * reference, so it goes in the unstructured remittance line (the structured line stays empty).
 */
import QRCode from 'qrcode';
import { assertCents, centsToDecimal } from '../domain/money';

export interface EpcPayment {
  bic: string;
  name: string;
  iban: string;
  amountCents: number;
  /** Quoted by the payer: the invoice number. */
  reference: string;
}

/** EPC069-12: at most 70 characters of name, 140 of remittance; an amount from 0.01 to 999,999,999.99. */
export function epcPayload(p: EpcPayment): string {
  assertCents(p.amountCents, 'payment amount');
  if (p.amountCents < 1 || p.amountCents > 99_999_999_999) throw new RangeError(`a SEPA QR code takes EUR 0.01 to 999,999,999.99, not ${p.amountCents} cents`);
  const iban = p.iban.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(iban)) throw new RangeError(`not an IBAN: ${p.iban}`);
  const bic = p.bic.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(bic)) throw new RangeError(`not a BIC: ${p.bic}`);
  const oneLine = (text: string, max: number) => text.replace(/[\r\n]+/g, ' ').trim().slice(0, max);
  return [
    'BCD', // service tag
    '002', // version
    '1', // character set: UTF-8
    'SCT', // SEPA credit transfer
    bic,
    oneLine(p.name, 70),
    iban,
    `EUR${centsToDecimal(p.amountCents)}`,
    '', // purpose
    '', // structured reference (ISO 11649), none
    oneLine(p.reference, 140), // unstructured remittance
  ].join('\n');
}

/** The payload as a PNG QR code (error correction M, as EPC069-12 asks), `scale` pixels a module. */
export function qrPng(payload: string, scale = 4): Promise<Buffer> {
  return QRCode.toBuffer(payload, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale, color: { dark: '#000000', light: '#ffffff' } });
}
