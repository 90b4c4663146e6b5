import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { WorkspaceDeps } from '../deps';
import { apiOf, queryOf } from '../api-client';
import { dutchDate, dutchDateTime, euro } from '../dutch';
import { resolutionLabels, unmatchedReasonInDutch } from '../dutch-finance';
import { attrs, html, type Html } from '../html';
import { contextOf, csrfField, sendPage, type Notice, type PageContext } from '../layout';
import { actorLabel, pager, refusalNotice } from './finance-common';

const PAGE_SIZE = 25;

interface ImportResult {
  booked: { reference: string; invoiceNumber: string; amountCents: number }[];
  alreadyBooked: { reference: string; invoiceNumber: string }[];
  unmatched: { reference: string; amountCents: number; remittance: string; reason: string }[];
  alreadyResolved: { reference: string; resolution: keyof typeof resolutionLabels; invoiceNumber: string | null }[];
}

interface UnmatchedLine {
  reference: string;
  source: string;
  bookingDate: string;
  amountCents: number;
  debtorName: string | null;
  debtorIban: string | null;
  remittance: string;
  reason: string;
  importedAt: string;
  resolution: { outcome: keyof typeof resolutionLabels; invoiceNumber: string | null; by: string; byName: string | null; at: string; note: string | null } | null;
}

const listSchema = z.object({
  status: z.enum(['open', 'resolved']).default('open').catch('open'),
  page: z.coerce.number().int().min(1).max(10_000).default(1).catch(1),
});

const doneSchema = z.object({
  afgehandeld: z.string().max(300).optional().catch(undefined),
  hoe: z.enum(['booked', 'not_ours', 'refunded']).optional().catch(undefined),
  factuur: z.string().max(20).optional().catch(undefined),
});

/** A bank statement is XML; anything else is taken for a payment CSV. */
const isXml = (text: string) => /^\s*(<\?xml|<Document\b)/.test(text.replace(/^\uFEFF/, ''));

/** Finance's payments: upload a CAMT.053 statement or a payment CSV, see what matched, and work the unmatched lines. */
export function registerFinancePaymentPages(app: FastifyInstance, deps: WorkspaceDeps): void {
  const access = { roles: ['finance'] as const };

  app.get('/app/betalingen', { config: { access }, schema: { hide: true } }, async (request, reply) => {
    const done = doneSchema.parse(request.query ?? {});
    const notices: Notice[] = [];
    if (done.afgehandeld && done.hoe) {
      const text =
        done.hoe === 'booked'
          ? html`Regel ${done.afgehandeld} is geboekt op factuur <a href="/app/facturen/${done.factuur ?? ''}">${done.factuur ?? ''}</a>.`
          : done.hoe === 'not_ours'
            ? html`Regel ${done.afgehandeld} is afgehandeld als niet voor ons; er is niets geboekt.`
            : html`Regel ${done.afgehandeld} is afgehandeld als terugbetaald aan de betaler; er is niets geboekt.`;
      notices.push({ kind: 'ok', title: 'Afgehandeld', text });
    }
    return paymentsPage(request, reply, notices, null);
  });

  async function paymentsPage(request: FastifyRequest, reply: FastifyReply, notices: Notice[], imported: { name: string; result: ImportResult } | null, status = 200, form: Record<string, string> = {}) {
    const context = contextOf(request, deps.corporationName);
    const { status: which, page } = listSchema.parse(request.query ?? {});
    const answer = await apiOf(app, request).get<{ total: number; payments: UnmatchedLine[] }>(
      `/payments/unmatched${queryOf({ status: which, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE })}`,
    );
    if (answer.status !== 200) notices.push(refusalNotice(answer));
    const { total, payments } = answer.status === 200 ? answer.body : { total: 0, payments: [] };
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    return sendPage(
      reply,
      context,
      {
        title: 'Betalingen',
        notices,
        body: html`<h1>Betalingen</h1>
<form method="post" action="/app/betalingen/inlezen" enctype="multipart/form-data" class="stack">${csrfField(context)}
  <h2>Bankafschrift of betalingsbestand inlezen</h2>
  <div><label for="file">Bestand</label><span class="hint" id="file-hint">Een bankafschrift (CAMT.053, XML) of een CSV-bestand met de kolommen invoiceNumber, amount, paidOn, reference, paymentId.</span>
  <input type="file" id="file" name="file" accept=".xml,.csv,.txt,application/xml,text/xml,text/csv" aria-describedby="file-hint" required></div>
  <button type="submit">Inlezen</button>
</form>
${imported ? importSection(imported.name, imported.result) : ''}
<h2 id="werklijst">${which === 'open' ? 'Werklijst: niet gekoppelde betalingen' : 'Afgehandelde betalingen'}</h2>
<p><a href="/app/betalingen${which === 'open' ? '?status=resolved' : ''}#werklijst">${which === 'open' ? 'Toon de afgehandelde regels' : 'Terug naar de werklijst'}</a></p>
<p role="status">${
          total === 0
            ? which === 'open'
              ? 'Er staan geen betalingen op de werklijst.'
              : 'Er zijn nog geen afgehandelde regels.'
            : `${total} ${total === 1 ? 'regel' : 'regels'}${pages > 1 ? `, pagina ${page} van ${pages}` : ''}.`
        }</p>
${which === 'open' ? html`<ul class="worklist">${payments.map((p) => worklistItem(context, p, form))}</ul>` : resolvedTable(payments)}
${pager(page, pages, (n) => `/app/betalingen${queryOf({ status: which === 'open' ? undefined : which, page: n === 1 ? undefined : n })}#werklijst`)}`,
      },
      status,
    );
  }

  app.post('/app/betalingen/inlezen', { config: { access: { ...access, csrf: 'form' } }, bodyLimit: 32 * 1024 * 1024, schema: { hide: true } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const file = body.file as { toBuffer?: () => Promise<Buffer>; filename?: string } | undefined;
    if (!file || typeof file.toBuffer !== 'function') {
      return paymentsPage(request, reply, [{ kind: 'bad', title: 'Niet ingelezen', text: 'Kies een bestand om in te lezen.' }], null, 400);
    }
    const text = (await file.toBuffer()).toString('utf8');
    const name = file.filename || 'het bestand';
    if (text.trim() === '') return paymentsPage(request, reply, [{ kind: 'bad', title: 'Niet ingelezen', text: `${name} is leeg.` }], null, 400);
    const xml = isXml(text);
    const answer = await apiOf(app, request).post<ImportResult>(xml ? '/payments/bank-statements' : '/payments/imports', text, {
      'content-type': xml ? 'application/xml' : 'text/csv',
    });
    if (answer.status !== 200) return paymentsPage(request, reply, [refusalNotice(answer, `${name} is niet ingelezen`)], null, answer.status);
    const r = answer.body;
    const summary = `${name} is ingelezen: ${r.booked.length} ${r.booked.length === 1 ? 'betaling' : 'betalingen'} geboekt, ${r.unmatched.length} niet gekoppeld${
      r.alreadyBooked.length + r.alreadyResolved.length > 0 ? `, ${r.alreadyBooked.length + r.alreadyResolved.length} al eerder verwerkt` : ''
    }.`;
    return paymentsPage(request, reply, [{ kind: r.unmatched.length > 0 ? 'warn' : 'ok', title: 'Ingelezen', text: summary }], { name, result: r });
  });

  app.post<{ Params: { reference: string } }>(
    '/app/betalingen/:reference/afhandelen',
    { config: { access: { ...access, csrf: 'form' } }, schema: { hide: true } },
    async (request, reply) => {
      const reference = request.params.reference;
      const form = z.record(z.string(), z.string()).catch({}).parse(request.body ?? {});
      const resolution = form.resolution ?? '';
      const note = (form.note ?? '').trim();
      const invoiceNumber = (form.invoiceNumber ?? '').trim();
      const bad = (text: string, status = 400) => paymentsPage(request, reply, [{ kind: 'bad', title: `Regel ${reference} niet afgehandeld`, text }], null, status, { [reference]: JSON.stringify(form) });
      if (!['booked', 'not_ours', 'refunded'].includes(resolution)) return bad('Kies wat er met deze betaling moet gebeuren.');
      if (resolution === 'booked' && invoiceNumber === '') return bad('Vul het factuurnummer in waarop de betaling moet worden geboekt.');
      if (resolution !== 'booked' && note === '') return bad('Geef een toelichting: waarom is deze betaling niet voor ons, of wanneer is ze terugbetaald?');
      const payload = resolution === 'booked' ? { resolution, invoiceNumber, ...(note ? { note } : {}) } : { resolution, note };
      const answer = await apiOf(app, request).post<UnmatchedLine>(`/payments/unmatched/${encodeURIComponent(reference)}/resolution`, payload);
      if (answer.status !== 200) {
        return paymentsPage(request, reply, [refusalNotice(answer, `Regel ${reference} niet afgehandeld`)], null, answer.status, { [reference]: JSON.stringify(form) });
      }
      return reply.redirect(
        `/app/betalingen${queryOf({ afgehandeld: reference, hoe: answer.body.resolution?.outcome ?? resolution, factuur: answer.body.resolution?.invoiceNumber ?? undefined })}`,
        303,
      );
    },
  );
}

function importSection(name: string, r: ImportResult): Html {
  return html`<section aria-labelledby="resultaat">
<h2 id="resultaat">Wat er uit ${name} is gekoppeld</h2>
${
  r.booked.length === 0
    ? html`<p>Er is geen nieuwe betaling geboekt.</p>`
    : html`<div class="table-scroll"><table class="fin stack-on-phone">
<caption>Geboekt op een factuur</caption>
<thead><tr><th scope="col">Factuur</th><th scope="col" class="num">Bedrag</th><th scope="col">Kenmerk</th></tr></thead>
<tbody>${r.booked.map(
        (b) => html`<tr><td data-label="Factuur"><a href="/app/facturen/${b.invoiceNumber}">${b.invoiceNumber}</a></td><td data-label="Bedrag" class="num">${euro(b.amountCents)}</td><td data-label="Kenmerk">${b.reference}</td></tr>`,
      )}</tbody></table></div>`
}
${
  r.unmatched.length === 0
    ? ''
    : html`<div class="table-scroll"><table class="fin stack-on-phone">
<caption>Niet gekoppeld (staan op de werklijst hieronder)</caption>
<thead><tr><th scope="col">Kenmerk</th><th scope="col" class="num">Bedrag</th><th scope="col">Omschrijving</th><th scope="col">Waarom niet</th></tr></thead>
<tbody>${r.unmatched.map(
        (u) => html`<tr><td data-label="Kenmerk">${u.reference}</td><td data-label="Bedrag" class="num">${euro(u.amountCents)}</td><td data-label="Omschrijving">${u.remittance}</td><td data-label="Waarom niet">${unmatchedReasonInDutch(u.reason)}</td></tr>`,
      )}</tbody></table></div>`
}
${
  r.alreadyBooked.length + r.alreadyResolved.length === 0
    ? ''
    : html`<p>Al eerder verwerkt, niet opnieuw geboekt: ${[
        ...r.alreadyBooked.map((b) => `${b.reference} (geboekt op ${b.invoiceNumber})`),
        ...r.alreadyResolved.map((b) => `${b.reference} (${resolutionLabels[b.resolution]}${b.invoiceNumber ? ` ${b.invoiceNumber}` : ''})`),
      ].join(', ')}.</p>`
}
</section>`;
}

function worklistItem(context: PageContext, p: UnmatchedLine, forms: Record<string, string>): Html {
  const id = p.reference.replace(/[^A-Za-z0-9_-]/g, '_');
  const before = z.record(z.string(), z.string()).catch({}).parse(safeJson(forms[p.reference]));
  const chosen = before.resolution ?? 'booked';
  const radio = (value: string, label: string) =>
    html`<label><input type="radio" name="resolution"${attrs({ value, checked: chosen === value, id: `${id}-${value}` })}> ${label}</label>`;
  return html`<li class="card worklist-item" aria-labelledby="${id}-title">
<h3 id="${id}-title">${euro(p.amountCents)} op ${dutchDate(p.bookingDate)}</h3>
<dl class="facts">
  <dt>Omschrijving</dt><dd>${p.remittance || '(geen)'}</dd>
  ${p.debtorName || p.debtorIban ? html`<dt>Betaald door</dt><dd>${[p.debtorName, p.debtorIban].filter(Boolean).join(', ')}</dd>` : ''}
  <dt>Kenmerk</dt><dd>${p.reference}</dd>
  <dt>Waarom niet gekoppeld</dt><dd>${unmatchedReasonInDutch(p.reason)}</dd>
</dl>
<form method="post" action="/app/betalingen/${encodeURIComponent(p.reference)}/afhandelen" class="stack">${csrfField(context)}
  <fieldset class="choices"><legend>Afhandelen</legend>
    ${radio('booked', 'Boeken op een factuur')}${radio('not_ours', 'Niet voor ons')}${radio('refunded', 'Terugbetaald aan de betaler')}
  </fieldset>
  <div><label for="${id}-invoice">Factuurnummer <span class="hint">(bij boeken)</span></label><input type="text" id="${id}-invoice" name="invoiceNumber" placeholder="2026-000123" pattern="\\d{4}-\\d{6}"${attrs({ value: before.invoiceNumber })}></div>
  <div><label for="${id}-note">Toelichting <span class="hint">(verplicht bij niet voor ons en terugbetaald)</span></label><textarea id="${id}-note" name="note" maxlength="1000">${before.note ?? ''}</textarea></div>
  <button type="submit">Regel afhandelen</button>
</form>
</li>`;
}

function resolvedTable(payments: UnmatchedLine[]): Html | '' {
  if (payments.length === 0) return '';
  return html`<div class="table-scroll"><table class="fin stack-on-phone">
<thead><tr><th scope="col">Betaling</th><th scope="col">Omschrijving</th><th scope="col">Afgehandeld</th><th scope="col">Door en wanneer</th><th scope="col">Toelichting</th></tr></thead>
<tbody>${payments.map(
    (p) => html`<tr>
  <td data-label="Betaling">${euro(p.amountCents)} op ${dutchDate(p.bookingDate, false)} <span class="muted">(${p.reference})</span></td>
  <td data-label="Omschrijving">${p.remittance}</td>
  <td data-label="Afgehandeld">${p.resolution ? resolutionLabels[p.resolution.outcome] : ''}${p.resolution?.invoiceNumber ? html` <a href="/app/facturen/${p.resolution.invoiceNumber}">${p.resolution.invoiceNumber}</a>` : ''}</td>
  <td data-label="Door en wanneer">${p.resolution ? `${actorLabel(p.resolution.by, p.resolution.byName)}, ${dutchDateTime(p.resolution.at)}` : ''}</td>
  <td data-label="Toelichting">${p.resolution?.note ?? ''}</td>
</tr>`,
  )}</tbody></table></div>`;
}

function safeJson(text: string | undefined): unknown {
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
