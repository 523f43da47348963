// `eks-upgrade worker` as a real process: SIGTERM while Bedrock analyses are in flight lets them finish within the
// grace time (each completes, none is failed or retried), the process exits 0, and a second worker finishes the
// upgrade with the AI analyses intact. Bedrock is the wire-level fake (HTTP/2, the SDK's default transport),
// reached through AWS_ENDPOINT_URL_BEDROCK_RUNTIME exactly as a user would configure it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestEnv, getWorkflowBundle, uniqueTaskQueue } from '../harness/temporal';
import { analysisToolInput, byTool, startBedrockFake, toolUseReply, type BedrockFake } from '../fakes/bedrock-fake';
import { loadConfig } from '../../src/domain/config';
import { createLogger } from '../../src/worker/logging';
import { startUpgradeWorkerProcess } from '../../src/worker/main';
import { upgradeWorkflowId } from '../../src/workflows/constants';
import { EKS_CLUSTER, EKS_TARGET_VERSION } from '../../src/workflows/search-attributes';
import { UpgradeInputSchema, type UpgradeReport } from '../../src/workflows/upgrade-messages';
import type { GuardSummary } from '../../src/domain/guard-ledger';
import { REPO_ROOT, runCli, show } from './cli-support';

const SAMPLE = join(REPO_ROOT, 'examples', 'sample-cluster');
const ANALYSIS_DELAY_MS = 3000;

let env: TestWorkflowEnvironment;
let fake: BedrockFake;
let dir: string;
let child: ChildProcess | undefined;
const taskQueue = uniqueTaskQueue('worker-process');
const cluster = `wp-${process.pid}-${Date.now().toString(36)}`;
const guardId = `guard-${taskQueue}`;

before(async () => {
  env = await createTestEnv();
  fake = await startBedrockFake({ http2: true });
  // Every analysis takes a few seconds, so SIGTERM lands while calls are in flight.
  fake.setHandler(
    byTool({
      UPGRADE_DECISION: toolUseReply(analysisToolInput({ verdict: 'GO', reasons: ['scripted'] })),
      '*': toolUseReply(analysisToolInput(), undefined, { delayMs: ANALYSIS_DELAY_MS }),
    }),
  );
  dir = mkdtempSync(join(tmpdir(), 'worker-process-'));
  const snapshot = JSON.parse(readFileSync(join(SAMPLE, 'snapshot.json'), 'utf8')) as { cluster: { name: string } };
  snapshot.cluster.name = cluster;
  writeFileSync(join(dir, 'snapshot.json'), JSON.stringify(snapshot));
});

after(async () => {
  child?.kill('SIGKILL');
  await fake?.close();
  await env?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const awsEnv = (): NodeJS.ProcessEnv => ({
  AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url,
  AWS_ACCESS_KEY_ID: 'AKIDFAKEFORTESTS',
  AWS_SECRET_ACCESS_KEY: 'fake-secret-for-tests',
  AWS_REGION: 'us-east-1',
  BEDROCK_GUARD_WORKFLOW_ID: guardId,
});

function waitFor(predicate: () => boolean, timeoutMs: number, what: string, detail: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (predicate()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}\n${detail()}`));
      setTimeout(tick, 100);
    };
    tick();
  });
}

void test('SIGTERM drains in-flight Bedrock analyses, exits 0, and another worker finishes the upgrade', async () => {
  const namespace = env.namespace ?? 'default';
  let stderr = '';
  const proc = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'eks-upgrade.cjs'), 'worker'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...awsEnv(),
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: namespace,
      EKS_UPGRADE_TASK_QUEUE: taskQueue,
      EKS_UPGRADE_SHUTDOWN_GRACE_MS: '20000',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  let stdout = '';
  proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  await waitFor(
    () => stderr.includes('"worker started"'),
    90_000,
    'the worker to start',
    () => stderr,
  );
  assert.match(stderr, new RegExp(`"taskQueue":"${taskQueue}"`), 'logs are pino JSON lines on stderr');

  const workflowId = upgradeWorkflowId(cluster, '1.32');
  const input = UpgradeInputSchema.parse({
    clusterName: cluster,
    targetVersion: '1.32',
    inventory: { kind: 'snapshot', path: join(dir, 'snapshot.json') },
    manifestPaths: [join(SAMPLE, 'manifests')],
    releaseNotes: { kind: 'file', path: join(SAMPLE, 'release-notes', 'release-notes-1.32.md') },
    soakWindowMs: 0,
  });
  const handle = await env.client.workflow.start('upgradeWorkflow', {
    taskQueue,
    workflowId,
    args: [input],
    typedSearchAttributes: [
      { key: EKS_CLUSTER, value: cluster },
      { key: EKS_TARGET_VERSION, value: '1.32' },
    ],
  });

  // SIGTERM once the analyses are calling Bedrock.
  await waitFor(
    () => fake.calls.length >= 1,
    60_000,
    'the first Bedrock call',
    () => stderr,
  );
  const signalledAt = Date.now();
  proc.kill('SIGTERM');
  const code = await exited;
  const drainMs = Date.now() - signalledAt;
  child = undefined;
  assert.equal(code, 0, `the worker should exit 0 after draining\n${stderr}`);
  assert.equal(stdout, '', 'the worker prints nothing on stdout');
  assert.match(stderr, /shutting down/);
  assert.match(stderr, /"worker stopped"/);
  assert.ok(drainMs >= ANALYSIS_DELAY_MS / 2, `it waited for the in-flight calls (${drainMs} ms)`);

  // The analyses that were in flight completed on the first worker: no failure, no timeout, no retry.
  const history = await handle.fetchHistory();
  const events = history.events ?? [];
  const completed = events.filter((e) => e.activityTaskCompletedEventAttributes).length;
  const failed = events.filter(
    (e) =>
      e.activityTaskFailedEventAttributes ||
      e.activityTaskTimedOutEventAttributes ||
      e.activityTaskCanceledEventAttributes,
  ).length;
  assert.equal(failed, 0, 'no activity failed, timed out or was cancelled by the shutdown');
  const callsAtShutdown = fake.calls.length;
  assert.ok(
    completed >= 4 + callsAtShutdown - 1,
    `inventory + 3 evidence activities and the in-flight analyses completed (${completed} completions, ${callsAtShutdown} calls)`,
  );

  // A second worker (the same start-up code, in this process) picks the upgrade up and finishes it. Its Bedrock
  // client reads the endpoint override and credentials from the environment, as in production.
  const saved = { ...process.env };
  Object.assign(process.env, awsEnv());
  const second = await startUpgradeWorkerProcess({
    config: loadConfig({ ...awsEnv() }),
    workerEnv: { taskQueue, shutdownGraceMs: 2000 },
    target: { address: env.address, namespace, connectionOptions: { address: env.address } },
    logger: createLogger('warn'),
    workflowBundle: await getWorkflowBundle(),
  });
  try {
    // Manual approval: the NO_GO (removed API in use) waits at the gate; abort it to end the run.
    let report: UpgradeReport | undefined;
    for (let i = 0; i < 300 && !report; i++) {
      const status = await handle.query<{ phase: string }>('status');
      if (status.phase === 'awaiting-approval') {
        await handle.executeUpdate('abort', { args: [{ reason: 'test done', by: 'test' }] });
        report = (await handle.result()) as UpgradeReport;
      } else {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    assert.ok(report, 'the upgrade reached its approval gate');
    assert.equal(report.status.decision?.verdict, 'NO_GO', 'the removed API still forces NO_GO');
    assert.equal(report.status.decision?.basis, 'rules+ai');
    assert.equal(
      report.analyses.length,
      4,
      `three analyses and the decision ran (skipped: ${JSON.stringify(report.status.skippedAnalyses)})`,
    );
    assert.deepEqual(report.status.skippedAnalyses, []);
    assert.equal(fake.calls.length, 4, 'each Bedrock call was made once: nothing was retried because of the shutdown');

    // `eks-upgrade cost`: the guard accounted for every call, those settled while the first worker drained included.
    const cliEnv = {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: namespace,
      EKS_UPGRADE_TASK_QUEUE: taskQueue,
      BEDROCK_GUARD_WORKFLOW_ID: guardId,
    };
    const cost = await runCli(['cost', '--format', 'json'], cliEnv);
    assert.equal(cost.code, 0, show(cost));
    const summary = JSON.parse(cost.stdout) as GuardSummary;
    assert.equal(summary.callsInFlight, 0, 'no call left open: every call settled');
    assert.equal(summary.counters.settled, 4);
    assert.equal(
      Object.values(summary.models).reduce((n, m) => n + m.requests, 0),
      4,
    );
    assert.ok(
      Math.abs(summary.spentUsd - report.status.costUsd) < 1e-9,
      `ledger ${summary.spentUsd} = the upgrade's cost ${report.status.costUsd}`,
    );
    // Limits change at run time through the CLI.
    const configured = await runCli(
      ['cost', '--set-daily-limit', '7.5', '--set-rpm', '30', '--format', 'json'],
      cliEnv,
    );
    assert.equal(configured.code, 0, show(configured));
    const after = JSON.parse(configured.stdout) as GuardSummary;
    assert.equal(after.dailyLimitUsd, 7.5);
    assert.equal(after.maxRequestsPerWindow, 30);
  } finally {
    process.env = saved;
    await second.shutdown();
  }
});
