// A worker process killed (SIGKILL) while its lease holds calls in flight: when the lease expires, exactly the calls it
// had started are charged (their worst case: nobody will ever know their cost), everything else it held comes back,
// and after another worker has finished the upgrades the ledger is the bill plus those worst cases, to the micro-dollar.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { readGuardSummary } from '../../src/activities/guard-client';
import type { GuardSummary } from '../../src/domain/guard-ledger';
import { usdToMicros } from '../../src/domain/money';
import { createUpgradeWorker } from '../../src/worker/worker';
import { hangReply, startBedrockFake, type BedrockFake } from '../fakes/bedrock-fake';
import { startChildWorker, type ChildWorker } from '../harness/child-worker';
import { createTestEnv, getWorkflowBundle, uniqueTaskQueue } from '../harness/temporal';
import { replayGuardLedger } from './guard-support';
import { rigActivities, scriptedModel, startUpgrade, upgradeInput } from './upgrade-support';

const TTL_MS = 3_000;

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  detail: () => Promise<unknown>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await detail())}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

void describe('a worker killed while holding a lease (real dev server, child process)', () => {
  let env: TestWorkflowEnvironment;
  let fake: BedrockFake;
  let child: ChildWorker | undefined;
  let hanging = true;

  before(async () => {
    env = await createTestEnv();
    const model = scriptedModel({ decision: 'GO' });
    fake = await startBedrockFake({ handler: (call) => (hanging ? hangReply() : model(call)) });
  });
  after(async () => {
    await child?.kill();
    await fake?.close();
    await env?.teardown();
  });

  void it('charges exactly the calls it had started when its lease expires, and nothing it had not', async () => {
    const taskQueue = uniqueTaskQueue('guard-kill');
    const guardId = `guard-${taskQueue}`;
    const limits = {
      leaseTtlMs: TTL_MS,
      permitValidityMs: 500,
      maxRequestsPerWindow: 100,
      windowMs: 1_000,
      dailyCostLimitUsd: 5,
    };
    child = await startChildWorker({
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      UPGRADE_TEST_TASK_QUEUE: taskQueue,
      UPGRADE_TEST_GUARD_ID: guardId,
      UPGRADE_TEST_BEDROCK_URL: fake.url,
      UPGRADE_TEST_GUARD_LIMITS: JSON.stringify(limits),
    });
    const bundle = await getWorkflowBundle();
    const host = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: bundle,
    });
    const show = async () => ({
      calls: fake.calls.length,
      summary: await readGuardSummary(env.client, guardId).catch((e: Error) => e.message),
    });
    const { handles, held, killedCalls } = await host.runUntil(async () => {
      const input = upgradeInput('clean', { approval: 'auto', approvalTimeoutMs: 1_000, soakWindowMs: 0 });
      const handles = await Promise.all([0, 1].map((i) => startUpgrade(env.client, taskQueue, input, `kill-${i}`)));

      // The analyses of both upgrades hang at Bedrock; wait until the child has reported every one of them started and
      // holds no other permit.
      const before = await until(
        'the lease to hold just the calls in flight',
        async () => {
          const s = await readGuardSummary(env.client, guardId);
          const lease = s?.leases[0];
          const inFlight = fake.calls.length;
          return inFlight >= 4 && s?.leases.length === 1 && lease?.callsInFlight === inFlight && lease.permits === 0
            ? s
            : undefined;
        },
        show,
      );
      assert.equal(before.micros.leased, 0);
      const held = before.micros.reserved;
      assert.ok(held > 0);
      await child?.kill();
      child = undefined;
      hanging = false;

      // The dead lease expires on the guard's own timer: those worst cases become spent, nothing else.
      const expired: GuardSummary = await until(
        'the lease to expire',
        async () => {
          const s = await readGuardSummary(env.client, guardId);
          return s && s.counters.expired >= 1 ? s : undefined;
        },
        show,
      );
      assert.deepEqual(
        [expired.micros.spent, expired.micros.reserved, expired.micros.leased, expired.leases.length],
        [held, 0, 0, 0],
      );
      assert.equal(expired.micros.remaining, usdToMicros(limits.dailyCostLimitUsd) - held);
      assert.ok(
        fake.requests.every((r) => r.billedMicros === undefined),
        'Bedrock never answered them: unknown',
      );
      return { handles, held, killedCalls: before.callsInFlight };
    });

    // Another worker finishes the upgrades (the hung analyses time out on their heartbeat and are retried).
    const { activities, bedrock, gate } = rigActivities({
      client: env.client,
      bedrockUrl: fake.url,
      taskQueue,
      guardId,
      limits,
    });
    const worker = await createUpgradeWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      activities,
      workflowBundle: bundle,
      shutdownGraceTimeMs: 1_000,
    });
    const { reports, final } = await worker.runUntil(async () => {
      const done = await Promise.all(handles.map((h) => h.result()));
      await gate.close();
      return { reports: done, final: await readGuardSummary(env.client, guardId) };
    });
    bedrock.destroy();
    for (const r of reports) assert.equal(r.status.decision?.basis, 'rules+ai');

    assert.ok(final);
    assert.equal(final.micros.spent, fake.billedMicros() + held, 'the bill plus the worst cases of the killed calls');
    assert.deepEqual([final.micros.reserved, final.micros.leased, final.leases.length], [0, 0, 0]);
    const replay = await replayGuardLedger(env.client, guardId);
    assert.deepEqual([replay.overLimit, replay.mismatches], [[], []]);
    console.error(
      `[guard-kill] killed with ${killedCalls} calls in flight holding ${held} micro-dollars; final spent ` +
        `${final.micros.spent} = billed ${fake.billedMicros()} + ${held}`,
    );
  });
});
