import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { Role } from '../config/config';
import { verifyTenantLink, type TenantLink } from '../documents/links';
import { forbidden, unauthorized } from './problems';

export type Caller = { kind: 'staff'; role: Role; actor: string } | { kind: 'tenant'; link: TenantLink; actor: string };
export type StaffCaller = Extract<Caller, { kind: 'staff' }>;

/**
 * Who may call a route, declared in its `config.access`: every route declares it (registration
 * fails otherwise), and it is enforced before the body is read, so that a caller without the right
 * key or role costs the server nothing and learns nothing about the body's rules.
 * - `public`: anyone;
 * - `{ roles }`: an API key of one of these roles;
 * - `{ roles, tenantLink: true }`: also a tenant's signed link (`?token=`) for the incident in `:id`.
 */
export type Access = 'public' | { roles: readonly Role[]; tenantLink?: boolean };

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

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match?.[1]) throw unauthorized('the Authorization header must be "Bearer <key>"');
  return match[1].trim();
}

/** The actor recorded in events names the role and a fingerprint of the key, never the key. */
function staffByKey(request: FastifyRequest, auth: AuthConfig, roles: readonly Role[]): StaffCaller {
  const key = bearer(request);
  if (key === null) throw unauthorized('an API key is required: Authorization: Bearer <key>');
  const role = auth.apiKeys.get(key);
  if (!role) throw unauthorized('unknown API key');
  if (!roles.includes(role)) throw forbidden(`this needs the role ${roles.join(' or ')}; the key has ${role}`);
  return { kind: 'staff', role, actor: `${role}:${createHash('sha256').update(key).digest('hex').slice(0, 8)}` };
}

function tenantByLink(request: FastifyRequest, auth: AuthConfig, token: string): Caller {
  const link = verifyTenantLink(token, auth.linkSecret, new Date());
  const incidentId = (request.params as { id?: unknown } | undefined)?.id;
  if (link.incidentId !== incidentId) throw forbidden('this link is for another incident');
  return { kind: 'tenant', link, actor: `tenant:${link.tenantId}` };
}

export function authorize(request: FastifyRequest, auth: AuthConfig, access: Access): Caller | null {
  if (access === 'public') return null;
  const token = (request.query as { token?: unknown } | undefined)?.token;
  if (access.tenantLink && typeof token === 'string' && token !== '') return tenantByLink(request, auth, token);
  return staffByKey(request, auth, access.roles);
}

/**
 * Authenticate and authorise every request in `onRequest`, before Fastify reads the body, from the
 * route's declared access; handlers read the result from `request.caller`.
 */
export function registerAccessControl(app: FastifyInstance, auth: AuthConfig): void {
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
    request.caller = authorize(request, auth, access);
  });
}

/** The caller of a route that needs staff: settled by the access rule before the handler runs. */
export function staffOf(request: FastifyRequest): StaffCaller {
  const caller = request.caller;
  if (caller?.kind !== 'staff') throw unauthorized('an API key is required: Authorization: Bearer <key>');
  return caller;
}

export function callerOf(request: FastifyRequest): Caller {
  const caller = request.caller;
  if (!caller) throw unauthorized('an API key or a tenant link is required');
  return caller;
}
