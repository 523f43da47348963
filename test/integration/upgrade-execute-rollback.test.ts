// Rollback acts, on the real dev server with the EKS simulator at the wire: after an executed 1.31 → 1.32 upgrade a
// ROLLBACK verdict proposes the rollback plan and `eks-upgrade rollback --confirm` runs it, returning node groups,
// add-ons and the control plane to 1.31; past the 7-day window (the simulator's clock, which the worker's planning
// reads) the rollback undoes what EKS allows, and the report says what was not undone and what to do by hand.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildUpgradePlan } from '../../src/domain/plan';
import { renderReportMarkdown } from '../../src/domain/report';
import type { upgradeWorkflow } from '../../src/workflows/upgrade';
import { approveUpdate, confirmRollbackUpdate, requestRollbackUpdate } from '../../src/workflows/upgrade-messages';
import { podEvictionFailure } from '../fakes/eks-fake';
import { startBedrockFake, type BedrockFake } from '../fakes/bedrock-fake';
import { createTestEnv, uniqueTaskQueue } from '../harness/temporal';
import { runCli, show } from './cli-support';
import {
  execInput,
  startExec,
  startExecEks,
  startExecWorker,
  stepOf,
  waitFor,
  waitOf,
  type ExecEks,
} from './execute-support';
import { EXEC_CLUSTER, execSnapshot } from './execution-support';
import { scriptedModel } from './upgrade-support';

const DAY = 86_400_000;

void describe('upgrade workflow, execute mode: rollback acts (real dev server, EKS simulator at the wire)', () => {
  let env: TestWorkflowEnvironment;
  let bedrock: BedrockFake;
  const stops: Array<() => Promise<void>> = [];

  before(async () => {
    env = await createTestEnv();
    bedrock = await startBedrockFake({ handler: scriptedModel({ decision: 'GO', rollback: 'ROLLBACK' }) });
  });
  after(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await bedrock?.close();
    await env?.teardown();
  });

  async function upgraded(
    tag: string,
    eksOptions: Parameters<typeof startExecEks>[0],
    execution: Record<string, unknown> = {},
  ): Promise<{ eks: ExecEks; handle: WorkflowHandle<typeof upgradeWorkflow> }> {
    const eks = await startExecEks(eksOptions);
    stops.push(() => eks.close());
    const taskQueue = uniqueTaskQueue(`rollback-${tag}`);
    const worker = await startExecWorker({ env, bedrock, eks, taskQueue });
    stops.push(() => worker.stop());
    const input = execInput({ aiAnalysis: true, soakWindowMs: 300_000, execution });
    const handle = await startExec(env.client, taskQueue, input, tag);
    await waitFor(handle, (s) => s.phase === 'awaiting-approval', 'the approval gate');
    await handle.executeUpdate(approveUpdate, { args: [{ by: 'sre-alice' }] });
    await waitFor(handle, (s) => s.phase === 'soak', 'the soak window after the execution');
    return { eks, handle };
  }

  void it('a ROLLBACK verdict proposes the plan; rollback --confirm returns everything to 1.31', async () => {
    const { eks, handle } = await upgraded('confirm', { switches: { allowNodegroupDowngrade: true } });
    const upgradeUpdates = eks.fake.sim.updates().length;
    const verdict = await handle.executeUpdate(requestRollbackUpdate, {
      args: [{ reason: 'checkout p99 doubled since the node groups moved', by: 'sre-bob' }],
    });
    assert.equal(verdict.verdict, 'ROLLBACK');
    assert.match(verdict.action, /rollback plan is proposed/);
    const proposed = await waitFor(
      handle,
      (s) => s.rollbackProposal?.state === 'awaiting-confirmation',
      'the proposal',
    );
    assert.deepEqual(proposed.rollbackProposal?.notUndoable, [], 'within 7 days everything can be undone');
    assert.equal(eks.fake.sim.updates().length, upgradeUpdates, 'nothing is undone before the confirmation');

    const cliEnv = { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace ?? 'default' };
    const status = await runCli(['status', '--workflow-id', handle.workflowId], cliEnv);
    assert.match(status.stdout, /rollback --confirm --workflow-id/, show(status));
    const confirmed = await runCli(
      ['rollback', '--confirm', '--workflow-id', handle.workflowId, '--reason', 'p99 SLO burn', '--by', 'sre-bob'],
      cliEnv,
    );
    assert.equal(confirmed.code, 0, show(confirmed));
    const report = await handle.result();
    const rollback = report.status.rollbackExecution;
    assert.equal(rollback?.outcome, 'undone', JSON.stringify(rollback?.notUndone));
    assert.equal(report.status.rollbackProposal?.confirmedBy, 'sre-bob');

    const state = eks.fake.sim.cluster(EXEC_CLUSTER);
    assert.equal(state.cluster.version, '1.31');
    for (const g of state.nodegroups) assert.equal(g.version, '1.31', g.nodegroupName);
    const before = Object.fromEntries((execSnapshot().addons ?? []).map((a) => [a.name, a.version]));
    for (const a of state.addons) assert.equal(a.addonVersion, before[a.addonName], a.addonName);
    const rollbackUpdates = eks.fake.sim.updates().slice(upgradeUpdates);
    assert.deepEqual(
      rollbackUpdates.map((u) => [u.type, u.status]).at(-1),
      ['VersionRollback', 'Successful'],
      'the control plane went back last, as a VersionRollback',
    );
    const md = renderReportMarkdown(report);
    assert.match(md, /## Rollback[\s\S]*rollback undone/);
    assert.match(md, /# Rollback playbook: exec-east 1\.32 → 1\.31/);
  });

  void it('a failed step: rollback --confirm instead of a retry undoes what the upgrade did so far, and only that', async () => {
    const eks = await startExecEks({ switches: { allowNodegroupDowngrade: true } });
    stops.push(() => eks.close());
    eks.fake.sim.scriptFailure(podEvictionFailure('batch-al2023', 1));
    const taskQueue = uniqueTaskQueue('rollback-instead');
    const worker = await startExecWorker({ env, bedrock, eks, taskQueue });
    stops.push(() => worker.stop());
    const handle = await startExec(env.client, taskQueue, execInput(), 'instead');
    await waitFor(handle, (s) => s.phase === 'awaiting-approval', 'the approval gate');
    await handle.executeUpdate(approveUpdate, { args: [{ by: 'sre-alice' }] });
    const waiting = await waitFor(
      handle,
      (s) => !!waitOf(s.execution, stepOf(s.execution, 'nodegroup/batch-al2023/')?.stepId ?? '-'),
      'the failed node group',
    );
    assert.equal(stepOf(waiting.execution, 'nodegroup/general-al2023/')?.state, 'succeeded');
    const answer = await handle.executeUpdate(confirmRollbackUpdate, {
      args: [{ by: 'sre-bob', reason: 'batch PDBs need a rethink; back to 1.31 first' }],
    });
    assert.match(answer.message, /rolling back what the upgrade changed/);
    const report = await handle.result();
    assert.equal(report.status.execution?.outcome, 'stopped-for-rollback');
    assert.equal(report.status.rollbackExecution?.outcome, 'undone');
    const ids = (report.rollbackPlan?.steps ?? []).map((s) => s.id);
    assert.ok(
      ids.some((id) => id.startsWith('rollback/nodegroup/general-al2023/version/')),
      ids.join(', '),
    );
    assert.ok(!ids.some((id) => id.includes('batch-al2023')), 'the failed node group is not rolled back');
    assert.ok(!ids.some((id) => id.includes('kube-proxy')), 'kube-proxy never moved');
    const state = eks.fake.sim.cluster(EXEC_CLUSTER);
    assert.equal(state.cluster.version, '1.31');
    for (const g of state.nodegroups) assert.equal(g.version, '1.31', g.nodegroupName);
  });

  void it('past the 7-day window: node groups and add-ons are tried, the control plane is not; the report says what was not undone', async () => {
    const { eks, handle } = await upgraded('late', {}, { autoRollback: true });
    eks.clock.advance(8 * DAY);
    const verdict = await handle.executeUpdate(requestRollbackUpdate, {
      args: [{ reason: 'a week later: memory leak in kubelet 1.32', by: 'sre-bob' }],
    });
    assert.equal(verdict.verdict, 'ROLLBACK');
    const report = await handle.result();
    assert.equal(report.status.rollbackProposal?.state, 'auto');
    const rollback = report.status.rollbackExecution;
    assert.equal(rollback?.outcome, 'partly-undone');
    const notUndone = rollback?.notUndone ?? [];
    const cluster = notUndone.find((n) => n.resource === 'cluster');
    assert.match(cluster?.reason ?? '', /only within 7 days of the upgrade/);
    assert.ok(cluster?.byHand.some((h) => /blue\/green/.test(h)));
    // The simulator follows EKS's API reference: a node group does not go back; the blue/green swap is given.
    for (const name of ['general-al2023', 'batch-al2023']) {
      const entry = notUndone.find((n) => n.resource === `nodegroup/${name}`);
      assert.match(entry?.reason ?? '', /EKS refused/, name);
      assert.ok(
        entry?.byHand.some((h) => h.includes('aws eks create-nodegroup')),
        name,
      );
    }
    const state = eks.fake.sim.cluster(EXEC_CLUSTER);
    assert.equal(state.cluster.version, '1.32', 'the control plane stays');
    const before = Object.fromEntries((execSnapshot().addons ?? []).map((a) => [a.name, a.version]));
    for (const a of state.addons) assert.equal(a.addonVersion, before[a.addonName], `${a.addonName} went back`);
    assert.equal(
      eks.fake.sim.updates({ kind: 'cluster' }).length,
      1,
      'no control-plane rollback was attempted past the window',
    );
    const md = renderReportMarkdown(report);
    assert.match(md, /Not undone:[\s\S]*\*\*cluster:\*\*/);
    const plan = buildUpgradePlan(execSnapshot(), '1.32');
    assert.ok(plan.steps.length > 0);
  });
});
