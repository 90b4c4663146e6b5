import type { FastifyInstance, FastifyRequest } from 'fastify';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { Config } from '../config/config';
import { HttpProblem } from './problems';

export const defaultTenantLinkRateLimit: Config['tenantLinkRateLimit'] = { max: 30, windowMs: 60_000 };

/** The page a tenant's link opens and its forms (/links/:token/...); the API calls a tenant makes are the routes that accept `?token=`. */
const tenantLinkPage = '/links/:token';

/**
 * A request made with a tenant's link (or with something that claims to be one): the page, or a
 * route whose access admits a tenant link (`config.access.tenantLink`) called with `?token=`. Staff
 * with an API key and no token are not tenants, so they are never held up by the tenants' limit.
 */
export function isTenantLinkRequest(request: FastifyRequest): boolean {
  const url = request.routeOptions.url;
  if (url === tenantLinkPage || url?.startsWith(`${tenantLinkPage}/`)) return true;
  const access = request.routeOptions.config?.access;
  if (access === undefined || access === 'public' || !('roles' in access) || !access.tenantLink) return false;
  const token = (request.query as { token?: unknown } | undefined)?.token;
  return token !== undefined && token !== '';
}

/**
 * Security headers on every answer (helmet), with a Content-Security-Policy that allows no script
 * but the page's own, by nonce (`reply.cspNonce.script`); and a rate limit per client address on the
 * tenant-link routes, answered as a 429 problem with Retry-After. Both hooks run before
 * authentication, so that a flood of forged links is limited too.
 *
 * The limit is counted in this process's memory: with several API processes a client gets the limit
 * at each of them. Behind a reverse proxy, the client address is the proxy's unless Fastify is told
 * to trust it (`trustProxy`). `config.tenantLinkRateLimit` sets the limit (TENANT_LINK_RATE_LIMIT);
 * without it (an app built in a test), 30 a minute.
 */
export async function registerSecurity(app: FastifyInstance, config: Partial<Config>): Promise<void> {
  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        // fastify-helmet adds the request's nonce to these two; 'self' is the workspace's own files.
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        connectSrc: ["'self'"],
        // blob: a photo chosen in a form is shown before it is sent.
        imgSrc: ["'self'", 'blob:'],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    // The tenant's token is in the page's URL: it must not leave in a Referer header.
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
  });

  const { max, windowMs } = config.tenantLinkRateLimit ?? defaultTenantLinkRateLimit;
  await app.register(rateLimit, {
    global: false,
    max,
    timeWindow: windowMs,
    errorResponseBuilder: (_request, context) =>
      new HttpProblem(429, `too many requests on tenant links from this address; try again in ${context.after}`, [], Math.max(1, Math.ceil(context.ttl / 1000))),
  });
  const limit = app.rateLimit();
  app.addHook('onRequest', async (request, reply) => {
    if (isTenantLinkRequest(request)) await limit.call(app, request, reply);
  });
}
