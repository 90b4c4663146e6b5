import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { categories } from '../../domain/policy';
import type { WorkspaceDeps } from '../deps';
import { apiOf, queryOf } from '../api-client';
import { categoryLabel, dutchDateTime, inDutch, outcomeLabels, phaseLabels } from '../dutch';
import { attrs, html } from '../html';
import { contextOf, sendPage, type Notice } from '../layout';
import { searchTexts } from '../dutch-consultant';
import type { Outcome } from '../../domain/events';
import type { Phase } from '../../domain/incident';

const PAGE_SIZE = 25;

const filtersSchema = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  phase: z.enum(['reported', 'awaiting_cleanup', 'cleanup_reported', 'cleanup_ordered', 'settling']).optional().catch(undefined),
  dispute: z.enum(['open']).optional().catch(undefined),
  deadlineFrom: z.iso.date().optional().catch(undefined),
  deadlineTo: z.iso.date().optional().catch(undefined),
  status: z.enum(['open', 'closed', 'needs_attention']).optional().catch(undefined),
  category: z.enum(categories).optional().catch(undefined),
  complexId: z.string().trim().max(100).optional().catch(undefined),
  buildingId: z.string().trim().max(100).optional().catch(undefined),
  from: z.iso.date().optional().catch(undefined),
  to: z.iso.date().optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).default(1).catch(1),
});

const openPhases = ['reported', 'awaiting_cleanup', 'cleanup_reported', 'cleanup_ordered', 'settling'] as const;

const statusLabels = { open: 'Lopend', closed: 'Afgesloten', needs_attention: 'Wacht op actie' } as const;

/** The incidents, filtered and paged: the list every consultant, manager and admin can look through. */
export function registerIncidentList(app: FastifyInstance, deps: WorkspaceDeps): void {
  app.get('/app/meldingen', { config: { access: { roles: ['consultant', 'manager', 'admin'] } }, schema: { hide: true } }, async (request, reply) => {
    const context = contextOf(request, deps.corporationName);
    const filters = filtersSchema.parse(request.query ?? {});
    const { page, ...query } = filters;
    // One character finds too much to be a search: said, and the list shown without it.
    const tooShort = query.q !== undefined && query.q.length === 1;
    const asked = tooShort ? { ...query, q: undefined } : query;
    const answer = await apiOf(app, request).get(`/incidents${queryOf({ ...asked, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE })}`);
    const refused = answer.status !== 200 ? inDutch(String(answer.body?.detail ?? answer.status)) : null;
    const { incidents, total, totalIsAtLeast } = refused
      ? { incidents: [], total: 0, totalIsAtLeast: false }
      : (answer.body as { incidents: IncidentRow[]; total: number; totalIsAtLeast?: boolean });
    const notices: Notice[] = [
      ...(tooShort ? [{ kind: 'warn' as const, text: searchTexts.tooShort }] : []),
      ...(refused ? [{ kind: 'bad' as const, text: refused }] : []),
    ];
    const only = [
      filters.dispute === 'open' ? searchTexts.onlyDisputes : null,
      filters.deadlineFrom || filters.deadlineTo ? searchTexts.onlyDeadlines(filters.deadlineFrom, filters.deadlineTo) : null,
    ].filter((text): text is string => text !== null);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const pageLink = (n: number) => `/app/meldingen${queryOf({ ...query, page: n === 1 ? undefined : n })}`;
    const option = (value: string, label: string, selected: string | undefined) => html`<option${attrs({ value, selected: value === selected })}>${label}</option>`;
    return sendPage(reply, context, {
      title: 'Meldingen',
      notices,
      body: html`<h1>Meldingen</h1>
<form class="filters" method="get" action="/app/meldingen" role="search" aria-label="${searchTexts.formLabel}">
  <div class="search-field"><label for="q">${searchTexts.label}</label><span class="hint" id="q-hint">${searchTexts.hint}</span><input type="search" id="q" name="q" aria-describedby="q-hint" autocomplete="off"${attrs({ value: filters.q })}></div>
  ${filters.dispute ? html`<input type="hidden" name="dispute" value="${filters.dispute}">` : ''}
  ${filters.deadlineFrom ? html`<input type="hidden" name="deadlineFrom" value="${filters.deadlineFrom}">` : ''}
  ${filters.deadlineTo ? html`<input type="hidden" name="deadlineTo" value="${filters.deadlineTo}">` : ''}
  <div><label for="status">Status</label><select id="status" name="status">${option('', 'Alle', filters.status)}${Object.entries(statusLabels).map(([v, l]) => option(v, l, filters.status))}</select></div>
  <div><label for="phase">${searchTexts.phase}</label><select id="phase" name="phase">${option('', searchTexts.anyPhase, filters.phase)}${openPhases.map((v) => option(v, phaseLabels[v], filters.phase))}</select></div>
  <div><label for="category">Soort</label><select id="category" name="category">${option('', 'Alle soorten', filters.category)}${categories.map((c) => option(c, categoryLabel(c), filters.category))}</select></div>
  <div><label for="complexId">Complex</label><input type="text" id="complexId" name="complexId"${attrs({ value: filters.complexId })}></div>
  <div><label for="buildingId">Gebouw of portiek</label><input type="text" id="buildingId" name="buildingId"${attrs({ value: filters.buildingId })}></div>
  <div><label for="from">Gemeld vanaf</label><input type="date" id="from" name="from"${attrs({ value: filters.from })}></div>
  <div><label for="to">Gemeld tot en met</label><input type="date" id="to" name="to"${attrs({ value: filters.to })}></div>
  <div><button type="submit">Toon meldingen</button></div>
</form>
${only.length > 0 ? html`<p>${only.join(' ')} <a href="/app/meldingen${queryOf({ q: filters.q })}">${searchTexts.allIncidents}</a></p>` : ''}
<p role="status">${totalIsAtLeast ? searchTexts.foundMany(total, asked.q) : html`${searchTexts.found(total, asked.q)}${total > 0 && pages > 1 ? `, pagina ${page} van ${pages}` : ''}.`}</p>
${
  incidents.length > 0
    ? html`<div class="table-scroll"><table class="stack-on-phone">
<caption class="muted">Nieuwste melding eerst</caption>
<thead><tr><th scope="col">Nummer</th><th scope="col">Gemeld</th><th scope="col">Soort</th><th scope="col">Plaats</th><th scope="col">Stand</th></tr></thead>
<tbody>${incidents.map(
        (i) => html`<tr>
  <td data-label="Nummer"><a href="/app/meldingen/${i.incidentId}">${i.incidentNumber ?? searchTexts.noNumber}</a></td>
  <td data-label="Gemeld">${dutchDateTime(i.reportedAt)}</td>
  <td data-label="Soort">${categoryLabel(i.category)}</td>
  <td data-label="Plaats">${i.location} <span class="muted">(${i.complexId}, ${i.buildingId})</span>${i.polluterTenantId ? html`<br><span class="muted">${searchTexts.contract} ${i.polluterTenantId}</span>` : ''}</td>
  <td data-label="Stand">${standOf(i)}</td>
</tr>`,
      )}</tbody></table></div>`
    : ''
}
${
  pages > 1
    ? html`<nav class="pager" aria-label="Pagina's">${page > 1 ? html`<a href="${pageLink(page - 1)}" rel="prev">Vorige pagina</a>` : html`<span></span>`}${
        page < pages ? html`<a href="${pageLink(page + 1)}" rel="next">Volgende pagina</a>` : ''
      }</nav>`
    : ''
}`,
    });
  });
}

interface IncidentRow {
  incidentId: string;
  incidentNumber: string | null;
  polluterTenantId: string | null;
  category: string;
  complexId: string;
  buildingId: string;
  location: string;
  status: 'open' | 'closed';
  phase: string;
  outcome: string | null;
  reportedAt: string;
  attention: { step: string; reason: string } | null;
}

function standOf(incident: IncidentRow) {
  if (incident.attention) return html`<span class="tag bad">wacht op actie</span>`;
  if (incident.status === 'closed') return html`<span class="tag">${outcomeLabels[incident.outcome as Outcome] ?? 'afgesloten'}</span>`;
  return html`<span class="tag ok">${phaseLabels[incident.phase as Phase] ?? incident.phase}</span>`;
}
