// The campaign workflow's query and operator Updates. Each Update has a synchronous validator that refuses, with
// the reason, what cannot apply now (nothing to continue, an unknown cluster, a campaign already over); a handler
// changes the state and marks it touched, so the main loop wakes and acts on it.
import { setHandler } from '@temporalio/workflow';
import type { CampaignActivities } from '../activities/campaign';
import {
  PATH_FINISHED,
  HOP_IN_FLIGHT,
  stopFirings,
  type ClusterProgress,
  type HopProgress,
} from '../domain/campaign-progress';
import {
  abortCampaignUpdate,
  approveUpgradesUpdate,
  campaignStatusQuery,
  continueUpdate,
  pauseUpdate,
  resumeUpdate,
  skipClusterUpdate,
  type ByWhom,
} from './campaign-messages';
import type { CampaignState } from './campaign-state';

export interface CampaignHandlerDeps {
  /** Wakes the main loop. */
  touched: () => void;
  /** The activity that approves upgrades through their own approve Update. */
  approveUpgradeHops: CampaignActivities['approveUpgradeHops'];
}

export function registerCampaignHandlers(state: CampaignState, deps: CampaignHandlerDeps): void {
  const carry = state.carry;
  const { touched } = deps;
  const over = () => {
    if (state.isFinished() || state.isAborting()) throw new Error(`campaign ${state.plan.name} is over or aborting`);
  };
  setHandler(campaignStatusQuery, () => state.status());
  setHandler(
    continueUpdate,
    ({ by, reason }) => {
      const progress = state.waveProgress;
      const wave = state.wave;
      if (state.stopped.length > 0 && progress && wave) {
        progress.stopsAcknowledged = stopFirings(wave, carry.clusters);
        const lifted = state.stopped;
        state.stopped = [];
        state.record({ action: 'continue', by, ...(reason ? { reason } : {}) });
        touched();
        return `stop lifted (${lifted.join('; ')}); wave ${wave.name} goes on`;
      }
      carry.gatePassed = true;
      state.record({ action: 'continue', by, ...(reason ? { reason } : {}) });
      touched();
      const next = state.plan.waves[carry.waveIndex + 1];
      return `gate of wave ${wave?.name ?? '?'} passed${next ? `: wave ${next.name} starts` : ''}`;
    },
    {
      validator: (_request) => {
        over();
        if (state.stopped.length === 0 && state.waveProgress?.state !== 'at-gate')
          throw new Error(
            `nothing to continue: campaign ${state.plan.name} is ${state.phase()} in wave ${state.wave?.name ?? '?'} (neither stopped nor at a gate)`,
          );
      },
    },
  );
  setHandler(
    skipClusterUpdate,
    ({ cluster: name, by, reason }) => {
      const c = state.cluster(name) as ClusterProgress;
      for (const hop of c.hops) {
        if (HOP_IN_FLIGHT.has(hop.state) && hop.runId)
          carry.pendingAborts.push({
            workflowId: hop.workflowId,
            runId: hop.runId,
            reason: `skipped in campaign ${state.plan.name} by ${by}${reason ? `: ${reason}` : ''}`,
          });
        if (hop.state === 'pending' || HOP_IN_FLIGHT.has(hop.state)) hop.state = 'skipped';
      }
      c.path = 'skipped';
      c.note = `skipped by ${by}${reason ? `: ${reason}` : ''}`;
      state.record({ action: 'skip-cluster', by, cluster: name, ...(reason ? { reason } : {}) });
      touched();
      return `${name} skipped${c.hops.some((h) => h.state === 'skipped' && h.runId) ? ' (its running upgrade is aborted)' : ''}`;
    },
    {
      validator: ({ cluster: name }: ByWhom & { cluster: string }) => {
        over();
        const c = state.cluster(name);
        if (!c) throw new Error(`no cluster named '${name}' in campaign ${state.plan.name}`);
        if (PATH_FINISHED.has(c.path)) throw new Error(`${name} is already ${c.path}: nothing to skip`);
      },
    },
  );
  setHandler(
    abortCampaignUpdate,
    ({ by, reason }) => {
      carry.abortReason = `${reason} (by ${by})`;
      state.record({ action: 'abort', by, reason });
      touched();
      return `aborting campaign ${state.plan.name}: upgrades in flight are aborted, nothing new starts`;
    },
    {
      validator: ({ reason }: ByWhom & { reason: string }) => {
        over();
        if (!reason.trim()) throw new Error('say why the campaign is aborted');
      },
    },
  );
  setHandler(
    pauseUpdate,
    ({ by, reason }) => {
      carry.paused = true;
      state.record({ action: 'pause', by, ...(reason ? { reason } : {}) });
      touched();
      return `paused: no new upgrade starts and no gate opens until resume; upgrades in flight go on`;
    },
    {
      validator: (_request) => {
        over();
        if (carry.paused) throw new Error(`campaign ${state.plan.name} is already paused`);
      },
    },
  );
  setHandler(
    resumeUpdate,
    ({ by, reason }) => {
      carry.paused = false;
      state.record({ action: 'resume', by, ...(reason ? { reason } : {}) });
      touched();
      return 'resumed';
    },
    {
      validator: (_request) => {
        over();
        if (!carry.paused) throw new Error(`campaign ${state.plan.name} is not paused`);
      },
    },
  );
  const approvable = (clusters?: string[]): HopProgress[] => {
    const pool = clusters ? carry.clusters.filter((c) => clusters.includes(c.name)) : state.waveClusters();
    return pool.flatMap((c) => c.hops.filter((h) => h.state === 'awaiting-approval' && h.verdict !== 'NO_GO'));
  };
  setHandler(
    approveUpgradesUpdate,
    async ({ by, reason, clusters }) => {
      const hops = approvable(clusters);
      const result = await deps.approveUpgradeHops({
        hops: hops.flatMap((h) => (h.runId ? [{ workflowId: h.workflowId, runId: h.runId }] : [])),
        campaignId: state.campaignId,
        by: `${by} via campaign ${state.plan.name}`,
        ...(reason ? { comment: reason } : {}),
      });
      for (const h of hops)
        if (result.approved.includes(h.workflowId) && h.state === 'awaiting-approval') {
          h.state = 'approved';
          h.note = `approved by ${by} via the campaign${reason ? `: ${reason}` : ''}`;
        }
      touched();
      return state.record({
        action: 'approve',
        by,
        ...(reason ? { reason } : {}),
        approved: result.approved,
        refused: result.refused.map((r) => `${r.workflowId}: ${r.reason}`),
      });
    },
    {
      validator: ({ clusters }: ByWhom & { clusters?: string[] }) => {
        over();
        for (const name of clusters ?? [])
          if (!state.cluster(name)) throw new Error(`no cluster named '${name}' in campaign ${state.plan.name}`);
        if (approvable(clusters).length === 0)
          throw new Error(
            `no upgrade ${clusters ? `of ${clusters.join(', ')} ` : `in wave ${state.wave?.name ?? '?'} `}waits for approval (NO_GO decisions are never approved through the campaign)`,
          );
      },
    },
  );
}
