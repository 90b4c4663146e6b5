/**
 * Finance's Dutch: invoice statuses and dunning stages, ages, the invoice's timeline, payment
 * sources, the reasons a bank line was not matched, and the API's refusals on finance's actions.
 */
import { dutchDate, euro, inDutch } from './dutch';

export const invoiceStatusLabels = { open: 'open', paid: 'betaald', credited: 'gecrediteerd' } as const;
export type InvoiceStatus = keyof typeof invoiceStatusLabels;

export const stageLabels: Record<string, string> = {
  issued: 'factuur verstuurd',
  reminded: 'herinnering verstuurd',
  final_notice: 'veertiendagenbrief verstuurd',
  collections: 'bij incasso',
};

export const ageLabels = {
  not_yet_due: 'Nog niet vervallen',
  '0-30': '0 tot en met 30 dagen over de vervaldatum',
  '31-60': '31 tot en met 60 dagen',
  '61-90': '61 tot en met 90 dagen',
  '90+': 'Meer dan 90 dagen',
  collections: 'Overgedragen aan incasso',
} as const;
export type InvoiceAge = keyof typeof ageLabels;

export const paymentSourceLabels: Record<string, string> = { manual: 'handmatig', csv: 'CSV-bestand', camt053: 'bankafschrift' };

export const resolutionLabels = { booked: 'geboekt op een factuur', not_ours: 'niet voor ons', refunded: 'terugbetaald' } as const;

export const letterKindLabels: Record<string, string> = {
  invoice: 'Factuur',
  payment_reminder: 'Betalingsherinnering',
  final_notice: 'Veertiendagenbrief',
  credit_note: 'Creditnota',
};

/** A date from the API ('2026-12-05') as 'zaterdag 5 december 2026'; anything else as it is. */
const day = (value: unknown) => (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? dutchDate(value) : String(value ?? ''));
const money = (value: unknown) => (typeof value === 'number' ? euro(value) : '');

/** What one event on an invoice's stream means, in a sentence. */
export function invoiceEventText(type: string, data: Record<string, unknown>): { title: string; text: string } {
  switch (type) {
    case 'InvoiceIssued':
      return { title: 'Factuur verstuurd', text: `${money(data.totalCents)}, te betalen uiterlijk ${day(data.dueDate)}.` };
    case 'PaymentRegistered':
      return {
        title: 'Betaling ontvangen',
        text: `${money(data.amountCents)} betaald op ${day(data.paidOn)} (${paymentSourceLabels[String(data.source)] ?? String(data.source)}${data.reference ? `, omschrijving: ${String(data.reference)}` : ''}).`,
      };
    case 'InvoicePaid':
      return {
        title: 'Volledig betaald',
        text: `Betaald op ${day(data.paidOn)}.${typeof data.overpaidCents === 'number' && data.overpaidCents > 0 ? ` Te veel betaald: ${euro(data.overpaidCents)}.` : ''}`,
      };
    case 'PaymentReminderSent':
      return { title: 'Herinnering verstuurd', text: `Nog open: ${money(data.openCents)}. Nieuwe uiterste betaaldatum: ${day(data.newDueDate)}.` };
    case 'FinalNoticeSent':
      return {
        title: 'Veertiendagenbrief verstuurd (aanmaning)',
        text: `Brief van ${day(data.letterDate)}, ontvangen op ${day(data.receivedDate)}. Nog open: ${money(data.openCents)}. Uiterste betaaldatum: ${day(data.finalDate)}; daarna komen er ${money(data.collectionCostsCents)} incassokosten bij.`,
      };
    case 'CollectionCostsAdded':
      return {
        title: 'Incassokosten toegevoegd',
        text: `${money(data.amountCents)} incassokosten${typeof data.interestCents === 'number' && data.interestCents > 0 ? ` en ${euro(data.interestCents)} wettelijke rente` : ''}, op ${day(data.addedOn)}.`,
      };
    case 'InvoiceHandedToCollections':
      return { title: 'Overgedragen aan incasso', text: `Op ${day(data.handedOverOn)}, met ${money(data.openCents)} open.` };
    case 'DunningPaused':
      return { title: 'Aanmanen gepauzeerd', text: `Op ${day(data.pausedOn)}: ${String(data.reason ?? '')}.` };
    case 'DunningResumed':
      return { title: 'Aanmanen hervat', text: `Op ${day(data.resumedOn)}. Nieuwe uiterste betaaldatum: ${day(data.payByDate)}.` };
    case 'InvoiceCredited':
      return {
        title: 'Gecrediteerd',
        text: `Creditnota ${String(data.creditNoteNumber ?? '')} van ${day(data.issueDate)} voor ${money(data.amountCents)}. Reden: ${String(data.reason ?? '')}.${
          typeof data.refundDueCents === 'number' && data.refundDueCents > 0 ? ` Al betaald en terug te betalen aan de huurder: ${euro(data.refundDueCents)}.` : ''
        }`,
      };
    case 'AttentionRequired':
      return { title: 'Wacht op actie', text: `Een stap (${String(data.step ?? '')}) lukte niet: ${String(data.reason ?? '')}` };
    case 'AttentionResolved':
      return { title: 'Actie afgerond', text: data.note ? `Toelichting: ${String(data.note)}` : 'De stap wordt opnieuw geprobeerd.' };
    default:
      return { title: type, text: '' };
  }
}

/** Why an imported line was not booked, in Dutch. */
export function unmatchedReasonInDutch(reason: string): string {
  const rules: [RegExp, (m: RegExpMatchArray) => string][] = [
    [/^no invoice number in the payment reference$/, () => 'Geen factuurnummer in de omschrijving.'],
    [/^ambiguous: several invoice numbers \((.+)\)$/, (m) => `Meer dan één factuurnummer in de omschrijving (${m[1]}).`],
    [/^no invoice (\S+)$/, (m) => `Factuur ${m[1]} bestaat niet.`],
    [/^invoice (\S+) is (paid|credited)$/, (m) => `Factuur ${m[1]} is al ${m[2] === 'paid' ? 'betaald' : 'gecrediteerd'}.`],
    [/^invoice (\S+) has been credited$/, (m) => `Factuur ${m[1]} is al gecrediteerd.`],
    [/^amount (\S+): a payment is more than 0 and at most (\S+)$/, (m) => `Bedrag ${m[1]}: een betaling is meer dan 0 en ten hoogste ${m[2]}.`],
    [/^a payment date cannot be in the future \(today is (\S+)\)/, (m) => `De boekdatum ligt in de toekomst (vandaag is het ${dutchDate(m[1]!)}).`],
    [/^paid before the invoice was issued \((\S+)\): invoice (\S+)$/, (m) => `Betaald vóór de factuurdatum van factuur ${m[2]} (${dutchDate(m[1]!)}).`],
  ];
  for (const [pattern, say] of rules) {
    const match = reason.match(pattern);
    if (match) return say(match);
  }
  return reason;
}

/** A refusal of one of finance's actions (a resolution, a credit, an upload), in Dutch with its reason. */
export function financeRefusal(detail: string, errors: { path: string; message: string }[] = []): string {
  const rules: [RegExp, (m: RegExpMatchArray) => string][] = [
    [
      /^the line was resolved before: (\w+)(?: to (\S+))? by (\S+) at (\S+)$/,
      (m) => `Deze regel is al afgehandeld: ${resolutionLabels[m[1] as keyof typeof resolutionLabels] ?? m[1]}${m[2] ? ` (factuur ${m[2]})` : ''}.`,
    ],
    [/^the line's reference was booked to invoice (\S+)$/, (m) => `Deze betaling is al geboekt op factuur ${m[1]}.`],
    [/^the line's amount cannot be booked as one payment/, () => 'Dit bedrag kan niet als één betaling worden geboekt.'],
    [/^the line cannot be booked yet: (.+)$/, (m) => `Deze regel kan nog niet worden geboekt: ${unmatchedReasonInDutch(m[1]!)}`],
    [/^no unmatched line (.+)$/, () => 'Deze regel staat niet (meer) op de werklijst.'],
    [/^the invoice is being credited$/, () => 'Deze factuur wordt al gecrediteerd.'],
    [/^invoice (\S+) has been credited$/, (m) => `Factuur ${m[1]} is al gecrediteerd.`],
    [/^the workflow of invoice (\S+) has not started yet/, () => 'De factuur wordt nog aangemaakt. Probeer het over een ogenblik opnieuw.'],
    [/^not a CAMT\.053 statement: (.+)$/, (m) => `Dit is geen leesbaar bankafschrift (CAMT.053): ${camtProblem(m[1]!)}. Kies het afschrift zoals de bank het levert.`],
    [/^camt\.053\.001\.(\d+) is not supported/, (m) => `Deze versie van het bankafschrift (camt.053.001.${m[1]}) wordt niet ondersteund; versie 02 tot en met 13 wel.`],
    [/^the CAMT\.053 document holds no <Stmt>$/, () => 'Dit bankafschrift bevat geen afschrift (geen <Stmt>).'],
    [/account (\S+) is held in (\S+); only EUR accounts/, (m) => `Rekening ${m[1]} is een rekening in ${m[2]}; alleen rekeningen in euro kunnen worden ingelezen.`],
  ];
  const unreadable = detail.match(/^the CSV cannot be read: (.+)$/);
  if (unreadable) {
    const line = errors[0]?.path.match(/^line (\d+)$/)?.[1];
    const why = /Quote Not Closed|Invalid Opening Quote|Invalid Closing Quote/i.test(unreadable[1]!) ? 'een aanhalingsteken staat verkeerd of wordt niet gesloten' : unreadable[1]!;
    return `Het CSV-bestand kan niet worden gelezen${line ? ` (regel ${line})` : ''}: ${why}.`;
  }
  for (const [pattern, say] of rules) {
    const match = detail.match(pattern);
    if (match) return say(match);
  }
  if (/^the request is invalid/.test(detail) && errors.length > 0) {
    const missing = errors.some((e) => /received undefined|^Required$/.test(e.message));
    return `Niet alle velden zijn goed ingevuld: ${errors.map((e) => `${fieldLabel(e.path)}: ${fieldMessage(e.message)}`).join('; ')}.${
      missing && errors.some((e) => e.path.startsWith('line ')) ? ' De kolommen van een betalingsbestand zijn invoiceNumber, amount, paidOn, reference en paymentId.' : ''
    }`;
  }
  if (/^the (body|request) /.test(detail) && errors.length > 0) return `Het bestand kon niet worden gelezen: ${errors.map((e) => e.message).join('; ')}.`;
  return inDutch(detail);
}

function camtProblem(problem: string): string {
  const rules: [RegExp, (m: RegExpMatchArray) => string][] = [
    [/^the input is empty$/, () => 'het bestand is leeg'],
    [/^not well-formed XML \(line (\d+), column (\d+)/, (m) => `het XML-bestand is beschadigd (regel ${m[1]}, kolom ${m[2]})`],
    [/^a DOCTYPE is not allowed$/, () => 'het bestand bevat een DOCTYPE, wat een afschrift nooit heeft'],
    [/^the root element is/, () => 'het is een ander soort XML-bestand'],
    [/^<Document> has no <BkToCstmrStmt>$/, () => 'het bestand bevat geen afschrift'],
  ];
  for (const [pattern, say] of rules) {
    const match = problem.match(pattern);
    if (match) return say(match);
  }
  return `het bestand kon niet worden gelezen (${problem})`;
}

function fieldLabel(path: string): string {
  const line = path.match(/^line (\d+): (\w+)$/);
  if (line) return `regel ${line[1]} (${fieldLabel(`body.${line[2]}`)})`;
  const labels: Record<string, string> = {
    'body.invoiceNumber': 'factuurnummer',
    'body.note': 'toelichting',
    'body.reason': 'reden',
    'body.amount': 'bedrag',
    'body.paidOn': 'betaaldatum',
    'body.paymentId': 'betalingskenmerk',
    'body.reference': 'omschrijving',
    body: 'bestand',
  };
  return labels[path] ?? path;
}

function fieldMessage(message: string): string {
  const rules: [RegExp, (m: RegExpMatchArray) => string][] = [
    [/^no invoice (\S+)$/, (m) => `factuur ${m[1]} bestaat niet`],
    [/^expected an invoice number/, () => 'vul een factuurnummer in zoals 2026-000123'],
    [/^the line was paid before the invoice was issued \((\S+)\)$/, (m) => `de betaling is van vóór de factuurdatum (${dutchDate(m[1]!)})`],
    [/^Too small|^String must contain at least|^required$|at least 1 character/i, () => 'verplicht'],
    [/^a payment is more than 0/, () => 'een betaling is meer dan € 0,00'],
    [/in the future/, () => 'de datum ligt in de toekomst'],
    [/before the invoice was issued/, () => 'de betaling is van vóór de factuurdatum'],
    [/^the same payment id as line (\d+)/, (m) => `hetzelfde kenmerk als regel ${m[1]}`],
    [/received undefined|^Required$/, () => 'ontbreekt'],
    [/^at most (\d+) characters$/, (m) => `ten hoogste ${m[1]} tekens`],
    [/^expected euros/, () => 'vul een bedrag in euro in, zoals 187,50'],
  ];
  for (const [pattern, say] of rules) {
    const match = message.match(pattern);
    if (match) return say(match);
  }
  return message;
}
