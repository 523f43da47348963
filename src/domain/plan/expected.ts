// What the cluster should look like before a stage: the plan's starting state with every earlier automated step
// applied. The preflight before each stage compares it with what EKS reports; any difference is drift.
import type { AnyPlan, PlanStageName, PlanStep } from './types';

export interface ExpectedNodegroup {
  version: string;
  releaseVersion?: string;
  launchTemplateVersion?: string;
}

export interface ExpectedState {
  clusterVersion: string;
  nodegroups: Record<string, ExpectedNodegroup>;
  addons: Record<string, string>;
}

function applyFrom(state: ExpectedState, step: PlanStep): void {
  const change = step.change;
  if (change.kind === 'nodegroup-version' && !(change.nodegroupName in state.nodegroups)) {
    state.nodegroups[change.nodegroupName] = {
      version: change.from.version,
      ...(change.from.releaseVersion ? { releaseVersion: change.from.releaseVersion } : {}),
      ...(change.from.launchTemplate?.version ? { launchTemplateVersion: change.from.launchTemplate.version } : {}),
    };
  }
  if (change.kind === 'addon-version' && !(change.addonName in state.addons))
    state.addons[change.addonName] = change.from;
}

function applyTo(state: ExpectedState, step: PlanStep): void {
  const change = step.change;
  if (change.kind === 'control-plane-version') state.clusterVersion = change.to;
  if (change.kind === 'addon-version') state.addons[change.addonName] = change.to;
  if (change.kind === 'nodegroup-version') {
    const before = state.nodegroups[change.nodegroupName];
    state.nodegroups[change.nodegroupName] = {
      version: change.to.version,
      // A new minor without a pinned release gets whatever AMI EKS picks: only the minor can be expected.
      ...(change.to.releaseVersion ? { releaseVersion: change.to.releaseVersion } : {}),
      ...(change.to.launchTemplate
        ? { launchTemplateVersion: change.to.launchTemplate.version }
        : before?.launchTemplateVersion
          ? { launchTemplateVersion: before.launchTemplateVersion }
          : {}),
    };
  }
}

/** The expected state right before `stage` runs (every automated step of the stages before it done). */
export function expectedStateBefore(plan: AnyPlan, stage: PlanStageName): ExpectedState {
  const state: ExpectedState = { clusterVersion: plan.currentVersion, nodegroups: {}, addons: {} };
  for (const step of plan.steps) applyFrom(state, step);
  const stageIndex = plan.stages.findIndex((s) => s.stage === stage);
  if (stageIndex < 0) throw new Error(`the plan has no stage ${stage}`);
  const earlier = new Set(plan.stages.slice(0, stageIndex).flatMap((s) => s.steps));
  for (const step of plan.steps) if (step.automated && earlier.has(step.id)) applyTo(state, step);
  return state;
}

/** The state once every automated step has run. */
export function expectedStateAfter(plan: AnyPlan): ExpectedState {
  const state: ExpectedState = { clusterVersion: plan.currentVersion, nodegroups: {}, addons: {} };
  for (const step of plan.steps) applyFrom(state, step);
  for (const step of plan.steps) if (step.automated) applyTo(state, step);
  return state;
}

/**
 * The expected state once exactly the steps in `done` have run (a skipped or failed step leaves its resource as it
 * was): what the preflight before a stage compares with EKS while a plan executes.
 */
export function expectedStateWith(plan: AnyPlan, done: ReadonlySet<string>): ExpectedState {
  const state: ExpectedState = { clusterVersion: plan.currentVersion, nodegroups: {}, addons: {} };
  for (const step of plan.steps) applyFrom(state, step);
  for (const step of plan.steps) if (step.automated && done.has(step.id)) applyTo(state, step);
  return state;
}
