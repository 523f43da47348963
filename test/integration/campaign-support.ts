// Shared set-up for the campaign tests: a fleet of snapshot clusters written from the upgrade fixture (renamed, and
// moved back to 1.29 for multi-minor paths), a campaign file for them, workers for the upgrade and the shared
// analysis queues, a model whose decision depends on the cluster it is asked about, and status polling.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { UpgradeVerdict } from '../../src/domain/analysis';
import { createUpgradeWorker } from '../../src/worker/worker';
import { campaignStatusQuery, type CampaignStatus } from '../../src/workflows/campaign-messages';
import { analysisTaskQueueFor } from '../../src/workflows/constants';
import type { UpgradeActivities } from '../../src/activities';
import { analysisToolInput, byTool, toolUseReply, type BedrockCall, type BedrockHandler } from '../fakes/bedrock-fake';
import { getWorkflowBundle } from '../harness/temporal';
import { FIXTURES } from './upgrade-support';

export interface FleetCluster {
  name: string;
  /** The model's decision for this cluster (rules may make it stricter). */
  decision: UpgradeVerdict;
  /** 1.29 starts a 1.29 → 1.31 path; default 1.30. */
  version?: '1.29' | '1.30';
  /** removed-api: a removed API in the manifests, so the rules force NO_GO. */
  manifests?: 'clean' | 'removed-api';
  labels?: Record<string, string>;
}

/** The upgrade fixture renamed, at 1.30 or moved back to a clean 1.29 (node group, kube-proxy, support calendar). */
export function writeSnapshot(dir: string, name: string, version: '1.29' | '1.30'): string {
  const snapshot = JSON.parse(readFileSync(join(FIXTURES, 'prod-east-1.30.json'), 'utf8')) as {
    cluster: { name: string; version: string };
    nodeGroups?: Array<{ version: string; releaseVersion?: string }>;
    addons?: Array<{ name: string; version: string; defaultVersions?: Record<string, string> }>;
    versions?: Array<Record<string, string>>;
    insights?: Array<{ kubernetesVersion?: string }>;
  };
  snapshot.cluster.name = name;
  if (version === '1.29') {
    snapshot.cluster.version = '1.29';
    for (const g of snapshot.nodeGroups ?? []) {
      g.version = '1.29';
      delete g.releaseVersion;
    }
    for (const a of snapshot.addons ?? []) {
      if (a.name === 'kube-proxy') {
        a.version = 'v1.29.15-eksbuild.5';
        a.defaultVersions = { '1.30': 'v1.30.14-eksbuild.8', '1.31': 'v1.31.10-eksbuild.2' };
      }
      if (a.name === 'vpc-cni') a.defaultVersions = { ...(a.defaultVersions ?? {}), '1.30': 'v1.20.4-eksbuild.1' };
    }
    snapshot.versions = [
      {
        clusterVersion: '1.29',
        status: 'EXTENDED_SUPPORT',
        releaseDate: '2024-01-23',
        endOfStandardSupportDate: '2025-03-23',
        endOfExtendedSupportDate: '2026-03-23',
      },
      ...(snapshot.versions ?? []),
    ];
    for (const i of snapshot.insights ?? []) i.kubernetesVersion = '1.30';
  }
  const path = join(dir, 'snapshots', `${name}.json`);
  mkdirSync(join(dir, 'snapshots'), { recursive: true });
  writeFileSync(path, JSON.stringify(snapshot, null, 1));
  return path;
}

/** A campaign file for the fleet (paths relative to the file), written into `dir`. */
export function writeCampaignFile(
  dir: string,
  name: string,
  fleet: FleetCluster[],
  strategy: string,
  extra = '',
): string {
  const clusters = fleet.map((c) => {
    writeSnapshot(dir, c.name, c.version ?? '1.30');
    const labels = Object.entries(c.labels ?? {})
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    return [
      `  - name: ${c.name}`,
      `    inventory: { snapshot: snapshots/${c.name}.json }`,
      `    manifests: [${join(FIXTURES, c.manifests ?? 'clean')}]`,
      ...(labels ? [`    labels: { ${labels} }`] : []),
    ].join('\n');
  });
  const text = [
    'apiVersion: eks-upgrade/v1',
    'kind: Campaign',
    `name: ${name}`,
    'targetVersion: "1.31"',
    'defaults:',
    '  region: us-east-1',
    '  releaseNotes: none',
    '  soak: 0s',
    '  approvalTimeout: 10m',
    extra,
    'clusters:',
    ...clusters,
    'strategy:',
    strategy,
    '',
  ].join('\n');
  const path = join(dir, 'campaign.yaml');
  writeFileSync(path, text);
  return path;
}

/** The model: every analysis answers plainly; the decision is the one the fleet says for the cluster asked about. */
export function fleetModel(fleet: FleetCluster[], delayMs = 0): BedrockHandler {
  const delay = delayMs > 0 ? { delayMs } : {};
  const decide = (call: BedrockCall) => {
    const match = /Decide whether cluster (\S+) should be upgraded/.exec(call.userText);
    const c = fleet.find((f) => f.name === match?.[1]);
    const verdict = c?.decision ?? 'NO_GO';
    return toolUseReply(
      analysisToolInput({
        verdict,
        severityScore: verdict === 'GO' ? 2 : verdict === 'GO_WITH_CAUTION' ? 5 : 8,
        reasons: [`scripted for ${c?.name ?? '?'}: ${verdict}`],
      }),
      undefined,
      delay,
    );
  };
  return byTool({ UPGRADE_DECISION: decide, '*': toolUseReply(analysisToolInput(), undefined, delay) });
}

/** `from Kubernetes 1.30 to 1.31` in a release-notes prompt: the version pair it analyses. */
export function versionPairOf(call: BedrockCall): string {
  const m = /from Kubernetes (1\.\d+) to (1\.\d+)/.exec(call.userText);
  return m ? `${m[1]}→${m[2]}` : '?';
}

/**
 * Workers for the upgrade queue (upgrades, campaigns, every activity) and the shared-analysis queue, and, given its
 * queue, one for the guard alone (as a worker process runs them).
 */
export async function startFleetWorkers(options: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: UpgradeActivities;
  guardTaskQueue?: string;
}): Promise<{ workers: Worker[]; stop(): Promise<void> }> {
  const bundle = await getWorkflowBundle();
  const make = (taskQueue: string) =>
    createUpgradeWorker({
      connection: options.connection,
      namespace: options.namespace,
      taskQueue,
      activities: options.activities,
      workflowBundle: bundle,
      shutdownGraceTimeMs: 1_000,
    });
  const workers = [await make(options.taskQueue), await make(analysisTaskQueueFor(options.taskQueue))];
  if (options.guardTaskQueue)
    workers.push(
      await Worker.create({
        connection: options.connection,
        namespace: options.namespace,
        taskQueue: options.guardTaskQueue,
        workflowBundle: bundle,
      }),
    );
  const runs = workers.map((w) => w.run());
  return {
    workers,
    stop: async () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.allSettled(runs);
    },
  };
}

/** Polls the campaign's status query until `done` holds. */
export async function waitForCampaign(
  handle: WorkflowHandle,
  done: (s: CampaignStatus) => boolean,
  timeoutMs = 120_000,
  onEach?: (s: CampaignStatus) => Promise<void>,
): Promise<CampaignStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: CampaignStatus | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(campaignStatusQuery);
      if (done(last)) return last;
      if (onEach) await onEach(last);
    } catch (err) {
      if (last && /WorkflowUpdateFailed/.test(String(err))) throw err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`campaign condition not met within ${timeoutMs} ms; last: ${last?.headline} ${last?.phase}`);
}

/** Every run of a workflow id in the namespace (visibility), to prove nothing was started twice. */
export async function runsOf(client: Client, workflowId: string): Promise<number> {
  let n = 0;
  for await (const _ of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) n++;
  return n;
}
