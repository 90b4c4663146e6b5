import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { Role } from '../config/config';
import type { Db } from '../db/connection';
import { verifyTenantLink, type TenantLink } from '../documents/links';
import { forbidden, unauthorized } from './problems';
import { SESSION_COOKIE, sessionOf, type Person } from './sessions';

/**
 * Who is calling: an integration by API key (a role), a person signed in to the workspace (their
 * roles, from the identity provider), or a tenant with the signed link from a letter.
 */
export type Caller =
  | { kind: 'key'; role: Role; actor: string }
  | { kind: 'person'; person: Person; actor: string; csrfToken: string }
  | { kind: 'tenant'; link: TenantLink; actor: string };
export type StaffCaller = Exclude<Caller, { kind: 'tenant' }>;

/**
 * Who may call a route, declared in its `config.access`: every route declares it (registration
 * fails otherwise), and it is enforced before the body is read, so that a caller without the right
 * key, session or role costs the server nothing and learns nothing about the body's rules.
 * - `public`: anyone;
 * - `{ roles }`: an API key or a signed-in person with one of these roles;
 * - `{ roles, tenantLink: true }`: also a tenant's signed link (`?token=`) for the incident in `:id`;
 * - `{ roles, csrf: 'form' }`: a workspace form: a person's CSRF token comes in the form's `_csrf`
 *   field (checked once the body is read); elsewhere in the `x-csrf-token` header.
 * - `{ roles, csrf: 'none' }`: no token, for a route that changes nothing and takes only JSON, called
 *   by a page that cannot hold our token (the Temporal UI's codec requests, api/routes/codec.ts);
 * - `{ signedIn: true }`: any signed-in person, whatever the roles (the workspace's own pages).
 */
export type Access = 'public' | { roles: readonly Role[]; tenantLink?: boolean; csrf?: 'header' | 'form' | 'none' } | { signedIn: true; csrf?: 'header' | 'form' };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    caller: Caller | null;
  }
}

export interface AuthConfig {
  apiKeys: Map<string, Role>;
  linkSecret: string;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match?.[1]) throw unauthorized('the Authorization header must be "Bearer <key>"');
  return match[1].trim();
}

/** The actor recorded in events names the role and a fingerprint of the key, never the key. */
function byKey(key: string, auth: AuthConfig): Caller & { kind: 'key' } {
  const role = auth.apiKeys.get(key);
  if (!role) throw unauthorized('unknown API key');
  return { kind: 'key', role, actor: `${role}:${createHash('sha256').update(key).digest('hex').slice(0, 8)}` };
}

function tenantByLink(request: FastifyRequest, auth: AuthConfig, token: string): Caller {
  const link = verifyTenantLink(token, auth.linkSecret, new Date());
  // A route about an incident (/incidents/:id/...) takes only that incident's link; a route without
  // one (a photo) works on the link's incident, which its handler checks.
  const incidentId = (request.params as { id?: unknown } | undefined)?.id;
  if (incidentId !== undefined && link.incidentId !== incidentId) throw forbidden('this link is for another incident');
  return { kind: 'tenant', link, actor: `tenant:${link.tenantId}` };
}

export const rolesOf = (caller: StaffCaller): readonly Role[] => (caller.kind === 'key' ? [caller.role] : caller.person.roles);

function requireRoles(caller: StaffCaller, roles: readonly Role[]): void {
  if (!rolesOf(caller).some((role) => roles.includes(role))) {
    const has = caller.kind === 'key' ? `the key has ${caller.role}` : `you have ${caller.person.roles.join(', ') || 'no role'}`;
    throw forbidden(`this needs the role ${roles.join(' or ')}; ${has}`);
  }
}

function sameToken(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function authorize(request: FastifyRequest, auth: AuthConfig, db: Db, access: Access): Promise<Caller | null> {
  if (access === 'public') return null;
  const token = (request.query as { token?: unknown } | undefined)?.token;
  if ('roles' in access && access.tenantLink && typeof token === 'string' && token !== '') return tenantByLink(request, auth, token);
  const key = bearer(request);
  let caller: StaffCaller;
  if (key !== null) {
    caller = byKey(key, auth);
  } else {
    const sessionId = request.cookies?.[SESSION_COOKIE];
    const session = sessionId ? await sessionOf(db, sessionId) : null;
    if (!session) throw unauthorized('sign in, or send an API key: Authorization: Bearer <key>');
    caller = { kind: 'person', person: session.person, actor: `person:${session.person.subject}`, csrfToken: session.csrfToken };
    // A session is a cookie the browser sends by itself: a change must prove it comes from our own page.
    if (!SAFE_METHODS.has(request.method) && (access.csrf ?? 'header') === 'header' && !sameToken(request.headers[CSRF_HEADER], session.csrfToken)) {
      throw forbidden('the form has expired or did not come from this workspace; reload the page and try again');
    }
  }
  if ('roles' in access) requireRoles(caller, access.roles);
  return caller;
}

/**
 * Authenticate and authorise every request in `onRequest`, before Fastify reads the body, from the
 * route's declared access; handlers read the result from `request.caller`.
 */
export function registerAccessControl(app: FastifyInstance, auth: AuthConfig, db: Db): void {
  app.decorateRequest('caller', null);
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.config?.access === undefined) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no access (config.access)`);
    }
  });
  app.addHook('onRequest', async (request) => {
    // Unknown routes have no access rule: they go on to the 404 handler.
    const access = request.routeOptions.config?.access;
    if (access === undefined) return;
    request.caller = await authorize(request, auth, db, access);
  });
  // A workspace form's token is in its body: checked as soon as the body is read, before validation.
  app.addHook('preValidation', async (request) => {
    const access = request.routeOptions.config?.access;
    const caller = request.caller;
    if (access === undefined || access === 'public' || access.csrf !== 'form' || caller?.kind !== 'person' || SAFE_METHODS.has(request.method)) return;
    const field = (request.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
    // A multipart form's field comes as { value }.
    const given = typeof field === 'object' && field !== null && 'value' in field ? (field as { value: unknown }).value : field;
    if (!sameToken(given, caller.csrfToken)) throw forbidden('the form has expired or did not come from this workspace; reload the page and try again');
  });
}

/** The caller of a route that needs staff: settled by the access rule before the handler runs. */
export function staffOf(request: FastifyRequest): StaffCaller {
  const caller = request.caller;
  if (!caller || caller.kind === 'tenant') throw unauthorized('sign in, or send an API key: Authorization: Bearer <key>');
  return caller;
}

export function callerOf(request: FastifyRequest): Caller {
  const caller = request.caller;
  if (!caller) throw unauthorized('an API key, a signed-in person or a tenant link is required');
  return caller;
}
