// One plan step, run until it is done or the operator decides otherwise. An automated step is one EKS change
// through the activity of its kind (the activity polls DescribeUpdate itself, heartbeating); a failure — a Failed
// update, an EKS refusal such as InvalidStateException, a timeout — stops it and opens a wait: retry (a new round,
// so a new EKS token; optionally forced), skip (never the control plane), rollback or abort. The EKS call runs in a
// non-cancellable scope: EKS cannot cancel an update, so an abort lets it finish and the run stops after it.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  isCancellation,
  TimeoutFailure,
  workflowInfo,
} from '@temporalio/workflow';
import type { EksStepInput, EksStepResult, ExecutionTarget } from '../../activities/contracts';
import type { StepAttempt } from '../../domain/execution';
import type { AnyPlan, PlanStep } from '../../domain/plan';
import type { UpgradeRun } from './run';
import type { ExecutionTracker } from './tracker';

export interface PlanRunContext {
  run: UpgradeRun;
  tracker: ExecutionTracker;
  plan: AnyPlan;
  target: ExecutionTarget;
}

export type StepOutcome = 'done' | 'skipped' | 'refused' | 'rollback';

/** EKS refusals a rollback step meets where EKS does not allow the change: done by hand instead, not retried. */
const REFUSALS = new Set(['InvalidParameterException', 'InvalidRequestException']);

interface Failure {
  errorCode: string;
  message: string;
  resourceIds: string[];
  updateId?: string;
}

/** An activity's failure as the operator reads it: the innermost type and message (EKS's error name, a timeout). */
export function failureOf(err: unknown): { type: string; message: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'Error', message: cause.message };
  if (cause instanceof TimeoutFailure)
    return { type: 'Timeout', message: `the activity timed out (${String(cause.timeoutType)}) after its retries` };
  if (cause instanceof Error) return { type: cause.name, message: cause.message };
  return { type: 'Error', message: String(cause) };
}

/**
 * What to do by hand when EKS refuses a rollback step: a node group's step carries the blue/green swap after its
 * own two commands (the update and the describe that EKS refused); any other step, its own commands.
 */
function byHand(step: PlanStep): string[] {
  const alternative = step.change.kind === 'nodegroup-version' ? step.commands.slice(2) : [];
  return alternative.length > 0 ? alternative : step.commands;
}

export function assertNotAborted(ctx: PlanRunContext): void {
  if (ctx.run.state.isAborted()) throw new CancelledFailure(`aborted: ${ctx.run.state.abortReason ?? ''}`);
}

async function callStep(
  ctx: PlanRunContext,
  step: PlanStep,
  round: number,
  force: boolean,
): Promise<{ attempt: StepAttempt; failure?: Failure }> {
  const acts = ctx.run.acts.forStep(step);
  const input = ctx.run.state.input.execution;
  const base = {
    target: ctx.target,
    stepId: step.id,
    round,
    tokenScope: workflowInfo().firstExecutionRunId,
    pollIntervalMs: input.pollIntervalMs,
    ...(force ? { force: true } : {}),
  };
  const c = step.change;
  const started = { round, force };
  try {
    if (c.kind === 'rollback-readiness') {
      const ready = await acts.checkRollbackReadiness({ target: ctx.target, pollIntervalMs: input.pollIntervalMs });
      const at = new Date().toISOString();
      if (ready.ready) return { attempt: { ...started, outcome: 'succeeded', startedAt: at, endedAt: at } };
      const blocking = ready.blocking.map((b) => `${b.name} ${b.status}${b.reason ? ` (${b.reason})` : ''}`);
      const message = `ROLLBACK_READINESS insights block the control-plane rollback (refresh ${ready.refreshStatus}): ${blocking.join('; ') || 'none listed'}`;
      return {
        attempt: { ...started, outcome: 'error', error: { type: 'RollbackNotReady', message } },
        failure: { errorCode: 'RollbackNotReady', message, resourceIds: ready.blocking.map((b) => b.id) },
      };
    }
    let result: EksStepResult;
    const call = <C>(fn: (i: EksStepInput<C>) => Promise<EksStepResult>, change: C) => fn({ ...base, change });
    if (c.kind === 'control-plane-version') result = await call(acts.updateControlPlaneVersion, c);
    else if (c.kind === 'addon-version') result = await call(acts.updateAddonVersion, c);
    else if (c.kind === 'nodegroup-version') result = await call(acts.updateNodegroupVersion, c);
    else if (c.kind === 'nodegroup-config') result = await call(acts.updateNodegroupConfig, c);
    else throw new Error(`step ${step.id} (${c.kind}) is not an EKS change`);
    if (result.outcome === 'already-done')
      return {
        attempt: {
          ...started,
          outcome: 'already-done',
          observed: result.observed,
          ...(result.updateId ? { updateId: result.updateId } : {}),
          ...(result.startedAt ? { startedAt: result.startedAt } : {}),
        },
      };
    const common = {
      ...started,
      updateId: result.updateId,
      updateType: result.updateType,
      startedAt: result.startedAt,
      endedAt: result.endedAt,
      ...(result.adopted ? { adopted: true } : {}),
    };
    if (result.outcome === 'succeeded') return { attempt: { ...common, outcome: 'succeeded' } };
    const first = result.errors[0];
    return {
      attempt: { ...common, outcome: 'failed', errors: result.errors },
      failure: {
        errorCode: first?.errorCode ?? result.updateStatus,
        message: first?.errorMessage ?? `the update ended ${result.updateStatus}`,
        resourceIds: result.errors.flatMap((e) => e.resourceIds),
        updateId: result.updateId,
      },
    };
  } catch (err) {
    if (isCancellation(err)) throw err;
    const error = failureOf(err);
    return {
      attempt: { ...started, outcome: 'error', error, endedAt: new Date().toISOString() },
      failure: { errorCode: error.type, message: error.message, resourceIds: [] },
    };
  }
}

/** A manual step: the run waits for a person to do it (resume) or skip it. */
async function manualStep(ctx: PlanRunContext, step: PlanStep): Promise<StepOutcome> {
  const { tracker } = ctx;
  if ((await tracker.gate()) === 'stop') return 'rollback';
  const answer = await tracker.answerTo(tracker.open({ kind: 'manual', id: step.id, stepId: step.id }));
  if (answer.action === 'rollback') return 'rollback';
  if (answer.action === 'skip') {
    tracker.setStep(step.id, 'skipped', { note: `skipped by ${answer.by}: ${answer.reason ?? ''}` });
    return 'skipped';
  }
  tracker.record(step.id, { round: 0, force: false, outcome: 'confirmed', endedAt: answer.at }, 'succeeded');
  return 'done';
}

export async function runStep(ctx: PlanRunContext, step: PlanStep, kind: 'upgrade' | 'rollback'): Promise<StepOutcome> {
  const { tracker } = ctx;
  if (!step.automated) return manualStep(ctx, step);
  let force = false;
  for (;;) {
    if ((await tracker.gate()) === 'stop') return 'rollback';
    assertNotAborted(ctx);
    const round = tracker.step(step.id).attempts.length;
    tracker.setStep(step.id, 'running');
    const { attempt, failure } = await CancellationScope.nonCancellable(() => callStep(ctx, step, round, force));
    if (!failure) {
      tracker.record(step.id, attempt, attempt.outcome === 'already-done' ? 'already-done' : 'succeeded');
      return 'done';
    }
    tracker.record(step.id, attempt, 'failed');
    if (kind === 'rollback' && REFUSALS.has(failure.errorCode)) {
      tracker.setStep(step.id, 'refused', { note: `EKS refused: ${failure.message}`, byHand: byHand(step) });
      return 'refused';
    }
    assertNotAborted(ctx);
    const wait = tracker.open({
      kind: 'failed',
      id: step.id,
      stepId: step.id,
      stepKind: step.change.kind,
      errorCode: failure.errorCode,
      message: failure.message,
      resourceIds: failure.resourceIds,
      ...(failure.updateId ? { updateId: failure.updateId } : {}),
    });
    const answer = await tracker.answerTo(wait);
    if (answer.action === 'rollback') return 'rollback';
    if (answer.action === 'skip') {
      tracker.setStep(step.id, 'skipped', { note: `skipped by ${answer.by}: ${answer.reason ?? ''}` });
      return 'skipped';
    }
    force = answer.force === true;
  }
}
