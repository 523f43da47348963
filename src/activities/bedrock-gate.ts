// The caller side of the Bedrock guard: the one path every Bedrock call takes — take a permit from this process's
// lease (src/activities/guard-lease.ts; a round trip to the guard only when the local pool cannot serve it), invoke,
// and hand what Bedrock billed to the lease's next sync. Rate waits are waited out here, heartbeating when inside
// an activity, so they never spend retry attempts; an exhausted daily budget is a non-retryable
// BedrockCostThresholdError.
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { bedrockFailureDetails } from '../domain/bedrock-errors';
import type { AppConfig } from '../domain/config';
import { callFloorFor, dailyLimitProblem, type CallFloor, type GuardLimits } from '../domain/guard-ledger';
import type { RefusedCall } from '../domain/guard-leases';
import { formatMicroUsd, usdToMicros, usdToMicrosUp } from '../domain/money';
import { resolveModelPricing } from '../domain/prices';
import type { Logger } from '../domain/logger';
import { TASK_QUEUE } from '../workflows/constants';
import { describeZodError, GuardLimitsSchema, type GuardWorkflowInput } from '../workflows/guard-messages';
import type { BedrockCallOutcome, BedrockPermitGate, BedrockPermitRequest } from './contracts';
import { createGuardTransport, guardLimitsFromConfig, type GuardTarget } from './guard-client';
import { CallRefusedError, GuardUnavailableError, LeaseHolder, type Ticket } from './guard-lease';

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
  /** How often to heartbeat while waiting for a permit (default 1 s; the SDK throttles heartbeats anyway). */
  heartbeatEveryMs?: number;
  /** How long the guard may be silent before a waiting call fails retryably (default 60 s). */
  unavailableAfterMs?: number;
  /** Time a request may take from the permit check to Bedrock (default: half the permit's validity). */
  wireMarginMs?: number;
  /** Most spare permits the process keeps at hand (default 128). */
  maxSparePermits?: number;
  /** Observes every permit a call takes (metrics, tests): the guard's grant time and how long the caller waited. */
  onPermit?: (permit: PermitEvent) => void;
}

export interface PermitEvent {
  requestId: string;
  modelId: string;
  caller: string;
  /** Guard (workflow) time of the grant, ms since epoch: the time the rate window counts from. */
  grantedAt: number;
  /** Wait answers seen before the grant (0 when the local pool served the call at once). */
  denials: number;
  waitedMs: number;
  /** Served from the local pool, without a round trip to the guard. */
  fromPool: boolean;
}

/** The permit gate, plus the lease behind it: close() gives what is left back to the guard (worker shutdown). */
export interface GuardedPermitGate extends BedrockPermitGate {
  readonly holder: LeaseHolder;
  /** Waits for calls in flight (up to `timeoutMs`, default 30 s), then gives the lease back. */
  close(timeoutMs?: number): Promise<void>;
}

/** The activity context when running inside one; undefined in a CLI or test process. */
function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** Heartbeat well within the activity's heartbeat timeout, whatever it is. */
function heartbeatInterval(ctx: Context, heartbeatEveryMs: number): number {
  return Math.max(10, Math.min(heartbeatEveryMs, (ctx.info.heartbeatTimeoutMs ?? Number.POSITIVE_INFINITY) / 3));
}

function untilText(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  return minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
}

export function costThresholdFailure(
  refusal: Extract<RefusedCall, { reason: 'budget-exhausted' }>,
  caller: string,
): ApplicationFailure {
  return ApplicationFailure.create({
    type: BEDROCK_COST_THRESHOLD_ERROR,
    nonRetryable: true,
    message:
      `Daily Bedrock budget exhausted for ${refusal.day} (UTC): ${formatMicroUsd(refusal.spentMicros)} spent and ` +
      `${formatMicroUsd(refusal.heldMicros)} held by calls in flight of the ${formatMicroUsd(refusal.limitMicros)} limit; ` +
      `this call (${caller}) needs up to ${formatMicroUsd(refusal.requestedMicros)}. ` +
      `The budget resets at ${refusal.resetsAt} (UTC midnight, in ${untilText(refusal.retryAfterMs)}). ` +
      'To spend more today, raise the limit at run time (`eks-upgrade cost --set-daily-limit`).',
    details: [refusal],
  });
}

/** A request id that names the caller for people reading the guard's history, and is unique per logical call. */
function newRequestId(caller: string, ctx: Context | undefined): string {
  const suffix = randomUUID().slice(0, 8);
  if (!ctx) return `${caller}/${suffix}`;
  const { workflowExecution, activityId, attempt } = ctx.info;
  return `${workflowExecution?.workflowId ?? caller}/${activityId}#${attempt}/${suffix}`;
}

/** The least a call can cost under this config, when its model has a price (else the analyses refuse it anyway). */
function floorOf(config: Pick<AppConfig, 'bedrock'>): CallFloor | undefined {
  try {
    return callFloorFor(
      resolveModelPricing(config.bedrock.modelId, config.bedrock.modelPrices),
      config.bedrock.maxTokens,
    );
  } catch {
    return undefined;
  }
}

/**
 * The guard's start limits, checked here so a bad value is a clear error at start-up (naming the field and why)
 * rather than a guard that can only refuse.
 */
export function checkedGuardLimits(config: Pick<AppConfig, 'guard' | 'bedrock'>, overrides: Partial<GuardLimits> = {}) {
  const limits = { ...guardLimitsFromConfig(config), ...overrides };
  const parsed = GuardLimitsSchema.safeParse(limits);
  if (!parsed.success)
    throw new Error(`invalid Bedrock guard limits: ${describeZodError('guard limits', parsed.error)}`);
  const floor = floorOf(config);
  const problem = floor ? dailyLimitProblem(limits.dailyCostLimitUsd, floor) : undefined;
  if (problem) throw new Error(problem);
  return { limits: parsed.data, floor };
}

/**
 * What a failed call is charged, as close to what Bedrock bills as can be known: nothing when Bedrock refused it
 * before inference (a 429, another 4xx, a connection refused); its input estimate when Bedrock answered with an
 * error (5xx, 408, 424: the request was read, no answer was produced); its worst case when no answer came at all
 * (a timeout, a reset, a cancelled activity: the inference may have run to the end). Never under what it may cost.
 */
export function failedCallCharge(err: unknown, request: BedrockPermitRequest): number {
  const details = bedrockFailureDetails(err);
  if (details?.mayHaveBeenBilled === false) return 0;
  if (details?.httpStatus !== undefined) return usdToMicrosUp(request.estimatedInputCostUsd);
  return usdToMicrosUp(request.estimatedCostUsd);
}

export function createGuardedPermitGate(deps: GuardedPermitGateDeps): GuardedPermitGate {
  const { client, logger } = deps;
  const target: GuardTarget = {
    workflowId: deps.guard?.workflowId ?? deps.config.guard.workflowId,
    taskQueue: deps.guard?.taskQueue ?? TASK_QUEUE,
  };
  const { limits, floor } = checkedGuardLimits(deps.config, deps.guard?.limits);
  const startInput: GuardWorkflowInput = { limits, ...deps.guard?.startInput };
  const heartbeatEveryMs = deps.heartbeatEveryMs ?? 1_000;
  const holder = new LeaseHolder({
    transport: createGuardTransport(client, target, startInput),
    logger,
    ...(floor ? { floor } : {}),
    ...(deps.wireMarginMs !== undefined ? { wireMarginMs: deps.wireMarginMs } : {}),
    ...(deps.maxSparePermits !== undefined ? { maxSpare: deps.maxSparePermits } : {}),
    ...(deps.unavailableAfterMs !== undefined ? { unavailableAfterMs: deps.unavailableAfterMs } : {}),
  });

  async function acquire(request: BedrockPermitRequest, callId: string, ctx: Context | undefined): Promise<Ticket> {
    const asked = Date.now();
    const want = {
      callId,
      allowanceMicros: usdToMicrosUp(request.estimatedCostUsd),
      tokens: request.estimatedTokens,
      modelId: request.modelId,
      caller: request.caller,
    };
    const beat = ctx
      ? setInterval(
          () => ctx.heartbeat({ waitingFor: 'bedrock-guard', call: callId }),
          heartbeatInterval(ctx, heartbeatEveryMs),
        )
      : undefined;
    try {
      const ticket = await holder.acquire(want, ctx?.cancellationSignal);
      deps.onPermit?.({
        requestId: callId,
        modelId: request.modelId,
        caller: request.caller,
        grantedAt: ticket.grantedAt,
        denials: ticket.denials,
        waitedMs: Date.now() - asked,
        fromPool: ticket.fromPool,
      });
      return ticket;
    } catch (err) {
      if (ctx?.cancellationSignal.aborted) await ctx.cancelled;
      if (err instanceof CallRefusedError) {
        if (err.refusal.reason === 'budget-exhausted') throw costThresholdFailure(err.refusal, request.caller);
        throw ApplicationFailure.create({
          type: BEDROCK_GUARD_BAD_REQUEST,
          nonRetryable: true,
          message: `The Bedrock guard refused the request: ${err.refusal.message}`,
        });
      }
      if (err instanceof GuardUnavailableError)
        throw ApplicationFailure.create({
          type: BEDROCK_GUARD_UNAVAILABLE,
          message: `The Bedrock guard (${target.workflowId}) is unavailable: ${err.message}. Is a worker polling task queue ${target.taskQueue}?`,
          cause: err,
        });
      if (err instanceof Error && err.name === 'GuardRejectedError')
        throw ApplicationFailure.create({ type: BEDROCK_GUARD_BAD_REQUEST, nonRetryable: true, message: err.message });
      throw err;
    } finally {
      if (beat) clearInterval(beat);
    }
  }

  return {
    holder,
    async run<T>(request: BedrockPermitRequest, invoke: () => Promise<BedrockCallOutcome<T>>): Promise<T> {
      const ctx = activityContext();
      const callId = newRequestId(request.caller, ctx);
      const ticket = await acquire(request, callId, ctx);
      let outcome: BedrockCallOutcome<T>;
      try {
        outcome = await invoke();
      } catch (err) {
        holder.finish(ticket, {
          chargedMicros: failedCallCharge(err, request),
          inputTokens: 0,
          outputTokens: 0,
          succeeded: false,
        });
        throw err;
      }
      holder.finish(ticket, {
        chargedMicros: usdToMicros(outcome.actualCostUsd),
        inputTokens: outcome.inputTokens,
        outputTokens: outcome.outputTokens,
        succeeded: true,
      });
      return outcome.value;
    },
    // Bounded: the settles stay queued in the holder (and keep being retried) even if this returns first.
    drain: () => holder.flush(30_000),
    close: (timeoutMs) => holder.close(timeoutMs),
  };
}
