import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contractorsByEmail, openWorkOrders, workOrderOf, type ContractorRef } from '../../db/work-orders';
import { subjectKeysOf } from '../../db/subject-keys';
import type { Db } from '../../db/connection';
import { categoryPolicy, type Category } from '../../domain/policy';
import type { StaffCaller } from '../auth';
import { staffOf } from '../auth';
import { badRequest, forbidden, notFound } from '../problems';
import type { ApiDeps } from '../deps';
import * as s from '../schemas';

/**
 * The contractors a caller acts for. A person signed in with the contractor role is linked to their
 * company by e-mail: the identity provider's e-mail claim equals the contractor's e-mail in the
 * directory. An integration's contractor key acts for any contractor (it names one per call).
 */
export async function contractorsOfCaller(db: Db, caller: StaffCaller): Promise<ContractorRef[] | 'any'> {
  if (caller.kind === 'key') return 'any';
  return contractorsByEmail(db, caller.person.email);
}

const notLinked = (email: string | null) =>
  forbidden(
    email
      ? `your e-mail address ${email} is not that of a contractor in the directory`
      : 'your account has no e-mail address, so it cannot be linked to a contractor in the directory',
  );

const workOrderSchema = z.object({
  incidentId: z.string(),
  incidentNumber: z.string().nullable(),
  workOrderNumber: z.string(),
  contractorId: z.string(),
  category: z.string(),
  complexId: z.string(),
  buildingId: z.string(),
  location: z.string(),
  description: z.string(),
  photoIds: z.array(z.string()).describe('photos taken with the report (GET /photos/:photoId)'),
  address: z.object({ streets: z.string(), postalCode: z.string(), city: z.string() }).nullable().describe("the building's addresses, from the directory"),
  orderedAt: z.string(),
  dueDate: z.string().describe('the day by which the work is expected (Europe/Amsterdam)'),
  status: z.enum(['open', 'closed']),
  phase: z.string().describe('cleanup_ordered while open; later phases once completed'),
  costCents: z.number().int().nullable(),
  fixedTariffCents: z.number().int().nullable().describe("the category's fixed tariff: when set, it is charged whatever cost is reported"),
});

const contractorSchema = z.object({ contractorId: z.string(), name: z.string() });

export function registerWorkOrderRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db, config } = deps;
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['work orders'];
  // The report's description, as the contractor reads it (sealed in the events: domain/sealed.ts).
  const keys = subjectKeysOf(db, config);
  const withTariff = <T extends { category: string }>(order: T) => ({
    ...order,
    fixedTariffCents: categoryPolicy(config.policy, order.category as Category).fixedTariffCents,
  });

  /** Whose orders: a person's own company (or companies); a key names the contractor. */
  async function whose(caller: StaffCaller, named: string | undefined): Promise<ContractorRef[] | string[]> {
    const mine = await contractorsOfCaller(db, caller);
    if (mine === 'any') {
      if (!named) throw badRequest('name the contractor: ?contractorId=', [{ path: 'query.contractorId', message: 'required with an API key' }]);
      return [named];
    }
    if (mine.length === 0) throw notLinked(caller.kind === 'person' ? caller.person.email : null);
    if (named && !mine.some((c) => c.contractorId === named)) throw forbidden('you can only see the work orders of your own company');
    return named ? mine.filter((c) => c.contractorId === named) : mine;
  }
  const idsOf = (refs: ContractorRef[] | string[]) => refs.map((r) => (typeof r === 'string' ? r : r.contractorId));

  routes.get(
    '/work-orders',
    {
      config: { access: { roles: ['contractor'] } },
      schema: {
        operationId: 'listWorkOrders',
        tags,
        summary: "A contractor's open work orders (cleanup ordered, not completed), the oldest first",
        querystring: z.object({
          contractorId: z.string().trim().min(1).max(100).optional().describe('required with an API key; a signed-in person sees their own company'),
          limit: z.coerce.number().int().min(1).max(100).default(50),
          offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
        }),
        response: { 200: z.object({ contractors: z.array(contractorSchema), workOrders: z.array(workOrderSchema), total: z.number().int() }), ...s.problemResponses },
      },
    },
    async (request) => {
      const refs = await whose(staffOf(request), request.query.contractorId);
      const { workOrders, total } = await openWorkOrders(db, idsOf(refs), request.query).then((found) => keys.reveal(found));
      const contractors = refs.map((r) => (typeof r === 'string' ? { contractorId: r, name: r } : r));
      return { contractors, workOrders: workOrders.map(withTariff), total };
    },
  );

  routes.get(
    '/work-orders/:id',
    {
      config: { access: { roles: ['contractor'] } },
      schema: {
        operationId: 'getWorkOrder',
        tags,
        summary: 'One work order of the contractor (open, or completed)',
        params: s.incidentParams,
        querystring: z.object({ contractorId: z.string().trim().min(1).max(100).optional() }),
        response: { 200: workOrderSchema, ...s.problemResponses },
      },
    },
    async (request) => {
      const refs = await whose(staffOf(request), request.query.contractorId);
      const order = await keys.reveal(await workOrderOf(db, idsOf(refs), request.params.id));
      // Another company's order is as unknown as one that does not exist.
      if (!order) throw notFound(`no work order for incident ${request.params.id}`);
      return withTariff(order);
    },
  );
}

/**
 * A completion by a signed-in contractor: only for an order of their own company, reported as
 * that company. An integration's key acts for the contractor it names (the domain checks that the
 * order went to them).
 */
export async function requireOwnWorkOrder(db: Db, caller: StaffCaller, incidentId: string, contractorId: string): Promise<void> {
  const mine = await contractorsOfCaller(db, caller);
  if (mine === 'any') return;
  if (mine.length === 0) throw notLinked(caller.kind === 'person' ? caller.person.email : null);
  if (!mine.some((c) => c.contractorId === contractorId)) throw forbidden('you can only report work for your own company');
  const order = await db.selectFrom('incidents').select('contractor_id').where('incident_id', '=', incidentId).executeTakeFirst();
  if (order?.contractor_id && !mine.some((c) => c.contractorId === order.contractor_id)) throw forbidden('this work order is not for your company');
}
