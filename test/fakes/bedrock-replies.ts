// Replies the Bedrock fake can give, and the call record a handler sees. Re-exported by ./bedrock-fake (import
// from there); kept apart so the server file stays about the wire.
import type { IncomingHttpHeaders } from 'node:http';

export interface FakeUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

export type BedrockReply = (
  | { kind: 'tool'; input: unknown; usage: FakeUsage; stopReason: string; toolName?: string }
  | { kind: 'text'; text: string; usage: FakeUsage; stopReason: string }
  | { kind: 'error'; status: number; errorType: string; message: string; headers?: Record<string, string> }
  | { kind: 'raw'; status: number; body: string; headers: Record<string, string> }
  | { kind: 'hang' }
  | { kind: 'reset' }
) & { delayMs?: number };

export interface BedrockCall {
  index: number;
  operation: 'converse' | 'invoke' | 'count-tokens' | 'unknown';
  modelId: string;
  path: string;
  /** '1.1' or '2.0' (h2c mode). */
  httpVersion: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  rawBody: string;
  toolName: string | undefined;
  userText: string;
  allText: string;
  /** Set when the client closed the connection before the fake answered (abort, timeout, cancellation). */
  abortedByClient: boolean;
}

export type BedrockHandler = (call: BedrockCall) => BedrockReply | undefined | Promise<BedrockReply | undefined>;

export const DEFAULT_FAKE_USAGE: FakeUsage = { inputTokens: 1000, outputTokens: 200 };

export function toolUseReply(
  input: unknown,
  usage: FakeUsage = DEFAULT_FAKE_USAGE,
  opts: { stopReason?: string; toolName?: string; delayMs?: number } = {},
): BedrockReply {
  return {
    kind: 'tool',
    input,
    usage,
    stopReason: opts.stopReason ?? 'tool_use',
    ...(opts.toolName ? { toolName: opts.toolName } : {}),
    ...(opts.delayMs ? { delayMs: opts.delayMs } : {}),
  };
}

export function textReply(text: string, usage: FakeUsage = DEFAULT_FAKE_USAGE, stopReason = 'end_turn'): BedrockReply {
  return { kind: 'text', text, usage, stopReason };
}

/** Bedrock's error encoding: the name in x-amzn-ErrorType (with the coral suffix the real service adds), a {"message"} body. */
export function errorReply(
  errorType: string,
  status: number,
  message: string,
  headers?: Record<string, string>,
): BedrockReply {
  return { kind: 'error', errorType, status, message, ...(headers ? { headers } : {}) };
}

export function rawReply(
  status: number,
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): BedrockReply {
  return { kind: 'raw', status, body, headers };
}

export const hangReply = (): BedrockReply => ({ kind: 'hang' });
export const resetReply = (): BedrockReply => ({ kind: 'reset' });

/** The faults Bedrock really returns, with their real status codes and messages (reference/bedrock.md §2). */
export const bedrockErrors = {
  throttlingTokens: () => errorReply('ThrottlingException', 429, 'Too many tokens, please wait before trying again.'),
  throttlingRequests: () =>
    errorReply('ThrottlingException', 429, 'Too many requests, please wait before trying again.'),
  modelNotReady: () => errorReply('ModelNotReadyException', 429, 'Model is not ready to serve inference requests.'),
  serviceUnavailable: () =>
    errorReply('ServiceUnavailableException', 503, 'Bedrock is unable to process your request.'),
  internalServer: () => errorReply('InternalServerException', 500, 'The server encountered an internal error.'),
  modelTimeout: () => errorReply('ModelTimeoutException', 408, 'Model has timed out in processing the request.'),
  modelError: () => errorReply('ModelErrorException', 424, 'The model returned an error.'),
  validation: (message = 'Malformed input request, please reformat your input and try again.') =>
    errorReply('ValidationException', 400, message),
  temperatureAndTopP: () =>
    errorReply(
      'ValidationException',
      400,
      'The model returned the following errors: `temperature` and `top_p` cannot both be specified for this model. Please use only one.',
    ),
  accessDenied: () =>
    errorReply('AccessDeniedException', 403, "You don't have access to the model with the specified model ID."),
  endOfLife: () =>
    errorReply(
      'ResourceNotFoundException',
      404,
      'This model version has reached the end of its life. Please refer to the AWS documentation for more details.',
    ),
  legacyNotUsed: () =>
    errorReply(
      'ResourceNotFoundException',
      404,
      'Access denied. This Model is marked by provider as Legacy and you have not been actively using the model in the last 30 days. Please upgrade to an active model on Amazon Bedrock',
    ),
  serviceQuotaExceeded: () =>
    errorReply('ServiceQuotaExceededException', 400, 'Your request exceeded the service quota for your account.'),
};

/** A schema-valid analysis (the output every template's tool expects); pass overrides such as { verdict: 'GO' }. */
export function analysisToolInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    summary: 'Scripted analysis from the Bedrock fake.',
    findings: [{ title: 'Scripted finding', severity: 'low', detail: 'Produced by test/fakes/bedrock-fake.ts.' }],
    breakingChanges: [],
    recommendations: ['Nothing to do: this is a scripted answer.'],
    severityScore: 2,
    confidence: 0.9,
    ...overrides,
  };
}

/** A handler answering per forced tool name; '*' answers any other tool. */
export function byTool(
  replies: Record<string, BedrockReply | ((call: BedrockCall) => BedrockReply | undefined)>,
): BedrockHandler {
  return (call) => {
    const entry = replies[call.toolName ?? ''] ?? replies['*'];
    return typeof entry === 'function' ? entry(call) : entry;
  };
}
