// Helm v3 releases as stored in the cluster (Secrets of type helm.sh/release.v1, labels owner=helm, name, status,
// version): which revision counts, and what of its manifest a snapshot keeps. Only the newest *deployed* revision
// of a release is scanned — superseded revisions still carry the APIs a later upgrade removed, the false positive
// users of other scanners complain about (kubent#469) — and only objects whose API is in a removal table are kept.
// Decoding (base64, gzip, JSON) is I/O-free but needs zlib: src/activities/kubernetes/helm-secrets.ts.
import type { HelmObject, HelmReleaseSummary } from './kubernetes-inventory';
import { parseManifestText } from './manifests';

export const HELM_RELEASE_SECRET_TYPE = 'helm.sh/release.v1';

/** What a release Secret's labels say, before its payload is decoded. */
export interface ReleaseSecretRef {
  /** The Secret's namespace (Helm keeps it in the release's namespace). */
  namespace: string;
  releaseName: string;
  revision: number;
  status: string;
}

/** The labels Helm sets on a release Secret; undefined when they are missing or malformed. */
export function releaseRefOf(
  namespace: string,
  labels: Record<string, string> | undefined,
): ReleaseSecretRef | undefined {
  const revision = Number(labels?.version);
  if (!labels?.name || !Number.isInteger(revision) || labels.owner?.toLowerCase() !== 'helm') return undefined;
  return { namespace, releaseName: labels.name, revision, status: labels.status ?? 'unknown' };
}

/**
 * The newest deployed revision of every release (namespace + name), with the other revisions still marked deployed
 * (a failed or interrupted upgrade can leave two). Releases with no deployed revision (failed installs, uninstalled
 * with --keep-history) are not scanned: nothing of them is running as Helm recorded it.
 */
export function latestDeployed<T extends ReleaseSecretRef>(refs: T[]): Array<{ latest: T; otherDeployed: number[] }> {
  const byRelease = new Map<string, T[]>();
  for (const ref of refs) {
    if (ref.status !== 'deployed') continue;
    const key = `${ref.namespace}/${ref.releaseName}`;
    byRelease.set(key, [...(byRelease.get(key) ?? []), ref]);
  }
  return [...byRelease.values()].map((deployed) => {
    const sorted = [...deployed].sort((a, b) => b.revision - a.revision);
    return { latest: sorted[0] as T, otherDeployed: sorted.slice(1).map((r) => r.revision) };
  });
}

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** The fields of a decoded release (Helm's release.Release JSON) that a scan needs; the rest is dropped here. */
export interface HelmReleaseRecord {
  name: string;
  namespace: string;
  revision: number;
  status: string;
  chart?: string;
  chartVersion?: string;
  appVersion?: string;
  manifest: string;
}

export function helmReleaseRecordOf(value: unknown, fallbackNamespace: string): HelmReleaseRecord | undefined {
  const release = record(value);
  if (!release || typeof release.name !== 'string') return undefined;
  const metadata = record(record(release.chart)?.metadata);
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  return {
    name: release.name,
    namespace: str(release.namespace) ?? fallbackNamespace,
    revision: typeof release.version === 'number' ? release.version : 0,
    status: str(record(release.info)?.status) ?? 'unknown',
    chart: str(metadata?.name),
    chartVersion: str(metadata?.version),
    appVersion: str(metadata?.appVersion),
    manifest: typeof release.manifest === 'string' ? release.manifest : '',
  };
}

/**
 * A release reduced to what the snapshot keeps: its identity and the manifest objects whose API is tracked. The
 * manifest (which may embed Secrets and values) is parsed here and goes no further.
 */
export function summarizeHelmRelease(
  record: HelmReleaseRecord,
  isTracked: (apiVersion: string, kind: string) => boolean,
  otherDeployedRevisions: number[] = [],
): HelmReleaseSummary {
  const parsed = parseManifestText(record.manifest, `helm:${record.namespace}/${record.name}`);
  const objects: HelmObject[] = parsed.objects
    .filter((o) => isTracked(o.apiVersion, o.kind))
    .map((o) => ({
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.name,
      ...(o.namespace ? { namespace: o.namespace } : {}),
      ...(o.helmSource ? { template: o.helmSource } : {}),
    }));
  return {
    name: record.name,
    namespace: record.namespace,
    revision: record.revision,
    ...(record.chart ? { chart: record.chart } : {}),
    ...(record.chartVersion ? { chartVersion: record.chartVersion } : {}),
    ...(record.appVersion ? { appVersion: record.appVersion } : {}),
    ...(otherDeployedRevisions.length > 0 ? { otherDeployedRevisions } : {}),
    objects,
  };
}
