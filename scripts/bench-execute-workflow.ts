// Benchmark of an executed upgrade, the whole workflow on a real dev server: a 1.31 → 1.32 of a cluster with 5 node
// groups (13 nodes) and 3 add-ons, the worker in a child process, EKS the simulator at the wire. EKS's durations
// are divided by COMPRESSION and the steps poll every POLL_MS, so each poll stands for 30 s of EKS time: the run
// makes as many DescribeUpdate calls, heartbeats and workflow tasks as a real 2-hour upgrade at the default 30 s
// interval, in a few dozen seconds. Printed: DescribeUpdate calls per step, history events of the run, and the
// worker's CPU per upgrade hour (its busy CPU over the run, plus its idle CPU per hour measured separately).
// `npm run bench` calls runExecuteWorkflowBench(); alone: node --import tsx scripts/bench-execute-workflow.ts
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseClusterSnapshot, type ClusterSnapshot } from '../src/domain/snapshot';
import { compressedTiming, startEksSimulator } from '../src/simulator/eks';
import type { upgradeWorkflow } from '../src/workflows/upgrade';
import { approveUpdate, type UpgradeInput } from '../src/workflows/upgrade-messages';
import { createTestEnv, uniqueTaskQueue } from '../test/harness/temporal';
import { waitFor } from '../test/integration/execute-support';

const ROOT = join(__dirname, '..');
const WORKER = join(ROOT, 'test', 'harness', 'worker-process.ts');
const COMPRESSION = 300;
const POLL_MS = 100;
const EKS_POLL_MS = POLL_MS * COMPRESSION;
const IDLE_SAMPLE_MS = 10_000;

export interface ExecuteWorkflowBench {
  nodegroups: number;
  nodes: number;
  /** Simulated EKS time of the whole upgrade (first update created to last ended). */
  eksMs: number;
  wallMs: number;
  historyEvents: number;
  describeUpdate: Array<{ step: string; eksMs: number; calls: number }>;
  /** The worker's CPU while the upgrade ran, and idle (no upgrade) per hour. */
  busyCpuMs: number;
  idleCpuMsPerHour: number;
}

/** The exec-east snapshot with three more node groups: five, 13 nodes. */
function fiveNodegroups(): ClusterSnapshot {
  const snapshot = parseClusterSnapshot(
    JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'snapshots', 'exec-1.31.json'), 'utf8')),
  );
  const base = snapshot.nodeGroups?.[0];
  if (!base) throw new Error('exec-1.31.json has no node group');
  const extra = [
    { name: 'web-al2023', desiredSize: 3 },
    { name: 'jobs-al2023', desiredSize: 2 },
    { name: 'edge-al2023', desiredSize: 3 },
  ].map(({ name, desiredSize }) => ({ ...base, name, scaling: { minSize: 1, maxSize: 6, desiredSize } }));
  return { ...snapshot, nodeGroups: [...(snapshot.nodeGroups ?? []), ...extra] };
}

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** A process's CPU time so far (user + system), from /proc. */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // After "pid (comm) ", field 3 is the state; utime and stime are fields 14 and 15 of the whole line.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}

async function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((ready, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker-ready')) ready();
    });
    child.on('exit', (code) => reject(new Error(`the bench worker exited (${String(code)})`)));
  });
  return child;
}

export async function runExecuteWorkflowBench(): Promise<ExecuteWorkflowBench> {
  const snapshot = fiveNodegroups();
  const { sim, server, endpoint } = await startEksSimulator(snapshot, { timing: compressedTiming(COMPRESSION) });
  const env = await createTestEnv();
  const taskQueue = uniqueTaskQueue('bench-execute');
  let worker: ChildProcess | undefined;
  try {
    worker = await startWorker({
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      UPGRADE_TEST_TASK_QUEUE: taskQueue,
      UPGRADE_TEST_GUARD_ID: `guard-${taskQueue}`,
      UPGRADE_TEST_BEDROCK_URL: 'http://127.0.0.1:9', // never called: aiAnalysis is off
      UPGRADE_TEST_EKS_ENDPOINT: endpoint,
    });
    const pid = worker.pid ?? 0;

    const snapshotFile = join(ROOT, '.eks-upgrade-cache', 'bench-five-nodegroups.json');
    mkdirSync(join(ROOT, '.eks-upgrade-cache'), { recursive: true });
    writeFileSync(snapshotFile, JSON.stringify(snapshot));
    const input: UpgradeInput = {
      clusterName: snapshot.cluster.name,
      targetVersion: '1.32',
      inventory: { kind: 'snapshot', path: snapshotFile },
      releaseNotes: { kind: 'none' },
      mode: 'execute',
      aiAnalysis: false,
      soakWindowMs: 1_000,
      execution: { pollIntervalMs: POLL_MS, heartbeatTimeoutMs: 10_000 },
    };
    const started = Date.now();
    const busyStart = cpuMsOf(pid);
    const handle = await env.client.workflow.start<typeof upgradeWorkflow>('upgradeWorkflow', {
      taskQueue,
      workflowId: `bench-execute-${taskQueue}`,
      args: [input],
    });
    await waitFor(handle, (s) => s.phase === 'awaiting-approval', 'the approval gate');
    await handle.executeUpdate(approveUpdate, { args: [{ by: 'bench' }] });
    const report = await handle.result();
    const busyCpuMs = cpuMsOf(pid) - busyStart;
    const wallMs = Date.now() - started;
    if (report.status.execution?.outcome !== 'completed') throw new Error('the benchmark upgrade did not complete');
    // Then idle, once warm: what the worker costs per hour with nothing to do (long polls, timers).
    await new Promise((r) => setTimeout(r, 3_000));
    const idleStart = cpuMsOf(pid);
    await new Promise((r) => setTimeout(r, IDLE_SAMPLE_MS));
    const idleCpuMsPerHour = ((cpuMsOf(pid) - idleStart) * 3_600_000) / IDLE_SAMPLE_MS;
    const history = await handle.fetchHistory();
    const updates = sim.updates();
    const polls = sim.callsTo('DescribeUpdate');
    const describeUpdate = (report.status.execution?.steps ?? [])
      .filter((s) => s.attempts.at(-1)?.updateId)
      .map((s) => {
        const id = s.attempts.at(-1)?.updateId;
        const update = updates.find((u) => u.id === id);
        return {
          step: s.stepId,
          eksMs: update ? (update.endsAt - update.createdAt) * COMPRESSION : 0,
          calls: polls.filter((c) => c.updateId === id).length,
        };
      });
    const first = Math.min(...updates.map((u) => u.createdAt));
    const last = Math.max(...updates.map((u) => u.endsAt));
    return {
      nodegroups: snapshot.nodeGroups?.length ?? 0,
      nodes: (snapshot.nodeGroups ?? []).reduce((n, g) => n + (g.scaling?.desiredSize ?? 0), 0),
      eksMs: (last - first) * COMPRESSION,
      wallMs,
      historyEvents: history.events?.length ?? 0,
      describeUpdate,
      busyCpuMs,
      idleCpuMsPerHour,
    };
  } finally {
    if (worker && worker.exitCode === null) {
      const exited = once(worker, 'exit');
      worker.kill('SIGKILL');
      await exited;
    }
    await env.teardown();
    await server.stop();
  }
}

const minutes = (ms: number) => `${Math.round(ms / 60_000)} min`;

export function formatExecuteWorkflowBench(b: ExecuteWorkflowBench): string {
  const hours = b.eksMs / 3_600_000;
  const busyPerHour = b.busyCpuMs / hours;
  const lines = [
    `Executed upgrade, whole workflow (real dev server, worker in a child process, EKS simulator; ${b.nodegroups} node groups, ${b.nodes} nodes, 3 add-ons; DescribeUpdate every ${EKS_POLL_MS / 1000} s of EKS time)`,
    `  EKS time ${minutes(b.eksMs)} (${hours.toFixed(2)} h), run in ${(b.wallMs / 1000).toFixed(1)} s`,
    `  history events of the run: ${b.historyEvents} (Temporal's limit: 51,200; continue-as-new is suggested from 4,096)`,
    `  worker CPU per upgrade hour: ${busyPerHour.toFixed(0)} ms busy (${b.busyCpuMs.toFixed(0)} ms over the run's polls and workflow tasks) + ${b.idleCpuMsPerHour.toFixed(0)} ms idle = ${(busyPerHour + b.idleCpuMsPerHour).toFixed(0)} ms CPU per hour (${((busyPerHour + b.idleCpuMsPerHour) / 36_000).toFixed(3)} % of a core)`,
    `  ${'step'.padEnd(44)} ${'EKS time'.padStart(9)} ${'DescribeUpdate'.padStart(14)}`,
    ...b.describeUpdate.map(
      (r) => `  ${r.step.padEnd(44)} ${minutes(r.eksMs).padStart(9)} ${String(r.calls).padStart(14)}`,
    ),
  ];
  return lines.join('\n');
}

/** Far below Temporal's limit: an executed upgrade must never need continue-as-new. */
export function executeWorkflowBenchWithinLimits(b: ExecuteWorkflowBench): boolean {
  return b.historyEvents < 2_000;
}

if (require.main === module) {
  runExecuteWorkflowBench().then(
    (b) => {
      console.log(formatExecuteWorkflowBench(b));
      process.exit(executeWorkflowBenchWithinLimits(b) ? 0 : 1);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
