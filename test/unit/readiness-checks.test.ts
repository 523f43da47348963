// Readiness checks over fixture snapshots: the expected codes per fixture, and every check code produced by at
// least one fixture (so no check goes untested).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadSnapshotFile } from '../../src/activities/evidence';
import { readManifestPaths } from '../../src/activities/evidence/manifest-files';
import type { ReadinessReport } from '../../src/domain/evidence';
import { CHECK_CODES, CHECKS, runReadinessChecks } from '../../src/domain/readiness';
import { parseClusterSnapshot } from '../../src/domain/snapshot';

const NOW = new Date('2026-02-01T00:00:00Z');

/** Every fixture run below, so that the coverage test can run them all itself (no state shared between tests). */
const FIXTURE_RUNS: Array<[string, string, { manifests?: string[]; now?: Date }?]> = [
  ['healthy-1.30.json', '1.31'],
  ['blocked-1.31.json', '1.32'],
  ['al2-1.32.json', '1.33'],
  ['healthy-1.30.json', '1.33'],
  ['healthy-1.30.json', '1.30'],
  ['extended-ended-1.29.json', '1.30', { now: new Date('2026-04-01T00:00:00Z') }],
  ['extended-ended-1.29.json', '1.30'],
  ['minimal.json', '1.32'],
  ['healthy-1.30.json', '1.31', { manifests: ['test/fixtures/manifests/workloads'] }],
  ['live-1.30.json', '1.31'],
];

async function check(
  fixture: string,
  target: string,
  options: { manifests?: string[]; now?: Date } = {},
): Promise<ReadinessReport> {
  const snapshot = await loadSnapshotFile(`test/fixtures/snapshots/${fixture}`);
  const manifests = options.manifests ? (await readManifestPaths(options.manifests)).objects : undefined;
  const report = runReadinessChecks({ snapshot, targetVersion: target, manifests, now: options.now ?? NOW });
  for (const f of report.findings) {
    assert.ok(f.message.length > 40, `${f.code} message should say what to do: ${f.message}`);
    assert.equal(f.title, CHECKS[f.code as keyof typeof CHECKS].title);
  }
  return report;
}

function pairs(report: ReadinessReport): string[] {
  return [...new Set(report.findings.map((f) => `${f.code}:${f.level}`))].sort();
}

void describe('readiness checks on fixture snapshots', () => {
  void it('a healthy cluster going one minor up has no findings, and says which checks could not run', async () => {
    const report = await check('healthy-1.30.json', '1.31');
    assert.deepEqual(report.findings, []);
    assert.ok(
      report.checksRun.includes('EKS001') && report.checksRun.includes('EKS005') && report.checksRun.includes('UPG003'),
    );
    assert.deepEqual(
      report.checksSkipped?.map((s) => s.code),
      ['K8S002', 'K8S003', 'K8S004', 'K8S005', 'K8S006', 'K8S007', 'K8S008', 'CRD001', 'CRD002'],
    );
  });

  void it('a cluster with every kind of problem', async () => {
    const report = await check('blocked-1.31.json', '1.32');
    assert.deepEqual(pairs(report), [
      'EKS001:required',
      'EKS002:required',
      'EKS003:required',
      'EKS004:required',
      'EKS005:required',
      'EKS006:recommended',
      'EKS008:recommended',
      'EKS009:recommended',
      'EKS009:required',
      'EKS010:recommended',
      'K8S001:required',
      'K8S011:required',
      'UPG002:recommended',
      'UPG002:required',
      'UPG003:recommended',
    ]);
    const byResource = (code: string) =>
      report.findings
        .filter((f) => f.code === code)
        .map((f) => f.resource)
        .sort();
    assert.deepEqual(byResource('UPG002'), [
      'fargateprofile/batch',
      'node/ip-10-0-1-5.eu-west-1.compute.internal',
      'nodegroup/legacy-al2',
    ]);
    // kube-proxy runs on no version of both minors: the plan updates it after the nodes, which is no finding.
    assert.deepEqual(byResource('EKS005'), ['addon/vpc-cni']);
    assert.match(report.findings.find((f) => f.resource === 'addon/vpc-cni')?.message ?? '', /v1\.20\.4-eksbuild\.1/);
    assert.deepEqual(byResource('EKS009'), ['insight/a1b2-deprecated', 'insight/c3d4-skew']);
    // Required findings come first.
    const firstRecommended = report.findings.findIndex((f) => f.level === 'recommended');
    assert.ok(report.findings.slice(firstRecommended).every((f) => f.level === 'recommended'));
  });

  void it('AL2 node groups block a 1.33 target (required) and only warn for 1.32', async () => {
    const report = await check('al2-1.32.json', '1.33');
    assert.deepEqual(
      report.findings.map((f) => `${f.code}:${f.level}:${f.resource}`),
      ['EKS008:required:nodegroup/workers-al2'],
    );
    const snapshot = await loadSnapshotFile('test/fixtures/snapshots/al2-1.32.json');
    const earlier = runReadinessChecks({
      snapshot: parseClusterSnapshot({
        ...snapshot,
        cluster: { ...snapshot.cluster, version: '1.31' },
        nodeGroups: snapshot.nodeGroups?.map((g) => ({ ...g, version: '1.31' })),
      }),
      targetVersion: '1.32',
      now: NOW,
    });
    assert.deepEqual(
      earlier.findings.map((f) => `${f.code}:${f.level}`),
      ['EKS008:recommended'],
    );
  });

  void it('skipping minors, and a target EKS does not offer', async () => {
    const report = await check('healthy-1.30.json', '1.33');
    assert.deepEqual(
      pairs(report).filter((p) => p.startsWith('UPG')),
      ['UPG001:required', 'UPG004:required'],
    );
    assert.match(report.findings.find((f) => f.code === 'UPG001')?.message ?? '', /Upgrade to 1\.31 first/);
    const backwards = await check('healthy-1.30.json', '1.30');
    assert.ok(backwards.findings.some((f) => f.code === 'UPG001' && /not newer/.test(f.message)));
  });

  void it('support status: past the end of extended support is required; an unsupported target is refused', async () => {
    const report = await check('extended-ended-1.29.json', '1.30', { now: new Date('2026-04-01T00:00:00Z') });
    assert.deepEqual(pairs(report), ['UPG003:required', 'UPG004:required']);
    const before = await check('extended-ended-1.29.json', '1.30');
    assert.ok(
      before.findings.some(
        (f) => f.code === 'UPG003' && f.level === 'recommended' && /extended support/.test(f.message),
      ),
    );
  });

  void it('an add-on with an empty compatibility list for the target is unknown, not incompatible', () => {
    const report = runReadinessChecks({
      snapshot: parseClusterSnapshot({
        schemaVersion: 1,
        cluster: { name: 'c', version: '1.35' },
        addons: [
          {
            name: 'vpc-cni',
            version: 'v1.20.4-eksbuild.1',
            compatibleVersions: { '1.35': ['v1.20.4-eksbuild.1'], '1.36': [] },
          },
        ],
      }),
      targetVersion: '1.36',
      now: NOW,
    });
    assert.ok(!report.findings.some((f) => f.code === 'EKS005'));
    assert.ok(report.checksSkipped?.some((c) => c.code === 'EKS005'));
  });

  void it('a minimal snapshot runs only what it can and skips the rest', async () => {
    const report = await check('minimal.json', '1.32');
    assert.deepEqual(report.checksRun.sort(), ['EKS002', 'UPG001']);
    assert.deepEqual(report.findings, []);
    assert.ok(report.checksSkipped?.some((s) => s.code === 'EKS001' && /EC2/.test(s.reason)));
  });

  void it('workload checks over manifests', async () => {
    const report = await check('healthy-1.30.json', '1.31', { manifests: ['test/fixtures/manifests/workloads'] });
    assert.deepEqual(report.findings.map((f) => `${f.code}:${f.level}:${f.resource}`).sort(), [
      'K8S002:recommended:Deployment shop/checkout',
      'K8S003:recommended:Deployment shop/checkout',
      'K8S003:recommended:StatefulSet shop/ledger',
      'K8S004:recommended:Deployment shop/checkout',
      'K8S004:recommended:StatefulSet shop/ledger',
      'K8S005:recommended:StatefulSet shop/ledger',
      'K8S006:recommended:Deployment shop/checkout',
      'K8S007:required:StatefulSet shop/ledger',
      'K8S008:required:DaemonSet ci/build-agent',
    ]);
    assert.match(report.findings.find((f) => f.code === 'K8S002')?.message ?? '', /fragile\.yaml:3/);
  });

  void it('checks on the live cluster: nodes by kind, workloads, PDBs and CRDs from the Kubernetes API', async () => {
    const report = await check('live-1.30.json', '1.31');
    assert.deepEqual(report.findings.map((f) => `${f.code}:${f.level}:${f.resource}`).sort(), [
      'CRD001:recommended:CustomResourceDefinition/certificates.cert-manager.io',
      'CRD002:recommended:CustomResourceDefinition/certificates.cert-manager.io',
      'K8S002:recommended:Deployment batch/cron-runner',
      'K8S003:recommended:Deployment batch/cron-runner',
      'K8S004:recommended:Deployment batch/cron-runner',
      'K8S006:recommended:Deployment batch/cron-runner',
      'K8S007:required:StatefulSet shop/queue',
      'K8S008:required:DaemonSet kube-system/log-agent',
      'UPG002:recommended:node/ip-10-0-2-20.ec2.internal',
      'UPG002:recommended:node/ip-10-0-4-40.ec2.internal',
    ]);
    assert.match(report.findings.find((f) => f.code === 'K8S002')?.message ?? '', /live cluster/);
    assert.deepEqual(report.checksPartial ?? [], []);
  });

  void it('a forbidden list skips the checks that need it, with the RBAC rule, and makes others partial', async () => {
    const snapshot = await loadSnapshotFile('test/fixtures/snapshots/live-1.30.json');
    const denied = (group: string, resource: string) => ({
      group,
      resource,
      verb: 'list',
      message: `${resource} is forbidden: User "reader" cannot list resource "${resource}"`,
    });
    snapshot.kubernetesAccess = {
      via: 'test',
      denied: [denied('apps', 'statefulsets'), denied('', 'nodes')],
      unavailable: [],
    };
    snapshot.workloads = snapshot.workloads?.filter((w) => w.kind !== 'StatefulSet');
    const report = runReadinessChecks({ snapshot, targetVersion: '1.31', now: NOW });
    const skippedK8s007 = report.checksSkipped?.find((c) => c.code === 'K8S007');
    assert.match(skippedK8s007?.reason ?? '', /apiGroups: \[apps\], resources: \[statefulsets\], verbs: \[list\]/);
    assert.ok(!report.checksRun.includes('K8S007'));
    assert.deepEqual(report.checksPartial?.map((c) => c.code).sort(), [
      'K8S001',
      'K8S002',
      'K8S003',
      'K8S004',
      'K8S005',
      'K8S006',
      'K8S008',
      'UPG002',
    ]);
    assert.match(report.checksPartial?.find((c) => c.code === 'UPG002')?.reason ?? '', /resources: \[nodes\]/);
  });

  void it('an invalid snapshot names each bad field', async () => {
    await assert.rejects(
      loadSnapshotFile('test/fixtures/snapshots/invalid.json'),
      (e: Error) =>
        /cluster\.name/.test(e.message) &&
        /cluster\.version: expected a Kubernetes minor/.test(e.message) &&
        /nodeGroups\.0\.version/.test(e.message) &&
        /docs\/snapshot\.md/.test(e.message),
    );
    await assert.rejects(loadSnapshotFile('test/fixtures/snapshots/absent.json'), /cannot read the snapshot file/);
  });

  void it('every check code is produced by at least one fixture', async () => {
    const seen = new Set<string>();
    for (const [fixture, target, options] of FIXTURE_RUNS)
      for (const f of (await check(fixture, target, options)).findings) seen.add(f.code);
    assert.deepEqual([...seen].sort(), [...CHECK_CODES].sort());
  });
});
