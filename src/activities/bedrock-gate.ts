// The caller side of the Bedrock guard: the one path every Bedrock call takes — reserve a permit from the
// singleton guard workflow (update-with-start, so nobody starts the guard by hand), invoke, settle.
// Rate denials are waited out here, heartbeating when inside an activity, so they never spend retry attempts;
// an exhausted daily budget is a non-retryable BedrockCostThresholdError.
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import type { AppConfig } from '../domain/config';
import type { GuardLimits, ReserveAnswer } from '../domain/guard-ledger';
import { formatUsd as usd } from '../domain/format';
import type { Logger } from '../domain/logger';
import type { BedrockCallOutcome, BedrockPermitGate, BedrockPermitRequest } from './contracts';
import { TASK_QUEUE } from '../workflows/constants';
import {
  reserveUpdate,
  settleUpdate,
  type GuardWorkflowInput,
  type ReserveUpdateArgs,
  type SettleUpdateArgs,
} from '../workflows/guard-messages';
import { guardLimitsFromConfig, startGuardOperation, type GuardTarget } from './guard-client';

export {
  configureGuard,
  readGuardSummary,
  retryGuardCall,
  guardLimitsFromConfig,
  type GuardTarget,
} from './guard-client';

/** Failure types the gate throws; list the first in activities' `nonRetryableErrorTypes` for clarity. */
export const BEDROCK_COST_THRESHOLD_ERROR = 'BedrockCostThresholdError';
export const BEDROCK_GUARD_BAD_REQUEST = 'BedrockGuardBadRequest';
export const BEDROCK_GUARD_UNAVAILABLE = 'BedrockGuardUnavailableError';

type GateLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export interface GuardedPermitGateDeps {
  client: Client;
  config: Pick<AppConfig, 'guard' | 'bedrock'>;
  logger: GateLogger;
  /** Where the guard runs when it has to be started (default TASK_QUEUE) and extra start input (tests). */
  guard?: Partial<GuardTarget> & {
    limits?: Partial<GuardLimits>;
    startInput?: Pick<GuardWorkflowInput, 'continueAsNewAfterUpdates'>;
  };
  /** How often to heartbeat while waiting out a denial (default 1 s; the SDK throttles heartbeats anyway). */
  heartbeatEveryMs?: number;
  /** How long the guard may be unreachable before a call fails retryably (default 60 s). */
  unavailableAfterMs?: number;
  /**
   * Most update calls this gate keeps in flight at once (default 8): the server admits only 10 in-flight updates
   * per workflow and answers the rest RESOURCE_EXHAUSTED, so a burst of callers queues here instead.
   */
  maxConcurrentUpdates?: number;
  /** Observes every permit granted (metrics, tests): the guard's grant time and how long the caller waited. */
  onPermit?: (permit: PermitEvent) => void;
}

export interface PermitEvent {
  requestId: string;
  modelId: string;
  caller: string;
  /** Guard (workflow) time of the grant, ms since epoch: the time the rate window counts. */
  grantedAt: number;
  /** Denials waited out before the grant. */
  denials: number;
  waitedMs: number;
}

/** The activity context when running inside one; undefined in a CLI or test process. */
function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** A counting semaphore: `run` waits for one of `size` slots. */
function semaphore(size: number): <R>(fn: () => Promise<R>) => Promise<R> {
  let free = size;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (free > 0) free -= 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free += 1;
    }
  };
}

/** Heartbeat well within the activity's heartbeat timeout, whatever it is. */
function heartbeatInterval(ctx: Context, heartbeatEveryMs: number): number {
  return Math.max(10, Math.min(heartbeatEveryMs, (ctx.info.heartbeatTimeoutMs ?? Number.POSITIVE_INFINITY) / 3));
}

/**
 * Runs one client call, heartbeating meanwhile when inside an activity, and aborting it at `deadline` or when
 * the activity is cancelled (a guard without a worker would otherwise keep an update call waiting forever).
 */
async function guardedRpc<R>(
  client: Client,
  ctx: Context | undefined,
  deadline: number,
  heartbeatEveryMs: number,
  details: Record<string, unknown>,
  fn: () => Promise<R>,
): Promise<R> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  const timer = setTimeout(abort, Math.max(1, deadline - Date.now()));
  const beat = ctx ? setInterval(() => ctx.heartbeat(details), heartbeatInterval(ctx, heartbeatEveryMs)) : undefined;
  ctx?.cancellationSignal.addEventListener('abort', abort);
  try {
    return await client.withAbortSignal(controller.signal, fn);
  } finally {
    clearTimeout(timer);
    if (beat) clearInterval(beat);
    ctx?.cancellationSignal.removeEventListener('abort', abort);
  }
}

/** Sleeps `ms`, heartbeating inside an activity (cancellation then interrupts the wait with CancelledFailure). */
async function pause(
  ctx: Context | undefined,
  ms: number,
  heartbeatEveryMs: number,
  details: Record<string, unknown>,
): Promise<void> {
  if (!ctx) {
    await new Promise<void>((resolve) => setTimeout(resolve, ms));
    return;
  }
  const every = heartbeatInterval(ctx, heartbeatEveryMs);
  let left = ms;
  ctx.heartbeat(details);
  while (left > 0) {
    const chunk = Math.min(left, every);
    await ctx.sleep(chunk);
    left -= chunk;
    ctx.heartbeat(details);
  }
}

function untilText(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  return minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
}

export function costThresholdFailure(
  answer: Extract<ReserveAnswer, { kind: 'budget-exhausted' }>,
  caller: string,
): ApplicationFailure {
  return ApplicationFailure.create({
    type: BEDROCK_COST_THRESHOLD_ERROR,
    nonRetryable: true,
    message:
      `Daily Bedrock budget exhausted for ${answer.day} (UTC): ${usd(answer.spentUsd)} spent and ${usd(answer.reservedUsd)} reserved ` +
      `of the ${usd(answer.limitUsd)} limit; this call (${caller}) needs up to ${usd(answer.requestedUsd)}. ` +
      `The budget resets at ${answer.resetsAt} (UTC midnight, in ${untilText(answer.retryAfterMs)}). ` +
      'To spend more today, raise the limit at run time (`eks-upgrade cost`, guard update `configure`).',
    details: [answer],
  });
}

/** A request id that names the caller for people reading the guard's history, and is unique per logical call. */
function newRequestId(caller: string): string {
  const ctx = activityContext();
  const suffix = randomUUID().slice(0, 8);
  if (!ctx) return `${caller}/${suffix}`;
  const { workflowExecution, activityId, attempt } = ctx.info;
  return `${workflowExecution?.workflowId ?? caller}/${activityId}#${attempt}/${suffix}`;
}

export function createGuardedPermitGate(deps: GuardedPermitGateDeps): BedrockPermitGate {
  const { client, logger } = deps;
  const target: GuardTarget = {
    workflowId: deps.guard?.workflowId ?? deps.config.guard.workflowId,
    taskQueue: deps.guard?.taskQueue ?? TASK_QUEUE,
  };
  const startInput: GuardWorkflowInput = {
    limits: { ...guardLimitsFromConfig(deps.config), ...deps.guard?.limits },
    ...deps.guard?.startInput,
  };
  const heartbeatEveryMs = deps.heartbeatEveryMs ?? 1_000;
  const unavailableAfterMs = deps.unavailableAfterMs ?? 60_000;
  const inFlight = semaphore(deps.maxConcurrentUpdates ?? 8);

  /**
   * Sends one update to the guard (starting it if none runs), retrying transport-level failures (server busy,
   * run closing).
   * `ctx` is the activity to heartbeat for and be cancelled with, if any.
   */
  async function send<Ret, Arg>(
    update: UpdateDefinition<Ret, [Arg]>,
    arg: Arg,
    updateId: string,
    ctx: Context | undefined,
  ): Promise<Ret> {
    return withRetries(updateId, ctx, () => inFlight(() => sendOnce(update, arg, updateId)));
  }

  // A plain update to the running guard is a cheaper round trip than update-with-start, so it is tried first;
  // only when no guard runs (first call of the namespace, or it was terminated) is it started on demand.
  const guardHandle = client.workflow.getHandle(target.workflowId);
  let guardRunning = false;
  async function sendOnce<Ret, Arg>(update: UpdateDefinition<Ret, [Arg]>, arg: Arg, updateId: string): Promise<Ret> {
    if (guardRunning) {
      try {
        return await guardHandle.executeUpdate(update, { args: [arg], updateId });
      } catch (err) {
        // A refusal is the guard's answer; anything else (not found, closed, transport) retries with start.
        if (err instanceof WorkflowUpdateFailedError) throw err;
        guardRunning = false;
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }
    const answer = await client.workflow.executeUpdateWithStart(update, {
      args: [arg],
      updateId,
      startWorkflowOperation: startGuardOperation(target, startInput),
    });
    guardRunning = true;
    return answer;
  }

  /** Calls `rpc` until it succeeds, is refused (non-retryable), is cancelled, or the guard stays unreachable too long. */
  async function withRetries<R>(label: string, ctx: Context | undefined, rpc: () => Promise<R>): Promise<R> {
    const deadline = Date.now() + unavailableAfterMs;
    const details = { waitingFor: 'bedrock-guard', call: label };
    for (let failures = 1; ; failures++) {
      try {
        return await guardedRpc(client, ctx, deadline, heartbeatEveryMs, details, rpc);
      } catch (err) {
        if (ctx?.cancellationSignal.aborted) await ctx.cancelled;
        if (err instanceof WorkflowUpdateFailedError) {
          throw ApplicationFailure.create({
            type: BEDROCK_GUARD_BAD_REQUEST,
            nonRetryable: true,
            message: `The Bedrock guard refused the request: ${err.cause?.message ?? err.message}`,
            cause: err,
          });
        }
        if (Date.now() >= deadline) {
          throw ApplicationFailure.create({
            type: BEDROCK_GUARD_UNAVAILABLE,
            message: `The Bedrock guard (${target.workflowId}) did not answer for ${unavailableAfterMs} ms: ${(err as Error).message}. Is a worker polling task queue ${target.taskQueue}?`,
            cause: err as Error,
          });
        }
        const backoff = Math.min(2_000, 50 * 2 ** Math.min(failures, 6)) * (0.5 + Math.random() / 2);
        logger.debug({ err: (err as Error).message, call: label, backoff }, 'Bedrock guard call failed; retrying');
        await pause(ctx, backoff, heartbeatEveryMs, { waitingFor: 'bedrock-guard', reason: 'unavailable' });
      }
    }
  }

  async function reserveUntilGranted(
    request: BedrockPermitRequest,
    requestId: string,
    ctx: Context | undefined,
  ): Promise<void> {
    const args: ReserveUpdateArgs = { requestId, ...request };
    const asked = Date.now();
    for (let denial = 0; ; denial++) {
      // One update id per question: a retried transport failure reuses it; a new question after a denial gets a new one.
      const answer = await send(reserveUpdate, args, `${requestId}:reserve:${denial}`, ctx);
      if (answer.kind === 'granted') {
        deps.onPermit?.({
          requestId,
          modelId: request.modelId,
          caller: request.caller,
          grantedAt: answer.grantedAt,
          denials: denial,
          waitedMs: Date.now() - asked,
        });
        return;
      }
      if (answer.kind === 'budget-exhausted') throw costThresholdFailure(answer, request.caller);
      // Arrive just after the slot opens; a little jitter keeps many waiters from landing in the same instant.
      const wait = answer.retryAfterMs + Math.floor(Math.random() * Math.min(10, answer.retryAfterMs / 10 + 1));
      logger.debug({ requestId, reason: answer.reason, wait }, 'Bedrock guard: waiting for a permit');
      await pause(ctx, wait, heartbeatEveryMs, {
        waitingFor: 'bedrock-guard',
        reason: answer.reason,
        retryAfterMs: answer.retryAfterMs,
      });
    }
  }

  async function settleQuietly(
    requestId: string,
    modelId: string,
    outcome: Omit<SettleUpdateArgs, 'reservationId' | 'modelId'>,
    ctx: Context | undefined,
  ): Promise<void> {
    try {
      const args: SettleUpdateArgs = { reservationId: requestId, modelId, ...outcome };
      await send(settleUpdate, args, `${requestId}:settle`, ctx);
    } catch (err) {
      // Never lose the call's result over bookkeeping: the reservation then expires charged at its estimate.
      logger.warn(
        { requestId, err: (err as Error).message },
        'Bedrock guard: settle failed; the reservation will expire charged at its estimate',
      );
    }
  }

  // Settles run behind the caller's back (write-behind): the answer is returned at once, the reservation keeps
  // the worst-case estimate until the settle lands, and drain() lets an activity wait for them before it completes.
  const pendingSettles = new Set<Promise<void>>();
  function settleBehind(
    requestId: string,
    modelId: string,
    outcome: Omit<SettleUpdateArgs, 'reservationId' | 'modelId'>,
    ctx: Context | undefined,
  ): void {
    const settling: Promise<void> = settleQuietly(requestId, modelId, outcome, ctx).finally(() =>
      pendingSettles.delete(settling),
    );
    pendingSettles.add(settling);
  }

  return {
    async run<T>(request: BedrockPermitRequest, invoke: () => Promise<BedrockCallOutcome<T>>): Promise<T> {
      const ctx = activityContext();
      const requestId = newRequestId(request.caller);
      await reserveUntilGranted(request, requestId, ctx);
      let outcome: BedrockCallOutcome<T>;
      try {
        outcome = await invoke();
      } catch (err) {
        // The request may have been sent and its input billed: charge at least the input estimate.
        settleBehind(
          requestId,
          request.modelId,
          { actualCostUsd: request.estimatedInputCostUsd, inputTokens: 0, outputTokens: 0, succeeded: false },
          ctx,
        );
        throw err;
      }
      settleBehind(
        requestId,
        request.modelId,
        {
          actualCostUsd: outcome.actualCostUsd,
          inputTokens: outcome.inputTokens,
          outputTokens: outcome.outputTokens,
          succeeded: true,
        },
        ctx,
      );
      return outcome.value;
    },
    async drain(): Promise<void> {
      while (pendingSettles.size > 0) await Promise.all([...pendingSettles]);
    },
  };
}
