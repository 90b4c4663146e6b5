import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/connection';
import type { Role } from '../config/config';

/** A person signed in to the workspace, as their session holds them. */
export interface Person {
  subject: string;
  name: string;
  email: string | null;
  roles: Role[];
}

export interface Session {
  person: Person;
  csrfToken: string;
  idToken: string | null;
}

export const SESSION_COOKIE = 'pp_session';
/** Signed in for a working day at the most; idle for two hours, the session ends. */
export const SESSION_HOURS = 12;
const IDLE_MS = 2 * 60 * 60 * 1000;
/** Activity is written back at most this often, not at every request. */
const TOUCH_AFTER_MS = 60 * 1000;

const hashOf = (id: string) => createHash('sha256').update(id).digest('hex');

/** Record the person (name, roles as now) and start a session; the cookie gets the id, the database its hash. */
export async function startSession(db: Db, person: Person, idToken: string | null): Promise<{ id: string; csrfToken: string }> {
  const id = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('people')
      .values({ subject: person.subject, display_name: person.name, email: person.email, roles: person.roles, last_seen_at: new Date() })
      .onConflict((oc) =>
        oc.column('subject').doUpdateSet({ display_name: person.name, email: person.email, roles: person.roles, last_seen_at: new Date() }),
      )
      .execute();
    await trx
      .insertInto('sessions')
      .values({
        id_hash: hashOf(id),
        subject: person.subject,
        roles: person.roles,
        csrf_token: csrfToken,
        id_token: idToken,
        last_seen_at: new Date(),
        expires_at: new Date(Date.now() + SESSION_HOURS * 3600_000),
      })
      .execute();
    // Ended sessions are kept no longer than they could have lasted.
    await trx.deleteFrom('sessions').where('expires_at', '<', new Date()).execute();
  });
  return { id, csrfToken };
}

/** The session of a cookie, or null when there is none, it ended, or it was idle too long. */
export async function sessionOf(db: Db, id: string): Promise<Session | null> {
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('people as p', 'p.subject', 's.subject')
    .select(['s.id_hash', 's.subject', 's.roles', 's.csrf_token', 's.id_token', 's.last_seen_at', 's.expires_at', 'p.display_name', 'p.email'])
    .where('s.id_hash', '=', hashOf(id))
    .executeTakeFirst();
  if (!row) return null;
  const now = Date.now();
  if (row.expires_at.getTime() <= now || row.last_seen_at.getTime() + IDLE_MS <= now) {
    await db.deleteFrom('sessions').where('id_hash', '=', row.id_hash).execute();
    return null;
  }
  if (row.last_seen_at.getTime() + TOUCH_AFTER_MS <= now) {
    await db.updateTable('sessions').set({ last_seen_at: sql`now()` }).where('id_hash', '=', row.id_hash).execute();
  }
  return {
    person: { subject: row.subject, name: row.display_name, email: row.email, roles: row.roles as Role[] },
    csrfToken: row.csrf_token,
    idToken: row.id_token,
  };
}

export async function endSession(db: Db, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', hashOf(id)).execute();
}

/** The names of the people behind actors `person:<subject>`, for timelines. */
export async function namesOf(db: Db, actors: (string | null)[]): Promise<Map<string, string>> {
  const subjects = [...new Set(actors.filter((a): a is string => a?.startsWith('person:') ?? false).map((a) => a.slice('person:'.length)))];
  if (subjects.length === 0) return new Map();
  const rows = await db.selectFrom('people').select(['subject', 'display_name']).where('subject', 'in', subjects).execute();
  return new Map(rows.map((r) => [`person:${r.subject}`, r.display_name]));
}
