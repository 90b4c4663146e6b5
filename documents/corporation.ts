/**
 * The corporation as its letters present it: who writes, how to reach it, where to pay. Read
 * from the configuration (config/config.ts); every letter closes with the contact details.
 */
export interface Corporation {
  name: string;
  /** Without spaces, e.g. NL91ABNA0417164300 (letters group it by four). */
  iban: string;
  /** The bank's BIC, for the SEPA payment QR code. */
  bic: string;
  /** Kamer van Koophandel number, on invoices. */
  kvk: string;
  phone: string;
  email: string;
  website: string | null;
  /** One line, e.g. 'Postbus 1, 3500 AA Utrecht'. */
  postalAddress: string;
  /** One line, e.g. 'Stationsplein 1, 3511 ED Utrecht'. */
  visitingAddress: string;
  /** In running text after "bereikbaar", e.g. 'op werkdagen van 9.00 tot 17.00 uur'. */
  openingHours: string;
}

/** 'NL91ABNA0417164300' -> 'NL91 ABNA 0417 1643 00'. */
export function formatIban(iban: string): string {
  return iban
    .replace(/\s+/g, '')
    .toUpperCase()
    .replace(/(.{4})(?=.)/g, '$1 ');
}

/** How to reach the corporation, as labelled lines (the closing of every letter). */
export function contactLines(c: Corporation): Array<[label: string, value: string]> {
  const lines: Array<[string, string]> = [
    ['Telefoon', `${c.phone} (${c.openingHours})`],
    ['E-mail', c.email],
  ];
  if (c.website) lines.push(['Website', c.website]);
  lines.push(['Bezoekadres', c.visitingAddress], ['Postadres', c.postalAddress]);
  return lines;
}

/** "bel ons op 088 123 45 67 of mail naar info@…" for running text. */
export function howToReach(c: Corporation): string {
  return `bel ons op ${c.phone} of mail naar ${c.email}`;
}
