/**
 * The consultant's pages in Dutch: the work queue, the search, the incident page with its timeline
 * and its actions. Texts live here, in one place; the pages only put them together.
 */
import type { z } from 'zod';
import type { incidentDetailSchema, incidentSchema } from '../api/schemas';
import type { Role } from '../config/config';
import { parseEvent, type DomainEvent } from '../domain/events';
import type { LetterKind } from '../domain/letters';
import { categoryLabel, dutchDate, euro, outcomeLabels, roleLabels } from './dutch';

/** An incident as the API lists it, and as it shows one. */
export type IncidentSummary = z.infer<typeof incidentSchema>;
export type IncidentDetail = z.infer<typeof incidentDetailSchema>;

/** 'vervuild trappenhuis' -> 'Vervuild trappenhuis'. */
export const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

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
  foundMany: (n: number, q: string | undefined) =>
    `Meer dan ${n.toLocaleString('nl-NL')} meldingen gevonden${q ? ` voor ‘${q}’` : ''}. Maak de zoekopdracht preciezer of kies een filter.`,
  noNumber: 'zonder nummer',
  contract: 'contractnummer',
} as const;

// ---------------------------------------------------------------------------------------------
// The incident page: who did what, when
// ---------------------------------------------------------------------------------------------

/** Who acted, as a person reads it: the name of a signed-in person, else what the actor is. */
export function actorLabel(actor: string | null, actorName: string | null): string {
  if (actorName) return actorName;
  if (!actor || actor === 'system') return 'automatisch';
  const [kind, rest] = [actor.slice(0, actor.indexOf(':')), actor.slice(actor.indexOf(':') + 1)];
  if (actor.indexOf(':') < 0) return `aannemer ${actor}`;
  if (kind === 'tenant') return `huurder ${rest}`;
  if (kind === 'person') return rest;
  if (kind in roleLabels) return `${roleLabels[kind as Role]} (via een koppeling)`;
  return actor;
}

const tenant = (id: string) => `huurder ${id}`;
const monthNames = ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'];
/** '2026-10' -> 'oktober 2026'. */
const monthLabel = (month: string) => `${monthNames[Number(month.slice(5, 7)) - 1] ?? month.slice(5, 7)} ${month.slice(0, 4)}`;
const quoted = (text: string | null | undefined) => (text && text.trim() !== '' ? `‘${text.trim()}’` : null);

const attentionSteps: Record<string, string> = {
  'deliver letters': 'het versturen van de brieven',
  'record the report': 'het vastleggen van de melding',
};
export const attentionStep = (step: string) => attentionSteps[step] ?? step;

/** One event of the timeline in plain Dutch: what happened, and what it said (a reason, a note) where it said something. */
export function describeEvent(type: string, data: unknown): { what: string; said: string | null } {
  let event: DomainEvent;
  try {
    event = parseEvent(type, data);
  } catch {
    return { what: type, said: null };
  }
  const say = (what: string, said: string | null = null) => ({ what, said });
  switch (event.type) {
    case 'IncidentReported': {
      const d = event.data;
      return say(
        `${d.source === 'supervision' ? 'Gevonden bij een schouwronde' : 'Melding gedaan'}: ${categoryLabel(d.category)}, ${d.location}${d.polluterTenantId ? `; veroorzaker ${tenant(d.polluterTenantId)}` : '; veroorzaker onbekend'}`,
        quoted(d.description),
      );
    }
    case 'ReportReturnedToComplainant':
      return say('Teruggelegd bij de melder: de corporatie pakt deze soort melding niet op; de melder kreeg advies');
    case 'ComplainantAcknowledged':
      return say('Ontvangstbevestiging naar de melder gestuurd');
    case 'DuplicateReportLinked':
      return say('Nog een melding over dezelfde plek ontvangen en hieraan gekoppeld', quoted(event.data.description));
    case 'PolluterNotified':
      return say(`Ingebrekestelling verstuurd aan ${tenant(event.data.tenantId)}: opruimen uiterlijk ${dutchDate(event.data.deadlineDate)}`);
    case 'CollectiveNoticeSent':
      return say(`Brief verstuurd aan alle ${event.data.households.length} huishoudens die de ruimte gebruiken: opruimen uiterlijk ${dutchDate(event.data.deadlineDate)}`);
    case 'ReminderSent':
      return say('Herinnering verstuurd');
    case 'DeadlineMoved':
      return say(`Termijn verschoven naar ${dutchDate(event.data.deadlineDate)}, omdat de brief later wegging dan gepland`);
    case 'LetterPosted':
      return say(`Brief op de post gedaan op ${dutchDate(event.data.postedOn)}`);
    case 'CleanupReported':
      return say(event.data.by === 'tenant' ? 'Opruiming gemeld door de huurder' : 'Opruiming gemeld door de woonconsulent', quoted(event.data.note));
    case 'InspectionRecorded':
      if (event.data.acceptedFromReport) return say('Schoon: de melding van de opruiming is zonder controle aanvaard');
      return say(event.data.result === 'clean' ? 'Gecontroleerd: schoon' : 'Gecontroleerd: niet schoon', quoted(event.data.note));
    case 'PolluterIdentified':
      return say(`Veroorzaker bekend: ${tenant(event.data.tenantId)}`);
    case 'DisputeOpened':
      return say(event.data.by === 'tenant' ? 'Bezwaar gemaakt door de huurder' : 'Bezwaar ingediend door de woonconsulent', quoted(event.data.reason));
    case 'DisputeResolved':
      return say(event.data.decision === 'upheld' ? 'Bezwaar gegrond verklaard: de melding vervalt' : 'Bezwaar ongegrond verklaard', quoted(event.data.note));
    case 'CleanupOrdered':
      return say(`Werkorder ${event.data.workOrderNumber} gestuurd naar aannemer ${event.data.contractorId}`);
    case 'CleanupCompleted':
      return say(
        `Schoongemaakt door aannemer ${event.data.contractorId}: ${euro(event.data.costCents)}${event.data.tariffApplied ? ' (vast tarief)' : ''}`,
        quoted(event.data.note ?? null),
      );
    case 'WarningIssued':
      return say(
        `${event.data.severity === 'sharp' ? 'Scherpe waarschuwing' : 'Waarschuwing'} verstuurd aan ${tenant(event.data.tenantId)} (overtreding nummer ${event.data.offenceNumber})`,
      );
    case 'TenancyEscalationFlagged':
      return say(`Gemarkeerd voor vervolgstappen in de huurrelatie: overtreding nummer ${event.data.offenceNumber} van ${tenant(event.data.tenantId)}`);
    case 'InvoiceIssued':
      return say(`Factuur ${event.data.invoiceNumber} verstuurd aan ${tenant(event.data.debtorTenantId)}: ${euro(event.data.totalCents)}, te betalen uiterlijk ${dutchDate(event.data.dueDate)}`);
    case 'ServiceCostsAllocated':
      return say(`Kosten van ${euro(event.data.totalCents)} via de servicekosten verdeeld over ${event.data.allocations.length} huishoudens`);
    case 'CostBorneByCorporation':
      return say(`Kosten van ${euro(event.data.costCents)} voor rekening van de corporatie`);
    case 'NeighboursInformed':
      return say(`Buren laten weten dat het is opgelost (${event.data.households} huishoudens)`);
    case 'NeighboursNoticeSuppressed':
      return say(`Geen bericht aan de buren: met ${event.data.households} huishoudens (minder dan ${event.data.minimum}) zou het naar één huishouden wijzen`);
    case 'IncidentCancelled':
      return say('Geannuleerd', quoted(event.data.reason));
    case 'PaymentRegistered':
      return say(`Betaling van ${euro(event.data.amountCents)} ontvangen op ${dutchDate(event.data.paidOn)}`);
    case 'InvoicePaid':
      return say(`Factuur ${event.data.invoiceNumber} is helemaal betaald`);
    case 'PaymentReminderSent':
      return say(`Betalingsherinnering verstuurd: nog ${euro(event.data.openCents)} te betalen, uiterlijk ${dutchDate(event.data.newDueDate)}`);
    case 'FinalNoticeSent':
      return say(
        `Veertiendagenbrief verstuurd: ${euro(event.data.openCents)} uiterlijk ${dutchDate(event.data.finalDate)} betalen, anders komen er ${euro(event.data.collectionCostsCents)} incassokosten bij`,
      );
    case 'CollectionCostsAdded':
      return say(`Incassokosten van ${euro(event.data.amountCents)} toegevoegd`);
    case 'FinalDateMoved':
      return say(`Uiterste betaaldatum verschoven naar ${dutchDate(event.data.finalDate)}, omdat de brief later wegging dan gepland`);
    case 'InvoiceHandedToCollections':
      return say(`Factuur ${event.data.invoiceNumber} uit handen gegeven aan het incassobureau: ${euro(event.data.openCents)} open`);
    case 'DunningPaused':
      return say(`Bezwaar tegen factuur ${event.data.invoiceNumber}: de aanmaningen staan stil`, quoted(event.data.reason));
    case 'DunningResumed':
      return say(`Bezwaar tegen de factuur afgewezen: de aanmaningen lopen weer; betalen uiterlijk ${dutchDate(event.data.payByDate)}`);
    case 'InvoiceCredited':
      return say(`Factuur ${event.data.invoiceNumber} gecrediteerd met creditnota ${event.data.creditNoteNumber} (${euro(event.data.amountCents)})`, quoted(event.data.reason));
    case 'IncidentClosed':
      return say(`Afgesloten: ${outcomeLabels[event.data.outcome]}`);
    case 'AttentionRequired':
      return say(`Vastgelopen bij ${attentionStep(event.data.step)}: wacht op actie`, quoted(event.data.reason));
    case 'AttentionResolved':
      return say('Opgelost: de stap wordt opnieuw geprobeerd', quoted(event.data.note));
    // The team's case review (its own stream, review-<month>): shown where it names this incident.
    case 'CaseReviewConclusionRecorded':
      return say(`Besproken in het casusoverleg van ${monthLabel(event.data.month)}: conclusie`, quoted(event.data.conclusion));
    case 'CaseReviewAgreementMade':
      return say(`Afspraak in het casusoverleg van ${monthLabel(event.data.month)}: ${event.data.owner}, uiterlijk ${dutchDate(event.data.dueDate)}`, quoted(event.data.text));
    case 'CaseReviewAgreementDone':
      return say(`Afspraak uit het casusoverleg van ${monthLabel(event.data.month)} nagekomen`, quoted(event.data.note));
    // A supervision round (its own stream, round-<id>): shown where its finding became this incident.
    case 'RoundFindingRecorded':
      return say(`Bevinding bij de schouwronde ${event.data.roundId}: ${categoryLabel(event.data.category)} in gebouw ${event.data.buildingId}`);
    case 'RoundScheduled':
    case 'RoundSpaceInOrder':
    case 'RoundPaused':
    case 'RoundResumed':
    case 'RoundOverdue':
    case 'RoundCompleted':
      return say(`Schouwronde ${event.data.roundId}`);
    case 'OffenceExpired':
      return say(`Overtreding ${event.data.offenceNumber} van ${tenant(event.data.tenantId)} vervallen: de bewaartermijn is voorbij`);
    case 'TenantErased':
      return say(`Persoonsgegevens van ${tenant(event.data.tenantId)} gewist`);
    default: {
      const unknown: never = event;
      return say((unknown as { type: string }).type);
    }
  }
}

export const letterKindLabels: Record<LetterKind, string> = {
  complainant_advice: 'Advies aan de melder',
  complainant_acknowledgement: 'Ontvangstbevestiging aan de melder',
  formal_notice: 'Ingebrekestelling',
  collective_notice: 'Brief aan de bewoners',
  reminder: 'Herinnering',
  work_order: 'Werkorder',
  warning: 'Waarschuwing',
  invoice: 'Factuur',
  service_cost_notice: 'Bericht over de servicekosten',
  neighbours_notice: 'Bericht aan de buren',
  payment_reminder: 'Betalingsherinnering',
  final_notice: 'Veertiendagenbrief',
  credit_note: 'Creditnota',
};

/** The letters that are also a PDF (GET /letters/:letterId/pdf): the financial documents. */

export const channelLabels: Record<string, string> = { email: 'per e-mail', print: 'per post', pending: 'wordt verstuurd' };

export const incidentTexts = {
  title: (number: string | null) => (number ? `Melding ${number}` : 'Melding'),
  facts: 'Gegevens',
  stand: 'Stand',
  reported: 'Gemeld',
  place: 'Plaats',
  polluter: 'Veroorzaker',
  unknownPolluter: 'onbekend: de bewoners van het gebouw zijn aangeschreven',
  noPolluterYet: 'onbekend',
  dispute: 'Bezwaar',
  disputeLabels: { none: 'geen', open: 'wacht op beslissing', upheld: 'gegrond verklaard', rejected: 'ongegrond verklaard' } as Record<string, string>,
  contractor: 'Aannemer',
  cost: 'Kosten',
  invoice: 'Factuur',
  duplicates: 'Meer meldingen over deze plek',
  escalation: 'Let op',
  escalationText: 'derde overtreding of meer: bespreek vervolgstappen in de huurrelatie',
  attention: 'Wacht op actie',
  actions: 'Wat u nu kunt doen',
  noActions: 'Er is nu niets te doen: het systeem handelt de volgende stap af.',
  closedNoActions: 'Deze melding is afgesloten; er is niets meer te doen.',
  inspect: {
    title: 'Controle vastleggen',
    lead: 'Bent u ter plaatse geweest? Leg vast wat u zag.',
    note: 'Opmerking (niet verplicht)',
    clean: 'Schoon',
    notClean: 'Niet schoon',
  },
  identify: {
    title: 'Veroorzaker vastleggen',
    lead: 'Weet u wie het heeft veroorzaakt? Dan krijgt die huurder een ingebrekestelling met een eigen termijn.',
    label: 'Contractnummer van de huurder',
    hint: 'Zoals het in het adresboek staat, bijvoorbeeld A-12.',
    button: 'Veroorzaker vastleggen',
    missing: 'Vul het contractnummer in.',
  },
  decide: {
    title: 'Beslissen over het bezwaar',
    onInvoice: (n: string) => `Het bezwaar gaat over factuur ${n}: gegrond betekent dat de factuur wordt gecrediteerd.`,
    onIncident: 'Gegrond betekent dat de melding vervalt; ongegrond betekent dat de termijnen weer lopen.',
    reason: 'Het bezwaar',
    note: 'Toelichting op uw beslissing',
    upheld: 'Gegrond',
    rejected: 'Ongegrond',
    noteMissing: 'Geef een toelichting bij uw beslissing.',
  },
  cancel: {
    title: 'Melding annuleren',
    reason: 'Reden',
    hint: 'Bijvoorbeeld: dubbel gemeld, of bij controle bleek er niets aan de hand.',
    button: 'Melding annuleren',
    confirm: 'Weet u zeker dat u deze melding wilt annuleren?',
    reasonMissing: 'Geef een reden op.',
  },
  resolve: {
    title: 'Oorzaak opgelost',
    lead: (step: string, reason: string) => `Vastgelopen bij ${step}: ${reason}`,
    hint: 'Heeft u de oorzaak weggenomen (bijvoorbeeld het adresboek verbeterd)? Dan probeert het systeem de stap opnieuw.',
    note: 'Wat heeft u gedaan? (niet verplicht)',
    button: 'Opgelost, probeer opnieuw',
  },
  deadlines: 'Termijnen',
  noDeadlines: 'Er lopen geen termijnen meer.',
  cleanupBy: 'Opruimen uiterlijk',
  endOfDay: 'tot het einde van de dag',
  reminderAt: 'Herinnering gaat uit',
  payBy: (n: string) => `Factuur ${n} betalen uiterlijk`,
  paused: 'de aanmaningen staan stil zolang het bezwaar loopt',
  timeline: 'Tijdlijn',
  timelineLead: 'Wat er met deze melding is gebeurd, oudste eerst.',
  letters: 'Brieven',
  noLetters: 'Er zijn nog geen brieven verstuurd.',
  letterTo: { tenant: 'aan huurder', contractor: 'aan aannemer' } as Record<string, string>,
  readLetter: 'Lees de brief',
  pdf: 'PDF',
  done: {
    clean: 'Vastgelegd: de ruimte is schoon. De melding wordt nu afgehandeld.',
    not_clean: 'Vastgelegd: de ruimte is niet schoon. De termijn loopt door.',
    upheld: 'Vastgelegd: het bezwaar is gegrond.',
    rejected: 'Vastgelegd: het bezwaar is ongegrond.',
    cancelled: 'De melding is geannuleerd.',
    identified: 'Vastgelegd: de veroorzaker is bekend. Die huurder krijgt een ingebrekestelling.',
    resolved: 'Vastgelegd: de oorzaak is opgelost. Het systeem probeert de stap opnieuw.',
  } as Record<string, string>,
  refusedTitle: 'Dat kon niet',
} as const;
