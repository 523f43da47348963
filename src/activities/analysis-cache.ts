// The shared analysis cache, Temporal-native: one `analysis-<template>-<from>-<to>-<hash>` workflow per prompt.
// The key is the hash of everything that decides the answer — model id, template name and version, the rendered
// system and user texts (so the versions and the evidence), the tool schema's kind, max tokens and sampling — plus
// the task queue the analyses run on (the namespace's workers of one deployment). An analysis activity starts or
// joins that workflow and awaits its result; a completed one fresher than the TTL is read from its result. A
// retried activity (say after its worker died) finds the run its first attempt started, so a finished call is
// never paid twice. Nothing is kept on a worker's disk.
import { createHash } from 'node:crypto';
import type { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { AnalysisResult } from '../domain/analysis';
import { renderPrompt, type UntrustedSection } from '../domain/prompts/render';
import type { PromptTemplate, TemplateVariables } from '../domain/prompts/templates';
import { analysisTaskQueueFor } from '../workflows/constants';
import type { Sampling } from './bedrock/analyzer';

/** Memo key an upgrade carries to opt out of sharing (`start --no-cache`, a campaign's analysisCache: false). */
export const ANALYSIS_CACHE_MEMO = 'analysisCache';

export interface SharedAnalysisInput {
  key: string;
  template: string;
  variables: TemplateVariables;
  sections: UntrustedSection[];
  /** `<workflowId>/<runId>` of the upgrade that asked first: it pays, the others read. */
  requestedBy: string;
  /** The asking activity's task queue (part of the key). */
  taskQueue: string;
  heartbeatTimeoutMs: number;
}

export interface SharedAnalysisResult {
  key: string;
  result: AnalysisResult;
  producedBy: string;
  producedAt: string;
  workflowId: string;
}

export interface SharedAnalysisActivities {
  computeSharedAnalysis(input: SharedAnalysisInput): Promise<AnalysisResult>;
}

export interface CacheKeyInput {
  modelId: string;
  template: PromptTemplate;
  variables: TemplateVariables;
  sections: readonly UntrustedSection[];
  maxTokens: number;
  sampling: Sampling;
  taskQueue: string;
}

/** The key of one prompt: sha256 over what decides the answer, hex. */
export function analysisCacheKey(input: CacheKeyInput): string {
  const prompt = renderPrompt(input.template, input.variables, input.sections);
  const h = createHash('sha256');
  for (const part of [
    input.taskQueue,
    input.modelId,
    input.template.name,
    input.template.version,
    input.template.outputKind,
    JSON.stringify(input.sampling),
    String(input.maxTokens),
    prompt.system,
    prompt.user,
  ])
    h.update(part).update('\u0000');
  return h.digest('hex');
}

/** `analysis-RELEASE_NOTES_ANALYSIS-1.30-1.31-<24 hex>`: readable in the Web UI, unique per key. */
export function sharedAnalysisWorkflowId(key: string, template: string, variables: TemplateVariables): string {
  return `analysis-${template}-${variables.currentVersion}-${variables.targetVersion}-${key.slice(0, 24)}`;
}

export interface AnalysisCacheDeps {
  client: Client;
  /** How long a completed analysis is reused (ms). 0: nothing is shared; retries still find their own run. */
  ttlMs: number;
}

export interface AnalysisCache {
  /** The result for this prompt: from a completed or running shared analysis, or from one started now. */
  obtain(request: {
    key: string;
    template: PromptTemplate;
    variables: TemplateVariables;
    sections: UntrustedSection[];
    ctx: Context;
  }): Promise<AnalysisResult>;
}

function failureOf(err: WorkflowFailedError): ApplicationFailure {
  let cause: unknown = err.cause;
  while (cause instanceof Error && !(cause instanceof ApplicationFailure) && cause.cause) cause = cause.cause;
  const type = cause instanceof ApplicationFailure ? (cause.type ?? 'Error') : 'SharedAnalysisFailed';
  // The shared run already spent its retries: failing this caller for good keeps attempts from multiplying.
  return ApplicationFailure.create({
    type,
    message: cause instanceof Error ? cause.message : err.message,
    nonRetryable: true,
    cause: err,
  });
}

/** Upgrades whose memo was read, and whether they share: a memo never changes, and an upgrade asks several times. */
const MAX_MEMO_ANSWERS = 2_000;

export function createAnalysisCache(deps: AnalysisCacheDeps): AnalysisCache {
  const { client } = deps;
  const memoAnswers = new Map<string, boolean>();

  async function sharingOff(workflowId: string, runId: string): Promise<boolean> {
    if (deps.ttlMs <= 0) return true;
    const run = `${workflowId}/${runId}`;
    const known = memoAnswers.get(run);
    if (known !== undefined) return known;
    try {
      const d = await client.workflow.getHandle(workflowId, runId).describe();
      const off = d.memo?.[ANALYSIS_CACHE_MEMO] === 'off';
      if (memoAnswers.size >= MAX_MEMO_ANSWERS) memoAnswers.delete(memoAnswers.keys().next().value as string);
      memoAnswers.set(run, off);
      return off;
    } catch {
      return false;
    }
  }

  return {
    async obtain({ key, template, variables, sections, ctx }) {
      const caller = ctx.info.workflowExecution ?? { workflowId: 'unknown', runId: 'unknown' };
      const me = `${caller.workflowId}/${caller.runId}`;
      const sharedId = sharedAnalysisWorkflowId(key, template.name, variables);
      // Not sharing still goes through a workflow of this upgrade's own, so a retry never pays twice.
      const workflowId = (await sharingOff(caller.workflowId, caller.runId))
        ? `${sharedId}-for-${caller.runId}`
        : sharedId;
      const heartbeatTimeoutMs = ctx.info.heartbeatTimeoutMs ?? 30_000;
      const controller = new AbortController();
      const stop = () => controller.abort();
      ctx.cancellationSignal.addEventListener('abort', stop);
      const beat = setInterval(() => ctx.heartbeat({ waitingFor: workflowId }), Math.max(50, heartbeatTimeoutMs / 3));
      try {
        const shared = await client.withAbortSignal(controller.signal, async () => {
          const start = (reuse: 'REJECT_DUPLICATE' | 'ALLOW_DUPLICATE') =>
            client.workflow.start('sharedAnalysisWorkflow', {
              workflowId,
              taskQueue: analysisTaskQueueFor(ctx.info.taskQueue),
              args: [
                {
                  key,
                  template: template.name,
                  variables,
                  sections,
                  requestedBy: me,
                  taskQueue: ctx.info.taskQueue,
                  heartbeatTimeoutMs,
                },
              ],
              // A running one is joined; a closed one is looked at below (fresh: read; stale: run again).
              workflowIdConflictPolicy: 'USE_EXISTING',
              workflowIdReusePolicy: reuse,
              staticSummary: `${template.name} ${variables.currentVersion}→${variables.targetVersion}: shared analysis`,
            });
          // Started or joined in one round trip: most prompts are new (one cluster's evidence) or being computed.
          try {
            return (await (await start('REJECT_DUPLICATE')).result()) as SharedAnalysisResult;
          } catch (err) {
            if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
          }
          const handle = client.workflow.getHandle(workflowId);
          const d = await handle.describe();
          const fresh = d.status.name === 'COMPLETED' && d.closeTime && Date.now() - d.closeTime.getTime() < deps.ttlMs;
          if (d.status.name === 'RUNNING' || fresh) return (await handle.result()) as SharedAnalysisResult;
          return (await (await start('ALLOW_DUPLICATE')).result()) as SharedAnalysisResult;
        });
        const original = shared.result;
        if (shared.producedBy === me)
          return {
            ...original,
            cache: {
              hit: false,
              workflowId,
              producedBy: me,
              producedAt: shared.producedAt,
              originalCostUsd: original.costUsd,
            },
          };
        return {
          ...original,
          costUsd: 0,
          cache: {
            hit: true,
            workflowId,
            producedBy: shared.producedBy,
            producedAt: shared.producedAt,
            originalCostUsd: original.costUsd,
          },
        };
      } catch (err) {
        if (err instanceof WorkflowFailedError) throw failureOf(err);
        if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason ?? err;
        throw err;
      } finally {
        clearInterval(beat);
        ctx.cancellationSignal.removeEventListener('abort', stop);
      }
    },
  };
}
