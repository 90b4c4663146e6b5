import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { LastingSolutions } from '../../db/reviews';
import type { Summary, Hotspots } from '../../db/reports';
import type { Outcome } from '../../domain/events';
import type { WorkspaceDeps } from '../deps';
import { apiOf, queryOf } from '../api-client';
import { dutchDate, euro, outcomeLabels } from '../dutch';
import { dutchMonth, dutchPercent } from '../dutch-team';
import { html, type Html } from '../html';
import { contextOf, sendPage, type Notice } from '../layout';
import { barChart, seriesColours } from '../team-charts';
import { amsterdamToday, refusalOf } from './team-review';
import { recurrenceByRoundsSection, type RecurrenceByRounds } from './team-supervision';

const access = { access: { roles: ['manager', 'admin'] as const } };

const date = z.iso.date();
const periodQuery = z.object({ van: date.optional().catch(undefined), tot: date.optional().catch(undefined) });

function addMonths(day: string, n: number): string {
  const total = Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7)) - 1 + n;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}-01`;
}

/** The period asked for, or the last twelve months up to today. */
function periodOf(query: unknown): { from: string; to: string; notices: Notice[] } {
  const asked = periodQuery.parse(query ?? {});
  const today = amsterdamToday();
  const to = asked.tot ?? today;
  const from = asked.van ?? addMonths(to, -11);
  if (from > to) return { from: to, to: from, notices: [{ kind: 'warn', text: 'De begindatum lag na de einddatum; de data zijn omgedraaid.' }] };
  return { from, to, notices: [] };
}

const pct = (part: number, whole: number) => (whole === 0 ? '–' : dutchPercent(part / whole));

export function registerTeamReports(app: FastifyInstance, deps: WorkspaceDeps): void {
  app.get('/app/rapportages', { config: access, schema: { hide: true } }, async (request, reply) => {
    const context = contextOf(request, deps.corporationName);
    const { from, to, notices } = periodOf(request.query);
    const api = apiOf(app, request);
    const [summaryAnswer, hotspotsAnswer, lastingAnswer, recurrenceAnswer] = await Promise.all([
      api.get<Summary>(`/reports/summary${queryOf({ from, to })}`),
      api.get<Hotspots>(`/reports/hotspots${queryOf({ from: from.slice(0, 7), to: to.slice(0, 7), limit: 10 })}`),
      api.get<LastingSolutions>(`/reports/lasting-solutions${queryOf({ from, to })}`),
      api.get<RecurrenceByRounds>(`/reports/recurrence-by-rounds${queryOf({ from, to })}`),
    ]);
    const failed = [summaryAnswer, hotspotsAnswer, lastingAnswer, recurrenceAnswer].find((a) => a.status !== 200);
    const title = 'Rapportages';
    if (failed) return sendPage(reply, context, { title, body: html`<h1>${title}</h1>`, notices: [{ kind: 'bad', text: refusalOf(failed) }] }, failed.status);
    const csvQuery = queryOf({ van: from, tot: to });
    return sendPage(reply, context, {
      title,
      notices,
      body: html`<h1>${title}</h1>
<form class="filters" method="get" action="/app/rapportages" aria-label="Periode">
  <div><label for="van">Van</label><input type="date" id="van" name="van" value="${from}"></div>
  <div><label for="tot">Tot en met</label><input type="date" id="tot" name="tot" value="${to}"></div>
  <div><button type="submit">Toon periode</button></div>
</form>
<p class="lead">Meldingen van ${dutchDate(from)} tot en met ${dutchDate(to)}.</p>
<nav aria-label="Op deze pagina"><ul><li><a href="#samenvatting">Samenvatting</a></li><li><a href="#blijvend">Blijvende oplossing</a></li><li><a href="#brandhaarden">Brandhaarden</a></li><li><a href="/app/rapportages/toezicht${csvQuery}">Toezicht: schouwrondes en klachten</a></li></ul></nav>
${summarySection(summaryAnswer.body, csvQuery)}
${lastingSection(lastingAnswer.body, csvQuery)}
${recurrenceByRoundsSection(recurrenceAnswer.body)}
${hotspotsSection(hotspotsAnswer.body)}`,
    });
  });

  // The CSV downloads, through the API as the person.
  for (const [path, api, fallback] of [
    ['/app/rapportages/samenvatting.csv', '/reports/summary', 'samenvatting.csv'],
    ['/app/rapportages/blijvende-oplossing.csv', '/reports/lasting-solutions', 'blijvende-oplossing.csv'],
  ] as const) {
    app.get(path, { config: access, schema: { hide: true } }, async (request, reply) => {
      const { from, to } = periodOf(request.query);
      const answer = await apiOf(app, request).get<string>(`${api}${queryOf({ from, to, format: 'csv', ...(api === '/reports/summary' ? { groupBy: 'month' } : {}) })}`);
      if (answer.status !== 200) {
        const context = contextOf(request, deps.corporationName);
        return sendPage(reply, context, { title: 'Rapportages', body: html`<h1>Rapportages</h1>`, notices: [{ kind: 'bad', text: refusalOf(answer) }] }, answer.status);
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${fallback.replace('.csv', `-${from}-${to}.csv`)}"`)
        .header('cache-control', 'no-store')
        .send(answer.body);
    });
  }
}

function summarySection(summary: Summary, csvQuery: string): Html {
  const t = summary.total;
  const rows: [string, number][] = [
    ['zelf opgeruimd', t.selfResolved],
    [outcomeLabels.cleaned_and_charged, t.cleanedByCorporation.charged],
    [outcomeLabels.cleaned_at_service_cost, t.cleanedByCorporation.serviceCosts],
    [outcomeLabels.cleaned_at_corporation_cost, t.cleanedByCorporation.ownCost],
    ['vervallen (bezwaar gegrond)', t.dismissed],
    [outcomeLabels.returned_to_complainant, t.returnedToComplainant],
    ['geannuleerd', t.cancelled],
    ['nog lopend', t.open],
  ];
  return html`<section aria-labelledby="samenvatting"><h2 id="samenvatting">Samenvatting</h2>
<ul class="cards">
  <li class="card"><h3>Gemeld</h3><span class="count">${t.reported}</span> meldingen</li>
  <li class="card"><h3>Zelf opgelost</h3><span class="count">${dutchPercent(t.selfResolutionRate)}</span> van de ${t.handled} afgehandelde</li>
  <li class="card"><h3>Doorlooptijd</h3><span class="count">${t.workingDaysToClose.median ?? '–'}</span> werkdagen (mediaan); 9 op de 10 binnen ${t.workingDaysToClose.p90 ?? '–'}</li>
  <li class="card warn"><h3>Kosten</h3><span class="count">${euro(t.costs.incurredCents)}</span> gemaakt; ${euro(t.costs.invoicedCents)} in rekening gebracht, ${euro(t.costs.recoveredCents)} ontvangen, ${euro(t.costs.outstandingCents)} staat open</li>
  <li class="card bad"><h3>Herhaling</h3><span class="count">${t.repeatOffences}</span> herhaalde overtredingen; ${t.tenancyEscalations} huurrechtelijke escalaties</li>
</ul>
<figure class="chart-block">
<figcaption>Hoe meldingen afliepen</figcaption>
${barChart({
  id: 'uitkomsten',
  title: 'Hoe meldingen afliepen',
  description: rows.map(([label, n]) => `${label}: ${n}`).join('; '),
  series: [{ name: 'meldingen', colour: seriesColours[0] }],
  groups: rows.map(([label, n]) => ({ label, values: [n], texts: [String(n)] })),
})}
</figure>
<div class="table-scroll" tabindex="0" role="region" aria-label="Uitkomsten in cijfers"><table>
<caption>Uitkomsten in cijfers</caption>
<thead><tr><th scope="col">Uitkomst</th><th scope="col" class="num">Meldingen</th><th scope="col" class="num">Aandeel</th></tr></thead>
<tbody>${rows.map(([label, n]) => html`<tr><th scope="row">${label}</th><td class="num">${n}</td><td class="num">${pct(n, t.reported)}</td></tr>`)}</tbody>
</table></div>
<p><a class="button secondary" href="/app/rapportages/samenvatting.csv${csvQuery}" download>Samenvatting per maand downloaden (CSV)</a></p>
</section>`;
}

const lastingLabels: Record<string, string> = {
  self_cleaned: 'vervuiler ruimde zelf op',
  cleaned_and_charged: 'schoongemaakt, vervuiler betaalde',
  cleaned_at_service_cost: 'schoongemaakt via servicekosten',
  cleaned_at_corporation_cost: 'schoongemaakt op eigen kosten',
  dismissed: 'vervallen (bezwaar gegrond)',
};

function lastingSection(report: LastingSolutions, csvQuery: string): Html {
  const rows = [...report.outcomes.map((o) => ({ label: lastingLabels[o.outcome] ?? outcomeLabels[o.outcome as Outcome], ...o })), { label: 'alle uitkomsten', ...report.total }];
  const cell = (h: { judged: number; cameBack: number; rate: number | null }) =>
    h.judged === 0 ? html`<span class="muted">nog niet te beoordelen</span>` : html`${dutchPercent(h.rate)} <span class="muted">(${h.cameBack} van ${h.judged})</span>`;
  return html`<section aria-labelledby="blijvend"><h2 id="blijvend">Blijvende oplossing</h2>
<p>Van de meldingen die in deze periode zijn afgesloten: hoe vaak kwam er binnen 3, 6 of 12 maanden een nieuwe melding van dezelfde soort in hetzelfde gebouw? Lager is beter. Een melding telt pas mee voor een termijn als die termijn voorbij is (gekeken op ${dutchDate(report.asOf)}).</p>
<figure class="chart-block">
<figcaption>Kwam terug, per afloop (percentage van de afgesloten meldingen)</figcaption>
${barChart({
  id: 'blijvend-grafiek',
  title: 'Kwam terug binnen 3, 6 en 12 maanden, per afloop',
  description: rows.map((r) => `${r.label}: ${r.horizons.map((h) => `${h.months} maanden ${dutchPercent(h.rate)}`).join(', ')}`).join('; '),
  series: report.total.horizons.map((h, i) => ({ name: `binnen ${h.months} maanden`, colour: seriesColours[i] ?? seriesColours[0] })),
  groups: rows.map((r) => ({ label: r.label, values: r.horizons.map((h) => h.rate), texts: r.horizons.map((h) => dutchPercent(h.rate)) })),
  max: 1,
})}
</figure>
<div class="table-scroll" tabindex="0" role="region" aria-label="Kwam terug, in cijfers"><table class="lasting-table stack-on-phone">
<caption>Kwam terug, in cijfers</caption>
<thead><tr><th scope="col">Afloop</th><th scope="col" class="num">Afgesloten</th>${report.total.horizons.map((h) => html`<th scope="col" class="num">Terug binnen ${h.months} maanden</th>`)}</tr></thead>
<tbody>${rows.map(
  (r) =>
    html`<tr><th scope="row">${r.label}</th><td class="num" data-label="Afgesloten">${r.closed}</td>${r.horizons.map(
      (h) => html`<td class="num" data-label="Terug binnen ${h.months} maanden">${cell(h)}</td>`,
    )}</tr>`,
)}</tbody>
</table></div>
<p><a class="button secondary" href="/app/rapportages/blijvende-oplossing.csv${csvQuery}" download>Blijvende oplossing downloaden (CSV)</a></p>
</section>`;
}

const trendLabels = { up: 'meer', down: 'minder', same: 'gelijk', new: 'nieuw' } as const;

function hotspotsSection(report: Hotspots): Html {
  const top = report.complexes.slice(0, 10);
  const period = report.from === report.to ? dutchMonth(report.from) : `${dutchMonth(report.from)} tot en met ${dutchMonth(report.to)}`;
  return html`<section aria-labelledby="brandhaarden"><h2 id="brandhaarden">Brandhaarden</h2>
<p>Complexen met de meeste meldingen per huishouden in ${period}, naast de even lange periode ervoor (${dutchMonth(report.previousFrom)} tot en met ${dutchMonth(report.previousTo)}).</p>
${
  top.length === 0
    ? html`<p>Geen meldingen in deze periode.</p>`
    : html`<figure class="chart-block">
<figcaption>Meldingen per complex, deze en de vorige periode</figcaption>
${barChart({
  id: 'brandhaarden-grafiek',
  title: 'Meldingen per complex, deze en de vorige periode',
  description: top.map((h) => `${h.key}: ${h.incidents} (was ${h.previousIncidents})`).join('; '),
  series: [
    { name: 'deze periode', colour: seriesColours[2] },
    { name: 'vorige periode', colour: seriesColours[0] },
  ],
  groups: top.map((h) => ({ label: h.key, values: [h.incidents, h.previousIncidents], texts: [String(h.incidents), String(h.previousIncidents)] })),
})}
</figure>
<div class="table-scroll" tabindex="0" role="region" aria-label="Brandhaarden in cijfers"><table class="stack-on-phone">
<caption>Brandhaarden in cijfers</caption>
<thead><tr><th scope="col">Complex</th><th scope="col" class="num">Huishoudens</th><th scope="col" class="num">Meldingen</th><th scope="col" class="num">Per 100 huishoudens</th><th scope="col" class="num">Vorige periode</th><th scope="col">Trend</th></tr></thead>
<tbody>${top.map(
        (h) => html`<tr><th scope="row" data-label="Complex">${h.key}</th><td class="num" data-label="Huishoudens">${h.households}</td><td class="num" data-label="Meldingen">${h.incidents}</td><td class="num" data-label="Per 100 huishoudens">${
          h.incidentsPerHousehold === null ? '–' : (Math.round(h.incidentsPerHousehold * 1000) / 10).toLocaleString('nl-NL')
        }</td><td class="num" data-label="Vorige periode">${h.previousIncidents}</td><td data-label="Trend">${trendLabels[h.trend]} (${h.change > 0 ? '+' : ''}${h.change})</td></tr>`,
      )}</tbody>
</table></div>`
}
</section>`;
}
