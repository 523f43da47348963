// The rollback plan: the reverse of what ran, control plane last and only inside the 7-day window (after the
// ROLLBACK_READINESS check); what EKS refuses is listed with what to do by hand. And the playbook renderers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  buildRollbackPlan,
  buildUpgradePlan,
  renderPlanMarkdown,
  renderPlanText,
  type ExecutedStepRecord,
  type UpgradePlan,
} from '../../src/domain/plan';
import { parseClusterSnapshot } from '../../src/domain/snapshot';

const ENDED = '2025-06-16T10:00:00.000Z';

function samplePlan(options: Parameters<typeof buildUpgradePlan>[2] = {}): UpgradePlan {
  const snapshot = parseClusterSnapshot(
    JSON.parse(readFileSync('examples/sample-cluster/snapshot.json', 'utf8')) as unknown,
  );
  snapshot.fargateProfiles = [{ name: 'batch' }];
  return buildUpgradePlan(snapshot, '1.32', options);
}

function allSucceeded(plan: UpgradePlan): ExecutedStepRecord[] {
  return plan.steps.map((step) => ({
    step,
    outcome: 'succeeded',
    startedAt: ENDED,
    endedAt: ENDED,
    updateId: `u-${step.id}`,
  }));
}

void describe('rollback plan', () => {
  void it('undoes in reverse order, node groups before the control plane, which goes back within 7 days', () => {
    const plan = samplePlan({ maxUnavailable: 2 });
    const rollback = buildRollbackPlan({ plan, records: allSucceeded(plan), now: new Date('2025-06-20T00:00:00Z') });
    assert.equal(rollback.currentVersion, '1.32');
    assert.equal(rollback.targetVersion, '1.31');
    assert.deepEqual(
      rollback.steps.map((s) => s.id),
      [
        'rollback/preflight',
        'rollback/addon/kube-proxy/v1.31.2-eksbuild.3',
        'rollback/manual/fargate',
        'rollback/nodegroup/general-al2023/version/1.31.2-20241121',
        'rollback/nodegroup/general-al2023/config/maxUnavailable=1',
        'rollback/addon/coredns/v1.11.3-eksbuild.2',
        'rollback/addon/vpc-cni/v1.19.0-eksbuild.1',
        'rollback/rollback-readiness/1.31',
        'rollback/control-plane/1.31',
      ],
    );
    const group = rollback.steps[3];
    assert.deepEqual(group?.change.kind === 'nodegroup-version' && group.change.to, {
      version: '1.31',
      releaseVersion: '1.31.2-20241121',
    });
    assert.match(
      group?.commands.join('\n') ?? '',
      /create-nodegroup .*--kubernetes-version 1\.31/,
      'blue/green fallback',
    );
    assert.deepEqual(rollback.steps[4]?.dependsOn, [group?.id]);
    const controlPlane = rollback.steps.at(-1);
    assert.deepEqual(controlPlane?.change, { kind: 'control-plane-version', from: '1.32', to: '1.31' });
    assert.equal(controlPlane?.stage, 'rollback-control-plane');
    assert.deepEqual(controlPlane?.dependsOn, ['rollback/rollback-readiness/1.31']);
    assert.equal(rollback.controlPlaneWindowEndsAt, '2025-06-23T10:00:00.000Z');
    assert.deepEqual(rollback.notUndoable, []);
    assert.match(rollback.warnings.join('\n'), /Fargate .* scale them to zero/);
  });

  void it('past the 7-day window the control plane stays, and the plan says what to do by hand', () => {
    const plan = samplePlan();
    const rollback = buildRollbackPlan({ plan, records: allSucceeded(plan), now: new Date('2025-06-24T00:00:00Z') });
    assert.ok(
      !rollback.steps.some((s) => s.change.kind === 'control-plane-version' || s.change.kind === 'rollback-readiness'),
    );
    assert.equal(rollback.notUndoable[0]?.resource, 'cluster');
    assert.match(
      rollback.notUndoable[0]?.reason ?? '',
      /within 7 days.*2025-06-16T10:00:00\.000Z.*closed 2025-06-23T10:00:00\.000Z/,
    );
    assert.match(rollback.notUndoable[0]?.byHand.join('\n') ?? '', /blue\/green/);
    assert.equal(rollback.currentVersion, '1.32');
    const md = renderPlanMarkdown(rollback);
    assert.match(
      md,
      /## What cannot be undone through the EKS API\n\n- \*\*cluster:\*\* EKS rolls a control plane back only within 7 days/,
    );
  });

  void it('a node group that cannot go back becomes a blue/green swap by hand', () => {
    const plan = samplePlan({ maxUnavailable: 2 });
    const rollback = buildRollbackPlan({
      plan,
      records: allSucceeded(plan),
      now: new Date(ENDED),
      nodegroupDowngrade: 'manual',
    });
    const swap = rollback.steps.find((s) => s.id === 'rollback/manual/nodegroup/general-al2023');
    assert.equal(swap?.automated, false);
    assert.match(swap?.commands.join('\n') ?? '', /kubectl drain -l eks\.amazonaws\.com\/nodegroup=general-al2023/);
    assert.ok(
      !rollback.steps.some((s) => s.change.kind === 'nodegroup-config'),
      'no config restore on a group that goes away',
    );
    assert.equal(rollback.notUndoable[0]?.resource, 'nodegroup/general-al2023');
  });

  void it('only what succeeded is undone: a failed control plane leaves nothing but a warning', () => {
    const plan = samplePlan();
    const records: ExecutedStepRecord[] = [
      { step: plan.steps[0]!, outcome: 'succeeded' },
      { step: plan.steps[1]!, outcome: 'failed', updateId: 'u-cp' },
    ];
    const rollback = buildRollbackPlan({ plan, records, now: new Date(ENDED) });
    assert.deepEqual(rollback.steps, []);
    assert.equal(rollback.currentVersion, '1.31');
    assert.match(rollback.warnings.join(''), /control plane was not upgraded/);
    assert.match(renderPlanMarkdown(rollback), /Nothing to do/);
  });

  void it('add-on hops are undone one minor at a time, newest first', () => {
    const snapshot = parseClusterSnapshot({
      schemaVersion: 1,
      cluster: { name: 'c1', version: '1.31' },
      addons: [
        {
          name: 'vpc-cni',
          version: 'v1.18.3-eksbuild.2',
          compatibleVersions: {
            '1.31': ['v1.19.2-eksbuild.1', 'v1.20.4-eksbuild.1'],
            '1.32': ['v1.19.2-eksbuild.1', 'v1.20.4-eksbuild.1'],
          },
          defaultVersions: { '1.32': 'v1.20.4-eksbuild.1' },
        },
      ],
    });
    const plan = buildUpgradePlan(snapshot, '1.32');
    const rollback = buildRollbackPlan({ plan, records: allSucceeded(plan), now: new Date(ENDED) });
    assert.deepEqual(
      rollback.steps
        .filter((s) => s.change.kind === 'addon-version')
        .map((s) => s.change.kind === 'addon-version' && `${s.change.from}→${s.change.to}`),
      ['v1.20.4-eksbuild.1→v1.19.2-eksbuild.1', 'v1.19.2-eksbuild.1→v1.18.3-eksbuild.2'],
    );
  });
});

void describe('playbook renderers', () => {
  void it('Markdown: stages in order, each step with changes, precondition, API, undo, watch and commands', () => {
    const md = renderPlanMarkdown(samplePlan());
    assert.match(md, /^# Upgrade playbook: demo-prod-east 1\.31 → 1\.32\n/);
    const headings = [...md.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    assert.deepEqual(headings, [
      '1. Preflight',
      '2. Control plane',
      '3. Add-ons that run on both minors (before the nodes)',
      '4. Managed node groups',
      '5. The rest of the data plane (manual)',
      '6. Add-ons after the nodes (kube-proxy first)',
    ]);
    assert.match(md, /### 5\.1 Restart the pods on Fargate \(batch\) so they run the 1\.32 kubelet \(manual\)/);
    for (const label of ['Changes', 'Precondition', 'API', 'Undo', 'Watch'])
      assert.match(md, new RegExp(`\\*\\*${label}:\\*\\*`));
    assert.match(
      md,
      /```sh\naws eks update-nodegroup-version --cluster-name demo-prod-east --nodegroup-name general-al2023 --kubernetes-version 1\.32 --region us-east-1\n/,
    );
  });

  void it('text: one line per step with its commands', () => {
    const text = renderPlanText(samplePlan());
    assert.match(text, /^Upgrade playbook: demo-prod-east 1\.31 → 1\.32\n/);
    assert.match(text, /\n {2}2\.1 Upgrade the control plane 1\.31 → 1\.32\n/);
    assert.match(text, /\[manual\] Restart the pods on Fargate/);
    assert.match(text, /\$ aws eks update-addon --cluster-name demo-prod-east --addon-name kube-proxy/);
  });
});
