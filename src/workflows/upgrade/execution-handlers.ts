// The operator's updates to an executing upgrade or rollback: retry, skip, pause, resume, confirmRollback. Each has
// a synchronous validator over the domain's rules (src/domain/execution-requests.ts), so a request that fits nothing
// waiting is refused at once with the reason and never reaches history; an accepted one is recorded (who, why, when)
// in the execution's decisions and handed to the wait it answers. Handlers answer at once: the run acts on it.
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import {
  ConfirmRollbackRequestSchema,
  PauseRequestSchema,
  refuseConfirmRollback,
  refusePause,
  refuseResume,
  refuseRetry,
  refuseSkip,
  ResumeRequestSchema,
  RetryRequestSchema,
  SkipRequestSchema,
  targetWait,
} from '../../domain/execution-requests';
import type { OperatorDecision } from '../../domain/execution';
import { UpgradeFailureType } from '../../domain/failure-types';
import { confirmRollbackUpdate, pauseUpdate, resumeUpdate, retryUpdate, skipUpdate } from '../upgrade-messages';
import type { UpgradeState } from './state';
import type { ExecutionTracker } from './tracker';

function rejectIf(reason: string | undefined): void {
  if (reason) throw ApplicationFailure.create({ type: UpgradeFailureType.RequestRejected, message: reason });
}

/** The running tracker; the validators have checked there is one. */
function active(state: UpgradeState): ExecutionTracker {
  const run = state.activeRun();
  if (!run) throw ApplicationFailure.create({ type: UpgradeFailureType.RequestRejected, message: 'nothing executes' });
  return run;
}

const now = () => new Date().toISOString();

export function registerExecutionHandlers(state: UpgradeState): void {
  setHandler(
    retryUpdate,
    (raw) => {
      const request = RetryRequestSchema.parse(raw);
      const run = active(state);
      const target = targetWait(run.progress.waits, ['failed', 'drift'], request.stepId);
      if ('refusal' in target) throw ApplicationFailure.create({ message: target.refusal });
      const wait = target.wait;
      const decision: OperatorDecision = {
        action: 'retry',
        by: request.by ?? 'unknown',
        ...(request.reason ? { reason: request.reason } : {}),
        ...(request.force ? { force: true } : {}),
        waitId: wait.id,
        at: now(),
      };
      if (request.force)
        state.note(`${decision.by} forced a retry of ${wait.id} at ${decision.at}: ${request.reason ?? ''}`);
      run.answer(wait.id, decision);
      const step = 'stepId' in wait ? run.progress.steps.find((s) => s.stepId === wait.stepId) : undefined;
      return { waitId: wait.id, ...(step ? { round: step.attempts.length } : {}), force: request.force === true };
    },
    {
      validator: (request) => rejectIf(refuseRetry(state.requestView(), request)),
      description: 'retry a failed step (a new operator round; --force audited) or check drift again',
    },
  );

  setHandler(
    skipUpdate,
    (raw) => {
      const request = SkipRequestSchema.parse(raw);
      const run = active(state);
      const target = targetWait(run.progress.waits, ['failed', 'drift', 'manual'], request.stepId);
      if ('refusal' in target) throw ApplicationFailure.create({ message: target.refusal });
      const wait = target.wait;
      const decision: OperatorDecision = {
        action: 'skip',
        by: request.by ?? 'unknown',
        reason: request.reason,
        waitId: wait.id,
        at: now(),
      };
      state.note(`${decision.by} skipped ${wait.id} at ${decision.at}: ${request.reason}`);
      run.answer(wait.id, decision);
      const what = wait.kind === 'drift' ? `going on despite drift before stage ${wait.stage}` : `skipping ${wait.id}`;
      return { waitId: wait.id, what };
    },
    {
      validator: (request) => rejectIf(refuseSkip(state.requestView(), request)),
      description: 'skip a failed or manual step (never the control plane), or go on despite drift',
    },
  );

  setHandler(
    pauseUpdate,
    (raw) => {
      const request = PauseRequestSchema.parse(raw);
      const run = active(state);
      run.requestPause(request.by ?? 'unknown', request.reason);
      const running = run.running();
      return {
        running,
        message:
          running.length > 0
            ? `pausing after the running step(s) ${running.join(', ')}: EKS cannot pause an update in progress`
            : 'paused before the next step',
      };
    },
    {
      validator: (request) => rejectIf(refusePause(state.requestView(), request)),
      description: 'pause before the next step (running EKS updates finish)',
    },
  );

  setHandler(
    resumeUpdate,
    (raw) => {
      const request = ResumeRequestSchema.parse(raw);
      const resumed = active(state).resume({
        action: 'resume',
        by: request.by ?? 'unknown',
        ...(request.comment ? { reason: request.comment } : {}),
        at: now(),
      });
      return { resumed };
    },
    {
      validator: (request) => rejectIf(refuseResume(state.requestView(), request)),
      description: 'resume a paused run, or confirm a manual step is done',
    },
  );

  setHandler(
    confirmRollbackUpdate,
    (raw) => {
      const request = ConfirmRollbackRequestSchema.parse(raw);
      const by = request.by ?? 'unknown';
      const proposal = state.rollbackProposal;
      if (state.phase === 'soak' && proposal) {
        proposal.state = 'confirmed';
        proposal.confirmedBy = by;
        proposal.confirmedAt = now();
        state.note(
          `${by} confirmed the rollback at ${proposal.confirmedAt}${request.reason ? `: ${request.reason}` : ''}`,
        );
        state.publish();
        return { phase: state.phase, message: `rolling back: ${proposal.steps} step(s) planned` };
      }
      const run = active(state);
      run.requestRollback({
        action: 'rollback',
        by,
        ...(request.reason ? { reason: request.reason } : {}),
        at: now(),
      });
      state.note(`${by} chose to roll back during the execution${request.reason ? `: ${request.reason}` : ''}`);
      const running = run.running();
      return {
        phase: state.phase,
        message:
          running.length > 0
            ? `rolling back once the running step(s) ${running.join(', ')} end (EKS cannot cancel them)`
            : 'rolling back what the upgrade changed',
      };
    },
    {
      validator: (request) => rejectIf(refuseConfirmRollback(state.requestView(), request)),
      description: 'run the rollback plan (after a ROLLBACK verdict, or instead of going on with the upgrade)',
    },
  );
}
