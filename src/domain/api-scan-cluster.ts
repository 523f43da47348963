// The API scan's cluster-side evidence beyond last-applied annotations and EKS insights: what the API server itself
// says clients requested (apiserver_requested_deprecated_apis: in use now, high confidence), the objects of each
// Helm release's newest deployed revision (high: it is what Helm applied), and third-party APIs (cert-manager,
// Istio, Karpenter, the AWS Load Balancer Controller, a user's versions file) keyed to the add-on's own version.
import { API_REMOVALS, findApiRemoval, type ApiRemoval } from './api-removals';
import {
  makeFinding,
  pluralOf,
  relevant,
  resolveVersions,
  scanInsights,
  scanLiveObjects,
  type ScanVersions,
  type Subject,
} from './api-scan';
import type { ApiRemovalFinding, ApiUsageSource, Confidence } from './evidence';
import {
  deniedText,
  type CrdSummary,
  type HelmReleaseSummary,
  type RequestedDeprecatedApi,
} from './kubernetes-inventory';
import type { ClusterSnapshot } from './snapshot';
import {
  compareComponentVersions,
  findThirdPartyApi,
  THIRD_PARTY_APIS,
  type ThirdPartyApi,
  type UserVersions,
} from './third-party-apis';
import { tryParseMinor } from './versions';

export const API_THIRD_PARTY = 'API003';
export const API_NOT_SERVED = 'API004';

/** The removal tables a scan uses: the built-in ones plus a user's versions file. */
export interface ApiTables {
  kubernetes: readonly ApiRemoval[];
  thirdParty: readonly ThirdPartyApi[];
  /** Add-on versions to check third-party APIs against (a versions file's target-versions win over detection). */
  componentVersions: Record<string, string>;
}

export function apiTables(user?: UserVersions, detected: Record<string, string> = {}): ApiTables {
  return {
    kubernetes: user?.kubernetes ?? [],
    thirdParty: [...(user?.thirdParty ?? []), ...THIRD_PARTY_APIS],
    componentVersions: { ...detected, ...(user?.targetVersions ?? {}) },
  };
}

function kubernetesRemoval(tables: ApiTables | undefined, apiVersion: string, kind: string): ApiRemoval | undefined {
  return (
    tables?.kubernetes.find((r) => r.groupVersion === apiVersion && (r.kind === kind || r.kind === '')) ??
    findApiRemoval(apiVersion, kind)
  );
}

/** Whether an apiVersion/kind is in any removal table: only such objects are worth keeping in a snapshot. */
export function isTrackedApi(apiVersion: string, kind: string, tables?: ApiTables): boolean {
  return (
    kubernetesRemoval(tables, apiVersion, kind) !== undefined ||
    findThirdPartyApi(tables?.thirdParty ?? THIRD_PARTY_APIS, apiVersion, kind) !== undefined
  );
}

type ApiObject = Subject & { apiVersion: string };

/** Findings for objects seen outside files (Helm releases from the cluster): the same facts and grading as files. */
export function scanApiObjects(
  objects: ApiObject[],
  versions: ScanVersions,
  source: ApiUsageSource,
  confidence: Confidence,
  tables?: ApiTables,
): ApiRemovalFinding[] {
  const resolved = resolveVersions(versions);
  const findings: ApiRemovalFinding[] = [];
  for (const { apiVersion, ...subject } of objects) {
    const removal = kubernetesRemoval(tables, apiVersion, subject.kind);
    if (!removal || !relevant(removal, resolved.targetVersion)) continue;
    findings.push(makeFinding(subject, apiVersion, removal, resolved, source, confidence));
  }
  return findings;
}

function releaseLabel(release: HelmReleaseSummary): string {
  const chart = release.chart
    ? `, chart ${release.chart}${release.chartVersion ? `-${release.chartVersion}` : ''}`
    : '';
  return `Helm release ${release.namespace}/${release.name} revision ${release.revision}${chart}`;
}

/** The objects of each release's scanned revision, as API objects with where they came from. */
export function helmApiObjects(releases: HelmReleaseSummary[]): ApiObject[] {
  return releases.flatMap((release) =>
    release.objects.map((o) => ({
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.name,
      namespace: o.namespace ?? release.namespace,
      location: `${releaseLabel(release)}${o.template ? ` (${o.template})` : ''}; fix the chart or its values and run helm upgrade`,
    })),
  );
}

export function scanHelmReleases(
  releases: HelmReleaseSummary[],
  versions: ScanVersions,
  tables?: ApiTables,
): ApiRemovalFinding[] {
  return scanApiObjects(helmApiObjects(releases), versions, 'helm', 'high', tables);
}

/**
 * The API server's own record of deprecated APIs requested since it started (removed_release says when each goes):
 * a client asked for it, so it is in use now, whoever the client is. Names no object: the client must be found
 * (audit logs, EKS insights' user agents).
 */
export function scanRequestedDeprecatedApis(
  requested: RequestedDeprecatedApi[],
  versions: ScanVersions,
): ApiRemovalFinding[] {
  const resolved = resolveVersions(versions);
  const findings: ApiRemovalFinding[] = [];
  for (const api of requested) {
    // Core v1 Endpoints is deprecated (1.33) but will never be removed, and every Service has one: not reported.
    if (api.group === '' && api.version === 'v1' && api.resource === 'endpoints') continue;
    const groupVersion = api.group ? `${api.group}/${api.version}` : api.version;
    const known = API_REMOVALS.find((r) => r.groupVersion === groupVersion && pluralOf(r.kind) === api.resource);
    const removedRelease = tryParseMinor(api.removedRelease);
    const removal: ApiRemoval = {
      groupVersion,
      kind: known?.kind ?? api.resource,
      deprecatedIn: known?.deprecatedIn,
      removedIn: removedRelease ? `${removedRelease.major}.${removedRelease.minor}` : known?.removedIn,
      replacement: known?.replacement,
      replacementAvailableIn: known?.replacementAvailableIn,
      scope: 'rest',
      stability: known?.stability ?? 'beta',
      note: known?.note,
    };
    if (!relevant(removal, resolved.targetVersion)) continue;
    const path = `/${api.group ? `apis/${api.group}` : 'api'}/${api.version}/${api.resource}${api.subresource ? `/${api.subresource}` : ''}`;
    const subject: Subject = {
      kind: removal.kind,
      name: '(API clients)',
      location: `API server metric apiserver_requested_deprecated_apis: ${path} was requested since the API server started${api.removedRelease ? ` (removed_release ${api.removedRelease})` : ''}; find the client in the audit log (annotations.k8s.io/deprecated) or EKS insights`,
    };
    findings.push(makeFinding(subject, groupVersion, removal, resolved, 'api-server-metrics', 'high'));
  }
  return findings;
}

/** Installed add-on versions, from Helm charts and CRD labels: third-party removals are judged against them. */
export function detectComponentVersions(snapshot: ClusterSnapshot): Record<string, string> {
  const found: Record<string, string> = {};
  const charts: Record<string, string[]> = {
    'cert-manager': ['cert-manager'],
    istio: ['istiod', 'base', 'istio-base'],
    karpenter: ['karpenter'],
    'aws-load-balancer-controller': ['aws-load-balancer-controller'],
  };
  for (const release of snapshot.helmReleases ?? []) {
    for (const [component, names] of Object.entries(charts)) {
      const version = release.appVersion ?? release.chartVersion;
      if (release.chart && names.includes(release.chart) && version) found[component] ??= version;
    }
  }
  const groups: Record<string, string> = {
    'cert-manager.io': 'cert-manager',
    'karpenter.sh': 'karpenter',
    'elbv2.k8s.aws': 'aws-load-balancer-controller',
    'networking.istio.io': 'istio',
  };
  for (const crd of snapshot.customResourceDefinitions ?? []) {
    const component = groups[crd.group];
    if (component && crd.appVersion) found[component] ??= crd.appVersion;
  }
  return found;
}

function componentTarget(tables: ApiTables, component: string): string | undefined {
  return tables.componentVersions[component];
}

/** Third-party API use (API003): never a Kubernetes blocker, but named with the add-on version that removes it. */
export function scanThirdPartyApis(
  objects: Array<ApiObject & { source: ApiUsageSource; confidence: Confidence }>,
  tables: ApiTables,
): ApiRemovalFinding[] {
  const findings: ApiRemovalFinding[] = [];
  for (const { apiVersion, source, confidence, ...subject } of objects) {
    const entry = findThirdPartyApi(tables.thirdParty, apiVersion, subject.kind);
    if (!entry) continue;
    const installed = componentTarget(tables, entry.component);
    const removedNow =
      installed !== undefined &&
      entry.removedIn !== undefined &&
      compareComponentVersions(installed, entry.removedIn) >= 0;
    const when = entry.removedIn
      ? `removed in ${entry.component} ${entry.removedIn}`
      : `deprecated in ${entry.component} ${entry.deprecatedIn ?? ''}, no removal announced`;
    findings.push({
      ...subject,
      apiVersion,
      deprecatedIn: entry.deprecatedIn ? `${entry.component} ${entry.deprecatedIn}` : undefined,
      removedIn: entry.removedIn ? `${entry.component} ${entry.removedIn}` : 'unscheduled',
      replacement: entry.replacement,
      replacementAvailableOnCurrent: false,
      removedByTarget: false,
      confidence,
      source,
      code: API_THIRD_PARTY,
      component: entry.component,
      factSource: entry.source,
      note: installed
        ? `${when}; ${entry.component} ${installed} is ${removedNow ? 'installed or targeted, so this version is no longer served: migrate now' : 'installed: migrate before upgrading the add-on past it'}`
        : `${when}; the installed ${entry.component} version is unknown (set it in a versions file's target-versions)`,
    });
  }
  return findings;
}

/**
 * Objects at a version their CRD lists but no longer serves (API004): applying them fails now, whatever the target.
 * Judged against the cluster's own CRDs, so it needs a live read (or a snapshot of one).
 */
export function scanUnservedCrdVersions(
  objects: Array<ApiObject & { source: ApiUsageSource; confidence: Confidence }>,
  crds: CrdSummary[],
): ApiRemovalFinding[] {
  const findings: ApiRemovalFinding[] = [];
  for (const { apiVersion, source, confidence, ...subject } of objects) {
    const [group, version] = apiVersion.split('/');
    if (!group || !version) continue;
    const crd = crds.find((c) => c.group === group && c.kind === subject.kind);
    const listed = crd?.versions.find((v) => v.name === version);
    if (!crd || !listed || listed.served) continue;
    const served = crd.versions.filter((v) => v.served).map((v) => `${group}/${v.name}`);
    findings.push({
      ...subject,
      apiVersion,
      removedIn: 'no longer served by this cluster',
      ...(served.length > 0 ? { replacement: served[served.length - 1] } : {}),
      replacementAvailableOnCurrent: served.length > 0,
      removedByTarget: false,
      confidence,
      source,
      code: API_NOT_SERVED,
      note: `the CRD ${crd.name} lists ${version} with served: false${crd.appVersion ? ` (add-on ${crd.appVersion})` : ''}; objects at this version cannot be applied: move them to ${served.join(' or ') || 'a served version'}`,
    });
  }
  return findings;
}

/** Why a cluster-side source was not scanned: denied lists (with the rule to add) and reads that failed. */
function skippedSources(snapshot: ClusterSnapshot): Array<{ source: string; reason: string }> {
  const access = snapshot.kubernetesAccess;
  if (!access) return [];
  const skipped: Array<{ source: string; reason: string }> = [];
  for (const d of access.denied) {
    const source =
      d.resource === 'secrets'
        ? 'Helm releases (release Secrets)'
        : d.resource === '/metrics'
          ? 'API server metric apiserver_requested_deprecated_apis (/metrics)'
          : d.resource === 'customresourcedefinitions'
            ? 'CRDs (third-party API versions)'
            : d.group === 'nonResourceURL'
              ? `live objects (${d.resource})`
              : `live objects: ${d.group ? `${d.group}/` : ''}${d.resource}`;
    skipped.push({ source, reason: deniedText(d) });
  }
  for (const u of access.unavailable) skipped.push({ source: u.what, reason: u.reason });
  return skipped;
}

/**
 * Every cluster-side API finding a snapshot supports: last-applied annotations, EKS insights, the API server's
 * requested-deprecated-APIs metric, Helm releases, and third-party APIs in all of them. Pure: a snapshot file and a
 * live read of the same cluster give the same findings.
 */
export function scanSnapshotApis(
  snapshot: ClusterSnapshot,
  versions: ScanVersions,
  user?: UserVersions,
): {
  findings: ApiRemovalFinding[];
  sourcesSkipped: Array<{ source: string; reason: string }>;
  objectsScanned: number;
} {
  const tables = apiTables(user, detectComponentVersions(snapshot));
  const live = snapshot.liveObjects ?? [];
  const helm = helmApiObjects(snapshot.helmReleases ?? []);
  // The versions objects were declared at: Helm's manifests, and what a live object's last kubectl apply said.
  const declared = [
    ...helm.map((o) => ({ ...o, source: 'helm' as const, confidence: 'high' as const })),
    ...live
      .filter((o) => o.lastAppliedApiVersion)
      .map((o) => ({
        apiVersion: o.lastAppliedApiVersion ?? o.apiVersion,
        kind: o.kind,
        name: o.name,
        namespace: o.namespace,
        location: `live cluster: last-applied-configuration says ${o.lastAppliedApiVersion}`,
        source: 'live-cluster' as const,
        confidence: 'medium' as const,
      })),
  ];
  const findings = [
    ...scanLiveObjects(live, versions),
    ...scanInsights(snapshot.insights ?? [], versions),
    ...scanRequestedDeprecatedApis(snapshot.requestedDeprecatedApis ?? [], versions),
    ...scanApiObjects(helm, versions, 'helm', 'high', tables),
    ...scanThirdPartyApis(declared, tables),
    ...scanUnservedCrdVersions(declared, snapshot.customResourceDefinitions ?? []),
  ];
  return { findings, sourcesSkipped: skippedSources(snapshot), objectsScanned: live.length + helm.length };
}
