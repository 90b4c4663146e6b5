import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { amsterdamDate } from '../../domain/calendar';
import type { WorkspaceDeps } from '../deps';
import { apiOf, queryOf } from '../api-client';
import { dutchDateTime } from '../dutch';
import { html } from '../html';
import { contextOf, csrfField, sendPage, type Notice } from '../layout';
import { pager, refusalNotice } from './finance-common';

const PAGE_SIZE = 25;

interface Batch {
  batchId: string;
  rowCount: number;
  sha256: string;
  createdAt: string;
}

/** Finance's exports to the bookkeeping: a batch of everything not yet exported, its download, and the history. */
export function registerFinanceExportPages(app: FastifyInstance, deps: WorkspaceDeps): void {
  const access = { roles: ['finance'] as const };

  app.get('/app/exports', { config: { access }, schema: { hide: true } }, async (request, reply) => exportsPage(request, reply, [], {}));

  /** A period's bookings: checked here, so that a mistake is said in Dutch on the page; then the API's streamed CSV. */
  app.get('/app/exports/periode', { config: { access }, schema: { hide: true } }, async (request, reply) => {
    const query = z.object({ from: z.string().max(20).optional().catch(undefined), to: z.string().max(20).optional().catch(undefined) }).parse(request.query ?? {});
    const date = z.iso.date();
    const from = date.safeParse(query.from);
    const to = date.safeParse(query.to);
    const problem = !from.success || !to.success ? 'Vul twee datums in: van en tot en met.' : to.data < from.data ? 'De datum tot en met ligt vóór de datum van.' : null;
    if (problem || !from.success || !to.success) {
      return exportsPage(request, reply, [{ kind: 'bad', title: 'Geen bestand gemaakt', text: problem ?? '' }], { from: query.from, to: query.to }, 400);
    }
    return reply.redirect(`/billing/export${queryOf({ from: from.data, to: to.data, format: 'csv' })}`, 303);
  });

  async function exportsPage(request: FastifyRequest, reply: FastifyReply, notices: Notice[], period: { from?: string; to?: string }, status = 200) {
    const context = contextOf(request, deps.corporationName);
    const query = z
      .object({
        batch: z.string().max(100).optional().catch(undefined),
        leeg: z.literal('1').optional().catch(undefined),
        page: z.coerce.number().int().min(1).max(10_000).default(1).catch(1),
      })
      .parse(request.query ?? {});
    // One more than a page: whether there is a next one.
    const answer = await apiOf(app, request).get<{ batches: Batch[] }>(`/billing/export-batches${queryOf({ limit: PAGE_SIZE + 1, offset: (query.page - 1) * PAGE_SIZE })}`);
    if (answer.status !== 200) notices.push(refusalNotice(answer));
    const all = answer.status === 200 ? answer.body.batches : [];
    const batches = all.slice(0, PAGE_SIZE);
    const made = query.batch ? batches.find((b) => b.batchId === query.batch) : undefined;
    if (made) {
      notices.push({
        kind: 'ok',
        title: 'Exportbatch gemaakt',
        text: html`De batch bevat ${made.rowCount} ${made.rowCount === 1 ? 'boeking' : 'boekingen'}. <a href="/billing/export-batches/${encodeURIComponent(made.batchId)}">Download de batch (CSV)</a>.`,
      });
    }
    if (query.leeg) notices.push({ kind: 'info', title: 'Geen nieuwe boekingen', text: 'Sinds de vorige batch is er niets nieuws om te exporteren; er is geen batch gemaakt.' });
    const today = amsterdamDate(new Date());
    return sendPage(reply, context, {
      title: 'Exports',
      notices,
      body: html`<h1>Exports naar de boekhouding</h1>
<form method="post" action="/app/exports/nieuw" class="stack">${csrfField(context)}
  <h2>Nieuwe exportbatch</h2>
  <p>Een batch bevat alle boekingen die nog in geen batch zaten (factuurregels, betalingen, creditnota's, incassokosten, rente en servicekosten), elk precies één keer. Een batch downloadt elke keer precies hetzelfde bestand.</p>
  <button type="submit">Exportbatch maken</button>
</form>
<h2 id="geschiedenis">Eerdere batches</h2>
${
  batches.length === 0
    ? html`<p role="status">Er zijn nog geen exportbatches.</p>`
    : html`<div class="table-scroll"><table class="fin stack-on-phone">
<caption class="muted">Nieuwste batch eerst</caption>
<thead><tr><th scope="col">Gemaakt</th><th scope="col" class="num">Boekingen</th><th scope="col">Bestand</th><th scope="col">Controlegetal (SHA-256)</th></tr></thead>
<tbody>${batches.map(
        (b) => html`<tr>
  <td data-label="Gemaakt">${dutchDateTime(b.createdAt)}</td>
  <td data-label="Boekingen" class="num">${b.rowCount}</td>
  <td data-label="Bestand"><a href="/billing/export-batches/${encodeURIComponent(b.batchId)}" download>Download batch ${b.batchId} (CSV)</a></td>
  <td data-label="SHA-256"><code title="${b.sha256}">${b.sha256.slice(0, 12)}…</code></td>
</tr>`,
      )}</tbody></table></div>`
}
${pager(query.page, all.length > PAGE_SIZE ? query.page + 1 : query.page, (n) => `/app/exports${n === 1 ? '' : `?page=${n}`}#geschiedenis`)}
<form method="get" action="/app/exports/periode" class="stack" id="periode">
  <h2>Boekingen over een periode</h2>
  <p>Alle boekingen met een boekdatum in de periode, los van de batches (bijvoorbeeld voor een controle).</p>
  <div><label for="from">Van</label><input type="date" id="from" name="from" required value="${period.from ?? `${today.slice(0, 8)}01`}"></div>
  <div><label for="to">Tot en met</label><input type="date" id="to" name="to" required value="${period.to ?? today}"></div>
  <button type="submit" class="secondary">Download CSV</button>
</form>`,
    }, status);
  }

  app.post('/app/exports/nieuw', { config: { access: { ...access, csrf: 'form' } }, schema: { hide: true } }, async (request, reply) => {
    const answer = await apiOf(app, request).post<{ batchId: string | null }>('/billing/export-batches');
    if (answer.status === 201 && answer.body.batchId) return reply.redirect(`/app/exports?batch=${encodeURIComponent(answer.body.batchId)}`, 303);
    if (answer.status === 200) return reply.redirect('/app/exports?leeg=1', 303);
    const context = contextOf(request, deps.corporationName);
    return sendPage(reply, context, { title: 'Exports', body: html`<h1>Exports naar de boekhouding</h1><p><a href="/app/exports">Terug naar de exports</a></p>`, notices: [refusalNotice(answer, 'Geen batch gemaakt')] }, answer.status);
  });
}
