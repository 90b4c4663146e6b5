/**
 * The Dutch of the report form (/app/meldingen/nieuw) and the contractor's work orders
 * (/app/werkorders): field names, what a refused field needs, and amounts typed the Dutch way.
 */

export const reportFieldLabels = {
  category: 'Soort melding',
  complexId: 'Complex',
  buildingId: 'Gebouw of portiek',
  location: 'Plaats in het gebouw',
  description: 'Omschrijving',
  polluterTenantId: 'Veroorzaker',
  complainantTenantId: 'Melder',
  photos: "Foto's",
} as const;
export type ReportField = keyof typeof reportFieldLabels;

/** What a field needs, when the API refused it (its English message is for integrations). */
export function reportFieldProblem(field: ReportField, english: string): string {
  const tooLong = /too_big|at most|<=/i.test(english);
  switch (field) {
    case 'category':
      return 'Kies de soort melding.';
    case 'complexId':
      return tooLong ? 'Een complexnummer is hoogstens 100 tekens.' : 'Vul het complex in; kies het uit de lijst.';
    case 'buildingId':
      return tooLong ? 'Een gebouwnummer is hoogstens 100 tekens.' : 'Vul het gebouw of de portiek in; kies het uit de lijst.';
    case 'location':
      return tooLong ? 'Houd de plaats kort: hoogstens 500 tekens.' : 'Vul in waar in het gebouw het is, bijvoorbeeld: trappenhuis, 2e verdieping.';
    case 'description':
      return 'De omschrijving is te lang: hoogstens 2000 tekens.';
    case 'polluterTenantId':
    case 'complainantTenantId':
      return /unknown contract number/.test(english)
        ? 'Deze huurder staat niet in het adresboek. Zoek op naam of adres en kies de huurder uit de lijst.'
        : 'Kies de huurder uit de lijst (contractnummer).';
    case 'photos':
      return english;
  }
}

/** A character the database cannot store, whichever field it is in. */
export const unstorableText = 'Dit veld bevat een teken dat niet kan worden opgeslagen. Typ de tekst opnieuw.';

/**
 * An amount in euro as a Dutch person types it, to integer cents: "125,50", "125", "€ 1.250,5",
 * "1250.50" (a point before exactly two last digits is taken as the decimal sign). Null when it is
 * not an amount.
 */
export function parseEuroCents(typed: string): number | null {
  let text = typed.replace(/\s|€|eur(o)?/gi, '');
  if (text === '' || text.startsWith('-')) return null;
  if (/^\d{1,3}(\.\d{3})+(,\d{1,2})?$/.test(text)) text = text.replace(/\./g, ''); // 1.250,50
  else if (/^\d+\.\d{1,2}$/.test(text)) text = text.replace('.', ','); // 1250.50
  const match = /^(\d+)(?:,(\d{1,2}))?$/.exec(text);
  if (!match) return null;
  const euros = Number(match[1]);
  const cents = Number((match[2] ?? '0').padEnd(2, '0'));
  const total = euros * 100 + cents;
  return Number.isSafeInteger(total) ? total : null;
}

/** The most a single work order may cost in the form: above it is almost certainly a typing error. */
export const MAX_WORK_ORDER_CENTS = 100_000_00;

/** What the contractor is to do, as a line on their work order (a bare infinitive, as on a to-do list). */
export const workOrderTasks: Record<string, string> = {
  fouled_stairwell: 'Het trappenhuis schoonmaken',
  bulk_waste: 'Het grofvuil afvoeren en de ruimte schoonmaken',
  neglected_garden: 'De tuin opruimen en snoeien',
  vandalism: 'De schade herstellen',
  living_noise: 'De nodige werkzaamheden uitvoeren',
  children_playing: 'De nodige werkzaamheden uitvoeren',
  parking: 'Het voertuig wegslepen',
};
