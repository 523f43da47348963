// Where the workload checks get their workloads: the user's manifests (each with file:line) and the live cluster's
// summaries in the snapshot. An object in both counts once, from the manifest: that is what gets applied next, and
// its file:line is where to fix it.
import type { PodDisruptionBudgetSummary } from '../kubernetes-inventory';
import { pdbSummaryFromFacts, workloadSummaryFromFacts } from '../kubernetes-objects';
import type { ManifestObject } from '../manifests';
import type { ClusterSnapshot } from '../snapshot';
import type { CheckedWorkload } from './check';

function key(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}|${namespace ?? 'default'}|${name}`;
}

/** undefined when neither manifests nor a live read are there (the checks are then skipped, not passed). */
export function workloadsOf(
  manifests: ManifestObject[] | undefined,
  snapshot: ClusterSnapshot,
): CheckedWorkload[] | undefined {
  if (!manifests && !snapshot.workloads) return undefined;
  const byKey = new Map<string, CheckedWorkload>();
  for (const object of manifests ?? []) {
    if (!object.workload || object.unrendered) continue;
    const summary = workloadSummaryFromFacts(object, object.workload);
    byKey.set(key(summary.kind, summary.namespace, summary.name), {
      ...summary,
      where: `${object.file}:${object.line}`,
    });
  }
  for (const live of snapshot.workloads ?? []) {
    const k = key(live.kind, live.namespace, live.name);
    if (!byKey.has(k)) byKey.set(k, live);
  }
  return [...byKey.values()];
}

export function podDisruptionBudgetsOf(
  manifests: ManifestObject[] | undefined,
  snapshot: ClusterSnapshot,
): PodDisruptionBudgetSummary[] {
  const fromManifests = (manifests ?? []).flatMap((o) => (o.pdb ? [pdbSummaryFromFacts(o, o.pdb)] : []));
  return [...fromManifests, ...(snapshot.podDisruptionBudgets ?? [])];
}
