// One "worker process" of the multi-process guard benchmark (scripts/bench-guard-processes.ts): a permit gate of its
// own against the shared guard, and BENCH_CALLERS callers that make guarded calls to the Bedrock wire fake as fast
// as the gate lets them, from BENCH_START_AT for BENCH_DURATION_MS. Prints one JSON line with what it measured.
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Client, Connection } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createGuardedPermitGate } from '../src/activities/bedrock-gate';
import { createBedrockRuntimeClient } from '../src/activities/bedrock/client';
import { loadConfig } from '../src/domain/config';
import { createLogger } from '../src/worker/logging';

export interface ChildReport {
  pid: number;
  grants: number;
  /** Failed calls by failure type (e.g. BedrockGuardUnavailableError). */
  errors: Record<string, number>;
  /** Time from asking the gate to the start of the call, per granted call, ms. */
  reserveLatencyMs: number[];
  /** Lease statistics (absent for a gate without a lease). */
  poolHits?: number;
  syncs?: number;
  failedAttempts?: number;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required (see scripts/bench-guard-processes.ts)`);
  return value;
}

async function main(): Promise<void> {
  const address = required('BENCH_TEMPORAL_ADDRESS');
  const namespace = process.env.BENCH_NAMESPACE ?? 'default';
  const callers = Number(required('BENCH_CALLERS'));
  const durationMs = Number(required('BENCH_DURATION_MS'));
  const limits = JSON.parse(required('BENCH_LIMITS')) as Record<string, number>;
  const config = loadConfig({});
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  const gate = createGuardedPermitGate({
    client,
    config,
    logger: createLogger('silent'),
    guard: { workflowId: required('BENCH_GUARD_ID'), taskQueue: required('BENCH_GUARD_QUEUE'), limits },
  });
  const bedrock = createBedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: required('BENCH_BEDROCK_URL'),
    credentials: { accessKeyId: 'AKIDFAKEFAKEFAKEFAKE', secretAccessKey: 'fake-secret-for-the-local-fake' },
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000 }),
  });
  const request = {
    modelId: config.bedrock.modelId,
    caller: `bench-${process.pid}`,
    estimatedCostUsd: 0.001,
    estimatedInputCostUsd: 0.0002,
    estimatedTokens: 100,
  };
  const invoke = async () => {
    const out = await bedrock.send(
      new ConverseCommand({
        modelId: config.bedrock.modelId,
        messages: [{ role: 'user', content: [{ text: 'ping' }] }],
        inferenceConfig: { maxTokens: 16 },
      }),
    );
    return { value: out, actualCostUsd: 0.0005, inputTokens: 50, outputTokens: 5 };
  };

  process.stdout.write('bench-child-ready\n');
  const startAt = await new Promise<number>((resolve) => {
    process.stdin.once('data', (chunk: Buffer) => resolve(Number(chunk.toString('utf8').trim())));
  });
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
  const stopAt = startAt + durationMs;
  const report: ChildReport = { pid: process.pid, grants: 0, errors: {}, reserveLatencyMs: [] };
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (Date.now() < stopAt) {
        const asked = performance.now();
        try {
          await gate.run(request, () => {
            report.reserveLatencyMs.push(performance.now() - asked);
            return invoke();
          });
          report.grants += 1;
        } catch (err) {
          const type = err instanceof ApplicationFailure ? (err.type ?? 'ApplicationFailure') : (err as Error).name;
          report.errors[type] = (report.errors[type] ?? 0) + 1;
        }
      }
    }),
  );
  await gate.drain();
  const leased = gate as {
    close?: () => Promise<void>;
    holder?: { stats: { poolHits: number; syncs: number; failures: Record<string, number> } };
  };
  await leased.close?.();
  const stats = leased.holder?.stats;
  if (stats)
    Object.assign(report, {
      poolHits: stats.poolHits,
      syncs: stats.syncs,
      failedAttempts: Object.values(stats.failures).reduce((a, b) => a + b, 0),
    });
  bedrock.destroy();
  await connection.close();
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
