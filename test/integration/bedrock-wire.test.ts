// The Bedrock fake against the real SDK client: the wire format both sides agree on (paths, percent-encoded model
// ids, tool use, error encoding), the endpoint variable, and the SDK's default HTTP/2 transport.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConverseCommand,
  InvokeModelCommand,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createBedrockRuntimeClient } from '../../src/activities/bedrock/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  analysisToolInput,
  bedrockErrors,
  hangReply,
  startBedrockFake,
  toolUseReply,
  type BedrockFake,
} from '../fakes/bedrock-fake';
import { createBedrockAnalyzer } from '../../src/activities/bedrock/analyzer';
import { resolveModelPricing } from '../../src/domain/prices';
import { BUILT_IN_TEMPLATES } from '../../src/domain/prompts/templates';
import { RecordingPermitGate } from '../fakes/recording-permit-gate';
import { recordingLogger } from './bedrock-support';

const MODEL = 'anthropic.claude-haiku-4-5-20251001-v1:0';
const converse = (tool = 'RELEASE_NOTES_ANALYSIS') =>
  new ConverseCommand({
    modelId: MODEL,
    messages: [{ role: 'user', content: [{ text: 'hello fake' }] }],
    inferenceConfig: { maxTokens: 100 },
    toolConfig: {
      tools: [{ toolSpec: { name: tool, inputSchema: { json: { type: 'object' } } } }],
      toolChoice: { tool: { name: tool } },
    },
  });

void describe('Bedrock fake over the real SDK client', () => {
  let fake: BedrockFake;
  before(async () => {
    fake = await startBedrockFake();
  });
  after(() => fake.close());

  void test('a Converse call arrives with the model id percent-decoded and gets a tool-use answer with usage', async () => {
    fake.enqueue(
      toolUseReply(analysisToolInput({ severityScore: 7 }), {
        inputTokens: 12,
        outputTokens: 34,
        cacheReadInputTokens: 5,
      }),
    );
    const out = await fake.client().send(converse());
    const call = fake.calls.at(-1);
    assert.equal(call?.modelId, MODEL);
    assert.match(call?.path ?? '', /v1%3A0\/converse$/);
    assert.equal(call?.toolName, 'RELEASE_NOTES_ANALYSIS');
    assert.equal(call?.userText, 'hello fake');
    assert.match(
      String(call?.headers.authorization),
      /Credential=AKIDFAKEFAKEFAKEFAKE\/\d{8}\/us-east-1\/bedrock\/aws4_request/,
      'SigV4 signs for "bedrock"',
    );
    assert.equal(out.stopReason, 'tool_use');
    assert.deepEqual(out.usage, { inputTokens: 12, outputTokens: 34, totalTokens: 51, cacheReadInputTokens: 5 });
    const block = out.output?.message?.content?.[0];
    assert.equal(block?.toolUse?.name, 'RELEASE_NOTES_ANALYSIS');
    assert.equal((block?.toolUse?.input as { severityScore: number }).severityScore, 7);
  });

  void test('errors travel as Bedrock encodes them and the SDK rebuilds the modeled exception', async () => {
    fake.enqueue(bedrockErrors.throttlingTokens(), bedrockErrors.validation('bad input'));
    const client = fake.client();
    await assert.rejects(
      client.send(converse()),
      (err: unknown) =>
        err instanceof ThrottlingException &&
        err.message.startsWith('Too many tokens') &&
        err.$metadata.httpStatusCode === 429 &&
        typeof err.$metadata.requestId === 'string',
    );
    await assert.rejects(
      client.send(converse()),
      (err: unknown) => err instanceof ValidationException && err.message === 'bad input',
    );
    assert.equal(fake.calls.length, 3, 'maxAttempts 1: no SDK retry of the throttled call');
  });

  void test('InvokeModel with an Anthropic Messages body answers in the Anthropic shape', async () => {
    fake.enqueue(toolUseReply({ ok: true }, { inputTokens: 3, outputTokens: 4 }));
    const body = {
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 50,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      tools: [{ name: 'T', input_schema: { type: 'object' } }],
      tool_choice: { type: 'tool', name: 'T' },
    };
    const out = await fake
      .client()
      .send(
        new InvokeModelCommand({ modelId: `us.${MODEL}`, contentType: 'application/json', body: JSON.stringify(body) }),
      );
    const parsed = JSON.parse(new TextDecoder().decode(out.body)) as {
      content: Array<{ type: string; id: string; name: string; input: unknown }>;
      usage: { input_tokens: number };
    };
    assert.equal(fake.calls.at(-1)?.operation, 'invoke');
    assert.equal(fake.calls.at(-1)?.modelId, `us.${MODEL}`);
    assert.equal(fake.calls.at(-1)?.toolName, 'T');
    assert.equal(parsed.content[0]?.type, 'tool_use');
    assert.equal(parsed.content[0]?.name, 'T');
    assert.deepEqual(parsed.content[0]?.input, { ok: true });
    assert.equal(parsed.usage.input_tokens, 3);
  });

  void test('the SDK itself honours AWS_ENDPOINT_URL_BEDROCK_RUNTIME when no endpoint is configured', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME;
    process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = fake.url;
    try {
      const client = createBedrockRuntimeClient({
        region: 'eu-west-1',
        requestHandler: new NodeHttpHandler(),
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
      });
      fake.enqueue(toolUseReply(analysisToolInput()));
      const before = fake.calls.length;
      await client.send(converse());
      client.destroy();
      assert.equal(fake.calls.length, before + 1);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME;
      else process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = saved;
    }
  });
});

void describe('the production transport (SDK default HTTP/2 handler) against an h2c fake', () => {
  void test('a Converse call succeeds over HTTP/2 without an injected handler', async () => {
    const fake = await startBedrockFake({ http2: true });
    try {
      fake.enqueue(toolUseReply(analysisToolInput(), { inputTokens: 1, outputTokens: 2 }));
      const out = await fake.client().send(converse());
      assert.equal(out.usage?.outputTokens, 2);
      assert.equal(fake.calls[0]?.httpVersion, '2.0');
    } finally {
      await fake.close();
    }
  });

  void test('the per-call timeout also holds on HTTP/2, whose handler ignores socket timeouts: a silent model fails retryably', async () => {
    const fake = await startBedrockFake({ http2: true });
    try {
      fake.enqueue(hangReply());
      const analyzer = createBedrockAnalyzer({
        client: fake.client(),
        modelId: MODEL,
        pricing: resolveModelPricing(MODEL),
        maxTokens: 100,
        sampling: { temperature: 0.1 },
        requestTimeoutMs: 500,
        gate: new RecordingPermitGate(),
        logger: recordingLogger().logger,
      });
      const started = Date.now();
      await assert.rejects(
        analyzer.analyzeText('x', BUILT_IN_TEMPLATES.RELEASE_NOTES_ANALYSIS, {
          variables: { clusterName: 'c', currentVersion: '1.31', targetVersion: '1.32' },
          caller: 't',
        }),
        (err: unknown) =>
          err instanceof ApplicationFailure &&
          err.type === 'AWSServiceError' &&
          !err.nonRetryable &&
          /BEDROCK_REQUEST_TIMEOUT_MS=500/.test(err.message),
      );
      assert.ok(Date.now() - started < 30_000, 'gave up at the request timeout, not at a hang');
    } finally {
      await fake.close();
    }
  });
});
