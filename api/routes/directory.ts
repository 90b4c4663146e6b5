import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contractorSchema, tenantSchema, upsertContractors, upsertTenants } from '../../db/directory';
import { diffContractors, diffTenants } from '../../db/directory-diff';
import type { ApiDeps } from '../deps';
import * as s from '../schemas';

/** A CSV upload arrives as rows of strings: empty cells are absent, lists are separated by ";". */
const fromCsv = {
  email: (v: unknown) => (v === '' ? null : v),
  list: (v: unknown) => (typeof v === 'string' ? v.split(';').map((x) => x.trim()).filter(Boolean) : v),
};

const tenantsBody = z.array(tenantSchema.extend({ email: z.preprocess(fromCsv.email, tenantSchema.shape.email) })).max(100_000);
const contractorsBody = z
  .array(
    contractorSchema.extend({
      categories: z.preprocess(fromCsv.list, contractorSchema.shape.categories),
      complexes: z.preprocess(fromCsv.list, contractorSchema.shape.complexes),
    }),
  )
  .max(10_000);

export function registerDirectoryRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['directory'];
  // Sized to the largest upload each allows: 100,000 tenants, 10,000 contractors.
  const MB = 1024 * 1024;

  routes.put(
    '/directory/tenants',
    {
      config: { access: { roles: ['admin'] } },
      bodyLimit: 32 * MB,
      schema: {
        operationId: 'upsertTenants',
        tags,
        summary: 'Bulk upsert of tenants by contract number: JSON array, or text/csv with a header row of the same field names',
        body: tenantsBody,
        response: { 200: s.directoryResultSchema, ...s.problemResponses },
      },
    },
    async (request) => {
      return { upserted: await upsertTenants(deps.db, request.body) };
    },
  );

  routes.put(
    '/directory/contractors',
    {
      config: { access: { roles: ['admin'] } },
      bodyLimit: 4 * MB,
      schema: {
        operationId: 'upsertContractors',
        tags,
        summary: 'Bulk upsert of contractors by id: JSON array, or text/csv (categories and complexes separated by ";")',
        body: contractorsBody,
        response: { 200: s.directoryResultSchema, ...s.problemResponses },
      },
    },
    async (request) => {
      return { upserted: await upsertContractors(deps.db, request.body) };
    },
  );

  // What an upload would change, before it is made (the workspace shows it before the admin confirms).
  const item = z.object({ key: z.string(), name: z.string() });
  const diffSchema = z.object({
    added: z.number().int(),
    changed: z.number().int(),
    unchanged: z.number().int(),
    notInUpload: z.number().int().describe('rows in the directory the upload does not name: an upload leaves them as they are'),
    addedItems: z.array(item).describe('at most 200'),
    changedItems: z.array(item.extend({ changes: z.array(z.object({ field: z.string(), old: z.string(), new: z.string() })) })).describe('at most 200, each field old -> new'),
    notInUploadItems: z.array(item).describe('at most 200'),
  });
  routes.post(
    '/directory/tenants/dry-run',
    {
      config: { access: { roles: ['admin'] } },
      bodyLimit: 32 * MB,
      schema: {
        operationId: 'previewTenants',
        tags,
        summary: 'What PUT /directory/tenants with this body would change, without changing anything',
        body: tenantsBody,
        response: { 200: diffSchema, ...s.problemResponses },
      },
    },
    async (request) => diffTenants(deps.db, request.body),
  );
  routes.post(
    '/directory/contractors/dry-run',
    {
      config: { access: { roles: ['admin'] } },
      bodyLimit: 4 * MB,
      schema: {
        operationId: 'previewContractors',
        tags,
        summary: 'What PUT /directory/contractors with this body would change, without changing anything',
        body: contractorsBody,
        response: { 200: diffSchema, ...s.problemResponses },
      },
    },
    async (request) => diffContractors(deps.db, request.body),
  );
}
