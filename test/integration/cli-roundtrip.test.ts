// The whole operator loop through the real CLI binary against the shared dev server, with a worker started by the
// worker main's own start-up code (startUpgradeWorkerProcess) on a task queue of this test:
// start --wait → NO_GO naming API001; start again → "already running"; approve refused (NO_GO), then approved
// with an audited override; rollback --wait → verdict from the update;
// report (md and json); list finds it by its search attributes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestEnv, getWorkflowBundle, uniqueTaskQueue } from '../harness/temporal';
import { loadConfig } from '../../src/domain/config';
import { createLogger } from '../../src/worker/logging';
import { startUpgradeWorkerProcess, type RunningUpgradeWorker } from '../../src/worker/main';
import { upgradeWorkflowId } from '../../src/workflows/constants';
import type { UpgradeReport, UpgradeStatus } from '../../src/workflows/upgrade-messages';
import { REPO_ROOT, runCli, show } from './cli-support';

const SAMPLE = join(REPO_ROOT, 'examples', 'sample-cluster');

let env: TestWorkflowEnvironment;
let worker: RunningUpgradeWorker;
let dir: string;
let cliEnv: NodeJS.ProcessEnv;
const taskQueue = uniqueTaskQueue('cli-roundtrip');
const cluster = `cli-rt-${process.pid}-${Date.now().toString(36)}`;

before(async () => {
  env = await createTestEnv();
  dir = mkdtempSync(join(tmpdir(), 'cli-roundtrip-'));
  // The sample snapshot under this test's cluster name (the workflow refuses a snapshot of another cluster).
  const snapshot = JSON.parse(readFileSync(join(SAMPLE, 'snapshot.json'), 'utf8')) as { cluster: { name: string } };
  snapshot.cluster.name = cluster;
  writeFileSync(join(dir, 'snapshot.json'), JSON.stringify(snapshot));
  const namespace = env.namespace ?? 'default';
  worker = await startUpgradeWorkerProcess({
    config: loadConfig({}),
    workerEnv: { taskQueue, shutdownGraceMs: 2000 },
    target: { address: env.address, namespace, connectionOptions: { address: env.address } },
    logger: createLogger('warn'),
    workflowBundle: await getWorkflowBundle(),
    connectRetryMs: 5000,
  });
  cliEnv = {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: namespace,
    EKS_UPGRADE_TASK_QUEUE: taskQueue,
    EKS_UPGRADE_UI_URL: 'http://ui.example:8080/',
  };
});

after(async () => {
  await worker?.shutdown();
  await env?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ref = () => ['--cluster', cluster, '--target', '1.32'];

void test('start --wait, approve, rollback, report and list through the real CLI', async () => {
  const workflowId = upgradeWorkflowId(cluster, '1.32');
  const startArgs = [
    'start',
    ...ref(),
    '--snapshot',
    join(dir, 'snapshot.json'),
    '--manifests',
    join(SAMPLE, 'manifests'),
    '--release-notes',
    join(SAMPLE, 'release-notes', 'release-notes-1.32.md'),
    '--no-ai',
    '--soak',
    '2m',
  ];

  const started = await runCli([...startArgs, '--wait', '--format', 'json'], cliEnv);
  assert.equal(started.code, 0, show(started));
  const decided = JSON.parse(started.stdout) as UpgradeStatus;
  assert.equal(decided.workflowId, workflowId);
  assert.equal(decided.phase, 'awaiting-approval');
  assert.equal(decided.decision?.verdict, 'NO_GO', show(started));
  assert.ok(
    decided.decision?.blockers.some((b) => b.code === 'API001'),
    `the removed API must be a blocker\n${show(started)}`,
  );
  assert.match(
    started.stderr,
    new RegExp(`Web UI: http://ui\\.example:8080/namespaces/default/workflows/${workflowId}`),
  );
  assert.match(started.stderr, /awaiting-approval/, 'progress lines go to stderr');

  // The same upgrade again: refused, with its state shown.
  const again = await runCli([...startArgs, '--format', 'json'], cliEnv);
  assert.equal(again.code, 1, show(again));
  assert.match(again.stderr, /already running/);
  assert.equal((JSON.parse(again.stdout) as UpgradeStatus).phase, 'awaiting-approval');

  // The server knows the upgrade by its search attributes.
  const listed = await runCli(['list', '--cluster', cluster, '--decision', 'NO_GO', '--format', 'json'], cliEnv);
  assert.equal(listed.code, 0, show(listed));
  const entries = JSON.parse(listed.stdout) as Array<{ workflowId: string; decision?: string; targetVersion?: string }>;
  assert.deepEqual(
    entries.map((e) => [e.workflowId, e.decision, e.targetVersion]),
    [[workflowId, 'NO_GO', '1.32']],
  );

  // A rollback request before approval would be ignored by the workflow: the CLI refuses it and says why.
  const early = await runCli(['rollback', ...ref(), '--reason', 'too early'], cliEnv);
  assert.equal(early.code, 1, show(early));
  assert.match(early.stderr, /phase awaiting-approval: rollback requests are heard during the soak window/);

  // A NO_GO is not approved without an audited override: refused, listing the blockers and how to override.
  const refused = await runCli(['approve', ...ref(), '--by', 'tester'], cliEnv);
  assert.equal(refused.code, 1, show(refused));
  assert.match(refused.stderr, /decision is NO_GO with \d+ blocker\(s\)/);
  assert.match(refused.stderr, /\[API001\]/);
  assert.match(refused.stderr, /--override-blockers --reason/);
  const noReason = await runCli(['approve', ...ref(), '--override-blockers'], cliEnv);
  assert.equal(noReason.code, 2, show(noReason));

  const plantedToken = 'ghp_PLANTEDPLANTEDPLANTEDPLANTEDPLANT01';
  const approved = await runCli(
    [
      'approve',
      ...ref(),
      '--by',
      'tester',
      '--override-blockers',
      '--reason',
      `the Ingress is migrated in the same change window (token ${plantedToken})`,
      '--format',
      'json',
    ],
    cliEnv,
  );
  assert.equal(approved.code, 0, show(approved));
  const approval = JSON.parse(approved.stdout) as { phase: string; override?: { blockers: string[]; reason: string } };
  assert.equal(approval.phase, 'soak', 'approve answers once the gate has opened');
  assert.ok(approval.override?.blockers.includes('API001'), show(approved));
  assert.ok(!approved.stdout.includes(plantedToken), 'the planted token in --reason was redacted');

  // The alert payload carries a credential by mistake: it must not reach workflow history.
  const plantedKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYPLANTEDKEY';
  writeFileSync(join(dir, 'alert.txt'), `argocd sync failing on FlowSchema\naws_secret_access_key = ${plantedKey}\n`);
  const rollback = await runCli(
    [
      'rollback',
      ...ref(),
      '--reason',
      'API errors after the upgrade',
      '--evidence',
      `@${join(dir, 'alert.txt')}`,
      '--wait',
      '--format',
      'json',
    ],
    cliEnv,
  );
  assert.equal(rollback.code, 0, show(rollback));
  assert.match(rollback.stderr, /--evidence: 1 secret\(s\) replaced by markers/);
  const { events } = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const requests = (events ?? []).flatMap((e) => {
    const request = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
    return request
      ? [
          {
            name: request.name,
            args: (request.args?.payloads ?? []).map((p) => defaultPayloadConverter.fromPayload(p)),
          },
        ]
      : [];
  });
  assert.deepEqual(
    requests.map((r) => r.name),
    ['approve', 'requestRollback'],
    'refused requests leave no trace; accepted ones are in history',
  );
  const recorded = JSON.stringify(requests);
  assert.match(recorded, /argocd sync failing on FlowSchema/, 'the evidence itself reached the workflow');
  assert.match(recorded, /"override":\{"reason":"the Ingress is migrated in the same change window/);
  assert.match(recorded, /"blockers":\["API001"/, 'the override names the blockers accepted');
  assert.match(recorded, /\[REDACTED:/);
  assert.ok(!recorded.includes(plantedKey), 'the planted secret key is not in workflow history');
  assert.ok(!recorded.includes(plantedToken), 'the planted token is not in workflow history');
  const verdict = JSON.parse(rollback.stdout) as { verdict: string; reason: string; basis: string };
  assert.ok(['ROLLBACK', 'HOLD', 'MONITOR'].includes(verdict.verdict), show(rollback));
  assert.match(verdict.reason, /^API errors after the upgrade/);
  assert.equal(verdict.basis, 'rules');

  const status = await runCli(['status', '--workflow-id', workflowId, '--format', 'json'], cliEnv);
  assert.equal(status.code, 0, show(status));
  const current = JSON.parse(status.stdout) as UpgradeStatus;
  assert.equal(current.approval, 'approved');
  assert.equal(current.override?.by, 'tester');
  assert.equal(current.rollbacks.length, 1);

  const md = await runCli(['report', ...ref(), '--format', 'md'], cliEnv);
  assert.equal(md.code, 0, show(md));
  assert.match(md.stdout, /NO_GO/);
  assert.match(md.stdout, /API001/);
  assert.match(md.stdout, /Override: NO_GO overridden by tester .* accepting blocker\(s\) API001/);
  const json = await runCli(['report', ...ref(), '--format', 'json'], cliEnv);
  assert.equal(json.code, 0, show(json));
  const report = JSON.parse(json.stdout) as UpgradeReport;
  assert.equal(report.status.rollbacks.length, 1);
  assert.ok(report.apiScan?.findings.some((f) => f.apiVersion === 'flowcontrol.apiserver.k8s.io/v1beta3'));

  // Finish the soak window early, unless the ROLLBACK verdict already closed it.
  if (verdict.verdict !== 'ROLLBACK') {
    const aborted = await runCli(['abort', ...ref(), '--reason', 'test done'], cliEnv);
    assert.equal(aborted.code, 0, show(aborted));
  }
  const final = (await env.client.workflow.getHandle(workflowId).result()) as UpgradeReport;
  assert.equal(final.status.decision?.verdict, 'NO_GO');

  // A finished upgrade: requests are refused clearly (exit 1), the report still reads.
  const late = await runCli(['approve', ...ref()], cliEnv);
  assert.equal(late.code, 1, show(late));
  assert.match(late.stderr, /is completed \(phase completed\): nothing to approve/);
  const unknown = await runCli(['status', '--cluster', `${cluster}-nope`, '--target', '1.32'], cliEnv);
  assert.equal(unknown.code, 1, show(unknown));
  assert.match(unknown.stderr, /no upgrade with workflow id/);
});
