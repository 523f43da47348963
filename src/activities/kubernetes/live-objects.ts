// The live objects whose kubectl last-applied-configuration names a tracked (deprecated or removed) apiVersion: every
// kind a removal table names, listed at the version the cluster serves for its group (discovery), and the CRD kinds
// of the third-party tables at their storage version. Only the annotation's apiVersion is read, never managedFields.
import type { ApisApi, KubernetesObjectApi } from '@kubernetes/client-node';
import { API_REMOVALS } from '../../domain/api-removals';
import { pluralOf } from '../../domain/api-scan';
import type { CrdSummary } from '../../domain/kubernetes-inventory';
import { lastAppliedApiVersionOf } from '../../domain/kubernetes-objects';
import type { LiveObject } from '../../domain/snapshot';
import type { ThirdPartyApi } from '../../domain/third-party-apis';
import { listAll, plain, type AccessRecorder, type Json, type Page } from './list-support';

/** Kinds a removal table names that nobody applies by hand (controllers write them) or that cannot be listed. */
const NOT_LISTED = new Set([
  'Event',
  'EndpointSlice',
  'Lease',
  'CSINode',
  'VolumeAttachment',
  'CSIStorageCapacity',
  'TokenReview',
  'SubjectAccessReview',
  'LocalSubjectAccessReview',
  'SelfSubjectAccessReview',
  'ResourceSlice',
]);
/** Listed by the reader for their own sake; their last-applied apiVersion is taken there. */
export const READ_ELSEWHERE = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'PodDisruptionBudget',
  'CustomResourceDefinition',
]);

export type Tracked = (apiVersion: string, kind: string) => boolean;

/** The live object to keep, when its last-applied version is tracked and differs from what is served. */
export function liveObjectOf(body: Json, kind: string, servedAs: string, tracked: Tracked): LiveObject | undefined {
  const lastApplied = lastAppliedApiVersionOf(body);
  if (!lastApplied || lastApplied === servedAs || !tracked(lastApplied, kind)) return undefined;
  const metadata = body.metadata as { name?: string; namespace?: string } | undefined;
  return {
    apiVersion: servedAs,
    kind,
    name: metadata?.name ?? '(unnamed)',
    ...(metadata?.namespace ? { namespace: metadata.namespace } : {}),
    lastAppliedApiVersion: lastApplied,
  };
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
}

/** What to list: apiVersion and kind, deduplicated. */
export function liveObjectTargets(
  served: Map<string, string>,
  crds: CrdSummary[],
  thirdParty: readonly ThirdPartyApi[],
): Array<{ apiVersion: string; kind: string }> {
  const targets = new Map<string, { apiVersion: string; kind: string }>();
  for (const removal of API_REMOVALS) {
    if (removal.scope !== 'rest' || removal.kind.endsWith('List')) continue;
    if (NOT_LISTED.has(removal.kind) || READ_ELSEWHERE.has(removal.kind)) continue;
    const apiVersion = served.get(groupOf(removal.groupVersion));
    if (apiVersion) targets.set(`${apiVersion}/${removal.kind}`, { apiVersion, kind: removal.kind });
  }
  for (const crd of crds) {
    const storage = crd.versions.find((v) => v.storage && v.served) ?? crd.versions.find((v) => v.served);
    const tracked = thirdParty.some(
      (e) => e.groupVersion.startsWith(`${crd.group}/`) && (e.kind === crd.kind || e.kind === ''),
    );
    const apiVersion = `${crd.group}/${storage?.name ?? ''}`;
    if (storage && tracked) targets.set(`${apiVersion}/${crd.kind}`, { apiVersion, kind: crd.kind });
  }
  return [...targets.values()];
}

export interface LiveObjectReadDeps {
  apis: ApisApi;
  objects: KubernetesObjectApi;
  recorder: AccessRecorder;
  pageSize: number;
  tracked: Tracked;
  thirdParty: readonly ThirdPartyApi[];
}

/** The preferred served version of every group, from discovery (the core group is v1). */
async function servedGroups(deps: LiveObjectReadDeps): Promise<Map<string, string> | undefined> {
  return deps.recorder.section(
    'API discovery (/apis)',
    { group: 'nonResourceURL', resource: '/apis', verb: 'get' },
    async () => {
      const list = await deps.apis.getAPIVersions();
      const preferred = new Map<string, string>([['', 'v1']]);
      for (const group of list.groups ?? []) {
        const version = group.preferredVersion?.groupVersion ?? group.versions?.[0]?.groupVersion;
        if (version) preferred.set(group.name, version);
      }
      return preferred;
    },
  );
}

export async function readLiveObjects(deps: LiveObjectReadDeps, crds: CrdSummary[], live: LiveObject[]): Promise<void> {
  const served = await servedGroups(deps);
  if (!served) return;
  await Promise.all(
    liveObjectTargets(served, crds, deps.thirdParty).map(({ apiVersion, kind }) =>
      deps.recorder.section(
        `${apiVersion} ${kind}`,
        { group: groupOf(apiVersion), resource: pluralOf(kind), verb: 'list' },
        () =>
          listAll(
            (cont) => deps.objects.list(apiVersion, kind, ...noFilters, deps.pageSize, cont) as Promise<Page<unknown>>,
            (item) => {
              const object = liveObjectOf(plain(item), kind, apiVersion, deps.tracked);
              if (object) live.push(object);
            },
          ).catch((error: unknown) => {
            // A kind the served version does not have (e.g. PodSecurityPolicy in policy/v1): nothing to read.
            if (error instanceof Error && /Unrecognized API version and kind/.test(error.message)) return;
            throw error;
          }),
      ),
    ),
  );
}

/** KubernetesObjectApi.list's namespace, pretty, exact, export, fieldSelector and labelSelector: all unset. */
const noFilters = [undefined, undefined, undefined, undefined, undefined, undefined] as const;
