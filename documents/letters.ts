/**
 * Renders a letter (subject, plain text and HTML) from its content and the recipient's details.
 *
 * The content carries no personal data; the only person named in a letter is its recipient.
 * Pure and deterministic: no clock, no Intl, no I/O (the letter's date comes with the options).
 *
 * Dutch as a tenant reads it: a place the reporter typed is always quoted after "locatie:", never
 * put after a preposition ("op gemeenschappelijke fietsenstalling"); what someone is asked to do
 * comes in the form the sentence needs (te-infinitive after "om", finite after "dat");
 * salutations do not guess a gender ("Geachte heer, mevrouw,", "Geachte bewoner,").
 * test/unit/letter-dutch.test.ts renders every kind for every category and checks these rules.
 */
import { amsterdamDate, amsterdamOffsetMinutes, formatDutchDate, formatDutchWeekdayDate, type LocalDate } from '../domain/calendar';
import { type LetterContent, letterContentSchema } from '../domain/letters';
import { formatEuro } from '../domain/money';
import type { Category } from '../domain/policy';
import { type Corporation, contactLines, formatIban, howToReach } from './corporation';

export type { Corporation } from './corporation';

export interface RecipientDetails {
  /** Tenant or contractor name. */
  name: string;
  /** Postal address (tenants). */
  address: { street: string; houseNumber: string; postalCode: string; city: string } | null;
}

/** A building as the directory knows it: where a contractor goes. */
export interface BuildingDetails {
  buildingId: string;
  complexId: string;
  street: string;
  /** One number or a range, e.g. '10-20' or '10, 12 en 14'. */
  houseNumbers: string;
  postalCode: string;
  city: string;
  /** How to get in (key box, caretaker, entrance code); null: nothing special. */
  accessNotes: string | null;
}

export interface RenderedLetter {
  subject: string;
  text: string;
  html: string;
}

export interface RenderOptions {
  /** The tenant's signed link (confirm the cleanup, object); null when there is none. */
  tenantLinkUrl: string | null;
  corporation: Corporation;
  /** The day the letter goes out (Europe/Amsterdam): its date. */
  letterDate: LocalDate;
  /** A work order's building from the directory; null or absent: not in the directory. */
  building?: BuildingDetails | null;
  /** Where the letter's PDF can be fetched (the workspace), when it has one. */
  pdfUrl?: string | null;
  /** By e-mail (default) or on paper: a letter on paper has no attachment to point at. */
  channel?: 'email' | 'post';
}

/** Escapes text for use in HTML element content and in double- or single-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

// ---------------------------------------------------------------------------------------------
// Letter body model, rendered to both text and HTML

export type Block =
  | { type: 'p'; text: string; bold?: boolean }
  | { type: 'link'; url: string }
  | { type: 'facts'; rows: Array<[label: string, value: string]> }
  | { type: 'table'; head: string[]; rows: string[][]; foot: string[]; rightAligned: number[] };

export interface Draft {
  subject: string;
  /** Facts shown above the salutation, after the date and the incident reference. */
  facts?: Array<[string, string]>;
  body: Block[];
  /** To everybody in the building ("Geachte bewoner,") rather than to one person. */
  toResidents?: boolean;
}

const p = (text: string): Block => ({ type: 'p', text });

// ---------------------------------------------------------------------------------------------
// Category wording

interface Wording {
  /** In a subject, after "Waarschuwing:" (no article). */
  title: string;
  /** In running text after "sprake van", "melding over" (with its article where it needs one). */
  noun: string;
  /** The noun where the place is already said to be a shared space ("grofvuil"); absent: `noun`. */
  short?: string;
  /** What the tenant is asked to do, after "om" or "u verzoeken": a te-infinitive clause. */
  tenantTe: string;
  /** The same after "dat u": a finite clause with "moet". */
  tenantMust: string;
  /** What the contractor is asked to do, after "opdracht om": a te-infinitive clause. */
  contractorTe: string;
  /** The kind of company the corporation calls in, a het-word ("het schoonmaakbedrijf"). */
  company: string;
  /** What all households are asked to see to, as "dat <subject> uiterlijk op … <is | mustBe>". */
  shared: { subject: string; is: string; mustBe: string };
}

const wording: Record<Category, Wording> = {
  fouled_stairwell: {
    title: 'vervuild trappenhuis',
    noun: 'een vervuild trappenhuis',
    tenantTe: 'het trappenhuis schoon te maken',
    tenantMust: 'het trappenhuis moet schoonmaken',
    contractorTe: 'het trappenhuis schoon te maken',
    company: 'schoonmaakbedrijf',
    shared: { subject: 'het trappenhuis', is: 'weer schoon is', mustBe: 'weer schoon moet zijn' },
  },
  bulk_waste: {
    title: 'grofvuil in een gemeenschappelijke ruimte',
    noun: 'grofvuil in een gemeenschappelijke ruimte',
    short: 'grofvuil',
    tenantTe: 'het grofvuil te verwijderen',
    tenantMust: 'het grofvuil moet verwijderen',
    contractorTe: 'het grofvuil af te voeren en de ruimte schoon te maken',
    company: 'schoonmaakbedrijf',
    shared: { subject: 'het grofvuil', is: 'weggehaald is', mustBe: 'weggehaald moet zijn' },
  },
  neglected_garden: {
    title: 'verwaarloosde tuin',
    noun: 'een verwaarloosde tuin',
    tenantTe: 'de tuin op te ruimen en weer te onderhouden',
    tenantMust: 'de tuin moet opruimen en weer moet onderhouden',
    contractorTe: 'de tuin op te ruimen en te snoeien',
    company: 'hoveniersbedrijf',
    shared: { subject: 'de tuin', is: 'weer opgeruimd is', mustBe: 'weer opgeruimd moet zijn' },
  },
  vandalism: {
    title: 'vernieling',
    noun: 'vernieling',
    tenantTe: 'de schade te herstellen',
    tenantMust: 'de schade moet herstellen',
    contractorTe: 'de schade te herstellen',
    company: 'herstelbedrijf',
    shared: { subject: 'de schade', is: 'hersteld is', mustBe: 'hersteld moet zijn' },
  },
  living_noise: {
    title: 'overlast door leefgeluid',
    noun: 'overlast door leefgeluid',
    tenantTe: 'de overlast te beëindigen',
    tenantMust: 'de overlast moet beëindigen',
    contractorTe: 'de nodige werkzaamheden uit te voeren',
    company: 'vakbedrijf',
    shared: { subject: 'de overlast', is: 'voorbij is', mustBe: 'voorbij moet zijn' },
  },
  children_playing: {
    title: 'overlast door spelende kinderen',
    noun: 'overlast door spelende kinderen',
    tenantTe: 'de overlast te beëindigen',
    tenantMust: 'de overlast moet beëindigen',
    contractorTe: 'de nodige werkzaamheden uit te voeren',
    company: 'vakbedrijf',
    shared: { subject: 'de overlast', is: 'voorbij is', mustBe: 'voorbij moet zijn' },
  },
  parking: {
    title: 'hinderlijk parkeren',
    noun: 'hinderlijk parkeren',
    tenantTe: 'het voertuig weg te halen',
    tenantMust: 'het voertuig moet weghalen',
    contractorTe: 'het voertuig weg te slepen',
    company: 'bergingsbedrijf',
    shared: { subject: 'het voertuig', is: 'weggehaald is', mustBe: 'weggehaald moet zijn' },
  },
};

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
/** The reference a tenant quotes: the incident's short number, or its id in letters from before numbers. */
const referenceOf = (c: LetterContent): string => c.incidentNumber ?? c.incidentId;

// ---------------------------------------------------------------------------------------------
// Dates

const MS_PER_MINUTE = 60_000;
const MINUTES_PER_DAY = 24 * 60;

function parseInstant(instant: string): number {
  const t = Date.parse(instant);
  if (Number.isNaN(t)) throw new TypeError(`Invalid instant ${JSON.stringify(instant)}`);
  return t;
}

/** Minutes since Amsterdam midnight of an instant, rounded down to the minute. */
function wallClockMinutes(t: number): number {
  const local = Math.floor((t + amsterdamOffsetMinutes(new Date(t)) * MS_PER_MINUTE) / MS_PER_MINUTE);
  return ((local % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
}

const clock = (minutes: number): string => `${String(Math.floor(minutes / 60)).padStart(2, '0')}.${String(minutes % 60).padStart(2, '0')} uur`;

/**
 * A deadline as it is in force. At Amsterdam midnight it is the end of the day before: "uiterlijk
 * op dinsdag 1 december 2026", all of that day. At any other moment (a term shorter than a day, a
 * deadline moved with a late letter) it is that moment, rounded down to the minute so that it never
 * says later than it is: "uiterlijk op zaterdag 5 december 2026 om 11.04 uur".
 */
export function deadlineWording(deadline: string): { endOfDay: boolean; date: LocalDate; when: string; moment: string; by: string; untilLine: string } {
  const t = parseInstant(deadline);
  const minutes = wallClockMinutes(t);
  if (minutes === 0 && t % MS_PER_MINUTE === 0) {
    const date = amsterdamDate(new Date(t - 1));
    const day = formatDutchWeekdayDate(date);
    return { endOfDay: true, date, when: day, moment: day, by: `uiterlijk op ${day}`, untilLine: `U heeft daarvoor de tijd tot en met ${day}.` };
  }
  const date = amsterdamDate(new Date(t));
  const day = formatDutchWeekdayDate(date);
  return {
    endOfDay: false,
    date,
    when: `${day}, ${clock(minutes)}`,
    moment: `${day} om ${clock(minutes)}`,
    by: `uiterlijk op ${day} om ${clock(minutes)}`,
    untilLine: `Let op: uw termijn loopt af op ${day} om ${clock(minutes)}, niet aan het eind van die dag.`,
  };
}

/**
 * "tot en met 15 december 2026" for an expiry at Amsterdam midnight (the link works all of the
 * 15th, not on the 16th); otherwise "tot 16 december 2026, 10.30 uur".
 */
function validUntil(expiresAt: string): string {
  const t = parseInstant(expiresAt);
  const minutes = wallClockMinutes(t);
  if (minutes === 0 && t % MS_PER_MINUTE === 0) return `tot en met ${formatDutchDate(amsterdamDate(new Date(t - 1)))}`;
  return `tot ${formatDutchDate(amsterdamDate(new Date(t)))}, ${clock(minutes)}`;
}

const ordinal = (n: number): string => `${n}e`;

// ---------------------------------------------------------------------------------------------
// Per kind

type ContentOf<K extends LetterContent['kind']> = Extract<LetterContent, { kind: K }>;

function complainantAdvice(c: ContentOf<'complainant_advice'>): Draft {
  const w = wording[c.category];
  return {
    subject: `Uw melding over ${w.noun}`,
    body: [
      p(`Dank u voor uw melding over ${w.noun} (locatie: ${c.location}). Wij begrijpen dat deze situatie vervelend voor u is.`),
      p(
        `Een klacht over ${w.noun} nemen wij als verhuurder echter niet in behandeling. ` +
          'Meestal is zo’n probleem het best op te lossen door de betrokkenen zelf.',
      ),
      p(
        'Ons advies is daarom: ga rustig in gesprek met uw buren. Kies daarvoor een goed moment, vertel wat u merkt en ' +
          'waar u last van heeft, en luister ook naar hun kant. Vaak weten buren niet dat u ergens last van heeft.',
      ),
      p(
        'Helpt dat niet, of vindt u het lastig om zelf het gesprek aan te gaan? Dan kunt u buurtbemiddeling inschakelen. ' +
          'Onafhankelijke, getrainde bemiddelaars helpen u en uw buren dan om samen tot een oplossing te komen. ' +
          'Buurtbemiddeling regelt u via uw gemeente; op de website van uw gemeente leest u hoe u zich aanmeldt.',
      ),
    ],
  };
}

function complainantAcknowledgement(c: ContentOf<'complainant_acknowledgement'>, o: RenderOptions): Draft {
  const w = wording[c.category];
  return {
    subject: `Ontvangstbevestiging: uw melding over ${w.noun}`,
    body: [
      p(`Dank u voor uw melding over ${w.noun} (locatie: ${c.location}). Wij hebben uw melding ontvangen en gaan ermee aan de slag.`),
      p(
        'Wij nemen contact op met de betrokkenen om het probleem op te lossen. Vanwege de privacy van anderen kunnen wij u ' +
          'niet in alle gevallen vertellen welke stappen wij zetten en met wie.',
      ),
      p(`Heeft u nog vragen over uw melding? ${capitalize(howToReach(o.corporation))} en noem daarbij ons kenmerk ${referenceOf(c)}.`),
    ],
  };
}

function linkBlocks(url: string | null, expiresAt: string | null, lead: string): Block[] {
  if (url === null) return [];
  const blocks: Block[] = [p(lead), { type: 'link', url }];
  if (expiresAt !== null) blocks.push(p(`Deze link is persoonlijk en geldig ${validUntil(expiresAt)}.`));
  return blocks;
}

function formalNotice(c: ContentOf<'formal_notice'>, o: RenderOptions): Draft {
  const w = wording[c.category];
  const d = deadlineWording(c.deadline);
  const cost =
    c.tariffCents !== null
      ? `Wij brengen u dan het vaste tarief van ${formatEuro(c.tariffCents)} in rekening.`
      : `Wij brengen u dan de werkelijke kosten van het ${w.company} in rekening.`;
  const reference = referenceOf(c);
  return {
    subject: `Ingebrekestelling: ${w.title}, uiterlijk ${d.when}`,
    facts: [['Uiterste termijn', d.when]],
    body: [
      p(
        `Wij hebben geconstateerd dat er sprake is van ${w.noun} (locatie: ${c.location}). ` +
          'Volgens onze gegevens bent u hiervoor verantwoordelijk. Dat is in strijd met uw verplichtingen als huurder.',
      ),
      p(`Met deze brief stellen wij u in gebreke. Wij sommeren u ${d.by} ${w.tenantTe}. ${d.untilLine}`),
      ...(o.tenantLinkUrl !== null
        ? linkBlocks(o.tenantLinkUrl, c.linkExpiresAt, 'Bent u klaar? Meld dat dan via uw persoonlijke link:')
        : [p(`Bent u klaar? ${capitalize(howToReach(o.corporation))} en noem daarbij ons kenmerk ${reference}.`)]),
      p(`Is het na afloop van deze termijn niet of niet goed gedaan? Dan laten wij het werk uitvoeren door een ${w.company}. ${cost}`),
      p(
        'Bent u het niet eens met deze ingebrekestelling, bijvoorbeeld omdat u niet de veroorzaker bent? ' +
          (o.tenantLinkUrl !== null
            ? 'Dan kunt u via dezelfde link bezwaar maken.'
            : `Dan kunt u bezwaar maken: ${howToReach(o.corporation)} en noem daarbij ons kenmerk ${reference}.`),
      ),
    ],
  };
}

function collectiveNotice(c: ContentOf<'collective_notice'>, o: RenderOptions): Draft {
  const w = wording[c.category];
  const d = deadlineWording(c.deadline);
  return {
    subject: `Verzoek aan alle bewoners: ${w.title}, uiterlijk ${d.when}`,
    facts: [['Uiterste termijn', d.when]],
    toResidents: true,
    body: [
      p(
        `Deze brief sturen wij aan alle huishoudens die gebruikmaken van een gemeenschappelijke ruimte (locatie: ${c.location}). ` +
          `Wij hebben daar ${w.short ?? w.noun} geconstateerd. Wij weten niet wie dit heeft veroorzaakt.`,
      ),
      p(
        'Gemeenschappelijke ruimten zijn de gezamenlijke verantwoordelijkheid van alle bewoners die er gebruik van maken. ' +
          `Wij vragen u daarom om samen met uw buren ervoor te zorgen dat ${w.shared.subject} ${d.by} ${w.shared.is}. ${d.untilLine}`,
      ),
      p(`Is het na afloop van deze termijn niet in orde? Dan laten wij het werk uitvoeren door een ${w.company}.`),
      p(`Weet u wie dit heeft veroorzaakt? Laat het ons dan weten: ${howToReach(o.corporation)} en noem daarbij ons kenmerk ${referenceOf(c)}.`),
    ],
  };
}

function reminder(c: ContentOf<'reminder'>, o: RenderOptions): Draft {
  const w = wording[c.category];
  const d = deadlineWording(c.deadline);
  const link =
    c.linkExpiresAt !== null ? linkBlocks(o.tenantLinkUrl, c.linkExpiresAt, 'Bent u al klaar? Meld dat dan via uw persoonlijke link:') : [];
  const body: Block[] = c.collective
    ? [
        p(
          `Onlangs hebben wij alle huishoudens die gebruikmaken van een gemeenschappelijke ruimte (locatie: ${c.location}) een brief gestuurd ` +
            `over ${w.short ?? w.noun}. Met deze brief herinneren wij u eraan dat ${w.shared.subject} ${d.by} ${w.shared.mustBe}. ${d.untilLine}`,
        ),
        p('Gemeenschappelijke ruimten zijn de gezamenlijke verantwoordelijkheid van alle bewoners. Wilt u hier samen met uw buren voor zorgen?'),
        ...link,
        p(`Is het na afloop van deze termijn niet in orde? Dan laten wij het werk uitvoeren door een ${w.company}.`),
      ]
    : [
        p(
          `Onlangs hebben wij u een ingebrekestelling gestuurd over ${w.noun} (locatie: ${c.location}). ` +
            `Met deze brief herinneren wij u eraan dat u ${d.by} ${w.tenantMust}. ${d.untilLine}`,
        ),
        ...link,
        p(
          `Is het na afloop van deze termijn niet of niet goed gedaan? Dan laten wij het werk uitvoeren door een ${w.company} ` +
            'en brengen wij de kosten bij u in rekening, zoals beschreven in onze eerdere brief.',
        ),
      ];
  return {
    subject: `Herinnering: ${w.title}, uiterlijk ${d.when}`,
    facts: [['Uiterste termijn', d.when]],
    toResidents: c.collective,
    body,
  };
}

function workOrder(c: ContentOf<'work_order'>, o: RenderOptions): Draft {
  const w = wording[c.category];
  const b = o.building ?? null;
  const facts: Array<[string, string]> = [['Werkopdrachtnummer', c.workOrderNumber]];
  if (b !== null) {
    facts.push(['Adres', `${b.street} ${b.houseNumbers}, ${b.postalCode} ${b.city}`], ['Complex', b.complexId]);
  } else if (c.complexId !== undefined) {
    facts.push(['Complex', c.complexId]);
  }
  facts.push(['Plaats in het gebouw', c.location]);
  if (b?.accessNotes) facts.push(['Toegang', b.accessNotes]);
  facts.push(['Soort', capitalize(w.title)]);
  if (c.completeBy !== undefined) facts.push(['Gereed uiterlijk', formatDutchWeekdayDate(c.completeBy)]);
  const body: Block[] = [
    p(
      `Hierbij geven wij u opdracht om ${w.contractorTe}` +
        (b !== null ? ` in het gebouw aan ${b.street} ${b.houseNumbers} in ${b.city}` : '') +
        ` (plaats in het gebouw: ${c.location}).`,
    ),
  ];
  if (b === null) {
    body.push(p(`Het adres van dit gebouw staat nog niet in ons bestand. ${capitalize(howToReach(o.corporation))} voor het adres en de toegang.`));
  } else if (b.accessNotes) {
    body.push(p(`Toegang tot het gebouw: ${b.accessNotes}`));
  }
  body.push(
    p(
      (c.completeBy !== undefined
        ? `Wilt u het werk uiterlijk op ${formatDutchWeekdayDate(c.completeBy)} uitvoeren? `
        : 'Wilt u het werk zo snel mogelijk uitvoeren? ') +
        'Meld ons na afloop dat het werk gereed is en geef daarbij de kosten op. ' +
        `Vermeld bij uw gereedmelding en uw factuur altijd werkopdrachtnummer ${c.workOrderNumber}.`,
    ),
  );
  return { subject: `Werkopdracht ${c.workOrderNumber}: ${w.title}`, facts, body };
}

function warning(c: ContentOf<'warning'>): Draft {
  const w = wording[c.category];
  const sharp = c.severity === 'sharp';
  const body: Block[] = [
    p(`Er was sprake van ${w.noun} (locatie: ${c.location}). Volgens onze gegevens was u hiervoor verantwoordelijk.`),
  ];
  if (c.cleanedBy === 'tenant') {
    body.push(
      p(
        'Dank u wel dat u dit zelf heeft opgelost. Maar het had niet zover mogen komen: als huurder bent u verplicht ' +
          'zich aan de afspraken in uw huurovereenkomst te houden. Daarom geven wij u hierbij een officiële waarschuwing.',
      ),
    );
  } else {
    let costs = '';
    if (c.invoiceNumber !== null && c.totalCents !== null) {
      costs = ` De kosten, in totaal ${formatEuro(c.totalCents)}, brengen wij bij u in rekening met factuur ${c.invoiceNumber}.`;
    } else if (c.invoiceNumber !== null) {
      costs = ` De kosten brengen wij bij u in rekening met factuur ${c.invoiceNumber}.`;
    } else if (c.totalCents !== null) {
      costs = ` De kosten bedragen in totaal ${formatEuro(c.totalCents)}.`;
    }
    body.push(
      p(`Omdat u dit niet op tijd heeft opgelost, hebben wij het werk laten uitvoeren door een ${w.company}.${costs}`),
      p('Als huurder bent u verplicht zich aan de afspraken in uw huurovereenkomst te houden. Daarom geven wij u hierbij een officiële waarschuwing.'),
    );
  }
  body.push(p(`Dit is de ${ordinal(c.offenceNumber)} overtreding die wij bij u hebben vastgelegd.`));
  if (sharp) {
    body.push(p('Dit is dus niet de eerste keer. Wij wijzen u er nadrukkelijk op dat verdere herhaling gevolgen kan hebben voor uw huurovereenkomst.'));
  }
  body.push(p('Wij rekenen erop dat u ervoor zorgt dat dit niet opnieuw gebeurt.'));
  return {
    subject: sharp ? `Ernstige waarschuwing (herhaling): ${w.title}` : `Waarschuwing: ${w.title}`,
    facts: [['Overtreding', `nummer ${c.offenceNumber}`]],
    body,
  };
}

/** How to pay, in a sentence: amount, date, account in groups of four, and the reference to quote. */
function paymentSentence(amountCents: number, byDate: LocalDate, reference: string, o: RenderOptions): string {
  return (
    `Wilt u ${formatEuro(amountCents)} uiterlijk op ${formatDutchWeekdayDate(byDate)} overmaken naar rekening ${formatIban(o.corporation.iban)} ` +
    `ten name van ${o.corporation.name}, onder vermelding van betalingskenmerk ${reference}?`
  );
}

function paymentFacts(amountCents: number, byDate: LocalDate, reference: string, o: RenderOptions): Block {
  return {
    type: 'facts',
    rows: [
      ['Te betalen', formatEuro(amountCents)],
      ['Uiterlijk op', formatDutchWeekdayDate(byDate)],
      ['Rekening (IBAN)', formatIban(o.corporation.iban)],
      ['Ten name van', o.corporation.name],
      ['Betalingskenmerk', reference],
    ],
  };
}

const attachmentLine = (what: string, o: RenderOptions): Block[] =>
  o.channel === 'post' ? [] : [p(`${what} vindt u als PDF in de bijlage van deze e-mail. Met de QR-code daarin kunt u direct betalen met uw bankapp.`)];

function invoice(c: ContentOf<'invoice'>, o: RenderOptions): Draft {
  return {
    subject: `Factuur ${c.invoiceNumber}: ${wording[c.category].title}`,
    facts: [
      ['Factuurnummer', c.invoiceNumber],
      ['Factuurdatum', formatDutchDate(c.issueDate)],
      ['Vervaldatum', formatDutchDate(c.dueDate)],
    ],
    body: [
      p(
        `Er was sprake van ${wording[c.category].noun} (locatie: ${c.location}). ` +
          'Omdat dit niet op tijd is opgelost, hebben wij het werk laten uitvoeren. De kosten brengen wij bij u in rekening.',
      ),
      {
        type: 'table',
        head: ['Omschrijving', 'Bedrag', 'Btw-code'],
        rows: c.lines.map((line) => [line.description, formatEuro(line.amountCents), line.vatCode]),
        foot: ['Totaal', formatEuro(c.totalCents), ''],
        rightAligned: [1],
      },
      p(paymentSentence(c.totalCents, c.dueDate, c.invoiceNumber, o)),
      paymentFacts(c.totalCents, c.dueDate, c.invoiceNumber, o),
      ...attachmentLine('De factuur', o),
      p(`Heeft u vragen over deze factuur of bent u het er niet mee eens? ${capitalize(howToReach(o.corporation))} en noem daarbij factuurnummer ${c.invoiceNumber}.`),
    ],
  };
}

function paymentReminder(c: ContentOf<'payment_reminder'>, o: RenderOptions): Draft {
  return {
    subject: `Betalingsherinnering factuur ${c.invoiceNumber}`,
    facts: [
      ['Factuurnummer', c.invoiceNumber],
      ['Factuurdatum', formatDutchDate(c.issueDate)],
      ['Oorspronkelijke vervaldatum', formatDutchDate(c.dueDate)],
      ['Openstaand bedrag', formatEuro(c.openCents)],
    ],
    body: [
      p(`Volgens onze administratie is factuur ${c.invoiceNumber} nog niet (volledig) betaald. Er staat nog ${formatEuro(c.openCents)} open.`),
      p(`${paymentSentence(c.openCents, c.newDueDate, c.invoiceNumber, o)} Aan deze herinnering zijn geen kosten verbonden.`),
      paymentFacts(c.openCents, c.newDueDate, c.invoiceNumber, o),
      ...attachmentLine('De herinnering', o),
      p('Heeft u inmiddels betaald? Dan kunt u deze herinnering als niet verzonden beschouwen.'),
    ],
  };
}

function finalNotice(c: ContentOf<'final_notice'>, o: RenderOptions): Draft {
  const finalDate = formatDutchWeekdayDate(c.finalDate);
  const body: Block[] = [
    p(
      `Ondanks onze eerdere factuur en herinnering is factuur ${c.invoiceNumber} nog niet betaald. Er staat nog ${formatEuro(c.openCents)} open. ` +
        `Wij geven u een laatste termijn. ${paymentSentence(c.openCents, c.finalDate, c.invoiceNumber, o)}`,
    ),
    paymentFacts(c.openCents, c.finalDate, c.invoiceNumber, o),
  ];
  if (c.collectionCostsCents > 0) {
    body.push(
      p(
        `Heeft u niet uiterlijk op ${finalDate} betaald, dan brengen wij incassokosten van ${formatEuro(c.collectionCostsCents)} bij u in rekening. ` +
          'Dit bedrag is berekend volgens de wettelijke staffel (Besluit vergoeding voor buitengerechtelijke incassokosten).',
      ),
    );
  }
  if (c.interestCents !== null && c.interestCents > 0) {
    body.push(p(`Daarnaast bent u de wettelijke rente verschuldigd; tot en met ${formatDutchDate(c.letterDate)} is dat ${formatEuro(c.interestCents)}.`));
  }
  body.push(
    p(
      `Na ${finalDate} dragen wij de vordering over voor incasso. Bent u het niet eens met de factuur, of kunt u niet in één keer betalen? ` +
        `Neem dan vóór die datum contact met ons op: ${howToReach(o.corporation)}.`,
    ),
    ...attachmentLine('Deze aanmaning', o),
  );
  return {
    subject: `Laatste aanmaning factuur ${c.invoiceNumber}: betaal uiterlijk op ${finalDate}`,
    facts: [
      ['Factuurnummer', c.invoiceNumber],
      ['Openstaand bedrag', formatEuro(c.openCents)],
      ['Uiterste betaaldatum', finalDate],
    ],
    body,
  };
}

function creditNote(c: ContentOf<'credit_note'>, o: RenderOptions): Draft {
  const refund = c.refundDueCents > 0;
  const reason = c.reason.trim().replace(/[.!?]+$/, '');
  return {
    subject: `Creditnota ${c.creditNoteNumber} bij factuur ${c.invoiceNumber}`,
    facts: [
      ['Creditnotanummer', c.creditNoteNumber],
      ['Factuurnummer', c.invoiceNumber],
      ['Datum creditnota', formatDutchDate(c.issueDate)],
      ['Bedrag', formatEuro(c.amountCents)],
      ...(refund ? ([['Terug te betalen aan u', formatEuro(c.refundDueCents)]] as [string, string][]) : []),
    ],
    body: [
      p(`Wij crediteren factuur ${c.invoiceNumber} voor ${formatEuro(c.amountCents)}. Reden: ${reason}.`),
      refund
        ? p(
            `U hoeft niets meer te betalen. U had op deze factuur al ${formatEuro(c.refundDueCents)} betaald; dat bedrag betalen wij aan u terug, ` +
              `op de rekening waarvan u betaalde. Is uw rekeningnummer sindsdien veranderd? Laat het ons dan weten: ${howToReach(o.corporation)}.`,
          )
        : p('U hoeft dit bedrag niet (meer) te betalen. Heeft u al betaald, dan nemen wij contact met u op over de terugbetaling.'),
      ...(o.channel === 'post' ? [] : [p('De creditnota vindt u als PDF in de bijlage van deze e-mail.')]),
    ],
  };
}

function serviceCostNotice(c: ContentOf<'service_cost_notice'>): Draft {
  const w = wording[c.category];
  const body: Block[] = [
    p(
      `In een gemeenschappelijke ruimte was sprake van ${w.short ?? w.noun} (locatie: ${c.location}). ` +
        'Omdat niet bekend is wie dit heeft veroorzaakt en de ruimte niet op tijd in orde is gebracht, ' +
        `hebben wij het werk laten uitvoeren door een ${w.company}.`,
    ),
    p(
      `De kosten bedragen in totaal ${formatEuro(c.totalCents)}. Wij verdelen deze kosten over de ${c.households} huishoudens ` +
        `die gebruik kunnen maken van deze ruimte. Uw aandeel is ${formatEuro(c.shareCents)}. ` +
        'Dit bedrag brengen wij in rekening via de servicekosten; u hoeft nu niets apart te betalen.',
    ),
  ];
  if (c.totalCents % c.households !== 0) {
    body.push(p('Het totaalbedrag is niet precies deelbaar; daarom kunnen de aandelen van de huishoudens één cent verschillen.'));
  }
  body.push(p('Gemeenschappelijke ruimten zijn de gezamenlijke verantwoordelijkheid van alle bewoners. Helpt u mee om ze schoon te houden?'));
  return {
    subject: `Servicekosten: ${w.title}, uw aandeel ${formatEuro(c.shareCents)}`,
    facts: [
      ['Totale kosten', formatEuro(c.totalCents)],
      ['Aantal huishoudens', String(c.households)],
      ['Uw aandeel', formatEuro(c.shareCents)],
    ],
    toResidents: true,
    body,
  };
}

function neighboursNotice(c: ContentOf<'neighbours_notice'>): Draft {
  const w = wording[c.category];
  const body: Block[] = [
    p(`Onlangs was er sprake van ${w.noun} (locatie: ${c.location}). Met deze brief laten wij u weten dat dit probleem is opgelost.`),
  ];
  switch (c.outcome) {
    case 'self_cleaned':
      body.push(p(c.polluterKnown ? 'De situatie is inmiddels door de veroorzaker zelf in orde gebracht.' : 'De situatie is inmiddels in orde gebracht. Dank aan iedereen die daaraan heeft bijgedragen.'));
      break;
    case 'cleaned_and_charged':
      body.push(p('Wij hebben het werk laten uitvoeren en brengen de kosten in rekening bij de veroorzaker.'));
      break;
    case 'cleaned_at_service_cost':
      body.push(
        p(
          'Omdat niet bekend is wie dit heeft veroorzaakt, hebben wij het werk laten uitvoeren. De kosten worden verdeeld ' +
            'via de servicekosten; de betrokken huishoudens ontvangen daarover een aparte brief.',
        ),
      );
      break;
    case 'cleaned_at_corporation_cost':
      body.push(p('Wij hebben het werk laten uitvoeren. De kosten komen voor onze rekening.'));
      break;
    default: {
      const unreachable: never = c.outcome;
      throw new Error(`unknown outcome ${String(unreachable)}`);
    }
  }
  if (c.polluterKnown) {
    body.push(p('De veroorzaker is hierop aangesproken. Om privacyredenen kunnen wij u daarover niets meer vertellen.'));
  }
  body.push(p('Gemeenschappelijke ruimten zijn van en voor alle bewoners. Dank u wel dat u helpt om ze schoon en veilig te houden.'));
  return { subject: `Afgehandeld: ${w.title}`, body, toResidents: true };
}

export function draftOf(c: LetterContent, o: RenderOptions): Draft {
  switch (c.kind) {
    case 'complainant_advice':
      return complainantAdvice(c);
    case 'complainant_acknowledgement':
      return complainantAcknowledgement(c, o);
    case 'formal_notice':
      return formalNotice(c, o);
    case 'collective_notice':
      return collectiveNotice(c, o);
    case 'reminder':
      return reminder(c, o);
    case 'work_order':
      return workOrder(c, o);
    case 'warning':
      return warning(c);
    case 'invoice':
      return invoice(c, o);
    case 'service_cost_notice':
      return serviceCostNotice(c);
    case 'neighbours_notice':
      return neighboursNotice(c);
    case 'payment_reminder':
      return paymentReminder(c, o);
    case 'final_notice':
      return finalNotice(c, o);
    case 'credit_note':
      return creditNote(c, o);
    default: {
      const unreachable: never = c;
      throw new Error(`unknown letter kind ${JSON.stringify(unreachable)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** No gender guessed from a name: one person is "heer, mevrouw", a letter to all households "bewoner". */
export function salutationOf(d: Pick<Draft, 'toResidents'>): string {
  return d.toResidents ? 'Geachte bewoner,' : 'Geachte heer, mevrouw,';
}

export function addressLines(recipient: RecipientDetails): string[] {
  const lines = [recipient.name.trim()].filter((l) => l !== '');
  const a = recipient.address;
  if (a !== null) lines.push(`${a.street} ${a.houseNumber}`.trim(), `${a.postalCode}  ${a.city}`.trim());
  return lines;
}

/** The facts every letter opens with: its date and our reference, then its own. */
export function headingFacts(c: LetterContent, d: Draft, o: RenderOptions): Array<[string, string]> {
  return [['Datum', formatDutchDate(o.letterDate)], ['Ons kenmerk', referenceOf(c)], ...(d.facts ?? [])];
}

const isWebUrl = (url: string): boolean => /^https?:\/\//i.test(url);

function textTable(head: string[], rows: string[][], foot: string[], rightAligned: number[]): string {
  const all = [head, ...rows, foot];
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r
      .map((cell, i) => (rightAligned.includes(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  const rule = '-'.repeat(widths.reduce((sum, w) => sum + w, 0) + 3 * (widths.length - 1));
  return [line(head), rule, ...rows.map(line), rule, line(foot)].join('\n');
}

function textFacts(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([l]) => l.length + 1));
  return rows.map(([l, v]) => `${`${l}:`.padEnd(width)}  ${v}`).join('\n');
}

function closingText(o: RenderOptions): string {
  return `Met vriendelijke groet,\n\n${o.corporation.name}\n\n${textFacts(contactLines(o.corporation))}`;
}

function renderText(d: Draft, facts: Array<[string, string]>, recipient: RecipientDetails, o: RenderOptions): string {
  const parts: string[] = [];
  const address = addressLines(recipient);
  if (address.length > 0) parts.push(address.join('\n'));
  parts.push(textFacts(facts));
  parts.push(`Onderwerp: ${d.subject}`);
  parts.push(salutationOf(d));
  for (const b of d.body) {
    switch (b.type) {
      case 'p':
        parts.push(b.text);
        break;
      case 'link':
        parts.push(b.url);
        break;
      case 'facts':
        parts.push(textFacts(b.rows));
        break;
      case 'table':
        parts.push(textTable(b.head, b.rows, b.foot, b.rightAligned));
        break;
    }
  }
  if (o.pdfUrl) parts.push(`Deze brief als PDF: ${o.pdfUrl}`);
  parts.push(closingText(o));
  return `${parts.join('\n\n')}\n`;
}

// HTML for mail clients: one centred column at most 600 px wide that shrinks on a phone, inline
// styles only (many clients drop <style>), tables for the facts, and long links that wrap.
const FONT_STACK = 'Arial,Helvetica,sans-serif';
const CELL = 'padding:2px 12px 2px 0;vertical-align:top';

function htmlFacts(rows: Array<[string, string]>): string {
  const body = rows
    .map(([l, v]) => `<tr><th scope="row" style="${CELL};text-align:left;font-weight:bold">${escapeHtml(l)}</th><td style="${CELL};word-break:break-word">${htmlText(v)}</td></tr>`)
    .join('');
  return `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;margin:0 0 16px 0">${body}</table>`;
}

function htmlTable(b: Extract<Block, { type: 'table' }>): string {
  const cell = (tag: 'th' | 'td', value: string, i: number): string =>
    `<${tag} style="text-align:${b.rightAligned.includes(i) ? 'right;white-space:nowrap' : 'left'};padding:4px 12px 4px 0;border-bottom:1px solid #dddddd">${htmlText(value)}</${tag}>`;
  const row = (r: string[], tag: 'th' | 'td'): string => `<tr>${r.map((v, i) => cell(tag, v, i)).join('')}</tr>`;
  return (
    '<table cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;width:100%;margin:0 0 16px 0">' +
    `<thead>${row(b.head, 'th')}</thead>` +
    `<tbody>${b.rows.map((r) => row(r, 'td')).join('')}</tbody>` +
    `<tfoot>${row(b.foot, 'th')}</tfoot>` +
    '</table>'
  );
}

const P = 'margin:0 0 16px 0';

/** Escaped text in which an amount never breaks after its euro sign. */
function htmlText(value: string): string {
  return escapeHtml(value).replace(/€ /g, '€&nbsp;');
}
const LINK_STYLE = 'color:#0b5394;word-break:break-all;overflow-wrap:anywhere';

function renderHtml(d: Draft, facts: Array<[string, string]>, recipient: RecipientDetails, o: RenderOptions): string {
  const parts: string[] = [];
  const address = addressLines(recipient);
  if (address.length > 0) parts.push(`<p style="${P}">${address.map(escapeHtml).join('<br>')}</p>`);
  parts.push(htmlFacts(facts));
  parts.push(`<h1 style="font-size:18px;line-height:1.3;margin:0 0 16px 0">Onderwerp: ${escapeHtml(d.subject)}</h1>`);
  parts.push(`<p style="${P}">${escapeHtml(salutationOf(d))}</p>`);
  for (const b of d.body) {
    switch (b.type) {
      case 'p':
        parts.push(`<p style="${P}">${htmlText(b.text)}</p>`);
        break;
      case 'link':
        parts.push(
          isWebUrl(b.url)
            ? `<p style="${P}"><a href="${escapeHtml(b.url)}" style="${LINK_STYLE}">${escapeHtml(b.url)}</a></p>`
            : `<p style="${P};word-break:break-all">${escapeHtml(b.url)}</p>`,
        );
        break;
      case 'facts':
        parts.push(htmlFacts(b.rows));
        break;
      case 'table':
        parts.push(htmlTable(b));
        break;
    }
  }
  if (o.pdfUrl) {
    parts.push(`<p style="${P}">Deze brief als PDF: <a href="${escapeHtml(o.pdfUrl)}" style="${LINK_STYLE}">${escapeHtml(o.pdfUrl)}</a></p>`);
  }
  parts.push(`<p style="${P}">Met vriendelijke groet,<br><br>${escapeHtml(o.corporation.name)}</p>`);
  parts.push(`<div style="border-top:1px solid #cccccc;padding-top:12px;font-size:14px;color:#444444">${htmlFacts(contactLines(o.corporation))}</div>`);
  return (
    '<!DOCTYPE html>\n<html lang="nl">\n<head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="x-apple-disable-message-reformatting">' +
    `<title>${escapeHtml(d.subject)}</title></head>\n` +
    `<body style="margin:0;padding:0;background:#f4f4f4">\n` +
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f4f4f4"><tr><td align="center" style="padding:16px 8px">\n' +
    `<div style="max-width:600px;margin:0 auto;background:#ffffff;padding:24px 20px;text-align:left;font-family:${FONT_STACK};font-size:16px;line-height:1.5;color:#1a1a1a">\n` +
    parts.join('\n') +
    '\n</div>\n</td></tr></table>\n</body>\n</html>\n'
  );
}

export function renderLetter(content: LetterContent, recipient: RecipientDetails, options: RenderOptions): RenderedLetter {
  const c = letterContentSchema.parse(content);
  const d = draftOf(c, options);
  const facts = headingFacts(c, d, options);
  return {
    subject: d.subject,
    text: renderText(d, facts, recipient, options),
    html: renderHtml(d, facts, recipient, options),
  };
}
