import type { FastifyInstance } from 'fastify';
import type { WorkspaceDeps } from '../deps';
import { apiOf } from '../api-client';
import { categoryLabel, dutchDate, dutchDateTime, euro } from '../dutch';
import { html } from '../html';
import { contextOf, sendPage } from '../layout';
import { refusalOf } from './team-review';

interface Duration {
  kind: 'workingDays' | 'iso';
  days: number | null;
  iso: string | null;
}

interface CategoryRule {
  category: string;
  handled: boolean;
  noticePeriod: Duration;
  reminderBefore: Duration;
  acceptCleanupReportWithoutInspection: boolean;
  fixedTariffCents: number | null;
  administrationFeeCents: number;
  vatCode: string;
  paymentTermDays: number;
  serviceCostsForUnknownPolluter: boolean;
  duplicateWindow: Duration;
  collectionCostsApply: boolean;
  statutoryInterest: boolean;
  ledgerAccount: string;
}

interface PolicyAnswer {
  categories: CategoryRule[];
  repeatOffenceWindowMonths: number;
  tenancyEscalationFromOffence: number;
  neighboursNoticeMinimumHouseholds: number;
  tenantLinkValidityDays: number;
  paymentReminderTermDays: number;
  postDeliveryWorkingDays: number;
  statutoryInterestRates: { from: string; percent: number }[];
}

interface RetentionAnswer {
  policy: { narrativeMonthsAfterClose: number; offenceMonths: number; billingYears: number };
  runs: { runId: string; ranAt: string; narrativesRemoved: number; photosRemoved: number; offencesRemoved: number; sessionsRemoved: number; billingAddresseesRemoved: number }[];
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** 'PT4S' -> '4 seconden', 'P2DT1H' -> '2 dagen en 1 uur'; working days as such. */
export function durationInDutch(d: Duration): string {
  if (d.kind === 'workingDays') return plural(d.days ?? 0, 'werkdag', 'werkdagen');
  const match = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/.exec(d.iso ?? '');
  if (!match) return d.iso ?? '';
  const [, w, days, h, m, s] = match;
  const parts = [
    w && plural(Number(w), 'week', 'weken'),
    days && plural(Number(days), 'dag', 'dagen'),
    h && plural(Number(h), 'uur', 'uur'),
    m && plural(Number(m), 'minuut', 'minuten'),
    s && plural(Number(s.replace(',', '.')), 'seconde', 'seconden'),
  ].filter((p): p is string => Boolean(p));
  return parts.length <= 1 ? (parts[0] ?? '0 seconden') : `${parts.slice(0, -1).join(', ')} en ${parts[parts.length - 1]}`;
}

export function registerAdminPolicy(app: FastifyInstance, deps: WorkspaceDeps): void {
  app.get('/app/beleid', { config: { access: { roles: ['admin', 'manager'] } }, schema: { hide: true } }, async (request, reply) => {
    const context = contextOf(request, deps.corporationName);
    const title = 'Beleid';
    const api = apiOf(app, request);
    const [answer, retention] = await Promise.all([api.get<PolicyAnswer>('/policy'), api.get<RetentionAnswer>('/retention')]);
    if (answer.status !== 200) return sendPage(reply, context, { title, body: html`<h1>${title}</h1>`, notices: [{ kind: 'bad', text: refusalOf(answer) }] }, answer.status);
    const p = answer.body;
    const handled = p.categories.filter((c) => c.handled);
    const notHandled = p.categories.filter((c) => !c.handled);
    const rate = p.statutoryInterestRates[p.statutoryInterestRates.length - 1];
    return sendPage(reply, context, {
      title,
      body: html`<h1>Beleid dat nu geldt</h1>
<p class="lead">Zo handelt het systeem meldingen af: de termijnen, herinneringen en kosten per soort melding. Het beleid staat in het beleidsbestand van de server; een wijziging geldt voor nieuwe meldingen.</p>
<h2>Per soort melding</h2>
<div class="table-scroll" tabindex="0" role="region" aria-label="Beleid per soort melding"><table class="stack-on-phone policy-table">
<caption class="visually-hidden">Termijnen, herinneringen en kosten per soort melding</caption>
<thead><tr><th scope="col">Soort</th><th scope="col">Termijn om op te ruimen</th><th scope="col">Herinnering</th><th scope="col">Kosten voor de vervuiler</th><th scope="col">Betalen binnen</th><th scope="col">Veroorzaker onbekend</th><th scope="col">Controle na opruimen</th></tr></thead>
<tbody>${handled.map(
        (c) => html`<tr>
  <th scope="row" data-label="Soort">${categoryLabel(c.category)}</th>
  <td data-label="Termijn om op te ruimen">${durationInDutch(c.noticePeriod)}</td>
  <td data-label="Herinnering">${durationInDutch(c.reminderBefore)} voor het einde van de termijn</td>
  <td data-label="Kosten voor de vervuiler">${c.fixedTariffCents === null ? 'de werkelijke kosten van de aannemer' : html`vast tarief ${euro(c.fixedTariffCents)}`}${
    c.administrationFeeCents > 0 ? html`, plus ${euro(c.administrationFeeCents)} administratiekosten` : ''
  }${c.collectionCostsApply ? '; na aanmaning incassokosten' : ''}${c.statutoryInterest ? ' en wettelijke rente' : ''} <span class="muted">(btw-code ${c.vatCode})</span></td>
  <td data-label="Betalen binnen">${plural(c.paymentTermDays, 'dag', 'dagen')}</td>
  <td data-label="Veroorzaker onbekend">${c.serviceCostsForUnknownPolluter ? 'via de servicekosten van de huishoudens' : 'kosten voor de corporatie'}</td>
  <td data-label="Controle na opruimen">${c.acceptCleanupReportWithoutInspection ? 'melding van de huurder volstaat' : 'woonconsulent controleert'}</td>
</tr>`,
      )}</tbody></table></div>
${notHandled.length > 0 ? html`<p>Niet in behandeling (de melder krijgt advies): ${notHandled.map((c) => categoryLabel(c.category)).join(', ')}.</p>` : ''}
<h2>Algemene regels</h2>
<dl class="facts">
  <dt>Herhaling</dt><dd>Een overtreding telt als herhaling binnen ${plural(p.repeatOffenceWindowMonths, 'maand', 'maanden')} na de vorige.</dd>
  <dt>Huurrechtelijke escalatie</dt><dd>Vanaf de ${p.tenancyEscalationFromOffence}e overtreding.</dd>
  <dt>Buren informeren</dt><dd>Alleen bij ${p.neighboursNoticeMinimumHouseholds} of meer huishoudens (anders wijst de brief één huishouden aan).</dd>
  <dt>Dubbele melding</dt><dd>${handled.length > 0 ? html`Een nieuwe melding van dezelfde soort in hetzelfde gebouw binnen ${durationInDutch(handled[0]!.duplicateWindow)} wordt aan de lopende gekoppeld.` : '–'}</dd>
  <dt>Link in de brief</dt><dd>${plural(p.tenantLinkValidityDays, 'dag', 'dagen')} geldig.</dd>
  <dt>Betalingsherinnering</dt><dd>Betalen binnen ${plural(p.paymentReminderTermDays, 'dag', 'dagen')}.</dd>
  <dt>Post</dt><dd>Een brief per post geldt als ontvangen ${plural(p.postDeliveryWorkingDays, 'werkdag', 'werkdagen')} na verzending.</dd>
  ${rate ? html`<dt>Wettelijke rente</dt><dd>${rate.percent.toLocaleString('nl-NL')}% per jaar sinds ${dutchDate(rate.from, false)}.</dd>` : ''}
</dl>
${retention.status === 200 ? retentionSection(retention.body) : ''}`,
    });
  });
}

/** What is kept how long (AVG), and what the daily retention run last removed. */
function retentionSection(r: RetentionAnswer) {
  const last = r.runs[0];
  return html`<h2 id="bewaartermijnen">Bewaartermijnen</h2>
<p>Persoonsgegevens worden niet langer bewaard dan nodig. Elke nacht verwijdert het systeem wat over de termijn is.</p>
<div class="table-scroll" tabindex="0" role="region" aria-label="Bewaartermijnen"><table class="stack-on-phone">
<caption class="visually-hidden">Wat het systeem hoe lang bewaart</caption>
<thead><tr><th scope="col">Gegevens</th><th scope="col">Bewaard</th><th scope="col">Daarna</th></tr></thead>
<tbody>
<tr><th scope="row" data-label="Gegevens">Omschrijving, notities, redenen en foto's van een melding</th><td data-label="Bewaard">${plural(r.policy.narrativeMonthsAfterClose, 'maand', 'maanden')} na het afsluiten</td><td data-label="Daarna">de sleutel wordt vernietigd: overal ‘[verwijderd]’; foto's gewist</td></tr>
<tr><th scope="row" data-label="Gegevens">Overtredingen van een huurder</th><td data-label="Bewaard">${plural(r.policy.offenceMonths, 'maand', 'maanden')} (de herhalingstermijn plus een marge)</td><td data-label="Daarna">telt en toont niet meer</td></tr>
<tr><th scope="row" data-label="Gegevens">Facturen, betalingen en de naam en het adres op de factuur</th><td data-label="Bewaard">${r.policy.billingYears} jaar na het jaar van de factuur (fiscale bewaarplicht)</td><td data-label="Daarna">naam en adres van een gewiste huurder verwijderd</td></tr>
<tr><th scope="row" data-label="Gegevens">Aanmeldsessies van medewerkers</th><td data-label="Bewaard">tot ze verlopen</td><td data-label="Daarna">verwijderd</td></tr>
</tbody></table></div>
${
  last
    ? html`<p>Laatst uitgevoerd op ${dutchDateTime(last.ranAt)}: ${plural(last.narrativesRemoved, 'melding', 'meldingen')} zonder omschrijving en notities, ${plural(last.photosRemoved, 'foto', "foto's")}, ${plural(last.offencesRemoved, 'overtreding', 'overtredingen')}, ${plural(last.sessionsRemoved, 'sessie', 'sessies')} en ${plural(last.billingAddresseesRemoved, 'factuuradres', 'factuuradressen')} verwijderd.</p>`
    : html`<p>Nog niet uitgevoerd.</p>`
}`;
}
