// Shared by the execute-mode tests of the upgrade workflow: the real workflow on the real dev server, its real
// activities (evidence from the exec-east snapshot, analyses through the fake Bedrock and the guard, execution and
// planning through the real @aws-sdk/client-eks against the EKS simulator), and helpers to drive and read a run.
import { resolve } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { EKSClient } from '@aws-sdk/client-eks';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createExecutionActivities } from '../../src/activities/eks-execution';
import { createPlanningActivities } from '../../src/activities/planning';
import type { ExecutionProgress } from '../../src/domain/execution';
import { createUpgradeWorker } from '../../src/worker/worker';
import type { upgradeWorkflow } from '../../src/workflows/upgrade';
import { statusQuery, type UpgradeInput, type UpgradeStatus } from '../../src/workflows/upgrade-messages';
import type { BedrockFake } from '../fakes/bedrock-fake';
import {
  compressedTiming,
  FakeEks,
  fakeStateFromSnapshot,
  ScaledClock,
  type EksSimulatorOptions,
} from '../fakes/eks-fake';
import { getWorkflowBundle } from '../harness/temporal';
import { credentials, EXEC_CLUSTER, EXEC_REGION, execSnapshot } from './execution-support';
import { rigActivities, testWorkflowId } from './upgrade-support';

export const EXEC_SNAPSHOT = resolve(__dirname, '../fixtures/snapshots/exec-1.31.json');
/** Simulated durations divided by this (a 12-minute control plane takes 3 s at 240), at real speed. */
export const COMPRESSION = 240;

export interface ExecEks {
  fake: FakeEks;
  clock: ScaledClock;
  endpoint: string;
  close(): Promise<void>;
}

/** The exec-east cluster in the simulator, its clock at real speed (tests may advance it), durations compressed. */
export async function startExecEks(options: EksSimulatorOptions = {}): Promise<ExecEks> {
  const clock = new ScaledClock({ speed: 1 });
  const fake = new FakeEks(fakeStateFromSnapshot(execSnapshot()), {
    clock,
    ...options,
    timing: { ...compressedTiming(COMPRESSION), ...options.timing },
  });
  const endpoint = await fake.start();
  return { fake, clock, endpoint, close: () => fake.stop() };
}

/** A worker with the real activities: EKS changes go to the simulator, its clock is the simulator's. */
export async function startExecWorker(options: {
  env: TestWorkflowEnvironment;
  bedrock: BedrockFake;
  eks: ExecEks;
  taskQueue: string;
}): Promise<{ worker: Worker; running: Promise<void>; stop(): Promise<void> }> {
  const { bedrock, eks, taskQueue } = options;
  const client = options.env.client;
  const { activities } = rigActivities({ client, bedrockUrl: bedrock.url, taskQueue, guardId: `guard-${taskQueue}` });
  const eksClient = new EKSClient({ region: EXEC_REGION, endpoint: eks.endpoint, credentials, maxAttempts: 2 });
  const clock = { now: () => new Date(eks.clock.now()) };
  const worker = await createUpgradeWorker({
    connection: options.env.nativeConnection,
    namespace: options.env.namespace ?? 'default',
    taskQueue,
    activities: {
      ...activities,
      ...createExecutionActivities({ eksClient: () => eksClient, clock }),
      ...createPlanningActivities({ clock }),
    },
    workflowBundle: await getWorkflowBundle(),
    shutdownGraceTimeMs: 1_000,
  });
  const running = worker.run();
  return {
    worker,
    running,
    stop: async () => {
      worker.shutdown();
      await running;
      eksClient.destroy();
    },
  };
}

/** An execute-mode input for exec-east 1.31 → 1.32: no manifests, no release notes, quick polls. */
export function execInput(
  overrides: Partial<UpgradeInput> & { execution?: UpgradeInput['execution'] } = {},
): UpgradeInput {
  const { execution, ...rest } = overrides;
  return {
    clusterName: EXEC_CLUSTER,
    targetVersion: '1.32',
    inventory: { kind: 'snapshot', path: EXEC_SNAPSHOT },
    manifestPaths: [],
    releaseNotes: { kind: 'none' },
    mode: 'execute',
    approval: 'manual',
    aiAnalysis: false,
    soakWindowMs: 1_000,
    approvalTimeoutMs: 300_000,
    analysisHeartbeatTimeoutMs: 5_000,
    execution: { pollIntervalMs: 200, heartbeatTimeoutMs: 5_000, targetLabel: 'simulated EKS', ...execution },
    ...rest,
  };
}

export async function startExec(
  client: Client,
  taskQueue: string,
  input: UpgradeInput,
  tag: string,
): Promise<WorkflowHandle<typeof upgradeWorkflow>> {
  return client.workflow.start<typeof upgradeWorkflow>('upgradeWorkflow', {
    taskQueue,
    workflowId: testWorkflowId(`exec-${tag}`),
    args: [input],
  });
}

/** Polls the status until `done` holds; returns it (or fails naming the last status seen). */
export async function waitFor(
  handle: WorkflowHandle,
  done: (s: UpgradeStatus) => boolean,
  what: string,
  timeoutMs = 180_000,
): Promise<UpgradeStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: UpgradeStatus | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(statusQuery);
      if (done(last)) return last;
    } catch {
      // no worker has run the first workflow task yet, or it is restarting
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(last?.execution ?? last)}`);
}

/** The wait of an execution with this id, if open. */
export function waitOf(p: ExecutionProgress | undefined, id: string) {
  return p?.waits.find((w) => w.id === id);
}

export const stepOf = (p: ExecutionProgress | undefined, prefix: string) =>
  p?.steps.find((s) => s.stepId.startsWith(prefix));
