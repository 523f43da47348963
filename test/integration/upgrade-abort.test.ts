// abort is an Update that cancels the running work: an evidence activity stuck on a slow CHANGELOG download and
// Bedrock analyses waiting on a slow model are cancelled within seconds (the history shows each one cancelled,
// acknowledged by the activity), not left to exhaust their retries. A request the phase does not hear (approve
// during evidence) is refused at once, and leaves no trace in history.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { upgradeWorkflow } from '../../src/workflows/upgrade';
import { abortUpdate, approveUpdate } from '../../src/workflows/upgrade-messages';
import { hangReply, startBedrockFake, type BedrockFake } from '../fakes/bedrock-fake';
import { startChangelogFake, type ChangelogFake } from '../fakes/changelog-fake';
import { createTestEnv, uniqueTaskQueue } from '../harness/temporal';
import { runTestWorker, type RunningTestWorker } from '../harness/test-worker';
import { rigActivities, startUpgrade, upgradeInput, waitForStatus } from './upgrade-support';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Activity type of each scheduled activity, by its scheduled event id. */
function activityTypes(events: HistoryEvent[]): Map<string, string> {
  const types = new Map<string, string>();
  for (const e of events) {
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name) types.set(String(e.eventId), name);
  }
  return types;
}

function cancelledActivities(events: HistoryEvent[]): { requested: string[]; acknowledged: string[] } {
  const types = activityTypes(events);
  const name = (id: unknown) => types.get(String(id)) ?? '?';
  return {
    requested: events
      .filter((e) => e.activityTaskCancelRequestedEventAttributes)
      .map((e) => name(e.activityTaskCancelRequestedEventAttributes?.scheduledEventId))
      .sort(),
    acknowledged: events
      .filter((e) => e.activityTaskCanceledEventAttributes)
      .map((e) => name(e.activityTaskCanceledEventAttributes?.scheduledEventId))
      .sort(),
  };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowUpdateFailedError, `refused: ${String(err)}`);
  return err.cause?.message ?? '';
}

void describe('abort cancels the running work (real dev server, slow CHANGELOG and Bedrock fakes)', () => {
  let env: TestWorkflowEnvironment;
  let client: Client;
  let bedrock: BedrockFake;
  let changelog: ChangelogFake;
  let cacheDir: string;
  let worker: RunningTestWorker | undefined;
  let taskQueue: string;

  before(async () => {
    env = await createTestEnv();
    client = env.client;
    // The model never answers: an analysis is certainly running when the abort arrives.
    bedrock = await startBedrockFake({ handler: () => hangReply() });
    changelog = await startChangelogFake({ hang: true });
    cacheDir = await mkdtemp(join(tmpdir(), 'abort-changelog-'));
    taskQueue = uniqueTaskQueue('upgrade-abort');
    const { activities } = rigActivities({
      client,
      bedrockUrl: bedrock.url,
      taskQueue,
      guardId: `guard-${taskQueue}`,
      evidence: { changelogBaseUrl: changelog.url, cacheDir },
    });
    worker = await runTestWorker(env, taskQueue, activities);
  });
  after(async () => {
    await worker?.stop();
    await changelog?.close();
    await bedrock?.close();
    await env?.teardown();
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  });

  async function abortAndMeasure(handle: WorkflowHandle<typeof upgradeWorkflow>, phase: string) {
    const started = Date.now();
    const answer = await handle.executeUpdate(abortUpdate, { args: [{ reason: 'change freeze', by: 'sre-carol' }] });
    const report = await handle.result();
    const elapsedMs = Date.now() - started;
    assert.deepEqual(answer, { abortedIn: phase, phase: 'aborted', stopped: true });
    assert.equal(report.status.phase, 'aborted');
    assert.equal(report.status.abortReason, 'change freeze (by sre-carol)');
    const events = (await handle.fetchHistory()).events ?? [];
    return { elapsedMs, events, report };
  }

  void it('during evidence: approve is refused at once; abort cancels the hung release-notes download', async () => {
    const handle = await startUpgrade(
      client,
      taskQueue,
      upgradeInput('clean', { releaseNotes: { kind: 'kubernetes-changelog' } }),
      'abort-evidence',
    );
    await waitForStatus(handle, (s) => s.phase === 'evidence' && changelog.hits.length > 0, 60_000);

    const refused = await refusal(handle.executeUpdate(approveUpdate, { args: [{ by: 'too-early' }] }));
    assert.match(refused, /^the upgrade is in phase evidence: approve once the decision is in/);

    const { elapsedMs, events } = await abortAndMeasure(handle, 'evidence');
    const cancelled = cancelledActivities(events);
    assert.deepEqual(cancelled.requested, ['extractReleaseNotes']);
    assert.deepEqual(cancelled.acknowledged, ['extractReleaseNotes'], 'the activity itself stopped');
    assert.equal(
      events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length,
      1,
      'only the abort is in history: the refused approve left no trace',
    );
    // Before: the abort waited for the download's retries (4 attempts of 30 s); the heartbeat brings it to seconds.
    assert.ok(elapsedMs < 60_000, `aborted in ${elapsedMs} ms`);
    console.error(`[upgrade-abort] evidence: abort → workflow closed in ${elapsedMs} ms`);
  });

  void it('during analysis: abort cancels the Bedrock calls in flight and the workflow ends aborted', async () => {
    const callsBefore = bedrock.calls.length;
    const handle = await startUpgrade(client, taskQueue, upgradeInput('removed-api'), 'abort-analysis');
    await waitForStatus(handle, (s) => s.phase === 'analysis' && bedrock.calls.length >= callsBefore + 2, 60_000);

    const { elapsedMs, events, report } = await abortAndMeasure(handle, 'analysis');
    const cancelled = cancelledActivities(events);
    assert.ok(cancelled.requested.length >= 2, `cancel requested: ${cancelled.requested.join(', ')}`);
    assert.deepEqual(cancelled.acknowledged, cancelled.requested, 'every cancelled analysis acknowledged');
    assert.equal(report.analyses.length, 0, 'no analysis finished');
    assert.equal(report.status.decision, undefined);
    const calls = bedrock.calls.slice(callsBefore);
    assert.ok(
      calls.every((c) => c.abortedByClient),
      'every request to the model was abandoned by the client when its activity was cancelled',
    );
    // Before: an abort waited for the model's answer (up to 3 attempts × 15 minutes).
    assert.ok(elapsedMs < 60_000, `aborted in ${elapsedMs} ms`);
    console.error(`[upgrade-abort] analysis: abort → workflow closed in ${elapsedMs} ms (${calls.length} calls)`);
  });
});
