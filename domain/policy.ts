import { z } from 'zod';
import { categories, type Category } from './categories';
import type { PolicyDuration } from './duration';
import { policyDurationSchema } from './duration-schema';
import { dutchStatutoryInterestRates } from './collection-costs';

export { categories, categoryLabels, type Category } from './categories';
export const categorySchema = z.enum(categories);

const centsSchema = z.number().int().nonnegative();

export const categoryPolicySchema = z
  .object({
    /** false: the corporation does not take such complaints up; the complainant gets advice. */
    handled: z.boolean(),
    noticePeriod: policyDurationSchema,
    reminderBefore: policyDurationSchema,
    /** Accept the tenant's "it is clean" without a consultant inspection. */
    acceptCleanupReportWithoutInspection: z.boolean(),
    /** When set, the contractor's reported cost is replaced by this tariff. */
    fixedTariffCents: centsSchema.nullable(),
    administrationFeeCents: centsSchema,
    vatCode: z.string().min(1),
    paymentTermDays: z.number().int().positive(),
    /** Unknown polluter, corporation cleaned: charge the households that can use the space. */
    serviceCostsForUnknownPolluter: z.boolean(),
    /** A new report within this period on the same building and category is linked as a duplicate. */
    duplicateWindow: policyDurationSchema,
    /** Contractual claim: the statutory collection-cost scale applies after the 14-day letter (damages: it does not). */
    collectionCostsApply: z.boolean(),
    /** Statutory interest (art. 6:119 BW) from the due date, by the dated rate table. */
    statutoryInterest: z.boolean(),
    /** Ledger account of the recharge in finance's exports. */
    ledgerAccount: z.string().min(1),
  })
  .strict();
export type CategoryPolicy = z.infer<typeof categoryPolicySchema>;

export const retentionSchema = z
  .object({
    /** An incident's narrative (description, notes, reasons: its data key) and its photos, this long after it closed. */
    narrativeMonthsAfterClose: z.number().int().positive().max(120),
    /** An offence counts for the repeat window; its record is kept this much longer (a dispute about a later warning). */
    offenceMarginMonths: z.number().int().nonnegative().max(60),
    /** Billing records (the invoices' addressee after an erasure): the tax authority's 7 years (art. 52 AWR), after the year of the invoice. */
    billingYears: z.number().int().min(7, 'the tax authority requires at least 7 years').max(20),
  })
  .strict();
export type RetentionPolicy = z.infer<typeof retentionSchema>;

export const policySchema = z
  .object({
    categories: z.record(categorySchema, categoryPolicySchema),
    repeatOffenceWindowMonths: z.number().int().positive(),
    /** From this offence on, the case is flagged for tenancy escalation. */
    tenancyEscalationFromOffence: z.number().int().min(2),
    /** No neighbours' notice for groups smaller than this: it would point at one household. */
    neighboursNoticeMinimumHouseholds: z.number().int().min(2),
    /** How long a tenant's signed link stays valid after it is issued. */
    tenantLinkValidityDays: z.number().int().positive(),
    /** The free payment reminder asks for payment within this many days. */
    paymentReminderTermDays: z.number().int().positive(),
    /** A contractor's work order asks for the work within this many working days (absent in policies fixed before it was kept). */
    workOrderTermWorkingDays: z.number().int().positive().max(60).optional(),
    /** A letter by post counts as received this many working days after it is sent (e-mail: the same day). */
    postDeliveryWorkingDays: z.number().int().nonnegative(),
    /** Wettelijke rente, dated: each rate applies from its date until the next one. */
    statutoryInterestRates: z.array(z.object({ from: z.iso.date(), percent: z.number().nonnegative() })).min(1),
    collectionCostsLedgerAccount: z.string().min(1),
    serviceCostsLedgerAccount: z.string().min(1),
    /** Receivables (debiteuren) account that payments are booked against in finance's exports. */
    receivablesLedgerAccount: z.string().min(1),
    /**
     * What is owed back to tenants (a liability): the part of a credited invoice that was already
     * paid is moved here from the debtor in finance's exports (record type refund_due).
     */
    refundsLedgerAccount: z.string().min(1),
    /** Cost centre per complex in finance's exports; others get the default. */
    costCentres: z.record(z.string(), z.string().min(1)),
    defaultCostCentre: z.string().min(1),
    /** How long each kind of personal data is kept (db/retention.ts; README: Operations, Retention). */
    retention: retentionSchema,
  })
  .strict()
  .superRefine((policy, ctx) => {
    const vandalism = policy.categories.vandalism;
    if (vandalism?.serviceCostsForUnknownPolluter) {
      ctx.addIssue({
        code: 'custom',
        path: ['categories', 'vandalism', 'serviceCostsForUnknownPolluter'],
        message: 'vandalism is never charged to the service costs of the residents',
      });
    }
  });
export type Policy = z.infer<typeof policySchema>;

const workingDays = (days: number): PolicyDuration => ({ kind: 'workingDays', days });

/** VAT code of a recharge unless the policy says otherwise: outside the scope of VAT. */
export const DEFAULT_VAT_CODE = 'BTW-GEEN';

const handledDefaults = {
  handled: true,
  reminderBefore: workingDays(1),
  acceptCleanupReportWithoutInspection: false,
  fixedTariffCents: null,
  administrationFeeCents: 0,
  vatCode: DEFAULT_VAT_CODE,
  paymentTermDays: 14,
  serviceCostsForUnknownPolluter: false,
  duplicateWindow: workingDays(3),
  collectionCostsApply: true,
  statutoryInterest: false,
  ledgerAccount: '8410',
} satisfies Omit<CategoryPolicy, 'noticePeriod'>;

const notHandled: CategoryPolicy = { ...handledDefaults, handled: false, noticePeriod: workingDays(0) };

export const defaultPolicy: Policy = {
  categories: {
    fouled_stairwell: { ...handledDefaults, noticePeriod: workingDays(2) },
    bulk_waste: { ...handledDefaults, noticePeriod: workingDays(5) },
    neglected_garden: { ...handledDefaults, noticePeriod: workingDays(10) },
    vandalism: { ...handledDefaults, noticePeriod: workingDays(5) },
    living_noise: notHandled,
    children_playing: notHandled,
    parking: notHandled,
  },
  repeatOffenceWindowMonths: 12,
  tenancyEscalationFromOffence: 3,
  neighboursNoticeMinimumHouseholds: 4,
  tenantLinkValidityDays: 30,
  paymentReminderTermDays: 14,
  postDeliveryWorkingDays: 2,
  workOrderTermWorkingDays: 3,
  statutoryInterestRates: dutchStatutoryInterestRates.map((rate) => ({ ...rate })),
  collectionCostsLedgerAccount: '8430',
  serviceCostsLedgerAccount: '8420',
  receivablesLedgerAccount: '1300',
  refundsLedgerAccount: '1610',
  costCentres: {},
  defaultCostCentre: 'ALG',
  retention: { narrativeMonthsAfterClose: 12, offenceMarginMonths: 6, billingYears: 7 },
};

/** A policy file overrides the defaults field by field, per category. */
const policyOverrideSchema = z
  .object({
    categories: z.partialRecord(categorySchema, z.record(z.string(), z.unknown())).optional(),
    repeatOffenceWindowMonths: z.unknown().optional(),
    tenancyEscalationFromOffence: z.unknown().optional(),
    neighboursNoticeMinimumHouseholds: z.unknown().optional(),
    tenantLinkValidityDays: z.unknown().optional(),
    paymentReminderTermDays: z.unknown().optional(),
    postDeliveryWorkingDays: z.unknown().optional(),
    workOrderTermWorkingDays: z.unknown().optional(),
    statutoryInterestRates: z.unknown().optional(),
    collectionCostsLedgerAccount: z.unknown().optional(),
    serviceCostsLedgerAccount: z.unknown().optional(),
    receivablesLedgerAccount: z.unknown().optional(),
    refundsLedgerAccount: z.unknown().optional(),
    costCentres: z.unknown().optional(),
    defaultCostCentre: z.unknown().optional(),
    /** Field by field over the defaults. */
    retention: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** A policy as JSON (durations as working days or ISO-8601 text), before parsing. */
function toJson(policy: Policy): Record<string, unknown> {
  const duration = (d: PolicyDuration) => (d.kind === 'workingDays' ? d.days : d.text);
  return {
    ...policy,
    categories: Object.fromEntries(
      Object.entries(policy.categories).map(([name, c]) => [
        name,
        { ...c, noticePeriod: duration(c.noticePeriod), reminderBefore: duration(c.reminderBefore), duplicateWindow: duration(c.duplicateWindow) },
      ]),
    ),
  };
}

export class PolicyError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid policy:\n  ${issues.join('\n  ')}`);
    this.name = 'PolicyError';
  }
}

/** Merge a policy file's overrides into the defaults and validate the result. */
export function resolvePolicy(overrides: unknown = {}): Policy {
  const parsedOverrides = policyOverrideSchema.safeParse(overrides);
  if (!parsedOverrides.success) throw new PolicyError(formatIssues(parsedOverrides.error));
  const base = toJson(defaultPolicy);
  const baseCategories = base.categories as Record<string, Record<string, unknown>>;
  const { categories: categoryOverrides = {}, retention: retentionOverrides = {}, ...rest } = parsedOverrides.data;
  const merged = {
    ...base,
    ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
    retention: { ...(base.retention as Record<string, unknown>), ...retentionOverrides },
    categories: Object.fromEntries(
      Object.entries(baseCategories).map(([name, c]) => [name, { ...c, ...(categoryOverrides[name as Category] ?? {}) }]),
    ),
  };
  const parsed = policySchema.safeParse(merged);
  if (!parsed.success) throw new PolicyError(formatIssues(parsed.error));
  return parsed.data;
}

function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

export function categoryPolicy(policy: Policy, category: Category): CategoryPolicy {
  const found = policy.categories[category];
  if (!found) throw new Error(`no policy for category ${category}`);
  return found;
}

/** What one incident's process needs of the policy: its category's rules and the general ones, fixed when it starts. */
export type IncidentPolicy = CategoryPolicy & Omit<Policy, 'categories' | 'retention'>;

export function incidentPolicy(policy: Policy, category: Category): IncidentPolicy {
  const { categories: _categories, retention: _retention, ...general } = policy;
  return { ...categoryPolicy(policy, category), ...general };
}
