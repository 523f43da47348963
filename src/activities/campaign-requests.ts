// A campaign approves or aborts its upgrades through the upgrades' own Updates, so each upgrade's validator has the
// last word: a request it refuses (wrong phase, a NO_GO without an override) comes back as a recorded refusal with
// the upgrade's reason, never as a failed activity. The update id is derived from the campaign and the upgrade run,
// so a retried activity (after a worker death) joins the update its first attempt sent instead of sending another.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { UpgradeFailureType } from '../domain/failure-types';
import { heartbeating } from './heartbeat';
import { mapLimit } from './map-limit';
import { UPGRADE_DECISION, UPGRADE_PHASE } from '../workflows/search-attributes';
import { abortUpdate, approveUpdate } from '../workflows/upgrade-messages';

export interface HopRef {
  workflowId: string;
  runId: string;
}

export interface HopRefusal {
  workflowId: string;
  reason: string;
}

export interface ApproveHopsRequest {
  hops: HopRef[];
  /** The campaign's workflow id: with the run id, part of every update id. */
  campaignId: string;
  by: string;
  comment?: string;
}

export interface AbortHopsRequest {
  hops: HopRef[];
  campaignId: string;
  by: string;
  reason: string;
}

export interface CampaignRequestActivities {
  approveUpgradeHops(request: ApproveHopsRequest): Promise<{ approved: string[]; refused: HopRefusal[] }>;
  /** Answers once each accepted abort has stopped its upgrade's work (the upgrade's abort update waits for that). */
  abortUpgradeHops(request: AbortHopsRequest): Promise<{ aborted: string[]; refused: HopRefusal[] }>;
}

export interface CampaignRequestDeps {
  client: Client;
  /** How many upgrades are sent a request at once (default 10). */
  concurrency?: number;
}

/** One update id per campaign, request kind and upgrade run: a run is approved (or aborted) by a campaign once. */
export function campaignUpdateId(kind: 'approve' | 'abort', campaignId: string, hop: HopRef): string {
  return `${campaignId}-${kind}-${hop.runId}`;
}

/** The upgrade's reason for a refused update (its validator's ApplicationFailure), else what went wrong. */
function refusalReason(err: WorkflowUpdateFailedError): string {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && cause.type === UpgradeFailureType.RequestRejected) return cause.message;
  return `${cause instanceof ApplicationFailure ? `${cause.type ?? 'failure'}: ` : ''}${cause?.message ?? err.message}`;
}

/**
 * Sends one update and sorts the outcome: sent, refused (by the validator or the handler), or the run closed
 * before it arrived. Anything else (the server unreachable) is thrown, so the activity is retried.
 */
async function send(
  handle: WorkflowHandle,
  hop: HopRef,
  request: () => Promise<unknown>,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await request();
    return { ok: true };
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) return { ok: false, reason: refusalReason(err) };
    if (err instanceof WorkflowNotFoundError) {
      const d = await handle.describe().catch(() => undefined);
      return { ok: false, reason: `the upgrade run ${hop.runId} is ${d ? d.status.name.toLowerCase() : 'gone'}` };
    }
    throw err;
  }
}

export function createCampaignRequestActivities(deps: CampaignRequestDeps): CampaignRequestActivities {
  const { client } = deps;
  const concurrency = deps.concurrency ?? 10;

  async function approveUpgradeHops(req: ApproveHopsRequest) {
    const approved: string[] = [];
    const refused: HopRefusal[] = [];
    await mapLimit(req.hops, concurrency, async (hop) => {
      const handle = client.workflow.getHandle(hop.workflowId, hop.runId);
      // A NO_GO needs an audited override on the upgrade itself; the campaign never sends one.
      const d = await handle.describe();
      if (d.typedSearchAttributes.get(UPGRADE_DECISION) === 'NO_GO' && d.status.name === 'RUNNING') {
        refused.push({ workflowId: hop.workflowId, reason: 'NO_GO: override it on the upgrade itself, with a reason' });
        return;
      }
      const outcome = await send(handle, hop, () =>
        handle.executeUpdate(approveUpdate, {
          args: [{ by: req.by, ...(req.comment ? { comment: req.comment } : {}) }],
          updateId: campaignUpdateId('approve', req.campaignId, hop),
        }),
      );
      if (outcome.ok) approved.push(hop.workflowId);
      else
        refused.push({
          workflowId: hop.workflowId,
          reason: `${outcome.reason} (phase ${d.typedSearchAttributes.get(UPGRADE_PHASE) ?? '?'} when asked)`,
        });
    });
    return { approved, refused };
  }

  async function abortUpgradeHops(req: AbortHopsRequest) {
    const aborted: string[] = [];
    const refused: HopRefusal[] = [];
    await mapLimit(req.hops, concurrency, async (hop) => {
      const handle = client.workflow.getHandle(hop.workflowId, hop.runId);
      const outcome = await send(handle, hop, () =>
        handle.executeUpdate(abortUpdate, {
          args: [{ reason: req.reason, by: req.by }],
          updateId: campaignUpdateId('abort', req.campaignId, hop),
        }),
      );
      if (outcome.ok) aborted.push(hop.workflowId);
      else refused.push({ workflowId: hop.workflowId, reason: outcome.reason });
    });
    return { aborted, refused };
  }

  // Aborts wait for the upgrades to stop their work: heartbeat meanwhile, so a dead worker is noticed soon.
  return { approveUpgradeHops, abortUpgradeHops: heartbeating('abortUpgradeHops', abortUpgradeHops, 5_000) };
}
