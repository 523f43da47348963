// The execution record and how it reads: the progress line of the status and the Web UI ("stage 3/4: node groups
// 2/5 — ng-batch updating"), the commands a wait asks for, the report's step table, what the rollback plan and the
// preflight read from it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  changedAnything,
  executedOutcomes,
  newExecutionProgress,
  type ExecutionProgress,
} from '../../src/domain/execution';
import { executionLine, executionTable, waitLines } from '../../src/domain/execution-render';
import { buildUpgradePlan, expectedStateWith, type UpgradePlan } from '../../src/domain/plan';
import { parseClusterSnapshot } from '../../src/domain/snapshot';

/** A 1.31 cluster with five node groups (ng-a … ng-e) and three add-ons. */
function plan(): UpgradePlan {
  const group = (name: string) => ({ name, version: '1.31', scaling: { desiredSize: 2 } });
  return buildUpgradePlan(
    parseClusterSnapshot({
      schemaVersion: 1,
      cluster: { name: 'prod-east', version: '1.31', region: 'us-east-1' },
      nodeGroups: ['ng-a', 'ng-batch', 'ng-c', 'ng-d', 'ng-e'].map(group),
      addons: [
        {
          name: 'kube-proxy',
          version: 'v1.31.2-eksbuild.3',
          compatibleVersions: { '1.31': ['v1.31.2-eksbuild.3'], '1.32': ['v1.32.0-eksbuild.2'] },
          defaultVersions: { '1.32': 'v1.32.0-eksbuild.2' },
        },
        {
          name: 'coredns',
          version: 'v1.11.3-eksbuild.2',
          compatibleVersions: { '1.31': ['v1.11.3-eksbuild.2', 'v1.11.4-eksbuild.2'], '1.32': ['v1.11.4-eksbuild.2'] },
          defaultVersions: { '1.32': 'v1.11.4-eksbuild.2' },
        },
      ],
    }),
    '1.32',
  );
}

function progress(p: UpgradePlan): ExecutionProgress {
  return newExecutionProgress(p, { clusterName: 'prod-east', region: 'us-east-1', label: 'simulated EKS' });
}

function finish(x: ExecutionProgress, prefix: string, updateId = `u-${prefix}`): void {
  const step = x.steps.find((s) => s.stepId.startsWith(prefix));
  assert.ok(step, prefix);
  step.state = 'succeeded';
  step.attempts.push({
    round: 0,
    force: false,
    outcome: 'succeeded',
    updateId,
    startedAt: '2026-07-01T10:00:00.000Z',
    endedAt: '2026-07-01T10:12:00.000Z',
  });
}

void describe('the progress line', () => {
  void it('stage n/m, units done of the stage, what runs now', () => {
    const p = plan();
    const x = progress(p);
    assert.equal(executionLine(x), 'upgrade (simulated EKS): not started');
    for (const s of x.stages.slice(0, 3)) s.state = 'done';
    finish(x, 'preflight');
    finish(x, 'control-plane');
    finish(x, 'addon/coredns');
    finish(x, 'nodegroup/ng-a/');
    const stage = x.stages.find((s) => s.stage === 'node-groups');
    assert.ok(stage);
    stage.state = 'running';
    const batch = x.steps.find((s) => s.stepId.startsWith('nodegroup/ng-batch/'));
    assert.ok(batch);
    batch.state = 'running';
    assert.equal(
      executionLine(x),
      'upgrade (simulated EKS) stage 3/4: node groups 2/5 — ng-batch updating',
      'the control plane, the add-ons before the nodes, the node groups, the add-ons after them',
    );
    batch.state = 'waiting';
    x.waits.push({
      kind: 'failed',
      id: batch.stepId,
      stepId: batch.stepId,
      stepKind: 'nodegroup-version',
      since: '2026-07-01T10:30:00.000Z',
      errorCode: 'PodEvictionFailure',
      message: 'Reached max retries while trying to evict pods from nodes in node group ng-batch',
      resourceIds: ['ip-10-0-1-1.ec2.internal'],
      updateId: 'u-batch',
    });
    assert.match(executionLine(x), /node groups 2\/5 — ng-batch FAILED \(PodEvictionFailure\)$/);
    x.pauseRequested = { by: 'alice', at: '2026-07-01T10:31:00.000Z' };
    assert.match(executionLine(x), /— pause requested by alice \(after the running steps\)$/);
    x.outcome = 'completed';
    assert.equal(executionLine(x), 'upgrade completed (simulated EKS): 3/8 steps done');
  });

  void it('a wait names EKS error code, message and the commands that answer it', () => {
    const lines = waitLines(
      {
        kind: 'failed',
        id: 'control-plane/1.32',
        stepId: 'control-plane/1.32',
        stepKind: 'control-plane-version',
        since: '2026-07-01T10:00:00.000Z',
        errorCode: 'InvalidStateException',
        message: 'Cluster prod-east has UPGRADE_READINESS insights that block this update',
        resourceIds: [],
      },
      'upgrade-prod-east-1.32',
      'upgrade',
    ).join('\n');
    assert.match(lines, /^control-plane\/1\.32 failed: InvalidStateException: Cluster prod-east has UPGRADE_READINESS/);
    assert.match(
      lines,
      /eks-upgrade retry --workflow-id upgrade-prod-east-1\.32 --step control-plane\/1\.32 .*--force --reason/,
    );
    assert.doesNotMatch(lines, /eks-upgrade skip/, 'no skip offered for the control plane');
    assert.match(lines, /eks-upgrade rollback --confirm --workflow-id upgrade-prod-east-1\.32/);
    assert.match(lines, /eks-upgrade abort --workflow-id upgrade-prod-east-1\.32/);
  });
});

void describe('the record', () => {
  void it('the report table: one row per attempt with update id, start, end and result', () => {
    const x = progress(plan());
    finish(x, 'control-plane', 'cp-1');
    const ng = x.steps.find((s) => s.stepId.startsWith('nodegroup/ng-batch/'));
    assert.ok(ng);
    ng.attempts.push(
      {
        round: 0,
        force: false,
        outcome: 'failed',
        updateId: 'ng-1',
        startedAt: 'a',
        endedAt: 'b',
        errors: [{ errorCode: 'PodEvictionFailure', errorMessage: 'stuck', resourceIds: ['n1'] }],
      },
      { round: 1, force: true, outcome: 'succeeded', updateId: 'ng-2', startedAt: 'c', endedAt: 'd' },
    );
    ng.state = 'succeeded';
    const table = executionTable(x).join('\n');
    assert.match(
      table,
      /\| Upgrade the control plane 1\.31 → 1\.32 \| succeeded \| cp-1 \| 2026-07-01T10:00:00\.000Z \| 2026-07-01T10:12:00\.000Z \|/,
    );
    assert.match(table, /\| FAILED: PodEvictionFailure: stuck \(n1\) \| ng-1 \| a \| b \|/);
    assert.match(table, /\| ↳ round 1 \| succeeded \(forced\) \| ng-2 \| c \| d \|/);
  });

  void it('what the rollback plan and the preflight read: outcomes by id, the expected state of done steps only', () => {
    const p = plan();
    const x = progress(p);
    assert.equal(changedAnything(x), false);
    finish(x, 'preflight');
    assert.equal(changedAnything(x), false, 'a preflight changes nothing');
    finish(x, 'control-plane');
    finish(x, 'nodegroup/ng-a/');
    const skipped = x.steps.find((s) => s.stepId.startsWith('nodegroup/ng-batch/'));
    assert.ok(skipped);
    skipped.state = 'skipped';
    assert.equal(changedAnything(x), true);
    const outcomes = new Map(executedOutcomes(p, x).map((o) => [o.stepId, o]));
    assert.equal(outcomes.get('control-plane/1.32')?.outcome, 'succeeded');
    assert.equal(outcomes.get('control-plane/1.32')?.endedAt, '2026-07-01T10:12:00.000Z');
    assert.equal(outcomes.get(skipped.stepId)?.outcome, 'skipped');
    assert.equal(outcomes.get('addon/kube-proxy/v1.32.0-eksbuild.2')?.outcome, 'not-run');
    const expected = expectedStateWith(p, new Set(x.steps.filter((s) => s.state === 'succeeded').map((s) => s.stepId)));
    assert.equal(expected.clusterVersion, '1.32');
    assert.equal(expected.nodegroups['ng-a']?.version, '1.32');
    assert.equal(expected.nodegroups['ng-batch']?.version, '1.31', 'a skipped node group is expected where it was');
    assert.equal(expected.addons['kube-proxy'], 'v1.31.2-eksbuild.3');
  });
});
