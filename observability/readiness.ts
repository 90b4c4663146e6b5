import nodemailer from 'nodemailer';
import { sql } from 'kysely';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/connection';

export const READINESS_LIMIT_MS = 2000;

/** What each dependency answered: `ok`, or what is wrong. SMTP only where a relay is configured. */
export interface ReadinessChecks {
  database: string;
  temporal: string;
  smtp?: string;
}

export const isReady = (checks: ReadinessChecks) => Object.values(checks).every((check) => check === 'ok');

/** `ok`, or why not: the error's message, or that there was no answer within the limit. */
async function outcome(probe: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${READINESS_LIMIT_MS} ms`)), READINESS_LIMIT_MS);
  });
  try {
    await Promise.race([probe(), timeout]);
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message.slice(0, 200) : String(error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether the SMTP relay takes mail: a connection, its greeting, EHLO (and the login, when the URL
 * has one), then QUIT. A relay that answered is trusted for `okForMs` (5 s), so that probes every
 * second do not each open a connection; one that did not is asked again at the next probe.
 */
export function smtpCheck(smtpUrl: string, okForMs = 5_000): () => Promise<string> {
  let okUntil = 0;
  return async () => {
    if (Date.now() < okUntil) return 'ok';
    const transport = nodemailer.createTransport({ url: smtpUrl, connectionTimeout: READINESS_LIMIT_MS, greetingTimeout: READINESS_LIMIT_MS, socketTimeout: READINESS_LIMIT_MS });
    try {
      const answer = await outcome(() => transport.verify());
      if (answer === 'ok') okUntil = Date.now() + okForMs;
      return answer;
    } finally {
      transport.close();
    }
  };
}

/** Ask PostgreSQL, Temporal and (when given) the SMTP relay at once, each for at most 2 s. */
export async function readiness(deps: { db: Db; temporal: Client; smtp?: () => Promise<string> }): Promise<ReadinessChecks> {
  const [database, temporal, smtp] = await Promise.all([
    outcome(() => sql`select 1`.execute(deps.db)),
    outcome(() => deps.temporal.connection.withDeadline(Date.now() + READINESS_LIMIT_MS, () => deps.temporal.workflowService.getSystemInfo({}))),
    deps.smtp?.(),
  ]);
  return smtp === undefined ? { database, temporal } : { database, temporal, smtp };
}
