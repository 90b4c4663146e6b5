/**
 * Renders a letter (subject, plain text and HTML) from its content and the recipient's details.
 *
 * The content carries no personal data; the only person named in a letter is its recipient.
 * Pure and deterministic: no clock, no Intl, no I/O.
 */
import { amsterdamDate, amsterdamOffsetMinutes, formatDutchDate, formatDutchWeekdayDate } from '../domain/calendar';
import { type LetterContent, letterContentSchema } from '../domain/letters';
import { formatEuro } from '../domain/money';
import { type Category, categoryLabels } from '../domain/policy';

export interface RecipientDetails {
  /** Tenant or contractor name. */
  name: string;
  /** Postal address (tenants). */
  address: { street: string; houseNumber: string; postalCode: string; city: string } | null;
}

export interface RenderedLetter {
  subject: string;
  text: string;
  html: string;
}

export interface RenderOptions {
  /** The tenant's signed link (confirm the cleanup, object); null when there is none. */
  tenantLinkUrl: string | null;
  corporationName: string;
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

type Block =
  | { type: 'p'; text: string }
  | { type: 'link'; url: string }
  | { type: 'facts'; rows: Array<[label: string, value: string]> }
  | { type: 'table'; head: string[]; rows: string[][]; foot: string[]; rightAligned: number[] };

interface Draft {
  subject: string;
  /** Facts shown above the salutation, after the incident reference. */
  facts?: Array<[string, string]>;
  body: Block[];
}

const p = (text: string): Block => ({ type: 'p', text });

// ---------------------------------------------------------------------------------------------
// Category wording

/** Indefinite article where the label needs one in running text ("een vervuild trappenhuis"). */
const articles: Record<Category, string> = {
  fouled_stairwell: 'een ',
  bulk_waste: '',
  neglected_garden: 'een ',
  vandalism: '',
  living_noise: '',
  children_playing: '',
  parking: '',
};

/** What the tenant is asked to do, as a te-infinitive clause. */
const tenantTasks: Record<Category, string> = {
  fouled_stairwell: 'het trappenhuis schoon te maken',
  bulk_waste: 'het grofvuil te verwijderen',
  neglected_garden: 'de tuin op te ruimen en weer te onderhouden',
  vandalism: 'de schade te herstellen',
  living_noise: 'de overlast te beëindigen',
  children_playing: 'de overlast te beëindigen',
  parking: 'het voertuig weg te halen',
};

/** What the contractor is asked to do, as an infinitive clause. */
export const contractorTasks: Record<Category, string> = {
  fouled_stairwell: 'het trappenhuis schoonmaken',
  bulk_waste: 'het grofvuil afvoeren en de ruimte schoonmaken',
  neglected_garden: 'de tuin opruimen en snoeien',
  vandalism: 'de schade herstellen',
  living_noise: 'de benodigde werkzaamheden uitvoeren',
  children_playing: 'de benodigde werkzaamheden uitvoeren',
  parking: 'de benodigde werkzaamheden uitvoeren',
};

/** The kind of company the corporation calls in. */
const contractorNouns: Record<Category, string> = {
  fouled_stairwell: 'schoonmaakbedrijf',
  bulk_waste: 'schoonmaakbedrijf',
  neglected_garden: 'hoveniersbedrijf',
  vandalism: 'bedrijf',
  living_noise: 'bedrijf',
  children_playing: 'bedrijf',
  parking: 'bedrijf',
};

const label = (category: Category): string => categoryLabels[category];
const labelInText = (category: Category): string => `${articles[category]}${categoryLabels[category]}`;
const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

// ---------------------------------------------------------------------------------------------
// Dates

const MS_PER_MINUTE = 60_000;
const MINUTES_PER_DAY = 24 * 60;

function parseInstant(instant: string): number {
  const t = Date.parse(instant);
  if (Number.isNaN(t)) throw new TypeError(`Invalid instant ${JSON.stringify(instant)}`);
  return t;
}

/**
 * "tot en met 15 december 2026" for an expiry at Amsterdam midnight (the link works all of the
 * 15th, not on the 16th); otherwise "tot 16 december 2026, 10.30 uur".
 */
function validUntil(expiresAt: string): string {
  const t = parseInstant(expiresAt);
  const at = new Date(t);
  const wallClockMinutes =
    ((Math.floor((t + amsterdamOffsetMinutes(at) * MS_PER_MINUTE) / MS_PER_MINUTE) % MINUTES_PER_DAY) + MINUTES_PER_DAY) %
    MINUTES_PER_DAY;
  if (wallClockMinutes === 0) return `tot en met ${formatDutchDate(amsterdamDate(new Date(t - 1)))}`;
  const hh = String(Math.floor(wallClockMinutes / 60)).padStart(2, '0');
  const mm = String(wallClockMinutes % 60).padStart(2, '0');
  return `tot ${formatDutchDate(amsterdamDate(at))}, ${hh}.${mm} uur`;
}

const ordinal = (n: number): string => `${n}e`;

// ---------------------------------------------------------------------------------------------
// Per kind

type ContentOf<K extends LetterContent['kind']> = Extract<LetterContent, { kind: K }>;

function complainantAdvice(c: ContentOf<'complainant_advice'>): Draft {
  return {
    subject: `Uw melding over ${label(c.category)}`,
    body: [
      p(`Dank u voor uw melding over ${labelInText(c.category)} (locatie: ${c.location}). Wij begrijpen dat deze situatie vervelend voor u is.`),
      p(
        `Een klacht over ${label(c.category)} nemen wij als verhuurder echter niet in behandeling. ` +
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

function complainantAcknowledgement(c: ContentOf<'complainant_acknowledgement'>): Draft {
  return {
    subject: `Ontvangstbevestiging: uw melding over ${labelInText(c.category)}`,
    body: [
      p(`Dank u voor uw melding over ${labelInText(c.category)} (locatie: ${c.location}). Wij hebben uw melding ontvangen en gaan ermee aan de slag.`),
      p(
        'Wij nemen contact op met de betrokkenen om het probleem op te lossen. Vanwege de privacy van anderen kunnen wij u ' +
          'niet in alle gevallen vertellen welke stappen wij zetten en met wie.',
      ),
      p(`Heeft u nog vragen over uw melding? Neem dan contact met ons op en vermeld daarbij ons kenmerk ${c.incidentId}.`),
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
  const deadline = formatDutchWeekdayDate(c.deadlineDate);
  const contractor = contractorNouns[c.category];
  const cost =
    c.tariffCents !== null
      ? `Wij brengen u dan het vaste tarief van ${formatEuro(c.tariffCents)} in rekening.`
      : `Wij brengen u dan de werkelijke kosten van het ${contractor} in rekening.`;
  return {
    subject: `Ingebrekestelling: ${label(c.category)}, uiterlijk ${deadline}`,
    facts: [['Uiterste datum', deadline]],
    body: [
      p(
        `Wij hebben geconstateerd dat er sprake is van ${labelInText(c.category)} op de volgende locatie: ${c.location}. ` +
          'Volgens onze gegevens bent u hiervoor verantwoordelijk. Dat is in strijd met uw verplichtingen als huurder.',
      ),
      p(
        `Met deze brief stellen wij u in gebreke. Wij sommeren u om uiterlijk op ${deadline} ${tenantTasks[c.category]}. ` +
          'U heeft daarvoor de hele dag de tijd, tot 24.00 uur.',
      ),
      ...(o.tenantLinkUrl !== null
        ? linkBlocks(o.tenantLinkUrl, c.linkExpiresAt, 'Bent u klaar? Meld dat dan via uw persoonlijke link:')
        : [p(`Bent u klaar? Laat het ons dan weten en vermeld daarbij ons kenmerk ${c.incidentId}.`)]),
      p(
        `Is het op ${deadline} niet of niet goed gedaan? Dan laten wij het werk uitvoeren door een ${contractor}. ${cost}`,
      ),
      p(
        'Bent u het niet eens met deze ingebrekestelling, bijvoorbeeld omdat u niet de veroorzaker bent? ' +
          (o.tenantLinkUrl !== null
            ? 'Dan kunt u via dezelfde link bezwaar maken.'
            : `Dan kunt u bezwaar maken door contact met ons op te nemen; vermeld daarbij ons kenmerk ${c.incidentId}.`),
      ),
    ],
  };
}

function collectiveNotice(c: ContentOf<'collective_notice'>): Draft {
  const deadline = formatDutchWeekdayDate(c.deadlineDate);
  return {
    subject: `Verzoek aan alle bewoners: ${label(c.category)}, uiterlijk ${deadline}`,
    facts: [['Uiterste datum', deadline]],
    body: [
      p(
        `Deze brief sturen wij aan alle huishoudens die gebruikmaken van de gemeenschappelijke ruimte op de volgende locatie: ${c.location}. ` +
          `Wij hebben daar ${labelInText(c.category)} geconstateerd. Wij weten niet wie dit heeft veroorzaakt.`,
      ),
      p(
        'Gemeenschappelijke ruimten zijn de gezamenlijke verantwoordelijkheid van alle bewoners die er gebruik van maken. ' +
          `Wij vragen u daarom om samen met uw buren ervoor te zorgen dat deze ruimte uiterlijk op ${deadline} weer schoon en opgeruimd is.`,
      ),
      p(`Is dat op ${deadline} niet gebeurd? Dan laten wij de ruimte schoonmaken door een ${contractorNouns[c.category]}.`),
      p(`Weet u wie dit heeft veroorzaakt? Laat het ons dan weten en vermeld daarbij ons kenmerk ${c.incidentId}.`),
    ],
  };
}

function reminder(c: ContentOf<'reminder'>, o: RenderOptions): Draft {
  const deadline = formatDutchWeekdayDate(c.deadlineDate);
  const contractor = contractorNouns[c.category];
  const link =
    c.linkExpiresAt !== null
      ? linkBlocks(o.tenantLinkUrl, c.linkExpiresAt, 'Bent u al klaar? Meld dat dan via uw persoonlijke link:')
      : [];
  const body: Block[] = c.collective
    ? [
        p(
          `Onlangs hebben wij alle huishoudens die gebruikmaken van de gemeenschappelijke ruimte op ${c.location} een brief gestuurd ` +
            `over ${labelInText(c.category)}. Met deze brief herinneren wij u eraan dat de ruimte uiterlijk op ${deadline} weer schoon en opgeruimd moet zijn.`,
        ),
        p('Gemeenschappelijke ruimten zijn de gezamenlijke verantwoordelijkheid van alle bewoners. Wilt u hier samen met uw buren voor zorgen?'),
        ...link,
        p(`Is het op ${deadline} niet gebeurd? Dan laten wij de ruimte schoonmaken door een ${contractor}.`),
      ]
    : [
        p(
          `Onlangs hebben wij u een ingebrekestelling gestuurd over ${labelInText(c.category)} op de volgende locatie: ${c.location}. ` +
            `Met deze brief herinneren wij u eraan dat u uiterlijk op ${deadline} ${tenantTasks[c.category]}.`,
        ),
        ...link,
        p(
          `Is het op ${deadline} niet of niet goed gedaan? Dan laten wij het werk uitvoeren door een ${contractor} ` +
            'en brengen wij de kosten bij u in rekening, zoals beschreven in onze eerdere brief.',
        ),
      ];
  return {
    subject: `Herinnering: ${label(c.category)}, uiterlijk ${deadline}`,
    facts: [['Uiterste datum', deadline]],
    body,
  };
}

function workOrder(c: ContentOf<'work_order'>): Draft {
  return {
    subject: `Werkopdracht ${c.workOrderNumber}: ${label(c.category)}`,
    facts: [
      ['Werkopdrachtnummer', c.workOrderNumber],
      ['Complex', c.buildingId],
      ['Locatie', c.location],
      ['Soort', capitalize(label(c.category))],
    ],
    body: [
      p(`Hierbij geven wij u opdracht om op de hierboven genoemde locatie ${contractorTasks[c.category]}.`),
      p(
        'Wilt u het werk zo snel mogelijk uitvoeren? Meld ons na afloop dat het werk gereed is en geef daarbij de kosten op. ' +
          `Vermeld bij uw gereedmelding en uw factuur altijd werkopdrachtnummer ${c.workOrderNumber}.`,
      ),
    ],
  };
}

function warning(c: ContentOf<'warning'>): Draft {
  const sharp = c.severity === 'sharp';
  const body: Block[] = [
    p(`Op de volgende locatie was sprake van ${labelInText(c.category)}: ${c.location}. Volgens onze gegevens was u hiervoor verantwoordelijk.`),
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
      p(`Omdat u dit niet op tijd heeft opgelost, hebben wij het werk laten uitvoeren door een ${contractorNouns[c.category]}.${costs}`),
      p('Als huurder bent u verplicht zich aan de afspraken in uw huurovereenkomst te houden. Daarom geven wij u hierbij een officiële waarschuwing.'),
    );
  }
  body.push(p(`Dit is de ${ordinal(c.offenceNumber)} overtreding die wij bij u hebben vastgelegd.`));
  if (sharp) {
    body.push(
      p(
        'Dit is dus niet de eerste keer. Wij wijzen u er nadrukkelijk op dat verdere herhaling gevolgen kan hebben ' +
          'voor uw huurovereenkomst.',
      ),
    );
  }
  body.push(p('Wij rekenen erop dat u ervoor zorgt dat dit niet opnieuw gebeurt.'));
  return {
    subject: sharp ? `Ernstige waarschuwing (herhaling): ${label(c.category)}` : `Waarschuwing: ${label(c.category)}`,
    facts: [['Overtreding', `nummer ${c.offenceNumber}`]],
    body,
  };
}

function invoice(c: ContentOf<'invoice'>): Draft {
  const due = formatDutchDate(c.dueDate);
  return {
    subject: `Factuur ${c.invoiceNumber}: ${label(c.category)}`,
    facts: [
      ['Factuurnummer', c.invoiceNumber],
      ['Factuurdatum', formatDutchDate(c.issueDate)],
      ['Vervaldatum', due],
    ],
    body: [
      p(
        `Op de volgende locatie was sprake van ${labelInText(c.category)}: ${c.location}. ` +
          'Omdat dit niet op tijd is opgelost, hebben wij het werk laten uitvoeren. De kosten brengen wij bij u in rekening.',
      ),
      {
        type: 'table',
        head: ['Omschrijving', 'Bedrag', 'Btw-code'],
        rows: c.lines.map((line) => [line.description, formatEuro(line.amountCents), line.vatCode]),
        foot: ['Totaal', formatEuro(c.totalCents), ''],
        rightAligned: [1],
      },
      p(
        `Wilt u het totaalbedrag van ${formatEuro(c.totalCents)} uiterlijk op ${due} betalen? ` +
          `Vermeld bij uw betaling altijd factuurnummer ${c.invoiceNumber}.`,
      ),
      p(`Heeft u vragen over deze factuur of bent u het er niet mee eens? Neem dan contact met ons op en vermeld daarbij factuurnummer ${c.invoiceNumber}.`),
    ],
  };
}

function paymentReminder(c: ContentOf<'payment_reminder'>): Draft {
  const newDue = formatDutchDate(c.newDueDate);
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
      p(`Wilt u dit bedrag uiterlijk op ${newDue} betalen, onder vermelding van factuurnummer ${c.invoiceNumber}? Aan deze herinnering zijn geen kosten verbonden.`),
      p('Heeft u inmiddels betaald? Dan kunt u deze herinnering als niet verzonden beschouwen.'),
    ],
  };
}

function finalNotice(c: ContentOf<'final_notice'>): Draft {
  const finalDate = formatDutchDate(c.finalDate);
  const body: Block[] = [
    p(
      `Ondanks onze eerdere factuur en herinnering is factuur ${c.invoiceNumber} nog niet betaald. Er staat nog ${formatEuro(c.openCents)} open. ` +
        `Wij geven u een laatste termijn: betaal dit bedrag uiterlijk op ${finalDate}, onder vermelding van factuurnummer ${c.invoiceNumber}.`,
    ),
  ];
  if (c.collectionCostsCents > 0) {
    body.push(
      p(
        `Heeft u op ${finalDate} niet betaald, dan brengen wij incassokosten van ${formatEuro(c.collectionCostsCents)} bij u in rekening. ` +
          'Dit bedrag is berekend volgens de wettelijke staffel (Besluit vergoeding voor buitengerechtelijke incassokosten).',
      ),
    );
  }
  if (c.interestCents !== null && c.interestCents > 0) {
    body.push(p(`Daarnaast bent u de wettelijke rente verschuldigd; tot vandaag is dat ${formatEuro(c.interestCents)}.`));
  }
  body.push(p('Na die datum dragen wij de vordering over voor incasso. Bent u het niet eens met de factuur, of kunt u niet in één keer betalen? Neem dan vóór die datum contact met ons op.'));
  return {
    subject: `Laatste aanmaning factuur ${c.invoiceNumber}: betaal uiterlijk ${finalDate}`,
    facts: [
      ['Factuurnummer', c.invoiceNumber],
      ['Datum', formatDutchDate(c.letterDate)],
      ['Openstaand bedrag', formatEuro(c.openCents)],
      ['Uiterste betaaldatum', finalDate],
    ],
    body,
  };
}

function creditNote(c: ContentOf<'credit_note'>): Draft {
  const refund = c.refundDueCents > 0;
  return {
    subject: `Creditnota ${c.creditNoteNumber} bij factuur ${c.invoiceNumber}`,
    facts: [
      ['Creditnotanummer', c.creditNoteNumber],
      ['Factuurnummer', c.invoiceNumber],
      ['Datum', formatDutchDate(c.issueDate)],
      ['Bedrag', formatEuro(c.amountCents)],
      ...(refund ? ([['Terug te betalen aan u', formatEuro(c.refundDueCents)]] as [string, string][]) : []),
    ],
    body: [
      p(`Wij crediteren factuur ${c.invoiceNumber} voor ${formatEuro(c.amountCents)}. Reden: ${c.reason}.`),
      refund
        ? p(
            `U hoeft niets meer te betalen. U had op deze factuur al ${formatEuro(c.refundDueCents)} betaald; dat bedrag betalen wij aan u terug, ` +
              'op de rekening waarvan u betaalde. Is uw rekeningnummer sindsdien veranderd? Laat het ons dan weten.',
          )
        : p('U hoeft dit bedrag niet (meer) te betalen. Heeft u al betaald, dan nemen wij contact met u op over de terugbetaling.'),
    ],
  };
}

function serviceCostNotice(c: ContentOf<'service_cost_notice'>): Draft {
  const body: Block[] = [
    p(
      `In de gemeenschappelijke ruimte op de volgende locatie was sprake van ${labelInText(c.category)}: ${c.location}. ` +
        'Omdat niet bekend is wie dit heeft veroorzaakt en de ruimte niet op tijd in orde is gebracht, ' +
        `hebben wij het werk laten uitvoeren door een ${contractorNouns[c.category]}.`,
    ),
    p(
      `De kosten bedragen in totaal ${formatEuro(c.totalCents)}. Wij verdelen deze kosten over de ${c.households} huishoudens ` +
        `die gebruik kunnen maken van deze ruimte. Uw aandeel is ${formatEuro(c.shareCents)}. ` +
        'Dit bedrag brengen wij in rekening via de servicekosten.',
    ),
  ];
  if (c.totalCents % c.households !== 0) {
    body.push(p('Het totaalbedrag is niet precies deelbaar; daarom kunnen de aandelen van de huishoudens één cent verschillen.'));
  }
  body.push(p('Gemeenschappelijke ruimten zijn de gezamenlijke verantwoordelijkheid van alle bewoners. Helpt u mee om ze schoon te houden?'));
  return {
    subject: `Servicekosten: ${label(c.category)}, uw aandeel ${formatEuro(c.shareCents)}`,
    facts: [
      ['Totale kosten', formatEuro(c.totalCents)],
      ['Aantal huishoudens', String(c.households)],
      ['Uw aandeel', formatEuro(c.shareCents)],
    ],
    body,
  };
}

function neighboursNotice(c: ContentOf<'neighbours_notice'>): Draft {
  const body: Block[] = [
    p(`Onlangs was er sprake van ${labelInText(c.category)} op de volgende locatie: ${c.location}. Met deze brief laten wij u weten dat dit probleem is opgelost.`),
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
      body.push(p('Wij hebben het werk laten uitvoeren.'));
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
  return { subject: `Afgehandeld: ${label(c.category)}`, body };
}

function draft(c: LetterContent, o: RenderOptions): Draft {
  switch (c.kind) {
    case 'complainant_advice':
      return complainantAdvice(c);
    case 'complainant_acknowledgement':
      return complainantAcknowledgement(c);
    case 'formal_notice':
      return formalNotice(c, o);
    case 'collective_notice':
      return collectiveNotice(c);
    case 'reminder':
      return reminder(c, o);
    case 'work_order':
      return workOrder(c);
    case 'warning':
      return warning(c);
    case 'invoice':
      return invoice(c);
    case 'service_cost_notice':
      return serviceCostNotice(c);
    case 'neighbours_notice':
      return neighboursNotice(c);
    case 'payment_reminder':
      return paymentReminder(c);
    case 'final_notice':
      return finalNotice(c);
    case 'credit_note':
      return creditNote(c);
    default: {
      const unreachable: never = c;
      throw new Error(`unknown letter kind ${JSON.stringify(unreachable)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering

function salutation(name: string): string {
  const trimmed = name.trim();
  return trimmed === '' ? 'Geachte heer/mevrouw,' : `Geachte heer/mevrouw ${trimmed},`;
}

function addressLines(recipient: RecipientDetails): string[] {
  const lines = [recipient.name.trim()].filter((l) => l !== '');
  const a = recipient.address;
  if (a !== null) lines.push(`${a.street} ${a.houseNumber}`.trim(), `${a.postalCode}  ${a.city}`.trim());
  return lines;
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

function renderText(d: Draft, facts: Array<[string, string]>, recipient: RecipientDetails, corporationName: string): string {
  const parts: string[] = [];
  const address = addressLines(recipient);
  if (address.length > 0) parts.push(address.join('\n'));
  parts.push(textFacts(facts));
  parts.push(`Onderwerp: ${d.subject}`);
  parts.push(salutation(recipient.name));
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
  parts.push(`Met vriendelijke groet,\n\n${corporationName}`);
  return `${parts.join('\n\n')}\n`;
}

function htmlFacts(rows: Array<[string, string]>): string {
  const body = rows.map(([l, v]) => `<tr><th style="text-align:left;padding-right:1em">${escapeHtml(l)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  return `<table>${body}</table>`;
}

function htmlTable(b: Extract<Block, { type: 'table' }>): string {
  const cell = (tag: 'th' | 'td', value: string, i: number): string =>
    `<${tag} style="text-align:${b.rightAligned.includes(i) ? 'right' : 'left'};padding:0.2em 1em 0.2em 0">${escapeHtml(value)}</${tag}>`;
  const row = (r: string[], tag: 'th' | 'td'): string => `<tr>${r.map((v, i) => cell(tag, v, i)).join('')}</tr>`;
  return (
    '<table style="border-collapse:collapse">' +
    `<thead>${row(b.head, 'th')}</thead>` +
    `<tbody>${b.rows.map((r) => row(r, 'td')).join('')}</tbody>` +
    `<tfoot>${row(b.foot, 'th')}</tfoot>` +
    '</table>'
  );
}

function renderHtml(d: Draft, facts: Array<[string, string]>, recipient: RecipientDetails, corporationName: string): string {
  const parts: string[] = [];
  const address = addressLines(recipient);
  if (address.length > 0) parts.push(`<p>${address.map(escapeHtml).join('<br>')}</p>`);
  parts.push(htmlFacts(facts));
  parts.push(`<p><strong>Onderwerp: ${escapeHtml(d.subject)}</strong></p>`);
  parts.push(`<p>${escapeHtml(salutation(recipient.name))}</p>`);
  for (const b of d.body) {
    switch (b.type) {
      case 'p':
        parts.push(`<p>${escapeHtml(b.text)}</p>`);
        break;
      case 'link':
        parts.push(isWebUrl(b.url) ? `<p><a href="${escapeHtml(b.url)}">${escapeHtml(b.url)}</a></p>` : `<p>${escapeHtml(b.url)}</p>`);
        break;
      case 'facts':
        parts.push(htmlFacts(b.rows));
        break;
      case 'table':
        parts.push(htmlTable(b));
        break;
    }
  }
  parts.push(`<p>Met vriendelijke groet,<br><br>${escapeHtml(corporationName)}</p>`);
  return (
    '<!DOCTYPE html>\n<html lang="nl">\n<head><meta charset="utf-8"><title>' +
    escapeHtml(d.subject) +
    '</title></head>\n<body style="font-family:sans-serif;line-height:1.4">\n' +
    parts.join('\n') +
    '\n</body>\n</html>\n'
  );
}

export function renderLetter(content: LetterContent, recipient: RecipientDetails, options: RenderOptions): RenderedLetter {
  const c = letterContentSchema.parse(content);
  const d = draft(c, options);
  const facts: Array<[string, string]> = [['Ons kenmerk', c.incidentId], ...(d.facts ?? [])];
  return {
    subject: d.subject,
    text: renderText(d, facts, recipient, options.corporationName),
    html: renderHtml(d, facts, recipient, options.corporationName),
  };
}
