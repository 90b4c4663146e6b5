import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { resolvePolicy } from '../../domain/policy';
import type { Role } from '../../config/config';
import { createTestDatabase, type TestDatabase } from './database';
import { startTestSmtpServer, type TestSmtpServer } from './smtp';
import { LINK_SECRET, PUBLIC_URL, testActivities, testDataConverter, workflowBundle } from './harness';
import { seedDirectory } from './fixtures';
import { startDevOidcProvider } from '../../scripts/oidc-dev';
import { freePort } from '../../scripts/ports';

export const keys = {
  consultant: 'test-consultant-key',
  finance: 'test-finance-key',
  admin: 'test-admin-key',
  contractor: 'test-contractor-key',
  manager: 'test-manager-key',
} as const;

/** The Temporal UI's origin that may call the codec endpoint (api/routes/codec.ts) with a person's cookie. */
export const TEMPORAL_UI_ORIGIN = 'http://127.0.0.1:8233';

/** Second-long deadlines, so that a whole lifecycle runs on the real dev server in seconds. */
export const fastPolicy = {
  categories: {
    fouled_stairwell: { noticePeriod: 'PT4S', reminderBefore: 'PT2S' },
    bulk_waste: { noticePeriod: 'PT4S', reminderBefore: 'PT2S', serviceCostsForUnknownPolluter: true },
  },
};

export interface Stack {
  app: FastifyInstance;
  /** Where a browser reaches the app (with `web`), else the links' public URL. */
  url: string;
  database: TestDatabase;
  smtp: TestSmtpServer;
  client: Client;
  taskQueue: string;
  /** Start (again) a worker; stopWorker stops it. */
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Listen on a port of loopback (for a browser), with personal sign-in through the development OpenID provider. */
  web?: boolean;
  /** The tenant-link rate limit per client address (every browser test comes from 127.0.0.1); 30 a minute when unset. */
  tenantLinkRateLimit?: { max: number; windowMs: number };
  /** Addresses the loopback relay refuses for good (550), as a relay refuses a mailbox that does not exist. */
  refused?: Set<string>;
}

/** The whole thing against the run's shared dev server: API, worker, PostgreSQL, loopback SMTP. */
export async function startStack(label: string, policyOverrides: unknown = fastPolicy, options: StackOptions = {}): Promise<Stack> {
  const address = process.env.TEMPORAL_TEST_ADDRESS;
  if (!address) throw new Error('TEMPORAL_TEST_ADDRESS is not set: run through jest (globalSetup starts the dev server)');
  const policy = resolvePolicy(policyOverrides);
  const taskQueue = `${label}-${Date.now()}`;
  const database = await createTestDatabase(label);
  await seedDirectory(database.db);
  const smtp = await startTestSmtpServer({ refused: options.refused });
  const connection = await Connection.connect({ address });
  // Encrypted as in production: every end-to-end test goes through the payload codec.
  const client = new Client({ connection, namespace: 'default', dataConverter: testDataConverter });
  const nativeConnection = await NativeConnection.connect({ address });
  const port = options.web ? await freePort() : 0;
  const publicUrl = options.web ? `http://127.0.0.1:${port}` : PUBLIC_URL;
  const oidc = options.web
    ? await startDevOidcProvider({ port: await freePort(), clientId: 'polluter-pays', clientSecret: 'test-client-secret', publicUrl })
    : null;
  const app = await buildApp({
    db: database.db,
    temporal: client,
    config: {
      apiKeys: new Map<string, Role>(Object.entries(keys).map(([role, key]) => [key, role as Role])),
      linkSecret: LINK_SECRET,
      policy,
      publicUrl,
      corporationName: 'Woonstichting Test',
      corporationIban: 'NL91ABNA0417164300',
      corporationAddress: 'Postbus 1, 3500 AA Utrecht',
      temporal: { address, namespace: 'default', taskQueue, tls: undefined, apiKey: undefined },
      smtpUrl: smtp.url,
      temporalUiOrigin: TEMPORAL_UI_ORIGIN,
      ...(options.tenantLinkRateLimit ? { tenantLinkRateLimit: options.tenantLinkRateLimit } : {}),
      ...(oidc
        ? {
            oidc: { issuer: oidc.issuer, clientId: 'polluter-pays', clientSecret: 'test-client-secret', rolesClaim: 'groups', roleMap: new Map(), devPort: 0 },
            sessionSecret: 'test-session-secret-0123456789-0123456789',
          }
        : {}),
    },
  });
  if (options.web) await app.listen({ port, host: '127.0.0.1' });

  let running: { worker: Worker; done: Promise<void> } | null = null;
  const stack: Stack = {
    app,
    database,
    smtp,
    client,
    taskQueue,
    url: publicUrl,
    async startWorker() {
      const worker = await Worker.create({
        connection: nativeConnection,
        namespace: 'default',
        taskQueue,
        workflowBundle: workflowBundle(),
        dataConverter: testDataConverter,
        activities: testActivities(database.db, smtp.url, policy),
      });
      running = { worker, done: worker.run() };
    },
    async stopWorker() {
      if (!running) return;
      running.worker.shutdown();
      await running.done;
      running = null;
    },
    async stop() {
      await stack.stopWorker();
      await app.close();
      await oidc?.stop();
      await nativeConnection.close();
      await connection.close();
      await smtp.close();
      await database.drop();
    },
  };
  await stack.startWorker();
  return stack;
}

export const auth = (role: keyof typeof keys) => ({ authorization: `Bearer ${keys[role]}` });

/** Poll the API until the incident satisfies `test`; the workflow runs on real time here. */
export async function waitForIncident(stack: Stack, incidentId: string, test: (incident: any) => boolean, timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await stack.app.inject({ method: 'GET', url: `/incidents/${incidentId}`, headers: auth('consultant') });
    const incident = response.statusCode === 200 ? response.json() : null;
    if (incident && test(incident)) return incident;
    if (Date.now() > deadline) throw new Error(`incident ${incidentId} did not get there in time: ${JSON.stringify(incident && { status: incident.status, phase: incident.phase })}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
