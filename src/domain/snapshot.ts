// The cluster snapshot: everything the readiness checks need about one EKS cluster, read from the EKS API or from
// a JSON file (offline use, tests, the demo). Snapshot files in use depend on these names: extend, do not rename.
// Documented field by field in docs/snapshot.md. Every section beyond `cluster` is optional so a hand-written
// snapshot stays small; a check whose data is missing is reported as skipped, never as passed.
import { z } from 'zod';

const minor = z.string().regex(/^1\.\d{1,2}$/, { error: 'expected a Kubernetes minor version such as 1.30' });

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

export const ClusterSnapshotSchema = z.object({
  schemaVersion: z.literal(1),
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
});

export type ClusterSnapshot = z.infer<typeof ClusterSnapshotSchema>;
export type NodeGroup = z.infer<typeof NodeGroupSchema>;
export type NodegroupUpdateConfig = NonNullable<NodeGroup['updateConfig']>;
export type Addon = z.infer<typeof AddonSchema>;
export type Insight = z.infer<typeof InsightSchema>;
export type Subnet = z.infer<typeof SubnetSchema>;
export type ClusterVersionInfo = z.infer<typeof ClusterVersionInfoSchema>;
export type LiveObject = z.infer<typeof LiveObjectSchema>;

/** Validates parsed JSON as a snapshot; the error names every bad field and where it is. */
export function parseClusterSnapshot(value: unknown, source = 'snapshot'): ClusterSnapshot {
  const result = ClusterSnapshotSchema.safeParse(value);
  if (result.success) return result.data;
  const lines = result.error.issues.map(
    (issue) => `  ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`,
  );
  throw new Error(`Invalid cluster snapshot in ${source}:\n${lines.join('\n')}\nSee docs/snapshot.md for the schema.`);
}
