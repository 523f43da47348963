// CustomResourceDefinition checks over the live cluster's CRDs: objects still stored at a version the CRD no longer
// serves (a storage migration is owed before that version can be dropped, and add-on upgrades that drop it fail),
// and served versions their authors marked deprecated.
import { deniedAmong, deniedText, type CrdSummary } from '../kubernetes-inventory';
import type { ReadinessFinding } from '../evidence';
import { finding, found, skipped, type CheckContext, type ReadinessCheck } from './check';

const CRD_RESOURCE = ['apiextensions.k8s.io/customresourcedefinitions'];

function withCrds(
  code: ReadinessCheck['code'],
  run: (crds: CrdSummary[], context: CheckContext) => ReadinessFinding[],
): ReadinessCheck {
  return {
    code,
    run(context) {
      const denied = deniedAmong(context.snapshot.kubernetesAccess, CRD_RESOURCE);
      if (denied.length > 0) return skipped(denied.map(deniedText).join('; '));
      const crds = context.snapshot.customResourceDefinitions;
      if (!crds) return skipped('the snapshot holds no CRDs (read the cluster with --live)');
      return found(run(crds, context));
    },
  };
}

export const storedVersionsNotServed = withCrds('CRD001', (crds) =>
  crds.flatMap((crd) => {
    const served = new Set(crd.versions.filter((v) => v.served).map((v) => v.name));
    const stale = crd.storedVersions.filter((v) => !served.has(v));
    return stale.length === 0
      ? []
      : [
          finding(
            'CRD001',
            'recommended',
            `CRD ${crd.name} lists ${stale.join(', ')} in status.storedVersions but no longer serves ${stale.length === 1 ? 'it' : 'them'}: objects in etcd may still be stored that way. Migrate them (kube-storage-version-migrator, or read and write every ${crd.kind} back), then remove the version from status.storedVersions before an add-on upgrade drops it.`,
            `CustomResourceDefinition/${crd.name}`,
          ),
        ];
  }),
);

export const deprecatedCrdVersions = withCrds('CRD002', (crds) =>
  crds.flatMap((crd) => {
    const storage = crd.versions.find((v) => v.storage)?.name;
    return crd.versions
      .filter((v) => v.served && v.deprecated)
      .map((v) =>
        finding(
          'CRD002',
          'recommended',
          `${crd.group}/${v.name} ${crd.kind} is served but marked deprecated${v.deprecationWarning ? ` ("${v.deprecationWarning}")` : ''}; move manifests and clients to ${storage && storage !== v.name ? `${crd.group}/${storage}` : 'a newer version'} before the add-on drops it.`,
          `CustomResourceDefinition/${crd.name}`,
        ),
      );
  }),
);
