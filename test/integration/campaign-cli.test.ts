// `eks-upgrade campaign validate|start` as a user runs them: a good file prints its plan; a bad one exits 2 naming
// file:line:col and the field, and `start` then starts nothing (the server has no campaign workflow for it).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestEnv } from '../harness/temporal';
import { REPO_ROOT, runCli, show } from './cli-support';
import { writeSnapshot } from './campaign-support';

let env: TestWorkflowEnvironment;
let dir: string;
before(async () => {
  env = await createTestEnv();
  dir = mkdtempSync(join(tmpdir(), 'campaign-cli-'));
});
after(async () => {
  await env?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

void test('campaign validate prints the plan of the example: waves, hops, 1.30 → 1.31 → 1.32', async () => {
  const r = await runCli(['campaign', 'validate', '--file', join(REPO_ROOT, 'examples/campaigns/prod-fleet.yaml')]);
  assert.equal(r.code, 0, show(r));
  assert.match(r.stdout, /campaign prod-fleet → 1\.32 \(analyze\): 4 clusters, 5 upgrade hops, 3 waves/);
  assert.match(r.stdout, /legacy-batch: 1\.30 → 1\.31 → 1\.32/);
  const json = await runCli([
    'campaign',
    'validate',
    '--format',
    'json',
    '--file',
    join(REPO_ROOT, 'examples/campaigns/prod-fleet.yaml'),
  ]);
  assert.equal(json.code, 0, show(json));
  const plan = JSON.parse(json.stdout) as { waves: Array<{ name: string; clusters: string[] }> };
  assert.deepEqual(
    plan.waves.map((w) => w.clusters),
    [['canary-east'], ['shop-east'], ['shop-west', 'legacy-batch']],
  );
  // Live clusters in other accounts, each with the role the worker assumes to read it.
  const roles = await runCli([
    'campaign',
    'validate',
    '--file',
    join(REPO_ROOT, 'examples/campaigns/cross-account.yaml'),
  ]);
  assert.equal(roles.code, 0, show(roles));
  assert.match(roles.stdout, /campaign payments-fleet → 1\.32 \(analyze\): 3 clusters, 4 upgrade hops, 2 waves/);
});

void test('a bad file: exit 2 naming each line and field; start starts nothing', async () => {
  const file = join(dir, 'bad.yaml');
  const snapshot = join(REPO_ROOT, 'examples/campaigns/snapshots/shop-east.json');
  const name = `bad-${process.pid}`;
  writeFileSync(
    file,
    [
      'apiVersion: eks-upgrade/v1',
      'kind: Campaign',
      `name: ${name}`,
      'targetVersion: "1.32"',
      'clusters:',
      '  - name: shop-east',
      `    inventory: { snapshot: ${snapshot} }`,
      '  - name: shop-west',
      `    inventory: { snapshot: ${snapshot} }`,
      'strategy:',
      '  waves:',
      '    - name: canary',
      '      select: { clusters: [shop-east, shop-north] }',
      '',
    ].join('\n'),
  );
  const temporal = { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace ?? 'default' };
  for (const command of ['validate', 'start']) {
    const r = await runCli(['campaign', command, '--file', file], temporal);
    assert.equal(r.code, 2, show(r));
    assert.match(
      r.stderr,
      /bad\.yaml:9:\d+: clusters\[1\]\.inventory\.snapshot: .*describes cluster 'shop-east', not 'shop-west'/,
    );
    assert.match(
      r.stderr,
      /bad\.yaml:13:\d+: strategy\.waves\[0\]\.select\.clusters\[1\]: no cluster named 'shop-north'/,
    );
    assert.match(r.stderr, /nothing was started/);
  }
  const started = await env.client.workflow.count(`WorkflowId = 'campaign-${name}'`);
  assert.equal(started.count, 0, 'no campaign workflow exists');
});

void test('start --target two minors ahead runs the path as one upgrade workflow per hop', async () => {
  const cluster = `path-${process.pid}`;
  const snapshot = writeSnapshot(dir, cluster, '1.29');
  const temporal = {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: env.namespace ?? 'default',
    EKS_UPGRADE_TASK_QUEUE: `no-worker-${process.pid}`,
  };
  const r = await runCli(
    [
      'start',
      '--cluster',
      cluster,
      '--target',
      '1.31',
      '--snapshot',
      snapshot,
      '--release-notes',
      'none',
      '--no-ai',
      '--format',
      'json',
    ],
    temporal,
  );
  assert.equal(r.code, 0, show(r));
  assert.match(
    r.stderr,
    new RegExp(
      `1\\.29 → 1\\.31 runs as 2 hops, one upgrade workflow each: upgrade-${cluster}-1\\.30, upgrade-${cluster}-1\\.31`,
    ),
  );
  const out = JSON.parse(r.stdout) as {
    workflowId: string;
    hops: Array<{ from: string; to: string; workflowId: string }>;
  };
  assert.deepEqual(
    out.hops.map((h) => h.workflowId),
    [`upgrade-${cluster}-1.30`, `upgrade-${cluster}-1.31`],
  );
  const handle = env.client.workflow.getHandle(out.workflowId);
  const d = await handle.describe();
  assert.equal(d.type, 'campaignWorkflow');
  await handle.terminate('test done');
});
