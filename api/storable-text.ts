import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UNSTORABLE_TEXT_MESSAGE, unstorableTextPath } from '../domain/text';
import { badRequest } from './problems';
import { csvLineOf } from './csv-body';

// eslint-disable-next-line no-control-regex -- control characters are what this replaces
const printable = (segment: string | number) => String(segment).replace(/[\u0000-\u001f\uD800-\uDFFF]/g, '?');

function where(request: FastifyRequest, context: 'path' | 'query' | 'body', path: (string | number)[]): string {
  if (context === 'body' && typeof path[0] === 'number') {
    const line = csvLineOf(request.body, path[0]);
    if (line !== null) return [`line ${line}: ${path.slice(1).map(printable).join('.')}`].join('');
  }
  if (context === 'body' && typeof request.body === 'string' && path.length === 0) {
    // eslint-disable-next-line no-control-regex -- NUL is what this looks for
    const offset = request.body.search(/\u0000|[\uD800-\uDFFF]/);
    return `body (line ${request.body.slice(0, Math.max(0, offset)).split('\n').length})`;
  }
  return [context, ...path.map(printable)].join('.');
}

/**
 * Text PostgreSQL cannot store is refused before validation, for the path, the query and the body
 * alike: a 400 naming the field, instead of a 500 (or an activity that retries forever).
 */
export function refuseUnstorableText(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const parts = [
      ['path', request.params],
      ['query', request.query],
      ['body', request.isMultipart() ? multipartFields(request.body) : request.body],
    ] as const;
    for (const [context, value] of parts) {
      const path = unstorableTextPath(value);
      if (path) {
        const field = where(request, context, path);
        throw badRequest(`${field} ${UNSTORABLE_TEXT_MESSAGE}`, [{ path: field, message: UNSTORABLE_TEXT_MESSAGE }]);
      }
    }
  });
}

/** A multipart body's text: its fields' values and its files' names (the files themselves are bytes). */
export function multipartFields(body: unknown): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, part] of Object.entries((body as Record<string, unknown>) ?? {})) {
    const parts = Array.isArray(part) ? part : [part];
    fields[name] = parts.map((p: { type?: string; value?: unknown; filename?: unknown }) => (p?.type === 'file' ? p.filename : p?.value));
  }
  return fields;
}
