// A failure is said plainly, through the real CLI: `start --wait`, `status`, `report` and `list` on an upgrade that
// failed (a missing snapshot, a snapshot that fails its schema) or was terminated exit 1 and name the phase and the
// innermost cause (the activity's own message: the file, the field); the Web UI's current details say so before
// the workflow fails. A workflow whose task keeps failing (nondeterminism after a deploy) is reported as such.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { upgradeStartOptions, UPGRADE_WORKFLOW_TYPE } from '../../src/client/commands/start';
import { buildUpgradeInput } from '../../src/client/start-input';
import { loadConfig } from '../../src/domain/config';
import type { UpgradeFailure, UpgradeStatus } from '../../src/domain/upgrade-report';
import { createLogger } from '../../src/worker/logging';
import { startUpgradeWorkerProcess, type RunningUpgradeWorker } from '../../src/worker/main';
import { upgradeWorkflowId } from '../../src/workflows/constants';
import { UPGRADE_PHASE } from '../../src/workflows/search-attributes';
import { createTestEnv, getTestWorkflowBundle, getWorkflowBundle, uniqueTaskQueue } from '../harness/temporal';
import { REPO_ROOT, runCli, show } from './cli-support';

const SAMPLE = join(REPO_ROOT, 'examples', 'sample-cluster');
const INVALID_SNAPSHOT = join(REPO_ROOT, 'test', 'fixtures', 'snapshots', 'invalid.json');

let env: TestWorkflowEnvironment;
let worker: RunningUpgradeWorker;
let dir: string;
let cliEnv: NodeJS.ProcessEnv;
const taskQueue = uniqueTaskQueue('upgrade-failure');
const tag = `${process.pid}-${Date.now().toString(36)}`;

before(async () => {
  env = await createTestEnv();
  dir = mkdtempSync(join(tmpdir(), 'upgrade-failure-'));
  const namespace = env.namespace ?? 'default';
  worker = await startUpgradeWorkerProcess({
    config: loadConfig({}),
    workerEnv: { taskQueue, shutdownGraceMs: 2000 },
    target: { address: env.address, namespace, connectionOptions: { address: env.address } },
    logger: createLogger('error'), // the failures below are expected: keep their warnings out of the output
    workflowBundle: await getWorkflowBundle(),
    connectRetryMs: 5000,
  });
  cliEnv = { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: namespace, EKS_UPGRADE_TASK_QUEUE: taskQueue };
});

after(async () => {
  await worker?.shutdown();
  await env?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Starts an upgrade the way `start` does, but without the CLI's own input checks (the worker's are tested). */
async function startDirect(cluster: string, snapshot: string): Promise<string> {
  const input = buildUpgradeInput(
    { cluster, target: '1.32', snapshot, releaseNotes: 'none', ai: false, remotePaths: true },
    { env: {} },
  );
  await env.client.workflow.start(UPGRADE_WORKFLOW_TYPE, upgradeStartOptions(input, taskQueue));
  return upgradeWorkflowId(cluster, '1.32');
}

void test('start --wait on a missing snapshot: exit 1, failed in phase inventory, the file named', async () => {
  const cluster = `fail-missing-${tag}`;
  const missing = join(dir, 'no-such-snapshot.json');
  const args = ['start', '--cluster', cluster, '--target', '1.32', '--snapshot', missing, '--remote-paths'];
  const started = await runCli([...args, '--release-notes', 'none', '--no-ai', '--wait', '--format', 'json'], cliEnv);
  assert.equal(started.code, 1, show(started));
  const status = JSON.parse(started.stdout) as { executionStatus: string; failure: UpgradeFailure };
  assert.equal(status.executionStatus, 'FAILED');
  assert.equal(status.failure.kind, 'failed');
  assert.equal(status.failure.phase, 'inventory');
  assert.equal(status.failure.activity, 'loadClusterInventory');
  assert.equal(status.failure.type, 'InvalidEvidenceInput');
  assert.match(status.failure.message, new RegExp(`cannot read the snapshot file ${missing.replace(/\./g, '\\.')}`));
  assert.match(started.stderr, /error: upgrade-fail-missing-.*: FAILED in phase inventory/);
  assert.doesNotMatch(started.stderr, /Activity task failed/);

  const text = await runCli(['status', '--cluster', cluster, '--target', '1.32'], cliEnv);
  assert.equal(text.code, 1, show(text));
  assert.match(text.stdout, /FAILED in phase inventory \(activity loadClusterInventory\)/);
  assert.match(text.stdout, /cause: InvalidEvidenceInput: cannot read the snapshot file/);
  assert.match(text.stdout, /under it: ENOENT/);
});

void test('a snapshot that fails its schema: status, report and list say failed, where, and which field', async () => {
  const cluster = `fail-schema-${tag}`;
  const workflowId = await startDirect(cluster, INVALID_SNAPSHOT);
  const handle = env.client.workflow.getHandle(workflowId);
  await handle.result().catch(() => undefined);

  const status = await runCli(['status', '--workflow-id', workflowId, '--format', 'json'], cliEnv);
  assert.equal(status.code, 1, show(status));
  const parsed = JSON.parse(status.stdout) as UpgradeStatus & { executionStatus: string };
  assert.equal(parsed.executionStatus, 'FAILED');
  assert.equal(parsed.phase, 'inventory', 'the worker replayed the run: its own status, with the failure');
  assert.equal(parsed.failure?.type, 'InvalidEvidenceInput');
  assert.match(parsed.failure?.message ?? '', /Invalid cluster snapshot in .*invalid\.json:[\s\S]*cluster\.version/);
  assert.match(parsed.headline, /: FAILED in phase inventory/);

  const report = await runCli(['report', '--workflow-id', workflowId], cliEnv);
  assert.equal(report.code, 1, show(report));
  assert.match(report.stdout, /## Failure\n\n\*\*FAILED in phase inventory \(activity loadClusterInventory\)\*\*/);
  assert.match(report.stdout, /Cause: `InvalidEvidenceInput` Invalid cluster snapshot[\s\S]*cluster\.version/);
  assert.match(report.stderr, /error: .*FAILED in phase inventory/);

  const listed = await runCli(['list', '--cluster', cluster, '--format', 'json'], cliEnv);
  assert.equal(listed.code, 1, show(listed));
  const entries = JSON.parse(listed.stdout) as Array<{ status: string; phase?: string; failure?: UpgradeFailure }>;
  assert.deepEqual(
    entries.map((e) => [e.status, e.phase, e.failure?.type]),
    [['FAILED', 'inventory', 'InvalidEvidenceInput']],
  );
  assert.match(listed.stderr, /1 of 1 upgrade\(s\) did not complete/);
  const table = await runCli(['list', '--cluster', cluster], cliEnv);
  assert.equal(table.code, 1, show(table));
  assert.match(table.stdout, /CAUSE/);
  assert.match(table.stdout, /FAILED +inventory .*InvalidEvidenceInput: Invalid cluster snapshot/);

  // The Web UI: the workflow's current details said failed, and why, before it failed; its failure says where.
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  assert.match(metadata.currentDetails ?? '', /\*\*FAILED in phase inventory \(activity loadClusterInventory\)\*\*/);
  assert.match(metadata.currentDetails ?? '', /cluster\.version/);
  const { history } = await env.client.workflowService.getWorkflowExecutionHistory({
    namespace: env.namespace ?? 'default',
    execution: { workflowId },
    historyEventFilterType: temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
  });
  const failure = history?.events?.[0]?.workflowExecutionFailedEventAttributes?.failure;
  assert.match(failure?.message ?? '', /^Upgrade failed in phase inventory: InvalidEvidenceInput: Invalid cluster/);
});

void test('a terminated upgrade: status and list exit 1 naming who terminated it, why, and the phase', async () => {
  const cluster = `fail-terminated-${tag}`;
  const snapshot = JSON.parse(readFileSync(join(SAMPLE, 'snapshot.json'), 'utf8')) as { cluster: { name: string } };
  snapshot.cluster.name = cluster;
  writeFileSync(join(dir, `${cluster}.json`), JSON.stringify(snapshot));
  const workflowId = await startDirect(cluster, join(dir, `${cluster}.json`));
  const handle = env.client.workflow.getHandle(workflowId);
  for (let i = 0; i < 600; i++) {
    const view = await handle.describe();
    if (view.typedSearchAttributes.get(UPGRADE_PHASE) === 'awaiting-approval') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await handle.terminate('the change window closed');

  const status = await runCli(['status', '--workflow-id', workflowId], cliEnv);
  assert.equal(status.code, 1, show(status));
  assert.match(status.stdout, /TERMINATED in phase awaiting-approval/);
  assert.match(status.stdout, /cause: TerminatedFailure: terminated by .*: the change window closed/);
  const listed = await runCli(['list', '--cluster', cluster], cliEnv);
  assert.equal(listed.code, 1, show(listed));
  assert.match(listed.stdout, /TERMINATED +awaiting-approval/);
});

void test('a workflow task that keeps failing (nondeterminism) is reported as such by status, not as "no worker"', async () => {
  const queue = uniqueTaskQueue('upgrade-nde');
  // No workflow cache: every task replays the history, as a freshly deployed worker does.
  const ndeWorker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: queue,
    workflowBundle: await getTestWorkflowBundle(),
    maxCachedWorkflows: 0,
  });
  const running = ndeWorker.run();
  try {
    const workflowId = `upgrade-nde-${tag}`;
    const handle = await env.client.workflow.start('changedWithoutPatchWorkflow', { taskQueue: queue, workflowId });
    let failed = false;
    for (let i = 0; i < 300 && !failed; i++) {
      const events = (await handle.fetchHistory()).events ?? [];
      failed = events.some((e) => e.workflowTaskFailedEventAttributes);
      if (!failed) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(failed, 'the second workflow task failed');

    const status = await runCli(['status', '--workflow-id', workflowId, '--format', 'json'], cliEnv);
    assert.equal(status.code, 1, show(status));
    const parsed = JSON.parse(status.stdout) as { executionStatus: string; failure?: UpgradeFailure };
    assert.equal(parsed.executionStatus, 'RUNNING');
    assert.equal(parsed.failure?.kind, 'workflow-task-failing');
    assert.equal(parsed.failure?.type, 'NON_DETERMINISTIC_ERROR');
    assert.match(parsed.failure?.message ?? '', /[Nn]ondeterminism/);
    assert.doesNotMatch(status.stderr, /no worker polls|is a worker running/);
    const text = await runCli(['status', '--workflow-id', workflowId], cliEnv);
    assert.equal(text.code, 1, show(text));
    assert.match(text.stdout, /WORKFLOW TASK FAILING/);
    assert.match(text.stdout, /the workers cannot run this workflow from its history/);
    const abort = await runCli(['abort', '--workflow-id', workflowId, '--reason', 'stuck'], cliEnv);
    assert.equal(abort.code, 1, show(abort));
    assert.match(abort.stderr, /cannot abort: .*WORKFLOW TASK FAILING/);
    await handle.terminate('test done');
  } finally {
    ndeWorker.shutdown();
    await running;
  }
});
