import { sql } from 'kysely';
import type { Db } from './connection';
import { appendToStreamsWithin } from './event-store';
import { incidentSubject, type SubjectKeys } from './subject-keys';
import { amsterdamDate } from '../domain/calendar';
import { incidentStreamId } from '../domain/streams';
import type { Policy } from '../domain/policy';

/**
 * One run of the retention policy (policy.retention; the schedule in worker/retention-schedule.ts
 * runs it daily). What is past its term goes:
 * - an incident's narrative, `narrativeMonthsAfterClose` after it closed: its data key (every sealed
 *   description, note and reason, in the events and in Temporal's histories) and its photos;
 * - an offence record, the repeat window plus `offenceMarginMonths` after the warning: an
 *   OffenceExpired event takes it out of the offences (a rebuild replays that too);
 * - an erased tenant's invoice addressee, after its `keep_until` (billingYears after the invoice's year);
 * - workspace sessions past their expiry.
 * Idempotent by run id: a retried run finds its record and answers with it.
 */
export interface RetentionRun {
  runId: string;
  ranAt: string;
  narrativesRemoved: number;
  photosRemoved: number;
  offencesRemoved: number;
  sessionsRemoved: number;
  billingAddresseesRemoved: number;
}

const monthsBefore = (now: Date, months: number) => sql<Date>`${now.toISOString()}::timestamptz - make_interval(months => ${months})`;

export async function applyRetention(db: Db, keys: SubjectKeys, policy: Pick<Policy, 'retention' | 'repeatOffenceWindowMonths'>, runId: string, now: Date): Promise<RetentionRun> {
  const { retention } = policy;
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('retention'))`.execute(trx);
    const earlier = await trx.selectFrom('retention_runs').selectAll().where('run_id', '=', runId).executeTakeFirst();
    if (earlier) return runOf(earlier);

    const expired = await trx
      .selectFrom('incidents')
      .select('incident_id')
      .where('status', '=', 'closed')
      .where('closed_at', '<', monthsBefore(now, retention.narrativeMonthsAfterClose))
      .execute();
    const incidentIds = expired.map((r) => r.incident_id);
    const narrativesRemoved = await keys.within(trx).destroy(incidentIds.map(incidentSubject), 'retention');
    const photos = incidentIds.length === 0 ? { numDeletedRows: 0n } : await trx.deleteFrom('photos').where('incident_id', 'in', incidentIds).executeTakeFirst();

    const offences = await trx
      .selectFrom('offences')
      .select(['incident_id', 'tenant_id', 'offence_number'])
      .where('recorded_at', '<', monthsBefore(now, policy.repeatOffenceWindowMonths + retention.offenceMarginMonths))
      .orderBy('recorded_at')
      .execute();
    const expiredAt = now.toISOString();
    if (offences.length > 0) {
      await appendToStreamsWithin(
        trx,
        offences.map((o) => {
          const streamId = incidentStreamId(o.incident_id);
          return {
            streamId,
            expectedVersion: 'any' as const,
            events: [{ eventId: `${streamId}/offence-expired/${o.tenant_id}`, event: { type: 'OffenceExpired' as const, data: { tenantId: o.tenant_id, offenceNumber: o.offence_number, expiredAt } } }],
            metadata: { actor: 'system', causationId: `retention/${runId}` },
          };
        }),
      );
    }
    const sessions = await trx.deleteFrom('sessions').where('expires_at', '<', now).executeTakeFirst();
    const addressees = await trx.deleteFrom('billing_addressees').where(sql<boolean>`keep_until < ${amsterdamDate(now)}::date`).executeTakeFirst();

    const run = {
      run_id: runId,
      ran_at: now,
      narratives_removed: narrativesRemoved,
      photos_removed: Number(photos.numDeletedRows),
      offences_removed: offences.length,
      sessions_removed: Number(sessions.numDeletedRows),
      billing_addressees_removed: Number(addressees.numDeletedRows),
    };
    await trx.insertInto('retention_runs').values(run).execute();
    return runOf(run);
  });
}

function runOf(row: { run_id: string; ran_at: Date | string; narratives_removed: number; photos_removed: number; offences_removed: number; sessions_removed: number; billing_addressees_removed: number }): RetentionRun {
  return {
    runId: row.run_id,
    ranAt: new Date(row.ran_at).toISOString(),
    narrativesRemoved: row.narratives_removed,
    photosRemoved: row.photos_removed,
    offencesRemoved: row.offences_removed,
    sessionsRemoved: row.sessions_removed,
    billingAddresseesRemoved: row.billing_addressees_removed,
  };
}

/** The latest runs, newest first: for the workspace's retention section. */
export async function latestRetentionRuns(db: Db, limit = 5): Promise<RetentionRun[]> {
  const rows = await db.selectFrom('retention_runs').selectAll().orderBy('ran_at', 'desc').limit(limit).execute();
  return rows.map(runOf);
}
