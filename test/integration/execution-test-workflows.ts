// A small test-only workflow that drives the execution activities on a real server: the given plan steps one after
// another, each through the activity of its change kind, with the token scoped to this execution. It stops at the
// first failed update and returns every result (the real upgrade workflow asks the operator there instead).
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { EksStepResult, ExecutionActivities, ExecutionTarget } from '../../src/activities/contracts';
import type { PlanStep } from '../../src/domain/plan';

export interface ExecuteStepsInput {
  target: ExecutionTarget;
  steps: PlanStep[];
  pollIntervalMs: number;
  heartbeatTimeoutMs: number;
  /** Steps to run with force (by id). */
  force?: string[];
}

export interface ExecutedStep {
  stepId: string;
  result: EksStepResult;
}

export async function executeStepsWorkflow(input: ExecuteStepsInput): Promise<ExecutedStep[]> {
  const activities = proxyActivities<ExecutionActivities>({
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: input.heartbeatTimeoutMs,
    // Polling lives inside the activity; retries (after a worker death, a throttle) come back quickly.
    retry: { initialInterval: '200 ms', backoffCoefficient: 1, maximumInterval: '1 s', maximumAttempts: 100 },
  });
  const tokenScope = workflowInfo().firstExecutionRunId;
  const results: ExecutedStep[] = [];
  for (const step of input.steps) {
    const base = {
      target: input.target,
      stepId: step.id,
      round: 0,
      tokenScope,
      pollIntervalMs: input.pollIntervalMs,
      ...(input.force?.includes(step.id) ? { force: true } : {}),
    };
    const change = step.change;
    let result: EksStepResult;
    if (change.kind === 'control-plane-version')
      result = await activities.updateControlPlaneVersion({ ...base, change });
    else if (change.kind === 'addon-version') result = await activities.updateAddonVersion({ ...base, change });
    else if (change.kind === 'nodegroup-version') result = await activities.updateNodegroupVersion({ ...base, change });
    else if (change.kind === 'nodegroup-config') result = await activities.updateNodegroupConfig({ ...base, change });
    else continue;
    results.push({ stepId: step.id, result });
    if (result.outcome === 'failed') break;
  }
  return results;
}
