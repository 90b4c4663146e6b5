import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { applyRetention } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes' },
});

/**
 * The retention policy, applied once (db/retention.ts); the Schedule `retention` starts it daily
 * (worker/retention-schedule.ts). Its own workflow id (one per scheduled run) is the run's id, so a
 * retried activity removes nothing twice. It carries no personal data: only the figures come back.
 */
export async function retentionWorkflow(): Promise<Awaited<ReturnType<Activities['applyRetention']>>> {
  return applyRetention({ runId: workflowInfo().workflowId, at: new Date(Date.now()).toISOString() });
}
