// A local OpenID Connect provider for development and the tests (oidc-provider, the certified
// implementation): it stands in for the corporation's Entra ID or Keycloak, with one user per role.
// Run by `npm start` and by the browser tests as a child process (the package is ESM-only; the
// rest of the project is CommonJS). It prints one line `ready <issuer>` when it listens.
//
//   node scripts/oidc-dev-provider.mjs --port 3001 --client-id polluter-pays --client-secret ... \
//     --redirect-uri http://127.0.0.1:3000/app/auth/callback --post-logout-redirect-uri http://127.0.0.1:3000/app/signed-out
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';

const { values: options } = parseArgs({
  options: {
    port: { type: 'string', default: '3001' },
    host: { type: 'string', default: '127.0.0.1' },
    'client-id': { type: 'string', default: 'polluter-pays' },
    'client-secret': { type: 'string', default: 'development-client-secret-change-me' },
    'redirect-uri': { type: 'string', multiple: true, default: [] },
    'post-logout-redirect-uri': { type: 'string', multiple: true, default: [] },
  },
});

/** One development user per role; the login is the account, any password will do. */
export const developmentUsers = {
  consultant: { name: 'Carla de Consulent', email: 'carla@woningcorporatie.example', groups: ['consultant'] },
  contractor: { name: 'Kees Schoonmaker', email: 'kees@schoonbv.example', groups: ['contractor'] },
  finance: { name: 'Fatima Financiën', email: 'fatima@woningcorporatie.example', groups: ['finance'] },
  admin: { name: 'Anton Beheer', email: 'anton@woningcorporatie.example', groups: ['admin'] },
  manager: { name: 'Marieke Manager', email: 'marieke@woningcorporatie.example', groups: ['manager', 'consultant'] },
};

const issuer = `http://${options.host}:${options.port}`;
const clientId = options['client-id'];

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: options['client-secret'],
      redirect_uris: options['redirect-uri'],
      post_logout_redirect_uris: options['post-logout-redirect-uri'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  claims: { openid: ['sub'], profile: ['name'], email: ['email'], groups: ['groups'] },
  scopes: ['openid', 'profile', 'email', 'groups'],
  async findAccount(_ctx, id) {
    const user = developmentUsers[id];
    if (!user) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, name: user.name, email: user.email, groups: user.groups }) };
  },
  // First-party application: the consent is implied (no "authorize" screen after the sign-in).
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile email groups');
    grant.addOIDCClaims(['name', 'email', 'groups']);
    await grant.save();
    return grant;
  },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  // The ID token carries the profile claims, so that the application needs no userinfo call.
  conformIdTokenClaims: false,
  ttl: { Session: 12 * 3600, Grant: 12 * 3600, IdToken: 3600, AccessToken: 3600, AuthorizationCode: 60, Interaction: 600 },
  cookies: { keys: ['development-cookie-key-change-me'] },
});

// Development only: quiet about its own warnings, but never about a failure to listen.
provider.on('server_error', (_ctx, error) => console.error(`oidc-dev-provider: ${error.message}`));
const server = provider.listen(Number(options.port), options.host, () => {
  console.log(`ready ${issuer}`);
});
server.on('error', (error) => {
  console.error(`oidc-dev-provider: cannot listen on ${options.host}:${options.port} (${error.code ?? error.message}); set OIDC_DEV_PORT to another port`);
  process.exit(1);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
