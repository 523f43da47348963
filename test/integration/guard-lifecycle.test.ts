// The guard's life around one call: a dead caller's reservation expires after the TTL and stays charged; a failed
// call is charged at least its input estimate; malformed requests are refused; limits change at run time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { BEDROCK_GUARD_BAD_REQUEST } from '../../src/activities/bedrock-gate';
import {
  configureGuard,
  guardLimitsFromConfig,
  readGuardSummary,
  startGuardOperation,
} from '../../src/activities/guard-client';
import { reserveUpdate, settleUpdate, type ReserveUpdateArgs } from '../../src/workflows/guard-messages';
import { createTestEnv, getWorkflowBundle, uniqueTaskQueue } from '../harness/temporal';
import { gateFor, permitRequest, testConfig, uniqueGuardId } from './guard-support';

const TTL_MS = 1_500;

void describe('Bedrock guard lifecycle (real dev server)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleOption;
  let taskQueue: string;
  before(async () => {
    [env, bundle] = await Promise.all([createTestEnv(), getWorkflowBundle()]);
    taskQueue = uniqueTaskQueue('guard-life');
  });
  after(async () => {
    await env?.teardown();
  });

  async function withWorker<T>(fn: () => Promise<T>): Promise<T> {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: bundle,
    });
    return worker.runUntil(fn);
  }

  void it("expires a dead caller's reservation after the TTL on the guard's own timer, charged at its estimate (and replays)", async () => {
    const workflowId = uniqueGuardId('guard-ttl');
    const limits = { ...guardLimitsFromConfig(testConfig), reservationTtlMs: TTL_MS };
    await withWorker(async () => {
      const args: ReserveUpdateArgs = { requestId: 'dead-caller', ...permitRequest('dead', 0.4) };
      const answer = await env.client.workflow.executeUpdateWithStart(reserveUpdate, {
        args: [args],
        startWorkflowOperation: startGuardOperation({ workflowId, taskQueue }, { limits }),
      });
      assert.equal(answer.kind, 'granted');
      const before = await readGuardSummary(env.client, workflowId);
      assert.equal(before?.reservedUsd, 0.4);
      assert.equal(before?.spentUsd, 0);

      // No further update arrives: only the guard's timer can expire the reservation.
      let after: Awaited<ReturnType<typeof readGuardSummary>> = before;
      const deadline = Date.now() + TTL_MS + 60_000; // the timer fires at TTL; the margin is for a busy machine
      while (Date.now() < deadline && after?.counters.expired === 0) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        after = await readGuardSummary(env.client, workflowId);
      }
      assert.equal(after?.counters.expired, 1, 'expired');
      assert.equal(after?.reservedUsd, 0);
      assert.equal(after?.spentUsd, 0.4, 'stays charged at the estimate: over-count, never under-count');

      // The caller comes back to life and settles for less: the over-count stays.
      const late = await env.client.workflow.getHandle(workflowId).executeUpdate(settleUpdate, {
        args: [
          { reservationId: 'dead-caller', actualCostUsd: 0.1, inputTokens: 100, outputTokens: 10, succeeded: true },
        ],
      });
      assert.deepEqual(late, { kind: 'late', chargedUsd: 0 });
      assert.equal((await readGuardSummary(env.client, workflowId))?.spentUsd, 0.4);

      // The history (updates, the expiry timer) replays deterministically on the current code.
      const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
      await Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId);
    });
  });

  void it('charges a failed call at least its input estimate and passes the error through', async () => {
    const workflowId = uniqueGuardId('guard-fail');
    const gate = gateFor(env.client, { workflowId, taskQueue, limits: {} });
    await withWorker(async () => {
      const boom = new Error('ModelTimeoutException: the model did not answer');
      await assert.rejects(
        gate.run(permitRequest('fails', 0.5), () => Promise.reject(boom)),
        (err) => err === boom,
      );
      await gate.drain(); // settles are write-behind
      const s = await readGuardSummary(env.client, workflowId);
      assert.equal(s?.spentUsd, 0.1, 'input estimate (0.5 / 5) charged');
      assert.equal(s?.reservedUsd, 0);
      assert.equal(s?.models['test-model']?.failed, 1);
    });
  });

  void it('refuses malformed or impossible requests with a clear, non-retryable error', async () => {
    const workflowId = uniqueGuardId('guard-bad');
    const limits = { ...guardLimitsFromConfig(testConfig), maxTokensPerWindow: 10_000 };
    const gate = gateFor(env.client, { workflowId, taskQueue, limits });
    await withWorker(async () => {
      await gate.run(permitRequest('ok'), () =>
        Promise.resolve({ value: 1, actualCostUsd: 0.001, inputTokens: 1, outputTokens: 1 }),
      );
      await assert.rejects(
        env.client.workflow
          .getHandle(workflowId)
          .executeUpdate(reserveUpdate, { args: [{ requestId: 'x', ...permitRequest('neg', -1) }] }),
        (err) =>
          err instanceof WorkflowUpdateFailedError && /estimatedCostUsd must be >= 0/.test(err.cause?.message ?? ''),
      );
      await assert.rejects(
        gate.run(permitRequest('huge', 0.01, 50_000), () =>
          Promise.resolve({ value: 1, actualCostUsd: 0, inputTokens: 0, outputTokens: 0 }),
        ),
        (err) =>
          err instanceof ApplicationFailure &&
          err.type === BEDROCK_GUARD_BAD_REQUEST &&
          err.nonRetryable &&
          /50000 tokens.*10000 tokens per/.test(err.message),
      );
      assert.equal(
        (await readGuardSummary(env.client, workflowId))?.counters.granted,
        1,
        'refused requests were never granted',
      );
    });
  });

  void it('changes limits at run time through configure, and reports no guard where none ran', async () => {
    const workflowId = uniqueGuardId('guard-conf');
    await withWorker(async () => {
      assert.equal(await readGuardSummary(env.client, workflowId), undefined);
      const started = await configureGuard(env.client, { config: testConfig, patch: {}, taskQueue, workflowId });
      assert.equal(started.maxRequestsPerWindow, testConfig.guard.maxRequestsPerWindow);
      const changed = await configureGuard(env.client, {
        config: testConfig,
        patch: { maxRequestsPerWindow: 2, windowMs: 1_000, dailyCostLimitUsd: 5 },
        taskQueue,
        workflowId,
      });
      assert.equal(changed.maxRequestsPerWindow, 2);
      assert.equal(changed.dailyLimitUsd, 5);
      await assert.rejects(
        configureGuard(env.client, { config: testConfig, patch: { windowMs: 5 }, taskQueue, workflowId }),
        /windowMs must be at least 100/,
      );
      const gate = gateFor(env.client, { workflowId, taskQueue, limits: {} });
      const answers = await Promise.all(
        [0, 1, 2].map((i) =>
          gate.run(permitRequest(`c${i}`), () =>
            Promise.resolve({ value: i, actualCostUsd: 0.01, inputTokens: 1, outputTokens: 1 }),
          ),
        ),
      );
      assert.deepEqual(answers, [0, 1, 2]);
      const s = await readGuardSummary(env.client, workflowId);
      assert.equal(
        s?.counters.waited,
        1,
        'the third call waited: the new limit of 2 applied without restarting anything',
      );
    });
  });
});
