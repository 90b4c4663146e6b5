import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { createDb, type Db } from '../../db/connection';
import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * The connection to PostgreSQL dies while a query runs on it (a restart, a network cut): the query
 * fails, and the process lives on to open a new connection when the database is back.
 */
let database: TestDatabase;
let proxy: Server;
const sockets = new Set<Socket>();
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase('outage');
  const target = new URL(database.url);
  // A TCP proxy in front of the real server, so that the test can cut the wire.
  proxy = createServer((client) => {
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
  await database?.drop();
});

test('a query whose connection is cut fails with an error; the process does not crash, and the next query works on a new connection', async () => {
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', onUncaught);
  try {
    const running = sql`select pg_sleep(5)`.execute(db).then(
      () => null,
      (e: unknown) => e,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const socket of sockets) socket.destroy();
    const error = await running;
    expect(String((error as Error)?.message)).toMatch(/Connection terminated unexpectedly/);
    // The client emits its 'error' on the next ticks: give it the chance to crash the process.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(uncaught).toEqual([]);
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(db);
    expect(rows).toEqual([{ one: 1 }]);
  } finally {
    process.off('uncaughtException', onUncaught);
  }
});
