// The snapshot as the readiness prompt sees it: the EKS parts as they are, the per-object Kubernetes sections
// (nodes, workloads, PDBs, live objects, Helm releases, CRDs) reduced to counts and short lists. The readiness
// findings already name every object that needs attention; a 5,000-object cluster must not become a 5,000-line
// prompt (cost, and the model's attention).
import type { ClusterSnapshot } from './snapshot';
import { tryParseMinor } from './versions';

const LISTED = 20;

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

export function snapshotForPrompt(snapshot: ClusterSnapshot): Record<string, unknown> {
  const { nodes, workloads, podDisruptionBudgets, liveObjects, helmReleases, customResourceDefinitions, ...rest } =
    snapshot;
  const minor = (v: string) => {
    const m = tryParseMinor(v);
    return m ? `${m.major}.${m.minor}` : v;
  };
  return {
    ...rest,
    ...(nodes
      ? {
          nodes: {
            total: nodes.length,
            byKindAndKubelet: countBy(nodes, (n) => `${n.kind ?? '?'} ${minor(n.kubeletVersion)}`),
          },
        }
      : {}),
    ...(workloads ? { workloads: { total: workloads.length, byKind: countBy(workloads, (w) => w.kind) } } : {}),
    ...(podDisruptionBudgets ? { podDisruptionBudgets: { total: podDisruptionBudgets.length } } : {}),
    ...(liveObjects
      ? {
          liveObjectsWithOldLastApplied: {
            total: liveObjects.length,
            first: liveObjects
              .slice(0, LISTED)
              .map(
                (o) => `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}: ${o.lastAppliedApiVersion ?? ''}`,
              ),
          },
        }
      : {}),
    ...(helmReleases
      ? {
          helmReleases: {
            total: helmReleases.length,
            withTrackedApis: helmReleases
              .filter((r) => r.objects.length > 0)
              .slice(0, LISTED)
              .map(
                (r) =>
                  `${r.namespace}/${r.name} (${r.chart ?? '?'} ${r.chartVersion ?? ''}): ${r.objects.map((o) => `${o.kind} ${o.apiVersion}`).join(', ')}`,
              ),
          },
        }
      : {}),
    ...(customResourceDefinitions
      ? {
          customResourceDefinitions: {
            total: customResourceDefinitions.length,
            withDeprecatedOrUnservedVersions: customResourceDefinitions
              .filter((c) => c.versions.some((v) => v.deprecated || !v.served))
              .slice(0, LISTED)
              .map(
                (c) =>
                  `${c.name}: ${c.versions.map((v) => `${v.name}${v.served ? '' : ' (not served)'}${v.deprecated ? ' (deprecated)' : ''}`).join(', ')}`,
              ),
          },
        }
      : {}),
  };
}
