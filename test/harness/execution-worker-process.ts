// A worker in a child process for the execution tests, which kill it with SIGKILL mid-poll: the test-only
// workflows and the real execution activities, reaching the EKS simulator through AWS_ENDPOINT_URL_EKS exactly as
// production reaches EKS. Prints "worker-ready" once polling.
//
//   EXECUTION_TEST_TASK_QUEUE (required), TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, AWS_ENDPOINT_URL_EKS, AWS_* credentials
import { EKSClient } from '@aws-sdk/client-eks';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createExecutionActivities } from '../../src/activities/eks-execution';
import { getTestWorkflowBundle, installQuietRuntime } from './temporal';

async function main(): Promise<void> {
  installQuietRuntime();
  const address = process.env.TEMPORAL_ADDRESS;
  const taskQueue = process.env.EXECUTION_TEST_TASK_QUEUE;
  if (!address || !taskQueue) throw new Error('TEMPORAL_ADDRESS and EXECUTION_TEST_TASK_QUEUE are required');
  const clients = new Map<string, EKSClient>();
  const activities = createExecutionActivities({
    eksClient: (region) => {
      let eks = clients.get(region);
      if (!eks) clients.set(region, (eks = new EKSClient({ region, maxAttempts: 1 })));
      return eks;
    },
  });
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address }),
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue,
    activities,
    workflowBundle: await getTestWorkflowBundle(),
    identity: `execution-test-worker:${process.pid}`,
    // A killed worker's sticky queue is abandoned: let the server hand its workflow tasks to the next one quickly.
    stickyQueueScheduleToStartTimeout: '1s',
  });
  const running = worker.run();
  process.stdout.write('worker-ready\n');
  await running;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
