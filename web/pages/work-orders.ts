import type { WorkOrder as DbWorkOrder } from '../../db/work-orders';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { amsterdamDate } from '../../domain/calendar';
import { MAX_PHOTO_BYTES, MAX_PHOTOS_PER_ACTION } from '../../db/photos';
import type { WorkspaceDeps } from '../deps';
import { apiOf, queryOf } from '../api-client';
import { categoryLabel, dutchDate, dutchDateTime, euro, inDutch } from '../dutch';
import { MAX_WORK_ORDER_CENTS, parseEuroCents, workOrderTasks } from '../dutch-report';
import { fieldsOf } from '../form-fields';
import { attrs, html, type Html } from '../html';
import { contextOf, csrfField, sendPage, type Notice, type PageContext } from '../layout';
import { photosOfForm } from '../photo-upload';

/**
 * The contractor's workspace: /app/werkorders, their company's open work orders (address, what to
 * do, by when), and /app/werkorders/:incidentId, one order with the completion form (the cost as
 * typed in Dutch, "125,50", a note and a photo of the result). Over the API (GET /work-orders,
 * POST /incidents/:id/completion), which links the person to their company by e-mail.
 */

/** A work order as the API answers it (db/work-orders.ts), with the category's fixed tariff if any. */
type WorkOrder = DbWorkOrder & { fixedTariffCents: number | null };

const LIST = '/app/werkorders';
const access = { roles: ['contractor' as const] };

/** The API's refusals that only contractors meet, in Dutch. */
function contractorRefusal(detail: string): string {
  const unlinked = /^your e-mail address (.+) is not that of a contractor in the directory$/.exec(detail);
  if (unlinked) return `Uw e-mailadres ${unlinked[1]} staat bij geen enkele aannemer in het adresboek van de corporatie. Vraag uw contactpersoon bij de corporatie om het adresboek aan te passen.`;
  if (/has no e-mail address/.test(detail)) return 'Uw account heeft geen e-mailadres, dus we weten niet voor welke aannemer u werkt. Vraag uw contactpersoon bij de corporatie.';
  if (/not for your company|your own company/.test(detail)) return 'Deze werkorder is niet voor uw bedrijf.';
  if (/^no work order/.test(detail)) return 'Deze werkorder bestaat niet, of is niet voor uw bedrijf.';
  return inDutch(detail);
}

const task = (category: string) => workOrderTasks[category] ?? 'De nodige werkzaamheden uitvoeren';
const titleOf = (order: WorkOrder) => `Werkorder ${order.incidentNumber ?? order.workOrderNumber}`;
const isLate = (order: WorkOrder, today: string) => order.status === 'open' && order.phase === 'cleanup_ordered' && order.dueDate < today;
const addressOf = (order: WorkOrder) => (order.address ? `${order.address.streets}, ${order.address.postalCode} ${order.address.city}` : `gebouw ${order.buildingId}`);

function facts(order: WorkOrder, today: string): Html {
  return html`<dl class="facts">
  <dt>Wat</dt><dd>${task(order.category)} <span class="muted">(${categoryLabel(order.category)})</span></dd>
  <dt>Adres</dt><dd>${addressOf(order)}</dd>
  <dt>Plaats</dt><dd>${order.location}</dd>
  ${order.description ? html`<dt>Omschrijving</dt><dd>${order.description}</dd>` : ''}
  <dt>Besteld</dt><dd>${dutchDateTime(order.orderedAt)}</dd>
  <dt>Klaar uiterlijk</dt><dd>${dutchDate(order.dueDate)}${isLate(order, today) ? html` <span class="tag bad">te laat</span>` : ''}</dd>
  <dt>Werkordernummer</dt><dd>${order.workOrderNumber}</dd>
</dl>`;
}

const completedQuery = z.object({
  gereed: z.string().max(100).optional().catch(undefined),
  bedrag: z.coerce.number().int().min(0).max(MAX_WORK_ORDER_CENTS).optional().catch(undefined),
});

export function registerWorkOrderPages(app: FastifyInstance, deps: WorkspaceDeps): void {
  app.get(LIST, { config: { access: { roles: [...access.roles] } }, schema: { hide: true } }, async (request, reply) => {
    const context = contextOf(request, deps.corporationName);
    const answer = await apiOf(app, request).get('/work-orders?limit=100');
    if (answer.status !== 200) {
      return sendPage(reply, context, { title: 'Werkorders', body: html`<h1>Werkorders</h1>`, notices: [{ kind: 'bad', text: contractorRefusal(String(answer.body?.detail ?? '')) }] }, answer.status);
    }
    const { contractors, workOrders, total } = answer.body as { contractors: { name: string }[]; workOrders: WorkOrder[]; total: number };
    const today = amsterdamDate(new Date());
    const done = completedQuery.parse(request.query ?? {});
    const notices: Notice[] = done.gereed
      ? [{ kind: 'ok', text: `Werkorder ${done.gereed} is gereed gemeld${done.bedrag !== undefined ? `, met ${euro(done.bedrag)} kosten` : ''}. Dank u wel.` }]
      : [];
    return sendPage(reply, context, {
      title: 'Werkorders',
      notices,
      body: html`<h1>Werkorders</h1>
<p class="lead">Voor ${contractors.map((c) => c.name).join(', ')}: ${total === 0 ? 'er staan geen werkorders open.' : total === 1 ? '1 werkorder staat open.' : `${total} werkorders staan open.`}${
        total > workOrders.length ? ` De oudste ${workOrders.length} staan hieronder.` : ''
      }</p>
${
  workOrders.length > 0
    ? html`<ul class="work-orders">${workOrders.map(
        (order) => html`<li${attrs({ class: isLate(order, today) ? 'late' : null })}>
  <h2><a href="${LIST}/${order.incidentId}">${titleOf(order)}</a></h2>
  ${facts(order, today)}
  <p><a class="button" href="${LIST}/${order.incidentId}">Gereed melden<span class="visually-hidden"> voor ${titleOf(order).toLowerCase()}</span></a></p>
</li>`,
      )}</ul>`
    : ''
}`,
    });
  });

  const params = z.object({ incidentId: z.string().trim().min(1).max(100) });

  app.get(`${LIST}/:incidentId`, { config: { access: { roles: [...access.roles] } }, schema: { hide: true } }, async (request, reply) => {
    const { incidentId } = params.parse(request.params);
    const context = contextOf(request, deps.corporationName);
    const answer = await apiOf(app, request).get(`/work-orders/${encodeURIComponent(incidentId)}`);
    if (answer.status !== 200) return refusedPage(reply, context, answer.status, String(answer.body?.detail ?? ''));
    return orderPage(reply, context, answer.body as WorkOrder, { key: randomUUID(), cost: '', note: '', photoIds: [] }, {});
  });

  app.post(
    `${LIST}/:incidentId`,
    {
      config: { access: { roles: [...access.roles], csrf: 'form' } },
      schema: { hide: true },
      bodyLimit: MAX_PHOTOS_PER_ACTION * MAX_PHOTO_BYTES + 64 * 1024,
    },
    async (request, reply) => {
      const { incidentId } = params.parse(request.params);
      const context = contextOf(request, deps.corporationName);
      const api = apiOf(app, request);
      const found = await api.get(`/work-orders/${encodeURIComponent(incidentId)}`);
      if (found.status !== 200) return refusedPage(reply, context, found.status, String(found.body?.detail ?? ''));
      const order = found.body as WorkOrder;

      const fields = fieldsOf(request.body);
      const photos = await photosOfForm(deps.db, request.body, { field: 'photos', uploadedBy: request.caller!.actor });
      const form: CompletionForm = {
        key: /^[\w-]{8,100}$/.test(fields.key ?? '') ? fields.key! : randomUUID(),
        cost: (fields.cost ?? '').slice(0, 50),
        note: (fields.note ?? '').slice(0, 2000),
        photoIds: photos.photoIds,
      };
      const problems: CompletionProblems = {};
      if (photos.problem) problems.photos = photos.problem;
      else if (form.photoIds.length === 0) problems.photos = 'Voeg een foto toe van de ruimte na het werk.';
      const costCents = form.cost.trim() === '' ? null : parseEuroCents(form.cost);
      if (form.cost.trim() === '' && order.fixedTariffCents === null) problems.cost = 'Vul de kosten in, in euro, bijvoorbeeld 125,50.';
      else if (form.cost.trim() !== '' && costCents === null) problems.cost = 'Vul een bedrag in euro in, bijvoorbeeld 125,50 (met een komma voor de centen).';
      else if (costCents !== null && costCents > MAX_WORK_ORDER_CENTS) problems.cost = `Dat bedrag is hoger dan ${euro(MAX_WORK_ORDER_CENTS)}: controleer het.`;
      if (form.note.trim().length > 1000) problems.note = 'De opmerking is te lang: hoogstens 1000 tekens.';
      if (Object.keys(problems).length > 0) return orderPage(reply.status(400), context, order, form, problems);

      const answer = await api.post(
        `/incidents/${encodeURIComponent(incidentId)}/completion`,
        { contractorId: order.contractorId, costCents, photoIds: form.photoIds, note: form.note.trim() || null },
        { 'idempotency-key': `workspace-completion/${form.key}` },
      );
      if (answer.status !== 200) {
        const detail = String(answer.body?.detail ?? '');
        const fromApi: CompletionProblems = {};
        for (const error of (answer.body?.errors ?? []) as { path: string; message: string }[]) {
          if (error.path.startsWith('body.photoIds')) fromApi.photos = 'Deze foto kan hier niet worden gebruikt. Kies de foto opnieuw.';
          if (error.path === 'body.costCents' || error.path === 'costCents') fromApi.cost = 'Vul de kosten in, in euro, bijvoorbeeld 125,50.';
        }
        return orderPage(reply.status(answer.status), context, order, form, fromApi, contractorRefusal(detail));
      }
      const shown = order.fixedTariffCents ?? costCents;
      return reply.redirect(`${LIST}${queryOf({ gereed: order.incidentNumber ?? order.workOrderNumber, bedrag: shown ?? undefined })}`, 303);
    },
  );
}

interface CompletionForm {
  key: string;
  cost: string;
  note: string;
  photoIds: string[];
}
type CompletionProblems = Partial<Record<'cost' | 'note' | 'photos', string>>;

function refusedPage(reply: FastifyReply, context: PageContext, status: number, detail: string) {
  const title = status === 404 ? 'Werkorder niet gevonden' : 'Geen toegang';
  return sendPage(reply, context, { title, body: html`<h1>${title}</h1><p>${contractorRefusal(detail)}</p><p><a href="${LIST}">Naar uw werkorders</a></p>` }, status);
}

function orderPage(reply: FastifyReply, context: PageContext, order: WorkOrder, form: CompletionForm, problems: CompletionProblems, failure?: string) {
  const today = amsterdamDate(new Date());
  const open = order.status === 'open' && order.phase === 'cleanup_ordered';
  const labels = { cost: 'Kosten in euro, inclusief btw', note: 'Opmerking', photos: "Foto na het werk" } as const;
  const refused = (Object.keys(labels) as (keyof typeof labels)[]).filter((f) => problems[f]);
  const errorOf = (field: keyof typeof labels) => (problems[field] ? html`<span class="error-text" id="${field}-error">${problems[field]}</span>` : '');
  const describedBy = (field: keyof typeof labels, hint: boolean) => [hint ? `${field}-hint` : '', problems[field] ? `${field}-error` : ''].filter(Boolean).join(' ') || null;
  const tariff = order.fixedTariffCents;

  const completion = open
    ? html`<h2>Gereed melden</h2>
${
  refused.length > 0
    ? html`<div class="notice bad error-summary" role="alert"><h3>Nog niet gereed gemeld</h3><ul>${refused.map((f) => html`<li><a href="#${f}">${labels[f]}: ${problems[f]}</a></li>`)}</ul></div>`
    : ''
}
<form class="stack" method="post" action="${LIST}/${order.incidentId}" enctype="multipart/form-data" novalidate>
  ${csrfField(context)}
  <input type="hidden" name="key" value="${form.key}">
  <div class="field${problems.cost ? ' invalid' : ''}">
    <label for="cost">${labels.cost}${tariff !== null ? html` <span class="muted">(niet verplicht)</span>` : ''}</label>
    <span class="hint" id="cost-hint">${
      tariff !== null ? `Voor deze soort werk geldt een vast tarief van ${euro(tariff)}; dat wordt betaald, wat u ook invult.` : 'Bijvoorbeeld 125,50.'
    }</span>${errorOf('cost')}
    <input type="text" class="amount" id="cost" name="cost" inputmode="decimal" autocomplete="off"${attrs({
      value: form.cost,
      required: tariff === null,
      'aria-invalid': problems.cost ? 'true' : null,
      'aria-describedby': describedBy('cost', true),
    })}>
  </div>
  <div class="field${problems.note ? ' invalid' : ''}">
    <label for="note">${labels.note} <span class="muted">(niet verplicht)</span></label>${errorOf('note')}
    <textarea id="note" name="note" rows="3" maxlength="1000"${attrs({ 'aria-invalid': problems.note ? 'true' : null, 'aria-describedby': describedBy('note', false) })}>${form.note}</textarea>
  </div>
  <div class="field${problems.photos ? ' invalid' : ''}">
    <label for="photos">${labels.photos}</label>
    <span class="hint" id="photos-hint">Een foto van de ruimte zoals u die achterlaat: JPEG, PNG, WebP of HEIC, hoogstens 10 MB.</span>${errorOf('photos')}
    ${form.photoIds.map((id) => html`<input type="hidden" name="photoId" value="${id}">`)}
    ${
      form.photoIds.length > 0
        ? html`<p class="muted">${form.photoIds.length === 1 ? '1 foto is bewaard' : `${form.photoIds.length} foto's zijn bewaard`}.</p><div class="photos">${form.photoIds.map(
            (id, i) => html`<img src="/photos/${id}" alt="Bewaarde foto ${i + 1} na het werk">`,
          )}</div>`
        : ''
    }
    <input type="file" id="photos" name="photos" accept="image/*" capture="environment" multiple data-preview="photos-preview"${attrs({
      required: form.photoIds.length === 0,
      'aria-invalid': problems.photos ? 'true' : null,
      'aria-describedby': describedBy('photos', true),
    })}>
    <img id="photos-preview" class="preview" alt="Gekozen foto" hidden>
  </div>
  <div class="actions"><button type="submit">Werk gereed melden</button><a href="${LIST}">Terug naar de werkorders</a></div>
</form>`
    : html`<div class="notice ok"><p>Deze werkorder is gereed gemeld${order.costCents !== null ? `, met ${euro(order.costCents)} kosten` : ''}.</p></div>
<p><a href="${LIST}">Terug naar de werkorders</a></p>`;

  return sendPage(
    reply,
    context,
    {
      title: `${refused.length > 0 ? 'Fout: ' : ''}${titleOf(order)}`,
      notices: failure ? [{ kind: 'bad', text: failure }] : [],
      body: html`<h1>${titleOf(order)}</h1>
${facts(order, today)}
${
  order.photoIds.length > 0
    ? html`<h2>Foto's bij de melding</h2><div class="photos">${order.photoIds.map((id, i) => html`<a href="/photos/${id}"><img src="/photos/${id}" alt="Foto ${i + 1} bij de melding"></a>`)}</div>`
    : ''
}
${completion}`,
    },
    reply.statusCode,
  );
}
