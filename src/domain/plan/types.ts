// The shapes of an upgrade plan and a rollback plan: plain data (they travel in Temporal payloads and reports).
// A plan is an ordered list of stages, each an ordered list of steps; a step is either one EKS change the executor
// makes (one update, tracked by DescribeUpdate) or a manual step a person does and confirms. docs/execution.md.

/** Stages of an upgrade, in the order they run. */
export type UpgradeStage =
  'preflight' | 'control-plane' | 'addons-before-nodes' | 'node-groups' | 'data-plane-manual' | 'addons-after-nodes';

/** Stages of a rollback, in the order they run (the reverse of the upgrade, the control plane last). */
export type RollbackStage =
  | 'rollback-preflight'
  | 'rollback-addons-after-nodes'
  | 'rollback-node-groups'
  | 'rollback-addons-before-nodes'
  | 'rollback-control-plane';

export type PlanStageName = UpgradeStage | RollbackStage;

/** What UpdateNodegroupVersion is asked for: a minor (the newest AMI for it), a release, or a launch-template version. */
export interface NodegroupVersionTarget {
  /** Kubernetes minor the node group ends on ("1.32"). */
  version: string;
  /** An AMI release version ("1.32.0-20250203"); absent = the newest release for `version` (EKS picks it). */
  releaseVersion?: string;
  /** For node groups whose AMI comes from their launch template (amiType CUSTOM): the template version to roll out. */
  launchTemplate?: { id?: string; name?: string; version: string };
}

/** The node group's version state as the inventory saw it. */
export interface NodegroupVersionState {
  version: string;
  releaseVersion?: string;
  launchTemplate?: { id?: string; name?: string; version?: string };
}

export interface NodegroupUpdateSettings {
  maxUnavailable?: number;
  maxUnavailablePercentage?: number;
  updateStrategy?: string;
}

export type ResolveConflicts = 'OVERWRITE' | 'NONE' | 'PRESERVE';

export type ManualSubject = 'fargate' | 'karpenter' | 'self-managed' | 'hybrid' | 'nodegroup' | 'control-plane';

/** The change a step makes. Automated kinds map one-to-one to an execution activity and one EKS update. */
export type StepChange =
  | { kind: 'preflight' }
  /** UpdateClusterVersion; `to` below `from` is a VersionRollback. */
  | { kind: 'control-plane-version'; from: string; to: string }
  /** StartInsightsRefresh + ListInsights(ROLLBACK_READINESS): every insight PASSING before a VersionRollback. */
  | { kind: 'rollback-readiness'; version: string }
  | { kind: 'addon-version'; addonName: string; from: string; to: string; resolveConflicts: ResolveConflicts }
  | {
      kind: 'nodegroup-config';
      nodegroupName: string;
      from: NodegroupUpdateSettings;
      to: NodegroupUpdateSettings;
    }
  | {
      kind: 'nodegroup-version';
      nodegroupName: string;
      from: NodegroupVersionState;
      to: NodegroupVersionTarget;
      /** Nodes in the group (desiredSize) and how many are replaced at once: the update takes ⌈nodes ÷ maxUnavailable⌉ rounds. */
      nodes: number;
      maxUnavailable: number;
    }
  | { kind: 'manual'; subject: ManualSubject; resource?: string };

export type StepKind = StepChange['kind'];

export interface PlanStep {
  /** Stable and unique within the plan; part of the EKS clientRequestToken (with the workflow id). */
  id: string;
  stage: PlanStageName;
  title: string;
  /** `false` for manual steps: the executor waits for a person to confirm them. */
  automated: boolean;
  change: StepChange;
  /** What it changes, from what to what, in words. */
  summary: string;
  /** What must hold before it runs (the executor's preflight checks the automated part). */
  precondition: string;
  /** How it is undone. */
  undo: string;
  /** The exact commands (AWS CLI, kubectl) a person would run for it. */
  commands: string[];
  /** The EKS API call(s) the executor makes. */
  apiCalls: string[];
  /** What to watch while it runs and how to tell it worked. */
  watch: string[];
  /** Steps (by id) in the same stage that must finish first. */
  dependsOn: string[];
  /** Rough duration, for the playbook and timeouts (EKS gives no figure; see docs/execution.md). */
  estimatedMinutes: number;
}

export interface PlanStageInfo {
  stage: PlanStageName;
  title: string;
  /** Step ids in order. */
  steps: string[];
  /** How many of the stage's steps may run at once (node groups: the plan's concurrency; else 1). */
  concurrency: number;
}

export interface UpgradePlan {
  kind: 'upgrade';
  clusterName: string;
  region?: string;
  currentVersion: string;
  targetVersion: string;
  stages: PlanStageInfo[];
  /** Every step in execution order (stage by stage). */
  steps: PlanStep[];
  /** Resources the plan leaves alone and why (already at the target, not managed by EKS…). */
  unchanged: string[];
  /** What the plan cannot do or the operator must know before starting (e.g. node groups behind the control plane). */
  warnings: string[];
}

/** How one executed step ended, as the executor recorded it: the input of the rollback plan. */
export interface ExecutedStepRecord {
  step: PlanStep;
  outcome: 'succeeded' | 'already-done' | 'failed' | 'skipped' | 'not-run';
  updateId?: string;
  startedAt?: string;
  endedAt?: string;
}

/** Something a rollback cannot undo through the EKS API, and what to do about it by hand. */
export interface NotUndoable {
  resource: string;
  reason: string;
  byHand: string[];
}

export interface RollbackPlan {
  kind: 'rollback';
  clusterName: string;
  region?: string;
  /** The control plane's version now (the upgrade's target). */
  currentVersion: string;
  /** The version the rollback returns the cluster to (the upgrade's starting version). */
  targetVersion: string;
  stages: PlanStageInfo[];
  steps: PlanStep[];
  /** When the control-plane rollback window closes (7 days after the control-plane update ended), if known. */
  controlPlaneWindowEndsAt?: string;
  notUndoable: NotUndoable[];
  warnings: string[];
}

export type AnyPlan = UpgradePlan | RollbackPlan;
