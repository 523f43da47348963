// The activity interfaces the workflows are written against (workflows import these as types only), and the
// permit gate every Bedrock call passes through. Implementations are built by factories from their deps.
import type { AnalysisResult } from '../domain/analysis';
import type { ApiScanResult, ReadinessReport, ReleaseNotesExtract } from '../domain/evidence';
import type { DriftItem, EksUpdateError } from '../domain/execution';
import type {
  ExpectedState,
  RollbackPlan,
  StepChange,
  UpgradePlan,
  ExecutedStepRecord,
  PlanOptions,
} from '../domain/plan';
import type { ClusterSnapshot } from '../domain/snapshot';
import type { UpgradeConfig } from '../domain/suppressions';

/** The IAM role the worker assumes to read a cluster in another account: its ARN and the STS session name. */
export interface ClusterRole {
  roleArn: string;
  sessionName: string;
}

/** Where the cluster inventory comes from. */
export type InventorySource = (
  { kind: 'snapshot'; path: string } | { kind: 'eks'; clusterName: string; region: string; role?: ClusterRole }
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
    /** .eks-upgrade.yaml: suppressions (applied to the findings) and extra API versions. */
    config?: UpgradeConfig;
  }): Promise<ApiScanResult>;
  checkClusterReadiness(input: {
    snapshot: ClusterSnapshot;
    targetVersion: string;
    manifestPaths: string[];
    /** .eks-upgrade.yaml: suppressions (applied to the findings) and per-check knobs. */
    config?: UpgradeConfig;
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

/** Which EKS cluster the execution activities act on. */
export interface ExecutionTarget {
  clusterName: string;
  region: string;
}

export type ControlPlaneChange = Extract<StepChange, { kind: 'control-plane-version' }>;
export type AddonChange = Extract<StepChange, { kind: 'addon-version' }>;
export type NodegroupVersionChange = Extract<StepChange, { kind: 'nodegroup-version' }>;
export type NodegroupConfigChange = Extract<StepChange, { kind: 'nodegroup-config' }>;

/** One automated plan step: exactly one EKS update, however often the activity is retried or its worker dies. */
export interface EksStepInput<C> {
  target: ExecutionTarget;
  /** The plan step's id; with the workflow id and `round` it makes the update's clientRequestToken. */
  stepId: string;
  change: C;
  /**
   * The operator's retry round (0 the first time, +1 for each `retry` decision after a failed update). Part of the
   * token, so a retry after a Failed update issues a new one; never the activity's attempt number.
   */
  round: number;
  /**
   * What makes this execution's tokens its own beyond the workflow id: the workflow passes
   * workflowInfo().firstExecutionRunId, so a later upgrade run under the same workflow id (after a rollback, say)
   * never resends an old token and gets an old update back. Stable across attempts and continue-as-new.
   */
  tokenScope?: string;
  /**
   * EKS `force`: a node group terminates pods its PDBs keep from draining, the control plane skips the readiness
   * insights; for an add-on it means resolveConflicts OVERWRITE. Operator decision, audited by the workflow.
   */
  force?: boolean;
  /** DescribeUpdate every this long (default 30 s); tests shrink it. The heartbeat timeout should be ≥ 2× this. */
  pollIntervalMs?: number;
}

// Plain data shared with the domain's execution record (src/domain/execution.ts).
export type { DriftItem, DriftKind, EksUpdateError } from '../domain/execution';

/** How a step ended. A Failed or Cancelled update is a result (the workflow asks the operator), not an exception. */
export type EksStepResult =
  | {
      outcome: 'succeeded';
      updateId: string;
      updateType: string;
      /** The update's createdAt, and when its end was seen (EKS gives no end time). */
      startedAt: string;
      endedAt: string;
      /** True when this attempt found the update already running (a retry, a worker death, a 409) instead of starting it. */
      adopted: boolean;
      /** DescribeUpdate polls made by this attempt. */
      polls: number;
    }
  | {
      outcome: 'already-done';
      /** What EKS shows, e.g. "cluster version 1.32". */
      observed: string;
      /** The newest successful matching update, when one is listed (e.g. it finished while no worker watched). */
      updateId?: string;
      startedAt?: string;
    }
  | {
      outcome: 'failed';
      updateId: string;
      updateType: string;
      updateStatus: 'Failed' | 'Cancelled';
      errors: EksUpdateError[];
      startedAt: string;
      endedAt: string;
      adopted: boolean;
      polls: number;
    };

export interface PreflightInput {
  target: ExecutionTarget;
  /** The state the plan assumes right now (expectedStateBefore(plan, stage)). */
  expected: ExpectedState;
  /** The plan's end state (expectedStateAfter(plan)), to mark drift that is already at the target. */
  final?: ExpectedState;
}

export interface PreflightResult {
  ok: boolean;
  drift: DriftItem[];
  observed: {
    clusterVersion: string;
    clusterStatus: string;
    runningUpdates: Array<{ resource: string; updateId: string; type: string }>;
  };
}

export interface RollbackReadinessInput {
  target: ExecutionTarget;
  /** Poll DescribeInsightsRefresh every this long (default 10 s). */
  pollIntervalMs?: number;
}

export interface RollbackReadinessResult {
  /** Every ROLLBACK_READINESS insight passing (ERROR and UNKNOWN block; WARNING does not). */
  ready: boolean;
  blocking: Array<{ id: string; name: string; status: string; reason?: string }>;
  refreshStatus: string;
}

/** The execution activities the upgrade workflow calls (src/activities/eks-execution). */
export interface ExecutionActivities {
  /** Re-reads the cluster: ACTIVE, no update running, versions as `expected`; differences are drift, not errors. */
  preflightCluster(input: PreflightInput): Promise<PreflightResult>;
  updateControlPlaneVersion(input: EksStepInput<ControlPlaneChange>): Promise<EksStepResult>;
  updateAddonVersion(input: EksStepInput<AddonChange>): Promise<EksStepResult>;
  updateNodegroupVersion(input: EksStepInput<NodegroupVersionChange>): Promise<EksStepResult>;
  updateNodegroupConfig(input: EksStepInput<NodegroupConfigChange>): Promise<EksStepResult>;
  /** StartInsightsRefresh, then the ROLLBACK_READINESS insights: may the control plane go back? */
  checkRollbackReadiness(input: RollbackReadinessInput): Promise<RollbackReadinessResult>;
}

/** An executed step's outcome, by step id (ExecutedStepRecord without the step itself). */
export type StepOutcomeRecord = Omit<ExecutedStepRecord, 'step'> & { stepId: string };

/**
 * Planning. Pure work, but run as activities so that the plan an execution follows is recorded in its history once:
 * a worker deployed later with other planning rules replays the same steps (docs/operations.md).
 */
export interface PlanningActivities {
  /** buildUpgradePlan; a target that is not the next minor, or bad options, fail as PlanInputError (non-retryable). */
  planUpgrade(input: { snapshot: ClusterSnapshot; targetVersion: string; options: PlanOptions }): Promise<UpgradePlan>;
  /**
   * buildRollbackPlan at the worker's clock (the 7-day control-plane window is judged against it), from the records
   * of the executed upgrade.
   */
  planRollback(input: {
    plan: UpgradePlan;
    /** How each step of `plan` ended (by id: the plan is not sent twice). */
    outcomes: StepOutcomeRecord[];
    nodegroupDowngrade?: 'try' | 'manual';
  }): Promise<{ plan: RollbackPlan; plannedAt: string }>;
}
