// The state of one upgrade as the client, the Web UI and the report see it: plain data, shared by the upgrade
// workflow (which builds it), the report renderer and the CLI. Its phase, status, failure and report.
import type { AnalysisResult, SkippedAnalysis } from './analysis';
import type { UpgradeDecision } from './decision';
import type { ApiScanResult, ReadinessReport, ReleaseNotesExtract } from './evidence';
import type { ExecutionProgress, RollbackProposal } from './execution';
import type { RollbackPlan, UpgradePlan } from './plan';
import type { RollbackRecord } from './rollback';

export type UpgradePhase =
  | 'inventory'
  | 'evidence'
  | 'analysis'
  | 'decision'
  | 'awaiting-approval'
  | 'execution'
  | 'soak'
  /** An executed upgrade being undone (after a confirmed ROLLBACK verdict, or an operator's rollback decision). */
  | 'rollback'
  | 'report'
  | 'completed'
  | 'aborted';

/** The phases in the order the workflow runs them (the last two are alternative ends). */
export const UPGRADE_PHASES: readonly UpgradePhase[] = [
  'inventory',
  'evidence',
  'analysis',
  'decision',
  'awaiting-approval',
  'execution',
  'soak',
  'rollback',
  'report',
  'completed',
  'aborted',
];

export function isUpgradePhase(value: unknown): value is UpgradePhase {
  return typeof value === 'string' && (UPGRADE_PHASES as readonly string[]).includes(value);
}

export type ApprovalState = 'pending' | 'approved' | 'auto-approved' | 'aborted' | 'not-requested' | 'timed-out';

/** An approval given although the decision was NO_GO: who, why, and which blockers they accepted. */
export interface BlockerOverride {
  by: string;
  reason: string;
  /** The blocker codes the operator acknowledged (e.g. API001). */
  blockers: string[];
  at: string;
}

/** One link of a failure's cause chain, outermost first: the failure's type (if any) and its message. */
export interface FailureLink {
  /** ApplicationFailure type, or the failure class (ActivityFailure, TimeoutFailure, TerminatedFailure…). */
  type: string;
  message: string;
  /** For an activity failure: the activity that failed. */
  activity?: string;
}

/**
 * How an upgrade went wrong: a run that failed, was terminated, timed out or was cancelled, or one whose workflow
 * task keeps failing (e.g. a nondeterminism error after a deploy) while it still counts as running.
 */
export interface UpgradeFailure {
  kind: 'failed' | 'terminated' | 'timed-out' | 'cancelled' | 'workflow-task-failing';
  /** The phase the upgrade was in, when known. */
  phase?: UpgradePhase;
  /** The innermost cause: the activity's own failure type and message, where there is one. */
  type: string;
  message: string;
  /** The activity that failed, when the cause is an activity failure. */
  activity?: string;
  /** Outermost first; the last link is the innermost cause. */
  chain: FailureLink[];
}

export interface UpgradeStatus {
  workflowId: string;
  clusterName: string;
  currentVersion?: string;
  targetVersion: string;
  phase: UpgradePhase;
  progress: { done: number; total: number };
  findingsCount: number;
  decision?: UpgradeDecision;
  approval: ApprovalState;
  costUsd: number;
  skippedAnalyses: SkippedAnalysis[];
  rollbacks: RollbackRecord[];
  /** One line for lists and the Web UI, e.g. "prod-east 1.30→1.31: NO_GO (2 blockers)". */
  headline: string;
  mode: 'analyze' | 'execute';
  approvedBy?: string;
  /** Set when the approval overrode a NO_GO's blockers. */
  override?: BlockerOverride;
  abortReason?: string;
  /** When the soak window closes (ISO time), once it is open. */
  soakEndsAt?: string;
  /** Set when the upgrade failed: the phase and the innermost cause. */
  failure?: UpgradeFailure;
  /** Things worth knowing that are not findings: version mismatches, evidence that failed. */
  notes: string[];
  /** Execute mode: the upgrade's progress per stage and step (EKS update ids, times, errors, operator decisions). */
  execution?: ExecutionProgress;
  /** A ROLLBACK verdict's proposal after an executed upgrade, until confirmed. */
  rollbackProposal?: RollbackProposal;
  /** The rollback's progress, once it runs. */
  rollbackExecution?: ExecutionProgress;
}

export interface UpgradeReport {
  status: UpgradeStatus;
  releaseNotes?: ReleaseNotesExtract;
  apiScan?: ApiScanResult;
  readiness?: ReadinessReport;
  analyses: AnalysisResult[];
  /** What happened to the plan, in one paragraph (analyze mode: not executed, and why). */
  execution: string;
  /** The upgrade plan (every mode: the playbook), or why none could be made. */
  plan?: UpgradePlan;
  planError?: string;
  /** The rollback plan that was proposed or run. */
  rollbackPlan?: RollbackPlan;
}
