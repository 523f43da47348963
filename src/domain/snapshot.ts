// The cluster snapshot: everything the readiness checks need about one EKS cluster, read from the EKS API or from
// a JSON file (offline use, tests, the demo). Snapshot files in use depend on these names: extend, do not rename.
// Documented field by field in docs/snapshot.md. Every section beyond `cluster` is optional so a hand-written
// snapshot stays small; a check whose data is missing is reported as skipped, never as passed.
import { z } from 'zod';
import {
  CrdSummarySchema,
  HelmReleaseSummarySchema,
  KubernetesAccessSchema,
  PodDisruptionBudgetSummarySchema,
  RequestedDeprecatedApiSchema,
  WorkloadSummarySchema,
} from './kubernetes-inventory';
import { findApiRemoval } from './api-removals';
import { findThirdPartyApi, THIRD_PARTY_APIS } from './third-party-apis';
import { looksBinary, quoteExcerpt } from './input-text';
import { redactSecrets } from './secrets';
import { MINOR_VERSION_PATTERN } from './versions';

const minor = z.string().regex(MINOR_VERSION_PATTERN, { error: 'expected a Kubernetes minor version such as 1.30' });

export const HealthIssueSchema = z.object({
  code: z.string(),
  message: z.string().optional(),
  resourceIds: z.array(z.string()).optional(),
});

const health = z.object({ issues: z.array(HealthIssueSchema).default([]) });

export const NodeGroupSchema = z.object({
  name: z.string().min(1),
  /** Kubernetes minor of the node group ("1.30"). */
  version: minor,
  releaseVersion: z.string().optional(),
  /** EKS AMI type, e.g. AL2_x86_64, AL2023_x86_64_STANDARD, BOTTLEROCKET_x86_64, CUSTOM. */
  amiType: z.string().optional(),
  status: z.string().optional(),
  capacityType: z.string().optional(),
  health: health.optional(),
  /** The launch template the node group uses, and the template's newest version (pending update when they differ). */
  launchTemplate: z
    .object({ id: z.string().optional(), name: z.string().optional(), version: z.string().optional() })
    .optional(),
  launchTemplateLatestVersion: z.string().optional(),
  scaling: z
    .object({ minSize: z.number().optional(), maxSize: z.number().optional(), desiredSize: z.number().optional() })
    .optional(),
  /** DescribeNodegroup updateConfig: how many nodes a version update replaces at once (EKS's default is 1). */
  updateConfig: z
    .object({
      maxUnavailable: z.number().int().positive().optional(),
      maxUnavailablePercentage: z.number().int().positive().optional(),
      /** DEFAULT (launch, then drain) or MINIMAL (terminate first). */
      updateStrategy: z.string().optional(),
    })
    .optional(),
});

export const FargateProfileSchema = z.object({
  name: z.string().min(1),
  status: z.string().optional(),
  /** kubelet minors of the Fargate pods running now (a Fargate pod keeps the kubelet it started with). */
  kubeletVersions: z.array(minor).optional(),
});

export const AddonSchema = z.object({
  name: z.string().min(1),
  /** Installed version, e.g. "v1.18.3-eksbuild.2". */
  version: z.string().min(1),
  status: z.string().optional(),
  health: health.optional(),
  /** From DescribeAddonVersions: versions compatible with a cluster minor, keyed by minor ("1.31": ["v1.19.0-eksbuild.1"]). */
  compatibleVersions: z.record(z.string(), z.array(z.string())).optional(),
  /** Default version per cluster minor. */
  defaultVersions: z.record(z.string(), z.string()).optional(),
});

export const ClientStatSchema = z.object({
  userAgent: z.string().optional(),
  numberOfRequestsLast30Days: z.number().optional(),
  lastRequestTime: z.string().optional(),
});

export const DeprecationDetailSchema = z.object({
  /** The deprecated API in use, e.g. "/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas". */
  usage: z.string().optional(),
  replacedWith: z.string().optional(),
  stopServingVersion: z.string().optional(),
  startServingReplacementVersion: z.string().optional(),
  clientStats: z.array(ClientStatSchema).optional(),
});

export const InsightSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  /** UPGRADE_READINESS, MISCONFIGURATION (or ROLLBACK_READINESS where available). */
  category: z.string().optional(),
  kubernetesVersion: z.string().optional(),
  /** PASSING, WARNING, ERROR or UNKNOWN. */
  status: z.string(),
  reason: z.string().optional(),
  description: z.string().optional(),
  recommendation: z.string().optional(),
  lastRefreshTime: z.string().optional(),
  lastTransitionTime: z.string().optional(),
  deprecationDetails: z.array(DeprecationDetailSchema).optional(),
  addonCompatibilityDetails: z
    .array(z.object({ name: z.string().optional(), compatibleVersions: z.array(z.string()).optional() }))
    .optional(),
});

export const SubnetSchema = z.object({
  subnetId: z.string().min(1),
  availabilityZone: z.string().optional(),
  availableIpAddressCount: z.number().int().nonnegative(),
  cidrBlock: z.string().optional(),
});

export const ClusterVersionInfoSchema = z.object({
  clusterVersion: minor,
  /** STANDARD_SUPPORT, EXTENDED_SUPPORT, UNSUPPORTED (DescribeClusterVersions versionStatus). */
  status: z.string().optional(),
  releaseDate: z.string().optional(),
  endOfStandardSupportDate: z.string().optional(),
  endOfExtendedSupportDate: z.string().optional(),
  kubernetesPatchVersion: z.string().optional(),
  defaultPlatformVersion: z.string().optional(),
});

export const LiveObjectSchema = z.object({
  /** The version the object was read at (what the API server served, not what created it). */
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
  /** apiVersion inside the kubectl.kubernetes.io/last-applied-configuration annotation (weak evidence). */
  lastAppliedApiVersion: z.string().optional(),
});

export const NodeSchema = z.object({
  name: z.string(),
  kubeletVersion: z.string(),
  nodeGroup: z.string().optional(),
  /** managed, self-managed, fargate, karpenter, hybrid. */
  kind: z.string().optional(),
});

/** The snapshot format this code reads. */
export const SNAPSHOT_SCHEMA_VERSION = 1;

export const ClusterSnapshotSchema = z.object({
  schemaVersion: z.literal(SNAPSHOT_SCHEMA_VERSION),
  capturedAt: z.string().optional(),
  cluster: z.object({
    name: z.string().min(1),
    region: z.string().optional(),
    /** Kubernetes minor, e.g. "1.30". */
    version: minor,
    arn: z.string().optional(),
    status: z.string().optional(),
    platformVersion: z.string().optional(),
    health: health.optional(),
    /** Control-plane subnets (DescribeCluster resourcesVpcConfig.subnetIds). */
    subnetIds: z.array(z.string()).optional(),
    vpcId: z.string().optional(),
    /** STANDARD or EXTENDED (cluster.upgradePolicy.supportType). */
    supportType: z.string().optional(),
  }),
  nodeGroups: z.array(NodeGroupSchema).optional(),
  fargateProfiles: z.array(FargateProfileSchema).optional(),
  addons: z.array(AddonSchema).optional(),
  insights: z.array(InsightSchema).optional(),
  /** Control-plane subnets with free IPs (EC2 DescribeSubnets); absent when EC2 access is not configured. */
  subnets: z.array(SubnetSchema).optional(),
  /** DescribeClusterVersions: support status and end dates per minor. */
  versions: z.array(ClusterVersionInfoSchema).optional(),
  nodes: z.array(NodeSchema).optional(),
  liveObjects: z.array(LiveObjectSchema).optional(),
  // From the Kubernetes API (src/domain/kubernetes-inventory.ts): summaries, never object bodies.
  workloads: z.array(WorkloadSummarySchema).optional(),
  podDisruptionBudgets: z.array(PodDisruptionBudgetSummarySchema).optional(),
  helmReleases: z.array(HelmReleaseSummarySchema).optional(),
  customResourceDefinitions: z.array(CrdSummarySchema).optional(),
  requestedDeprecatedApis: z.array(RequestedDeprecatedApiSchema).optional(),
  /** How the Kubernetes API was read and what the identity could not list (checks needing it are skipped). */
  kubernetesAccess: KubernetesAccessSchema.optional(),
  /** How many live objects were read, when liveObjects holds only those that matter (see compactSnapshot). */
  liveObjectsTotal: z.number().int().nonnegative().optional(),
  /** Live objects using deprecated APIs that were left out to keep the snapshot small. */
  liveObjectsOmitted: z.number().int().nonnegative().optional(),
});

export type ClusterSnapshot = z.infer<typeof ClusterSnapshotSchema>;
export type NodeGroup = z.infer<typeof NodeGroupSchema>;
export type NodegroupUpdateConfig = NonNullable<NodeGroup['updateConfig']>;
export type Addon = z.infer<typeof AddonSchema>;
export type Insight = z.infer<typeof InsightSchema>;
export type Subnet = z.infer<typeof SubnetSchema>;
export type ClusterVersionInfo = z.infer<typeof ClusterVersionInfoSchema>;
export type LiveObject = z.infer<typeof LiveObjectSchema>;

/** A snapshot that cannot be used; `field` is the dotted path of the first problem, when there is one. */
export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
  constructor(
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const FORMAT_HINT = 'See docs/snapshot.md for the format, or write one with `eks-upgrade snapshot --cluster NAME`.';

/** Validates parsed JSON as a snapshot; the error names every bad field and where it is. */
export function parseClusterSnapshot(value: unknown, source = 'snapshot'): ClusterSnapshot {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'schemaVersion' in value) {
    const version = value.schemaVersion;
    if (version !== SNAPSHOT_SCHEMA_VERSION)
      throw new SnapshotError(
        `Unsupported cluster snapshot in ${source}: schemaVersion ${JSON.stringify(version)} is not one this eks-upgrade reads (${SNAPSHOT_SCHEMA_VERSION}). Write it again with this version's \`eks-upgrade snapshot\`, or use the eks-upgrade that wrote it.`,
        'schemaVersion',
      );
  }
  const result = ClusterSnapshotSchema.safeParse(value);
  if (result.success) return result.data;
  const lines = result.error.issues.map(
    (issue) => `  ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`,
  );
  const first = result.error.issues[0]?.path.join('.');
  throw new SnapshotError(
    `Invalid cluster snapshot in ${source}:\n${lines.join('\n')}\nSee docs/snapshot.md for the schema.`,
    first || undefined,
  );
}

/**
 * A snapshot file's text → a validated, redacted snapshot. The client (before starting anything) and the worker
 * (before anything reaches history) both read snapshots through here, so they refuse the same files.
 */
export function parseSnapshotText(text: string, source: string): ClusterSnapshot {
  if (text.trim() === '') throw new SnapshotError(`the snapshot file ${source} is empty. ${FORMAT_HINT}`, '(root)');
  if (looksBinary(text))
    throw new SnapshotError(
      `the snapshot file ${source} is binary data, not JSON (starts with "${quoteExcerpt(text)}"). ${FORMAT_HINT}`,
      '(root)',
    );
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SnapshotError(
      `the snapshot file ${source} is not valid JSON: ${quoteExcerpt(error instanceof Error ? error.message : String(error))}. ${FORMAT_HINT}`,
      '(root)',
      { cause: error },
    );
  }
  return redactSnapshot(parseClusterSnapshot(json, source));
}

function redactText<T extends string | undefined>(text: T): T {
  return (text === undefined ? text : redactSecrets(text).text) as T;
}

type Health = { issues: Array<z.infer<typeof HealthIssueSchema>> } | undefined;
function redactHealth(health: Health): Health {
  return health && { issues: health.issues.map((i) => ({ ...i, message: redactText(i.message) })) };
}

/**
 * Secret-looking text in the free-text fields a snapshot keeps (health messages, insight descriptions, client user
 * agents) replaced by `[REDACTED:…]` markers, so it reaches neither workflow history nor output. Identifiers and
 * versions are structured and left alone.
 */
export function redactSnapshot(snapshot: ClusterSnapshot): ClusterSnapshot {
  return {
    ...snapshot,
    cluster: {
      ...snapshot.cluster,
      ...(snapshot.cluster.health ? { health: redactHealth(snapshot.cluster.health) } : {}),
    },
    ...(snapshot.nodeGroups && {
      nodeGroups: snapshot.nodeGroups.map((g) => (g.health ? { ...g, health: redactHealth(g.health) } : g)),
    }),
    ...(snapshot.addons && {
      addons: snapshot.addons.map((a) => (a.health ? { ...a, health: redactHealth(a.health) } : a)),
    }),
    ...(snapshot.insights && {
      insights: snapshot.insights.map((i) => ({
        ...i,
        name: redactText(i.name),
        reason: redactText(i.reason),
        description: redactText(i.description),
        recommendation: redactText(i.recommendation),
        ...(i.deprecationDetails && {
          deprecationDetails: i.deprecationDetails.map((d) => ({
            ...d,
            ...(d.clientStats && {
              clientStats: d.clientStats.map((c) => ({ ...c, userAgent: redactText(c.userAgent) })),
            }),
          })),
        }),
      })),
    }),
  };
}

/** At most this many live objects travel in a snapshot (each ~150 bytes of payload). */
export const MAX_LIVE_OBJECTS_KEPT = 2000;

/**
 * Keeps only the live objects the API scan can report (a last-applied apiVersion the facts table knows as
 * deprecated or removed), at most MAX_LIVE_OBJECTS_KEPT, counting the rest: the snapshot travels in workflow
 * payloads, which must stay far below Temporal's 2 MB limit whatever the cluster's size.
 */
export function compactSnapshot(snapshot: ClusterSnapshot, maxLiveObjects = MAX_LIVE_OBJECTS_KEPT): ClusterSnapshot {
  const live = snapshot.liveObjects;
  if (!live) return snapshot;
  const relevant = live.filter(
    (o) =>
      o.lastAppliedApiVersion !== undefined &&
      (findApiRemoval(o.lastAppliedApiVersion, o.kind) !== undefined ||
        findThirdPartyApi(THIRD_PARTY_APIS, o.lastAppliedApiVersion, o.kind) !== undefined),
  );
  if (relevant.length === live.length && live.length <= maxLiveObjects) return snapshot;
  const kept = relevant.slice(0, maxLiveObjects);
  return {
    ...snapshot,
    liveObjects: kept,
    liveObjectsTotal: snapshot.liveObjectsTotal ?? live.length,
    ...(relevant.length > kept.length || snapshot.liveObjectsOmitted
      ? { liveObjectsOmitted: (snapshot.liveObjectsOmitted ?? 0) + relevant.length - kept.length }
      : {}),
  };
}
