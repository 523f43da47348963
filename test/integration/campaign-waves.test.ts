// A campaign of 12 clusters in three waves on the real dev server, the Bedrock fake at the wire: the canary's NO_GO
// stops the campaign until `continue`; maxParallel and the bake time hold; two clusters go 1.29 → 1.31 as two
// hops; GO_WITH_CAUTION upgrades are approved through the campaign; the report lists every cluster and hop; and
// the fake saw one release-notes analysis per version pair (the shared analysis cache).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadCampaignFile } from '../../src/client/commands/campaign-load';
import { renderCampaign } from '../../src/client/commands/campaign-render';
import { campaignStartOptions } from '../../src/client/commands/campaign';
import { runningUpgradesQuery } from '../../src/activities/campaign-watch';
import { approveUpgradesUpdate, continueUpdate, type CampaignStatus } from '../../src/workflows/campaign-messages';
import { EKS_CAMPAIGN, EKS_WAVE } from '../../src/workflows/search-attributes';
import { startBedrockFake, type BedrockFake } from '../fakes/bedrock-fake';
import { createTestEnv, uniqueTaskQueue } from '../harness/temporal';
import { rigActivities } from './upgrade-support';
import {
  fleetModel,
  runsOf,
  startFleetWorkers,
  versionPairOf,
  waitForCampaign,
  writeCampaignFile,
  type FleetCluster,
} from './campaign-support';

const tag = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const n = (name: string) => `${name}-${tag}`;
const FLEET: FleetCluster[] = [
  { name: n('canary'), decision: 'GO', manifests: 'removed-api', labels: { tier: 'canary' } },
  { name: n('early-go1'), decision: 'GO', labels: { tier: 'early' } },
  { name: n('early-go2'), decision: 'GO', labels: { tier: 'early' } },
  { name: n('early-caution'), decision: 'GO_WITH_CAUTION', labels: { tier: 'early' } },
  { name: n('early-path'), decision: 'GO', version: '1.29', labels: { tier: 'early' } },
  { name: n('late-go1'), decision: 'GO' },
  { name: n('late-go2'), decision: 'GO' },
  { name: n('late-go3'), decision: 'GO' },
  { name: n('late-nogo'), decision: 'NO_GO' },
  { name: n('late-caution'), decision: 'GO_WITH_CAUTION' },
  { name: n('late-path'), decision: 'GO', version: '1.29' },
  { name: n('late-go4'), decision: 'GO' },
];
const STRATEGY = `  waves:
    - name: canary
      select: { labels: { tier: canary } }
      stopOn: { noGo: true }
      gate: auto
    - name: early
      select: { labels: { tier: early } }
      maxParallel: 2
      bakeTime: 4s
      gate: manual
    - name: late
      select: { rest: true }
      maxParallel: 3
      stopOn: { failedPercent: 50 }`;
const BAKE_MS = 4_000;

let env: TestWorkflowEnvironment;
let fake: BedrockFake;
let dir: string;
let workers: { stop(): Promise<void> } | undefined;
const taskQueue = uniqueTaskQueue('campaign-waves');

before(async () => {
  env = await createTestEnv();
  fake = await startBedrockFake({ handler: fleetModel(FLEET) });
  dir = mkdtempSync(join(tmpdir(), 'campaign-waves-'));
  const { activities } = rigActivities({
    client: env.client,
    bedrockUrl: fake.url,
    taskQueue,
    guardId: `guard-${taskQueue}`,
    analysisCacheTtlMs: 3_600_000,
    campaign: true,
  });
  workers = await startFleetWorkers({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities,
  });
});

after(async () => {
  await workers?.stop();
  await fake?.close();
  await env?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const hopsOf = (s: CampaignStatus, cluster: string) => s.clusters.find((c) => c.name === cluster)?.hops ?? [];

void test('12 clusters in 3 waves: canary NO_GO stops until continue, bake time, multi-minor paths, one release-notes analysis per version pair', async () => {
  const file = writeCampaignFile(dir, `waves-${tag}`, FLEET, STRATEGY);
  const { plan } = loadCampaignFile(file);
  assert.deepEqual(
    plan.waves.map((w) => w.clusters.length),
    [1, 4, 7],
  );
  assert.deepEqual(plan.clusters.find((c) => c.name === n('late-path'))?.hops, [
    { from: '1.29', to: '1.30' },
    { from: '1.30', to: '1.31' },
  ]);
  const options = campaignStartOptions(
    plan,
    { upgradeTaskQueue: taskQueue, startedBy: 'test', options: { pollIntervalMs: 250, watchMaxMs: 10_000 } },
    taskQueue,
  );
  const handle = await env.client.workflow.start('campaignWorkflow', options);

  // The watcher reads the campaign's running upgrades from visibility (one list per round): the canary shows up.
  const deadline = Date.now() + 60_000;
  let listed: string[] = [];
  while (listed.length === 0 && Date.now() < deadline) {
    listed = [];
    for await (const w of env.client.workflow.list({ query: runningUpgradesQuery(options.workflowId) }))
      listed.push(w.workflowId);
    if (listed.length === 0) await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(listed, [`upgrade-${n('canary')}-1.31`]);

  // 1. The canary decides NO_GO (a removed API): the campaign stops; nothing of the next wave starts.
  const stopped = await waitForCampaign(handle, (s) => s.phase === 'stopped');
  assert.match(stopped.stopReasons.join(' '), /NO_GO in wave canary/);
  assert.equal(hopsOf(stopped, n('canary'))[0]?.state, 'no-go');
  assert.deepEqual(hopsOf(stopped, n('canary'))[0]?.blockerCodes, ['API001']);
  assert.ok(
    stopped.clusters.filter((c) => c.wave > 0).every((c) => c.hops.every((h) => h.state === 'pending')),
    'no upgrade of a later wave started while stopped',
  );
  await new Promise((r) => setTimeout(r, 1500));
  const still = await waitForCampaign(handle, () => true);
  assert.equal(still.phase, 'stopped', 'it stays stopped until the operator answers');
  await assert.rejects(
    handle.executeUpdate(approveUpgradesUpdate, { args: [{ by: 'alice' }] }),
    (err: Error) =>
      /no upgrade in wave canary waits for approval/.test(String((err.cause as Error | undefined)?.message)),
    'the validator refuses what cannot apply',
  );

  // 2. continue lifts the stop; the auto gate is held by the NO_GO, so the operator continues again.
  assert.match(
    await handle.executeUpdate(continueUpdate, { args: [{ by: 'alice', reason: 'canary NO_GO understood' }] }),
    /stop lifted/,
  );
  const atGate = await waitForCampaign(handle, (s) => s.phase === 'at-gate');
  assert.match(atGate.gateBlockers.join(' '), new RegExp(`${n('canary')} \\(NO_GO\\)`));
  assert.match(await handle.executeUpdate(continueUpdate, { args: [{ by: 'alice' }] }), /gate of wave canary passed/);

  // 3. The rest runs: GO_WITH_CAUTION upgrades wait at their gates and are approved through the campaign; the
  //    early wave's manual gate is passed once it has baked.
  const approvals: string[] = [];
  const final = await waitForCampaign(
    handle,
    (s) => s.phase === 'completed',
    240_000,
    async (s) => {
      if (s.clusters.some((c) => c.wave === s.waveIndex && c.hops.some((h) => h.state === 'awaiting-approval'))) {
        const action = await handle.executeUpdate(approveUpgradesUpdate, {
          args: [{ by: 'bob', reason: 'cautions reviewed' }],
        });
        approvals.push(...(action.approved ?? []));
      }
      if (s.phase === 'at-gate' && s.waves[s.waveIndex]?.name === 'early')
        await handle.executeUpdate(continueUpdate, { args: [{ by: 'alice', reason: 'early wave baked' }] });
    },
  );

  // Every cluster and hop is in the report, with the expected outcome.
  const pathOf = (c: string) => final.clusters.find((x) => x.name === c)?.path;
  for (const c of FLEET)
    assert.ok(
      final.clusters.some((x) => x.name === c.name),
      `${c.name} is in the report`,
    );
  assert.equal(pathOf(n('canary')), 'stopped');
  assert.equal(pathOf(n('late-nogo')), 'stopped');
  assert.equal(hopsOf(final, n('late-nogo'))[0]?.verdict, 'NO_GO');
  for (const c of FLEET.filter((f) => f.decision !== 'NO_GO' && f.manifests !== 'removed-api'))
    assert.equal(pathOf(c.name), 'done', `${c.name}: ${JSON.stringify(final.clusters.find((x) => x.name === c.name))}`);
  for (const c of [n('early-path'), n('late-path')]) {
    const hops = hopsOf(final, c);
    assert.deepEqual(
      hops.map((h) => `${h.from}→${h.to}:${h.state}`),
      ['1.29→1.30:completed', '1.30→1.31:completed'],
    );
    assert.ok(
      Date.parse(hops[1]?.startedAt ?? '') >= Date.parse(hops[0]?.endedAt ?? ''),
      'hops run one after the other',
    );
  }
  assert.ok(
    approvals.includes(`upgrade-${n('early-caution')}-1.31`),
    `approved through the campaign: ${approvals.join(', ')}`,
  );
  assert.ok(approvals.includes(`upgrade-${n('late-caution')}-1.31`));
  assert.equal(final.counts.NO_GO, 2);
  assert.equal(final.counts.failed, 0);
  assert.match(final.headline, /wave 3\/3 — \d+ GO, \d+ GO_WITH_CAUTION, 2 NO_GO, 0 failed/);
  const md = renderCampaign(final, 'md');
  for (const c of final.clusters)
    for (const h of c.hops) assert.ok(md.includes(h.workflowId), `report lists ${h.workflowId}`);
  assert.match(md, /continue by alice: canary NO_GO understood/);

  // The bake time: the late wave started no earlier than the early wave's end plus its bake time.
  const early = final.waves[1];
  const lateStarts = final.clusters
    .filter((c) => c.wave === 2)
    .flatMap((c) => c.hops.map((h) => Date.parse(h.startedAt ?? '')))
    .filter(Number.isFinite);
  assert.ok(early?.endedAt, 'the early wave ended');
  assert.ok(Math.min(...lateStarts) >= Date.parse(early.endedAt) + BAKE_MS - 50, 'the bake time was respected');

  // maxParallel: never more than 2 (early) / 3 (late) cluster paths at once.
  for (const [wave, limit] of [
    [1, 2],
    [2, 3],
  ] as const) {
    const spans = final.clusters
      .filter((c) => c.wave === wave && c.hops[0]?.startedAt)
      .map((c) => [
        Date.parse(c.hops[0]?.startedAt ?? ''),
        Math.max(...c.hops.map((h) => Date.parse(h.endedAt ?? '') || 0)),
      ]);
    for (const [start] of spans) {
      const overlapping = spans.filter(([s, e]) => (s ?? 0) <= (start ?? 0) && (e ?? 0) > (start ?? 0)).length;
      assert.ok(overlapping <= limit, `wave ${wave}: ${overlapping} paths at once > ${limit}`);
    }
  }

  // One release-notes analysis per version pair across the whole fleet; every other cluster read it.
  const releaseNotes = fake.calls.filter((c) => c.toolName === 'RELEASE_NOTES_ANALYSIS' && !c.abortedByClient);
  const pairs = releaseNotes.map(versionPairOf).sort();
  assert.deepEqual(pairs, ['1.29→1.30', '1.30→1.31'], `release-notes calls: ${pairs.join(', ')}`);

  // Every child carries the campaign's search attributes, and each upgrade ran exactly once.
  const childId = `upgrade-${n('late-go1')}-1.31`;
  const d = await env.client.workflow.getHandle(childId).describe();
  assert.equal(d.typedSearchAttributes.get(EKS_CAMPAIGN), options.workflowId);
  assert.equal(d.typedSearchAttributes.get(EKS_WAVE), 'late');
  assert.equal(await runsOf(env.client, childId), 1);
});
