import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CSRF_HEADER } from '../api/auth';

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
}

/**
 * The workspace reads and acts through the API itself, as the signed-in person: the same routes,
 * the same checks, the same read models (no second data path). The person's session cookie goes
 * along, and for a change the session's CSRF token, which the page has already checked.
 */
export function apiOf(app: FastifyInstance, request: FastifyRequest) {
  const headers: Record<string, string> = { cookie: String(request.headers.cookie ?? ''), accept: 'application/json' };
  if (request.caller?.kind === 'person') headers[CSRF_HEADER] = request.caller.csrfToken;
  async function call<T>(method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, extra: Record<string, string> = {}): Promise<ApiAnswer<T>> {
    const response = await app.inject({
      method,
      url,
      headers: { ...headers, ...extra },
      ...(payload === undefined ? {} : typeof payload === 'string' || Buffer.isBuffer(payload) ? { payload } : { payload: payload as object }),
    });
    const type = String(response.headers['content-type'] ?? '');
    const body = type.includes('json') ? response.json() : response.body;
    return { status: response.statusCode, body: body as T, headers: response.headers };
  }
  return {
    get: <T = any>(url: string) => call<T>('GET', url),
    post: <T = any>(url: string, payload?: unknown, extra?: Record<string, string>) => call<T>('POST', url, payload ?? {}, extra),
    put: <T = any>(url: string, payload: unknown, extra?: Record<string, string>) => call<T>('PUT', url, payload, extra),
  };
}

export type Api = ReturnType<typeof apiOf>;

/** A query string from the filled-in values only. */
export function queryOf(values: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}
