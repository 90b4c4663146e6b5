/** Money is integer euro cents everywhere; these helpers keep it that way. */
export type Cents = number;

export function assertCents(value: number, what = 'amount'): Cents {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be a whole number of cents, got ${value}`);
  return value;
}

/** Split `total` over `parts` shares so that the shares differ by at most one cent and add up exactly. */
export function splitToTheCent(total: Cents, parts: number): Cents[] {
  assertCents(total, 'total');
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`cannot split over ${parts} parts`);
  const base = Math.floor(total / parts);
  const remainder = total - base * parts;
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
