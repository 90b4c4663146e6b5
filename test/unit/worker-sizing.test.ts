import { ConfigError, loadConfig, workerDefaults } from '../../config/config';
import { workerSizingOptions } from '../../worker/sizing';

describe("the worker's sizing comes from the configuration", () => {
  it('WORKER_MAX_* and DATABASE_POOL_SIZE become the worker options and the pool size', () => {
    const config = loadConfig({
      WORKER_MAX_CACHED_WORKFLOWS: '300',
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '8',
      WORKER_MAX_CONCURRENT_ACTIVITIES: '12',
      DATABASE_POOL_SIZE: '6',
    });
    expect(workerSizingOptions(config.worker)).toEqual({
      maxCachedWorkflows: 300,
      maxConcurrentWorkflowTaskExecutions: 8,
      maxConcurrentActivityTaskExecutions: 12,
    });
    expect(config.databasePoolSize).toBe(6);
  });

  it('unset, the documented defaults bound the cache (not the SDK default of about 600 workflows a GB of heap)', () => {
    const config = loadConfig({});
    expect(workerSizingOptions(config.worker)).toEqual({
      maxCachedWorkflows: workerDefaults.maxCachedWorkflows,
      maxConcurrentWorkflowTaskExecutions: workerDefaults.maxConcurrentWorkflowTaskExecutions,
      maxConcurrentActivityTaskExecutions: workerDefaults.maxConcurrentActivityTaskExecutions,
    });
    expect(workerDefaults).toEqual({ maxCachedWorkflows: 500, maxConcurrentWorkflowTaskExecutions: 10, maxConcurrentActivityTaskExecutions: 20 });
    expect(config.databasePoolSize).toBe(10);
  });

  it.each([
    ['WORKER_MAX_CACHED_WORKFLOWS', '1'],
    ['WORKER_MAX_CACHED_WORKFLOWS', 'many'],
    ['WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', '1'],
    ['WORKER_MAX_CONCURRENT_ACTIVITIES', '0'],
    ['WORKER_MAX_CONCURRENT_ACTIVITIES', '2.5'],
    ['DATABASE_POOL_SIZE', '0'],
  ])('%s=%s is refused, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });

  it('more concurrent workflow tasks than cached workflows is refused (each task runs on a cached workflow)', () => {
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '20', WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '40' })).toThrow(
      /WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: at most WORKER_MAX_CACHED_WORKFLOWS/,
    );
  });
});
