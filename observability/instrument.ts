/**
 * The entry points' first import (api/server.ts, worker/main.ts, scripts/start.ts): tracing must
 * start before `pg` and `http` are loaded, which is before the configuration is read, so this one
 * setting is read from the environment here (config/config.ts validates it with the rest).
 */
import { startTracing } from './tracing';

if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) startTracing();
