// The upgrade workflow's state and how it shows itself: the status/report queries, the typed search attributes
// and the Web UI's current details, all kept current from one place whenever the phase or the decision changes.
// Phase functions read and write it; update validators read it (requestView) to accept or refuse a request.
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { AnalysisContext } from '../../activities/contracts';
import type { AnalysisResult, SkippedAnalysis } from '../../domain/analysis';
import type { UpgradeDecision } from '../../domain/decision';
import type { DecisionEvidence } from '../../domain/upgrade-rules';
import type { RollbackProposal } from '../../domain/execution';
import type { RollbackPlan, UpgradePlan } from '../../domain/plan';
import type { ApiScanResult, ReadinessReport, ReleaseNotesExtract } from '../../domain/evidence';
import { currentDetailsMarkdown, upgradeHeadline } from '../../domain/status-render';
import type { RollbackRecord } from '../../domain/rollback';
import type { ClusterSnapshot } from '../../domain/snapshot';
import type { RequestView, RollbackRequest } from '../../domain/upgrade-requests';
import type {
  ApprovalState,
  BlockerOverride,
  UpgradeFailure,
  UpgradePhase,
  UpgradeReport,
  UpgradeStatus,
} from '../../domain/upgrade-report';
import { EKS_CLUSTER, EKS_TARGET_VERSION, UPGRADE_DECISION, UPGRADE_PHASE } from '../search-attributes';
import type { ValidUpgradeInput } from '../upgrade-messages';
import type { ExecutionTracker } from './tracker';

/** inventory, evidence, analysis, decision, approval, execution, soak, report. */
const TOTAL_STEPS = 8;
const STEPS_DONE: Record<UpgradePhase, number> = {
  inventory: 0,
  evidence: 1,
  analysis: 2,
  decision: 3,
  'awaiting-approval': 4,
  execution: 5,
  soak: 6,
  rollback: 7,
  report: 7,
  completed: 8,
  aborted: 8,
};

const MAX_NOTES = 50;

/** A rollback request accepted by its validator, waiting for the soak phase to decide it. */
export interface PendingRollback {
  request: RollbackRequest;
  requestedAt: string;
  verdict?: RollbackRecord;
}

export class UpgradeState {
  phase: UpgradePhase = 'inventory';
  currentVersion: string | undefined;
  releaseNotes?: ReleaseNotesExtract;
  apiScan?: ApiScanResult;
  readiness?: ReadinessReport;
  readonly analyses: AnalysisResult[] = [];
  readonly skipped: SkippedAnalysis[] = [];
  decision?: UpgradeDecision;
  approval: ApprovalState = 'not-requested';
  approvedBy?: string;
  override?: BlockerOverride;
  abortReason?: string;
  soakEndsAt?: string;
  readonly rollbacks: RollbackRecord[] = [];
  failure?: UpgradeFailure;
  execution = 'Not reached.';
  private readonly noteList: string[] = [];
  /** The plan (every mode), or why none could be made. */
  plan?: UpgradePlan;
  planError?: string;
  /** Execute mode: the upgrade's execution, and the rollback's once one runs. */
  upgradeRun?: ExecutionTracker;
  rollbackRun?: ExecutionTracker;
  rollbackPlan?: RollbackPlan;
  rollbackProposal?: RollbackProposal;
  /** The search attributes last upserted: each upsert is a history event, so only changes are sent. */
  private upserted = '';

  // Carried between phases, not reported: the inventory and the evidence the decision and analyses read.
  snapshot?: ClusterSnapshot;
  context?: AnalysisContext;
  evidence?: DecisionEvidence;
  /** Rollback requests waiting for (or holding) their verdict; the soak phase decides them in order. */
  readonly rollbackQueue: PendingRollback[] = [];
  /** Workflow time at which the soak window closes, and why it closed early (a ROLLBACK verdict). */
  soakEndsAtMs?: number;
  soakClosedBy?: string;
  /** Set once the run has stopped its work (completed, aborted or failed): waiting handlers answer then. */
  closed = false;

  constructor(
    readonly input: ValidUpgradeInput,
    readonly workflowId: string,
  ) {
    this.currentVersion = input.currentVersion;
  }

  status(): UpgradeStatus {
    const base = {
      clusterName: this.input.clusterName,
      targetVersion: this.input.targetVersion,
      phase: this.phase,
      progress: { done: STEPS_DONE[this.phase], total: TOTAL_STEPS },
      ...(this.currentVersion ? { currentVersion: this.currentVersion } : {}),
      ...(this.decision ? { decision: this.decision } : {}),
      ...(this.failure ? { failure: this.failure } : {}),
    };
    // The evidence lists are bounded (the rest is in fullReport): count what was found, not what was kept.
    const findingsCount =
      (this.apiScan?.findings.length ?? 0) +
      (this.apiScan?.findingsOmitted ?? 0) +
      (this.readiness?.findings.length ?? 0) +
      (this.readiness?.findingsOmitted ?? 0) +
      this.analyses.reduce((n, a) => n + a.findings.length, 0);
    return {
      ...base,
      workflowId: this.workflowId,
      findingsCount,
      approval: this.approval,
      costUsd: Math.round(this.analyses.reduce((sum, a) => sum + a.costUsd, 0) * 1e6) / 1e6,
      skippedAnalyses: [...this.skipped],
      rollbacks: [...this.rollbacks],
      headline: upgradeHeadline({
        ...base,
        ...(this.override ? { override: this.override } : {}),
        ...(this.upgradeRun ? { execution: this.upgradeRun.progress } : {}),
        ...(this.rollbackRun ? { rollbackExecution: this.rollbackRun.progress } : {}),
      }),
      mode: this.input.mode,
      ...(this.approvedBy ? { approvedBy: this.approvedBy } : {}),
      ...(this.override ? { override: this.override } : {}),
      ...(this.abortReason ? { abortReason: this.abortReason } : {}),
      ...(this.soakEndsAt ? { soakEndsAt: this.soakEndsAt } : {}),
      notes: [...this.noteList],
      ...(this.upgradeRun ? { execution: this.upgradeRun.progress } : {}),
      ...(this.rollbackProposal ? { rollbackProposal: this.rollbackProposal } : {}),
      ...(this.rollbackRun ? { rollbackExecution: this.rollbackRun.progress } : {}),
    };
  }

  report(): UpgradeReport {
    return {
      status: this.status(),
      ...(this.releaseNotes ? { releaseNotes: this.releaseNotes } : {}),
      ...(this.apiScan ? { apiScan: this.apiScan } : {}),
      ...(this.readiness ? { readiness: this.readiness } : {}),
      analyses: [...this.analyses],
      execution: this.execution,
      ...(this.plan ? { plan: this.plan } : {}),
      ...(this.planError ? { planError: this.planError } : {}),
      ...(this.rollbackPlan ? { rollbackPlan: this.rollbackPlan } : {}),
    };
  }

  /** The plan executing now: the rollback's while it runs, else the upgrade's while its phase runs. */
  activeRun(): ExecutionTracker | undefined {
    if (this.phase === 'rollback') return this.rollbackRun;
    if (this.phase === 'execution') return this.upgradeRun;
    return undefined;
  }

  /** What the update validators decide on. */
  requestView(): RequestView {
    return {
      phase: this.phase,
      approval: this.approval,
      ...(this.decision ? { decision: this.decision } : {}),
      ...(this.abortReason !== undefined ? { abortReason: this.abortReason } : {}),
      ...(this.soakEndsAtMs !== undefined ? { soakEndsAtMs: this.soakEndsAtMs } : {}),
      ...(this.soakClosedBy ? { soakClosedBy: this.soakClosedBy } : {}),
      pendingRollbacks: this.rollbackQueue.filter((r) => !r.verdict).length,
      mode: this.input.mode,
      ...(this.rollbackProposal ? { rollbackProposal: this.rollbackProposal.state } : {}),
      ...this.executionView(),
    };
  }

  private executionView(): Pick<RequestView, 'execution'> {
    const run = this.activeRun();
    if (!run) return {};
    const p = run.progress;
    return {
      execution: {
        kind: p.kind,
        waits: [...p.waits],
        pauseRequested: p.pauseRequested !== undefined,
        running: run.running(),
        stepKinds: Object.fromEntries(p.steps.map((st) => [st.stepId, st.kind])),
      },
    };
  }

  /** Moves to a phase and tells the Web UI (search attributes, current details). */
  enter(phase: UpgradePhase): void {
    this.phase = phase;
    this.publish();
  }

  /** Pushes the current state to the search attributes and the current details. */
  publish(): void {
    const key = `${this.phase}|${this.decision?.verdict ?? ''}`;
    if (key !== this.upserted) {
      this.upserted = key;
      upsertSearchAttributes([
        { key: EKS_CLUSTER, value: this.input.clusterName },
        { key: EKS_TARGET_VERSION, value: this.input.targetVersion },
        { key: UPGRADE_PHASE, value: this.phase },
        ...(this.decision ? [{ key: UPGRADE_DECISION, value: this.decision.verdict }] : []),
      ]);
    }
    // Current details are read by a query: setting them adds no history event.
    setCurrentDetails(currentDetailsMarkdown(this.status()));
  }

  /** Where the execution acts: the cluster, in the input's region or the inventory's. */
  executionTarget(): { clusterName: string; region: string } | undefined {
    const region = this.input.region ?? this.snapshot?.cluster.region;
    return region ? { clusterName: this.input.clusterName, region } : undefined;
  }

  /** Records a note; bounded, since requests from outside can add them. */
  note(text: string): void {
    if (this.noteList.length < MAX_NOTES) this.noteList.push(text);
    else if (this.noteList.length === MAX_NOTES)
      this.noteList.push(`… further notes dropped (more than ${MAX_NOTES}).`);
  }

  /** A method, not a property test, so TypeScript does not narrow it across awaits (an update changes it). */
  isAborted(): boolean {
    return this.abortReason !== undefined;
  }

  /** True once the daily Bedrock budget refused a call of this workflow (the rest of this phase is not tried). */
  budgetExhausted(): boolean {
    return this.skipped.some((s) => s.errorType === 'BedrockCostThresholdError');
  }

  /** The inventory's results, which every later phase needs; a phase reached without them is a bug. */
  inventory(): { snapshot: ClusterSnapshot; context: AnalysisContext } {
    if (!this.snapshot || !this.context) throw new Error('the inventory phase has not run');
    return { snapshot: this.snapshot, context: this.context };
  }

  /** Whether the approval lets the upgrade go on to execution and the soak window. */
  goAhead(): boolean {
    return this.approval === 'approved' || this.approval === 'auto-approved';
  }
}
