// The rollback plan: from what an executed upgrade changed (its step records, with the previous versions) and the
// current time, the steps that undo it where EKS allows, in the reverse order of the upgrade with the control plane
// last: add-ons that followed the nodes (kube-proxy), node groups, add-ons that preceded them, then the control plane
// (UpdateClusterVersion to the previous minor = VersionRollback, within 7 days of the upgrade ending, after the
// ROLLBACK_READINESS insights pass). What EKS refuses is listed with what to do by hand (eks-execution.md §6).
import { compareMinor } from '../versions';
import {
  addonStep,
  controlPlaneStep,
  nodegroupConfigStep,
  nodegroupVersionStep,
  preflightStep,
  rollbackReadinessStep,
  versionTargetText,
  type StepContext,
} from './steps';
import type {
  ExecutedStepRecord,
  NotUndoable,
  PlanStageInfo,
  PlanStep,
  RollbackPlan,
  RollbackStage,
  UpgradePlan,
} from './types';

export const ROLLBACK_WINDOW_DAYS = 7;

export interface RollbackPlanInput {
  /** The upgrade plan that ran. */
  plan: UpgradePlan;
  /** How each of its steps ended (steps without a record did not run). */
  records: ExecutedStepRecord[];
  now: Date;
  /**
   * Node groups to an earlier version: `try` plans UpdateNodegroupVersion to the previous version (the rollback guide's
   * way; if EKS refuses, the step's failure names the blue/green swap); `manual` plans the blue/green swap directly
   * (EKS's API reference says node groups cannot go back). Default `try`.
   */
  nodegroupDowngrade?: 'try' | 'manual';
}

const ROLLBACK_STAGES: RollbackStage[] = [
  'rollback-preflight',
  'rollback-addons-after-nodes',
  'rollback-node-groups',
  'rollback-addons-before-nodes',
  'rollback-control-plane',
];

const ROLLBACK_STAGE_TITLES: Record<RollbackStage, string> = {
  'rollback-preflight': 'Preflight',
  'rollback-addons-after-nodes': 'Add-ons that followed the nodes, back (kube-proxy first)',
  'rollback-node-groups': 'Node groups and the rest of the data plane, back',
  'rollback-addons-before-nodes': 'Add-ons that preceded the nodes, back',
  'rollback-control-plane': 'Control plane back (VersionRollback)',
};

function blueGreenCommands(ctx: StepContext, nodegroupName: string, version: string): string[] {
  const region = ctx.region ? ` --region ${ctx.region}` : '';
  return [
    `aws eks describe-nodegroup --cluster-name ${ctx.clusterName} --nodegroup-name ${nodegroupName}${region}   # copy its subnets, role, instance types, labels, taints and sizes`,
    `aws eks create-nodegroup --cluster-name ${ctx.clusterName} --nodegroup-name ${nodegroupName}-${version.replace('.', '-')} --kubernetes-version ${version} --subnets <…> --node-role <…> --scaling-config <…> --labels <…> --taints <…>${region}`,
    `kubectl cordon -l eks.amazonaws.com/nodegroup=${nodegroupName}`,
    `kubectl drain -l eks.amazonaws.com/nodegroup=${nodegroupName} --ignore-daemonsets --delete-emptydir-data   # PDBs are honoured; shrinking desiredSize would not`,
    `aws eks delete-nodegroup --cluster-name ${ctx.clusterName} --nodegroup-name ${nodegroupName}${region}`,
  ];
}

function manualRollbackStep(id: string, title: string, summary: string, commands: string[], watch: string[]): PlanStep {
  return {
    id,
    stage: 'rollback-node-groups',
    title,
    automated: false,
    change: { kind: 'manual', subject: 'nodegroup' },
    summary,
    precondition: 'The add-ons that followed the nodes are back.',
    undo: 'Upgrade again with a new plan.',
    commands,
    apiCalls: [],
    watch,
    dependsOn: [],
    estimatedMinutes: 30,
  };
}

function done(record: ExecutedStepRecord): boolean {
  return record.outcome === 'succeeded' || record.outcome === 'already-done';
}

export function buildRollbackPlan(input: RollbackPlanInput): RollbackPlan {
  const { plan, now } = input;
  const ctx: StepContext = { clusterName: plan.clusterName, ...(plan.region ? { region: plan.region } : {}) };
  const mode = input.nodegroupDowngrade ?? 'try';
  const recordOf = new Map(input.records.map((r) => [r.step.id, r]));
  const executed = plan.steps.map((s) => recordOf.get(s.id)).filter((r): r is ExecutedStepRecord => !!r && done(r));
  const byStage = new Map<RollbackStage, PlanStep[]>(ROLLBACK_STAGES.map((s) => [s, []]));
  const add = (stage: RollbackStage, step: PlanStep) =>
    byStage.get(stage)?.push({ ...step, stage, id: `rollback/${step.id}` });
  const notUndoable: NotUndoable[] = [];
  const warnings: string[] = [];
  const from = plan.targetVersion;
  const to = plan.currentVersion;
  const controlPlane = executed.find((r) => r.step.change.kind === 'control-plane-version');

  add('rollback-preflight', preflightStep(ctx, 'preflight', 'rollback-preflight', 'the versions the upgrade left'));
  // Reverse order of the upgrade: what ran last is undone first.
  for (const record of [...executed].reverse()) {
    const change = record.step.change;
    if (change.kind === 'addon-version') {
      const stage =
        record.step.stage === 'addons-after-nodes' ? 'rollback-addons-after-nodes' : 'rollback-addons-before-nodes';
      add(
        stage,
        addonStep(
          ctx,
          stage,
          change.addonName,
          change.to,
          change.from,
          change.resolveConflicts,
          [],
          `back to the version before the upgrade`,
        ),
      );
    } else if (change.kind === 'nodegroup-version') {
      const previous = change.from;
      if (mode === 'manual') {
        notUndoable.push({
          resource: `nodegroup/${change.nodegroupName}`,
          reason: `EKS's API reference says a managed node group cannot return to an earlier Kubernetes or AMI version (${versionTargetText(previous)}).`,
          byHand: blueGreenCommands(ctx, change.nodegroupName, previous.version),
        });
        add(
          'rollback-node-groups',
          manualRollbackStep(
            `manual/nodegroup/${change.nodegroupName}`,
            `Blue/green swap of node group ${change.nodegroupName} back to ${previous.version}`,
            `A new node group on ${versionTargetText(previous)} with the same settings takes the workloads; ${change.nodegroupName} is drained and deleted.`,
            blueGreenCommands(ctx, change.nodegroupName, previous.version),
            [
              `kubectl get nodes -o wide: no node of ${change.nodegroupName} left, the new group's nodes Ready on v${previous.version}.`,
            ],
          ),
        );
        continue;
      }
      const target = {
        version: previous.version,
        ...(previous.releaseVersion && !previous.launchTemplate?.version
          ? { releaseVersion: previous.releaseVersion }
          : {}),
        ...(previous.launchTemplate?.version
          ? { launchTemplate: { ...previous.launchTemplate, version: previous.launchTemplate.version } }
          : {}),
      };
      const step = nodegroupVersionStep(
        ctx,
        'rollback-node-groups',
        change.nodegroupName,
        change.to,
        target,
        change.nodes,
        change.maxUnavailable,
        [],
      );
      add('rollback-node-groups', {
        ...step,
        summary: `${step.summary} EKS's API reference says node groups cannot go back while its rollback guide does this: if EKS refuses, swap blue/green (the commands after the first two).`,
        commands: [...step.commands, ...blueGreenCommands(ctx, change.nodegroupName, previous.version)],
      });
    } else if (change.kind === 'nodegroup-config') {
      // After the node group's version rollback (which still uses the faster setting). A swapped group is deleted.
      const versionStep = (byStage.get('rollback-node-groups') ?? []).find(
        (s) => s.change.kind === 'nodegroup-version' && s.change.nodegroupName === change.nodegroupName,
      );
      const swapped = mode === 'manual' && notUndoable.some((n) => n.resource === `nodegroup/${change.nodegroupName}`);
      if (swapped) continue;
      add('rollback-node-groups', {
        ...nodegroupConfigStep(ctx, 'rollback-node-groups', change.nodegroupName, change.to, change.from),
        dependsOn: versionStep ? [versionStep.id] : [],
      });
    } else if (change.kind === 'manual') {
      const subject = change.subject;
      const undo = record.step.undo;
      add(
        'rollback-node-groups',
        manualRollbackStep(
          `manual/${subject}${change.resource ? `/${change.resource}` : ''}`,
          `Undo by hand: ${record.step.title}`,
          undo,
          [undo],
          [`Every kubelet of this part of the data plane on ${to} or older before the control plane goes back.`],
        ),
      );
    }
  }
  let controlPlaneWindowEndsAt: string | undefined;
  if (controlPlane) {
    const endedAt = controlPlane.endedAt ? new Date(controlPlane.endedAt) : undefined;
    const windowEnds = endedAt ? new Date(endedAt.getTime() + ROLLBACK_WINDOW_DAYS * 86_400_000) : undefined;
    controlPlaneWindowEndsAt = windowEnds?.toISOString();
    if (windowEnds && now.getTime() > windowEnds.getTime()) {
      notUndoable.push({
        resource: 'cluster',
        reason: `EKS rolls a control plane back only within ${ROLLBACK_WINDOW_DAYS} days of the upgrade: it ended ${endedAt?.toISOString()}, the window closed ${windowEnds.toISOString()} (now ${now.toISOString()}). The control plane stays on ${from}.`,
        byHand: [
          `The steps above still return node groups and add-ons to their previous versions, which run on ${from}; skip them to stay fully on ${from}.`,
          `Fix forward on ${from}: the node groups and add-ons above run on it again once rolled back.`,
          `Or blue/green: create a ${to} cluster, deploy the workloads there, move traffic (DNS or load balancer weights), then retire this one.`,
        ],
      });
    } else {
      if (!windowEnds)
        warnings.push(
          `The control-plane update's end time is unknown: EKS decides whether the ${ROLLBACK_WINDOW_DAYS}-day window is still open.`,
        );
      add('rollback-control-plane', rollbackReadinessStep(ctx, to));
      add('rollback-control-plane', {
        ...controlPlaneStep(ctx, from, to),
        dependsOn: [`rollback/rollback-readiness/${to}`],
      });
    }
  } else if (compareMinor(from, to) > 0) {
    warnings.push(
      `The control plane was not upgraded (its step did not succeed), so it stays on ${to} and only what changed is undone.`,
    );
  }
  if (executed.some((r) => r.step.change.kind === 'manual' && r.step.change.subject === 'fargate'))
    warnings.push(
      `Pods on Fargate restarted on ${from} count as kubelet skew for the rollback (an ERROR insight): scale them to zero before the control plane goes back and start them again after.`,
    );

  const stages: PlanStageInfo[] = [];
  const steps: PlanStep[] = [];
  const somethingToUndo = ROLLBACK_STAGES.some((s) => s !== 'rollback-preflight' && (byStage.get(s) ?? []).length > 0);
  for (const stage of ROLLBACK_STAGES) {
    const list = byStage.get(stage) ?? [];
    if (list.length === 0 || !somethingToUndo) continue;
    stages.push({ stage, title: ROLLBACK_STAGE_TITLES[stage], steps: list.map((s) => s.id), concurrency: 1 });
    steps.push(...list);
  }
  return {
    kind: 'rollback',
    clusterName: plan.clusterName,
    ...(plan.region ? { region: plan.region } : {}),
    currentVersion: controlPlane ? from : to,
    targetVersion: to,
    stages,
    steps,
    ...(controlPlaneWindowEndsAt ? { controlPlaneWindowEndsAt } : {}),
    notUndoable,
    warnings,
  };
}
