// Bedrock errors → typed Temporal failures. Pure classification (name, HTTP status, Node error code), so the
// workflow's retry policy, the guard and the tests share one truth. Every message says what happened and what to do.
// Failure types BedrockRateLimitError, BedrockCostThresholdError and AWSServiceError keep the names of the design
// this implements, for dashboards and alerts that match on them; the non-retryable ones get their own names so `nonRetryableErrorTypes` can list them.
import { ApplicationFailure } from '@temporalio/common';
import { redactSecrets } from './secrets';

export const BedrockFailureType = {
  /** ThrottlingException, ModelNotReadyException (429). Retryable. */
  RateLimit: 'BedrockRateLimitError',
  /** 5xx, ModelTimeoutException (408), ModelErrorException (424), connection errors, timeouts. Retryable. */
  Service: 'AWSServiceError',
  /** The daily budget is used up (raised by the guard). Non-retryable. */
  CostThreshold: 'BedrockCostThresholdError',
  /** ValidationException and other 4xx request rejections. Non-retryable. */
  Validation: 'BedrockValidationError',
  /** AccessDeniedException, missing or rejected credentials. Non-retryable. */
  AccessDenied: 'BedrockAccessDeniedError',
  /** ResourceNotFoundException: wrong, end-of-life or Legacy model id. Non-retryable. */
  ModelNotFound: 'BedrockModelNotFoundError',
  /** ServiceQuotaExceededException. Non-retryable. */
  QuotaExceeded: 'BedrockQuotaExceededError',
  /** The model's output still failed its schema after the one repair turn. Non-retryable. */
  InvalidOutput: 'BedrockInvalidOutputError',
} as const;
export type BedrockFailureTypeName = (typeof BedrockFailureType)[keyof typeof BedrockFailureType];

/** For RetryPolicy.nonRetryableErrorTypes (the failures also carry nonRetryable: true themselves). */
export const NON_RETRYABLE_BEDROCK_FAILURE_TYPES: readonly BedrockFailureTypeName[] = [
  BedrockFailureType.CostThreshold,
  BedrockFailureType.Validation,
  BedrockFailureType.AccessDenied,
  BedrockFailureType.ModelNotFound,
  BedrockFailureType.QuotaExceeded,
  BedrockFailureType.InvalidOutput,
];

/** What the failure's details[0] holds: enough for the guard to settle the ledger and for people to debug. */
export interface BedrockFailureDetails {
  failureType: BedrockFailureTypeName;
  retryable: boolean;
  /** The AWS error name (e.g. ThrottlingException) or Node error code (e.g. ECONNRESET), when there is one. */
  awsError?: string;
  httpStatus?: number;
  requestId?: string;
  modelId: string;
  /** False when the error proves the request never ran (4xx rejections, refused connections): nothing billed. */
  mayHaveBeenBilled: boolean;
}

export interface ClassifiedBedrockError extends BedrockFailureDetails {
  message: string;
}

interface ErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $response?: { statusCode?: number };
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_HTTP2_STREAM_ERROR',
  'ERR_HTTP2_SESSION_ERROR',
  'ERR_HTTP2_GOAWAY_SESSION',
]);
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError']);

export interface ClassifyContext {
  modelId: string;
  /** The per-call timeout, to say how long we waited. */
  timeoutMs?: number;
}

/** Classifies anything a Bedrock Runtime call can throw. */
export function classifyBedrockError(error: unknown, context: ClassifyContext): ClassifiedBedrockError {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as ErrorShape;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const code = typeof e.code === 'string' ? e.code : undefined;
  // Error text goes into workflow history: it may echo request content, so it is redacted like a prompt.
  const raw = redactSecrets(typeof e.message === 'string' && e.message.trim() !== '' ? e.message.trim() : name).text;
  // The service's message, as one sentence, so our advice that follows reads as the next one.
  const detail = /[.!?]$/.test(raw) ? raw : `${raw}.`;
  const httpStatus = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const requestId = e.$metadata?.requestId;
  const model = context.modelId;
  const base = {
    modelId: model,
    ...(httpStatus !== undefined ? { httpStatus } : {}),
    ...(requestId ? { requestId } : {}),
  };
  const make = (
    failureType: BedrockFailureTypeName,
    retryable: boolean,
    mayHaveBeenBilled: boolean,
    message: string,
    awsError: string | undefined = name,
  ): ClassifiedBedrockError => ({
    ...base,
    failureType,
    retryable,
    mayHaveBeenBilled,
    message,
    ...(awsError ? { awsError } : {}),
  });

  switch (name) {
    case 'ThrottlingException':
      return make(
        BedrockFailureType.RateLimit,
        true,
        false,
        `Bedrock throttled the call to ${model}: ${detail} Temporal retries it with backoff; if this keeps happening, lower BEDROCK_MAX_REQUESTS_PER_MINUTE or BEDROCK_MAX_TOKENS (Bedrock reserves maxTokens against the tokens-per-minute quota), or request a higher Bedrock quota.`,
      );
    case 'ModelNotReadyException':
      return make(
        BedrockFailureType.RateLimit,
        true,
        false,
        `Bedrock model ${model} is not ready to serve requests yet: ${detail} Temporal retries it with backoff; nothing to change unless it persists.`,
      );
    case 'ServiceUnavailableException':
    case 'InternalServerException':
      return make(
        BedrockFailureType.Service,
        true,
        true,
        `Bedrock had a server-side failure (${name}) calling ${model}: ${detail} Temporal retries it; if it persists, check the AWS Health Dashboard for Bedrock in this Region or try a global. inference profile.`,
      );
    case 'ModelTimeoutException':
      return make(
        BedrockFailureType.Service,
        true,
        true,
        `Model ${model} timed out processing the request: ${detail} Temporal retries it; if it keeps timing out, send less input or lower BEDROCK_MAX_TOKENS.`,
      );
    case 'ModelErrorException':
      return make(
        BedrockFailureType.Service,
        true,
        true,
        `Model ${model} returned an error: ${detail} Temporal retries it a bounded number of times; if it persists, try another model via BEDROCK_MODEL_ID.`,
      );
    case 'ValidationException':
      return make(
        BedrockFailureType.Validation,
        false,
        false,
        `Bedrock rejected the request to ${model} as invalid: ${detail} Not retried. Check that BEDROCK_MODEL_ID names a model that supports tool use, that BEDROCK_MAX_TOKENS is within its output limit, and that only one of BEDROCK_TEMPERATURE / BEDROCK_TOP_P is set.`,
      );
    case 'AccessDeniedException':
      return make(
        BedrockFailureType.AccessDenied,
        false,
        false,
        `Access to Bedrock model ${model} was denied: ${detail} Not retried. Enable access to the model in the Bedrock console for this account and Region, and allow bedrock:InvokeModel on the model and its inference profile for the worker's IAM identity.`,
      );
    case 'ResourceNotFoundException':
      return make(
        BedrockFailureType.ModelNotFound,
        false,
        false,
        `Bedrock model ${model} is not available: ${detail} Not retried. The model id may be wrong, end-of-life or Legacy; set BEDROCK_MODEL_ID to an active model such as global.anthropic.claude-sonnet-4-6 or global.anthropic.claude-haiku-4-5-20251001-v1:0.`,
      );
    case 'ServiceQuotaExceededException':
      return make(
        BedrockFailureType.QuotaExceeded,
        false,
        false,
        `The request to ${model} exceeds a Bedrock service quota: ${detail} Not retried. Request a quota increase in Service Quotas (Amazon Bedrock) or lower BEDROCK_MAX_TOKENS.`,
      );
    case 'CredentialsProviderError':
    case 'UnrecognizedClientException':
    case 'ExpiredTokenException':
    case 'InvalidSignatureException':
      return make(
        BedrockFailureType.AccessDenied,
        false,
        false,
        `AWS credentials for Bedrock are missing or were rejected (${name}): ${detail} Not retried. Configure credentials for the worker (AWS_PROFILE, an IAM role, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and check AWS_REGION.`,
      );
  }

  if (TIMEOUT_NAMES.has(name) || code === 'ETIMEDOUT') {
    const waited = context.timeoutMs !== undefined ? ` within BEDROCK_REQUEST_TIMEOUT_MS=${context.timeoutMs} ms` : '';
    return make(
      BedrockFailureType.Service,
      true,
      true,
      `Bedrock did not answer the call to ${model}${waited} (${name}${code ? ` ${code}` : ''}). Temporal retries it; the input may already have been billed. If calls are legitimately slow, raise BEDROCK_REQUEST_TIMEOUT_MS.`,
    );
  }
  if (code !== undefined && NETWORK_CODES.has(code)) {
    return make(
      BedrockFailureType.Service,
      true,
      !NEVER_SENT_CODES.has(code),
      `Could not reach Bedrock for ${model} (${code}): ${detail} Temporal retries it; if it persists, check network access to the Bedrock Runtime endpoint, AWS_REGION and AWS_ENDPOINT_URL_BEDROCK_RUNTIME.`,
      code,
    );
  }
  if (httpStatus !== undefined && httpStatus >= 500) {
    return make(
      BedrockFailureType.Service,
      true,
      true,
      `Bedrock answered HTTP ${httpStatus} (${name}) for ${model}: ${detail} Temporal retries it; if it persists, check the AWS Health Dashboard.`,
    );
  }
  if (httpStatus === 429) {
    return make(
      BedrockFailureType.RateLimit,
      true,
      false,
      `Bedrock answered HTTP 429 (${name}) for ${model}: ${detail} Temporal retries it with backoff; lower BEDROCK_MAX_REQUESTS_PER_MINUTE if it keeps happening.`,
    );
  }
  if (httpStatus !== undefined && httpStatus >= 400) {
    return make(
      BedrockFailureType.Validation,
      false,
      false,
      `Bedrock rejected the request to ${model} with HTTP ${httpStatus} (${name}): ${detail} Not retried; check BEDROCK_MODEL_ID and the request settings.`,
    );
  }
  // No HTTP status and no known network code: the request may or may not have gone out; treat it as transient.
  return make(
    BedrockFailureType.Service,
    true,
    true,
    `Calling Bedrock model ${model} failed unexpectedly (${name}${code ? ` ${code}` : ''}): ${detail} Temporal retries it; if it persists, report it with this message.`,
  );
}

/** The Temporal failure for a classified error (retryability set on the failure itself, details[0] for the guard). */
export function toBedrockFailure(classified: ClassifiedBedrockError, cause?: unknown): ApplicationFailure {
  const { message, ...details } = classified;
  return ApplicationFailure.create({
    type: classified.failureType,
    message,
    nonRetryable: !classified.retryable,
    details: [details satisfies BedrockFailureDetails],
    ...(cause instanceof Error ? { cause } : {}),
  });
}

/** Reads details[0] of a Bedrock failure (for the guard's settlement); undefined for other errors. */
export function bedrockFailureDetails(error: unknown): BedrockFailureDetails | undefined {
  if (!(error instanceof ApplicationFailure)) return undefined;
  const first: unknown = error.details?.[0];
  return typeof first === 'object' && first !== null && 'failureType' in first
    ? (first as BedrockFailureDetails)
    : undefined;
}

/** The failure for output that still breaks its schema after the repair turn. */
export function invalidOutputFailure(input: {
  modelId: string;
  template: string;
  validationError: string;
  stopReason?: string;
}): ApplicationFailure {
  const truncated =
    input.stopReason === 'max_tokens'
      ? ' The answer was cut off at maxTokens: raise BEDROCK_MAX_TOKENS.'
      : ' Try a more capable model via BEDROCK_MODEL_ID, or check a custom template in EKS_UPGRADE_PROMPTS_DIR.';
  return toBedrockFailure({
    failureType: BedrockFailureType.InvalidOutput,
    retryable: false,
    modelId: input.modelId,
    mayHaveBeenBilled: true,
    message: `Model ${input.modelId} returned output for ${input.template} that does not match its schema, even after one repair turn: ${input.validationError}. Not retried.${truncated}`,
  });
}
