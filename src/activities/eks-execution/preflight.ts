// The preflight before each stage: the cluster ACTIVE, no update running (listed and described: a resource's status
// flips to UPDATING only after a lag), and every planned resource at the version the plan assumes. Differences come
// back as drift for the operator, never as an exception; only a failure to read EKS is one.
import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  type EKSClient,
} from '@aws-sdk/client-eks';
import type { ExpectedNodegroup } from '../../domain/plan';
import { minorOf } from '../../domain/versions';
import type { DriftItem, PreflightInput, PreflightResult } from '../contracts';
import { toActivityFailure } from './errors';
import { listUpdates, type UpdateScope } from './updates';

const minorText = (version: string | undefined) => minorOf(version) ?? version ?? '?';

function nodegroupText(g: Partial<ExpectedNodegroup> | undefined): string {
  if (!g) return 'absent';
  return [
    g.version,
    g.releaseVersion,
    g.launchTemplateVersion ? `launch template v${g.launchTemplateVersion}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
}

function sameNodegroup(expected: ExpectedNodegroup, actual: ExpectedNodegroup): boolean {
  return (
    expected.version === actual.version &&
    (expected.releaseVersion === undefined || expected.releaseVersion === actual.releaseVersion) &&
    (expected.launchTemplateVersion === undefined || expected.launchTemplateVersion === actual.launchTemplateVersion)
  );
}

const notFound = (error: unknown) => (error as { name?: string }).name === 'ResourceNotFoundException';

export async function preflightCluster(eks: EKSClient, input: PreflightInput): Promise<PreflightResult> {
  const { clusterName } = input.target;
  const { expected, final } = input;
  const drift: DriftItem[] = [];
  const runningUpdates: PreflightResult['observed']['runningUpdates'] = [];
  try {
    const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
    const clusterVersion = minorText(cluster?.version);
    const clusterStatus = cluster?.status ?? 'UNKNOWN';
    if (clusterStatus !== 'ACTIVE')
      drift.push({
        resource: 'cluster',
        kind: 'status',
        expected: 'ACTIVE',
        actual: clusterStatus,
        message: `Cluster ${clusterName} is ${clusterStatus}, not ACTIVE.`,
      });
    if (clusterVersion !== expected.clusterVersion)
      drift.push({
        resource: 'cluster',
        kind: 'version',
        expected: expected.clusterVersion,
        actual: clusterVersion,
        message: `The control plane is on ${clusterVersion}; the plan expects ${expected.clusterVersion} here.`,
        ...(final && final.clusterVersion === clusterVersion ? { alreadyAtTarget: true } : {}),
      });

    const scopes: Array<{ resource: string; scope: UpdateScope }> = [
      { resource: 'cluster', scope: {} },
      ...Object.keys(expected.nodegroups).map((n) => ({ resource: `nodegroup/${n}`, scope: { nodegroupName: n } })),
      ...Object.keys(expected.addons).map((a) => ({ resource: `addon/${a}`, scope: { addonName: a } })),
    ];

    for (const [name, want] of Object.entries(expected.nodegroups)) {
      const resource = `nodegroup/${name}`;
      const group = await eks
        .send(new DescribeNodegroupCommand({ clusterName, nodegroupName: name }))
        .then((r) => r.nodegroup)
        .catch((error: unknown) => {
          if (notFound(error)) return undefined;
          throw error;
        });
      if (!group) {
        drift.push({
          resource,
          kind: 'missing',
          expected: nodegroupText(want),
          actual: 'absent',
          message: `Node group ${name} no longer exists.`,
        });
        continue;
      }
      const actual: ExpectedNodegroup = {
        version: minorText(group.version),
        ...(group.releaseVersion ? { releaseVersion: group.releaseVersion } : {}),
        ...(group.launchTemplate?.version ? { launchTemplateVersion: group.launchTemplate.version } : {}),
      };
      if (group.status !== 'ACTIVE')
        drift.push({
          resource,
          kind: 'status',
          expected: 'ACTIVE',
          actual: group.status ?? '?',
          message: `Node group ${name} is ${group.status ?? '?'}, not ACTIVE.`,
        });
      if (!sameNodegroup(want, actual)) {
        const target = final?.nodegroups[name];
        drift.push({
          resource,
          kind: 'version',
          expected: nodegroupText(want),
          actual: nodegroupText(actual),
          message: `Node group ${name} is ${nodegroupText(actual)}; the plan expects ${nodegroupText(want)} here.`,
          ...(target && sameNodegroup(target, actual) ? { alreadyAtTarget: true } : {}),
        });
      }
    }

    for (const [name, want] of Object.entries(expected.addons)) {
      const resource = `addon/${name}`;
      const addon = await eks
        .send(new DescribeAddonCommand({ clusterName, addonName: name }))
        .then((r) => r.addon)
        .catch((error: unknown) => {
          if (notFound(error)) return undefined;
          throw error;
        });
      if (!addon) {
        drift.push({
          resource,
          kind: 'missing',
          expected: want,
          actual: 'absent',
          message: `Add-on ${name} is no longer installed.`,
        });
        continue;
      }
      if (addon.status !== 'ACTIVE')
        drift.push({
          resource,
          kind: 'status',
          expected: 'ACTIVE',
          actual: addon.status ?? '?',
          message: `Add-on ${name} is ${addon.status ?? '?'}, not ACTIVE.`,
        });
      if (addon.addonVersion !== want)
        drift.push({
          resource,
          kind: 'version',
          expected: want,
          actual: addon.addonVersion ?? '?',
          message: `Add-on ${name} is ${addon.addonVersion ?? '?'}; the plan expects ${want} here.`,
          ...(final?.addons[name] === addon.addonVersion ? { alreadyAtTarget: true } : {}),
        });
    }

    for (const { resource, scope } of scopes) {
      for (const update of await listUpdates(eks, clusterName, scope)) {
        if (update.status !== 'InProgress' || !update.id) continue;
        runningUpdates.push({ resource, updateId: update.id, type: update.type ?? '?' });
        drift.push({
          resource,
          kind: 'update-in-progress',
          expected: 'no update running',
          actual: `${update.type ?? 'update'} ${update.id}`,
          message: `${resource} has update ${update.id} (${update.type ?? '?'}) in progress; wait for it to end.`,
        });
      }
    }
    return { ok: drift.length === 0, drift, observed: { clusterVersion, clusterStatus, runningUpdates } };
  } catch (error) {
    throw toActivityFailure(error, `preflight of ${clusterName}`);
  }
}
