// One plan step as one EKS update, whatever happens to the worker (eks-execution.md §3, design):
//   1. an earlier attempt's update (heartbeat details) is polled again;
//   2. else the resource is read: already at the target → done;
//   3. else a running update of this step (ListUpdates + DescribeUpdate: type and target parameters) is adopted;
//   4. else the EKS call is made with the step's deterministic token (a lost answer resent returns the same update);
//      a 409 ResourceInUseException is answered by adopting the update it names, if it is this step's;
//   5. DescribeUpdate is polled with heartbeats until Successful, Failed or Cancelled.
// Never a second update for one step and round. A Failed update is a typed result for the operator.
import { ApplicationFailure } from '@temporalio/common';
import type { EKSClient, Update } from '@aws-sdk/client-eks';
import type { EksStepResult } from '../contracts';
import { isRetryableEksError, toActivityFailure } from './errors';
import type { StepRuntime } from './runtime';
import { describeUpdate, isTerminal, listUpdates, updateIdInMessage, type UpdateScope } from './updates';

/** What one kind of change needs: how to read its resource, recognise its update, and make the call. */
export interface ChangeSpec<R = unknown> {
  /** For messages, e.g. "node group web to 1.32". */
  what: string;
  scope: UpdateScope;
  read(): Promise<{ atTarget: boolean; observed: string; resource?: R }>;
  /** Whether a listed update is this step's change: its type and target parameters. */
  matches(update: Update): boolean;
  issue(token: string, resource: R | undefined): Promise<Update | undefined>;
}

export interface StepOptions {
  pollIntervalMs: number;
  now: () => Date;
}

/** Transient DescribeUpdate errors tolerated in a row while polling before the attempt fails (and is retried). */
const MAX_TRANSIENT_POLL_ERRORS = 10;

const errorName = (error: unknown) => (error as { name?: string } | undefined)?.name ?? '';
const errorMessage = (error: unknown) => (error as { message?: string } | undefined)?.message ?? '';

async function runningUpdateOf(eks: EKSClient, clusterName: string, spec: ChangeSpec): Promise<Update | undefined> {
  const running = (await listUpdates(eks, clusterName, spec.scope)).filter((u) => u.status === 'InProgress');
  const ours = running.find((u) => spec.matches(u));
  if (ours) return ours;
  const other = running[0];
  if (other)
    throw ApplicationFailure.nonRetryable(
      `${spec.what}: update ${other.id} (${other.type}) is running on it and is not this step's change; let it finish or decide what to do`,
      'ConflictingUpdateInProgress',
      { updateId: other.id, type: other.type },
    );
  return undefined;
}

async function adoptAfterConflict(
  eks: EKSClient,
  clusterName: string,
  spec: ChangeSpec,
  error: unknown,
): Promise<Update> {
  const hinted = updateIdInMessage(errorMessage(error));
  const named = hinted ? await describeUpdate(eks, clusterName, hinted, spec.scope).catch(() => undefined) : undefined;
  const update =
    named && named.status === 'InProgress' && spec.matches(named)
      ? named
      : await runningUpdateOf(eks, clusterName, spec);
  // Busy with another resource's update (e.g. the control plane's): not ours to adopt.
  if (!update) throw toActivityFailure(error, spec.what);
  return update;
}

function doneAlready(observed: string, finished: Update | undefined): EksStepResult {
  return {
    outcome: 'already-done',
    observed,
    ...(finished?.id ? { updateId: finished.id } : {}),
    ...(finished?.createdAt ? { startedAt: finished.createdAt.toISOString() } : {}),
  };
}

async function newestSuccessful(eks: EKSClient, clusterName: string, spec: ChangeSpec): Promise<Update | undefined> {
  return (await listUpdates(eks, clusterName, spec.scope))
    .filter((u) => u.status === 'Successful' && spec.matches(u))
    .sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0))
    .at(-1);
}

/**
 * A Successful update must show on the resource. It does at once in practice; when it does not (an old update
 * returned for a reused token, say), the step fails for the operator rather than report a change that did not happen.
 */
async function confirmApplied(
  spec: ChangeSpec,
  runtime: StepRuntime,
  options: StepOptions,
  updateId: string,
): Promise<void> {
  for (let read = 1; ; read++) {
    const state = await spec.read();
    if (state.atTarget) return;
    if (read >= 3)
      throw ApplicationFailure.nonRetryable(
        `${spec.what}: update ${updateId} is Successful but EKS still shows ${state.observed}`,
        'UpdateNotApplied',
        { updateId, observed: state.observed },
      );
    await runtime.sleep(Math.min(options.pollIntervalMs, 10_000));
  }
}

export async function runEksStep(
  eks: EKSClient,
  clusterName: string,
  spec: ChangeSpec,
  runtime: StepRuntime,
  options: StepOptions,
): Promise<EksStepResult> {
  let adopted = false;
  let update: Update | undefined;
  try {
    if (runtime.previous) {
      update = await describeUpdate(eks, clusterName, runtime.previous.updateId, spec.scope).catch((error: unknown) => {
        if (errorName(error) === 'ResourceNotFoundException') return undefined;
        throw error;
      });
      if (update) {
        adopted = true;
        runtime.log?.info(
          { updateId: update.id, status: update.status },
          `${spec.what}: resuming the update of an earlier attempt`,
        );
      }
    }
    if (!update) {
      const state = await spec.read();
      if (state.atTarget) return doneAlready(state.observed, await newestSuccessful(eks, clusterName, spec));
      update = await runningUpdateOf(eks, clusterName, spec);
      if (update) {
        adopted = true;
        runtime.log?.info({ updateId: update.id }, `${spec.what}: adopting the update already running`);
      } else {
        try {
          update = await spec.issue(runtime.token, state.resource);
        } catch (error) {
          if (errorName(error) === 'ResourceInUseException') {
            update = await adoptAfterConflict(eks, clusterName, spec, error);
            adopted = true;
            runtime.log?.info({ updateId: update.id }, `${spec.what}: 409, adopting the running update it names`);
          } else if (/^Invalid(Parameter|Request)Exception$/.test(errorName(error))) {
            // E.g. "already at version": an earlier attempt's update may have finished just now.
            const again = await spec.read();
            if (again.atTarget) return doneAlready(again.observed, await newestSuccessful(eks, clusterName, spec));
            throw error;
          } else {
            throw error;
          }
        }
      }
    }
    if (!update?.id) throw new Error(`${spec.what}: EKS returned no update`);
    const updateId = update.id;
    runtime.heartbeat({ updateId, lastStatus: update.status ?? 'InProgress' });
    let polls = 0;
    let transient = 0;
    while (!isTerminal(update.status)) {
      await runtime.sleep(options.pollIntervalMs);
      try {
        update = (await describeUpdate(eks, clusterName, updateId, spec.scope)) ?? update;
        polls += 1;
        transient = 0;
      } catch (error) {
        if (!isRetryableEksError(error) || ++transient > MAX_TRANSIENT_POLL_ERRORS) throw error;
        runtime.log?.warn({ updateId, error: errorName(error) }, `${spec.what}: DescribeUpdate failed, polling on`);
      }
      runtime.heartbeat({ updateId, lastStatus: update.status ?? 'InProgress' });
    }
    const common = {
      updateId,
      updateType: update.type ?? 'Unknown',
      startedAt: (update.createdAt ?? options.now()).toISOString(),
      endedAt: options.now().toISOString(),
      adopted,
      polls,
    };
    if (update.status === 'Successful') {
      await confirmApplied(spec, runtime, options, updateId);
      return { outcome: 'succeeded', ...common };
    }
    return {
      outcome: 'failed',
      ...common,
      updateStatus: update.status === 'Cancelled' ? 'Cancelled' : 'Failed',
      errors: (update.errors ?? []).map((e) => ({
        errorCode: e.errorCode ?? 'Unknown',
        errorMessage: e.errorMessage ?? '',
        resourceIds: e.resourceIds ?? [],
      })),
    };
  } catch (error) {
    throw toActivityFailure(error, spec.what);
  }
}
