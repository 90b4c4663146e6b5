import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HttpProblem } from '../api/problems';
import { registerAssets } from './assets';
import { inDutch } from './dutch';
import { html } from './html';
import { contextOf, sendPage } from './layout';
import { registerSignIn } from './sign-in';
import { registerIncidentList } from './pages/incidents';
import { registerReportForm } from './pages/report-new';
import { registerWorkOrderPages } from './pages/work-orders';
import { registerFinancePages } from './pages/finance';
import { registerTeamPages } from './pages/team';
import { registerConsultantPages } from './pages/consultant';
import { registerPostPage } from './pages/post';
import { registerRoundPages } from './pages/rounds';
import type { WorkspaceDeps } from './deps';

export type { WorkspaceDeps } from './deps';

/** The workspace: the staff's web pages under /app, over the API (web/api-client.ts). */
export function registerWorkspace(app: FastifyInstance, deps: WorkspaceDeps): void {
  registerAssets(app);
  registerSignIn(app, deps);
  registerIncidentList(app, deps);
  registerReportForm(app, deps);
  registerWorkOrderPages(app, deps);
  registerFinancePages(app, deps);
  registerTeamPages(app, deps);
  registerConsultantPages(app, deps);
  registerPostPage(app, deps);
  registerRoundPages(app, deps);
}

/**
 * A problem on a workspace page is a page, not JSON: not signed in, to the sign-in (and back); no
 * role for it, a page that says so; anything else, the reason in Dutch.
 */
export function workspaceProblemPage(request: FastifyRequest, reply: FastifyReply, problem: HttpProblem, corporationName: string): FastifyReply | null {
  if (!request.url.startsWith('/app') || request.url.startsWith('/app/assets/')) return null;
  const path = request.url.split('#')[0] ?? '/app';
  if (problem.status === 401 && request.method === 'GET') return reply.redirect(`/app/aanmelden?next=${encodeURIComponent(path)}`);
  const context = contextOf(request, corporationName);
  const titles: Record<number, string> = { 401: 'Niet aangemeld', 403: 'Geen toegang', 404: 'Pagina niet gevonden' };
  const title = titles[problem.status] ?? (problem.status >= 500 ? 'Er ging iets mis' : 'Dat lukte niet');
  const text =
    problem.status === 404
      ? 'Deze pagina bestaat niet (meer). Controleer het adres, of ga terug naar de vorige pagina.'
      : problem.status >= 500 && problem.status !== 503
        ? 'Er ging aan onze kant iets mis. Probeer het opnieuw; lukt het dan nog niet, meld het bij de beheerder.'
        : inDutch(problem.message);
  return sendPage(reply, context, { title, body: html`<h1>${title}</h1><p>${text}</p><p><a href="/app">Naar de startpagina</a></p>` }, problem.status);
}
