// A worker in a child process, for tests that need real worker processes: several sharing one guard, one killed
// with SIGKILL (a crash, not a shutdown), one that rides out a server outage. It runs the real workflows and
// activities against the Temporal server at TEMPORAL_ADDRESS and the fake Bedrock at UPGRADE_TEST_BEDROCK_URL, with
// the guard id / task queue the test gives, and prints "worker-ready" once polling. On SIGTERM it drains, gives its
// guard lease back and prints one line `worker-stats {json}` (its lease holder's statistics) before exiting 0.
//
//   UPGRADE_TEST_TASK_QUEUE, UPGRADE_TEST_GUARD_ID, UPGRADE_TEST_BEDROCK_URL (required)
//   UPGRADE_TEST_GUARD_LIMITS (JSON, optional), TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE
//   UPGRADE_TEST_CHANGELOG_URL, UPGRADE_TEST_CACHE_DIR (optional: the CHANGELOG fake and a cache of the test's own)
//   UPGRADE_TEST_FLEET=1: also the campaign activities, the shared analysis cache and its queue's worker
//   UPGRADE_TEST_EKS_ENDPOINT (optional: the execution activities, reaching the EKS simulator there)
import { EKSClient } from '@aws-sdk/client-eks';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createExecutionActivities } from '../../src/activities/eks-execution';
import { createUpgradeWorker } from '../../src/worker/worker';
import { analysisTaskQueueFor } from '../../src/workflows/constants';
import { rigActivities } from '../integration/upgrade-support';
import { getWorkflowBundle, installQuietRuntime } from './temporal';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required (see test/harness/worker-process.ts)`);
  return value;
}

async function main(): Promise<void> {
  installQuietRuntime(); // its default signal handling shuts the worker down on SIGTERM
  const address = required('TEMPORAL_ADDRESS');
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  const taskQueue = required('UPGRADE_TEST_TASK_QUEUE');
  const limits = process.env.UPGRADE_TEST_GUARD_LIMITS
    ? (JSON.parse(process.env.UPGRADE_TEST_GUARD_LIMITS) as Record<string, number>)
    : {};
  const fleet = process.env.UPGRADE_TEST_FLEET === '1';
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  const { activities, gate } = rigActivities({
    client,
    bedrockUrl: required('UPGRADE_TEST_BEDROCK_URL'),
    taskQueue,
    guardId: required('UPGRADE_TEST_GUARD_ID'),
    limits,
    ...(fleet ? { analysisCacheTtlMs: 3_600_000, campaign: true } : {}),
    ...(process.env.UPGRADE_TEST_CHANGELOG_URL
      ? {
          evidence: {
            changelogBaseUrl: process.env.UPGRADE_TEST_CHANGELOG_URL,
            cacheDir: required('UPGRADE_TEST_CACHE_DIR'),
          },
        }
      : {}),
  });
  const eksEndpoint = process.env.UPGRADE_TEST_EKS_ENDPOINT;
  const eks = eksEndpoint
    ? new EKSClient({
        region: 'us-east-1',
        endpoint: eksEndpoint,
        credentials: { accessKeyId: 'AKIDFAKEFORTESTS', secretAccessKey: 'fake-secret-for-tests' },
        maxAttempts: 2,
      })
    : undefined;
  const bundle = await getWorkflowBundle();
  const make = (queue: string) =>
    createUpgradeWorker({
      connection: nativeConnection,
      namespace,
      taskQueue: queue,
      activities: { ...activities, ...(eks ? createExecutionActivities({ eksClient: () => eks }) : {}) },
      workflowBundle: bundle,
      identity: `test-child-worker:${process.pid}`,
      shutdownGraceTimeMs: 10_000,
      // A crashed worker's sticky queue is abandoned: let the server give its workflow tasks to others quickly.
      extra: { stickyQueueScheduleToStartTimeout: '1s' },
    });
  const workers = [await make(taskQueue), ...(fleet ? [await make(analysisTaskQueueFor(taskQueue))] : [])];
  const running = Promise.all(workers.map((w) => w.run()));
  process.stdout.write('worker-ready\n');
  await running;
  await gate.close();
  process.stdout.write(`worker-stats ${JSON.stringify(gate.holder.stats)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
