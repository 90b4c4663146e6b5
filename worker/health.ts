import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { Worker } from '@temporalio/worker';

/** WORKER_HEALTH_PORT: where a standalone worker answers its health check; unset, it opens no port. */
export function workerHealthPort(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const parsed = z.coerce.number().int().min(0).max(65535).optional().safeParse(env.WORKER_HEALTH_PORT || undefined);
  if (!parsed.success) throw new Error(`WORKER_HEALTH_PORT: expected a port number, got ${env.WORKER_HEALTH_PORT}`);
  return parsed.data;
}

/**
 * GET /healthz: 200 while the worker runs (polls its task queue), 503 once it stops or fails, so
 * that the container's HEALTHCHECK (scripts/healthcheck.ts) sees a worker that is stuck shutting down.
 */
export async function startWorkerHealth(worker: Pick<Worker, 'getState'>, port: number, host = '0.0.0.0'): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const state = worker.getState();
    const running = state === 'RUNNING';
    response.writeHead(request.url === '/healthz' ? (running ? 200 : 503) : 404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status: running ? 'ok' : 'unavailable', worker: state }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
