import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DirectoryDiff } from '../../db/directory-diff';
import type { WorkspaceDeps } from '../deps';
import { apiOf, type ApiAnswer } from '../api-client';
import { inDutch } from '../dutch';
import { teamInDutch } from '../dutch-team';
import { html, type Html } from '../html';
import { contextOf, csrfField, sendPage, type Notice, type PageContext } from '../layout';

const admin = { access: { roles: ['admin'] as const } };
const adminForm = { access: { roles: ['admin'] as const, csrf: 'form' as const } };
const MB = 1024 * 1024;

const kinds = {
  tenants: {
    title: 'Huurders',
    one: 'huurder',
    many: 'huurders',
    columns: ['contractNumber', 'name', 'email', 'street', 'houseNumber', 'postalCode', 'city', 'complexId', 'buildingId', 'unit'],
    key: 'contractnummer',
  },
  contractors: {
    title: 'Aannemers',
    one: 'aannemer',
    many: 'aannemers',
    columns: ['contractorId', 'name', 'email', 'categories', 'complexes'],
    key: 'aannemersnummer',
  },
} as const;
type Kind = keyof typeof kinds;
const isKind = (value: string): value is Kind => value === 'tenants' || value === 'contractors';

export const directoryFieldLabels: Record<string, string> = {
  contractNumber: 'contractnummer',
  contractorId: 'aannemersnummer',
  name: 'naam',
  email: 'e-mail',
  street: 'straat',
  houseNumber: 'huisnummer',
  postalCode: 'postcode',
  city: 'plaats',
  complexId: 'complex',
  buildingId: 'gebouw of portiek',
  unit: 'woning',
  categories: 'soorten meldingen',
  complexes: 'complexen',
};

/** A field's message from the API in Dutch. */
function messageInDutch(message: string): string {
  if (/postal code/.test(message)) return 'geen geldige postcode (zoals 1234 AB)';
  if (/email/i.test(message)) return 'geen geldig e-mailadres';
  if (/too small|received undefined|expected string|required/i.test(message)) return 'ontbreekt';
  if (/invalid option|expected one of/i.test(message)) return 'onbekende waarde';
  if (/appears more than once/.test(message)) return 'komt meer dan eens voor';
  return 'ongeldige waarde';
}

/** 'line 3: postalCode' -> 'Regel 3, postcode'. */
function placeInDutch(path: string): string {
  const line = /^line (\d+)(?:: (.+))?$/.exec(path);
  if (line) return `Regel ${line[1]}${line[2] ? `, ${directoryFieldLabels[line[2]] ?? line[2]}` : ''}`;
  const row = /^body\.(\d+)\.(.+)$/.exec(path);
  if (row) return `Rij ${Number(row[1]) + 1}, ${directoryFieldLabels[row[2]!] ?? row[2]}`;
  return path === 'body' ? 'Het bestand' : path;
}

function refusalNotice(answer: ApiAnswer): Notice {
  const detail = String(answer.body?.detail ?? 'onbekende fout');
  const errors = Array.isArray(answer.body?.errors) ? (answer.body.errors as { path: string; message: string }[]) : [];
  const headline = /^the request is invalid/.test(detail) ? 'Het bestand is niet ingelezen: niet alle regels zijn goed.' : (teamInDutch(detail) ?? inDutch(detail));
  const listed = errors.filter((e) => e.path !== 'body' || errors.length === 1);
  return {
    kind: 'bad',
    title: 'Er is niets gewijzigd',
    text: listed.length > 0 ? html`${headline}</p><ul>${listed.map((e) => html`<li>${placeInDutch(e.path)}: ${messageInDutch(e.message)}</li>`)}</ul><p>` : headline,
  };
}

const fieldValue = (body: unknown, name: string): string => {
  const field = (body as Record<string, unknown> | undefined)?.[name];
  const value = typeof field === 'object' && field !== null && 'value' in field ? (field as { value: unknown }).value : field;
  return typeof value === 'string' ? value : '';
};

function uploadForm(context: PageContext, kind: Kind): Html {
  const k = kinds[kind];
  return html`<section aria-labelledby="kop-${kind}"><h2 id="kop-${kind}">${k.title} inlezen</h2>
<form method="post" action="/app/adresboek/controleren" enctype="multipart/form-data" class="stack">
  ${csrfField(context)}<input type="hidden" name="soort" value="${kind}">
  <div>
    <label for="bestand-${kind}">CSV-bestand met ${k.many}</label>
    <span class="hint" id="hint-${kind}">Eerste regel: de kolomnamen ${k.columns.join(', ')}.${kind === 'contractors' ? ' Meerdere soorten of complexen scheidt u met een puntkomma; leeg is: alle.' : ' Een lege e-mail: de huurder krijgt brieven op papier.'} U ziet eerst wat er verandert.</span>
    <input type="file" id="bestand-${kind}" name="bestand" accept=".csv,text/csv" required aria-describedby="hint-${kind}">
  </div>
  <button type="submit">${k.title} controleren</button>
</form></section>`;
}

/** The CSV carried in the confirmation form: in pieces of at most 1 MB each (a form field's limit). */
const PIECE = 250_000;
const MAX_PIECES = 40;

function diffPage(context: PageContext, kind: Kind, diff: DirectoryDiff, csv: string, filename: string): Html {
  const k = kinds[kind];
  const pieces = Array.from({ length: Math.ceil(csv.length / PIECE) }, (_, i) => csv.slice(i * PIECE, (i + 1) * PIECE));
  const sha = createHash('sha256').update(csv).digest('hex');
  const changes = diff.added + diff.changed;
  const more = (shown: number, total: number) => (total > shown ? html`<p class="muted">De eerste ${shown} van ${total} staan hier.</p>` : '');
  return html`<h1>Controleer de wijzigingen</h1>
<p class="lead">${k.title} uit ${filename}: zo verandert het adresboek als u het opslaat. Er is nog niets gewijzigd.</p>
<ul class="cards">
  <li class="card"><h2>Nieuw</h2><span class="count">${diff.added}</span> ${diff.added === 1 ? k.one : k.many}</li>
  <li class="card warn"><h2>Gewijzigd</h2><span class="count">${diff.changed}</span> ${diff.changed === 1 ? k.one : k.many}</li>
  <li class="card"><h2>Ongewijzigd</h2><span class="count">${diff.unchanged}</span> ${diff.unchanged === 1 ? k.one : k.many}</li>
  <li class="card"><h2>Niet in het bestand</h2><span class="count">${diff.notInUpload}</span> blijven staan</li>
</ul>
${
  diff.changedItems.length > 0
    ? html`<h2>Gewijzigd</h2><div class="table-scroll" tabindex="0" role="region" aria-label="Gewijzigde ${k.many}"><table class="stack-on-phone">
<caption class="visually-hidden">Gewijzigde ${k.many}: oud en nieuw</caption>
<thead><tr><th scope="col">${k.key}</th><th scope="col">Naam</th><th scope="col">Veld</th><th scope="col">Was</th><th scope="col">Wordt</th></tr></thead>
<tbody>${diff.changedItems.flatMap((item) =>
        item.changes.map(
          (c, i) => html`<tr><td data-label="${k.key}">${i === 0 ? item.key : ''}</td><td data-label="Naam">${i === 0 ? item.name : ''}</td><td data-label="Veld">${directoryFieldLabels[c.field] ?? c.field}</td><td data-label="Was"><span class="diff-old">${c.old || '(leeg)'}</span></td><td data-label="Wordt"><span class="diff-new">${c.new || '(leeg)'}</span></td></tr>`,
        ),
      )}</tbody></table></div>${more(diff.changedItems.length, diff.changed)}`
    : ''
}
${
  diff.addedItems.length > 0
    ? html`<h2>Nieuw</h2><ul>${diff.addedItems.map((item) => html`<li>${item.key}: ${item.name}</li>`)}</ul>${more(diff.addedItems.length, diff.added)}`
    : ''
}
${
  diff.notInUploadItems.length > 0
    ? html`<h2>Niet in het bestand</h2><p>Deze ${k.many} staan in het adresboek maar niet in het bestand. Inlezen verwijdert niemand: zij blijven staan zoals ze zijn.</p><ul>${diff.notInUploadItems.map(
        (item) => html`<li>${item.key}: ${item.name}</li>`,
      )}</ul>${more(diff.notInUploadItems.length, diff.notInUpload)}`
    : ''
}
${
  changes === 0
    ? html`<p class="notice ok">Dit bestand verandert niets aan het adresboek.</p><p><a href="/app/adresboek">Terug naar het adresboek</a></p>`
    : html`<form method="post" action="/app/adresboek/opslaan" enctype="multipart/form-data" class="actions">
  ${csrfField(context)}<input type="hidden" name="soort" value="${kind}"><input type="hidden" name="sha256" value="${sha}"><input type="hidden" name="delen" value="${pieces.length}">
  ${pieces.map((piece, i) => html`<input type="hidden" name="deel${i}" value="${piece}">`)}
  <button type="submit">${changes === 1 ? 'Deze wijziging opslaan' : `Deze ${changes} wijzigingen opslaan`}</button>
  <a href="/app/adresboek" class="button secondary">Annuleren</a>
</form>`
}`;
}

export function registerAdminDirectory(app: FastifyInstance, deps: WorkspaceDeps): void {
  const page = (request: FastifyRequest, reply: FastifyReply, notices: Notice[] = [], status = 200) => {
    const context = contextOf(request, deps.corporationName);
    return sendPage(
      reply,
      context,
      {
        title: 'Adresboek',
        notices,
        body: html`<h1>Adresboek</h1>
<p class="lead">Huurders en aannemers lezen we in uit een CSV-bestand, bijvoorbeeld een export uit het woningbeheersysteem. Bestaande huurders (op contractnummer) en aannemers (op nummer) worden bijgewerkt, nieuwe toegevoegd; wie niet in het bestand staat, blijft staan.</p>
${uploadForm(context, 'tenants')}
${uploadForm(context, 'contractors')}`,
      },
      status,
    );
  };

  app.get('/app/adresboek', { config: admin, schema: { hide: true } }, async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const saved = Number(query.opgeslagen);
    const kind = typeof query.soort === 'string' && isKind(query.soort) ? query.soort : null;
    const notices: Notice[] =
      kind && Number.isInteger(saved) && saved >= 0 ? [{ kind: 'ok', title: 'Het adresboek is bijgewerkt', text: `${saved} ${saved === 1 ? kinds[kind].one : kinds[kind].many} ingelezen.` }] : [];
    return page(request, reply, notices);
  });

  app.post('/app/adresboek/controleren', { config: adminForm, bodyLimit: 40 * MB, schema: { hide: true } }, async (request, reply) => {
    const kind = fieldValue(request.body, 'soort');
    const file = (request.body as Record<string, unknown> | undefined)?.bestand as { toBuffer?: () => Promise<Buffer>; filename?: string } | undefined;
    if (!isKind(kind)) return page(request, reply, [{ kind: 'bad', text: 'Kies of u huurders of aannemers inleest.' }], 400);
    const buffer = file?.toBuffer ? await file.toBuffer() : null;
    if (!buffer || buffer.length === 0) return page(request, reply, [{ kind: 'bad', text: 'Kies een CSV-bestand om in te lezen.' }], 400);
    // Line ends as LF: a form sends its fields' line ends as CRLF, and the confirmation must carry the same text.
    const csv = buffer.toString('utf8').replace(/\r\n?/g, '\n');
    if (csv.length > PIECE * MAX_PIECES) return page(request, reply, [{ kind: 'bad', text: `Het bestand is te groot om hier in te lezen (meer dan ${(PIECE * MAX_PIECES) / 1_000_000} miljoen tekens). Splits het in delen.` }], 413);
    const answer = await apiOf(app, request).post<DirectoryDiff>(`/directory/${kind}/dry-run`, csv, { 'content-type': 'text/csv' });
    if (answer.status !== 200) return page(request, reply, [refusalNotice(answer)], answer.status);
    const context = contextOf(request, deps.corporationName);
    return sendPage(reply, context, { title: 'Controleer de wijzigingen', body: diffPage(context, kind, answer.body, csv, file?.filename || 'het bestand') });
  });

  app.post('/app/adresboek/opslaan', { config: adminForm, bodyLimit: 48 * MB, schema: { hide: true } }, async (request, reply) => {
    const kind = fieldValue(request.body, 'soort');
    const count = Number(fieldValue(request.body, 'delen'));
    if (!isKind(kind) || !Number.isInteger(count) || count < 1 || count > MAX_PIECES) return page(request, reply, [{ kind: 'bad', text: 'Dit formulier is niet compleet. Lees het bestand opnieuw in.' }], 400);
    const csv = Array.from({ length: count }, (_, i) => fieldValue(request.body, `deel${i}`)).join('').replace(/\r\n?/g, '\n');
    if (createHash('sha256').update(csv).digest('hex') !== fieldValue(request.body, 'sha256')) {
      return page(request, reply, [{ kind: 'bad', text: 'Het bestand is onderweg veranderd of niet helemaal aangekomen. Lees het opnieuw in.' }], 400);
    }
    const answer = await apiOf(app, request).put<{ upserted: number }>(`/directory/${kind}`, csv, { 'content-type': 'text/csv' });
    if (answer.status !== 200) return page(request, reply, [refusalNotice(answer)], answer.status);
    return reply.redirect(`/app/adresboek?opgeslagen=${answer.body.upserted}&soort=${kind}`, 303);
  });
}
