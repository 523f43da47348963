// Creating the eks-upgrade worker: one place for the Worker options, used by the worker main, the demo and the
// tests. Workflows come from a prebuilt bundle (tests, production) or are bundled from src/workflows.
import { Worker, type NativeConnection, type WorkerOptions, type WorkflowBundleOption } from '@temporalio/worker';
import type { AnalysisActivities, EvidenceActivities } from '../activities/contracts';
import { DEFAULT_SHUTDOWN_GRACE_MS } from './worker-env';

export interface UpgradeWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** From createActivities(deps): every activity the workflows call. */
  activities: EvidenceActivities & AnalysisActivities & object;
  /** A prebuilt bundle (bundleWorkflowCode); else `workflowsPath` (default: src/workflows/index.ts) is bundled. */
  workflowBundle?: WorkflowBundleOption;
  workflowsPath?: string;
  /**
   * How long SIGTERM/shutdown lets in-flight activities finish before cancelling them. At least the longest Bedrock
   * call (BEDROCK_REQUEST_TIMEOUT_MS, 120 s by default), so an analysis finishes and settles its guard reservation.
   */
  shutdownGraceTimeMs?: number;
  identity?: string;
  /** Concurrent activity executions per worker (default 50: Bedrock calls mostly wait on the network). */
  maxConcurrentActivityTaskExecutions?: number;
  /** Anything else Worker.create takes (interceptors, sinks, tuner…), applied last. */
  extra?: Partial<WorkerOptions>;
}

export const DEFAULT_WORKFLOWS_PATH = require.resolve('../workflows');

export async function createUpgradeWorker(options: UpgradeWorkerOptions): Promise<Worker> {
  if (options.workflowBundle && options.workflowsPath)
    throw new Error('createUpgradeWorker: give workflowBundle or workflowsPath, not both');
  const workflows: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> = options.workflowBundle
    ? { workflowBundle: options.workflowBundle }
    : { workflowsPath: options.workflowsPath ?? DEFAULT_WORKFLOWS_PATH };
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    ...workflows,
    shutdownGraceTime: options.shutdownGraceTimeMs ?? DEFAULT_SHUTDOWN_GRACE_MS,
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 50,
    // A cancellation (abort) reaches a running activity only in a heartbeat's reply; the default throttle
    // (80% of the heartbeat timeout) would delay it by up to 12 s for evidence and 24 s for analyses.
    maxHeartbeatThrottleInterval: '2 seconds',
    ...(options.identity ? { identity: options.identity } : {}),
    ...options.extra,
  });
}
