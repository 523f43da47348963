// Bedrock faults, as the real service encodes them, reach the workflow as typed Temporal failures: retryable ones
// (throttling, 5xx, model timeout, network, our timeout) and non-retryable ones (validation, access, end-of-life,
// quota), each with a message that says what to do. Also: the per-call timeout and cancellation via abort signal.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import {
  bedrockErrors,
  errorReply,
  hangReply,
  rawReply,
  resetReply,
  startBedrockFake,
  toolUseReply,
  analysisToolInput,
  type BedrockFake,
  type BedrockReply,
} from '../fakes/bedrock-fake';
import { analysisSetup, CONTEXT, recordingLogger, testConfig } from './bedrock-support';
import { NON_RETRYABLE_BEDROCK_FAILURE_TYPES, bedrockFailureDetails } from '../../src/domain/bedrock-errors';
import { createBedrockAnalyzer } from '../../src/activities/bedrock/analyzer';
import { BUILT_IN_TEMPLATES } from '../../src/domain/prompts/templates';
import { resolveModelPricing } from '../../src/domain/prices';
import { RecordingPermitGate } from '../fakes/recording-permit-gate';

const EXTRACT = { targetVersion: '1.32', source: 'test', entries: [], fullTokens: 0, extractTokens: 0 };

interface Case {
  name: string;
  reply: () => BedrockReply;
  type: string;
  retryable: boolean;
  /** The message must say what to do. */
  advice: RegExp;
}

const CASES: Case[] = [
  {
    name: 'throttling (too many tokens)',
    reply: bedrockErrors.throttlingTokens,
    type: 'BedrockRateLimitError',
    retryable: true,
    advice: /BEDROCK_MAX_REQUESTS_PER_MINUTE|BEDROCK_MAX_TOKENS/,
  },
  {
    name: 'throttling (too many requests)',
    reply: bedrockErrors.throttlingRequests,
    type: 'BedrockRateLimitError',
    retryable: true,
    advice: /retries it with backoff/,
  },
  {
    name: 'model not ready',
    reply: bedrockErrors.modelNotReady,
    type: 'BedrockRateLimitError',
    retryable: true,
    advice: /retries/,
  },
  {
    name: 'service unavailable (503)',
    reply: bedrockErrors.serviceUnavailable,
    type: 'AWSServiceError',
    retryable: true,
    advice: /retries/,
  },
  {
    name: 'internal server error (500)',
    reply: bedrockErrors.internalServer,
    type: 'AWSServiceError',
    retryable: true,
    advice: /retries/,
  },
  {
    name: 'model timeout (408)',
    reply: bedrockErrors.modelTimeout,
    type: 'AWSServiceError',
    retryable: true,
    advice: /send less input|BEDROCK_MAX_TOKENS/,
  },
  {
    name: 'model error (424)',
    reply: bedrockErrors.modelError,
    type: 'AWSServiceError',
    retryable: true,
    advice: /BEDROCK_MODEL_ID/,
  },
  {
    name: 'validation (400)',
    reply: () => bedrockErrors.validation(),
    type: 'BedrockValidationError',
    retryable: false,
    advice: /Not retried/,
  },
  {
    name: 'temperature with topP (400)',
    reply: bedrockErrors.temperatureAndTopP,
    type: 'BedrockValidationError',
    retryable: false,
    advice: /BEDROCK_TEMPERATURE \/ BEDROCK_TOP_P/,
  },
  {
    name: 'access denied (403)',
    reply: bedrockErrors.accessDenied,
    type: 'BedrockAccessDeniedError',
    retryable: false,
    advice: /Enable access to the model/,
  },
  {
    name: 'end-of-life model (404)',
    reply: bedrockErrors.endOfLife,
    type: 'BedrockModelNotFoundError',
    retryable: false,
    advice: /set BEDROCK_MODEL_ID to an active model/,
  },
  {
    name: 'Legacy model not used lately (404)',
    reply: bedrockErrors.legacyNotUsed,
    type: 'BedrockModelNotFoundError',
    retryable: false,
    advice: /BEDROCK_MODEL_ID/,
  },
  {
    name: 'service quota exceeded (400)',
    reply: bedrockErrors.serviceQuotaExceeded,
    type: 'BedrockQuotaExceededError',
    retryable: false,
    advice: /quota increase/,
  },
  {
    name: 'a 502 with no error header',
    reply: () => rawReply(502, '<html>bad gateway</html>', { 'content-type': 'text/html' }),
    type: 'AWSServiceError',
    retryable: true,
    advice: /retries/,
  },
  {
    name: 'an unmodeled 4xx error name',
    reply: () => errorReply('SomethingNewException', 409, 'new'),
    type: 'BedrockValidationError',
    retryable: false,
    advice: /Not retried/,
  },
  {
    name: 'a connection reset mid-request',
    reply: resetReply,
    type: 'AWSServiceError',
    retryable: true,
    advice: /retries/,
  },
];

void describe('Bedrock faults become typed Temporal failures', () => {
  let fake: BedrockFake;
  before(async () => {
    fake = await startBedrockFake();
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  for (const c of CASES) {
    void test(`${c.name} → ${c.retryable ? 'retryable' : 'non-retryable'} ${c.type}`, async () => {
      const { activities, gate } = analysisSetup(fake);
      fake.enqueue(c.reply());
      await assert.rejects(activities.analyzeReleaseNotes({ context: CONTEXT, extract: EXTRACT }), (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure, String(err));
        assert.equal(err.type, c.type);
        assert.equal(err.nonRetryable, !c.retryable);
        assert.equal(NON_RETRYABLE_BEDROCK_FAILURE_TYPES.includes(err.type as never), !c.retryable);
        assert.match(err.message, c.advice);
        assert.match(err.message, /global\.anthropic\.claude-sonnet-4-6/, 'names the model');
        assert.equal(bedrockFailureDetails(err)?.retryable, c.retryable);
        return true;
      });
      assert.equal(fake.calls.length, 1, 'no SDK retry: Temporal owns retries');
      assert.equal(gate.settlements.length, 1);
      assert.equal(gate.settlements[0]?.ok, false, 'the gate hears about the failure');
    });
  }

  void test('the request id and HTTP status of a Bedrock error travel in the failure details', async () => {
    const { activities } = analysisSetup(fake);
    fake.enqueue(bedrockErrors.throttlingTokens());
    const err = await activities.analyzeReleaseNotes({ context: CONTEXT, extract: EXTRACT }).catch((e: unknown) => e);
    const details = bedrockFailureDetails(err);
    assert.equal(details?.httpStatus, 429);
    assert.equal(details?.awsError, 'ThrottlingException');
    assert.match(details?.requestId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(details?.mayHaveBeenBilled, false);
  });

  void test('a call with no answer within BEDROCK_REQUEST_TIMEOUT_MS is a retryable AWSServiceError', async () => {
    const { activities } = analysisSetup(fake, { BEDROCK_REQUEST_TIMEOUT_MS: '1000' });
    fake.enqueue(hangReply());
    const started = Date.now();
    await assert.rejects(activities.analyzeReleaseNotes({ context: CONTEXT, extract: EXTRACT }), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure);
      assert.equal(err.type, 'AWSServiceError');
      assert.equal(err.nonRetryable, false);
      assert.match(err.message, /BEDROCK_REQUEST_TIMEOUT_MS=1000/);
      assert.equal(bedrockFailureDetails(err)?.mayHaveBeenBilled, true);
      return true;
    });
    const waited = Date.now() - started;
    // At least the configured second; the upper bound only tells a timeout from a hang (generous for a busy machine).
    assert.ok(waited >= 950 && waited < 30_000, `waited ${waited} ms`);
  });

  void test('cancellation aborts the in-flight call at once and is not turned into a Bedrock failure', async () => {
    const config = testConfig();
    const gate = new RecordingPermitGate();
    const analyzer = createBedrockAnalyzer({
      client: fake.client(),
      modelId: config.bedrock.modelId,
      pricing: resolveModelPricing(config.bedrock.modelId),
      maxTokens: 100,
      sampling: config.bedrock.sampling,
      requestTimeoutMs: 60_000,
      gate,
      logger: recordingLogger().logger,
      progressEveryMs: 20,
    });
    fake.enqueue(hangReply());
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    let beats = 0;
    // Cancel once the call is in flight at the fake and progress has ticked a few times (not after a fixed delay,
    // which a busy machine can outrun); the timer only keeps a broken progress loop from hanging the test.
    const calls = fake.calls.length;
    const onProgress = () => {
      beats++;
      if (beats >= 3 && fake.calls.length > calls) controller.abort(reason);
    };
    const safety = setTimeout(() => controller.abort(reason), 60_000);
    const started = Date.now();
    await assert.rejects(
      analyzer.analyzeText('x', BUILT_IN_TEMPLATES.RELEASE_NOTES_ANALYSIS, {
        variables: { clusterName: 'c', currentVersion: '1.31', targetVersion: '1.32' },
        caller: 't',
        signal: controller.signal,
        onProgress,
      }),
      (err: unknown) => err === reason,
    );
    clearTimeout(safety);
    assert.ok(Date.now() - started < 30_000, 'aborted, not left to the 60 s request timeout');
    assert.ok(beats >= 3, `progress (heartbeat) ticks while waiting: ${beats}`);
  });

  void test('an answer arriving after a retryable failure succeeds on the next attempt (what Temporal retries do)', async () => {
    const { activities } = analysisSetup(fake);
    fake.enqueue(bedrockErrors.throttlingTokens(), toolUseReply(analysisToolInput()));
    await assert.rejects(activities.analyzeReleaseNotes({ context: CONTEXT, extract: EXTRACT }));
    const result = await activities.analyzeReleaseNotes({ context: CONTEXT, extract: EXTRACT });
    assert.equal(result.summary, 'Scripted analysis from the Bedrock fake.');
  });
});
