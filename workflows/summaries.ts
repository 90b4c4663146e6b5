import { amsterdamDate, amsterdamOffsetMinutes, formatDutchDate } from '../domain/calendar';
import { formatEuro } from '../domain/money';
import type { IncidentState } from '../domain/incident';
import type { InvoiceState } from '../domain/invoice';
import { categoryLabels, type Category } from '../domain/categories';

/**
 * One-line summaries for operators in the Temporal UI (Dutch, as the corporation speaks): on the
 * workflow when it starts, and on each timer, what it waits for. They travel encrypted like every
 * payload; still they hold no names or descriptions, only numbers, places in the directory and dates.
 */

/** E.g. '7 december 2026 09.00' (Europe/Amsterdam). */
const amsterdamTime = (instant: string) => {
  const at = new Date(instant);
  const local = new Date(at.getTime() + amsterdamOffsetMinutes(at) * 60_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${formatDutchDate(amsterdamDate(at))} ${two(local.getUTCHours())}.${two(local.getUTCMinutes())}`;
};

export function incidentWorkflowSummary(input: { incidentNumber?: string; category: Category; complexId: string; buildingId: string }): string {
  return `Melding ${input.incidentNumber ?? '(zonder nummer)'}: ${categoryLabels[input.category]}, complex ${input.complexId}, gebouw ${input.buildingId}`;
}

export function incidentWorkflowDetails(input: { incidentId: string; incidentNumber?: string; category: Category; complexId: string; buildingId: string; location: string; reportedAt: string }): string {
  return [
    `**Melding ${input.incidentNumber ?? '(zonder nummer)'}** (${input.incidentId})`,
    `- soort: ${categoryLabels[input.category]}`,
    `- complex ${input.complexId}, gebouw ${input.buildingId}: ${input.location}`,
    `- gemeld: ${amsterdamTime(input.reportedAt)}`,
  ].join('\n');
}

/** What an incident's timer waits for: the reminder, the deadline of the cleanup, or another moment. */
export function incidentTimerSummary(state: IncidentState, until: string): string {
  const of = state.status !== 'none' && state.facts.incidentNumber ? ` (melding ${state.facts.incidentNumber})` : '';
  if (state.status === 'open' && state.reminderAt !== null && Date.parse(state.reminderAt) === Date.parse(until)) return `Herinnering ${amsterdamTime(until)}${of}`;
  if (state.status === 'open' && state.deadline !== null && state.deadlineDate !== null && Date.parse(state.deadline) === Date.parse(until)) {
    return `Deadline schoonmaak ${formatDutchDate(state.deadlineDate)}${of}`;
  }
  return `Volgende stap ${amsterdamTime(until)}${of}`;
}

export function invoiceWorkflowSummary(invoice: { invoiceNumber: string; incidentNumber?: string | null; totalCents: number; dueDate: string }): string {
  return `Factuur ${invoice.invoiceNumber}${invoice.incidentNumber ? ` bij melding ${invoice.incidentNumber}` : ''}: ${formatEuro(invoice.totalCents)}, te betalen uiterlijk ${formatDutchDate(invoice.dueDate)}`;
}

/** What an invoice's timer waits for: the dunning step that follows the date the current stage asks payment by. */
export function invoiceTimerSummary(state: InvoiceState): string {
  if (state.status !== 'open') return `Factuur ${state.invoiceNumber}`;
  const next = { issued: 'Betalingsherinnering', reminded: 'Veertiendagenbrief', final_notice: 'Incasso', collections: 'Incasso' }[state.stage];
  return `${next} als factuur ${state.invoiceNumber} na ${formatDutchDate(state.payByDate)} niet betaald is`;
}
