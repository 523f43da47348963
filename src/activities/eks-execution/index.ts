// The execution activities (ExecutionActivities), built by a factory from an EKS client provider, a logger and a
// clock. Each change activity is one plan step: one EKS update with a deterministic token, polled with heartbeats
// until it ends (step.ts); the workflow decides what happens after a failure.
import { Context } from '@temporalio/activity';
import type { EKSClient } from '@aws-sdk/client-eks';
import type { EksStepInput, EksStepResult, ExecutionActivities } from '../contracts';
import { addonSpec, controlPlaneSpec, nodegroupConfigSpec, nodegroupVersionSpec } from './changes';
import { preflightCluster } from './preflight';
import { checkRollbackReadiness } from './rollback-readiness';
import { activityRuntime, type ExecutionLogger, type StepRuntime } from './runtime';
import { runEksStep, type ChangeSpec } from './step';

export { stepToken } from './token';
export { isRetryableEksError, toActivityFailure } from './errors';
export { runEksStep, type ChangeSpec, type StepOptions } from './step';
export { addonSpec, controlPlaneSpec, nodegroupConfigSpec, nodegroupVersionSpec } from './changes';
export { preflightCluster } from './preflight';
export { checkRollbackReadiness } from './rollback-readiness';
export type { ExecutionLogger, PollProgress, StepRuntime } from './runtime';

export interface ExecutionDeps {
  /** The EKS client for a region (the provider caches; SDK retries low: Temporal owns the backoff). */
  eksClient(region: string): EKSClient;
  logger?: ExecutionLogger;
  /** For step start and end times (default: the system clock). */
  clock?: { now(): Date };
  /** DescribeUpdate interval when the input gives none (default 30 s). */
  defaultPollIntervalMs?: number;
  /** Overrides the Temporal runtime (tests and the benchmark run steps outside an activity). */
  runtime?: (step: { stepId: string; round: number; tokenScope?: string }) => StepRuntime;
}

export const DEFAULT_POLL_INTERVAL_MS = 30_000;

export function createExecutionActivities(deps: ExecutionDeps): ExecutionActivities {
  const now = () => deps.clock?.now() ?? new Date();
  const runtimeFor = (input: EksStepInput<unknown>) =>
    deps.runtime?.(input) ?? activityRuntime(input.stepId, input.round, input.tokenScope, deps.logger);

  async function step<C>(
    input: EksStepInput<C>,
    build: (eks: EKSClient, clusterName: string, change: C, force: boolean) => ChangeSpec,
  ) {
    const eks = deps.eksClient(input.target.region);
    const spec = build(eks, input.target.clusterName, input.change, input.force === true);
    const runtime = runtimeFor(input);
    const result: EksStepResult = await runEksStep(eks, input.target.clusterName, spec, runtime, {
      pollIntervalMs: input.pollIntervalMs ?? deps.defaultPollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
      now,
    });
    deps.logger?.info({ stepId: input.stepId, round: input.round, ...result }, `${spec.what}: ${result.outcome}`);
    return result;
  }

  return {
    preflightCluster: (input) => preflightCluster(deps.eksClient(input.target.region), input),
    updateControlPlaneVersion: (input) => step(input, controlPlaneSpec),
    updateAddonVersion: (input) => step(input, addonSpec),
    updateNodegroupVersion: (input) => step(input, nodegroupVersionSpec),
    updateNodegroupConfig: (input) => step(input, (eks, cluster, change) => nodegroupConfigSpec(eks, cluster, change)),
    checkRollbackReadiness: (input) => {
      const runtime = deps.runtime?.({ stepId: 'rollback-readiness', round: 0 }) ?? {
        heartbeat: (details: unknown) => Context.current().heartbeat(details),
        sleep: (ms: number) => Context.current().sleep(ms),
      };
      return checkRollbackReadiness(deps.eksClient(input.target.region), input, runtime);
    },
  };
}
