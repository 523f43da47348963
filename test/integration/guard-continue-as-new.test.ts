// The guard survives continue-as-new — forced by an update and by a low per-run update budget — while it holds open
// reservations and while concurrent callers have updates in flight: nothing is lost, nothing is counted twice.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { readGuardSummary, retryGuardCall, startGuardOperation } from '../../src/activities/guard-client';
import { forceContinueAsNewUpdate, reserveUpdate, settleUpdate } from '../../src/workflows/guard-messages';
import { createTestEnv, getWorkflowBundle, uniqueTaskQueue } from '../harness/temporal';
import { gateFor, permitRequest, replayGuardLedger, testConfig, uniqueGuardId } from './guard-support';
import { guardLimitsFromConfig } from '../../src/activities/guard-client';

void describe('Bedrock guard continue-as-new (real dev server)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleOption;
  before(async () => {
    [env, bundle] = await Promise.all([createTestEnv(), getWorkflowBundle()]);
  });
  after(async () => {
    await env?.teardown();
  });

  void it('carries the ledger, the window and open reservations across runs while 30 callers are mid-flight', async () => {
    const taskQueue = uniqueTaskQueue('guard-can');
    const workflowId = uniqueGuardId('guard-can');
    const limits = {
      ...guardLimitsFromConfig(testConfig),
      maxRequestsPerWindow: 1_000,
      windowMs: 60_000,
      dailyCostLimitUsd: 100,
    };
    const startInput = { limits, continueAsNewAfterUpdates: 12 };
    const gate = gateFor(env.client, { workflowId, taskQueue, limits, continueAsNewAfterUpdates: 12 });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: bundle,
    });

    await worker.runUntil(async () => {
      // Three callers that reserved and have not settled yet (their calls are "still running").
      const open = ['open-0', 'open-1', 'open-2'];
      for (const requestId of open) {
        const answer = await env.client.workflow.executeUpdateWithStart(reserveUpdate, {
          args: [{ requestId, ...permitRequest('held', 0.5) }],
          startWorkflowOperation: startGuardOperation({ workflowId, taskQueue }, startInput),
        });
        assert.equal(answer.kind, 'granted');
      }
      const firstRunId = (await env.client.workflow.getHandle(workflowId).describe()).runId;

      // 30 concurrent reserve/settle pairs, with continue-as-new forced by hand three times in the middle of them.
      const costs = Array.from({ length: 30 }, (_, i) => (i + 1) / 1_000);
      const handle = env.client.workflow.getHandle(workflowId);
      const calls = costs.map((cost, i) =>
        gate.run(permitRequest(`caller-${i}`, 0.05), async () => {
          await new Promise((resolve) => setTimeout(resolve, 5 + (i % 7) * 10));
          return { value: cost, actualCostUsd: cost, inputTokens: 100, outputTokens: 10 };
        }),
      );
      const forced = [30, 120, 250].map(async (delay) => {
        await new Promise((resolve) => setTimeout(resolve, delay));
        return retryGuardCall(() => handle.executeUpdate(forceContinueAsNewUpdate));
      });
      const values = await Promise.all(calls);
      await Promise.all(forced);
      await gate.drain(); // settles are write-behind: let the last ones land before reading the ledger
      assert.deepEqual(values, costs, 'every call passed and returned its own value');

      const summary = await readGuardSummary(env.client, workflowId);
      assert.ok(summary, 'the guard answers its summary');
      assert.ok(summary.run >= 4, `continued as new several times (run ${summary.run})`);
      assert.notEqual((await handle.describe()).runId, firstRunId);
      const expectedSpent = costs.reduce((a, b) => a + b, 0);
      assert.ok(
        Math.abs(summary.spentUsd - expectedSpent) < 1e-9,
        `spent ${summary.spentUsd}, expected ${expectedSpent}: none lost, none twice`,
      );
      assert.equal(summary.openReservations, 3, 'open reservations carried over');
      assert.ok(Math.abs(summary.reservedUsd - 1.5) < 1e-9);
      assert.equal(summary.counters.granted, 33);
      assert.equal(summary.counters.settled, 30);
      assert.equal(summary.requestsInWindow, 33, 'the window carried over');

      // The carried reservations settle normally on the latest run.
      for (const reservationId of open) {
        const settled = await retryGuardCall(() =>
          handle.executeUpdate(settleUpdate, {
            args: [{ reservationId, actualCostUsd: 0.25, inputTokens: 10, outputTokens: 1, succeeded: true }],
          }),
        );
        assert.equal(settled.kind, 'settled');
      }
      // The histories of all runs, replayed update by update, agree: nothing lost or counted twice across runs.
      const replay = await replayGuardLedger(env.client, workflowId);
      assert.ok(replay.runs >= 4, `${replay.runs} runs in the chain`);
      assert.ok(Math.abs(replay.spentUsd - (expectedSpent + 0.75)) < 1e-9, `history replay spent ${replay.spentUsd}`);
      const final = await readGuardSummary(env.client, workflowId);
      assert.equal(final?.openReservations, 0);
      assert.ok(Math.abs((final?.spentUsd ?? 0) - (expectedSpent + 0.75)) < 1e-9);
    });
  });
});
