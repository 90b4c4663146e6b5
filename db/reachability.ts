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

/** Connect once to the server of `databaseUrl` (its `postgres` database) and say who answered, or throw naming `setting`. */
export async function checkDatabaseServer(databaseUrl: string, setting = 'DATABASE_URL', timeoutMs = 5_000): Promise<void> {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
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
