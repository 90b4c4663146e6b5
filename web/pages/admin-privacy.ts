import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WorkspaceDeps } from '../deps';
import { apiOf } from '../api-client';
import { fieldsOf } from '../form-fields';
import { html } from '../html';
import { contextOf, csrfField, sendPage, type Notice } from '../layout';
import { refusalOf } from './team-review';

const admin = { access: { roles: ['admin'] as const } };
const adminForm = { access: { roles: ['admin'] as const, csrf: 'form' as const } };

interface Erasure {
  incidentIds: string[];
  keysDestroyed: number;
  photosRemoved: number;
  billing: { invoicesKept: string[]; keptUntil: string | null };
}

const contractNumberOf = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/**
 * A tenant's privacy requests, for the admin: the access request (the document from
 * GET /tenants/{id}/data-export/document) and the erasure (POST /tenants/{id}/erasure), the latter
 * only after ticking that it is meant.
 */
export function registerAdminPrivacy(app: FastifyInstance, deps: WorkspaceDeps): void {
  const page = (request: FastifyRequest, reply: FastifyReply, notices: Notice[] = [], status = 200, value = '') => {
    const context = contextOf(request, deps.corporationName);
    return sendPage(
      reply,
      context,
      {
        title: 'Privacyverzoeken',
        notices,
        body: html`<h1>Privacyverzoeken</h1>
<p class="lead">Een huurder mag weten welke gegevens we over hem of haar bewaren, en mag vragen ze te wissen (AVG).</p>
<h2>Inzage</h2>
<form method="get" action="/app/privacy/inzage" class="stack">
  <label for="inzage-contractnummer">Contractnummer</label>
  <input id="inzage-contractnummer" name="contractnummer" required autocomplete="off" value="${value}">
  <button type="submit">Gegevens tonen</button>
</form>
<p>U krijgt één document met alles wat over de huurder bewaard is. Sla het op of druk het af als PDF om het de huurder te geven.</p>
<h2>Wissen</h2>
<p>Gewist worden de naam, het e-mailadres en het adres uit het adresboek, de omschrijvingen, notities en foto's van de meldingen waarin de huurder voorkomt, en de e-mailadressen van de brieven. Van facturen blijven naam en adres 7 jaar bewaard voor de belastingdienst. Zolang een melding of factuur van de huurder openstaat, kan het niet.</p>
<form method="post" action="/app/privacy/wissen" class="stack">
  ${csrfField(context)}
  <label for="wissen-contractnummer">Contractnummer</label>
  <input id="wissen-contractnummer" name="contractnummer" required autocomplete="off">
  <div><input type="checkbox" id="wissen-zeker" name="zeker" value="ja" required> <label for="wissen-zeker">Ik weet dat wissen niet ongedaan kan worden</label></div>
  <button type="submit">Gegevens wissen</button>
</form>`,
      },
      status,
    );
  };

  app.get('/app/privacy', { config: admin, schema: { hide: true } }, async (request, reply) => page(request, reply));

  app.get('/app/privacy/inzage', { config: admin, schema: { hide: true } }, async (request, reply) => {
    const tenantId = contractNumberOf((request.query as Record<string, unknown> | undefined)?.contractnummer);
    if (tenantId === '') return page(request, reply, [{ kind: 'bad', text: 'Vul het contractnummer van de huurder in.' }], 400);
    const answer = await apiOf(app, request).get<string>(`/tenants/${encodeURIComponent(tenantId)}/data-export/document`);
    if (answer.status !== 200) return page(request, reply, [{ kind: 'bad', text: answer.status === 404 ? `Over huurder ${tenantId} bewaren we niets.` : refusalOf(answer) }], answer.status, tenantId);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(answer.body);
  });

  app.post('/app/privacy/wissen', { config: adminForm, schema: { hide: true } }, async (request, reply) => {
    const fields = fieldsOf(request.body);
    const tenantId = contractNumberOf(fields.contractnummer);
    if (tenantId === '') return page(request, reply, [{ kind: 'bad', text: 'Vul het contractnummer van de huurder in.' }], 400);
    if (fields.zeker !== 'ja') return page(request, reply, [{ kind: 'bad', text: 'Vink aan dat u weet dat wissen niet ongedaan kan worden.' }], 400);
    const answer = await apiOf(app, request).post<Erasure>(`/tenants/${encodeURIComponent(tenantId)}/erasure`);
    if (answer.status === 404) return page(request, reply, [{ kind: 'bad', text: `Over huurder ${tenantId} bewaren we niets.` }], 404);
    if (answer.status === 409) {
      return page(request, reply, [{ kind: 'warn', title: 'Nog niet', text: `Huurder ${tenantId} heeft nog een openstaande melding of factuur. Wis de gegevens als die zijn afgehandeld.` }], 409);
    }
    if (answer.status !== 200) return page(request, reply, [{ kind: 'bad', text: refusalOf(answer) }], answer.status);
    const e = answer.body;
    const kept = e.billing.keptUntil
      ? ` Naam en adres blijven bij ${e.billing.invoicesKept.length === 1 ? 'factuur' : 'facturen'} ${e.billing.invoicesKept.join(', ')} bewaard tot en met ${e.billing.keptUntil.split('-').reverse().join('-')}.`
      : '';
    return page(request, reply, [
      {
        kind: 'ok',
        title: `De gegevens van huurder ${tenantId} zijn gewist`,
        text: `${e.incidentIds.length} ${e.incidentIds.length === 1 ? 'melding' : 'meldingen'} zonder omschrijving en notities, ${e.photosRemoved} ${e.photosRemoved === 1 ? 'foto' : "foto's"} verwijderd.${kept}`,
      },
    ]);
  });
}
