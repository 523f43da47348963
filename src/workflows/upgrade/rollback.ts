// Rolling an executed upgrade back: the rollback plan (src/domain/plan/rollback-plan.ts, built by an activity at the
// worker's clock, which judges the 7-day control-plane window) from what the upgrade's steps did, run like the
// upgrade (plan-runner.ts). Where EKS refuses (a node group that cannot go back, the window closed) the step says
// what to do by hand; at the end the report says what was and was not undone.
import { ApplicationFailure } from '@temporalio/workflow';
import { changedAnything, executedOutcomes, type RollbackProposal } from '../../domain/execution';
import { executionLine } from '../../domain/execution-render';
import type { NotUndoable, RollbackPlan } from '../../domain/plan';
import type { RollbackRecord } from '../../domain/rollback';
import { executePlan } from './plan-runner';
import type { UpgradeRun } from './run';
import { ExecutionTracker } from './tracker';

async function planRollback(run: UpgradeRun): Promise<RollbackPlan> {
  const { state, acts } = run;
  const plan = state.plan;
  const upgrade = state.upgradeRun;
  if (!plan || !upgrade) throw new Error('no executed upgrade to roll back');
  const { plan: rollbackPlan } = await acts.plan.planRollback({
    plan,
    outcomes: executedOutcomes(plan, upgrade.progress),
    nodegroupDowngrade: state.input.execution.nodegroupDowngrade,
  });
  state.rollbackPlan = rollbackPlan;
  return rollbackPlan;
}

/** After a ROLLBACK verdict on an executed upgrade: the rollback plan, shown until confirmed (or run at once). */
export async function proposeRollback(run: UpgradeRun, verdict: RollbackRecord): Promise<RollbackProposal | undefined> {
  const { state } = run;
  if (state.input.mode !== 'execute' || !changedAnything(state.upgradeRun?.progress)) return undefined;
  const plan = await planRollback(run);
  state.rollbackProposal = {
    proposedAt: new Date().toISOString(),
    requestedAt: verdict.requestedAt,
    reason: verdict.reason,
    state: state.input.execution.autoRollback ? 'auto' : 'awaiting-confirmation',
    steps: plan.steps.filter((s) => s.change.kind !== 'preflight').length,
    notUndoable: plan.notUndoable,
    ...(plan.controlPlaneWindowEndsAt ? { controlPlaneWindowEndsAt: plan.controlPlaneWindowEndsAt } : {}),
  };
  state.publish();
  return state.rollbackProposal;
}

function notUndone(plan: RollbackPlan, tracker: ExecutionTracker): NotUndoable[] {
  const list = [...plan.notUndoable];
  for (const s of tracker.progress.steps) {
    if (!['refused', 'skipped', 'not-run', 'pending', 'failed', 'waiting'].includes(s.state)) continue;
    if (s.kind === 'preflight' || s.kind === 'rollback-readiness') continue;
    const step = plan.steps.find((p) => p.id === s.stepId);
    list.push({
      resource: s.resource === 'cluster' ? 'cluster (control plane)' : s.resource,
      reason: s.note ?? `${s.title}: ${s.state === 'pending' ? 'not reached' : s.state}`,
      byHand: s.byHand ?? step?.commands ?? [],
    });
  }
  return list;
}

export async function rollbackPhase(run: UpgradeRun, why: string): Promise<void> {
  const { state } = run;
  state.enter('rollback');
  const target = state.executionTarget();
  if (!target) throw ApplicationFailure.nonRetryable('no execution target to roll back', 'InvalidUpgradeInput');
  const plan = await planRollback(run);
  const label = state.input.execution.targetLabel;
  const tracker = new ExecutionTracker(plan, { ...target, ...(label ? { label } : {}) }, () => state.publish());
  state.rollbackRun = tracker;
  state.note(`Rollback started: ${why}.`);
  state.publish();
  try {
    await executePlan({ run, tracker, plan, target });
  } finally {
    const p = tracker.progress;
    p.endedAt = new Date().toISOString();
    p.notUndone = notUndone(plan, tracker);
    p.outcome = state.isAborted() ? 'aborted' : p.notUndone.length === 0 ? 'undone' : 'partly-undone';
    const left = p.notUndone.map((n) => n.resource);
    state.execution = `${state.execution} Rolled back (${why}): ${executionLine(p)}.${left.length > 0 ? ` Not undone: ${left.join(', ')} (what to do by hand is in the report).` : ' Everything the upgrade changed was undone.'}`;
    state.publish();
  }
}
