// The execution activities' EKS logic through the real @aws-sdk/client-eks against the simulator, outside Temporal
// (each poll's sleep moves the simulated clock, so a 30-minute node-group rollout takes milliseconds): one update
// per step, adoption of a running update, resumption from heartbeat details, a 409 race, a lost 200 recovered by
// the token, typed failures, error classification, preflight drift, rollback readiness and a rollback.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import type { EksStepResult, ExecutionActivities } from '../../src/activities/contracts';
import {
  createExecutionActivities,
  stepToken,
  type PollProgress,
  type StepRuntime,
} from '../../src/activities/eks-execution';
import {
  buildRollbackPlan,
  buildUpgradePlan,
  expectedStateAfter,
  expectedStateBefore,
  type PlanStep,
  type UpgradePlan,
} from '../../src/domain/plan';
import { podEvictionFailure, type EksSimulatorOptions } from '../fakes/eks-fake';
import { execSnapshot, recordOf, runPlanStep, startSimulatedEks, TARGET, type SimulatedEks } from './execution-support';

const POLL_SIM_MS = 60_000;
let sim: SimulatedEks | undefined;

interface Rig {
  sim: SimulatedEks;
  activities: ExecutionActivities;
  beats: PollProgress[];
  /** Heartbeat details handed to the next attempt (as Temporal would after a worker death). */
  resumeWith?: PollProgress;
}

async function rig(options: EksSimulatorOptions = {}): Promise<Rig> {
  sim = await startSimulatedEks(options);
  const s = sim;
  const state: Rig = { sim: s, activities: undefined as unknown as ExecutionActivities, beats: [] };
  const runtime = ({
    stepId,
    round,
    tokenScope,
  }: {
    stepId: string;
    round: number;
    tokenScope?: string;
  }): StepRuntime => ({
    heartbeat: (d) => state.beats.push(d),
    ...(state.resumeWith ? { previous: state.resumeWith } : {}),
    sleep: async (ms) => {
      s.clock.advance(POLL_SIM_MS);
      await new Promise((r) => setImmediate(r, ms));
    },
    token: stepToken('upgrade-exec-east-1.32', stepId, round, tokenScope),
  });
  state.activities = createExecutionActivities({
    eksClient: () => s.eks,
    clock: { now: () => new Date(s.clock.now()) },
    runtime,
  });
  return state;
}

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const plan = (): UpgradePlan => buildUpgradePlan(execSnapshot(), '1.32');
const stepOf = (p: UpgradePlan, prefix: string): PlanStep => {
  const step = p.steps.find((s) => s.id.startsWith(prefix));
  assert.ok(step, `a step ${prefix}`);
  return step;
};

async function runAll(r: Rig, p: UpgradePlan): Promise<Map<string, EksStepResult>> {
  const results = new Map<string, EksStepResult>();
  for (const stage of p.stages) {
    const preflight = await r.activities.preflightCluster({
      target: TARGET,
      expected: expectedStateBefore(p, stage.stage),
    });
    assert.deepEqual(preflight.drift, [], `no drift before ${stage.stage}`);
    for (const id of stage.steps) {
      const step = p.steps.find((s) => s.id === id);
      if (!step || !step.automated || step.change.kind === 'preflight') continue;
      results.set(id, await runPlanStep(r.activities, step));
    }
  }
  return results;
}

void describe('execution activities against the EKS simulator', () => {
  void it("a whole plan: every step succeeds with exactly one update, and the cluster ends at the plan's target", async () => {
    const r = await rig();
    const p = plan();
    const results = await runAll(r, p);
    assert.deepEqual(
      [...results.values()].map((x) => x.outcome),
      Array(results.size).fill('succeeded'),
    );
    assert.equal(results.size, 6, 'control plane, vpc-cni, coredns, two node groups, kube-proxy');
    assert.equal(r.sim.fake.sim.updates().length, 6, 'one update per step');
    const after = await r.activities.preflightCluster({ target: TARGET, expected: expectedStateAfter(p) });
    assert.deepEqual(after.drift, []);
    assert.equal(after.observed.clusterVersion, '1.32');
    const group = results.get('nodegroup/general-al2023/version/1.32');
    assert.ok(group?.outcome === 'succeeded' && group.polls >= 3, '3 nodes × 8 simulated minutes, polled every minute');
    assert.deepEqual(r.beats.at(-1), {
      updateId: results.get('addon/kube-proxy/v1.32.0-eksbuild.2')?.updateId,
      lastStatus: 'Successful',
    });
  });

  void it('adopts an update already running for the step (started elsewhere, another token): no second update', async () => {
    const r = await rig();
    const p = plan();
    await runPlanStep(r.activities, stepOf(p, 'control-plane/'));
    const step = stepOf(p, 'addon/vpc-cni/');
    r.sim.fake.sim.call('UpdateAddon', {
      path: { name: TARGET.clusterName, addonName: 'vpc-cni' },
      query: {},
      body: { addonVersion: 'v1.19.2-eksbuild.1', clientRequestToken: 'someone-else' },
    });
    const result = await runPlanStep(r.activities, step);
    assert.ok(result.outcome === 'succeeded' && result.adopted);
    assert.equal(r.sim.fake.sim.updates({ kind: 'addon', name: 'vpc-cni' }).length, 1);
  });

  void it('resumes from the heartbeat details of a dead attempt: polls that update, lists nothing, starts nothing', async () => {
    const r = await rig();
    const p = plan();
    await runPlanStep(r.activities, stepOf(p, 'control-plane/'));
    const { update } = r.sim.fake.sim.call('UpdateNodegroupVersion', {
      path: { name: TARGET.clusterName, nodegroupName: 'batch-al2023' },
      query: {},
      body: {
        version: '1.32',
        clientRequestToken: stepToken('upgrade-exec-east-1.32', 'nodegroup/batch-al2023/version/1.32', 0),
      },
    }) as { update: { id: string } };
    r.resumeWith = { updateId: update.id, lastStatus: 'InProgress' };
    const listsBefore = r.sim.fake.sim.callsTo('ListUpdates').length;
    const result = await runPlanStep(r.activities, stepOf(p, 'nodegroup/batch-al2023/version/'));
    assert.ok(result.outcome === 'succeeded' && result.adopted && result.updateId === update.id);
    assert.equal(r.sim.fake.sim.callsTo('ListUpdates').length, listsBefore);
    assert.equal(r.sim.fake.sim.updates({ kind: 'nodegroup', name: 'batch-al2023' }).length, 1);
  });

  void it('a 409 race: another update lands between the read and the call; the 409 names it and it is adopted', async () => {
    const r = await rig();
    const p = plan();
    await runPlanStep(r.activities, stepOf(p, 'control-plane/'));
    r.sim.fake.sim.beforeCall('UpdateNodegroupVersion', (s) =>
      s.call('UpdateNodegroupVersion', {
        path: { name: TARGET.clusterName, nodegroupName: 'general-al2023' },
        query: {},
        body: { version: '1.32', clientRequestToken: 'console-click' },
      }),
    );
    const result = await runPlanStep(r.activities, stepOf(p, 'nodegroup/general-al2023/version/'));
    assert.ok(result.outcome === 'succeeded' && result.adopted);
    const attempt = r.sim.fake.requests.filter((c) => c.operation === 'UpdateNodegroupVersion');
    assert.deepEqual(
      attempt.map((c) => c.errorType),
      ['ResourceInUseException'],
    );
    assert.equal(r.sim.fake.sim.updates({ kind: 'nodegroup', name: 'general-al2023' }).length, 1);
  });

  void it('a lost 200 while ListUpdates lags: the retry resends the same token and gets the same update back', async () => {
    const r = await rig({ timing: { listLagMs: 30 * 60_000 } });
    const p = plan();
    await runPlanStep(r.activities, stepOf(p, 'control-plane/'));
    r.sim.fake.injectFault({ operation: 'UpdateAddon', kind: 'lost-200' });
    const step = stepOf(p, 'addon/coredns/');
    await assert.rejects(
      runPlanStep(r.activities, step),
      (e: unknown) => e instanceof ApplicationFailure && !e.nonRetryable,
    );
    assert.equal(r.sim.fake.sim.updates({ kind: 'addon', name: 'coredns' }).length, 1, 'EKS made the change');
    const result = await runPlanStep(r.activities, step);
    assert.equal(result.outcome, 'succeeded');
    const calls = r.sim.fake.requests.filter((c) => c.operation === 'UpdateAddon');
    assert.deepEqual(
      calls.map((c) => [c.status, c.created === true]),
      [
        [0, true],
        [200, false],
      ],
    );
    assert.equal(calls[0]?.updateId, calls[1]?.updateId);
    assert.equal(r.sim.fake.sim.updates({ kind: 'addon', name: 'coredns' }).length, 1);
  });

  void it('PodEvictionFailure is a typed result naming the node; the next round with force succeeds', async () => {
    const r = await rig();
    const p = plan();
    await runPlanStep(r.activities, stepOf(p, 'control-plane/'));
    r.sim.fake.sim.scriptFailure(podEvictionFailure('general-al2023', 1));
    const step = stepOf(p, 'nodegroup/general-al2023/version/');
    const failed = await runPlanStep(r.activities, step);
    assert.equal(failed.outcome, 'failed');
    assert.ok(failed.outcome === 'failed');
    assert.deepEqual(failed.errors, [
      {
        errorCode: 'PodEvictionFailure',
        errorMessage: 'Reached max retries while trying to evict pods from nodes in node group general-al2023',
        resourceIds: ['ip-10-0-7-42.ec2.internal'],
      },
    ]);
    assert.equal(failed.updateStatus, 'Failed');
    const again = await runPlanStep(r.activities, step);
    assert.deepEqual(
      [again.outcome, again.updateId],
      ['failed', failed.updateId],
      'the same round replays the same failed update',
    );
    const forced = await runPlanStep(r.activities, step, { round: 1, force: true });
    assert.equal(forced.outcome, 'succeeded');
    const updates = r.sim.fake.sim.updates({ kind: 'nodegroup', name: 'general-al2023' });
    assert.deepEqual(
      updates.map((u) => [u.status, u.force]),
      [
        ['Failed', false],
        ['Successful', true],
      ],
    );
  });

  void it('an InvalidStateException from insights is non-retryable with its EKS name; force goes through', async () => {
    const r = await rig({ switches: { enforceInsights: true } });
    r.sim.fake.sim.setInsightStatus(
      TARGET.clusterName,
      'upg-deprecated-1-32',
      'ERROR',
      'Deprecated API usage detected',
    );
    const step = stepOf(plan(), 'control-plane/');
    await assert.rejects(runPlanStep(r.activities, step), (e: unknown) => {
      assert.ok(e instanceof ApplicationFailure);
      assert.equal(e.type, 'InvalidStateException');
      assert.equal(e.nonRetryable, true);
      assert.match(e.message, /UPGRADE_READINESS.*Deprecated APIs removed.*force/);
      return true;
    });
    const forced = await runPlanStep(r.activities, step, { round: 1, force: true });
    assert.equal(forced.outcome, 'succeeded');
  });

  void it('throttled polls are polled through; a resource already at the target is done with its update named', async () => {
    const r = await rig();
    const p = plan();
    r.sim.fake.injectFault({ operation: 'DescribeUpdate', kind: 'throttle', times: 4 });
    const first = await runPlanStep(r.activities, stepOf(p, 'control-plane/'));
    assert.equal(first.outcome, 'succeeded');
    assert.equal(
      r.sim.fake.requests.filter((c) => c.operation === 'DescribeUpdate' && c.errorType === 'ThrottlingException')
        .length,
      4,
    );
    const again = await runPlanStep(r.activities, stepOf(p, 'control-plane/'));
    assert.deepEqual(again, {
      outcome: 'already-done',
      observed: 'cluster version 1.32',
      updateId: first.updateId,
      startedAt: first.startedAt,
    });
    assert.equal(r.sim.fake.sim.updates({ kind: 'cluster' }).length, 1);
  });

  void it('classifies EKS errors: 5xx retryable, 4xx non-retryable with the EKS name; preflight reports drift', async () => {
    const r = await rig();
    const p = plan();
    r.sim.fake.injectFault({ operation: 'DescribeCluster', kind: 'server' });
    await assert.rejects(
      runPlanStep(r.activities, stepOf(p, 'control-plane/')),
      (e: unknown) => e instanceof ApplicationFailure && e.type === 'ServerException' && !e.nonRetryable,
    );
    r.sim.fake.injectFault({
      operation: 'UpdateNodegroupVersion',
      kind: 'error',
      status: 403,
      errorType: 'AccessDeniedException',
      message: 'not authorized',
    });
    await runPlanStep(r.activities, stepOf(p, 'control-plane/'));
    await assert.rejects(
      runPlanStep(r.activities, stepOf(p, 'nodegroup/batch-al2023/')),
      (e: unknown) => e instanceof ApplicationFailure && e.type === 'AccessDeniedException' && e.nonRetryable,
    );

    // Drift: the control plane moved on, an add-on was changed by hand, a node group update is running.
    r.sim.fake.sim.cluster(TARGET.clusterName).addons.find((a) => a.addonName === 'coredns')!.addonVersion =
      'v1.11.4-eksbuild.2';
    r.sim.fake.sim.call('UpdateNodegroupVersion', {
      path: { name: TARGET.clusterName, nodegroupName: 'batch-al2023' },
      query: {},
      body: { version: '1.32' },
    });
    const preflight = await r.activities.preflightCluster({
      target: TARGET,
      expected: expectedStateBefore(p, 'control-plane'),
      final: expectedStateAfter(p),
    });
    assert.equal(preflight.ok, false);
    assert.deepEqual(
      preflight.drift.map((d) => `${d.resource}:${d.kind}:${d.alreadyAtTarget === true}`),
      ['cluster:version:true', 'addon/coredns:version:true', 'nodegroup/batch-al2023:update-in-progress:false'],
    );
  });

  void it('rollback: readiness insights, then node groups, add-ons and the control plane back; past 7 days EKS refuses', async () => {
    const r = await rig({ switches: { allowNodegroupDowngrade: true } });
    const p = plan();
    const results = await runAll(r, p);
    const records = p.steps.map((step) =>
      results.has(step.id) ? recordOf(step, results.get(step.id)!) : { step, outcome: 'succeeded' as const },
    );
    const rollback = buildRollbackPlan({ plan: p, records, now: new Date(r.sim.clock.now()) });
    r.sim.fake.sim.setInsightStatus(TARGET.clusterName, 'rbk-skew-1-31', 'ERROR', 'kubelet newer than 1.31');
    const blocked = await r.activities.checkRollbackReadiness({ target: TARGET, pollIntervalMs: 1 });
    assert.deepEqual(
      [blocked.ready, blocked.blocking.map((b) => b.id), blocked.refreshStatus],
      [false, ['rbk-skew-1-31'], 'COMPLETED'],
    );
    r.sim.fake.sim.setInsightStatus(TARGET.clusterName, 'rbk-skew-1-31', 'PASSING');
    for (const step of rollback.steps) {
      if (!step.automated || step.change.kind === 'preflight') continue;
      if (step.change.kind === 'rollback-readiness') {
        assert.equal((await r.activities.checkRollbackReadiness({ target: TARGET, pollIntervalMs: 1 })).ready, true);
        continue;
      }
      assert.equal((await runPlanStep(r.activities, step)).outcome, 'succeeded', step.id);
    }
    const back = await r.activities.preflightCluster({ target: TARGET, expected: expectedStateAfter(rollback) });
    assert.deepEqual(back.drift, []);
    assert.equal(back.observed.clusterVersion, '1.31');

    // A later execution under the same workflow id: the first run's token would return the old update, which the
    // cluster (back on 1.31) does not show, so the step refuses to call it a success; its own scope works.
    const again = buildUpgradePlan(execSnapshot(), '1.32');
    const cpStep = stepOf(again, 'control-plane/');
    await assert.rejects(
      runPlanStep(r.activities, cpStep),
      (e: unknown) => e instanceof ApplicationFailure && e.type === 'UpdateNotApplied' && e.nonRetryable,
    );
    const cp = await runPlanStep(r.activities, cpStep, { tokenScope: 'second-execution' });
    assert.equal(cp.outcome, 'succeeded');
    assert.equal(r.sim.fake.sim.updates({ kind: 'cluster' }).length, 3, 'upgrade, rollback, upgrade: nothing more');

    // Eight days later the window is closed: the rollback plan says so, and EKS would refuse anyway.
    r.sim.clock.advance(8 * 86_400_000);
    const record = recordOf(cpStep, cp);
    const late = buildRollbackPlan({ plan: again, records: [record], now: new Date(r.sim.clock.now()) });
    assert.equal(late.notUndoable[0]?.resource, 'cluster');
    assert.ok(!late.steps.some((s) => s.change.kind === 'control-plane-version'));
    const inWindow = buildRollbackPlan({ plan: again, records: [record], now: new Date(record.endedAt ?? 0) });
    const cpBack = inWindow.steps.find((s) => s.change.kind === 'control-plane-version');
    assert.ok(cpBack);
    await assert.rejects(
      runPlanStep(r.activities, cpBack, { tokenScope: 'second-execution' }),
      (e: unknown) =>
        e instanceof ApplicationFailure && e.type === 'InvalidRequestException' && /only within 7 days/.test(e.message),
    );
  });

  void it('tokens: one per workflow, step and round; the attempt never enters', () => {
    const a = stepToken('upgrade-c-1.32', 'control-plane/1.32', 0);
    assert.equal(a, stepToken('upgrade-c-1.32', 'control-plane/1.32', 0));
    assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(a, stepToken('upgrade-c-1.32', 'control-plane/1.32', 1));
    assert.notEqual(a, stepToken('upgrade-c-1.32', 'addon/vpc-cni/v1', 0));
    assert.notEqual(a, stepToken('upgrade-d-1.32', 'control-plane/1.32', 0));
    assert.notEqual(a, stepToken('upgrade-c-1.32', 'control-plane/1.32', 0, 'first-run-id-of-a-later-execution'));
    assert.equal(stepToken('x'.repeat(1000), 'y'.repeat(1000), 0).length, 36);
  });
});
