// Failures inside the upgrade workflow: what a failed analysis is recorded as (skipped, with its cause), and how
// a failed phase ends the run: published first (status, Web UI details), then raised with the phase and the
// innermost cause in its message so the Web UI and `start --wait` say what went wrong.
import {
  ActivityFailure,
  ApplicationFailure,
  TemporalFailure,
  TimeoutFailure,
  type ApplicationFailure as ApplicationFailureType,
} from '@temporalio/workflow';
import type { SkippedAnalysis } from '../../domain/analysis';
import { failureCause, failureChainOfError, summarizeFailure } from '../../domain/failure';
import { UpgradeFailureType } from '../../domain/failure-types';
import type { UpgradeState } from './state';

/** What a failed activity says about itself: its failure type and message, for the skipped-analysis record. */
export function describeSkipped(err: unknown): Pick<SkippedAnalysis, 'errorType' | 'reason'> {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return { errorType: cause.type ?? 'Error', reason: cause.message };
  if (cause instanceof TimeoutFailure)
    return { errorType: 'Timeout', reason: `the activity timed out (${String(cause.timeoutType)})` };
  if (cause instanceof Error) return { errorType: cause.name, reason: cause.message };
  return { errorType: 'Error', reason: String(cause) };
}

/** A non-retryable failure of the workflow's own making (bad input found by workflow code). */
export function invalidUpgradeInput(message: string): ApplicationFailureType {
  return ApplicationFailure.create({ type: UpgradeFailureType.InvalidUpgradeInput, message, nonRetryable: true });
}

/**
 * Records why the run failed, shows it (status query, Web UI current details) and returns the failure to throw:
 * an ApplicationFailure of the innermost cause's type whose message names the phase and the cause, with the
 * original as its cause. Anything that is not a Temporal failure is a bug in workflow code: it is returned as
 * it is, so that it fails the workflow task (retried once a fixed worker is deployed), not the workflow.
 */
export function failUpgrade(state: UpgradeState, err: unknown): unknown {
  if (!(err instanceof TemporalFailure)) return err;
  state.failure = summarizeFailure('failed', failureChainOfError(err), state.phase);
  state.publish();
  return ApplicationFailure.create({
    type: state.failure.type,
    message: `Upgrade failed in phase ${state.phase}: ${failureCause(state.failure)}`,
    nonRetryable: true,
    details: [{ phase: state.phase, ...(state.failure.activity ? { activity: state.failure.activity } : {}) }],
    cause: err,
  });
}
