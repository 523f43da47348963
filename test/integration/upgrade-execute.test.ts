// The upgrade workflow in execute mode on the real dev server, EKS being the simulator at the wire (the real
// @aws-sdk/client-eks; durations compressed 60×): an executed 1.31 → 1.32 of a cluster with 3 add-ons and 2 node
// groups, a PodEvictionFailure answered by `retry --force --reason` through the CLI, an InvalidStateException from
// the readiness insights (skip refused for the control plane, then forced), pause/resume between stages, and an
// abort while a node-group update runs (EKS cannot cancel it: the run lets it finish, then stops).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { StepProgress } from '../../src/domain/execution';
import { buildUpgradePlan, expectedStateAfter } from '../../src/domain/plan';
import { renderReportMarkdown } from '../../src/domain/report';
import {
  abortUpdate,
  approveUpdate,
  pauseUpdate,
  resumeUpdate,
  retryUpdate,
  skipUpdate,
} from '../../src/workflows/upgrade-messages';
import { startBedrockFake, type BedrockFake } from '../fakes/bedrock-fake';
import { podEvictionFailure } from '../fakes/eks-fake';
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

/** The arguments of every accepted update named `name`, decoded from history. */
function acceptedUpdates(history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>, name: string): unknown[] {
  return (history.events ?? [])
    .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input)
    .filter((input) => input?.name === name)
    .map((input) => JSON.parse(Buffer.from(input?.args?.payloads?.[0]?.data ?? []).toString('utf8')) as unknown);
}

void describe('upgrade workflow, execute mode (real dev server, EKS simulator at the wire)', () => {
  let env: TestWorkflowEnvironment;
  let bedrock: BedrockFake;
  const stops: Array<() => Promise<void>> = [];

  before(async () => {
    env = await createTestEnv();
    bedrock = await startBedrockFake({ handler: scriptedModel({ decision: 'GO' }) });
  });
  after(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await bedrock?.close();
    await env?.teardown();
  });

  async function rig(
    tag: string,
    options: Parameters<typeof startExecEks>[0] = {},
  ): Promise<{ eks: ExecEks; taskQueue: string }> {
    const eks = await startExecEks(options);
    stops.push(() => eks.close());
    const taskQueue = uniqueTaskQueue(`exec-${tag}`);
    const worker = await startExecWorker({ env, bedrock, eks, taskQueue });
    stops.push(() => worker.stop());
    return { eks, taskQueue };
  }

  const approve = (handle: WorkflowHandle) =>
    handle.executeUpdate(approveUpdate, { args: [{ by: 'sre-alice', comment: 'window 14:00' }] });

  void it('executes 1.31 → 1.32: every resource at its target, one update per step, each in the report', async () => {
    const { eks, taskQueue } = await rig('happy');
    const handle = await startExec(
      env.client,
      taskQueue,
      execInput({ execution: { nodegroupConcurrency: 2 } }),
      'happy',
    );
    const gate = await waitFor(handle, (s) => s.phase === 'awaiting-approval', 'the approval gate');
    assert.equal(eks.fake.sim.updates().length, 0, 'nothing changes before approval');
    assert.ok(gate.decision, 'decided first');
    await approve(handle);

    const lines = new Set<string>();
    await waitFor(
      handle,
      (s) => {
        for (const run of [s.execution]) if (run) lines.add(JSON.stringify(run.stages.map((x) => x.state)));
        return s.phase === 'soak' || s.phase === 'completed';
      },
      'the execution to end',
    );
    const report = await handle.result();
    const execution = report.status.execution;
    assert.ok(execution, 'the report carries the execution');
    assert.equal(execution.outcome, 'completed');
    assert.equal(execution.targetLabel, 'simulated EKS');
    const plan = buildUpgradePlan(execSnapshot(), '1.32', { nodegroupConcurrency: 2 });
    const changes = plan.steps.filter((s) => s.automated && s.change.kind !== 'preflight');
    for (const step of changes) {
      const record: StepProgress | undefined = execution.steps.find((s) => s.stepId === step.id);
      assert.equal(record?.state, 'succeeded', `${step.id}: ${JSON.stringify(record)}`);
      const attempt = record?.attempts.at(-1);
      assert.ok(attempt?.updateId && attempt.startedAt && attempt.endedAt, `${step.id} has update id, start and end`);
      assert.ok(Date.parse(attempt.startedAt) <= Date.parse(attempt.endedAt), `${step.id} starts before it ends`);
    }
    // The simulator: exactly one update per step, every resource at its target.
    const updates = eks.fake.sim.updates();
    assert.equal(updates.length, changes.length, 'one update per step, none more');
    assert.deepEqual(
      new Set(updates.map((u) => u.id)),
      new Set(execution.steps.flatMap((s) => s.attempts.map((a) => a.updateId).filter(Boolean))),
    );
    const final = expectedStateAfter(plan);
    const cluster = eks.fake.sim.cluster(EXEC_CLUSTER);
    assert.equal(cluster.cluster.version, '1.32');
    for (const g of cluster.nodegroups) assert.equal(g.version, '1.32', g.nodegroupName);
    for (const a of cluster.addons) assert.equal(a.addonVersion, final.addons[a.addonName], a.addonName);

    const md = renderReportMarkdown(report);
    for (const u of updates) assert.ok(md.includes(u.id), `the report names update ${u.id}`);
    assert.match(md, /## Execution[\s\S]*simulated EKS/);
    assert.match(md, /# Upgrade playbook: exec-east 1\.31 → 1\.32/);
    const events = (await handle.fetchHistory()).events ?? [];
    assert.ok(events.length < 400, `a small history: ${events.length} events`);
  });

  void it('PodEvictionFailure: the run waits; retry --force --reason (CLI) completes it, audited', async () => {
    const { eks, taskQueue } = await rig('eviction');
    eks.fake.sim.scriptFailure(podEvictionFailure('batch-al2023', 1));
    const handle = await startExec(env.client, taskQueue, execInput(), 'eviction');
    await waitFor(handle, (s) => s.phase === 'awaiting-approval', 'the approval gate');
    await approve(handle);
    const waiting = await waitFor(
      handle,
      (s) => !!waitOf(s.execution, stepOf(s.execution, 'nodegroup/batch-al2023/')?.stepId ?? '-'),
      'the failed node group to wait',
    );
    const step = stepOf(waiting.execution, 'nodegroup/batch-al2023/');
    const wait = waitOf(waiting.execution, step?.stepId ?? '');
    assert.ok(wait?.kind === 'failed');
    assert.equal(wait.errorCode, 'PodEvictionFailure');
    assert.match(wait.message, /Reached max retries while trying to evict pods from nodes in node group batch-al2023/);
    assert.deepEqual(wait.resourceIds.length, 1);

    // The Web UI's current details: the headline, where the run stands and the commands that answer it.
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    assert.match(metadata.currentDetails ?? '', /· waiting for the operator \(simulated EKS\)\*\*/);
    assert.match(metadata.currentDetails ?? '', /node groups 2\/2 — batch-al2023 FAILED \(PodEvictionFailure\)/);
    assert.match(metadata.currentDetails ?? '', /eks-upgrade retry --workflow-id /);

    const cliEnv = { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace ?? 'default' };
    const status = await runCli(['status', '--workflow-id', handle.workflowId], cliEnv);
    assert.equal(status.code, 0, show(status));
    assert.match(status.stdout, /PodEvictionFailure: Reached max retries/);
    assert.match(status.stdout, /eks-upgrade retry --workflow-id/);
    // force without a reason is refused (exit 2 before anything is sent); with one it is accepted and audited.
    const noReason = await runCli(['retry', '--workflow-id', handle.workflowId, '--force'], cliEnv);
    assert.equal(noReason.code, 2, show(noReason));
    const retried = await runCli(
      [
        'retry',
        '--workflow-id',
        handle.workflowId,
        '--force',
        '--reason',
        'PDB of batch-runner is too strict; jobs can restart',
        '--by',
        'sre-bob',
      ],
      cliEnv,
    );
    assert.equal(retried.code, 0, show(retried));
    const report = await handle.result();
    const record = stepOf(report.status.execution, 'nodegroup/batch-al2023/');
    assert.equal(record?.state, 'succeeded');
    assert.deepEqual(
      record?.attempts.map((a) => [a.round, a.force, a.outcome]),
      [
        [0, false, 'failed'],
        [1, true, 'succeeded'],
      ],
    );
    assert.deepEqual(
      eks.fake.sim.updates({ kind: 'nodegroup', name: 'batch-al2023' }).map((u) => [u.status, u.force]),
      [
        ['Failed', false],
        ['Successful', true],
      ],
    );
    const decision = report.status.execution?.decisions.find((d) => d.action === 'retry');
    assert.deepEqual(
      [decision?.by, decision?.force, decision?.reason],
      ['sre-bob', true, 'PDB of batch-runner is too strict; jobs can restart'],
    );
    assert.match(renderReportMarkdown(report), /sre-bob: \*\*retry\*\* --force .*PDB of batch-runner is too strict/);
    const retries = acceptedUpdates(await handle.fetchHistory(), 'retry');
    assert.deepEqual(
      retries,
      [{ by: 'sre-bob', force: true, reason: 'PDB of batch-runner is too strict; jobs can restart' }],
      'the forced retry, who and why, is in history as the accepted update',
    );
  });

  void it('InvalidStateException from the insights: skip is refused for the control plane; retry --force passes', async () => {
    const { eks, taskQueue } = await rig('insights', { switches: { enforceInsights: true } });
    eks.fake.sim.setInsightStatus(EXEC_CLUSTER, 'upg-deprecated-1-32', 'ERROR', 'Deprecated API usage detected');
    const handle = await startExec(env.client, taskQueue, execInput(), 'insights');
    await waitFor(handle, (s) => s.phase === 'awaiting-approval', 'the approval gate');
    await approve(handle);
    const waiting = await waitFor(
      handle,
      (s) => !!waitOf(s.execution, 'control-plane/1.32'),
      'the control plane to wait',
    );
    const wait = waitOf(waiting.execution, 'control-plane/1.32');
    assert.ok(wait?.kind === 'failed');
    assert.equal(wait.errorCode, 'InvalidStateException');
    assert.match(wait.message, /UPGRADE_READINESS insights that block this update/);
    const skip = await handle.executeUpdate(skipUpdate, { args: [{ reason: 'later', by: 'sre-bob' }] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(skip instanceof WorkflowUpdateFailedError);
    assert.match(skip.cause?.message ?? '', /the control plane cannot be skipped/);
    const noReason = await handle.executeUpdate(retryUpdate, { args: [{ force: true }] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(noReason instanceof WorkflowUpdateFailedError);
    assert.match(noReason.cause?.message ?? '', /retry --force needs a reason/);
    const answer = await handle.executeUpdate(retryUpdate, {
      args: [{ force: true, reason: 'Argo CD moved off v1beta3 this morning; insight is stale', by: 'sre-bob' }],
    });
    assert.deepEqual(answer, { waitId: 'control-plane/1.32', round: 1, force: true });
    const report = await handle.result();
    assert.equal(report.status.execution?.outcome, 'completed');
    const cp = eks.fake.sim.updates({ kind: 'cluster' });
    assert.deepEqual(
      cp.map((u) => [u.status, u.force]),
      [['Successful', true]],
      'the refused call made no update',
    );
  });

  void it('pause-between-stages waits for resume; pause holds the next step; abort lets a running update finish', async () => {
    const { eks, taskQueue } = await rig('pause');
    const handle = await startExec(
      env.client,
      taskQueue,
      execInput({ execution: { pauseBetweenStages: true } }),
      'pause',
    );
    await waitFor(handle, (s) => s.phase === 'awaiting-approval', 'the approval gate');
    await approve(handle);
    const between = await waitFor(
      handle,
      (s) => !!s.execution?.waits.some((w) => w.kind === 'between-stages'),
      'the stage gate',
    );
    assert.equal(between.execution?.waits[0]?.id, 'stage:addons-before-nodes');
    assert.equal(eks.fake.sim.updates().length, 1, 'only the control plane so far');
    const resumed = await handle.executeUpdate(resumeUpdate, { args: [{ by: 'sre-alice' }] });
    assert.deepEqual(resumed.resumed, ['stage:addons-before-nodes']);
    await waitFor(handle, (s) => s.execution?.waits[0]?.id === 'stage:node-groups', 'the node-group stage gate');
    await handle.executeUpdate(resumeUpdate, { args: [{ by: 'sre-alice' }] });
    const updating = await waitFor(
      handle,
      (s) => stepOf(s.execution, 'nodegroup/general-al2023/')?.state === 'running',
      'the first node group to run',
    );
    assert.match(JSON.stringify(updating.execution?.stages), /running/);
    const paused = await handle.executeUpdate(pauseUpdate, { args: [{ by: 'sre-alice', reason: 'lunch' }] });
    assert.match(paused.message, /EKS cannot pause an update in progress/);
    const aborted = await handle.executeUpdate(abortUpdate, { args: [{ reason: 'change freeze', by: 'sre-alice' }] });
    assert.equal(aborted.stopped, false);
    assert.match(aborted.message ?? '', /EKS cannot cancel a running update/);
    const report = await handle.result();
    assert.equal(report.status.phase, 'aborted');
    const general = stepOf(report.status.execution, 'nodegroup/general-al2023/');
    assert.equal(general?.state, 'succeeded', 'the running update was let finish and recorded');
    assert.equal(stepOf(report.status.execution, 'nodegroup/batch-al2023/')?.state, 'pending', 'nothing after it ran');
    assert.deepEqual(
      eks.fake.sim.updates({ kind: 'nodegroup', name: 'general-al2023' }).map((u) => u.status),
      ['Successful'],
    );
    assert.equal(eks.fake.sim.updates({ kind: 'nodegroup', name: 'batch-al2023' }).length, 0);
  });
});
