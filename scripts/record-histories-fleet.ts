// The recordings of scripts/record-histories.ts for the workflows that run beside the upgrades: the Bedrock guard
// across continue-as-new, and a campaign (its first and last runs) with a shared analysis its upgrades awaited.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createGuardedPermitGate } from '../src/activities/bedrock-gate';
import { campaignStartOptions } from '../src/client/commands/campaign';
import { loadCampaignFile } from '../src/client/commands/campaign-load';
import { loadConfig } from '../src/domain/config';
import { createLogger } from '../src/worker/logging';
import { approveUpgradesUpdate, continueUpdate } from '../src/workflows/campaign-messages';
import type { BedrockFake } from '../test/fakes/bedrock-fake';
import { getWorkflowBundle, uniqueTaskQueue } from '../test/harness/temporal';
import {
  startFleetWorkers,
  waitForCampaign,
  writeCampaignFile,
  type FleetCluster,
} from '../test/integration/campaign-support';
import { rigActivities } from '../test/integration/upgrade-support';

/** One recorded run: its file name (without .json), what it shows, and the handle of the run. */
export interface RecordedRun {
  name: string;
  what: string;
  workflowType: string;
  handle: WorkflowHandle;
}

/** Calls through the real gate until the guard has continued as new twice; records the middle run. */
export async function recordGuard(env: TestWorkflowEnvironment): Promise<WorkflowHandle> {
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
export async function recordCampaign(env: TestWorkflowEnvironment, bedrock: BedrockFake): Promise<RecordedRun[]> {
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
