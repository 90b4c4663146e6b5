import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SupervisionReport } from '../../db/rounds';
import type { WorkspaceDeps } from '../deps';
import { apiOf, queryOf } from '../api-client';
import { dutchDate } from '../dutch';
import { dutchMonth, dutchPercent } from '../dutch-team';
import { html, type Html } from '../html';
import { contextOf, sendPage } from '../layout';
import { amsterdamToday, refusalOf } from './team-review';

const access = { access: { roles: ['manager', 'admin', 'consultant'] as const } };
const date = z.iso.date();
const periodQuery = z.object({ van: date.optional().catch(undefined), tot: date.optional().catch(undefined) });

export interface RecurrenceByRounds {
  months: number;
  withRounds: { judged: number; cameBack: number; rate: number | null };
  withoutRounds: { judged: number; cameBack: number; rate: number | null };
}

/** In the lasting-solution view: did it come back less where rounds were walked after the closing? */
export function recurrenceByRoundsSection(report: RecurrenceByRounds): Html {
  const row = (label: string, f: RecurrenceByRounds['withRounds']) =>
    html`<tr><th scope="row">${label}</th><td class="num" data-label="Beoordeeld">${f.judged}</td><td class="num" data-label="Kwam terug">${f.cameBack}</td><td class="num" data-label="Deel">${dutchPercent(f.rate)}</td></tr>`;
  return html`<section aria-labelledby="rondes-terugkeer"><h3 id="rondes-terugkeer">Met en zonder schouwrondes</h3>
<p>Van de afgesloten meldingen: kwam het binnen ${report.months} maanden terug, waar in die tijd een schouwronde in het complex is gelopen, en waar niet?</p>
<div class="table-scroll" tabindex="0" role="region" aria-label="Terugkeer met en zonder schouwrondes"><table class="stack-on-phone">
<thead><tr><th scope="col">Afgesloten meldingen</th><th scope="col" class="num">Beoordeeld</th><th scope="col" class="num">Kwam terug</th><th scope="col" class="num">Deel</th></tr></thead>
<tbody>${row('met schouwrondes', report.withRounds)}${row('zonder schouwrondes', report.withoutRounds)}</tbody></table></div>
</section>`;
}

/** The team's view of supervision: how much of the enforcement came from rounds rather than complaints, rounds on time, liveability per building. */
export function registerTeamSupervision(app: FastifyInstance, deps: WorkspaceDeps): void {
  app.get('/app/rapportages/toezicht', { config: access, schema: { hide: true } }, async (request, reply) => {
    const context = contextOf(request, deps.corporationName);
    const asked = periodQuery.parse(request.query ?? {});
    const to = asked.tot ?? amsterdamToday();
    const from = asked.van && asked.van <= to ? asked.van : `${Number(to.slice(0, 4)) - 1}${to.slice(4)}`;
    const api = apiOf(app, request);
    const [answer, recurrence] = await Promise.all([
      api.get<SupervisionReport>(`/reports/supervision${queryOf({ from, to })}`),
      api.get<RecurrenceByRounds>(`/reports/recurrence-by-rounds${queryOf({ from, to })}`),
    ]);
    const title = 'Toezicht';
    const failed = [answer, recurrence].find((a) => a.status !== 200);
    if (failed) return sendPage(reply, context, { title, body: html`<h1>${title}</h1>`, notices: [{ kind: 'bad', text: refusalOf(failed) }] }, failed.status);
    const r = answer.body;
    const buildings = [...new Set(r.liveability.map((l) => l.buildingId))];
    return sendPage(reply, context, {
      title,
      body: html`<h1>${title}: schouwrondes en klachten</h1>
<form class="filters" method="get" action="/app/rapportages/toezicht" aria-label="Periode">
  <div><label for="van">Van</label><input type="date" id="van" name="van" value="${from}"></div>
  <div><label for="tot">Tot en met</label><input type="date" id="tot" name="tot" value="${to}"></div>
  <div><button type="submit">Toon periode</button></div>
</form>
<p class="lead">Van ${dutchDate(from)} tot en met ${dutchDate(to)}: ${r.incidents.supervision} meldingen gevonden bij schouwrondes en ${r.incidents.complaint} na een klacht (${dutchPercent(r.incidents.supervisionShare)} door toezicht).</p>
<section aria-labelledby="bron"><h2 id="bron">Toezicht of klacht, per complex en maand</h2>
${
  r.incidents.byComplexAndMonth.length === 0
    ? html`<p class="muted">Geen meldingen in deze periode.</p>`
    : html`<div class="table-scroll" tabindex="0" role="region" aria-label="Toezicht of klacht, in cijfers"><table class="stack-on-phone">
<thead><tr><th scope="col">Complex</th><th scope="col">Maand</th><th scope="col" class="num">Schouwronde</th><th scope="col" class="num">Klacht</th></tr></thead>
<tbody>${r.incidents.byComplexAndMonth.map(
        (m) => html`<tr><th scope="row">${m.complexId}</th><td data-label="Maand">${dutchMonth(m.month)}</td><td class="num" data-label="Schouwronde">${m.supervision}</td><td class="num" data-label="Klacht">${m.complaint}</td></tr>`,
      )}</tbody></table></div>`
}
</section>
<section aria-labelledby="op-tijd"><h2 id="op-tijd">Rondes op tijd gelopen</h2>
${
  r.rounds.length === 0
    ? html`<p class="muted">Geen rondes in deze periode.</p>`
    : html`<div class="table-scroll" tabindex="0" role="region" aria-label="Rondes per complex"><table class="stack-on-phone">
<thead><tr><th scope="col">Complex</th><th scope="col" class="num">Gepland</th><th scope="col" class="num">Afgerond</th><th scope="col" class="num">Op tijd</th><th scope="col" class="num">Te laat geweest</th><th scope="col" class="num">Nog open</th></tr></thead>
<tbody>${r.rounds.map(
        (c) =>
          html`<tr><th scope="row">${c.complexId}</th><td class="num" data-label="Gepland">${c.due}</td><td class="num" data-label="Afgerond">${c.completed}</td><td class="num" data-label="Op tijd">${c.onTime} (${dutchPercent(c.onTimeShare)})</td><td class="num" data-label="Te laat geweest">${c.overdue}</td><td class="num" data-label="Nog open">${c.open}</td></tr>`,
      )}</tbody></table></div>`
}
</section>
<section aria-labelledby="leefbaarheid"><h2 id="leefbaarheid">Leefbaarheid per gebouw: ruimtes in orde per ronde</h2>
${
  buildings.length === 0
    ? html`<p class="muted">Nog geen afgeronde rondes in deze periode.</p>`
    : buildings.map(
        (b) => html`<h3>Gebouw ${b}</h3><ol class="trend">${r.liveability
          .filter((l) => l.buildingId === b)
          .map((l) => html`<li>${dutchDate(l.plannedDate)}: ${l.inOrder} van ${l.spaces} ruimtes in orde (${dutchPercent(l.inOrderShare)})</li>`)}</ol>`,
      )
}
</section>
${recurrenceByRoundsSection(recurrence.body)}`,
    });
  });
}
