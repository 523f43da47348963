// One analysis = one Converse call with a forced tool (plus at most one repair turn). The tool's JSON schema comes
// from the template's zod schema, the answer is validated with the same schema; invalid output gets exactly one
// repair turn quoting the validation error, then a non-retryable BedrockInvalidOutputError. Every call, repair
// included, goes through the permit gate with its worst-case estimate and settles its actual four-bucket cost.
import { randomUUID } from 'node:crypto';
import {
  ConverseCommand,
  type BedrockRuntimeClient,
  type ContentBlock,
  type ConverseCommandInput,
  type ConverseCommandOutput,
  type Message,
} from '@aws-sdk/client-bedrock-runtime';
import type { DocumentType } from '@smithy/types';
import { z } from 'zod';
import type { AnalysisResult } from '../../domain/analysis';
import { classifyBedrockError, invalidOutputFailure, toBedrockFailure } from '../../domain/bedrock-errors';
import { actualCostUsd, estimateInputTokens, worstCaseEstimate, type ModelPricing } from '../../domain/prices';
import { renderPrompt, type UntrustedSection } from '../../domain/prompts/render';
import { OUTPUT_SCHEMAS, toolInputJsonSchema, type TemplateOutput } from '../../domain/prompts/schemas';
import type { PromptTemplate, TemplateVariables } from '../../domain/prompts/templates';
import type { Logger } from '../../domain/logger';
import type { BedrockPermitGate } from '../contracts';

export type Sampling = { readonly temperature: number } | { readonly topP: number };

export interface BedrockAnalyzerDeps {
  client: BedrockRuntimeClient;
  modelId: string;
  /** Resolved at start-up (resolveModelPricing): an unknown model never gets this far. */
  pricing: ModelPricing;
  maxTokens: number;
  sampling: Sampling;
  requestTimeoutMs: number;
  gate: BedrockPermitGate;
  logger: Pick<Logger, 'info' | 'warn' | 'debug'>;
  /** Called every `progressEveryMs` while a call is in flight (activities heartbeat here, so cancellation reaches them). */
  progressEveryMs?: number;
}

export interface AnalyzeOptions {
  variables: TemplateVariables;
  /** Who is calling, for the guard and the logs (e.g. `<workflowId>/<template>`). */
  caller: string;
  /** Aborts the call (activity cancellation); the per-call timeout is added to it. */
  signal?: AbortSignal;
  onProgress?: () => void;
  /** Overrides deps.progressEveryMs for this call (e.g. a third of the activity's heartbeat timeout). */
  progressEveryMs?: number;
}

export interface BedrockAnalyzer {
  analyze(
    template: PromptTemplate,
    sections: readonly UntrustedSection[],
    options: AnalyzeOptions,
  ): Promise<AnalysisResult>;
  /** Any text through any template (custom templates, the CLI). */
  analyzeText(text: string, template: PromptTemplate, options: AnalyzeOptions): Promise<AnalysisResult>;
}

interface CallResult {
  response: ConverseCommandOutput;
  usage: AnalysisResult['usage'];
  costUsd: number;
}

/** The inference settings: maxTokens always, and exactly one of temperature / topP (4.5+ models reject both). */
export function inferenceConfigFor(
  maxTokens: number,
  sampling: Sampling,
): NonNullable<ConverseCommandInput['inferenceConfig']> {
  return 'topP' in sampling ? { maxTokens, topP: sampling.topP } : { maxTokens, temperature: sampling.temperature };
}

export function createBedrockAnalyzer(deps: BedrockAnalyzerDeps): BedrockAnalyzer {
  const { client, modelId, pricing, gate, logger } = deps;
  const inferenceConfig = inferenceConfigFor(deps.maxTokens, deps.sampling);

  async function send(input: ConverseCommandInput, options: AnalyzeOptions): Promise<ConverseCommandOutput> {
    const timeout = AbortSignal.timeout(deps.requestTimeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const ticker = options.onProgress
      ? setInterval(options.onProgress, options.progressEveryMs ?? deps.progressEveryMs ?? 5_000)
      : undefined;
    try {
      return await client.send(new ConverseCommand(input), { abortSignal: signal });
    } catch (err) {
      // Cancellation is not a Bedrock failure: rethrow Temporal's reason (a CancelledFailure) untouched.
      if (options.signal?.aborted) throw options.signal.reason ?? err;
      const cause = timeout.aborted
        ? { name: 'TimeoutError', message: `no answer within ${deps.requestTimeoutMs} ms` }
        : err;
      throw toBedrockFailure(classifyBedrockError(cause, { modelId, timeoutMs: deps.requestTimeoutMs }), err);
    } finally {
      if (ticker) clearInterval(ticker);
    }
  }

  /** One Converse call through the gate: reserve the worst case, call, settle the real cost. */
  async function converse(
    request: Omit<ConverseCommandInput, 'modelId' | 'inferenceConfig'>,
    options: AnalyzeOptions,
  ): Promise<CallResult> {
    const input: ConverseCommandInput = { modelId, inferenceConfig, ...request };
    const texts = [
      JSON.stringify(request.system ?? []),
      JSON.stringify(request.messages ?? []),
      JSON.stringify(request.toolConfig ?? {}),
    ];
    const estimate = worstCaseEstimate(
      pricing,
      estimateInputTokens(texts, request.messages?.length ?? 1),
      deps.maxTokens,
    );
    return gate.run({ modelId, caller: options.caller, ...estimate }, async () => {
      const response = await send(input, options);
      const u = response.usage;
      const usage = {
        inputTokens: u?.inputTokens ?? 0,
        outputTokens: u?.outputTokens ?? 0,
        cacheReadInputTokens: u?.cacheReadInputTokens ?? 0,
        cacheWriteInputTokens: u?.cacheWriteInputTokens ?? 0,
      };
      const costUsd = actualCostUsd(pricing, usage);
      return {
        value: { response, usage, costUsd },
        actualCostUsd: costUsd,
        // The whole input (Bedrock's own inputTokens excludes the cached buckets).
        inputTokens: usage.inputTokens + usage.cacheReadInputTokens + usage.cacheWriteInputTokens,
        outputTokens: usage.outputTokens,
      };
    });
  }

  async function analyze(
    template: PromptTemplate,
    sections: readonly UntrustedSection[],
    options: AnalyzeOptions,
  ): Promise<AnalysisResult> {
    const started = Date.now();
    const analysisId = randomUUID();
    const { schema, version: schemaVersion } = OUTPUT_SCHEMAS[template.outputKind];
    const prompt = renderPrompt(template, options.variables, sections);
    const toolConfig = {
      tools: [
        {
          toolSpec: {
            name: template.name,
            description: template.description,
            inputSchema: { json: toolInputJsonSchema(template.outputKind) as DocumentType },
          },
        },
      ],
      toolChoice: { tool: { name: template.name } },
    };
    const system = [{ text: prompt.system }];
    const messages: Message[] = [{ role: 'user', content: [{ text: prompt.user }] }];
    const base = { analysisId, template: template.name, modelId, caller: options.caller };
    if (prompt.redactionTotal > 0)
      logger.info({ ...base, redactions: prompt.redactions }, 'Secrets redacted before the prompt');

    const first = await converse({ system, messages, toolConfig }, options);
    let calls = [first];
    let checked = checkOutput(first.response, template.name, schema);
    if (!checked.ok) {
      logger.warn(
        { ...base, problem: checked.problem, stopReason: first.response.stopReason },
        'Bedrock output failed its schema; asking for one repair',
      );
      const assistant = assistantMessage(first.response);
      const repairMessages = [...messages, assistant, repairMessage(assistant, checked.problem, template.name)];
      const second = await converse({ system, messages: repairMessages, toolConfig }, options);
      calls = [first, second];
      checked = checkOutput(second.response, template.name, schema);
      if (!checked.ok) {
        throw invalidOutputFailure({
          modelId,
          template: template.name,
          validationError: checked.problem,
          ...(second.response.stopReason ? { stopReason: second.response.stopReason } : {}),
        });
      }
    }

    const output = checked.output;
    const usage = calls.reduce(
      (sum, c) => ({
        inputTokens: sum.inputTokens + c.usage.inputTokens,
        outputTokens: sum.outputTokens + c.usage.outputTokens,
        cacheReadInputTokens: sum.cacheReadInputTokens + c.usage.cacheReadInputTokens,
        cacheWriteInputTokens: sum.cacheWriteInputTokens + c.usage.cacheWriteInputTokens,
      }),
      { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
    );
    const result: AnalysisResult = {
      analysisId,
      template: template.name,
      promptVersion: `${template.version}+${schemaVersion}`,
      modelId,
      summary: output.summary,
      findings: output.findings,
      breakingChanges: output.breakingChanges,
      recommendations: output.recommendations,
      severityScore: output.severityScore,
      confidence: output.confidence,
      ...(output.verdict !== undefined ? { verdict: output.verdict } : {}),
      ...(output.reasons !== undefined ? { reasons: output.reasons } : {}),
      usage,
      // Whole micro-dollars, as the guard's ledger counts them.
      costUsd: Math.round(calls.reduce((s, c) => s + c.costUsd, 0) * 1e6) / 1e6,
      processingTimeMs: Date.now() - started,
    };
    // Structured fields every analysis log line carries: analysis id, processing time, findings count, severity.
    logger.info(
      {
        ...base,
        promptVersion: result.promptVersion,
        processingTimeMs: result.processingTimeMs,
        findingsCount: result.findings.length,
        severityScore: result.severityScore,
        confidence: result.confidence,
        verdict: result.verdict,
        costUsd: result.costUsd,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        repaired: calls.length > 1,
      },
      'Text analysis completed',
    );
    return result;
  }

  return {
    analyze,
    analyzeText: (text, template, options) => analyze(template, [{ label: 'text to analyse', content: text }], options),
  };
}

type Checked = { ok: true; output: TemplateOutput } | { ok: false; problem: string };

/** Finds the forced tool's input in the answer and validates it. */
export function checkOutput(
  response: ConverseCommandOutput,
  toolName: string,
  schema: z.ZodType<TemplateOutput>,
): Checked {
  const blocks = response.output?.message?.content ?? [];
  const toolUse = blocks.find((b) => b.toolUse?.name === toolName)?.toolUse ?? blocks.find((b) => b.toolUse)?.toolUse;
  if (!toolUse)
    return {
      ok: false,
      problem: `the answer did not call the ${toolName} tool (stopReason ${response.stopReason ?? 'unknown'})`,
    };
  const parsed = schema.safeParse(toolUse.input);
  if (!parsed.success) return { ok: false, problem: z.prettifyError(parsed.error).slice(0, 2_000) };
  return { ok: true, output: parsed.data };
}

function assistantMessage(response: ConverseCommandOutput): Message {
  const content = response.output?.message?.content ?? [];
  return { role: 'assistant', content: content.length > 0 ? content : [{ text: '(no content)' }] };
}

/** The repair turn: Converse wants a toolResult for every toolUse of the previous turn, so each gets the error. */
function repairMessage(assistant: Message, problem: string, toolName: string): Message {
  const instruction = `Your ${toolName} tool input was invalid:\n${problem}\nCall the ${toolName} tool again with the complete, corrected input. Do not reply with text.`;
  const toolUseIds = (assistant.content ?? []).flatMap((b) => (b.toolUse?.toolUseId ? [b.toolUse.toolUseId] : []));
  const content: ContentBlock[] =
    toolUseIds.length > 0
      ? toolUseIds.map((toolUseId) => ({
          toolResult: { toolUseId, content: [{ text: instruction }], status: 'error' },
        }))
      : [{ text: instruction }];
  return { role: 'user', content };
}
