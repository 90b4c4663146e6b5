/**
 * The consultant's pages in Dutch: the work queue, the search, the incident page with its timeline
 * and its actions. Texts live here, in one place; the pages only put them together.
 */
import type { z } from 'zod';
import type { incidentDetailSchema, incidentSchema } from '../api/schemas';
import { dutchDate } from './dutch';

/** An incident as the API lists it, and as it shows one. */
export type IncidentSummary = z.infer<typeof incidentSchema>;
export type IncidentDetail = z.infer<typeof incidentDetailSchema>;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** '0 meldingen', '1 melding'. */
export const countOf = (n: number) => plural(n, 'melding', 'meldingen');

export const workQueueTexts = {
  title: 'Werkvoorraad',
  summaryLabel: 'Samenvatting van de werkvoorraad',
  nothing: 'er wacht vandaag niets op u.',
  waiting: (n: number) => `${plural(n, 'melding wacht', 'meldingen wachten')} op u.`,
  building: 'gebouw',
  complex: 'complex',
  tenant: 'huurder',
  residents: 'bewoners van het gebouw (veroorzaker onbekend)',
  workingDaysWaiting: (n: number) => `wacht ${plural(n, 'werkdag', 'werkdagen')}`,
  workingDaysSince: (n: number) => `${plural(n, 'werkdag', 'werkdagen')} geleden besteld`,
  showAll: (n: number, title: string) => `Toon alle ${n}: ${title.toLowerCase()}`,
  inspect: {
    title: 'Opruiming gemeld, te controleren',
    empty: 'Er is geen opruiming gemeld die op controle wacht.',
    reported: 'opgeruimd gemeld op',
  },
  deadlines: {
    title: 'Termijn loopt vandaag af',
    empty: 'Vandaag loopt er geen termijn af.',
    until: 'uiterlijk',
  },
  disputes: {
    title: 'Bezwaren om te beoordelen',
    empty: 'Er ligt geen bezwaar dat op uw beslissing wacht.',
    onIncident: 'bezwaar tegen de melding',
    onInvoice: 'bezwaar tegen factuur',
  },
  late: {
    title: 'Werkorders te laat',
    empty: 'Geen werkorder is te laat.',
    ordered: 'besteld op',
    at: 'bij aannemer',
  },
  attention: {
    title: 'Wacht op actie',
    empty: 'Geen melding loopt vast.',
    since: 'sinds',
  },
} as const;

export const searchTexts = {
  formLabel: 'Meldingen zoeken en filteren',
  label: 'Zoeken',
  hint: 'Adres (straat en huisnummer, plek, gebouw of complex), contractnummer of meldingsnummer',
  tooShort: 'Typ minstens twee tekens om te zoeken.',
  phase: 'Fase',
  anyPhase: 'Alle fasen',
  onlyDisputes: 'Alleen meldingen met een bezwaar dat op een beslissing wacht.',
  onlyDeadlines: (from: string | undefined, to: string | undefined) =>
    from && to && from === to ? `Alleen meldingen met een termijn die op ${dutchDate(from)} afloopt.` : `Alleen meldingen met een termijn${from ? ` vanaf ${dutchDate(from)}` : ''}${to ? ` tot en met ${dutchDate(to)}` : ''}.`,
  allIncidents: 'Toon alle meldingen',
  found: (n: number, q: string | undefined) => `${n === 0 ? 'Geen meldingen' : countOf(n)} gevonden${q ? ` voor ‘${q}’` : ''}`,
  noNumber: 'zonder nummer',
  contract: 'contractnummer',
} as const;
