import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { categories } from '../../domain/policy';
import { MAX_PHOTOS_PER_ACTION, MAX_PHOTO_BYTES } from '../../db/photos';
import type { WorkspaceDeps } from '../deps';
import { apiOf } from '../api-client';
import { categoryLabel, dutchDate, inDutch } from '../dutch';
import { attrs, html, type Html } from '../html';
import { contextOf, csrfField, sendPage, type Notice } from '../layout';
import { fieldsOf } from '../form-fields';
import { photosOfForm } from '../photo-upload';
import { assetUrl } from '../assets';
import { roundTexts as t } from '../dutch-rounds';

const LIST = '/app/rondes';
const access = { roles: ['consultant'] as const };
const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const roundPath = (roundId: string) => `${LIST}/${encodeURIComponent(roundId)}`;
const spaceAnchor = (buildingId: string, position: number) => `ruimte-${buildingId.replace(/[^A-Za-z0-9-]/g, '_')}-${position}`;

interface Round {
  roundId: string;
  complexId: string;
  plannedDate: string;
  dueDate: string;
  status: 'open' | 'paused' | 'completed';
  overdue: boolean;
  spacesTotal: number;
  spacesMarked: number;
  findings: number;
}
interface RoundDetail extends Round {
  spaces: {
    buildingId: string;
    position: number;
    name: string;
    result: 'in_order' | 'finding' | null;
    findings: { findingId: string; category: string; incidentId: string; incidentNumber: string | null }[];
  }[];
}
interface Plan {
  complexId: string;
  consultant: string;
  intervalWeeks: number;
  dueWithinWorkingDays: number;
  firstDate: string;
  buildings: { buildingId: string; spaces: string[] }[];
  nextRounds?: string[];
}

const statusTags = (round: Round): Html =>
  html`${round.overdue && round.status !== 'completed' ? html` <span class="tag bad">${t.overdue}</span>` : ''}${
    round.status === 'paused' ? html` <span class="tag warn">${t.paused}</span>` : ''
  }${round.status === 'completed' ? html` <span class="tag ok">${t.completed}</span>` : ''}`;

/** The consultant's rounds: the list, the plan, the walk on a phone, a finding (web/assets.ts rounds.js keeps it on a weak connection). */
export function registerRoundPages(app: FastifyInstance, deps: WorkspaceDeps): void {
  const problemPage = (request: FastifyRequest, reply: FastifyReply, title: string, answer: { status: number; body: unknown }) =>
    sendPage(
      reply,
      contextOf(request, deps.corporationName),
      { title, body: html`<h1>${title}</h1><p><a href="${LIST}">${t.listTitle}</a></p>`, notices: [{ kind: 'bad', text: inDutch(String((answer.body as { detail?: string } | null)?.detail ?? answer.status)) }] },
      answer.status >= 500 ? 503 : answer.status,
    );

  app.get<{ Querystring: { gedaan?: string } }>(LIST, { config: { access }, schema: { hide: true } }, async (request, reply) => {
    const api = apiOf(app, request);
    const [mine, plans] = await Promise.all([api.get<{ rounds: Round[] }>('/rounds?consultant=me&status=open&limit=50'), api.get<{ plans: Plan[] }>('/rounds/plans')]);
    if (mine.status !== 200) return problemPage(request, reply, t.listTitle, mine);
    if (plans.status !== 200) return problemPage(request, reply, t.listTitle, plans);
    const notices: Notice[] = request.query.gedaan && t.done[request.query.gedaan] ? [{ kind: 'ok', text: t.done[request.query.gedaan]! }] : [];
    return sendPage(reply, contextOf(request, deps.corporationName), {
      title: t.listTitle,
      notices,
      body: html`<h1>${t.listTitle}</h1>
<section aria-labelledby="mijn-rondes">
<h2 id="mijn-rondes">${t.mine}</h2>
${
  mine.body.rounds.length === 0
    ? html`<p class="muted">${t.noneOpen}</p>`
    : html`<ul class="work-list">${mine.body.rounds.map(
        (r) => html`<li><a href="${roundPath(r.roundId)}">${t.roundTitle(r.complexId)}</a>${statusTags(r)}<span class="muted">${t.planned} ${dutchDate(r.plannedDate)}, ${t.due} ${dutchDate(r.dueDate)} · ${t.progress(r.spacesMarked, r.spacesTotal)}</span></li>`,
      )}</ul>`
}
</section>
<section aria-labelledby="plannen">
<h2 id="plannen">${t.plansTitle}</h2>
${
  plans.body.plans.length === 0
    ? html`<p class="muted">${t.noPlans}</p>`
    : html`<ul class="work-list">${plans.body.plans.map(
        (p) => html`<li><a href="${LIST}/plannen?complex=${encodeURIComponent(p.complexId)}">${t.planTitle(p.complexId)}</a><span class="muted">elke ${p.intervalWeeks} weken · ${p.buildings.length} gebouwen</span></li>`,
      )}</ul>`
}
<p><a class="button secondary" href="${LIST}/plannen">${t.planNew}</a></p>
</section>`,
    });
  });

  // The plan: a form of plain fields and one text area with the walking route, line by line.
  const showPlan = (request: FastifyRequest, reply: FastifyReply, values: Record<string, string>, notices: Notice[], errors: Record<string, string>, nextRounds: string[], status = 200) => {
    const context = contextOf(request, deps.corporationName);
    const f = t.planForm;
    const field = (name: string, label: string, input: Html, hint?: string) => html`<div class="field${errors[name] ? ' invalid' : ''}">
<label for="${name}">${label}</label>${hint ? html`<span class="hint" id="${name}-hint">${hint}</span>` : ''}${errors[name] ? html`<span class="error-text" id="${name}-error">${errors[name]}</span>` : ''}
${input}</div>`;
    const described = (name: string, hint?: string) => [hint ? `${name}-hint` : '', errors[name] ? `${name}-error` : ''].filter(Boolean).join(' ') || null;
    const input = (name: string, type: string, extra: Record<string, string | boolean | number> = {}, hint?: string) =>
      html`<input${attrs({ type, id: name, name, value: values[name] ?? '', 'aria-invalid': errors[name] ? 'true' : null, 'aria-describedby': described(name, hint), ...extra })}>`;
    return sendPage(
      reply,
      context,
      {
        title: t.planTitle(values.complexId ?? ''),
        notices,
        body: html`<h1>${t.planTitle(values.complexId ?? '')}</h1>
<form class="stack" method="post" action="${LIST}/plannen" novalidate>
${csrfField(context)}
${field('complexId', f.complexId, input('complexId', 'text', { required: true, autocomplete: 'off' }))}
${field('consultant', f.consultant, input('consultant', 'text', { required: true, autocomplete: 'off' }))}
${field('intervalWeeks', f.intervalWeeks, input('intervalWeeks', 'number', { min: 1, max: 52, inputmode: 'numeric' }))}
${field('dueWithinWorkingDays', f.dueWithinWorkingDays, input('dueWithinWorkingDays', 'number', { min: 1, max: 60, inputmode: 'numeric' }))}
${field('firstDate', f.firstDate, input('firstDate', 'date'))}
${field(
  'spaces',
  f.spaces,
  html`<textarea${attrs({ id: 'spaces', name: 'spaces', rows: 8, 'aria-invalid': errors.spaces ? 'true' : null, 'aria-describedby': described('spaces', f.spacesHint) })}>${values.spaces ?? ''}</textarea>`,
  f.spacesHint,
)}
<button type="submit">${f.submit}</button>
</form>
${
  nextRounds.length > 0
    ? html`<section aria-labelledby="volgende"><h2 id="volgende">${f.nextRounds}</h2><ul>${nextRounds.map((at) => html`<li>${dutchDate(at.slice(0, 10))}</li>`)}</ul>
<form method="post" action="${LIST}/plannen/starten">${csrfField(context)}<input type="hidden" name="complexId" value="${values.complexId ?? ''}"><button type="submit" class="secondary">${f.startNow}</button></form></section>`
    : ''
}`,
      },
      status,
    );
  };

  app.get<{ Querystring: { complex?: string } }>(`${LIST}/plannen`, { config: { access }, schema: { hide: true } }, async (request, reply) => {
    const complexId = request.query.complex ?? '';
    const person = request.caller?.kind === 'person' ? request.caller.person.subject : '';
    if (!complexId) return showPlan(request, reply, { consultant: person, intervalWeeks: '4', dueWithinWorkingDays: '5' }, [], {}, []);
    const answer = await apiOf(app, request).get<Plan>(`/rounds/plans/${encodeURIComponent(complexId)}`);
    if (answer.status === 404) return showPlan(request, reply, { complexId, consultant: person, intervalWeeks: '4', dueWithinWorkingDays: '5' }, [], {}, []);
    if (answer.status !== 200) return problemPage(request, reply, t.planTitle(complexId), answer);
    const p = answer.body;
    return showPlan(
      request,
      reply,
      {
        complexId: p.complexId,
        consultant: p.consultant,
        intervalWeeks: String(p.intervalWeeks),
        dueWithinWorkingDays: String(p.dueWithinWorkingDays),
        firstDate: p.firstDate,
        spaces: p.buildings.flatMap((b) => b.spaces.map((s) => `${b.buildingId} | ${s}`)).join('\n'),
      },
      [],
      {},
      p.nextRounds ?? [],
    );
  });

  app.post(`${LIST}/plannen`, { config: { access: { ...access, csrf: 'form' } }, schema: { hide: true } }, async (request, reply) => {
    const values = fieldsOf(request.body);
    const complexId = (values.complexId ?? '').trim();
    const buildings: Plan['buildings'] = [];
    const errors: Record<string, string> = {};
    for (const line of (values.spaces ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
      const [buildingId, ...rest] = line.split('|').map((part) => part.trim());
      const space = rest.join('|').trim();
      if (!buildingId || !space) {
        errors.spaces = `Deze regel heeft geen gebouw en ruimte: ‘${line}’. Schrijf: gebouw | ruimte.`;
        break;
      }
      const building = buildings.find((b) => b.buildingId === buildingId) ?? (buildings.push({ buildingId, spaces: [] }), buildings[buildings.length - 1]!);
      building.spaces.push(space);
    }
    if (!complexId) errors.complexId = 'Vul het complex in.';
    if (buildings.length === 0 && !errors.spaces) errors.spaces = 'Vul minstens één ruimte in.';
    const refused = (text: string, status: number) => showPlan(request, reply, values, [{ kind: 'bad', title: t.refused, text }], errors, [], status);
    if (Object.keys(errors).length > 0) return refused(Object.values(errors)[0]!, 400);
    const answer = await apiOf(app, request).put<{ detail?: string; errors?: { path: string; message: string }[] }>(`/rounds/plans/${encodeURIComponent(complexId)}`, {
      consultant: (values.consultant ?? '').trim(),
      intervalWeeks: Number(values.intervalWeeks),
      dueWithinWorkingDays: Number(values.dueWithinWorkingDays),
      firstDate: values.firstDate ?? '',
      buildings,
    });
    if (answer.status === 200) return reply.redirect(`${LIST}/plannen?complex=${encodeURIComponent(complexId)}&gedaan=saved`, 303);
    const text = inDutch(String(answer.body?.detail ?? answer.status));
    for (const e of answer.body?.errors ?? []) {
      const name = e.path.split('.')[1] ?? '';
      const field = name === 'buildings' ? 'spaces' : name;
      errors[field] ??= `${inDutch(e.message)}${name === 'buildings' ? ` (${e.path.slice(5)})` : ''}`;
    }
    return refused(text, answer.status >= 500 ? 503 : answer.status);
  });

  app.post(`${LIST}/plannen/starten`, { config: { access: { ...access, csrf: 'form' } }, schema: { hide: true } }, async (request, reply) => {
    const complexId = (fieldsOf(request.body).complexId ?? '').trim();
    const answer = await apiOf(app, request).post<{ detail?: string }>(`/rounds/plans/${encodeURIComponent(complexId)}/trigger`);
    if (answer.status === 202) return reply.redirect(`${LIST}?gedaan=started`, 303);
    return problemPage(request, reply, t.planTitle(complexId), answer);
  });

  // The walk: every space of every building in walking order, one tap each.
  app.get<{ Params: { id: string }; Querystring: { gedaan?: string } }>(`${LIST}/:id`, { config: { access }, schema: { hide: true } }, async (request, reply) => {
    const answer = await apiOf(app, request).get<RoundDetail>(`/rounds/${encodeURIComponent(request.params.id)}`);
    if (answer.status !== 200) return problemPage(request, reply, t.listTitle, answer);
    const round = answer.body;
    const context = contextOf(request, deps.corporationName);
    const path = roundPath(round.roundId);
    const walkable = round.status !== 'completed';
    const buildings = [...new Set(round.spaces.map((s) => s.buildingId))];
    const notices: Notice[] = request.query.gedaan && t.done[request.query.gedaan] ? [{ kind: 'ok', text: t.done[request.query.gedaan]! }] : [];
    return sendPage(reply, context, {
      title: t.roundTitle(round.complexId),
      notices,
      body: html`<h1>${t.roundTitle(round.complexId)}${statusTags(round)}</h1>
<p class="lead">${t.planned} ${dutchDate(round.plannedDate)}, ${t.due} ${dutchDate(round.dueDate)}. <span id="voortgang">${t.progress(round.spacesMarked, round.spacesTotal)}</span>.</p>
<p id="wachtrij" role="status" class="notice warn" hidden></p>
${buildings.map((buildingId) => {
  const id = `gebouw-${buildingId.replace(/[^A-Za-z0-9-]/g, '_')}`;
  return html`<section aria-labelledby="${id}">
<h2 id="${id}">${t.building(buildingId)}</h2>
<ol class="round-spaces">${round.spaces
    .filter((s) => s.buildingId === buildingId)
    .map(
      (s) => html`<li id="${spaceAnchor(s.buildingId, s.position)}"><span class="space-name">${s.name}</span>
${s.result === 'in_order' ? html`<span class="tag ok">${t.inOrder}</span>` : ''}
${s.findings.map((f) => html`<span class="tag bad">${t.finding}: <a href="/app/meldingen/${f.incidentId}">${t.findingIncident(f.incidentNumber)}</a></span> `)}
${
  walkable && s.result === null
    ? html`<div class="space-actions"><form method="post" action="${path}/in-orde">${csrfField(context)}<input type="hidden" name="buildingId" value="${s.buildingId}"><input type="hidden" name="position" value="${s.position}"><button type="submit" aria-label="${t.inOrder}: ${s.name}">${t.inOrder}</button></form>
<a class="button warning" href="${path}/bevinding?gebouw=${encodeURIComponent(s.buildingId)}&amp;ruimte=${s.position}" aria-label="${t.finding}: ${s.name}">${t.finding}</a></div>`
    : walkable && s.result === 'finding'
      ? html`<div class="space-actions"><a class="button secondary" href="${path}/bevinding?gebouw=${encodeURIComponent(s.buildingId)}&amp;ruimte=${s.position}" aria-label="Nog een bevinding: ${s.name}">Nog een bevinding</a></div>`
      : ''
}</li>`,
    )}</ol>
</section>`;
})}
${
  walkable
    ? html`<div class="actions">
<form method="post" action="${path}/${round.status === 'paused' ? 'hervatten' : 'pauzeren'}">${csrfField(context)}<button type="submit" class="secondary">${round.status === 'paused' ? t.resume : t.pause}</button></form>
${round.spacesMarked === round.spacesTotal ? html`<form method="post" action="${path}/afronden">${csrfField(context)}<button type="submit">${t.complete}</button></form>` : ''}
</div>`
    : ''
}
<p><a href="${LIST}">${t.listTitle}</a></p>
<script src="${assetUrl('rounds.js')}" defer></script>`,
    });
  });

  const roundAction = (segment: string, done: string, call: (roundId: string, values: Record<string, string>) => { path: string; body?: unknown }) =>
    app.post<{ Params: { id: string } }>(`${LIST}/:id/${segment}`, { config: { access: { ...access, csrf: 'form' } }, schema: { hide: true } }, async (request, reply) => {
      const values = fieldsOf(request.body);
      const planned = call(request.params.id, values);
      const answer = await apiOf(app, request).post<{ detail?: string }>(planned.path, planned.body);
      const anchor = values.buildingId ? `#${spaceAnchor(values.buildingId, Number(values.position))}` : '';
      if (answer.status === 200) return reply.redirect(`${roundPath(request.params.id)}?gedaan=${done}${anchor}`, 303);
      return problemPage(request, reply, t.refused, answer);
    });
  const api = (roundId: string) => `/rounds/${encodeURIComponent(roundId)}`;
  roundAction('in-orde', 'in_order', (id, v) => ({ path: `${api(id)}/spaces/in-order`, body: { buildingId: v.buildingId ?? '', position: Number(v.position) } }));
  roundAction('pauzeren', 'pause', (id) => ({ path: `${api(id)}/pause` }));
  roundAction('hervatten', 'resume', (id) => ({ path: `${api(id)}/resume` }));
  roundAction('afronden', 'complete', (id) => ({ path: `${api(id)}/completion` }));

  // A finding: category, note, photo, the polluter when known. Its id is made with the form, so that
  // sending it twice (a retry on a weak connection, with or without script) records it once.
  const showFinding = async (request: FastifyRequest, reply: FastifyReply, roundId: string, values: Record<string, string>, notices: Notice[] = [], status = 200) => {
    const answer = await apiOf(app, request).get<RoundDetail>(`/rounds/${encodeURIComponent(roundId)}`);
    if (answer.status !== 200) return problemPage(request, reply, t.listTitle, answer);
    const space = answer.body.spaces.find((s) => s.buildingId === values.buildingId && String(s.position) === values.position);
    if (!space) return problemPage(request, reply, t.listTitle, { status: 404, body: { detail: 'no such space in this round' } });
    const context = contextOf(request, deps.corporationName);
    const f = t.findingForm;
    const path = roundPath(roundId);
    return sendPage(
      reply,
      context,
      {
        title: t.findingTitle(space.name),
        notices,
        body: html`<h1>${t.findingTitle(space.name)}</h1>
<p class="lead">${t.building(space.buildingId)} · ${t.roundTitle(answer.body.complexId)}</p>
<p id="wachtrij" role="status" class="notice warn" hidden></p>
<form class="stack" method="post" action="${path}/bevinding" enctype="multipart/form-data" novalidate data-offline-finding data-back="${path}" data-offline-text="${f.offline}">
${csrfField(context)}
<input type="hidden" name="findingId" value="${values.findingId ?? randomUUID()}">
<input type="hidden" name="buildingId" value="${space.buildingId}">
<input type="hidden" name="position" value="${space.position}">
<div class="field"><label for="category">${f.category}</label>
<select id="category" name="category">${categories.map((c) => html`<option${attrs({ value: c, selected: values.category === c })}>${capitalize(categoryLabel(c))}</option>`)}</select></div>
<div class="field"><label for="note">${f.note}</label><span class="hint" id="note-hint">${f.noteHint}</span>
<textarea id="note" name="note" rows="3" aria-describedby="note-hint">${values.note ?? ''}</textarea></div>
<div class="field"><label for="photo">${f.photo}</label>
<input type="file" id="photo" name="photo" accept="image/*" capture="environment" data-preview="photo-preview"><img id="photo-preview" class="preview" alt="Gekozen foto" hidden></div>
<div class="field"><label for="polluterTenantId">${f.polluter}</label><span class="hint" id="polluter-hint">${f.polluterHint}</span>
<input type="text" id="polluterTenantId" name="polluterTenantId" autocomplete="off" aria-describedby="polluter-hint" value="${values.polluterTenantId ?? ''}"></div>
<button type="submit">${f.submit}</button>
</form>
<p><a href="${path}">${f.back}</a></p>
<script src="${assetUrl('rounds.js')}" defer></script>`,
      },
      status,
    );
  };

  app.get<{ Params: { id: string }; Querystring: { gebouw?: string; ruimte?: string } }>(`${LIST}/:id/bevinding`, { config: { access }, schema: { hide: true } }, async (request, reply) =>
    showFinding(request, reply, request.params.id, { buildingId: request.query.gebouw ?? '', position: request.query.ruimte ?? '' }),
  );

  app.post<{ Params: { id: string } }>(
    `${LIST}/:id/bevinding`,
    { config: { access: { ...access, csrf: 'form' } }, schema: { hide: true }, bodyLimit: MAX_PHOTOS_PER_ACTION * MAX_PHOTO_BYTES + 256 * 1024 },
    async (request, reply) => {
      const values = fieldsOf(request.body);
      const photos = await photosOfForm(deps.db, request.body, { field: 'photo', uploadedBy: request.caller!.actor });
      if (photos.problem) return showFinding(request, reply, request.params.id, values, [{ kind: 'bad', title: t.refused, text: photos.problem }], 400);
      const answer = await apiOf(app, request).post<{ detail?: string }>(`/rounds/${encodeURIComponent(request.params.id)}/findings`, {
        findingId: values.findingId ?? '',
        buildingId: values.buildingId ?? '',
        position: Number(values.position),
        category: values.category ?? '',
        note: values.note ?? '',
        polluterTenantId: values.polluterTenantId?.trim() || null,
        ...(photos.photoIds.length > 0 ? { photoIds: photos.photoIds } : {}),
      });
      if (answer.status === 200 || answer.status === 201) {
        return reply.redirect(`${roundPath(request.params.id)}?gedaan=finding#${spaceAnchor(values.buildingId ?? '', Number(values.position))}`, 303);
      }
      return showFinding(request, reply, request.params.id, values, [{ kind: 'bad', title: t.refused, text: inDutch(String(answer.body?.detail ?? answer.status)) }], answer.status >= 500 ? 503 : answer.status);
    },
  );
}
