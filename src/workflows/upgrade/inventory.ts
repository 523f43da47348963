// Phase 1, inventory: the cluster's state from a snapshot file or the EKS API, checked against the input.
import { workflowInfo } from '@temporalio/workflow';
import type { InventorySource } from '../../activities/contracts';
import { roleSessionName } from '../../domain/aws-role';
import { invalidUpgradeInput } from './failure';
import type { UpgradeRun } from './run';

export async function inventoryPhase({ state, acts }: UpgradeRun): Promise<void> {
  state.enter('inventory');
  const input = state.input;
  const source: InventorySource =
    input.inventory.kind === 'snapshot'
      ? input.inventory
      : {
          kind: 'eks',
          clusterName: input.clusterName,
          region: input.region ?? '',
          ...(input.inventory.assumeUpgradedTo ? { assumeUpgradedTo: input.inventory.assumeUpgradedTo } : {}),
          ...(input.roleArn
            ? {
                role: {
                  roleArn: input.roleArn,
                  sessionName: input.roleSessionName ?? roleSessionName(['eks-upgrade', workflowInfo().workflowId]),
                },
              }
            : {}),
        };
  const snapshot = await acts.inventory.loadClusterInventory(source);
  if (snapshot.cluster.name !== input.clusterName) {
    throw invalidUpgradeInput(
      `inventory: the snapshot describes cluster '${snapshot.cluster.name}', not clusterName '${input.clusterName}'. Pass the matching snapshot or cluster name.`,
    );
  }
  if (input.currentVersion && input.currentVersion !== snapshot.cluster.version) {
    state.note(
      `currentVersion ${input.currentVersion} was given, but the cluster runs ${snapshot.cluster.version}: the inventory wins.`,
    );
  }
  state.snapshot = snapshot;
  if (input.mode === 'execute' && !state.executionTarget())
    throw invalidUpgradeInput(
      `execute mode needs the cluster's region: pass region (--region), or an inventory whose cluster names one (cluster.region in the snapshot).`,
    );
  state.currentVersion = snapshot.cluster.version;
  state.context = {
    clusterName: input.clusterName,
    currentVersion: snapshot.cluster.version,
    targetVersion: input.targetVersion,
  };
}
