import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { verifyTenantLink, InvalidLinkError, type TenantLink } from '../../documents/links';
import { incidentStreamId } from '../../domain/streams';
import { categoryLabels, categoryPolicy, categorySchema, type Category } from '../../domain/policy';
import { amsterdamDate, formatDutchWeekdayDate } from '../../domain/calendar';
import { formatEuro } from '../../domain/money';
import type { ApiDeps } from '../../api/deps';
import { HttpProblem } from '../../api/problems';
import { corporationOf } from '../../config/config';
import { formatIban } from '../../documents/corporation';
import { storePhoto, MAX_PHOTO_BYTES } from '../../db/photos';
import { ValidationError } from '../../domain/errors';
import { assetUrl } from '../assets';
import { html, raw, attrs, type Html } from '../html';
import { contractorOf, dutchDeadline, dutchMoment, tenantRefusalInDutch, tenantTaskDone, tenantTaskHeadings, tenantTaskToDo } from '../dutch-tenant';
import { tenantStyles } from '../styles-tenant';

/**
 * The page a tenant's link opens (/links/<token>): what the corporation asks, by when, what happens
 * next, where the incident stands, and the tenant's actions (report the cleanup, object, dispute
 * the invoice) as plain forms, so that it works on any phone without script. The link is the
 * credential: no account, no cookie. The page reads the read models (incidents, invoices) and acts
 * THROUGH THE API with the link (`?token=`), so that the API's checks and the workflow decide.
 *
 * Forged posts: the page has no ambient credential (no cookie, no session), so a page elsewhere
 * cannot ride on one; only whoever holds the link can act, as the API itself allows. On top of that
 * each form carries a token bound to its link (an HMAC of the link under the link secret: a post
 * must come from a page this server rendered for that very link), and a post the browser marks as
 * coming from another site (Sec-Fetch-Site, or an Origin that is not ours) is refused. SameSite
 * cookies would not help here: there is no cookie to protect, and a link opened in a mail app's
 * own browser must work as it is.
 */

type Config = ApiDeps['config'];

const NOTE_MAX = 1000;
const REASON_MAX = 2000;

// ---------------------------------------------------------------------------------------------
// What the page reads

interface TenantView {
  link: TenantLink;
  incident: {
    id: string;
    number: string | null;
    category: Category | null;
    categoryLabel: string;
    location: string;
    buildingId: string;
    status: 'open' | 'closed';
    phase: string;
    polluter: string | null;
    deadline: Date | null;
    dispute: string;
    outcome: string | null;
    cleanupReportedAt: Date | null;
    closedAt: Date | null;
  };
  invoice: {
    number: string;
    debtor: string;
    status: 'open' | 'paid' | 'credited';
    openCents: number;
    totalCents: number;
    payByDate: string;
    paused: boolean;
    creditNoteNumber: string | null;
  } | null;
  /** The last inspection, when it found the space not clean (and the tenant is asked again); its note is the staff's, not shown. */
  rejectedInspection: { at: Date } | null;
  /** Photos with the last cleanup report. */
  cleanupPhotos: number;
  tenant: { street: string; city: string; buildingId: string } | null;
}

async function readView(deps: ApiDeps, link: TenantLink): Promise<TenantView | null> {
  const { db } = deps;
  const [row, tenant, events] = await Promise.all([
    db
      .selectFrom('incidents as i')
      .leftJoin('invoices as v', 'v.invoice_number', 'i.invoice_number')
      .select([
        'i.incident_id', 'i.incident_number', 'i.category', 'i.location', 'i.building_id', 'i.status', 'i.phase', 'i.polluter_tenant_id', 'i.deadline',
        'i.dispute', 'i.outcome', 'i.cleanup_reported_at', 'i.closed_at',
        'v.invoice_number', 'v.debtor_tenant_id', 'v.status as invoice_status', 'v.open_cents', 'v.total_cents', 'v.pay_by_date', 'v.dunning_paused', 'v.credit_note_number',
      ])
      .where('i.incident_id', '=', link.incidentId)
      .executeTakeFirst(),
    db.selectFrom('tenants').select(['street', 'city', 'building_id']).where('contract_number', '=', link.tenantId).executeTakeFirst(),
    db
      .selectFrom('events')
      .select(['type', 'data', 'recorded_at'])
      .where('stream_id', '=', incidentStreamId(link.incidentId))
      .where('type', 'in', ['InspectionRecorded', 'CleanupReported'])
      .orderBy('position', 'desc')
      .limit(20)
      .execute(),
  ]);
  const inspection = events.find((e) => e.type === 'InspectionRecorded');
  const cleanup = events.find((e) => e.type === 'CleanupReported')?.data as { photoIds?: unknown } | undefined;
  if (!row) return null;
  const category = categorySchema.safeParse(row.category);
  const inspected = inspection?.data as { result?: string } | undefined;
  return {
    link,
    incident: {
      id: row.incident_id,
      number: row.incident_number,
      category: category.success ? category.data : null,
      categoryLabel: category.success ? categoryLabels[category.data] : row.category,
      location: row.location,
      buildingId: row.building_id,
      status: row.status,
      phase: row.phase,
      polluter: row.polluter_tenant_id,
      deadline: row.deadline,
      dispute: row.dispute,
      outcome: row.outcome,
      cleanupReportedAt: row.cleanup_reported_at,
      closedAt: row.closed_at,
    },
    invoice:
      row.invoice_number && row.debtor_tenant_id && row.invoice_status && row.pay_by_date
        ? {
            number: row.invoice_number,
            debtor: row.debtor_tenant_id,
            status: row.invoice_status,
            openCents: Number(row.open_cents ?? 0),
            totalCents: Number(row.total_cents ?? 0),
            payByDate: row.pay_by_date,
            paused: row.dunning_paused ?? false,
            creditNoteNumber: row.credit_note_number,
          }
        : null,
    rejectedInspection: inspected?.result === 'not_clean' && inspection ? { at: inspection.recorded_at } : null,
    cleanupPhotos: Array.isArray(cleanup?.photoIds) ? cleanup.photoIds.length : 0,
    tenant: tenant ? { street: tenant.street, city: tenant.city, buildingId: tenant.building_id } : null,
  };
}

/** Where the incident stands for this tenant, and so what the page offers. */
type TenantState =
  | { kind: 'asked' }
  | { kind: 'awaiting_inspection' }
  | { kind: 'disputed' }
  | { kind: 'ordered' }
  | { kind: 'cleaned' }
  | { kind: 'processing' }
  | { kind: 'invoice_open' }
  | { kind: 'invoice_disputed' }
  | { kind: 'invoice_paid' }
  | { kind: 'invoice_credited' }
  | { kind: 'dismissed' }
  | { kind: 'cancelled' }
  | { kind: 'closed' }
  | { kind: 'not_yours' };

export function stateOf(view: TenantView): TenantState {
  const { incident, invoice, link } = view;
  const invoiced = invoice !== null && invoice.debtor === link.tenantId ? invoice : null;
  const settled = incident.status === 'closed' || incident.phase === 'settling';
  if (invoiced && settled) {
    if (invoiced.status === 'paid') return { kind: 'invoice_paid' };
    if (invoiced.status === 'credited') return { kind: 'invoice_credited' };
    return { kind: invoiced.paused ? 'invoice_disputed' : 'invoice_open' };
  }
  if (incident.polluter !== link.tenantId) return { kind: 'not_yours' };
  if (incident.status === 'closed') {
    if (incident.outcome === 'dismissed') return { kind: 'dismissed' };
    if (incident.outcome === 'cancelled' || incident.outcome === 'returned_to_complainant') return { kind: 'cancelled' };
    return { kind: 'closed' };
  }
  if (incident.dispute === 'upheld') return { kind: 'dismissed' };
  if (incident.dispute === 'open') return { kind: 'disputed' };
  switch (incident.phase) {
    case 'awaiting_cleanup':
      return { kind: 'asked' };
    case 'cleanup_reported':
      return { kind: 'awaiting_inspection' };
    case 'cleanup_ordered':
      return { kind: 'ordered' };
    case 'settling':
      return { kind: 'cleaned' };
    default:
      return { kind: 'processing' };
  }
}

// ---------------------------------------------------------------------------------------------
// The corporation's contact details

/** How a tenant reaches the corporation: its configured contact details (config CORPORATION_*, as in every letter). */
export interface TenantContact {
  name: string;
  postalAddress: string | null;
  phone: string | null;
  email: string | null;
  website: string | null;
  visitingAddress: string | null;
  openingHours: string | null;
}

export function tenantContactOf(config: Config): TenantContact {
  const corporation = corporationOf(config);
  return {
    name: corporation.name,
    postalAddress: corporation.postalAddress || null,
    phone: corporation.phone || null,
    email: corporation.email || null,
    website: corporation.website,
    visitingAddress: corporation.visitingAddress || null,
    openingHours: corporation.openingHours || null,
  };
}

function contactBlock(contact: TenantContact, reference: string | null): Html {
  const rows: [string, Html | string][] = [];
  if (contact.phone) rows.push(['Telefoon', html`<a href="tel:${contact.phone.replace(/[^\d+]/g, '')}">${contact.phone}</a>`]);
  if (contact.email) rows.push(['E-mail', html`<a href="mailto:${contact.email}">${contact.email}</a>`]);
  if (contact.phone && contact.openingHours) rows.push(['Bereikbaar', contact.openingHours]);
  if (contact.website) rows.push(['Website', html`<a href="${contact.website}">${contact.website.replace(/^https?:\/\//, '')}</a>`]);
  if (contact.visitingAddress) rows.push(['Bezoekadres', contact.visitingAddress]);
  if (contact.postalAddress) rows.push(['Postadres', contact.postalAddress]);
  return html`<section aria-labelledby="contact-kop">
<h2 id="contact-kop">Vragen? Neem contact op</h2>
<address class="contact">
<p>${contact.name}${reference ? html`. Noem daarbij uw kenmerk: <strong>${reference}</strong>` : ''}.</p>
${rows.length > 0 ? html`<dl class="facts">${rows.map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}</dl>` : html`<p>U vindt onze gegevens in de brief of e-mail waarin u deze link kreeg.</p>`}
</address>
</section>`;
}

// ---------------------------------------------------------------------------------------------
// The form token bound to the link

function formTokenOf(token: string, secret: string): string {
  return createHmac('sha256', secret).update(`tenant-link-form\n${token}`).digest('base64url');
}

function sameText(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A post the browser says comes from another site (Sec-Fetch-Site, which every current browser
 * sends); a browser that does not send it is judged by its Origin. An Origin of "null" says nothing:
 * under the page's Referrer-Policy (no-referrer) Chromium sends that on its own forms.
 */
function crossSite(request: FastifyRequest, publicUrl: string): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site !== 'same-origin' && site !== 'none';
  const origin = request.headers.origin;
  if (typeof origin !== 'string' || origin === '' || origin === 'null') return false;
  const ours = new Set<string>();
  try {
    ours.add(new URL(publicUrl).origin);
  } catch {
    // no public URL: only the host the request came to
  }
  if (request.headers.host) ours.add(`${request.protocol}://${request.headers.host}`);
  return !ours.has(origin);
}

/** A form field, from a urlencoded body (a string) or a multipart one ({ value }). */
function fieldOf(body: unknown, name: string): string | undefined {
  const raw = (body as Record<string, unknown> | null | undefined)?.[name];
  const part = Array.isArray(raw) ? raw[0] : raw;
  if (typeof part === 'string') return part;
  if (part && typeof part === 'object' && 'value' in part && typeof (part as { value: unknown }).value === 'string') return (part as { value: string }).value;
  return undefined;
}

/** A file a multipart form sent in `name`; none when the tenant chose none (an empty part without a name). */
function fileOf(body: unknown, name: string): { filename: string; toBuffer(): Promise<Buffer> } | null {
  const raw = (body as Record<string, unknown> | null | undefined)?.[name];
  const part = (Array.isArray(raw) ? raw[0] : raw) as { type?: unknown; filename?: unknown; toBuffer?: unknown } | undefined;
  if (!part || part.type !== 'file' || typeof part.toBuffer !== 'function') return null;
  if (typeof part.filename !== 'string' || part.filename === '') return null;
  return part as { filename: string; toBuffer(): Promise<Buffer> };
}

// ---------------------------------------------------------------------------------------------
// The page

type Action = 'opgeruimd' | 'bezwaar' | 'factuurbezwaar';
type Field = 'notitie' | 'foto' | 'reden';

interface Render {
  status?: number;
  /** The confirmation after an action (shown when the state agrees). */
  done?: Action | null;
  /** A refusal, in Dutch, for the action the tenant just tried. */
  refusal?: { action: Action; text: string; field?: Field } | null;
  values?: { notitie?: string; reden?: string };
  /** The Idempotency-Key to post with again (after a failure the retry must be the same action). */
  key?: string;
}

function document(config: Config, nonce: string, title: string, body: Html): string {
  return `<!doctype html>${html`<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${title} – ${config.corporationName}</title>
<link rel="stylesheet" href="${assetUrl('app.css')}">
<style nonce="${nonce}">${raw(tenantStyles)}</style>
<script src="${assetUrl('app.js')}" defer></script>
</head>
<body class="tenant">
<a class="skip" href="#inhoud">Naar de inhoud</a>
<header class="site"><div class="bar"><span class="brand">${config.corporationName}</span></div></header>
<main id="inhoud" tabindex="-1">
${body}
</main>
<footer class="site"><div>Deze pagina is alleen voor u bedoeld. Deel de link niet met anderen.</div></footer>
</body>
</html>`}`;
}

function send(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(text);
}

/** An expired or invalid link: what it means and how to reach the corporation. */
function linkProblemPage(reply: FastifyReply, config: Config, reason: InvalidLinkError['reason'] | 'unknown'): FastifyReply {
  const expired = reason === 'expired';
  const title = expired ? 'Deze link is verlopen' : 'Deze link werkt niet';
  const body = html`<h1>${title}</h1>
<p class="lead">${
    expired
      ? 'De link uit uw brief of e-mail is niet meer geldig. Een link werkt tot een maand na de datum in de brief.'
      : 'Deze link is niet (meer) geldig. Misschien is hij niet helemaal overgenomen: gebruik de hele link uit de brief of e-mail, of tik er direct op.'
  }</p>
<p>Wilt u iets melden of heeft u vragen over de brief? Neem dan contact op met ${config.corporationName}. Noem het kenmerk uit de brief; dan kunnen wij u snel helpen.</p>
${contactBlock(tenantContactOf(config), null)}`;
  return send(reply, expired ? 410 : 404, document(config, reply.cspNonce.style, title, body));
}

/** The status an error answers with: a problem's own, a Fastify error's (a body too large, cut off), else 500. */
function statusOf(error: unknown): number {
  if (error instanceof HttpProblem) return error.status;
  const code = (error as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' && code >= 400 && code < 600 ? code : 500;
}

/** A page without the incident: too many requests from this address (read nothing), or the server in trouble. */
function plainProblemPage(reply: FastifyReply, config: Config, error: unknown): FastifyReply {
  const status = statusOf(error);
  if (error instanceof HttpProblem && error.retryAfter !== undefined) void reply.header('retry-after', String(error.retryAfter));
  const busy = status === 429;
  const title = busy ? 'Even geduld' : 'Er ging iets mis';
  const text = busy
    ? 'Er zijn vanaf uw internetverbinding veel verzoeken achter elkaar gedaan. Wacht een minuut en open de link dan opnieuw.'
    : 'Deze pagina kon nu niet worden geladen. Probeer het over een paar minuten opnieuw. Lukt het dan nog niet, neem dan contact met ons op.';
  const body = html`<h1>${title}</h1><p class="lead">${text}</p>${busy ? '' : contactBlock(tenantContactOf(config), null)}`;
  return send(reply, status, document(config, reply.cspNonce.style, title, body));
}

const deadlineText = (view: TenantView) => (view.incident.deadline ? dutchDeadline(view.incident.deadline) : null);

function headingOf(view: TenantView, state: TenantState): string {
  const task = view.incident.category ? tenantTaskHeadings[view.incident.category] : `Melding: ${view.incident.categoryLabel}`;
  const deadline = deadlineText(view);
  switch (state.kind) {
    case 'asked':
      return deadline ? `${task}, uiterlijk ${deadline}` : task;
    case 'awaiting_inspection':
      return 'Uw melding wacht op controle';
    case 'disputed':
      return 'Uw bezwaar wordt beoordeeld';
    case 'ordered':
      return 'Wij laten het werk uitvoeren';
    case 'cleaned':
      return 'Het is weer in orde';
    case 'processing':
      return 'Uw melding wordt verwerkt';
    case 'invoice_open':
      return `Factuur ${view.invoice!.number}: betalen uiterlijk ${formatDutchWeekdayDate(view.invoice!.payByDate)}`;
    case 'invoice_disputed':
      return `Uw bezwaar tegen factuur ${view.invoice!.number} wordt beoordeeld`;
    case 'invoice_paid':
      return `Factuur ${view.invoice!.number} is betaald`;
    case 'invoice_credited':
      return `Factuur ${view.invoice!.number} is ingetrokken`;
    case 'dismissed':
      return 'Uw bezwaar is toegekend';
    case 'cancelled':
      return 'Deze melding is ingetrokken';
    case 'closed':
      return 'Deze melding is afgehandeld';
    case 'not_yours':
      return 'Deze link is niet meer voor u bedoeld';
  }
}

function confirmationOf(view: TenantView, state: TenantState, done: Action): string | null {
  const what = view.incident.category ? tenantTaskDone[view.incident.category] : 'het in orde is';
  if (done === 'opgeruimd' && state.kind === 'awaiting_inspection') {
    return `Dank u wel. Wij hebben uw melding ontvangen dat ${what}. Een medewerker komt dat controleren.`;
  }
  // A category whose reports are taken at their word: no inspection follows.
  if (done === 'opgeruimd' && (state.kind === 'cleaned' || state.kind === 'closed')) return `Dank u wel. Wij hebben uw melding ontvangen dat ${what}.`;
  if (done === 'bezwaar' && (state.kind === 'disputed' || state.kind === 'dismissed')) {
    return 'Dank u wel. Wij hebben uw bezwaar ontvangen. Wij beoordelen het en laten u weten wat wij besluiten.';
  }
  if (done === 'factuurbezwaar' && (state.kind === 'invoice_disputed' || state.kind === 'invoice_credited')) {
    return `Dank u wel. Wij hebben uw bezwaar tegen factuur ${view.invoice!.number} ontvangen. Wij beoordelen het en laten u weten wat wij besluiten.`;
  }
  return null;
}

/** Where the incident stands for the tenant, and what happens next: the texts of each state. */
function situationOf(config: Config, view: TenantView, state: TenantState): { stand: { kind: 'ok' | 'warn' | ''; text: Html }[]; next: Html[] } {
  const { incident } = view;
  const category = incident.category;
  const deadline = deadlineText(view);
  const contractor = category ? contractorOf[category] : 'een bedrijf';
  const tariff = category ? categoryPolicy(config.policy, category).fixedTariffCents : null;
  const cost = tariff !== null ? `het vaste tarief van ${formatEuro(tariff)}` : 'de kosten';
  const stand: { kind: 'ok' | 'warn' | ''; text: Html }[] = [];
  const next: Html[] = [];
  const overdue = incident.deadline !== null && incident.deadline.getTime() < Date.now();
  switch (state.kind) {
    case 'asked':
      stand.push({
        kind: 'warn',
        text: html`<p>${config.corporationName} vraagt u om ${category ? tenantTaskToDo[category] : 'dit in orde te maken'}${
          deadline ? html`, uiterlijk <strong>${deadline}</strong>` : ''
        }. U heeft hierover een brief of e-mail gekregen.</p>${
          view.rejectedInspection
            ? html`<p>Bij de controle op ${dutchMoment(view.rejectedInspection.at)} was het nog niet in orde. Wilt u het alsnog doen en het daarna opnieuw melden?</p>`
            : ''
        }${overdue ? html`<p>De termijn is voorbij. Bent u toch klaar? Meld het dan meteen.</p>` : ''}`,
      });
      next.push(html`<li><strong>Klaar?</strong> Meld het hieronder. Een medewerker komt kijken of het in orde is. Is dat zo, dan sluiten wij de melding; u krijgt daarover bericht.</li>`);
      next.push(
        html`<li><strong>Niet gedaan${deadline ? html` op ${deadline}` : ''}?</strong> Dan laten wij het werk uitvoeren door ${contractor} en brengen wij ${cost} bij u in rekening.</li>`,
      );
      next.push(html`<li><strong>Niet mee eens</strong>, bijvoorbeeld omdat u het niet heeft veroorzaakt? Maak hieronder bezwaar. Zolang wij uw bezwaar beoordelen, laten wij het werk niet uitvoeren.</li>`);
      break;
    case 'awaiting_inspection':
      stand.push({
        kind: 'ok',
        text: html`<p>U heeft ${incident.cleanupReportedAt ? html`op ${dutchMoment(incident.cleanupReportedAt)} ` : ''}gemeld dat ${
          category ? tenantTaskDone[category] : 'het in orde is'
        }${view.cleanupPhotos === 1 ? ', met een foto' : view.cleanupPhotos > 1 ? `, met ${view.cleanupPhotos} foto's` : ''}. Dit <strong>wacht op controle</strong> door een medewerker van ${config.corporationName}. U hoeft nu niets te doen.</p>`,
      });
      next.push(html`<li>Is het in orde, dan sluiten wij de melding. U krijgt daarover bericht.</li>`);
      next.push(html`<li>Is het nog niet in orde, dan laten wij u dat weten. U kunt het dan alsnog doen${deadline ? html`, uiterlijk ${deadline}` : ''}.</li>`);
      break;
    case 'disputed':
      stand.push({ kind: 'warn', text: html`<p>Er loopt een bezwaar tegen deze melding. Wij beoordelen het en laten u weten wat wij besluiten.</p>` });
      next.push(html`<li>Zolang wij uw bezwaar beoordelen, laten wij het werk niet uitvoeren en sturen wij geen herinnering.</li>`);
      next.push(html`<li>Krijgt u gelijk, dan vervalt de melding. Zo niet, dan laten wij u weten wat u nog moet doen en wanneer.</li>`);
      break;
    case 'ordered':
      stand.push({
        kind: 'warn',
        text: html`<p>De termijn is voorbij${deadline ? html` (${deadline})` : ''}. Wij hebben ${contractor} opdracht gegeven om het werk uit te voeren.</p>`,
      });
      next.push(html`<li>Is het werk klaar, dan brengen wij ${cost} bij u in rekening. U krijgt daarvoor een factuur.</li>`);
      next.push(html`<li>Niet mee eens? Maak hieronder bezwaar. Zolang wij uw bezwaar beoordelen, sturen wij geen factuur.</li>`);
      break;
    case 'cleaned':
      stand.push({ kind: 'ok', text: html`<p>Het is weer in orde. Wij handelen de melding af; u krijgt daarover bericht.</p>` });
      break;
    case 'processing':
      stand.push({ kind: '', text: html`<p>Wij verwerken deze melding nog. Kijk later opnieuw op deze pagina.</p>` });
      break;
    case 'invoice_open': {
      const invoice = view.invoice!;
      stand.push({
        kind: 'warn',
        text: html`<p>Het werk is uitgevoerd door ${contractor}. Wij brengen de kosten bij u in rekening met factuur ${invoice.number}.</p>
<dl class="facts"><dt>Nog te betalen</dt><dd><strong>${formatEuro(invoice.openCents)}</strong></dd><dt>Uiterlijk</dt><dd>${formatDutchWeekdayDate(invoice.payByDate)}</dd>${
          config.corporationIban ? html`<dt>Naar rekening</dt><dd><span class="iban">${formatIban(config.corporationIban)}</span> t.n.v. ${config.corporationName}</dd>` : ''
        }<dt>Onder vermelding van</dt><dd>${invoice.number}</dd></dl>`,
      });
      next.push(html`<li>Betaalt u niet op tijd, dan sturen wij u een herinnering. Betaalt u daarna nog niet, dan kunnen er incassokosten bij komen.</li>`);
      next.push(html`<li>Niet mee eens met de factuur? Maak hieronder bezwaar. Zolang wij uw bezwaar beoordelen, sturen wij geen herinnering.</li>`);
      break;
    }
    case 'invoice_disputed':
      stand.push({ kind: 'warn', text: html`<p>U heeft bezwaar gemaakt tegen factuur ${view.invoice!.number}. Wij beoordelen uw bezwaar en laten u weten wat wij besluiten.</p>` });
      next.push(html`<li>Zolang wij uw bezwaar beoordelen, sturen wij geen herinnering.</li>`);
      next.push(html`<li>Krijgt u gelijk, dan trekken wij de factuur in met een creditnota. Zo niet, dan laten wij u weten tot wanneer u kunt betalen.</li>`);
      break;
    case 'invoice_paid':
      stand.push({ kind: 'ok', text: html`<p>Wij hebben de betaling van factuur ${view.invoice!.number} ontvangen. Dank u wel. De melding is afgehandeld.</p>` });
      break;
    case 'invoice_credited':
      stand.push({
        kind: 'ok',
        text: html`<p>Wij hebben factuur ${view.invoice!.number} ingetrokken${view.invoice!.creditNoteNumber ? html` met creditnota ${view.invoice!.creditNoteNumber}` : ''}. U hoeft niets te betalen.</p>`,
      });
      break;
    case 'dismissed':
      stand.push({ kind: 'ok', text: html`<p>Wij hebben uw bezwaar toegekend. De melding vervalt; u hoeft niets te doen.</p>` });
      break;
    case 'cancelled':
      stand.push({ kind: 'ok', text: html`<p>${config.corporationName} heeft deze melding ingetrokken. U hoeft niets te doen.</p>` });
      break;
    case 'closed':
      stand.push({
        kind: 'ok',
        text: html`<p>${incident.outcome === 'self_cleaned' ? 'Bij de controle was alles in orde. Dank u wel. ' : ''}Deze melding is afgehandeld${
          incident.closedAt ? html` op ${formatDutchWeekdayDate(amsterdamDate(incident.closedAt))}` : ''
        }. U hoeft niets meer te doen.</p>`,
      });
      break;
    case 'not_yours':
      stand.push({ kind: '', text: html`<p>${config.corporationName} vraagt u niets (meer) over deze melding. Denkt u dat dit niet klopt? Neem dan contact met ons op.</p>` });
      break;
  }

  return { stand, next };
}

function pageOf(config: Config, token: string, view: TenantView, render: Render, nonce: string): string {
  const state = stateOf(view);
  const { incident } = view;
  const deadline = deadlineText(view);
  const reference = incident.number ?? incident.id;
  const title = headingOf(view, state);
  const key = render.key ?? randomUUID();
  const hidden = html`<input type="hidden" name="_formulier" value="${formTokenOf(token, config.linkSecret)}"><input type="hidden" name="_sleutel" value="${key}">`;

  const notices: Html[] = [];
  const confirmation = render.done ? confirmationOf(view, state, render.done) : null;
  if (confirmation) notices.push(html`<div class="notice ok" role="status"><h2>Ontvangen</h2><p>${confirmation}</p></div>`);
  if (render.refusal) {
    // At a field: the message links to it (the field repeats it), so that it is one tap away.
    const field = render.refusal.field ? (render.refusal.field === 'reden' ? `${render.refusal.action}-reden` : render.refusal.field) : null;
    notices.push(
      html`<div class="notice bad" role="alert"><h2>Dat lukte niet</h2><p>${field ? html`<a href="#${field}">${render.refusal.text}</a>` : render.refusal.text}</p></div>`,
    );
  }

  const where = [
    incident.location,
    view.tenant && view.tenant.buildingId === incident.buildingId ? `in uw gebouw aan de ${view.tenant.street} in ${view.tenant.city}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  const facts: [string, string | Html][] = [
    ['Wat', incident.categoryLabel.charAt(0).toUpperCase() + incident.categoryLabel.slice(1)],
    ['Waar', where],
  ];
  // The heading names the deadline while the tenant is asked; while they wait, it is still the date that counts.
  if (deadline && ['awaiting_inspection', 'disputed'].includes(state.kind)) facts.push(['Uiterlijk', deadline]);
  facts.push(['Kenmerk', reference]);

  const { stand, next } = situationOf(config, view, state);

  const refusalFor = (action: Action) => (render.refusal?.action === action ? render.refusal : null);
  const fieldError = (action: Action, field: Field) => {
    const refusal = refusalFor(action);
    return refusal?.field === field ? refusal.text : null;
  };
  const actions: Html[] = [];
  const actionUrl = (action: Action) => `/links/${encodeURIComponent(token)}/${action}`;

  if (state.kind === 'asked') {
    actions.push(html`<section class="panel" aria-labelledby="klaar-kop">
<h2 id="klaar-kop">Klaar? Meld het hier</h2>
<form method="post" action="${actionUrl('opgeruimd')}" enctype="multipart/form-data">
${hidden}
<label for="notitie">Toelichting <span class="optional">(niet verplicht)</span></label>
<span class="hint" id="notitie-hint">Bijvoorbeeld wat u heeft gedaan, of wanneer.</span>
${fieldError('opgeruimd', 'notitie') ? html`<span class="error-text" id="notitie-fout">${fieldError('opgeruimd', 'notitie')}</span>` : ''}
<textarea id="notitie" name="notitie" rows="3"${attrs({
      maxlength: NOTE_MAX,
      'aria-describedby': fieldError('opgeruimd', 'notitie') ? 'notitie-hint notitie-fout' : 'notitie-hint',
      'aria-invalid': fieldError('opgeruimd', 'notitie') ? 'true' : null,
    })}>${render.values?.notitie ?? ''}</textarea>
<label for="foto">Foto <span class="optional">(niet verplicht)</span></label>
<span class="hint" id="foto-hint">Maak een foto van het resultaat, of kies er een. Hoogstens 10 MB.</span>
${fieldError('opgeruimd', 'foto') ? html`<span class="error-text" id="foto-fout">${fieldError('opgeruimd', 'foto')}</span>` : ''}
<input type="file" id="foto" name="foto" accept="image/*" capture="environment" data-preview="foto-voorbeeld"${attrs({
      'aria-describedby': fieldError('opgeruimd', 'foto') ? 'foto-hint foto-fout' : 'foto-hint',
      'aria-invalid': fieldError('opgeruimd', 'foto') ? 'true' : null,
    })}>
<img id="foto-voorbeeld" class="preview" alt="De gekozen foto" hidden>
<button type="submit">Ik ben klaar</button>
</form>
</section>`);
  }
  if (state.kind === 'asked' || state.kind === 'ordered') {
    actions.push(objectionPanel('bezwaar', 'Niet mee eens? Maak bezwaar', 'Waarom bent u het er niet mee eens?', 'Bijvoorbeeld: ik heb dit niet veroorzaakt, of het was al schoon.'));
  }
  if (state.kind === 'invoice_open') {
    actions.push(objectionPanel('factuurbezwaar', 'Niet mee eens met de factuur? Maak bezwaar', 'Waarom bent u het niet eens met de factuur?', 'Bijvoorbeeld: ik heb dit niet veroorzaakt, of het bedrag klopt niet.'));
  }

  function objectionPanel(action: Action, heading: string, label: string, hint: string): Html {
    const error = fieldError(action, 'reden');
    return html`<section class="panel objection" aria-labelledby="${action}-kop">
<h2 id="${action}-kop">${heading}</h2>
<form method="post" action="${actionUrl(action)}">
${hidden}
<label for="${action}-reden">${label}</label>
<span class="hint" id="${action}-hint">${hint}</span>
${error ? html`<span class="error-text" id="${action}-fout">${error}</span>` : ''}
<textarea id="${action}-reden" name="reden" rows="4" required${attrs({
      maxlength: REASON_MAX,
      'aria-describedby': error ? `${action}-hint ${action}-fout` : `${action}-hint`,
      'aria-invalid': error ? 'true' : null,
    })}>${render.refusal?.action === action ? (render.values?.reden ?? '') : ''}</textarea>
<button type="submit" class="secondary">Bezwaar indienen</button>
</form>
</section>`;
  }

  const body = html`${notices}
<p class="kicker">Melding ${reference}</p>
<h1>${title}</h1>
<dl class="facts">${facts.map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}</dl>
<section class="state${stand[0]?.kind ? ` ${stand[0].kind}` : ''}" aria-labelledby="stand-kop">
<h2 id="stand-kop">Stand van zaken</h2>
${stand.map((s) => s.text)}
</section>
${next.length > 0 ? html`<section aria-labelledby="hierna-kop"><h2 id="hierna-kop">Wat gebeurt er hierna?</h2><ul class="next">${next}</ul></section>` : ''}
${actions}
${contactBlock(tenantContactOf(config), reference)}`;
  return document(config, nonce, render.refusal ? `Fout: ${title}` : title, body);
}

function render(reply: FastifyReply, config: Config, token: string, view: TenantView, options: Render): FastifyReply {
  return send(reply, options.status ?? 200, pageOf(config, token, view, options, reply.cspNonce.style));
}

// ---------------------------------------------------------------------------------------------
// Routes

const doneSchema = new Set<Action>(['opgeruimd', 'bezwaar', 'factuurbezwaar']);

export function registerTenantLinkPage(app: FastifyInstance, deps: ApiDeps): void {
  const { config } = deps;

  /** The link, or null after answering with the page that explains an invalid or expired one. */
  function linkOf(token: string, reply: FastifyReply): TenantLink | null {
    try {
      return verifyTenantLink(token, config.linkSecret, new Date());
    } catch (error) {
      if (!(error instanceof InvalidLinkError)) throw error;
      linkProblemPage(reply, config, error.reason);
      return null;
    }
  }

  app.get<{ Params: { token: string }; Querystring: { gedaan?: string } }>(
    '/links/:token',
    {
      config: { access: 'public' },
      schema: { hide: true },
      errorHandler: async (error, request, reply) => {
        if (statusOf(error) >= 500) request.log.error({ err: error }, 'tenant link page failed');
        return plainProblemPage(reply, config, error);
      },
    },
    async (request, reply) => {
      const link = linkOf(request.params.token, reply);
      if (!link) return reply;
      const view = await readView(deps, link);
      if (!view) return linkProblemPage(reply, config, 'unknown');
      const done = request.query.gedaan;
      return render(reply, config, request.params.token, view, { done: done && doneSchema.has(done as Action) ? (done as Action) : null });
    },
  );

  /**
   * An action's form: the link and the site checked before the body is read; the form's token, the
   * fields, then the API with the link. Success: back to the page (303), which confirms it; a
   * refusal: the page again, with the reason in Dutch and what the tenant typed.
   */
  type Decided = { path: string; payload: Record<string, unknown> } | { field: Field; text: string };
  function action(name: Action, perform: (view: TenantView, fields: { notitie: string; reden: string }, body: unknown) => Promise<Decided>) {
    app.post<{ Params: { token: string } }>(
      `/links/:token/${name}`,
      {
        config: { access: 'public' },
        schema: { hide: true },
        bodyLimit: MAX_PHOTO_BYTES + 64 * 1024,
        onRequest: async (request, reply) => {
          if (!linkOf(request.params.token, reply)) return reply;
          if (crossSite(request, config.publicUrl)) {
            return send(
              reply,
              403,
              document(config, reply.cspNonce.style, 'Dat lukte niet', html`<h1>Dat lukte niet</h1><p>Dit formulier kwam niet van onze eigen pagina. Open de link uit uw brief of e-mail opnieuw en probeer het daar.</p>`),
            );
          }
          return undefined;
        },
        errorHandler: async (error: FastifyError, request, reply) => {
          // Too many requests (nothing is read), the body could not be read (too large, cut off), or
          // it holds text that cannot be stored: the page again with the reason, when it can be read.
          const status = statusOf(error);
          if (status === 429) return plainProblemPage(reply, config, error);
          if (status >= 500) request.log.error({ err: error }, 'tenant link action failed');
          const link = linkOf(request.params.token, reply);
          if (!link) return reply;
          const view = await readView(deps, link).catch(() => null);
          if (!view) return plainProblemPage(reply, config, error);
          const text =
            status === 413
              ? 'Wat u stuurde is te groot. Kies een kleinere foto (hoogstens 10 MB) of maak de tekst korter.'
              : status >= 500
                ? 'Er ging aan onze kant iets mis. Probeer het over een paar minuten opnieuw.'
                : tenantRefusalInDutch(error.message);
          return render(reply, config, request.params.token, view, { status, refusal: { action: name, text } });
        },
      },
      async (request, reply) => {
        const token = request.params.token;
        const link = verifyTenantLink(token, config.linkSecret, new Date());
        const view = await readView(deps, link);
        if (!view) return linkProblemPage(reply, config, 'unknown');
        const body = request.body;
        const fields = { notitie: (fieldOf(body, 'notitie') ?? '').trim(), reden: (fieldOf(body, 'reden') ?? '').trim() };
        const values = { notitie: fieldOf(body, 'notitie') ?? '', reden: fieldOf(body, 'reden') ?? '' };
        const key = fieldOf(body, '_sleutel');
        const again = (status: number, text: string, field?: Field, sameKey = false) =>
          render(reply, config, token, view, { status, refusal: { action: name, text, ...(field ? { field } : {}) }, values, ...(sameKey && key ? { key } : {}) });
        if (!sameText(fieldOf(body, '_formulier'), formTokenOf(token, config.linkSecret))) {
          return again(403, 'Dit formulier is verlopen of kwam niet van deze pagina. Probeer het nog eens op deze pagina.');
        }
        const decided = await perform(view, fields, body);
        if ('field' in decided) return again(400, decided.text, decided.field);
        const answer = await app.inject({
          method: 'POST',
          url: `${decided.path}?token=${encodeURIComponent(token)}`,
          payload: decided.payload,
          remoteAddress: request.ip,
          headers: { accept: 'application/json', ...(key && key.length <= 200 ? { 'idempotency-key': `tenant-page:${key}` } : {}) },
        });
        if (answer.statusCode === 200) return reply.redirect(`/links/${encodeURIComponent(token)}?gedaan=${name}`, 303);
        const detail = String((answer.json() as { detail?: unknown }).detail ?? '');
        if (answer.statusCode >= 500) request.log.warn({ status: answer.statusCode, detail }, 'tenant link action not done');
        const status = answer.statusCode === 401 ? 410 : answer.statusCode;
        return again(status, tenantRefusalInDutch(detail), undefined, answer.statusCode >= 500 || answer.statusCode === 429);
      },
    );
  }

  // An action's address opened as a page (a refusal's page reloaded or bookmarked): the page itself.
  app.get<{ Params: { token: string; action: string } }>('/links/:token/:action', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) =>
    reply.redirect(`/links/${encodeURIComponent(request.params.token)}`, 303),
  );

  const incidentPath = (view: TenantView, tail: string) => `/incidents/${encodeURIComponent(view.incident.id)}/${tail}`;
  action('opgeruimd', async (view, fields, body) => {
    if (fields.notitie.length > NOTE_MAX) return { field: 'notitie', text: `Maak de toelichting korter: hoogstens ${NOTE_MAX} tekens.` };
    // The photo is stored first (as the tenant's, for the link's incident); the report names it.
    const file = fileOf(body, 'foto');
    const photoIds: string[] = [];
    if (file) {
      try {
        const bytes = await file.toBuffer();
        photoIds.push((await storePhoto(deps.db, { bytes, uploadedBy: `tenant:${view.link.tenantId}`, incidentId: view.link.incidentId }, 'foto')).photoId);
      } catch (error) {
        if (error instanceof ValidationError) return { field: 'foto', text: tenantRefusalInDutch(error.message) };
        if ((error as { code?: unknown }).code === 'FST_REQ_FILE_TOO_LARGE') return { field: 'foto', text: tenantRefusalInDutch('a photo may be at most 10 MB') };
        throw error;
      }
    }
    return {
      path: incidentPath(view, 'cleanup-reports'),
      payload: { note: fields.notitie === '' ? null : fields.notitie, ...(photoIds.length > 0 ? { photoIds } : {}) },
    };
  });
  const objection = async (view: TenantView, fields: { reden: string }): Promise<Decided> => {
    if (fields.reden === '') return { field: 'reden', text: 'Geef een reden op: waarom bent u het er niet mee eens?' };
    if (fields.reden.length > REASON_MAX) return { field: 'reden', text: `Maak de reden korter: hoogstens ${REASON_MAX} tekens.` };
    return { path: incidentPath(view, 'disputes'), payload: { reason: fields.reden } };
  };
  action('bezwaar', objection);
  action('factuurbezwaar', objection);
}
