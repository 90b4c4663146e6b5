import { basename, dirname } from 'node:path';
import type { Resource } from '@opentelemetry/resources';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ClientInterceptors } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';

/**
 * Tracing with OpenTelemetry, from an HTTP request through the workflow it starts (the Temporal
 * client's interceptor puts the trace into the workflow's headers), the workflow's run (its spans
 * made in the sandbox, handed out through a sink), its activities, to their SQL. On when
 * OTEL_EXPORTER_OTLP_ENDPOINT names a collector (OTLP over HTTP), otherwise off and free: the
 * OpenTelemetry packages are loaded only when tracing starts (they add seconds to a start).
 */
interface Tracing {
  provider: NodeTracerProvider;
  processor: SpanProcessor;
  resource: Resource;
}

let tracing: Tracing | null = null;

/** The process as traces name it: OTEL_SERVICE_NAME, else from the script it runs (polluter-pays-api, -worker). */
function serviceName(): string {
  if (process.env.OTEL_SERVICE_NAME) return process.env.OTEL_SERVICE_NAME;
  const script = process.argv[1] ?? '';
  const role = { api: 'api', worker: 'worker' }[basename(dirname(script))];
  return role ? `polluter-pays-${role}` : 'polluter-pays';
}

/**
 * Start tracing: before `pg` and `http` are first required, for their instrumentation to take
 * (observability/instrument.ts, the entry points' first import, does this).
 */
export function startTracing(given?: SpanProcessor): void {
  if (tracing) return;
  const { Resource } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { registerInstrumentations } = require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const processor = given ?? new BatchSpanProcessor(new OTLPTraceExporter());
  const resource = new Resource({ 'service.name': serviceName() });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      // Probes and scrapes every few seconds would drown the requests people make.
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => /^\/(metrics|healthz|readyz)(\?|$)/.test(request.url ?? '') }),
      new PgInstrumentation(),
    ],
  });
  tracing = { provider, processor, resource };
}

export const tracingEnabled = (): boolean => tracing !== null;

/** The Temporal client's interceptors: starts, Updates and queries as spans, the trace passed on in headers. */
export function tracingClientInterceptors(): ClientInterceptors | undefined {
  if (!tracing) return undefined;
  const { OpenTelemetryWorkflowClientInterceptor } = require('@temporalio/interceptors-opentelemetry') as typeof import('@temporalio/interceptors-opentelemetry');
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}

/** A worker's part: the workflows' interceptor module (bundled with them), the activities' interceptors and the workflows' span sink. */
export function workerTracing(): Required<Pick<WorkerOptions, 'interceptors' | 'sinks'>> | null {
  if (!tracing) return null;
  const { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor, makeWorkflowExporter } =
    require('@temporalio/interceptors-opentelemetry') as typeof import('@temporalio/interceptors-opentelemetry');
  return {
    interceptors: {
      workflowModules: [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')],
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.processor, tracing.resource) },
  };
}

/** Send what is still buffered, then stop (on shutdown). */
export async function stopTracing(): Promise<void> {
  await tracing?.provider.shutdown();
  tracing = null;
}
