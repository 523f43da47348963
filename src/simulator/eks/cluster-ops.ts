// Control-plane writes: UpdateClusterVersion (VersionUpdate one minor up; VersionRollback one minor down within 7
// days of an in-place upgrade, the node groups first), CancelUpdate (only an Auto Mode rollback's node phase) and
// StartInsightsRefresh.
import type { OperationInput, SimulatorContext } from './context';
import { invalidParameter, invalidRequest, invalidState, notFound } from './errors';
import type { Wire } from './model';
import { updateView } from './updates';
import { failureDetail, minorNumber, refuseWhenBusy, replayed, text } from './write-common';

const ROLLBACK_WINDOW_MS = 7 * 86_400_000;

export function UpdateClusterVersion(ctx: SimulatorContext, input: OperationInput): Wire {
  const sim = ctx.cluster(input.path.name);
  const name = sim.cluster.name;
  const body = input.body ?? {};
  const version = text(body.version) ?? '';
  const force = body.force === true;
  const again = replayed(
    ctx.engine.replay(name, 'UpdateClusterVersion', { kind: 'cluster' }, text(body.clientRequestToken), body),
  );
  if (again) return again;
  const current = sim.cluster.version;
  const to = minorNumber(version);
  const from = minorNumber(current) ?? 0;
  const type = to !== undefined && to < from ? 'VersionRollback' : 'VersionUpdate';
  refuseWhenBusy(ctx, sim, { kind: 'cluster' }, type);
  if (to === undefined || !/^\d+\.\d+$/.test(version))
    throw invalidParameter('unsupported Kubernetes version', { clusterName: name });
  if (to !== from + 1 && to !== from - 1)
    throw invalidParameter(`Unsupported Kubernetes minor version update from ${current} to ${version}`, {
      clusterName: name,
    });
  const now = ctx.clock.now();
  if (type === 'VersionRollback') {
    const last = sim.lastUpgrade;
    if (!last || last.toVersion !== current || last.fromVersion !== version)
      throw invalidRequest(
        `Cluster ${name} cannot be rolled back to ${version}: it did not reach ${current} by an in-place upgrade from ${version}`,
        { clusterName: name },
      );
    if (now - last.endedAt > ROLLBACK_WINDOW_MS)
      throw invalidRequest(
        `Cluster ${name} can be rolled back only within 7 days of its upgrade to ${current}, which ended ${new Date(last.endedAt).toISOString()}`,
        { clusterName: name },
      );
  }
  const misplaced = sim.nodegroups.filter((g) =>
    type === 'VersionUpdate' ? (minorNumber(g.version) ?? 0) < from : (minorNumber(g.version) ?? 0) > to,
  );
  if (misplaced.length > 0)
    throw invalidRequest(
      type === 'VersionUpdate'
        ? `Nodegroup(s) ${misplaced.map((g) => g.nodegroupName).join(', ')} must be on Kubernetes version ${current} before the cluster can be updated to ${version}`
        : `Nodegroup(s) ${misplaced.map((g) => g.nodegroupName).join(', ')} must be on Kubernetes version ${version} or earlier before the cluster can be rolled back to ${version}`,
      { clusterName: name },
    );
  if (ctx.switches.enforceInsights && !force) {
    const category = type === 'VersionRollback' ? 'ROLLBACK_READINESS' : 'UPGRADE_READINESS';
    const blocking = sim.insights.filter(
      (i) =>
        i.category === category &&
        (type === 'VersionRollback' ? ['ERROR', 'UNKNOWN'] : ['ERROR']).includes(i.insightStatus.status) &&
        (i.kubernetesVersion === undefined || i.kubernetesVersion === version),
    );
    if (blocking.length > 0)
      throw invalidState(
        `Cluster ${name} has ${category} insights that block this update: ${blocking.map((i) => `${i.name} (${i.insightStatus.status})`).join('; ')}. Resolve them, or retry with force to override the insight checks.`,
        { clusterName: name },
      );
  }
  const platformVersion =
    text(ctx.state.clusterVersions.find((v) => v.clusterVersion === version)?.defaultPlatformVersion) ?? 'eks.1';
  const failure = ctx.takeFailure('UpdateClusterVersion', name, body);
  const autoModeRollback = type === 'VersionRollback' && sim.cluster.computeConfig?.enabled === true;
  const nodePhaseMs = autoModeRollback ? ctx.timing.autoModeNodePhaseMs : undefined;
  const durationMs = ctx.timing.controlPlaneMs + (nodePhaseMs ?? 0);
  const update = ctx.engine.create({
    clusterName: name,
    resource: { kind: 'cluster' },
    operation: 'UpdateClusterVersion',
    type,
    params: [
      { type: 'Version', value: version },
      { type: 'PlatformVersion', value: platformVersion },
    ],
    durationMs,
    statusLagMs: ctx.timing.statusLagMs,
    listLagMs: ctx.timing.listLagMs,
    body,
    force,
    ...(nodePhaseMs !== undefined ? { nodePhaseMs } : {}),
    ...(text(body.clientRequestToken) ? { clientRequestToken: text(body.clientRequestToken) } : {}),
    ...(failure
      ? {
          failure: { afterMs: durationMs, errors: failureDetail(failure, `The ${type} of cluster ${name} failed`, []) },
        }
      : {}),
    apply: (endedAt) => {
      sim.cluster.version = version;
      sim.cluster.platformVersion = platformVersion;
      if (type === 'VersionUpdate') sim.lastUpgrade = { fromVersion: current, toVersion: version, endedAt };
      else delete sim.lastUpgrade;
    },
  });
  return { update: updateView(update) };
}
export function CancelUpdate(ctx: SimulatorContext, input: OperationInput): Wire {
  const sim = ctx.cluster(input.path.name);
  const update = ctx.engine.find(sim.cluster.name, input.path.updateId ?? '');
  if (!update || update.resource.kind !== 'cluster')
    throw notFound(`No update found for ID: ${input.path.updateId}`, { clusterName: sim.cluster.name });
  const now = ctx.clock.now();
  if (update.status !== 'InProgress')
    throw invalidRequest(`Update ${update.id} is ${update.status} and cannot be cancelled`, {
      clusterName: sim.cluster.name,
    });
  if (update.type !== 'VersionRollback' || update.nodePhaseEndsAt === undefined || now >= update.nodePhaseEndsAt)
    throw invalidRequest(
      `Update ${update.id} cannot be cancelled: only the node phase of a VersionRollback on an EKS Auto Mode cluster can be`,
      { clusterName: sim.cluster.name },
    );
  if (!update.cancellation)
    update.cancellation = {
      status: 'InProgress',
      reason: 'Cancellation requested by the user',
      endsAt: now + ctx.timing.cancelMs,
    };
  return { update: updateView(update) };
}

export function StartInsightsRefresh(ctx: SimulatorContext, input: OperationInput): Wire {
  const sim = ctx.cluster(input.path.name);
  const now = ctx.clock.now();
  const running =
    sim.insightsRefresh && sim.insightsRefresh.status === 'IN_PROGRESS' && now < sim.insightsRefresh.endsAt;
  if (!running) {
    sim.insightsRefresh = { startedAt: now, endsAt: now + ctx.timing.insightsRefreshMs, status: 'IN_PROGRESS' };
    for (const insight of sim.insights) insight.lastRefreshTime = (now + ctx.timing.insightsRefreshMs) / 1000;
  }
  return {
    message: running ? 'An insights refresh is already in progress' : 'Insights refresh started',
    status: 'IN_PROGRESS',
  };
}
