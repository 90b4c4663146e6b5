import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../config/config';
import type { Person } from '../api/sessions';
import { CSRF_FIELD } from '../api/auth';
import { assetUrl } from './assets';
import { roleLabels } from './dutch';
import { html, raw, type Html } from './html';

/** Where each role works: the navigation shows a person the places of their roles. */
export const navigation: { href: string; label: string; roles: readonly Role[] }[] = [
  { href: '/app/werk', label: 'Werkvoorraad', roles: ['consultant'] },
  { href: '/app/meldingen/nieuw', label: 'Melden', roles: ['consultant'] },
  { href: '/app/rondes', label: 'Rondes', roles: ['consultant'] },
  { href: '/app/meldingen', label: 'Meldingen', roles: ['consultant', 'manager', 'admin'] },
  { href: '/app/post', label: 'Post', roles: ['consultant', 'admin'] },
  { href: '/app/werkorders', label: 'Werkorders', roles: ['contractor'] },
  { href: '/app/facturen', label: 'Facturen', roles: ['finance'] },
  { href: '/app/betalingen', label: 'Betalingen', roles: ['finance'] },
  { href: '/app/exports', label: 'Exports', roles: ['finance'] },
  { href: '/app/casusoverleg', label: 'Casusoverleg', roles: ['manager', 'consultant'] },
  { href: '/app/rapportages', label: 'Rapportages', roles: ['manager', 'admin'] },
  { href: '/app/adresboek', label: 'Adresboek', roles: ['admin'] },
  { href: '/app/beleid', label: 'Beleid', roles: ['admin', 'manager'] },
  { href: '/app/privacy', label: 'Privacy', roles: ['admin'] },
];

/** The first place of a person's roles: where the workspace opens for them. */
export function homeOf(roles: readonly Role[]): string {
  return navigation.find((item) => item.roles.some((role) => roles.includes(role)))?.href ?? '/app/geen-rol';
}

export interface PageContext {
  person: Person | null;
  csrfToken: string | null;
  path: string;
  corporationName: string;
}

export type Notice = { kind: 'ok' | 'warn' | 'bad' | 'info'; title?: string; text: string | Html };

export interface Page {
  title: string;
  body: Html;
  notices?: Notice[];
  /** The page's own heading is in `body` (h1); the title is for the tab and screen readers. */
}

export function layout(context: PageContext, page: Page): string {
  const { person } = context;
  const items = person ? navigation.filter((item) => item.roles.some((role) => person.roles.includes(role))) : [];
  const current = items
    .filter((item) => context.path === item.href || context.path.startsWith(`${item.href}/`))
    .sort((a, b) => b.href.length - a.href.length)[0]?.href;
  return `<!doctype html>${html`<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} – ${context.corporationName}</title>
<link rel="stylesheet" href="${assetUrl('app.css')}">
<script src="${assetUrl('app.js')}" defer></script>
</head>
<body>
<a class="skip" href="#inhoud">Naar de inhoud</a>
<header class="site">
  <div class="bar">
    <a class="brand" href="/app">${context.corporationName} · Vervuiler betaalt</a>
    ${
      person
        ? html`<nav aria-label="Hoofdmenu"><ul>${items.map(
            (item) => html`<li><a href="${item.href}"${item.href === current ? raw(' aria-current="page"') : ''}>${item.label}</a></li>`,
          )}</ul></nav>
    <span class="who">${person.name} <span class="muted">(${person.roles.map((r) => roleLabels[r]).join(', ')})</span></span>
    <form method="post" action="/app/afmelden"><input type="hidden" name="${CSRF_FIELD}" value="${context.csrfToken ?? ''}"><button type="submit">Afmelden</button></form>`
        : ''
    }
  </div>
</header>
<main id="inhoud" tabindex="-1">
${(page.notices ?? []).map(
  (n) => html`<div class="notice ${n.kind}" role="${n.kind === 'bad' ? 'alert' : 'status'}">${n.title ? html`<h2>${n.title}</h2>` : ''}<p>${n.text}</p></div>`,
)}
${page.body}
</main>
<footer class="site"><div>${context.corporationName} · de vervuiler betaalt</div></footer>
</body>
</html>`}`;
}

export function contextOf(request: FastifyRequest, corporationName: string): PageContext {
  const caller = request.caller;
  return {
    person: caller?.kind === 'person' ? caller.person : null,
    csrfToken: caller?.kind === 'person' ? caller.csrfToken : null,
    path: request.url.split('?')[0] ?? '/app',
    corporationName,
  };
}

export function sendPage(reply: FastifyReply, context: PageContext, page: Page, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(layout(context, page));
}

/** The hidden field every workspace form carries. */
export const csrfField = (context: PageContext) => html`<input type="hidden" name="${CSRF_FIELD}" value="${context.csrfToken ?? ''}">`;
