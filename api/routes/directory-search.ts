import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { searchDirectory } from '../../db/directory-search';
import type { ApiDeps } from '../deps';
import * as s from '../schemas';

const searchQuery = z.object({
  kind: z.enum(['complex', 'building', 'tenant']).describe('what to find'),
  q: z.string().trim().min(2).max(100).describe('what was typed: a part of the id, or of a name, street, postal code or contract number'),
  complexId: z.string().trim().min(1).max(100).optional().describe('only in this complex (buildings, tenants)'),
  buildingId: z.string().trim().min(1).max(100).optional().describe('only in this building (tenants)'),
  limit: z.coerce.number().int().min(1).max(20).default(10),
});

const suggestionSchema = z.object({
  value: z.string().describe('the complex id, building id or contract number'),
  label: z.string().describe('what a person recognises it by (address, households, name)'),
  complexId: z.string(),
  buildingId: z.string().nullable(),
});

/** The directory at hand while reporting: suggestions for a complex, building or tenant as a person types. */
export function registerDirectorySearchRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/directory/search',
    {
      config: { access: { roles: ['consultant', 'admin'] } },
      schema: {
        operationId: 'searchDirectory',
        tags: ['directory'],
        summary: 'Complexes, buildings or tenants matching what was typed (every word somewhere in id, name or address), at most `limit`',
        querystring: searchQuery,
        response: { 200: z.object({ suggestions: z.array(suggestionSchema) }), ...s.problemResponses },
      },
    },
    async (request, reply) => {
      const suggestions = await searchDirectory(deps.db, request.query);
      // Personal data (tenants' names and addresses): never kept by a browser's or a proxy's cache.
      void reply.header('cache-control', 'no-store');
      return { suggestions };
    },
  );
}
