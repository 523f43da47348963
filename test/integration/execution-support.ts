// Shared by the execution tests: the simulator of test/fixtures/snapshots/exec-1.31.json (3 add-ons, 2 node groups)
// reached through the real @aws-sdk/client-eks, and running a plan's automated steps through ExecutionActivities.
import { readFileSync } from 'node:fs';
import { EKSClient } from '@aws-sdk/client-eks';
import type { EksStepResult, ExecutionActivities, ExecutionTarget } from '../../src/activities/contracts';
import type { ExecutedStepRecord, PlanStep } from '../../src/domain/plan';
import { parseClusterSnapshot, type ClusterSnapshot } from '../../src/domain/snapshot';
import {
  FakeEks,
  fakeStateFromSnapshot,
  ScaledClock,
  type EksSimulatorOptions,
  type ResourceRef,
} from '../fakes/eks-fake';

export const EXEC_CLUSTER = 'exec-east';
export const EXEC_REGION = 'us-east-1';
export const TARGET: ExecutionTarget = { clusterName: EXEC_CLUSTER, region: EXEC_REGION };
export const credentials = { accessKeyId: 'AKIDFAKEFORTESTS', secretAccessKey: 'fake-secret-for-tests' };

export function execSnapshot(): ClusterSnapshot {
  return parseClusterSnapshot(JSON.parse(readFileSync('test/fixtures/snapshots/exec-1.31.json', 'utf8')) as unknown);
}

export interface SimulatedEks {
  fake: FakeEks;
  clock: ScaledClock;
  endpoint: string;
  eks: EKSClient;
  close(): Promise<void>;
}

/** The exec cluster in the simulator; `speed` 0 stops its clock (tests move it), otherwise simulated ms per real ms. */
export async function startSimulatedEks(options: EksSimulatorOptions & { speed?: number } = {}): Promise<SimulatedEks> {
  const clock = new ScaledClock({ start: Date.parse('2026-07-01T00:00:00Z'), speed: options.speed ?? 0 });
  const fake = new FakeEks(fakeStateFromSnapshot(execSnapshot()), { clock, ...options });
  const endpoint = await fake.start();
  const eks = new EKSClient({ region: EXEC_REGION, endpoint, credentials, maxAttempts: 1 });
  return {
    fake,
    clock,
    endpoint,
    eks,
    close: async () => {
      eks.destroy();
      await fake.stop();
    },
  };
}

export type StepKindActivity = Exclude<keyof ExecutionActivities, 'preflightCluster' | 'checkRollbackReadiness'>;

/** The activity that executes an automated step (the workflow's mapping, the same in the test workflow). */
export function activityFor(step: PlanStep): StepKindActivity | 'checkRollbackReadiness' | undefined {
  switch (step.change.kind) {
    case 'control-plane-version':
      return 'updateControlPlaneVersion';
    case 'addon-version':
      return 'updateAddonVersion';
    case 'nodegroup-version':
      return 'updateNodegroupVersion';
    case 'nodegroup-config':
      return 'updateNodegroupConfig';
    case 'rollback-readiness':
      return 'checkRollbackReadiness';
    default:
      return undefined;
  }
}

export function runPlanStep(
  activities: ExecutionActivities,
  step: PlanStep,
  options: { round?: number; force?: boolean; pollIntervalMs?: number; tokenScope?: string } = {},
): Promise<EksStepResult> {
  const name = activityFor(step);
  if (!name || name === 'checkRollbackReadiness') throw new Error(`step ${step.id} is not an EKS change`);
  const input = {
    target: TARGET,
    stepId: step.id,
    change: step.change,
    round: options.round ?? 0,
    ...(options.force ? { force: true } : {}),
    ...(options.tokenScope ? { tokenScope: options.tokenScope } : {}),
    ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
  };
  // The change kind picks the activity; the casts only restate that pairing for the type checker.
  return (activities[name] as (i: typeof input) => Promise<EksStepResult>)(input);
}

export function recordOf(step: PlanStep, result: EksStepResult): ExecutedStepRecord {
  return {
    step,
    outcome: result.outcome === 'failed' ? 'failed' : result.outcome,
    ...(result.updateId ? { updateId: result.updateId } : {}),
    ...(result.startedAt ? { startedAt: result.startedAt } : {}),
    ...('endedAt' in result ? { endedAt: result.endedAt } : {}),
  };
}

/**
 * Where the kill tests SIGKILL the worker in the exec cluster's upgrade, one point per stage: once each update has been
 * polled, and once a node-group update is made on the wire but its answer has not reached the worker.
 */
export function killPointsAcrossStages(fake: FakeEks): Array<{ what: string; when: () => boolean }> {
  const polledOnce = (resource: ResourceRef) => () => {
    const ids = new Set(fake.sim.updates(resource).map((u) => u.id));
    return fake.requests.some((c) => c.operation === 'DescribeUpdate' && c.status === 200 && ids.has(c.updateId ?? ''));
  };
  return [
    { what: 'control plane polled', when: polledOnce({ kind: 'cluster' }) },
    { what: 'vpc-cni polled', when: polledOnce({ kind: 'addon', name: 'vpc-cni' }) },
    { what: 'general-al2023 polled', when: polledOnce({ kind: 'nodegroup', name: 'general-al2023' }) },
    {
      what: 'batch-al2023 update made, its answer pending',
      when: () =>
        fake.requests.some(
          (c) =>
            c.operation === 'UpdateNodegroupVersion' &&
            c.created === true &&
            c.status === 0 &&
            c.path.includes('batch-al2023'),
        ),
    },
    { what: 'kube-proxy polled', when: polledOnce({ kind: 'addon', name: 'kube-proxy' }) },
  ];
}
