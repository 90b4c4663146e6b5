import pg from 'pg';

/** host:port of a PostgreSQL URL, without the credentials (for messages). */
export function databaseAddress(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `${url.hostname || 'localhost'}:${url.port || '5432'}`;
}

/** Nothing answered at the address (as opposed to a server that answered and refused). */
export function isUnanswered(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  if (code && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET'].includes(code)) return true;
  return error instanceof Error && /timeout expired|Connection terminated unexpectedly/i.test(error.message);
}

/** A database the process cannot use, named by its setting and address. */
export class DatabaseUnreachableError extends Error {
  constructor(readonly setting: string, readonly address: string, override readonly cause: unknown) {
    const reason = cause instanceof Error ? cause.message || (cause as { code?: string }).code || cause.name : String(cause);
    super(
      isUnanswered(cause)
        ? `PostgreSQL does not answer at ${address} (${setting}): ${reason}`
        : `PostgreSQL at ${address} (${setting}) refused the connection: ${reason}`,
    );
    this.name = 'DatabaseUnreachableError';
  }
}

/**
 * Connect once to the server of `databaseUrl`, or throw naming `setting` and the address: to its
 * `postgres` database (the one there before ours is created), or with `ownDatabase` to the URL's.
 */
export async function checkDatabaseServer(databaseUrl: string, { setting = 'DATABASE_URL', timeoutMs = 5_000, ownDatabase = false } = {}): Promise<void> {
  const url = new URL(databaseUrl);
  if (!ownDatabase) url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new DatabaseUnreachableError(setting, databaseAddress(databaseUrl), error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The API and the worker start without the database (they answer 503 and retry until it is back);
 * if it does not answer at start, say where they looked.
 */
export function warnWhenDatabaseUnreachable(databaseUrl: string, log: (line: string) => void = console.error): void {
  checkDatabaseServer(databaseUrl, { ownDatabase: true }).catch((error: unknown) => log(`${error instanceof Error ? error.message : String(error)}; going on, and trying again at each request`));
}
