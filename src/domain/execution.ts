// The record of an executed plan (an upgrade, or a rollback): per stage and per step what happened, with EKS's
// update ids, times, errors and the operator's decisions, plus what the run is waiting for. Plain data: the upgrade
// workflow keeps it, its status query returns it, the report and the Web UI render it (execution-render.ts).
import type { AnyPlan, ExecutedStepRecord, NotUndoable, PlanStageName, PlanStep, StepKind } from './plan';

/** One of EKS's errors on a Failed update (DescribeUpdate errors[]), e.g. PodEvictionFailure with the stuck nodes. */
export interface EksUpdateError {
  errorCode: string;
  errorMessage: string;
  resourceIds: string[];
}

export type DriftKind = 'status' | 'version' | 'update-in-progress' | 'missing';

/** A difference between what the plan assumed and what EKS reports. */
export interface DriftItem {
  /** `cluster`, `nodegroup/<name>` or `addon/<name>`. */
  resource: string;
  kind: DriftKind;
  expected: string;
  actual: string;
  message: string;
  /** The resource already shows the plan's final target (e.g. someone ran the step by hand). */
  alreadyAtTarget?: boolean;
}

export type StepState =
  | 'pending'
  | 'running'
  | 'waiting'
  | 'succeeded'
  | 'already-done'
  | 'skipped'
  | 'failed'
  /** EKS refused the change (a rollback EKS does not allow): to be done by hand. */
  | 'refused'
  /** Not attempted, because what it needs did not happen (e.g. a control-plane rollback above a refused node group). */
  | 'not-run';

/** One operator round of a step: its EKS update (or the failure to make one). */
export interface StepAttempt {
  round: number;
  force: boolean;
  outcome: 'succeeded' | 'already-done' | 'failed' | 'error' | 'confirmed';
  updateId?: string;
  updateType?: string;
  startedAt?: string;
  endedAt?: string;
  /** The update was found running (after a worker death, a 409) rather than started by this attempt. */
  adopted?: boolean;
  /** What EKS showed when the step was already done. */
  observed?: string;
  /** EKS's errors of a Failed or Cancelled update. */
  errors?: EksUpdateError[];
  /** The activity's failure: an EKS 4xx (InvalidStateException…), a conflicting update, a timeout. */
  error?: { type: string; message: string };
}

export interface StepProgress {
  stepId: string;
  stage: PlanStageName;
  title: string;
  kind: StepKind;
  /** `cluster`, `nodegroup/<name>`, `addon/<name>` or `manual/<subject>`. */
  resource: string;
  automated: boolean;
  state: StepState;
  attempts: StepAttempt[];
  /** Why it was skipped, refused or not run. */
  note?: string;
  /** What to do by hand instead (a refused rollback step: the blue/green swap). */
  byHand?: string[];
}

export type OperatorAction = 'retry' | 'skip' | 'pause' | 'resume' | 'rollback';

/** An operator's decision, as the workflow recorded it (also in history, as the update's arguments). */
export interface OperatorDecision {
  action: OperatorAction;
  by: string;
  reason?: string;
  force?: boolean;
  /** The wait it answered (a step id, `preflight:<stage>`, `stage:<stage>`, `pause`). */
  waitId?: string;
  at: string;
}

/** What the run waits for. A `failed` or `drift` wait stops new steps until the operator decides. */
export type ExecutionWait =
  | {
      kind: 'failed';
      id: string;
      stepId: string;
      stepKind: StepKind | 'preflight';
      since: string;
      errorCode: string;
      message: string;
      resourceIds: string[];
      updateId?: string;
    }
  | { kind: 'drift'; id: string; stage: PlanStageName; since: string; drift: DriftItem[] }
  | { kind: 'manual'; id: string; stepId: string; since: string }
  | { kind: 'paused'; id: 'pause'; since: string; by: string; reason?: string }
  | { kind: 'between-stages'; id: string; stage: PlanStageName; since: string };

export type WaitKind = ExecutionWait['kind'];

/** Waits that hold every new step back until the operator answers. */
export const BLOCKING_WAITS: readonly WaitKind[] = ['failed', 'drift', 'paused', 'between-stages'];

export interface StageProgress {
  stage: PlanStageName;
  title: string;
  state: 'pending' | 'running' | 'done' | 'not-run';
  steps: string[];
}

export type ExecutionOutcome = 'completed' | 'aborted' | 'stopped-for-rollback' | 'undone' | 'partly-undone';

export interface ExecutionProgress {
  kind: 'upgrade' | 'rollback';
  /** How the EKS API acted on is named (e.g. "simulated EKS"). */
  targetLabel?: string;
  clusterName: string;
  region: string;
  from: string;
  to: string;
  stages: StageProgress[];
  steps: StepProgress[];
  waits: ExecutionWait[];
  /** Set by `pause` until `resume`; the run stops before its next step. */
  pauseRequested?: { by: string; reason?: string; at: string };
  decisions: OperatorDecision[];
  startedAt?: string;
  endedAt?: string;
  outcome?: ExecutionOutcome;
  /** A rollback: what it could not undo (the plan's list, refused and skipped steps), with what to do by hand. */
  notUndone?: NotUndoable[];
}

/** What a ROLLBACK verdict proposes after an executed upgrade, until the operator confirms it. */
export interface RollbackProposal {
  proposedAt: string;
  /** The verdict's request time and reason. */
  requestedAt: string;
  reason: string;
  state: 'awaiting-confirmation' | 'confirmed' | 'auto' | 'expired';
  /** Steps the rollback plan would run (automated and manual). */
  steps: number;
  notUndoable: NotUndoable[];
  controlPlaneWindowEndsAt?: string;
  confirmedBy?: string;
  confirmedAt?: string;
}

/** The resource a step changes, for progress lines: `cluster`, `nodegroup/<name>`, `addon/<name>`, `manual/<subject>`. */
export function stepResource(step: PlanStep): string {
  const c = step.change;
  switch (c.kind) {
    case 'control-plane-version':
    case 'rollback-readiness':
    case 'preflight':
      return 'cluster';
    case 'addon-version':
      return `addon/${c.addonName}`;
    case 'nodegroup-version':
    case 'nodegroup-config':
      return `nodegroup/${c.nodegroupName}`;
    case 'manual':
      return `manual/${c.subject}${c.resource ? `/${c.resource}` : ''}`;
  }
}

export function newExecutionProgress(
  plan: AnyPlan,
  target: { clusterName: string; region: string; label?: string },
): ExecutionProgress {
  return {
    kind: plan.kind,
    ...(target.label ? { targetLabel: target.label } : {}),
    clusterName: target.clusterName,
    region: target.region,
    from: plan.currentVersion,
    to: plan.targetVersion,
    stages: plan.stages.map((s) => ({ stage: s.stage, title: s.title, state: 'pending', steps: [...s.steps] })),
    steps: plan.steps.map((s) => ({
      stepId: s.id,
      stage: s.stage,
      title: s.title,
      kind: s.change.kind,
      resource: stepResource(s),
      automated: s.automated,
      state: 'pending',
      attempts: [],
    })),
    waits: [],
    decisions: [],
  };
}

const DONE_STATES: readonly StepState[] = ['succeeded', 'already-done'];

export function isStepDone(step: Pick<StepProgress, 'state'>): boolean {
  return DONE_STATES.includes(step.state);
}

/** The ids of the steps that changed the cluster (or found it changed): what the expected state builds on. */
export function completedStepIds(progress: ExecutionProgress): Set<string> {
  return new Set(progress.steps.filter(isStepDone).map((s) => s.stepId));
}

const OUTCOME_OF: Partial<Record<StepState, ExecutedStepRecord['outcome']>> = {
  succeeded: 'succeeded',
  'already-done': 'already-done',
  failed: 'failed',
  skipped: 'skipped',
};

/** The executed upgrade as the rollback plan reads it: each step's outcome, update id and times, by step id. */
export function executedOutcomes(
  plan: AnyPlan,
  progress: ExecutionProgress,
): Array<Omit<ExecutedStepRecord, 'step'> & { stepId: string }> {
  const byId = new Map(progress.steps.map((s) => [s.stepId, s]));
  return plan.steps.map((step) => {
    const p = byId.get(step.id);
    const last = p?.attempts.at(-1);
    return {
      stepId: step.id,
      outcome: (p && OUTCOME_OF[p.state]) ?? 'not-run',
      ...(last?.updateId ? { updateId: last.updateId } : {}),
      ...(last?.startedAt ? { startedAt: last.startedAt } : {}),
      ...(last?.endedAt ? { endedAt: last.endedAt } : {}),
    };
  });
}

/** Whether any step of the executed upgrade changed the cluster (there is something to roll back). */
export function changedAnything(progress: ExecutionProgress | undefined): boolean {
  return !!progress?.steps.some((s) => s.automated && s.kind !== 'preflight' && isStepDone(s));
}
