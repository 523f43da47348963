// The few fields of a workload or PodDisruptionBudget that the workload checks read (replicas, pod labels,
// containers' readiness probes, hostPath volumes, PDB selectors), taken from the parsed object when it is read.
// Whole objects are never kept: a manifest may be a Secret, and 500k objects would not fit in memory.

export interface ContainerFacts {
  name: string;
  hasReadinessProbe: boolean;
}

export interface WorkloadFacts {
  /** spec.replicas when it is a number; absent means the default of 1. */
  replicas?: number;
  /** The pod template's labels (string values only). */
  podLabels: Record<string, string>;
  containers: ContainerFacts[];
  /** hostPath volume paths of the pod template. */
  hostPaths: string[];
  /** spec.minReadySeconds when it is a number. */
  minReadySeconds?: number;
  /** podAntiAffinity or topologySpreadConstraints is set on the pod template. */
  spreadsPods: boolean;
  /** The pod template's terminationGracePeriodSeconds when it is a number. */
  terminationGracePeriodSeconds?: number;
}

export interface PdbFacts {
  matchLabels: Record<string, string>;
  /** matchExpressions are not evaluated: a PDB that has them counts as covering (no false alarms). */
  hasMatchExpressions: boolean;
  hasSelector: boolean;
}

/** Kinds that run pods, whose template the checks read. */
export const POD_KINDS: ReadonlySet<string> = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Pod',
]);

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function stringMap(value: unknown): Record<string, string> {
  const map = record(value);
  if (!map) return {};
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(map)) if (typeof v === 'string') out[key] = v;
  return out;
}

function podTemplateOf(kind: string, body: Json): Json | undefined {
  const spec = record(body.spec);
  if (kind === 'Pod') return body;
  if (kind === 'CronJob') return record(record(record(spec?.jobTemplate)?.spec)?.template);
  return record(spec?.template);
}

/** Facts of a pod-running object; undefined for other kinds. */
export function workloadFactsOf(kind: string, body: Json): WorkloadFacts | undefined {
  if (!POD_KINDS.has(kind)) return undefined;
  const template = podTemplateOf(kind, body);
  const podSpec = record(template?.spec);
  const containers = Array.isArray(podSpec?.containers) ? podSpec.containers : [];
  const volumes = Array.isArray(podSpec?.volumes) ? podSpec.volumes : [];
  const replicas = record(body.spec)?.replicas;
  const minReadySeconds = record(body.spec)?.minReadySeconds;
  const grace = podSpec?.terminationGracePeriodSeconds;
  const spread = Array.isArray(podSpec?.topologySpreadConstraints) ? podSpec.topologySpreadConstraints : [];
  return {
    ...(typeof replicas === 'number' ? { replicas } : {}),
    ...(typeof minReadySeconds === 'number' ? { minReadySeconds } : {}),
    ...(typeof grace === 'number' ? { terminationGracePeriodSeconds: grace } : {}),
    spreadsPods: record(podSpec?.affinity)?.podAntiAffinity !== undefined || spread.length > 0,
    podLabels: stringMap(record(template?.metadata)?.labels),
    containers: containers
      .map(record)
      .filter((c): c is Json => c !== undefined)
      .map((c) => ({
        name: typeof c.name === 'string' ? c.name : '?',
        hasReadinessProbe: c.readinessProbe !== undefined && c.readinessProbe !== null,
      })),
    hostPaths: volumes.map((v) => record(record(v)?.hostPath)?.path).filter((p): p is string => typeof p === 'string'),
  };
}

/** Facts of a PodDisruptionBudget; undefined for other kinds. */
export function pdbFactsOf(kind: string, body: Json): PdbFacts | undefined {
  if (kind !== 'PodDisruptionBudget') return undefined;
  const selector = record(record(body.spec)?.selector);
  return {
    matchLabels: stringMap(selector?.matchLabels),
    hasMatchExpressions: Array.isArray(selector?.matchExpressions) && selector.matchExpressions.length > 0,
    hasSelector: selector !== undefined,
  };
}
