// What a campaign workflow asks of the world: start one hop's upgrade workflow (exactly once, whatever retries and
// worker deaths happen), watch the upgrades in flight until one of them moves on (./campaign-watch.ts), and approve
// or abort upgrades through their own Updates (./campaign-requests.ts). Built by a factory from a Temporal client,
// like every activity here.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { EKS_CAMPAIGN, EKS_CLUSTER, EKS_TARGET_VERSION, EKS_WAVE, UPGRADE_PHASE } from '../workflows/search-attributes';
import { CAMPAIGN_HOP_MEMO } from '../workflows/campaign-messages';
import { createCampaignRequestActivities, type CampaignRequestActivities } from './campaign-requests';
import { createCampaignWatch, type HopObservation, type WatchRequest } from './campaign-watch';
import { upgradeStaticDetails, upgradeStaticSummary, type UpgradeInput } from '../workflows/upgrade-messages';

export type { HopObservation, KnownHopState, WatchedHop, WatchRequest } from './campaign-watch';

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

export interface CampaignActivities extends CampaignRequestActivities {
  startUpgradeHop(request: HopStartRequest): Promise<HopStarted>;
  watchUpgradeHops(request: WatchRequest): Promise<HopObservation[]>;
}

export interface CampaignActivityDeps {
  client: Client;
  /** How many upgrades are described (or sent a request) at once (default 10). */
  concurrency?: number;
}

export function createCampaignActivities(deps: CampaignActivityDeps): CampaignActivities {
  const { client } = deps;
  const concurrency = deps.concurrency ?? 10;

  async function startUpgradeHop(req: HopStartRequest): Promise<HopStarted> {
    const start = (reuse: 'REJECT_DUPLICATE' | 'ALLOW_DUPLICATE') =>
      client.workflow.start('upgradeWorkflow', {
        taskQueue: req.taskQueue,
        workflowId: req.workflowId,
        args: [req.input],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: reuse,
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
    const started = (runId: string): HopStarted => ({ runId, adopted: false, startedAt: new Date().toISOString() });
    // Usually the id has never run: one round trip. Otherwise the latest run decides: this hop's own (an earlier
    // attempt started it before its worker died) is taken over, never started twice; another one still running
    // belongs to someone else; a closed one from before is left as it is and a new run starts.
    try {
      return started((await start('REJECT_DUPLICATE')).firstExecutionRunId);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    const latest = await client.workflow
      .getHandle(req.workflowId)
      .describe()
      .catch((err: unknown) => {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw err;
      });
    if (latest?.memo?.[CAMPAIGN_HOP_MEMO] === req.token)
      return { runId: latest.runId, adopted: true, startedAt: latest.startTime.toISOString() };
    if (latest?.status.name !== 'RUNNING') {
      try {
        return started((await start('ALLOW_DUPLICATE')).firstExecutionRunId);
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        // Started meanwhile: by an attempt of this hop (the describe below finds it) or by someone else.
      }
      const now = await client.workflow.getHandle(req.workflowId).describe();
      if (now.memo?.[CAMPAIGN_HOP_MEMO] === req.token)
        return { runId: now.runId, adopted: true, startedAt: now.startTime.toISOString() };
    }
    throw ApplicationFailure.create({
      type: 'UpgradeAlreadyRunning',
      nonRetryable: true,
      message: `${req.workflowId} is already running outside this campaign; finish or abort it (eks-upgrade abort --workflow-id ${req.workflowId}), then skip or re-run this cluster`,
    });
  }

  return {
    startUpgradeHop,
    ...createCampaignWatch({ client, concurrency }),
    ...createCampaignRequestActivities({ client, concurrency }),
  };
}
