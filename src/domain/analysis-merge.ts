// Merging the analyses of the chunks of one input that was too large for a single prompt (a release-notes
// extract split by chunkExtract): nothing is dropped, and the merged result is as cautious as its worst part.
import type { AnalysisFinding, AnalysisResult } from './analysis';

function unique<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * One result from the partial analyses of consecutive chunks: findings, breaking changes and recommendations
 * are united (duplicates removed), severity is the highest, confidence the lowest, usage and cost are summed.
 */
export function mergePartialAnalyses(parts: AnalysisResult[]): AnalysisResult {
  const [first] = parts;
  if (!first) throw new Error('mergePartialAnalyses needs at least one partial analysis');
  if (parts.length === 1) return first;
  const normalise = (s: string) => s.trim().toLowerCase();
  return {
    analysisId: parts.map((p) => p.analysisId).join('+'),
    template: first.template,
    promptVersion: first.promptVersion,
    modelId: first.modelId,
    summary: `Merged from ${parts.length} partial analyses (the input was split to fit the prompt): ${parts.map((p, i) => `[${i + 1}/${parts.length}] ${p.summary}`).join(' ')}`,
    findings: unique<AnalysisFinding>(
      parts.flatMap((p) => p.findings),
      (f) => `${normalise(f.title)}|${normalise(f.detail)}`,
    ),
    breakingChanges: unique(
      parts.flatMap((p) => p.breakingChanges),
      normalise,
    ),
    recommendations: unique(
      parts.flatMap((p) => p.recommendations),
      normalise,
    ),
    severityScore: Math.max(...parts.map((p) => p.severityScore)),
    confidence: Math.min(...parts.map((p) => p.confidence)),
    usage: {
      inputTokens: parts.reduce((sum, p) => sum + p.usage.inputTokens, 0),
      outputTokens: parts.reduce((sum, p) => sum + p.usage.outputTokens, 0),
      cacheReadInputTokens: parts.reduce((sum, p) => sum + p.usage.cacheReadInputTokens, 0),
      cacheWriteInputTokens: parts.reduce((sum, p) => sum + p.usage.cacheWriteInputTokens, 0),
    },
    costUsd: parts.reduce((sum, p) => sum + p.costUsd, 0),
    processingTimeMs: parts.reduce((sum, p) => sum + p.processingTimeMs, 0),
  };
}
