// Names that the client, the worker and the workflows must agree on. One place, so they cannot drift.

/** Task queue every eks-upgrade worker polls (workflows and activities). */
export const TASK_QUEUE = 'eks-upgrade';

/** Default workflow id of the singleton Bedrock cost/rate guard (one per namespace). */
export const DEFAULT_GUARD_WORKFLOW_ID = 'bedrock-guard';

/** Workflow id of the upgrade of one cluster to one target version: `upgrade-<cluster>-<target>`. */
export function upgradeWorkflowId(clusterName: string, targetVersion: string): string {
  return `upgrade-${clusterName}-${targetVersion}`;
}

/** Workflow id of a campaign: `campaign-<name>`. */
export function campaignWorkflowId(name: string): string {
  return `campaign-${name}`;
}

/**
 * Task queue of the shared analyses (`analysis-<key>` workflows and the Bedrock call each makes): its own queue with
 * its own worker slots, so upgrades waiting for a shared result can never starve the call that produces it.
 */
export function analysisTaskQueueFor(taskQueue: string): string {
  return `${taskQueue}-analysis`;
}
