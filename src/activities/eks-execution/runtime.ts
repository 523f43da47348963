// What a step needs from its surroundings: heartbeats (with the details a retry reads back), a cancellable sleep,
// the step's token and a logger. Inside an activity they come from Temporal's Context; the benchmark and unit tests
// pass plain ones, so the EKS logic is the same code either way.
import { Context } from '@temporalio/activity';
import type { Logger } from '../../domain/logger';
import { stepToken } from './token';

export type ExecutionLogger = Pick<Logger, 'info' | 'warn'>;

export interface PollProgress {
  updateId: string;
  lastStatus: string;
}

export interface StepRuntime {
  /** Records progress; a retried attempt gets the last details back in `previous`. */
  heartbeat(details: PollProgress): void;
  /** The last heartbeat details of an earlier attempt of this activity, if any. */
  previous?: PollProgress;
  /** Resolves after `ms`, or rejects when the activity is cancelled. */
  sleep(ms: number): Promise<void>;
  token: string;
  log?: ExecutionLogger;
}

function isProgress(value: unknown): value is PollProgress {
  return !!value && typeof value === 'object' && typeof (value as PollProgress).updateId === 'string';
}

/** The runtime of the current activity: token from its workflow id, the scope, the step id and the operator's round. */
export function activityRuntime(
  stepId: string,
  round: number,
  scope: string | undefined,
  log?: ExecutionLogger,
): StepRuntime {
  const ctx = Context.current();
  const workflowId = ctx.info.workflowExecution?.workflowId ?? ctx.info.activityId;
  const previous: unknown = ctx.info.heartbeatDetails;
  return {
    heartbeat: (details) => ctx.heartbeat(details),
    ...(isProgress(previous) ? { previous } : {}),
    sleep: (ms) => ctx.sleep(ms),
    token: stepToken(workflowId, stepId, round, scope),
    ...(log ? { log } : {}),
  };
}
