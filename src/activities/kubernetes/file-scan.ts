// The API scan of files: manifests and rendered Helm output as before, plus Helm release Secrets given as files
// (`kubectl get secret -o json`, decoded to their newest deployed revision) and third-party APIs (API003). Shared by
// `eks-upgrade scan` and the evidence activity, so both find the same things in the same files.
import { scanManifestObjects, type ScanVersions } from '../../domain/api-scan';
import {
  apiTables,
  isTrackedApi,
  scanApiObjects,
  scanThirdPartyApis,
  type ApiTables,
} from '../../domain/api-scan-cluster';
import type { ApiRemovalFinding } from '../../domain/evidence';
import type { ManifestObject, ManifestParseError, ParsedManifests } from '../../domain/manifests';
import type { UserVersions } from '../../domain/third-party-apis';
import { expandHelmReleaseSecrets } from './helm-secrets';

export interface FileScan {
  findings: ApiRemovalFinding[];
  errors: ManifestParseError[];
  /** Objects examined: plain manifest objects plus the tracked objects of each release. */
  objectsScanned: number;
  /** The manifest objects left once release Secrets are replaced by their releases (for the workload checks). */
  objects: ManifestObject[];
}

export function scanManifestFiles(parsed: ParsedManifests, versions: ScanVersions, user?: UserVersions): FileScan {
  const tables: ApiTables = apiTables(user);
  const expanded = expandHelmReleaseSecrets(parsed.objects, (apiVersion, kind) =>
    isTrackedApi(apiVersion, kind, tables),
  );
  const helmObjects = expanded.releases.flatMap(({ summary, file, line }) =>
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
  const findings = [
    ...scanManifestObjects(expanded.objects, versions),
    ...scanApiObjects(helmObjects, versions, 'helm', 'high', tables),
    ...scanThirdPartyApis(
      [
        ...expanded.objects.map((o) => ({
          apiVersion: o.apiVersion,
          kind: o.kind,
          name: o.name,
          namespace: o.namespace,
          file: o.file,
          line: o.line,
          source: o.helmSource ? ('helm' as const) : ('manifest' as const),
          confidence: 'high' as const,
        })),
        ...helmObjects.map((o) => ({ ...o, source: 'helm' as const, confidence: 'high' as const })),
      ],
      tables,
    ),
  ];
  return {
    findings,
    errors: [...parsed.errors, ...expanded.errors],
    objectsScanned: expanded.objects.length + helmObjects.length,
    objects: expanded.objects,
  };
}
