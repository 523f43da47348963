// Benchmark of the Bedrock guard on a local dev server (started the way the test harness does, or TEMPORAL_ADDRESS):
//   1. the median latency a guarded call adds over an unguarded one (target <= 15 ms): the same Converse call to
//      the wire-level Bedrock fake, alone and through the permit gate, interleaved — once with a model that takes
//      modelLatencyMs (as real calls do) and once instant, back to back (worst case); and how many calls the local
//      lease served without a round trip to the guard;
//   2. the share of the configured rate achieved at the wire (target >= 95 %, never over): 2 worker processes × 20
//      callers against one guard, counted from the fake's own arrival timestamps;
//   3. the guard's ceiling across worker processes (scripts/bench-guard-processes.ts): 1, 2 and 4 processes × 16
//      callers, instant model, grants per second and p50/p99 reserve latency.
// `npm run bench` calls runGuardBenchmark(); run alone: node --import tsx scripts/bench-guard.ts
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { Worker } from '@temporalio/worker';
import { createGuardedPermitGate } from '../src/activities/bedrock-gate';
import type { BedrockPermitGate } from '../src/activities/contracts';
import { loadConfig } from '../src/domain/config';
import type { GuardLimits } from '../src/domain/guard-ledger';
import { createLogger } from '../src/worker/logging';
import { maxInAnyWindow, startBedrockFake, textReply, type BedrockFake } from '../test/fakes/bedrock-fake';
import { createTestEnv, getWorkflowBundle, uniqueTaskQueue } from '../test/harness/temporal';
import { runGuardProcessBench, type ProcessBenchFigures } from './bench-guard-processes';

export interface GuardBenchOptions {
  /** Sequential call pairs (unguarded, guarded) per latency scenario. */
  latencySamples?: number;
  /** Model latency of the fake in the realistic latency scenario, ms. */
  modelLatencyMs?: number;
  /** The rate part: processes × callers at `maxRequestsPerWindow` per `windowMs`, for `windows` windows. */
  rateProcesses?: number;
  rateCallersPerProcess?: number;
  maxRequestsPerWindow?: number;
  windowMs?: number;
  permitValidityMs?: number;
  windows?: number;
  /** Process counts for the ceiling part (16 callers each); [] skips it. */
  ceilingProcesses?: number[];
  ceilingDurationMs?: number;
}

export interface LatencyFigures {
  scenario: string;
  samples: number;
  unguardedMedianMs: number;
  guardedMedianMs: number;
  /** Median of the per-pair differences guarded − unguarded. */
  addedMedianMs: number;
  addedP90Ms: number;
  /** Guarded calls served from the local lease without a round trip to the guard. */
  fromPoolPercent: number;
}

export interface WireRateFigures {
  processes: number;
  callersPerProcess: number;
  limit: number;
  windowMs: number;
  permitValidityMs: number;
  windows: number;
  /** Requests that arrived at the fake in the measured windows, against limit × windows. */
  arrived: number;
  ideal: number;
  sharePercent: number;
  /** The most requests the fake saw in any window [t, t + windowMs), over the whole run. */
  maxInAnyWindow: number;
  windowsOver: number;
  targetPercent: number;
  met: boolean;
  neverOver: boolean;
}

export interface GuardBenchResult {
  /** [0]: model answering after `modelLatencyMs` (calls spaced as in real use); [1]: instant model, back to back. */
  latency: LatencyFigures[];
  latencyTargetMs: number;
  latencyMet: boolean;
  rate: WireRateFigures;
  ceiling: ProcessBenchFigures[];
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** Windows [t, t + windowMs) starting at each arrival that held more than `limit` arrivals. */
function windowsOver(times: number[], windowMs: number, limit: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let over = 0;
  for (let start = 0, end = 0; start < sorted.length; start++) {
    while (end < sorted.length && (sorted[end] ?? 0) < (sorted[start] ?? 0) + windowMs) end++;
    if (end - start > limit) over += 1;
  }
  return over;
}

const config = loadConfig({});
const REQUEST = {
  modelId: config.bedrock.modelId,
  caller: 'bench',
  estimatedCostUsd: 0.001,
  estimatedInputCostUsd: 0.0002,
  estimatedTokens: 100,
};

function converseWith(fake: BedrockFake) {
  const bedrock = fake.client();
  const converse = () =>
    bedrock.send(
      new ConverseCommand({
        modelId: config.bedrock.modelId,
        messages: [{ role: 'user', content: [{ text: 'ping' }] }],
        inferenceConfig: { maxTokens: 16 },
      }),
    );
  const invoke = async () => {
    const out = await converse();
    return { value: out, actualCostUsd: 0.0005, inputTokens: 50, outputTokens: 5 };
  };
  return { converse, invoke };
}

/** Unguarded and guarded calls alternate (after a warm-up), so drift affects both alike. */
async function measureLatency(
  scenario: string,
  gate: BedrockPermitGate,
  fake: BedrockFake,
  samples: number,
  fromPool: () => number,
): Promise<LatencyFigures> {
  const { converse, invoke } = converseWith(fake);
  for (let i = 0; i < 10; i++) {
    await converse();
    await gate.run(REQUEST, invoke);
  }
  const plain: number[] = [];
  const guarded: number[] = [];
  const poolBefore = fromPool();
  for (let i = 0; i < samples; i++) {
    let t = performance.now();
    await converse();
    plain.push(performance.now() - t);
    t = performance.now();
    await gate.run(REQUEST, invoke);
    guarded.push(performance.now() - t);
  }
  await gate.drain();
  const added = guarded.map((g, i) => g - (plain[i] ?? 0));
  return {
    scenario,
    samples,
    unguardedMedianMs: quantile(plain, 0.5),
    guardedMedianMs: quantile(guarded, 0.5),
    addedMedianMs: quantile(added, 0.5),
    addedP90Ms: quantile(added, 0.9),
    fromPoolPercent: (100 * (fromPool() - poolBefore)) / samples,
  };
}

export async function runGuardBenchmark(options: GuardBenchOptions = {}): Promise<GuardBenchResult> {
  const samples = options.latencySamples ?? 100;
  const modelLatencyMs = options.modelLatencyMs ?? 100;
  const limit = options.maxRequestsPerWindow ?? 40;
  const windowMs = options.windowMs ?? 2_000;
  const permitValidityMs = options.permitValidityMs ?? 400;
  const windows = options.windows ?? 10;
  const rateProcesses = options.rateProcesses ?? 2;
  const rateCallers = options.rateCallersPerProcess ?? 20;

  const env = await createTestEnv();
  const reply = () => textReply('ok', { inputTokens: 50, outputTokens: 5 });
  const instant = await startBedrockFake({ handler: reply });
  const slow = await startBedrockFake({ handler: reply, latencyMs: modelLatencyMs });
  try {
    const bundle = await getWorkflowBundle();
    const taskQueue = uniqueTaskQueue('bench-guard');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: bundle,
    });
    const logger = createLogger('silent');

    const { latency, rate } = await worker.runUntil(async () => {
      // 1. Latency, on a guard with room to spare.
      const roomy: Partial<GuardLimits> = {
        maxRequestsPerWindow: 100_000,
        windowMs: 1_000,
        dailyCostLimitUsd: 1_000_000,
      };
      const latencyGate = createGuardedPermitGate({
        client: env.client,
        config,
        logger,
        guard: { workflowId: `${taskQueue}-latency`, taskQueue, limits: roomy },
      });
      const fromPool = () => latencyGate.holder.stats.poolHits;
      const latency = [
        await measureLatency(`model answering in ${modelLatencyMs} ms`, latencyGate, slow, samples, fromPool),
        await measureLatency('instant model, calls back to back (worst case)', latencyGate, instant, samples, fromPool),
      ];
      await latencyGate.close();

      // 2. Rate at the wire: worker processes call as fast as the guard lets them; the fake counts arrivals.
      instant.reset();
      instant.setHandler(reply);
      const run = await runGuardProcessBench({
        env,
        processes: rateProcesses,
        callersPerProcess: rateCallers,
        durationMs: (windows + 2) * windowMs,
        guard: { workflowId: `${taskQueue}-rate`, taskQueue },
        limits: { maxRequestsPerWindow: limit, windowMs, permitValidityMs, dailyCostLimitUsd: 1_000_000 },
        fake: instant,
      });
      const times = instant.requests.map((r) => r.at).sort((a, b) => a - b);
      // Measure whole windows from the first arrival, after one window of warm-up.
      const t0 = (times[0] ?? 0) + windowMs;
      const arrived = times.filter((t) => t >= t0 && t < t0 + windows * windowMs).length;
      const ideal = limit * windows;
      const seen = maxInAnyWindow(times, windowMs);
      const over = windowsOver(times, windowMs, limit);
      const rate: WireRateFigures = {
        processes: rateProcesses,
        callersPerProcess: rateCallers,
        limit,
        windowMs,
        permitValidityMs,
        windows,
        arrived,
        ideal,
        sharePercent: (100 * arrived) / ideal,
        maxInAnyWindow: seen,
        windowsOver: over,
        targetPercent: 95,
        met: arrived >= 0.95 * ideal && over === 0,
        neverOver: over === 0,
      };
      if (Object.keys(run.errors).length > 0)
        throw new Error(`rate benchmark calls failed: ${JSON.stringify(run.errors)}`);
      return { latency, rate };
    });

    // 3. The ceiling across worker processes (each configuration its own guard, hosted in this process).
    const ceiling: ProcessBenchFigures[] = [];
    for (const processes of options.ceilingProcesses ?? [1, 2, 4])
      ceiling.push(
        await runGuardProcessBench({
          env,
          processes,
          callersPerProcess: 16,
          durationMs: options.ceilingDurationMs ?? 10_000,
        }),
      );
    const latencyMet = (latency[0]?.addedMedianMs ?? Number.POSITIVE_INFINITY) <= 15;
    return { latency, latencyTargetMs: 15, latencyMet, rate, ceiling };
  } finally {
    await Promise.all([instant.close(), slow.close()]);
    await env.teardown();
  }
}

export function formatGuardBenchmark(r: GuardBenchResult): string {
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  const w = r.rate;
  return [
    'Bedrock guard benchmark (local dev server, Bedrock wire fake; each process holds a lease of permits from the guard)',
    ...r.latency.map(
      (l) =>
        `  latency added, ${l.scenario}: median ${ms(l.addedMedianMs)}, p90 ${ms(l.addedP90Ms)} over ${l.samples} pairs ` +
        `(unguarded ${ms(l.unguardedMedianMs)}, guarded ${ms(l.guardedMedianMs)}); ${l.fromPoolPercent.toFixed(0)} % served from the local lease`,
    ),
    `  latency target <= ${r.latencyTargetMs} ms (first scenario): ${r.latencyMet ? 'met' : 'NOT met'}`,
    `  rate at the wire, ${w.processes} processes x ${w.callersPerProcess} callers at ${w.limit} per ${w.windowMs} ms ` +
      `(permits valid ${w.permitValidityMs} ms), ${w.windows} windows, counted at the fake: ${w.arrived}/${w.ideal} = ` +
      `${w.sharePercent.toFixed(1)} % (target >= ${w.targetPercent} %); max in any window ${w.maxInAnyWindow}/${w.limit}, ` +
      `${w.windowsOver} windows over; ${w.met ? 'met' : 'NOT met'}`,
    ...r.ceiling.map(
      (c) =>
        `  ceiling, ${c.processes} process(es) x ${c.callersPerProcess} callers, instant model: ${c.grantsPerSecond.toFixed(1)} grants/s, ` +
        `reserve p50 ${ms(c.p50ReserveMs)}, p99 ${ms(c.p99ReserveMs)}, max ${ms(c.maxReserveMs)}; ` +
        `${(100 * c.poolShare).toFixed(1)} % from the local lease, ${c.syncs} syncs (${c.failedAttempts} failed attempts); ` +
        `${Object.keys(c.errors).length > 0 ? `FAILED CALLS: ${JSON.stringify(c.errors)}` : 'no failed calls'}`,
    ),
  ].join('\n');
}

if (require.main === module) {
  runGuardBenchmark().then(
    (result) => {
      console.log(formatGuardBenchmark(result));
      process.exit(result.rate.neverOver ? 0 : 1);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
