/** Money is integer euro cents everywhere; these helpers keep it that way. */
import { ValidationError } from './errors';

export type Cents = number;

/** The most one payment can be, EUR 1,000,000: the API's limit for a payment. */
export const MAX_PAYMENT_CENTS = 100_000_000;

/** A number that is not a whole number of cents within Number.MAX_SAFE_INTEGER: a programming error. */
export class InvalidCentsError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidCentsError';
  }
}

export function assertCents(value: number, what = 'amount'): Cents {
  if (!Number.isSafeInteger(value)) throw new InvalidCentsError(`${what} must be a whole number of cents, got ${value}`);
  return value;
}

/** Split `total` over `parts` shares so that the shares differ by at most one cent and add up exactly. */
export function splitToTheCent(total: Cents, parts: number): Cents[] {
  assertCents(total, 'total');
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`cannot split over ${parts} parts`);
  const base = Math.floor(total / parts);
  // Not total - base * parts: for a large negative total that product passes 2^53 and rounds.
  const remainder = ((total % parts) + parts) % parts;
  return Array.from({ length: parts }, (_, i) => base + (i < remainder ? 1 : 0));
}

/** 12345 -> "€ 123,45" (Dutch notation, for letters). */
export function formatEuro(cents: Cents): string {
  assertCents(cents);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const euros = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${sign}€ ${euros},${(abs % 100).toString().padStart(2, '0')}`;
}

/** 12345 -> "123.45" (for exports). */
export function centsToDecimal(cents: Cents): string {
  assertCents(cents);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${(abs % 100).toString().padStart(2, '0')}`;
}

/** Text that is not a payment amount in euros (HTTP 400). */
export class InvalidEuroAmountError extends ValidationError {
  constructor(
    readonly text: string,
    reason: string,
  ) {
    super(`${JSON.stringify(text)} is not a payment amount: ${reason}`, [{ path: 'amount', message: reason }]);
  }
}

const EURO_AMOUNT = /^(\d+)(?:[.,](\d{1,2}))?$/;

/**
 * A payment amount in euros as a payment file writes it ('187.50', '187,50', '187.5', '187') in
 * cents, read digit by digit: more than 0.00 and at most MAX_PAYMENT_CENTS. Signs, spaces,
 * thousands separators, exponents and a third decimal are an InvalidEuroAmountError.
 */
export function parseEuroAmountCents(text: string): Cents {
  const match = EURO_AMOUNT.exec(text);
  if (!match) throw new InvalidEuroAmountError(text, 'expected euros with at most two decimals, such as 187.50 or 187,50');
  const euros = match[1]!.replace(/^0+/, '');
  // Checked on the digits first: a megabyte of them would take BigInt seconds to read.
  const cents = euros.length > String(MAX_PAYMENT_CENTS).length ? null : BigInt(euros) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
  if (cents === null || cents > BigInt(MAX_PAYMENT_CENTS)) throw new InvalidEuroAmountError(text, `more than ${formatEuro(MAX_PAYMENT_CENTS)}`);
  if (cents === 0n) throw new InvalidEuroAmountError(text, 'a payment is more than 0.00');
  return Number(cents);
}
