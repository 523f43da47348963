// Node-group writes: UpdateNodegroupVersion (a minor up to the cluster's, an AMI release or a launch-template
// version; ⌈nodes ÷ maxUnavailable⌉ rounds; PodEvictionFailure after N nodes unless `force`) and UpdateNodegroupConfig.
import type { OperationInput, SimulatorContext } from './context';
import { invalidParameter, notFound } from './errors';
import type { NodegroupRecord, ResourceRef, SimCluster, Wire } from './model';
import { updateView } from './updates';
import { failureDetail, minorNumber, refuseWhenBusy, replayed, text } from './write-common';

function nodegroupOf(sim: SimCluster, name: string | undefined): NodegroupRecord {
  const group = sim.nodegroups.find((g) => g.nodegroupName === name);
  if (!group)
    throw notFound(`No node group found for name: ${name}.`, { clusterName: sim.cluster.name, nodegroupName: name });
  return group;
}

function maxUnavailableOf(group: NodegroupRecord, nodes: number): number {
  const config = group.updateConfig;
  if (config.maxUnavailable) return config.maxUnavailable;
  if (config.maxUnavailablePercentage) return Math.max(1, Math.floor((nodes * config.maxUnavailablePercentage) / 100));
  return 1;
}

export function UpdateNodegroupVersion(ctx: SimulatorContext, input: OperationInput): Wire {
  const sim = ctx.cluster(input.path.name);
  const name = sim.cluster.name;
  const group = nodegroupOf(sim, input.path.nodegroupName);
  const ng = group.nodegroupName;
  const body = input.body ?? {};
  const where = { clusterName: name, nodegroupName: ng };
  const force = body.force === true;
  const resource: ResourceRef = { kind: 'nodegroup', name: ng };
  const again = replayed(
    ctx.engine.replay(name, 'UpdateNodegroupVersion', resource, text(body.clientRequestToken), body),
  );
  if (again) return again;
  refuseWhenBusy(ctx, sim, resource, 'VersionUpdate');
  const template = body.launchTemplate as { id?: string; name?: string; version?: string } | undefined;
  const custom = group.amiType === 'CUSTOM';
  if (custom && (body.version !== undefined || body.releaseVersion !== undefined))
    throw invalidParameter(
      'You cannot specify the Kubernetes version or AMI release version of a node group whose launch template sets a custom AMI',
      where,
    );
  if (template) {
    if (!group.launchTemplate) throw invalidParameter(`Nodegroup ${ng} was not created with a launch template`, where);
    const same =
      (template.id && template.id === group.launchTemplate.id) ||
      (template.name && template.name === group.launchTemplate.name);
    if (!same)
      throw invalidParameter(
        `Nodegroup ${ng} must keep its launch template ${group.launchTemplate.id ?? group.launchTemplate.name}`,
        where,
      );
    if (!template.version) throw invalidParameter('launchTemplate.version is required', where);
  } else if (custom) {
    throw invalidParameter(`Nodegroup ${ng} has a custom AMI: give a launchTemplate version to update it`, where);
  }
  const templateKey = template ? `${template.id ?? template.name}:${template.version}` : undefined;
  const version = custom
    ? ((templateKey ? ctx.state.launchTemplateMinors[templateKey] : undefined) ?? group.version)
    : (text(body.version) ?? sim.cluster.version);
  const to = minorNumber(version);
  const clusterMinor = minorNumber(sim.cluster.version) ?? 0;
  const groupMinor = minorNumber(group.version) ?? 0;
  if (to === undefined) throw invalidParameter(`Requested Kubernetes version ${version} is invalid`, where);
  if (to > clusterMinor)
    throw invalidParameter(
      `Requested Kubernetes version ${version} is newer than the cluster's ${sim.cluster.version}`,
      where,
    );
  if (to < groupMinor && !ctx.switches.allowNodegroupDowngrade)
    throw invalidParameter(
      `Requested Kubernetes version ${version} is older than node group ${ng}'s ${group.version}: a node group cannot be downgraded`,
      where,
    );
  const releaseVersion = custom
    ? group.releaseVersion
    : body.releaseVersion !== undefined
      ? (text(body.releaseVersion) ?? '')
      : (ctx.state.latestReleaseVersions[version] ?? `${version}.0-20250601`);
  if (!custom && releaseVersion && minorNumber(releaseVersion) !== to)
    throw invalidParameter(`Release version ${releaseVersion} is not valid for Kubernetes version ${version}`, where);
  const templateChanges = template !== undefined && template.version !== group.launchTemplate?.version;
  if (version === group.version && releaseVersion === group.releaseVersion && !templateChanges)
    throw invalidParameter(
      `Nodegroup ${ng} is already at version ${version}${releaseVersion ? ` (release ${releaseVersion})` : ''}`,
      where,
    );

  const nodes = group.scalingConfig.desiredSize ?? sim.nodeNames.get(ng)?.length ?? 1;
  const maxUnavailable = maxUnavailableOf(group, nodes);
  const rounds = Math.max(1, Math.ceil(nodes / maxUnavailable));
  const durationMs = rounds * ctx.timing.perNodeMs;
  const failure = ctx.takeFailure('UpdateNodegroupVersion', ng, body);
  let scripted;
  if (failure) {
    const afterNodes = Math.min(failure.afterNodes ?? 0, nodes);
    const doneRounds = Math.ceil(afterNodes / maxUnavailable);
    const names = sim.nodeNames.get(ng) ?? [];
    const stuck = names.slice(afterNodes, afterNodes + maxUnavailable);
    const eviction = failure.errorCode === 'PodEvictionFailure';
    scripted = {
      afterMs: doneRounds * ctx.timing.perNodeMs + (eviction ? ctx.timing.evictionTimeoutMs : ctx.timing.perNodeMs),
      errors: failureDetail(
        failure,
        eviction
          ? `Reached max retries while trying to evict pods from nodes in node group ${ng}`
          : `Update of node group ${ng} failed`,
        eviction ? stuck : [],
      ),
    };
  }
  const update = ctx.engine.create({
    clusterName: name,
    resource,
    operation: 'UpdateNodegroupVersion',
    type: 'VersionUpdate',
    params: [
      { type: 'Version', value: version },
      { type: 'ReleaseVersion', value: releaseVersion },
      ...(template
        ? [
            { type: template.id ? 'LaunchTemplateId' : 'LaunchTemplateName', value: template.id ?? template.name },
            { type: 'LaunchTemplateVersion', value: template.version },
          ]
        : []),
    ],
    durationMs,
    statusLagMs: ctx.timing.statusLagMs,
    listLagMs: ctx.timing.listLagMs,
    body,
    force,
    ...(text(body.clientRequestToken) ? { clientRequestToken: text(body.clientRequestToken) } : {}),
    ...(scripted ? { failure: scripted } : {}),
    apply: () => {
      group.version = version;
      if (releaseVersion !== undefined) group.releaseVersion = releaseVersion;
      if (template && group.launchTemplate)
        group.launchTemplate = { ...group.launchTemplate, version: template.version };
    },
  });
  return { update: updateView(update) };
}

export function UpdateNodegroupConfig(ctx: SimulatorContext, input: OperationInput): Wire {
  const sim = ctx.cluster(input.path.name);
  const group = nodegroupOf(sim, input.path.nodegroupName);
  const ng = group.nodegroupName;
  const where = { clusterName: sim.cluster.name, nodegroupName: ng };
  const body = input.body ?? {};
  const resource: ResourceRef = { kind: 'nodegroup', name: ng };
  const again = replayed(
    ctx.engine.replay(sim.cluster.name, 'UpdateNodegroupConfig', resource, text(body.clientRequestToken), body),
  );
  if (again) return again;
  refuseWhenBusy(ctx, sim, resource, 'ConfigUpdate');
  const updateConfig = body.updateConfig as NodegroupRecord['updateConfig'] | undefined;
  const scaling = body.scalingConfig as NodegroupRecord['scalingConfig'] | undefined;
  if (updateConfig?.maxUnavailable !== undefined && updateConfig.maxUnavailablePercentage !== undefined)
    throw invalidParameter('Specify maxUnavailable or maxUnavailablePercentage, not both', where);
  for (const value of [updateConfig?.maxUnavailable, updateConfig?.maxUnavailablePercentage])
    if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value <= 100))
      throw invalidParameter(`maxUnavailable must be from 1 to 100, not ${value}`, where);
  const nextConfig = updateConfig
    ? {
        ...(updateConfig.maxUnavailable !== undefined || updateConfig.maxUnavailablePercentage !== undefined
          ? {}
          : {
              maxUnavailable: group.updateConfig.maxUnavailable,
              maxUnavailablePercentage: group.updateConfig.maxUnavailablePercentage,
            }),
        ...updateConfig,
        updateStrategy: updateConfig.updateStrategy ?? group.updateConfig.updateStrategy,
      }
    : group.updateConfig;
  const nextScaling = { ...group.scalingConfig, ...(scaling ?? {}) };
  const changes =
    JSON.stringify(nextConfig) !== JSON.stringify(group.updateConfig) ||
    JSON.stringify(nextScaling) !== JSON.stringify(group.scalingConfig) ||
    body.labels !== undefined ||
    body.taints !== undefined;
  if (!changes) throw invalidParameter(`No changes were specified for node group ${ng}`, where);
  const update = ctx.engine.create({
    clusterName: sim.cluster.name,
    resource,
    operation: 'UpdateNodegroupConfig',
    type: 'ConfigUpdate',
    params: [
      { type: 'MaxUnavailable', value: updateConfig?.maxUnavailable?.toString() },
      { type: 'MaxUnavailablePercentage', value: updateConfig?.maxUnavailablePercentage?.toString() },
      { type: 'UpdateStrategy', value: updateConfig?.updateStrategy },
      { type: 'MinSize', value: scaling?.minSize?.toString() },
      { type: 'MaxSize', value: scaling?.maxSize?.toString() },
      { type: 'DesiredSize', value: scaling?.desiredSize?.toString() },
    ],
    durationMs: ctx.timing.nodegroupConfigMs,
    statusLagMs: ctx.timing.statusLagMs,
    listLagMs: ctx.timing.listLagMs,
    body,
    force: false,
    ...(text(body.clientRequestToken) ? { clientRequestToken: text(body.clientRequestToken) } : {}),
    apply: () => {
      group.updateConfig = Object.fromEntries(Object.entries(nextConfig).filter(([, v]) => v !== undefined));
      group.scalingConfig = nextScaling;
    },
  });
  return { update: updateView(update) };
}
