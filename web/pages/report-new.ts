import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { categories } from '../../domain/policy';
import type { WorkspaceDeps } from '../deps';
import { apiOf, queryOf, type Api } from '../api-client';
import { categoryLabel, inDutch } from '../dutch';
import { reportFieldLabels, reportFieldProblem, type ReportField } from '../dutch-report';
import { attrs, html, type Html } from '../html';
import { contextOf, csrfField, sendPage, type PageContext } from '../layout';
import { fieldsOf } from '../form-fields';
import { photosOfForm } from '../photo-upload';
import { MAX_PHOTO_BYTES, MAX_PHOTOS_PER_ACTION } from '../../db/photos';

/**
 * /app/meldingen/nieuw: a consultant reports an incident with the directory at hand. Complex,
 * building and tenants are typed with suggestions from the directory (GET /directory/search): as
 * one types with the script (web/assets.ts fills each field's <datalist>), and without it by the
 * button "Zoek in het adresboek", which fills those lists on the server and keeps what was typed.
 * The report goes to POST /incidents with an Idempotency-Key made when the form was first shown,
 * so that sending it twice (a double click, a reload) reports once.
 */

const PATH = '/app/meldingen/nieuw';
const SUGGESTIONS = 8;

type Values = Record<Exclude<ReportField, 'photos'> | 'key', string> & { photoIds: string[] };
type Suggestion = { value: string; label: string; complexId: string; buildingId: string | null };
type Lists = Partial<Record<'complexId' | 'buildingId' | 'polluterTenantId' | 'complainantTenantId', Suggestion[]>>;

const typeahead = {
  complexId: { kind: 'complex', list: 'complexen' },
  buildingId: { kind: 'building', list: 'gebouwen' },
  polluterTenantId: { kind: 'tenant', list: 'huurders-veroorzaker' },
  complainantTenantId: { kind: 'tenant', list: 'huurders-melder' },
} as const;
type TypeaheadField = keyof typeof typeahead;

/** The form as the page checks it before the API does: the same limits, with the reasons in Dutch. */
const formSchema = z.object({
  category: z.enum(categories, { error: reportFieldProblem('category', '') }),
  complexId: z.string().trim().min(1, reportFieldProblem('complexId', '')).max(100, reportFieldProblem('complexId', 'at most')),
  buildingId: z.string().trim().min(1, reportFieldProblem('buildingId', '')).max(100, reportFieldProblem('buildingId', 'at most')),
  location: z.string().trim().min(1, reportFieldProblem('location', '')).max(500, reportFieldProblem('location', 'at most')),
  description: z.string().trim().max(2000, reportFieldProblem('description', 'at most')),
  polluterTenantId: z.string().trim().max(100, 'Kies de huurder uit de lijst (contractnummer).'),
  complainantTenantId: z.string().trim().max(100, 'Kies de huurder uit de lijst (contractnummer).'),
});

const emptyValues = (): Values => ({
  key: randomUUID(),
  category: '',
  complexId: '',
  buildingId: '',
  location: '',
  description: '',
  polluterTenantId: '',
  complainantTenantId: '',
  photoIds: [],
});

export function registerReportForm(app: FastifyInstance, deps: WorkspaceDeps): void {
  const access = { roles: ['consultant'] as const };

  app.get(PATH, { config: { access: { roles: [...access.roles] } }, schema: { hide: true } }, async (request, reply) =>
    formPage(reply, contextOf(request, deps.corporationName), emptyValues(), {}, {}),
  );

  app.get(`${PATH}/gemeld`, { config: { access: { roles: [...access.roles] } }, schema: { hide: true } }, async (request, reply) => {
    const q = reportedQuery.parse(request.query ?? {});
    return reportedPage(reply, contextOf(request, deps.corporationName), q);
  });

  app.post(
    PATH,
    // Room for the photos a phone takes (each at most 10 MB) besides the fields.
    { config: { access: { roles: [...access.roles], csrf: 'form' } }, schema: { hide: true }, bodyLimit: MAX_PHOTOS_PER_ACTION * MAX_PHOTO_BYTES + 256 * 1024 },
    async (request, reply) => {
      const context = contextOf(request, deps.corporationName);
      const fields = fieldsOf(request.body);
      const values: Values = { ...emptyValues(), ...pick(fields), key: /^[\w-]{8,100}$/.test(fields.key ?? '') ? fields.key! : randomUUID() };
      const api = apiOf(app, request);
      // Photos are stored as soon as they arrive, so that a refused form or a search step keeps them.
      const photos = await photosOfForm(deps.db, request.body, { field: 'photos', uploadedBy: request.caller!.actor });
      values.photoIds = photos.photoIds;

      // Without script: look the typed complex, building and tenants up, and offer what was found.
      if (fields._zoek !== undefined) {
        const lists = await searchAll(api, values, Object.keys(typeahead) as TypeaheadField[]);
        const found = Object.values(lists).reduce((n, l) => n + l.length, 0);
        const notice = found === 0 ? 'Niets gevonden in het adresboek. Typ een deel van de naam, de straat of het nummer.' : 'Kies in de lijst bij elk veld wat u zocht.';
        return formPage(reply, context, values, photos.problem ? { photos: photos.problem } : {}, lists, notice);
      }

      const parsed = formSchema.safeParse(values);
      const problems: Partial<Record<ReportField, string>> = photos.problem ? { photos: photos.problem } : {};
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const field = issue.path[0] as ReportField;
          problems[field] ??= issue.message;
        }
      }
      // A space nobody in the directory lives at is a typing error: the notice would reach no one.
      if (!problems.buildingId && !problems.complexId) {
        const building = await exactlyIn(api, 'building', values.buildingId, { complexId: values.complexId });
        if (!building) {
          const elsewhere = await exactlyIn(api, 'building', values.buildingId, {});
          problems.buildingId = elsewhere
            ? `Gebouw ${values.buildingId} hoort bij complex ${elsewhere.complexId}, niet bij complex ${values.complexId}.`
            : `Gebouw ${values.buildingId} staat niet in het adresboek${values.complexId ? ` bij complex ${values.complexId}` : ''}. Zoek op straat of nummer en kies het uit de lijst.`;
        }
      }
      // A tenant is named by contract number, chosen from the suggestions: a name alone could be anyone.
      for (const field of ['polluterTenantId', 'complainantTenantId'] as const) {
        if (!problems[field] && values[field].trim() !== '' && !(await exactlyIn(api, 'tenant', values[field], {}))) {
          problems[field] = reportFieldProblem(field, 'unknown contract number');
        }
      }
      if (Object.keys(problems).length > 0) return refused(reply, context, api, values, problems);

      const body = parsed.data!;
      const answer = await api.post(
        '/incidents',
        {
          category: body.category,
          complexId: body.complexId,
          buildingId: body.buildingId,
          location: body.location,
          description: body.description,
          polluterTenantId: body.polluterTenantId || null,
          complainantTenantId: body.complainantTenantId || null,
          ...(values.photoIds.length > 0 ? { photoIds: values.photoIds } : {}),
        },
        { 'idempotency-key': `workspace-report/${values.key}` },
      );
      if (answer.status === 400) {
        const fromApi: Partial<Record<ReportField, string>> = {};
        for (const error of (answer.body.errors ?? []) as { path: string; message: string }[]) {
          const field = (error.path.startsWith('body.photoIds') ? 'photos' : error.path.replace(/^body\./, '')) as ReportField;
          if (field in reportFieldLabels) fromApi[field] ??= reportFieldProblem(field, error.message);
        }
        if (Object.keys(fromApi).length > 0) return refused(reply, context, api, values, fromApi);
      }
      if (answer.status === 409 && /Idempotency-Key was used before/.test(String(answer.body?.detail))) {
        // Sent twice at once with different photos: the first one counts.
        return formPage(reply.status(409), context, { ...values, key: randomUUID() }, {}, {}, undefined, 'Deze melding is al verstuurd. Kijk bij Meldingen of hij erbij staat voordat u hem opnieuw verstuurt.');
      }
      if (answer.status !== 200 && answer.status !== 201) {
        return formPage(reply.status(answer.status), context, values, {}, {}, undefined, inDutch(String(answer.body?.detail ?? '')));
      }
      // To a page of its own (POST, then GET): reloading it reports nothing again.
      const reported = answer.body as { incidentId: string; incidentNumber: string | null; duplicateOf: string | null };
      return reply.redirect(`${PATH}/gemeld${queryOf({ melding: reported.incidentId, nummer: reported.incidentNumber, soort: body.category, bij: reported.duplicateOf ? 'ja' : undefined })}`, 303);
    },
  );
}

function pick(fields: Record<string, string>): Partial<Values> {
  const out: Partial<Values> = {};
  for (const name of Object.keys(reportFieldLabels) as ReportField[]) if (name !== 'photos' && typeof fields[name] === 'string') out[name] = fields[name];
  return out;
}

async function search(api: Api, kind: string, q: string, scope: { complexId?: string; buildingId?: string }): Promise<Suggestion[]> {
  if (q.trim().length < 2) return [];
  const answer = await api.get(`/directory/search${queryOf({ kind, q: q.trim(), limit: SUGGESTIONS, ...scope })}`);
  return answer.status === 200 ? (answer.body.suggestions as Suggestion[]) : [];
}

/** The directory's entry that is exactly this value, if there is one. */
async function exactlyIn(api: Api, kind: string, value: string, scope: { complexId?: string }): Promise<Suggestion | undefined> {
  const found = await search(api, kind, value, scope);
  return found.find((s) => s.value.toLowerCase() === value.trim().toLowerCase());
}

/** Suggestions for the typed fields, each in the scope of what is filled above it. */
async function searchAll(api: Api, values: Values, fields: TypeaheadField[]): Promise<Lists> {
  const scopeOf = (field: TypeaheadField) =>
    field === 'buildingId' ? { complexId: values.complexId.trim() || undefined } : field === 'complexId' ? {} : { buildingId: undefined, complexId: undefined };
  const entries = await Promise.all(
    fields.filter((f) => values[f].trim().length >= 2).map(async (f) => [f, await search(api, typeahead[f].kind, values[f], scopeOf(f))] as const),
  );
  return Object.fromEntries(entries);
}

/** A refused form: every field's reason next to it, what was typed kept, and suggestions for the fields in question. */
async function refused(reply: FastifyReply, context: PageContext, api: Api, values: Values, problems: Partial<Record<ReportField, string>>) {
  const lists = await searchAll(api, values, (Object.keys(problems) as ReportField[]).filter((f): f is TypeaheadField => f in typeahead));
  return formPage(reply.status(400), context, values, problems, lists);
}

function formPage(
  reply: FastifyReply,
  context: PageContext,
  values: Values,
  problems: Partial<Record<ReportField, string>>,
  lists: Lists,
  info?: string,
  failure?: string,
) {
  const refusedFields = (Object.keys(reportFieldLabels) as ReportField[]).filter((f) => problems[f]);
  const described = (field: ReportField, hint?: string) => [hint ? `${field}-hint` : '', problems[field] ? `${field}-error` : ''].filter(Boolean).join(' ') || null;
  const errorOf = (field: ReportField) => (problems[field] ? html`<span class="error-text" id="${field}-error">${problems[field]}</span>` : '');
  const hintOf = (field: ReportField, hint?: string) => (hint ? html`<span class="hint" id="${field}-hint">${hint}</span>` : '');

  const text = (field: Exclude<ReportField, 'photos'>, hint?: string, extra: Record<string, string | boolean> = {}) => html`<div class="field${problems[field] ? ' invalid' : ''}">
  <label for="${field}">${reportFieldLabels[field]}</label>
  ${hintOf(field, hint)}${errorOf(field)}
  <input type="text" id="${field}" name="${field}"${attrs({ value: values[field], 'aria-invalid': problems[field] ? 'true' : null, 'aria-describedby': described(field, hint), ...extra })}>
</div>`;

  const withSuggestions = (field: TypeaheadField, hint: string, required: boolean) => {
    const { kind, list } = typeahead[field];
    const found = lists[field];
    const scope = field === 'buildingId' ? 'complexId' : null;
    return html`<div class="field typeahead${problems[field] ? ' invalid' : ''}">
  <label for="${field}">${reportFieldLabels[field]}${required ? '' : html` <span class="muted">(huurder, als bekend)</span>`}</label>
  ${hintOf(field, hint)}${errorOf(field)}
  <input type="text" id="${field}" name="${field}" list="${list}" autocomplete="off" spellcheck="false"${attrs({
    value: values[field],
    required,
    'aria-invalid': problems[field] ? 'true' : null,
    'aria-describedby': [described(field, hint), `${field}-chosen`].filter(Boolean).join(' '),
    'data-suggest': `/directory/search?kind=${kind}`,
    'data-suggest-scope': scope,
  })}>
  <datalist id="${list}">${(found ?? []).map((s) => html`<option${attrs({ value: s.value, label: s.label })}>${s.label}</option>`)}</datalist>
  <span class="chosen" id="${field}-chosen" aria-live="polite">${
    found && found.length > 0 ? `${found.length} gevonden in het adresboek: kies in de lijst bij het veld.` : ''
  }</span>
</div>`;
  };

  const summary: Html | '' =
    refusedFields.length > 0
      ? html`<div class="notice bad error-summary" role="alert" tabindex="-1" id="fouten">
  <h2>De melding is nog niet verstuurd</h2>
  <p>Verbeter ${refusedFields.length === 1 ? 'dit veld' : `deze ${refusedFields.length} velden`}:</p>
  <ul>${refusedFields.map((f) => html`<li><a href="#${f}">${reportFieldLabels[f]}: ${problems[f]}</a></li>`)}</ul>
</div>`
      : '';

  return sendPage(
    reply,
    context,
    {
      title: refusedFields.length > 0 ? 'Fout: Nieuwe melding' : 'Nieuwe melding',
      notices: [...(failure ? [{ kind: 'bad' as const, text: failure }] : []), ...(info ? [{ kind: 'info' as const, text: info }] : [])],
      body: html`<h1>Nieuwe melding</h1>
${summary}
<form class="stack report-form" method="post" action="${PATH}" enctype="multipart/form-data" novalidate>
  ${csrfField(context)}
  <input type="hidden" name="key" value="${values.key}">
  <div class="field${problems.category ? ' invalid' : ''}">
    <label for="category">${reportFieldLabels.category}</label>${errorOf('category')}
    <select id="category" name="category" required${attrs({ 'aria-invalid': problems.category ? 'true' : null, 'aria-describedby': described('category') })}>
      <option value=""${attrs({ selected: values.category === '' })}>Kies een soort</option>
      ${categories.map((c) => html`<option${attrs({ value: c, selected: values.category === c })}>${capitalize(categoryLabel(c))}</option>`)}
    </select>
  </div>
  <fieldset class="where">
    <legend>Waar</legend>
    ${withSuggestions('complexId', 'Nummer of naam van het complex, of een straat erin.', true)}
    ${withSuggestions('buildingId', 'Het gebouw of de portiek waarvan de bewoners de ruimte delen: nummer, straat of postcode.', true)}
    ${text('location', 'Bijvoorbeeld: trappenhuis, 2e verdieping. Geen namen.', { required: true, maxlength: '500' })}
  </fieldset>
  <div class="field${problems.description ? ' invalid' : ''}">
    <label for="description">${reportFieldLabels.description} <span class="muted">(wat ligt er, sinds wanneer)</span></label>${errorOf('description')}
    <textarea id="description" name="description" rows="4" maxlength="2000"${attrs({ 'aria-invalid': problems.description ? 'true' : null, 'aria-describedby': described('description') })}>${values.description}</textarea>
  </div>
  <fieldset class="who">
    <legend>Wie</legend>
    ${withSuggestions('polluterTenantId', 'Naam, adres of contractnummer. Alleen invullen als vaststaat wie het was; anders krijgen alle bewoners van het gebouw bericht.', false)}
    ${withSuggestions('complainantTenantId', 'De huurder die klaagde, als die een bevestiging moet krijgen.', false)}
  </fieldset>
  <div class="field${problems.photos ? ' invalid' : ''}">
    <label for="photos">${reportFieldLabels.photos} <span class="muted">(als bewijs; hoogstens ${MAX_PHOTOS_PER_ACTION})</span></label>
    <span class="hint" id="photos-hint">Maak een foto met de camera of kies er een: JPEG, PNG, WebP of HEIC, hoogstens 10 MB per foto.</span>${errorOf('photos')}
    ${values.photoIds.map((id) => html`<input type="hidden" name="photoId" value="${id}">`)}
    ${
      values.photoIds.length > 0
        ? html`<p class="muted" id="photos-kept">${values.photoIds.length === 1 ? '1 foto is bewaard' : `${values.photoIds.length} foto's zijn bewaard`} en gaat mee met de melding.</p>
    <div class="photos">${values.photoIds.map((id, i) => html`<img src="/photos/${id}" alt="Bewaarde foto ${i + 1}">`)}</div>`
        : ''
    }
    <input type="file" id="photos" name="photos" accept="image/*" capture="environment" multiple data-preview="photos-preview"${attrs({
      'aria-invalid': problems.photos ? 'true' : null,
      'aria-describedby': ['photos-hint', problems.photos ? 'photos-error' : ''].filter(Boolean).join(' '),
    })}>
    <img id="photos-preview" class="preview" alt="Gekozen foto" hidden>
  </div>
  <div class="actions">
    <button type="submit">Melding versturen</button>
    <button type="submit" class="secondary" name="_zoek" value="1" formnovalidate>Zoek in het adresboek</button>
  </div>
</form>`,
    },
    reply.statusCode,
  );
}

const reportedQuery = z.object({
  melding: z.string().regex(/^[0-9a-f-]{36}$/),
  nummer: z.string().regex(/^\d{4}-\d{5,}$/).optional().catch(undefined),
  soort: z.enum(categories).optional().catch(undefined),
  bij: z.literal('ja').optional().catch(undefined),
});

function reportedPage(reply: FastifyReply, context: PageContext, reported: z.infer<typeof reportedQuery>) {
  const number = reported.nummer ?? reported.melding;
  const link = `/app/meldingen/${encodeURIComponent(reported.melding)}`;
  const category = reported.soort ? categoryLabel(reported.soort) : 'dezelfde soort';
  if (reported.bij) {
    return sendPage(reply, context, {
      title: `Hoort bij melding ${number}`,
      body: html`<h1>Deze melding hoort bij melding ${number}</h1>
<p>Over ${category} in dit gebouw loopt al een melding. Uw melding is daaraan toegevoegd; er wordt geen tweede zaak gestart.</p>
<p class="actions"><a class="button" href="${link}">Naar melding ${number}</a> <a class="button secondary" href="${PATH}">Nog een melding maken</a></p>`,
    });
  }
  return sendPage(reply, context, {
    title: `Melding ${number} vastgelegd`,
    body: html`<h1>Melding ${number} is vastgelegd</h1>
<p class="lead">Meldingnummer: <strong class="incident-number">${number}</strong></p>
<p>De melding wordt nu verwerkt: de brieven gaan vanzelf de deur uit. Op de pagina van de melding ziet u wat er gebeurt.</p>
<p class="actions"><a class="button" href="${link}">Naar melding ${number}</a> <a class="button secondary" href="${PATH}">Nog een melding maken</a></p>`,
  });
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

