// The upgrade plan: inventory + target → ordered, typed steps. Order (docs/reference/eks-execution.md §5):
//   preflight → control plane → vpc-cni/coredns where their target version runs on both minors → managed node
//   groups (concurrency, maxUnavailable) → manual data-plane steps (Fargate, Karpenter, self-managed, hybrid, custom
//   AMIs) → kube-proxy (never newer than a kubelet, so after every node), the add-ons that run only on the target,
//   then the rest. EKS add-ons never update themselves, and move one minor per update.
import type { Addon, ClusterSnapshot, NodeGroup } from '../snapshot';
import { compareMinor, nextMinor, normalizeMinor } from '../versions';
import { addonUpgradePath, compareAddonVersions, targetAddonVersion, validForBoth } from './addon-versions';
import { customAmiNodegroupStep, fargateStep, hybridStep, karpenterStep, selfManagedStep } from './manual';
import {
  addonStep,
  controlPlaneStep,
  nodegroupConfigStep,
  nodegroupVersionStep,
  preflightStep,
  type StepContext,
} from './steps';
import type { PlanStageInfo, PlanStep, ResolveConflicts, UpgradePlan, UpgradeStage } from './types';

export interface PlanOptions {
  /** How many node groups update at once (default 1). */
  nodegroupConcurrency?: number;
  /** Nodes replaced at once in every node group; when it differs from a group's setting, a config step comes first. */
  maxUnavailable?: number;
  /** Launch-template versions to roll out, by node group (needed for node groups whose AMI is in the template). */
  launchTemplateVersions?: Record<string, string>;
  /** UpdateAddon resolveConflicts (default PRESERVE: keeps changed fields, so custom add-on settings survive). */
  resolveConflicts?: ResolveConflicts;
}

/** Bad plan input (a version that is not the next minor, a bad option): the CLI prints it and exits 2. */
export class PlanInputError extends Error {
  override readonly name = 'PlanInputError';
}

export const STAGE_TITLES: Record<UpgradeStage, string> = {
  preflight: 'Preflight',
  'control-plane': 'Control plane',
  'addons-before-nodes': 'Add-ons that run on both minors (before the nodes)',
  'node-groups': 'Managed node groups',
  'data-plane-manual': 'The rest of the data plane (manual)',
  'addons-after-nodes': 'Add-ons after the nodes (kube-proxy first)',
};

const STAGE_ORDER: UpgradeStage[] = [
  'preflight',
  'control-plane',
  'addons-before-nodes',
  'node-groups',
  'data-plane-manual',
  'addons-after-nodes',
];

const BEFORE_NODES_CANDIDATES = new Set(['vpc-cni', 'coredns']);

function nodeCount(snapshot: ClusterSnapshot, group: NodeGroup): number {
  const desired = group.scaling?.desiredSize;
  if (desired !== undefined) return desired;
  const seen = (snapshot.nodes ?? []).filter((n) => n.nodeGroup === group.name).length;
  return seen > 0 ? seen : 1;
}

/** The group's nodes replaced at once: maxUnavailable, or the percentage of its nodes (at least 1). */
export function effectiveMaxUnavailable(
  settings: { maxUnavailable?: number; maxUnavailablePercentage?: number } | undefined,
  nodes: number,
): number {
  if (settings?.maxUnavailable !== undefined) return settings.maxUnavailable;
  if (settings?.maxUnavailablePercentage !== undefined)
    return Math.max(1, Math.floor((nodes * settings.maxUnavailablePercentage) / 100));
  return 1;
}

function addonSteps(
  ctx: StepContext,
  addon: Addon,
  current: string,
  target: string,
  resolveConflicts: ResolveConflicts,
  plan: { warnings: string[]; unchanged: string[] },
): { stage: UpgradeStage; steps: PlanStep[] } | undefined {
  const to = targetAddonVersion(addon, target);
  if (!to) {
    plan.warnings.push(
      `Add-on ${addon.name}: no version compatible with ${target} is known (DescribeAddonVersions); find one with \`aws eks describe-addon-versions --addon-name ${addon.name} --kubernetes-version ${target}\` and update it after the nodes.`,
    );
    return undefined;
  }
  const compatibleNow = addon.compatibleVersions?.[target]?.includes(addon.version) ?? false;
  if (compareAddonVersions(addon.version, to) >= 0) {
    if (compatibleNow || compareAddonVersions(addon.version, to) === 0)
      plan.unchanged.push(`addon/${addon.name}: ${addon.version} already runs on ${target}`);
    else
      plan.warnings.push(
        `Add-on ${addon.name} ${addon.version} is newer than ${target}'s default ${to} but not listed for ${target}: check it by hand.`,
      );
    return undefined;
  }
  const path = addonUpgradePath(addon, to, target);
  if (path.missingMinors.length > 0)
    plan.warnings.push(
      `Add-on ${addon.name} ${addon.version} → ${to} passes ${path.missingMinors.join(', ')}, for which no version compatible with ${target} is known; EKS moves add-ons one minor per update, so update it through ${path.missingMinors.join(', ')} before the upgrade.`,
    );
  const beforeNodes =
    BEFORE_NODES_CANDIDATES.has(addon.name) &&
    validForBoth(addon, path.hops, current, target) &&
    addon.name !== 'kube-proxy';
  const stage: UpgradeStage = beforeNodes ? 'addons-before-nodes' : 'addons-after-nodes';
  const why = beforeNodes
    ? `its ${target} default also runs on ${current}, so it may precede the nodes`
    : addon.name === 'kube-proxy'
      ? 'kube-proxy may not be newer than any kubelet, so it follows the nodes'
      : `after the nodes, as the ${target} default`;
  const steps: PlanStep[] = [];
  let from = addon.version;
  for (const hop of path.hops) {
    const previous = steps.at(-1);
    steps.push(addonStep(ctx, stage, addon.name, from, hop, resolveConflicts, previous ? [previous.id] : [], why));
    from = hop;
  }
  return { stage, steps };
}

/** Orders the after-nodes add-ons: kube-proxy, then vpc-cni and coredns, then the rest as listed. */
function afterNodesRank(name: string): number {
  return name === 'kube-proxy' ? 0 : BEFORE_NODES_CANDIDATES.has(name) ? 1 : 2;
}

export function buildUpgradePlan(
  snapshot: ClusterSnapshot,
  targetVersion: string,
  options: PlanOptions = {},
): UpgradePlan {
  const current = normalizeMinor(snapshot.cluster.version, 'cluster version');
  let target: string;
  try {
    target = normalizeMinor(targetVersion, 'target version');
  } catch (error) {
    throw new PlanInputError((error as Error).message);
  }
  if (target !== nextMinor(current))
    throw new PlanInputError(
      `target ${target} is not the next minor after the cluster's ${current}: EKS upgrades one minor at a time (plan ${nextMinor(current)} first)`,
    );
  const concurrency = options.nodegroupConcurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 20)
    throw new PlanInputError(`node-group concurrency must be a whole number from 1 to 20, not ${concurrency}`);
  if (
    options.maxUnavailable !== undefined &&
    (!Number.isInteger(options.maxUnavailable) || options.maxUnavailable < 1 || options.maxUnavailable > 100)
  )
    throw new PlanInputError(
      `maxUnavailable must be a whole number from 1 to 100 (EKS's range), not ${options.maxUnavailable}`,
    );
  for (const name of Object.keys(options.launchTemplateVersions ?? {}))
    if (!(snapshot.nodeGroups ?? []).some((g) => g.name === name && g.launchTemplate))
      throw new PlanInputError(
        `--launch-template-version ${name}: no node group ${name} with a launch template in the inventory`,
      );

  const ctx: StepContext = {
    clusterName: snapshot.cluster.name,
    ...(snapshot.cluster.region ? { region: snapshot.cluster.region } : {}),
  };
  const resolveConflicts = options.resolveConflicts ?? 'PRESERVE';
  const plan = { warnings: [] as string[], unchanged: [] as string[] };
  const byStage = new Map<UpgradeStage, PlanStep[]>(STAGE_ORDER.map((s) => [s, []]));
  const add = (stage: UpgradeStage, ...steps: PlanStep[]) => byStage.get(stage)?.push(...steps);

  if (snapshot.cluster.status && snapshot.cluster.status !== 'ACTIVE')
    plan.warnings.push(`The cluster is ${snapshot.cluster.status}, not ACTIVE: the preflight will stop until it is.`);
  add('preflight', preflightStep(ctx, 'preflight', 'preflight', 'the inventory this plan was made from'));
  add('control-plane', controlPlaneStep(ctx, current, target));

  const afterNodes: Array<{ name: string; steps: PlanStep[] }> = [];
  for (const addon of snapshot.addons ?? []) {
    const planned = addonSteps(ctx, addon, current, target, resolveConflicts, plan);
    if (!planned) continue;
    if (planned.stage === 'addons-before-nodes') add('addons-before-nodes', ...planned.steps);
    else afterNodes.push({ name: addon.name, steps: planned.steps });
  }
  afterNodes.sort((a, b) => afterNodesRank(a.name) - afterNodesRank(b.name));
  add('addons-after-nodes', ...afterNodes.flatMap((a) => a.steps));

  for (const group of snapshot.nodeGroups ?? []) {
    const nodes = nodeCount(snapshot, group);
    const from = {
      version: normalizeMinor(group.version, `node group ${group.name} version`),
      ...(group.releaseVersion ? { releaseVersion: group.releaseVersion } : {}),
      ...(group.launchTemplate ? { launchTemplate: group.launchTemplate } : {}),
    };
    if (compareMinor(from.version, current) < 0)
      plan.warnings.push(
        `Node group ${group.name} is on ${from.version}, behind the control plane's ${current}: EKS refuses the control-plane upgrade until every managed node group is on ${current} (UPG002). Update it first: \`aws eks update-nodegroup-version --cluster-name ${ctx.clusterName} --nodegroup-name ${group.name} --kubernetes-version ${current}\`.`,
      );
    const templateVersion = options.launchTemplateVersions?.[group.name];
    if (group.amiType === 'CUSTOM' && !templateVersion) {
      if (group.launchTemplate)
        add('data-plane-manual', customAmiNodegroupStep(ctx, group.name, group.launchTemplate, target));
      else
        plan.warnings.push(
          `Node group ${group.name} has a custom AMI but no launch template is known: update it by hand.`,
        );
      continue;
    }
    if (from.version === target && !templateVersion) {
      plan.unchanged.push(`nodegroup/${group.name}: already on ${target}`);
      continue;
    }
    const currentSettings = group.updateConfig ?? {};
    let maxUnavailable = effectiveMaxUnavailable(currentSettings, nodes);
    const steps: PlanStep[] = [];
    if (options.maxUnavailable !== undefined && options.maxUnavailable !== currentSettings.maxUnavailable) {
      steps.push(
        nodegroupConfigStep(ctx, 'node-groups', group.name, currentSettings, {
          maxUnavailable: options.maxUnavailable,
          ...(currentSettings.updateStrategy ? { updateStrategy: currentSettings.updateStrategy } : {}),
        }),
      );
      maxUnavailable = options.maxUnavailable;
    }
    const to = {
      version: target,
      ...(templateVersion && group.launchTemplate
        ? {
            launchTemplate: {
              ...(group.launchTemplate.id ? { id: group.launchTemplate.id } : {}),
              ...(group.launchTemplate.name ? { name: group.launchTemplate.name } : {}),
              version: templateVersion,
            },
          }
        : {}),
    };
    steps.push(
      nodegroupVersionStep(
        ctx,
        'node-groups',
        group.name,
        from,
        to,
        nodes,
        maxUnavailable,
        steps.map((s) => s.id),
      ),
    );
    add('node-groups', ...steps);
  }

  const nodesOf = (kind: string) => (snapshot.nodes ?? []).filter((n) => n.kind === kind).map((n) => n.name);
  const profiles = (snapshot.fargateProfiles ?? []).map((p) => p.name);
  if (profiles.length > 0) add('data-plane-manual', fargateStep(ctx, profiles, target));
  if (nodesOf('karpenter').length > 0) add('data-plane-manual', karpenterStep(ctx, nodesOf('karpenter'), target));
  if (nodesOf('self-managed').length > 0)
    add('data-plane-manual', selfManagedStep(ctx, nodesOf('self-managed'), target));
  if (nodesOf('hybrid').length > 0) add('data-plane-manual', hybridStep(ctx, nodesOf('hybrid'), target));

  const stages: PlanStageInfo[] = [];
  const steps: PlanStep[] = [];
  for (const stage of STAGE_ORDER) {
    const list = byStage.get(stage) ?? [];
    if (list.length === 0) continue;
    stages.push({
      stage,
      title: STAGE_TITLES[stage],
      steps: list.map((s) => s.id),
      concurrency: stage === 'node-groups' ? concurrency : 1,
    });
    steps.push(...list);
  }
  const ids = new Set<string>();
  for (const step of steps) {
    if (ids.has(step.id)) throw new Error(`plan has two steps with id ${step.id}`);
    ids.add(step.id);
  }
  return {
    kind: 'upgrade',
    clusterName: ctx.clusterName,
    ...(ctx.region ? { region: ctx.region } : {}),
    currentVersion: current,
    targetVersion: target,
    stages,
    steps,
    unchanged: plan.unchanged,
    warnings: plan.warnings,
  };
}
