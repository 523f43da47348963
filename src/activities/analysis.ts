// The analysis activities (AnalysisActivities): each turns its evidence into fenced, redacted data sections and
// runs one template through the Bedrock analyzer. Built by a factory from their dependencies, like the samples.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { snapshotForPrompt } from '../domain/snapshot-digest';
import type { AnalysisResult } from '../domain/analysis';
import type { AppConfig } from '../domain/config';
import { mergePartialAnalyses } from '../domain/analysis-merge';
import type { ApiScanResult, ReadinessReport, ReleaseNotesExtract } from '../domain/evidence';
import { chunkExtract } from '../domain/release-notes';
import { lifecycleWarning, resolveModelPricing, type ModelPricing } from '../domain/prices';
import { loadTemplateRegistry } from '../domain/prompts/custom';
import type { UntrustedSection } from '../domain/prompts/render';
import type { PromptTemplate, TemplateRegistry, TemplateVariables } from '../domain/prompts/templates';
import type { Logger } from '../domain/logger';
import { createBedrockAnalyzer, type BedrockAnalyzer } from './bedrock/analyzer';
import { analysisCacheKey, type AnalysisCache, type SharedAnalysisActivities } from './analysis-cache';
import type { AnalysisActivities, AnalysisContext, BedrockPermitGate } from './contracts';

export interface AnalysisActivityDeps {
  client: BedrockRuntimeClient;
  config: Pick<AppConfig, 'bedrock' | 'promptsDir'>;
  logger: Pick<Logger, 'info' | 'warn' | 'debug'>;
  gate: BedrockPermitGate;
  /** Default: the built-ins plus the files in config.promptsDir (EKS_UPGRADE_PROMPTS_DIR), loaded now. */
  templates?: TemplateRegistry;
  /** Default: resolveModelPricing(config.bedrock.modelId, config.bedrock.modelPrices), which throws for unknown models. */
  pricing?: ModelPricing;
  /** How often an in-flight call heartbeats (default 5 s). */
  heartbeatEveryMs?: number;
  /** Longest data section sent, in characters (default 200,000); longer ones are cut with a note. */
  maxSectionChars?: number;
  /**
   * Largest release-notes extract analysed in one prompt, in tokens (default 20,000). A larger extract is split
   * into chunks that are analysed one after another and merged: never truncated.
   */
  releaseNotesChunkTokens?: number;
  /** The shared analysis cache (src/activities/analysis-cache.ts); without it every analysis calls Bedrock itself. */
  cache?: AnalysisCache;
}

/** The activities plus analyzeText (any text, any template), for the CLI and for custom templates. */
export type AnalysisActivitiesWithText = AnalysisActivities &
  SharedAnalysisActivities & {
    analyzeText(input: { context: AnalysisContext; text: string; template: string }): Promise<AnalysisResult>;
  };

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

export function createAnalysisActivities(deps: AnalysisActivityDeps): AnalysisActivitiesWithText {
  const { bedrock } = deps.config;
  const templates = deps.templates ?? loadTemplateRegistry(deps.config.promptsDir);
  const pricing = deps.pricing ?? resolveModelPricing(bedrock.modelId, bedrock.modelPrices);
  const maxChars = deps.maxSectionChars ?? 200_000;
  const chunkTokens = deps.releaseNotesChunkTokens ?? 20_000;
  const heartbeatEveryMs = deps.heartbeatEveryMs ?? 5_000;
  const retiring = lifecycleWarning(pricing);
  if (retiring) deps.logger.warn({ modelId: bedrock.modelId, lifecycle: pricing.lifecycle }, retiring);
  const analyzer: BedrockAnalyzer = createBedrockAnalyzer({
    client: deps.client,
    modelId: bedrock.modelId,
    pricing,
    maxTokens: bedrock.maxTokens,
    sampling: bedrock.sampling,
    requestTimeoutMs: bedrock.requestTimeoutMs,
    gate: deps.gate,
    logger: deps.logger,
    progressEveryMs: heartbeatEveryMs,
  });

  function template(name: string): PromptTemplate {
    const t = templates.get(name);
    if (!t)
      throw new Error(
        `Unknown prompt template '${name}'. Known: ${[...templates.keys()].join(', ')}. Add a file for it to EKS_UPGRADE_PROMPTS_DIR.`,
      );
    return t;
  }

  const cut = (s: UntrustedSection): UntrustedSection =>
    s.content.length <= maxChars
      ? s
      : {
          label: s.label,
          content: `${s.content.slice(0, maxChars)}\n[… ${s.content.length - maxChars} more characters cut to fit the prompt]`,
        };

  const keyOf = (
    t: PromptTemplate,
    variables: TemplateVariables,
    sections: readonly UntrustedSection[],
    taskQueue: string,
  ) =>
    analysisCacheKey({
      modelId: bedrock.modelId,
      template: t,
      variables,
      sections,
      maxTokens: bedrock.maxTokens,
      sampling: bedrock.sampling,
      taskQueue,
    });

  async function run(name: string, context: AnalysisContext, sections: UntrustedSection[]): Promise<AnalysisResult> {
    const ctx = activityContext();
    const variables: TemplateVariables = {
      clusterName: context.clusterName,
      currentVersion: context.currentVersion,
      targetVersion: context.targetVersion,
    };
    if (deps.cache && ctx?.info.workflowExecution) {
      const t = template(name);
      const cutSections = sections.map(cut);
      const key = keyOf(t, variables, cutSections, ctx.info.taskQueue);
      return deps.cache.obtain({ key, template: t, variables, sections: cutSections, ctx });
    }
    return call(name, variables, sections, `${ctx?.info.workflowExecution?.workflowId ?? context.clusterName}/${name}`);
  }

  /** One analysis straight through the analyzer (and the guard). */
  async function call(
    name: string,
    variables: TemplateVariables,
    sections: UntrustedSection[],
    caller: string,
  ): Promise<AnalysisResult> {
    const ctx = activityContext();
    // Settles are write-behind: wait for them so the guard's ledger is exact when this activity completes.
    return withSettlesDrained(() =>
      analyzer.analyze(template(name), sections.map(cut), {
        variables,
        caller,
        ...(ctx
          ? {
              signal: ctx.cancellationSignal,
              onProgress: () => ctx.heartbeat({ waitingFor: 'bedrock', template: name }),
              // Well within the activity's heartbeat timeout, whatever the workflow chose.
              progressEveryMs: Math.max(
                50,
                Math.min(heartbeatEveryMs, (ctx.info.heartbeatTimeoutMs ?? Number.POSITIVE_INFINITY) / 3),
              ),
            }
          : {}),
      }),
    );
  }

  async function withSettlesDrained<R>(fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } finally {
      await deps.gate.drain();
    }
  }

  return {
    async analyzeReleaseNotes({ context, extract }) {
      if (extract.extractTokens <= chunkTokens)
        return run('RELEASE_NOTES_ANALYSIS', context, [releaseNotesSection(extract)]);
      // Too large for one prompt: analyse the chunks in turn (each through the guard) and merge, dropping nothing.
      const chunks = chunkExtract(extract, chunkTokens);
      deps.logger.info(
        { extractTokens: extract.extractTokens, chunks: chunks.length, chunkTokens },
        'Release-notes extract split to fit the prompt',
      );
      const parts: AnalysisResult[] = [];
      for (const chunk of chunks) {
        const label = `Kubernetes ${extract.targetVersion} release-notes extract from ${extract.source}, chunk ${chunk.index + 1} of ${chunk.total}`;
        parts.push(await run('RELEASE_NOTES_ANALYSIS', context, [{ label, content: chunk.text }]));
      }
      return mergePartialAnalyses(parts);
    },
    analyzeDeprecationImpact: ({ context, scan }) =>
      run('DEPRECATION_IMPACT_ANALYSIS', context, [apiScanSection(scan)]),
    assessClusterReadiness: ({ context, snapshot, readiness }) =>
      run('CLUSTER_READINESS_ASSESSMENT', context, [
        readinessSection(readiness),
        { label: 'cluster snapshot (JSON)', content: JSON.stringify(snapshotForPrompt(snapshot), null, 1) },
      ]),
    decideUpgrade: ({ context, evidenceSummary, analyses, ruleBlockers }) =>
      run('UPGRADE_DECISION', context, [
        {
          label: 'rule blockers (binding: any blocker means NO_GO)',
          content: ruleBlockers.length > 0 ? ruleBlockers.map((b) => `- ${b}`).join('\n') : '(none)',
        },
        { label: 'evidence summary', content: evidenceSummary },
        { label: 'earlier analyses (JSON)', content: JSON.stringify(analyses.map(analysisDigest), null, 1) },
      ]),
    decideRollback: ({ context, reason, evidence, upgradeSummary }) =>
      run('ROLLBACK_DECISION', context, [
        { label: 'reported problem', content: reason },
        { label: 'evidence supplied with the report', content: evidence ?? '(none)' },
        { label: 'upgrade summary', content: upgradeSummary },
      ]),
    analyzeText: ({ context, text, template: name }) =>
      run(name, context, [{ label: 'text to analyse', content: text }]),
    async computeSharedAnalysis({ key, template: name, variables, sections, requestedBy, taskQueue }) {
      const t = template(name);
      // Workers that render the same prompt differently (another template directory) must not share answers.
      if (keyOf(t, variables, sections, taskQueue) !== key)
        throw ApplicationFailure.create({
          type: 'AnalysisCacheKeyMismatch',
          nonRetryable: true,
          message: `this worker renders ${name} differently from the worker that asked for it (different EKS_UPGRADE_PROMPTS_DIR or model settings): align the workers' configuration`,
        });
      return call(name, variables, sections, `${requestedBy.split('/')[0] ?? requestedBy}/${name}`);
    },
  };
}

export function releaseNotesSection(extract: ReleaseNotesExtract): UntrustedSection {
  const lines = extract.entries.map(
    (e) =>
      `- [${e.category}] (${e.section}${e.sigs.length > 0 ? `; ${e.sigs.join(', ')}` : ''}) ${e.text}${e.prUrl ? ` (${e.prUrl})` : ''}`,
  );
  return {
    label: `Kubernetes ${extract.targetVersion} release-notes extract: ${extract.entries.length} entries from ${extract.source}`,
    content: lines.length > 0 ? lines.join('\n') : '(no upgrade-relevant entries were found in the release notes)',
  };
}

export function apiScanSection(scan: ApiScanResult): UntrustedSection {
  const findings = scan.findings.map((f) => ({
    object: `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name}`,
    apiVersion: f.apiVersion,
    removedIn: f.removedIn,
    ...(f.deprecatedIn ? { deprecatedIn: f.deprecatedIn } : {}),
    ...(f.replacement ? { replacement: f.replacement } : {}),
    removedByTarget: f.removedByTarget,
    replacementAvailableOnCurrent: f.replacementAvailableOnCurrent,
    where: f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : (f.location ?? f.source),
    source: f.source,
    confidence: f.confidence,
  }));
  return {
    label: `deprecated/removed API scan for target ${scan.targetVersion}: ${scan.findings.length} findings in ${scan.objectsScanned} objects (JSON)`,
    content: JSON.stringify({ findings, unparsedFiles: scan.errors }, null, 1),
  };
}

export function readinessSection(report: ReadinessReport): UntrustedSection {
  return {
    label: `readiness checks ${report.currentVersion} → ${report.targetVersion}: ${report.findings.length} findings from ${report.checksRun.length} checks (JSON)`,
    content: JSON.stringify({ checksRun: report.checksRun, findings: report.findings }, null, 1),
  };
}

/** What the decision needs from an earlier analysis (not its accounting). */
function analysisDigest(a: AnalysisResult) {
  return {
    template: a.template,
    severityScore: a.severityScore,
    confidence: a.confidence,
    summary: a.summary,
    breakingChanges: a.breakingChanges,
    findings: a.findings,
    recommendations: a.recommendations,
  };
}
