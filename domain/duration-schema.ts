/**
 * A policy duration as the policy file writes it (zod): apart from domain/duration.ts, which the
 * workflows import, so that the workflow bundle holds no zod (every module a workflow imports is
 * evaluated again for each workflow a worker starts or replays).
 */
import { z } from 'zod';
import { MAX_POLICY_DAYS, parseIsoDuration, type PolicyDuration } from './duration';

const POLICY_DURATION_MESSAGE = 'expected a whole number of working days or an ISO-8601 duration such as PT30S';

export const policyDurationSchema = z
  .union([z.number(), z.string()], { error: POLICY_DURATION_MESSAGE })
  .transform((value, ctx): PolicyDuration => {
    if (typeof value === 'number') {
      if (Number.isSafeInteger(value) && value >= 0 && value <= MAX_POLICY_DAYS) return { kind: 'workingDays', days: value };
      ctx.addIssue({ code: 'custom', message: `${POLICY_DURATION_MESSAGE} (at most ${MAX_POLICY_DAYS} working days), got ${value}` });
      return z.NEVER;
    }
    try {
      return { kind: 'iso', ms: parseIsoDuration(value), text: value };
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `${POLICY_DURATION_MESSAGE} (${(error as Error).message})` });
      return z.NEVER;
    }
  });

