// The guard's life around a lease: a dead holder's lease expires on the guard's own timer, charging only the calls
// it had started (and permits it never accounted for), and a late report corrects that; a failed call is charged
// what Bedrock bills; malformed requests and bad start limits are refused with the reason; limits change at run
// time, never below one call's worst case.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { BEDROCK_GUARD_BAD_REQUEST, createGuardedPermitGate } from '../../src/activities/bedrock-gate';
import {
  configureGuard,
  guardLimitsFromConfig,
  readGuardSummary,
  startGuardOperation,
} from '../../src/activities/guard-client';
import { classifyBedrockError, toBedrockFailure } from '../../src/domain/bedrock-errors';
import { syncUpdate, type SyncUpdateArgs } from '../../src/workflows/guard-messages';
import { createTestEnv, getWorkflowBundle, uniqueTaskQueue } from '../harness/temporal';
import { gateFor, permitRequest, replayGuardLedger, silentLogger, testConfig, uniqueGuardId } from './guard-support';

const TTL_MS = 1_500;

function syncArgs(holder: string, seq: number, parts: Partial<SyncUpdateArgs>): SyncUpdateArgs {
  return { holder, seq, started: [], settled: [], returned: [], want: [], ...parts };
}
const want = (callId: string, micros: number) => ({
  callId,
  allowanceMicros: micros,
  tokens: 1_000,
  modelId: 'm',
  caller: 't',
});

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

  void it("expires a dead holder's lease on the guard's own timer: started calls charged, the rest given back (and replays)", async () => {
    const workflowId = uniqueGuardId('guard-ttl');
    const limits = { ...guardLimitsFromConfig(testConfig), leaseTtlMs: TTL_MS };
    await withWorker(async () => {
      const first = await env.client.workflow.executeUpdateWithStart(syncUpdate, {
        args: [syncArgs('dead', 1, { want: [want('a', 400_000), want('b', 300_000), want('c', 200_000)] })],
        startWorkflowOperation: startGuardOperation({ workflowId, taskQueue }, { limits }),
      });
      const [pa, pb, pc] = first.permits.map((p) => p.id);
      assert.equal(first.permits.length, 3);
      const handle = env.client.workflow.getHandle(workflowId);
      // a went out; c is given back unused; b is never accounted for; then the holder dies.
      await handle.executeUpdate(syncUpdate, {
        args: [
          syncArgs('dead', 2, {
            started: [
              { callId: 'a', permitId: pa ?? '', estimateMicros: 350_000, modelId: 'm', caller: 't', wireBoundMs: 5 },
            ],
            returned: [pc ?? ''],
          }),
        ],
      });
      const before = await readGuardSummary(env.client, workflowId);
      assert.deepEqual([before?.reservedUsd, before?.leasedUsd, before?.spentUsd], [0.35, 0.3, 0]);

      // No further update arrives: only the guard's timer can expire the lease.
      let after = before;
      const deadline = Date.now() + TTL_MS + 10_000;
      while (Date.now() < deadline && after?.counters.expired === 0) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        after = await readGuardSummary(env.client, workflowId);
      }
      assert.equal(after?.counters.expired, 1, 'expired');
      assert.deepEqual(
        [after?.spentUsd, after?.reservedUsd, after?.leasedUsd, after?.leases.length],
        [0.65, 0, 0, 0],
        "a's estimate and b's allowance are charged: b may have started a call; c's share came back",
      );

      // The holder comes back (a long outage, not a death): a cost 0.1, b was never used.
      await handle.executeUpdate(syncUpdate, {
        args: [
          syncArgs('dead', 3, {
            settled: [
              {
                callId: 'a',
                permitId: pa ?? '',
                chargedMicros: 100_000,
                modelId: 'm',
                inputTokens: 100,
                outputTokens: 10,
                succeeded: true,
                wireBoundMs: 5,
              },
            ],
            returned: [pb ?? ''],
            release: true,
          }),
        ],
      });
      assert.equal((await readGuardSummary(env.client, workflowId))?.spentUsd, 0.1, 'corrected to what was billed');
      // The Web UI's current details: amounts as USD, no `$` for its Markdown to read as TeX.
      const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      assert.match(
        metadata.currentDetails ?? '',
        /USD 0\.1000 spent \+ USD 0\.00 reserved \+ USD 0\.00 leased of USD /,
      );
      assert.doesNotMatch(metadata.currentDetails ?? '', /\$/);

      // The history (syncs, the expiry timer) replays deterministically, and its books add up at every step.
      const history = await handle.fetchHistory();
      await Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId);
      const replay = await replayGuardLedger(env.client, workflowId);
      assert.deepEqual([replay.overLimit, replay.mismatches], [[], []]);
      assert.equal(replay.steps, 3);
    });
  });

  void it('charges a failed call what Bedrock bills: nothing for a 429, the input for a 503, the worst case with no answer', async () => {
    const workflowId = uniqueGuardId('guard-fail');
    const gate = gateFor(env.client, { workflowId, taskQueue, limits: {} });
    const fail = (name: string, status?: number) =>
      toBedrockFailure(
        classifyBedrockError(
          { name, message: name, ...(status ? { $metadata: { httpStatusCode: status } } : {}) },
          { modelId: 'test-model' },
        ),
      );
    await withWorker(async () => {
      const request = permitRequest('fails', 0.5); // worst case 0.5, input 0.1
      for (const err of [
        fail('ThrottlingException', 429),
        fail('ServiceUnavailableException', 503),
        fail('TimeoutError'),
      ]) {
        await assert.rejects(
          gate.run(request, () => Promise.reject(err)),
          (e) => e === err,
        );
      }
      await gate.drain(); // settles are write-behind
      await gate.close();
      const s = await readGuardSummary(env.client, workflowId);
      assert.equal(s?.spentUsd, 0 + 0.1 + 0.5);
      assert.deepEqual([s?.reservedUsd, s?.leasedUsd], [0, 0]);
      assert.equal(s?.models['test-model']?.failed, 3);
    });
  });

  void it('refuses malformed or impossible requests, and bad start limits, with a clear non-retryable error', async () => {
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
          .executeUpdate(syncUpdate, { args: [syncArgs('x', 1, { want: [want('neg', -1)] })] }),
        (err) =>
          err instanceof WorkflowUpdateFailedError &&
          /want\.0\.allowanceMicros.*must be >= 0/.test(err.cause?.message ?? ''),
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
      assert.equal((await readGuardSummary(env.client, workflowId))?.counters.settled, 1, 'only the good call ran');
      await gate.close();

      // Start limits that fail their schema: the caller hears why, not "No registered handler for update".
      const badId = uniqueGuardId('guard-bad-start');
      await assert.rejects(
        env.client.workflow.executeUpdateWithStart(syncUpdate, {
          args: [syncArgs('y', 1, { want: [want('a', 1)] })],
          startWorkflowOperation: startGuardOperation(
            { workflowId: badId, taskQueue },
            { limits: { ...guardLimitsFromConfig(testConfig), windowMs: 5 } },
          ),
        }),
        (err) =>
          err instanceof WorkflowUpdateFailedError &&
          /started with invalid limits: .*windowMs: windowMs must be at least 100/.test(err.cause?.message ?? ''),
      );
      // And a gate refuses such limits when it is built (a worker then fails at start-up, naming the field).
      assert.throws(
        () =>
          createGuardedPermitGate({
            client: env.client,
            config: testConfig,
            logger: silentLogger,
            guard: { workflowId: badId, taskQueue, limits: { windowMs: 5 } },
          }),
        /invalid Bedrock guard limits: .*windowMs: windowMs must be at least 100/,
      );
    });
  });

  void it('changes limits at run time through configure, never below one call of the workers; no guard where none ran', async () => {
    const workflowId = uniqueGuardId('guard-conf');
    await withWorker(async () => {
      assert.equal(await readGuardSummary(env.client, workflowId), undefined);
      const started = await configureGuard(env.client, { config: testConfig, patch: {}, taskQueue, workflowId });
      assert.equal(started.maxRequestsPerWindow, testConfig.guard.maxRequestsPerWindow);
      const changed = await configureGuard(env.client, {
        config: testConfig,
        patch: { maxRequestsPerWindow: 2, windowMs: 1_000, permitValidityMs: 100, dailyCostLimitUsd: 5 },
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
      assert.ok((s?.counters.waited ?? 0) >= 1, 'the third call waited: the new limit of 2 applied without restarting');
      // The gate declared its floor (4096 output tokens of the default model): a limit below it is refused.
      await assert.rejects(
        configureGuard(env.client, { config: testConfig, patch: { dailyCostLimitUsd: 0.01 }, taskQueue, workflowId }),
        /refused the new limits: a daily Bedrock limit of USD 0\.0100 is below what one call can cost \(USD 0\.0614: up to 4096 output tokens/,
      );
      await gate.close();
    });
  });
});
