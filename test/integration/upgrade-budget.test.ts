// 20 concurrent upgrades against a daily Bedrock budget that covers only some of their calls: spent + reserved +
// leased never exceeds the limit at any moment; refused calls fail with BedrockCostThresholdError; their workflows do not
// fail — they record which analyses were skipped and why, and decide on the deterministic evidence alone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { readGuardSummary } from '../../src/activities/guard-client';
import { startBedrockFake, type BedrockFake } from '../fakes/bedrock-fake';
import { createTestEnv, uniqueTaskQueue } from '../harness/temporal';
import { runTestWorker } from '../harness/test-worker';
import { replayGuardLedger } from './guard-support';
import { rigActivities, scriptedModel, startUpgrade, upgradeInput, type ManifestSet } from './upgrade-support';

const WORKFLOWS = 20;

const DAILY_LIMIT_USD = 0.15;

void describe('upgrade workflows under an exhausted daily Bedrock budget (real dev server, real guard)', () => {
  let env: TestWorkflowEnvironment;
  let client: Client;
  let fake: BedrockFake;

  before(async () => {
    env = await createTestEnv();
    client = env.client;
    fake = await startBedrockFake({ handler: scriptedModel({ decision: 'GO', delayMs: 100 }) });
  });
  after(async () => {
    await fake?.close();
    await env?.teardown();
  });

  void it(`${WORKFLOWS} concurrent workflows: the limit holds at every moment, refused analyses are skipped, no workflow fails`, async () => {
    const taskQueue = uniqueTaskQueue('upgrade-budget');
    const guardId = `guard-${taskQueue}`;
    const { activities, bedrock } = rigActivities({
      client,
      bedrockUrl: fake.url,
      taskQueue,
      guardId,
      limits: { dailyCostLimitUsd: DAILY_LIMIT_USD, maxRequestsPerWindow: 1_000, windowMs: 1_000 },
    });
    const worker = await runTestWorker(env, taskQueue, activities);
    try {
      const kinds: ManifestSet[] = Array.from({ length: WORKFLOWS }, (_, i) => (i % 2 === 0 ? 'clean' : 'removed-api'));
      const handles = await Promise.all(
        kinds.map((kind, i) =>
          startUpgrade(
            client,
            taskQueue,
            upgradeInput(kind, { approval: 'auto', approvalTimeoutMs: 1_000, soakWindowMs: 0 }),
            `budget-${i}`,
          ),
        ),
      );

      // Watch the guard's summary the whole time (queries overlap: a busy guard answers them slowly).
      let polls = 0;
      let maxCommitted = 0;
      const over: string[] = [];
      let watching = true;
      const inFlight = new Set<Promise<void>>();
      const watcher = (async () => {
        while (watching) {
          const poll = readGuardSummary(client, guardId).then(
            (s) => {
              if (!s) return;
              polls += 1;
              const committed = s.micros.spent + s.micros.reserved + s.micros.leased;
              maxCommitted = Math.max(maxCommitted, committed / 1e6);
              if (committed > s.micros.limit) over.push(JSON.stringify(s));
            },
            () => undefined,
          );
          inFlight.add(poll);
          void poll.finally(() => inFlight.delete(poll));
          await new Promise((r) => setTimeout(r, 50));
        }
        await Promise.all(inFlight);
      })();
      const reports = await Promise.all(handles.map((h) => h.result())).finally(() => (watching = false));
      await watcher;
      assert.deepEqual(over, [], 'no summary showed spent + reserved + leased over the limit');
      const replay = await replayGuardLedger(client, guardId);
      assert.deepEqual(replay.overLimit, [], 'no moment in the guard history was over the limit');
      assert.deepEqual(replay.mismatches, [], "the replay's books are the guard's at every step");
      assert.ok(replay.steps > 3, `the replay saw ${replay.steps} syncs`);

      const summary = await readGuardSummary(client, guardId);
      assert.ok(summary);
      assert.ok(summary.micros.spent + summary.micros.reserved + summary.micros.leased <= summary.micros.limit);
      assert.ok(summary.counters.refused > 0, 'some calls were refused');

      let withSkips = 0;
      let fullyAnalysed = 0;
      for (const [i, report] of reports.entries()) {
        const s = report.status;
        const d = s.decision;
        assert.ok(d, `workflow ${i} decided`);
        assert.equal(s.phase, 'completed', `workflow ${i} completed`);
        if (kinds[i] === 'removed-api') assert.equal(d.verdict, 'NO_GO', 'the rules block with or without the model');
        if (s.skippedAnalyses.length === 0) {
          fullyAnalysed += 1;
          assert.equal(d.basis, 'rules+ai');
          continue;
        }
        withSkips += 1;
        for (const skipped of s.skippedAnalyses) {
          assert.equal(skipped.errorType, 'BedrockCostThresholdError', `workflow ${i}: ${JSON.stringify(skipped)}`);
          assert.match(skipped.reason, /Daily Bedrock budget exhausted|daily Bedrock budget already refused/);
        }
        assert.notEqual(d.verdict, 'GO', 'never better than GO_WITH_CAUTION without the AI analysis');
        if (kinds[i] === 'clean') assert.equal(d.verdict, 'GO_WITH_CAUTION');
        assert.ok(d.cautions.some((c) => c.code === 'DEC003' && c.message.includes('BedrockCostThresholdError')));
        if (s.skippedAnalyses.some((x) => x.template === 'UPGRADE_DECISION')) assert.equal(d.basis, 'rules');
      }
      assert.ok(withSkips > 0, 'the budget ran out for some workflows');
      const analysesRun = reports.reduce((n, r) => n + r.analyses.length, 0);
      assert.ok(analysesRun > 0 && summary.counters.settled > 0, 'the budget covered some calls');
      console.error(
        `[upgrade-budget] ${fullyAnalysed} fully analysed, ${withSkips} with skipped analyses, ${analysesRun} analyses ran; ${fake.calls.length} Bedrock calls, guard: granted ${summary.counters.granted}, refused ${summary.counters.refused}, waited ${summary.counters.waited}; spent USD ${summary.spentUsd} + reserved ${summary.reservedUsd} + leased ${summary.leasedUsd} of ${DAILY_LIMIT_USD}; max committed USD ${maxCommitted.toFixed(6)} in ${polls} summary polls, ${replay.maxCommittedMicros / 1e6} over ${replay.steps} syncs replayed from ${replay.runs} guard run(s)`,
      );
    } finally {
      await worker.stop();
      bedrock.destroy();
    }
  });
});
