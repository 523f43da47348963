// Campaign scale: fleets of 10, 50 and 100 clusters on one version pair (1.30 → 1.31), every analysis through the
// real guard and the wire-level Bedrock fake answering in 2 s, one wave with everything in parallel. Printed per
// fleet: Bedrock calls (release-notes calls, per cluster), dollars per cluster, the wall time against the physical
// floor (total calls ÷ the rate limit) with when the first and last calls went out and the fullest rate window at
// the wire (the limit itself means rate-bound), guard grants per second, history events per campaign and per
// upgrade.
//
// The rate limit is the default configuration's 60 requests per minute, so a 100-cluster fleet takes minutes
// (BENCH_CAMPAIGN_WINDOW_MS=6000 shrinks the window ten times for a quick look; the permit validity of 2 s then
// weighs ten times as much against the window, and the wall time is no longer comparable). Each fleet gets a fresh worker process's three workers (upgrades and
// campaigns, shared analyses, the guard, as `eks-upgrade worker` runs them) and a two-cluster warm-up campaign, so
// the timed run meets a running deployment. The fleet runs in one worker process; the guard's ceiling with 4 worker
// processes (scripts/bench-guard-processes.ts: 4 × 16 callers, instant model, a roomy guard of its own) is measured
// during a further 100-cluster run on the same server and machine, so it is the ceiling left under fleet load (that
// run at 60 per 6 s, so the campaign's load lasts as long as the 10 s measurement rather than minutes after it).
//
// `npm run bench` calls runCampaignBenchmark(); run alone: node --import tsx scripts/bench-campaign.ts
// (BENCH_CAMPAIGN_SIZES=100 for one fleet; BENCH_CAMPAIGN_TRACE=1 prints a timeline per second;
// BENCH_CAMPAIGN_CEILING=0 skips the guard-ceiling run).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
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
  type FleetCluster,
} from '../test/integration/campaign-support';
import { rigActivities } from '../test/integration/upgrade-support';
import { callsPerSecond, fullestWindow, traceLine } from './bench-campaign-trace';
import { formatProcessBench, runGuardProcessBench, type ProcessBenchFigures } from './bench-guard-processes';

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
  /**
   * The floor a sliding window really allows: a full window's worth of calls at once, then one window more per
   * further full window's worth, and the last answer; below `floorS` whenever the first window's burst helps.
   */
  burstFloorS: number;
  burstRatio: number;
  /** Seconds from the campaign's start to its first and its last Bedrock call. */
  firstCallS: number;
  lastCallS: number;
  /**
   * Most calls arriving at the fake within any one rate window: the limit means the run was rate-bound there. The
   * guard counts grants, and a grant reaches the wire a little later, so this can exceed the limit by a few.
   */
  fullestWindow: number;
  grantsPerS: number;
  campaignEvents: number;
  campaignRuns: number;
  eventsPerUpgrade: number;
}

export interface CampaignBenchResult {
  rows: CampaignBenchRow[];
  /** A 100-cluster run with the 4-process guard benchmark beside it, and that benchmark's figures. */
  ceiling?: { row: CampaignBenchRow; guard: ProcessBenchFigures };
  rate: { requests: number; windowMs: number };
  latencyMs: number;
}

interface BenchOptions {
  sizes?: number[];
  latencyMs?: number;
  requests?: number;
  windowMs?: number;
  /** Told once a second how the run goes (calls, activities in flight, hops by state), then calls per second. */
  trace?: (line: string) => void;
  /** Called with each fleet's figures as soon as they are measured. */
  onRow?: (row: CampaignBenchRow) => void;
  /** The fleet size during whose run the guard's 4-process ceiling is measured; 0 to skip (default 100). */
  ceilingFleet?: number;
}

async function measureFleet(
  env: TestWorkflowEnvironment,
  dir: string,
  size: number,
  o: Required<Pick<BenchOptions, 'latencyMs' | 'requests' | 'windowMs'>> & Pick<BenchOptions, 'trace'>,
  /** Load to run beside the timed campaign (started with it, awaited after it). */
  alongside?: () => Promise<ProcessBenchFigures>,
): Promise<CampaignBenchRow & { alongside?: ProcessBenchFigures }> {
  const tag = `${size}-${Date.now().toString(36)}`;
  const fleet: FleetCluster[] = Array.from({ length: size }, (_, i) => ({ name: `bench${i}-${tag}`, decision: 'GO' }));
  const warmFleet: FleetCluster[] = [0, 1].map((i) => ({ name: `warm${i}-${tag}`, decision: 'GO' }));
  const model = fleetModel([...fleet, ...warmFleet], o.latencyMs);
  const arrivals: number[] = [];
  const fake = await startBedrockFake({
    handler: (call) => {
      arrivals.push(Date.now());
      return model(call);
    },
  });
  const taskQueue = uniqueTaskQueue(`bench-campaign-${size}`);
  const guardId = `guard-${taskQueue}`;
  const guardTaskQueue = `${taskQueue}-guard`;
  const { activities } = rigActivities({
    client: env.client,
    bedrockUrl: fake.url,
    taskQueue,
    guardId,
    guardTaskQueue,
    limits: { maxRequestsPerWindow: o.requests, windowMs: o.windowMs, dailyCostLimitUsd: 1_000 },
    analysisCacheTtlMs: 3_600_000,
    campaign: true,
  });
  const namespace = env.namespace ?? 'default';
  const workers = await startFleetWorkers({
    connection: env.nativeConnection,
    namespace,
    taskQueue,
    activities,
    guardTaskQueue,
  });
  const runCampaign = async (name: string, clusters: FleetCluster[], defaults = '') => {
    const strategy = `  waves:\n    - name: all\n      select: { rest: true }\n      maxParallel: ${clusters.length}`;
    const { plan } = loadCampaignFile(writeCampaignFile(join(dir, name), name, clusters, strategy, defaults));
    const start = Date.now();
    const options = { upgradeTaskQueue: taskQueue, options: { pollIntervalMs: 500, watchMaxMs: 30_000 } };
    const handle = await env.client.workflow.start('campaignWorkflow', campaignStartOptions(plan, options, taskQueue));
    const from = arrivals.length;
    const trace = o.trace;
    const timer = trace
      ? setInterval(() => void traceLine(handle, start, arrivals.length - from, workers.workers, trace), 1000)
      : undefined;
    try {
      const final: CampaignStatus = await waitForCampaign(handle, (s) => s.phase === 'completed', 30 * 60_000);
      return { final, start, wallS: (Date.now() - start) / 1000 };
    } finally {
      if (timer) clearInterval(timer);
    }
  };
  try {
    // The warm-up shares no analysis, so the timed fleet still computes the version pair's release notes itself;
    // its calls then leave the rate window before the timed run starts.
    await runCampaign(`warm-${tag}`, warmFleet, '  analysisCache: false');
    await new Promise((r) => setTimeout(r, o.windowMs + 500));
    const callsBefore = fake.calls.length;
    const spentBefore = (await readGuardSummary(env.client, guardId))?.spentUsd ?? 0;

    const beside = alongside?.();
    const { final, start, wallS } = await runCampaign(`bench-${tag}`, fleet);
    const besideFigures = await beside;
    const timed = fake.calls.slice(callsBefore);
    const times = arrivals.slice(callsBefore).map((t) => (t - start) / 1000);
    o.trace?.(`Bedrock calls per second: ${callsPerSecond(times, wallS).join(' ')}`);
    const usdTotal = ((await readGuardSummary(env.client, guardId))?.spentUsd ?? 0) - spentBefore;
    const upgradeId = final.clusters[0]?.hops[0]?.workflowId ?? '';
    const upgradeHistory = await env.client.workflow.getHandle(upgradeId).fetchHistory();
    const floorS = timed.length / (o.requests / (o.windowMs / 1000));
    const burstFloorS = (Math.ceil(timed.length / o.requests) - 1) * (o.windowMs / 1000) + o.latencyMs / 1000;
    return {
      clusters: size,
      calls: timed.length,
      releaseNotesCalls: timed.filter((c) => c.toolName === 'RELEASE_NOTES_ANALYSIS').length,
      callsPerCluster: timed.length / size,
      usdPerCluster: usdTotal / size,
      usdTotal,
      wallS,
      floorS,
      ratio: wallS / floorS,
      burstFloorS,
      burstRatio: wallS / burstFloorS,
      firstCallS: Math.min(...times),
      lastCallS: Math.max(...times),
      fullestWindow: fullestWindow(times, o.windowMs / 1000),
      grantsPerS: timed.length / wallS,
      campaignEvents: final.historyLength,
      campaignRuns: final.run,
      eventsPerUpgrade: upgradeHistory.events?.length ?? 0,
      ...(besideFigures ? { alongside: besideFigures } : {}),
    };
  } finally {
    await workers.stop();
    await fake.close();
  }
}

/** The ceiling run's rate window: 60 requests per 6 s keep the campaign busy for about the 10 s measured. */
const CEILING_WINDOW_MS = 6_000;

export async function runCampaignBenchmark(options: BenchOptions = {}): Promise<CampaignBenchResult> {
  const o = {
    latencyMs: options.latencyMs ?? 2_000,
    requests: options.requests ?? 60,
    windowMs: options.windowMs ?? 60_000,
    ...(options.trace ? { trace: options.trace } : {}),
  };
  const env = await createTestEnv();
  const rows: CampaignBenchRow[] = [];
  let ceiling: CampaignBenchResult['ceiling'];
  const dir = mkdtempSync(join(tmpdir(), 'bench-campaign-'));
  try {
    for (const size of options.sizes ?? [10, 50, 100]) {
      const row = await measureFleet(env, dir, size, o);
      rows.push(row);
      options.onRow?.(row);
    }
    const ceilingFleet = options.ceilingFleet ?? 100;
    if (ceilingFleet > 0) {
      // 10 s of four processes hammering a guard of their own, started as the campaign starts (the children take
      // a few seconds to come up, so the measured seconds fall inside the campaign's run).
      const { alongside, ...row } = await measureFleet(
        env,
        dir,
        ceilingFleet,
        { ...o, windowMs: CEILING_WINDOW_MS },
        () => runGuardProcessBench({ env, processes: 4, callersPerProcess: 16, durationMs: 10_000 }),
      );
      if (alongside) ceiling = { row, guard: alongside };
    }
  } finally {
    await env.teardown();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    rows,
    ...(ceiling ? { ceiling } : {}),
    rate: { requests: o.requests, windowMs: o.windowMs },
    latencyMs: o.latencyMs,
  };
}

export function formatCampaignBenchmark(r: CampaignBenchResult): string {
  const lines = [
    `Campaign scale: one version pair (1.30 → 1.31), Bedrock fake answering in ${r.latencyMs / 1000} s, rate limit ${r.rate.requests} per ${r.rate.windowMs / 1000} s, one worker process`,
    '',
    'clusters  calls  release-notes  calls/cluster  $/cluster   $ total   wall s  floor s  wall/floor  burst floor s (wall/it)  first/last call s  fullest window at the wire  grants/s  campaign events (runs)  events/upgrade',
  ];
  const rowLine = (x: CampaignBenchRow) =>
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
      `${x.burstFloorS.toFixed(1)} (${x.burstRatio.toFixed(2)}×)`.padStart(24),
      `${x.firstCallS.toFixed(1)} / ${x.lastCallS.toFixed(1)}`.padStart(18),
      `${x.fullestWindow}/${r.rate.requests}`.padStart(27),
      x.grantsPerS.toFixed(2).padStart(9),
      `${x.campaignEvents} (${x.campaignRuns})`.padStart(23),
      String(x.eventsPerUpgrade).padStart(15),
    ].join(' ');
  for (const x of r.rows) lines.push(rowLine(x));
  lines.push(
    '',
    'Targets: one release-notes analysis per version pair; per-cluster calls flat; wall ≤ 1.15× the floor (calls ÷ rate) when rate-bound.',
    "The burst floor is what the sliding window allows: the first window's calls at once, a window per further window's worth, the last answer.",
    'wall = first call (the first upgrades through inventory and evidence) + the calls at the rate + the last call (2 s) and the campaign noticing it.',
  );
  if (r.ceiling)
    lines.push(
      '',
      `The guard's ceiling during a ${r.ceiling.row.clusters}-cluster campaign (a guard of its own, roomy limits, on the same server and cores; the campaign beside it at ${r.rate.requests} per ${CEILING_WINDOW_MS / 1000} s):`,
      formatProcessBench([r.ceiling.guard]).split('\n').slice(1).join('\n'),
      `${rowLine(r.ceiling.row)}   (the campaign, sharing the machine with the guard benchmark)`,
    );
  return lines.join('\n');
}

if (require.main === module) {
  const sizes = process.env.BENCH_CAMPAIGN_SIZES?.split(',').map(Number);
  runCampaignBenchmark({
    ...(sizes ? { sizes } : {}),
    ...(process.env.BENCH_CAMPAIGN_CEILING ? { ceilingFleet: Number(process.env.BENCH_CAMPAIGN_CEILING) } : {}),
    ...(process.env.BENCH_CAMPAIGN_WINDOW_MS ? { windowMs: Number(process.env.BENCH_CAMPAIGN_WINDOW_MS) } : {}),
    ...(process.env.BENCH_CAMPAIGN_TRACE ? { trace: (line: string) => console.error(`[bench-campaign] ${line}`) } : {}),
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
