// The execution activities on a real Temporal dev server, EKS being the simulator at the wire (the real
// @aws-sdk/client-eks through AWS_ENDPOINT_URL_EKS, its clock compressed). A worker process is SIGKILLed five times
// across a 1.31 → 1.32 run (mid-poll, and once while its UpdateNodegroupVersion call waits for its answer): the run
// completes and the simulator shows exactly one update per step. In-process: a lost 200 recovered by the token, a
// 409 race adopted, a PodEvictionFailure returned typed and completed by a forced execution.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EKSClient } from '@aws-sdk/client-eks';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createExecutionActivities } from '../../src/activities/eks-execution';
import { buildUpgradePlan, expectedStateAfter, type PlanStep } from '../../src/domain/plan';
import { podEvictionFailure } from '../fakes/eks-fake';
import { createTestEnv, getTestWorkflowBundle, uniqueTaskQueue } from '../harness/temporal';
import type { ExecutedStep, ExecuteStepsInput } from './execution-test-workflows';
import {
  credentials,
  execSnapshot,
  killPointsAcrossStages,
  startSimulatedEks,
  TARGET,
  type SimulatedEks,
} from './execution-support';

const WORKER_SCRIPT = resolve(__dirname, '../harness/execution-worker-process.ts');
const MIN = 60_000;

function automatedSteps(): PlanStep[] {
  return buildUpgradePlan(execSnapshot(), '1.32').steps.filter((s) => s.automated && s.change.kind !== 'preflight');
}

async function waitUntil(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function resourceOf(step: PlanStep) {
  const c = step.change;
  if (c.kind === 'addon-version') return { kind: 'addon' as const, name: c.addonName };
  if (c.kind === 'nodegroup-version' || c.kind === 'nodegroup-config')
    return { kind: 'nodegroup' as const, name: c.nodegroupName };
  return { kind: 'cluster' as const };
}

void describe('execution on a real dev server against the EKS simulator', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleOption;
  let sim: SimulatedEks | undefined;
  let child: ChildProcess | undefined;

  before(async () => {
    [env, bundle] = await Promise.all([createTestEnv(), getTestWorkflowBundle()]);
  });
  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await sim?.close();
    await env?.teardown();
  });

  async function startWorker(taskQueue: string, endpoint: string): Promise<ChildProcess> {
    const proc = spawn(process.execPath, ['--import', 'tsx', WORKER_SCRIPT], {
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_NAMESPACE: env.namespace ?? 'default',
        EXECUTION_TEST_TASK_QUEUE: taskQueue,
        AWS_ENDPOINT_URL_EKS: endpoint,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_REGION: TARGET.region,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((ready, reject) => {
      const timer = setTimeout(() => reject(new Error('execution worker not ready within 90 s')), 90_000);
      proc.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('worker-ready')) {
          clearTimeout(timer);
          ready();
        }
      });
      proc.on('exit', (code) => reject(new Error(`execution worker exited early (${String(code)})`)));
    });
    return proc;
  }

  async function kill(proc: ChildProcess): Promise<void> {
    const exited = once(proc, 'exit');
    proc.kill('SIGKILL');
    await exited;
  }

  void it('SIGKILL five times across the stages: the run completes with exactly one update per step', async () => {
    sim = await startSimulatedEks({
      speed: 60,
      timing: { controlPlaneMs: 6 * MIN, addonMs: MIN, perNodeMs: 3 * MIN, statusLagMs: 2_000 },
    });
    const s = sim;
    const steps = automatedSteps();
    const taskQueue = uniqueTaskQueue('execution-kill');
    // The batch node group's call is answered 4 s late (after the change is made): the worker dies waiting for it.
    s.fake.injectFault({ operation: 'UpdateNodegroupVersion', kind: 'slow', delayMs: 4_000, after: 1 });
    child = await startWorker(taskQueue, s.endpoint);
    const input: ExecuteStepsInput = { target: TARGET, steps, pollIntervalMs: 300, heartbeatTimeoutMs: 3_000 };
    const handle = await env.client.workflow.start('executeStepsWorkflow', {
      taskQueue,
      workflowId: `exec-kill-${taskQueue}`,
      args: [input],
    });
    const killPoints = killPointsAcrossStages(s.fake);
    for (const point of killPoints) {
      await waitUntil(point.when, 180_000, point.what);
      await kill(child);
      child = await startWorker(taskQueue, s.endpoint);
    }
    const results = (await handle.result()) as ExecutedStep[];
    assert.deepEqual(
      results.map((r) => r.stepId),
      steps.map((st) => st.id),
    );
    for (const { stepId, result } of results) {
      const step = steps.find((st) => st.id === stepId);
      assert.ok(step);
      const updates = s.fake.sim.updates(resourceOf(step)).filter((u) => u.operation !== 'UpdateNodegroupConfig');
      assert.equal(updates.length, 1, `exactly one update for ${stepId}`);
      assert.notEqual(result.outcome, 'failed', stepId);
      assert.equal(result.updateId, updates[0]?.id, `${stepId} reports the one update EKS has`);
    }
    assert.equal(s.fake.sim.updates().length, steps.length, 'one update per step in the simulator, none more');
    const batch = results.find((r) => r.stepId.startsWith('nodegroup/batch-al2023/'))?.result;
    assert.ok(batch && (batch.outcome === 'already-done' || batch.adopted), 'the retry adopted the update it had made');
    assert.equal(
      s.fake.requests.filter((c) => c.operation === 'UpdateNodegroupVersion' && c.path.includes('batch-al2023')).length,
      1,
      'and never called again',
    );

    const final = expectedStateAfter(buildUpgradePlan(execSnapshot(), '1.32'));
    const state = s.fake.sim.cluster(TARGET.clusterName);
    assert.equal(state.cluster.version, final.clusterVersion);
    for (const g of state.nodegroups) assert.equal(g.version, '1.32', g.nodegroupName);
    for (const a of state.addons) assert.equal(a.addonVersion, final.addons[a.addonName], a.addonName);
    const history = await handle.fetchHistory();
    const retried = (history.events ?? []).filter(
      (e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1,
    ).length;
    assert.ok(retried >= 5, `each kill made Temporal retry an activity (${retried} retried attempts)`);
    await kill(child);
    child = undefined;
    await sim.close();
    sim = undefined;
  });

  void it('in-process: a lost 200 recovered by the token, a 409 race adopted, PodEvictionFailure typed, then forced', async () => {
    // ListUpdates lags an hour (6 s here) and an add-on update takes 30 minutes (3 s): when the retry comes after the
    // lost answer, the update runs but is not listed, so only the token can find it again.
    sim = await startSimulatedEks({
      speed: 600,
      timing: {
        controlPlaneMs: 3 * MIN,
        addonMs: 30 * MIN,
        perNodeMs: 2 * MIN,
        listLagMs: 60 * MIN,
        statusLagMs: 2_000,
      },
    });
    const s = sim;
    const steps = automatedSteps();
    s.fake.injectFault({ operation: 'UpdateAddon', kind: 'lost-200' });
    s.fake.sim.beforeCall('UpdateNodegroupVersion', (x) =>
      x.call('UpdateNodegroupVersion', {
        path: { name: TARGET.clusterName, nodegroupName: 'general-al2023' },
        query: {},
        body: { version: '1.32', clientRequestToken: 'console-click' },
      }),
    );
    s.fake.sim.scriptFailure(podEvictionFailure('batch-al2023', 1));
    const eks = new EKSClient({ region: TARGET.region, endpoint: s.endpoint, credentials, maxAttempts: 1 });
    const taskQueue = uniqueTaskQueue('execution-inproc');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: bundle,
      activities: createExecutionActivities({ eksClient: () => eks }),
    });
    const input: ExecuteStepsInput = { target: TARGET, steps, pollIntervalMs: 100, heartbeatTimeoutMs: 5_000 };
    const run = (id: string, force?: string[]) =>
      env.client.workflow.execute('executeStepsWorkflow', {
        taskQueue,
        workflowId: `${id}-${taskQueue}`,
        args: [{ ...input, ...(force ? { force } : {}) }],
      });
    try {
      const [first, second] = (await worker.runUntil(async () => [
        await run('exec-first'),
        await run('exec-forced', [steps.find((st) => st.id.startsWith('nodegroup/batch-al2023/'))?.id ?? '']),
      ])) as [ExecutedStep[], ExecutedStep[]];
      const byStep = new Map(first.map((r) => [r.stepId.split('/').slice(0, 2).join('/'), r.result]));
      const vpcCni = s.fake.requests.filter((c) => c.operation === 'UpdateAddon' && c.path.includes('vpc-cni'));
      assert.deepEqual(
        vpcCni.map((c) => [c.status, c.created === true]),
        [
          [0, true],
          [200, false],
        ],
        'lost, then the same update returned for the same token',
      );
      assert.equal(byStep.get('addon/vpc-cni')?.outcome, 'succeeded');
      const general = byStep.get('nodegroup/general-al2023');
      assert.ok(
        general?.outcome === 'succeeded' && general.adopted,
        'the 409 named the racing update and it was adopted',
      );
      const batch = byStep.get('nodegroup/batch-al2023');
      assert.ok(batch?.outcome === 'failed', 'the run stopped at the failed node group');
      assert.equal(batch.errors[0]?.errorCode, 'PodEvictionFailure');
      assert.deepEqual(batch.errors[0]?.resourceIds, ['ip-10-0-41-9.ec2.internal']);
      assert.equal(first.at(-1)?.stepId, batch && first.at(-1)?.stepId);

      assert.deepEqual(
        second.map((r) => r.result.outcome),
        ['already-done', 'already-done', 'already-done', 'already-done', 'succeeded', 'succeeded'],
      );
      assert.deepEqual(
        s.fake.sim.updates({ kind: 'nodegroup', name: 'batch-al2023' }).map((u) => [u.status, u.force]),
        [
          ['Failed', false],
          ['Successful', true],
        ],
      );
      assert.equal(s.fake.sim.updates().length, steps.length + 1, 'one update per step, plus the forced retry');
    } finally {
      eks.destroy();
    }
  });
});
