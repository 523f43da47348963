// The API scan of streamed files beyond plain manifests: Helm release Secrets given as files (`kubectl get secret -o
// json`, decoded to their newest deployed revision), third-party APIs (API003), and versions a live cluster's CRDs
// no longer serve (API004). Objects are handed over one at a time (readManifests' callback) and none is kept, so
// `eks-upgrade scan` and the evidence activity find the same things in the same files whatever their size.
import { manifestFinding, resolveScanVersions, type ScanVersions } from '../../domain/api-scan';
import {
  apiTables,
  isTrackedApi,
  scanApiObjects,
  scanThirdPartyApis,
  scanUnservedCrdVersions,
  type ApiTables,
} from '../../domain/api-scan-cluster';
import type { ApiRemovalFinding } from '../../domain/evidence';
import type { CrdSummary } from '../../domain/kubernetes-inventory';
import type { ManifestObject, ManifestParseError } from '../../domain/manifests';
import type { UserVersions } from '../../domain/third-party-apis';
import { HelmReleaseCollector } from './helm-secrets';

export interface FileScan {
  /** Give it every streamed object; release Secrets are decoded, the others scanned. */
  onObject(object: ManifestObject): void;
  /** The findings of everything offered, the release Secrets that could not be decoded, and the objects counted. */
  finish(): { findings: ApiRemovalFinding[]; errors: ManifestParseError[]; helmObjects: number };
}

/** `crds`: the cluster's CRDs when a live read is there (API004 needs them). */
export function createFileScan(versions: ScanVersions, user?: UserVersions, crds: CrdSummary[] = []): FileScan {
  const resolved = resolveScanVersions(versions);
  const tables: ApiTables = apiTables(user);
  const helm = new HelmReleaseCollector((apiVersion, kind) => isTrackedApi(apiVersion, kind, tables));
  const findings: ApiRemovalFinding[] = [];
  return {
    onObject(object) {
      if (helm.offer(object)) return;
      const removal = manifestFinding(object, resolved);
      if (removal) findings.push(removal);
      const subject = {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: object.name,
        namespace: object.namespace,
        file: object.file,
        line: object.line,
        source: object.helmSource ? ('helm' as const) : ('manifest' as const),
        confidence: 'high' as const,
      };
      findings.push(...scanThirdPartyApis([subject], tables), ...scanUnservedCrdVersions([subject], crds));
    },
    finish() {
      const helmObjects = helm.finish().flatMap(({ summary, file, line }) =>
        summary.objects.map((o) => ({
          apiVersion: o.apiVersion,
          kind: o.kind,
          name: o.name,
          namespace: o.namespace ?? summary.namespace,
          file,
          line,
          location: `Helm release ${summary.namespace}/${summary.name} revision ${summary.revision}${summary.chart ? ` (chart ${summary.chart}${summary.chartVersion ? `-${summary.chartVersion}` : ''})` : ''}${o.template ? `, ${o.template}` : ''}`,
        })),
      );
      const asHelm = helmObjects.map((o) => ({ ...o, source: 'helm' as const, confidence: 'high' as const }));
      return {
        findings: [
          ...findings,
          ...scanApiObjects(helmObjects, versions, 'helm', 'high', tables),
          ...scanThirdPartyApis(asHelm, tables),
          ...scanUnservedCrdVersions(asHelm, crds),
        ],
        errors: helm.errors,
        helmObjects: helmObjects.length,
      };
    },
  };
}
