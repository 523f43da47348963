// Workload resilience checks over the user's manifests (eksup K8S002/K8S004/K8S006/K8S008): node rollouts drain
// every node, so single replicas, missing PDBs and missing readiness probes turn an upgrade into an outage.
import type { ReadinessFinding } from '../evidence';
import type { ManifestObject } from '../manifests';
import { POD_KINDS } from '../workload-facts';
import { finding, found, skipped, type CheckContext, type ReadinessCheck } from './check';

const REPLICATED_KINDS = new Set(['Deployment', 'StatefulSet']);

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
      const count = o.workload?.replicas ?? 1;
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
  if (!pdb.pdb?.hasSelector) return false;
  if (pdb.pdb.hasMatchExpressions) return true;
  const entries = Object.entries(pdb.pdb.matchLabels);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

export const podDisruptionBudgets = withManifests('K8S004', (manifests) => {
  // By namespace: half a million objects would make a workload × PDB comparison quadratic.
  const pdbsByNamespace = new Map<string, ManifestObject[]>();
  for (const o of manifests) {
    if (o.kind !== 'PodDisruptionBudget') continue;
    const namespace = o.namespace ?? 'default';
    const list = pdbsByNamespace.get(namespace) ?? [];
    if (list.length === 0) pdbsByNamespace.set(namespace, list);
    list.push(o);
  }
  return manifests
    .filter((o) => REPLICATED_KINDS.has(o.kind))
    .flatMap((o) => {
      const labels = o.workload?.podLabels ?? {};
      const covered = (pdbsByNamespace.get(o.namespace ?? 'default') ?? []).some((p) => selects(p, labels));
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
      const missing = (o.workload?.containers ?? []).filter((c) => !c.hasReadinessProbe).map((c) => c.name);
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
      const socket = o.workload?.hostPaths.find((p) => /(docker|dockershim)\.sock$/.test(p));
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
