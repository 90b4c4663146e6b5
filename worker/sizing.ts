import type { WorkerOptions } from '@temporalio/worker';
import type { WorkerSizing } from '../config/config';

/** The worker's share of the configuration (WORKER_MAX_*) as Temporal worker options. */
export function workerSizingOptions(sizing: WorkerSizing): Pick<WorkerOptions, 'maxCachedWorkflows' | 'maxConcurrentWorkflowTaskExecutions' | 'maxConcurrentActivityTaskExecutions'> {
  return {
    maxCachedWorkflows: sizing.maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: sizing.maxConcurrentWorkflowTaskExecutions,
    maxConcurrentActivityTaskExecutions: sizing.maxConcurrentActivityTaskExecutions,
  };
}
