// A live cluster in another account: the worker assumes the cluster's role through STS (the real credential provider
// against a wire-level STS fake, reached by AWS_ENDPOINT_URL_STS) and signs that cluster's EKS and EC2 calls with the
// temporary credentials, asked for once per read, in a session named as the input says. The credentials appear in
// no workflow history. A role STS refuses fails the inventory at once, naming the role and the fix.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { roleSessionName } from '../../src/domain/aws-role';
import { parseClusterSnapshot } from '../../src/domain/snapshot';
import { createEksInventoryLoader } from '../../src/worker/eks-inventory-loader';
import { createUpgradeWorker } from '../../src/worker/worker';
import { startBedrockFake, type BedrockFake } from '../fakes/bedrock-fake';
import { FakeEc2 } from '../fakes/ec2-fake';
import { FakeEks, fakeStateFromSnapshot } from '../fakes/eks-fake';
import { startStsFake, type StsFake } from '../fakes/sts-fake';
import { createTestEnv, getWorkflowBundle, uniqueTaskQueue } from '../harness/temporal';
import { FIXTURES, rigActivities, scriptedModel, startUpgrade, upgradeInput, waitForStatus } from './upgrade-support';

const ROLE = 'arn:aws:iam::210987654321:role/eks-upgrade-reader';
const UNTRUSTED_ROLE = 'arn:aws:iam::210987654321:role/not-trusting-the-worker';
const WORKER_KEY = 'AKIDWORKEROWNKEY';
const ENV_KEYS = [
  'AWS_ENDPOINT_URL_STS',
  'AWS_ENDPOINT_URL_EKS',
  'AWS_ENDPOINT_URL_EC2',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
] as const;

let env: TestWorkflowEnvironment;
let sts: StsFake;
let eks: FakeEks;
let ec2: FakeEc2;
let bedrock: BedrockFake;
let worker: Worker;
let running: Promise<void>;
const saved = new Map<string, string | undefined>();
const taskQueue = uniqueTaskQueue('assume-role');

before(async () => {
  env = await createTestEnv();
  const snapshot = parseClusterSnapshot(
    JSON.parse(readFileSync(join(FIXTURES, 'prod-east-1.30.json'), 'utf8')),
    'prod-east-1.30.json',
  );
  eks = new FakeEks(fakeStateFromSnapshot(snapshot));
  ec2 = new FakeEc2(
    (snapshot.subnets ?? []).map((s) => ({ ...s, availabilityZone: s.availabilityZone ?? 'us-east-1a' })),
    [],
  );
  sts = await startStsFake({ allowedRoles: [ROLE] });
  bedrock = await startBedrockFake({ handler: scriptedModel({ decision: 'GO_WITH_CAUTION' }) });
  // The worker's own identity (the usual credential chain, here the environment) and the AWS endpoints.
  for (const k of ENV_KEYS) saved.set(k, process.env[k]);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_STS: sts.url,
    AWS_ENDPOINT_URL_EKS: await eks.start(),
    AWS_ENDPOINT_URL_EC2: await ec2.start(),
    AWS_ACCESS_KEY_ID: WORKER_KEY,
    AWS_SECRET_ACCESS_KEY: 'worker-own-secret',
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  const { activities } = rigActivities({
    client: env.client,
    bedrockUrl: bedrock.url,
    taskQueue,
    guardId: `guard-${taskQueue}`,
    evidence: { loadFromEks: createEksInventoryLoader() },
  });
  worker = await createUpgradeWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities,
    workflowBundle: await getWorkflowBundle(),
    shutdownGraceTimeMs: 1_000,
  });
  running = worker.run();
});

after(async () => {
  worker?.shutdown();
  await running;
  for (const [k, v] of saved) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await bedrock?.close();
  await sts?.close();
  await ec2?.stop();
  await eks?.stop();
  await env?.teardown();
});

/** The history as text with every payload decoded (payload data is base64 in the JSON form). */
async function historyText(handle: WorkflowHandle): Promise<string> {
  const json = JSON.stringify((await handle.fetchHistory()).events);
  const decoded = [...json.matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)].map((m) =>
    Buffer.from(m[1] ?? '', 'base64').toString('utf8'),
  );
  return [json, ...decoded].join('\n');
}

const liveInput = (roleArn: string, roleSessionName?: string) =>
  upgradeInput('clean', {
    region: 'us-east-1',
    inventory: { kind: 'eks' },
    roleArn,
    ...(roleSessionName ? { roleSessionName } : {}),
  });

void test("the cluster is read with the role's temporary credentials, assumed once, named as asked", async () => {
  const handle = await startUpgrade(env.client, taskQueue, liveInput(ROLE, 'prod-fleet.prod-east-1.31'), 'role');
  const status = await waitForStatus(handle, (s) => s.phase === 'awaiting-approval', 120_000);
  assert.equal(status.decision?.verdict, 'GO_WITH_CAUTION');

  const calls = sts.calls.filter((c) => c.roleArn === ROLE);
  assert.equal(calls.length, 1, 'one AssumeRole for the EKS and EC2 clients of the read');
  assert.deepEqual(calls[0], {
    roleArn: ROLE,
    sessionName: 'prod-fleet.prod-east-1.31',
    durationSeconds: 3600,
    signedBy: WORKER_KEY,
    granted: calls[0]?.granted,
  });
  const granted = calls[0]?.granted;
  assert.match(granted ?? '', /^ASIA/);
  assert.ok(eks.requests.length > 5, `EKS was read (${eks.requests.length} calls)`);
  assert.deepEqual([...new Set(eks.requests.map((r) => r.signedBy))], [granted], 'every EKS call signed by the role');
  assert.deepEqual([...new Set(ec2.actions.map((a) => a.signedBy))], [granted], 'every EC2 call signed by the role');

  const history = await historyText(handle);
  for (const secret of [...sts.secrets(), granted ?? '?', 'worker-own-secret'])
    assert.ok(!history.includes(secret), 'no credential in workflow history');
  assert.match(history, /"roleArn":"arn:aws:iam::210987654321:role\/eks-upgrade-reader"/, 'the role is in history');
  await handle.terminate('test over');
});

void test('without a session name the workflow names it after itself; a refused role fails at once', async () => {
  const before = sts.calls.length;
  const handle = await startUpgrade(env.client, taskQueue, liveInput(UNTRUSTED_ROLE), 'role-denied');
  const failure = await handle.result().then(
    () => assert.fail('the upgrade should fail'),
    (err: unknown) => err,
  );
  const chain: Array<{ type?: string; message: string; nonRetryable?: boolean }> = [];
  for (let e = failure as { cause?: unknown } | undefined; e; e = e.cause as typeof e)
    chain.push(e as (typeof chain)[number]);
  const cause = chain.find((e) => e.type === 'AssumeRoleFailed');
  assert.ok(cause, `AssumeRoleFailed in the chain: ${chain.map((e) => e.message).join(' <- ')}`);
  assert.match(cause.message, /could not assume arn:aws:iam::210987654321:role\/not-trusting-the-worker/);
  assert.match(cause.message, /to read cluster prod-east in us-east-1: AccessDenied: .*not authorized/);
  assert.match(cause.message, /trust policy must allow sts:AssumeRole/);
  assert.equal(cause.nonRetryable, true);

  const denied = sts.calls.slice(before);
  assert.equal(denied.length, 1, 'a refusal is not retried');
  assert.equal(denied[0]?.error, 'AccessDenied');
  assert.equal(denied[0]?.sessionName, roleSessionName(['eks-upgrade', handle.workflowId]));
});
