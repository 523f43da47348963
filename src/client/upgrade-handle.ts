// Finding one upgrade workflow and reading its state, with a clear answer when no worker is there to reply.
import { WorkflowNotFoundError, type Client, type Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { upgradeWorkflowId } from '../workflows/constants';
import { UPGRADE_DECISION, UPGRADE_PHASE } from '../workflows/search-attributes';
import { statusQuery, type UpgradeStatus } from '../workflows/upgrade-messages';
import { UsageError } from './usage';

export interface UpgradeRef {
  cluster?: string;
  target?: string;
  workflowId?: string;
}

/** The workflow id from `--workflow-id`, or from `--cluster` and `--target`. */
export function resolveWorkflowId(ref: UpgradeRef): string {
  if (ref.workflowId) {
    if (ref.cluster || ref.target)
      throw new UsageError('give either --workflow-id or --cluster with --target, not both', '--workflow-id');
    return ref.workflowId;
  }
  if (!ref.cluster)
    throw new UsageError('which upgrade? pass --cluster NAME --target 1.NN (or --workflow-id ID)', '--cluster');
  if (!ref.target)
    throw new UsageError('which upgrade? pass --target 1.NN with --cluster (or --workflow-id ID)', '--target');
  return upgradeWorkflowId(ref.cluster, ref.target);
}

/** A query that gives up after `timeoutMs` instead of hanging while no worker polls the task queue. */
export async function queryWithDeadline<T>(
  connection: Connection,
  run: () => Promise<T>,
  timeoutMs: number,
): Promise<T> {
  return connection.withDeadline(Date.now() + timeoutMs, run);
}

export class NoWorkerError extends Error {
  override readonly name = 'NoWorkerError';
}

/** What can be said about an upgrade without a worker: the server's view plus the search attributes. */
export interface ServerView {
  workflowId: string;
  runId: string;
  status: string;
  startTime: string;
  closeTime?: string;
  taskQueue: string;
  phase?: string;
  decision?: string;
  /** The attempt of the pending workflow task; above 1 while a workflow task keeps failing or timing out. */
  workflowTaskAttempt?: number;
}

export async function describeUpgrade(handle: WorkflowHandle): Promise<ServerView> {
  const d = await handle.describe();
  const phase = d.typedSearchAttributes.get(UPGRADE_PHASE);
  const decision = d.typedSearchAttributes.get(UPGRADE_DECISION);
  const attempt = d.raw.pendingWorkflowTask?.attempt;
  return {
    workflowId: d.workflowId,
    runId: d.runId,
    status: d.status.name,
    startTime: d.startTime.toISOString(),
    ...(d.closeTime ? { closeTime: d.closeTime.toISOString() } : {}),
    taskQueue: d.taskQueue,
    ...(phase ? { phase } : {}),
    ...(decision ? { decision } : {}),
    ...(attempt ? { workflowTaskAttempt: attempt } : {}),
  };
}

/** Who polls the task queue for workflow tasks: a missing worker and a busy one call for different fixes. */
export async function workflowPollers(client: Client, taskQueue: string): Promise<string[]> {
  try {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    return (pollers ?? []).map((p) => p.identity ?? 'unknown worker');
  } catch {
    return [];
  }
}

/**
 * The `status` query. Fails with NoWorkerError (naming the task queue) when nobody answers in time, and with
 * WorkflowNotFoundError when there is no such upgrade.
 */
export async function queryStatus(
  client: Client,
  connection: Connection,
  workflowId: string,
  timeoutMs = 10_000,
): Promise<UpgradeStatus> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    return await queryWithDeadline(connection, () => handle.query(statusQuery), timeoutMs);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw err;
    const view = await describeUpgrade(handle);
    const pollers = await workflowPollers(client, view.taskQueue);
    const state = `${workflowId} (${view.status.toLowerCase()}, phase ${view.phase ?? 'unknown'}${view.decision ? `, decision ${view.decision}` : ''})`;
    throw new NoWorkerError(
      pollers.length > 0
        ? `${state} did not answer the status query within ${timeoutMs / 1000}s although ${pollers.length} worker(s) poll task queue '${view.taskQueue}' (${pollers.slice(0, 3).join(', ')}): they may be overloaded; try again. (${(err as Error).message})`
        : `${state} did not answer the status query within ${timeoutMs / 1000}s: no worker polls task queue '${view.taskQueue}'. ` +
            `Start one with \`eks-upgrade worker\`. (${(err as Error).message})`,
    );
  }
}
