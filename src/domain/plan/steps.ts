// Step constructors for the automated kinds: what each changes, its precondition, how it is undone, the exact AWS CLI
// commands and API calls, and what to watch. Durations are rough figures for the playbook (docs/execution.md).
import type {
  NodegroupUpdateSettings,
  NodegroupVersionState,
  NodegroupVersionTarget,
  PlanStageName,
  PlanStep,
  ResolveConflicts,
} from './types';

export interface StepContext {
  clusterName: string;
  region?: string;
}

/** Rough minutes: the control plane "several minutes" (observed 10–25), an add-on a few, a node group per round. */
export const ESTIMATED_MINUTES = { preflight: 1, controlPlane: 15, addon: 3, nodegroupConfig: 2, nodegroupRound: 10 };

const regionFlag = (ctx: StepContext) => (ctx.region ? ` --region ${ctx.region}` : '');

export function describeUpdateCommand(ctx: StepContext, resource?: { nodegroupName?: string; addonName?: string }) {
  const scope = resource?.nodegroupName
    ? ` --nodegroup-name ${resource.nodegroupName}`
    : resource?.addonName
      ? ` --addon-name ${resource.addonName}`
      : '';
  return `aws eks describe-update --name ${ctx.clusterName} --update-id <update-id>${scope}${regionFlag(ctx)}`;
}

export function preflightStep(ctx: StepContext, id: string, stage: PlanStageName, what: string): PlanStep {
  return {
    id,
    stage,
    title: `Preflight: ${ctx.clusterName} is ACTIVE, no update is running, versions are as planned`,
    automated: true,
    change: { kind: 'preflight' },
    summary: `Changes nothing: re-reads the cluster, node groups and add-ons and compares them with ${what}.`,
    precondition: 'none',
    undo: 'nothing to undo',
    commands: [
      `aws eks describe-cluster --name ${ctx.clusterName}${regionFlag(ctx)} --query 'cluster.[status,version]'`,
      `aws eks list-updates --name ${ctx.clusterName}${regionFlag(ctx)}`,
      `aws eks list-nodegroups --cluster-name ${ctx.clusterName}${regionFlag(ctx)}`,
      `aws eks list-addons --cluster-name ${ctx.clusterName}${regionFlag(ctx)}`,
    ],
    apiCalls: ['DescribeCluster', 'ListUpdates + DescribeUpdate', 'DescribeNodegroup', 'DescribeAddon'],
    watch: ['Any difference (drift) stops the run and asks the operator: someone changed the cluster meanwhile.'],
    dependsOn: [],
    estimatedMinutes: ESTIMATED_MINUTES.preflight,
  };
}

export function controlPlaneStep(ctx: StepContext, from: string, to: string): PlanStep {
  const rollback = Number(to.split('.')[1]) < Number(from.split('.')[1]);
  return {
    id: `control-plane/${to}`,
    stage: rollback ? 'rollback-control-plane' : 'control-plane',
    title: rollback ? `Roll the control plane back ${from} → ${to}` : `Upgrade the control plane ${from} → ${to}`,
    automated: true,
    change: { kind: 'control-plane-version', from, to },
    summary: rollback
      ? `Kubernetes API server and control-plane components from ${from} back to ${to} (update type VersionRollback; etcd data, workloads, add-ons and node groups are not rolled back).`
      : `Kubernetes API server and control-plane components from ${from} to ${to} (update type VersionUpdate); the platform version becomes the newest for ${to}.`,
    precondition: rollback
      ? `Within 7 days of the upgrade to ${from} ending; cluster ACTIVE with no other update running; every node group and kube-proxy at ${to} or older; ROLLBACK_READINESS insights passing (ERROR and UNKNOWN block; force skips only the insights).`
      : `Cluster ACTIVE with no update running; every managed node group and Fargate pod on ${from}; 5 free IPs in the cluster subnets; no API removed in ${to} still in use (upgrade insights; force would skip them).`,
    undo: rollback
      ? `Upgrade again: UpdateClusterVersion to ${from}.`
      : `UpdateClusterVersion back to ${from} (VersionRollback) within 7 days of this update ending, after the node groups and add-ons are back (eks-upgrade rollback plans it).`,
    commands: [
      `aws eks update-cluster-version --name ${ctx.clusterName} --kubernetes-version ${to}${regionFlag(ctx)}`,
      describeUpdateCommand(ctx),
    ],
    apiCalls: [`UpdateClusterVersion {name: ${ctx.clusterName}, version: ${to}}`, 'DescribeUpdate until Successful'],
    watch: [
      'DescribeUpdate status InProgress → Successful (Failed keeps the old version; read errors[].errorCode).',
      `kubectl version: the server reports v${to}.x once done; API-server IPs change, so long-lived clients reconnect.`,
      'Workload error rates and the API-server request latency while the control plane rolls.',
    ],
    dependsOn: [],
    estimatedMinutes: ESTIMATED_MINUTES.controlPlane,
  };
}

export function rollbackReadinessStep(ctx: StepContext, version: string): PlanStep {
  return {
    id: `rollback-readiness/${version}`,
    stage: 'rollback-control-plane',
    title: `Rollback readiness: ROLLBACK_READINESS insights for ${version} pass`,
    automated: true,
    change: { kind: 'rollback-readiness', version },
    summary: 'Changes nothing: refreshes the cluster insights and checks every ROLLBACK_READINESS insight.',
    precondition: 'The node groups and add-ons are back on versions that run on the previous minor.',
    undo: 'nothing to undo',
    commands: [
      `aws eks start-insights-refresh --cluster-name ${ctx.clusterName}${regionFlag(ctx)}`,
      `aws eks list-insights --cluster-name ${ctx.clusterName} --filter categories=ROLLBACK_READINESS${regionFlag(ctx)}`,
    ],
    apiCalls: ['StartInsightsRefresh', 'DescribeInsightsRefresh until COMPLETED', 'ListInsights(ROLLBACK_READINESS)'],
    watch: ['An ERROR or UNKNOWN insight blocks the rollback: fix it, or decide to force (force skips only insights).'],
    dependsOn: [],
    estimatedMinutes: ESTIMATED_MINUTES.preflight,
  };
}

export function addonStep(
  ctx: StepContext,
  stage: PlanStageName,
  addonName: string,
  from: string,
  to: string,
  resolveConflicts: ResolveConflicts,
  dependsOn: string[],
  why: string,
): PlanStep {
  return {
    id: `addon/${addonName}/${to}`,
    stage,
    title: `Update add-on ${addonName} ${from} → ${to}`,
    automated: true,
    change: { kind: 'addon-version', addonName, from, to, resolveConflicts },
    summary: `EKS add-on ${addonName} from ${from} to ${to} (${why}); resolveConflicts ${resolveConflicts}.`,
    precondition: `Add-on ${addonName} ACTIVE at ${from} with no update running; ${to} listed by DescribeAddonVersions for the cluster's version.`,
    undo: `UpdateAddon back to ${from} (one minor at a time${addonName === 'coredns' ? '; a CoreDNS downgrade leaves its PodDisruptionBudget behind' : ''}).`,
    commands: [
      `aws eks update-addon --cluster-name ${ctx.clusterName} --addon-name ${addonName} --addon-version ${to} --resolve-conflicts ${resolveConflicts}${regionFlag(ctx)}`,
      describeUpdateCommand(ctx, { addonName }),
    ],
    apiCalls: [
      `UpdateAddon {clusterName: ${ctx.clusterName}, addonName: ${addonName}, addonVersion: ${to}, resolveConflicts: ${resolveConflicts}}`,
      'DescribeUpdate until Successful',
    ],
    watch: [
      `aws eks describe-addon --cluster-name ${ctx.clusterName} --addon-name ${addonName} --query 'addon.[status,addonVersion,health]'`,
      `kubectl -n kube-system get pods -l k8s-app=${addonName === 'vpc-cni' ? 'aws-node' : addonName === 'coredns' ? 'kube-dns' : addonName} (pods restart on the new image; none stuck in CrashLoopBackOff)`,
    ],
    dependsOn,
    estimatedMinutes: ESTIMATED_MINUTES.addon,
  };
}

function settingsText(s: NodegroupUpdateSettings): string {
  if (s.maxUnavailablePercentage !== undefined) return `maxUnavailablePercentage=${s.maxUnavailablePercentage}`;
  return `maxUnavailable=${s.maxUnavailable ?? 1}`;
}

export function nodegroupConfigStep(
  ctx: StepContext,
  stage: PlanStageName,
  nodegroupName: string,
  from: NodegroupUpdateSettings,
  to: NodegroupUpdateSettings,
): PlanStep {
  return {
    id: `nodegroup/${nodegroupName}/config/${settingsText(to)}`,
    stage,
    title: `Set node group ${nodegroupName} ${settingsText(from)} → ${settingsText(to)}`,
    automated: true,
    change: { kind: 'nodegroup-config', nodegroupName, from, to },
    summary: `How many nodes of ${nodegroupName} a version update replaces at once, from ${settingsText(from)} to ${settingsText(to)} (update type ConfigUpdate).`,
    precondition: `Node group ${nodegroupName} ACTIVE with no update running.`,
    undo: `UpdateNodegroupConfig back to ${settingsText(from)}.`,
    commands: [
      `aws eks update-nodegroup-config --cluster-name ${ctx.clusterName} --nodegroup-name ${nodegroupName} --update-config ${settingsText(to)}${regionFlag(ctx)}`,
      describeUpdateCommand(ctx, { nodegroupName }),
    ],
    apiCalls: [`UpdateNodegroupConfig {updateConfig: {${settingsText(to)}}}`, 'DescribeUpdate until Successful'],
    watch: ['DescribeUpdate status; the node group stays ACTIVE and no node is replaced by this change.'],
    dependsOn: [],
    estimatedMinutes: ESTIMATED_MINUTES.nodegroupConfig,
  };
}

export function versionTargetText(t: NodegroupVersionTarget | NodegroupVersionState): string {
  const parts = [t.version];
  if (t.releaseVersion) parts.push(`release ${t.releaseVersion}`);
  if (t.launchTemplate?.version)
    parts.push(`launch template ${t.launchTemplate.name ?? t.launchTemplate.id ?? ''} v${t.launchTemplate.version}`);
  return parts.join(', ');
}

function nodegroupVersionFlags(to: NodegroupVersionTarget): string {
  if (to.launchTemplate) {
    const ref = to.launchTemplate.id ? `id=${to.launchTemplate.id}` : `name=${to.launchTemplate.name ?? ''}`;
    return ` --launch-template ${ref},version=${to.launchTemplate.version}`;
  }
  return ` --kubernetes-version ${to.version}${to.releaseVersion ? ` --release-version ${to.releaseVersion}` : ''}`;
}

export function nodegroupVersionStep(
  ctx: StepContext,
  stage: PlanStageName,
  nodegroupName: string,
  from: NodegroupVersionState,
  to: NodegroupVersionTarget,
  nodes: number,
  maxUnavailable: number,
  dependsOn: string[],
): PlanStep {
  const rounds = Math.max(1, Math.ceil(nodes / Math.max(1, maxUnavailable)));
  const rollback = Number(to.version.split('.')[1]) < Number(from.version.split('.')[1]);
  const ami = to.launchTemplate
    ? `launch template version ${to.launchTemplate.version}`
    : (to.releaseVersion ?? `the newest ${to.version} AMI`);
  return {
    id: `nodegroup/${nodegroupName}/version/${to.launchTemplate ? `lt-${to.launchTemplate.version}` : (to.releaseVersion ?? to.version)}`,
    stage,
    title: `${rollback ? 'Roll back' : 'Update'} node group ${nodegroupName} ${versionTargetText(from)} → ${versionTargetText(to)}`,
    automated: true,
    change: { kind: 'nodegroup-version', nodegroupName, from, to, nodes, maxUnavailable },
    summary: `Managed node group ${nodegroupName} (${nodes} node${nodes === 1 ? '' : 's'}) from ${versionTargetText(from)} to ${ami}: ${maxUnavailable} node(s) at a time, ${rounds} round(s) of launch, drain (PDBs honoured, 15 min at most per node), terminate.`,
    precondition: `Node group ${nodegroupName} ACTIVE with no update running; the control plane on ${to.version} or newer; room for the surge nodes (ASG max, EC2 limits, subnet IPs).`,
    undo: rollback
      ? `Upgrade it again: UpdateNodegroupVersion to ${versionTargetText(from)}.`
      : `UpdateNodegroupVersion back to ${versionTargetText(from)}; if EKS refuses a lower version, a blue/green swap: a new node group on the old AMI with the same labels, taints and sizes, then cordon, drain and delete this one.`,
    commands: [
      `aws eks update-nodegroup-version --cluster-name ${ctx.clusterName} --nodegroup-name ${nodegroupName}${nodegroupVersionFlags(to)}${regionFlag(ctx)}`,
      describeUpdateCommand(ctx, { nodegroupName }),
    ],
    apiCalls: [
      `UpdateNodegroupVersion {nodegroupName: ${nodegroupName}, ${to.launchTemplate ? `launchTemplate: {version: ${to.launchTemplate.version}}` : `version: ${to.version}${to.releaseVersion ? `, releaseVersion: ${to.releaseVersion}` : ''}`}}`,
      'DescribeUpdate until Successful',
    ],
    watch: [
      `kubectl get nodes -l eks.amazonaws.com/nodegroup=${nodegroupName} -o wide (new nodes Ready on v${to.version}, old ones cordoned then gone)`,
      'kubectl get pdb -A (ALLOWED DISRUPTIONS 0 blocks draining: PodEvictionFailure after 15 minutes)',
      'Pods Pending for lack of capacity while nodes roll; NodeCreationFailure means the new nodes cannot join.',
    ],
    dependsOn,
    estimatedMinutes: ESTIMATED_MINUTES.nodegroupRound * (rounds + 1),
  };
}
