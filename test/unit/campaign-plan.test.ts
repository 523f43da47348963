// The campaign file and its plan: problems named by line and field, waves by name, label, percent and rest, hop
// paths, the projection of later hops, and the progress rules (stop conditions, gates, headline).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CampaignFileError, parseCampaignYaml, parseDurationMs } from '../../src/domain/campaign';
import { hopPath, planCampaign } from '../../src/domain/campaign-plan';
import { projectSnapshot } from '../../src/domain/campaign-projection';
import {
  autoGateBlockers,
  campaignHeadline,
  initialClusters,
  nextHop,
  settlePath,
  stopFirings,
  stopReasons,
} from '../../src/domain/campaign-progress';
import type { ClusterSnapshot } from '../../src/domain/snapshot';
import { hopUpgradeInput } from '../../src/workflows/campaign-messages';
import { parseUpgradeInput } from '../../src/workflows/upgrade-messages';

const clusters = (n: number, extra = (_i: number) => '') =>
  Array.from(
    { length: n },
    (_, i) =>
      `  - name: c${i + 1}\n    inventory: { snapshot: c${i + 1}.json }\n    labels: { tier: ${i === 0 ? 'canary' : 'main'} }${extra(i)}`,
  ).join('\n');

const file = (body: string) =>
  `apiVersion: eks-upgrade/v1\nkind: Campaign\nname: prod-fleet\ntargetVersion: "1.32"\nclusters:\n${body}`;

function problemsOf(text: string) {
  try {
    parseCampaignYaml(text, 'c.yaml');
  } catch (err) {
    assert.ok(err instanceof CampaignFileError);
    return err.problems;
  }
  assert.fail('expected problems');
}

function plan(text: string, versions: Record<string, string> = {}) {
  const { file: spec, locate } = parseCampaignYaml(text, 'c.yaml');
  return planCampaign(spec, 'c.yaml', {
    locate,
    resolvePath: (p) => `/base/${p}`,
    resolveInventory: (c) => ({
      inventory: { kind: 'snapshot', path: `/base/${c.name}.json` },
      currentVersion: versions[c.name] ?? '1.31',
    }),
  });
}

void test('schema problems name the line, column and field', () => {
  const problems = problemsOf(
    file(
      `${clusters(2)}\n  - name: "bad name!"\n    inventory: { snapshot: x.json }\nstrategy:\n  waves:\n    - name: all\n      select: { rest: true }\n      maxParallel: 0\n      bakeTime: soon\n`,
    ),
  );
  const byField = Object.fromEntries(problems.map((p) => [p.field, p]));
  assert.equal(byField['clusters[2].name']?.line, 12);
  assert.match(byField['clusters[2].name']?.message ?? '', /EKS cluster name/);
  assert.equal(byField['strategy.waves[0].maxParallel']?.line, 18);
  assert.equal(byField['strategy.waves[0].bakeTime']?.line, 19);
  assert.match(byField['strategy.waves[0].bakeTime']?.message ?? '', /'soon' is not a duration/);
});

void test('a missing field points at its parent; a YAML syntax error at its line', () => {
  const missing = problemsOf(file(`  - name: a\n    inventory: { snapshot: a.json }\n`));
  assert.deepEqual(
    missing.map((p) => [p.field, p.line]),
    [['strategy', 1]],
  );
  const syntax = problemsOf(file(`  - name: a\n    inventory: { snapshot: a.json\n`));
  assert.equal(syntax[0]?.field, '(yaml)');
  assert.ok((syntax[0]?.line ?? 0) >= 6);
  const unknown = problemsOf(
    file(
      `  - name: a\n    inventory: { snapshot: a.json }\n    colour: blue\nstrategy: { waves: [{ name: w, select: { rest: true } }] }\n`,
    ),
  );
  assert.equal(unknown[0]?.line, 8);
  assert.match(unknown[0]?.message ?? '', /colour/);
});

void test('waves: canary by label, 25 % of the fleet, then the rest; every cluster once', () => {
  const p = plan(
    file(
      `${clusters(12)}\nstrategy:\n  waves:\n    - name: canary\n      select: { labels: { tier: canary } }\n    - name: quarter\n      select: { percent: 25 }\n      maxParallel: 2\n      bakeTime: 10m\n    - name: rest\n      select: { rest: true }\n`,
    ),
  );
  assert.deepEqual(
    p.waves.map((w) => [w.name, w.clusters.length]),
    [
      ['canary', 1],
      ['quarter', 3],
      ['rest', 8],
    ],
  );
  assert.deepEqual(p.waves[1]?.clusters, ['c2', 'c3', 'c4']);
  assert.equal(p.waves[1]?.bakeTimeMs, 600_000);
  assert.equal(p.waves[0]?.upgradeApproval, 'auto');
  assert.equal(p.clusters[0]?.inventory.kind, 'snapshot');
});

void test('planning problems: unknown names, clusters in no wave, twice, downgrades, role ARNs', () => {
  assert.throws(
    () =>
      plan(
        file(
          `${clusters(3, (i) => (i === 2 ? '\n    roleArn: arn:aws:iam::123456789012:role/x' : ''))}\nstrategy:\n  waves:\n    - name: a\n      select: { clusters: [c1, nope] }\n    - name: b\n      select: { clusters: [c1] }\n`,
        ),
        { c2: '1.33' },
      ),
    (err: Error) => {
      assert.ok(err instanceof CampaignFileError);
      const text = err.message;
      assert.match(text, /c\.yaml:\d+:\d+: strategy\.waves\[0\]\.select\.clusters\[1\]: no cluster named 'nope'/);
      assert.match(text, /strategy\.waves\[1\]\.select\.clusters\[0\]: 'c1' is already in wave 'a'/);
      assert.match(text, /clusters\[2\]: cluster 'c3' is in no wave/);
      assert.match(text, /clusters\[1\]\.inventory: 'c2' runs 1\.33, newer than targetVersion 1\.32/);
      assert.match(text, /clusters\[2\]\.roleArn: roleArn is assumed to read a live cluster .*a snapshot needs none/);
      return true;
    },
  );
});

void test('a live cluster with a role: every hop assumes it, in a session naming the campaign and the hop', () => {
  const text = file(
    `  - name: acct-b\n    region: eu-west-1\n    roleArn: arn:aws:iam::210987654321:role/eks-upgrade-reader\n    inventory: { live: true, currentVersion: "1.30" }\nstrategy: { waves: [{ name: all, select: { rest: true } }] }\n`,
  );
  const { file: spec, locate } = parseCampaignYaml(text, 'c.yaml');
  const p = planCampaign(spec, 'c.yaml', {
    locate,
    resolvePath: (x) => `/base/${x}`,
    resolveInventory: (c) => ({
      inventory: { kind: 'eks' },
      currentVersion: 'live' in c.inventory ? c.inventory.currentVersion : '?',
    }),
  });
  const cluster = p.clusters[0];
  assert.ok(cluster);
  assert.equal(cluster.roleArn, 'arn:aws:iam::210987654321:role/eks-upgrade-reader');
  const hops = cluster.hops.map((_, i) => hopUpgradeInput(p, cluster, i));
  assert.deepEqual(
    hops.map((h) => [h.targetVersion, h.inventory.kind, h.roleArn, h.roleSessionName]),
    [
      ['1.31', 'eks', cluster.roleArn, 'prod-fleet.acct-b-1.31'],
      ['1.32', 'eks', cluster.roleArn, 'prod-fleet.acct-b-1.32'],
    ],
  );
  for (const h of hops) assert.ok(parseUpgradeInput(h).ok, 'the upgrade input accepts it');
  assert.match(
    problemsOf(
      file(
        `  - name: x\n    roleArn: arn:aws:iam::1234:role/x\n    inventory: { live: true, currentVersion: "1.30" }\n`,
      ),
    )
      .map((q) => `${q.field}: ${q.message}`)
      .join('\n'),
    /clusters\[0\]\.roleArn: expected an IAM role ARN/,
  );
});

void test('hop paths are one minor at a time', () => {
  assert.deepEqual(hopPath('1.29', '1.32'), [
    { from: '1.29', to: '1.30' },
    { from: '1.30', to: '1.31' },
    { from: '1.31', to: '1.32' },
  ]);
  assert.deepEqual(hopPath('1.32', '1.32'), []);
  const p = plan(file(`${clusters(2)}\nstrategy: { waves: [{ name: all, select: { rest: true } }] }\n`), {
    c1: '1.29',
    c2: '1.32',
  });
  assert.equal(p.clusters[0]?.hops.length, 3);
  assert.equal(p.clusters[1]?.hops.length, 0);
  assert.equal(parseDurationMs('1h'), 3_600_000);
  assert.equal(parseDurationMs('1 fortnight'), undefined);
});

void test('projection: the control plane, node groups on its minor, their kubelets and known add-on defaults move', () => {
  const s: ClusterSnapshot = {
    schemaVersion: 1,
    cluster: { name: 'x', version: '1.29' },
    nodeGroups: [
      { name: 'on-cp', version: '1.29', releaseVersion: '1.29.0-2024' },
      { name: 'behind', version: '1.28' },
    ],
    nodes: [
      { name: 'n1', kubeletVersion: 'v1.29.3-eks', nodeGroup: 'on-cp' },
      { name: 'n2', kubeletVersion: 'v1.28.1', nodeGroup: 'behind' },
    ],
    addons: [
      { name: 'kube-proxy', version: 'v1.29.1', defaultVersions: { '1.30': 'v1.30.9' } },
      { name: 'other', version: 'v2' },
    ],
    insights: [
      { id: 'a', name: 'for 1.30', status: 'ERROR', kubernetesVersion: '1.30' },
      { id: 'b', name: 'for 1.31', status: 'WARNING', kubernetesVersion: '1.31' },
    ],
  };
  const p = projectSnapshot(s, '1.30');
  assert.equal(p.cluster.version, '1.30');
  assert.deepEqual(
    p.nodeGroups?.map((g) => [g.name, g.version, g.releaseVersion]),
    [
      ['on-cp', '1.30', undefined],
      ['behind', '1.28', undefined],
    ],
  );
  assert.deepEqual(
    p.nodes?.map((n) => n.kubeletVersion),
    ['v1.30.0', 'v1.28.1'],
  );
  assert.deepEqual(
    p.addons?.map((a) => a.version),
    ['v1.30.9', 'v2'],
  );
  assert.deepEqual(
    p.insights?.map((i) => i.id),
    ['b'],
  );
  assert.equal(projectSnapshot(s, '1.29'), s);
  assert.throws(() => projectSnapshot(s, '1.28'), /cannot project/);
});

void test('progress: stop conditions, the auto gate, next hops and the headline', () => {
  const p = plan(
    file(
      `${clusters(4)}\nstrategy:\n  waves:\n    - name: canary\n      select: { labels: { tier: canary } }\n      stopOn: { noGo: true }\n      gate: auto\n    - name: rest\n      select: { rest: true }\n      stopOn: { failedPercent: 30 }\n`,
    ),
    { c2: '1.30' },
  );
  const cs = initialClusters(p, (c, to) => `upgrade-${c}-${to}`);
  const [canary, two, three, four] = cs;
  assert.ok(canary && two && three && four);
  assert.equal(nextHop(two)?.to, '1.31');
  assert.equal(autoGateBlockers(p.waves[0]!, cs).length, 1);
  canary.hops[0]!.verdict = 'GO';
  canary.hops[0]!.state = 'completed';
  settlePath(canary);
  assert.equal(canary.path, 'done');
  assert.deepEqual(autoGateBlockers(p.waves[0]!, cs), []);
  canary.hops[0]!.verdict = 'NO_GO';
  assert.match(stopReasons(p.waves[0]!, cs)[0] ?? '', /NO_GO in wave canary: c1/);
  two.hops[0]!.state = 'completed';
  two.hops[0]!.verdict = 'GO';
  assert.equal(nextHop(two)?.to, '1.32', 'the second hop starts once the first completed');
  three.hops[0]!.state = 'failed';
  settlePath(three);
  assert.equal(stopFirings(p.waves[1]!, cs), 1, '1 of 3 failed: 33 % > 30 %');
  assert.match(stopReasons(p.waves[1]!, cs)[0] ?? '', /1 of 3 upgrades failed in wave rest/);
  assert.equal(campaignHeadline(p, 1, cs), 'prod-fleet → 1.32: wave 2/2 — 1 GO, 0 GO_WITH_CAUTION, 1 NO_GO, 1 failed');
});
