// Nothing lost, nothing done twice, with the real upgrade workflow in execute mode: a worker process is SIGKILLed
// five times across the stages of a 1.31 → 1.32 run (mid-poll, and once while its UpdateNodegroupVersion call waits
// for its answer) and restarted each time: the run completes and the simulator shows exactly one update per step.
// Then the Temporal server itself (our own, on a persisted --db-filename) is restarted during a node-group update:
// the run completes.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDevServer, type DevServer } from '../../src/client/dev-server';
import { buildUpgradePlan } from '../../src/domain/plan';
import type { upgradeWorkflow } from '../../src/workflows/upgrade';
import { approveUpdate } from '../../src/workflows/upgrade-messages';
import { startBedrockFake, type BedrockFake } from '../fakes/bedrock-fake';
import { createTestEnv, uniqueTaskQueue } from '../harness/temporal';
import { execInput, startExec, startExecEks, stepOf, waitFor, type ExecEks } from './execute-support';
import { EXEC_CLUSTER, execSnapshot, killPointsAcrossStages } from './execution-support';
import { scriptedModel } from './upgrade-support';

const WORKER_SCRIPT = resolve(__dirname, '../harness/worker-process.ts');

async function waitUntil(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

void describe('execute mode survives worker deaths and a server restart', () => {
  let env: TestWorkflowEnvironment;
  let bedrock: BedrockFake;
  let eks: ExecEks | undefined;
  let child: ChildProcess | undefined;
  let server: DevServer | undefined;
  const dirs: string[] = [];

  before(async () => {
    env = await createTestEnv();
    bedrock = await startBedrockFake({ handler: scriptedModel({ decision: 'GO' }) });
  });
  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await eks?.close();
    await server?.stop();
    await bedrock?.close();
    await env?.teardown();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function startWorker(address: string, taskQueue: string, endpoint: string): Promise<ChildProcess> {
    const proc = spawn(process.execPath, ['--import', 'tsx', WORKER_SCRIPT], {
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: address,
        TEMPORAL_NAMESPACE: 'default',
        UPGRADE_TEST_TASK_QUEUE: taskQueue,
        UPGRADE_TEST_GUARD_ID: `guard-${taskQueue}`,
        UPGRADE_TEST_BEDROCK_URL: bedrock.url,
        UPGRADE_TEST_EKS_ENDPOINT: endpoint,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((ready, reject) => {
      const timer = setTimeout(() => reject(new Error('worker not ready within 120 s')), 120_000);
      proc.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('worker-ready')) {
          clearTimeout(timer);
          ready();
        }
      });
      proc.on('exit', (code) => reject(new Error(`worker exited early (${String(code)})`)));
    });
    return proc;
  }

  async function kill(proc: ChildProcess): Promise<void> {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGKILL');
    await exited;
  }

  void it('SIGKILL the worker five times across the stages: it completes with exactly one update per step', async () => {
    // Long enough (real ms) for each stage to outlive a kill and a worker's restart.
    eks = await startExecEks({ timing: { controlPlaneMs: 15_000, addonMs: 3_000, perNodeMs: 6_000 } });
    const s = eks;
    // The batch node group's call is answered 4 s late, after the change is made: the worker dies waiting for it.
    s.fake.injectFault({ operation: 'UpdateNodegroupVersion', kind: 'slow', delayMs: 4_000, after: 1 });
    const taskQueue = uniqueTaskQueue('exec-crash');
    child = await startWorker(env.address, taskQueue, s.endpoint);
    const handle = await startExec(
      env.client,
      taskQueue,
      execInput({ execution: { heartbeatTimeoutMs: 3_000 } }),
      'crash',
    );
    await waitFor(handle, (st) => st.phase === 'awaiting-approval', 'the approval gate');
    await handle.executeUpdate(approveUpdate, { args: [{ by: 'sre-alice' }] });

    const killPoints = killPointsAcrossStages(s.fake);
    for (const point of killPoints) {
      await waitUntil(point.when, 240_000, point.what);
      await kill(child);
      child = await startWorker(env.address, taskQueue, s.endpoint);
    }
    const report = await handle.result();
    assert.equal(report.status.execution?.outcome, 'completed');
    const plan = buildUpgradePlan(execSnapshot(), '1.32');
    const changes = plan.steps.filter((st) => st.automated && st.change.kind !== 'preflight');
    assert.equal(s.fake.sim.updates().length, changes.length, 'exactly one update per step in the simulator');
    for (const step of changes) {
      const record = stepOf(report.status.execution, step.id);
      assert.equal(record?.state, 'succeeded', step.id);
      assert.equal(record?.attempts.length, 1, `${step.id}: one operator round`);
    }
    assert.equal(
      s.fake.requests.filter((c) => c.operation === 'UpdateNodegroupVersion' && c.path.includes('batch-al2023')).length,
      1,
      'the batch call was never made again',
    );
    const state = s.fake.sim.cluster(EXEC_CLUSTER);
    assert.equal(state.cluster.version, '1.32');
    for (const g of state.nodegroups) assert.equal(g.version, '1.32');
    const retried = ((await handle.fetchHistory()).events ?? []).filter(
      (e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1,
    ).length;
    assert.ok(retried >= 5, `each kill made Temporal retry an activity (${retried} retried attempts)`);
    await kill(child);
    child = undefined;
    await eks.close();
    eks = undefined;
  });

  void it('restart the Temporal server (persisted --db-filename) during a node-group update: it completes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eks-upgrade-db-'));
    dirs.push(dir);
    const dbFile = join(dir, 'temporal.db');
    server = await startDevServer({ dbFile, port: 17_000 + Math.floor(Math.random() * 20_000) });
    const port = Number(server.address.split(':').at(-1));
    eks = await startExecEks({ timing: { perNodeMs: 8_000 } }); // general-al2023: 3 nodes, 24 s
    const s = eks;
    const taskQueue = uniqueTaskQueue('exec-restart');
    child = await startWorker(server.address, taskQueue, s.endpoint);
    const connection = await Connection.connect({ address: server.address });
    try {
      const client = new Client({ connection, namespace: 'default' });
      const handle: WorkflowHandle<typeof upgradeWorkflow> = await startExec(client, taskQueue, execInput(), 'restart');
      await waitFor(handle, (st) => st.phase === 'awaiting-approval', 'the approval gate');
      await handle.executeUpdate(approveUpdate, { args: [{ by: 'sre-alice' }] });
      await waitFor(
        handle,
        (st) => stepOf(st.execution, 'nodegroup/general-al2023/')?.state === 'running',
        'a node group update',
      );
      await waitUntil(
        () => s.fake.sim.updates({ kind: 'nodegroup', name: 'general-al2023' }).length === 1,
        60_000,
        'its EKS update',
      );

      await server.stop();
      await new Promise((r) => setTimeout(r, 3_000));
      server = await startDevServer({ dbFile, port });
      assert.equal(server.address.split(':').at(-1), String(port), 'the same port again');
      // The worker reconnects by itself; if it gave up meanwhile, a new one takes over.
      if (child.exitCode !== null) child = await startWorker(server.address, taskQueue, s.endpoint);

      const report = await handle.result();
      assert.equal(report.status.execution?.outcome, 'completed');
      assert.equal(s.fake.sim.updates({ kind: 'nodegroup', name: 'general-al2023' }).length, 1, 'one update, not two');
      const state = s.fake.sim.cluster(EXEC_CLUSTER);
      for (const g of state.nodegroups) assert.equal(g.version, '1.32');
    } finally {
      await connection.close();
    }
  });
});
