// A real upgrade workflow on the shared dev server, with the worker main's own start-up code, over a manifest of
// 100k objects (10k of them on an API removed by the target, 10k Deployments without a PDB or readiness probe):
// every payload in its history stays far below Temporal's 2 MB limit, the results carry the true counts, the
// complete findings are in the report files, and a secret planted in a kept snapshot field (a health message)
// appears neither in history nor in the CLI's report.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestEnv, getWorkflowBundle, uniqueTaskQueue } from '../harness/temporal';
import { writeSyntheticManifest } from '../../scripts/bench-scan';
import { loadConfig } from '../../src/domain/config';
import type { ApiScanResult } from '../../src/domain/evidence';
import { createLogger } from '../../src/worker/logging';
import { startUpgradeWorkerProcess, type RunningUpgradeWorker } from '../../src/worker/main';
import type { upgradeWorkflow } from '../../src/workflows/upgrade';
import type { UpgradeInput } from '../../src/workflows/upgrade-messages';
import { runCli, show } from './cli-support';

const OBJECTS = 100_000;
/** Far below the 2 MB payload limit: what one bounded evidence result may weigh. */
const MAX_PAYLOAD_BYTES = 512 * 1024;
const PLANTED = 'hunter2-planted-in-a-health-message';

let env: TestWorkflowEnvironment;
let worker: RunningUpgradeWorker;
let dir: string;
const taskQueue = uniqueTaskQueue('evidence-payloads');
const cluster = `payloads-${process.pid}-${Date.now().toString(36)}`;

before(async () => {
  env = await createTestEnv();
  dir = mkdtempSync(join(tmpdir(), 'evidence-payloads-'));
  await writeSyntheticManifest(join(dir, 'manifests.yaml'), OBJECTS);
  writeFileSync(
    join(dir, 'snapshot.json'),
    JSON.stringify({
      schemaVersion: 1,
      cluster: {
        name: cluster,
        version: '1.21',
        health: { issues: [{ code: 'Other', message: `db check failed: password=${PLANTED} host=db.internal` }] },
      },
    }),
  );
  worker = await startUpgradeWorkerProcess({
    config: loadConfig({ EKS_UPGRADE_REPORTS_DIR: join(dir, 'reports') }),
    workerEnv: { taskQueue, shutdownGraceMs: 2000 },
    target: {
      address: env.address,
      namespace: env.namespace ?? 'default',
      connectionOptions: { address: env.address },
    },
    logger: createLogger('warn'),
    workflowBundle: await getWorkflowBundle(),
    connectRetryMs: 5000,
  });
});

after(async () => {
  await worker?.shutdown();
  await env?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Every payload in a history event, wherever it sits (inputs, results, failures, memo…). */
function payloadsOf(value: unknown, into: Uint8Array[] = []): Uint8Array[] {
  if (value === null || typeof value !== 'object') return into;
  if (value instanceof Uint8Array) return into;
  const record = value as Record<string, unknown>;
  if (record.data instanceof Uint8Array && 'metadata' in record) into.push(record.data);
  for (const child of Object.values(record)) payloadsOf(child, into);
  return into;
}

void test(`${OBJECTS} objects: bounded payloads, true counts, full findings on disk, no planted secret in history`, async () => {
  const workflowId = `upgrade-${cluster}-1.22`;
  const input: UpgradeInput = {
    clusterName: cluster,
    targetVersion: '1.22',
    inventory: { kind: 'snapshot', path: join(dir, 'snapshot.json') },
    manifestPaths: [join(dir, 'manifests.yaml')],
    releaseNotes: { kind: 'none' },
    aiAnalysis: false,
    approval: 'manual',
    approvalTimeoutMs: 1000,
  };
  const handle = await env.client.workflow.start<typeof upgradeWorkflow>('upgradeWorkflow', {
    taskQueue,
    workflowId,
    args: [input],
  });
  const report = await handle.result();

  const scan = report.apiScan as ApiScanResult;
  assert.equal(scan.objectsScanned, OBJECTS);
  assert.equal(scan.findingCounts?.API001, OBJECTS / 10, 'every Ingress on extensions/v1beta1 is counted');
  assert.ok(scan.findings.length <= 100, `${scan.findings.length} findings travel in the payload`);
  assert.equal(scan.findings.length + (scan.findingsOmitted ?? 0), OBJECTS / 10);
  assert.ok(scan.fullReport && existsSync(scan.fullReport), `the full report is written: ${scan.fullReport}`);
  const full = JSON.parse(readFileSync(scan.fullReport, 'utf8')) as ApiScanResult;
  assert.equal(full.findings.length, OBJECTS / 10);
  const readiness = report.readiness!;
  assert.equal(readiness.findingCounts?.K8S006, OBJECTS / 10, 'a readiness finding per Deployment, counted');
  assert.ok(readiness.findings.length <= 50 * Object.keys(readiness.findingCounts ?? {}).length);
  assert.ok(readiness.fullReport && existsSync(readiness.fullReport));
  assert.equal(report.status.decision?.verdict, 'NO_GO');
  assert.ok(report.status.decision?.blockers.some((b) => /and \d+ more uses of APIs removed by 1\.22/.test(b.message)));

  const history = await handle.fetchHistory();
  const sizes = (history.events ?? []).flatMap((event: temporal.api.history.v1.IHistoryEvent) =>
    payloadsOf(event).map((data) => ({ type: String(event.eventType), bytes: data.byteLength, data })),
  );
  assert.ok(sizes.length > 5, 'payloads were found in the history');
  const largest = sizes.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  assert.ok(
    largest.bytes < MAX_PAYLOAD_BYTES,
    `the largest payload (${largest.type}) is ${largest.bytes} bytes; limit for this test ${MAX_PAYLOAD_BYTES}`,
  );
  const decoded = sizes.map((s) => Buffer.from(s.data).toString('utf8'));
  assert.ok(!decoded.some((text) => text.includes(PLANTED)), 'the planted secret is not in any payload');
  assert.ok(
    decoded.some((text) => text.includes('password=[REDACTED:')),
    'the kept message is there, redacted',
  );

  const cli = await runCli(['report', '--workflow-id', workflowId, '--format', 'md'], {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: env.namespace ?? 'default',
    EKS_UPGRADE_TASK_QUEUE: taskQueue,
  });
  assert.equal(cli.code, 0, show(cli));
  assert.ok(!cli.stdout.includes(PLANTED) && !cli.stderr.includes(PLANTED), show(cli));
  assert.match(cli.stdout, /password=\[REDACTED:/);
  assert.match(cli.stdout, /all 10000 are in `.*api-scan\.json`/);
});
