// The campaign steers its upgrades through their own Updates: what an upgrade's validator refuses comes back as a
// refusal with the upgrade's reason (the activity does not fail), a NO_GO is never approved that way, and a retried
// request (the same campaign, the same run) joins the update its first attempt sent: history holds it once. And a
// hop's start never starts a second run of its own, whatever ran under that id before.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createCampaignActivities } from '../../src/activities/campaign';
import { createCampaignRequestActivities, type HopRef } from '../../src/activities/campaign-requests';
import { startBedrockFake, type BedrockFake } from '../fakes/bedrock-fake';
import { createTestEnv, uniqueTaskQueue } from '../harness/temporal';
import { runTestWorker, type RunningTestWorker } from '../harness/test-worker';
import {
  rigActivities,
  scriptedModel,
  startUpgrade,
  testWorkflowId,
  upgradeInput,
  waitForStatus,
} from './upgrade-support';

let env: TestWorkflowEnvironment;
let client: Client;
let bedrock: BedrockFake;
let worker: RunningTestWorker | undefined;
const taskQueue = uniqueTaskQueue('campaign-requests');

before(async () => {
  env = await createTestEnv();
  client = env.client;
  bedrock = await startBedrockFake({ handler: scriptedModel({ decision: 'GO_WITH_CAUTION' }) });
  const { activities } = rigActivities({ client, bedrockUrl: bedrock.url, taskQueue, guardId: `guard-${taskQueue}` });
  worker = await runTestWorker(env, taskQueue, activities);
});

after(async () => {
  await worker?.stop();
  await bedrock?.close();
  await env?.teardown();
});

/** The run the campaign would have recorded when it started the upgrade. */
const refOf = async (h: WorkflowHandle): Promise<HopRef> => ({
  workflowId: h.workflowId,
  runId: (await h.describe()).runId,
});

async function updatesAccepted(handle: WorkflowHandle, name: string): Promise<number> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === name)
    .length;
}

void test("approve and abort through the upgrades' own Updates: refusals recorded, retries joined", async () => {
  const requests = createCampaignRequestActivities({ client });
  const caution = await startUpgrade(client, taskQueue, upgradeInput('clean'), 'campaign-approve');
  const nogo = await startUpgrade(client, taskQueue, upgradeInput('removed-api'), 'campaign-nogo');
  await waitForStatus(caution, (s) => s.phase === 'awaiting-approval');
  await waitForStatus(nogo, (s) => s.phase === 'awaiting-approval');
  const campaignId = `campaign-requests-${Date.now()}`;
  const cautionRun = await refOf(caution);
  const nogoRun = await refOf(nogo);

  // The campaign's approve: the GO_WITH_CAUTION goes on; the NO_GO is left for an override on the upgrade itself.
  const first = await requests.approveUpgradeHops({
    hops: [cautionRun, nogoRun],
    campaignId,
    by: 'alice via campaign c',
  });
  assert.deepEqual(first.approved, [caution.workflowId]);
  assert.deepEqual(
    first.refused.map((r) => r.workflowId),
    [nogo.workflowId],
  );
  assert.match(first.refused[0]?.reason ?? '', /^NO_GO: override it on the upgrade itself/);

  // A retried attempt of the same request joins the accepted update: approved once, in history once.
  const retried = await requests.approveUpgradeHops({ hops: [cautionRun], campaignId, by: 'alice via campaign c' });
  assert.deepEqual(retried.approved, [caution.workflowId]);
  assert.equal(await updatesAccepted(caution, 'approve'), 1);

  // Another campaign's approve of the same run is a new request: the upgrade's validator refuses it, with its reason.
  const other = await requests.approveUpgradeHops({ hops: [cautionRun], campaignId: `${campaignId}-2`, by: 'bob' });
  assert.deepEqual(other.approved, []);
  assert.match(other.refused[0]?.reason ?? '', /the upgrade is in phase soak/);

  // Abort: the NO_GO stops (the upgrade's abort answers once its work has stopped); a retry joins it.
  const aborted = await requests.abortUpgradeHops({
    hops: [nogoRun],
    campaignId,
    by: 'campaign c',
    reason: 'NO_GO',
  });
  assert.deepEqual(aborted, { aborted: [nogo.workflowId], refused: [] });
  const report = await nogo.result();
  assert.equal(report.status.phase, 'aborted');
  assert.equal(report.status.abortReason, 'NO_GO (by campaign c)');
  // A retry after the run closed still gets the update's outcome (the server keeps it with the run)...
  const again = await requests.abortUpgradeHops({ hops: [nogoRun], campaignId, by: 'campaign c', reason: 'NO_GO' });
  assert.deepEqual(again, { aborted: [nogo.workflowId], refused: [] });
  // ...while a new request to a closed run is refused with what became of it, and the activity does not fail.
  const late = await requests.abortUpgradeHops({
    hops: [nogoRun],
    campaignId: `${campaignId}-2`,
    by: 'campaign c2',
    reason: 'late',
  });
  assert.deepEqual(late.aborted, []);
  assert.match(late.refused[0]?.reason ?? '', /is completed/);
  assert.equal(await updatesAccepted(nogo, 'abort'), 1);

  await caution.terminate('test over');
});

void test('a hop starts once: its own run is taken over, a closed run of the id is left, a running one refused', async () => {
  const campaign = createCampaignActivities({ client });
  const startUpgradeHop = (request: Parameters<typeof campaign.startUpgradeHop>[0]) =>
    campaign.startUpgradeHop(request);
  const input = upgradeInput('clean', { approvalTimeoutMs: 60_000 });
  const hop = (workflowId: string, token: string) => ({
    workflowId,
    taskQueue,
    input,
    token,
    campaignId: 'campaign-requests',
    wave: 'all',
  });
  // A new id: started in one go; asked again (a retried attempt), the same run is taken over.
  const fresh = testWorkflowId('hop-fresh');
  const first = await startUpgradeHop(hop(fresh, 'token-a'));
  assert.equal(first.adopted, false);
  const again = await startUpgradeHop(hop(fresh, 'token-a'));
  assert.deepEqual([again.runId, again.adopted], [first.runId, true]);
  // Even once that run has closed, this hop's retry takes it over rather than starting a second one.
  await client.workflow.getHandle(fresh, first.runId).terminate('test: the hop ended');
  assert.deepEqual((await startUpgradeHop(hop(fresh, 'token-a'))).runId, first.runId);
  // Another hop (a later campaign) on the same id: the closed run stays as it is, a new run starts.
  const later = await startUpgradeHop(hop(fresh, 'token-b'));
  assert.equal(later.adopted, false);
  assert.notEqual(later.runId, first.runId);
  // A run of the id that is someone else's and still running: refused, naming what to do.
  await assert.rejects(startUpgradeHop(hop(fresh, 'token-c')), (err: Error & { type?: string }) => {
    assert.equal(err.type, 'UpgradeAlreadyRunning');
    assert.match(err.message, /already running outside this campaign; finish or abort it/);
    return true;
  });
  await client.workflow.getHandle(fresh).terminate('test over');
});
