// Campaign scale: fleets of 10, 50 and 100 clusters on one version pair (1.30 → 1.31), every analysis through the
// real guard and the wire-level Bedrock fake answering in 2 s, one wave with everything in parallel. Printed per
// fleet: Bedrock calls (release-notes calls, per cluster), dollars per cluster, the wall time against the physical
// floor (total calls ÷ the rate limit), guard grants per second, history events per campaign and per upgrade.
//
// The rate limit is 60 requests per 6 s (the 60/min of the default configuration with the window shrunk ten times,
// so the bench takes seconds, not minutes). One worker process: the guard's multi-process ceiling (leases shared
// by 4 worker processes) belongs to the guard's own benchmark once cross-process leases exist; runCampaignBenchmark
// takes `workers` for that and reports it as not measured until then.
//
// `npm run bench` calls runCampaignBenchmark(); run alone: node --import tsx scripts/bench-campaign.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGuardSummary } from '../src/activities/guard-client';
import { campaignStartOptions } from '../src/client/commands/campaign';
import { loadCampaignFile } from '../src/client/commands/campaign-load';
import type { CampaignStatus } from '../src/workflows/campaign-messages';
import { startBedrockFake } from '../test/fakes/bedrock-fake';
import { createTestEnv, uniqueTaskQueue } from '../test/harness/temporal';
import {
  fleetModel,
  startFleetWorkers,
  waitForCampaign,
  writeCampaignFile,
} from '../test/integration/campaign-support';
import { rigActivities } from '../test/integration/upgrade-support';

export interface CampaignBenchRow {
  clusters: number;
  calls: number;
  releaseNotesCalls: number;
  callsPerCluster: number;
  usdPerCluster: number;
  usdTotal: number;
  wallS: number;
  floorS: number;
  ratio: number;
  grantsPerS: number;
  campaignEvents: number;
  campaignRuns: number;
  eventsPerUpgrade: number;
}

export interface CampaignBenchResult {
  rows: CampaignBenchRow[];
  rate: { requests: number; windowMs: number };
  latencyMs: number;
}

export async function runCampaignBenchmark(
  options: {
    sizes?: number[];
    latencyMs?: number;
    requests?: number;
    windowMs?: number;
    /** Called with each fleet's figures as soon as they are measured. */
    onRow?: (row: CampaignBenchRow) => void;
  } = {},
): Promise<CampaignBenchResult> {
  const sizes = options.sizes ?? [10, 50, 100];
  const latencyMs = options.latencyMs ?? 2_000;
  const requests = options.requests ?? 60;
  const windowMs = options.windowMs ?? 6_000;
  const env = await createTestEnv();
  const rows: CampaignBenchRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'bench-campaign-'));
  try {
    for (const size of sizes) {
      const tag = `${size}-${Date.now().toString(36)}`;
      const fleet = Array.from({ length: size }, (_, i) => ({ name: `bench${i}-${tag}`, decision: 'GO' as const }));
      const fake = await startBedrockFake({ handler: fleetModel(fleet, latencyMs) });
      const taskQueue = uniqueTaskQueue(`bench-campaign-${size}`);
      const guardId = `guard-${taskQueue}`;
      const { activities } = rigActivities({
        client: env.client,
        bedrockUrl: fake.url,
        taskQueue,
        guardId,
        limits: { maxRequestsPerWindow: requests, windowMs, dailyCostLimitUsd: 1_000 },
        analysisCacheTtlMs: 3_600_000,
        campaign: true,
      });
      const workers = await startFleetWorkers({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue,
        activities,
      });
      try {
        const sub = join(dir, String(size));
        const file = writeCampaignFile(
          sub,
          `bench-${tag}`,
          fleet,
          `  waves:\n    - name: all\n      select: { rest: true }\n      maxParallel: ${size}`,
        );
        const { plan } = loadCampaignFile(file);
        const start = Date.now();
        const handle = await env.client.workflow.start(
          'campaignWorkflow',
          campaignStartOptions(
            plan,
            { upgradeTaskQueue: taskQueue, options: { pollIntervalMs: 500, watchMaxMs: 30_000 } },
            taskQueue,
          ),
        );
        const final: CampaignStatus = await waitForCampaign(handle, (s) => s.phase === 'completed', 30 * 60_000);
        const wallS = (Date.now() - start) / 1000;
        const calls = fake.calls.length;
        const summary = await readGuardSummary(env.client, guardId);
        const usdTotal = summary?.spentUsd ?? 0;
        const upgradeId = final.clusters[0]?.hops[0]?.workflowId ?? '';
        const upgradeHistory = await env.client.workflow.getHandle(upgradeId).fetchHistory();
        const floorS = calls / (requests / (windowMs / 1000));
        rows.push({
          clusters: size,
          calls,
          releaseNotesCalls: fake.calls.filter((c) => c.toolName === 'RELEASE_NOTES_ANALYSIS').length,
          callsPerCluster: calls / size,
          usdPerCluster: usdTotal / size,
          usdTotal,
          wallS,
          floorS,
          ratio: wallS / floorS,
          grantsPerS: calls / wallS,
          campaignEvents: final.historyLength,
          campaignRuns: final.run,
          eventsPerUpgrade: upgradeHistory.events?.length ?? 0,
        });
        options.onRow?.(rows[rows.length - 1] as CampaignBenchRow);
      } finally {
        await workers.stop();
        await fake.close();
      }
    }
  } finally {
    await env.teardown();
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows, rate: { requests, windowMs }, latencyMs };
}

export function formatCampaignBenchmark(r: CampaignBenchResult): string {
  const lines = [
    `Campaign scale: one version pair (1.30 → 1.31), Bedrock fake answering in ${r.latencyMs / 1000} s, rate limit ${r.rate.requests} per ${r.rate.windowMs / 1000} s (60/min with the window shrunk 10×), one worker process`,
    '',
    'clusters  calls  release-notes  calls/cluster  $/cluster   $ total   wall s  floor s  wall/floor  grants/s  campaign events (runs)  events/upgrade',
  ];
  for (const x of r.rows)
    lines.push(
      [
        String(x.clusters).padStart(8),
        String(x.calls).padStart(6),
        String(x.releaseNotesCalls).padStart(14),
        x.callsPerCluster.toFixed(2).padStart(14),
        x.usdPerCluster.toFixed(4).padStart(10),
        x.usdTotal.toFixed(4).padStart(9),
        x.wallS.toFixed(1).padStart(8),
        x.floorS.toFixed(1).padStart(8),
        `${x.ratio.toFixed(2)}×`.padStart(11),
        x.grantsPerS.toFixed(2).padStart(9),
        `${x.campaignEvents} (${x.campaignRuns})`.padStart(23),
        String(x.eventsPerUpgrade).padStart(15),
      ].join(' '),
    );
  lines.push(
    '',
    'Targets: one release-notes analysis per version pair; per-cluster calls flat; wall ≤ 1.15× the floor when rate-bound.',
    "Guard ceiling with 4 worker processes: not measured here — it needs the guard's cross-process leases; the hook is runCampaignBenchmark's worker set-up (startFleetWorkers per process).",
  );
  return lines.join('\n');
}

if (require.main === module) {
  const sizes = process.env.BENCH_CAMPAIGN_SIZES?.split(',').map(Number);
  runCampaignBenchmark({
    ...(sizes ? { sizes } : {}),
    onRow: (row) => console.error(`[bench-campaign] ${JSON.stringify(row)}`),
  }).then(
    (r) => {
      console.log(formatCampaignBenchmark(r));
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
