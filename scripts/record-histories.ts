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
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
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
import { createGuardedPermitGate } from '../src/activities/bedrock-gate';
import { loadConfig } from '../src/domain/config';
import { createLogger } from '../src/worker/logging';
import { rigActivities, scriptedModel, upgradeInput } from '../test/integration/upgrade-support';
import {
  startFleetWorkers,
  waitForCampaign,
  writeCampaignFile,
  type FleetCluster,
} from '../test/integration/campaign-support';
import { loadCampaignFile } from '../src/client/commands/campaign-load';
import { campaignStartOptions } from '../src/client/commands/campaign';
import { approveUpgradesUpdate, continueUpdate } from '../src/workflows/campaign-messages';

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

interface RecordedRun {
  name: string;
  what: string;
  workflowType: string;
  handle: WorkflowHandle;
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

/** Calls through the real gate until the guard has continued as new twice; records the middle run. */
async function recordGuard(env: TestWorkflowEnvironment): Promise<WorkflowHandle> {
  const taskQueue = uniqueTaskQueue('record-guard');
  const workflowId = 'bedrock-guard-record';
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await getWorkflowBundle(),
  });
  const gate = createGuardedPermitGate({
    client: env.client,
    config: loadConfig({}),
    logger: createLogger('silent'),
    guard: {
      workflowId,
      taskQueue,
      limits: { maxRequestsPerWindow: 100, windowMs: 60_000, dailyCostLimitUsd: 10 },
      startInput: { continueAsNewAfterUpdates: 3 },
    },
  });
  return worker.runUntil(async () => {
    const runIds = new Set<string>();
    for (let i = 0; runIds.size < 3; i++) {
      if (i >= 60) throw new Error(`the guard continued as new only ${runIds.size - 1} times in ${i} calls`);
      await gate.run(
        {
          modelId: 'test-model',
          caller: `record-${i}`,
          estimatedCostUsd: 0.01,
          estimatedInputCostUsd: 0.002,
          estimatedTokens: 1_000,
        },
        () => Promise.resolve({ value: i, actualCostUsd: 0.004321, inputTokens: 800, outputTokens: 120 }),
      );
      await gate.drain();
      runIds.add((await env.client.workflow.getHandle(workflowId).describe()).runId);
    }
    await gate.close();
    // The chain's runs, newest first: the middle one both began from a carried ledger and continued as new.
    const newest = await env.client.workflow.getHandle(workflowId).describe();
    const history = await env.client.workflow.getHandle(workflowId, newest.runId).fetchHistory();
    const middle = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!middle) throw new Error('the newest guard run did not continue from another');
    return env.client.workflow.getHandle(workflowId, middle);
  });
}

/** A small campaign to completion; records its first run (continued as new) and one shared analysis. */
async function recordCampaign(env: TestWorkflowEnvironment, bedrock: BedrockFake): Promise<RecordedRun[]> {
  const dir = mkdtempSync(join(tmpdir(), 'record-campaign-'));
  const taskQueue = uniqueTaskQueue('record-campaign');
  const fleet: FleetCluster[] = [
    { name: 'rec-canary', decision: 'GO', manifests: 'removed-api', labels: { tier: 'canary' } },
    { name: 'rec-go', decision: 'GO' },
    { name: 'rec-path', decision: 'GO', version: '1.29' },
  ];
  const strategy = [
    '  waves:',
    '    - name: canary',
    '      select: { labels: { tier: canary } }',
    '      stopOn: { noGo: true }',
    '      gate: auto',
    '    - name: rest',
    '      select: { rest: true }',
    '      maxParallel: 2',
    '      bakeTime: 1s',
    '      gate: manual',
  ].join('\n');
  const { activities } = rigActivities({
    client: env.client,
    bedrockUrl: bedrock.url,
    taskQueue,
    guardId: `guard-${taskQueue}`,
    analysisCacheTtlMs: 3_600_000,
    campaign: true,
  });
  const workers = await startFleetWorkers({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities,
  });
  try {
    const { plan } = loadCampaignFile(writeCampaignFile(dir, 'record-fleet', fleet, strategy));
    const options = campaignStartOptions(
      plan,
      {
        upgradeTaskQueue: taskQueue,
        startedBy: 'record-histories',
        options: { pollIntervalMs: 250, watchMaxMs: 5_000, continueAsNewAfterEvents: 30 },
      },
      taskQueue,
    );
    const handle = await env.client.workflow.start('campaignWorkflow', options);
    const final = await waitForCampaign(
      handle,
      (c) => c.phase === 'completed',
      300_000,
      async (c) => {
        // The canary's NO_GO (a removed API) stops the campaign, and its gate waits: the operator continues.
        if (c.phase === 'stopped' || c.phase === 'at-gate')
          await handle.executeUpdate(continueUpdate, {
            args: [{ by: 'sre-alice', reason: 'canary NO_GO understood' }],
          });
        else if (c.clusters.some((k) => k.wave === c.waveIndex && k.hops.some((h) => h.state === 'awaiting-approval')))
          await handle.executeUpdate(approveUpgradesUpdate, {
            args: [{ by: 'sre-alice', reason: 'caution reviewed' }],
          });
      },
    );
    if (final.run < 2) throw new Error('the campaign did not continue as new; lower continueAsNewAfterEvents');
    const runs: string[] = [];
    for (let runId: string | undefined = (await handle.describe()).runId; runId;) {
      runs.unshift(runId);
      const history = await env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
      runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
    }
    const shared: string[] = [];
    for await (const w of env.client.workflow.list({ query: `WorkflowType = 'sharedAnalysisWorkflow'` }))
      shared.push(w.workflowId);
    const releaseNotes = shared.find((id) => id.includes('RELEASE_NOTES')) ?? shared[0];
    if (!releaseNotes) throw new Error('no shared analysis ran');
    return [
      {
        name: 'campaign-first-run',
        what: 'a campaign of 3 clusters in 2 waves (one a 1.29 → 1.31 path), the canary NO_GO continued by the operator: its first run, ended by continue-as-new',
        workflowType: 'campaignWorkflow',
        handle: env.client.workflow.getHandle(handle.workflowId, runs[0]),
      },
      {
        name: 'campaign-last-run',
        what: 'the same campaign: its last run, from the carried state to completed',
        workflowType: 'campaignWorkflow',
        handle: env.client.workflow.getHandle(handle.workflowId, runs.at(-1)),
      },
      {
        name: 'shared-analysis',
        what: "a shared analysis the campaign's upgrades awaited (one per key, started with USE_EXISTING)",
        workflowType: 'sharedAnalysisWorkflow',
        handle: env.client.workflow.getHandle(releaseNotes),
      },
    ];
  } finally {
    await workers.stop();
    rmSync(dir, { recursive: true, force: true });
  }
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
