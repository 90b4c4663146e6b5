import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { serializerCompiler, validatorCompiler, jsonSchemaTransform, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Db } from '../db/connection';
import type { Config } from '../worker/config';
import { registerProblemHandlers, badRequest } from './problems';
import { authenticate } from './auth';
import { registerIncidentRoutes } from './routes/incidents';
import { registerDirectoryRoutes } from './routes/directory';
import { registerLetterRoutes } from './routes/letters';
import { registerTenantLinkPage } from './routes/tenant-link';
import { registerInvoiceRoutes } from './routes/invoices';
import { registerReportRoutes } from './routes/reports';
import { registerBillingRoutes } from './routes/billing';

export interface ApiDeps {
  db: Db;
  temporal: Client;
  config: Pick<Config, 'apiKeys' | 'linkSecret' | 'policy' | 'publicUrl' | 'corporationName' | 'corporationIban' | 'corporationAddress' | 'temporal'>;
}

export async function buildApp(deps: ApiDeps, options: { logger?: boolean } = {}): Promise<FastifyInstance> {
  // maxParamLength: a tenant link's token (/links/:token) is longer than Fastify's default of 100
  // characters, which would answer every link in every letter with 414.
  const app = Fastify({ logger: options.logger ?? false, routerOptions: { maxParamLength: 1000 } });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandlers(app);
  app.addHook('onRequest', async (request) => authenticate(request, deps.config));

  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'string', bodyLimit: 50 * 1024 * 1024 }, (_request, body, done) => done(null, body));
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string', bodyLimit: 50 * 1024 * 1024 }, (_request, body, done) => {
    try {
      done(null, parseCsv(body as string, { columns: true, skip_empty_lines: true, trim: true, bom: true }));
    } catch (error) {
      done(badRequest(`the CSV cannot be read: ${error instanceof Error ? error.message : String(error)}`), undefined);
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
    { schema: { operationId: 'health', tags: ['operations'], security: [], response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );
  routes.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerIncidentRoutes(app, deps);
  registerDirectoryRoutes(app, deps);
  registerLetterRoutes(app, deps);
  registerTenantLinkPage(app, deps);
  registerInvoiceRoutes(app, deps);
  registerReportRoutes(app, deps);
  registerBillingRoutes(app, deps);
  await app.ready();
  return app;
}
