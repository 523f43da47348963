// The known cost of a finished call survives a Temporal server outage: analyses are in flight when the server stops
// (its state persisted with --db-filename); they finish at Bedrock while it is down; the worker process keeps its
// settles and retries them until the restarted server takes them (correcting whatever the lease's expiry charged
// meanwhile). The ledger ends equal, to the micro-dollar, to what the fake billed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { readGuardSummary } from '../../src/activities/guard-client';
import { startDevServer, type DevServer } from '../../src/client/dev-server';
import type { upgradeWorkflow } from '../../src/workflows/upgrade';
import { startBedrockFake, type BedrockFake } from '../fakes/bedrock-fake';
import { startChildWorker, type ChildWorker } from '../harness/child-worker';
import { installQuietRuntime, uniqueTaskQueue } from '../harness/temporal';
import { replayGuardLedger } from './guard-support';
import { scriptedModel, startUpgrade, upgradeInput } from './upgrade-support';

const MODEL_LATENCY_MS = 4_000;
const OUTAGE_MS = 8_000;

async function connect(address: string): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({ address });
  return { client: new Client({ connection, namespace: 'default' }), connection };
}

void describe('a settle that survives a Temporal server outage (own dev server, restarted on its database)', () => {
  let dir: string;
  let server: DevServer | undefined;
  let fake: BedrockFake;
  let child: ChildWorker | undefined;
  let connection: Connection | undefined;

  before(async () => {
    installQuietRuntime();
    dir = mkdtempSync(join(tmpdir(), 'guard-outage-'));
    fake = await startBedrockFake({ handler: scriptedModel({ decision: 'GO', delayMs: MODEL_LATENCY_MS }) });
  });
  after(async () => {
    await child?.kill();
    await connection?.close();
    await server?.stop();
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  void it('settles what the calls cost once the server is back, whatever their activities and lease went through', async () => {
    const dbFile = join(dir, 'temporal.db');
    server = await startDevServer({ dbFile, port: 17_000 + Math.floor(Math.random() * 2_000) });
    const port = Number(server.address.split(':')[1]);
    const taskQueue = uniqueTaskQueue('guard-outage');
    const guardId = `guard-${taskQueue}`;
    // A lease TTL shorter than the outage: the restarted guard may expire it before the worker's settles arrive.
    const limits = {
      leaseTtlMs: 3_000,
      permitValidityMs: 1_000,
      maxRequestsPerWindow: 100,
      windowMs: 1_000,
      dailyCostLimitUsd: 5,
    };
    child = await startChildWorker({
      TEMPORAL_ADDRESS: server.address,
      UPGRADE_TEST_TASK_QUEUE: taskQueue,
      UPGRADE_TEST_GUARD_ID: guardId,
      UPGRADE_TEST_BEDROCK_URL: fake.url,
      UPGRADE_TEST_GUARD_LIMITS: JSON.stringify(limits),
    });
    let conn = await connect(server.address);
    connection = conn.connection;
    const input = upgradeInput('clean', { approval: 'auto', approvalTimeoutMs: 1_000, soakWindowMs: 0 });
    const handle = await startUpgrade(conn.client, taskQueue, input, 'outage');
    const workflowId = handle.workflowId;

    // The analyses are at Bedrock (they run in parallel): stop the server; they finish while it is down.
    for (let i = 0; i < 600 && fake.calls.length < 3; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(fake.calls.length, 3, 'three analyses in flight');
    await conn.connection.close();
    connection = undefined;
    await server.stop();
    const stoppedAt = Date.now();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    assert.equal(fake.calls.filter((c) => !c.abortedByClient).length, 3, 'they finished during the outage');

    const outageMs = Date.now() - stoppedAt;
    server = await startDevServer({ dbFile, port });
    assert.equal(server.address, `127.0.0.1:${port}`, 'the same server address');
    conn = await connect(server.address);
    connection = conn.connection;
    const report = await conn.client.workflow.getHandle<typeof upgradeWorkflow>(workflowId).result();
    assert.equal(report.status.phase, 'completed');
    // Its activities drained their settles before completing: the books are final (the worker answers the query).
    const summary = await readGuardSummary(conn.client, guardId);
    const replay = await replayGuardLedger(conn.client, guardId);
    const stats = await child.stop();
    child = undefined;

    assert.ok(summary);
    assert.ok(
      Object.keys(stats.failures).length > 0,
      `the worker retried its syncs through the outage: ${JSON.stringify(stats)}`,
    );
    assert.equal(summary.micros.spent, fake.billedMicros(), 'every call that finished is charged what it was billed');
    assert.equal(summary.micros.reserved, 0);
    assert.deepEqual([replay.overLimit, replay.mismatches], [[], []]);
    console.error(
      `[guard-outage] outage ${outageMs} ms; ${fake.requests.length} calls billed ${fake.billedMicros()} micro-dollars = ` +
        `ledger; leases expired meanwhile: ${summary.counters.expired}; sync failures ${JSON.stringify(stats.failures)}`,
    );
  });
});
