// Messages of the campaign workflow, shared by the workflow and the client: its input, its status, the operator's
// Updates (each with a validator, so a request that cannot apply is refused with the reason) and the query.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { roleSessionName } from '../domain/aws-role';
import type { CampaignPlan, PlannedCluster, PlannedWave } from '../domain/campaign-plan';
import type { ClusterProgress, VerdictCounts, WaveProgress } from '../domain/campaign-progress';
import type { UpgradeInput } from './upgrade-messages';

export interface CampaignOptions {
  /** How often the watcher reads the upgrades in flight (default 2 s). */
  pollIntervalMs?: number;
  /** Longest a watcher activity waits before reporting "no change" (default 5 min). */
  watchMaxMs?: number;
  /** Continue-as-new after this many history events (default: when Temporal suggests it). Tests force it small. */
  continueAsNewAfterEvents?: number;
}

export interface CampaignInput {
  plan: CampaignPlan;
  /** Task queue of the upgrade workflows the campaign starts. */
  upgradeTaskQueue: string;
  startedBy?: string;
  options?: CampaignOptions;
  /** Set by continue-as-new: where the previous run left off. */
  carried?: CampaignCarry;
}

export interface OperatorAction {
  at: string;
  action: 'continue' | 'skip-cluster' | 'abort' | 'pause' | 'resume' | 'approve';
  by: string;
  reason?: string;
  /** approve: the upgrades approved (workflow ids) and those that refused. */
  approved?: string[];
  refused?: string[];
  cluster?: string;
}

export type CampaignPhase = 'running' | 'paused' | 'stopped' | 'baking' | 'at-gate' | 'completed' | 'aborted';

export interface CampaignCarry {
  clusters: ClusterProgress[];
  waves: WaveProgress[];
  waveIndex: number;
  paused: boolean;
  abortReason?: string;
  actions: OperatorAction[];
  startedAt: string;
  /** Runs so far (continue-as-new increments it). */
  run: number;
  /** workflowInfo().firstExecutionRunId of the first run: part of every hop's start token. */
  campaignRunId: string;
  /** The current wave's gate was passed by `continue`. */
  gatePassed: boolean;
  /** Upgrades to abort (skipped clusters, NO_GO paths), with why. */
  pendingAborts: Array<{ workflowId: string; runId: string; reason: string }>;
}

export interface CampaignStatus {
  campaignId: string;
  name: string;
  description?: string;
  targetVersion: string;
  mode: 'analyze' | 'execute';
  phase: CampaignPhase;
  /** "prod-fleet → 1.32: wave 2/3 — 14 GO, 2 GO_WITH_CAUTION, 3 NO_GO, 1 failed". */
  headline: string;
  waveIndex: number;
  waves: Array<Omit<PlannedWave, 'clusters'> & WaveProgress & { clusterCount: number }>;
  clusters: ClusterProgress[];
  counts: VerdictCounts;
  /** Why the campaign is stopped (stop conditions), when it is. */
  stopReasons: string[];
  /** Why an auto gate did not open, when the campaign waits at a gate. */
  gateBlockers: string[];
  actions: OperatorAction[];
  startedAt: string;
  endedAt?: string;
  abortReason?: string;
  run: number;
  historyLength: number;
}

export type CampaignReport = CampaignStatus;

export interface ByWhom {
  by: string;
  reason?: string;
}

export const campaignStatusQuery = defineQuery<CampaignStatus>('status');
/** Lifts a stop or passes a manual gate; the answer says what happens next. */
export const continueUpdate = defineUpdate<string, [ByWhom]>('continue');
/** Leaves a cluster out: a pending one is not started, a running upgrade is aborted. */
export const skipClusterUpdate = defineUpdate<string, [ByWhom & { cluster: string }]>('skip-cluster');
/** Aborts every upgrade in flight and ends the campaign. */
export const abortCampaignUpdate = defineUpdate<string, [ByWhom & { reason: string }]>('abort');
export const pauseUpdate = defineUpdate<string, [ByWhom]>('pause');
export const resumeUpdate = defineUpdate<string, [ByWhom]>('resume');
/**
 * Approves upgrades waiting at their own gate in the current wave (all, or the clusters named), through each
 * upgrade's approve message; recorded with who and why. NO_GO upgrades are never approved this way.
 */
export const approveUpgradesUpdate = defineUpdate<OperatorAction, [ByWhom & { clusters?: string[] }]>('approve');

/** Memo key on every upgrade a campaign starts: ties the run to the campaign run and hop, so a retry adopts it. */
export const CAMPAIGN_HOP_MEMO = 'campaignHop';

export function hopToken(campaignId: string, campaignRunId: string, cluster: string, to: string): string {
  return `${campaignId}/${campaignRunId}/${cluster}/${to}`;
}

/** The upgrade input of one hop of a cluster's path. */
export function hopUpgradeInput(plan: CampaignPlan, cluster: PlannedCluster, hopIndex: number): UpgradeInput {
  const hop = cluster.hops[hopIndex];
  if (!hop) throw new Error(`cluster ${cluster.name} has no hop ${hopIndex}`);
  // Analyze mode: the earlier hops did not change the cluster, so a later hop reads it as they would leave it.
  const assume = plan.mode === 'analyze' && hopIndex > 0 ? { assumeUpgradedTo: hop.from } : {};
  const inventory: UpgradeInput['inventory'] =
    cluster.inventory.kind === 'snapshot'
      ? { kind: 'snapshot', path: cluster.inventory.path, ...assume }
      : { kind: 'eks', ...assume };
  const releaseNotes: UpgradeInput['releaseNotes'] =
    plan.releaseNotes === 'changelog'
      ? { kind: 'kubernetes-changelog' }
      : plan.releaseNotes === 'none'
        ? { kind: 'none' }
        : { kind: 'file', path: plan.releaseNotes };
  return {
    clusterName: cluster.name,
    ...(cluster.region ? { region: cluster.region } : {}),
    // CloudTrail names the campaign and the hop behind every call made with the cluster's role.
    ...(cluster.roleArn
      ? { roleArn: cluster.roleArn, roleSessionName: roleSessionName([plan.name, `${cluster.name}-${hop.to}`]) }
      : {}),
    currentVersion: hop.from,
    targetVersion: hop.to,
    inventory,
    manifestPaths: cluster.manifests,
    releaseNotes,
    mode: plan.mode,
    // `auto` approves a GO at the upgrade's own gate; anything else waits there for `campaign approve` or a person.
    approval: plan.waves[cluster.wave]?.upgradeApproval ?? 'manual',
    aiAnalysis: plan.aiAnalysis,
    soakWindowMs: plan.soakWindowMs,
    approvalTimeoutMs: plan.approvalTimeoutMs,
    ...(plan.analysisHeartbeatTimeoutMs !== undefined
      ? { analysisHeartbeatTimeoutMs: Math.max(1000, plan.analysisHeartbeatTimeoutMs) }
      : {}),
  };
}
