// Kubernetes objects (plain JSON, from the API or from manifests) reduced to the summaries a snapshot holds. The
// same functions serve the live read and the manifest checks, so a workload decides the same either way.
import type { CrdSummary, PodDisruptionBudgetSummary, WorkloadSummary } from './kubernetes-inventory';

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function array(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function stringMap(value: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record(value) ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

function nonNegativeInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

export type NodeKind = 'managed' | 'self-managed' | 'fargate' | 'karpenter' | 'hybrid' | 'auto-mode';

/** Labels EKS, Karpenter and eksctl put on nodes (EKS user guide; karpenter.sh well-known labels). */
export const NODE_LABELS = {
  computeType: 'eks.amazonaws.com/compute-type',
  nodegroup: 'eks.amazonaws.com/nodegroup',
  fargateProfile: 'eks.amazonaws.com/fargate-profile',
  karpenterNodePool: 'karpenter.sh/nodepool',
  karpenterProvisioner: 'karpenter.sh/provisioner-name',
  eksctlNodegroup: 'alpha.eksctl.io/nodegroup-name',
} as const;

/** The node's kind and group from its labels: managed node group, Fargate, hybrid, Karpenter, Auto Mode, or else self-managed. */
export function classifyNode(nodeLabels: Record<string, string>): { kind: NodeKind; group?: string } {
  const computeType = nodeLabels[NODE_LABELS.computeType];
  if (computeType === 'fargate') return { kind: 'fargate', group: nodeLabels[NODE_LABELS.fargateProfile] };
  if (computeType === 'hybrid') return { kind: 'hybrid' };
  if (computeType === 'auto') return { kind: 'auto-mode', group: nodeLabels[NODE_LABELS.karpenterNodePool] };
  const nodegroup = nodeLabels[NODE_LABELS.nodegroup];
  if (nodegroup) return { kind: 'managed', group: nodegroup };
  const pool = nodeLabels[NODE_LABELS.karpenterNodePool] ?? nodeLabels[NODE_LABELS.karpenterProvisioner];
  if (pool) return { kind: 'karpenter', group: pool };
  const eksctl = nodeLabels[NODE_LABELS.eksctlNodegroup];
  return eksctl ? { kind: 'self-managed', group: eksctl } : { kind: 'self-managed' };
}

export interface NodeSummary {
  name: string;
  kubeletVersion: string;
  nodeGroup?: string;
  kind: NodeKind;
}

export function nodeSummaryOf(node: Json): NodeSummary | undefined {
  const metadata = record(node.metadata);
  const name = metadata?.name;
  const kubeletVersion = record(record(record(node.status)?.nodeInfo))?.kubeletVersion;
  if (typeof name !== 'string' || typeof kubeletVersion !== 'string') return undefined;
  const { kind, group } = classifyNode(stringMap(metadata?.labels));
  return { name, kubeletVersion, kind, ...(group ? { nodeGroup: group } : {}) };
}

export const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
/** Kinds with a pod template the manifest checks look into (the live read lists the WORKLOAD_KINDS). */
export const POD_TEMPLATE_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Pod',
]);

function podTemplateOf(kind: string, object: Json): { spec?: Json; labels: Record<string, string> } {
  const spec = record(object.spec);
  if (kind === 'Pod') return { spec, labels: stringMap(record(object.metadata)?.labels) };
  const template =
    kind === 'CronJob' ? record(record(record(spec?.jobTemplate)?.spec)?.template) : record(spec?.template);
  return { spec: record(template?.spec), labels: stringMap(record(template?.metadata)?.labels) };
}

/** A workload's facts, for any kind with a pod template; undefined for other objects. */
export function workloadSummaryOf(object: Json): WorkloadSummary | undefined {
  const kind = object.kind;
  if (typeof kind !== 'string' || !POD_TEMPLATE_KINDS.has(kind)) return undefined;
  const metadata = record(object.metadata);
  const name = typeof metadata?.name === 'string' ? metadata.name : '(unnamed)';
  const namespace = typeof metadata?.namespace === 'string' ? metadata.namespace : undefined;
  const spec = record(object.spec);
  const pod = podTemplateOf(kind, object);
  const affinity = record(pod.spec?.affinity);
  const containers = array(pod.spec?.containers)
    .map(record)
    .filter((c): c is Json => c !== undefined);
  const dockerSocketPaths = array(pod.spec?.volumes)
    .map((v) => record(record(v)?.hostPath)?.path)
    .filter((p): p is string => typeof p === 'string' && /(docker|dockershim)\.sock$/.test(p));
  const replicas = nonNegativeInt(spec?.replicas);
  const minReadySeconds = nonNegativeInt(spec?.minReadySeconds);
  const grace = nonNegativeInt(pod.spec?.terminationGracePeriodSeconds);
  const missingProbes = containers
    .filter((c) => c.readinessProbe === undefined || c.readinessProbe === null)
    .map((c) => (typeof c.name === 'string' ? c.name : '?'));
  const spreads = affinity?.podAntiAffinity !== undefined || array(pod.spec?.topologySpreadConstraints).length > 0;
  // Defaults are left out: the summary of a healthy workload is its identity, replicas and labels.
  return {
    kind,
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(replicas !== undefined ? { replicas } : {}),
    ...(minReadySeconds !== undefined ? { minReadySeconds } : {}),
    ...(Object.keys(pod.labels).length > 0 ? { podLabels: pod.labels } : {}),
    ...(spreads ? { spreadsPods: true } : {}),
    ...(missingProbes.length > 0 ? { containersWithoutReadinessProbe: missingProbes } : {}),
    ...(grace !== undefined ? { terminationGracePeriodSeconds: grace } : {}),
    ...(dockerSocketPaths.length > 0 ? { dockerSocketPaths } : {}),
  };
}

export function pdbSummaryOf(object: Json): PodDisruptionBudgetSummary | undefined {
  if (object.kind !== undefined && object.kind !== 'PodDisruptionBudget') return undefined;
  const metadata = record(object.metadata);
  if (typeof metadata?.name !== 'string') return undefined;
  const selector = record(record(object.spec)?.selector);
  const matchLabels = selector ? stringMap(selector.matchLabels) : undefined;
  return {
    name: metadata.name,
    ...(typeof metadata.namespace === 'string' ? { namespace: metadata.namespace } : {}),
    ...(matchLabels && Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
    ...(array(selector?.matchExpressions).length > 0 ? { hasMatchExpressions: true } : {}),
  };
}

/** The add-on version a CRD carries in its labels (app.kubernetes.io/version, or Helm's chart label). */
function crdAppVersion(crdLabels: Record<string, string>): string | undefined {
  const version = crdLabels['app.kubernetes.io/version'];
  if (version) return version;
  const chart = /-(v?\d+\.\d+\.\d+[^\s]*)$/.exec(crdLabels['helm.sh/chart'] ?? '');
  return chart?.[1];
}

export function crdSummaryOf(object: Json): CrdSummary | undefined {
  const metadata = record(object.metadata);
  const spec = record(object.spec);
  const group = spec?.group;
  const kind = record(spec?.names)?.kind;
  if (typeof metadata?.name !== 'string' || typeof group !== 'string' || typeof kind !== 'string') return undefined;
  const versions = array(spec?.versions)
    .map(record)
    .filter((v): v is Json => typeof v?.name === 'string')
    .map((v) => ({
      name: v.name as string,
      served: v.served === true,
      storage: v.storage === true,
      deprecated: v.deprecated === true,
      ...(typeof v.deprecationWarning === 'string' ? { deprecationWarning: v.deprecationWarning } : {}),
    }));
  const storedVersions = array(record(object.status)?.storedVersions).filter((v): v is string => typeof v === 'string');
  const appVersion = crdAppVersion(stringMap(metadata.labels));
  return { name: metadata.name, group, kind, versions, storedVersions, ...(appVersion ? { appVersion } : {}) };
}

/**
 * The apiVersion inside kubectl's last-applied-configuration annotation: only that field is read (the annotation
 * holds the whole applied object). managedFields are never read as usage (kubent#309).
 */
export function lastAppliedApiVersionOf(object: Json): string | undefined {
  const annotation = stringMap(record(object.metadata)?.annotations)[
    'kubectl.kubernetes.io/last-applied-configuration'
  ];
  if (!annotation) return undefined;
  try {
    const applied = record(JSON.parse(annotation));
    return typeof applied?.apiVersion === 'string' ? applied.apiVersion : undefined;
  } catch {
    return undefined; // not JSON: nothing to learn from it
  }
}
