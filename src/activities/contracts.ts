// The activity interfaces the workflows are written against (workflows import these as types only), and the
// permit gate every Bedrock call passes through. Implementations are built by factories from their deps.
import type { AnalysisResult } from '../domain/analysis';
import type { ApiScanResult, ReadinessReport, ReleaseNotesExtract } from '../domain/evidence';
import type { ClusterSnapshot } from '../domain/snapshot';

/** Where the cluster inventory comes from. */
export type InventorySource = (
  { kind: 'snapshot'; path: string } | { kind: 'eks'; clusterName: string; region: string }
) & {
  /** Read the cluster as the earlier hops of a multi-minor path will leave it (analyze mode). */
  assumeUpgradedTo?: string;
};

/** Where release notes come from: a local file or directory (offline), or the official CHANGELOG (cached). */
export type ReleaseNotesSource = { kind: 'file'; path: string } | { kind: 'kubernetes-changelog' } | { kind: 'none' };

export interface EvidenceActivities {
  loadClusterInventory(source: InventorySource): Promise<ClusterSnapshot>;
  extractReleaseNotes(input: { targetVersion: string; source: ReleaseNotesSource }): Promise<ReleaseNotesExtract>;
  scanApiRemovals(input: {
    manifestPaths: string[];
    snapshot?: ClusterSnapshot;
    currentVersion: string;
    targetVersion: string;
  }): Promise<ApiScanResult>;
  checkClusterReadiness(input: {
    snapshot: ClusterSnapshot;
    targetVersion: string;
    manifestPaths: string[];
  }): Promise<ReadinessReport>;
}

/** Context every analysis carries for logs, the guard's caller field and the result. */
export interface AnalysisContext {
  clusterName: string;
  currentVersion: string;
  targetVersion: string;
}

export interface AnalysisActivities {
  analyzeReleaseNotes(input: { context: AnalysisContext; extract: ReleaseNotesExtract }): Promise<AnalysisResult>;
  analyzeDeprecationImpact(input: { context: AnalysisContext; scan: ApiScanResult }): Promise<AnalysisResult>;
  assessClusterReadiness(input: {
    context: AnalysisContext;
    snapshot: ClusterSnapshot;
    readiness: ReadinessReport;
  }): Promise<AnalysisResult>;
  /** The LLM half of the decision: given the evidence summary, the analyses and the rule outcome, returns a verdict. */
  decideUpgrade(input: {
    context: AnalysisContext;
    evidenceSummary: string;
    analyses: AnalysisResult[];
    ruleBlockers: string[];
  }): Promise<AnalysisResult>;
  decideRollback(input: {
    context: AnalysisContext;
    reason: string;
    evidence?: string;
    upgradeSummary: string;
  }): Promise<AnalysisResult>;
}

/** What the guard is asked before one Bedrock call. */
export interface BedrockPermitRequest {
  modelId: string;
  /** Worst case: estimated input tokens at the input price + maxTokens at the output price. */
  estimatedCostUsd: number;
  /** Cost of the input alone: charged on failure after the request was sent (the ledger may over-count, never under-count). */
  estimatedInputCostUsd: number;
  /** Input tokens + maxTokens, for the tokens-per-minute window (Bedrock reserves this much when a request starts). */
  estimatedTokens: number;
  /** Who is calling, e.g. `upgrade-prod-east-1.31/RELEASE_NOTES_ANALYSIS`. */
  caller: string;
}

/** What one Bedrock call really used. */
export interface BedrockCallOutcome<T> {
  value: T;
  actualCostUsd: number;
  inputTokens: number;
  outputTokens: number;
}

/**
 * The single path of every Bedrock call: reserve a permit from the guard (waiting out rate denials with
 * heartbeats, without spending activity retry attempts), invoke, then settle the actual cost — also when the
 * call fails. An exhausted daily budget throws a non-retryable ApplicationFailure of type BedrockCostThresholdError.
 */
export interface BedrockPermitGate {
  run<T>(request: BedrockPermitRequest, invoke: () => Promise<BedrockCallOutcome<T>>): Promise<T>;
  /**
   * Resolves once every settle this gate has started has reached the guard (or given up). Settling is
   * write-behind — the call's answer does not wait for the bookkeeping, and until it lands the reservation holds
   * the worst-case estimate, so the ledger over-counts, never under-counts — and activities await drain()
   * before they complete, so the ledger is exact when they return.
   */
  drain(): Promise<void>;
}
