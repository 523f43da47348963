// The campaign workflow (`campaign-<name>`): a fleet in waves. Each wave starts its clusters' paths, at most
// maxParallel at a time; a path is one upgrade workflow per minor hop (`upgrade-<cluster>-<to>`), each with its own
// evidence, decision and approval, started by an activity that never starts a hop twice. One watcher activity
// follows every upgrade in flight and reports when one decides or ends. Stop conditions hold the campaign until
// the operator answers (`continue`, `skip-cluster`, `abort`: Updates with validators); after a wave comes its bake
// time, then its gate. The whole state continues as new whenever the history grows long.
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { CampaignActivities, HopObservation, KnownHopState } from '../activities/campaign';
import {
  autoGateBlockers,
  HOP_IN_FLIGHT,
  nextHop,
  settlePath,
  type ClusterProgress,
  type HopProgress,
} from '../domain/campaign-progress';
import { hopToken, hopUpgradeInput, type CampaignInput, type CampaignReport } from './campaign-messages';
import { registerCampaignHandlers } from './campaign-handlers';
import { CampaignState } from './campaign-state';

const control = proxyActivities<CampaignActivities>({
  // Quick calls to the Temporal API: a short timeout, so a call lost with its worker is soon tried again.
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    maximumAttempts: 20,
    nonRetryableErrorTypes: ['UpgradeAlreadyRunning', 'InvalidUpgradeInput'],
  },
});

// The upgrade's abort update answers once its running work has stopped (it waits up to a minute for that).
const aborter = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 20 },
});

interface Watch {
  key: string;
  scope: CancellationScope;
  done: boolean;
  changes: HopObservation[];
}

const now = () => new Date().toISOString();

export async function campaignWorkflow(input: CampaignInput): Promise<CampaignReport> {
  const info = workflowInfo();
  const state = new CampaignState(input, info.workflowId);
  const carry = state.carry;
  const pollIntervalMs = input.options?.pollIntervalMs ?? 2_000;
  const watchMaxMs = input.options?.watchMaxMs ?? 5 * 60_000;
  const watcher = proxyActivities<CampaignActivities>({
    startToCloseTimeout: watchMaxMs + 60_000,
    heartbeatTimeout: Math.max(10_000, pollIntervalMs * 5),
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
  });
  let dirty = false;
  const touched = () => {
    dirty = true;
  };

  registerCampaignHandlers(state, { touched, approveUpgradeHops: (request) => control.approveUpgradeHops(request) });

  /** Starts every hop that may start now: next hops of running paths, new paths up to maxParallel. */
  async function startReady(): Promise<void> {
    const wave = state.wave;
    if (!wave) return;
    const inWave = state.waveClusters();
    let running = inWave.filter((c) => c.path === 'running').length;
    const starts: Array<{ c: ClusterProgress; hop: HopProgress; index: number }> = [];
    for (const c of inWave) {
      const hop = nextHop(c);
      if (!hop || (c.path !== 'pending' && c.path !== 'running')) continue;
      if (c.path === 'pending') {
        if (running >= wave.maxParallel) continue;
        running++;
      }
      starts.push({ c, hop, index: c.hops.indexOf(hop) });
      hop.state = 'running';
      c.path = 'running';
    }
    await Promise.all(
      starts.map(async ({ c, hop, index }) => {
        const planned = state.plan.clusters.find((p) => p.name === c.name);
        try {
          if (!planned) throw new Error(`cluster ${c.name} is not in the plan`);
          const started = await control.startUpgradeHop({
            workflowId: hop.workflowId,
            taskQueue: input.upgradeTaskQueue,
            input: hopUpgradeInput(state.plan, planned, index),
            token: hopToken(state.campaignId, carry.campaignRunId, c.name, hop.to),
            campaignId: state.campaignId,
            wave: wave.name,
            ...(state.plan.analysisCache ? {} : { memo: { analysisCache: 'off' } }),
          });
          hop.runId = started.runId;
          hop.startedAt = started.startedAt;
          if (started.adopted) hop.note = 'start retried: the run started by the first attempt was taken over';
        } catch (err) {
          hop.state = 'failed';
          hop.note = `could not start: ${failureMessage(err)}`;
          hop.endedAt = now();
        }
        settlePath(c);
      }),
    );
  }

  function apply(changes: HopObservation[]): void {
    for (const o of changes) {
      const c = carry.clusters.find((x) => x.hops.some((h) => h.workflowId === o.workflowId && h.runId === o.runId));
      const hop = c?.hops.find((h) => h.workflowId === o.workflowId && h.runId === o.runId);
      if (!c || !hop || !HOP_IN_FLIGHT.has(hop.state)) continue;
      if (o.verdict) hop.verdict = o.verdict;
      if (o.blockerCodes) hop.blockerCodes = o.blockerCodes;
      if (o.costUsd !== undefined) hop.costUsd = o.costUsd;
      if (o.approval) hop.approval = o.approval;
      if (o.state === 'closed') {
        hop.endedAt = now();
        const approved = o.approval === 'approved' || o.approval === 'auto-approved';
        hop.state =
          o.closeStatus !== 'COMPLETED'
            ? 'failed'
            : o.verdict === 'NO_GO'
              ? 'no-go'
              : approved && o.phase === 'completed'
                ? 'completed'
                : 'not-approved';
        if (o.note) hop.note = o.note;
        else if (hop.state === 'not-approved') hop.note = `ended without approval (${o.approval ?? '?'})`;
      } else if (o.verdict === 'NO_GO') {
        hop.state = 'no-go';
        hop.note = `NO_GO (${(o.blockerCodes ?? []).join(', ') || 'no rule blocker'}): the path stops here`;
        carry.pendingAborts.push({
          workflowId: hop.workflowId,
          runId: o.runId,
          reason: `NO_GO stops ${c.name}'s path in campaign ${state.plan.name}`,
        });
      } else {
        hop.state = o.state;
      }
      settlePath(c);
    }
  }

  let watch: Watch | undefined;
  const stopWatching = () => {
    if (watch && !watch.done) watch.scope.cancel();
    watch = undefined;
  };
  /** One watcher over every upgrade in flight; a new one whenever that set (or what is known of it) changes. */
  function ensureWatcher(): Watch | undefined {
    const hops = carry.clusters.flatMap((c) =>
      c.hops.flatMap((h) =>
        HOP_IN_FLIGHT.has(h.state) && h.runId
          ? [{ workflowId: h.workflowId, runId: h.runId, known: h.state as KnownHopState }]
          : [],
      ),
    );
    const key = hops.map((h) => `${h.workflowId}:${h.known}`).join(',');
    if (watch && watch.key === key && !watch.done) return watch;
    stopWatching();
    if (hops.length === 0) return undefined;
    const scope = new CancellationScope();
    const w: Watch = { key, scope, done: false, changes: [] };
    scope
      .run(() =>
        watcher.watchUpgradeHops({ campaignId: state.campaignId, hops, pollIntervalMs, maxWaitMs: watchMaxMs }),
      )
      .then(
        (changes) => Object.assign(w, { done: true, changes }),
        () => Object.assign(w, { done: true, changes: [] }),
      );
    watch = w;
    return w;
  }

  async function abortPending(): Promise<void> {
    while (carry.pendingAborts.length > 0) {
      const batch = carry.pendingAborts.splice(0, carry.pendingAborts.length);
      for (const reason of new Set(batch.map((b) => b.reason))) {
        const { refused } = await aborter.abortUpgradeHops({
          hops: batch.filter((b) => b.reason === reason),
          campaignId: state.campaignId,
          by: `campaign ${state.plan.name}`,
          reason,
        });
        // Refused: the upgrade had already finished or was being aborted; the hop keeps its state, with why.
        for (const r of refused) {
          const hop = carry.clusters.flatMap((c) => c.hops).find((h) => h.workflowId === r.workflowId);
          if (hop) hop.note = `${hop.note ? `${hop.note}; ` : ''}abort not applied: ${r.reason}`;
        }
      }
    }
  }

  const suggestContinueAsNew = () => {
    const i = workflowInfo();
    const limit = input.options?.continueAsNewAfterEvents;
    return i.continueAsNewSuggested || (limit !== undefined && i.historyLength >= limit);
  };

  state.publish();
  for (;;) {
    dirty = false;
    if (state.isAborting()) {
      stopWatching();
      for (const c of carry.clusters) {
        for (const h of c.hops) {
          if (HOP_IN_FLIGHT.has(h.state) && h.runId)
            carry.pendingAborts.push({
              workflowId: h.workflowId,
              runId: h.runId,
              reason: `campaign aborted: ${carry.abortReason ?? ''}`,
            });
          if (HOP_IN_FLIGHT.has(h.state))
            Object.assign(h, { state: 'not-approved', note: 'aborted with the campaign' });
          else if (h.state === 'pending') h.state = 'skipped';
        }
        if (c.path === 'pending') c.path = 'skipped';
        settlePath(c);
      }
      await abortPending();
      break;
    }
    await abortPending();
    const wave = state.wave;
    const progress = state.waveProgress;
    if (!wave || !progress) break;
    if (progress.state === 'pending') Object.assign(progress, { state: 'running', startedAt: now() });

    if (progress.state === 'running') {
      state.checkStops();
      if (!carry.paused && state.stopped.length === 0) await startReady();
      state.checkStops();
      if (state.waveFinished() && state.stopped.length === 0) {
        progress.endedAt = now();
        if (carry.waveIndex === state.plan.waves.length - 1) {
          progress.state = 'done';
          carry.waveIndex++;
          continue;
        }
        if (wave.bakeTimeMs > 0)
          Object.assign(progress, { state: 'baking', bakeUntil: new Date(Date.now() + wave.bakeTimeMs).toISOString() });
        else progress.state = 'at-gate';
        continue;
      }
    } else if (progress.state === 'baking') {
      const left = Date.parse(progress.bakeUntil ?? now()) - Date.now();
      if (left <= 0) {
        progress.state = 'at-gate';
        continue;
      }
      state.publish();
      await condition(() => dirty, left);
      continue;
    } else if (progress.state === 'at-gate') {
      const open = carry.gatePassed || (wave.gate === 'auto' && autoGateBlockers(wave, carry.clusters).length === 0);
      if (open && !carry.paused) {
        Object.assign(progress, { state: 'done' });
        carry.gatePassed = false;
        carry.waveIndex++;
        continue;
      }
    }

    state.publish();
    if (suggestContinueAsNew()) {
      stopWatching();
      await condition(allHandlersFinished);
      await continueAsNew<typeof campaignWorkflow>({ ...input, carried: { ...carry, run: carry.run + 1 } });
    }
    const w = progress.state === 'running' ? ensureWatcher() : undefined;
    await condition(() => dirty || (w?.done ?? false));
    if (w?.done) {
      apply(w.changes);
      if (watch === w) watch = undefined;
    }
  }
  state.endedAt = now();
  state.publish();
  return state.status();
}

function failureMessage(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}
