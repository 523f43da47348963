// The real CLI refuses bad usage with exit 2 and a message naming the flag (or variable), before it contacts
// anything, prints nothing on stdout when it fails, and prints JSON alone on stdout with --format json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO_ROOT, runCli, show } from './cli-support';

const SNAPSHOT = join(REPO_ROOT, 'examples', 'sample-cluster', 'snapshot.json');

// An address nobody listens on: a command that got past validation would fail to connect (exit 1), never exit 2.
const NO_SERVER = { TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPORAL_NAMESPACE: 'default' };

const usageCases: Array<{ name: string; args: string[]; env?: NodeJS.ProcessEnv; mentions: RegExp }> = [
  {
    name: 'start without --cluster',
    args: ['start', '--target', '1.32', '--snapshot', SNAPSHOT],
    mentions: /--cluster/,
  },
  {
    name: 'start with a malformed --target',
    args: ['start', '--cluster', 'demo-prod-east', '--target', '1.3x', '--snapshot', SNAPSHOT],
    mentions: /--target '1\.3x'.*minor version/,
  },
  {
    name: 'start with a missing snapshot file',
    args: ['start', '--cluster', 'c1', '--target', '1.32', '--snapshot', '/nonexistent/snap.json'],
    mentions: /--snapshot.*does not exist/,
  },
  {
    name: 'start with no inventory source',
    args: ['start', '--cluster', 'c1', '--target', '1.32'],
    mentions: /--snapshot FILE.*--live/,
  },
  {
    name: 'start --live without a region',
    args: ['start', '--cluster', 'c1', '--target', '1.32', '--live'],
    env: { AWS_REGION: '' },
    mentions: /--region/,
  },
  {
    name: 'start with a bad --soak',
    args: ['start', '--cluster', 'c1', '--target', '1.32', '--snapshot', SNAPSHOT, '--soak', 'soon'],
    mentions: /--soak.*duration/,
  },
  {
    name: 'start with an unknown --format',
    args: ['start', '--cluster', 'c1', '--target', '1.32', '--snapshot', SNAPSHOT, '--format', 'xml'],
    mentions: /--format.*xml/,
  },
  {
    name: 'an unknown option',
    args: ['status', '--cluster', 'c1', '--target', '1.32', '--bogus'],
    mentions: /--bogus/,
  },
  { name: 'an unknown command', args: ['upgrade-now'], mentions: /upgrade-now/ },
  { name: 'no command at all', args: [], mentions: /Usage: eks-upgrade/ },
  { name: 'status without a target', args: ['status', '--cluster', 'c1'], mentions: /--target/ },
  { name: 'abort without --reason', args: ['abort', '--cluster', 'c1', '--target', '1.32'], mentions: /--reason/ },
  {
    name: 'rollback with a missing evidence file',
    args: ['rollback', '--cluster', 'c1', '--target', '1.32', '--reason', 'x', '--evidence', '@/nonexistent/e.txt'],
    mentions: /--evidence/,
  },
  { name: 'cost with a zero rate', args: ['cost', '--set-rpm', '0'], mentions: /--set-rpm/ },
  {
    name: 'cost with a daily limit below one call',
    args: ['cost', '--set-daily-limit', '0.01'],
    mentions: /USD 0\.0100 is below what one call can cost \(USD 0\.0614: up to 4096 output tokens.*--set-daily-limit/s,
  },
  {
    name: 'a worker whose daily limit is below one call',
    args: ['worker'],
    env: { BEDROCK_DAILY_COST_LIMIT_USD: '0.01' },
    mentions: /below what one call can cost.*BEDROCK_DAILY_COST_LIMIT_USD/s,
  },
  { name: 'list with an unknown decision', args: ['list', '--decision', 'MAYBE'], mentions: /--decision/ },
  { name: 'list with an unknown phase', args: ['list', '--phase', 'failed'], mentions: /--phase.*awaiting-approval/ },
  {
    name: 'approve --override-blockers without --reason',
    args: ['approve', '--cluster', 'c1', '--target', '1.32', '--override-blockers'],
    mentions: /--override-blockers needs --reason/,
  },
  {
    name: 'approve --reason without --override-blockers',
    args: ['approve', '--cluster', 'c1', '--target', '1.32', '--reason', 'why'],
    mentions: /--reason goes with --override-blockers/,
  },
  {
    name: 'a bad configuration variable',
    args: ['worker'],
    env: { BEDROCK_MAX_TOKENS: 'lots' },
    mentions: /BEDROCK_MAX_TOKENS='lots'/,
  },
  {
    name: 'a model with no known price',
    args: ['worker'],
    env: { BEDROCK_MODEL_ID: 'acme.unknown-model-v1' },
    mentions: /acme\.unknown-model-v1.*BEDROCK_MODEL_PRICES/,
  },
  {
    name: 'a bad worker variable',
    args: ['demo'],
    env: { EKS_UPGRADE_SHUTDOWN_GRACE_MS: 'soon' },
    mentions: /EKS_UPGRADE_SHUTDOWN_GRACE_MS='soon'/,
  },
];

void test('bad usage and bad input exit 2 with a message naming the flag, and nothing on stdout', async () => {
  // Three at a time: each is a Node process; the machine is shared.
  for (let i = 0; i < usageCases.length; i += 3) {
    const batch = usageCases.slice(i, i + 3);
    const results = await Promise.all(batch.map((c) => runCli(c.args, { ...NO_SERVER, ...c.env })));
    batch.forEach((c, j) => {
      const r = results[j]!;
      assert.equal(r.code, 2, `${c.name}: expected exit 2\n${show(r)}`);
      assert.match(r.stderr, c.mentions, `${c.name}: the message should name what is wrong\n${show(r)}`);
      assert.equal(r.stdout, '', `${c.name}: a failed command prints nothing on stdout\n${show(r)}`);
    });
  }
});

void test('--help and --version exit 0; an unreachable server is a failure (exit 1) said in one line, not a usage error', async () => {
  const [help, version, unreachable, worker] = await Promise.all([
    runCli(['start', '--help']),
    runCli(['--version']),
    runCli(['status', '--cluster', 'c1', '--target', '1.32'], NO_SERVER),
    runCli(['worker'], { ...NO_SERVER, LOG_LEVEL: 'info' }),
  ]);
  assert.equal(help.code, 0, show(help));
  assert.match(help.stdout, /--snapshot <file>/);
  assert.equal(version.code, 0, show(version));
  assert.match(version.stdout, /^\d+\.\d+\.\d+\s*$/);
  assert.equal(unreachable.code, 1, show(unreachable));
  assert.match(unreachable.stderr, /Cannot reach Temporal at 127\.0\.0\.1:1.*TEMPORAL_ADDRESS/s);
  // The worker: one human line (no JSON log line, no stack), exit 1.
  assert.equal(worker.code, 1, show(worker));
  assert.match(
    worker.stderr,
    /^error: cannot reach Temporal at 127\.0\.0\.1:1 .*Connection refused.*TEMPORAL_ADDRESS.*\n$/,
  );
  assert.equal(worker.stderr.trim().split('\n').length, 1, show(worker));
});

void test('--format json prints one JSON document on stdout and nothing else', async () => {
  const server = { TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE };
  assert.ok(
    server.TEMPORAL_ADDRESS,
    'run through scripts/run-tests.ts (npm run test:only), which provides TEMPORAL_ADDRESS',
  );
  const guardId = `cli-test-guard-${process.pid}-${Date.now()}`;
  const [list, cost, scan] = await Promise.all([
    runCli(['list', '--cluster', `nobody-${process.pid}`, '--format', 'json'], server),
    // A guard id nobody uses: `cost` then reports that nothing was spent, without needing a worker.
    runCli(['cost', '--format', 'json'], { ...server, BEDROCK_GUARD_WORKFLOW_ID: guardId }),
    runCli([
      'scan',
      '--manifests',
      join(REPO_ROOT, 'examples', 'sample-cluster', 'manifests'),
      '--target',
      '1.32',
      '--format',
      'json',
    ]),
  ]);
  assert.equal(list.code, 0, show(list));
  assert.deepEqual(JSON.parse(list.stdout), []);
  assert.equal(cost.code, 0, show(cost));
  assert.equal(JSON.parse(cost.stdout), null);
  assert.match(cost.stderr, /nothing spent/);
  assert.equal(scan.code, 3, `the sample manifests use an API removed in 1.32\n${show(scan)}`);
  const parsed = JSON.parse(scan.stdout) as { findings: Array<{ apiVersion: string; code?: string }> };
  assert.ok(
    parsed.findings.some((f) => f.apiVersion === 'flowcontrol.apiserver.k8s.io/v1beta3' && f.code === 'API001'),
    show(scan),
  );
});
