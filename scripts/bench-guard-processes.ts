// The guard's ceiling across worker processes: P child processes (scripts/bench-guard-child.ts), each with its own
// permit gate and C callers making guarded calls to an instant Bedrock wire fake as fast as they are let, against
// one shared guard. Prints grants per second and p50/p99 reserve latency (ask → call starts) per configuration.
// Reusable: runGuardProcessBench() takes an existing Temporal server and guard target, so another benchmark (e.g. a
// campaign run) can measure the ceiling while its own load runs. Run alone: node --import tsx scripts/bench-guard-processes.ts
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { GuardLimits } from '../src/domain/guard-ledger';
import { startBedrockFake, textReply, type BedrockFake } from '../test/fakes/bedrock-fake';
import { createTestEnv, getWorkflowBundle, uniqueTaskQueue } from '../test/harness/temporal';
import type { ChildReport } from './bench-guard-child';

const CHILD = resolve(__dirname, 'bench-guard-child.ts');

export interface ProcessBenchOptions {
  processes: number;
  callersPerProcess: number;
  durationMs: number;
  /** A test environment to use (and leave running); default: the test harness's (TEMPORAL_ADDRESS or a dev server). */
  env?: TestWorkflowEnvironment;
  /** An existing Temporal server reached only by the children (then `guard` must be given and be served elsewhere). */
  temporal?: { address: string; namespace: string };
  /** The guard to measure (default: a fresh one on its own task queue, hosted by a worker in this process). */
  guard?: { workflowId: string; taskQueue: string };
  /** Limits for a fresh guard (default: roomy, so only the guard's own speed limits the grants). */
  limits?: Partial<GuardLimits>;
  /** The Bedrock wire fake the callers call (default: an instant one started here); its request log is kept. */
  fake?: BedrockFake;
  /** Or any Bedrock endpoint (e.g. a campaign's own fake). */
  bedrockUrl?: string;
}

export interface ProcessBenchFigures {
  processes: number;
  callersPerProcess: number;
  durationMs: number;
  grants: number;
  grantsPerSecond: number;
  p50ReserveMs: number;
  p99ReserveMs: number;
  maxReserveMs: number;
  /** Failed calls by failure type, over all processes. */
  errors: Record<string, number>;
  /** Calls served from a process's own pool, without a round trip to the guard (share of all grants). */
  poolShare: number;
  /** Syncs (updates) the processes sent to the guard, and how many attempts failed and were retried. */
  syncs: number;
  failedAttempts: number;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** Spawns the processes, starts them at the same instant, and collects their reports. */
async function runChildren(
  options: ProcessBenchOptions & {
    temporal: { address: string; namespace: string };
    guard: { workflowId: string; taskQueue: string };
    bedrockUrl: string;
  },
): Promise<ChildReport[]> {
  const children = Array.from({ length: options.processes }, () =>
    spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: {
        ...process.env,
        BENCH_TEMPORAL_ADDRESS: options.temporal.address,
        BENCH_NAMESPACE: options.temporal.namespace,
        BENCH_GUARD_ID: options.guard.workflowId,
        BENCH_GUARD_QUEUE: options.guard.taskQueue,
        BENCH_BEDROCK_URL: options.bedrockUrl,
        BENCH_CALLERS: String(options.callersPerProcess),
        BENCH_DURATION_MS: String(options.durationMs),
        BENCH_LIMITS: JSON.stringify(options.limits ?? {}),
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const outputs = children.map((child) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const ready = new Promise<void>((resolveReady, reject) => {
      const check = () => (out.includes('bench-child-ready') ? resolveReady() : undefined);
      child.stdout.on('data', check);
      child.once('exit', (code) => reject(new Error(`bench child exited early (code ${String(code)})`)));
    });
    const done = new Promise<ChildReport>((resolveDone, reject) => {
      child.once('exit', (code) => {
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (code !== 0 || !line) reject(new Error(`bench child failed (code ${String(code)}): ${out.slice(-500)}`));
        else resolveDone(JSON.parse(line) as ChildReport);
      });
    });
    return { child, ready, done };
  });
  try {
    await Promise.all(outputs.map((o) => o.ready));
    const startAt = Date.now() + 500;
    for (const { child } of outputs) child.stdin.write(`${startAt}\n`);
    return await Promise.all(outputs.map((o) => o.done));
  } finally {
    for (const { child } of outputs) if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** One configuration: P processes × C callers for the given duration. */
export async function runGuardProcessBench(options: ProcessBenchOptions): Promise<ProcessBenchFigures> {
  const own = options.temporal ? undefined : (options.env ?? (await createTestEnv()));
  const temporal = options.temporal ?? { address: own?.address ?? '', namespace: own?.namespace ?? 'default' };
  const fake =
    options.bedrockUrl || options.fake ? undefined : await startBedrockFake({ handler: () => textReply('ok') });
  let hostWorker: Worker | undefined;
  let hosted: Promise<void> | undefined;
  try {
    let guard = options.guard;
    if (!guard) {
      const taskQueue = uniqueTaskQueue('bench-guard-procs');
      guard = { workflowId: `${taskQueue}-guard`, taskQueue };
      if (!own) throw new Error('runGuardProcessBench: give `guard` too when giving `temporal`');
      hostWorker = await Worker.create({
        connection: own.nativeConnection,
        namespace: temporal.namespace,
        taskQueue,
        workflowBundle: await getWorkflowBundle(),
      });
      hosted = hostWorker.run();
    }
    const limits = options.limits ?? { maxRequestsPerWindow: 100_000, windowMs: 1_000, dailyCostLimitUsd: 1_000_000 };
    const reports = await runChildren({
      ...options,
      limits,
      temporal,
      guard,
      bedrockUrl: options.bedrockUrl ?? options.fake?.url ?? fake?.url ?? '',
    });
    const latencies = reports.flatMap((r) => r.reserveLatencyMs).sort((a, b) => a - b);
    const grants = reports.reduce((n, r) => n + r.grants, 0);
    const errors: Record<string, number> = {};
    for (const r of reports) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
    return {
      processes: options.processes,
      callersPerProcess: options.callersPerProcess,
      durationMs: options.durationMs,
      grants,
      grantsPerSecond: grants / (options.durationMs / 1000),
      p50ReserveMs: quantile(latencies, 0.5),
      p99ReserveMs: quantile(latencies, 0.99),
      maxReserveMs: latencies[latencies.length - 1] ?? Number.NaN,
      errors,
      poolShare: grants > 0 ? reports.reduce((n, r) => n + (r.poolHits ?? 0), 0) / grants : 0,
      syncs: reports.reduce((n, r) => n + (r.syncs ?? 0), 0),
      failedAttempts: reports.reduce((n, r) => n + (r.failedAttempts ?? 0), 0),
    };
  } finally {
    if (hostWorker) {
      hostWorker.shutdown();
      await hosted;
    }
    await fake?.close();
    if (own && !options.env) await own.teardown();
  }
}

export function formatProcessBench(rows: ProcessBenchFigures[]): string {
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  return [
    'Bedrock guard across worker processes (instant model; each process: its own gate, callers looping guarded calls)',
    ...rows.map((r) => {
      const errors = Object.entries(r.errors).map(([k, v]) => `${v} ${k}`);
      return (
        `  ${r.processes} process(es) x ${r.callersPerProcess} callers, ${r.durationMs / 1000}s: ` +
        `${r.grantsPerSecond.toFixed(1)} grants/s (${r.grants}), reserve p50 ${ms(r.p50ReserveMs)}, p99 ${ms(r.p99ReserveMs)}, ` +
        `max ${ms(r.maxReserveMs)}; ${(100 * r.poolShare).toFixed(1)} % from the local pool, ${r.syncs} syncs ` +
        `(${r.failedAttempts} failed attempts); ${errors.length > 0 ? `FAILED CALLS: ${errors.join(', ')}` : 'no failed calls'}`
      );
    }),
  ].join('\n');
}

/** The benchmark's standard set: 1, 2 and 4 processes × 16 callers. */
export async function runStandardProcessBench(durationMs = 10_000): Promise<ProcessBenchFigures[]> {
  const env = await createTestEnv();
  try {
    const rows: ProcessBenchFigures[] = [];
    for (const processes of [1, 2, 4])
      rows.push(await runGuardProcessBench({ env, processes, callersPerProcess: 16, durationMs }));
    return rows;
  } finally {
    await env.teardown();
  }
}

if (require.main === module) {
  runStandardProcessBench(Number(process.env.BENCH_DURATION_MS ?? 10_000)).then(
    (rows) => {
      console.log(formatProcessBench(rows));
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
