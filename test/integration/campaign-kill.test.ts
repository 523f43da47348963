// A campaign whose worker is SIGKILLed twice during a wave (a crash, not a shutdown), with continue-as-new forced
// after a few dozen history events: the campaign completes, each upgrade ran exactly once, every prompt the model
// answered in full was answered once (a retried analysis reads the shared result), and the history was carried.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { campaignStartOptions } from '../../src/client/commands/campaign';
import { loadCampaignFile } from '../../src/client/commands/campaign-load';
import { approveUpgradesUpdate } from '../../src/workflows/campaign-messages';
import { startBedrockFake, type BedrockFake } from '../fakes/bedrock-fake';
import { createTestEnv, uniqueTaskQueue } from '../harness/temporal';
import { fleetModel, runsOf, waitForCampaign, writeCampaignFile, type FleetCluster } from './campaign-support';

const WORKER_SCRIPT = resolve(__dirname, '../harness/worker-process.ts');
const tag = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const FLEET: FleetCluster[] = Array.from({ length: 8 }, (_, i) => ({
  name: `kill${i + 1}-${tag}`,
  decision: 'GO' as const,
  ...(i === 5 ? { version: '1.29' as const } : {}),
}));
const STRATEGY = `  waves:
    - name: first
      select: { clusters: [${FLEET[0]?.name}, ${FLEET[1]?.name}] }
      maxParallel: 2
      gate: auto
    - name: second
      select: { rest: true }
      maxParallel: 3`;

let env: TestWorkflowEnvironment;
let fake: BedrockFake;
let dir: string;
let child: ChildProcess | undefined;
const taskQueue = uniqueTaskQueue('campaign-kill');

function startChildWorker(): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', WORKER_SCRIPT], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      UPGRADE_TEST_TASK_QUEUE: taskQueue,
      UPGRADE_TEST_GUARD_ID: `guard-${taskQueue}`,
      UPGRADE_TEST_BEDROCK_URL: fake.url,
      UPGRADE_TEST_FLEET: '1',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((ready, reject) => {
    const timer = setTimeout(() => reject(new Error('child worker not ready within 90 s')), 90_000);
    proc.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker-ready')) {
        clearTimeout(timer);
        ready(proc);
      }
    });
  });
}

async function kill(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGKILL');
  await exited;
}

before(async () => {
  env = await createTestEnv();
  // Each analysis takes a while, so the kills land while upgrades are in flight.
  fake = await startBedrockFake({ handler: fleetModel(FLEET, 1_200) });
  dir = mkdtempSync(join(tmpdir(), 'campaign-kill-'));
});

after(async () => {
  await kill(child);
  await fake?.close();
  await env?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

void test('SIGKILL during a wave and continue-as-new: the campaign completes, no upgrade started twice, no finished call paid twice', async () => {
  const file = writeCampaignFile(dir, `kill-${tag}`, FLEET, STRATEGY, '  analysisHeartbeatTimeout: 3s');
  const { plan } = loadCampaignFile(file);
  const options = campaignStartOptions(
    plan,
    {
      upgradeTaskQueue: taskQueue,
      startedBy: 'test',
      options: { pollIntervalMs: 250, watchMaxMs: 5_000, continueAsNewAfterEvents: 60 },
    },
    taskQueue,
  );
  child = await startChildWorker();
  const handle = await env.client.workflow.start('campaignWorkflow', options);

  for (let k = 0; k < 2; k++) {
    await waitForCampaign(
      handle,
      (s) =>
        s.waveIndex === 1 &&
        s.clusters.filter((c) => c.wave === 1 && c.hops.some((h) => h.state === 'running')).length >= 2 &&
        fake.calls.length > 0,
      180_000,
    );
    await kill(child);
    await new Promise((r) => setTimeout(r, 500));
    child = await startChildWorker();
  }

  // The 1.29 cluster's first hop is GO_WITH_CAUTION (1.29 is in extended support): approve it through the campaign.
  const final = await waitForCampaign(
    handle,
    (s) => s.phase === 'completed',
    300_000,
    async (s) => {
      if (s.clusters.some((c) => c.wave === s.waveIndex && c.hops.some((h) => h.state === 'awaiting-approval')))
        await handle.executeUpdate(approveUpgradesUpdate, { args: [{ by: 'test', reason: 'caution reviewed' }] });
    },
  );
  assert.ok(final.run > 1, `continue-as-new happened (run ${final.run})`);
  for (const c of final.clusters) assert.equal(c.path, 'done', `${c.name}: ${JSON.stringify(c)}`);
  assert.equal(final.clusters.find((c) => c.name === FLEET[5]?.name)?.hops.length, 2, 'the 1.29 cluster took two hops');

  // Each upgrade ran exactly once, whatever the retries of its start.
  for (const c of final.clusters)
    for (const h of c.hops) assert.equal(await runsOf(env.client, h.workflowId), 1, `${h.workflowId} ran once`);

  // A prompt the model answered in full was never paid for again: retries read the shared result. (A call cut off
  // by the kill, whose answer never reached a worker, is asked again; that is the one repeat allowed.)
  const answered = new Map<string, number>();
  for (const call of fake.calls.filter((c) => !c.abortedByClient)) {
    const key = `${call.toolName}|${call.userText}`;
    answered.set(key, (answered.get(key) ?? 0) + 1);
  }
  const twice = [...answered].filter(([, n]) => n > 1).map(([k]) => k.slice(0, 80));
  assert.deepEqual(twice, [], 'no fully answered prompt was asked twice');
  const releaseNotes = fake.calls.filter((c) => c.toolName === 'RELEASE_NOTES_ANALYSIS' && !c.abortedByClient);
  assert.equal(releaseNotes.length, 2, 'one release-notes analysis per version pair (1.29→1.30, 1.30→1.31)');
});
