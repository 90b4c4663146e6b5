/**
 * The Dutch of the tenant's link page (web/pages/tenant-link.ts): what a tenant is asked to do per
 * category, deadlines as a Dutch reader reads them, and every refusal the API can give a tenant,
 * in Dutch. A tenant never sees the API's English: an unknown refusal becomes a general sentence.
 */
import { amsterdamDate, formatDutchWeekdayDate } from '../domain/calendar';
import { deadlineWording } from '../documents/letters';
import type { Category } from '../domain/policy';
import { inDutch } from './dutch';

/** What is asked, as the start of a heading: "Het trappenhuis schoonmaken". */
export const tenantTaskHeadings: Record<Category, string> = {
  fouled_stairwell: 'Het trappenhuis schoonmaken',
  bulk_waste: 'Het grofvuil weghalen',
  neglected_garden: 'De tuin opruimen en onderhouden',
  vandalism: 'De schade herstellen',
  living_noise: 'De overlast beëindigen',
  children_playing: 'De overlast beëindigen',
  parking: 'Het voertuig weghalen',
};

/** The task as a te-infinitive: "… vraagt u om het trappenhuis schoon te maken". */
export const tenantTaskToDo: Record<Category, string> = {
  fouled_stairwell: 'het trappenhuis schoon te maken',
  bulk_waste: 'het grofvuil weg te halen',
  neglected_garden: 'de tuin op te ruimen en weer te onderhouden',
  vandalism: 'de schade te herstellen',
  living_noise: 'de overlast te beëindigen',
  children_playing: 'de overlast te beëindigen',
  parking: 'het voertuig weg te halen',
};

/** The task as the end of a sentence: "… dat u het trappenhuis heeft schoongemaakt". */
export const tenantTaskDone: Record<Category, string> = {
  fouled_stairwell: 'het trappenhuis is schoongemaakt',
  bulk_waste: 'het grofvuil is weggehaald',
  neglected_garden: 'de tuin is opgeruimd',
  vandalism: 'de schade is hersteld',
  living_noise: 'de overlast is beëindigd',
  children_playing: 'de overlast is beëindigd',
  parking: 'het voertuig is weggehaald',
};

/** Who the corporation sends when the tenant does not: "een schoonmaakbedrijf". */
export const contractorOf: Record<Category, string> = {
  fouled_stairwell: 'een schoonmaakbedrijf',
  bulk_waste: 'een schoonmaakbedrijf',
  neglected_garden: 'een hoveniersbedrijf',
  vandalism: 'een bedrijf',
  living_noise: 'een bedrijf',
  children_playing: 'een bedrijf',
  parking: 'een bedrijf',
};

const clock = (instant: Date) => {
  const parts = new Intl.DateTimeFormat('nl-NL', { timeZone: 'Europe/Amsterdam', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('hour')}.${get('minute')} uur`;
};

/**
 * The deadline in force, as it reads after "uiterlijk": "donderdag 10 december 2026" when it runs
 * to the end of that day (Amsterdam), else with the time: "zaterdag 5 december 2026 om 14.05 uur"
 * (a deadline of another length, as in a demonstration with second-long terms).
 */
export function dutchDeadline(deadline: Date): string {
  // Worded as the letters word it, so that page and letter name the same moment.
  return deadlineWording(deadline.toISOString()).moment;
}

/** An instant as a Dutch reader says it: "zaterdag 5 december 2026 om 14.05 uur". */
export function dutchMoment(instant: Date): string {
  return `${formatDutchWeekdayDate(amsterdamDate(instant))} om ${clock(instant)}`;
}

/** The refusals a tenant's action can meet, in Dutch; `contact` says how to reach the corporation. */
const tenantRefusals: [RegExp, string][] = [
  [/^tenant link (expired)/, 'Deze link is verlopen.'],
  [/^tenant link (malformed|bad signature)/, 'Deze link is ongeldig. Controleer of u de hele link uit de brief of e-mail heeft gebruikt.'],
  [/^this link is for another incident$/, 'Deze link hoort bij een andere melding.'],
  [/^this link belongs to a tenant who is no longer the one asked to clean$/, 'Deze link is niet meer voor u bedoeld: de corporatie vraagt dit niet (meer) aan u.'],
  [/^this link belongs to another tenant$/, 'Deze factuur staat niet op uw naam.'],
  [/^too many requests on tenant links from this address/, 'U heeft de pagina te vaak achter elkaar gebruikt. Wacht een minuut en probeer het dan opnieuw.'],
  [/^invoice (\S+) is being sent; try again shortly$/, 'De factuur wordt op dit moment verstuurd. Probeer het over een paar minuten opnieuw.'],
  [/^busy with an earlier change; try again$/, 'Uw melding kon nu niet worden verwerkt. Probeer het over een ogenblik opnieuw.'],
  [/^the incident has not been reported yet$/, 'Deze melding wordt nog vastgelegd. Probeer het over een ogenblik opnieuw.'],
  [/^nobody has been notified yet$/, 'Dat kan nog niet: de melding wordt nog verwerkt.'],
  [/^a photo may be at most/, 'De foto is te groot. Kies een kleinere foto (hoogstens 10 MB).'],
  [/^the photo is empty$/, 'De foto is leeg. Kies de foto opnieuw.'],
  [/^the file is not a photo/, 'Dit bestand is geen foto. Kies een foto (JPEG, PNG, WebP of HEIC).'],
  [/^a photo cannot be used here$/, 'De foto kon niet bij uw melding worden gevoegd. Kies de foto opnieuw.'],
];

/** Refusals that the workspace's translation words for staff; a tenant reads them otherwise. */
const tenantWording: [RegExp, string][] = [
  [/^a cleanup has already been reported and awaits inspection$/, 'U heeft al gemeld dat het klaar is. Een medewerker komt dat controleren; u hoeft nu niets meer te doen.'],
  [/^a dispute is already open$/, 'U heeft al bezwaar gemaakt. Wij beoordelen uw bezwaar en laten u weten wat wij besluiten.'],
  [/^cannot (.+): the cleanup has been ordered from the contractor$/, 'Dat kan niet meer: de termijn is voorbij en de corporatie heeft het werk al laten uitvoeren of laat het uitvoeren.'],
  [/^the request is invalid/, 'Niet alle velden zijn goed ingevuld. Controleer wat u heeft ingevuld en probeer het opnieuw.'],
];

/**
 * A refusal from the API (its English problem detail) as the tenant reads it. Never English: what
 * neither list knows becomes a general sentence (the detail is logged by the caller).
 */
export function tenantRefusalInDutch(detail: string): string {
  for (const [pattern, text] of [...tenantRefusals, ...tenantWording]) if (pattern.test(detail)) return text;
  const staff = inDutch(detail);
  if (!staff.startsWith('Dat lukte niet:')) return staff;
  return 'Dat lukte niet. Probeer het later opnieuw, of neem contact met ons op.';
}
