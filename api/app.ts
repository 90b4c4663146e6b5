import { registerPhotoRoutes } from './routes/photos';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { serializerCompiler, validatorCompiler, jsonSchemaTransform, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { ApiDeps } from './deps';
import { registerProblemHandlers, badRequest } from './problems';
import { registerAccessControl } from './auth';
import { parseCsvBody, CsvBodyError } from './csv-body';
import { registerSecurity } from './security';
import { refuseUnstorableText } from './storable-text';
import { registerIncidentRoutes } from './routes/incidents';
import { registerRoundRoutes } from './routes/rounds';
import { registerDirectoryRoutes } from './routes/directory';
import { registerDirectorySearchRoutes } from './routes/directory-search';
import { registerWorkOrderRoutes } from './routes/work-orders';
import { registerLetterRoutes } from './routes/letters';
import { registerLetterCopyRoutes } from './routes/letter-copies';
import { registerLetterPostingRoutes } from './routes/letter-posting';
import { registerTenantLinkPage } from '../web/pages/tenant-link';
import { registerInvoiceRoutes } from './routes/invoices';
import { registerInvoiceListRoutes } from './routes/invoice-list';
import { registerReportRoutes } from './routes/reports';
import { registerBillingRoutes } from './routes/billing';
import { registerReviewRoutes } from './routes/reviews';
import { registerPolicyRoutes } from './routes/policy';
import { registerCodecRoutes } from './routes/codec';
import { registerPrivacyRoutes } from './routes/privacy';
import { registerWorkspace, workspaceProblemPage } from '../web';
import { isReady, readiness, smtpCheck } from '../observability/readiness';
import { registerMetricsRoute } from '../observability/api-metrics-route';
import type { Logger } from '../observability/logger';


export interface AppOptions {
  /** The process's pino logger (every request's lines carry its reqId); none by default (tests). */
  logger?: Logger;
  /** When set, GET /metrics asks for `Authorization: Bearer <token>`. */
  metricsToken?: string;
}

export async function buildApp(deps: ApiDeps, options: AppOptions = {}): Promise<FastifyInstance> {
  // maxParamLength: a tenant link's token (/links/:token) is longer than Fastify's default of 100
  // characters, which would answer every link in every letter with 414.
  // bodyLimit: what an action needs; the uploads (directory, payments, bank statements) set their own.
  const app = Fastify({ ...(options.logger ? { loggerInstance: options.logger as FastifyBaseLogger } : { logger: false }), bodyLimit: 64 * 1024, routerOptions: { maxParamLength: 1000 } });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandlers(app, (request, reply, problem) => workspaceProblemPage(request, reply, problem, deps.config.corporationName));
  await registerSecurity(app, deps.config);
  await app.register(cookie, { secret: deps.config.sessionSecret ?? randomBytes(32).toString('base64url') });
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  // Workspace forms with a file (a photo, a bank statement, the directory): fields and files on the
  // body (a field as { value }, a file with toBuffer()); each route sets its own bodyLimit.
  await app.register(multipart, { attachFieldsToBody: true, limits: { fileSize: 32 * 1024 * 1024, files: 4, fields: 50 } });
  registerAccessControl(app, deps.config, deps.db);
  refuseUnstorableText(app);

  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseCsvBody(body as string));
    } catch (error) {
      if (error instanceof CsvBodyError) done(badRequest(error.message, [{ path: error.line === null ? 'body' : `line ${error.line}`, message: error.message }]), undefined);
      else done(error as Error, undefined);
    }
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'polluter-pays',
        version: '0.1.0',
        description: 'De vervuiler betaalt: incidents in shared spaces handed back to the tenant who caused them.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'an API key mapped to a role (consultant, finance, admin, contractor)' },
          tenantLink: { type: 'apiKey', in: 'query', name: 'token', description: "the signed link from the tenant's letter" },
        },
      },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });

  const routes = app.withTypeProvider<ZodTypeProvider>();
  routes.get(
    '/healthz',
    { config: { access: 'public' }, schema: { operationId: 'health', tags: ['operations'], security: [], response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );
  const check = z.string().describe('ok, or what is wrong');
  const checks = z.object({ database: check, temporal: check, smtp: check.optional().describe('the SMTP relay, where the API is told of one (SMTP_URL)') });
  const smtp = deps.config.smtpUrl ? smtpCheck(deps.config.smtpUrl) : undefined;
  const ready = () => readiness({ db: deps.db, temporal: deps.temporal, smtp });
  registerMetricsRoute(app, { db: deps.db, readiness: ready, token: options.metricsToken });
  routes.get(
    '/readyz',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'readiness',
        tags: ['operations'],
        security: [],
        summary: 'Whether this API can serve: PostgreSQL, Temporal and the SMTP relay answer within 2 s (503 naming what is wrong when not)',
        response: {
          200: z.object({ status: z.literal('ready'), checks }),
          503: z.object({ status: z.literal('unavailable'), reason: z.string().describe('what is wrong, one check after another'), checks }),
        },
      },
    },
    async (_request, reply) => {
      const answers = await ready();
      if (isReady(answers)) return reply.status(200).send({ status: 'ready' as const, checks: answers });
      const reason = Object.entries(answers).filter(([, answer]) => answer !== 'ok').map(([name, answer]) => `${name}: ${answer}`).join('; ');
      return reply.status(503).send({ status: 'unavailable' as const, reason, checks: answers });
    },
  );
  routes.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  const { reportIncident } = registerIncidentRoutes(app, deps);
  registerRoundRoutes(app, deps, reportIncident);
  registerDirectoryRoutes(app, deps);
  registerDirectorySearchRoutes(app, deps);
  registerWorkOrderRoutes(app, deps);
  registerLetterRoutes(app, deps);
  registerLetterCopyRoutes(app, deps);
  registerLetterPostingRoutes(app, deps);
  registerTenantLinkPage(app, deps);
  registerInvoiceRoutes(app, deps);
  registerInvoiceListRoutes(app, deps);
  registerReportRoutes(app, deps);
  registerPhotoRoutes(app, deps);
  registerBillingRoutes(app, deps);
  registerReviewRoutes(app, deps);
  registerPolicyRoutes(app, deps);
  registerCodecRoutes(app, deps);
  registerPrivacyRoutes(app, deps);
  registerWorkspace(app, { db: deps.db, oidc: deps.config.oidc, publicUrl: deps.config.publicUrl, corporationName: deps.config.corporationName });
  await app.ready();
  return app;
}
