// Add-on writes: UpdateAddon to a version DescribeAddonVersions lists for the cluster's minor (going down, for the
// previous minor too), VPC CNI one minor at a time, ConfigurationConflict scriptable under resolveConflicts NONE.
import { compareAddonVersions } from '../../domain/plan/addon-versions';
import type { OperationInput, SimulatorContext } from './context';
import { invalidParameter, notFound } from './errors';
import type { ResourceRef, Wire } from './model';
import { updateView } from './updates';
import { failureDetail, minorNumber, refuseWhenBusy, replayed, text } from './write-common';

function addonSupported(ctx: SimulatorContext, addonName: string, version: string, minors: string[]): boolean {
  const info = ctx.state.addonCatalogue.find((a) => a.addonName === addonName);
  const versions = (info?.addonVersions ?? []) as Array<{
    addonVersion?: string;
    compatibilities?: Array<{ clusterVersion?: string }>;
  }>;
  return versions.some(
    (v) =>
      v.addonVersion === version && (v.compatibilities ?? []).some((c) => minors.includes(String(c.clusterVersion))),
  );
}

function addonMinorDistance(a: string, b: string): number {
  const minor = (v: string) => Number(/^v?\d+\.(\d+)/.exec(v)?.[1] ?? NaN);
  return Math.abs(minor(a) - minor(b));
}

export function UpdateAddon(ctx: SimulatorContext, input: OperationInput): Wire {
  const sim = ctx.cluster(input.path.name);
  const name = sim.cluster.name;
  const addon = sim.addons.find((a) => a.addonName === input.path.addonName);
  if (!addon)
    throw notFound(`No addon: ${input.path.addonName} found in cluster: ${name}`, {
      clusterName: name,
      addonName: input.path.addonName,
    });
  const where = { clusterName: name, addonName: addon.addonName };
  const body = input.body ?? {};
  const resource: ResourceRef = { kind: 'addon', name: addon.addonName };
  const again = replayed(ctx.engine.replay(name, 'UpdateAddon', resource, text(body.clientRequestToken), body));
  if (again) return again;
  refuseWhenBusy(ctx, sim, resource, 'AddonUpdate');
  const version = text(body.addonVersion) ?? addon.addonVersion;
  const clusterMinor = sim.cluster.version;
  const previous = `1.${(minorNumber(clusterMinor) ?? 1) - 1}`;
  // Going down (rolling back before a control-plane rollback), a version for the previous minor is accepted too.
  const minors = compareAddonVersions(version, addon.addonVersion) < 0 ? [clusterMinor, previous] : [clusterMinor];
  if (!addonSupported(ctx, addon.addonName, version, minors))
    throw invalidParameter('Addon version specified is not supported', where);
  if (addon.addonName === 'vpc-cni' && addonMinorDistance(version, addon.addonVersion) > 1)
    throw invalidParameter('Updating VPC-CNI can only go up or down 1 minor version at a time', where);
  const otherChange =
    body.configurationValues !== undefined ||
    body.serviceAccountRoleArn !== undefined ||
    body.podIdentityAssociations !== undefined;
  if (version === addon.addonVersion && !otherChange)
    throw invalidParameter(`Addon ${addon.addonName} is already at version ${version}`, where);
  const failure = ctx.takeFailure('UpdateAddon', addon.addonName, body);
  const update = ctx.engine.create({
    clusterName: name,
    resource,
    operation: 'UpdateAddon',
    type: 'AddonUpdate',
    params: [
      { type: 'AddonVersion', value: version },
      { type: 'ResolveConflicts', value: body.resolveConflicts as string | undefined },
      { type: 'ConfigurationValues', value: body.configurationValues as string | undefined },
      { type: 'ServiceAccountRoleArn', value: body.serviceAccountRoleArn as string | undefined },
    ],
    durationMs: ctx.timing.addonMs,
    statusLagMs: ctx.timing.statusLagMs,
    listLagMs: ctx.timing.listLagMs,
    body,
    force: false,
    ...(text(body.clientRequestToken) ? { clientRequestToken: text(body.clientRequestToken) } : {}),
    ...(failure
      ? {
          failure: {
            afterMs: ctx.timing.addonMs,
            errors: failureDetail(failure, `Update of add-on ${addon.addonName} failed`, []),
            onFail: () => {
              if (failure.addonStatus) addon.status = failure.addonStatus;
            },
          },
        }
      : {}),
    apply: () => {
      addon.addonVersion = version;
      addon.status = 'ACTIVE';
      if (body.configurationValues !== undefined) addon.configurationValues = body.configurationValues;
    },
  });
  return { update: updateView(update) };
}
