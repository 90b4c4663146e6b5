import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

/**
 * How long a request waits for Temporal: an Update waits for a worker to run it, and with no worker
 * (or no Temporal) it would wait without end. Past this the API answers 503 with Retry-After; a retry
 * with the same Idempotency-Key gets the first attempt's result, should that attempt have been applied.
 */
export const TEMPORAL_WAIT_MS = 10_000;

export function withinTemporalLimit<T>(temporal: Client, call: () => Promise<T>): Promise<T> {
  return temporal.connection.withDeadline(Date.now() + TEMPORAL_WAIT_MS, call);
}

export const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('any unique string per action: a retry with the same key is applied once and answers as the first attempt did'),
});

/** The Update's id: the same action retried with the same key is the same Update, which Temporal applies once. */
export function updateIdOf(request: FastifyRequest, operation: string, workflowId: string): string | undefined {
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string' || key === '') return undefined;
  return updateIdFor(key, operation, workflowId);
}

/** The Update's id for an operation on a workflow under an idempotency key. */
export function updateIdFor(key: string, operation: string, workflowId: string): string {
  return createHash('sha256').update(`${operation}\n${workflowId}\n${key}`).digest('hex');
}

export function executeUpdate<Ret, Args>(
  temporal: Client,
  workflowId: string,
  definition: UpdateDefinition<Ret, [Args]>,
  args: Args,
  updateId?: string,
): Promise<Ret> {
  return withinTemporalLimit(temporal, () => temporal.workflow.getHandle(workflowId).executeUpdate(definition, { args: [args], ...(updateId ? { updateId } : {}) }));
}
