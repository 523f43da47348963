// A wire-level fake of Amazon Bedrock Runtime for tests: a node:http server (or cleartext HTTP/2) that speaks the
// rest-json protocol the real SDK client sends, so serialisation, error parsing and transport are all exercised.
//
// API (see test/integration/bedrock-*.test.ts for examples)
//
//   const fake = await startBedrockFake({ handler?, latencyMs?, http2? });
//   const client = fake.client();          // a real BedrockRuntimeClient (maxAttempts 1, NodeHttpHandler) → the fake
//   fake.enqueue(reply, ...)               // scripted replies, answered first-in first-out before the handler
//   fake.setHandler((call) => reply)       // answers when the queue is empty; may be async; may return undefined
//   fake.reset()                           // forget calls, queued replies and the handler (between tests)
//   fake.calls                             // every request, in order: BedrockCall (decoded modelId, parsed body…)
//   fake.requests                          // the request log: arrival time (the fake's clock), status, what was billed
//   fake.billedMicros() / fake.maxInAnyWindow(ms)   // total billed; most requests that arrived in any window
//   GET <url>/__fake/requests              // the request log over HTTP (a fake in a process of its own)
//   await fake.close()                     // also destroys clients made by fake.client()
//
// A `call` (BedrockCall) has: operation ('converse' | 'invoke' | 'count-tokens'), modelId (percent-decoded), headers,
// body (parsed JSON), rawBody, toolName (the forced tool: Converse toolChoice.tool.name, InvokeModel tool_choice.name),
// httpVersion, userText (text of the LAST user message, tool results included), allText (system + every message), index,
// abortedByClient (the client hung up before the answer: timeout, abort, activity cancellation).
//
// Replies (build them with the helpers):
//   toolUseReply(input, usage?)             200, one toolUse block for the forced tool, stopReason "tool_use"
//   textReply(text, usage?)                 200, one text block, stopReason "end_turn"
//   errorReply(type, status, message)       Bedrock's error encoding: status + x-amzn-ErrorType + {"message"} body
//   bedrockErrors.throttling() etc.         the common faults with the real status codes and messages
//   rawReply(status, body, headers?)        anything (protocol oddities: no error header, malformed JSON…)
//   hangReply()                             accepts the request and never answers (timeouts, cancellation)
//   resetReply()                            destroys the connection without answering
//   any reply + { delayMs }                 answers after a delay (also `latencyMs` for every reply)
//   byTool({ UPGRADE_DECISION: reply | (call) => reply, … })  a handler answering per forced tool name
//   analysisToolInput(overrides?)           a schema-valid analysis object (summary, findings, scores…) to send back
//
// Example (a workflow test wanting GO):
//   fake.setHandler(byTool({ UPGRADE_DECISION: toolUseReply(analysisToolInput({ verdict: 'GO', reasons: ['ok'] })),
//                            '*': toolUseReply(analysisToolInput()) }));
//
// Without a scripted reply or handler answer the fake replies 400 ValidationException naming the tool, so a
// missing script fails loudly instead of hanging. Usage defaults to 1000 input / 200 output tokens.
//
// Billing (the request log's billedMicros), as the guard assumes Bedrock bills: a 200 costs its usage at the model's
// price; a 429 or another 4xx refusal costs nothing; a 5xx, 408 or 424 costs the request's input, counted the way
// the guard estimates it (chars/3 + 20 per message: Bedrock's real billing of these is undocumented); a request that
// was never answered (hang, reset) is `undefined`: unknown.
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import {
  createServer as createH2cServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createBedrockRuntimeClient } from '../../src/activities/bedrock/client';
import { usdToMicros, usdToMicrosUp } from '../../src/domain/money';
import { actualCostUsd, estimateInputTokens, resolveModelPricing, type ModelPricing } from '../../src/domain/prices';
import { errorReply, type BedrockCall, type BedrockHandler, type BedrockReply } from './bedrock-replies';

export * from './bedrock-replies';

export interface BedrockFakeOptions {
  handler?: BedrockHandler;
  /** Added before every reply. */
  latencyMs?: number;
  /** Serve cleartext HTTP/2 (h2c, prior knowledge) to test the SDK's default HTTP/2 handler; default HTTP/1.1. */
  http2?: boolean;
  /** Prices to bill at; default: the price table's row for each request's model id (unpriced models bill 0). */
  pricing?: ModelPricing;
}

/** One entry of the request log. */
export interface FakeRequestRecord {
  index: number;
  /** When the request arrived, on the fake's own clock (ms since epoch): what Bedrock's quotas count. */
  at: number;
  modelId: string;
  toolName: string | undefined;
  status: number | 'hang' | 'reset';
  errorType?: string;
  /** What this request was billed, in micro-dollars; undefined when unknown (it was never answered). */
  billedMicros: number | undefined;
}

export interface BedrockFake {
  readonly url: string;
  readonly calls: BedrockCall[];
  readonly requests: FakeRequestRecord[];
  /** Everything billed so far, in micro-dollars (unknown entries excluded). */
  billedMicros(): number;
  /** The most requests that arrived within any window [t, t + windowMs). */
  maxInAnyWindow(windowMs: number): number;
  enqueue(...replies: BedrockReply[]): void;
  setHandler(handler: BedrockHandler | undefined): void;
  /** Forgets recorded calls, queued replies and the handler (between tests sharing one fake). */
  reset(): void;
  /** A real client pointed at the fake: maxAttempts 1, NodeHttpHandler (HTTP/1.1) unless `http2` was chosen. */
  client(options?: { requestTimeoutMs?: number }): BedrockRuntimeClient;
  close(): Promise<void>;
}

export async function startBedrockFake(options: BedrockFakeOptions = {}): Promise<BedrockFake> {
  const calls: BedrockCall[] = [];
  const requests: FakeRequestRecord[] = [];
  const queue: BedrockReply[] = [];
  let handler = options.handler;
  const clients: BedrockRuntimeClient[] = [];
  const hanging = new Set<{ destroy(): void }>();

  async function answer(req: IncomingMessage | Http2ServerRequest, res: Res): Promise<void> {
    const at = Date.now();
    const rawBody = await readBody(req);
    const call = describeCall(calls.length, req.url ?? '', req.httpVersion, req.headers, rawBody);
    calls.push(call);
    res.onClose(() => {
      if (!res.finished) call.abortedByClient = true;
    });
    const reply =
      queue.shift() ??
      (await handler?.(call)) ??
      errorReply(
        'ValidationException',
        400,
        `bedrock-fake: no scripted reply for ${call.operation} with tool ${call.toolName ?? '(none)'}`,
      );
    requests.push({
      index: call.index,
      at,
      modelId: call.modelId,
      toolName: call.toolName,
      status:
        reply.kind === 'hang' || reply.kind === 'reset'
          ? reply.kind
          : reply.kind === 'error' || reply.kind === 'raw'
            ? reply.status
            : 200,
      ...(reply.kind === 'error' ? { errorType: reply.errorType } : {}),
      billedMicros: bill(call, reply, options.pricing),
    });
    const delay = (options.latencyMs ?? 0) + (reply.delayMs ?? 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    send(call, reply, res, hanging);
  }

  const onRequest = (req: IncomingMessage | Http2ServerRequest, response: ServerResponse | Http2ServerResponse) => {
    const res = adapt(response);
    if (req.method === 'GET' && req.url === REQUEST_LOG_PATH) {
      // The request log, for a test whose fake runs in a process of its own.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(requests));
      return;
    }
    answer(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `bedrock-fake internal error: ${String(err)}` }));
    });
  };
  const server: Server | Http2Server = options.http2 ? createH2cServer(onRequest) : createServer(onRequest);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    calls,
    requests,
    billedMicros: () => requests.reduce((sum, r) => sum + (r.billedMicros ?? 0), 0),
    maxInAnyWindow: (windowMs) =>
      maxInAnyWindow(
        requests.map((r) => r.at),
        windowMs,
      ),
    enqueue: (...replies) => void queue.push(...replies),
    setHandler: (h) => void (handler = h),
    reset: () => {
      calls.length = 0;
      requests.length = 0;
      queue.length = 0;
      handler = undefined;
    },
    client: (clientOptions = {}) => {
      const client = createBedrockRuntimeClient({
        region: 'us-east-1',
        endpoint: url,
        credentials: { accessKeyId: 'AKIDFAKEFAKEFAKEFAKE', secretAccessKey: 'fake-secret-for-the-local-fake' },
        ...(options.http2
          ? {}
          : {
              requestHandler: new NodeHttpHandler({
                connectionTimeout: 2_000,
                ...(clientOptions.requestTimeoutMs
                  ? { requestTimeout: clientOptions.requestTimeoutMs, throwOnRequestTimeout: true }
                  : {}),
              }),
            }),
      });
      clients.push(client);
      return client;
    },
    close: async () => {
      for (const c of clients) c.destroy();
      for (const h of hanging) h.destroy();
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `GET` this path of a fake for its request log (FakeRequestRecord[] as JSON). */
export const REQUEST_LOG_PATH = '/__fake/requests';

/** The largest number of times inside any half-open window [t, t + windowMs). */
export function maxInAnyWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let end = 0, start = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}

function pricingFor(modelId: string, pricing: ModelPricing | undefined): ModelPricing | undefined {
  if (pricing) return pricing;
  try {
    return resolveModelPricing(modelId);
  } catch {
    return undefined;
  }
}

/** What Bedrock bills for this reply (see the header): micro-dollars, or undefined when unknown. */
function bill(call: BedrockCall, reply: BedrockReply, pricing: ModelPricing | undefined): number | undefined {
  const p = pricingFor(call.modelId, pricing);
  if (reply.kind === 'hang' || reply.kind === 'reset') return undefined;
  if (!p) return 0;
  if (reply.kind === 'tool' || reply.kind === 'text') return usdToMicros(actualCostUsd(p, reply.usage));
  const status = reply.status;
  if (status < 500 && status !== 408 && status !== 424) return 0;
  const b = isObject(call.body) ? call.body : {};
  const messages = Array.isArray(b.messages) ? b.messages : [];
  const texts = [JSON.stringify(b.system ?? []), JSON.stringify(messages), JSON.stringify(b.toolConfig ?? {})];
  const tokens = estimateInputTokens(texts, messages.length || 1);
  return usdToMicrosUp((tokens * p.rates.input) / 1_000_000);
}

/** The few response operations the fake needs, over HTTP/1.1 and HTTP/2 alike. */
interface Res {
  readonly headersSent: boolean;
  writeHead(status: number, headers: Record<string, string>): void;
  end(body?: string): void;
  /** True once the whole answer was written. */
  readonly finished: boolean;
  onClose(listener: () => void): void;
  /** The socket (HTTP/1.1) or stream (HTTP/2) to leave hanging or to destroy. */
  connection(): { destroy(): void } | undefined;
}

function adapt(res: ServerResponse | Http2ServerResponse): Res {
  return {
    get headersSent() {
      return res.headersSent;
    },
    get finished() {
      return res.writableFinished;
    },
    onClose: (listener) => void res.on('close', listener),
    writeHead: (status, headers) => void (res as ServerResponse).writeHead(status, headers),
    end: (body) => void (res as ServerResponse).end(body),
    connection: () => ('stream' in res ? res.stream : (res.socket ?? undefined)),
  };
}

function readBody(req: IncomingMessage | Http2ServerRequest): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function describeCall(
  index: number,
  path: string,
  httpVersion: string,
  headers: IncomingHttpHeaders,
  rawBody: string,
): BedrockCall {
  const match = /^\/model\/([^/]+)\/(converse|invoke|count-tokens)$/.exec(path.split('?')[0] ?? '');
  let body: unknown = rawBody;
  try {
    body = rawBody === '' ? undefined : JSON.parse(rawBody);
  } catch {
    // InvokeModel bodies need not be JSON; keep the raw text.
  }
  const operation = (match?.[2] ?? 'unknown') as BedrockCall['operation'];
  const b = isObject(body) ? body : {};
  const messages = Array.isArray(b.messages) ? (b.messages as Json[]) : [];
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const toolChoice = operation === 'converse' ? (b.toolConfig as Json | undefined)?.toolChoice : b.tool_choice;
  const toolName = isObject(toolChoice)
    ? (((toolChoice.tool as Json | undefined)?.name ?? toolChoice.name) as string | undefined)
    : undefined;
  return {
    index,
    operation,
    modelId: match ? decodeURIComponent(match[1] ?? '') : '',
    path,
    httpVersion,
    headers,
    body,
    rawBody,
    toolName,
    userText: lastUser ? textOf(lastUser.content) : '',
    allText: [textOf(b.system), ...messages.map((m) => textOf(m.content))].join('\n'),
    abortedByClient: false,
  };
}

/** All text inside Converse or Anthropic content blocks (text, tool results, nested content). */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map(textOf).filter(Boolean).join('\n');
  if (!isObject(content)) return '';
  if (typeof content.text === 'string') return content.text;
  if (isObject(content.toolResult)) return textOf(content.toolResult.content);
  if (content.type === 'tool_result') return textOf(content.content);
  if (isObject(content.json)) return JSON.stringify(content.json);
  return '';
}

function send(call: BedrockCall, reply: BedrockReply, res: Res, hanging: Set<{ destroy(): void }>): void {
  const requestId = randomUUID();
  const json = (status: number, payload: unknown, extra: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': requestId, ...extra });
    res.end(JSON.stringify(payload));
  };
  switch (reply.kind) {
    case 'hang': {
      const connection = res.connection();
      if (connection) hanging.add(connection);
      return;
    }
    case 'reset':
      res.connection()?.destroy();
      return;
    case 'raw':
      res.writeHead(reply.status, { 'x-amzn-requestid': requestId, ...reply.headers });
      res.end(reply.body);
      return;
    case 'error':
      json(
        reply.status,
        { message: reply.message },
        {
          'x-amzn-errortype': `${reply.errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
          ...reply.headers,
        },
      );
      return;
    case 'tool':
    case 'text': {
      const u = reply.usage;
      const total = u.inputTokens + u.outputTokens + (u.cacheReadInputTokens ?? 0) + (u.cacheWriteInputTokens ?? 0);
      const toolUseId = `tooluse_${randomUUID().replace(/-/g, '').slice(0, 22)}`;
      const name = reply.kind === 'tool' ? (reply.toolName ?? call.toolName ?? 'tool') : '';
      if (call.operation === 'invoke') {
        json(
          200,
          {
            id: `msg_bdrk_${requestId.slice(0, 8)}`,
            type: 'message',
            role: 'assistant',
            model: call.modelId,
            content: [
              reply.kind === 'tool'
                ? { type: 'tool_use', id: toolUseId, name, input: reply.input }
                : { type: 'text', text: reply.text },
            ],
            stop_reason: reply.stopReason,
            stop_sequence: null,
            usage: {
              input_tokens: u.inputTokens,
              output_tokens: u.outputTokens,
              cache_read_input_tokens: u.cacheReadInputTokens ?? 0,
              cache_creation_input_tokens: u.cacheWriteInputTokens ?? 0,
            },
          },
          {
            'x-amzn-bedrock-input-token-count': String(u.inputTokens),
            'x-amzn-bedrock-output-token-count': String(u.outputTokens),
            'x-amzn-bedrock-invocation-latency': '42',
          },
        );
        return;
      }
      json(200, {
        output: {
          message: {
            role: 'assistant',
            content: [
              reply.kind === 'tool' ? { toolUse: { toolUseId, name, input: reply.input } } : { text: reply.text },
            ],
          },
        },
        stopReason: reply.stopReason,
        usage: {
          inputTokens: u.inputTokens,
          outputTokens: u.outputTokens,
          totalTokens: total,
          ...(u.cacheReadInputTokens !== undefined ? { cacheReadInputTokens: u.cacheReadInputTokens } : {}),
          ...(u.cacheWriteInputTokens !== undefined ? { cacheWriteInputTokens: u.cacheWriteInputTokens } : {}),
        },
        metrics: { latencyMs: 42 },
      });
      return;
    }
  }
}
