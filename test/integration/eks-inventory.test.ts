// The EKS inventory through the real @aws-sdk/client-eks against the wire-level fake: pagination, every operation,
// the snapshot command via AWS_ENDPOINT_URL_EKS, and readiness codes equal to those from the snapshot file.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { loadEksInventory } from '../../src/activities/eks-inventory';
import { createEvidenceActivities, loadSnapshotFile } from '../../src/activities/evidence';
import { runSnapshot } from '../../src/client/commands/snapshot';
import { runReadinessChecks } from '../../src/domain/readiness';
import { parseClusterSnapshot } from '../../src/domain/snapshot';
import { FakeEc2 } from '../fakes/ec2-fake';
import { FakeEks, fakeStateFromSnapshot } from '../fakes/eks-fake';

const NOW = new Date('2026-02-01T00:00:00Z');
const credentials = { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' };

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { result: (t: string) => void out.push(t), info: (t: string) => void err.push(t) },
    out,
    err,
  };
}

function codesOf(report: { findings: Array<{ code: string; level: string; resource?: string }> }): string[] {
  return report.findings.map((f) => `${f.code}/${f.level}/${f.resource ?? ''}`).sort();
}

void describe('EKS inventory through the real SDK against the fake EKS', () => {
  let fake: FakeEks;
  let endpoint: string;
  let eks: EKSClient;

  before(async () => {
    const snapshot = await loadSnapshotFile('test/fixtures/snapshots/blocked-1.31.json');
    fake = new FakeEks(fakeStateFromSnapshot(snapshot), { pageSize: 1 });
    endpoint = await fake.start();
    eks = new EKSClient({ region: 'eu-west-1', endpoint, credentials, maxAttempts: 1 });
  });

  after(async () => {
    eks.destroy();
    await fake.stop();
  });

  void it('reads every part of the cluster, paginating with nextToken', async () => {
    fake.requests.length = 0;
    const snapshot = await loadEksInventory({ eks }, { clusterName: 'payments', region: 'eu-west-1', now: NOW });
    assert.equal(snapshot.cluster.version, '1.31');
    assert.deepEqual(
      snapshot.nodeGroups?.map((g) => [g.name, g.version, g.amiType]),
      [
        ['legacy-al2', '1.30', 'AL2_x86_64'],
        ['broken', '1.31', 'AL2023_x86_64_STANDARD'],
      ],
    );
    assert.deepEqual(
      snapshot.addons?.map((a) => a.name),
      ['vpc-cni', 'coredns', 'kube-proxy'],
    );
    const vpcCni = snapshot.addons?.find((a) => a.name === 'vpc-cni');
    assert.deepEqual(vpcCni?.compatibleVersions?.['1.32']?.sort(), ['v1.19.2-eksbuild.1', 'v1.20.4-eksbuild.1']);
    assert.equal(vpcCni?.defaultVersions?.['1.32'], 'v1.19.2-eksbuild.1');
    assert.equal(snapshot.insights?.length, 4);
    const deprecated = snapshot.insights?.find((i) => i.id === 'a1b2-deprecated');
    assert.equal(deprecated?.deprecationDetails?.[0]?.clientStats?.[0]?.userAgent, 'flux-helm-controller/v0.37.0');
    assert.equal(deprecated?.lastTransitionTime, '2026-01-20T00:00:00.000Z');
    assert.deepEqual(
      snapshot.versions?.map((v) => [v.clusterVersion, v.status]),
      [
        ['1.31', 'EXTENDED_SUPPORT'],
        ['1.32', 'STANDARD_SUPPORT'],
        ['1.33', 'STANDARD_SUPPORT'],
      ],
    );
    // pageSize 1 forces pagination: two ListNodegroups pages (plus the last), three ListAddons pages, …
    const listNodegroups = fake.requests.filter(
      (r) => r.method === 'GET' && r.path === '/clusters/payments/node-groups',
    );
    assert.equal(listNodegroups.length, 2);
    assert.equal(listNodegroups[1]?.query.nextToken?.[0], '1');
    const listInsights = fake.requests.filter((r) => r.method === 'POST' && r.path === '/clusters/payments/insights');
    assert.equal(listInsights.length, 4);
    // DescribeInsight only for the non-passing insights (as eksup does).
    assert.equal(fake.requests.filter((r) => r.path.startsWith('/clusters/payments/insights/')).length, 3);
    assert.ok(
      fake.requests.some(
        (r) =>
          r.path === '/addons/supported-versions' &&
          r.query.kubernetesVersion?.[0] === '1.32' &&
          r.query.addonName?.[0] === 'kube-proxy',
      ),
    );
  });

  void it('gives the same readiness findings as the snapshot file (data that EKS cannot supply aside)', async () => {
    const fromFile = await loadSnapshotFile('test/fixtures/snapshots/blocked-1.31.json');
    const fromEks = await loadEksInventory({ eks }, { clusterName: 'payments', region: 'eu-west-1', now: NOW });
    // Subnets, launch-template versions (EC2), Fargate kubelets and nodes (Kubernetes API) do not come from EKS.
    const comparable = parseClusterSnapshot({
      ...fromFile,
      subnets: undefined,
      nodes: undefined,
      liveObjects: undefined,
      fargateProfiles: fromFile.fargateProfiles?.map((p) => ({ name: p.name, status: p.status })),
      nodeGroups: fromFile.nodeGroups?.map((g) => ({ ...g, launchTemplateLatestVersion: undefined })),
    });
    const expected = runReadinessChecks({ snapshot: comparable, targetVersion: '1.32', now: NOW });
    const actual = runReadinessChecks({ snapshot: fromEks, targetVersion: '1.32', now: NOW });
    assert.deepEqual(codesOf(actual), codesOf(expected));
    for (const code of [
      'EKS002',
      'EKS003',
      'EKS004',
      'EKS005',
      'EKS008',
      'EKS009',
      'EKS010',
      'K8S011',
      'UPG002',
      'UPG003',
    ]) {
      assert.ok(
        actual.findings.some((f) => f.code === code),
        `expected ${code} through the EKS API`,
      );
    }
  });

  void it('the evidence activity reads from EKS when given a loader, and the scan uses insight deprecation details', async () => {
    const activities = createEvidenceActivities({
      loadFromEks: ({ clusterName, region }) =>
        loadEksInventory({ eks }, { clusterName, region, targetVersion: '1.32', now: NOW }),
    });
    const snapshot = await activities.loadClusterInventory({
      kind: 'eks',
      clusterName: 'payments',
      region: 'eu-west-1',
    });
    const scan = await activities.scanApiRemovals({
      manifestPaths: [],
      snapshot,
      currentVersion: '1.31',
      targetVersion: '1.32',
    });
    const fromInsight = scan.findings.find((f) => f.source === 'eks-insights');
    assert.equal(fromInsight?.apiVersion, 'flowcontrol.apiserver.k8s.io/v1beta3');
    assert.equal(fromInsight?.kind, 'FlowSchema');
    assert.equal(fromInsight?.removedByTarget, true);
    assert.equal(fromInsight?.confidence, 'high');
    assert.match(fromInsight?.location ?? '', /flux-helm-controller/);
  });

  void it('with EC2, subnets and launch-template versions come in and EKS001/EKS006 match the snapshot file', async () => {
    const fromFile = await loadSnapshotFile('test/fixtures/snapshots/blocked-1.31.json');
    const fakeEc2 = new FakeEc2(
      (fromFile.subnets ?? [])
        .map((s) => ({
          subnetId: s.subnetId,
          availabilityZone: s.availabilityZone ?? '',
          availableIpAddressCount: s.availableIpAddressCount,
        }))
        .concat([{ subnetId: 'subnet-other', availabilityZone: 'eu-west-1c', availableIpAddressCount: 500 }]),
      [
        {
          launchTemplateId: 'lt-legacy',
          launchTemplateName: 'legacy',
          latestVersionNumber: 6,
          defaultVersionNumber: 4,
        },
      ],
    );
    const ec2 = new EC2Client({ region: 'eu-west-1', endpoint: await fakeEc2.start(), credentials, maxAttempts: 1 });
    try {
      const snapshot = await loadEksInventory({ eks, ec2 }, { clusterName: 'payments', region: 'eu-west-1', now: NOW });
      assert.deepEqual(
        snapshot.subnets?.map((s) => [s.subnetId, s.availabilityZone, s.availableIpAddressCount]),
        [
          ['subnet-a', 'eu-west-1a', 12],
          ['subnet-b', 'eu-west-1b', 2],
        ],
      );
      assert.equal(snapshot.nodeGroups?.find((g) => g.name === 'legacy-al2')?.launchTemplateLatestVersion, '6');
      assert.deepEqual(
        fakeEc2.actions.map((a) => a.action),
        ['DescribeSubnets', 'DescribeLaunchTemplates'],
      );
      assert.equal(fakeEc2.actions[0]?.params['SubnetId.1'], 'subnet-a');
      const report = runReadinessChecks({ snapshot, targetVersion: '1.32', now: NOW });
      const expected = runReadinessChecks({ snapshot: fromFile, targetVersion: '1.32', now: NOW });
      const pick = (r: typeof report) =>
        codesOf({ findings: r.findings.filter((f) => f.code === 'EKS001' || f.code === 'EKS006') });
      assert.deepEqual(pick(report), pick(expected));
      assert.equal(pick(report).length, 2);
      // Without EC2 permission the snapshot is still made, with a warning, and the two checks are skipped.
      fakeEc2.denyWith = 'UnauthorizedOperation';
      const warnings: string[] = [];
      const denied = await loadEksInventory(
        { eks, ec2, onWarning: (m) => warnings.push(m) },
        { clusterName: 'payments', now: NOW },
      );
      assert.equal(denied.subnets, undefined);
      assert.match(warnings.join(), /UnauthorizedOperation.*ec2:DescribeSubnets/);
      const skipped = runReadinessChecks({ snapshot: denied, targetVersion: '1.32', now: NOW }).checksSkipped?.map(
        (c) => c.code,
      );
      assert.ok(skipped?.includes('EKS001') && skipped.includes('EKS006'));
    } finally {
      ec2.destroy();
      await fakeEc2.stop();
    }
  });

  void it('surfaces an EKS error with its type, and an unknown cluster as not found', async () => {
    fake.injectFault({
      match: /^GET \/clusters\/payments$/,
      status: 403,
      errorType: 'AccessDeniedException',
      message: 'User is not authorized to perform eks:DescribeCluster',
    });
    await assert.rejects(
      loadEksInventory({ eks }, { clusterName: 'payments' }),
      (e: Error) => e.name === 'AccessDeniedException' && /not authorized/.test(e.message),
    );
    await assert.rejects(
      loadEksInventory({ eks }, { clusterName: 'nope' }),
      (e: Error) => e.name === 'ResourceNotFoundException',
    );
  });

  void it('`snapshot` writes a valid snapshot file using AWS_ENDPOINT_URL_EKS', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eks-snapshot-'));
    const saved = {
      url: process.env.AWS_ENDPOINT_URL_EKS,
      key: process.env.AWS_ACCESS_KEY_ID,
      secret: process.env.AWS_SECRET_ACCESS_KEY,
    };
    process.env.AWS_ENDPOINT_URL_EKS = endpoint;
    process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    try {
      fake.requests.length = 0;
      const { io, err } = capture();
      const file = join(dir, 'payments.json');
      const code = await runSnapshot({ cluster: 'payments', region: 'eu-west-1', output: file, ec2: false }, io, {
        now: () => NOW,
      });
      assert.equal(code, 0, err.join(''));
      const written = parseClusterSnapshot(JSON.parse(await readFile(file, 'utf8')) as unknown);
      assert.equal(written.cluster.name, 'payments');
      assert.equal(written.capturedAt, NOW.toISOString());
      assert.match(fake.requests[0]?.userAgent ?? '', /eks-upgrade-agent/);
      const missing = capture();
      assert.equal(await runSnapshot({ cluster: 'nope', region: 'eu-west-1', ec2: false }, missing.io), 2);
      assert.match(missing.err.join(''), /could not read cluster nope/);
      const noRegion = capture();
      assert.equal(await runSnapshot({ cluster: 'payments', ec2: false }, noRegion.io, { env: {} }), 2);
      assert.match(noRegion.err.join(''), /--region/);
    } finally {
      for (const [name, value] of [
        ['AWS_ENDPOINT_URL_EKS', saved.url],
        ['AWS_ACCESS_KEY_ID', saved.key],
        ['AWS_SECRET_ACCESS_KEY', saved.secret],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await rm(dir, { recursive: true, force: true });
    }
  });
});
