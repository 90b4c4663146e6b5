import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { retentionWorkflow } from '../workflows/retention';

export const RETENTION_SCHEDULE_ID = 'retention';

/**
 * The daily retention run as a Temporal Schedule, made when the worker starts (npm start, npm run
 * worker) and left as it is when it exists: an operator may have paused it or changed its time in
 * the Temporal UI, and a restart must not undo that. 03:30 Amsterdam time, one run at a time.
 */
export async function ensureRetentionSchedule(client: Client, taskQueue: string, scheduleId = RETENTION_SCHEDULE_ID): Promise<'created' | 'existed'> {
  try {
    await client.schedule.create({
      scheduleId,
      spec: { calendars: [{ hour: 3, minute: 30 }], timezone: 'Europe/Amsterdam' },
      action: { type: 'startWorkflow', workflowType: 'retentionWorkflow' satisfies typeof retentionWorkflow.name, workflowId: `${scheduleId}-run`, taskQueue, args: [] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
      state: { note: 'AVG: removes personal data past its retention (README: Operations, Retention)' },
    });
    return 'created';
  } catch (error) {
    if (error instanceof ScheduleAlreadyRunning) return 'existed';
    throw error;
  }
}
