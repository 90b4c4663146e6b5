import type { ApiAnswer } from '../api-client';
import { financeRefusal } from '../dutch-finance';
import { html, type Html } from '../html';
import type { Notice } from '../layout';

/** An invoice number as the API takes it (2026-000123). */
export const INVOICE_NUMBER = /^\d{4}-\d{6}$/;

/** The API's refusal as a notice in Dutch, with its reason. */
export function refusalNotice(answer: ApiAnswer, title = 'Dat lukte niet'): Notice {
  const body = (answer.body ?? {}) as { detail?: unknown; errors?: { path: string; message: string }[] };
  const detail = typeof body.detail === 'string' ? body.detail : `status ${answer.status}`;
  return { kind: 'bad', title, text: financeRefusal(detail, Array.isArray(body.errors) ? body.errors : []) };
}

/** Previous and next page links, when there is more than one page. */
export function pager(page: number, pages: number, link: (n: number) => string): Html | '' {
  if (pages <= 1) return '';
  return html`<nav class="pager" aria-label="Pagina's">${page > 1 ? html`<a href="${link(page - 1)}" rel="prev">Vorige pagina</a>` : html`<span></span>`}${
    page < pages ? html`<a href="${link(page + 1)}" rel="next">Volgende pagina</a>` : ''
  }</nav>`;
}

/** Who acted, as a person reads it: their name, or what the actor was. */
export function actorLabel(actor: string | null, actorName: string | null): string {
  if (actorName) return actorName;
  if (!actor) return 'het systeem';
  if (actor.startsWith('person:')) return actor.slice('person:'.length);
  const role = actor.split(':')[0];
  const keys: Record<string, string> = { finance: 'koppeling financiën', consultant: 'koppeling woonconsulent', admin: 'koppeling beheer', contractor: 'koppeling aannemer' };
  return keys[role ?? ''] ?? 'het systeem';
}
