// Benchmark of the Bedrock guard on a local dev server (started the way the test harness does, or TEMPORAL_ADDRESS):
//   1. the median latency a guarded call adds over an unguarded one (target <= 15 ms): the same Converse call to
//      the wire-level Bedrock fake, alone and through the permit gate (reserve + invoke + settle), interleaved —
//      once with a model that takes modelLatencyMs (as real calls do) and once instant, back to back (worst case);
//   2. the share of the configured rate that 40 concurrent callers achieve (target >= 95 %, never over), counted
//      from the guard's own grant times.
// `npm run bench` calls runGuardBenchmark(); run alone: node --import tsx scripts/bench-guard.ts
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { Worker } from '@temporalio/worker';
import { createGuardedPermitGate, type PermitEvent } from '../src/activities/bedrock-gate';
import type { BedrockPermitGate } from '../src/activities/contracts';
import { readGuardSummary } from '../src/activities/guard-client';
import { loadConfig } from '../src/domain/config';
import type { GuardLimits } from '../src/domain/guard-ledger';
import { createLogger } from '../src/worker/logging';
import { startBedrockFake, textReply, type BedrockFake } from '../test/fakes/bedrock-fake';
import { createTestEnv, getWorkflowBundle, uniqueTaskQueue } from '../test/harness/temporal';

export interface GuardBenchOptions {
  /** Sequential call pairs (unguarded, guarded) per latency scenario. */
  latencySamples?: number;
  /** Model latency of the fake in the realistic latency scenario, ms. */
  modelLatencyMs?: number;
  callers?: number;
  maxRequestsPerWindow?: number;
  windowMs?: number;
  /** How long the rate part runs, in windows. */
  windows?: number;
}

export interface LatencyFigures {
  scenario: string;
  samples: number;
  unguardedMedianMs: number;
  guardedMedianMs: number;
  /** Median of the per-pair differences guarded − unguarded. */
  addedMedianMs: number;
  addedP90Ms: number;
  /** Median time from the call's answer until its write-behind settle landed (what drain() waits for). */
  settleLagMedianMs: number;
}

export interface GuardBenchResult {
  /** [0]: model answering after `modelLatencyMs` (calls spaced as in real use); [1]: instant model, back to back (worst case). */
  latency: LatencyFigures[];
  latencyTargetMs: number;
  latencyMet: boolean;
  rate: {
    callers: number;
    limit: number;
    windowMs: number;
    windows: number;
    granted: number;
    ideal: number;
    sharePercent: number;
    maxInAnyWindow: number;
    targetPercent: number;
    met: boolean;
    neverOver: boolean;
  };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** The largest number of grants inside any window [t, t + windowMs) starting at a grant. */
export function maxInAnyWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let end = 0, start = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
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
    return {
      value: out,
      actualCostUsd: 0.0005,
      inputTokens: out.usage?.inputTokens ?? 0,
      outputTokens: out.usage?.outputTokens ?? 0,
    };
  };
  return { converse, invoke };
}

/** Unguarded and guarded calls alternate (after a warm-up), so drift affects both alike. */
async function measureLatency(
  scenario: string,
  gate: BedrockPermitGate,
  fake: BedrockFake,
  samples: number,
): Promise<LatencyFigures> {
  const { converse, invoke } = converseWith(fake);
  for (let i = 0; i < 10; i++) {
    await converse();
    await gate.run(REQUEST, invoke);
  }
  const plain: number[] = [];
  const guarded: number[] = [];
  const settleLag: number[] = [];
  for (let i = 0; i < samples; i++) {
    let t = performance.now();
    await converse();
    plain.push(performance.now() - t);
    t = performance.now();
    await gate.run(REQUEST, invoke);
    guarded.push(performance.now() - t);
    // The settle is write-behind; let it land (untimed for the call) so the next pair starts from a quiet guard.
    t = performance.now();
    await gate.drain();
    settleLag.push(performance.now() - t);
  }
  const added = guarded.map((g, i) => g - (plain[i] ?? 0));
  return {
    scenario,
    samples,
    unguardedMedianMs: quantile(plain, 0.5),
    guardedMedianMs: quantile(guarded, 0.5),
    addedMedianMs: quantile(added, 0.5),
    addedP90Ms: quantile(added, 0.9),
    settleLagMedianMs: quantile(settleLag, 0.5),
  };
}

export async function runGuardBenchmark(options: GuardBenchOptions = {}): Promise<GuardBenchResult> {
  const samples = options.latencySamples ?? 100;
  const modelLatencyMs = options.modelLatencyMs ?? 100;
  const callers = options.callers ?? 40;
  const limit = options.maxRequestsPerWindow ?? 20;
  const windowMs = options.windowMs ?? 1_000;
  const windows = options.windows ?? 10;

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

    return await worker.runUntil(async () => {
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
      const latency = [
        await measureLatency(`model answering in ${modelLatencyMs} ms`, latencyGate, slow, samples),
        await measureLatency('instant model, calls back to back (worst case)', latencyGate, instant, samples),
      ];

      // 2. Rate: `callers` loops call as fast as the guard lets them for `windows` windows.
      const { invoke } = converseWith(instant);
      const permits: PermitEvent[] = [];
      const rateGate = createGuardedPermitGate({
        client: env.client,
        config,
        logger,
        guard: {
          workflowId: `${taskQueue}-rate`,
          taskQueue,
          limits: { maxRequestsPerWindow: limit, windowMs, dailyCostLimitUsd: 1_000_000 },
        },
        onPermit: (p) => permits.push(p),
      });
      await rateGate.run(REQUEST, invoke); // starts the guard; its grant is not counted below
      await new Promise((resolve) => setTimeout(resolve, windowMs));
      permits.length = 0;
      const stopAt = Date.now() + windows * windowMs + windowMs;
      await Promise.all(
        Array.from({ length: callers }, async () => {
          while (Date.now() < stopAt) await rateGate.run(REQUEST, invoke);
        }),
      );
      await rateGate.drain();
      const times = permits.map((p) => p.grantedAt).sort((a, b) => a - b);
      const t0 = times[0] ?? 0;
      const granted = times.filter((t) => t < t0 + windows * windowMs).length;
      const ideal = limit * windows;
      const summary = await readGuardSummary(env.client, `${taskQueue}-rate`);
      if (summary && summary.openReservations !== 0)
        throw new Error(`benchmark left ${summary.openReservations} open reservations`);
      const maxSeen = maxInAnyWindow(times, windowMs);
      return {
        latency,
        latencyTargetMs: 15,
        latencyMet: (latency[0]?.addedMedianMs ?? Number.POSITIVE_INFINITY) <= 15,
        rate: {
          callers,
          limit,
          windowMs,
          windows,
          granted,
          ideal,
          sharePercent: (100 * granted) / ideal,
          maxInAnyWindow: maxSeen,
          targetPercent: 95,
          met: granted >= 0.95 * ideal && maxSeen <= limit,
          neverOver: maxSeen <= limit,
        },
      };
    });
  } finally {
    await Promise.all([instant.close(), slow.close()]);
    await env.teardown();
  }
}

export function formatGuardBenchmark(r: GuardBenchResult): string {
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  return [
    'Bedrock guard benchmark (local dev server, Bedrock wire fake; guarded = reserve update + call; the settle update is write-behind)',
    ...r.latency.map(
      (l) =>
        `  latency added, ${l.scenario}: median ${ms(l.addedMedianMs)}, p90 ${ms(l.addedP90Ms)} over ${l.samples} pairs ` +
        `(unguarded ${ms(l.unguardedMedianMs)}, guarded ${ms(l.guardedMedianMs)}); settle landed ${ms(l.settleLagMedianMs)} after the answer (median)`,
    ),
    `  latency target <= ${r.latencyTargetMs} ms (first scenario): ${r.latencyMet ? 'met' : 'NOT met'}`,
    `  rate achieved by ${r.rate.callers} callers at ${r.rate.limit} per ${r.rate.windowMs} ms over ${r.rate.windows} windows: ` +
      `${r.rate.granted}/${r.rate.ideal} = ${r.rate.sharePercent.toFixed(1)} % (target >= ${r.rate.targetPercent} %); ` +
      `max in any window ${r.rate.maxInAnyWindow}/${r.rate.limit}: ${r.rate.neverOver ? 'never over' : 'OVER THE LIMIT'}; ${r.rate.met ? 'met' : 'NOT met'}`,
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
