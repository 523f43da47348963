// The upgrade plan: order (control plane → add-ons on both minors → node groups → manual data plane → kube-proxy and
// the rest), add-on paths one minor at a time, node-group settings, manual steps, warnings, and the expected state
// the preflight compares before each stage.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  buildUpgradePlan,
  expectedStateAfter,
  expectedStateBefore,
  PlanInputError,
  type PlanStep,
} from '../../src/domain/plan';
import { parseClusterSnapshot, type ClusterSnapshot } from '../../src/domain/snapshot';

const sample = (): ClusterSnapshot =>
  parseClusterSnapshot(JSON.parse(readFileSync('examples/sample-cluster/snapshot.json', 'utf8')) as unknown);

function snapshot(extra: Partial<ClusterSnapshot>): ClusterSnapshot {
  return parseClusterSnapshot({
    schemaVersion: 1,
    cluster: { name: 'c1', version: '1.31', region: 'eu-west-1' },
    ...extra,
  });
}

const ids = (steps: PlanStep[]) => steps.map((s) => s.id);

void describe('upgrade plan', () => {
  void it('orders the sample cluster: control plane, vpc-cni and coredns, the node group, then kube-proxy', () => {
    const plan = buildUpgradePlan(sample(), '1.32');
    assert.deepEqual(
      plan.stages.map((s) => s.stage),
      ['preflight', 'control-plane', 'addons-before-nodes', 'node-groups', 'addons-after-nodes'],
    );
    assert.deepEqual(ids(plan.steps), [
      'preflight',
      'control-plane/1.32',
      'addon/vpc-cni/v1.19.2-eksbuild.1',
      'addon/coredns/v1.11.4-eksbuild.2',
      'nodegroup/general-al2023/version/1.32',
      'addon/kube-proxy/v1.32.0-eksbuild.2',
    ]);
    const group = plan.steps.find((s) => s.change.kind === 'nodegroup-version');
    assert.deepEqual(group?.change, {
      kind: 'nodegroup-version',
      nodegroupName: 'general-al2023',
      from: { version: '1.31', releaseVersion: '1.31.2-20241121' },
      to: { version: '1.32' },
      nodes: 3,
      maxUnavailable: 1,
    });
    for (const step of plan.steps) {
      assert.ok(step.precondition.length > 3 && step.undo.length > 3 && step.summary.length > 10, step.id);
      assert.ok(step.watch.length > 0 && step.commands.length > 0, `${step.id} has commands and things to watch`);
    }
    assert.match(
      plan.steps[1]?.commands[0] ?? '',
      /^aws eks update-cluster-version --name demo-prod-east --kubernetes-version 1\.32 --region us-east-1$/,
    );
    assert.deepEqual(plan.warnings, []);
    assert.deepEqual(buildUpgradePlan(sample(), '1.32'), plan, 'the same input gives the same plan');
  });

  void it('kube-proxy always follows the nodes; add-ons valid only on the target come after it, then the rest', () => {
    const plan = buildUpgradePlan(
      snapshot({
        nodeGroups: [{ name: 'ng', version: '1.31' }],
        addons: [
          {
            name: 'aws-ebs-csi-driver',
            version: 'v1.35.0-eksbuild.1',
            compatibleVersions: { '1.31': ['v1.36.0-eksbuild.1'], '1.32': ['v1.36.0-eksbuild.1'] },
            defaultVersions: { '1.32': 'v1.36.0-eksbuild.1' },
          },
          {
            name: 'coredns',
            version: 'v1.11.3-eksbuild.2',
            compatibleVersions: { '1.31': ['v1.11.3-eksbuild.2'], '1.32': ['v1.11.4-eksbuild.2'] },
            defaultVersions: { '1.32': 'v1.11.4-eksbuild.2' },
          },
          {
            name: 'kube-proxy',
            version: 'v1.31.2-eksbuild.3',
            // Even a build listed for both minors waits for the nodes: kube-proxy may not be newer than a kubelet.
            compatibleVersions: { '1.31': ['v1.32.0-eksbuild.2'], '1.32': ['v1.32.0-eksbuild.2'] },
            defaultVersions: { '1.32': 'v1.32.0-eksbuild.2' },
          },
        ],
      }),
      '1.32',
    );
    const after = plan.stages.find((s) => s.stage === 'addons-after-nodes')?.steps;
    assert.deepEqual(after, [
      'addon/kube-proxy/v1.32.0-eksbuild.2',
      'addon/coredns/v1.11.4-eksbuild.2',
      'addon/aws-ebs-csi-driver/v1.36.0-eksbuild.1',
    ]);
    assert.equal(
      plan.stages.find((s) => s.stage === 'addons-before-nodes'),
      undefined,
    );
  });

  void it('moves an add-on one minor per update, through the newest build of each minor in between', () => {
    const vpcCni = {
      name: 'vpc-cni',
      version: 'v1.18.3-eksbuild.2',
      compatibleVersions: {
        '1.31': ['v1.18.3-eksbuild.2', 'v1.19.0-eksbuild.1', 'v1.19.2-eksbuild.1', 'v1.20.4-eksbuild.1'],
        '1.32': ['v1.19.0-eksbuild.1', 'v1.19.2-eksbuild.1', 'v1.20.4-eksbuild.1'],
      },
      defaultVersions: { '1.32': 'v1.20.4-eksbuild.1' },
    };
    const plan = buildUpgradePlan(snapshot({ addons: [vpcCni] }), '1.32');
    const steps = plan.steps.filter((s) => s.change.kind === 'addon-version');
    assert.deepEqual(
      steps.map((s) => [s.id, s.stage, s.dependsOn]),
      [
        ['addon/vpc-cni/v1.19.2-eksbuild.1', 'addons-before-nodes', []],
        ['addon/vpc-cni/v1.20.4-eksbuild.1', 'addons-before-nodes', ['addon/vpc-cni/v1.19.2-eksbuild.1']],
      ],
    );
    const gap = buildUpgradePlan(
      snapshot({
        addons: [{ ...vpcCni, compatibleVersions: { ...vpcCni.compatibleVersions, '1.32': ['v1.20.4-eksbuild.1'] } }],
      }),
      '1.32',
    );
    assert.match(gap.warnings.join('\n'), /passes v1\.19.*one minor per update/);
    const current = buildUpgradePlan(snapshot({ addons: [{ ...vpcCni, version: 'v1.20.4-eksbuild.1' }] }), '1.32');
    assert.deepEqual(current.unchanged, ['addon/vpc-cni: v1.20.4-eksbuild.1 already runs on 1.32']);
    assert.equal(current.steps.filter((s) => s.change.kind === 'addon-version').length, 0);
    const unknown = buildUpgradePlan(
      snapshot({ addons: [{ name: 'metrics-server', version: 'v0.7.2-eksbuild.1' }] }),
      '1.32',
    );
    assert.match(unknown.warnings[0] ?? '', /metrics-server: no version compatible with 1\.32 is known/);
  });

  void it('node groups: maxUnavailable from the group or the option (a config step first), concurrency, launch templates', () => {
    const base = snapshot({
      nodeGroups: [
        { name: 'web', version: '1.31', scaling: { desiredSize: 10 }, updateConfig: { maxUnavailablePercentage: 20 } },
        {
          name: 'gpu',
          version: '1.31',
          amiType: 'CUSTOM',
          launchTemplate: { id: 'lt-gpu', version: '7' },
          scaling: { desiredSize: 2 },
        },
      ],
    });
    const plan = buildUpgradePlan(base, '1.32', { nodegroupConcurrency: 2 });
    const web = plan.steps.find((s) => s.id === 'nodegroup/web/version/1.32');
    assert.equal(web?.change.kind === 'nodegroup-version' && web.change.maxUnavailable, 2, '20 % of 10 nodes');
    assert.equal(plan.stages.find((s) => s.stage === 'node-groups')?.concurrency, 2);
    const manual = plan.steps.find((s) => s.id === 'manual/nodegroup/gpu');
    assert.equal(manual?.automated, false);
    assert.equal(manual?.stage, 'data-plane-manual');
    assert.match(
      manual?.commands.join('\n') ?? '',
      /create-launch-template-version --launch-template-id lt-gpu --source-version 7/,
    );

    const faster = buildUpgradePlan(base, '1.32', { maxUnavailable: 5, launchTemplateVersions: { gpu: '8' } });
    const webSteps = faster.steps.filter((s) => s.id.startsWith('nodegroup/web/'));
    assert.deepEqual(ids(webSteps), ['nodegroup/web/config/maxUnavailable=5', 'nodegroup/web/version/1.32']);
    assert.deepEqual(webSteps[1]?.dependsOn, ['nodegroup/web/config/maxUnavailable=5']);
    assert.equal(webSteps[1]?.change.kind === 'nodegroup-version' && webSteps[1].change.maxUnavailable, 5);
    const gpu = faster.steps.find((s) => s.id === 'nodegroup/gpu/version/lt-8');
    assert.deepEqual(gpu?.change.kind === 'nodegroup-version' && gpu.change.to, {
      version: '1.32',
      launchTemplate: { id: 'lt-gpu', version: '8' },
    });
    assert.match(gpu?.commands[0] ?? '', /--launch-template id=lt-gpu,version=8/);
  });

  void it('Fargate, Karpenter and self-managed nodes are manual steps with commands; a group behind is a warning', () => {
    const plan = buildUpgradePlan(
      snapshot({
        nodeGroups: [{ name: 'old', version: '1.30' }],
        fargateProfiles: [{ name: 'batch' }],
        nodes: [
          { name: 'k-1', kubeletVersion: 'v1.31.1', kind: 'karpenter' },
          { name: 'sm-1', kubeletVersion: 'v1.31.1', kind: 'self-managed' },
        ],
      }),
      '1.32',
    );
    const manual = plan.steps.filter((s) => !s.automated);
    assert.deepEqual(ids(manual), ['manual/fargate', 'manual/karpenter', 'manual/self-managed']);
    assert.ok(manual.every((s) => s.stage === 'data-plane-manual' && s.commands.length > 0 && s.watch.length > 0));
    assert.match(manual[0]?.commands.join('\n') ?? '', /rollout restart/);
    assert.match(manual[1]?.summary ?? '', /drift/);
    assert.match(manual[2]?.commands.join('\n') ?? '', /optimized-ami\/1\.32\/amazon-linux-2023/);
    assert.match(plan.warnings.join('\n'), /Node group old is on 1\.30, behind the control plane's 1\.31.*UPG002/);
  });

  void it('refuses a target that is not the next minor, and bad options, with what to do', () => {
    assert.throws(
      () => buildUpgradePlan(sample(), '1.33'),
      (e: Error) => e instanceof PlanInputError && /plan 1\.32 first/.test(e.message),
    );
    assert.throws(() => buildUpgradePlan(sample(), 'latest'), PlanInputError);
    assert.throws(() => buildUpgradePlan(sample(), '1.32', { nodegroupConcurrency: 0 }), /concurrency/);
    assert.throws(() => buildUpgradePlan(sample(), '1.32', { maxUnavailable: 101 }), /1 to 100/);
    assert.throws(
      () => buildUpgradePlan(sample(), '1.32', { launchTemplateVersions: { nope: '2' } }),
      /no node group nope/,
    );
  });

  void it('the expected state before each stage applies every earlier automated step', () => {
    const plan = buildUpgradePlan(sample(), '1.32');
    assert.deepEqual(expectedStateBefore(plan, 'control-plane'), {
      clusterVersion: '1.31',
      nodegroups: { 'general-al2023': { version: '1.31', releaseVersion: '1.31.2-20241121' } },
      addons: { 'vpc-cni': 'v1.19.0-eksbuild.1', coredns: 'v1.11.3-eksbuild.2', 'kube-proxy': 'v1.31.2-eksbuild.3' },
    });
    const beforeNodes = expectedStateBefore(plan, 'node-groups');
    assert.equal(beforeNodes.clusterVersion, '1.32');
    assert.equal(beforeNodes.addons['vpc-cni'], 'v1.19.2-eksbuild.1');
    assert.equal(beforeNodes.addons['kube-proxy'], 'v1.31.2-eksbuild.3');
    assert.deepEqual(beforeNodes.nodegroups['general-al2023'], { version: '1.31', releaseVersion: '1.31.2-20241121' });
    assert.deepEqual(expectedStateAfter(plan), {
      clusterVersion: '1.32',
      nodegroups: { 'general-al2023': { version: '1.32' } },
      addons: { 'vpc-cni': 'v1.19.2-eksbuild.1', coredns: 'v1.11.4-eksbuild.2', 'kube-proxy': 'v1.32.0-eksbuild.2' },
    });
    assert.throws(() => expectedStateBefore(plan, 'data-plane-manual'), /no stage data-plane-manual/);
  });
});
