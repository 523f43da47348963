// The EKS simulator's state machine through the real @aws-sdk/client-eks, on a stopped clock moved by advance():
// updates InProgress → Successful/Failed, UPDATING with lag, versions changing only on success, 409 while busy,
// idempotent tokens, 400 for the current version and jumps, scripted failures, rollback rules, wire faults.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  CancelUpdateCommand,
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeInsightsRefreshCommand,
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  EKSClient,
  ListUpdatesCommand,
  StartInsightsRefreshCommand,
  UpdateAddonCommand,
  UpdateClusterVersionCommand,
  UpdateNodegroupConfigCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { parseClusterSnapshot } from '../../src/domain/snapshot';
import {
  configurationConflict,
  FakeEks,
  fakeStateFromSnapshot,
  podEvictionFailure,
  ScaledClock,
  type EksSimulatorOptions,
} from '../fakes/eks-fake';

const CLUSTER = 'exec-east';
const MIN = 60_000;
const credentials = { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' };
const snapshot = () =>
  parseClusterSnapshot(JSON.parse(readFileSync('test/fixtures/snapshots/exec-1.31.json', 'utf8')) as unknown);

let fake: FakeEks;
let eks: EKSClient;
let clock: ScaledClock;

async function start(options: EksSimulatorOptions = {}, state = fakeStateFromSnapshot(snapshot())) {
  clock = new ScaledClock({ start: Date.parse('2026-07-01T00:00:00Z'), speed: 0 });
  fake = new FakeEks(state, { clock, timing: { statusLagMs: 5_000 }, ...options });
  eks = new EKSClient({ region: 'us-east-1', endpoint: await fake.start(), credentials, maxAttempts: 1 });
}

const status = async () => (await eks.send(new DescribeClusterCommand({ name: CLUSTER }))).cluster;
const nodegroup = async (nodegroupName: string) =>
  (await eks.send(new DescribeNodegroupCommand({ clusterName: CLUSTER, nodegroupName }))).nodegroup;
const rejects = (promise: Promise<unknown>, name: string, message?: RegExp) =>
  assert.rejects(promise, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });

async function upgradeControlPlane(version = '1.32') {
  const { update } = await eks.send(new UpdateClusterVersionCommand({ name: CLUSTER, version }));
  clock.advance(fake.sim.timing.controlPlaneMs);
  return update;
}

void describe('EKS simulator through the real SDK', () => {
  beforeEach(() => start());
  afterEach(async () => {
    eks.destroy();
    await fake.stop();
  });

  void it('a control-plane update: InProgress, UPDATING after the lag, the version only on success', async () => {
    const { update } = await eks.send(new UpdateClusterVersionCommand({ name: CLUSTER, version: '1.32' }));
    assert.equal(update?.status, 'InProgress');
    assert.equal(update?.type, 'VersionUpdate');
    assert.deepEqual(update?.params?.[0], { type: 'Version', value: '1.32' });
    assert.ok(update?.createdAt instanceof Date, 'epoch seconds on the wire become a Date');
    assert.equal((await status())?.status, 'ACTIVE', 'the status flips with a lag');
    clock.advance(5_000);
    assert.deepEqual([(await status())?.status, (await status())?.version], ['UPDATING', '1.31']);
    const { updateIds } = await eks.send(new ListUpdatesCommand({ name: CLUSTER }));
    assert.deepEqual(updateIds, [update?.id]);
    clock.advance(fake.sim.timing.controlPlaneMs);
    const done = await eks.send(new DescribeUpdateCommand({ name: CLUSTER, updateId: update?.id }));
    assert.equal(done.update?.status, 'Successful');
    assert.deepEqual([(await status())?.status, (await status())?.version], ['ACTIVE', '1.32']);
  });

  void it('409 while busy, across resources unless switched off; 400 for the current version and for jumps', async () => {
    const { update } = await eks.send(new UpdateClusterVersionCommand({ name: CLUSTER, version: '1.32' }));
    await rejects(
      eks.send(new UpdateClusterVersionCommand({ name: CLUSTER, version: '1.32' })),
      'ResourceInUseException',
      new RegExp(`Cannot VersionUpdate because cluster ${CLUSTER} currently has update ${update?.id} in progress`),
    );
    await rejects(
      eks.send(
        new UpdateAddonCommand({ clusterName: CLUSTER, addonName: 'coredns', addonVersion: 'v1.11.4-eksbuild.2' }),
      ),
      'ResourceInUseException',
    );
    clock.advance(fake.sim.timing.controlPlaneMs);
    await rejects(
      eks.send(new UpdateClusterVersionCommand({ name: CLUSTER, version: '1.33' })),
      'InvalidRequestException',
      /Nodegroup\(s\) general-al2023, batch-al2023 must be on Kubernetes version 1\.32/,
    );
    eks.destroy();
    await fake.stop();
    await start({ switches: { blockAcrossResources: false } });
    await eks.send(new UpdateClusterVersionCommand({ name: CLUSTER, version: '1.32' }));
    await eks.send(
      new UpdateAddonCommand({ clusterName: CLUSTER, addonName: 'coredns', addonVersion: 'v1.11.4-eksbuild.2' }),
    );
    clock.advance(fake.sim.timing.controlPlaneMs);
    await rejects(
      eks.send(new UpdateClusterVersionCommand({ name: CLUSTER, version: '1.34' })),
      'InvalidParameterException',
      /Unsupported Kubernetes minor version update from 1\.32 to 1\.34/,
    );
    await rejects(
      eks.send(new UpdateClusterVersionCommand({ name: CLUSTER, version: '1.32' })),
      'InvalidParameterException',
      /from 1\.32 to 1\.32/,
    );
    // One minor down right after an in-place upgrade, node groups still on 1.31: a rollback.
    const back = await eks.send(new UpdateClusterVersionCommand({ name: CLUSTER, version: '1.31' }));
    assert.equal(back.update?.type, 'VersionRollback');
  });

  void it('tokens: the same request returns the original update, other parameters are refused', async () => {
    const token = 'tok-0001';
    const first = await eks.send(
      new UpdateAddonCommand({
        clusterName: CLUSTER,
        addonName: 'vpc-cni',
        addonVersion: 'v1.19.2-eksbuild.1',
        clientRequestToken: token,
      }),
    );
    clock.advance(fake.sim.timing.addonMs);
    const again = await eks.send(
      new UpdateAddonCommand({
        clusterName: CLUSTER,
        addonName: 'vpc-cni',
        addonVersion: 'v1.19.2-eksbuild.1',
        clientRequestToken: token,
      }),
    );
    assert.equal(again.update?.id, first.update?.id);
    assert.equal(again.update?.status, 'Successful', 'the original update, as it is now');
    await rejects(
      eks.send(
        new UpdateAddonCommand({
          clusterName: CLUSTER,
          addonName: 'vpc-cni',
          addonVersion: 'v1.19.0-eksbuild.1',
          clientRequestToken: token,
        }),
      ),
      'InvalidParameterException',
      /already used .* with different parameters/,
    );
    assert.equal(fake.sim.updates({ kind: 'addon', name: 'vpc-cni' }).length, 1);
    assert.equal(fake.requests.filter((r) => r.operation === 'UpdateAddon' && r.created).length, 1);
  });

  void it('node groups take ⌈nodes ÷ maxUnavailable⌉ rounds; their updates are listed and described per group', async () => {
    await upgradeControlPlane();
    const { update } = await eks.send(
      new UpdateNodegroupVersionCommand({ clusterName: CLUSTER, nodegroupName: 'general-al2023', version: '1.32' }),
    );
    assert.deepEqual(
      update?.params?.map((p) => p.type),
      ['Version', 'ReleaseVersion'],
    );
    clock.advance(2 * fake.sim.timing.perNodeMs);
    assert.equal((await nodegroup('general-al2023'))?.status, 'UPDATING');
    assert.equal((await nodegroup('general-al2023'))?.version, '1.31');
    clock.advance(fake.sim.timing.perNodeMs);
    assert.equal((await nodegroup('general-al2023'))?.version, '1.32', '3 nodes, 1 at a time: 3 rounds');
    await rejects(
      eks.send(new DescribeUpdateCommand({ name: CLUSTER, updateId: update?.id })),
      'ResourceNotFoundException',
    );
    const scoped = await eks.send(
      new DescribeUpdateCommand({ name: CLUSTER, updateId: update?.id, nodegroupName: 'general-al2023' }),
    );
    assert.equal(scoped.update?.status, 'Successful');
    assert.equal(
      (await eks.send(new ListUpdatesCommand({ name: CLUSTER }))).updateIds?.length,
      1,
      'unfiltered: the cluster only',
    );
    assert.deepEqual(
      (await eks.send(new ListUpdatesCommand({ name: CLUSTER, nodegroupName: 'general-al2023' }))).updateIds,
      [update?.id],
    );
    await rejects(
      eks.send(
        new UpdateNodegroupVersionCommand({ clusterName: CLUSTER, nodegroupName: 'general-al2023', version: '1.32' }),
      ),
      'InvalidParameterException',
      /already at version 1\.32/,
    );

    const config = await eks.send(
      new UpdateNodegroupConfigCommand({
        clusterName: CLUSTER,
        nodegroupName: 'batch-al2023',
        updateConfig: { maxUnavailable: 2 },
      }),
    );
    assert.equal(config.update?.type, 'ConfigUpdate');
    clock.advance(fake.sim.timing.nodegroupConfigMs);
    assert.deepEqual((await nodegroup('batch-al2023'))?.updateConfig, { maxUnavailable: 2 });
    await eks.send(new UpdateNodegroupVersionCommand({ clusterName: CLUSTER, nodegroupName: 'batch-al2023' }));
    clock.advance(fake.sim.timing.perNodeMs);
    assert.equal(
      (await nodegroup('batch-al2023'))?.version,
      '1.32',
      "2 nodes, 2 at a time: one round; no version = the cluster's",
    );
  });

  void it('PodEvictionFailure after N nodes names the stuck node; the version stays; a force update succeeds', async () => {
    await upgradeControlPlane();
    fake.sim.scriptFailure(podEvictionFailure('general-al2023', 1));
    const { update } = await eks.send(
      new UpdateNodegroupVersionCommand({ clusterName: CLUSTER, nodegroupName: 'general-al2023', version: '1.32' }),
    );
    clock.advance(fake.sim.timing.perNodeMs + fake.sim.timing.evictionTimeoutMs);
    const failed = await eks.send(
      new DescribeUpdateCommand({ name: CLUSTER, updateId: update?.id, nodegroupName: 'general-al2023' }),
    );
    assert.equal(failed.update?.status, 'Failed');
    assert.deepEqual(failed.update?.errors, [
      {
        errorCode: 'PodEvictionFailure',
        errorMessage: 'Reached max retries while trying to evict pods from nodes in node group general-al2023',
        resourceIds: ['ip-10-0-7-42.ec2.internal'],
      },
    ]);
    assert.deepEqual(
      [(await nodegroup('general-al2023'))?.status, (await nodegroup('general-al2023'))?.version],
      ['ACTIVE', '1.31'],
    );
    fake.sim.scriptFailure(podEvictionFailure('general-al2023', 1));
    const forced = await eks.send(
      new UpdateNodegroupVersionCommand({
        clusterName: CLUSTER,
        nodegroupName: 'general-al2023',
        version: '1.32',
        force: true,
      }),
    );
    clock.advance(3 * fake.sim.timing.perNodeMs);
    const done = await eks.send(
      new DescribeUpdateCommand({ name: CLUSTER, updateId: forced.update?.id, nodegroupName: 'general-al2023' }),
    );
    assert.equal(done.update?.status, 'Successful');
  });

  void it('add-ons: unknown versions, VPC CNI one minor at a time, ConfigurationConflict under NONE', async () => {
    await rejects(
      eks.send(
        new UpdateAddonCommand({ clusterName: CLUSTER, addonName: 'vpc-cni', addonVersion: 'v9.9.9-eksbuild.1' }),
      ),
      'InvalidParameterException',
      /Addon version specified is not supported/,
    );
    // A catalogue entry two minors up from the installed v1.19.0.
    const vpcCni = fake.sim.state.addonCatalogue.find((a) => a.addonName === 'vpc-cni');
    (vpcCni?.addonVersions as unknown[]).push({
      addonVersion: 'v1.21.0-eksbuild.1',
      compatibilities: [{ clusterVersion: '1.31' }],
    });
    await rejects(
      eks.send(
        new UpdateAddonCommand({ clusterName: CLUSTER, addonName: 'vpc-cni', addonVersion: 'v1.21.0-eksbuild.1' }),
      ),
      'InvalidParameterException',
      /only go up or down 1 minor version at a time/,
    );
    fake.sim.scriptFailure(configurationConflict('coredns'));
    const { update } = await eks.send(
      new UpdateAddonCommand({
        clusterName: CLUSTER,
        addonName: 'coredns',
        addonVersion: 'v1.11.4-eksbuild.2',
        resolveConflicts: 'NONE',
      }),
    );
    clock.advance(fake.sim.timing.addonMs);
    const failed = await eks.send(
      new DescribeUpdateCommand({ name: CLUSTER, updateId: update?.id, addonName: 'coredns' }),
    );
    assert.equal(failed.update?.errors?.[0]?.errorCode, 'ConfigurationConflict');
    const addon = (await eks.send(new DescribeAddonCommand({ clusterName: CLUSTER, addonName: 'coredns' }))).addon;
    assert.deepEqual([addon?.status, addon?.addonVersion], ['UPDATE_FAILED', 'v1.11.3-eksbuild.2']);
    await eks.send(
      new UpdateAddonCommand({
        clusterName: CLUSTER,
        addonName: 'coredns',
        addonVersion: 'v1.11.4-eksbuild.2',
        resolveConflicts: 'OVERWRITE',
      }),
    );
    clock.advance(fake.sim.timing.addonMs);
    const fixed = (await eks.send(new DescribeAddonCommand({ clusterName: CLUSTER, addonName: 'coredns' }))).addon;
    assert.deepEqual([fixed?.status, fixed?.addonVersion], ['ACTIVE', 'v1.11.4-eksbuild.2']);
  });

  void it('VersionRollback: within 7 days, node groups first, insights enforced without force; refused later', async () => {
    eks.destroy();
    await fake.stop();
    await start({ switches: { enforceInsights: true, allowNodegroupDowngrade: true } });
    await upgradeControlPlane();
    for (const ng of ['general-al2023', 'batch-al2023'])
      await eks.send(new UpdateNodegroupVersionCommand({ clusterName: CLUSTER, nodegroupName: ng, version: '1.32' }));
    clock.advance(3 * fake.sim.timing.perNodeMs);
    await rejects(
      eks.send(new UpdateClusterVersionCommand({ name: CLUSTER, version: '1.31' })),
      'InvalidRequestException',
      /must be on Kubernetes version 1\.31 or earlier/,
    );
    for (const ng of ['general-al2023', 'batch-al2023'])
      await eks.send(new UpdateNodegroupVersionCommand({ clusterName: CLUSTER, nodegroupName: ng, version: '1.31' }));
    clock.advance(3 * fake.sim.timing.perNodeMs);
    fake.sim.setInsightStatus(CLUSTER, 'rbk-skew-1-31', 'UNKNOWN');
    await rejects(
      eks.send(new UpdateClusterVersionCommand({ name: CLUSTER, version: '1.31' })),
      'InvalidStateException',
      /ROLLBACK_READINESS.*UNKNOWN.*force/,
    );
    const { update } = await eks.send(new UpdateClusterVersionCommand({ name: CLUSTER, version: '1.31', force: true }));
    assert.equal(update?.type, 'VersionRollback');
    await rejects(
      eks.send(new CancelUpdateCommand({ name: CLUSTER, updateId: update?.id })),
      'InvalidRequestException',
      /only the node phase of a VersionRollback on an EKS Auto Mode cluster/,
    );
    clock.advance(fake.sim.timing.controlPlaneMs);
    assert.equal((await status())?.version, '1.31');

    // Eight days after an upgrade the window is closed.
    eks.destroy();
    await fake.stop();
    await start({ switches: { allowNodegroupDowngrade: true } });
    await upgradeControlPlane();
    clock.advance(8 * 86_400_000);
    await rejects(
      eks.send(new UpdateClusterVersionCommand({ name: CLUSTER, version: '1.31' })),
      'InvalidRequestException',
      /only within 7 days/,
    );
  });

  void it('Auto Mode rollback: the node phase can be cancelled; insights refresh runs and completes', async () => {
    await upgradeControlPlane();
    const cluster = fake.sim.cluster(CLUSTER);
    cluster.cluster.computeConfig = { enabled: true };
    for (const g of cluster.nodegroups) g.version = '1.31';
    const { update } = await eks.send(new UpdateClusterVersionCommand({ name: CLUSTER, version: '1.31' }));
    clock.advance(MIN);
    assert.equal((await status())?.status, 'ACTIVE', 'nodes drift first; the cluster stays ACTIVE');
    const cancelled = await eks.send(new CancelUpdateCommand({ name: CLUSTER, updateId: update?.id }));
    assert.equal(cancelled.update?.cancellation?.status, 'InProgress');
    clock.advance(fake.sim.timing.cancelMs);
    const after = await eks.send(new DescribeUpdateCommand({ name: CLUSTER, updateId: update?.id }));
    assert.deepEqual([after.update?.status, after.update?.cancellation?.status], ['Cancelled', 'Successful']);
    assert.equal((await status())?.version, '1.32');

    assert.equal((await eks.send(new StartInsightsRefreshCommand({ clusterName: CLUSTER }))).status, 'IN_PROGRESS');
    assert.equal((await eks.send(new DescribeInsightsRefreshCommand({ clusterName: CLUSTER }))).status, 'IN_PROGRESS');
    clock.advance(fake.sim.timing.insightsRefreshMs);
    const refreshed = await eks.send(new DescribeInsightsRefreshCommand({ clusterName: CLUSTER }));
    assert.equal(refreshed.status, 'COMPLETED');
    assert.ok(refreshed.endedAt instanceof Date);
  });

  void it('wire faults: throttles and 5xx by operation and call, a lost 200 applies the change, the token recovers it', async () => {
    fake.injectFault({ operation: 'DescribeCluster', kind: 'throttle', after: 1 });
    await status();
    await rejects(status(), 'ThrottlingException', /Rate exceeded/);
    fake.injectFault({ operation: 'DescribeCluster', kind: 'unavailable' });
    await assert.rejects(
      status(),
      (e: Error & { $metadata: { httpStatusCode: number } }) => e.$metadata.httpStatusCode === 503,
    );
    fake.injectFault({ operation: 'UpdateClusterVersion', kind: 'lost-200' });
    const request = { name: CLUSTER, version: '1.32', clientRequestToken: 'tok-lost' };
    await assert.rejects(
      eks.send(new UpdateClusterVersionCommand(request)),
      (e: Error) => !('$metadata' in e && (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode),
    );
    assert.equal(fake.sim.updates({ kind: 'cluster' }).length, 1, 'the change was made although the answer was lost');
    const again = await eks.send(new UpdateClusterVersionCommand(request));
    assert.equal(again.update?.id, fake.sim.updates({ kind: 'cluster' })[0]?.id);
    assert.equal(fake.sim.updates({ kind: 'cluster' }).length, 1);
    const lost = fake.requests.find((r) => r.fault === 'lost-200');
    assert.deepEqual([lost?.status, lost?.created], [0, true]);
  });
});
