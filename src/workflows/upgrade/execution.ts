// Phase 6, execution. Analyze mode decides and records the approval; the changes are the operator's, and the report
// says so. Execute mode runs the plan (plan-runner.ts): preflight before each stage, each step one idempotent EKS
// update, failures and drift answered by the operator. It ends `completed` (then the soak window) or with the
// operator's choice to roll back (then the rollback phase).
import { ApplicationFailure } from '@temporalio/workflow';
import { executePlan, type PlanOutcome } from './plan-runner';
import type { UpgradeRun } from './run';
import { ExecutionTracker } from './tracker';

export async function executionPhase(run: UpgradeRun): Promise<PlanOutcome> {
  const { state } = run;
  state.enter('execution');
  if (state.input.mode !== 'execute') {
    state.execution =
      'Not executed: analyze mode. This workflow decided and recorded the approval; the plan in this report is the playbook to run by your usual means (control plane, then add-ons, then node groups). The soak window below stays open for rollback requests.';
    return 'completed';
  }
  const plan = state.plan;
  const target = state.executionTarget();
  if (!plan)
    throw ApplicationFailure.create({
      type: 'PlanInputError',
      message: `execute mode has no plan to run: ${state.planError ?? 'the plan was not made'}`,
      nonRetryable: true,
    });
  if (!target)
    throw ApplicationFailure.create({
      type: 'InvalidUpgradeInput',
      message: 'execute mode needs the cluster region: pass --region, or a snapshot whose cluster has one',
      nonRetryable: true,
    });
  const label = state.input.execution.targetLabel;
  const tracker = new ExecutionTracker(plan, { ...target, ...(label ? { label } : {}) }, () => state.publish());
  state.upgradeRun = tracker;
  state.execution = `Executing the plan against ${label ?? 'EKS'} (${target.clusterName}, ${target.region}).`;
  state.publish();
  try {
    const outcome = await executePlan({ run, tracker, plan, target });
    tracker.progress.outcome = outcome === 'rollback' ? 'stopped-for-rollback' : 'completed';
    return outcome;
  } catch (err) {
    if (state.isAborted()) tracker.progress.outcome = 'aborted';
    throw err;
  } finally {
    tracker.progress.endedAt = new Date().toISOString();
    state.execution = executionSummary(state.upgradeRun);
    state.publish();
  }
}

function executionSummary(tracker: ExecutionTracker | undefined): string {
  if (!tracker) return 'Not executed.';
  const p = tracker.progress;
  const steps = p.steps.filter((s) => s.kind !== 'preflight');
  const done = steps.filter((s) => s.state === 'succeeded' || s.state === 'already-done').length;
  const skipped = steps.filter((s) => s.state === 'skipped').map((s) => s.stepId);
  const notRun = steps.filter((s) => s.state === 'pending' || s.state === 'waiting').map((s) => s.stepId);
  return [
    `Executed in execute mode against ${p.targetLabel ?? 'EKS'} (${p.clusterName}, ${p.region}): ${done} of ${steps.length} steps done (${p.outcome ?? 'stopped'}).`,
    skipped.length > 0 ? `Skipped by the operator: ${skipped.join(', ')}.` : '',
    notRun.length > 0 ? `Not run: ${notRun.join(', ')}.` : '',
    p.outcome === 'aborted'
      ? 'Aborted: running EKS updates were let finish (EKS cannot cancel them); nothing after them ran.'
      : '',
  ]
    .filter(Boolean)
    .join(' ');
}
