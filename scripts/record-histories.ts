// Records the workflow histories that `npm test` replays against the current workflow code
// (test/integration/history-replay.test.ts), so that a change to workflow logic that is not behind patched() fails
// CI before it meets a running execution (docs/operations.md). Each run is the real workflow on a dev server of its
// own, with the real activities against the wire-level fakes (Bedrock, the EKS simulator):
//   analyze-rollback-verdict  analyze mode: decision, approval, a rollback request in the soak window (verdict only)
//   execute-retry             execute mode: a PodEvictionFailure, then retry --force with a reason
//   execute-rollback          execute mode: the upgrade, a ROLLBACK verdict, confirmRollback, the rollback
//   guard-continued           the Bedrock guard: leases, grants and settles, continuing as new (a run that began
//                             from a carried ledger and ended by continuing again)
//   campaign-first-run        a campaign of 3 clusters in 2 waves (one a 1.29 → 1.31 path): its first run, ending
//   campaign-last-run         in continue-as-new, and its last, from the carried state to completed
//   shared-analysis           the release-notes analysis the campaign's upgrades shared (one per version pair)
// Re-record after an intended, patched change of the command sequence (new histories beside the old ones are
// better than replacing them: the old ones are what running executions look like).
//   node --import tsx scripts/record-histories.ts [name ...]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { upgradeWorkflow } from '../src/workflows/upgrade';
import {
  approveUpdate,
  requestRollbackUpdate,
  confirmRollbackUpdate,
  retryUpdate,
} from '../src/workflows/upgrade-messages';
import { startBedrockFake, type BedrockFake } from '../test/fakes/bedrock-fake';
import { podEvictionFailure } from '../test/fakes/eks-fake';
import { createTestEnv, getWorkflowBundle, uniqueTaskQueue } from '../test/harness/temporal';
import { execInput, startExecEks, startExecWorker, stepOf, waitFor } from '../test/integration/execute-support';
import { createUpgradeWorker } from '../src/worker/worker';
import { rigActivities, scriptedModel, upgradeInput } from '../test/integration/upgrade-support';
import { recordCampaign, recordGuard, type RecordedRun } from './record-histories-fleet';

export const HISTORIES_DIR = join(__dirname, '..', 'test', 'fixtures', 'histories');
export const MANIFEST = join(HISTORIES_DIR, 'manifest.json');

export interface RecordedHistory {
  /** File name under test/fixtures/histories. */
  file: string;
  workflowId: string;
  workflowType: string;
  what: string;
  recordedAt: string;
  /** The commit whose workflow code made it. */
  commit: string;
  events: number;
}

const EXEC_INVENTORY = { kind: 'snapshot' as const, path: 'test/fixtures/snapshots/exec-1.31.json' };

interface Recording {
  name: string;
  what: string;
  workflowType?: string;
  /**
   * The run whose history is recorded (a handle with a run id when a chain continued as new), or several runs, each
   * with the name and description of its own file.
   */
  run(env: TestWorkflowEnvironment, bedrock: BedrockFake): Promise<WorkflowHandle | RecordedRun[]>;
}

async function recordAnalyze(env: TestWorkflowEnvironment, bedrock: BedrockFake) {
  const taskQueue = uniqueTaskQueue('record-analyze');
  const { activities } = rigActivities({
    client: env.client,
    bedrockUrl: bedrock.url,
    taskQueue,
    guardId: `guard-${taskQueue}`,
  });
  const worker = await createUpgradeWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities,
    workflowBundle: await getWorkflowBundle(),
  });
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof upgradeWorkflow>('upgradeWorkflow', {
      taskQueue,
      workflowId: 'upgrade-prod-east-1.31',
      args: [
        upgradeInput('clean', {
          soakWindowMs: 120_000,
          // Relative paths (the script runs from the repository root): no machine's paths in the fixtures.
          inventory: { kind: 'snapshot', path: 'test/fixtures/upgrade/prod-east-1.30.json' },
          manifestPaths: ['test/fixtures/upgrade/clean'],
        }),
      ],
    });
    await waitFor(handle, (s) => s.phase === 'awaiting-approval', 'the approval gate');
    await handle.executeUpdate(approveUpdate, { args: [{ by: 'sre-alice', comment: 'window 14:00' }] });
    await handle.executeUpdate(requestRollbackUpdate, { args: [{ reason: '5xx after the upgrade', by: 'sre-bob' }] });
    await handle.result();
    return handle;
  });
}

async function withExecWorker<T>(
  env: TestWorkflowEnvironment,
  bedrock: BedrockFake,
  options: Parameters<typeof startExecEks>[0],
  run: (taskQueue: string, eks: Awaited<ReturnType<typeof startExecEks>>) => Promise<T>,
): Promise<T> {
  const eks = await startExecEks(options);
  const taskQueue = uniqueTaskQueue('record-exec');
  const worker = await startExecWorker({ env, bedrock, eks, taskQueue });
  try {
    return await run(taskQueue, eks);
  } finally {
    await worker.stop();
    await eks.close();
  }
}

async function recordExecuteRetry(env: TestWorkflowEnvironment, bedrock: BedrockFake) {
  return withExecWorker(env, bedrock, {}, async (taskQueue, eks) => {
    eks.fake.sim.scriptFailure(podEvictionFailure('batch-al2023', 1));
    const handle = await env.client.workflow.start<typeof upgradeWorkflow>('upgradeWorkflow', {
      taskQueue,
      workflowId: 'upgrade-exec-east-1.32',
      args: [execInput({ inventory: EXEC_INVENTORY })],
    });
    await waitFor(handle, (s) => s.phase === 'awaiting-approval', 'the approval gate');
    await handle.executeUpdate(approveUpdate, { args: [{ by: 'sre-alice' }] });
    await waitFor(
      handle,
      (s) => s.execution?.waits.some((w) => w.kind === 'failed') === true,
      'the PodEvictionFailure to wait for the operator',
    );
    await handle.executeUpdate(retryUpdate, {
      args: [{ force: true, reason: 'PDB of batch-runner is too strict; jobs restart', by: 'sre-bob' }],
    });
    const report = await handle.result();
    if (stepOf(report.status.execution, 'nodegroup/batch-al2023/')?.state !== 'succeeded')
      throw new Error('the forced retry did not complete the node group');
    return handle;
  });
}

async function recordRollback(env: TestWorkflowEnvironment, bedrock: BedrockFake) {
  return withExecWorker(env, bedrock, { switches: { allowNodegroupDowngrade: true } }, async (taskQueue) => {
    const handle = await env.client.workflow.start<typeof upgradeWorkflow>('upgradeWorkflow', {
      taskQueue,
      workflowId: 'upgrade-exec-east-1.32-rollback',
      args: [execInput({ inventory: EXEC_INVENTORY, aiAnalysis: true, soakWindowMs: 300_000 })],
    });
    await waitFor(handle, (s) => s.phase === 'awaiting-approval', 'the approval gate');
    await handle.executeUpdate(approveUpdate, { args: [{ by: 'sre-alice' }] });
    await waitFor(handle, (s) => s.phase === 'soak', 'the soak window');
    await handle.executeUpdate(requestRollbackUpdate, { args: [{ reason: 'checkout p99 doubled', by: 'sre-bob' }] });
    await waitFor(handle, (s) => s.rollbackProposal?.state === 'awaiting-confirmation', 'the proposal');
    await handle.executeUpdate(confirmRollbackUpdate, { args: [{ by: 'sre-bob', reason: 'SLO burn' }] });
    const report = await handle.result();
    if (report.status.rollbackExecution?.outcome !== 'undone') throw new Error('the rollback did not undo everything');
    return handle;
  });
}

const RECORDINGS: Recording[] = [
  {
    name: 'analyze-rollback-verdict',
    what: 'analyze mode, AI on: decision GO, approve, a rollback request in the soak window (ROLLBACK verdict, no action)',
    run: recordAnalyze,
  },
  {
    name: 'execute-retry',
    what: 'execute mode 1.31 → 1.32 (3 add-ons, 2 node groups): PodEvictionFailure on batch-al2023, then retry --force with a reason',
    run: recordExecuteRetry,
  },
  {
    name: 'execute-rollback',
    what: 'execute mode 1.31 → 1.32, a ROLLBACK verdict in the soak window, confirmRollback: node groups, add-ons, control plane back to 1.31',
    run: recordRollback,
  },
  {
    name: 'guard-continued',
    what: 'the Bedrock guard: a run started from a carried ledger (leases, grants, settles), then continuing as new',
    workflowType: 'bedrockGuardWorkflow',
    run: (env) => recordGuard(env),
  },
  {
    name: 'campaign',
    what: 'a campaign and the shared analysis its upgrades awaited',
    run: recordCampaign,
  },
];

function readManifest(): RecordedHistory[] {
  try {
    return JSON.parse(readFileSync(MANIFEST, 'utf8')) as RecordedHistory[];
  } catch {
    return [];
  }
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const chosen = wanted.length > 0 ? RECORDINGS.filter((r) => wanted.includes(r.name)) : RECORDINGS;
  if (chosen.length === 0)
    throw new Error(`no recording named ${wanted.join(', ')}: ${RECORDINGS.map((r) => r.name).join(', ')}`);
  // A server of our own: the fixed workflow ids must not meet older runs.
  delete process.env.TEMPORAL_ADDRESS;
  const env = await createTestEnv();
  const bedrock = await startBedrockFake({ handler: scriptedModel({ decision: 'GO', rollback: 'ROLLBACK' }) });
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  mkdirSync(HISTORIES_DIR, { recursive: true });
  const manifest = readManifest();
  try {
    for (const recording of chosen) {
      const started = Date.now();
      const recorded = await recording.run(env, bedrock);
      const runs: RecordedRun[] = Array.isArray(recorded)
        ? recorded
        : [
            {
              name: recording.name,
              what: recording.what,
              workflowType: recording.workflowType ?? 'upgradeWorkflow',
              handle: recorded,
            },
          ];
      for (const run of runs) {
        const history = await run.handle.fetchHistory();
        const file = `${run.name}.json`;
        writeFileSync(join(HISTORIES_DIR, file), `${historyToJSON(history)}\n`);
        const entry: RecordedHistory = {
          file,
          workflowId: run.handle.workflowId,
          workflowType: run.workflowType,
          what: run.what,
          recordedAt: new Date().toISOString(),
          commit,
          events: history.events?.length ?? 0,
        };
        const i = manifest.findIndex((m) => m.file === file);
        if (i >= 0) manifest[i] = entry;
        else manifest.push(entry);
        console.error(`[record] ${file}: ${entry.events} events (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      }
    }
    writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
  } finally {
    await bedrock.close();
    await env.teardown();
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
