// The client's pure input handling: flags → UpgradeInput (refusals name the flag), durations, visibility queries,
// guard limit patches, workflow ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildUpgradeInput } from '../../src/client/start-input';
import { formatDuration, parseDuration, parseFormat, UsageError } from '../../src/client/usage';
import { buildListQuery } from '../../src/client/commands/list';
import { buildGuardPatch } from '../../src/client/commands/cost';
import { resolveWorkflowId } from '../../src/client/upgrade-handle';
import { startMetadata } from '../../src/client/commands/start';
import { workflowUiLink } from '../../src/client/connection';

const SAMPLE = join(__dirname, '..', '..', 'examples', 'sample-cluster');
const base = { cluster: 'demo-prod-east', target: '1.32', snapshot: join(SAMPLE, 'snapshot.json') };

function refusal(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UsageError, `expected a UsageError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the input to be refused');
}

void test('flags become a validated UpgradeInput with absolute paths and the defaults filled in', () => {
  const input = buildUpgradeInput(
    {
      ...base,
      manifests: ['examples/sample-cluster/manifests'],
      releaseNotes: 'none',
      autoApprove: true,
      ai: false,
      soak: '90s',
    },
    { cwd: join(SAMPLE, '..', '..') },
  );
  assert.deepEqual(input.inventory, { kind: 'snapshot', path: join(SAMPLE, 'snapshot.json') });
  assert.deepEqual(input.manifestPaths, [join(SAMPLE, 'manifests')]);
  assert.deepEqual(input.releaseNotes, { kind: 'none' });
  assert.equal(input.approval, 'auto');
  assert.equal(input.aiAnalysis, false);
  assert.equal(input.soakWindowMs, 90_000);
  assert.equal(input.mode, 'analyze');
  assert.deepEqual(buildUpgradeInput(base).releaseNotes, { kind: 'kubernetes-changelog' });
});

void test('execute mode and its options', () => {
  const input = buildUpgradeInput({
    ...base,
    mode: 'execute',
    concurrency: '2',
    maxUnavailable: '3',
    pauseBetweenStages: true,
    autoRollback: true,
    pollInterval: '15s',
  });
  assert.equal(input.mode, 'execute');
  assert.deepEqual(input.execution, {
    nodegroupConcurrency: 2,
    maxUnavailable: 3,
    resolveConflicts: 'PRESERVE',
    pollIntervalMs: 15_000,
    pauseBetweenStages: true,
    autoRollback: true,
    nodegroupDowngrade: 'try',
  });
  // The defaults when nothing is said: one node group at a time, 30 s polls, confirmation before a rollback.
  assert.deepEqual(buildUpgradeInput({ ...base, mode: 'execute' }).execution, {
    nodegroupConcurrency: 1,
    resolveConflicts: 'PRESERVE',
    pollIntervalMs: 30_000,
    pauseBetweenStages: false,
    autoRollback: false,
    nodegroupDowngrade: 'try',
  });
  // Analyze mode takes the plan's options too (the playbook shows them).
  assert.equal(buildUpgradeInput({ ...base, concurrency: '3' }).execution.nodegroupConcurrency, 3);
});

void test('bad flags are refused with the flag named', () => {
  assert.equal(refusal(() => buildUpgradeInput({ ...base, cluster: undefined })).flag, '--cluster');
  assert.equal(refusal(() => buildUpgradeInput({ ...base, target: 'v1.32.1' })).flag, '--target');
  assert.equal(refusal(() => buildUpgradeInput({ ...base, cluster: '-bad name' })).flag, '--cluster');
  assert.equal(refusal(() => buildUpgradeInput({ ...base, region: 'mars-1' })).flag, '--region');
  assert.equal(
    refusal(() => buildUpgradeInput({ ...base, current: '1.32' })).flag,
    '--target',
    'the target must be newer than --current',
  );
  assert.equal(refusal(() => buildUpgradeInput({ ...base, mode: 'apply' })).flag, '--mode');
  assert.equal(refusal(() => buildUpgradeInput({ ...base, mode: 'execute', concurrency: '0' })).flag, '--concurrency');
  assert.equal(
    refusal(() => buildUpgradeInput({ ...base, mode: 'execute', concurrency: 'two' })).flag,
    '--concurrency',
  );
  assert.equal(
    refusal(() => buildUpgradeInput({ ...base, mode: 'execute', maxUnavailable: '101' })).flag,
    '--max-unavailable',
  );
  assert.equal(
    refusal(() => buildUpgradeInput({ ...base, pauseBetweenStages: true })).flag,
    '--pause-between-stages',
    'an execution option in analyze mode',
  );
  assert.equal(refusal(() => buildUpgradeInput({ ...base, autoRollback: true })).flag, '--auto-rollback');
  assert.equal(refusal(() => buildUpgradeInput({ ...base, soak: 'forever' })).flag, '--soak');
  assert.equal(refusal(() => buildUpgradeInput({ ...base, snapshot: '/nonexistent.json' })).flag, '--snapshot');
  assert.equal(refusal(() => buildUpgradeInput({ ...base, manifests: ['/nonexistent-dir'] })).flag, '--manifests');
  assert.equal(
    refusal(() => buildUpgradeInput({ ...base, live: true })).flag,
    '--snapshot',
    'snapshot and live together',
  );
  assert.equal(
    refusal(() => buildUpgradeInput({ cluster: 'c', target: '1.32', live: true }, { env: {} })).flag,
    '--region',
  );
  // --remote-paths: the worker reads the paths, so they need not exist here.
  assert.equal(
    buildUpgradeInput({ ...base, snapshot: '/srv/snap.json', remotePaths: true }).inventory.kind,
    'snapshot',
  );
  assert.equal(
    buildUpgradeInput({ cluster: 'c', target: '1.32', live: true }, { env: { AWS_REGION: 'eu-west-1' } }).region,
    'eu-west-1',
  );
  // --role-arn: with --live only, and a real role ARN.
  const live = { cluster: 'c', target: '1.32', live: true, region: 'eu-west-1' };
  const role = 'arn:aws:iam::210987654321:role/eks-upgrade-reader';
  assert.equal(buildUpgradeInput({ ...live, roleArn: role }).roleArn, role);
  assert.equal(refusal(() => buildUpgradeInput({ ...live, roleArn: 'reader' })).flag, '--role-arn');
  assert.equal(refusal(() => buildUpgradeInput({ ...base, roleArn: role })).flag, '--role-arn', 'not with --snapshot');
});

void test('durations and formats', () => {
  assert.equal(parseDuration('1500', '--x'), 1500);
  assert.equal(parseDuration('30m', '--x'), 1_800_000);
  assert.equal(parseDuration('1.5h', '--x'), 5_400_000);
  assert.equal(parseDuration('7d', '--x'), 604_800_000);
  assert.equal(refusal(() => parseDuration('-1s', '--soak')).flag, '--soak');
  assert.equal(formatDuration(5_400_000), '1h30m');
  assert.equal(formatDuration(250), '250ms');
  assert.equal(parseFormat('JSON'), 'json');
  assert.equal(refusal(() => parseFormat('md', ['text', 'json'])).flag, '--format');
});

void test('list builds a visibility query on our search attributes and refuses query injection', () => {
  assert.equal(buildListQuery({}), "WorkflowType = 'upgradeWorkflow'");
  assert.equal(
    buildListQuery({
      cluster: 'prod-east',
      target: '1.32',
      phase: 'awaiting-approval',
      decision: 'no_go',
      running: true,
    }),
    "WorkflowType = 'upgradeWorkflow' AND EksCluster = 'prod-east' AND EksTargetVersion = '1.32' AND UpgradePhase = 'awaiting-approval' AND UpgradeDecision = 'NO_GO' AND ExecutionStatus = 'Running'",
  );
  assert.equal(refusal(() => buildListQuery({ cluster: "x' OR WorkflowType != '" })).flag, '--cluster');
  assert.equal(refusal(() => buildListQuery({ decision: 'MAYBE' })).flag, '--decision');
  assert.equal(refusal(() => buildListQuery({ phase: 'failed' })).flag, '--phase');
});

void test('cost --set-* become a guard configure patch; bad values name the flag', () => {
  assert.deepEqual(buildGuardPatch({}), {});
  assert.deepEqual(buildGuardPatch({ setDailyLimit: '12.5', setRpm: '30', setTpm: 'off', setWindow: '30s' }), {
    dailyCostLimitUsd: 12.5,
    maxRequestsPerWindow: 30,
    maxTokensPerWindow: null,
    windowMs: 30_000,
  });
  assert.equal(refusal(() => buildGuardPatch({ setRpm: '2.5' })).flag, '--set-rpm');
  assert.equal(refusal(() => buildGuardPatch({ setDailyLimit: '' })).flag, '--set-daily-limit');
  assert.equal(refusal(() => buildGuardPatch({ setWindow: '2h' })).flag, '--set-window');
});

void test('an upgrade is named by --cluster/--target or --workflow-id, not both', () => {
  assert.equal(resolveWorkflowId({ cluster: 'prod-east', target: '1.32' }), 'upgrade-prod-east-1.32');
  assert.equal(resolveWorkflowId({ workflowId: 'upgrade-x-1.30' }), 'upgrade-x-1.30');
  assert.equal(refusal(() => resolveWorkflowId({ cluster: 'prod-east' })).flag, '--target');
  assert.equal(refusal(() => resolveWorkflowId({ workflowId: 'w', cluster: 'c' })).flag, '--workflow-id');
});

void test('the Web UI summary names cluster and versions within 200 bytes; links are well formed', () => {
  const { staticSummary, staticDetails } = startMetadata(buildUpgradeInput(base));
  assert.match(staticSummary, /^demo-prod-east 1\.31→1\.32/, 'the current version is read from the snapshot');
  assert.ok(Buffer.byteLength(staticSummary) <= 200);
  assert.match(staticDetails, /eks-upgrade approve --cluster demo-prod-east --target 1\.32/);
  assert.equal(
    workflowUiLink('http://localhost:8233/', 'my ns', 'upgrade-a-1.32'),
    'http://localhost:8233/namespaces/my%20ns/workflows/upgrade-a-1.32',
  );
});
