import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { amsterdamDate } from '../../domain/calendar';
import type { WorkspaceDeps } from '../deps';
import { apiOf, queryOf } from '../api-client';
import { dutchDate, inDutch } from '../dutch';
import { letterKindLabels } from '../dutch-consultant';
import { html, type Html } from '../html';
import { contextOf, csrfField, sendPage, type Notice } from '../layout';

/** The page's words, in one place. */
const t = {
  title: 'Post',
  lead: (today: string, n: number) => `${dutchDate(today)}: ${n === 0 ? 'geen brieven om te posten' : n === 1 ? '1 brief om te printen en te posten' : `${n} brieven om te printen en te posten`}.`,
  explain:
    'Brieven aan huurders zonder e-mailadres. Print ze, doe ze op de post en leg vast op welke dag. Een termijn in de brief telt vanaf die dag.',
  batch: 'Alle brieven om te posten in één PDF',
  toPost: 'Te posten',
  none: 'Er liggen geen brieven klaar. Nieuwe brieven verschijnen hier vanzelf.',
  postedToday: 'Vandaag vastgelegd',
  noneToday: 'Vandaag is nog geen brief als gepost vastgelegd.',
  to: 'aan huurder',
  queued: 'klaargezet op',
  incident: 'melding',
  pdf: 'PDF',
  postedOn: 'Gepost op',
  post: 'Gepost',
  postedOnText: (date: string) => `gepost op ${dutchDate(date, false)}`,
  done: (kind: string, date: string) => `${kind} is vastgelegd als gepost op ${dutchDate(date, false)}.`,
  refused: 'Niet vastgelegd',
  badDate: 'Vul een datum in, bijvoorbeeld 7-12-2026.',
};

/** The refusals the API gives a posting, in Dutch with what to do next. */
const postingRefusals: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^a letter cannot be posted in the future/, () => 'Die dag is nog niet geweest. Kies vandaag of een dag ervoor.'],
  [/^the letter was only put on the print queue on (\S+)$/, (m) => `De brief stond pas op ${dutchDate(m[1]!, false)} klaar. Kies die dag of later.`],
  [/^the letter was already posted on (\S+)$/, (m) => `Deze brief is al vastgelegd als gepost op ${dutchDate(m[1]!, false)}.`],
  [/^the letter went by e-mail, not by post$/, () => 'Deze brief is per e-mail verstuurd; die hoeft niet op de post.'],
  [/^the letter is still being sent; try again shortly$|^the letter has not gone out yet/, () => 'De brief wordt nog klaargezet. Probeer het over een ogenblik opnieuw.'],
];
function refusalInDutch(detail: string): string {
  for (const [pattern, say] of postingRefusals) {
    const match = detail.match(pattern);
    if (match) return say(match);
  }
  return inDutch(detail);
}

interface QueuedLetter {
  letterId: string;
  incidentId: string;
  kind: string;
  recipientId: string;
  queuedOn: string;
  postedOn: string | null;
  subject: string;
  pdfUrl: string;
}

const kindLabel = (kind: string) => letterKindLabels[kind as keyof typeof letterKindLabels] ?? kind;
const postForm = z.object({ letterId: z.string().min(1).max(300), postedOn: z.string().max(20), _key: z.string().max(100).optional() });

/**
 * The post, for whoever does it (consultants, admins): the letters for tenants without e-mail still
 * to be posted, all in one PDF to print, and per letter the day it was posted (today unless said
 * otherwise). Read and recorded through the API as the person (GET /letters/print-queue,
 * POST /letters/:letterId/posting).
 */
export function registerPostPage(app: FastifyInstance, deps: WorkspaceDeps): void {
  const roles = ['consultant', 'admin'] as const;

  async function show(request: FastifyRequest, reply: FastifyReply, notices: Notice[] = [], failed: { letterId: string; postedOn: string; error: string } | null = null, status = 200) {
    const context = contextOf(request, deps.corporationName);
    const api = apiOf(app, request);
    const today = amsterdamDate(new Date());
    const [waiting, all] = await Promise.all([
      api.get<{ letters: QueuedLetter[]; detail?: string }>(`/letters/print-queue${queryOf({ limit: 500 })}`),
      api.get<{ letters: QueuedLetter[]; detail?: string }>(`/letters/print-queue${queryOf({ limit: 500, postedOn: today })}`),
    ]);
    if (waiting.status !== 200 || all.status !== 200) {
      const answer = waiting.status !== 200 ? waiting : all;
      return sendPage(reply, context, { title: t.title, body: html`<h1>${t.title}</h1>`, notices: [{ kind: 'bad', text: inDutch(String(answer.body?.detail ?? answer.status)) }] }, answer.status >= 500 ? 503 : answer.status);
    }
    const letters = waiting.body.letters;
    const postedToday = all.body.letters;
    const key = randomUUID();
    const item = (l: QueuedLetter): Html => {
      const label = `${kindLabel(l.kind)} ${t.to} ${l.recipientId}`;
      const fieldId = `gepost-${l.letterId.replace(/[^A-Za-z0-9_-]/g, '-')}`;
      const error = failed?.letterId === l.letterId ? failed.error : null;
      return html`<li class="post-letter">
<h3>${kindLabel(l.kind)} <span class="muted">${t.to} ${l.recipientId}</span></h3>
<p class="muted word-break">${l.subject}<br>${t.queued} ${dutchDate(l.queuedOn, false)} · <a href="/app/meldingen/${encodeURIComponent(l.incidentId)}">${t.incident}<span class="visually-hidden">: ${label}</span></a> · <a href="${new URL(l.pdfUrl).pathname}">${t.pdf}<span class="visually-hidden">: ${label}</span></a></p>
<form method="post" action="/app/post" class="post-form">${csrfField(context)}<input type="hidden" name="_key" value="${key}-${fieldId}"><input type="hidden" name="letterId" value="${l.letterId}">
<div><label for="${fieldId}">${t.postedOn}<span class="visually-hidden">: ${label}</span></label>${error ? html`<span class="error-text" id="${fieldId}-fout">${error}</span>` : ''}
<input type="date" id="${fieldId}" name="postedOn" value="${failed?.letterId === l.letterId ? failed.postedOn : today}" max="${today}" required${error ? html` aria-invalid="true" aria-describedby="${fieldId}-fout"` : ''}></div>
<button type="submit">${t.post}<span class="visually-hidden">: ${label}</span></button>
</form></li>`;
    };
    return sendPage(
      reply,
      context,
      {
        title: t.title,
        notices,
        body: html`<h1>${t.title}</h1>
<p class="lead">${t.lead(today, letters.length)}</p>
<p>${t.explain}</p>
${letters.length > 0 ? html`<p><a class="button" href="/letters/print-queue/pdf">${t.batch}</a></p>` : ''}
<section aria-labelledby="te-posten"><h2 id="te-posten">${t.toPost}</h2>
${letters.length === 0 ? html`<p class="muted">${t.none}</p>` : html`<ul class="post-letters">${letters.map(item)}</ul>`}
</section>
<section aria-labelledby="vandaag"><h2 id="vandaag">${t.postedToday}</h2>
${
  postedToday.length === 0
    ? html`<p class="muted">${t.noneToday}</p>`
    : html`<ul class="work-list">${postedToday.map(
        (l) => html`<li><a href="${new URL(l.pdfUrl).pathname}">${kindLabel(l.kind)} ${t.to} ${l.recipientId}</a><span class="muted">${t.postedOnText(l.postedOn!)}</span></li>`,
      )}</ul>`
}
</section>`,
      },
      status,
    );
  }

  app.get('/app/post', { config: { access: { roles: [...roles] } }, schema: { hide: true } }, async (request, reply) => {
    const done = z.object({ gepost: z.string().max(300), op: z.iso.date(), soort: z.string().max(40) }).safeParse(request.query);
    return show(request, reply, done.success ? [{ kind: 'ok', text: t.done(kindLabel(done.data.soort), done.data.op) }] : []);
  });

  app.post('/app/post', { config: { access: { roles: [...roles], csrf: 'form' } }, schema: { hide: true } }, async (request, reply) => {
    const parsed = postForm.safeParse(request.body ?? {});
    if (!parsed.success) return show(request, reply, [{ kind: 'bad', title: t.refused, text: t.badDate }], null, 400);
    const { letterId, postedOn, _key } = parsed.data;
    if (!z.iso.date().safeParse(postedOn).success) {
      return show(request, reply, [{ kind: 'bad', title: t.refused, text: t.badDate }], { letterId, postedOn, error: t.badDate }, 400);
    }
    const answer = await apiOf(app, request).post<{ kind?: string; postedOn?: string; detail?: string }>(
      `/letters/${encodeURIComponent(letterId)}/posting`,
      { postedOn },
      _key ? { 'idempotency-key': `web-post-${_key}` } : {},
    );
    if (answer.status === 200) return reply.redirect(`/app/post${queryOf({ gepost: letterId, op: answer.body.postedOn, soort: answer.body.kind })}`, 303);
    const refusal = refusalInDutch(String(answer.body?.detail ?? answer.status));
    return show(request, reply, [{ kind: 'bad', title: t.refused, text: refusal }], { letterId, postedOn, error: refusal }, answer.status >= 500 ? 503 : answer.status);
  });
}
