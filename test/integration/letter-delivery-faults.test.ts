import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities, type DeliveryReport } from '../../activities';
import { createSmtpMailer, type Mailer } from '../../activities/mailer';
import { createDb, type Db } from '../../db/connection';
import type { Letter } from '../../domain/letters';
import { resolvePolicy } from '../../domain/policy';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedDirectory } from '../support/fixtures';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp';

/**
 * A letter goes out once even when the database goes away just after the relay took it: the
 * delivery is claimed before sending and settled after, and the settle waits for the database.
 */
let database: TestDatabase;
let smtp: TestSmtpServer;
let proxy: Server;
let db: Db;
let databaseDown = false;
const sockets = new Set<Socket>();

beforeAll(async () => {
  database = await createTestDatabase('letter_faults');
  await seedDirectory(database.db);
  smtp = await startTestSmtpServer();
  const target = new URL(database.url);
  // A TCP proxy in front of PostgreSQL: the test cuts its connections and refuses new ones for a while.
  proxy = createServer((client) => {
    if (databaseDown) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port || 5432), target.hostname);
    client.pipe(upstream).pipe(client);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const viaProxy = new URL(database.url);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String((proxy.address() as AddressInfo).port);
  db = createDb(viaProxy.toString(), 2);
});
afterAll(async () => {
  await db?.destroy();
  proxy?.close();
  await smtp?.close();
  await database?.drop();
});

const letter = (id: string, tenantId: string): Letter => ({
  letterId: `incident-faults/2/${id}`,
  recipient: { type: 'tenant', id: tenantId },
  content: { kind: 'complainant_acknowledgement', incidentId: 'faults', category: 'fouled_stairwell', location: 'trappenhuis' },
});

function activitiesWith(mailer: Mailer) {
  return createActivities({
    db,
    mailer,
    policy: resolvePolicy(),
    publicUrl: 'http://polluter-pays.test',
    linkSecret: 'test-link-secret-0123456789',
    corporationName: 'Woonstichting Test',
    corporationIban: 'NL91ABNA0417164300',
    corporationAddress: 'Postbus 1, 3500 AA Utrecht',
  });
}

test('PostgreSQL goes away right after the relay accepted a letter: the delivery waits for it and is recorded once; the letter is not sent again', async () => {
  const real = createSmtpMailer(smtp.url, 'Woonstichting Test <noreply@woonstichting.test>');
  const mailer: Mailer = {
    async send(mail) {
      await real.send(mail);
      // The database dies the moment the relay has the mail, and comes back 1.5 s later.
      databaseDown = true;
      for (const socket of sockets) socket.destroy();
      setTimeout(() => (databaseDown = false), 1500);
    },
    close: () => real.close(),
  };
  const report: DeliveryReport = await new MockActivityEnvironment().run(activitiesWith(mailer).deliverLetters, [letter('a2', 'A-2')]);
  expect(report.emailed).toEqual(['incident-faults/2/a2']);
  expect(smtp.to('a2@bewoners.test')).toHaveLength(1);
  const delivery = await database.db.selectFrom('letter_deliveries').selectAll().where('letter_id', '=', 'incident-faults/2/a2').executeTakeFirstOrThrow();
  expect({ status: delivery.status, attempts: delivery.attempts, address: delivery.address }).toEqual({ status: 'sent', attempts: 1, address: 'a2@bewoners.test' });

  // Delivered again (a retried activity): nothing is sent.
  const again: DeliveryReport = await new MockActivityEnvironment().run(activitiesWith(real).deliverLetters, [letter('a2', 'A-2')]);
  expect(again.alreadyDelivered).toEqual(['incident-faults/2/a2']);
  expect(smtp.to('a2@bewoners.test')).toHaveLength(1);
  real.close();
});

test('after a longer outage the delivery is settled within about a second of the database coming back: the window in which a dead worker sends a letter twice stays short', async () => {
  const real = createSmtpMailer(smtp.url, 'Woonstichting Test <noreply@woonstichting.test>');
  let backAt = 0;
  const mailer: Mailer = {
    async send(mail) {
      await real.send(mail);
      // The database dies the moment the relay has the mail, and comes back 8 s later (a restart).
      databaseDown = true;
      for (const socket of sockets) socket.destroy();
      setTimeout(() => {
        databaseDown = false;
        backAt = Date.now();
      }, 8_000);
    },
    close: () => real.close(),
  };
  const report: DeliveryReport = await new MockActivityEnvironment().run(activitiesWith(mailer).deliverLetters, [letter('a4', 'A-4')]);
  const settledAfter = Date.now() - backAt;
  expect(report.emailed).toEqual(['incident-faults/2/a4']);
  expect(backAt).toBeGreaterThan(0);
  expect(settledAfter).toBeLessThan(1_500);
  real.close();
}, 30_000);

test('a letter claimed by an attempt that died before it was settled is sent again, with the same Message-ID, and the attempt is counted', async () => {
  await database.db
    .insertInto('letter_deliveries')
    .values({ letter_id: 'incident-faults/2/a3', channel: 'email', address: 'a3@bewoners.test', message_id: '<incident-faults.2.a3@polluter-pays>', status: 'sending' })
    .execute();
  const mailer = createSmtpMailer(smtp.url, 'Woonstichting Test <noreply@woonstichting.test>');
  await new MockActivityEnvironment().run(activitiesWith(mailer).deliverLetters, [letter('a3', 'A-3')]);
  expect(smtp.to('a3@bewoners.test').map((m) => m.messageId)).toEqual(['<incident-faults.2.a3@polluter-pays>']);
  const delivery = await database.db.selectFrom('letter_deliveries').selectAll().where('letter_id', '=', 'incident-faults/2/a3').executeTakeFirstOrThrow();
  expect({ status: delivery.status, attempts: delivery.attempts }).toEqual({ status: 'sent', attempts: 2 });
  mailer.close();
});

test('a batch of letters heartbeats for every letter and while a slow relay takes one, so that a dead worker is noticed within the heartbeat timeout', async () => {
  const real = createSmtpMailer(smtp.url, 'Woonstichting Test <noreply@woonstichting.test>');
  const slow: Mailer = {
    async send(mail) {
      await new Promise((resolve) => setTimeout(resolve, 5_500));
      await real.send(mail);
    },
    close: () => real.close(),
  };
  const env = new MockActivityEnvironment();
  let heartbeats = 0;
  env.on('heartbeat', () => (heartbeats += 1));
  await env.run(activitiesWith(slow).deliverLetters, [letter('b1', 'B-1'), letter('b2', 'B-2')]);
  // One per letter, and one at least during each send of 5.5 s.
  expect(heartbeats).toBeGreaterThanOrEqual(4);
  real.close();
}, 30_000);
