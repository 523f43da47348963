// An upgrade worker for a test, as the tests start it over and over: the shared prebuilt bundle, a short shutdown
// grace, running at once; stop() shuts it down and waits for its run to end.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createUpgradeWorker, type UpgradeWorkerOptions } from '../../src/worker/worker';
import { getWorkflowBundle } from './temporal';

export interface RunningTestWorker {
  worker: Worker;
  /** The worker's run: resolves once it has shut down (rejects if it failed). */
  running: Promise<void>;
  stop(): Promise<void>;
}

export async function runTestWorker(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  activities: UpgradeWorkerOptions['activities'],
): Promise<RunningTestWorker> {
  const worker = await createUpgradeWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities,
    workflowBundle: await getWorkflowBundle(),
    shutdownGraceTimeMs: 1_000,
  });
  const running = worker.run();
  return {
    worker,
    running,
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}
