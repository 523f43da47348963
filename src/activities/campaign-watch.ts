// The campaign's one watcher: it follows every upgrade in flight and returns as soon as one of them decides or
// ends. Each round costs one visibility list of the campaign's running upgrades (their phase and decision are
// search attributes), not a describe per upgrade: a fleet of N upgrades polled every interval would otherwise send
// the frontend N describes per round. Only what changed is read further: the status query of an upgrade that just
// decided (blockers, cost), the result of one that closed. An upgrade missing from the list (closed, or started so
// recently that visibility has not caught up) is described on its own.
import { Context } from '@temporalio/activity';
import {
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import type { UpgradeVerdict } from '../domain/analysis';
import { EKS_CAMPAIGN, UPGRADE_DECISION, UPGRADE_PHASE } from '../workflows/search-attributes';
import { statusQuery, type UpgradeReport, type UpgradeStatus } from '../workflows/upgrade-messages';
import { mapLimit } from './map-limit';

/** What the campaign last knew of an upgrade: the watcher reports when it is no longer so. */
export type KnownHopState = 'running' | 'awaiting-approval' | 'approved';

export interface WatchedHop {
  workflowId: string;
  runId: string;
  known: KnownHopState;
}

export interface WatchRequest {
  /** The campaign's workflow id: its upgrades carry it as EksCampaign. */
  campaignId: string;
  hops: WatchedHop[];
  pollIntervalMs: number;
  maxWaitMs: number;
}

export interface HopObservation {
  workflowId: string;
  runId: string;
  state: KnownHopState | 'closed';
  /** COMPLETED, FAILED, TERMINATED, TIMED_OUT, CANCELLED, CONTINUED_AS_NEW, NOT_FOUND (when closed). */
  closeStatus?: string;
  verdict?: UpgradeVerdict;
  blockerCodes?: string[];
  costUsd?: number;
  approval?: UpgradeStatus['approval'];
  /** The upgrade's final phase (completed or aborted) when it closed normally. */
  phase?: string;
  note?: string;
}

/** What one round knows of an upgrade: from the visibility list or a describe. */
type HopView = Pick<WorkflowExecutionInfo | WorkflowExecutionDescription, 'status' | 'typedSearchAttributes'>;

const DECIDED_PHASES = new Set(['execution', 'soak', 'report', 'completed']);

function verdictOf(value: unknown): UpgradeVerdict | undefined {
  return value === 'GO' || value === 'GO_WITH_CAUTION' || value === 'NO_GO' ? value : undefined;
}

function summarize(status: UpgradeStatus): Pick<HopObservation, 'verdict' | 'blockerCodes' | 'costUsd' | 'approval'> {
  const verdict = status.decision?.verdict;
  return {
    ...(verdict ? { verdict } : {}),
    ...(status.decision ? { blockerCodes: [...new Set(status.decision.blockers.map((b) => b.code))] } : {}),
    costUsd: status.costUsd,
    approval: status.approval,
  };
}

/** The visibility query for a campaign's running upgrades; campaign ids are plain, but quotes are refused anyway. */
export function runningUpgradesQuery(campaignId: string): string {
  if (/['"\\]/.test(campaignId)) throw new Error(`campaign id ${campaignId} cannot be quoted in a visibility query`);
  // The campaign carries EksCampaign too: only its upgrades are wanted.
  return `${EKS_CAMPAIGN.name} = '${campaignId}' AND WorkflowType = 'upgradeWorkflow' AND ExecutionStatus = 'Running'`;
}

export function createCampaignWatch(deps: { client: Client; concurrency: number }) {
  const { client, concurrency } = deps;

  async function closed(hop: WatchedHop, view: HopView): Promise<HopObservation> {
    const base = { workflowId: hop.workflowId, runId: hop.runId, state: 'closed' as const };
    try {
      const report = (await client.workflow.getHandle(hop.workflowId, hop.runId).result()) as UpgradeReport;
      return {
        ...base,
        closeStatus: view.status.name,
        phase: report.status.phase,
        ...summarize(report.status),
        ...(report.status.abortReason ? { note: `aborted: ${report.status.abortReason}` } : {}),
      };
    } catch (err) {
      const cause =
        err instanceof WorkflowFailedError
          ? ((err.cause?.cause as Error | undefined)?.message ?? err.cause?.message)
          : undefined;
      const verdict = verdictOf(view.typedSearchAttributes.get(UPGRADE_DECISION));
      return {
        ...base,
        closeStatus: view.status.name,
        ...(verdict ? { verdict } : {}),
        note: `${view.status.name.toLowerCase()}: ${cause ?? (err as Error).message}`,
      };
    }
  }

  async function observe(hop: WatchedHop, listed: HopView | undefined): Promise<HopObservation | undefined> {
    const handle = client.workflow.getHandle(hop.workflowId, hop.runId);
    const view = listed ?? (await handle.describe());
    if (view.status.name !== 'RUNNING') return closed(hop, view);
    const phase = view.typedSearchAttributes.get(UPGRADE_PHASE);
    const state: KnownHopState =
      phase === 'awaiting-approval' ? 'awaiting-approval' : phase && DECIDED_PHASES.has(phase) ? 'approved' : 'running';
    if (state === hop.known) return undefined;
    // Decided: the status query has the blockers and cost (a worker answers it; if none does, try again later).
    let status: UpgradeStatus | undefined;
    try {
      status = await client.connection.withDeadline(Date.now() + 5_000, () => handle.query(statusQuery));
    } catch {
      return undefined;
    }
    if (!status.decision) return undefined;
    return { workflowId: hop.workflowId, runId: hop.runId, state, ...summarize(status) };
  }

  /** The campaign's running upgrades by run id; empty when visibility cannot be read (each hop is then described). */
  async function listRunning(campaignId: string): Promise<Map<string, HopView>> {
    const running = new Map<string, HopView>();
    try {
      for await (const w of client.workflow.list({ query: runningUpgradesQuery(campaignId), pageSize: 1000 }))
        running.set(w.runId, w);
    } catch {
      running.clear();
    }
    return running;
  }

  async function watchUpgradeHops(req: WatchRequest): Promise<HopObservation[]> {
    let ctx: Context | undefined;
    try {
      ctx = Context.current();
    } catch {
      ctx = undefined;
    }
    const deadline = Date.now() + req.maxWaitMs;
    for (;;) {
      ctx?.heartbeat({ watching: req.hops.length });
      const running = await listRunning(req.campaignId);
      const seen = await mapLimit(req.hops, concurrency, (h) =>
        observe(h, running.get(h.runId)).catch((err: unknown): HopObservation | undefined => {
          if (err instanceof WorkflowNotFoundError)
            return { ...h, state: 'closed', closeStatus: 'NOT_FOUND', note: 'the upgrade workflow no longer exists' };
          return undefined; // transient: read it again next round
        }),
      );
      const changes = seen.filter((o): o is HopObservation => o !== undefined);
      if (changes.length > 0 || Date.now() >= deadline) return changes;
      if (ctx) await ctx.sleep(req.pollIntervalMs);
      else await new Promise((resolve) => setTimeout(resolve, req.pollIntervalMs));
    }
  }

  return { watchUpgradeHops };
}
