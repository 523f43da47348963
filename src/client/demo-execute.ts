// `npm run demo -- --execute`: the sample cluster analysed, approved and upgraded end to end against the EKS
// simulator (src/simulator/eks), started in this process and labelled "simulated EKS" wherever it shows. Its
// durations are EKS's divided by DEMO_COMPRESSION at real speed, so the 40-minute upgrade takes about 40 s while
// every timestamp (and the 7-day rollback window) stays real. The simulator lives here, not in the worker, so with
// --external-worker the worker is a separate `npm run worker` that can be killed and restarted mid-way: the
// simulated EKS updates go on meanwhile, and the restarted worker resumes them (one update per step).
import type { Client, Connection, WorkflowHandle } from '@temporalio/client';
import type { ClusterSnapshot } from '../domain/snapshot';
import { executionLine, waitLines } from '../domain/execution-render';
import type { ExecutionProgress } from '../domain/execution';
import { compressedTiming, startEksSimulator, type EksSimulator, type EksSimulatorServer } from '../simulator/eks';
import type { upgradeWorkflow } from '../workflows/upgrade';
import type { UpgradeStatus } from '../workflows/upgrade-messages';
import { portIsFree } from './dev-server';
import type { Output } from './output';
import { NoWorkerError, queryStatus, workflowPollers } from './upgrade-handle';

/** EKS's durations divided by this: control plane 12 s, an add-on 1.5 s, a node-group round 8 s. */
export const DEMO_COMPRESSION = 60;
export const SIMULATED = 'simulated EKS';
/** Placeholder keys the SDK signs the simulator's requests with (it checks no signature): never real ones. */
export const SIMULATOR_CREDENTIALS = { accessKeyId: 'SIMULATEDEKS', secretAccessKey: 'simulated-eks-no-secret' };

export interface DemoSimulator {
  sim: EksSimulator;
  server: EksSimulatorServer;
  endpoint: string;
}

/** The sample cluster in the simulator; node groups may go back to 1.31 (the rollback guide's way, for the demo). */
export async function startDemoSimulator(snapshot: ClusterSnapshot, port: number): Promise<DemoSimulator> {
  const options = {
    timing: compressedTiming(DEMO_COMPRESSION),
    switches: { allowNodegroupDowngrade: true },
  };
  // A fixed port by default, so the printed worker command stays valid across demo runs; another when busy.
  return startEksSimulator(snapshot, { ...options, port: (await portIsFree(port)) ? port : 0 });
}

/** The command that runs a worker against this demo's server and simulator (for --external-worker). */
export function externalWorkerCommand(address: string, endpoint: string, withPlaceholderKeys: boolean): string {
  const keys = withPlaceholderKeys
    ? ` AWS_ACCESS_KEY_ID=${SIMULATOR_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${SIMULATOR_CREDENTIALS.secretAccessKey}`
    : '';
  return `TEMPORAL_ADDRESS=${address} AWS_ENDPOINT_URL_EKS=${endpoint}${keys} LOG_LEVEL=warn npm run worker`;
}

/** Waits until a worker polls the task queue. */
export async function waitForWorker(client: Client, taskQueue: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await workflowPollers(client, taskQueue)).length > 0) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`no worker polled task queue '${taskQueue}' within ${timeoutMs / 1000}s`);
}

/** What the simulator now shows, and how many updates each resource got: "one update per step" at a glance. */
export function simulatorSummary(sim: EksSimulator, clusterName: string): string {
  const c = sim.cluster(clusterName);
  const updates = sim.updates();
  const parts = [
    `cluster ${c.cluster.version}`,
    ...c.nodegroups.map((g) => `node group ${g.nodegroupName} ${g.version}`),
    ...c.addons.map((a) => `${a.addonName} ${a.addonVersion}`),
  ];
  return `${SIMULATED} now: ${parts.join(', ')}; ${updates.length} update(s): ${updates.map((u) => `${u.type} ${u.status}`).join(', ')}`;
}

function progressLines(run: ExecutionProgress | undefined, workflowId: string): string[] {
  if (!run) return [];
  return [executionLine(run), ...run.waits.flatMap((w) => waitLines(w, workflowId, run.kind).map((l) => `  ${l}`))];
}

/**
 * Prints the run's progress (each change once) until the workflow closes: the execution line, what it waits for,
 * the soak window's rollback commands, and a note when no worker answers (killed?) and when one is back.
 */
export async function followUpgrade(
  client: Client,
  connection: Connection,
  handle: WorkflowHandle<typeof upgradeWorkflow>,
  out: Output,
  hints: { secs: () => string; address: string },
): Promise<void> {
  let closed = false;
  void handle.result().then(
    () => (closed = true),
    () => (closed = true),
  );
  let last: string[] = [];
  let soakShown = false;
  let missing = false;
  while (!closed) {
    let status: UpgradeStatus | undefined;
    try {
      status = await queryStatus(client, connection, handle.workflowId, 3_000);
      if (missing) out.info(`[${hints.secs()}] a worker answers again: it resumes where the last one stopped`);
      missing = false;
    } catch (err) {
      if (!(err instanceof NoWorkerError) || closed) {
        if (closed) break;
        throw err;
      }
      if (!missing)
        out.info(
          `[${hints.secs()}] no worker answers (killed?): the ${SIMULATED} updates go on without it; start the worker again to resume`,
        );
      missing = true;
    }
    if (status) {
      const lines = [
        ...progressLines(status.execution, handle.workflowId),
        ...progressLines(status.rollbackExecution, handle.workflowId),
      ];
      if (status.rollbackProposal?.state === 'awaiting-confirmation')
        lines.push(
          `rollback proposed (${status.rollbackProposal.steps} steps): TEMPORAL_ADDRESS=${hints.address} npx eks-upgrade rollback --confirm --workflow-id ${handle.workflowId}`,
        );
      // Only what changed: the upgrade's final line stays the same while its rollback moves on.
      const fresh = lines.filter((l) => !last.includes(l));
      if (fresh.length > 0) out.info(`[${hints.secs()}] ${fresh.join('\n')}`);
      last = lines;
      if (status.phase === 'soak' && !soakShown) {
        soakShown = true;
        out.info(
          `[${hints.secs()}] soak window open until ${status.soakEndsAt ?? '?'}. Ask for a rollback (the verdict is ROLLBACK when the upgrade was approved over blockers), then confirm it:\n` +
            `  TEMPORAL_ADDRESS=${hints.address} npx eks-upgrade rollback --workflow-id ${handle.workflowId} --reason "flowschema api-priority no longer served" --wait\n` +
            `  TEMPORAL_ADDRESS=${hints.address} npx eks-upgrade rollback --confirm --workflow-id ${handle.workflowId}`,
        );
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
