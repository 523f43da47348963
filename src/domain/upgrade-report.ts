// The state of one upgrade as the client, the Web UI and the report see it: plain data, shared by the upgrade
// workflow (which builds it), the report renderer and the CLI.
import type { AnalysisResult, SkippedAnalysis } from './analysis';
import type { UpgradeDecision } from './decision';
import type { ApiScanResult, ReadinessReport, ReleaseNotesExtract } from './evidence';
import type { RollbackRecord } from './rollback';

export type UpgradePhase =
  | 'inventory'
  | 'evidence'
  | 'analysis'
  | 'decision'
  | 'awaiting-approval'
  | 'execution'
  | 'soak'
  | 'report'
  | 'completed'
  | 'aborted';

export interface UpgradeStatus {
  workflowId: string;
  clusterName: string;
  currentVersion?: string;
  targetVersion: string;
  phase: UpgradePhase;
  progress: { done: number; total: number };
  findingsCount: number;
  decision?: UpgradeDecision;
  approval: 'pending' | 'approved' | 'auto-approved' | 'aborted' | 'not-requested' | 'timed-out';
  costUsd: number;
  skippedAnalyses: SkippedAnalysis[];
  rollbacks: RollbackRecord[];
  /** One line for lists and the Web UI, e.g. "prod-east 1.30→1.31: NO_GO (2 blockers)". */
  headline: string;
  mode: 'analyze' | 'execute';
  approvedBy?: string;
  abortReason?: string;
  /** When the soak window closes (ISO time), once it is open. */
  soakEndsAt?: string;
  /** Things worth knowing that are not findings: ignored signals, version mismatches, evidence that failed. */
  notes: string[];
}

export interface UpgradeReport {
  status: UpgradeStatus;
  releaseNotes?: ReleaseNotesExtract;
  apiScan?: ApiScanResult;
  readiness?: ReadinessReport;
  analyses: AnalysisResult[];
  execution: string;
}
