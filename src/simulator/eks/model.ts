// The simulator's state. Resource records are kept in their wire shape (what DescribeCluster/DescribeNodegroup/…
// return, timestamps as epoch seconds), typed where the simulator reads or changes a field; updates are tracked
// separately with their timing, token and scripted outcome.
export type Wire = Record<string, unknown>;

export interface ClusterRecord extends Wire {
  name: string;
  version: string;
  status: string;
  platformVersion: string;
  /** Auto Mode: a VersionRollback first drifts the nodes (cluster ACTIVE), and that phase can be cancelled. */
  computeConfig?: { enabled?: boolean };
}

export interface NodegroupRecord extends Wire {
  nodegroupName: string;
  clusterName: string;
  version: string;
  releaseVersion?: string;
  amiType?: string;
  status: string;
  launchTemplate?: { id?: string; name?: string; version?: string };
  scalingConfig: { minSize?: number; maxSize?: number; desiredSize?: number };
  updateConfig: { maxUnavailable?: number; maxUnavailablePercentage?: number; updateStrategy?: string };
  health: { issues: Wire[] };
}

export interface AddonRecord extends Wire {
  addonName: string;
  clusterName: string;
  addonVersion: string;
  status: string;
  health: { issues: Wire[] };
}

export interface InsightRecord extends Wire {
  id: string;
  name: string;
  category?: string;
  kubernetesVersion?: string;
  insightStatus: { status: string; reason?: string };
}

export interface UpgradeRecord {
  /** The version the cluster came from by the last in-place upgrade, and when that upgrade ended. */
  fromVersion: string;
  toVersion: string;
  endedAt: number;
}

export interface SimCluster {
  cluster: ClusterRecord;
  nodegroups: NodegroupRecord[];
  fargateProfiles: Wire[];
  addons: AddonRecord[];
  insights: InsightRecord[];
  /** Node names per node group (EKS reports them in PodEvictionFailure resourceIds). */
  nodeNames: Map<string, string[]>;
  /** The last in-place control-plane upgrade: a VersionRollback is allowed for 7 days after it. */
  lastUpgrade?: UpgradeRecord;
  insightsRefresh?: { startedAt: number; endsAt: number; status: 'IN_PROGRESS' | 'FAILED' | 'COMPLETED' };
}

export interface SimState {
  clusters: Map<string, SimCluster>;
  /** DescribeAddonVersions catalogue: AddonInfo objects (addonName, addonVersions[{addonVersion, compatibilities}]). */
  addonCatalogue: Wire[];
  clusterVersions: Wire[];
  /** Newest AMI release per minor (UpdateNodegroupVersion without releaseVersion picks it). */
  latestReleaseVersions: Record<string, string>;
  /** Kubernetes minor of the AMI in a launch-template version, keyed "<id or name>:<version>" (custom-AMI groups). */
  launchTemplateMinors: Record<string, string>;
}

export type UpdateStatus = 'InProgress' | 'Failed' | 'Cancelled' | 'Successful';

export type ResourceRef = { kind: 'cluster' } | { kind: 'nodegroup'; name: string } | { kind: 'addon'; name: string };

export interface UpdateErrorDetail {
  errorCode: string;
  errorMessage: string;
  resourceIds: string[];
}

export interface UpdateRecord {
  id: string;
  clusterName: string;
  resource: ResourceRef;
  /** The operation that created it (UpdateClusterVersion, UpdateNodegroupVersion, …). */
  operation: string;
  type: string;
  params: Array<{ type: string; value: string }>;
  createdAt: number;
  /** When it ends (Successful, or Failed when `failure` is set). */
  endsAt: number;
  /** When the resource shows UPDATING (EKS flips the status with a lag). */
  updatingFrom: number;
  /** When ListUpdates starts to list it (eventual consistency; DescribeUpdate sees it at once). */
  listedFrom: number;
  status: UpdateStatus;
  errors: UpdateErrorDetail[];
  failure?: { errors: UpdateErrorDetail[]; onFail?: () => void };
  /** Applied when it succeeds (at `endedAt`, simulated ms): the version changes only then. */
  apply: (endedAt: number) => void;
  clientRequestToken?: string;
  /** The request minus its token, to tell "same token, same request" from "same token, other parameters". */
  fingerprint: string;
  force: boolean;
  cancellation?: { status: 'InProgress' | 'Failed' | 'Successful'; reason?: string; endsAt: number };
  /** Auto Mode rollback: until then the nodes drift, the cluster stays ACTIVE and CancelUpdate is allowed. */
  nodePhaseEndsAt?: number;
}
