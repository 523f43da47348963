// Durability: a worker process killed with SIGKILL in the middle of the analysis phase (a Bedrock call in flight),
// a new worker started: the workflow completes with the same result as an undisturbed run, and the guard's ledger
// accounts for every call made — the killed call stays charged at its estimate by the dead worker's lease, never lost.
// Killed during the evidence phase (a CHANGELOG download in flight), the upgrade goes on within the evidence
// activities' short heartbeat timeout, not their 5-minute start-to-close timeout.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { readGuardSummary } from '../../src/activities/guard-client';
import type { UpgradeReport } from '../../src/workflows/upgrade-messages';
import { startBedrockFake, type BedrockFake } from '../fakes/bedrock-fake';
import { startChangelogFake } from '../fakes/changelog-fake';
import { createTestEnv, uniqueTaskQueue } from '../harness/temporal';
import { runTestWorker } from '../harness/test-worker';
import { rigActivities, scriptedModel, startUpgrade, upgradeInput, waitForStatus } from './upgrade-support';

const WORKER_SCRIPT = resolve(__dirname, '../harness/worker-process.ts');
const MODEL_LATENCY_MS = 1_500;

function startChildWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_SCRIPT], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error('child worker not ready within 60 s')), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker-ready')) {
        clearTimeout(timer);
        resolveReady(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`child worker exited early with code ${String(code)}`)));
  });
}

/** What "the same result" means: the decision and which analyses ran, not timings, ids or costs. */
function outcome(report: UpgradeReport) {
  const d = report.status.decision;
  return {
    verdict: d?.verdict,
    basis: d?.basis,
    severity: d?.severityScore,
    aiVerdict: d?.aiVerdict,
    blockers: d?.blockers,
    cautions: d?.cautions,
    approval: report.status.approval,
    phase: report.status.phase,
    analyses: report.analyses.map((a) => a.template).sort(),
    skipped: report.status.skippedAnalyses,
  };
}

void describe('upgrade workflow survives a worker killed mid-analysis (real dev server, child-process worker)', () => {
  let env: TestWorkflowEnvironment;
  let client: Client;
  let fake: BedrockFake;
  let child: ChildProcess | undefined;

  before(async () => {
    env = await createTestEnv();
    client = env.client;
    fake = await startBedrockFake({ handler: scriptedModel({ decision: 'GO', delayMs: MODEL_LATENCY_MS }) });
  });
  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await fake?.close();
    await env?.teardown();
  });

  void it('completes with the same result on a new worker, and the ledger accounts for every call', async () => {
    const taskQueue = uniqueTaskQueue('upgrade-restart');
    const guardId = `guard-${taskQueue}`;
    child = await startChildWorker({
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      UPGRADE_TEST_TASK_QUEUE: taskQueue,
      UPGRADE_TEST_GUARD_ID: guardId,
      UPGRADE_TEST_BEDROCK_URL: fake.url,
    });

    const input = upgradeInput('removed-api', { approval: 'auto', approvalTimeoutMs: 1_000, soakWindowMs: 0 });
    const handle = await startUpgrade(client, taskQueue, input, 'restart');
    // Kill while the model is answering: a request has reached the fake and the phase is analysis.
    const atKill = await waitForStatus(handle, (s) => s.phase === 'analysis' && fake.calls.length > 0, 120_000);
    assert.equal(atKill.phase, 'analysis');
    child.kill('SIGKILL');
    await once(child, 'exit');
    const callsAtKill = fake.calls.length;
    assert.ok(callsAtKill >= 1 && callsAtKill <= 3, `killed with ${callsAtKill} call(s) in flight`);

    const { activities, bedrock } = rigActivities({ client, bedrockUrl: fake.url, taskQueue, guardId });
    const worker = await runTestWorker(env, taskQueue, activities);
    try {
      const started = Date.now();
      const report = await handle.result();
      const recoveryMs = Date.now() - started;
      // The reference: the same input on an undisturbed worker.
      const reference = await (await startUpgrade(client, taskQueue, input, 'reference')).result();
      assert.deepEqual(outcome(report), outcome(reference));
      assert.equal(report.status.decision?.verdict, 'NO_GO');
      assert.deepEqual(report.status.skippedAnalyses, [], 'the interrupted analysis was retried, not skipped');
      assert.equal(report.analyses.length, 4);

      const summary = await readGuardSummary(client, guardId);
      assert.ok(summary, 'the guard has a ledger');
      const { granted, settled, expired } = summary.counters;
      // Every request that reached Bedrock had a permit.
      assert.ok(granted >= fake.calls.length, `granted ${granted} >= calls ${fake.calls.length}`);
      // The killed call stays charged at its estimate: held by the dead worker's lease, or charged when it expired.
      assert.ok(summary.callsInFlight + summary.leases.reduce((n, l) => n + l.permits, 0) + expired >= 1);
      // The ledger may over-count, never under-count.
      const paid = [...report.analyses, ...reference.analyses].reduce((sum, a) => sum + a.costUsd, 0);
      const committed = summary.spentUsd + summary.reservedUsd + summary.leasedUsd;
      assert.ok(committed >= paid - 1e-9, `ledger ${committed} >= paid ${paid}`);
      console.error(
        `[upgrade-restart] calls at kill ${callsAtKill}, total calls ${fake.calls.length}, granted ${granted}, settled ${settled}, calls in flight ${summary.callsInFlight}, leases expired ${expired}; recovery ${recoveryMs} ms`,
      );
    } finally {
      await worker.stop();
      bedrock.destroy();
    }
  });

  void it('killed during evidence, the upgrade goes on within a minute on a new worker', async () => {
    const taskQueue = uniqueTaskQueue('upgrade-restart-evidence');
    const guardId = `guard-${taskQueue}`;
    const changelog = await startChangelogFake({ hang: true });
    const cacheDir = await mkdtemp(join(tmpdir(), 'restart-changelog-'));
    const evidence = { changelogBaseUrl: changelog.url, cacheDir };
    try {
      child = await startChildWorker({
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_NAMESPACE: env.namespace ?? 'default',
        UPGRADE_TEST_TASK_QUEUE: taskQueue,
        UPGRADE_TEST_GUARD_ID: guardId,
        UPGRADE_TEST_BEDROCK_URL: fake.url,
        UPGRADE_TEST_CHANGELOG_URL: changelog.url,
        UPGRADE_TEST_CACHE_DIR: cacheDir,
      });
      const input = upgradeInput('clean', {
        releaseNotes: { kind: 'kubernetes-changelog' },
        approval: 'auto',
        soakWindowMs: 0,
        aiAnalysis: false,
        approvalTimeoutMs: 1_000,
      });
      const handle = await startUpgrade(client, taskQueue, input, 'restart-evidence');
      // Kill while the download hangs: the release-notes activity is running on the child worker.
      await waitForStatus(handle, (s) => s.phase === 'evidence' && changelog.hits.length > 0, 60_000);
      child.kill('SIGKILL');
      await once(child, 'exit');
      const killedAt = Date.now();
      changelog.hang = false; // the network is back for the next attempt

      const { activities, bedrock } = rigActivities({ client, bedrockUrl: fake.url, taskQueue, guardId, evidence });
      const worker = await runTestWorker(env, taskQueue, activities);
      try {
        const report = await handle.result();
        const recoveryMs = Date.now() - killedAt;
        assert.equal(report.status.phase, 'completed');
        assert.match(report.releaseNotes?.source ?? '', /CHANGELOG-1\.31\.md$/, 'the release notes were fetched');
        const events = (await handle.fetchHistory()).events ?? [];
        const notesScheduled = events.find(
          (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'extractReleaseNotes',
        );
        const started = events.find(
          (e) =>
            e.activityTaskStartedEventAttributes &&
            String(e.activityTaskStartedEventAttributes.scheduledEventId) === String(notesScheduled?.eventId),
        );
        assert.equal(started?.activityTaskStartedEventAttributes?.attempt, 2, 'retried once, after the kill');
        // Before: the download waited out its 5-minute start-to-close timeout on the dead worker.
        assert.ok(recoveryMs < 60_000, `recovered in ${recoveryMs} ms`);
        console.error(`[upgrade-restart] killed during evidence: completed ${recoveryMs} ms after the kill`);
      } finally {
        await worker.stop();
        bedrock.destroy();
      }
    } finally {
      await changelog.close();
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});
