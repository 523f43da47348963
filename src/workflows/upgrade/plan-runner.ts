// Runs a plan (the upgrade's or the rollback's) stage by stage: a preflight right before the first change and before
// each stage (drift stops the run and asks the operator), optionally a pause between stages, then the stage's steps
// — node groups `concurrency` at a time, each group's steps in order. A failed step stops new steps from starting
// (running ones finish: EKS cannot stop them) until the operator decides. Resolves `rollback` when the operator
// chose to roll back instead of going on.
import { isCancellation } from '@temporalio/workflow';
import { isStepDone } from '../../domain/execution';
import { expectedStateAfter, expectedStateWith, type PlanStageInfo, type PlanStep } from '../../domain/plan';
import { assertNotAborted, failureOf, runStep, type PlanRunContext, type StepOutcome } from './step-runner';

export type PlanOutcome = 'completed' | 'rollback';

const isPreflightStage = (stage: PlanStageInfo) => stage.stage === 'preflight' || stage.stage === 'rollback-preflight';

/** Re-reads the cluster against the expected state; on drift (or a failed read) waits for the operator. */
async function preflight(ctx: PlanRunContext, stage: PlanStageInfo, stepId?: string): Promise<'ok' | 'rollback'> {
  const { tracker, plan, run } = ctx;
  if (stepId) tracker.setStep(stepId, 'running');
  for (;;) {
    if ((await tracker.gate()) === 'stop') return 'rollback';
    assertNotAborted(ctx);
    const startedAt = new Date().toISOString();
    let answer;
    try {
      const result = await run.acts.preflight({
        target: ctx.target,
        expected: expectedStateWith(plan, tracker.completed()),
        ...(plan.kind === 'upgrade' ? { final: expectedStateAfter(plan) } : {}),
      });
      if (result.ok) {
        if (stepId)
          tracker.record(
            stepId,
            { round: 0, force: false, outcome: 'succeeded', startedAt, endedAt: new Date().toISOString() },
            'succeeded',
          );
        return 'ok';
      }
      answer = await tracker.answerTo(
        tracker.open({ kind: 'drift', id: `preflight:${stage.stage}`, stage: stage.stage, drift: result.drift }),
      );
    } catch (err) {
      if (isCancellation(err)) throw err;
      const error = failureOf(err);
      answer = await tracker.answerTo(
        tracker.open({
          kind: 'failed',
          id: `preflight:${stage.stage}`,
          stepId: stepId ?? `preflight:${stage.stage}`,
          stepKind: 'preflight',
          errorCode: error.type,
          message: `the preflight could not read EKS: ${error.message}`,
          resourceIds: [],
        }),
      );
    }
    if (answer.action === 'rollback') return 'rollback';
    if (answer.action === 'skip') {
      if (stepId)
        tracker.setStep(stepId, 'skipped', { note: `went on despite drift (${answer.by}: ${answer.reason})` });
      return 'ok';
    }
  }
}

/** The stage's steps in lanes: one per node group (its config step, then its version step), else one per step. */
function lanesOf(stage: PlanStageInfo, steps: PlanStep[]): PlanStep[][] {
  if (stage.concurrency <= 1) return steps.map((s) => [s]);
  const lanes = new Map<string, PlanStep[]>();
  for (const step of steps) {
    const c = step.change;
    const key = c.kind === 'nodegroup-version' || c.kind === 'nodegroup-config' ? c.nodegroupName : step.id;
    lanes.set(key, [...(lanes.get(key) ?? []), step]);
  }
  return [...lanes.values()];
}

async function runStage(ctx: PlanRunContext, stage: PlanStageInfo): Promise<PlanOutcome> {
  const steps = stage.steps
    .map((id) => ctx.plan.steps.find((s) => s.id === id))
    .filter((s): s is PlanStep => s !== undefined);
  const lanes = lanesOf(stage, steps);
  let next = 0;
  let rollback = false;
  const runLanes = async () => {
    for (let lane = lanes[next++]; lane && !rollback; lane = lanes[next++]) {
      for (const step of lane) {
        const outcome: StepOutcome = await runStep(ctx, step, ctx.plan.kind);
        if (outcome === 'rollback') {
          rollback = true;
          return;
        }
      }
    }
  };
  // Every lane ends on its own (a running EKS update is waited for even after an abort), then the first error wins.
  const settled = await Promise.allSettled(
    Array.from({ length: Math.max(1, Math.min(stage.concurrency, lanes.length)) }, runLanes),
  );
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return rollback ? 'rollback' : 'completed';
}

/**
 * A control-plane rollback needs every node group back on the previous minor (EKS refuses it otherwise): when a
 * node-group rollback was refused or skipped, the control-plane stage is not run and says what to do by hand.
 */
function controlPlaneBlocked(ctx: PlanRunContext, stage: PlanStageInfo): boolean {
  if (stage.stage !== 'rollback-control-plane') return false;
  const left = ctx.tracker.progress.steps.filter(
    (s) => s.stage === 'rollback-node-groups' && s.kind === 'nodegroup-version' && !isStepDone(s),
  );
  if (left.length === 0) return false;
  const names = left.map((s) => s.resource.replace('nodegroup/', ''));
  const version = ctx.plan.targetVersion;
  for (const id of stage.steps) {
    const step = ctx.plan.steps.find((s) => s.id === id);
    const cluster = ctx.target.clusterName;
    const region = ` --region ${ctx.target.region}`;
    ctx.tracker.setStep(id, 'not-run', {
      note: `node group(s) ${names.join(', ')} are not back on ${version}: EKS refuses a control-plane rollback above them`,
      ...(step?.change.kind === 'control-plane-version'
        ? {
            byHand: [
              `# after the node groups are on ${version} (blue/green swap, see above), within the 7-day window:`,
              `aws eks update-cluster-version --name ${cluster} --kubernetes-version ${version}${region}`,
            ],
          }
        : {}),
    });
  }
  ctx.tracker.setStage(stage.stage, 'not-run');
  return true;
}

export async function executePlan(ctx: PlanRunContext): Promise<PlanOutcome> {
  const { tracker, plan, run } = ctx;
  tracker.progress.startedAt = new Date().toISOString();
  let checked = false;
  let changed = false;
  for (const stage of plan.stages) {
    if (isPreflightStage(stage)) {
      // The plan's own preflight: the check right before the first change.
      tracker.setStage(stage.stage, 'running');
      if ((await preflight(ctx, stage, stage.steps[0])) === 'rollback') return 'rollback';
      tracker.setStage(stage.stage, 'done');
      checked = true;
      continue;
    }
    if (controlPlaneBlocked(ctx, stage)) continue;
    if (changed && run.state.input.execution.pauseBetweenStages) {
      if ((await tracker.gate()) === 'stop') return 'rollback';
      const answer = await tracker.answerTo(
        tracker.open({ kind: 'between-stages', id: `stage:${stage.stage}`, stage: stage.stage }),
      );
      if (answer.action === 'rollback') return 'rollback';
    }
    tracker.setStage(stage.stage, 'running');
    if (!checked && (await preflight(ctx, stage)) === 'rollback') return 'rollback';
    if ((await runStage(ctx, stage)) === 'rollback') return 'rollback';
    tracker.setStage(stage.stage, 'done');
    checked = false;
    changed = true;
  }
  return 'completed';
}
