// Pure classification of everything a Bedrock call can throw: AWS error names, HTTP statuses without a name,
// Node network codes and timeouts. (The wire-level versions of these cases are in bedrock-failures.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import {
  BedrockFailureType,
  classifyBedrockError,
  invalidOutputFailure,
  NON_RETRYABLE_BEDROCK_FAILURE_TYPES,
  toBedrockFailure,
  bedrockFailureDetails,
} from '../../src/domain/bedrock-errors';

const ctx = { modelId: 'global.anthropic.claude-sonnet-4-6', timeoutMs: 120_000 };
const awsError = (name: string, status: number, message = 'm') =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status, requestId: 'req-1' } });
const nodeError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });

void test('the non-retryable list names exactly the failure types that must not be retried', () => {
  assert.deepEqual([...NON_RETRYABLE_BEDROCK_FAILURE_TYPES].sort(), [
    'BedrockAccessDeniedError',
    'BedrockCostThresholdError',
    'BedrockInvalidOutputError',
    'BedrockModelNotFoundError',
    'BedrockQuotaExceededError',
    'BedrockValidationError',
  ]);
  assert.ok(!NON_RETRYABLE_BEDROCK_FAILURE_TYPES.includes(BedrockFailureType.RateLimit));
  assert.ok(!NON_RETRYABLE_BEDROCK_FAILURE_TYPES.includes(BedrockFailureType.Service));
});

void test('network errors are retryable; a refused connection proves nothing was billed, a reset does not', () => {
  for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']) {
    const c = classifyBedrockError(nodeError(code), ctx);
    assert.deepEqual(
      [c.failureType, c.retryable, c.mayHaveBeenBilled, c.awsError],
      ['AWSServiceError', true, false, code],
    );
    assert.match(c.message, /AWS_ENDPOINT_URL_BEDROCK_RUNTIME/);
  }
  for (const code of ['ECONNRESET', 'EPIPE'])
    assert.equal(classifyBedrockError(nodeError(code), ctx).mayHaveBeenBilled, true);
});

void test('SDK timeouts and aborts are retryable and name the timeout setting', () => {
  for (const name of ['TimeoutError', 'RequestTimeout', 'AbortError']) {
    const c = classifyBedrockError(Object.assign(new Error('t'), { name }), ctx);
    assert.equal(c.failureType, 'AWSServiceError');
    assert.equal(c.retryable, true);
    assert.match(c.message, /BEDROCK_REQUEST_TIMEOUT_MS=120000/);
  }
});

void test('missing or rejected credentials are non-retryable and say how to configure them', () => {
  for (const name of ['CredentialsProviderError', 'UnrecognizedClientException', 'ExpiredTokenException']) {
    const c = classifyBedrockError(
      Object.assign(new Error('Could not load credentials from any providers'), { name }),
      ctx,
    );
    assert.equal(c.failureType, 'BedrockAccessDeniedError');
    assert.equal(c.retryable, false);
    assert.match(c.message, /AWS_PROFILE/);
  }
});

void test('unnamed HTTP failures fall back to their status: 429 throttles, 5xx transient, other 4xx rejected', () => {
  assert.equal(classifyBedrockError(awsError('Unknown', 429), ctx).failureType, 'BedrockRateLimitError');
  assert.equal(classifyBedrockError(awsError('Unknown', 504), ctx).retryable, true);
  assert.equal(classifyBedrockError(awsError('Unknown', 413), ctx).failureType, 'BedrockValidationError');
  assert.equal(classifyBedrockError('a string thrown by a bug', ctx).retryable, true);
});

void test('the Temporal failure carries type, retryability, details for the guard and the cause', () => {
  const cause = awsError('ResourceNotFoundException', 404, 'This model version has reached the end of its life.');
  const failure = toBedrockFailure(classifyBedrockError(cause, ctx), cause);
  assert.ok(failure instanceof ApplicationFailure);
  assert.equal(failure.type, 'BedrockModelNotFoundError');
  assert.equal(failure.nonRetryable, true);
  assert.equal(failure.cause, cause);
  assert.match(
    failure.message,
    /end of its life.*set BEDROCK_MODEL_ID to an active model such as global\.anthropic\.claude-sonnet-4-6/,
  );
  assert.deepEqual(bedrockFailureDetails(failure), {
    modelId: ctx.modelId,
    httpStatus: 404,
    requestId: 'req-1',
    failureType: 'BedrockModelNotFoundError',
    retryable: false,
    mayHaveBeenBilled: false,
    awsError: 'ResourceNotFoundException',
  });
  assert.equal(bedrockFailureDetails(new Error('other')), undefined);
});

void test('invalid output after repair is non-retryable and says what to change', () => {
  const cut = invalidOutputFailure({
    modelId: 'm',
    template: 'UPGRADE_DECISION',
    validationError: 'verdict: invalid',
    stopReason: 'max_tokens',
  });
  assert.equal(cut.type, 'BedrockInvalidOutputError');
  assert.equal(cut.nonRetryable, true);
  assert.match(cut.message, /UPGRADE_DECISION.*verdict: invalid.*raise BEDROCK_MAX_TOKENS/);
  assert.match(
    invalidOutputFailure({ modelId: 'm', template: 'T', validationError: 'e' }).message,
    /BEDROCK_MODEL_ID|EKS_UPGRADE_PROMPTS_DIR/,
  );
});

void test('a service message that echoes a secret is redacted before it becomes a failure message', () => {
  const c = classifyBedrockError(
    awsError(
      'ValidationException',
      400,
      'Malformed input near "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYPLANTEDKEY"',
    ),
    ctx,
  );
  assert.ok(!c.message.includes('wJalrXUtnFEMI/K7MDENG/bPxRfiCYPLANTEDKEY'));
  assert.match(c.message, /REDACTED:aws-secret-access-key/);
});
