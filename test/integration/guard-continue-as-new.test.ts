// The guard survives continue-as-new — forced by an update and by a low per-run update budget — while a lease holds
// calls in flight and while concurrent callers have syncs in flight: nothing is lost, nothing is counted twice, and a
// sync resent across runs is answered from memory instead of being applied again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import {
  guardLimitsFromConfig,
  readGuardSummary,
  retryGuardCall,
  startGuardOperation,
} from '../../src/activities/guard-client';
import { forceContinueAsNewUpdate, syncUpdate, type SyncUpdateArgs } from '../../src/workflows/guard-messages';
import { createTestEnv, getWorkflowBundle, uniqueTaskQueue } from '../harness/temporal';
import { gateFor, permitRequest, replayGuardLedger, testConfig, uniqueGuardId } from './guard-support';

void describe('Bedrock guard continue-as-new (real dev server)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleOption;
  before(async () => {
    [env, bundle] = await Promise.all([createTestEnv(), getWorkflowBundle()]);
  });
  after(async () => {
    await env?.teardown();
  });

  void it('carries the ledger, the window and open leases across runs while 30 callers are mid-flight', async () => {
    const taskQueue = uniqueTaskQueue('guard-can');
    const workflowId = uniqueGuardId('guard-can');
    const limits = {
      ...guardLimitsFromConfig(testConfig),
      maxRequestsPerWindow: 1_000,
      windowMs: 60_000,
      dailyCostLimitUsd: 100,
    };
    const startInput = { limits, continueAsNewAfterUpdates: 2 };
    const gate = gateFor(env.client, { workflowId, taskQueue, limits, continueAsNewAfterUpdates: 2 });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: bundle,
    });
    const held = (seq: number, parts: Partial<SyncUpdateArgs>): SyncUpdateArgs => ({
      holder: 'held',
      seq,
      started: [],
      settled: [],
      returned: [],
      want: [],
      ...parts,
    });

    await worker.runUntil(async () => {
      // A holder with three calls out that have not settled yet (they are "still running").
      const granted = await env.client.workflow.executeUpdateWithStart(syncUpdate, {
        args: [
          held(1, {
            want: [0, 1, 2].map((i) => ({
              callId: `open-${i}`,
              allowanceMicros: 500_000,
              tokens: 100,
              modelId: 'test-model',
              caller: 'held',
            })),
          }),
        ],
        startWorkflowOperation: startGuardOperation({ workflowId, taskQueue }, startInput),
      });
      assert.equal(granted.permits.length, 3);
      const handle = env.client.workflow.getHandle(workflowId);
      const start = held(2, {
        started: granted.permits.map((p, i) => ({
          callId: `open-${i}`,
          permitId: p.id,
          estimateMicros: 500_000,
          modelId: 'test-model',
          caller: 'held',
          wireBoundMs: 10,
        })),
      });
      const startAnswer = await retryGuardCall(() => handle.executeUpdate(syncUpdate, { args: [start] }));
      const firstRunId = (await handle.describe()).runId;

      // 30 concurrent calls through a gate, with continue-as-new forced by hand three times in the middle of them.
      const costs = Array.from({ length: 30 }, (_, i) => (i + 1) / 1_000);
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
      await gate.close();
      assert.deepEqual(values, costs, 'every call passed and returned its own value');

      // The answer to a resent sync, on a later run, is the first one: the three calls are not started twice.
      const resent = await retryGuardCall(() => handle.executeUpdate(syncUpdate, { args: [start] }));
      assert.deepEqual(resent, startAnswer);

      const summary = await readGuardSummary(env.client, workflowId);
      assert.ok(summary, 'the guard answers its summary');
      assert.ok(summary.run >= 4, `continued as new several times (run ${summary.run})`);
      assert.notEqual((await handle.describe()).runId, firstRunId);
      const expectedMicros = costs.reduce((a, b) => a + Math.round(b * 1e6), 0);
      assert.equal(summary.micros.spent, expectedMicros, 'none lost, none twice');
      assert.equal(summary.callsInFlight, 3, 'the calls in flight carried over');
      assert.equal(summary.reservedUsd, 1.5);
      assert.equal(summary.leasedUsd, 0);
      assert.equal(summary.counters.settled, 30);
      assert.ok(summary.requestsInWindow >= 33, 'the window carried over');

      // The carried calls settle normally on the latest run.
      const settled = await retryGuardCall(() =>
        handle.executeUpdate(syncUpdate, {
          args: [
            held(3, {
              settled: granted.permits.map((p, i) => ({
                callId: `open-${i}`,
                permitId: p.id,
                chargedMicros: 250_000,
                modelId: 'test-model',
                inputTokens: 10,
                outputTokens: 1,
                succeeded: true,
                wireBoundMs: 10,
              })),
              release: true,
            }),
          ],
        }),
      );
      assert.equal(settled.books.reserved, 0);
      // The histories of all runs, replayed sync by sync, agree: nothing lost or counted twice across runs.
      const replay = await replayGuardLedger(env.client, workflowId);
      assert.ok(replay.runs >= 4, `${replay.runs} runs in the chain`);
      assert.deepEqual([replay.overLimit, replay.mismatches], [[], []]);
      assert.equal(replay.settledMicros, expectedMicros + 750_000, 'history replay spent');
      const final = await readGuardSummary(env.client, workflowId);
      assert.deepEqual([final?.callsInFlight, final?.leases.length], [0, 0]);
      assert.equal(final?.micros.spent, expectedMicros + 750_000);
    });
  });
});
