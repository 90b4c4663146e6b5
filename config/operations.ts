import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/**
 * The operations' settings (logs, metrics, tracing, and where `npm start` keeps its data; its ports are in scripts/start-settings.ts), read
 * with the rest of the environment by config/config.ts.
 */
export const operationsEnv = {
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters').optional(),
  WORKER_METRICS_PORT: port(9464),
  TEMPORAL_SDK_METRICS_PORT: port(9465),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  DATA_DIR: z.string().min(1).optional(),
};

type OperationsEnv = z.infer<z.ZodObject<typeof operationsEnv>>;

export interface OperationsConfig {
  logLevel: OperationsEnv['LOG_LEVEL'];
  /** JSON lines for machines; `pretty` one readable line each (the default of `npm start` in a terminal). */
  logFormat: 'json' | 'pretty' | undefined;
  /** When set, the API's /metrics asks for `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** The worker's own metrics (letters, activities), on HOST; 0: none. */
  workerMetricsPort: number;
  /** The Temporal SDK's metrics (task queues, polls, latencies) from the worker, on HOST; 0: none. */
  temporalSdkMetricsPort: number;
  /** Traces go to this OTLP/HTTP collector (`http://collector:4318`); unset: no tracing. */
  otlpEndpoint: string | undefined;
  serviceName: string | undefined;
  /** Where `npm start` keeps the dev server's database and the caught mail (`.data`). */
  dataDir: string | undefined;
}

export function operationsConfig(e: OperationsEnv): OperationsConfig {
  return {
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    metricsToken: e.METRICS_TOKEN,
    workerMetricsPort: e.WORKER_METRICS_PORT,
    temporalSdkMetricsPort: e.TEMPORAL_SDK_METRICS_PORT,
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    serviceName: e.OTEL_SERVICE_NAME,
    dataDir: e.DATA_DIR,
  };
}
