// Workload resilience checks (eksup K8S002–K8S008) over the workloads of the user's manifests and of the live
// cluster (snapshot `workloads`/`podDisruptionBudgets`): node rollouts drain every node, so single replicas, missing
// PDBs, pods packed on one node, missing readiness probes and zero grace periods turn an upgrade into an outage.
// Both sources are reduced to the same WorkloadSummary, so a workload decides the same from a file or the cluster.
import type { ReadinessFinding } from '../evidence';
import { deniedAmong, deniedText, type PodDisruptionBudgetSummary } from '../kubernetes-inventory';
import { WORKLOAD_KINDS } from '../kubernetes-objects';
import { finding, found, skipped, type CheckContext, type ReadinessCheck, type CheckedWorkload } from './check';

const REPLICATED_KINDS = new Set(['Deployment', 'StatefulSet']);
const APPS = (resources: string[]) => resources.map((r) => `apps/${r}`);

function ref(w: CheckedWorkload): string {
  return `${w.kind} ${w.namespace ?? 'default'}/${w.name}`;
}

/** `file:line` for a manifest, "live cluster" for an object read from the API. */
function where(w: CheckedWorkload): string {
  return w.where ?? 'live cluster';
}

/**
 * A check over workloads: skipped when there are none to look at (no manifests, no live read) or when every list it
 * needs was forbidden; partial when some were (the findings stand, the rest was not checked).
 */
function withWorkloads(
  code: ReadinessCheck['code'],
  resources: string[],
  run: (workloads: CheckedWorkload[], context: CheckContext) => ReadinessFinding[],
): ReadinessCheck {
  return {
    code,
    run(context) {
      const denied = deniedAmong(context.snapshot.kubernetesAccess, resources);
      const reason = denied.map(deniedText).join('; ');
      if (!context.workloads) {
        return skipped(
          denied.length > 0
            ? reason
            : 'no workloads to check: pass --manifests, or read the cluster with --live (eks-upgrade snapshot --live)',
        );
      }
      const liveRead = context.snapshot.workloads !== undefined;
      if (liveRead && !context.manifests && denied.length === resources.length) return skipped(reason);
      const findings = run(context.workloads, context);
      return denied.length > 0 ? { findings, partial: reason } : found(findings);
    },
  };
}

function minimumReplicasFor(w: CheckedWorkload, context: CheckContext): number {
  const settings = context.settings?.K8S002;
  const override = settings?.overrides?.find(
    (o) => o.name === w.name && (o.namespace ?? 'default') === (w.namespace ?? 'default'),
  );
  return override?.minReplicas ?? settings?.minReplicas ?? 2;
}

export const minimumReplicas = withWorkloads('K8S002', APPS(['deployments', 'statefulsets']), (workloads, context) =>
  workloads
    .filter((w) => REPLICATED_KINDS.has(w.kind))
    .flatMap((w) => {
      const count = w.replicas ?? 1;
      const minimum = minimumReplicasFor(w, context);
      // An HPA may own the count; still flag: the template default is what runs after a rollout.
      return count < minimum
        ? [
            finding(
              'K8S002',
              'recommended',
              `${ref(w)} runs ${count} replica(s) (${where(w)}); node upgrades evict every pod, so set replicas >= ${minimum} to stay available.`,
              ref(w),
            ),
          ]
        : [];
    }),
);

export const minimumReadySeconds = withWorkloads('K8S003', APPS(['deployments', 'statefulsets']), (workloads) =>
  workloads
    .filter((w) => REPLICATED_KINDS.has(w.kind) && (w.minReadySeconds ?? 0) === 0)
    .map((w) =>
      finding(
        'K8S003',
        'recommended',
        `${ref(w)} (${where(w)}) has minReadySeconds 0, so a rollout during node replacement moves on as soon as a pod starts; set spec.minReadySeconds > 0${w.kind === 'StatefulSet' ? ' (eksup requires it for StatefulSets: kubernetes.io/blog/2021/08/27/minreadyseconds-statefulsets)' : ''}.`,
        ref(w),
      ),
    ),
);

/** matchLabels-only selection (matchExpressions are treated as covering, to avoid false alarms). */
function selects(pdb: PodDisruptionBudgetSummary, labels: Record<string, string>): boolean {
  if (pdb.hasMatchExpressions) return true;
  const entries = Object.entries(pdb.matchLabels ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

export const podDisruptionBudgets = withWorkloads(
  'K8S004',
  [...APPS(['deployments', 'statefulsets']), 'policy/poddisruptionbudgets'],
  (workloads, context) => {
    // By namespace: half a million objects would make a workload × PDB comparison quadratic.
    const pdbsByNamespace = new Map<string, PodDisruptionBudgetSummary[]>();
    for (const p of context.podDisruptionBudgets ?? []) {
      const namespace = p.namespace ?? 'default';
      const list = pdbsByNamespace.get(namespace);
      if (list) list.push(p);
      else pdbsByNamespace.set(namespace, [p]);
    }
    return workloads
      .filter((w) => REPLICATED_KINDS.has(w.kind))
      .flatMap((w) => {
        const covered = (pdbsByNamespace.get(w.namespace ?? 'default') ?? []).some((p) =>
          selects(p, w.podLabels ?? {}),
        );
        return covered
          ? []
          : [
              finding(
                'K8S004',
                'recommended',
                `${ref(w)} (${where(w)}) has no PodDisruptionBudget; add one (e.g. maxUnavailable: 1) so node drains keep it serving.`,
                ref(w),
              ),
            ];
      });
  },
);

export const podSpread = withWorkloads('K8S005', APPS(['deployments', 'statefulsets']), (workloads) =>
  workloads
    .filter((w) => REPLICATED_KINDS.has(w.kind) && (w.replicas ?? 1) > 1 && w.spreadsPods !== true)
    .map((w) =>
      finding(
        'K8S005',
        'recommended',
        `${ref(w)} (${where(w)}) sets neither topologySpreadConstraints nor podAntiAffinity, so its ${w.replicas ?? 1} replicas may share a node and go down together when it is drained; add a topologySpreadConstraint on kubernetes.io/hostname.`,
        ref(w),
      ),
    ),
);

export const readinessProbes = withWorkloads(
  'K8S006',
  APPS(['deployments', 'statefulsets', 'daemonsets']),
  (workloads) =>
    workloads
      .filter((w) => WORKLOAD_KINDS.has(w.kind) && (w.containersWithoutReadinessProbe?.length ?? 0) > 0)
      .map((w) =>
        finding(
          'K8S006',
          'recommended',
          `${ref(w)} (${where(w)}): container(s) ${(w.containersWithoutReadinessProbe ?? []).join(', ')} have no readinessProbe, so traffic reaches pods before they are ready during rollouts; add one.`,
          ref(w),
        ),
      ),
);

export const zeroTerminationGrace = withWorkloads('K8S007', APPS(['statefulsets']), (workloads) =>
  workloads
    .filter((w) => w.kind === 'StatefulSet' && w.terminationGracePeriodSeconds === 0)
    .map((w) =>
      finding(
        'K8S007',
        'required',
        `${ref(w)} (${where(w)}) sets terminationGracePeriodSeconds: 0, which force-deletes its pods on drain and can run two pods with the same identity; set a grace period (the default is 30 s).`,
        ref(w),
      ),
    ),
);

export const dockerSocketMounts = withWorkloads(
  'K8S008',
  APPS(['deployments', 'statefulsets', 'daemonsets']),
  (workloads) =>
    workloads
      .filter((w) => (w.dockerSocketPaths?.length ?? 0) > 0)
      .map((w) =>
        finding(
          'K8S008',
          'required',
          `${ref(w)} (${where(w)}) mounts ${w.dockerSocketPaths?.[0] ?? 'docker.sock'}; EKS nodes run containerd only (dockershim was removed in 1.24), so this workload breaks. Use the containerd socket or remove the dependency.`,
          ref(w),
        ),
      ),
);
