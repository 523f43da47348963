// The EKS IAM token (`aws eks get-token`'s presigned STS URL) and `eks-upgrade snapshot --live` without a
// kubeconfig: endpoint and CA from DescribeCluster (the EKS fake), the token from the credentials, the Kubernetes
// fake accepting only a token of that shape signed for this cluster. The token never reaches stdout or stderr.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EKSClient } from '@aws-sdk/client-eks';
import { createEksToken, eksTokenSource } from '../../src/activities/kubernetes/eks-token';
import { loadSnapshotFile } from '../../src/activities/evidence';
import { runSnapshot } from '../../src/client/commands/snapshot';
import { FakeEks, fakeStateFromSnapshot } from '../fakes/eks-fake';
import { FakeKubernetes } from '../fakes/k8s-fake';
import { fakeTls } from '../fakes/k8s-tls';
import { checkEksToken, decodeEksToken } from '../fakes/k8s-token-check';
import { LIVE_METRICS, liveClusterObjects } from '../fixtures/kubernetes/cluster-objects';

const credentials = { accessKeyId: 'AKIDEKSTOKENTEST', secretAccessKey: 'eks-token-test-secret' };
const provider = () => Promise.resolve(credentials);
const NOW = new Date('2026-02-01T10:00:00Z');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { result: (t: string) => void out.push(t), info: (t: string) => void err.push(t) },
    out,
    err,
  };
}

void describe('EKS IAM token', () => {
  void it('is a presigned GetCallerIdentity URL to regional STS with a signed x-k8s-aws-id, k8s-aws-v1. + base64url', async () => {
    const { token, expiresAt } = await createEksToken({
      clusterName: 'payments',
      region: 'eu-west-1',
      credentials: provider,
      now: () => NOW,
    });
    assert.match(token, /^k8s-aws-v1\.[A-Za-z0-9_-]+$/);
    const decoded = decodeEksToken(token);
    assert.equal(decoded.host, 'sts.eu-west-1.amazonaws.com');
    assert.equal(decoded.url.pathname, '/');
    assert.equal(decoded.action, 'GetCallerIdentity');
    assert.equal(decoded.version, '2011-06-15');
    assert.deepEqual(decoded.signedHeaders, ['host', 'x-k8s-aws-id']);
    assert.equal(decoded.expiresSeconds, 60);
    assert.equal(decoded.signedAt.toISOString(), NOW.toISOString());
    assert.equal(
      decoded.url.searchParams.get('X-Amz-Credential'),
      'AKIDEKSTOKENTEST/20260201/eu-west-1/sts/aws4_request',
    );
    assert.ok(
      !decoded.url.searchParams.has('x-k8s-aws-id'),
      'the cluster id travels as a signed header, not in the query',
    );
    assert.equal(expiresAt.getTime() - NOW.getTime(), 15 * 60_000);
    const check = { clusterName: 'payments', region: 'eu-west-1', credentials, now: () => NOW };
    assert.deepEqual(await checkEksToken({ ...check, token }), { ok: true });
    assert.equal((await checkEksToken({ ...check, token, clusterName: 'other' })).ok, false);
    const late = new Date(NOW.getTime() + 15 * 60_000 + 1000);
    assert.deepEqual(await checkEksToken({ ...check, token, now: () => late }), { ok: false, reason: 'expired' });
  });

  void it('is reused for 13 minutes, then made again', async () => {
    let now = NOW.getTime();
    const source = eksTokenSource({
      clusterName: 'payments',
      region: 'eu-west-1',
      credentials: provider,
      now: () => new Date(now),
    });
    const first = await source.get();
    now += 5 * 60_000;
    assert.equal(await source.get(), first);
    now += 9 * 60_000;
    const second = await source.get();
    assert.notEqual(second, first);
    assert.equal(decodeEksToken(second).signedAt.getTime(), now);
  });
});

void describe('eks-upgrade snapshot --live without a kubeconfig', () => {
  let home: string;
  let eksFake: FakeEks;
  let k8sFake: FakeKubernetes;
  let eksEndpoint: string;
  let k8sServer: string;

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'eks-token-home-'));
    k8sFake = new FakeKubernetes({
      eksToken: { clusterName: 'payments', region: 'eu-west-1', credentials },
      metrics: LIVE_METRICS,
    }).add(...liveClusterObjects());
    k8sServer = await k8sFake.start();
    const state = fakeStateFromSnapshot(await loadSnapshotFile('test/fixtures/snapshots/blocked-1.31.json'));
    const cluster = state.clusters.get('payments');
    assert.ok(cluster);
    // DescribeCluster's endpoint and CA, as EKS returns them.
    cluster.cluster.endpoint = k8sServer;
    cluster.cluster.certificateAuthority = { data: Buffer.from(fakeTls().caPem).toString('base64') };
    eksFake = new FakeEks(state);
    eksEndpoint = await eksFake.start();
  });

  after(async () => {
    await k8sFake.stop();
    await eksFake.stop();
    await rm(home, { recursive: true, force: true });
  });

  const deps = (env: Record<string, string | undefined>) => ({
    env,
    credentials: provider,
    createEksClient: (region: string) => new EKSClient({ region, endpoint: eksEndpoint, credentials, maxAttempts: 1 }),
  });

  void it('connects through the EKS endpoint with an IAM token and writes the whole cluster', async () => {
    const { io, out, err } = capture();
    const code = await runSnapshot(
      { cluster: 'payments', region: 'eu-west-1', live: true, ec2: false },
      io,
      deps({ HOME: home }),
    );
    assert.equal(code, 0, err.join(''));
    const snapshot = JSON.parse(out.join('')) as Record<string, unknown> & { kubernetesAccess: { via: string } };
    assert.match(snapshot.kubernetesAccess.via, /EKS endpoint of payments with an IAM token/);
    assert.equal((snapshot.nodes as unknown[]).length, 4);
    assert.equal((snapshot.helmReleases as unknown[]).length, 2);
    assert.ok(k8sFake.requests.length > 10 && k8sFake.requests.every((r) => r.status === 200));
    assert.ok(k8sFake.tokensSeen.size >= 1);
    for (const token of k8sFake.tokensSeen) assert.ok(!out.join('').includes(token) && !err.join('').includes(token));
    assert.match(
      err.join(''),
      /read the Kubernetes API \(EKS endpoint of payments with an IAM token \(aws eks get-token\)\): 4 nodes/,
    );
  });

  void it('refuses a kubeconfig whose context points at another cluster (exit 2, naming both)', async () => {
    const kubeconfig = join(home, 'other-cluster');
    await writeFile(kubeconfig, k8sFake.kubeconfig('https://127.0.0.1:1', 'x', 'other'));
    const { io, err } = capture();
    const code = await runSnapshot(
      { cluster: 'payments', region: 'eu-west-1', live: true, ec2: false, kubeconfig },
      io,
      deps({ HOME: home }),
    );
    assert.equal(code, 2);
    assert.match(err.join(''), /context "other" points at https:\/\/127\.0\.0\.1:1, not at payments's endpoint/);
  });

  void it('a token for the wrong identity is refused by the API server: exit 1 with the cause, no snapshot', async () => {
    const { io, out, err } = capture();
    const wrong = { accessKeyId: 'AKIDOTHER', secretAccessKey: 'not-the-one' };
    const code = await runSnapshot({ cluster: 'payments', region: 'eu-west-1', live: true, ec2: false }, io, {
      ...deps({ HOME: home }),
      credentials: () => Promise.resolve(wrong),
    });
    assert.equal(code, 1);
    assert.equal(out.join(''), '');
    assert.match(err.join(''), /HTTP 401/);
  });
});
