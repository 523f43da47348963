// Under concurrency, spent + reserved + leased never exceeds the daily limit at any moment, and the calls that do not
// fit fail with a non-retryable BedrockCostThresholdError that says spent, limit and when the day resets.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { readGuardSummary } from '../../src/activities/guard-client';
import { BEDROCK_COST_THRESHOLD_ERROR } from '../../src/activities/bedrock-gate';
import { createTestEnv, getWorkflowBundle, uniqueTaskQueue } from '../harness/temporal';
import { gateFor, permitRequest, replayGuardLedger, uniqueGuardId } from './guard-support';

const LIMIT = 1;
const ESTIMATE = 0.1;

void describe('Bedrock guard daily budget (real dev server)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleOption;
  before(async () => {
    [env, bundle] = await Promise.all([createTestEnv(), getWorkflowBundle()]);
  });
  after(async () => {
    await env?.teardown();
  });

  void it('keeps spent + reserved + leased within the limit at every moment for 30 concurrent callers; the rest are refused', async () => {
    const taskQueue = uniqueTaskQueue('guard-budget');
    const workflowId = uniqueGuardId('guard-budget');
    const gate = gateFor(env.client, {
      workflowId,
      taskQueue,
      limits: { dailyCostLimitUsd: LIMIT, maxRequestsPerWindow: 1_000, windowMs: 60_000 },
    });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: bundle,
    });

    await worker.runUntil(async () => {
      // Watch the ledger from outside while the calls run, and from inside each call (a granted call holds a reservation).
      let watching = true;
      let maxCommitted = 0;
      let samples = 0;
      const watch = async () => {
        await gate.run(permitRequest('first', 0.0001), () =>
          Promise.resolve({ value: 0, actualCostUsd: 0, inputTokens: 1, outputTokens: 0 }),
        );
        while (watching) {
          const s = await readGuardSummary(env.client, workflowId);
          if (s) {
            maxCommitted = Math.max(maxCommitted, s.micros.spent + s.micros.reserved + s.micros.leased);
            samples += 1;
          }
          await new Promise((resolve) => setTimeout(resolve, 15));
        }
      };
      const watcher = watch();

      // Actual costs between 30 % and 100 % of the estimate; each call takes 20–110 ms so reservations overlap.
      const actual = (i: number) => Math.round((0.03 + ((i * 37) % 71) / 1_000 + i / 1e6) * 1e6) / 1e6;
      const outcomes = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) =>
          gate.run(permitRequest(`caller-${i}`, ESTIMATE), async () => {
            await new Promise((resolve) => setTimeout(resolve, 20 + ((i * 13) % 10) * 10));
            return { value: actual(i), actualCostUsd: actual(i), inputTokens: 1_000, outputTokens: 100 };
          }),
        ),
      );
      await gate.drain(); // settles are write-behind: let the last ones land before reading the ledger
      watching = false;
      await watcher;
      await gate.close(); // gives the spare permits back

      const granted = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
      assert.ok(granted.length >= 10, `${granted.length} calls fitted`);
      assert.ok(refused.length >= 1, 'some calls were refused');
      for (const err of refused) {
        assert.ok(err instanceof ApplicationFailure, `refusal is an ApplicationFailure: ${String(err)}`);
        assert.equal(err.type, BEDROCK_COST_THRESHOLD_ERROR);
        assert.equal(err.nonRetryable, true);
        assert.match(err.message, /spent and USD \d+\.\d+ held by calls in flight of the USD 1\.00 limit/);
        assert.match(err.message, /resets at \d{4}-\d\d-\d\dT00:00:00\.000Z \(UTC midnight, in \d+ (h \d+ )?min\)/);
      }

      const summary = await readGuardSummary(env.client, workflowId);
      assert.ok(summary);
      assert.ok(samples >= 5, `${samples} samples of the ledger taken during the run`);
      assert.ok(maxCommitted <= LIMIT * 1e6, `spent + reserved + leased peaked at ${maxCommitted} micro-dollars`);
      // Exact to the micro-dollar: the ledger is the sum of what the calls cost (plus the watcher's free call).
      const spentByCallers = granted.reduce((a, b) => a + Math.round(b * 1e6), 0);
      assert.equal(summary.micros.spent, spentByCallers, `ledger ${summary.spentUsd} = sum of actual costs`);
      assert.ok(summary.spentUsd <= LIMIT);
      assert.ok(summary.spentUsd + ESTIMATE > LIMIT, 'refusals happened only when the estimate no longer fitted');
      assert.deepEqual([summary.reservedUsd, summary.leasedUsd, summary.leases.length], [0, 0, 0], 'all given back');
      assert.equal(summary.counters.refused, refused.length);
      // Every moment, not just the samples: replay the guard's history sync by sync.
      const replay = await replayGuardLedger(env.client, workflowId);
      assert.ok(replay.steps >= 3, `${replay.steps} syncs replayed`);
      assert.deepEqual(replay.overLimit, [], 'never over the limit in the history');
      assert.deepEqual(replay.mismatches, [], "the replay's books are the guard's at every step");
      assert.ok(replay.maxCommittedMicros <= LIMIT * 1e6);
      assert.equal(replay.settledMicros, summary.micros.spent, 'the history and the ledger agree');
      assert.equal(
        summary.budgetStatus,
        summary.spentUsd >= LIMIT * 0.8 ? (summary.spentUsd >= LIMIT ? 'exhausted' : 'warning') : 'ok',
      );
    });
  });
});
