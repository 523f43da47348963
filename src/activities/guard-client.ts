// Client-side helpers for the singleton Bedrock guard: the sync transport of the lease holders (a plain update to
// the running guard; update-with-start with USE_EXISTING only when none runs), its initial limits from config, and
// the two operations the CLI's `cost` command needs.
import {
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import type { AppConfig } from '../domain/config';
import type { GuardLimits, GuardSummary } from '../domain/guard-ledger';
import type { SyncAnswer } from '../domain/guard-leases';
import { TASK_QUEUE } from '../workflows/constants';
import {
  configureUpdate,
  summaryQuery,
  syncUpdate,
  type ConfigurePatch,
  type GuardWorkflowInput,
  type SyncUpdateArgs,
} from '../workflows/guard-messages';
import type { bedrockGuardWorkflow } from '../workflows/guard';

export interface GuardTarget {
  workflowId: string;
  taskQueue: string;
}

/** The guard's limits from the app config; used only when a call has to start the guard. */
export function guardLimitsFromConfig(config: Pick<AppConfig, 'guard' | 'bedrock'>): GuardLimits {
  return {
    dailyCostLimitUsd: config.guard.dailyCostLimitUsd,
    maxRequestsPerWindow: config.guard.maxRequestsPerWindow,
    maxTokensPerWindow: config.guard.maxTokensPerWindow ?? null,
    windowMs: config.guard.windowMs,
    permitValidityMs: config.guard.permitValidityMs,
    leaseTtlMs: config.guard.leaseTtlMs,
    warnAtFraction: 0.8,
  };
}

/** The guard refused a request as malformed or impossible (its validator's message says why): final, not transient. */
export class GuardRejectedError extends Error {
  override readonly name = 'GuardRejectedError';
}

/** How a lease holder reaches the guard: one sync per call, idempotent per update id. */
export interface GuardSyncTransport {
  /** `signal` aborts the attempt (the holder is closing). */
  sync(request: SyncUpdateArgs, updateId: string, signal?: AbortSignal): Promise<SyncAnswer>;
}

/**
 * A plain update to the running guard. Only when the server says there is no such workflow (first call of the
 * namespace, or it was terminated) is the guard started, by update-with-start; any other failure (server busy,
 * update aborted, outage) is thrown for the holder to retry the same update, never the heavier operation.
 */
export function createGuardTransport(
  client: Client,
  target: GuardTarget,
  startInput: GuardWorkflowInput,
  rpcTimeoutMs = 10_000,
): GuardSyncTransport {
  const handle = client.workflow.getHandle(target.workflowId);
  let mustStart = false;
  return {
    async sync(request, updateId, signal) {
      const timeout = AbortSignal.timeout(rpcTimeoutMs);
      try {
        const answer = await client.withAbortSignal(signal ? AbortSignal.any([timeout, signal]) : timeout, () =>
          mustStart
            ? client.workflow.executeUpdateWithStart(syncUpdate, {
                args: [request],
                updateId,
                startWorkflowOperation: startGuardOperation(target, startInput),
              })
            : handle.executeUpdate(syncUpdate, { args: [request], updateId }),
        );
        mustStart = false;
        return answer;
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError)
          throw new GuardRejectedError(`The Bedrock guard refused the request: ${err.cause?.message ?? err.message}`, {
            cause: err,
          });
        if (err instanceof WorkflowNotFoundError) mustStart = true;
        throw err;
      }
    },
  };
}

/**
 * A fresh start operation for update-with-start (each instance is single-use). With USE_EXISTING a running
 * guard is used as is: its limits change only through `configure`, never through a caller's start input.
 */
export function startGuardOperation(
  target: GuardTarget,
  input: GuardWorkflowInput,
): WithStartWorkflowOperation<typeof bedrockGuardWorkflow> {
  return new WithStartWorkflowOperation<typeof bedrockGuardWorkflow>('bedrockGuardWorkflow', {
    ...guardStartOptions(target, input),
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

/** How the guard is started when an update-with-start finds none running. */
export function guardStartOptions(target: GuardTarget, input: GuardWorkflowInput) {
  return {
    workflowId: target.workflowId,
    taskQueue: target.taskQueue,
    args: [input] as [GuardWorkflowInput],
    staticSummary: 'Bedrock cost/rate guard: one per namespace; every Bedrock call reserves and settles here',
    staticDetails:
      'Singleton guard for Amazon Bedrock calls. Worker processes lease permits and budget with the `sync` update ' +
      'and report what each call cost; `configure` changes limits, `forceContinueAsNew` rolls the history; query ' +
      '`summary` (or `eks-upgrade cost`). The ledger resets at midnight UTC; a lease not renewed expires, charging ' +
      'the calls it had started. See docs/guard.md.',
  };
}

/**
 * Retries a call to the guard that the server aborted for a transient reason — the run was closing for
 * continue-as-new, or its workflow task was redone because a signal arrived — a few times. A refusal by the
 * guard (WorkflowUpdateFailedError) is final and passes through.
 */
export async function retryGuardCall<R>(fn: () => Promise<R>, attempts = 5): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError || attempt >= attempts)
        throw err;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

/** The guard's cost summary, or undefined when no guard has run in this namespace yet. */
export async function readGuardSummary(
  client: Client,
  workflowId: string,
): Promise<(GuardSummary & { run: number }) | undefined> {
  try {
    return await client.workflow.getHandle(workflowId).query(summaryQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** Changes the guard's limits at run time (starting it with the config's limits first if needed); returns the new summary. */
export async function configureGuard(
  client: Client,
  options: {
    config: Pick<AppConfig, 'guard' | 'bedrock'>;
    patch: ConfigurePatch;
    taskQueue?: string;
    workflowId?: string;
  },
): Promise<GuardSummary> {
  const target = {
    workflowId: options.workflowId ?? options.config.guard.workflowId,
    taskQueue: options.taskQueue ?? TASK_QUEUE,
  };
  try {
    return await retryGuardCall(() =>
      client.workflow.executeUpdateWithStart(configureUpdate, {
        args: [options.patch],
        startWorkflowOperation: startGuardOperation(target, { limits: guardLimitsFromConfig(options.config) }),
      }),
    );
  } catch (err) {
    // The validator's message names the bad field; the SDK's own message ("Workflow Update failed") does not.
    if (err instanceof WorkflowUpdateFailedError)
      throw new Error(`The Bedrock guard refused the new limits: ${err.cause?.message ?? err.message}`, { cause: err });
    throw err;
  }
}
