// A live cluster in another account: the worker assumes the cluster's role through STS (the real credential provider
// against a wire-level STS fake, reached by AWS_ENDPOINT_URL_STS) and reads the cluster with the temporary
// credentials, asked for once per read, in a session named as the input says: every EKS and EC2 call is signed
// with them, and so is the IAM token of its Kubernetes API (the API server fake accepts only a token signed by the
// role). The credentials appear in no workflow history. A role STS refuses fails the inventory at once, naming the
// role and the fix.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadSnapshotFile } from '../../src/activities/evidence';
import { roleSessionName } from '../../src/domain/aws-role';
import { createEksInventoryLoader } from '../../src/worker/eks-inventory-loader';
import type { UpgradeInput } from '../../src/workflows/upgrade-messages';
import { startBedrockFake, type BedrockFake } from '../fakes/bedrock-fake';
import { FakeEc2 } from '../fakes/ec2-fake';
import { FakeEks, fakeStateFromSnapshot } from '../fakes/eks-fake';
import { FakeKubernetes } from '../fakes/k8s-fake';
import { fakeTls } from '../fakes/k8s-tls';
import { startStsFake, type StsFake } from '../fakes/sts-fake';
import { liveClusterObjects } from '../fixtures/kubernetes/cluster-objects';
import { createTestEnv, uniqueTaskQueue } from '../harness/temporal';
import { runTestWorker, type RunningTestWorker } from '../harness/test-worker';
import { rigActivities, scriptedModel, silentLogger, testWorkflowId, waitForStatus } from './upgrade-support';

const ROLE = 'arn:aws:iam::210987654321:role/eks-upgrade-reader';
const UNTRUSTED_ROLE = 'arn:aws:iam::210987654321:role/not-trusting-the-worker';
const ROLE_CREDENTIALS = {
  accessKeyId: 'ASIAROLESESSIONKEY1',
  secretAccessKey: 'role-session-secret-for-the-test',
  sessionToken: 'role-session-token-for-the-test',
};
const WORKER_CREDENTIALS = { accessKeyId: 'AKIDWORKEROWNKEY', secretAccessKey: 'worker-own-secret' };
const ENV_KEYS = ['AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL_EKS', 'AWS_ENDPOINT_URL_EC2'] as const;

let env: TestWorkflowEnvironment;
let sts: StsFake;
let eks: FakeEks;
let ec2: FakeEc2;
let k8s: FakeKubernetes;
let bedrock: BedrockFake;
let worker: RunningTestWorker | undefined;
const saved = new Map<string, string | undefined>();
const taskQueue = uniqueTaskQueue('assume-role');

before(async () => {
  env = await createTestEnv();
  // The Kubernetes API of cluster payments accepts only IAM tokens signed by the role's session.
  k8s = new FakeKubernetes({
    eksToken: { clusterName: 'payments', region: 'eu-west-1', credentials: ROLE_CREDENTIALS },
  }).add(...liveClusterObjects());
  const state = fakeStateFromSnapshot(await loadSnapshotFile('test/fixtures/snapshots/blocked-1.31.json'));
  const cluster = state.clusters.get('payments');
  assert.ok(cluster);
  cluster.cluster.endpoint = await k8s.start();
  cluster.cluster.certificateAuthority = { data: Buffer.from(fakeTls().caPem).toString('base64') };
  eks = new FakeEks(state);
  ec2 = new FakeEc2([{ subnetId: 'subnet-a', availabilityZone: 'eu-west-1a', availableIpAddressCount: 200 }], []);
  sts = await startStsFake({ allowedRoles: [ROLE], credentials: { [ROLE]: ROLE_CREDENTIALS } });
  bedrock = await startBedrockFake({ handler: scriptedModel({ decision: 'GO_WITH_CAUTION' }) });
  for (const k of ENV_KEYS) saved.set(k, process.env[k]);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_STS: sts.url,
    AWS_ENDPOINT_URL_EKS: await eks.start(),
    AWS_ENDPOINT_URL_EC2: await ec2.start(),
  });
  // The worker's own identity: what STS sees sign the AssumeRole request.
  const loadFromEks = createEksInventoryLoader({
    logger: silentLogger,
    credentials: () => Promise.resolve(WORKER_CREDENTIALS),
    kubernetes: { forceEksToken: true },
  });
  const { activities } = rigActivities({
    client: env.client,
    bedrockUrl: bedrock.url,
    taskQueue,
    guardId: `guard-${taskQueue}`,
    evidence: { loadFromEks },
  });
  worker = await runTestWorker(env, taskQueue, activities);
});

after(async () => {
  await worker?.stop();
  for (const [k, v] of saved) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await bedrock?.close();
  await sts?.close();
  await ec2?.stop();
  await eks?.stop();
  await k8s?.stop();
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

function start(roleArn: string, tag: string, roleSessionName?: string): Promise<WorkflowHandle> {
  const input: UpgradeInput = {
    clusterName: 'payments',
    region: 'eu-west-1',
    targetVersion: '1.32',
    inventory: { kind: 'eks' },
    releaseNotes: { kind: 'none' },
    approvalTimeoutMs: 120_000,
    analysisHeartbeatTimeoutMs: 3_000,
    roleArn,
    ...(roleSessionName ? { roleSessionName } : {}),
  };
  return env.client.workflow.start('upgradeWorkflow', {
    taskQueue,
    workflowId: testWorkflowId(tag).replace('prod-east-1.31', 'payments-1.32'),
    args: [input],
  });
}

void test("the cluster is read with the role's temporary credentials, assumed once, named as asked", async () => {
  const handle = await start(ROLE, 'role', 'prod-fleet.payments-1.32');
  const status = await waitForStatus(handle, (s) => s.phase === 'awaiting-approval', 120_000);
  assert.ok(status.decision, 'decided on the live read');

  assert.deepEqual(sts.calls, [
    {
      roleArn: ROLE,
      sessionName: 'prod-fleet.payments-1.32',
      durationSeconds: 3600,
      signedBy: WORKER_CREDENTIALS.accessKeyId,
      granted: ROLE_CREDENTIALS.accessKeyId,
    },
  ]);
  assert.ok(eks.requests.length > 5, `EKS was read (${eks.requests.length} calls)`);
  assert.deepEqual([...new Set(eks.requests.map((r) => r.signedBy))], [ROLE_CREDENTIALS.accessKeyId], 'EKS');
  assert.deepEqual([...new Set(ec2.actions.map((a) => a.signedBy))], [ROLE_CREDENTIALS.accessKeyId], 'EC2');
  const kubernetesCalls = k8s.requests.filter((r) => r.status === 200);
  assert.ok(kubernetesCalls.length > 5, 'the Kubernetes API took the role-signed token');
  assert.ok(
    k8s.requests.every((r) => r.status !== 401),
    'no request was refused for its token',
  );

  const history = await historyText(handle);
  for (const secret of [ROLE_CREDENTIALS.secretAccessKey, ROLE_CREDENTIALS.sessionToken, 'k8s-aws-v1.'])
    assert.ok(!history.includes(secret), 'no credential or token in workflow history');
  assert.ok(!history.includes(WORKER_CREDENTIALS.secretAccessKey));
  assert.match(history, /"roleArn":"arn:aws:iam::210987654321:role\/eks-upgrade-reader"/, 'the role is in history');
  await handle.terminate('test over');
});

void test('without a session name the workflow names it after itself; a refused role fails at once', async () => {
  const before = sts.calls.length;
  const handle = await start(UNTRUSTED_ROLE, 'role-denied');
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
  assert.match(cause.message, /to read cluster payments in eu-west-1: AccessDenied: .*not authorized/);
  assert.match(cause.message, /trust policy must allow sts:AssumeRole/);
  assert.equal(cause.nonRetryable, true);

  const denied = sts.calls.slice(before);
  assert.equal(denied.length, 1, 'a refusal is not retried');
  assert.equal(denied[0]?.error, 'AccessDenied');
  assert.equal(denied[0]?.sessionName, roleSessionName(['eks-upgrade', handle.workflowId]));
});
