// Kubernetes objects (plain JSON, from the API or from manifests) reduced to the summaries a snapshot holds. The
// same functions serve the live read and the manifest checks, so a workload decides the same either way.
import type { CrdSummary, PodDisruptionBudgetSummary, WorkloadSummary } from './kubernetes-inventory';
import { pdbFactsOf, workloadFactsOf, type PdbFacts, type WorkloadFacts } from './workload-facts';

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

/** The snapshot's summary of a workload, from the facts a manifest or a live object yields (defaults left out). */
export function workloadSummaryFromFacts(
  identity: { kind: string; name: string; namespace?: string },
  facts: WorkloadFacts,
): WorkloadSummary {
  const missingProbes = facts.containers.filter((c) => !c.hasReadinessProbe).map((c) => c.name);
  const dockerSocketPaths = facts.hostPaths.filter((p) => /(docker|dockershim)\.sock$/.test(p));
  return {
    kind: identity.kind,
    name: identity.name,
    ...(identity.namespace !== undefined ? { namespace: identity.namespace } : {}),
    ...(facts.replicas !== undefined ? { replicas: facts.replicas } : {}),
    ...(facts.minReadySeconds !== undefined ? { minReadySeconds: facts.minReadySeconds } : {}),
    ...(Object.keys(facts.podLabels).length > 0 ? { podLabels: facts.podLabels } : {}),
    ...(facts.spreadsPods ? { spreadsPods: true } : {}),
    ...(missingProbes.length > 0 ? { containersWithoutReadinessProbe: missingProbes } : {}),
    ...(facts.terminationGracePeriodSeconds !== undefined
      ? { terminationGracePeriodSeconds: facts.terminationGracePeriodSeconds }
      : {}),
    ...(dockerSocketPaths.length > 0 ? { dockerSocketPaths } : {}),
  };
}

export function pdbSummaryFromFacts(
  identity: { name: string; namespace?: string },
  facts: PdbFacts,
): PodDisruptionBudgetSummary {
  const matchLabels = facts.hasSelector ? facts.matchLabels : {};
  return {
    name: identity.name,
    ...(identity.namespace !== undefined ? { namespace: identity.namespace } : {}),
    ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
    ...(facts.hasSelector && facts.hasMatchExpressions ? { hasMatchExpressions: true } : {}),
  };
}

function identityOf(object: Json): { name: string; namespace?: string } {
  const metadata = record(object.metadata);
  return {
    name: typeof metadata?.name === 'string' ? metadata.name : '(unnamed)',
    ...(typeof metadata?.namespace === 'string' ? { namespace: metadata.namespace } : {}),
  };
}

/** A workload's summary, for any kind with a pod template; undefined for other objects. */
export function workloadSummaryOf(object: Json): WorkloadSummary | undefined {
  const kind = object.kind;
  if (typeof kind !== 'string') return undefined;
  const facts = workloadFactsOf(kind, object);
  return facts ? workloadSummaryFromFacts({ kind, ...identityOf(object) }, facts) : undefined;
}

export function pdbSummaryOf(object: Json): PodDisruptionBudgetSummary | undefined {
  const facts = pdbFactsOf('PodDisruptionBudget', object);
  if (object.kind !== undefined && object.kind !== 'PodDisruptionBudget') return undefined;
  if (typeof record(object.metadata)?.name !== 'string' || !facts) return undefined;
  return pdbSummaryFromFacts(identityOf(object), facts);
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
