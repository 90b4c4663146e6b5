import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { buildApp } from '../../api/app';
import { createDb } from '../../db/connection';
import { resolvePolicy } from '../../domain/policy';
import type { Role } from '../../config/config';
import { LINK_SECRET, PUBLIC_URL, eventually } from '../support/harness';
import { startTestSmtpServer } from '../support/smtp';
import { startStack, auth, keys, waitForIncident, type Stack } from '../support/stack';

jest.setTimeout(120_000);

/** Second-long deadlines for the settling test; an hour elsewhere so that incidents wait while poked. */
const policy = {
  categories: {
    fouled_stairwell: { noticePeriod: 'PT1H', reminderBefore: 'PT30M' },
    bulk_waste: { noticePeriod: 'PT1H', reminderBefore: 'PT30M' },
  },
};

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('e2e_faults', policy);
  // A commit that is lost after the workflow was started: a deferred check refuses, at commit time and
  // once per marked building, the report's transaction (a sequence, because it does not roll back).
  await sql`
    create sequence lose_commit_once;
    create function lose_commit() returns trigger language plpgsql as $$
    begin
      if new.building_id like 'LOST-%' and nextval('lose_commit_once') % 2 = 1 then
        raise exception 'the connection was lost during commit (test)';
      end if;
      return null;
    end $$;
    create constraint trigger lose_commit after insert on incident_reports deferrable initially deferred
      for each row execute function lose_commit();`.execute(stack.database.db);
});
afterAll(async () => {
  await stack?.stop();
});

const report = (buildingId: string, headers: Record<string, string> = {}, polluterTenantId: string | null = 'A-2') =>
  stack.app.inject({
    method: 'POST',
    url: '/incidents',
    headers: { ...auth('consultant'), ...headers },
    payload: { category: 'fouled_stairwell', complexId: 'C1', buildingId, location: 'trappenhuis', polluterTenantId },
  });

async function incidentsIn(buildingId: string) {
  return stack.database.db.selectFrom('incidents').select(['incident_id', 'status']).where('building_id', '=', buildingId).execute();
}

async function noticesFor(incidentId: string) {
  return stack.database.db.selectFrom('notifications').select('letter_id').where('incident_id', '=', incidentId).where('kind', '=', 'formal_notice').execute();
}

describe('one report makes one incident, whatever fails when', () => {
  test('the commit is lost after the workflow started: the retry with the same Idempotency-Key answers with that same incident, which notifies once', async () => {
    const first = await report('LOST-1', { 'idempotency-key': 'melding-lost-1' });
    expect(first.statusCode).toBe(500);
    const retry = await report('LOST-1', { 'idempotency-key': 'melding-lost-1' });
    expect(retry.statusCode).toBe(201);
    const { incidentId } = retry.json();
    await waitForIncident(stack, incidentId, (i) => i.phase === 'awaiting_cleanup');
    expect(await incidentsIn('LOST-1')).toEqual([{ incident_id: incidentId, status: 'open' }]);
    expect(await noticesFor(incidentId)).toHaveLength(1);
    // And the key keeps answering with it.
    expect((await report('LOST-1', { 'idempotency-key': 'melding-lost-1' })).json()).toEqual({ incidentId, incidentNumber: expect.stringMatching(/^\d{4}-\d{5}$/), duplicateOf: null });
  });

  test('without a key, the retry after a lost commit is linked to the incident the first attempt started, as a duplicate: no second notice', async () => {
    expect((await report('LOST-2')).statusCode).toBe(500);
    // The first attempt's workflow records its incident all the same.
    const started = await (async () => {
      for (let i = 0; i < 100; i++) {
        const rows = await incidentsIn('LOST-2');
        if (rows.length > 0) return rows;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return [];
    })();
    expect(started).toHaveLength(1);
    const retry = await report('LOST-2');
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toEqual({ incidentId: started[0]!.incident_id, incidentNumber: expect.any(String), duplicateOf: started[0]!.incident_id });
    expect(await incidentsIn('LOST-2')).toHaveLength(1);
  });
});

describe('offences are numbered once per tenant', () => {
  test('three incidents of one tenant settling at the same moment are the first, second and third offence', async () => {
    const ids: string[] = [];
    for (const building of ['OFF-1', 'OFF-2', 'OFF-3']) {
      const response = await report(building, {}, 'A-6');
      expect(response.statusCode).toBe(201);
      ids.push(response.json().incidentId);
    }
    for (const id of ids) await waitForIncident(stack, id, (i) => i.phase === 'awaiting_cleanup');
    await Promise.all(
      ids.map((id) =>
        stack.app.inject({ method: 'POST', url: `/incidents/${id}/inspections`, headers: auth('consultant'), payload: { result: 'clean' } }).then((r) => expect(r.statusCode).toBe(200)),
      ),
    );
    for (const id of ids) await waitForIncident(stack, id, (i) => i.status === 'closed');
    const offences = await stack.database.db.selectFrom('offences').select(['offence_number', 'severity']).where('tenant_id', '=', 'A-6').orderBy('offence_number').execute();
    expect(offences).toEqual([
      { offence_number: 1, severity: 'standard' },
      { offence_number: 2, severity: 'sharp' },
      { offence_number: 3, severity: 'sharp' },
    ]);
  });
});

describe('actions carry an id, wait a bounded time, and say when to try again', () => {
  test('an inspection retried with the same Idempotency-Key after it was applied answers as the first did, and is recorded once', async () => {
    const { incidentId } = (await report('IDEM-1')).json();
    await waitForIncident(stack, incidentId, (i) => i.phase === 'awaiting_cleanup');
    const send = () =>
      stack.app.inject({
        method: 'POST',
        url: `/incidents/${incidentId}/cleanup-reports`,
        headers: { ...auth('consultant'), 'idempotency-key': 'schoon-IDEM-1' },
        payload: { note: 'schoon bij controle' },
      });
    const first = await send();
    const second = await send();
    expect(first.statusCode).toBe(200);
    expect({ status: second.statusCode, body: second.json() }).toEqual({ status: 200, body: first.json() });
    const reported = await stack.database.db
      .selectFrom('events')
      .select('type')
      .where('stream_id', '=', `incident-${incidentId}`)
      .where('type', '=', 'CleanupReported')
      .execute();
    expect(reported).toHaveLength(1);
  });

  test('with no worker running, an action answers 503 with Retry-After within its limit instead of hanging', async () => {
    const { incidentId } = (await report('IDEM-2')).json();
    await waitForIncident(stack, incidentId, (i) => i.phase === 'awaiting_cleanup');
    await stack.stopWorker();
    try {
      const response = await stack.app.inject({
        method: 'POST',
        url: `/incidents/${incidentId}/cancellation`,
        headers: { ...auth('consultant'), 'idempotency-key': 'annuleer-IDEM-2' },
        payload: { reason: 'dubbel gemeld' },
      });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBeDefined();
      expect(response.headers['content-type']).toMatch(/problem\+json/);
    } finally {
      await stack.startWorker();
    }
    // Tried again with the same key once the worker is back: cancelled once.
    const again = await stack.app.inject({
      method: 'POST',
      url: `/incidents/${incidentId}/cancellation`,
      headers: { ...auth('consultant'), 'idempotency-key': 'annuleer-IDEM-2' },
      payload: { reason: 'dubbel gemeld' },
    });
    expect(again.statusCode).toBe(200);
    const closed = await waitForIncident(stack, incidentId, (i) => i.status === 'closed');
    expect(closed.outcome).toBe('cancelled');
    expect(closed.timeline.filter((e: { type: string }) => e.type === 'IncidentCancelled')).toHaveLength(1);
  });
});

describe('a dependency that is down is a 503 with Retry-After, and readiness tells the truth', () => {
  let closedPort: number;
  let listener: Server;
  beforeAll(async () => {
    // A port that refuses connections: opened, read back and closed again.
    listener = createServer();
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    closedPort = (listener.address() as AddressInfo).port;
    await new Promise<void>((resolve) => listener.close(() => resolve()));
  });

  async function appWith(parts: { temporalDown?: boolean; databaseDown?: boolean; smtpUrl?: string }) {
    // Down: no gRPC retries (the SDK's would outlive the test's connection, whose channel is then closed).
    const connection = parts.temporalDown
      ? Connection.lazy({ address: `127.0.0.1:${closedPort}`, interceptors: [] })
      : await Connection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS! });
    const db = parts.databaseDown ? createDb(`postgresql://nobody@127.0.0.1:${closedPort}/nothing`, 1) : stack.database.db;
    const app = await buildApp({
      db,
      temporal: new Client({ connection, namespace: 'default' }),
      config: {
        apiKeys: new Map<string, Role>(Object.entries(keys).map(([role, key]) => [key, role as Role])),
        linkSecret: LINK_SECRET,
        policy: resolvePolicy(policy),
        publicUrl: PUBLIC_URL,
        corporationName: 'Woonstichting Test',
        corporationIban: 'NL91ABNA0417164300',
        corporationAddress: 'Postbus 1, 3500 AA Utrecht',
        temporal: { address: undefined, namespace: 'default', taskQueue: stack.taskQueue, tls: undefined, apiKey: undefined },
        ...(parts.smtpUrl ? { smtpUrl: parts.smtpUrl } : {}),
      },
    });
    return {
      app,
      async close() {
        await app.close();
        await connection.close();
        if (parts.databaseDown) await db.destroy();
      },
    };
  }

  test('Temporal unreachable: a report is a 503 with Retry-After, and nothing of it is kept', async () => {
    const { app, close } = await appWith({ temporalDown: true });
    try {
      const response = await app.inject({
        method: 'POST',
        url: '/incidents',
        headers: auth('consultant'),
        payload: { category: 'fouled_stairwell', complexId: 'C1', buildingId: 'DOWN-T', location: 'trappenhuis' },
      });
      expect(response.statusCode).toBe(503);
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      expect(await incidentsIn('DOWN-T')).toEqual([]);
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ status: 'unavailable', reason: expect.stringMatching(/^temporal: /), checks: { database: 'ok', temporal: expect.not.stringMatching(/^ok$/) } });
    } finally {
      await close();
    }
  });

  test('PostgreSQL unreachable: a read is a 503 with Retry-After, and readiness names the database', async () => {
    const { app, close } = await appWith({ databaseDown: true });
    try {
      const response = await app.inject({ method: 'GET', url: '/incidents', headers: auth('consultant') });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBeDefined();
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ status: 'unavailable', reason: expect.stringMatching(/^database: /), checks: { database: expect.stringMatching(/ECONNREFUSED|connect/), temporal: 'ok' } });
    } finally {
      await close();
    }
  });

  test('all dependencies up: ready', async () => {
    const response = await stack.app.inject({ method: 'GET', url: '/readyz' });
    expect({ status: response.statusCode, body: response.json() }).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'ok', temporal: 'ok', smtp: 'ok' } } });
  });

  test('the SMTP relay gone: readiness is a 503 naming it, and ready again once it is back', async () => {
    let relay = await startTestSmtpServer();
    const port = Number(new URL(relay.url).port);
    const { app, close } = await appWith({ smtpUrl: relay.url });
    const ready = async () => {
      const response = await app.inject({ method: 'GET', url: '/readyz' });
      return { status: response.statusCode, body: response.json() };
    };
    try {
      expect(await ready()).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'ok', temporal: 'ok', smtp: 'ok' } } });
      await relay.close();
      // A relay that answered is trusted for a few seconds (probes come every few seconds); then it is asked again.
      const down = await eventually(async () => {
        const answer = await ready();
        if (answer.status !== 503) throw new Error(`still ${answer.status}`);
        return answer.body;
      });
      expect(down).toEqual({ status: 'unavailable', reason: expect.stringMatching(/^smtp: .*(ECONNREFUSED|connect)/i), checks: { database: 'ok', temporal: 'ok', smtp: expect.stringMatching(/ECONNREFUSED|connect/i) } });
      relay = await startTestSmtpServer({ port });
      expect(await ready()).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'ok', temporal: 'ok', smtp: 'ok' } } });
    } finally {
      await close();
      await relay.close();
    }
  });
});
