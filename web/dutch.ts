/**
 * The workspace's Dutch: names of roles, phases, outcomes and events, and the refusals of the API
 * (whose problem details are English, for integrations) as a person reads them.
 */
import { formatEuro } from '../domain/money';
import type { Role } from '../config/config';
import type { Outcome } from '../domain/events';
import type { Phase } from '../domain/incident';
import { categoryLabels, type Category } from '../domain/policy';

export const roleLabels: Record<Role, string> = {
  consultant: 'woonconsulent',
  contractor: 'aannemer',
  finance: 'financiën',
  admin: 'beheer',
  manager: 'manager',
};

export const phaseLabels: Record<Phase, string> = {
  reported: 'gemeld',
  awaiting_cleanup: 'wacht op opruimen',
  cleanup_reported: 'opgeruimd gemeld, wacht op controle',
  cleanup_ordered: 'schoonmaak besteld',
  settling: 'wordt afgehandeld',
  closed: 'afgesloten',
};

export const outcomeLabels: Record<Outcome, string> = {
  returned_to_complainant: 'terugverwezen naar de melder',
  self_cleaned: 'zelf opgeruimd',
  cleaned_and_charged: 'schoongemaakt en in rekening gebracht',
  cleaned_at_service_cost: 'schoongemaakt via de servicekosten',
  cleaned_at_corporation_cost: 'schoongemaakt op kosten van de corporatie',
  dismissed: 'vervallen (bezwaar gegrond)',
  cancelled: 'geannuleerd',
};

export const categoryLabel = (category: string) => categoryLabels[category as Category] ?? category;

/** The Dutch of an English refusal from the API or the domain; the original stays readable after it when unknown. */
const refusals: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^the incident is closed \((\w+)\)$/, (m) => `Deze melding is al afgesloten (${outcomeLabels[m[1] as Outcome] ?? m[1]}).`],
  [/^the incident is being cancelled$/, () => 'Deze melding wordt al geannuleerd.'],
  [/^the dispute was upheld; the incident is being dismissed$/, () => 'Het bezwaar is gegrond verklaard; de melding vervalt.'],
  [/^cannot (.+): nobody has been notified yet$/, () => 'Dat kan nog niet: er is nog niemand aangeschreven.'],
  [/^cannot (.+): the cleanup has been ordered from the contractor$/, () => 'Dat kan niet meer: de schoonmaak is al besteld bij de aannemer.'],
  [/^cannot (.+): the space has already been cleaned$/, () => 'Dat kan niet meer: de ruimte is al schoon.'],
  [/^a cleanup has already been reported and awaits inspection$/, () => 'Er is al gemeld dat het is opgeruimd; dat wacht op controle.'],
  [/^the polluter is already identified \((.+)\)$/, (m) => `De veroorzaker is al bekend (${m[1]}).`],
  [/^the consequences are already being settled$/, () => 'De gevolgen worden al afgehandeld.'],
  [/^a dispute is already open$/, () => 'Er loopt al een bezwaar.'],
  [/^there is no open dispute$/, () => 'Er loopt geen bezwaar.'],
  [/^the space is clean and the consequences are being issued$/, () => 'De ruimte is schoon en de gevolgen worden al afgehandeld.'],
  [/^no cleanup has been ordered for this incident$/, () => 'Voor deze melding is geen schoonmaak besteld.'],
  [/^the work order went to contractor (.+)$/, (m) => `De werkorder is naar een andere aannemer gegaan (${m[1]}).`],
  [/^this category has no fixed tariff: report the cost$/, () => 'Vul de kosten in: voor deze soort melding geldt geen vast tarief.'],
  [/^the incident does not need attention$/, () => 'Deze melding wacht niet op actie.'],
  [/^the invoice does not need attention$/, () => 'Deze factuur wacht niet op actie.'],
  [/^a (dispute|cancellation) needs a reason$/, () => 'Geef een reden op.'],
  [/^the incident is being registered; try again in a moment$/, () => 'De melding wordt nog vastgelegd. Probeer het over een ogenblik opnieuw.'],
  [/^the workflow engine does not answer in time; try again shortly$/, () => 'Het systeem reageert nu niet op tijd. Probeer het over een minuut opnieuw.'],
  [/^the database is not reachable; try again shortly$/, () => 'Het systeem is even niet bereikbaar. Probeer het over een minuut opnieuw.'],
  [/^the form has expired or did not come from this workspace; reload the page and try again$/, () => 'Dit formulier is verlopen. Laad de pagina opnieuw en probeer het nog eens.'],
  [/^this needs the role (.+?);/, () => 'U heeft geen rechten voor deze handeling.'],
  [/^no incident (.+)$/, () => 'Deze melding bestaat niet (meer).'],
  [/^no invoice (.+)$/, () => 'Deze factuur bestaat niet.'],
  [/^invoice (\S+) is (paid|credited)$/, (m) => `Factuur ${m[1]} is al ${m[2] === 'paid' ? 'betaald' : 'gecrediteerd'}.`],
  [/contains a character that cannot be stored/, () => 'De tekst bevat een teken dat niet kan worden opgeslagen. Typ de tekst opnieuw.'],
  [/^the request is invalid/, () => 'Niet alle velden zijn goed ingevuld.'],
  [/^nobody has been notified yet$/, () => 'Dat kan nog niet: er is nog niemand aangeschreven.'],
  [/^the incident has not been reported yet$/, () => 'De melding wordt nog vastgelegd. Probeer het over een ogenblik opnieuw.'],
  [/^invoice (\S+) is being sent; try again shortly$/, (m) => `Factuur ${m[1]} wordt nog verstuurd. Probeer het over een ogenblik opnieuw.`],
  [/^this Idempotency-Key was used before with a different request$/, () => 'Dit formulier is al eens verstuurd met andere gegevens. Laad de pagina opnieuw en probeer het nog eens.'],
  [/^no letter (.+)$/, () => 'Deze brief bestaat niet.'],
  [/^no tenant with contract number (.+) in the directory$/, (m) => `Contractnummer ${m[1]} staat niet in het adresboek. Controleer het nummer.`],
  [/^letter (.+) is not a financial document$/, () => 'Van deze brief is geen PDF: lees de brief zelf.'],
];

export function inDutch(detail: string): string {
  for (const [pattern, say] of refusals) {
    const match = detail.match(pattern);
    if (match) return say(match);
  }
  return `Dat lukte niet: ${detail}`;
}

const months = ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'];
const weekdays = ['zondag', 'maandag', 'dinsdag', 'woensdag', 'donderdag', 'vrijdag', 'zaterdag'];

/** '2026-12-05' -> 'zaterdag 5 december 2026'. */
export function dutchDate(date: string, withWeekday = true): string {
  const [y, m, d] = date.slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return `${withWeekday ? `${weekdays[day]} ` : ''}${d} ${months[m - 1]} ${y}`;
}

/** An instant as Amsterdam wall-clock time: '5 december 2026, 14.05 uur'. */
export function dutchDateTime(instant: string | Date): string {
  const parts = new Intl.DateTimeFormat('nl-NL', {
    timeZone: 'Europe/Amsterdam',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(typeof instant === 'string' ? new Date(instant) : instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('day')} ${get('month')} ${get('year')}, ${get('hour')}.${get('minute')} uur`;
}

/** 18750 -> '€ 187,50': as the letters write it. */
export const euro = formatEuro;
