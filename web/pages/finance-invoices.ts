import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { amsterdamDate } from '../../domain/calendar';
import { InvalidEuroAmountError, parseEuroAmountCents } from '../../domain/money';
import type { WorkspaceDeps } from '../deps';
import { apiOf, queryOf } from '../api-client';
import { dutchDate, dutchDateTime, euro } from '../dutch';
import { ageLabels, invoiceEventText, invoiceStatusLabels, letterKindLabels, paymentSourceLabels, stageLabels, type InvoiceAge } from '../dutch-finance';
import { attrs, html, type Html } from '../html';
import { contextOf, csrfField, sendPage, type Notice, type PageContext } from '../layout';
import { actorLabel, INVOICE_NUMBER, pager, refusalNotice } from './finance-common';

const PAGE_SIZE = 25;
const ages = Object.keys(ageLabels) as InvoiceAge[];

const filtersSchema = z.object({
  status: z.enum(['open', 'paid', 'credited']).optional().catch(undefined),
  age: z.enum(ages as [InvoiceAge, ...InvoiceAge[]]).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).default(1).catch(1),
});

export interface InvoiceRow {
  invoiceNumber: string;
  incidentId: string;
  debtorTenantId: string;
  debtorName: string | null;
  issueDate: string;
  dueDate: string;
  payByDate: string;
  status: 'open' | 'paid' | 'credited';
  stage: string;
  totalCents: number;
  paidCents: number;
  openCents: number;
  creditNoteNumber: string | null;
  refundDueCents: number;
  daysPastDue: number | null;
  dunningPaused: boolean;
  attention: { step: string; reason: string; since: string } | null;
}

export interface InvoiceList {
  total: number;
  asOf: string;
  sums: { totalCents: number; paidCents: number; openCents: number; refundDueCents: number };
  invoices: InvoiceRow[];
}

interface InvoiceDetail {
  invoiceNumber: string;
  incidentId: string;
  debtorTenantId: string;
  issueDate: string;
  dueDate: string;
  payByDate: string;
  status: 'open' | 'paid' | 'credited';
  stage: string;
  totalCents: number;
  paidCents: number;
  collectionCostsCents: number;
  interestCents: number;
  openCents: number;
  creditNoteNumber: string | null;
  refundDueCents: number;
  dunningPaused: boolean;
  attention: { step: string; reason: string; since: string } | null;
  payments: { paymentId: string; amountCents: number; paidOn: string; source: string; reference: string | null }[];
  timeline: { type: string; recordedAt: string; actor: string | null; actorName: string | null; data: Record<string, unknown> }[];
}

interface Outstanding {
  asOf: string;
  buckets: { bucket: InvoiceAge; count: number; openCents: number }[];
  collections: { count: number; openCents: number };
  totalOpen: { count: number; openCents: number };
  recovered: { from: string; to: string; count: number; amountCents: number };
}

/** The invoice's state in a word or two, as a tag. */
export function invoiceTag(i: { status: InvoiceRow['status']; stage: string; dunningPaused: boolean; attention: unknown }): Html {
  if (i.attention) return html`<span class="tag bad">wacht op actie</span>`;
  if (i.status === 'paid') return html`<span class="tag ok">betaald</span>`;
  if (i.status === 'credited') return html`<span class="tag">gecrediteerd</span>`;
  const stage = stageLabels[i.stage] ?? i.stage;
  return html`<span class="tag ${i.stage === 'issued' ? '' : 'warn'}">open, ${stage}${i.dunningPaused ? ', aanmanen gepauzeerd' : ''}</span>`;
}

/** Days past due in words. */
export function ageText(days: number | null): string {
  if (days === null) return '';
  if (days < 0) return `over ${-days} ${days === -1 ? 'dag' : 'dagen'} vervallen`;
  if (days === 0) return 'vandaag vervallen';
  return `${days} ${days === 1 ? 'dag' : 'dagen'} over de vervaldatum`;
}

/** The invoices as a table that stacks on a phone; `withDebtor` adds the debtor's column. */
export function invoiceTable(invoices: InvoiceRow[], caption: string, withDebtor: boolean): Html {
  return html`<div class="table-scroll"><table class="fin stack-on-phone">
<caption class="muted">${caption}</caption>
<thead><tr><th scope="col">Factuur</th>${withDebtor ? html`<th scope="col">Debiteur</th>` : ''}<th scope="col">Factuurdatum</th><th scope="col">Vervaldatum</th><th scope="col" class="num">Bedrag</th><th scope="col" class="num">Open</th><th scope="col">Stand</th></tr></thead>
<tbody>${invoices.map(
    (i) => html`<tr>
  <td data-label="Factuur"><a href="/app/facturen/${i.invoiceNumber}">${i.invoiceNumber}</a></td>
  ${withDebtor ? html`<td data-label="Debiteur"><a href="/app/debiteuren/${encodeURIComponent(i.debtorTenantId)}">${i.debtorName ?? i.debtorTenantId}</a> <span class="muted">(${i.debtorTenantId})</span></td>` : ''}
  <td data-label="Factuurdatum">${dutchDate(i.issueDate, false)}</td>
  <td data-label="Vervaldatum">${dutchDate(i.dueDate, false)}${i.status === 'open' && i.daysPastDue !== null && i.daysPastDue > 0 ? html` <span class="muted">(${ageText(i.daysPastDue)})</span>` : ''}</td>
  <td data-label="Bedrag" class="num">${euro(i.totalCents)}</td>
  <td data-label="Open" class="num">${euro(i.openCents)}${i.refundDueCents > 0 ? html` <span class="muted">(terug te betalen ${euro(i.refundDueCents)})</span>` : ''}</td>
  <td data-label="Stand">${invoiceTag(i)}</td>
</tr>`,
  )}</tbody></table></div>`;
}

export function registerFinanceInvoicePages(app: FastifyInstance, deps: WorkspaceDeps): void {
  const access = { roles: ['finance'] as const };

  app.get('/app/facturen', { config: { access }, schema: { hide: true } }, async (request, reply) => {
    const context = contextOf(request, deps.corporationName);
    const filters = filtersSchema.parse(request.query ?? {});
    const { page, ...query } = filters;
    const api = apiOf(app, request);
    const [answer, outstanding] = await Promise.all([
      api.get<InvoiceList>(`/invoices${queryOf({ ...query, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE })}`),
      api.get<Outstanding>('/reports/finance/outstanding'),
    ]);
    if (answer.status !== 200) return sendPage(reply, context, { title: 'Facturen', body: html`<h1>Facturen</h1>`, notices: [refusalNotice(answer)] }, answer.status);
    const { invoices, total, sums } = answer.body;
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const pageLink = (n: number) => `/app/facturen${queryOf({ ...query, page: n === 1 ? undefined : n })}`;
    const option = (value: string, label: string, selected: string | undefined) => html`<option${attrs({ value, selected: value === selected })}>${label}</option>`;
    return sendPage(reply, context, {
      title: 'Facturen',
      body: html`<h1>Facturen</h1>
${outstanding.status === 200 ? outstandingSection(outstanding.body) : ''}
<form class="filters" method="get" action="/app/facturen/zoeken" role="search" aria-label="Factuur of debiteur zoeken">
  <div><label for="q">Factuurnummer of contractnummer</label><input type="search" id="q" name="q" maxlength="100" placeholder="2026-000123 of A-12"></div>
  <div><button type="submit" class="secondary">Zoeken</button></div>
</form>
<h2 id="lijst">Alle facturen</h2>
<form class="filters" method="get" action="/app/facturen#lijst" aria-label="Filters">
  <div><label for="status">Status</label><select id="status" name="status">${option('', 'Alle', filters.status)}${Object.entries(invoiceStatusLabels).map(([v, l]) => option(v, l[0]!.toUpperCase() + l.slice(1), filters.status))}</select></div>
  <div><label for="age">Ouderdom (open facturen)</label><select id="age" name="age">${option('', 'Alle', filters.age)}${ages.map((a) => option(a, ageLabels[a], filters.age))}</select></div>
  <div><button type="submit">Toon facturen</button></div>
</form>
<p role="status">${
        total === 0
          ? 'Geen facturen gevonden.'
          : `${total} ${total === 1 ? 'factuur' : 'facturen'}${pages > 1 ? `, pagina ${page} van ${pages}` : ''}; samen ${euro(sums.totalCents)}, waarvan ${euro(sums.openCents)} open.`
      }</p>
${invoices.length > 0 ? invoiceTable(invoices, 'Nieuwste factuur eerst', true) : ''}
${pager(page, pages, pageLink)}`,
    });
  });

  // An invoice number opens the invoice; anything else is taken for a contract number: that debtor's account.
  app.get('/app/facturen/zoeken', { config: { access }, schema: { hide: true } }, async (request, reply) => {
    const q = z.object({ q: z.string().trim().max(100).catch('') }).catch({ q: '' }).parse(request.query ?? {}).q;
    if (q === '') return reply.redirect('/app/facturen', 303);
    if (INVOICE_NUMBER.test(q)) return reply.redirect(`/app/facturen/${q}`, 303);
    return reply.redirect(`/app/debiteuren/${encodeURIComponent(q)}`, 303);
  });

  // Consultants and admins may read an invoice (the API lets them), e.g. from an incident's page; acting on it is finance's.
  app.get<{ Params: { number: string } }>('/app/facturen/:number', { config: { access: { roles: ['finance', 'consultant', 'admin'] as const } }, schema: { hide: true } }, async (request, reply) => {
    const notices: Notice[] = [];
    const done = z.object({ gedaan: z.enum(['gecrediteerd', 'betaling', 'opgelost']).optional().catch(undefined), nota: z.string().regex(/^C?\d{4}-\d{6}$/).optional().catch(undefined) }).parse(request.query ?? {});
    if (done.gedaan === 'gecrediteerd') notices.push({ kind: 'ok', title: 'Gecrediteerd', text: `De factuur is gecrediteerd${done.nota ? ` met creditnota ${done.nota}` : ''}. De huurder krijgt de creditnota toegestuurd; het aanmanen is gestopt.` });
    if (done.gedaan === 'betaling') notices.push({ kind: 'ok', title: 'Betaling geboekt', text: 'De betaling is op de factuur geboekt.' });
    if (done.gedaan === 'opgelost') notices.push({ kind: 'ok', title: 'Opgelost', text: 'De stap wordt opnieuw geprobeerd.' });
    return invoicePage(request, reply, request.params.number, notices);
  });

  async function invoicePage(request: FastifyRequest, reply: FastifyReply, number: string, notices: Notice[], status = 200, form: Record<string, string> = {}) {
    const context = contextOf(request, deps.corporationName);
    if (!INVOICE_NUMBER.test(number)) return notFoundPage(reply, context, number);
    const api = apiOf(app, request);
    const answer = await api.get<InvoiceDetail>(`/invoices/${number}`);
    if (answer.status === 404) return notFoundPage(reply, context, number);
    if (answer.status !== 200) return sendPage(reply, context, { title: `Factuur ${number}`, body: html`<h1>Factuur ${number}</h1>`, notices: [refusalNotice(answer)] }, answer.status);
    const invoice = answer.body;
    const account = context.person?.roles.some((r) => r === 'finance' || r === 'admin')
      ? await api.get<InvoiceList>(`/invoices${queryOf({ debtor: invoice.debtorTenantId, limit: 1 })}`)
      : null;
    const debtorName = account?.status === 200 ? (account.body.invoices[0]?.debtorName ?? null) : null;
    const issued = invoice.timeline.find((e) => e.type === 'InvoiceIssued');
    const lines = z.array(z.object({ description: z.string(), amountCents: z.number().int(), vatCode: z.string() })).catch([]).parse(issued?.data.lines ?? []);
    const letters = invoice.timeline.flatMap((e) =>
      z
        .array(z.object({ letterId: z.string(), content: z.object({ kind: z.string() }) }))
        .catch([])
        .parse(e.data.letters ?? [])
        .map((l) => ({ letterId: l.letterId, kind: l.content.kind, recordedAt: e.recordedAt })),
    );
    const today = amsterdamDate(new Date());
    const dunning = invoice.timeline.filter((e) => e.type !== 'InvoiceIssued' && e.type !== 'PaymentRegistered');
    const title = `Factuur ${invoice.invoiceNumber}`;
    return sendPage(
      reply,
      context,
      {
        title,
        notices,
        body: html`${context.person?.roles.includes('finance') ? html`<p><a href="/app/facturen">← Alle facturen</a></p>` : ''}
<h1>${title}</h1>
<p class="lead">${invoiceTag(invoice)}</p>
<dl class="facts">
  <dt>Debiteur</dt><dd>${
    context.person?.roles.includes('finance')
      ? html`<a href="/app/debiteuren/${encodeURIComponent(invoice.debtorTenantId)}">${debtorName ?? invoice.debtorTenantId}</a>`
      : (debtorName ?? invoice.debtorTenantId)
  } (contractnummer ${invoice.debtorTenantId})${
    account?.status === 200 && account.body.total > 1 ? html`, ${account.body.total} facturen, samen ${euro(account.body.sums.openCents)} open` : ''
  }</dd>
  <dt>Factuurdatum</dt><dd>${dutchDate(invoice.issueDate)}</dd>
  <dt>Vervaldatum</dt><dd>${dutchDate(invoice.dueDate)}</dd>
  ${invoice.status === 'open' ? html`<dt>Uiterste betaaldatum</dt><dd>${dutchDate(invoice.payByDate)}${invoice.payByDate < today ? ' (verstreken)' : ''}</dd>` : ''}
  <dt>Factuurbedrag</dt><dd>${euro(invoice.totalCents)}</dd>
  ${invoice.collectionCostsCents > 0 ? html`<dt>Incassokosten</dt><dd>${euro(invoice.collectionCostsCents)}</dd>` : ''}
  ${invoice.interestCents > 0 ? html`<dt>Wettelijke rente</dt><dd>${euro(invoice.interestCents)}</dd>` : ''}
  <dt>Betaald</dt><dd>${euro(invoice.paidCents)}</dd>
  <dt>Open</dt><dd><strong>${euro(invoice.openCents)}</strong></dd>
  ${invoice.creditNoteNumber ? html`<dt>Creditnota</dt><dd>${invoice.creditNoteNumber}</dd>` : ''}
  ${invoice.refundDueCents > 0 ? html`<dt>Terug te betalen</dt><dd>${euro(invoice.refundDueCents)} aan de huurder</dd>` : ''}
</dl>
${invoice.attention ? html`<div class="notice bad" role="alert"><h2>Wacht op actie</h2><p>De stap ${invoice.attention.step} lukte niet sinds ${dutchDateTime(invoice.attention.since)}: ${invoice.attention.reason}</p></div>` : ''}

<h2>Factuurregels</h2>
<div class="table-scroll"><table class="fin">
<thead><tr><th scope="col">Omschrijving</th><th scope="col">Btw-code</th><th scope="col" class="num">Bedrag</th></tr></thead>
<tbody>${lines.map((l) => html`<tr><td>${l.description}</td><td>${l.vatCode}</td><td class="num">${euro(l.amountCents)}</td></tr>`)}</tbody>
<tfoot><tr><th scope="row" colspan="2">Totaal</th><td class="num"><strong>${euro(invoice.totalCents)}</strong></td></tr></tfoot>
</table></div>

<h2>Brieven</h2>
${
  letters.length === 0
    ? html`<p>Er zijn (nog) geen brieven bij deze factuur.</p>`
    : html`<ul>${letters.map(
        (l) =>
          html`<li><a href="/letters/${encodeURIComponent(l.letterId)}/pdf">${letterKindLabels[l.kind] ?? l.kind} (PDF)</a> <span class="muted">van ${dutchDateTime(l.recordedAt)}</span></li>`,
      )}</ul>`
}

<h2>Betalingen</h2>
${
  invoice.payments.length === 0
    ? html`<p>Er is nog niets betaald.</p>`
    : html`<div class="table-scroll"><table class="fin stack-on-phone">
<thead><tr><th scope="col">Betaald op</th><th scope="col" class="num">Bedrag</th><th scope="col">Bron</th><th scope="col">Kenmerk en omschrijving</th></tr></thead>
<tbody>${invoice.payments.map(
        (p) => html`<tr><td data-label="Betaald op">${dutchDate(p.paidOn)}</td><td data-label="Bedrag" class="num">${euro(p.amountCents)}</td><td data-label="Bron">${paymentSourceLabels[p.source] ?? p.source}</td><td data-label="Kenmerk">${p.paymentId}${p.reference ? html` <span class="muted">(${p.reference})</span>` : ''}</td></tr>`,
      )}</tbody>
<tfoot><tr><th scope="row">Totaal betaald</th><td class="num">${euro(invoice.paidCents)}</td><td colspan="2"></td></tr></tfoot>
</table></div>`
}

<h2>Aanmaningen en verloop</h2>
${
  dunning.length === 0
    ? html`<p>Nog geen herinnering of aanmaning: de vervaldatum is ${dutchDate(invoice.dueDate)}.</p>`
    : html`<ol class="timeline">${dunning.map((e) => {
        const said = invoiceEventText(e.type, e.data);
        return html`<li><strong>${said.title}</strong> <span class="muted">— ${dutchDateTime(e.recordedAt)}, ${actorLabel(e.actor, e.actorName)}</span><br>${said.text}</li>`;
      })}</ol>`
}
${invoice.status === 'open' && context.person?.roles.includes('finance') ? actions(context, invoice, today, form) : ''}`,
      },
      status,
    );
  }

  function actions(context: PageContext, invoice: InvoiceDetail, today: string, form: Record<string, string>): Html {
    const number = invoice.invoiceNumber;
    return html`<h2>Acties</h2>
${
  invoice.attention
    ? html`<form method="post" action="/app/facturen/${number}/opgelost" class="stack">${csrfField(context)}
  <h3>Oorzaak opgelost</h3>
  <div><label for="attention-note">Wat is er gedaan? <span class="hint">(optioneel)</span></label><textarea id="attention-note" name="note" maxlength="1000"></textarea></div>
  <button type="submit">Stap opnieuw proberen</button>
</form>`
    : ''
}
<form method="post" action="/app/facturen/${number}/betaling" class="stack">${csrfField(context)}
  <h3>Betaling met de hand boeken</h3>
  <input type="hidden" name="key" value="${form.key ?? randomUUID()}">
  <div><label for="amount">Bedrag in euro</label><span class="hint" id="amount-hint">Bijvoorbeeld 45,50</span><input type="text" inputmode="decimal" id="amount" name="amount" aria-describedby="amount-hint" required${attrs({ value: form.amount })}></div>
  <div><label for="paidOn">Betaald op</label><input type="date" id="paidOn" name="paidOn" required${attrs({ value: form.paidOn ?? today, max: today, min: invoice.issueDate })}></div>
  <div><label for="reference">Omschrijving of kenmerk <span class="hint">(optioneel)</span></label><input type="text" id="reference" name="reference" maxlength="500"${attrs({ value: form.reference })}></div>
  <button type="submit">Betaling boeken</button>
</form>
<form method="post" action="/app/facturen/${number}/crediteren" class="stack">${csrfField(context)}
  <h3>Crediteren</h3>
  <p>Een creditnota voor het hele bedrag (${euro(invoice.totalCents + invoice.collectionCostsCents + invoice.interestCents)}). Het aanmanen stopt.${
    invoice.paidCents > 0 ? ` Wat al betaald is (${euro(invoice.paidCents)}), moet aan de huurder worden terugbetaald.` : ''
  }</p>
  <input type="hidden" name="key" value="${form.creditKey ?? randomUUID()}">
  <div><label for="reason">Reden van de creditering</label><textarea id="reason" name="reason" maxlength="1000" required>${form.reason ?? ''}</textarea></div>
  <button type="submit" class="warning" data-confirm="Factuur ${number} crediteren? Dit kan niet ongedaan worden gemaakt.">Factuur crediteren</button>
</form>`;
  }

  function notFoundPage(reply: FastifyReply, context: PageContext, number: string) {
    return sendPage(reply, context, { title: 'Factuur niet gevonden', body: html`<h1>Factuur niet gevonden</h1><p>Er is geen factuur ${number}.</p><p><a href="/app/facturen">Naar alle facturen</a></p>` }, 404);
  }

  const formOf = (body: unknown) => z.record(z.string(), z.string()).catch({}).parse(body ?? {});
  const idempotencyKey = (value: string | undefined) => (value && /^[0-9a-f-]{36}$/.test(value) ? value : randomUUID());

  app.post<{ Params: { number: string } }>('/app/facturen/:number/crediteren', { config: { access: { ...access, csrf: 'form' } }, schema: { hide: true } }, async (request, reply) => {
    const { number } = request.params;
    const form = formOf(request.body);
    const reason = (form.reason ?? '').trim();
    if (!INVOICE_NUMBER.test(number)) return notFoundPage(reply, contextOf(request, deps.corporationName), number);
    if (reason === '') return invoicePage(request, reply, number, [{ kind: 'bad', title: 'Niet gecrediteerd', text: 'Geef de reden van de creditering op.' }], 400, { creditKey: form.key ?? '' });
    const answer = await apiOf(app, request).post<{ creditNoteNumber: string }>(`/invoices/${number}/credit`, { reason }, { 'idempotency-key': idempotencyKey(form.key) });
    if (answer.status !== 200) return invoicePage(request, reply, number, [refusalNotice(answer, 'Niet gecrediteerd')], answer.status, { reason });
    return reply.redirect(`/app/facturen/${number}${queryOf({ gedaan: 'gecrediteerd', nota: answer.body.creditNoteNumber })}`, 303);
  });

  app.post<{ Params: { number: string } }>('/app/facturen/:number/betaling', { config: { access: { ...access, csrf: 'form' } }, schema: { hide: true } }, async (request, reply) => {
    const { number } = request.params;
    const form = formOf(request.body);
    if (!INVOICE_NUMBER.test(number)) return notFoundPage(reply, contextOf(request, deps.corporationName), number);
    let amountCents: number;
    try {
      amountCents = parseEuroAmountCents((form.amount ?? '').trim());
    } catch (error) {
      if (!(error instanceof InvalidEuroAmountError)) throw error;
      return invoicePage(request, reply, number, [{ kind: 'bad', title: 'Niet geboekt', text: 'Vul het bedrag in euro in, met hoogstens twee cijfers na de komma, bijvoorbeeld 45,50.' }], 400, form);
    }
    if (amountCents <= 0) return invoicePage(request, reply, number, [{ kind: 'bad', title: 'Niet geboekt', text: 'Een betaling is meer dan € 0,00.' }], 400, form);
    const reference = (form.reference ?? '').trim();
    const answer = await apiOf(app, request).post(`/invoices/${number}/payments`, {
      amountCents,
      paidOn: form.paidOn ?? '',
      paymentId: `handmatig:${idempotencyKey(form.key)}`,
      ...(reference ? { reference } : {}),
    });
    if (answer.status !== 200) return invoicePage(request, reply, number, [refusalNotice(answer, 'Niet geboekt')], answer.status, form);
    return reply.redirect(`/app/facturen/${number}?gedaan=betaling`, 303);
  });

  app.post<{ Params: { number: string } }>('/app/facturen/:number/opgelost', { config: { access: { ...access, csrf: 'form' } }, schema: { hide: true } }, async (request, reply) => {
    const { number } = request.params;
    const form = formOf(request.body);
    if (!INVOICE_NUMBER.test(number)) return notFoundPage(reply, contextOf(request, deps.corporationName), number);
    const note = (form.note ?? '').trim();
    const answer = await apiOf(app, request).post(`/invoices/${number}/attention/resolution`, note ? { note } : {});
    if (answer.status !== 200) return invoicePage(request, reply, number, [refusalNotice(answer)], answer.status);
    return reply.redirect(`/app/facturen/${number}?gedaan=opgelost`, 303);
  });

  app.get<{ Params: { contractNumber: string } }>('/app/debiteuren/:contractNumber', { config: { access }, schema: { hide: true } }, async (request, reply) => {
    const context = contextOf(request, deps.corporationName);
    const contractNumber = request.params.contractNumber.trim();
    const page = z.coerce.number().int().min(1).max(10_000).catch(1).parse((request.query as { page?: unknown } | undefined)?.page ?? 1);
    const title = `Debiteur ${contractNumber}`;
    if (contractNumber === '' || contractNumber.length > 100) return sendPage(reply, context, { title, body: html`<h1>${title}</h1><p>Dit contractnummer bestaat niet.</p>` }, 404);
    const answer = await apiOf(app, request).get<InvoiceList>(`/invoices${queryOf({ debtor: contractNumber, limit: 100, offset: (page - 1) * 100 })}`);
    if (answer.status !== 200) return sendPage(reply, context, { title, body: html`<h1>${title}</h1>`, notices: [refusalNotice(answer)] }, answer.status);
    const { invoices, total, sums } = answer.body;
    const name = invoices[0]?.debtorName ?? null;
    const pages = Math.max(1, Math.ceil(total / 100));
    return sendPage(reply, context, {
      title: `Debiteur ${name ?? contractNumber}`,
      body: html`<p><a href="/app/facturen">← Alle facturen</a></p>
<h1>Debiteur ${name ?? contractNumber}</h1>
<p class="lead">Contractnummer ${contractNumber}</p>
${
  total === 0
    ? html`<p role="status">Er zijn geen facturen voor contractnummer ${contractNumber}.</p>`
    : html`<dl class="facts" aria-label="Saldo">
  <dt>Facturen</dt><dd>${total}</dd>
  <dt>Gefactureerd</dt><dd>${euro(sums.totalCents)}</dd>
  <dt>Betaald</dt><dd>${euro(sums.paidCents)}</dd>
  <dt>Totaal open</dt><dd><strong>${euro(sums.openCents)}</strong></dd>
  ${sums.refundDueCents > 0 ? html`<dt>Terug te betalen</dt><dd>${euro(sums.refundDueCents)}</dd>` : ''}
</dl>
${invoiceTable(invoices, 'Alle facturen van deze debiteur, nieuwste eerst', false)}
${pager(page, pages, (n) => `/app/debiteuren/${encodeURIComponent(contractNumber)}${n === 1 ? '' : `?page=${n}`}`)}`
}`,
    });
  });
}

/** Outstanding by age: each bucket a link to the invoices in it. */
function outstandingSection(report: Outstanding): Html {
  const cards = [...report.buckets.map((b) => ({ key: b.bucket as InvoiceAge, count: b.count, openCents: b.openCents })), { key: 'collections' as InvoiceAge, ...report.collections }];
  return html`<section aria-labelledby="openstaand">
<h2 id="openstaand">Openstaand naar ouderdom</h2>
<p>Op ${dutchDate(report.asOf)} staat ${euro(report.totalOpen.openCents)} open op ${report.totalOpen.count} ${report.totalOpen.count === 1 ? 'factuur' : 'facturen'}. Ontvangen van ${dutchDate(report.recovered.from, false)} tot en met ${dutchDate(report.recovered.to, false)}: ${euro(report.recovered.amountCents)} (${report.recovered.count} ${report.recovered.count === 1 ? 'betaling' : 'betalingen'}).</p>
<ul class="cards ages">${cards.map(
    (c) => html`<li class="card${c.key === '90+' || c.key === 'collections' ? ' bad' : c.key === 'not_yet_due' ? '' : ' warn'}"><h3><a href="/app/facturen?age=${encodeURIComponent(c.key)}#lijst">${ageLabels[c.key]}</a></h3><span class="count">${euro(c.openCents)}</span> ${c.count} ${c.count === 1 ? 'factuur' : 'facturen'}</li>`,
  )}</ul>
</section>`;
}

