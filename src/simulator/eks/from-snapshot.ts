// Builds the simulator's state from a cluster snapshot (docs/snapshot.md), so a test or the demo can compare "the
// snapshot file" with "the same cluster through the EKS API", then upgrade it.
import type { ClusterSnapshot } from '../../domain/snapshot';
import type { AddonRecord, InsightRecord, NodegroupRecord, SimCluster, SimState, Wire } from './model';

function epochSeconds(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

const issues = (list: Array<{ code: string; message?: string; resourceIds?: string[] }> | undefined) => ({
  issues: list ?? [],
});

/** Node names for a group: the snapshot's nodes of that group, then made-up EC2-style names up to desiredSize. */
function nodeNamesFor(snapshot: ClusterSnapshot, group: string, desired: number, index: number): string[] {
  const known = (snapshot.nodes ?? []).filter((n) => n.nodeGroup === group).map((n) => n.name);
  const names = [...known];
  for (let i = names.length; i < desired; i++)
    names.push(`ip-10-${index % 250}-${i + 1}-${(i * 7) % 250}.ec2.internal`);
  return names.slice(0, Math.max(desired, known.length));
}

function addonCatalogue(snapshot: ClusterSnapshot): Wire[] {
  const catalogue = new Map<string, Map<string, Set<string>>>();
  const defaults = new Map<string, Map<string, string>>();
  for (const addon of snapshot.addons ?? []) {
    const versions = catalogue.get(addon.name) ?? new Map<string, Set<string>>();
    for (const [minor, list] of Object.entries(addon.compatibleVersions ?? {})) {
      for (const v of list) versions.set(v, (versions.get(v) ?? new Set()).add(minor));
    }
    catalogue.set(addon.name, versions);
    defaults.set(addon.name, new Map(Object.entries(addon.defaultVersions ?? {})));
  }
  return [...catalogue].map(([addonName, versions]) => ({
    addonName,
    type: 'networking',
    owner: 'aws',
    addonVersions: [...versions].map(([addonVersion, minors]) => ({
      addonVersion,
      architecture: ['amd64', 'arm64'],
      compatibilities: [...minors].map((clusterVersion) => ({
        clusterVersion,
        platformVersions: ['*'],
        defaultVersion: defaults.get(addonName)?.get(clusterVersion) === addonVersion,
      })),
    })),
  }));
}

export interface StateFromSnapshotOptions {
  /** The cluster's last in-place upgrade (a VersionRollback needs one that ended less than 7 days ago). */
  lastUpgrade?: { fromVersion: string; toVersion: string; endedAt: number };
  /** Newest AMI release per minor; default "<minor>.0-20250601" style values. */
  latestReleaseVersions?: Record<string, string>;
  launchTemplateMinors?: Record<string, string>;
}

export function stateFromSnapshot(snapshot: ClusterSnapshot, options: StateFromSnapshotOptions = {}): SimState {
  const { cluster } = snapshot;
  const nodegroups: NodegroupRecord[] = (snapshot.nodeGroups ?? []).map((g) => ({
    nodegroupName: g.name,
    clusterName: cluster.name,
    nodegroupArn: `arn:aws:eks:${cluster.region ?? 'us-east-1'}:111122223333:nodegroup/${cluster.name}/${g.name}/0`,
    version: g.version,
    releaseVersion: g.releaseVersion,
    amiType: g.amiType,
    status: g.status ?? 'ACTIVE',
    capacityType: g.capacityType ?? 'ON_DEMAND',
    health: issues(g.health?.issues),
    launchTemplate: g.launchTemplate,
    scalingConfig: g.scaling ?? { minSize: 1, maxSize: 3, desiredSize: 2 },
    updateConfig: g.updateConfig ?? { maxUnavailable: 1 },
  }));
  const addons: AddonRecord[] = (snapshot.addons ?? []).map((a) => ({
    addonName: a.name,
    clusterName: cluster.name,
    addonVersion: a.version,
    status: a.status ?? 'ACTIVE',
    health: issues(a.health?.issues),
  }));
  const insights: InsightRecord[] = (snapshot.insights ?? []).map((i) => ({
    id: i.id,
    name: i.name,
    category: i.category,
    kubernetesVersion: i.kubernetesVersion,
    description: i.description,
    recommendation: i.recommendation,
    lastRefreshTime: epochSeconds(i.lastRefreshTime),
    lastTransitionTime: epochSeconds(i.lastTransitionTime),
    insightStatus: { status: i.status, reason: i.reason },
    categorySpecificSummary: {
      deprecationDetails: i.deprecationDetails?.map((d) => ({
        ...d,
        clientStats: d.clientStats?.map((c) => ({ ...c, lastRequestTime: epochSeconds(c.lastRequestTime) })),
      })),
      addonCompatibilityDetails: i.addonCompatibilityDetails,
    },
  }));
  const sim: SimCluster = {
    cluster: {
      name: cluster.name,
      arn: cluster.arn ?? `arn:aws:eks:${cluster.region ?? 'us-east-1'}:111122223333:cluster/${cluster.name}`,
      version: cluster.version,
      status: cluster.status ?? 'ACTIVE',
      platformVersion: cluster.platformVersion ?? 'eks.1',
      health: issues(cluster.health?.issues),
      resourcesVpcConfig: { subnetIds: cluster.subnetIds ?? [], vpcId: cluster.vpcId ?? 'vpc-1' },
      upgradePolicy: cluster.supportType ? { supportType: cluster.supportType } : undefined,
      createdAt: 1_700_000_000,
    },
    nodegroups,
    fargateProfiles: (snapshot.fargateProfiles ?? []).map((p) => ({
      fargateProfileName: p.name,
      clusterName: cluster.name,
      status: p.status ?? 'ACTIVE',
    })),
    addons,
    insights,
    nodeNames: new Map(
      nodegroups.map((g, i) => [
        g.nodegroupName,
        nodeNamesFor(snapshot, g.nodegroupName, g.scalingConfig.desiredSize ?? 1, i),
      ]),
    ),
    ...(options.lastUpgrade ? { lastUpgrade: options.lastUpgrade } : {}),
  };
  const clusterVersions = (snapshot.versions ?? []).map((v) => ({
    clusterVersion: v.clusterVersion,
    clusterType: 'eks',
    defaultPlatformVersion: v.defaultPlatformVersion,
    kubernetesPatchVersion: v.kubernetesPatchVersion,
    releaseDate: epochSeconds(v.releaseDate),
    endOfStandardSupportDate: epochSeconds(v.endOfStandardSupportDate),
    endOfExtendedSupportDate: epochSeconds(v.endOfExtendedSupportDate),
    versionStatus: v.status,
    status:
      v.status === 'STANDARD_SUPPORT'
        ? 'standard-support'
        : v.status === 'EXTENDED_SUPPORT'
          ? 'extended-support'
          : 'unsupported',
  }));
  return {
    clusters: new Map([[cluster.name, sim]]),
    addonCatalogue: addonCatalogue(snapshot),
    clusterVersions,
    latestReleaseVersions: options.latestReleaseVersions ?? {},
    launchTemplateMinors: options.launchTemplateMinors ?? {},
  };
}
