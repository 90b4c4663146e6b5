import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { z } from 'zod';
import { resolvePolicy, PolicyError, type Policy } from '../domain/policy';
import type { Corporation } from '../documents/corporation';
import { defaultCorporationContact, developmentSubjectKeysMasterKey, placeholderCorporationName, placeholderIban, placeholderMailFrom } from './placeholders';
export { developmentSubjectKeysMasterKey } from './placeholders';
import { productionProblems } from './production';
import { operationsEnv, operationsConfig, type OperationsConfig } from './operations';
import { developmentPayloadEncryption, isDevelopmentKey, payloadKeysSchema, type PayloadEncryption } from './payload-codec';

export const roles = ['consultant', 'finance', 'admin', 'contractor', 'manager'] as const;
export type Role = (typeof roles)[number];

const developmentApiKeys = 'consultant:dev-consultant,finance:dev-finance,admin:dev-admin,contractor:dev-contractor,manager:dev-manager';
const developmentLinkSecret = 'development-link-secret-change-me';
const developmentSessionSecret = 'development-session-secret-change-me-0123456789';
const developmentOidcClientSecret = 'development-client-secret-change-me';

/** `group:role,group:role`: which of the identity provider's groups gives which role. */
const roleMapSchema = z.string().transform((text, ctx) => {
  const map = new Map<string, Role>();
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const at = pair.lastIndexOf(':');
    const group = pair.slice(0, at).trim();
    const role = pair.slice(at + 1).trim();
    if (at <= 0 || !(roles as readonly string[]).includes(role)) {
      ctx.addIssue({ code: 'custom', message: `"${pair}" is not group:role with a role of ${roles.join(', ')}` });
      return z.NEVER;
    }
    map.set(group, role as Role);
  }
  return map;
});

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

export { defaultCorporationContact };

/** The corporation's contact details beside its name and IBAN (documents/corporation.ts). */
export type CorporationContact = Omit<Corporation, 'name' | 'iban'>;

/** The corporation as its letters present it, from the configuration's parts. */
export function corporationOf(
  config: { corporationName: string; corporationIban: string; corporationAddress: string; corporationContact?: CorporationContact },
): Corporation {
  const contact = config.corporationContact ?? { ...defaultCorporationContact, postalAddress: config.corporationAddress };
  return { ...contact, name: config.corporationName, iban: config.corporationIban };
}

/**
 * How much one worker process holds and does at once. The workflow cache is what grows: every open
 * incident and invoice it has seen stays in memory until evicted (the SDK's default is ~2,300 on
 * this machine's heap, measured at 2.85 GB RSS); an evicted workflow is replayed from its history
 * when its next task comes. Activities render PDFs and send mail: more at once than the CPUs can
 * render only adds memory.
 */
export const workerDefaults = {
  maxCachedWorkflows: 500,
  maxConcurrentWorkflowTaskExecutions: 10,
  maxConcurrentActivityTaskExecutions: 20,
} as const;

export interface WorkerSizing {
  maxCachedWorkflows: number;
  maxConcurrentWorkflowTaskExecutions: number;
  maxConcurrentActivityTaskExecutions: number;
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
  TEMPORAL_PAYLOAD_KEYS: payloadKeysSchema.optional(),
  // Empty is unset (docker-compose.yml passes it through as it is).
  TEMPORAL_PAYLOAD_KEY_ID: z.string().optional().transform((id) => id || undefined),
  TEMPORAL_UI_ORIGIN: z.url().optional(),
  SMTP_URL: z.url().optional(),
  MAIL_FROM: z.string().min(3).default(placeholderMailFrom),
  CORPORATION_NAME: z.string().min(1).default(placeholderCorporationName),
  CORPORATION_IBAN: z
    .string()
    .regex(/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/, 'expected an IBAN without spaces, such as NL91ABNA0417164300')
    .default(placeholderIban),
  CORPORATION_ADDRESS: z.string().min(1).default(defaultCorporationContact.postalAddress),
  CORPORATION_VISITING_ADDRESS: z.string().min(1).default(defaultCorporationContact.visitingAddress),
  CORPORATION_PHONE: z
    .string()
    .regex(/^\+?[0-9][0-9 ()-]{5,20}$/, 'expected a phone number, such as 088 123 45 67')
    .default(defaultCorporationContact.phone),
  CORPORATION_EMAIL: z.email().default(defaultCorporationContact.email),
  CORPORATION_WEBSITE: z.url().optional(),
  CORPORATION_OPENING_HOURS: z.string().min(1).default(defaultCorporationContact.openingHours),
  CORPORATION_KVK: z.string().regex(/^\d{8}$/, 'expected the 8 digits of a KvK number').default(defaultCorporationContact.kvk),
  CORPORATION_BIC: z
    .string()
    .regex(/^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$/, 'expected a BIC such as ABNANL2A')
    .default(defaultCorporationContact.bic),
  API_KEYS: apiKeysSchema.optional(),
  LINK_SECRET: z.string().min(16, 'LINK_SECRET must be at least 16 characters').optional(),
  SUBJECT_KEYS_MASTER_KEY: z
    .string()
    .refine((text) => Buffer.from(text, 'base64').length === 32, 'expected 32 random bytes in base64 (openssl rand -base64 32)')
    .optional(),
  SUBJECT_KEYS_PREVIOUS_MASTER_KEY: z
    .string()
    .refine((text) => Buffer.from(text, 'base64').length === 32, 'expected 32 random bytes in base64 (the master key before SUBJECT_KEYS_MASTER_KEY)')
    .optional(),
  POLICY_FILE: z.string().optional(),
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).default('polluter-pays'),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_ROLES_CLAIM: z.string().min(1).default('groups'),
  OIDC_ROLE_MAP: roleMapSchema.optional(),
  OIDC_DEV_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
  ...operationsEnv,
  SESSION_SECRET: z.string().min(32, 'SESSION_SECRET must be at least 32 characters').optional(),
  // Sizing (README, Operations: Capacity and sizing workers). The defaults bound one worker's memory.
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(2).default(workerDefaults.maxCachedWorkflows),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).default(workerDefaults.maxConcurrentWorkflowTaskExecutions),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).default(workerDefaults.maxConcurrentActivityTaskExecutions),
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
  /** Connections each process (API, worker) keeps to PostgreSQL at most. */
  databasePoolSize: number;
  worker: WorkerSizing;
  temporal: {
    address: string | undefined;
    namespace: string;
    taskQueue: string;
    tls: { certPath: string; keyPath: string } | undefined;
    apiKey: string | undefined;
  };
  /** Encrypts every Temporal payload of the clients and workers (config/payload-codec.ts). */
  payloadEncryption: PayloadEncryption;
  /** The Temporal UI's origin, allowed to call the codec endpoint with a signed-in person's cookie (api/routes/codec.ts). */
  temporalUiOrigin: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  corporationName: string;
  corporationIban: string;
  /** The postal address. */
  corporationAddress: string;
  /** Phone, e-mail, addresses, opening hours, KvK and BIC: in every letter. */
  corporationContact: CorporationContact;
  apiKeys: Map<string, Role>;
  linkSecret: string;
  /** Wraps the subjects' data keys (db/subject-keys.ts): without it a database dump reveals no sealed text. */
  subjectKeysMasterKey: Buffer;
  /** While the master key is rotated: keys still wrapped with the one before open too (npm run subject-keys:rotate rewraps them). */
  subjectKeysPreviousMasterKey?: Buffer;
  policy: Policy;
  /** Requests a client address may make on the tenant-link routes per window (api/security.ts). */
  tenantLinkRateLimit: { max: number; windowMs: number };
  /** Personal sign-in for the workspace: the corporation's OpenID Connect provider (web/sign-in.ts). */
  oidc: OidcConfig;
  /** Signs the workspace's cookies (the sign-in attempt); sessions themselves are random ids kept server-side. */
  sessionSecret: string;
  /** Logs, metrics ports, the development stack's ports (config/operations.ts). */
  operations: OperationsConfig;
}

export interface OidcConfig {
  /** Unset in development: `npm start` runs a local provider on `devPort` with one user per role. */
  issuer: string | undefined;
  clientId: string;
  clientSecret: string;
  /** The ID token claim that lists the person's groups. */
  rolesClaim: string;
  /** Group name -> role; a group without an entry gives the role of the same name, if there is one. */
  roleMap: Map<string, Role>;
  devPort: number;
}

const settingOf = (problem: string) => problem.slice(0, problem.indexOf(':'));

/** Every problem of the environment at once, each as `SETTING: what is wrong`. */
export class ConfigError extends Error {
  /** The settings named, in the order of the problems. */
  readonly settings: string[];
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.settings = [...new Set(problems.map(settingOf))];
  }
}

/** Read and validate the environment once, at start-up: every bad value is named. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    const named = new Set(problems.map(settingOf));
    if (env.NODE_ENV === 'production') problems.push(...productionProblems(env).filter((p) => !named.has(settingOf(p))));
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  // Production refuses development defaults and placeholders (config/production.ts), all named at once.
  const problems: string[] = production ? productionProblems(env) : [];
  if (e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS > e.WORKER_MAX_CACHED_WORKFLOWS) {
    problems.push('WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: at most WORKER_MAX_CACHED_WORKFLOWS (a workflow task runs on a cached workflow)');
  }
  if ((e.TEMPORAL_TLS_CERT === undefined) !== (e.TEMPORAL_TLS_KEY === undefined)) {
    problems.push('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: set both or neither');
  }
  const payloadEncryption = payloadEncryptionOf(e.TEMPORAL_PAYLOAD_KEYS, e.TEMPORAL_PAYLOAD_KEY_ID, production, problems);
  let policy: Policy | undefined;
  try {
    policy = resolvePolicy(e.POLICY_FILE ? JSON.parse(readFileSync(e.POLICY_FILE, 'utf8')) : {});
  } catch (error) {
    if (error instanceof PolicyError) problems.push(...error.issues.map((i) => `POLICY_FILE ${i}`));
    else problems.push(`POLICY_FILE: cannot read ${e.POLICY_FILE}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (problems.length > 0 || !policy || !payloadEncryption) throw new ConfigError(problems);
  return {
    production,
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST === '0.0.0.0' ? '127.0.0.1' : e.HOST}:${e.PORT}`).replace(/\/$/, ''),
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    worker: {
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentWorkflowTaskExecutions: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxConcurrentActivityTaskExecutions: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
    },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      tls: e.TEMPORAL_TLS_CERT && e.TEMPORAL_TLS_KEY ? { certPath: e.TEMPORAL_TLS_CERT, keyPath: e.TEMPORAL_TLS_KEY } : undefined,
      apiKey: e.TEMPORAL_API_KEY,
    },
    payloadEncryption,
    temporalUiOrigin: e.TEMPORAL_UI_ORIGIN ? new URL(e.TEMPORAL_UI_ORIGIN).origin : undefined,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    corporationName: e.CORPORATION_NAME,
    corporationIban: e.CORPORATION_IBAN,
    corporationAddress: e.CORPORATION_ADDRESS,
    corporationContact: {
      phone: e.CORPORATION_PHONE,
      email: e.CORPORATION_EMAIL,
      website: e.CORPORATION_WEBSITE ?? (e.CORPORATION_EMAIL === defaultCorporationContact.email ? defaultCorporationContact.website : null),
      postalAddress: e.CORPORATION_ADDRESS,
      visitingAddress: e.CORPORATION_VISITING_ADDRESS,
      openingHours: e.CORPORATION_OPENING_HOURS,
      kvk: e.CORPORATION_KVK,
      bic: e.CORPORATION_BIC,
    },
    apiKeys: e.API_KEYS ?? apiKeysSchema.parse(developmentApiKeys),
    linkSecret: e.LINK_SECRET ?? developmentLinkSecret,
    subjectKeysMasterKey: e.SUBJECT_KEYS_MASTER_KEY ? Buffer.from(e.SUBJECT_KEYS_MASTER_KEY, 'base64') : developmentSubjectKeysMasterKey,
    ...(e.SUBJECT_KEYS_PREVIOUS_MASTER_KEY ? { subjectKeysPreviousMasterKey: Buffer.from(e.SUBJECT_KEYS_PREVIOUS_MASTER_KEY, 'base64') } : {}),
    policy,
    tenantLinkRateLimit: e.TENANT_LINK_RATE_LIMIT,
    oidc: {
      issuer: e.OIDC_ISSUER?.replace(/\/$/, ''),
      clientId: e.OIDC_CLIENT_ID,
      clientSecret: e.OIDC_CLIENT_SECRET ?? developmentOidcClientSecret,
      rolesClaim: e.OIDC_ROLES_CLAIM,
      roleMap: e.OIDC_ROLE_MAP ?? new Map(),
      devPort: e.OIDC_DEV_PORT,
    },
    sessionSecret: e.SESSION_SECRET ?? developmentSessionSecret,
    operations: operationsConfig(e),
  };
}

/** The keys that encrypt Temporal's payloads: the development key unless configured, and never that one in production. */
function payloadEncryptionOf(keys: Map<string, Buffer> | undefined, keyId: string | undefined, production: boolean, problems: string[]): PayloadEncryption | null {
  if (!keys) {
    // Missing in production: named with the other production settings (config/production.ts).
    if (keyId !== undefined) problems.push('TEMPORAL_PAYLOAD_KEY_ID: set without TEMPORAL_PAYLOAD_KEYS');
    return developmentPayloadEncryption;
  }
  if (production) {
    for (const [id, key] of keys) if (isDevelopmentKey(key)) problems.push(`TEMPORAL_PAYLOAD_KEYS: "${id}" is the development key, which is public; refused in production`);
  }
  const chosen = keyId ?? (keys.size === 1 ? [...keys.keys()][0] : undefined);
  if (chosen === undefined) {
    problems.push('TEMPORAL_PAYLOAD_KEY_ID: required when TEMPORAL_PAYLOAD_KEYS lists more than one key (the one that encrypts; all of them decrypt)');
    return null;
  }
  if (!keys.has(chosen)) {
    problems.push(`TEMPORAL_PAYLOAD_KEY_ID: "${chosen}" is not one of TEMPORAL_PAYLOAD_KEYS (${[...keys.keys()].join(', ')})`);
    return null;
  }
  return { keyId: chosen, keys };
}
