// What a campaign workflow asks of the world: start one hop's upgrade workflow (exactly once, whatever retries and
// worker deaths happen), watch the upgrades in flight until one of them moves on, and approve or abort upgrades
// through their own Updates (./campaign-requests.ts). Built by a factory from a Temporal client, like every activity here.
import { Context } from '@temporalio/activity';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionDescription,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { UpgradeVerdict } from '../domain/analysis';
import {
  EKS_CAMPAIGN,
  EKS_CLUSTER,
  EKS_TARGET_VERSION,
  EKS_WAVE,
  UPGRADE_DECISION,
  UPGRADE_PHASE,
} from '../workflows/search-attributes';
import { CAMPAIGN_HOP_MEMO } from '../workflows/campaign-messages';
import { createCampaignRequestActivities, type CampaignRequestActivities } from './campaign-requests';
import { mapLimit } from './map-limit';
import {
  statusQuery,
  upgradeStaticDetails,
  upgradeStaticSummary,
  type UpgradeInput,
  type UpgradeReport,
  type UpgradeStatus,
} from '../workflows/upgrade-messages';

export interface HopStartRequest {
  workflowId: string;
  taskQueue: string;
  input: UpgradeInput;
  /** hopToken(): the same for every attempt of this hop of this campaign run. */
  token: string;
  campaignId: string;
  wave: string;
  /** Memo entries the upgrade's activities read (e.g. analysisCache: 'off'). */
  memo?: Record<string, string>;
}

export interface HopStarted {
  runId: string;
  /** True when this hop's run already existed (a retried start after a worker death) and was taken over. */
  adopted: boolean;
  startedAt: string;
}

/** What the campaign last knew of an upgrade: the watcher reports when it is no longer so. */
export type KnownHopState = 'running' | 'awaiting-approval' | 'approved';

export interface WatchedHop {
  workflowId: string;
  runId: string;
  known: KnownHopState;
}

export interface HopObservation {
  workflowId: string;
  runId: string;
  state: KnownHopState | 'closed';
  /** COMPLETED, FAILED, TERMINATED, TIMED_OUT, CANCELLED, CONTINUED_AS_NEW (when closed). */
  closeStatus?: string;
  verdict?: UpgradeVerdict;
  blockerCodes?: string[];
  costUsd?: number;
  approval?: UpgradeStatus['approval'];
  /** The upgrade's final phase (completed or aborted) when it closed normally. */
  phase?: string;
  note?: string;
}

export interface CampaignActivities extends CampaignRequestActivities {
  startUpgradeHop(request: HopStartRequest): Promise<HopStarted>;
  watchUpgradeHops(request: {
    hops: WatchedHop[];
    pollIntervalMs: number;
    maxWaitMs: number;
  }): Promise<HopObservation[]>;
}

export interface CampaignActivityDeps {
  client: Client;
  /** How many upgrades are described (or sent a request) at once (default 10). */
  describeConcurrency?: number;
}

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

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

export function createCampaignActivities(deps: CampaignActivityDeps): CampaignActivities {
  const { client } = deps;
  const concurrency = deps.describeConcurrency ?? 10;

  /** The run of this hop, if one exists: the latest run of the id whose memo carries this hop's token. */
  async function ownRun(workflowId: string, token: string): Promise<WorkflowExecutionDescription | undefined> {
    try {
      const d = await client.workflow.getHandle(workflowId).describe();
      return d.memo?.[CAMPAIGN_HOP_MEMO] === token ? d : undefined;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  async function startUpgradeHop(req: HopStartRequest): Promise<HopStarted> {
    const adopt = (d: WorkflowExecutionDescription): HopStarted => ({
      runId: d.runId,
      adopted: true,
      startedAt: d.startTime.toISOString(),
    });
    // A previous attempt may have started it before its worker died: take that run over, never start a second.
    const existing = await ownRun(req.workflowId, req.token);
    if (existing) return adopt(existing);
    try {
      const handle = await client.workflow.start('upgradeWorkflow', {
        taskQueue: req.taskQueue,
        workflowId: req.workflowId,
        args: [req.input],
        workflowIdConflictPolicy: 'FAIL',
        typedSearchAttributes: [
          { key: EKS_CLUSTER, value: req.input.clusterName },
          { key: EKS_TARGET_VERSION, value: req.input.targetVersion },
          { key: UPGRADE_PHASE, value: 'inventory' },
          { key: EKS_CAMPAIGN, value: req.campaignId },
          { key: EKS_WAVE, value: req.wave },
        ],
        memo: { [CAMPAIGN_HOP_MEMO]: req.token, ...(req.memo ?? {}) },
        staticSummary: upgradeStaticSummary(req.input),
        staticDetails: `${upgradeStaticDetails(req.input)}\n- Campaign: \`${req.campaignId}\`, wave ${req.wave}`,
      });
      return { runId: handle.firstExecutionRunId, adopted: false, startedAt: new Date().toISOString() };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      const mine = await ownRun(req.workflowId, req.token);
      if (mine) return adopt(mine);
      throw ApplicationFailure.create({
        type: 'UpgradeAlreadyRunning',
        nonRetryable: true,
        message: `${req.workflowId} is already running outside this campaign; finish or abort it (eks-upgrade abort --workflow-id ${req.workflowId}), then skip or re-run this cluster`,
      });
    }
  }

  async function observe(hop: WatchedHop): Promise<HopObservation | undefined> {
    const handle = client.workflow.getHandle(hop.workflowId, hop.runId);
    const d = await handle.describe();
    const base = { workflowId: hop.workflowId, runId: hop.runId };
    if (d.status.name !== 'RUNNING') {
      try {
        const report = (await handle.result()) as UpgradeReport;
        return {
          ...base,
          state: 'closed',
          closeStatus: d.status.name,
          phase: report.status.phase,
          ...summarize(report.status),
          ...(report.status.abortReason ? { note: `aborted: ${report.status.abortReason}` } : {}),
        };
      } catch (err) {
        const cause =
          err instanceof WorkflowFailedError
            ? ((err.cause?.cause as Error | undefined)?.message ?? err.cause?.message)
            : undefined;
        const verdict = verdictOf(d.typedSearchAttributes.get(UPGRADE_DECISION));
        return {
          ...base,
          state: 'closed',
          closeStatus: d.status.name,
          ...(verdict ? { verdict } : {}),
          note: `${d.status.name.toLowerCase()}: ${cause ?? (err as Error).message}`,
        };
      }
    }
    const phase = d.typedSearchAttributes.get(UPGRADE_PHASE);
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
    return { ...base, state, ...summarize(status) };
  }

  async function watchUpgradeHops(req: {
    hops: WatchedHop[];
    pollIntervalMs: number;
    maxWaitMs: number;
  }): Promise<HopObservation[]> {
    const ctx = activityContext();
    const deadline = Date.now() + req.maxWaitMs;
    for (;;) {
      ctx?.heartbeat({ watching: req.hops.length });
      const seen = await mapLimit(req.hops, concurrency, (h) =>
        observe(h).catch((err: unknown): HopObservation | undefined => {
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

  return { startUpgradeHop, watchUpgradeHops, ...createCampaignRequestActivities({ client, concurrency }) };
}
