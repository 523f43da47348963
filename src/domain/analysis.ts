// The AI analyses: template names, verdicts and the result every analysis returns. Output schemas per template
// live in src/domain/prompts/; this file is the contract the workflow and the decision rules depend on.

export const ANALYSIS_TEMPLATES = [
  'RELEASE_NOTES_ANALYSIS',
  'DEPRECATION_IMPACT_ANALYSIS',
  'CLUSTER_READINESS_ASSESSMENT',
  'UPGRADE_DECISION',
  'ROLLBACK_DECISION',
] as const;
export type AnalysisTemplateName = (typeof ANALYSIS_TEMPLATES)[number];

export type UpgradeVerdict = 'GO' | 'GO_WITH_CAUTION' | 'NO_GO';
export type RollbackVerdict = 'ROLLBACK' | 'HOLD' | 'MONITOR';

export type FindingSeverity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export interface AnalysisFinding {
  title: string;
  severity: FindingSeverity;
  detail: string;
}

/** What an analysis returns: the validated model output plus accounting (tokens, cost, model, prompt version). */
export interface AnalysisResult {
  analysisId: string;
  template: string;
  promptVersion: string;
  modelId: string;
  summary: string;
  findings: AnalysisFinding[];
  breakingChanges: string[];
  recommendations: string[];
  /** 0 (harmless) to 10 (certain breakage). */
  severityScore: number;
  /** 0 to 1. */
  confidence: number;
  /** Only UPGRADE_DECISION (UpgradeVerdict) and ROLLBACK_DECISION (RollbackVerdict). */
  verdict?: string;
  reasons?: string[];
  usage: { inputTokens: number; outputTokens: number; cacheReadInputTokens: number; cacheWriteInputTokens: number };
  costUsd: number;
  processingTimeMs: number;
  /** Set when the analysis went through the shared cache: whether this upgrade paid for it, and whose run did. */
  cache?: AnalysisCacheInfo;
}

export interface AnalysisCacheInfo {
  /** True when another upgrade's run produced the result (then costUsd is 0 here; originalCostUsd says what it cost). */
  hit: boolean;
  /** The `analysis-…` workflow that holds the result. */
  workflowId: string;
  /** `<workflowId>/<runId>` of the upgrade whose run produced it. */
  producedBy: string;
  producedAt: string;
  originalCostUsd: number;
}

/** An analysis that did not run, and why (budget exhausted, model unavailable…): recorded, never hidden. */
export interface SkippedAnalysis {
  template: AnalysisTemplateName;
  reason: string;
  /** Failure type, e.g. BedrockCostThresholdError, AWSServiceError, AiDisabled. */
  errorType: string;
}
