// A rate limit of K per window is never exceeded in any window where the calls go out — counted when each call
// starts, not when its permit was granted — across many concurrent callers, some in a CLI-like process, some inside
// activities with one attempt and a short heartbeat timeout; and every call eventually passes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { PermitEvent } from '../../src/activities/bedrock-gate';
import { readGuardSummary } from '../../src/activities/guard-client';
import { maxInAnyWindow } from '../fakes/bedrock-fake';
import { createTestEnv, getTestWorkflowBundle, uniqueTaskQueue } from '../harness/temporal';
import { gateFor, permitRequest, uniqueGuardId } from './guard-support';
import type { GuardedCallActivities } from './guard-test-workflows';

const K = 4;
const WINDOW_MS = 1_000;

void describe('Bedrock guard rate window (real dev server)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleOption;
  before(async () => {
    [env, bundle] = await Promise.all([createTestEnv(), getTestWorkflowBundle()]);
  });
  after(async () => {
    await env?.teardown();
  });

  void it(`never lets more than ${K} calls out per ${WINDOW_MS} ms window for 24 concurrent callers, and all of them pass`, async () => {
    const taskQueue = uniqueTaskQueue('guard-rate');
    const workflowId = uniqueGuardId('guard-rate');
    const permits: PermitEvent[] = [];
    const guard = {
      workflowId,
      taskQueue,
      limits: { maxRequestsPerWindow: K, windowMs: WINDOW_MS, permitValidityMs: 300, dailyCostLimitUsd: 100 },
    };
    const gate = gateFor(env.client, guard, { onPermit: (p) => permits.push(p), heartbeatEveryMs: 200 });
    const wire: number[] = [];
    const call = <T>(value: T) => {
      wire.push(Date.now());
      return Promise.resolve({ value, actualCostUsd: 0.002, inputTokens: 500, outputTokens: 50 });
    };
    const activities: GuardedCallActivities = {
      async guardedCall({ index, caller }) {
        try {
          return await gate.run(permitRequest(`${caller}#${index}`), () => call({ index }));
        } finally {
          await gate.drain(); // as real activities do: complete only once the settle has landed
        }
      },
    };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: bundle,
      activities,
    });

    const started = Date.now();
    const { done: results, summary } = await worker.runUntil(async () => {
      const direct = Array.from({ length: 12 }, (_, i) => gate.run(permitRequest(`cli#${i}`), () => call(`cli-${i}`)));
      const viaActivities = env.client.workflow.execute('guardedCallsWorkflow', {
        taskQueue,
        workflowId: `${workflowId}-callers`,
        args: [{ calls: 12, caller: 'activity' }],
      });
      const done = await Promise.all([Promise.all(direct), viaActivities]);
      await gate.drain();
      await gate.close();
      return { done, summary: await readGuardSummary(env.client, workflowId) };
    });
    const elapsed = Date.now() - started;

    assert.equal(results[0].length, 12);
    assert.deepEqual(
      [...(results[1] as number[])].sort((a, b) => a - b),
      Array.from({ length: 12 }, (_, i) => i),
    );
    assert.equal(permits.length, 24);
    assert.equal(wire.length, 24);
    assert.ok(maxInAnyWindow(wire, WINDOW_MS) <= K, `at most ${K} calls out in any ${WINDOW_MS} ms window`);
    // 24 calls at K per window need at least 24/K - 1 further windows: the waits really happened.
    assert.ok(elapsed >= (24 / K - 1) * WINDOW_MS, `took ${elapsed} ms`);
    assert.ok(
      permits.some((p) => p.denials > 0 && p.caller.startsWith('activity')),
      'some activity waited out a denial',
    );
    const longestActivityWait = Math.max(
      ...permits.filter((p) => p.caller.startsWith('activity')).map((p) => p.waitedMs),
    );
    assert.ok(
      longestActivityWait > 2_000,
      `an activity waited ${longestActivityWait} ms, longer than its 2 s heartbeat timeout, on one attempt`,
    );

    assert.equal(summary?.counters.settled, 24);
    assert.equal(summary?.micros.spent, 24 * 2_000);
  });
});
