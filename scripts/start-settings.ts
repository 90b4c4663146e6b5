import { z } from 'zod';
import { ConfigError } from '../config/config';

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

/** The ports of what `npm start` runs beside the API (whose port is PORT) when nothing is configured instead. */
const startSettingsSchema = z.object({
  /** The Temporal dev server's gRPC port, when TEMPORAL_ADDRESS is unset. */
  TEMPORAL_DEV_PORT: port(7233),
  /** Its web UI. */
  TEMPORAL_UI_PORT: port(8233),
  /** The SMTP port of the mail catcher, when SMTP_URL is unset. */
  MAIL_CATCHER_PORT: port(1025),
  /** The embedded PostgreSQL, when DATABASE_URL is unset and nothing answers on 127.0.0.1:5432. */
  EMBEDDED_PG_PORT: port(5433),
});

export type StartSettings = z.infer<typeof startSettingsSchema>;

export function loadStartSettings(env: NodeJS.ProcessEnv = process.env): StartSettings {
  const parsed = startSettingsSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  return parsed.data;
}
