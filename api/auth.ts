import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Role } from '../worker/config';
import { verifyTenantLink, type TenantLink } from '../activities/links';
import { forbidden, unauthorized } from './problems';

export type Caller = { kind: 'staff'; role: Role; actor: string } | { kind: 'tenant'; link: TenantLink; actor: string };

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

/** The caller by API key; the actor recorded in events names the role and a fingerprint of the key, never the key. */
export function staffCaller(request: FastifyRequest, auth: AuthConfig, allowed: Role[]): Caller & { kind: 'staff' } {
  const key = bearer(request);
  if (key === null) throw unauthorized('an API key is required: Authorization: Bearer <key>');
  const role = auth.apiKeys.get(key);
  if (!role) throw unauthorized('unknown API key');
  if (!allowed.includes(role)) throw forbidden(`this needs the role ${allowed.join(' or ')}; the key has ${role}`);
  return { kind: 'staff', role, actor: `${role}:${createHash('sha256').update(key).digest('hex').slice(0, 8)}` };
}

/** A tenant acts through the signed link from their letter (`?token=`), for that one incident only. */
export function tenantOrStaffCaller(request: FastifyRequest, auth: AuthConfig, incidentId: string, allowed: Role[]): Caller {
  const token = (request.query as { token?: string } | undefined)?.token;
  if (token) {
    const link = verifyTenantLink(token, auth.linkSecret, new Date());
    if (link.incidentId !== incidentId) throw forbidden('this link is for another incident');
    return { kind: 'tenant', link, actor: `tenant:${link.tenantId}` };
  }
  return staffCaller(request, auth, allowed);
}

const publicRoutes = new Set(['/healthz', '/openapi.json', '/links/:token']);

/**
 * Who is calling is settled before the body is read, so that an unauthenticated request gets 401
 * whatever it sends. Which role may do what is each route's own check.
 */
export function authenticate(request: FastifyRequest, auth: AuthConfig): void {
  const route = request.routeOptions.url;
  if (route === undefined || publicRoutes.has(route)) return;
  const token = (request.query as { token?: string } | undefined)?.token;
  if (token) {
    verifyTenantLink(token, auth.linkSecret, new Date());
    return;
  }
  const key = bearer(request);
  if (key === null) throw unauthorized('an API key is required: Authorization: Bearer <key>');
  if (!auth.apiKeys.has(key)) throw unauthorized('unknown API key');
}
