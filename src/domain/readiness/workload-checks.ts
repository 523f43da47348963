// Workload resilience checks over the user's manifests (eksup K8S002/K8S004/K8S006/K8S008): node rollouts drain
// every node, so single replicas, missing PDBs and missing readiness probes turn an upgrade into an outage.
import type { ReadinessFinding } from '../evidence';
import type { ManifestObject } from '../manifests';
import { finding, found, skipped, type CheckContext, type ReadinessCheck } from './check';

const REPLICATED_KINDS = new Set(['Deployment', 'StatefulSet']);
const POD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function podSpecOf(object: ManifestObject): Json | undefined {
  if (object.kind === 'Pod') return record(object.body.spec);
  const spec = record(object.body.spec);
  if (object.kind === 'CronJob') return record(record(record(record(spec?.jobTemplate)?.spec)?.template)?.spec);
  return record(record(spec?.template)?.spec);
}

function podLabelsOf(object: ManifestObject): Record<string, string> {
  const spec = record(object.body.spec);
  const labels = record(record(record(spec?.template)?.metadata)?.labels) ?? {};
  return Object.fromEntries(Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function containersOf(object: ManifestObject): Json[] {
  const containers = podSpecOf(object)?.containers;
  return Array.isArray(containers) ? containers.map(record).filter((c): c is Json => c !== undefined) : [];
}

function ref(object: ManifestObject): string {
  return `${object.kind} ${object.namespace ?? 'default'}/${object.name}`;
}

function where(object: ManifestObject): string {
  return `${object.file}:${object.line}`;
}

function withManifests(
  code: ReadinessCheck['code'],
  run: (manifests: ManifestObject[], context: CheckContext) => ReadinessFinding[],
): ReadinessCheck {
  return {
    code,
    run(context) {
      if (!context.manifests) return skipped('no manifests given (pass --manifests to check workload resilience)');
      return found(run(context.manifests, context));
    },
  };
}

export const minimumReplicas = withManifests('K8S002', (manifests) =>
  manifests
    .filter((o) => REPLICATED_KINDS.has(o.kind))
    .flatMap((o) => {
      const replicas = record(o.body.spec)?.replicas;
      const count = typeof replicas === 'number' ? replicas : 1;
      // An HPA may own the count; still flag: the template default is what runs after a rollout.
      return count < 2
        ? [
            finding(
              'K8S002',
              'recommended',
              `${ref(o)} runs ${count} replica(s) (${where(o)}); node upgrades evict every pod, so set replicas >= 2 to stay available.`,
              ref(o),
            ),
          ]
        : [];
    }),
);

/** matchLabels-only selection (matchExpressions are treated as covering, to avoid false alarms). */
function selects(pdb: ManifestObject, labels: Record<string, string>): boolean {
  const selector = record(record(pdb.body.spec)?.selector);
  if (!selector) return false;
  if (Array.isArray(selector.matchExpressions) && selector.matchExpressions.length > 0) return true;
  const matchLabels = record(selector.matchLabels) ?? {};
  const entries = Object.entries(matchLabels);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

export const podDisruptionBudgets = withManifests('K8S004', (manifests) => {
  const pdbs = manifests.filter((o) => o.kind === 'PodDisruptionBudget');
  return manifests
    .filter((o) => REPLICATED_KINDS.has(o.kind))
    .flatMap((o) => {
      const labels = podLabelsOf(o);
      const covered = pdbs.some((p) => (p.namespace ?? 'default') === (o.namespace ?? 'default') && selects(p, labels));
      return covered
        ? []
        : [
            finding(
              'K8S004',
              'recommended',
              `${ref(o)} (${where(o)}) has no PodDisruptionBudget; add one (e.g. maxUnavailable: 1) so node drains keep it serving.`,
              ref(o),
            ),
          ];
    });
});

export const readinessProbes = withManifests('K8S006', (manifests) =>
  manifests
    .filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind))
    .flatMap((o) => {
      const missing = containersOf(o)
        .filter((c) => c.readinessProbe === undefined)
        .map((c) => (typeof c.name === 'string' ? c.name : '?'));
      return missing.length > 0
        ? [
            finding(
              'K8S006',
              'recommended',
              `${ref(o)} (${where(o)}): container(s) ${missing.join(', ')} have no readinessProbe, so traffic reaches pods before they are ready during rollouts; add one.`,
              ref(o),
            ),
          ]
        : [];
    }),
);

export const dockerSocketMounts = withManifests('K8S008', (manifests) =>
  manifests
    .filter((o) => POD_KINDS.has(o.kind))
    .flatMap((o) => {
      const volumes = podSpecOf(o)?.volumes;
      const paths = (Array.isArray(volumes) ? volumes : [])
        .map((v) => record(record(v)?.hostPath)?.path)
        .filter((p): p is string => typeof p === 'string');
      const socket = paths.find((p) => /(docker|dockershim)\.sock$/.test(p));
      return socket
        ? [
            finding(
              'K8S008',
              'required',
              `${ref(o)} (${where(o)}) mounts ${socket}; EKS nodes run containerd only (dockershim was removed in 1.24), so this workload breaks. Use the containerd socket or remove the dependency.`,
              ref(o),
            ),
          ]
        : [];
    }),
);
