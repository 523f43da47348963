// The analysis activities on a real Temporal dev server: Temporal, not the SDK, retries a throttled call; a
// non-retryable Bedrock failure fails the workflow after one attempt with its type intact; cancelling the
// activity aborts the HTTP call in flight; and with the real guard-backed permit gate, the guard's ledger holds
// exactly the actual cost of the calls.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ActivityFailure, ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createAnalysisActivities } from '../../src/activities/analysis';
import { createGuardedPermitGate } from '../../src/activities/bedrock-gate';
import { readGuardSummary } from '../../src/activities/guard-client';
import type { BedrockPermitGate } from '../../src/activities/contracts';
import { createTestEnv, getTestWorkflowBundle, uniqueTaskQueue } from '../harness/temporal';
import {
  analysisToolInput,
  bedrockErrors,
  hangReply,
  startBedrockFake,
  toolUseReply,
  type BedrockFake,
} from '../fakes/bedrock-fake';
import { RecordingPermitGate } from '../fakes/recording-permit-gate';
import { CONTEXT, recordingLogger, testConfig } from './bedrock-support';
import type { AnalyzeInput, cancelledAnalysisWorkflow, releaseNotesAnalysisWorkflow } from './bedrock-test-workflows';

const INPUT: AnalyzeInput = {
  context: CONTEXT,
  extract: {
    targetVersion: '1.32',
    source: 'test',
    entries: [{ category: 'removal', section: 'API Change', text: 'v1beta3 removed', sigs: [] }],
    fullTokens: 1,
    extractTokens: 1,
  },
};

void describe('analysis activities on a real Temporal server', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleOption;
  let fake: BedrockFake;
  before(async () => {
    [env, bundle, fake] = await Promise.all([createTestEnv(), getTestWorkflowBundle(), startBedrockFake()]);
  });
  after(async () => {
    await fake?.close();
    await env?.teardown();
  });
  beforeEach(() => fake.reset());

  async function run<T>(
    gate: BedrockPermitGate,
    body: (taskQueue: string) => Promise<T>,
    env_: Record<string, string> = {},
  ): Promise<T> {
    const taskQueue = uniqueTaskQueue('bedrock');
    // The default 5 s heartbeat interval: the activity must shorten it to fit the workflow's 2 s heartbeat timeout.
    const activities = createAnalysisActivities({
      client: fake.client(),
      config: testConfig(env_),
      logger: recordingLogger().logger,
      gate,
    });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: bundle,
      activities,
    });
    return worker.runUntil(body(taskQueue));
  }

  void test('a throttled call is retried by Temporal (one HTTP request per attempt), then succeeds', async () => {
    fake.enqueue(
      bedrockErrors.throttlingTokens(),
      bedrockErrors.serviceUnavailable(),
      toolUseReply(analysisToolInput({ severityScore: 6 })),
    );
    const gate = new RecordingPermitGate();
    const result = await run(gate, (taskQueue) =>
      env.client.workflow.execute<typeof releaseNotesAnalysisWorkflow>('releaseNotesAnalysisWorkflow', {
        taskQueue,
        workflowId: uniqueTaskQueue('wf'),
        args: [INPUT],
      }),
    );
    assert.equal(result.severityScore, 6);
    assert.equal(fake.calls.length, 3);
    assert.deepEqual(
      gate.settlements.map((s) => s.ok),
      [false, false, true],
    );
    assert.match(gate.requests[0]?.caller ?? '', /^wf-.*\/RELEASE_NOTES_ANALYSIS$/, 'the caller names the workflow');
  });

  void test('a validation error fails the workflow after one attempt, keeping its failure type', async () => {
    fake.enqueue(bedrockErrors.validation('maxTokens exceeds the model limit'), toolUseReply(analysisToolInput()));
    const err = await run(new RecordingPermitGate(), (taskQueue) =>
      env.client.workflow
        .execute<typeof releaseNotesAnalysisWorkflow>('releaseNotesAnalysisWorkflow', {
          taskQueue,
          workflowId: uniqueTaskQueue('wf'),
          args: [INPUT],
        })
        .catch((e: unknown) => e),
    );
    assert.ok(err instanceof WorkflowFailedError);
    assert.ok(err.cause instanceof ActivityFailure);
    const failure = err.cause.cause;
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, 'BedrockValidationError');
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /maxTokens exceeds the model limit/);
    assert.equal(fake.calls.length, 1, 'not retried');
  });

  void test('a Bedrock call slower than the heartbeat timeout (2 s) completes: the activity heartbeats while it waits', async () => {
    fake.enqueue(toolUseReply(analysisToolInput({ severityScore: 1 }), undefined, { delayMs: 3_000 }));
    const gate = new RecordingPermitGate();
    const result = await run(gate, (taskQueue) =>
      env.client.workflow.execute<typeof releaseNotesAnalysisWorkflow>('releaseNotesAnalysisWorkflow', {
        taskQueue,
        workflowId: uniqueTaskQueue('wf'),
        args: [INPUT],
      }),
    );
    assert.equal(result.severityScore, 1);
    assert.equal(fake.calls.length, 1, 'one attempt: no heartbeat timeout');
  });

  void test('cancelling the activity aborts the Bedrock call in flight', async () => {
    fake.enqueue(hangReply());
    const started = Date.now();
    const outcome = await run(new RecordingPermitGate(), (taskQueue) =>
      env.client.workflow.execute<typeof cancelledAnalysisWorkflow>('cancelledAnalysisWorkflow', {
        taskQueue,
        workflowId: uniqueTaskQueue('wf'),
        args: [{ ...INPUT, cancelAfterMs: 500 }],
      }),
    );
    assert.equal(outcome, 'cancelled');
    assert.ok(Date.now() - started < 60_000, 'cancelled, not left to hang');
    // The client hung up on the fake: the HTTP request was really aborted, not left to time out.
    for (let i = 0; i < 250 && !fake.calls[0]?.abortedByClient; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(fake.calls[0]?.abortedByClient, true);
  });

  void test("with the real guard-backed gate, the guard's ledger holds exactly the calls' actual cost", async () => {
    const guardId = uniqueTaskQueue('bedrock-guard');
    const config = testConfig();
    fake.enqueue(
      toolUseReply({ summary: 'invalid' }, { inputTokens: 10_000, outputTokens: 1_000 }),
      toolUseReply(analysisToolInput(), { inputTokens: 20_000, outputTokens: 2_000, cacheReadInputTokens: 100_000 }),
    );
    const taskQueue = uniqueTaskQueue('bedrock');
    // The gate starts the guard on demand (update-with-start) on this worker's task queue.
    const gate = createGuardedPermitGate({
      client: env.client,
      config,
      logger: recordingLogger().logger,
      guard: { workflowId: guardId, taskQueue },
    });
    const activities = createAnalysisActivities({
      client: fake.client(),
      config,
      logger: recordingLogger().logger,
      gate,
    });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: bundle,
      activities,
    });
    const summary = await worker.runUntil(async () => {
      const result = await env.client.workflow.execute<typeof releaseNotesAnalysisWorkflow>(
        'releaseNotesAnalysisWorkflow',
        { taskQueue, workflowId: uniqueTaskQueue('wf'), args: [INPUT] },
      );
      await gate.close(); // gives the lease back while the guard's worker still runs
      return { result, summary: await readGuardSummary(env.client, guardId) };
    });
    assert.ok(summary);
    // First call 10k×$3 + 1k×$15 = $0.045; repair 20k×$3 + 2k×$15 + 100k×$0.30 = $0.12.
    assert.equal(summary.result.costUsd, 0.165);
    assert.ok(Math.abs((summary.summary?.spentUsd ?? 0) - 0.165) < 1e-9, `guard spent ${summary.summary?.spentUsd}`);
    assert.equal(summary.summary?.reservedUsd, 0, 'both reservations settled');
    await env.client.workflow.getHandle(guardId).terminate('test done');
  });
});
