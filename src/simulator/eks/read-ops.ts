// The read operations: describe and list clusters' parts, add-on versions, cluster versions, insights and updates,
// paginated with nextToken/maxResults like EKS. Resource statuses are derived from the running updates.
import { notFound } from './errors';
import type { SimCluster, Wire } from './model';
import type { OperationInput, SimulatorContext } from './context';
import { updateView } from './updates';

function page<T>(
  ctx: SimulatorContext,
  items: T[],
  maxResults: unknown,
  nextToken: unknown,
): { items: T[]; nextToken?: string } {
  const limit = ctx.pageSize ?? 100;
  const size = Math.min(Number(maxResults ?? limit) || 100, limit);
  const start = typeof nextToken === 'string' && nextToken !== '' ? Number(nextToken) : 0;
  if (!Number.isInteger(start) || start < 0 || start > items.length)
    throw new Error(`invalid nextToken ${String(nextToken)}`);
  const end = start + size;
  return { items: items.slice(start, end), nextToken: end < items.length ? String(end) : undefined };
}

const q = (input: OperationInput, name: string) => input.query[name]?.[0];

export function clusterView(ctx: SimulatorContext, sim: SimCluster): Wire {
  return { ...sim.cluster, status: ctx.engine.statusOf(sim.cluster.name, { kind: 'cluster' }, sim.cluster.status) };
}

function nodegroup(ctx: SimulatorContext, sim: SimCluster, name: string | undefined) {
  const group = sim.nodegroups.find((g) => g.nodegroupName === name);
  if (!group)
    throw notFound(`No node group found for name: ${name}.`, { clusterName: sim.cluster.name, nodegroupName: name });
  return group;
}

function addon(sim: SimCluster, name: string | undefined) {
  const found = sim.addons.find((a) => a.addonName === name);
  if (!found)
    throw notFound(`No addon: ${name} found in cluster: ${sim.cluster.name}`, {
      clusterName: sim.cluster.name,
      addonName: name,
    });
  return found;
}

export const readOperations: Record<string, (ctx: SimulatorContext, input: OperationInput) => Wire> = {
  DescribeCluster: (ctx, input) => ({ cluster: clusterView(ctx, ctx.cluster(input.path.name)) }),

  ListNodegroups: (ctx, input) => {
    const { items, nextToken } = page(
      ctx,
      ctx.cluster(input.path.name).nodegroups.map((g) => g.nodegroupName),
      q(input, 'maxResults'),
      q(input, 'nextToken'),
    );
    return { nodegroups: items, nextToken };
  },
  DescribeNodegroup: (ctx, input) => {
    const sim = ctx.cluster(input.path.name);
    const group = nodegroup(ctx, sim, input.path.nodegroupName);
    return {
      nodegroup: {
        ...group,
        status: ctx.engine.statusOf(sim.cluster.name, { kind: 'nodegroup', name: group.nodegroupName }, group.status),
      },
    };
  },

  ListFargateProfiles: (ctx, input) => {
    const names = ctx.cluster(input.path.name).fargateProfiles.map((p) => p.fargateProfileName);
    const { items, nextToken } = page(ctx, names, q(input, 'maxResults'), q(input, 'nextToken'));
    return { fargateProfileNames: items, nextToken };
  },
  DescribeFargateProfile: (ctx, input) => {
    const sim = ctx.cluster(input.path.name);
    const profile = sim.fargateProfiles.find((p) => p.fargateProfileName === input.path.fargateProfileName);
    if (!profile)
      throw notFound(`No Fargate Profile found with name: ${input.path.fargateProfileName}.`, {
        clusterName: sim.cluster.name,
      });
    return { fargateProfile: profile };
  },

  ListAddons: (ctx, input) => {
    const { items, nextToken } = page(
      ctx,
      ctx.cluster(input.path.name).addons.map((a) => a.addonName),
      q(input, 'maxResults'),
      q(input, 'nextToken'),
    );
    return { addons: items, nextToken };
  },
  DescribeAddon: (ctx, input) => {
    const sim = ctx.cluster(input.path.name);
    const found = addon(sim, input.path.addonName);
    return {
      addon: {
        ...found,
        status: ctx.engine.statusOf(sim.cluster.name, { kind: 'addon', name: found.addonName }, found.status),
      },
    };
  },

  DescribeAddonVersions: (ctx, input) => {
    const minor = q(input, 'kubernetesVersion');
    const name = q(input, 'addonName');
    const list = ctx.state.addonCatalogue
      .filter((a) => !name || a.addonName === name)
      .map((a) => ({
        ...a,
        addonVersions: (a.addonVersions as Wire[]).filter(
          (v) => !minor || (v.compatibilities as Wire[]).some((c) => c.clusterVersion === minor),
        ),
      }));
    const { items, nextToken } = page(ctx, list, q(input, 'maxResults'), q(input, 'nextToken'));
    return { addons: items, nextToken };
  },

  DescribeClusterVersions: (ctx, input) => {
    const wanted = input.query.clusterVersions;
    const list = ctx.state.clusterVersions.filter((v) => !wanted || wanted.includes(String(v.clusterVersion)));
    const { items, nextToken } = page(ctx, list, q(input, 'maxResults'), q(input, 'nextToken'));
    return { clusterVersions: items, nextToken };
  },

  ListInsights: (ctx, input) => {
    const body = input.body ?? {};
    const filter = (body.filter ?? {}) as { categories?: string[]; statuses?: string[]; kubernetesVersions?: string[] };
    const list = ctx
      .cluster(input.path.name)
      .insights.filter(
        (i) =>
          (!filter.categories || filter.categories.includes(String(i.category))) &&
          (!filter.statuses || filter.statuses.includes(i.insightStatus.status)) &&
          (!filter.kubernetesVersions || filter.kubernetesVersions.includes(String(i.kubernetesVersion))),
      );
    const { items, nextToken } = page(
      ctx,
      list.map(
        ({ recommendation: _r, additionalInfo: _a, resources: _res, categorySpecificSummary: _c, ...summary }) =>
          summary,
      ),
      body.maxResults,
      body.nextToken,
    );
    return { insights: items, nextToken };
  },
  DescribeInsight: (ctx, input) => {
    const insight = ctx.cluster(input.path.name).insights.find((i) => i.id === input.path.id);
    if (!insight) throw notFound(`No insight found with id: ${input.path.id}`);
    return { insight };
  },
  DescribeInsightsRefresh: (ctx, input) => {
    const sim = ctx.cluster(input.path.name);
    const refresh = sim.insightsRefresh;
    if (!refresh)
      throw notFound(`No insights refresh found for cluster ${sim.cluster.name}`, { clusterName: sim.cluster.name });
    const done = ctx.clock.now() >= refresh.endsAt;
    if (done && refresh.status === 'IN_PROGRESS') refresh.status = 'COMPLETED';
    return {
      message: done ? 'Insights refresh completed' : 'Insights refresh in progress',
      status: refresh.status,
      startedAt: refresh.startedAt / 1000,
      ...(done ? { endedAt: refresh.endsAt / 1000 } : {}),
    };
  },

  ListUpdates: (ctx, input) => {
    const sim = ctx.cluster(input.path.name);
    const nodegroupName = q(input, 'nodegroupName');
    const addonName = q(input, 'addonName');
    const now = ctx.clock.now();
    // Per resource: a node group's or an add-on's updates; unfiltered: the cluster's own updates only.
    const ids = ctx.engine.all
      .filter((u) => u.clusterName === sim.cluster.name && u.listedFrom <= now)
      .filter((u) =>
        nodegroupName !== undefined
          ? u.resource.kind === 'nodegroup' && u.resource.name === nodegroupName
          : addonName !== undefined
            ? u.resource.kind === 'addon' && u.resource.name === addonName
            : u.resource.kind === 'cluster',
      )
      .map((u) => u.id);
    if (nodegroupName !== undefined) nodegroup(ctx, sim, nodegroupName);
    if (addonName !== undefined) addon(sim, addonName);
    const { items, nextToken } = page(ctx, ids, q(input, 'maxResults'), q(input, 'nextToken'));
    return { updateIds: items, nextToken };
  },
  DescribeUpdate: (ctx, input) => {
    const sim = ctx.cluster(input.path.name);
    const update = ctx.engine.find(sim.cluster.name, input.path.updateId ?? '');
    const nodegroupName = q(input, 'nodegroupName');
    const addonName = q(input, 'addonName');
    // A node-group or add-on update is found only with its resource named (and a cluster update only without).
    const scoped =
      update &&
      (update.resource.kind === 'nodegroup'
        ? nodegroupName === update.resource.name && addonName === undefined
        : update.resource.kind === 'addon'
          ? addonName === update.resource.name && nodegroupName === undefined
          : nodegroupName === undefined && addonName === undefined);
    if (!update || !scoped)
      throw notFound(`No update found for ID: ${input.path.updateId}`, { clusterName: sim.cluster.name });
    return { update: updateView(update) };
  },
};
