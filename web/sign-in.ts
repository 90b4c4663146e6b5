import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Issuer, generators, type BaseClient } from 'openid-client';
import { z } from 'zod';
import { roles, type OidcConfig, type Role } from '../config/config';
import type { Db } from '../db/connection';
import { SESSION_COOKIE, SESSION_HOURS, endSession, startSession } from '../api/sessions';
import { html } from './html';
import { contextOf, homeOf, sendPage } from './layout';

/**
 * Personal sign-in with OpenID Connect (authorization code with PKCE): the corporation's identity
 * provider (Entra ID, Keycloak; `npm start` runs a local one) says who the person is and which
 * groups they are in; the groups give the roles. The workspace keeps a session of its own.
 */
const LOGIN_COOKIE = 'pp_login';
const loginSchema = z.object({ state: z.string(), nonce: z.string(), verifier: z.string(), next: z.string() });

export interface SignInDeps {
  db: Db;
  oidc: OidcConfig | undefined;
  publicUrl: string;
  corporationName: string;
}

/** Only a path inside the workspace: a sign-in never sends a person elsewhere. */
const safeNext = (next: unknown) => (typeof next === 'string' && /^\/app(\/[\w\-./%?=&]*)?$/.test(next) && !next.includes('//') ? next : '/app');

export function rolesFromClaims(claims: Record<string, unknown>, oidc: Pick<OidcConfig, 'rolesClaim' | 'roleMap'>): Role[] {
  const raw = claims[oidc.rolesClaim];
  const groups = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === 'string') : typeof raw === 'string' ? [raw] : [];
  const found = groups.map((group) => oidc.roleMap.get(group) ?? ((roles as readonly string[]).includes(group) ? (group as Role) : null));
  return [...new Set(found.filter((role): role is Role => role !== null))];
}

export function registerSignIn(app: FastifyInstance, deps: SignInDeps): void {
  const secure = deps.publicUrl.startsWith('https:');
  const redirectUri = `${deps.publicUrl}/app/auth/callback`;
  let client: Promise<BaseClient> | null = null;
  const clientOf = (oidc: OidcConfig) => {
    // Discovered at the first sign-in (the provider need not be up when the API starts), and again after a failure.
    client ??= Issuer.discover(oidc.issuer as string)
      .then((issuer) => new issuer.Client({ client_id: oidc.clientId, client_secret: oidc.clientSecret, redirect_uris: [redirectUri], response_types: ['code'] }))
      .catch((error: unknown) => {
        client = null;
        throw error;
      });
    return client;
  };
  const unavailable = (request: FastifyRequest, reply: FastifyReply, why: string) =>
    sendPage(
      reply,
      contextOf(request, deps.corporationName),
      { title: 'Aanmelden lukt nu niet', body: html`<h1>Aanmelden lukt nu niet</h1><p>${why}</p><p><a href="/app">Probeer het opnieuw</a></p>` },
      503,
    );

  app.get('/app', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const session = request.cookies[SESSION_COOKIE];
    if (session) return reply.redirect('/app/start');
    return sendPage(reply, contextOf(request, deps.corporationName), {
      title: 'Aanmelden',
      body: html`<h1>Vervuiler betaalt</h1>
<p class="lead">De werkplek voor woonconsulenten, aannemers, financiën, beheer en het team van ${deps.corporationName}.</p>
<p><a class="button" href="/app/aanmelden">Aanmelden met uw account van ${deps.corporationName}</a></p>`,
    });
  });

  app.get('/app/aanmelden', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    if (!deps.oidc?.issuer) return unavailable(request, reply, 'Aanmelden is op deze server niet ingesteld (OIDC_ISSUER).');
    let oidcClient: BaseClient;
    try {
      oidcClient = await clientOf(deps.oidc);
    } catch (error) {
      request.log.warn({ err: error }, 'the identity provider did not answer');
      return unavailable(request, reply, 'De aanmeldservice van de corporatie is niet bereikbaar. Probeer het over een paar minuten opnieuw.');
    }
    const verifier = generators.codeVerifier();
    const login = { state: generators.state(), nonce: generators.nonce(), verifier, next: safeNext((request.query as { next?: unknown }).next) };
    void reply.setCookie(LOGIN_COOKIE, JSON.stringify(login), { path: '/app/auth', httpOnly: true, sameSite: 'lax', secure, signed: true, maxAge: 600 });
    return reply.redirect(
      oidcClient.authorizationUrl({ scope: 'openid profile email', state: login.state, nonce: login.nonce, code_challenge: generators.codeChallenge(verifier), code_challenge_method: 'S256' }),
    );
  });

  app.get('/app/auth/callback', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const signed = request.cookies[LOGIN_COOKIE];
    const unsigned = signed ? request.unsignCookie(signed) : null;
    const login = unsigned?.valid && unsigned.value ? loginSchema.safeParse(JSON.parse(unsigned.value)) : null;
    void reply.clearCookie(LOGIN_COOKIE, { path: '/app/auth' });
    if (!deps.oidc?.issuer || !login?.success) return reply.redirect('/app/aanmelden');
    let claims: Record<string, unknown>;
    let idToken: string | null;
    try {
      const oidcClient = await clientOf(deps.oidc);
      const tokens = await oidcClient.callback(redirectUri, oidcClient.callbackParams(request.raw), {
        state: login.data.state,
        nonce: login.data.nonce,
        code_verifier: login.data.verifier,
      });
      claims = tokens.claims() as Record<string, unknown>;
      idToken = tokens.id_token ?? null;
    } catch (error) {
      request.log.warn({ err: error }, 'sign-in refused');
      return sendPage(
        reply,
        contextOf(request, deps.corporationName),
        { title: 'Aanmelden mislukt', body: html`<h1>Aanmelden mislukt</h1><p>De aanmelding kon niet worden bevestigd. <a href="/app/aanmelden">Probeer het opnieuw</a>.</p>` },
        401,
      );
    }
    const subject = String(claims.sub);
    const name = typeof claims.name === 'string' && claims.name.trim() !== '' ? claims.name : typeof claims.email === 'string' ? claims.email : subject;
    const personRoles = rolesFromClaims(claims, deps.oidc);
    if (personRoles.length === 0) {
      return sendPage(
        reply,
        contextOf(request, deps.corporationName),
        {
          title: 'Geen toegang',
          body: html`<h1>Geen toegang</h1><p>U bent aangemeld als ${name}, maar uw account heeft geen rol in Vervuiler betaalt. Vraag de beheerder van ${deps.corporationName} om u toe te voegen aan een van de groepen.</p>`,
        },
        403,
      );
    }
    const session = await startSession(deps.db, { subject, name, email: typeof claims.email === 'string' ? claims.email : null, roles: personRoles }, idToken);
    void reply.setCookie(SESSION_COOKIE, session.id, { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: SESSION_HOURS * 3600 });
    return reply.redirect(login.data.next === '/app' ? homeOf(personRoles) : login.data.next);
  });

  app.get('/app/start', { config: { access: { signedIn: true } }, schema: { hide: true } }, async (request, reply) => {
    const caller = request.caller;
    return reply.redirect(caller?.kind === 'person' ? homeOf(caller.person.roles) : '/app');
  });

  app.post('/app/afmelden', { config: { access: { signedIn: true, csrf: 'form' } }, schema: { hide: true } }, async (request, reply) => {
    const id = request.cookies[SESSION_COOKIE];
    if (id) await endSession(deps.db, id);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/app/afgemeld', 303);
  });

  app.get('/app/afgemeld', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) =>
    sendPage(reply, { ...contextOf(request, deps.corporationName), person: null }, {
      title: 'Afgemeld',
      body: html`<h1>U bent afgemeld</h1><p>Sluit de browser als u een gedeelde computer gebruikt.</p><p><a href="/app/aanmelden">Opnieuw aanmelden</a></p>`,
    }),
  );
}
