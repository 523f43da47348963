// `eks-upgrade plan`: from a snapshot file or --live through the real SDK against the EKS simulator, in every
// format; bad usage exits 2 having read nothing; an EKS failure exits 1.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EKSClient } from '@aws-sdk/client-eks';
import { runPlan, type PlanCommandOptions } from '../../src/client/commands/plan';
import type { UpgradePlan } from '../../src/domain/plan';
import { credentials, startSimulatedEks, type SimulatedEks } from './execution-support';

const SAMPLE = 'examples/sample-cluster/snapshot.json';

async function plan(options: PlanCommandOptions, eksEndpoint?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runPlan(
    options,
    {
      result: (t: string) => out.push(t.endsWith('\n') ? t : `${t}\n`),
      info: (t: string) => err.push(t.endsWith('\n') ? t : `${t}\n`),
    },
    {
      env: {},
      ...(eksEndpoint
        ? {
            createEksClient: (region: string) =>
              new EKSClient({ region, endpoint: eksEndpoint, credentials, maxAttempts: 1 }),
          }
        : {}),
    },
  );
  return { code, out: out.join(''), err: err.join('') };
}

void describe('eks-upgrade plan', () => {
  let sim: SimulatedEks;
  before(async () => {
    sim = await startSimulatedEks();
  });
  after(() => sim.close());

  void it('renders the playbook from a snapshot as Markdown (default), text and JSON', async () => {
    const md = await plan({ snapshot: SAMPLE, target: '1.32' });
    assert.equal(md.code, 0, md.err);
    assert.match(md.out, /^# Upgrade playbook: demo-prod-east 1\.31 → 1\.32/);
    const text = await plan({ snapshot: SAMPLE, target: '1.32', format: 'text' });
    assert.match(text.out, /^Upgrade playbook:/);
    const json = await plan({
      snapshot: SAMPLE,
      target: '1.32',
      format: 'json',
      concurrency: '2',
      maxUnavailable: '2',
    });
    const parsed = JSON.parse(json.out) as UpgradePlan;
    assert.equal(parsed.kind, 'upgrade');
    assert.equal(parsed.stages.find((s) => s.stage === 'node-groups')?.concurrency, 2);
    assert.ok(parsed.steps.some((s) => s.id === 'nodegroup/general-al2023/config/maxUnavailable=2'));
    assert.equal(json.err, '', 'nothing but the plan on stdout, nothing on stderr');
  });

  void it('--live reads the cluster through the EKS API', async () => {
    const before = sim.fake.requests.length;
    // DescribeNodegroup's updateConfig reaches the snapshot (and the plan's rounds).
    const batch = sim.fake.sim.cluster('exec-east').nodegroups.find((g) => g.nodegroupName === 'batch-al2023');
    if (batch) batch.updateConfig = { maxUnavailable: 2 };
    const live = await plan(
      { live: true, cluster: 'exec-east', region: 'us-east-1', target: '1.32', format: 'json' },
      sim.endpoint,
    );
    assert.equal(live.code, 0, live.err);
    const parsed = JSON.parse(live.out) as UpgradePlan;
    assert.deepEqual(
      parsed.steps.filter((s) => s.change.kind === 'nodegroup-version').map((s) => s.id),
      ['nodegroup/general-al2023/version/1.32', 'nodegroup/batch-al2023/version/1.32'],
    );
    const batchStep = parsed.steps.find((s) => s.id === 'nodegroup/batch-al2023/version/1.32');
    assert.equal(batchStep?.change.kind === 'nodegroup-version' && batchStep.change.maxUnavailable, 2);
    assert.ok(
      sim.fake.requests.slice(before).every((r) => r.method === 'GET' || r.operation === 'ListInsights'),
      'reads only',
    );
    const missing = await plan({ live: true, cluster: 'nope', region: 'us-east-1', target: '1.32' }, sim.endpoint);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /could not read cluster nope/);
    sim.fake.injectFault({ operation: 'DescribeCluster', kind: 'server' });
    const failed = await plan({ live: true, cluster: 'exec-east', region: 'us-east-1', target: '1.32' }, sim.endpoint);
    assert.equal(failed.code, 1);
  });

  void it('bad usage exits 2 with what to fix, and reads nothing', async () => {
    const before = sim.fake.requests.length;
    const cases: Array<[PlanCommandOptions, RegExp]> = [
      [{ snapshot: SAMPLE }, /--target is required/],
      [{ target: '1.32' }, /either --snapshot FILE or --live/],
      [{ snapshot: SAMPLE, live: true, target: '1.32' }, /either --snapshot FILE or --live/],
      [{ snapshot: SAMPLE, target: '1.33' }, /not the next minor.*plan 1\.32 first/],
      [{ snapshot: SAMPLE, target: 'soon' }, /--target/],
      [{ snapshot: SAMPLE, target: '1.32', format: 'yaml' }, /--format/],
      [{ snapshot: SAMPLE, target: '1.32', concurrency: 'two' }, /--concurrency: 'two' is not a whole number/],
      [{ snapshot: SAMPLE, target: '1.32', launchTemplateVersion: ['gpu'] }, /NODEGROUP=VERSION/],
      [{ snapshot: SAMPLE, target: '1.32', resolveConflicts: 'maybe' }, /--resolve-conflicts/],
      [{ snapshot: 'nope.json', target: '1.32' }, /cannot read the snapshot file nope\.json/],
      [{ snapshot: SAMPLE, cluster: 'other', target: '1.32' }, /does not match the snapshot's cluster demo-prod-east/],
      [{ live: true, target: '1.32' }, /--live needs --cluster/],
      [{ live: true, cluster: 'exec-east', target: '1.32' }, /--region/],
    ];
    for (const [options, message] of cases) {
      const result = await plan(options, sim.endpoint);
      assert.equal(result.code, 2, JSON.stringify(options));
      assert.match(result.err, message);
      assert.equal(result.out, '');
    }
    assert.equal(sim.fake.requests.length, before);
  });
});
