import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { addCalendarDays, amsterdamInstant } from '../../domain/calendar';
import type { Outcome } from '../../domain/events';
import { allows, type OpenIncident, type Phase } from '../../domain/incident';
import type { WorkspaceDeps } from '../deps';
import { apiOf, type Api } from '../api-client';
import { categoryLabel, dutchDate, dutchDateTime, euro, inDutch, outcomeLabels, phaseLabels } from '../dutch';
import {
  actorLabel,
  attentionStep,
  capitalized,
  channelLabels,
  describeEvent,
  incidentTexts as t,
  letterKindLabels,
  type IncidentDetail,
} from '../dutch-consultant';
import { attrs, html, type Html } from '../html';
import { contextOf, csrfField, sendPage, type Notice, type PageContext } from '../layout';

/** The invoice as GET /invoices/:number gives it: what the page needs of it. */
interface Invoice {
  invoiceNumber: string;
  status: 'open' | 'paid' | 'credited';
  payByDate: string;
  dunningPaused: boolean;
  openCents: number;
}

/** What the person filled in, kept when the action was refused, and the fields that need mending. */
interface FormState {
  action: ActionName;
  values: Record<string, string>;
  errors: Record<string, string>;
}

type ActionName = 'controle' | 'veroorzaker' | 'bezwaar' | 'annuleren' | 'aandacht';

const idSchema = z.string().trim().min(1).max(100);
const text = (max: number) => z.preprocess((v) => (typeof v === 'string' ? v.trim() : ''), z.string().max(max));
const key = z.preprocess((v) => (typeof v === 'string' && /^[\w-]{8,64}$/.test(v) ? v : undefined), z.string().optional());

const forms = {
  controle: z.object({ result: z.enum(['clean', 'not_clean']), note: text(1000), _key: key }),
  veroorzaker: z.object({ tenantId: text(100), _key: key }),
  bezwaar: z.object({ decision: z.enum(['upheld', 'rejected']), note: text(2000), _key: key }),
  annuleren: z.object({ reason: text(2000), _key: key }),
  aandacht: z.object({ note: text(2000), _key: key }),
} as const;

/** What the incident allows now: the domain's rules (domain/incident/decide.ts `allows`) on the read model's facts. */
export function allowedActions(incident: IncidentDetail, invoice: Invoice | null) {
  const open = incident.status === 'open' && incident.dispute !== 'upheld';
  const disputeOnInvoice = invoice !== null && invoice.status === 'open' && invoice.dunningPaused;
  const facts = { phase: incident.phase as Phase, dispute: incident.dispute as OpenIncident['dispute'], polluterTenantId: incident.polluterTenantId, attention: incident.attention };
  return {
    inspect: open && allows.inspection(facts),
    identify: open && allows.identifyingThePolluter(facts),
    decide: (open && incident.dispute === 'open') || disputeOnInvoice,
    disputeOnInvoice,
    cancel: open && allows.cancelling(facts),
    resolve: open && incident.attention !== null,
  };
}

/**
 * The incident page: its facts, the actions its state allows (each a form that posts to a page
 * route, which calls the API as the person and comes back with a Dutch confirmation, or with the
 * API's refusal in Dutch), the deadlines ahead, a Dutch timeline of who did what and when, and
 * every letter (a copy as HTML; the financial ones also as PDF).
 */
export function registerConsultantIncident(app: FastifyInstance, deps: WorkspaceDeps): void {
  async function show(request: FastifyRequest, reply: FastifyReply, id: string, notices: Notice[], form: FormState | null, refusedStatus?: number) {
    const context = contextOf(request, deps.corporationName);
    const api = apiOf(app, request);
    const answer = await api.get<IncidentDetail>(`/incidents/${encodeURIComponent(id)}`);
    if (answer.status !== 200) {
      const detail = (answer.body as unknown as { detail?: string })?.detail;
      return sendPage(
        reply,
        context,
        { title: t.title(null), body: html`<h1>${t.title(null)}</h1><p><a href="/app/meldingen">Naar de meldingen</a></p>`, notices: [{ kind: 'bad', text: inDutch(detail ?? String(answer.status)) }] },
        answer.status,
      );
    }
    const incident = answer.body;
    const invoice = incident.invoiceNumber ? await invoiceOf(api, incident.invoiceNumber) : null;
    return sendPage(reply, context, { title: t.title(incident.incidentNumber), notices, body: incidentBody(context, incident, invoice, form) }, refusedStatus ?? 200);
  }

  app.get<{ Params: { id: string }; Querystring: { gedaan?: string } }>(
    '/app/meldingen/:id',
    { config: { access: { roles: ['consultant', 'admin'] } }, schema: { hide: true } },
    async (request, reply) => {
      const id = idSchema.safeParse(request.params.id);
      if (!id.success) return reply.callNotFound();
      const done = request.query.gedaan ? t.done[request.query.gedaan] : undefined;
      return show(request, reply, id.data, done ? [{ kind: 'ok', text: done }] : [], null);
    },
  );

  /** An action: the form read, the API called as the person, and back to the page. */
  function action<N extends ActionName>(
    name: N,
    call: (values: z.infer<(typeof forms)[N]>) => { path: string; body: Record<string, unknown>; done: string } | { errors: Record<string, string> },
  ) {
    app.post<{ Params: { id: string } }>(
      `/app/meldingen/:id/${name}`,
      { config: { access: { roles: ['consultant', 'admin'], csrf: 'form' } }, schema: { hide: true } },
      async (request, reply) => {
        const id = idSchema.safeParse(request.params.id);
        if (!id.success) return reply.callNotFound();
        const raw = (request.body ?? {}) as Record<string, unknown>;
        const values = Object.fromEntries(Object.entries(raw).filter(([k, v]) => typeof v === 'string' && k !== '_csrf')) as Record<string, string>;
        const parsed = forms[name].safeParse(raw);
        if (!parsed.success) {
          return show(request, reply, id.data, [{ kind: 'bad', title: t.refusedTitle, text: 'Niet alle velden zijn goed ingevuld.' }], { action: name, values, errors: {} }, 400);
        }
        const planned = call(parsed.data as z.infer<(typeof forms)[N]>);
        if ('errors' in planned) {
          const first = Object.values(planned.errors)[0] ?? '';
          return show(request, reply, id.data, [{ kind: 'bad', title: t.refusedTitle, text: first }], { action: name, values, errors: planned.errors }, 400);
        }
        // The form's own key: sent twice (a double tap, a reload), the API answers as the first time.
        const idempotency: Record<string, string> = parsed.data._key ? { 'idempotency-key': `web-${name}-${parsed.data._key}` } : {};
        const answer = await apiOf(app, request).post<{ detail?: string }>(`/incidents/${encodeURIComponent(id.data)}${planned.path}`, planned.body, idempotency);
        if (answer.status === 200) return reply.redirect(`/app/meldingen/${encodeURIComponent(id.data)}?gedaan=${planned.done}`, 303);
        const refusal = inDutch(String(answer.body?.detail ?? answer.status));
        // A field the API named is marked, with the refusal beside it.
        const named = (answer.body as { errors?: { path: string }[] })?.errors ?? [];
        const errors = Object.fromEntries(named.filter((e) => e.path.startsWith('body.')).map((e) => [e.path.slice(5), refusal]));
        return show(request, reply, id.data, [{ kind: 'bad', title: t.refusedTitle, text: refusal }], { action: name, values, errors }, answer.status >= 500 ? 503 : answer.status);
      },
    );
  }

  action('controle', (v) => ({ path: '/inspections', body: { result: v.result, note: v.note || null }, done: v.result }));
  action('veroorzaker', (v) =>
    v.tenantId === '' ? { errors: { tenantId: t.identify.missing } } : { path: '/polluter', body: { tenantId: v.tenantId }, done: 'identified' },
  );
  action('bezwaar', (v) =>
    v.note === '' ? { errors: { note: t.decide.noteMissing } } : { path: '/disputes/resolution', body: { decision: v.decision, note: v.note }, done: v.decision },
  );
  action('annuleren', (v) => (v.reason === '' ? { errors: { reason: t.cancel.reasonMissing } } : { path: '/cancellation', body: { reason: v.reason }, done: 'cancelled' }));
  action('aandacht', (v) => ({ path: '/attention/resolution', body: { note: v.note || null }, done: 'resolved' }));
}

async function invoiceOf(api: Api, number: string): Promise<Invoice | null> {
  const answer = await api.get<Invoice>(`/invoices/${encodeURIComponent(number)}`);
  return answer.status === 200 ? answer.body : null;
}

function standOf(incident: IncidentDetail): Html {
  if (incident.status === 'closed') return html`<span class="tag">${t.stand}: afgesloten, ${outcomeLabels[incident.outcome as Outcome] ?? ''}</span>`;
  if (incident.attention) return html`<span class="tag bad">${t.attention.toLowerCase()}</span>`;
  return html`<span class="tag ok">${phaseLabels[incident.phase as Phase] ?? incident.phase}</span>`;
}

function incidentBody(context: PageContext, incident: IncidentDetail, invoice: Invoice | null, form: FormState | null): Html {
  // What the state allows, of what the person's roles allow (the API decides both again).
  const roles = context.person?.roles ?? [];
  const consultant = roles.includes('consultant');
  const state = allowedActions(incident, invoice);
  const allowed = {
    ...state,
    inspect: state.inspect && consultant,
    identify: state.identify && consultant,
    decide: state.decide && consultant,
    cancel: state.cancel && consultant,
    resolve: state.resolve && (consultant || roles.includes('admin')),
  };
  const key = randomUUID();
  const base = `/app/meldingen/${encodeURIComponent(incident.incidentId)}`;
  const value = (action: ActionName, field: string) => (form?.action === action ? (form.values[field] ?? '') : '');
  const error = (action: ActionName, field: string) => (form?.action === action ? form.errors[field] : undefined);
  const field = (action: ActionName, name: string, label: string, options: { required?: boolean; hint?: string; rows?: number } = {}) => {
    const id = `${action}-${name}`;
    const problem = error(action, name);
    const described = [options.hint ? `${id}-hint` : null, problem ? `${id}-error` : null].filter(Boolean).join(' ');
    return html`<div><label for="${id}">${label}</label>${options.hint ? html`<span class="hint" id="${id}-hint">${options.hint}</span>` : ''}${
      problem ? html`<span class="error-text" id="${id}-error">${problem}</span>` : ''
    }<textarea id="${id}" name="${name}" rows="${options.rows ?? 3}"${attrs({ required: options.required ?? false, 'aria-invalid': problem ? 'true' : null, 'aria-describedby': described || null })}>${value(action, name)}</textarea></div>`;
  };
  const hidden = html`${csrfField(context)}<input type="hidden" name="_key" value="${key}">`;
  const disputeReason = [...incident.timeline].reverse().find((e) => e.type === 'DisputeOpened' || e.type === 'DunningPaused')?.data.reason;

  const actions: Html[] = [];
  if (allowed.inspect) {
    actions.push(html`<section id="controle" aria-labelledby="controle-titel">
<h3 id="controle-titel">${t.inspect.title}</h3>
<form method="post" action="${base}/controle" class="stack">${hidden}
<p>${t.inspect.lead}</p>
${field('controle', 'note', t.inspect.note, { rows: 2 })}
<div class="big-choices"><button type="submit" name="result" value="clean">${t.inspect.clean}</button><button type="submit" name="result" value="not_clean" class="warning">${t.inspect.notClean}</button></div>
</form></section>`);
  }
  if (allowed.identify) {
    const problem = error('veroorzaker', 'tenantId');
    actions.push(html`<section id="veroorzaker" aria-labelledby="veroorzaker-titel">
<h3 id="veroorzaker-titel">${t.identify.title}</h3>
<p>${t.identify.lead}</p>
<form method="post" action="${base}/veroorzaker" class="stack">${hidden}
<div><label for="veroorzaker-tenantId">${t.identify.label}</label><span class="hint" id="veroorzaker-tenantId-hint">${t.identify.hint}</span>${
      problem ? html`<span class="error-text" id="veroorzaker-tenantId-error">${problem}</span>` : ''
    }<input type="text" id="veroorzaker-tenantId" name="tenantId" required autocomplete="off" spellcheck="false"${attrs({
      value: value('veroorzaker', 'tenantId'),
      'aria-invalid': problem ? 'true' : null,
      'aria-describedby': problem ? 'veroorzaker-tenantId-hint veroorzaker-tenantId-error' : 'veroorzaker-tenantId-hint',
    })}></div>
<div class="actions"><button type="submit" class="secondary">${t.identify.button}</button></div>
</form></section>`);
  }
  if (allowed.decide) {
    actions.push(html`<section id="bezwaar" aria-labelledby="bezwaar-titel">
<h3 id="bezwaar-titel">${t.decide.title}</h3>
${typeof disputeReason === 'string' ? html`<p><strong>${t.decide.reason}:</strong> ‘${disputeReason}’</p>` : ''}
<p>${allowed.disputeOnInvoice && invoice ? t.decide.onInvoice(invoice.invoiceNumber) : t.decide.onIncident}</p>
<form method="post" action="${base}/bezwaar" class="stack">${hidden}
${field('bezwaar', 'note', t.decide.note, { required: true })}
<div class="big-choices"><button type="submit" name="decision" value="upheld">${t.decide.upheld}</button><button type="submit" name="decision" value="rejected" class="secondary">${t.decide.rejected}</button></div>
</form></section>`);
  }
  if (allowed.resolve && incident.attention) {
    actions.push(html`<section id="aandacht" aria-labelledby="aandacht-titel">
<h3 id="aandacht-titel">${t.resolve.title}</h3>
<p>${t.resolve.lead(attentionStep(incident.attention.step), incident.attention.reason)}</p>
<p class="muted">${t.resolve.hint}</p>
<form method="post" action="${base}/aandacht" class="stack">${hidden}
${field('aandacht', 'note', t.resolve.note, { rows: 2 })}
<div class="actions"><button type="submit">${t.resolve.button}</button></div>
</form></section>`);
  }
  if (allowed.cancel) {
    actions.push(html`<section id="annuleren" aria-labelledby="annuleren-titel">
<h3 id="annuleren-titel">${t.cancel.title}</h3>
<form method="post" action="${base}/annuleren" class="stack" data-confirm="${t.cancel.confirm}">${hidden}
${field('annuleren', 'reason', t.cancel.reason, { required: true, hint: t.cancel.hint, rows: 2 })}
<div class="actions"><button type="submit" class="warning">${t.cancel.button}</button></div>
</form></section>`);
  }

  return html`<h1>${t.title(incident.incidentNumber)}</h1>
<p class="lead">${capitalized(categoryLabel(incident.category))}: ${incident.location} ${standOf(incident)}</p>
<dl class="facts">
  <dt>${t.place}</dt><dd>${incident.location} <span class="muted">(gebouw ${incident.buildingId}, complex ${incident.complexId})</span></dd>
  <dt>${t.reported}</dt><dd>${dutchDateTime(incident.reportedAt)}</dd>
  <dt>${t.stand}</dt><dd>${incident.status === 'closed' ? `afgesloten: ${outcomeLabels[incident.outcome as Outcome] ?? ''}${incident.closedAt ? ` (${dutchDateTime(incident.closedAt)})` : ''}` : (phaseLabels[incident.phase as Phase] ?? incident.phase)}</dd>
  <dt>${t.polluter}</dt><dd>${incident.polluterTenantId ? `huurder ${incident.polluterTenantId}` : incident.phase === 'reported' ? t.noPolluterYet : t.unknownPolluter}</dd>
  ${incident.dispute !== 'none' ? html`<dt>${t.dispute}</dt><dd>${t.disputeLabels[incident.dispute] ?? incident.dispute}</dd>` : ''}
  ${incident.contractorId ? html`<dt>${t.contractor}</dt><dd>${incident.contractorId}</dd>` : ''}
  ${incident.costCents !== null ? html`<dt>${t.cost}</dt><dd>${euro(incident.costCents)}</dd>` : ''}
  ${incident.invoiceNumber ? html`<dt>${t.invoice}</dt><dd>${incident.invoiceNumber}${invoice ? `: ${invoice.status === 'open' ? `nog ${euro(invoice.openCents)} open` : invoice.status === 'paid' ? 'betaald' : 'gecrediteerd'}` : ''}</dd>` : ''}
  ${incident.duplicateReports > 0 ? html`<dt>${t.duplicates}</dt><dd>${incident.duplicateReports}</dd>` : ''}
  ${incident.tenancyEscalation ? html`<dt>${t.escalation}</dt><dd>${t.escalationText}</dd>` : ''}
</dl>

<section aria-labelledby="acties"><h2 id="acties">${t.actions}</h2>
${actions.length > 0 ? html`<div class="incident-actions">${actions}</div>` : html`<p>${incident.status === 'closed' ? t.closedNoActions : t.noActions}</p>`}
</section>

<section aria-labelledby="termijnen"><h2 id="termijnen">${t.deadlines}</h2>
${deadlinesOf(incident, invoice)}
</section>

<section aria-labelledby="tijdlijn"><h2 id="tijdlijn">${t.timeline}</h2>
<p class="muted">${t.timelineLead}</p>
<ol class="timeline">${incident.timeline.map((entry) => {
    const { what, said } = describeEvent(entry.type, entry.data);
    const photoIds = Array.isArray(entry.data.photoIds) ? (entry.data.photoIds as unknown[]).filter((id): id is string => typeof id === 'string') : [];
    return html`<li><span class="what">${what}</span>${said ? html`<blockquote>${said}</blockquote>` : ''}${photoIds.length > 0 ? photosOf(photoIds, what) : ''}<span class="when"><span class="who">${actorLabel(entry.actor, entry.actorName)}</span> · <time datetime="${entry.recordedAt}">${dutchDateTime(entry.recordedAt)}</time></span></li>`;
  })}</ol>
</section>

<section aria-labelledby="brieven"><h2 id="brieven">${t.letters}</h2>
${
  incident.letters.length === 0
    ? html`<p>${t.noLetters}</p>`
    : html`<ul class="letters">${incident.letters.map(
        (letter) => html`<li><strong>${letterKindLabels[letter.kind as keyof typeof letterKindLabels] ?? letter.kind}</strong> ${t.letterTo[letter.recipientType] ?? ''} ${letter.recipientId}, ${channelLabels[letter.channel] ?? letter.channel}${letter.postedOn ? `, gepost op ${dutchDate(letter.postedOn, false)}` : ''}, ${dutchDateTime(letter.recordedAt)}<br>
<a href="/letters/${encodeURIComponent(letter.letterId)}/html">${t.readLetter}<span class="visually-hidden">: ${letterKindLabels[letter.kind as keyof typeof letterKindLabels] ?? letter.kind} ${letter.recipientId}</span></a>${
          letter.pdfUrl
            ? html` · <a href="${letter.pdfUrl}">${t.pdf}<span class="visually-hidden">: ${letterKindLabels[letter.kind as keyof typeof letterKindLabels] ?? letter.kind} ${letter.recipientId}</span></a>`
            : ''
        }</li>`,
      )}</ul>`
}
</section>`;
}

/** An action's photos as evidence, small on the timeline; each opens at full size. */
function photosOf(photoIds: string[], what: string): Html {
  return html`<ul class="photos">${photoIds.map(
    (id, i) =>
      html`<li><a href="/photos/${encodeURIComponent(id)}"><img src="/photos/${encodeURIComponent(id)}" alt="Foto ${i + 1} bij: ${what}" loading="lazy" width="160" height="120"></a></li>`,
  )}</ul>`;
}

/** The deadlines ahead: the cleanup's, the reminder's, the invoice's. */
function deadlinesOf(incident: IncidentDetail, invoice: Invoice | null): Html {
  const now = Date.now();
  const rows: [string, string][] = [];
  if (incident.status === 'open' && (incident.phase === 'awaiting_cleanup' || incident.phase === 'cleanup_reported') && incident.deadline && incident.deadlineDate) {
    const endOfDay = amsterdamInstant(addCalendarDays(incident.deadlineDate, 1), '00:00').getTime() === Date.parse(incident.deadline);
    rows.push([t.cleanupBy, endOfDay ? `${dutchDate(incident.deadlineDate)}, ${t.endOfDay}` : dutchDateTime(incident.deadline)]);
    const planned = [...incident.timeline].reverse().find((e) => ['PolluterNotified', 'CollectiveNoticeSent', 'DeadlineMoved', 'ReminderSent'].includes(e.type));
    const reminderAt = planned && planned.type !== 'ReminderSent' ? planned.data.reminderAt : null;
    if (typeof reminderAt === 'string' && Date.parse(reminderAt) > now) rows.push([t.reminderAt, dutchDateTime(reminderAt)]);
  }
  if (invoice && invoice.status === 'open') rows.push([t.payBy(invoice.invoiceNumber), `${dutchDate(invoice.payByDate)}${invoice.dunningPaused ? ` (${t.paused})` : ''}`]);
  if (rows.length === 0) return html`<p>${t.noDeadlines}</p>`;
  return html`<dl class="facts">${rows.map(([label, when]) => html`<dt>${label}</dt><dd>${when}</dd>`)}</dl>`;
}
