// The cluster as the earlier hops of its path will leave it, for analysing a later hop before the earlier ones ran
// (analyze mode: 1.29 → 1.31 analyses 1.30 → 1.31 on the 1.29 snapshot moved to 1.30). Only what every hop's plan
// changes moves: the control plane, the managed node groups that were on the control plane's minor, the kubelets
// they run, and the EKS add-ons whose default for the new minor is known. Upgrade insights about a minor the
// projection has reached are dropped (that upgrade is done); those about later minors stay.
import type { ClusterSnapshot } from './snapshot';
import { compareMinor, tryParseMinor } from './versions';

function minorText(version: string | undefined): string | undefined {
  const v = tryParseMinor(version);
  return v ? `${v.major}.${v.minor}` : undefined;
}

/** The snapshot moved to `version`; the input when it is already there. Throws for a downgrade. */
export function projectSnapshot(snapshot: ClusterSnapshot, version: string): ClusterSnapshot {
  const from = snapshot.cluster.version;
  if (from === version) return snapshot;
  if (compareMinor(version, from) < 0)
    throw new Error(`cannot project cluster ${snapshot.cluster.name} from ${from} back to ${version}`);
  const movedGroups = new Set<string>();
  const nodeGroups = snapshot.nodeGroups?.map((g) => {
    if (g.version !== from) return g;
    movedGroups.add(g.name);
    const { releaseVersion: _release, ...rest } = g;
    return { ...rest, version };
  });
  const nodes = snapshot.nodes?.map((n) =>
    n.nodeGroup && movedGroups.has(n.nodeGroup) && minorText(n.kubeletVersion) === from
      ? { ...n, kubeletVersion: `v${version}.0` }
      : n,
  );
  const addons = snapshot.addons?.map((a) => {
    const next = a.defaultVersions?.[version];
    return next ? { ...a, version: next } : a;
  });
  // An insight about upgrading to a minor the projection has reached is answered; later ones still stand.
  const insights = snapshot.insights?.filter((i) => {
    const about = minorText(i.kubernetesVersion);
    return !about || compareMinor(about, version) > 0;
  });
  return {
    ...snapshot,
    cluster: { ...snapshot.cluster, version },
    ...(nodeGroups ? { nodeGroups } : {}),
    ...(nodes ? { nodes } : {}),
    ...(addons ? { addons } : {}),
    ...(insights ? { insights } : {}),
  };
}
