// Three worker processes share one guard while 24 upgrades run their AI analyses through a Bedrock fake that throttles
// and fails with 503s in bursts: every analysis runs (none skipped for an unavailable guard), no sync is aborted,
// Bedrock never sees more requests in any window than the limit (counted at the fake, which runs in a process of its
// own so that its clock is the wire's), and the guard's ledger is, to the micro-dollar, what the fake billed
// (throttled calls $0, 503s their input).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { readGuardSummary } from '../../src/activities/guard-client';
import { maxInAnyWindow, REQUEST_LOG_PATH, type FakeRequestRecord } from '../fakes/bedrock-fake';
import { startChildWorker, type ChildWorker, type LeaseStats } from '../harness/child-worker';
import { createTestEnv, getWorkflowBundle, uniqueTaskQueue } from '../harness/temporal';
import { replayGuardLedger } from './guard-support';
import { startUpgrade, upgradeInput, type ManifestSet } from './upgrade-support';

const UPGRADES = 24;
const LIMIT = 12;
const WINDOW_MS = 2_000;
/** Faults only in these spans after the first request: a call faulted in one is retried (4 s later) outside both. */
const STORMS: [number, number][] = [
  [0, 3_000],
  [8_000, 11_000],
];

void describe('three worker processes share one guard through a fault storm (real dev server, child processes)', () => {
  let env: TestWorkflowEnvironment;
  let fakeProcess: ChildProcess | undefined;
  let fakeUrl = '';
  const children: ChildWorker[] = [];

  before(async () => {
    env = await createTestEnv();
    fakeProcess = spawn(
      process.execPath,
      ['--import', 'tsx', resolve(__dirname, '../harness/bedrock-fake-process.ts')],
      {
        env: { ...process.env, FAKE_STORMS: JSON.stringify(STORMS) },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    fakeProcess.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    for (let i = 0; i < 600 && !out.includes('bedrock-fake-ready'); i++) await new Promise((r) => setTimeout(r, 100));
    fakeUrl = /bedrock-fake-ready (\S+)/.exec(out)?.[1] ?? '';
    assert.ok(fakeUrl, `the fake process started: ${out}`);
  });
  after(async () => {
    await Promise.all(children.map((c) => c.kill()));
    if (fakeProcess && fakeProcess.exitCode === null) {
      const exited = once(fakeProcess, 'exit');
      fakeProcess.kill('SIGTERM');
      await exited;
    }
    await env?.teardown();
  });

  void it(`${UPGRADES} upgrades on 3 processes: nothing skipped or aborted, never over the rate, books equal to the bill`, async () => {
    const taskQueue = uniqueTaskQueue('guard-workers');
    const guardId = `guard-${taskQueue}`;
    const limits = {
      maxRequestsPerWindow: LIMIT,
      windowMs: WINDOW_MS,
      leaseTtlMs: 15_000,
      dailyCostLimitUsd: 50,
    };
    const childEnv = {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      UPGRADE_TEST_TASK_QUEUE: taskQueue,
      UPGRADE_TEST_GUARD_ID: guardId,
      UPGRADE_TEST_BEDROCK_URL: fakeUrl,
      UPGRADE_TEST_GUARD_LIMITS: JSON.stringify(limits),
    };
    children.push(...(await Promise.all([0, 1, 2].map(() => startChildWorker(childEnv)))));
    // Workflow tasks only (the guard's among them), so the guard outlives the children's shutdown below.
    const host = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: await getWorkflowBundle(),
    });
    await host.runUntil(async () => {
      const kinds: ManifestSet[] = Array.from({ length: UPGRADES }, (_, i) => (i % 2 === 0 ? 'clean' : 'removed-api'));
      const handles = await Promise.all(
        kinds.map((kind, i) =>
          startUpgrade(
            env.client,
            taskQueue,
            upgradeInput(kind, { approval: 'auto', approvalTimeoutMs: 1_000, soakWindowMs: 0 }),
            `workers-${i}`,
          ),
        ),
      );
      const reports = await Promise.all(handles.map((h) => h.result()));
      const stats: LeaseStats[] = [];
      for (const child of children.splice(0)) stats.push(await child.stop());

      // Every upgrade completed with all its analyses (release notes were not given: that one is skipped by design).
      for (const [i, report] of reports.entries()) {
        assert.equal(report.status.phase, 'completed', `upgrade ${i}`);
        assert.equal(report.status.decision?.basis, 'rules+ai', `upgrade ${i} decided with the model`);
        for (const skipped of report.status.skippedAnalyses)
          assert.ok(
            skipped.template === 'RELEASE_NOTES_ANALYSIS' && /no release notes/.test(skipped.reason),
            `upgrade ${i} skipped ${JSON.stringify(skipped)}`,
          );
      }
      const requests = (await (await fetch(`${fakeUrl}${REQUEST_LOG_PATH}`)).json()) as FakeRequestRecord[];
      const faults = {
        throttled: requests.filter((r) => r.status === 429).length,
        unavailable: requests.filter((r) => r.status === 503).length,
      };
      assert.ok(faults.throttled >= 5 && faults.unavailable >= 5, `the storm happened: ${JSON.stringify(faults)}`);

      // No sync was aborted or turned away by the server's in-flight limit, and none fell back to update-with-start
      // once the guard ran (at most the first sync of each process could find no guard yet).
      const failures = stats.flatMap((s) => Object.entries(s.failures));
      assert.deepEqual(
        failures.filter(([kind]) => /abort|in-flight|exhausted/i.test(kind)),
        [],
        `aborted or refused syncs: ${JSON.stringify(stats)}`,
      );
      assert.ok(
        stats.reduce((n, s) => n + s.starts, 0) <= 3,
        `update-with-start only to start the guard: ${JSON.stringify(stats)}`,
      );

      // The rate held at Bedrock, measured by the fake's own clock.
      const seen = maxInAnyWindow(
        requests.map((r) => r.at),
        WINDOW_MS,
      );
      assert.ok(seen <= LIMIT, `the fake saw ${seen} requests in one ${WINDOW_MS} ms window (limit ${LIMIT})`);

      // The books are exactly the bill, and everything leased was given back.
      const summary = await readGuardSummary(env.client, guardId);
      assert.ok(summary);
      const billed = requests.reduce((n, r) => n + (r.billedMicros ?? 0), 0);
      assert.equal(summary.micros.spent, billed, 'ledger = what the fake billed, to the micro-dollar');
      assert.ok(
        requests.every((r) => r.billedMicros !== undefined),
        'every request was answered',
      );
      assert.deepEqual(
        requests.filter((r) => r.status === 429).map((r) => r.billedMicros),
        Array.from({ length: faults.throttled }, () => 0),
        'throttled calls cost nothing',
      );
      assert.deepEqual([summary.micros.reserved, summary.micros.leased, summary.leases.length], [0, 0, 0]);
      const replay = await replayGuardLedger(env.client, guardId);
      assert.deepEqual([replay.overLimit, replay.mismatches], [[], []]);
      console.error(
        `[guard-workers] ${requests.length} requests (${faults.throttled} throttled, ${faults.unavailable} 503), ` +
          `max ${seen}/${LIMIT} per window; spent USD ${summary.spentUsd} = billed; ${replay.steps} syncs from ` +
          `${summary.counters.granted} permits; lease stats ${JSON.stringify(stats)}`,
      );
    });
  });
});
