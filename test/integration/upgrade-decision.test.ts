// The upgrade workflow end to end on the real dev server: real evidence activities on fixture files, the real
// analysis activities through the real Bedrock SDK client to the wire-level fake, every call through the guard.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { renderReportMarkdown } from '../../src/domain/report';
import { UPGRADE_DECISION, UPGRADE_PHASE } from '../../src/workflows/search-attributes';
import { abortUpdate, approveUpdate, requestRollbackUpdate } from '../../src/workflows/upgrade-messages';
import { startBedrockFake, type BedrockFake } from '../fakes/bedrock-fake';
import { createTestEnv, getWorkflowBundle, uniqueTaskQueue } from '../harness/temporal';
import { runTestWorker, type RunningTestWorker } from '../harness/test-worker';
import { rigActivities, scriptedModel, startUpgrade, upgradeInput, waitForStatus } from './upgrade-support';

void describe('upgrade workflow: decision, approval, rollback (real dev server, fake Bedrock at the wire)', () => {
  let env: TestWorkflowEnvironment;
  let client: Client;
  let fake: BedrockFake;
  let worker: RunningTestWorker | undefined;
  let taskQueue: string;

  before(async () => {
    env = await createTestEnv();
    client = env.client;
    fake = await startBedrockFake({ handler: scriptedModel({ decision: 'GO' }) });
    taskQueue = uniqueTaskQueue('upgrade-decision');
    const { activities } = rigActivities({ client, bedrockUrl: fake.url, taskQueue, guardId: `guard-${taskQueue}` });
    worker = await runTestWorker(env, taskQueue, activities);
  });
  after(async () => {
    await worker?.stop();
    await fake?.close();
    await env?.teardown();
  });

  const decisionCalls = () => fake.calls.filter((c) => c.toolName === 'UPGRADE_DECISION');

  void it('decides NO_GO on a removed API in use although the model answers GO; abort ends it', async () => {
    const before = decisionCalls().length;
    const handle = await startUpgrade(client, taskQueue, upgradeInput('removed-api'), 'removed');
    const status = await waitForStatus(handle, (s) => s.phase === 'awaiting-approval');
    const d = status.decision;
    assert.ok(d, 'a decision is recorded');
    assert.equal(d.verdict, 'NO_GO');
    assert.equal(d.aiVerdict, 'GO', 'the model was asked and answered GO');
    assert.equal(d.basis, 'rules+ai');
    assert.deepEqual(
      d.blockers.map((b) => b.code),
      ['API001'],
    );
    assert.match(d.blockers[0]?.message ?? '', /Ingress shop\/storefront uses networking\.k8s\.io\/v1beta1/);
    assert.equal(status.headline, 'prod-east 1.30→1.31: NO_GO (1 blocker)');
    assert.deepEqual(status.skippedAnalyses, []);
    assert.equal(decisionCalls().length, before + 1);
    assert.ok(decisionCalls().at(-1)?.allText.includes('[API001]'), 'the rule blockers reach the model');

    // The Web UI view: typed search attributes and the static summary, without opening the history.
    const description = await handle.describe();
    assert.equal(description.typedSearchAttributes.get(UPGRADE_DECISION), 'NO_GO');
    assert.equal(description.typedSearchAttributes.get(UPGRADE_PHASE), 'awaiting-approval');
    assert.equal(await description.staticSummary(), 'prod-east →1.31: EKS upgrade analysis');
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    assert.match(metadata.currentDetails ?? '', /^\*\*prod-east 1\.30→1\.31: NO_GO \(1 blocker\)\*\*/);

    const aborted = await handle.executeUpdate(abortUpdate, {
      args: [{ reason: 'migrate the Ingress first', by: 'sre-bob' }],
    });
    assert.deepEqual(aborted, { abortedIn: 'awaiting-approval', phase: 'aborted', stopped: true });
    const report = await handle.result();
    assert.equal(report.status.phase, 'aborted');
    assert.equal(report.status.approval, 'aborted');
    assert.equal(report.status.abortReason, 'migrate the Ingress first (by sre-bob)');
    assert.match(report.execution, /^Not executed: aborted/);
    assert.equal(report.analyses.length, 4);
  });

  void it('decides GO on a clean cluster; approve opens the soak window; requestRollback records a verdict', async () => {
    const handle = await startUpgrade(client, taskQueue, upgradeInput('clean'), 'clean');
    const status = await waitForStatus(handle, (s) => s.phase === 'awaiting-approval');
    assert.equal(status.decision?.verdict, 'GO');
    assert.equal(status.decision?.basis, 'rules+ai');
    assert.deepEqual(status.decision?.blockers, []);
    assert.deepEqual(status.decision?.cautions, []);
    assert.equal(status.headline, 'prod-east 1.30→1.31: GO (severity 2/10)');
    assert.ok(status.costUsd > 0, 'the cost so far is counted');

    // A rollback request before approval is refused at once by the validator, with the reason.
    const early = await handle.executeUpdate(requestRollbackUpdate, { args: [{ reason: 'too early' }] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(early instanceof WorkflowUpdateFailedError, `refused: ${String(early)}`);
    assert.match(
      early.cause?.message ?? '',
      /phase awaiting-approval: rollback requests are heard during the soak window/,
    );
    // approve answers once the gate has opened: the soak window hears a rollback request sent right after.
    const approved = await handle.executeUpdate(approveUpdate, {
      args: [{ by: 'sre-alice', comment: 'window 14:00' }],
    });
    assert.deepEqual(approved, { approval: 'approved', phase: 'soak' });
    const verdict = await handle.executeUpdate(requestRollbackUpdate, {
      args: [{ reason: '5xx spike on storefront', evidence: 'error rate 12% since 14:05', by: 'sre-alice' }],
    });
    assert.equal(verdict.verdict, 'ROLLBACK', 'the verdict is the update result');
    const report = await handle.result();

    assert.equal(report.status.phase, 'completed');
    assert.equal(report.status.approval, 'approved');
    assert.equal(report.status.approvedBy, 'sre-alice: window 14:00');
    assert.match(report.execution, /^Not executed: analyze mode/);
    assert.equal(report.status.rollbacks.length, 1);
    const rollback = report.status.rollbacks[0];
    assert.equal(rollback?.verdict, 'ROLLBACK');
    assert.equal(rollback?.basis, 'rules+ai');
    assert.equal(rollback?.reason, '5xx spike on storefront (by sre-alice)');
    assert.match(rollback?.action ?? '', /No automated action \(analyze mode\)\. Roll back by hand/);
    const asked = fake.calls.find(
      (c) => c.toolName === 'ROLLBACK_DECISION' && c.allText.includes('error rate 12% since 14:05'),
    );
    assert.ok(asked, 'the rollback evidence reached the model');
    assert.deepEqual(report.status.rollbacks[0], verdict);
    const accepted = ((await handle.fetchHistory()).events ?? []).flatMap((e) =>
      e.workflowExecutionUpdateAcceptedEventAttributes ? [e.workflowExecutionUpdateAcceptedEventAttributes] : [],
    );
    assert.deepEqual(
      accepted.map((a) => a.acceptedRequest?.input?.name),
      ['approve', 'requestRollback'],
      'a refused request leaves no trace in history',
    );
    assert.ok(report.analyses.some((a) => a.template === 'ROLLBACK_DECISION'));
    assert.match(renderReportMarkdown(report), /## Rollback requests[\s\S]*ROLLBACK \(rules\+ai\)/);

    // The whole run replays deterministically from its history (signals, timers, activities, upserts).
    await Worker.runReplayHistory(
      { workflowBundle: await getWorkflowBundle() },
      await handle.fetchHistory(),
      handle.workflowId,
    );
  });

  void it('without AI analysis: rules alone, never better than GO_WITH_CAUTION, no Bedrock call; auto approval waits', async () => {
    const calls = fake.calls.length;
    const handle = await startUpgrade(
      client,
      taskQueue,
      upgradeInput('clean', { aiAnalysis: false, approval: 'auto', approvalTimeoutMs: 1_000 }),
      'no-ai',
    );
    const report = await handle.result();
    assert.equal(fake.calls.length, calls, 'no request reached Bedrock');
    assert.equal(report.status.decision?.verdict, 'GO_WITH_CAUTION');
    assert.equal(report.status.decision?.basis, 'rules');
    assert.deepEqual(
      report.status.skippedAnalyses.map((s) => `${s.template}:${s.errorType}`),
      [
        'RELEASE_NOTES_ANALYSIS:AiDisabled',
        'DEPRECATION_IMPACT_ANALYSIS:AiDisabled',
        'CLUSTER_READINESS_ASSESSMENT:AiDisabled',
        'UPGRADE_DECISION:AiDisabled',
      ],
    );
    // auto approves GO only: a GO_WITH_CAUTION waits for a person, here until the short approval timeout.
    assert.equal(report.status.approval, 'timed-out');
  });

  void it('auto-approves a GO and completes after the soak window', async () => {
    const handle = await startUpgrade(
      client,
      taskQueue,
      upgradeInput('clean', { approval: 'auto', soakWindowMs: 500 }),
      'auto',
    );
    const report = await handle.result();
    assert.equal(report.status.decision?.verdict, 'GO');
    assert.equal(report.status.approval, 'auto-approved');
    assert.equal(report.status.phase, 'completed');
    assert.ok(report.status.soakEndsAt);
  });

  void it('refuses bad input with a non-retryable failure naming the field', async () => {
    for (const [input, field] of [
      [{ ...upgradeInput('clean'), targetVersion: '1.x' }, 'targetVersion'],
      [{ ...upgradeInput('clean'), mode: 'apply' as unknown as 'execute' }, 'mode'],
      [{ ...upgradeInput('clean'), execution: { nodegroupConcurrency: 0 } }, 'execution.nodegroupConcurrency'],
      [{ ...upgradeInput('clean'), currentVersion: '1.31' }, 'targetVersion'],
      // Found after the inventory: the snapshot is of another cluster.
      [{ ...upgradeInput('clean'), clusterName: 'prod-west' }, 'inventory'],
    ] as const) {
      const handle = await startUpgrade(client, taskQueue, input, 'bad');
      const err = await handle.result().then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof WorkflowFailedError, `failed: ${String(err)}`);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'InvalidUpgradeInput');
      assert.equal(err.cause.nonRetryable, true);
      assert.match(err.cause.message, new RegExp(`${field}: `));
    }
  });
});
