// The fleet at a glance, as data: every campaign and every upgrade (cluster, versions, phase, verdict, blockers by
// code, Bedrock cost, Web UI link). Read through the Temporal client only: visibility for the lists, the campaigns'
// and upgrades' `status` queries for the details (results once they completed). Writes nothing.
import type { Client } from '@temporalio/client';
import type { CampaignStatus } from '../../workflows/campaign-messages';
import { campaignStatusQuery } from '../../workflows/campaign-messages';
import {
  EKS_CAMPAIGN,
  EKS_CLUSTER,
  EKS_TARGET_VERSION,
  EKS_WAVE,
  UPGRADE_DECISION,
  UPGRADE_PHASE,
} from '../../workflows/search-attributes';
import { statusQuery, type UpgradeReport, type UpgradeStatus } from '../../workflows/upgrade-messages';
import { workflowUiLink } from '../connection';

export interface FleetRow {
  workflowId: string;
  cluster: string;
  from?: string;
  to: string;
  /** The upgrade's phase (or, for a hop not started yet, `pending`). */
  phase: string;
  /** The campaign's view of the hop (awaiting-approval, completed, no-go…), when it belongs to one. */
  hopState?: string;
  status: string;
  verdict?: string;
  blockerCodes: string[];
  costUsd?: number;
  campaign?: string;
  wave?: string;
  webUi: string;
}

export interface FleetView {
  generatedAt: string;
  namespace: string;
  campaigns: CampaignStatus[];
  rows: FleetRow[];
}

/** Rows of a campaign's hops, merged with what is known of the upgrades themselves. */
export function campaignRows(
  campaign: CampaignStatus,
  link: (workflowId: string) => string,
  upgrades: ReadonlyMap<string, Partial<FleetRow>> = new Map(),
): FleetRow[] {
  return campaign.clusters.flatMap((c) =>
    c.hops.map((h): FleetRow => {
      const live = h.runId ? upgrades.get(`${h.workflowId}/${h.runId}`) : undefined;
      return {
        workflowId: h.workflowId,
        cluster: c.name,
        from: h.from,
        to: h.to,
        phase: live?.phase ?? (h.state === 'pending' ? 'pending' : h.state),
        hopState: h.state,
        status: live?.status ?? (h.runId ? 'UNKNOWN' : 'NOT_STARTED'),
        ...(h.verdict ? { verdict: h.verdict } : live?.verdict ? { verdict: live.verdict } : {}),
        blockerCodes: h.blockerCodes ?? live?.blockerCodes ?? [],
        ...(h.costUsd !== undefined
          ? { costUsd: h.costUsd }
          : live?.costUsd !== undefined
            ? { costUsd: live.costUsd }
            : {}),
        campaign: campaign.campaignId,
        wave: campaign.waves[c.wave]?.name ?? '',
        webUi: link(h.workflowId),
      };
    }),
  );
}

function statusRow(s: UpgradeStatus): Partial<FleetRow> {
  return {
    phase: s.phase,
    ...(s.currentVersion ? { from: s.currentVersion } : {}),
    ...(s.decision ? { verdict: s.decision.verdict } : {}),
    blockerCodes: [...new Set(s.decision?.blockers.map((b) => b.code) ?? [])],
    costUsd: s.costUsd,
  };
}

export interface FleetReadOptions {
  uiBaseUrl: string;
  namespace: string;
  /** Most upgrades listed (newest first; default 500). */
  limit?: number;
}

/** Reads the whole fleet view. Details of closed upgrades are cached by run id (they no longer change). */
export function createFleetReader(client: Client, options: FleetReadOptions) {
  const closed = new Map<string, Partial<FleetRow>>();
  const link = (id: string) => workflowUiLink(options.uiBaseUrl, options.namespace, id);
  const deadline = <T>(fn: () => Promise<T>) => client.connection.withDeadline(Date.now() + 5_000, fn);

  async function details(workflowId: string, runId: string, running: boolean): Promise<Partial<FleetRow>> {
    const key = `${workflowId}/${runId}`;
    const cached = closed.get(key);
    if (cached) return cached;
    const handle = client.workflow.getHandle(workflowId, runId);
    try {
      if (running) return statusRow(await deadline(() => handle.query(statusQuery)));
      const report = (await deadline(() => handle.result())) as UpgradeReport;
      const row = statusRow(report.status);
      closed.set(key, row);
      return row;
    } catch {
      return {};
    }
  }

  return async function readFleet(): Promise<FleetView> {
    const campaigns: CampaignStatus[] = [];
    for await (const wf of client.workflow.list({ query: `WorkflowType = 'campaignWorkflow'`, pageSize: 100 })) {
      const handle = client.workflow.getHandle(wf.workflowId, wf.runId);
      try {
        const running = wf.status.name === 'RUNNING';
        if (!running && wf.status.name !== 'COMPLETED') continue;
        campaigns.push(
          running
            ? await deadline(() => handle.query(campaignStatusQuery))
            : ((await deadline(() => handle.result())) as CampaignStatus),
        );
      } catch {
        // A campaign whose worker is away is left out of this refresh rather than failing the page.
      }
      if (campaigns.length >= 50) break;
    }
    const upgrades = new Map<string, Partial<FleetRow> & { campaign?: string }>();
    const standalone: FleetRow[] = [];
    const pending: Array<Promise<void>> = [];
    let n = 0;
    for await (const wf of client.workflow.list({ query: `WorkflowType = 'upgradeWorkflow'`, pageSize: 200 })) {
      if (++n > (options.limit ?? 500)) break;
      const sa = wf.typedSearchAttributes;
      const base: FleetRow = {
        workflowId: wf.workflowId,
        cluster: sa.get(EKS_CLUSTER) ?? wf.workflowId,
        to: sa.get(EKS_TARGET_VERSION) ?? '?',
        phase: sa.get(UPGRADE_PHASE) ?? '?',
        status: wf.status.name,
        blockerCodes: [],
        ...(sa.get(UPGRADE_DECISION) ? { verdict: sa.get(UPGRADE_DECISION) } : {}),
        ...(sa.get(EKS_CAMPAIGN) ? { campaign: sa.get(EKS_CAMPAIGN) } : {}),
        ...(sa.get(EKS_WAVE) ? { wave: sa.get(EKS_WAVE) } : {}),
        webUi: link(wf.workflowId),
      };
      const key = `${wf.workflowId}/${wf.runId}`;
      upgrades.set(key, base);
      if (!base.campaign || !campaigns.some((c) => c.campaignId === base.campaign)) standalone.push(base);
      pending.push(
        details(wf.workflowId, wf.runId, wf.status.name === 'RUNNING').then((d) => {
          Object.assign(base, d);
        }),
      );
      if (pending.length >= 10) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    const rows = [...campaigns.flatMap((c) => campaignRows(c, link, upgrades)), ...standalone];
    return { generatedAt: new Date().toISOString(), namespace: options.namespace, campaigns, rows };
  };
}
