import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { PolicyDuration } from '../../domain/duration';
import { categories, type CategoryPolicy } from '../../domain/policy';
import type { ApiDeps } from '../deps';
import * as s from '../schemas';

const durationSchema = z
  .object({ kind: z.enum(['workingDays', 'iso']), days: z.number().int().nullable().describe('working days'), iso: z.string().nullable().describe('an ISO-8601 duration') })
  .describe('working days, or an ISO-8601 duration');
const cents = z.number().int().describe('euro cents');

const categorySchema = z.object({
  category: z.enum(categories),
  handled: z.boolean().describe('false: the corporation does not take such complaints up'),
  noticePeriod: durationSchema.describe('the term the polluter gets to clean up'),
  reminderBefore: durationSchema.describe('the reminder, this long before the deadline'),
  acceptCleanupReportWithoutInspection: z.boolean(),
  fixedTariffCents: cents.nullable().describe("when set, the contractor's cost is replaced by this tariff"),
  administrationFeeCents: cents,
  vatCode: z.string(),
  paymentTermDays: z.number().int(),
  serviceCostsForUnknownPolluter: z.boolean(),
  duplicateWindow: durationSchema,
  collectionCostsApply: z.boolean(),
  statutoryInterest: z.boolean(),
  ledgerAccount: z.string(),
});

const policyResponse = z.object({
  categories: z.array(categorySchema),
  repeatOffenceWindowMonths: z.number().int(),
  tenancyEscalationFromOffence: z.number().int(),
  neighboursNoticeMinimumHouseholds: z.number().int(),
  tenantLinkValidityDays: z.number().int(),
  paymentReminderTermDays: z.number().int(),
  postDeliveryWorkingDays: z.number().int(),
  statutoryInterestRates: z.array(z.object({ from: z.string(), percent: z.number() })),
});

const duration = (d: PolicyDuration) => (d.kind === 'workingDays' ? { kind: d.kind, days: d.days, iso: null } : { kind: d.kind, days: null, iso: d.text });
const categoryOf = (category: (typeof categories)[number], c: CategoryPolicy) => ({
  category,
  ...c,
  noticePeriod: duration(c.noticePeriod),
  reminderBefore: duration(c.reminderBefore),
  duplicateWindow: duration(c.duplicateWindow),
});

/** The policy in force: what this server runs with (its policy file over the defaults). */
export function registerPolicyRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  routes.get(
    '/policy',
    {
      config: { access: { roles: ['admin', 'manager', 'consultant', 'finance'] } },
      schema: {
        operationId: 'getPolicy',
        tags: ['policy'],
        summary: 'The policy in force: per category the term, the reminder and the costs; the rules for repeat offences, neighbours and payment',
        response: { 200: policyResponse, ...s.problemResponses },
      },
    },
    async () => {
      const p = deps.config.policy;
      return {
        categories: categories.filter((c) => p.categories[c]).map((c) => categoryOf(c, p.categories[c]!)),
        repeatOffenceWindowMonths: p.repeatOffenceWindowMonths,
        tenancyEscalationFromOffence: p.tenancyEscalationFromOffence,
        neighboursNoticeMinimumHouseholds: p.neighboursNoticeMinimumHouseholds,
        tenantLinkValidityDays: p.tenantLinkValidityDays,
        paymentReminderTermDays: p.paymentReminderTermDays,
        postDeliveryWorkingDays: p.postDeliveryWorkingDays,
        statutoryInterestRates: p.statutoryInterestRates,
      };
    },
  );
}
