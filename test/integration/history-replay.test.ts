// Safe to deploy while upgrades run: every committed history (test/fixtures/histories, recorded by
// scripts/record-histories.ts from real runs) is replayed against the current workflow code. A change to workflow
// logic that alters the commands a running execution already issued, without patched(), fails here with the
// nondeterminism error a worker would hit in production (docs/operations.md). No server is needed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { getWorkflowBundle, installQuietRuntime } from '../harness/temporal';
import type { RecordedHistory } from '../../scripts/record-histories';

const DIR = join(__dirname, '..', 'fixtures', 'histories');
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as RecordedHistory[];

interface HistoryJson {
  events: Array<Record<string, unknown> & { eventType?: string }>;
}

const load = (file: string) => JSON.parse(readFileSync(join(DIR, file), 'utf8')) as HistoryJson;

/** Names of the updates accepted in a history. */
function acceptedUpdates(history: HistoryJson): string[] {
  return history.events.flatMap((e) => {
    const attrs = e.workflowExecutionUpdateAcceptedEventAttributes as
      { acceptedRequest?: { input?: { name?: string } } } | undefined;
    return attrs?.acceptedRequest?.input?.name ? [attrs.acceptedRequest.input.name] : [];
  });
}

void describe('recorded histories replay against the current workflow code', () => {
  void it('the fixtures cover an analyze run, an executed run with a failure and a retry, a rollback, the guard and a campaign across continue-as-new, and a shared analysis', () => {
    const byFile = new Map(manifest.map((m) => [m.file, load(m.file)]));
    assert.ok(manifest.length >= 3, 'at least three histories');
    const analyze = byFile.get('analyze-rollback-verdict.json');
    const retry = byFile.get('execute-retry.json');
    const rollback = byFile.get('execute-rollback.json');
    assert.ok(analyze && retry && rollback, 'the three named histories');
    assert.deepEqual(acceptedUpdates(analyze), ['approve', 'requestRollback']);
    assert.deepEqual(acceptedUpdates(retry), ['approve', 'retry']);
    assert.deepEqual(acceptedUpdates(rollback), ['approve', 'requestRollback', 'confirmRollback']);
    const activity = (h: HistoryJson) =>
      h.events.flatMap((e) => {
        const a = e.activityTaskScheduledEventAttributes as { activityType?: { name?: string } } | undefined;
        return a?.activityType?.name ? [a.activityType.name] : [];
      });
    assert.ok(
      activity(retry).filter((n) => n === 'updateNodegroupVersion').length >= 3,
      'the failed round and its retry',
    );
    assert.ok(activity(rollback).includes('checkRollbackReadiness'), 'the rollback reached the control plane');
    const guard = byFile.get('guard-continued.json');
    assert.ok(guard, 'the guard history');
    const started = guard.events[0]?.workflowExecutionStartedEventAttributes as
      { continuedExecutionRunId?: string } | undefined;
    assert.ok(started?.continuedExecutionRunId, 'the guard run began from a carried ledger');
    assert.ok(acceptedUpdates(guard).length >= 2 && acceptedUpdates(guard).every((u) => u === 'sync'));
    assert.equal(guard.events.at(-1)?.eventType, 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
    const [firstRun, lastRun, shared] = [
      'campaign-first-run.json',
      'campaign-last-run.json',
      'shared-analysis.json',
    ].map((f) => byFile.get(f));
    assert.ok(firstRun && lastRun && shared, 'the campaign and shared-analysis histories');
    assert.deepEqual(acceptedUpdates(firstRun), ['continue', 'continue'], 'the canary NO_GO, continued twice');
    assert.equal(firstRun.events.at(-1)?.eventType, 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
    assert.equal(lastRun.events.at(-1)?.eventType, 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
    assert.equal(shared.events.at(-1)?.eventType, 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
    for (const m of manifest) assert.equal(byFile.get(m.file)?.events.length ?? load(m.file).events.length, m.events);
  });

  void it('replays every history without a nondeterminism error', async () => {
    installQuietRuntime();
    const workflowBundle = await getWorkflowBundle();
    const histories = manifest.map((m) => ({ workflowId: m.workflowId, history: load(m.file) }));
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
      replayed += 1;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.name}: ${result.error.message}`);
    }
    assert.equal(replayed, histories.length);
    assert.deepEqual(failures, [], 'a workflow change needs patched() (docs/operations.md)');
  });
});
