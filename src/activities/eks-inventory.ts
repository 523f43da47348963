// Reads one cluster's inventory from the EKS API into a ClusterSnapshot: DescribeCluster, node groups, Fargate
// profiles, add-ons with their compatible versions for the current and target minors (DescribeAddonVersions),
// insights (details for the non-passing ones, as eksup does), and DescribeClusterVersions, all paginated.
// With an EC2 client, the control-plane subnets' free IPs and the launch templates' latest versions are added.
import { DescribeLaunchTemplatesCommand, DescribeSubnetsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeFargateProfileCommand,
  DescribeInsightCommand,
  DescribeNodegroupCommand,
  paginateDescribeAddonVersions,
  paginateDescribeClusterVersions,
  paginateListAddons,
  paginateListFargateProfiles,
  paginateListInsights,
  paginateListNodegroups,
  type EKSClient,
  type Insight as EksInsight,
  type InsightSummary,
} from '@aws-sdk/client-eks';
import type { ClusterSnapshot, Insight } from '../domain/snapshot';
import { parseClusterSnapshot } from '../domain/snapshot';
import { minorOf, nextMinor, normalizeMinor } from '../domain/versions';

export interface EksInventoryDeps {
  eks: EKSClient;
  /** Optional: without it, subnets and launch-template versions are left out (EKS001/EKS006 are then skipped). */
  ec2?: EC2Client;
  /** How many DescribeX calls run at once. */
  concurrency?: number;
  /** Told when optional data (EC2) could not be read; the snapshot is still produced without it. */
  onWarning?: (message: string) => void;
}

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(page);
  return all;
}

/** Runs `work` over items with at most `limit` in flight, keeping order. */
async function mapLimited<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  });
  await Promise.all(runners);
  return results;
}

function iso(date: Date | undefined): string | undefined {
  return date ? date.toISOString() : undefined;
}

function toInsight(summary: InsightSummary, detail: EksInsight | undefined): Insight {
  const source = detail ?? summary;
  return {
    id: source.id ?? '',
    name: source.name ?? '',
    category: source.category,
    kubernetesVersion: source.kubernetesVersion,
    status: source.insightStatus?.status ?? 'UNKNOWN',
    reason: source.insightStatus?.reason,
    description: source.description,
    recommendation: detail?.recommendation,
    lastRefreshTime: iso(source.lastRefreshTime),
    lastTransitionTime: iso(source.lastTransitionTime),
    deprecationDetails: detail?.categorySpecificSummary?.deprecationDetails?.map((d) => ({
      usage: d.usage,
      replacedWith: d.replacedWith,
      stopServingVersion: d.stopServingVersion,
      startServingReplacementVersion: d.startServingReplacementVersion,
      clientStats: d.clientStats?.map((c) => ({
        userAgent: c.userAgent,
        numberOfRequestsLast30Days: c.numberOfRequestsLast30Days,
        lastRequestTime: iso(c.lastRequestTime),
      })),
    })),
    addonCompatibilityDetails: detail?.categorySpecificSummary?.addonCompatibilityDetails?.map((a) => ({
      name: a.name,
      compatibleVersions: a.compatibleVersions,
    })),
  };
}

/** Add-on versions compatible with each of the given cluster minors, and the default per minor. */
async function addonCompatibility(
  eks: EKSClient,
  addonName: string,
  minors: string[],
): Promise<{ compatibleVersions: Record<string, string[]>; defaultVersions: Record<string, string> }> {
  const compatibleVersions: Record<string, string[]> = {};
  const defaultVersions: Record<string, string> = {};
  for (const minor of minors) {
    const pages = await collect(
      paginateDescribeAddonVersions({ client: eks }, { addonName, kubernetesVersion: minor }),
    );
    const versions: string[] = [];
    for (const addon of pages.flatMap((p) => p.addons ?? []).filter((a) => a.addonName === addonName)) {
      for (const info of addon.addonVersions ?? []) {
        const compatibility = info.compatibilities?.find((c) => c.clusterVersion === minor);
        if (!info.addonVersion || !compatibility) continue;
        versions.push(info.addonVersion);
        if (compatibility.defaultVersion) defaultVersions[minor] = info.addonVersion;
      }
    }
    compatibleVersions[minor] = versions;
  }
  return { compatibleVersions, defaultVersions };
}

export async function loadEksInventory(
  deps: EksInventoryDeps,
  input: { clusterName: string; region?: string; targetVersion?: string; now?: Date },
): Promise<ClusterSnapshot> {
  const { eks, ec2 } = deps;
  const limit = deps.concurrency ?? 4;
  const clusterName = input.clusterName;
  const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
  if (!cluster?.version) throw new Error(`DescribeCluster returned no version for ${clusterName}`);
  const current = normalizeMinor(cluster.version, 'cluster version');
  const target = input.targetVersion ? normalizeMinor(input.targetVersion, 'target version') : nextMinor(current);

  const nodegroupNames = (await collect(paginateListNodegroups({ client: eks }, { clusterName }))).flatMap(
    (p) => p.nodegroups ?? [],
  );
  const nodegroups = await mapLimited(
    nodegroupNames,
    limit,
    async (nodegroupName) => (await eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }))).nodegroup,
  );
  const fargateNames = (await collect(paginateListFargateProfiles({ client: eks }, { clusterName }))).flatMap(
    (p) => p.fargateProfileNames ?? [],
  );
  const fargateProfiles = await mapLimited(
    fargateNames,
    limit,
    async (fargateProfileName) =>
      (await eks.send(new DescribeFargateProfileCommand({ clusterName, fargateProfileName }))).fargateProfile,
  );
  const addonNames = (await collect(paginateListAddons({ client: eks }, { clusterName }))).flatMap(
    (p) => p.addons ?? [],
  );
  const addons = await mapLimited(addonNames, limit, async (addonName) => {
    const { addon } = await eks.send(new DescribeAddonCommand({ clusterName, addonName }));
    return { addon, ...(await addonCompatibility(eks, addonName, [current, target])) };
  });
  const summaries = (await collect(paginateListInsights({ client: eks }, { clusterName }))).flatMap(
    (p) => p.insights ?? [],
  );
  const insights = await mapLimited(summaries, limit, async (summary) => {
    const needsDetail = summary.id !== undefined && summary.insightStatus?.status !== 'PASSING';
    const detail = needsDetail
      ? (await eks.send(new DescribeInsightCommand({ clusterName, id: summary.id }))).insight
      : undefined;
    return toInsight(summary, detail);
  });
  const versions = (await collect(paginateDescribeClusterVersions({ client: eks }, {}))).flatMap(
    (p) => p.clusterVersions ?? [],
  );

  const subnetIds = cluster.resourcesVpcConfig?.subnetIds ?? [];
  let subnets: ClusterSnapshot['subnets'];
  const latestTemplateVersion = new Map<string, string>();
  if (ec2) {
    try {
      if (subnetIds.length > 0) {
        const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds }));
        subnets = (Subnets ?? []).map((s) => ({
          subnetId: s.SubnetId ?? '',
          availabilityZone: s.AvailabilityZone,
          availableIpAddressCount: s.AvailableIpAddressCount ?? 0,
          cidrBlock: s.CidrBlock,
        }));
      }
      const templateIds = [
        ...new Set(nodegroups.map((g) => g?.launchTemplate?.id).filter((id): id is string => id !== undefined)),
      ];
      if (templateIds.length > 0) {
        const { LaunchTemplates } = await ec2.send(
          new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: templateIds }),
        );
        for (const t of LaunchTemplates ?? [])
          if (t.LaunchTemplateId && t.LatestVersionNumber !== undefined)
            latestTemplateVersion.set(t.LaunchTemplateId, String(t.LatestVersionNumber));
      }
    } catch (error) {
      // EC2 access is optional (EKS001/EKS006 are then skipped, not passed).
      subnets = undefined;
      latestTemplateVersion.clear();
      deps.onWarning?.(
        `EC2 data left out (${error instanceof Error ? error.name + ': ' + error.message : String(error)}); grant ec2:DescribeSubnets and ec2:DescribeLaunchTemplates to include subnet free IPs and launch-template versions`,
      );
    }
  }

  const snapshot = {
    schemaVersion: 1,
    capturedAt: (input.now ?? new Date()).toISOString(),
    cluster: {
      name: cluster.name ?? clusterName,
      region: input.region,
      version: current,
      arn: cluster.arn,
      status: cluster.status,
      platformVersion: cluster.platformVersion,
      health: {
        issues: (cluster.health?.issues ?? []).map((i) => ({
          code: i.code ?? 'Unknown',
          message: i.message,
          resourceIds: i.resourceIds,
        })),
      },
      subnetIds,
      vpcId: cluster.resourcesVpcConfig?.vpcId,
      supportType: cluster.upgradePolicy?.supportType,
    },
    nodeGroups: nodegroups
      .filter((g) => g !== undefined)
      .map((g) => ({
        name: g.nodegroupName ?? '',
        version: minorOf(g.version) ?? current,
        releaseVersion: g.releaseVersion,
        amiType: g.amiType,
        status: g.status,
        capacityType: g.capacityType,
        health: {
          issues: (g.health?.issues ?? []).map((i) => ({
            code: i.code ?? 'Unknown',
            message: i.message,
            resourceIds: i.resourceIds,
          })),
        },
        launchTemplate: g.launchTemplate
          ? { id: g.launchTemplate.id, name: g.launchTemplate.name, version: g.launchTemplate.version }
          : undefined,
        launchTemplateLatestVersion: g.launchTemplate?.id ? latestTemplateVersion.get(g.launchTemplate.id) : undefined,
        scaling: g.scalingConfig
          ? {
              minSize: g.scalingConfig.minSize,
              maxSize: g.scalingConfig.maxSize,
              desiredSize: g.scalingConfig.desiredSize,
            }
          : undefined,
        updateConfig: g.updateConfig
          ? {
              maxUnavailable: g.updateConfig.maxUnavailable,
              maxUnavailablePercentage: g.updateConfig.maxUnavailablePercentage,
              updateStrategy: g.updateConfig.updateStrategy,
            }
          : undefined,
      })),
    fargateProfiles: fargateProfiles
      .filter((p) => p !== undefined)
      .map((p) => ({ name: p.fargateProfileName ?? '', status: p.status })),
    addons: addons
      .filter((a) => a.addon !== undefined)
      .map(({ addon, compatibleVersions, defaultVersions }) => ({
        name: addon?.addonName ?? '',
        version: addon?.addonVersion ?? 'unknown',
        status: addon?.status,
        health: {
          issues: (addon?.health?.issues ?? []).map((i) => ({
            code: i.code ?? 'Unknown',
            message: i.message,
            resourceIds: i.resourceIds,
          })),
        },
        compatibleVersions,
        defaultVersions,
      })),
    insights,
    subnets,
    versions: versions
      .filter((v) => minorOf(v.clusterVersion) !== undefined)
      .map((v) => ({
        clusterVersion: minorOf(v.clusterVersion) ?? '',
        status: v.versionStatus ?? v.status,
        releaseDate: iso(v.releaseDate),
        endOfStandardSupportDate: iso(v.endOfStandardSupportDate),
        endOfExtendedSupportDate: iso(v.endOfExtendedSupportDate),
        kubernetesPatchVersion: v.kubernetesPatchVersion,
        defaultPlatformVersion: v.defaultPlatformVersion,
      })),
  };
  // Validate what we built, so a surprising API answer fails here with a named field, not later in a check.
  return parseClusterSnapshot(JSON.parse(JSON.stringify(snapshot)) as unknown, `EKS inventory of ${clusterName}`);
}
