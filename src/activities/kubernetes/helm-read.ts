// Helm v3 releases from the cluster: only Secrets of Helm's type labelled deployed are listed (superseded revisions,
// the bulk of release storage, are never fetched), the newest revision of each release is kept while paging (so at
// most one payload per release is held), then decoded and reduced to a HelmReleaseSummary. Values, manifests and
// every other Secret field stay here.
import type { CoreV1Api } from '@kubernetes/client-node';
import { releaseRefOf, summarizeHelmRelease, type ReleaseSecretRef } from '../../domain/helm-release';
import type { HelmReleaseSummary } from '../../domain/kubernetes-inventory';
import { helmReleaseRecordFromSecret } from './helm-secrets';
import { listAll, plain, type AccessRecorder, type Json } from './list-support';
import type { Tracked } from './live-objects';

export interface HelmReadDeps {
  core: CoreV1Api;
  recorder: AccessRecorder;
  pageSize: number;
  tracked: Tracked;
}

export async function readHelmReleases(deps: HelmReadDeps): Promise<HelmReleaseSummary[] | undefined> {
  return deps.recorder.section(
    'Helm release Secrets (secrets)',
    { group: '', resource: 'secrets', verb: 'list' },
    async () => {
      const newest = new Map<string, { ref: ReleaseSecretRef; secret: Json; otherDeployed: number[] }>();
      await listAll(
        (cont) =>
          deps.core.listSecretForAllNamespaces({
            labelSelector: 'owner=helm,status=deployed',
            fieldSelector: 'type=helm.sh/release.v1',
            limit: deps.pageSize,
            _continue: cont,
          }),
        (item) => {
          const secret = plain(item);
          const metadata = secret.metadata as { namespace?: string; labels?: Record<string, string> } | undefined;
          const ref = releaseRefOf(metadata?.namespace ?? 'default', metadata?.labels);
          if (!ref || ref.status !== 'deployed') return;
          const key = `${ref.namespace}/${ref.releaseName}`;
          const seen = newest.get(key);
          if (!seen) newest.set(key, { ref, secret, otherDeployed: [] });
          else if (ref.revision > seen.ref.revision)
            newest.set(key, { ref, secret, otherDeployed: [...seen.otherDeployed, seen.ref.revision] });
          else seen.otherDeployed.push(ref.revision);
        },
      );
      const releases: HelmReleaseSummary[] = [];
      for (const [key, { ref, secret, otherDeployed }] of newest) {
        try {
          const record = helmReleaseRecordFromSecret(secret);
          // Labels and payload disagree (a hand-edited label): trust the payload.
          if (record.status === 'deployed')
            releases.push(
              summarizeHelmRelease(
                record,
                deps.tracked,
                otherDeployed.sort((a, b) => b - a),
              ),
            );
        } catch (error) {
          deps.recorder.unavailable(
            `Helm release ${ref.namespace}/${ref.releaseName} revision ${ref.revision}`,
            error instanceof Error ? error.message : String(error),
          );
        }
        newest.delete(key); // drop the payload as soon as it is summarised
      }
      return releases.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
    },
  );
}
