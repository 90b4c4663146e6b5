import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Agreement, ReviewCaseRow } from '../../db/reviews';
import type { Outcome } from '../../domain/events';
import type { Phase } from '../../domain/incident';
import type { WorkspaceDeps } from '../deps';
import { apiOf, queryOf, type ApiAnswer } from '../api-client';
import { categoryLabel, dutchDate, dutchDateTime, inDutch, outcomeLabels, phaseLabels } from '../dutch';
import { dutchMonth, reviewReasonLabels, teamInDutch, urgentReasons } from '../dutch-team';
import { attrs, html, type Html } from '../html';
import { contextOf, csrfField, sendPage, type Notice, type PageContext } from '../layout';

const team = { access: { roles: ['manager', 'consultant'] as const } };
const teamForm = { access: { roles: ['manager', 'consultant'] as const, csrf: 'form' as const } };

const monthPattern = /^\d{4}-(0[1-9]|1[0-2])$/;
const monthSchema = z.string().regex(monthPattern);

/** This month in Amsterdam. */
function thisMonth(now = new Date()): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit' }).format(now).slice(0, 7);
}
/** Today in Amsterdam (YYYY-MM-DD). */
export const amsterdamToday = (now = new Date()) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Amsterdam' }).format(now);
function shiftMonth(month: string, n: number): string {
  const total = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + n;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}

const fieldLabels: Record<string, string> = {
  'body.conclusion': 'Conclusie',
  'body.text': 'Wat is afgesproken',
  'body.owner': 'Wie voert het uit',
  'body.dueDate': 'Uiterlijk',
  'body.caseId': 'Casus',
};

/** A refusal of the API in Dutch, with the fields it names. */
export function refusalOf(answer: ApiAnswer): string {
  const detail = String(answer.body?.detail ?? '');
  const fields = Array.isArray(answer.body?.errors) ? (answer.body.errors as { path: string }[]).map((e) => fieldLabels[e.path]).filter(Boolean) : [];
  const text = teamInDutch(detail) ?? inDutch(detail);
  return fields.length > 0 ? `${text} Controleer: ${[...new Set(fields)].join(', ')}.` : text;
}

const fieldOf = (body: unknown, name: string): string => {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
};

function standOf(c: ReviewCaseRow) {
  if (c.status === 'closed') return outcomeLabels[c.outcome as Outcome] ?? 'afgesloten';
  return phaseLabels[c.phase as Phase] ?? c.phase;
}

function agreementItem(a: Agreement, context: PageContext, back: string): Html {
  const late = a.done === null && a.dueDate < amsterdamToday();
  return html`<li>
  <strong>${a.text}</strong> · ${a.owner} · uiterlijk ${dutchDate(a.dueDate)} ${late ? html`<span class="tag bad">te laat</span>` : ''}
  <span class="muted">(afgesproken door ${a.madeByName})</span>
  ${
    a.done
      ? html`<span class="tag ok">gedaan</span> <span class="muted">${a.done.byName}, ${dutchDateTime(a.done.at)}</span>`
      : html`<form method="post" action="/app/casusoverleg/afspraken/${a.agreementId}/gedaan" class="inline">${csrfField(context)}<input type="hidden" name="terug" value="${back}"><button type="submit" class="secondary">Markeer als gedaan<span class="visually-hidden">: ${a.text}</span></button></form>`
  }
</li>`;
}

function agreementForm(context: PageContext, month: string, key: string, caseId: string | null, values: Record<string, string>): Html {
  const id = (name: string) => `${name}-${key}`;
  return html`<form method="post" action="/app/casusoverleg/${month}/afspraak" class="stack agreement-form">
  ${csrfField(context)}
  ${caseId ? html`<input type="hidden" name="caseId" value="${caseId}">` : ''}<input type="hidden" name="agreementId" value="${values.agreementId ?? randomUUID()}">
  <fieldset><legend>${caseId ? 'Nieuwe afspraak over deze casus' : 'Nieuwe afspraak over de aanpak'}</legend>
  <div class="fields">
    <div><label for="${id('wat')}">Wat is afgesproken</label><input type="text" id="${id('wat')}" name="text" required maxlength="2000"${attrs({ value: values.text })}></div>
    <div><label for="${id('wie')}">Wie voert het uit</label><input type="text" id="${id('wie')}" name="owner" required maxlength="200"${attrs({ value: values.owner ?? context.person?.name })}></div>
    <div><label for="${id('tot')}">Uiterlijk</label><input type="date" id="${id('tot')}" name="dueDate" required${attrs({ value: values.dueDate })}></div>
  </div>
  <button type="submit">Afspraak vastleggen</button>
  </fieldset>
</form>`;
}

interface ReviewAnswer {
  month: string;
  from: string;
  to: string;
  total: number;
  cases: ReviewCaseRow[];
  agreements: Agreement[];
}

async function renderReview(
  app: FastifyInstance,
  deps: WorkspaceDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  month: string,
  options: { notices?: Notice[]; status?: number; values?: { key: string; fields: Record<string, string> } } = {},
) {
  const context = contextOf(request, deps.corporationName);
  const title = `Casusoverleg ${dutchMonth(month)}`;
  const answer = await apiOf(app, request).get<ReviewAnswer>(`/reviews/${month}?limit=200`);
  if (answer.status !== 200) {
    return sendPage(reply, context, { title, body: html`<h1>${title}</h1>`, notices: [{ kind: 'bad', text: refusalOf(answer) }] }, answer.status);
  }
  const review = answer.body;
  const back = `/app/casusoverleg?maand=${month}`;
  const byCase = new Map<string, Agreement[]>();
  for (const a of review.agreements) if (a.caseId) byCase.set(a.caseId, [...(byCase.get(a.caseId) ?? []), a]);
  const general = review.agreements.filter((a) => a.caseId === null);
  const valuesFor = (key: string) => (options.values?.key === key ? options.values.fields : {});
  const discussed = review.cases.filter((c) => c.conclusion !== null).length;
  return sendPage(
    reply,
    context,
    {
      title,
      notices: options.notices,
      body: html`<h1>${title}</h1>
<form class="filters" method="get" action="/app/casusoverleg" aria-label="Maand kiezen">
  <div><label for="maand">Maand</label><input type="month" id="maand" name="maand" value="${month}" min="2000-01" max="2999-12" pattern="\\d{4}-\\d{2}"></div>
  <div><button type="submit">Toon maand</button></div>
  <div class="month-steps"><a href="/app/casusoverleg?maand=${shiftMonth(month, -1)}">Vorige maand</a> · <a href="/app/casusoverleg?maand=${shiftMonth(month, 1)}">Volgende maand</a></div>
</form>
<p role="status">${
        review.total === 0
          ? `Geen casussen om te bespreken in ${dutchMonth(month)}.`
          : `${review.total} ${review.total === 1 ? 'casus' : 'casussen'} op de agenda, gemeld van ${dutchDate(review.from, false)} tot en met ${dutchDate(review.to, false)}; ${discussed} besproken.`
      }</p>
<p><a href="/app/casusoverleg/afspraken">Alle afspraken, open eerst</a></p>
${review.total > review.cases.length ? html`<p class="notice warn">De eerste ${review.cases.length} casussen staan hieronder; bekijk de rest in de meldingenlijst.</p>` : ''}
<ol class="review-cases">${review.cases.map((c, i) => {
        const key = `c${i + 1}`;
        const values = valuesFor(key);
        return html`<li class="review-case" id="casus-${c.incidentId}">
  <h2>${categoryLabel(c.category)}: ${c.location}</h2>
  <p class="reasons"><span class="visually-hidden">Waarom op de agenda: </span>${c.reasons.map((r) => html`<span class="tag ${urgentReasons.includes(r) ? 'bad' : 'warn'}">${reviewReasonLabels[r]}</span> `)}</p>
  <dl class="facts">
    <dt>Melding</dt><dd><a href="/app/meldingen/${c.incidentId}">${c.incidentId}</a>, gemeld ${dutchDateTime(c.reportedAt)}</dd>
    <dt>Plaats</dt><dd>complex ${c.complexId}, ${c.buildingId}</dd>
    <dt>Stand</dt><dd>${standOf(c)}</dd>
    <dt>Conclusie</dt><dd>${c.conclusion ? html`${c.conclusion.text} <span class="muted">(${c.conclusion.byName}, ${dutchDateTime(c.conclusion.recordedAt)})</span>` : html`<span class="muted">nog niet besproken</span>`}</dd>
  </dl>
  ${(byCase.get(c.incidentId) ?? []).length > 0 ? html`<h3>Afspraken</h3><ul class="agreements">${(byCase.get(c.incidentId) ?? []).map((a) => agreementItem(a, context, `${back}#casus-${c.incidentId}`))}</ul>` : ''}
  <details${attrs({ open: options.values?.key === key })}><summary>Conclusie of afspraak vastleggen<span class="visually-hidden"> voor ${c.location}</span></summary>
  <form method="post" action="/app/casusoverleg/${month}/conclusie" class="stack">
    ${csrfField(context)}<input type="hidden" name="caseId" value="${c.incidentId}"><input type="hidden" name="key" value="${key}">
    <div><label for="conclusie-${key}">Conclusie van het overleg</label><textarea id="conclusie-${key}" name="conclusion" required maxlength="4000">${values.conclusion ?? c.conclusion?.text ?? ''}</textarea></div>
    <button type="submit">Conclusie vastleggen</button>
  </form>
  ${agreementForm(context, month, key, c.incidentId, values)}
  </details>
</li>`;
      })}</ol>
<h2>Afspraken over de aanpak</h2>
${general.length > 0 ? html`<ul class="agreements">${general.map((a) => agreementItem(a, context, back))}</ul>` : html`<p class="muted">Nog geen algemene afspraken in dit overleg.</p>`}
${agreementForm(context, month, 'algemeen', null, valuesFor('algemeen'))}`,
    },
    options.status,
  );
}

export function registerTeamReview(app: FastifyInstance, deps: WorkspaceDeps): void {
  app.get('/app/casusoverleg', { config: team, schema: { hide: true } }, async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const asked = monthSchema.safeParse(query.maand);
    const month = asked.success ? asked.data : thisMonth();
    const notices: Notice[] = [];
    if (query.maand !== undefined && !asked.success) notices.push({ kind: 'warn', text: 'Die maand kennen we niet; u ziet deze maand. Kies een maand als jjjj-mm.' });
    if (query.vastgelegd === 'conclusie') notices.push({ kind: 'ok', text: 'De conclusie is vastgelegd.' });
    if (query.vastgelegd === 'afspraak') notices.push({ kind: 'ok', text: 'De afspraak is vastgelegd.' });
    if (query.vastgelegd === 'gedaan') notices.push({ kind: 'ok', text: 'De afspraak is afgerond.' });
    return renderReview(app, deps, request, reply, month, { notices });
  });

  app.post<{ Params: { month: string } }>('/app/casusoverleg/:month/conclusie', { config: teamForm, schema: { hide: true } }, async (request, reply) => {
    const month = monthSchema.safeParse(request.params.month);
    if (!month.success) return reply.callNotFound();
    const caseId = fieldOf(request.body, 'caseId');
    const key = fieldOf(request.body, 'key');
    const conclusion = fieldOf(request.body, 'conclusion');
    const answer = await apiOf(app, request).post(`/reviews/${month.data}/conclusions`, { caseId, conclusion });
    if (answer.status === 200) return reply.redirect(`/app/casusoverleg?maand=${month.data}&vastgelegd=conclusie#casus-${encodeURIComponent(caseId)}`, 303);
    return renderReview(app, deps, request, reply, month.data, { notices: [{ kind: 'bad', text: refusalOf(answer) }], status: answer.status, values: { key, fields: { conclusion } } });
  });

  app.post<{ Params: { month: string } }>('/app/casusoverleg/:month/afspraak', { config: teamForm, schema: { hide: true } }, async (request, reply) => {
    const month = monthSchema.safeParse(request.params.month);
    if (!month.success) return reply.callNotFound();
    const caseId = fieldOf(request.body, 'caseId') || null;
    const fields = { text: fieldOf(request.body, 'text'), owner: fieldOf(request.body, 'owner'), dueDate: fieldOf(request.body, 'dueDate') };
    const agreementId = /^[0-9a-f-]{36}$/.test(fieldOf(request.body, 'agreementId')) ? fieldOf(request.body, 'agreementId') : undefined;
    const answer = await apiOf(app, request).post(`/reviews/${month.data}/agreements`, { caseId, agreementId, ...fields });
    if (answer.status === 201 || answer.status === 200) {
      return reply.redirect(`/app/casusoverleg?maand=${month.data}&vastgelegd=afspraak${caseId ? `#casus-${encodeURIComponent(caseId)}` : ''}`, 303);
    }
    const review = await apiOf(app, request).get<ReviewAnswer>(`/reviews/${month.data}?limit=200`);
    const index = caseId && review.status === 200 ? review.body.cases.findIndex((c) => c.incidentId === caseId) : -1;
    return renderReview(app, deps, request, reply, month.data, {
      notices: [{ kind: 'bad', text: refusalOf(answer) }],
      status: answer.status,
      values: { key: index >= 0 ? `c${index + 1}` : 'algemeen', fields: { ...fields, ...(agreementId ? { agreementId } : {}) } },
    });
  });

  app.post<{ Params: { id: string } }>('/app/casusoverleg/afspraken/:id/gedaan', { config: teamForm, schema: { hide: true } }, async (request, reply) => {
    const answer = await apiOf(app, request).post(`/reviews/agreements/${encodeURIComponent(request.params.id)}/done`, {});
    const back = fieldOf(request.body, 'terug');
    const target = back.startsWith('/app/casusoverleg') ? back : '/app/casusoverleg/afspraken';
    if (answer.status === 200) {
      const [path, hash] = target.split('#');
      const sep = path!.includes('?') ? '&' : '?';
      return reply.redirect(`${path}${sep}vastgelegd=gedaan${hash ? `#${hash}` : ''}`, 303);
    }
    return renderAgreements(app, deps, request, reply, {}, { notices: [{ kind: 'bad', text: refusalOf(answer) }], status: answer.status });
  });

  app.get('/app/casusoverleg/afspraken', { config: team, schema: { hide: true } }, async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const notices: Notice[] = query.vastgelegd === 'gedaan' ? [{ kind: 'ok', text: 'De afspraak is afgerond.' }] : [];
    return renderAgreements(app, deps, request, reply, query, { notices });
  });
}

const PAGE_SIZE = 50;
const listQuery = z.object({
  status: z.enum(['open', 'done', 'all']).default('all').catch('all'),
  pagina: z.coerce.number().int().min(1).max(10_000).default(1).catch(1),
});
const statusLabels = { all: 'Alle afspraken', open: 'Open', done: 'Gedaan' } as const;

async function renderAgreements(
  app: FastifyInstance,
  deps: WorkspaceDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  query: Record<string, unknown>,
  options: { notices?: Notice[]; status?: number },
) {
  const context = contextOf(request, deps.corporationName);
  const { status, pagina } = listQuery.parse(query);
  const title = 'Afspraken uit het casusoverleg';
  const answer = await apiOf(app, request).get<{ total: number; open: number; agreements: Agreement[] }>(
    `/reviews/agreements${queryOf({ status, limit: PAGE_SIZE, offset: (pagina - 1) * PAGE_SIZE })}`,
  );
  if (answer.status !== 200) return sendPage(reply, context, { title, body: html`<h1>${title}</h1>`, notices: [{ kind: 'bad', text: refusalOf(answer) }] }, answer.status);
  const { total, open, agreements } = answer.body;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const today = amsterdamToday();
  const self = `/app/casusoverleg/afspraken${queryOf({ status: status === 'all' ? undefined : status, pagina: pagina === 1 ? undefined : pagina })}`;
  const pageLink = (n: number) => `/app/casusoverleg/afspraken${queryOf({ status: status === 'all' ? undefined : status, pagina: n === 1 ? undefined : n })}`;
  return sendPage(
    reply,
    context,
    {
      title,
      notices: options.notices,
      body: html`<h1>${title}</h1>
<p class="lead">${open === 1 ? '1 afspraak staat open.' : `${open} afspraken staan open.`} Open afspraken eerst, de vroegste einddatum bovenaan.</p>
<form class="filters" method="get" action="/app/casusoverleg/afspraken" aria-label="Filter">
  <div><label for="status">Toon</label><select id="status" name="status">${Object.entries(statusLabels).map(([v, l]) => html`<option${attrs({ value: v, selected: v === status })}>${l}</option>`)}</select></div>
  <div><button type="submit">Toon afspraken</button></div>
</form>
<p><a href="/app/casusoverleg">Naar het casusoverleg</a></p>
${
  agreements.length === 0
    ? html`<p role="status">Geen afspraken gevonden.</p>`
    : html`<div class="table-scroll" tabindex="0" role="region" aria-label="Afspraken"><table class="stack-on-phone">
<caption class="visually-hidden">${statusLabels[status]}: ${total}</caption>
<thead><tr><th scope="col">Afspraak</th><th scope="col">Wie</th><th scope="col">Uiterlijk</th><th scope="col">Overleg</th><th scope="col">Afgesproken door</th><th scope="col">Stand</th></tr></thead>
<tbody>${agreements.map(
        (a) => html`<tr>
  <td data-label="Afspraak">${a.text}${a.caseId ? html` <span class="muted">(melding <a href="/app/meldingen/${a.caseId}">${a.caseId}</a>)</span>` : ''}</td>
  <td data-label="Wie">${a.owner}</td>
  <td data-label="Uiterlijk">${dutchDate(a.dueDate)}${a.done === null && a.dueDate < today ? html` <span class="tag bad">te laat</span>` : ''}</td>
  <td data-label="Overleg"><a href="/app/casusoverleg?maand=${a.month}">${dutchMonth(a.month)}</a></td>
  <td data-label="Afgesproken door">${a.madeByName}, ${dutchDateTime(a.madeAt)}</td>
  <td data-label="Stand">${
    a.done
      ? html`<span class="tag ok">gedaan</span> ${a.done.byName}, ${dutchDateTime(a.done.at)}${a.done.note ? html`: ${a.done.note}` : ''}`
      : html`<span class="tag warn">open</span> <form method="post" action="/app/casusoverleg/afspraken/${a.agreementId}/gedaan" class="inline">${csrfField(context)}<input type="hidden" name="terug" value="${self}"><button type="submit" class="secondary">Markeer als gedaan<span class="visually-hidden">: ${a.text}</span></button></form>`
  }</td>
</tr>`,
      )}</tbody></table></div>`
}
${
  pages > 1
    ? html`<nav class="pager" aria-label="Pagina's">${pagina > 1 ? html`<a href="${pageLink(pagina - 1)}" rel="prev">Vorige pagina</a>` : html`<span></span>`}${
        pagina < pages ? html`<a href="${pageLink(pagina + 1)}" rel="next">Volgende pagina</a>` : ''
      }</nav>`
    : ''
}`,
    },
    options.status,
  );
}
