import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { trace } from '@opentelemetry/api';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** The process: `api`, `worker`, `start`. */
  name: string;
  level?: string;
  /** JSON lines (default), or one readable line each for a person at a terminal. */
  format?: 'json' | 'pretty';
  /** Where the lines go (stdout). */
  destination?: NodeJS.WritableStream;
}

/** One logger per process: JSON lines on stdout, each with the process's name, time and level. */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stdout;
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // With tracing on, a line written while a span is active names its trace: from a log line to the trace.
      mixin: () => {
        const span = trace.getActiveSpan();
        return span ? { traceId: span.spanContext().traceId } : {};
      },
      // A person's secrets never reach a log: keys, cookies, a tenant's link token.
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'], censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err, req: requestWithoutToken },
    },
    options.format === 'pretty' ? prettyLines(destination) : destination,
  );
}

/** A request as pino logs it, with a tenant link's `?token=` left out of the URL. */
function requestWithoutToken(request: { method?: string; url?: string; id?: unknown; ip?: string }) {
  return { method: request.method, url: request.url?.replace(/([?&]token=)[^&]*/g, '$1[redacted]'), id: request.id, remoteAddress: request.ip };
}

/** `12:00:01.234 INFO  api  request completed  reqId=req-1 ...`: the JSON line, readable. */
function prettyLines(destination: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        try {
          const { time, level, name, msg, pid: _pid, hostname: _hostname, ...rest } = JSON.parse(line) as Record<string, unknown>;
          const fields = Object.entries(rest).map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
          destination.write(`${String(time).slice(11, 23)} ${String(level).toUpperCase().padEnd(5)} ${String(name)}  ${String(msg ?? '')}${fields.length ? `  ${fields.join(' ')}` : ''}\n`);
        } catch {
          destination.write(`${line}\n`);
        }
      }
      done();
    },
  });
}

const temporalLevels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/**
 * The Temporal SDK's logger (Runtime.install) writing to pino: the SDK's own lines, and the
 * workflows' and activities' `log`, which carry workflowId, runId, activityId and attempt as fields.
 */
export function temporalLogger(logger: Logger): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => {
    const { error, ...fields } = (meta ?? {}) as LogMetadata & { error?: unknown };
    logger[temporalLevels[level]]({ ...fields, ...(error !== undefined ? { err: error } : {}) }, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
