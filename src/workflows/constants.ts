// Names that the client, the worker and the workflows must agree on. One place, so they cannot drift.

/** Task queue every eks-upgrade worker polls (workflows and activities). */
export const TASK_QUEUE = 'eks-upgrade';

/** Default workflow id of the singleton Bedrock cost/rate guard (one per namespace). */
export const DEFAULT_GUARD_WORKFLOW_ID = 'bedrock-guard';

/** Workflow id of the upgrade of one cluster to one target version: `upgrade-<cluster>-<target>`. */
export function upgradeWorkflowId(clusterName: string, targetVersion: string): string {
  return `upgrade-${clusterName}-${targetVersion}`;
}
