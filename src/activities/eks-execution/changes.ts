// The four kinds of change as ChangeSpecs: how each reads its resource, recognises its own update among the listed
// ones (type and target parameters), and makes its EKS call with the step's token.
import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  UpdateAddonCommand,
  UpdateClusterVersionCommand,
  UpdateNodegroupConfigCommand,
  UpdateNodegroupVersionCommand,
  type EKSClient,
  type Nodegroup,
  type NodegroupUpdateConfig,
  type NodegroupUpdateStrategies,
} from '@aws-sdk/client-eks';
import type { AddonChange, ControlPlaneChange, NodegroupConfigChange, NodegroupVersionChange } from '../contracts';
import { minorOf } from '../../domain/versions';
import type { ChangeSpec } from './step';
import { param } from './updates';

export function controlPlaneSpec(
  eks: EKSClient,
  clusterName: string,
  change: ControlPlaneChange,
  force: boolean,
): ChangeSpec {
  const rollback = Number(change.to.split('.')[1]) < Number(change.from.split('.')[1]);
  const type = rollback ? 'VersionRollback' : 'VersionUpdate';
  return {
    what: `control plane of ${clusterName} to ${change.to}`,
    scope: {},
    read: async () => {
      const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
      return {
        atTarget: minorOf(cluster?.version) === change.to,
        observed: `cluster version ${cluster?.version ?? '?'}`,
      };
    },
    matches: (u) => u.type === type && param(u, 'Version') === change.to,
    issue: async (token) =>
      (
        await eks.send(
          new UpdateClusterVersionCommand({
            name: clusterName,
            version: change.to,
            clientRequestToken: token,
            ...(force ? { force } : {}),
          }),
        )
      ).update,
  };
}

export function addonSpec(eks: EKSClient, clusterName: string, change: AddonChange, force: boolean): ChangeSpec {
  // `force` for an add-on: overwrite conflicting fields (eksctl's --force does the same).
  const resolveConflicts = force ? 'OVERWRITE' : change.resolveConflicts;
  return {
    what: `add-on ${change.addonName} of ${clusterName} to ${change.to}`,
    scope: { addonName: change.addonName },
    read: async () => {
      const { addon } = await eks.send(new DescribeAddonCommand({ clusterName, addonName: change.addonName }));
      return {
        atTarget: addon?.addonVersion === change.to,
        observed: `add-on ${change.addonName} ${addon?.addonVersion ?? '?'}`,
      };
    },
    matches: (u) => u.type === 'AddonUpdate' && param(u, 'AddonVersion') === change.to,
    issue: async (token) =>
      (
        await eks.send(
          new UpdateAddonCommand({
            clusterName,
            addonName: change.addonName,
            addonVersion: change.to,
            resolveConflicts,
            clientRequestToken: token,
          }),
        )
      ).update,
  };
}

export function nodegroupVersionSpec(
  eks: EKSClient,
  clusterName: string,
  change: NodegroupVersionChange,
  force: boolean,
): ChangeSpec<Nodegroup> {
  const { nodegroupName, to } = change;
  const template = to.launchTemplate;
  const atTarget = (g: Nodegroup | undefined) =>
    !!g &&
    minorOf(g.version) === to.version &&
    (to.releaseVersion === undefined || g.releaseVersion === to.releaseVersion) &&
    (template === undefined || g.launchTemplate?.version === template.version);
  return {
    what: `node group ${nodegroupName} of ${clusterName} to ${to.version}${to.releaseVersion ? ` (${to.releaseVersion})` : ''}${template ? ` (launch template v${template.version})` : ''}`,
    scope: { nodegroupName },
    read: async () => {
      const { nodegroup } = await eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }));
      return {
        atTarget: atTarget(nodegroup),
        observed: `node group ${nodegroupName} ${nodegroup?.version ?? '?'}${nodegroup?.releaseVersion ? ` (${nodegroup.releaseVersion})` : ''}`,
        ...(nodegroup ? { resource: nodegroup } : {}),
      };
    },
    matches: (u) =>
      u.type === 'VersionUpdate' &&
      (template ? param(u, 'LaunchTemplateVersion') === template.version : param(u, 'Version') === to.version) &&
      (to.releaseVersion === undefined || param(u, 'ReleaseVersion') === to.releaseVersion),
    issue: async (token, group) => {
      // A custom AMI comes from the launch template: EKS refuses a version or release with it.
      const custom = group?.amiType === 'CUSTOM';
      const request = {
        clusterName,
        nodegroupName,
        clientRequestToken: token,
        ...(force ? { force } : {}),
        ...(custom ? {} : { version: to.version, ...(to.releaseVersion ? { releaseVersion: to.releaseVersion } : {}) }),
        ...(template
          ? {
              launchTemplate: {
                ...(template.id ? { id: template.id } : { name: template.name }),
                version: template.version,
              },
            }
          : {}),
      };
      return (await eks.send(new UpdateNodegroupVersionCommand(request))).update;
    },
  };
}

export function nodegroupConfigSpec(eks: EKSClient, clusterName: string, change: NodegroupConfigChange): ChangeSpec {
  const { nodegroupName, to } = change;
  const updateConfig: NodegroupUpdateConfig = {
    ...(to.maxUnavailablePercentage !== undefined
      ? { maxUnavailablePercentage: to.maxUnavailablePercentage }
      : { maxUnavailable: to.maxUnavailable ?? 1 }),
    ...(to.updateStrategy ? { updateStrategy: to.updateStrategy as NodegroupUpdateStrategies } : {}),
  };
  return {
    what: `node group ${nodegroupName} of ${clusterName} update settings`,
    scope: { nodegroupName },
    read: async () => {
      const { nodegroup } = await eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }));
      const now = nodegroup?.updateConfig ?? {};
      const atTarget =
        (updateConfig.maxUnavailable === undefined || now.maxUnavailable === updateConfig.maxUnavailable) &&
        (updateConfig.maxUnavailablePercentage === undefined ||
          now.maxUnavailablePercentage === updateConfig.maxUnavailablePercentage) &&
        (updateConfig.updateStrategy === undefined || now.updateStrategy === updateConfig.updateStrategy);
      return { atTarget, observed: `node group ${nodegroupName} updateConfig ${JSON.stringify(now)}` };
    },
    matches: (u) =>
      u.type === 'ConfigUpdate' &&
      (updateConfig.maxUnavailable === undefined ||
        param(u, 'MaxUnavailable') === String(updateConfig.maxUnavailable)) &&
      (updateConfig.maxUnavailablePercentage === undefined ||
        param(u, 'MaxUnavailablePercentage') === String(updateConfig.maxUnavailablePercentage)),
    issue: async (token) =>
      (
        await eks.send(
          new UpdateNodegroupConfigCommand({ clusterName, nodegroupName, updateConfig, clientRequestToken: token }),
        )
      ).update,
  };
}
