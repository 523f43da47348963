// Finds deprecated and removed API versions in use, from three kinds of evidence, each graded: manifests and
// rendered Helm output (high: it is what gets applied), EKS insights (high when clients called the API recently),
// and the live cluster's last-applied-configuration annotation (medium: stale after `kubectl patch`/ArgoCD; see
// pluto#495, kubent#316). managedFields are never read as usage (kubent#309).
import type { ApiRemovalFinding, ApiScanResult, ApiUsageSource, Confidence } from './evidence';
import { API_REMOVALS, findApiRemoval, type ApiRemoval } from './api-removals';
import type { ManifestObject, ManifestParseError } from './manifests';
import type { Insight, LiveObject } from './snapshot';
import { isAtOrBefore, normalizeMinor, previousMinor, tryParseMinor } from './versions';

/** Stable codes of API findings, beside the readiness codes (docs/checks.md). */
export const API_REMOVED_BY_TARGET = 'API001';
export const API_DEPRECATED = 'API002';

export interface ScanVersions {
  /** The cluster's minor now; defaults to the minor before the target. */
  currentVersion?: string;
  targetVersion: string;
}

/** The object a finding is about, and where it was seen. */
export type Subject = Pick<ApiRemovalFinding, 'kind' | 'name' | 'namespace' | 'file' | 'line' | 'location'>;

export function relevant(removal: ApiRemoval, target: string): boolean {
  if (removal.removedIn !== undefined && isAtOrBefore(removal.removedIn, target)) return true;
  return removal.deprecatedIn === undefined || isAtOrBefore(removal.deprecatedIn, target);
}

/** Follows replacements that are themselves gone by the target (flowcontrol v1beta1 → v1beta2 → v1beta3 → v1). */
function survivingReplacement(removal: ApiRemoval, target: string): { replacement?: string; availableIn?: string } {
  let replacement = removal.replacement;
  let availableIn = removal.replacementAvailableIn;
  for (let hops = 0; replacement !== undefined && hops < 5; hops++) {
    const next = findApiRemoval(replacement, removal.kind);
    if (!next?.removedIn || !isAtOrBefore(next.removedIn, target)) break;
    replacement = next.replacement;
    availableIn = next.replacementAvailableIn;
  }
  return { replacement, availableIn };
}

export function makeFinding(
  subject: Subject,
  apiVersion: string,
  removal: ApiRemoval,
  versions: Required<ScanVersions>,
  source: ApiUsageSource,
  confidence: Confidence,
): ApiRemovalFinding {
  const removedByTarget = removal.removedIn !== undefined && isAtOrBefore(removal.removedIn, versions.targetVersion);
  const { replacement, availableIn } = survivingReplacement(removal, versions.targetVersion);
  const replacementAvailableOnCurrent =
    replacement !== undefined && availableIn !== undefined && isAtOrBefore(availableIn, versions.currentVersion);
  return {
    ...subject,
    apiVersion,
    deprecatedIn: removal.deprecatedIn,
    removedIn: removal.removedIn ?? 'unscheduled',
    replacement,
    replacementAvailableOnCurrent,
    removedByTarget,
    confidence,
    source,
    code: removedByTarget ? API_REMOVED_BY_TARGET : API_DEPRECATED,
    note: removal.note,
  };
}

export function resolveVersions(versions: ScanVersions): Required<ScanVersions> {
  const targetVersion = normalizeMinor(versions.targetVersion, 'target version');
  const currentVersion = versions.currentVersion
    ? normalizeMinor(versions.currentVersion, 'current version')
    : previousMinor(targetVersion);
  return { currentVersion, targetVersion };
}

/** Resolves the versions once, for findings made one object at a time (streamed manifests). */
export function resolveScanVersions(versions: ScanVersions): Required<ScanVersions> {
  return resolveVersions(versions);
}

/** The finding for one manifest object, or undefined when its API is neither deprecated nor removed by the target. */
export function manifestFinding(
  object: ManifestObject,
  resolved: Required<ScanVersions>,
): ApiRemovalFinding | undefined {
  const removal = findApiRemoval(object.apiVersion, object.kind);
  if (!removal || !relevant(removal, resolved.targetVersion)) return undefined;
  const subject: Subject = {
    kind: object.kind,
    name: object.name,
    namespace: object.namespace,
    file: object.file,
    line: object.line,
    location: object.unrendered
      ? `unrendered Helm template${object.unrendered.apiVersionLines > 1 ? `, one of ${object.unrendered.apiVersionLines} apiVersion lines chosen by a condition` : ''}: confirm with helm template --kube-version ${resolved.targetVersion}`
      : object.helmSource
        ? `helm template ${object.helmSource}`
        : undefined,
  };
  // A literal line in an unrendered template may sit in a branch the chart never renders for the target.
  const confidence: Confidence = !object.unrendered ? 'high' : object.unrendered.apiVersionLines > 1 ? 'low' : 'medium';
  const source = object.helmSource || object.unrendered ? 'helm' : 'manifest';
  return makeFinding(subject, object.apiVersion, removal, resolved, source, confidence);
}

/** Findings for parsed manifest objects (files, directories, stdin). */
export function scanManifestObjects(objects: ManifestObject[], versions: ScanVersions): ApiRemovalFinding[] {
  const resolved = resolveVersions(versions);
  const findings: ApiRemovalFinding[] = [];
  for (const object of objects) {
    const finding = manifestFinding(object, resolved);
    if (finding) findings.push(finding);
  }
  return findings;
}

/** Findings from the live cluster: only the last-applied-configuration apiVersion counts, at medium confidence. */
export function scanLiveObjects(objects: LiveObject[], versions: ScanVersions): ApiRemovalFinding[] {
  const resolved = resolveVersions(versions);
  const findings: ApiRemovalFinding[] = [];
  for (const object of objects) {
    if (!object.lastAppliedApiVersion) continue;
    const removal = findApiRemoval(object.lastAppliedApiVersion, object.kind);
    if (!removal || !relevant(removal, resolved.targetVersion)) continue;
    const subject: Subject = {
      kind: object.kind,
      name: object.name,
      namespace: object.namespace,
      location: `live cluster: last-applied-configuration says ${object.lastAppliedApiVersion}, served as ${object.apiVersion}; confirm against the source manifests`,
    };
    findings.push(makeFinding(subject, object.lastAppliedApiVersion, removal, resolved, 'live-cluster', 'medium'));
  }
  return findings;
}

export function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  if (lower.endsWith('s')) return `${lower}es`;
  return `${lower}s`;
}

/** "/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas" → group/version and resource. */
export function parseInsightUsage(usage: string): { groupVersion: string; resource: string } | undefined {
  const apis = /\/apis\/([^/]+)\/([^/]+)\/(?:namespaces\/[^/]+\/)?([^/?]+)/.exec(usage);
  if (apis) return { groupVersion: `${apis[1]}/${apis[2]}`, resource: apis[3] ?? '' };
  const core = /\/api\/(v[^/]+)\/(?:namespaces\/[^/]+\/)?([^/?]+)/.exec(usage);
  if (core) return { groupVersion: core[1] ?? '', resource: core[2] ?? '' };
  return undefined;
}

/** Findings from EKS upgrade insights' deprecation details; client user agents identify who still calls the API. */
export function scanInsights(insights: Insight[], versions: ScanVersions): ApiRemovalFinding[] {
  const resolved = resolveVersions(versions);
  const findings: ApiRemovalFinding[] = [];
  for (const insight of insights) {
    for (const detail of insight.deprecationDetails ?? []) {
      const parsed = detail.usage ? parseInsightUsage(detail.usage) : undefined;
      if (!parsed) continue;
      const known = API_REMOVALS.find(
        (r) => r.groupVersion === parsed.groupVersion && pluralOf(r.kind) === parsed.resource,
      );
      const stopServing = tryParseMinor(detail.stopServingVersion);
      const removedIn = stopServing ? `${stopServing.major}.${stopServing.minor}` : known?.removedIn;
      const replacementSince = tryParseMinor(detail.startServingReplacementVersion);
      const removal: ApiRemoval = {
        groupVersion: parsed.groupVersion,
        kind: known?.kind ?? parsed.resource,
        deprecatedIn: known?.deprecatedIn,
        removedIn,
        replacement: detail.replacedWith
          ? (parseInsightUsage(detail.replacedWith)?.groupVersion ?? detail.replacedWith)
          : known?.replacement,
        replacementAvailableIn: replacementSince
          ? `${replacementSince.major}.${replacementSince.minor}`
          : known?.replacementAvailableIn,
        scope: 'rest',
        stability: known?.stability ?? 'beta',
        note: known?.note,
      };
      if (!relevant(removal, resolved.targetVersion)) continue;
      const clients = (detail.clientStats ?? []).map(
        (c) =>
          `${c.userAgent ?? 'unknown client'} (${c.numberOfRequestsLast30Days ?? '?'} requests in 30 days${c.lastRequestTime ? `, last ${c.lastRequestTime}` : ''})`,
      );
      const calledRecently = (detail.clientStats ?? []).some((c) => (c.numberOfRequestsLast30Days ?? 0) > 0);
      const subject: Subject = {
        kind: removal.kind,
        name: '(API clients)',
        location: `EKS insight "${insight.name}" (${insight.status}): ${detail.usage ?? ''}${clients.length > 0 ? `; clients: ${clients.join(', ')}` : ''}`,
      };
      findings.push(
        makeFinding(
          subject,
          parsed.groupVersion,
          removal,
          resolved,
          'eks-insights',
          calledRecently ? 'high' : 'medium',
        ),
      );
    }
  }
  return findings;
}

/** Removed first, then by file and line: the order people fix things in. */
function byUrgency(a: ApiRemovalFinding, b: ApiRemovalFinding): number {
  const order = (f: ApiRemovalFinding) => (f.removedByTarget ? 0 : 1);
  return order(a) - order(b) || (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0);
}

export function buildApiScanResult(input: {
  targetVersion: string;
  findings: ApiRemovalFinding[];
  errors: ManifestParseError[];
  objectsScanned: number;
  /** Errors beyond those listed (the reader keeps a bounded number). */
  errorsOmitted?: number;
}): ApiScanResult {
  const findingCounts: Record<string, number> = {};
  for (const f of input.findings) {
    const code = f.code ?? API_DEPRECATED;
    findingCounts[code] = (findingCounts[code] ?? 0) + 1;
  }
  return {
    targetVersion: normalizeMinor(input.targetVersion, 'target version'),
    findings: [...input.findings].sort(byUrgency),
    errors: input.errors,
    objectsScanned: input.objectsScanned,
    findingCounts,
    findingsOmitted: 0,
    errorsOmitted: input.errorsOmitted ?? 0,
  };
}

/**
 * The result with at most `maxPerCode` findings of each code and `maxErrors` errors, for workflow payloads;
 * the counts still cover everything. Unchanged when nothing needs leaving out.
 */
export function boundApiScanResult(result: ApiScanResult, maxPerCode: number, maxErrors = maxPerCode): ApiScanResult {
  const kept: ApiRemovalFinding[] = [];
  const perCode = new Map<string, number>();
  for (const f of result.findings) {
    const code = f.code ?? API_DEPRECATED;
    const n = perCode.get(code) ?? 0;
    if (n < maxPerCode) kept.push(f);
    perCode.set(code, n + 1);
  }
  const errors = result.errors.slice(0, maxErrors);
  return {
    ...result,
    findings: kept,
    errors,
    findingsOmitted: (result.findingsOmitted ?? 0) + result.findings.length - kept.length,
    errorsOmitted: (result.errorsOmitted ?? 0) + result.errors.length - errors.length,
  };
}

/** True when an API removed at or before the target is in use (and not suppressed): the scan's exit code 3, a hard blocker. */
export function hasRemovedApiInUse(result: ApiScanResult): boolean {
  // Counts cover findings left out of the payload; suppressed ones (listed, with their rule) do not count.
  const listedRemoved = result.findings.filter((f) => f.removedByTarget);
  const removed = Math.max(result.findingCounts?.[API_REMOVED_BY_TARGET] ?? 0, listedRemoved.length);
  return removed - listedRemoved.filter((f) => f.suppressed).length > 0;
}
