import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { verifyTenantLink, InvalidLinkError } from '../../documents/links';
import { escapeHtml } from '../../documents/letters';
import { categoryLabels, categorySchema } from '../../domain/policy';
import { formatDutchWeekdayDate } from '../../domain/calendar';
import type { ApiDeps } from '../deps';

/** The page a tenant's link opens: confirm the cleanup or object, without an account. */
export function registerTenantLinkPage(app: FastifyInstance, deps: ApiDeps): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/links/:token',
    { config: { access: 'public' }, schema: { hide: true, params: z.object({ token: z.string().min(1) }) } },
    async (request, reply) => {
      let page: string;
      try {
        const link = verifyTenantLink(request.params.token, deps.config.linkSecret, new Date());
        const incident = await deps.db.selectFrom('incidents').selectAll().where('incident_id', '=', link.incidentId).executeTakeFirst();
        if (!incident) throw new InvalidLinkError('malformed');
        const category = categorySchema.safeParse(incident.category);
        const what = category.success ? categoryLabels[category.data] : incident.category;
        const token = encodeURIComponent(request.params.token);
        const base = `/incidents/${encodeURIComponent(incident.incident_id)}`;
        page =
          incident.status === 'closed'
            ? `<p>Deze melding is afgehandeld. Dank u wel.</p>`
            : `<p>Melding: ${escapeHtml(what)}, ${escapeHtml(incident.location)}.</p>
<p>${incident.deadline_date ? `Uiterlijk ${escapeHtml(formatDutchWeekdayDate(incident.deadline_date))}.` : ''}</p>
<button type="button" data-send="${base}/cleanup-reports?token=${token}">Het is schoongemaakt</button>
<p><textarea id="reason" rows="4" cols="50" placeholder="Waarom bent u het er niet mee eens?"></textarea><br>
<button type="button" data-send="${base}/disputes?token=${token}" data-reason="reason">Bezwaar maken</button></p>
<p id="result"></p>
<script nonce="${reply.cspNonce.script}">
for (const button of document.querySelectorAll('button[data-send]')) {
  button.addEventListener('click', async () => {
    const body = button.dataset.reason ? { reason: document.getElementById(button.dataset.reason).value } : {};
    const response = await fetch(button.dataset.send, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const answer = await response.json();
    document.getElementById('result').textContent = response.ok ? 'Dank u wel, dit is vastgelegd.' : (answer.detail || 'Dat lukte niet.');
  });
}
</script>`;
      } catch (error) {
        if (!(error instanceof InvalidLinkError)) throw error;
        reply.status(error.reason === 'expired' ? 410 : 404);
        page = `<p>Deze link is ${error.reason === 'expired' ? 'verlopen' : 'ongeldig'}. Neem contact op met ${escapeHtml(deps.config.corporationName)}.</p>`;
      }
      return reply
        .type('text/html; charset=utf-8')
        .send(`<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>${escapeHtml(deps.config.corporationName)}</title></head><body>${page}</body></html>`);
    },
  );
}
