import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { z } from 'zod';
import { resolvePolicy, PolicyError, type Policy } from '../domain/policy';

export const roles = ['consultant', 'finance', 'admin', 'contractor'] as const;
export type Role = (typeof roles)[number];

const developmentApiKeys = 'consultant:dev-consultant,finance:dev-finance,admin:dev-admin,contractor:dev-contractor';
const developmentLinkSecret = 'development-link-secret-change-me';

const apiKeysSchema = z
  .string()
  .transform((text, ctx) => {
    const keys = new Map<string, Role>();
    for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
      const [role, key] = pair.split(':');
      if (!role || !key || !(roles as readonly string[]).includes(role)) {
        ctx.addIssue({ code: 'custom', message: `"${pair}" is not role:key with a role of ${roles.join(', ')}` });
        return z.NEVER;
      }
      if (key.length < 8) {
        ctx.addIssue({ code: 'custom', message: `the key for ${role} is shorter than 8 characters` });
        return z.NEVER;
      }
      keys.set(key, role as Role);
    }
    if (keys.size === 0) ctx.addIssue({ code: 'custom', message: 'no keys' });
    return keys;
  });

/** The machine's own PostgreSQL, as the user running this (trust or peer authentication in development). */
export function defaultDatabaseUrl(database: string): string {
  const user = process.env.PGUSER ?? process.env.USER ?? userInfo().username;
  return `postgresql://${encodeURIComponent(user)}@127.0.0.1:5432/${database}`;
}

const envSchema = z.object({
  NODE_ENV: z.string().default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.url().default(() => defaultDatabaseUrl('polluter_pays')),
  TEMPORAL_ADDRESS: z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port').optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('polluter-pays'),
  TEMPORAL_TLS_CERT: z.string().optional(),
  TEMPORAL_TLS_KEY: z.string().optional(),
  TEMPORAL_API_KEY: z.string().optional(),
  SMTP_URL: z.url().optional(),
  MAIL_FROM: z.string().min(3).default('Woningcorporatie <geen-antwoord@polluter-pays.local>'),
  CORPORATION_NAME: z.string().min(1).default('Woningcorporatie'),
  CORPORATION_IBAN: z
    .string()
    .regex(/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/, 'expected an IBAN without spaces, such as NL91ABNA0417164300')
    .default('NL91ABNA0417164300'),
  CORPORATION_ADDRESS: z.string().default('Postbus 1, 3500 AA Utrecht'),
  API_KEYS: apiKeysSchema.optional(),
  LINK_SECRET: z.string().min(16, 'LINK_SECRET must be at least 16 characters').optional(),
  POLICY_FILE: z.string().optional(),
  TENANT_LINK_RATE_LIMIT: z
    .string()
    .default('30/m')
    .transform((text, ctx) => {
      const match = /^([1-9]\d*)\/([1-9]\d*)?([smh])$/.exec(text.trim());
      if (!match) {
        ctx.addIssue({ code: 'custom', message: 'expected requests per window, such as 30/m, 100/10m or 5/30s' });
        return z.NEVER;
      }
      const unitMs = { s: 1_000, m: 60_000, h: 3_600_000 }[match[3] as 's' | 'm' | 'h'];
      return { max: Number(match[1]), windowMs: Number(match[2] ?? 1) * unitMs };
    }),
});

export interface Config {
  production: boolean;
  port: number;
  /** The interface the API listens on: loopback unless a deployment says otherwise (0.0.0.0 in a container). */
  host: string;
  publicUrl: string;
  databaseUrl: string;
  temporal: {
    address: string | undefined;
    namespace: string;
    taskQueue: string;
    tls: { certPath: string; keyPath: string } | undefined;
    apiKey: string | undefined;
  };
  smtpUrl: string | undefined;
  mailFrom: string;
  corporationName: string;
  corporationIban: string;
  corporationAddress: string;
  apiKeys: Map<string, Role>;
  linkSecret: string;
  policy: Policy;
  /** Requests a client address may make on the tenant-link routes per window (api/security.ts). */
  tenantLinkRateLimit: { max: number; windowMs: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Read and validate the environment once, at start-up: every bad value is named. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const problems: string[] = [];
  if (production && !e.API_KEYS) problems.push('API_KEYS: required in production (role:key,role:key)');
  if (production && !e.LINK_SECRET) problems.push('LINK_SECRET: required in production');
  if ((e.TEMPORAL_TLS_CERT === undefined) !== (e.TEMPORAL_TLS_KEY === undefined)) {
    problems.push('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: set both or neither');
  }
  let policy: Policy | undefined;
  try {
    policy = resolvePolicy(e.POLICY_FILE ? JSON.parse(readFileSync(e.POLICY_FILE, 'utf8')) : {});
  } catch (error) {
    if (error instanceof PolicyError) problems.push(...error.issues.map((i) => `POLICY_FILE ${i}`));
    else problems.push(`POLICY_FILE: cannot read ${e.POLICY_FILE}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (problems.length > 0 || !policy) throw new ConfigError(problems);
  return {
    production,
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    databaseUrl: e.DATABASE_URL,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      tls: e.TEMPORAL_TLS_CERT && e.TEMPORAL_TLS_KEY ? { certPath: e.TEMPORAL_TLS_CERT, keyPath: e.TEMPORAL_TLS_KEY } : undefined,
      apiKey: e.TEMPORAL_API_KEY,
    },
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    corporationName: e.CORPORATION_NAME,
    corporationIban: e.CORPORATION_IBAN,
    corporationAddress: e.CORPORATION_ADDRESS,
    apiKeys: e.API_KEYS ?? apiKeysSchema.parse(developmentApiKeys),
    linkSecret: e.LINK_SECRET ?? developmentLinkSecret,
    policy,
    tenantLinkRateLimit: e.TENANT_LINK_RATE_LIMIT,
  };
}
