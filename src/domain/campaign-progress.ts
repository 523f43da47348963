// Where a campaign stands: each cluster's path and hops, each wave's state, and the pure rules the campaign workflow
// applies — which hop starts next, when a stop condition fires, whether a wave's gate opens, the one-line details.
import type { CampaignPlan, PlannedWave } from './campaign-plan';
import type { UpgradeVerdict } from './analysis';

export type HopState =
  | 'pending'
  | 'running'
  /** Decided, waiting at the upgrade's own approval gate. */
  | 'awaiting-approval'
  /** Approved (by the campaign, the upgrade's auto-approval, or a person); running to its end. */
  | 'approved'
  | 'completed'
  /** Decided NO_GO: the cluster's path stops here. */
  | 'no-go'
  /** Ended without approval: aborted, or the approval timed out. */
  | 'not-approved'
  /** The workflow failed, was terminated, timed out, or could not be started. */
  | 'failed'
  | 'skipped';

export interface HopProgress {
  from: string;
  to: string;
  workflowId: string;
  runId?: string;
  state: HopState;
  verdict?: UpgradeVerdict;
  /** Blocker codes of the decision, e.g. ['API001', 'EKS002']. */
  blockerCodes?: string[];
  costUsd?: number;
  approval?: string;
  startedAt?: string;
  endedAt?: string;
  /** Why it ended as it did (failure cause, abort reason, who approved). */
  note?: string;
}

export type PathState = 'pending' | 'running' | 'done' | 'up-to-date' | 'stopped' | 'failed' | 'skipped';

export interface ClusterProgress {
  name: string;
  wave: number;
  path: PathState;
  currentVersion: string;
  hops: HopProgress[];
  note?: string;
}

export type WaveState = 'pending' | 'running' | 'baking' | 'at-gate' | 'done';

export interface WaveProgress {
  name: string;
  state: WaveState;
  startedAt?: string;
  endedAt?: string;
  bakeUntil?: string;
  /** Stop-condition firings the operator answered with `continue` (a new firing stops the campaign again). */
  stopsAcknowledged: number;
}

const RANK: Record<UpgradeVerdict, number> = { GO: 0, GO_WITH_CAUTION: 1, NO_GO: 2 };

export const PATH_FINISHED: ReadonlySet<PathState> = new Set(['done', 'up-to-date', 'stopped', 'failed', 'skipped']);
export const HOP_IN_FLIGHT: ReadonlySet<HopState> = new Set(['running', 'awaiting-approval', 'approved']);

export function initialClusters(plan: CampaignPlan, hopWorkflowId: (cluster: string, to: string) => string) {
  return plan.clusters.map((c): ClusterProgress => ({
    name: c.name,
    wave: c.wave,
    path: c.hops.length === 0 ? 'up-to-date' : 'pending',
    currentVersion: c.currentVersion,
    hops: c.hops.map((h) => ({ ...h, workflowId: hopWorkflowId(c.name, h.to), state: 'pending' })),
  }));
}

/** The strictest verdict along a cluster's path so far. */
export function clusterVerdict(c: ClusterProgress): UpgradeVerdict | undefined {
  let worst: UpgradeVerdict | undefined;
  for (const h of c.hops) if (h.verdict && (!worst || RANK[h.verdict] > RANK[worst])) worst = h.verdict;
  return worst;
}

export interface VerdictCounts {
  GO: number;
  GO_WITH_CAUTION: number;
  NO_GO: number;
  failed: number;
  running: number;
  pending: number;
  skipped: number;
  upToDate: number;
}

/** Counts per cluster (its path's strictest verdict; failed and skipped paths apart). */
export function countVerdicts(clusters: readonly ClusterProgress[]): VerdictCounts {
  const n: VerdictCounts = {
    GO: 0,
    GO_WITH_CAUTION: 0,
    NO_GO: 0,
    failed: 0,
    running: 0,
    pending: 0,
    skipped: 0,
    upToDate: 0,
  };
  for (const c of clusters) {
    if (c.path === 'failed') n.failed++;
    else if (c.path === 'skipped') n.skipped++;
    else if (c.path === 'up-to-date') n.upToDate++;
    else {
      const v = clusterVerdict(c);
      if (v) n[v]++;
      else if (c.path === 'pending') n.pending++;
      else n.running++;
    }
  }
  return n;
}

/** "prod-fleet → 1.32: wave 2/3 — 14 GO, 2 GO_WITH_CAUTION, 3 NO_GO, 1 failed". */
export function campaignHeadline(
  plan: Pick<CampaignPlan, 'name' | 'targetVersion' | 'waves'>,
  waveIndex: number,
  clusters: readonly ClusterProgress[],
): string {
  const n = countVerdicts(clusters);
  const parts = [`${n.GO} GO`, `${n.GO_WITH_CAUTION} GO_WITH_CAUTION`, `${n.NO_GO} NO_GO`, `${n.failed} failed`];
  if (n.skipped > 0) parts.push(`${n.skipped} skipped`);
  const wave = Math.min(waveIndex + 1, plan.waves.length);
  return `${plan.name} → ${plan.targetVersion}: wave ${wave}/${plan.waves.length} — ${parts.join(', ')}`;
}

/** Why the wave's stop conditions fire now (empty when they do not). */
export function stopReasons(wave: PlannedWave, clusters: readonly ClusterProgress[]): string[] {
  const inWave = clusters.filter((c) => wave.clusters.includes(c.name));
  const reasons: string[] = [];
  if (wave.stopOn.noGo) {
    const noGo = inWave.filter((c) => c.hops.some((h) => h.verdict === 'NO_GO'));
    if (noGo.length > 0)
      reasons.push(`NO_GO in wave ${wave.name}: ${noGo.map((c) => c.name).join(', ')} (stopOn.noGo)`);
  }
  if (wave.stopOn.failedPercent !== undefined && inWave.length > 0) {
    const failed = inWave.filter((c) => c.path === 'failed');
    const percent = (failed.length * 100) / inWave.length;
    if (failed.length > 0 && percent > wave.stopOn.failedPercent)
      reasons.push(
        `${failed.length} of ${inWave.length} upgrades failed in wave ${wave.name} (${percent.toFixed(0)} % > stopOn.failedPercent ${wave.stopOn.failedPercent} %): ${failed.map((c) => c.name).join(', ')}`,
      );
  }
  return reasons;
}

/** How many times the stop conditions have fired: one per NO_GO cluster, plus one while failures exceed the share. */
export function stopFirings(wave: PlannedWave, clusters: readonly ClusterProgress[]): number {
  const inWave = clusters.filter((c) => wave.clusters.includes(c.name));
  let n = wave.stopOn.noGo ? inWave.filter((c) => c.hops.some((h) => h.verdict === 'NO_GO')).length : 0;
  if (wave.stopOn.failedPercent !== undefined && inWave.length > 0) {
    const failed = inWave.filter((c) => c.path === 'failed').length;
    if (failed > 0 && (failed * 100) / inWave.length > wave.stopOn.failedPercent) n += failed;
  }
  return n;
}

/** An `auto` gate opens when every cluster of the wave decided GO on every hop (skipped and up-to-date ones aside). */
export function autoGateBlockers(wave: PlannedWave, clusters: readonly ClusterProgress[]): string[] {
  return clusters
    .filter((c) => wave.clusters.includes(c.name) && c.path !== 'skipped' && c.path !== 'up-to-date')
    .filter((c) => c.path !== 'done' || c.hops.some((h) => h.verdict !== 'GO'))
    .map((c) => `${c.name} (${clusterVerdict(c) ?? c.path})`);
}

/** The cluster's next hop to start: the first pending one, once every earlier hop completed approved. */
export function nextHop(c: ClusterProgress): HopProgress | undefined {
  for (const h of c.hops) {
    if (h.state === 'completed') continue;
    return h.state === 'pending' ? h : undefined;
  }
  return undefined;
}

/** Updates a cluster's path state from its hops. */
export function settlePath(c: ClusterProgress): void {
  if (c.path === 'skipped' || c.path === 'up-to-date') return;
  if (c.hops.every((h) => h.state === 'completed')) c.path = 'done';
  else if (c.hops.some((h) => h.state === 'failed')) c.path = 'failed';
  else if (c.hops.some((h) => h.state === 'no-go' || h.state === 'not-approved' || h.state === 'skipped'))
    c.path = 'stopped';
  else if (c.hops.some((h) => h.state !== 'pending')) c.path = 'running';
}
