// Benchmark of the execution activities' polling: how many DescribeUpdate calls one step costs, for node groups of
// several sizes and maxUnavailable settings and for the control plane and an add-on, at poll intervals of 15, 30
// and 60 s. The EKS simulator's clock is compressed completely: each poll's sleep advances simulated time by the
// interval, so the figures are exact and a 45-minute rollout takes milliseconds; the calls are real SDK calls over
// HTTP. Also: how late the end is seen (at most one interval) and the wall time per step.
// `npm run bench` calls runExecutionBench(); run alone: node --import tsx scripts/bench-execution.ts
import { EKSClient } from '@aws-sdk/client-eks';
import { createExecutionActivities, stepToken } from '../src/activities/eks-execution';
import type { EksStepInput, NodegroupVersionChange } from '../src/activities/contracts';
import { parseClusterSnapshot } from '../src/domain/snapshot';
import { EksSimulator, EksSimulatorServer, ScaledClock, stateFromSnapshot } from '../src/simulator/eks';

const MIN = 60_000;
const PER_NODE_MS = 8 * MIN;

export interface ExecutionBenchRow {
  step: string;
  /** How long EKS takes for the update (simulated). */
  eksMs: number;
  pollMs: number;
  describeUpdateCalls: number;
  /** Every other EKS call of the step (reads, ListUpdates, the update call itself). */
  otherCalls: number;
  /** From the update's end until the step saw it (simulated). */
  seenLateMs: number;
  wallMs: number;
}

function cluster(nodes: number, maxUnavailable: number) {
  return parseClusterSnapshot({
    schemaVersion: 1,
    cluster: { name: 'bench', version: '1.32', region: 'us-east-1' },
    nodeGroups: [
      { name: 'workers', version: '1.31', scaling: { desiredSize: nodes }, updateConfig: { maxUnavailable } },
    ],
    addons: [
      {
        name: 'coredns',
        version: 'v1.11.3-eksbuild.2',
        compatibleVersions: { '1.32': ['v1.11.3-eksbuild.2', 'v1.11.4-eksbuild.2'] },
        defaultVersions: { '1.32': 'v1.11.4-eksbuild.2' },
      },
    ],
  });
}

async function measure(
  label: string,
  nodes: number,
  maxUnavailable: number,
  pollMs: number,
  kind: 'nodegroup' | 'addon' | 'control-plane',
): Promise<ExecutionBenchRow> {
  const clock = new ScaledClock({ speed: 0 });
  const snapshot = cluster(nodes, maxUnavailable);
  if (kind === 'control-plane') {
    snapshot.cluster.version = '1.31';
  }
  const sim = new EksSimulator(stateFromSnapshot(snapshot), { clock, timing: { perNodeMs: PER_NODE_MS } });
  const server = new EksSimulatorServer(sim);
  const endpoint = await server.start();
  const eks = new EKSClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
    maxAttempts: 1,
  });
  const activities = createExecutionActivities({
    eksClient: () => eks,
    clock: { now: () => new Date(clock.now()) },
    runtime: ({ stepId, round }) => ({
      heartbeat: () => undefined,
      sleep: async (ms) => {
        clock.advance(ms);
        await new Promise((r) => setImmediate(r));
      },
      token: stepToken('bench', stepId, round),
    }),
  });
  const base = { target: { clusterName: 'bench', region: 'us-east-1' }, round: 0, pollIntervalMs: pollMs };
  const started = performance.now();
  try {
    if (kind === 'control-plane')
      await activities.updateControlPlaneVersion({
        ...base,
        stepId: 'control-plane/1.32',
        change: { kind: 'control-plane-version', from: '1.31', to: '1.32' },
      });
    else if (kind === 'addon')
      await activities.updateAddonVersion({
        ...base,
        stepId: 'addon/coredns',
        change: {
          kind: 'addon-version',
          addonName: 'coredns',
          from: 'v1.11.3-eksbuild.2',
          to: 'v1.11.4-eksbuild.2',
          resolveConflicts: 'PRESERVE',
        },
      });
    else {
      const input: EksStepInput<NodegroupVersionChange> = {
        ...base,
        stepId: 'nodegroup/workers',
        change: {
          kind: 'nodegroup-version',
          nodegroupName: 'workers',
          from: { version: '1.31' },
          to: { version: '1.32' },
          nodes,
          maxUnavailable,
        },
      };
      await activities.updateNodegroupVersion(input);
    }
    const wallMs = performance.now() - started;
    const update = sim.updates()[0];
    const seenAt = sim.calls.filter((c) => c.operation === 'DescribeUpdate').at(-1)?.at ?? 0;
    return {
      step: label,
      eksMs: update ? update.endsAt - update.createdAt : 0,
      pollMs,
      describeUpdateCalls: sim.callsTo('DescribeUpdate').length,
      otherCalls: sim.calls.length - sim.callsTo('DescribeUpdate').length,
      seenLateMs: update ? seenAt - update.endsAt : 0,
      wallMs,
    };
  } finally {
    eks.destroy();
    await server.stop();
  }
}

export async function runExecutionBench(): Promise<ExecutionBenchRow[]> {
  const rows: ExecutionBenchRow[] = [];
  for (const pollMs of [15_000, 30_000, 60_000]) {
    rows.push(await measure('control plane', 0, 1, pollMs, 'control-plane'));
    rows.push(await measure('add-on coredns', 0, 1, pollMs, 'addon'));
    for (const [nodes, maxUnavailable] of [
      [5, 1],
      [5, 2],
      [20, 1],
      [20, 5],
    ] as const)
      rows.push(
        await measure(
          `node group ${nodes} nodes, maxUnavailable ${maxUnavailable}`,
          nodes,
          maxUnavailable,
          pollMs,
          'nodegroup',
        ),
      );
  }
  return rows;
}

const minutes = (ms: number) => `${Math.round(ms / MIN)} min`;

export function formatExecutionBench(rows: ExecutionBenchRow[]): string {
  const lines = [
    `Execution polling: DescribeUpdate calls per step (EKS simulator, real SDK over HTTP, clock advanced by each poll; ${PER_NODE_MS / MIN} min per node-group round)`,
    `${'step'.padEnd(40)} ${'EKS time'.padStart(9)} ${'poll'.padStart(5)} ${'DescribeUpdate'.padStart(14)} ${'other calls'.padStart(11)} ${'seen late'.padStart(9)} ${'wall'.padStart(8)}`,
  ];
  for (const r of rows)
    lines.push(
      `${r.step.padEnd(40)} ${minutes(r.eksMs).padStart(9)} ${`${r.pollMs / 1000}s`.padStart(5)} ${String(r.describeUpdateCalls).padStart(14)} ${String(r.otherCalls).padStart(11)} ${`${Math.round(r.seenLateMs / 1000)}s`.padStart(9)} ${`${r.wallMs.toFixed(0)} ms`.padStart(8)}`,
    );
  return lines.join('\n');
}

/** Hard limit: never more than one DescribeUpdate per interval of EKS time (plus the last one), never seen later than an interval. */
export function executionBenchWithinLimits(rows: ExecutionBenchRow[]): boolean {
  return rows.every((r) => r.describeUpdateCalls <= Math.ceil(r.eksMs / r.pollMs) + 1 && r.seenLateMs <= r.pollMs);
}

if (require.main === module) {
  runExecutionBench().then(
    (rows) => {
      console.log(formatExecutionBench(rows));
      process.exit(executionBenchWithinLimits(rows) ? 0 : 1);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
