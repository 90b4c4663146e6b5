import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { tenantDataExport } from '../../db/data-export';
import { eraseTenant } from '../../db/erasure';
import { latestRetentionRuns } from '../../db/retention';
import { subjectKeysOf } from '../../db/subject-keys';
import { renderTenantDataExport } from '../../web/data-export';
import { staffOf } from '../auth';
import type { ApiDeps } from '../deps';
import * as s from '../schemas';

const tags = ['privacy'];
const tenantParams = z.object({ tenantId: z.string().trim().min(1).max(100).describe('the contract number') });
const instant = z.string().describe('an ISO-8601 instant');

const erasureSchema = z.object({
  tenantId: z.string(),
  erasedAt: instant,
  incidentIds: z.array(z.string()).describe('incidents whose narrative (description, notes, reasons, photos) was removed'),
  keysDestroyed: z.number().int(),
  photosRemoved: z.number().int(),
  letterAddressesRemoved: z.number().int(),
  directoryRowRemoved: z.boolean(),
  billing: z
    .object({ invoicesKept: z.array(z.string()), keptUntil: z.string().nullable() })
    .describe("what billing keeps for the tax authority: these invoices' addressee (name and address), until keptUntil"),
});

const dataExportSchema = z.object({
  tenantId: z.string(),
  madeAt: instant,
  directory: z
    .object({ name: z.string(), email: z.string().nullable(), street: z.string(), houseNumber: z.string(), postalCode: z.string(), city: z.string(), complexId: z.string(), buildingId: z.string(), unit: z.string(), updatedAt: instant })
    .nullable(),
  billingAddressee: z.object({ name: z.string(), street: z.string(), houseNumber: z.string(), postalCode: z.string(), city: z.string(), keepUntil: z.string() }).nullable(),
  erasures: z.array(z.object({ erasedAt: instant, erasedBy: z.string() })),
  incidents: z.array(
    z.object({
      incidentId: z.string(),
      incidentNumber: z.string().nullable(),
      roles: z.array(z.enum(['polluter', 'complainant', 'named'])),
      category: z.string(),
      location: z.string(),
      status: z.string(),
      outcome: z.string().nullable(),
      reportedAt: instant,
      closedAt: instant.nullable(),
      events: z.array(z.object({ type: z.string(), data: z.record(z.string(), z.unknown()), actor: z.string().nullable(), recordedAt: instant })),
    }),
  ),
  letters: z.array(z.object({ letterId: z.string(), incidentId: z.string(), kind: z.string(), recordedAt: instant, channel: z.string().nullable(), address: z.string().nullable() })),
  invoices: z.array(
    z.object({
      invoiceNumber: z.string(),
      incidentId: z.string(),
      issueDate: z.string(),
      dueDate: z.string(),
      totalCents: z.number().int(),
      status: z.string(),
      openCents: z.number().int(),
      creditNoteNumber: z.string().nullable(),
      payments: z.array(z.object({ paidOn: z.string(), amountCents: z.number().int(), source: z.string(), reference: z.string().nullable() })),
    }),
  ),
  serviceCostShares: z.array(z.object({ incidentId: z.string(), amountCents: z.number().int(), recordedAt: instant })),
  offences: z.array(z.object({ incidentId: z.string(), offenceNumber: z.number().int(), severity: z.string(), recordedAt: instant })),
  photos: z.array(z.object({ photoId: z.string(), incidentId: z.string().nullable(), contentType: z.string(), byteSize: z.number().int(), uploadedAt: instant, uploadedBy: z.string() })),
});

const retentionRunSchema = z.object({
  runId: z.string(),
  ranAt: instant,
  narrativesRemoved: z.number().int(),
  photosRemoved: z.number().int(),
  offencesRemoved: z.number().int(),
  sessionsRemoved: z.number().int(),
  billingAddresseesRemoved: z.number().int(),
});

const retentionSchema = z.object({
  policy: z.object({
    narrativeMonthsAfterClose: z.number().int(),
    offenceMonths: z.number().int().describe('the repeat window plus its margin'),
    billingYears: z.number().int(),
  }),
  runs: z.array(retentionRunSchema).describe('the latest runs, newest first'),
});

/** The tenant's privacy rights (AVG): access (art. 15) and erasure (art. 17); the retention in force and its runs. */
export function registerPrivacyRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db, config } = deps;
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const keys = subjectKeysOf(db, config);

  routes.post(
    '/tenants/:tenantId/erasure',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        operationId: 'eraseTenant',
        tags,
        summary: "Erase a tenant's personal data: the directory row, the narrative of the incidents that name them, their photos and letter addresses; billing keeps the invoices' addressee for 7 years. Refused (409) while an incident or invoice of theirs is open",
        params: tenantParams,
        response: { 200: erasureSchema, ...s.problemResponses },
      },
    },
    async (request) =>
      eraseTenant(db, keys, { tenantId: request.params.tenantId, erasedBy: staffOf(request).actor, now: new Date(), billingRetentionYears: config.policy.retention.billingYears }),
  );

  routes.get(
    '/tenants/:tenantId/data-export',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        operationId: 'tenantDataExport',
        tags,
        summary: 'Everything held about one tenant (an access request), as JSON; /document gives the same as a readable Dutch document',
        params: tenantParams,
        response: { 200: dataExportSchema, ...s.problemResponses },
      },
    },
    async (request, reply) => {
      const data = await tenantDataExport(db, keys, request.params.tenantId, new Date());
      return reply.header('cache-control', 'no-store').send(data);
    },
  );

  routes.get(
    '/tenants/:tenantId/data-export/document',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        operationId: 'tenantDataExportDocument',
        tags,
        summary: 'Everything held about one tenant as a readable document (HTML in Dutch, printable to PDF), to hand over',
        params: tenantParams,
        produces: ['text/html'],
      },
    },
    async (request, reply) => {
      const data = await tenantDataExport(db, keys, request.params.tenantId, new Date());
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="gegevens-huurder-${request.params.tenantId.replace(/[^A-Za-z0-9._-]/g, '_')}.html"`)
        .send(renderTenantDataExport(data, config.corporationName));
    },
  );

  routes.get(
    '/retention',
    {
      config: { access: { roles: ['admin', 'manager'] } },
      schema: {
        operationId: 'getRetention',
        tags,
        summary: 'How long each kind of personal data is kept, and what the latest retention runs removed',
        response: { 200: retentionSchema, ...s.problemResponses },
      },
    },
    async () => {
      const { retention, repeatOffenceWindowMonths } = config.policy;
      return {
        policy: {
          narrativeMonthsAfterClose: retention.narrativeMonthsAfterClose,
          offenceMonths: repeatOffenceWindowMonths + retention.offenceMarginMonths,
          billingYears: retention.billingYears,
        },
        runs: await latestRetentionRuns(db),
      };
    },
  );
}
