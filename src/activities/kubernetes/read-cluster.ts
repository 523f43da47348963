// Reads what the upgrade checks need from a cluster's Kubernetes API, through @kubernetes/client-node: nodes,
// Deployments/StatefulSets/DaemonSets and PDBs (reduced to WorkloadSummary), Helm release Secrets (newest deployed
// revision only, reduced to tracked objects), CRDs, the API server's apiserver_requested_deprecated_apis metric, and
// the last-applied apiVersion of objects of every kind a removal table names. Every list is paginated (limit /
// continue); every request goes through one KubernetesTransport (≤ 10 in flight, 429 Retry-After honoured). A 403
// is recorded with what was denied (the checks that need it are then skipped with the RBAC rule), other failures
// as unavailable: never a pass, never a crash. Object bodies stay in this function; summaries leave it.
import {
  ApiException,
  ApiextensionsV1Api,
  ApisApi,
  AppsV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  PolicyV1Api,
  RequestContext,
  type KubeConfig,
} from '@kubernetes/client-node';
import { API_REMOVALS } from '../../domain/api-removals';
import { isTrackedApi, type ApiTables } from '../../domain/api-scan-cluster';
import { parseRequestedDeprecatedApis, REQUESTED_DEPRECATED_APIS_METRIC } from '../../domain/apiserver-metrics';
import { pluralOf } from '../../domain/api-scan';
import { latestDeployed, releaseRefOf, summarizeHelmRelease } from '../../domain/helm-release';
import type {
  CrdSummary,
  DeniedResource,
  HelmReleaseSummary,
  KubernetesAccess,
  PodDisruptionBudgetSummary,
  RequestedDeprecatedApi,
  WorkloadSummary,
} from '../../domain/kubernetes-inventory';
import {
  crdSummaryOf,
  lastAppliedApiVersionOf,
  nodeSummaryOf,
  pdbSummaryOf,
  workloadSummaryOf,
  type NodeSummary,
} from '../../domain/kubernetes-objects';
import type { LiveObject } from '../../domain/snapshot';
import { THIRD_PARTY_APIS } from '../../domain/third-party-apis';
import { helmReleaseRecordFromSecret } from './helm-secrets';
import { KubernetesTransport, type TransportOptions, type TransportStats } from './transport';

export const KUBERNETES_USER_AGENT = 'eks-upgrade-agent/inventory (read-only)';

/** What the Kubernetes API contributes to a snapshot. */
export interface KubernetesInventory {
  nodes?: NodeSummary[];
  workloads?: WorkloadSummary[];
  podDisruptionBudgets?: PodDisruptionBudgetSummary[];
  liveObjects?: LiveObject[];
  helmReleases?: HelmReleaseSummary[];
  customResourceDefinitions?: CrdSummary[];
  requestedDeprecatedApis?: RequestedDeprecatedApi[];
  kubernetesAccess: KubernetesAccess;
}

export interface KubernetesReadOptions {
  /** Describes the connection in the snapshot (no credentials). */
  via: string;
  transport?: TransportOptions;
  /** Items per list page (default 500). */
  pageSize?: number;
  /** Items per page of Helm release Secrets, which are large (default 50). */
  secretPageSize?: number;
  tables?: ApiTables;
  /** Told about every list that was denied or failed (never with a credential). */
  onWarning?: (message: string) => void;
}

type Json = Record<string, unknown>;
interface Page<T> {
  items: T[];
  metadata?: { _continue?: string; continue?: string };
}

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
/** Read by their own lists below; their last-applied apiVersion is taken from there. */
const READ_ELSEWHERE = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'PodDisruptionBudget',
  'CustomResourceDefinition',
]);

function plain(value: unknown): Json {
  // Typed client models carry the JSON field names; a plain copy lets the domain read them as JSON.
  return value as Json;
}

function errorMessage(error: unknown): string {
  if (error instanceof ApiException) {
    const body = error.body as { message?: unknown } | string | undefined;
    const message = typeof body === 'object' && body && typeof body.message === 'string' ? body.message : '';
    return `HTTP ${error.code}${message ? `: ${message}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export class KubernetesReader {
  readonly transport: KubernetesTransport;
  private readonly access: KubernetesAccess;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly policy: PolicyV1Api;
  private readonly extensions: ApiextensionsV1Api;
  private readonly apis: ApisApi;
  private readonly objects: KubernetesObjectApi;
  private readonly pageSize: number;
  private readonly secretPageSize: number;
  private readonly tracked: (apiVersion: string, kind: string) => boolean;

  constructor(
    private readonly kc: KubeConfig,
    private readonly options: KubernetesReadOptions,
  ) {
    this.transport = new KubernetesTransport({ userAgent: KUBERNETES_USER_AGENT, ...options.transport });
    const config = this.transport.configuration(kc);
    this.core = new CoreV1Api(config);
    this.apps = new AppsV1Api(config);
    this.policy = new PolicyV1Api(config);
    this.extensions = new ApiextensionsV1Api(config);
    this.apis = new ApisApi(config);
    this.objects = new KubernetesObjectApi(config);
    this.pageSize = options.pageSize ?? 500;
    this.secretPageSize = options.secretPageSize ?? 50;
    this.access = { via: options.via, denied: [], unavailable: [] };
    this.tracked = (apiVersion, kind) => isTrackedApi(apiVersion, kind, options.tables);
  }

  get stats(): TransportStats {
    return this.transport.stats;
  }

  /** Every page of a list, handing each item to `each` (bodies are not kept). */
  private async listAll<T>(
    list: (cont: string | undefined) => Promise<Page<T>>,
    each: (item: T) => void,
  ): Promise<void> {
    let cont: string | undefined;
    do {
      const page = await list(cont);
      for (const item of page.items ?? []) each(item);
      cont = page.metadata?._continue ?? page.metadata?.continue;
    } while (cont);
  }

  /** Runs one read; a 403 becomes a denied entry, another failure an unavailable one; 401 fails the whole read. */
  private async section<T>(
    what: string,
    denied: Omit<DeniedResource, 'message'>,
    read: () => Promise<T>,
  ): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      if (error instanceof ApiException && error.code === 401)
        throw new Error(
          `the Kubernetes API refused the credentials (HTTP 401) while reading ${what}: check the kubeconfig user or the IAM identity's access entry`,
          { cause: error },
        );
      const message = errorMessage(error);
      if (error instanceof ApiException && error.code === 403) {
        this.access.denied.push({ ...denied, message });
        this.options.onWarning?.(`cannot ${denied.verb} ${what} (403); checks that need it are skipped`);
      } else {
        this.access.unavailable.push({ what, reason: message });
        this.options.onWarning?.(`could not read ${what}: ${message}`);
      }
      return undefined;
    }
  }

  private liveObjectOf(body: Json, kind: string, servedAs: string): LiveObject | undefined {
    const lastApplied = lastAppliedApiVersionOf(body);
    if (!lastApplied || lastApplied === servedAs || !this.tracked(lastApplied, kind)) return undefined;
    const metadata = body.metadata as { name?: string; namespace?: string } | undefined;
    return {
      apiVersion: servedAs,
      kind,
      name: metadata?.name ?? '(unnamed)',
      ...(metadata?.namespace ? { namespace: metadata.namespace } : {}),
      lastAppliedApiVersion: lastApplied,
    };
  }

  private async readNodes(): Promise<NodeSummary[] | undefined> {
    return this.section('nodes', { group: '', resource: 'nodes', verb: 'list' }, async () => {
      const nodes: NodeSummary[] = [];
      await this.listAll(
        (cont) => this.core.listNode({ limit: this.pageSize, _continue: cont }),
        (node) => {
          const summary = nodeSummaryOf(plain(node));
          if (summary) nodes.push(summary);
        },
      );
      return nodes;
    });
  }

  private async readWorkloads(live: LiveObject[]): Promise<WorkloadSummary[] | undefined> {
    const workloads: WorkloadSummary[] = [];
    const take = (kind: string) => (item: unknown) => {
      const body = { ...plain(item), kind };
      const summary = workloadSummaryOf(body);
      if (summary) workloads.push(summary);
      const object = this.liveObjectOf(body, kind, 'apps/v1');
      if (object) live.push(object);
    };
    const reads = await Promise.all([
      this.section('apps/deployments', { group: 'apps', resource: 'deployments', verb: 'list' }, () =>
        this.listAll(
          (cont) => this.apps.listDeploymentForAllNamespaces({ limit: this.pageSize, _continue: cont }),
          take('Deployment'),
        ).then(() => true),
      ),
      this.section('apps/statefulsets', { group: 'apps', resource: 'statefulsets', verb: 'list' }, () =>
        this.listAll(
          (cont) => this.apps.listStatefulSetForAllNamespaces({ limit: this.pageSize, _continue: cont }),
          take('StatefulSet'),
        ).then(() => true),
      ),
      this.section('apps/daemonsets', { group: 'apps', resource: 'daemonsets', verb: 'list' }, () =>
        this.listAll(
          (cont) => this.apps.listDaemonSetForAllNamespaces({ limit: this.pageSize, _continue: cont }),
          take('DaemonSet'),
        ).then(() => true),
      ),
    ]);
    // Defined when at least one list worked; denied lists are in kubernetesAccess.
    return reads.some((r) => r !== undefined)
      ? workloads.sort((a, b) =>
          `${a.kind}/${a.namespace}/${a.name}`.localeCompare(`${b.kind}/${b.namespace}/${b.name}`),
        )
      : undefined;
  }

  private async readPdbs(live: LiveObject[]): Promise<PodDisruptionBudgetSummary[] | undefined> {
    return this.section(
      'policy/poddisruptionbudgets',
      { group: 'policy', resource: 'poddisruptionbudgets', verb: 'list' },
      async () => {
        const pdbs: PodDisruptionBudgetSummary[] = [];
        await this.listAll(
          (cont) => this.policy.listPodDisruptionBudgetForAllNamespaces({ limit: this.pageSize, _continue: cont }),
          (item) => {
            const body = { ...plain(item), kind: 'PodDisruptionBudget' };
            const summary = pdbSummaryOf(body);
            if (summary) pdbs.push(summary);
            const object = this.liveObjectOf(body, 'PodDisruptionBudget', 'policy/v1');
            if (object) live.push(object);
          },
        );
        return pdbs;
      },
    );
  }

  /** Lists only Secrets labelled deployed, then decodes the newest revision of each release. */
  private async readHelmReleases(): Promise<HelmReleaseSummary[] | undefined> {
    return this.section(
      'Helm release Secrets (secrets)',
      { group: '', resource: 'secrets', verb: 'list' },
      async () => {
        const candidates: Array<{
          namespace: string;
          releaseName: string;
          revision: number;
          status: string;
          secret: Json;
        }> = [];
        await this.listAll(
          (cont) =>
            this.core.listSecretForAllNamespaces({
              labelSelector: 'owner=helm,status=deployed',
              fieldSelector: 'type=helm.sh/release.v1',
              limit: this.secretPageSize,
              _continue: cont,
            }),
          (item) => {
            const secret = plain(item);
            const metadata = secret.metadata as { namespace?: string; labels?: Record<string, string> } | undefined;
            const ref = releaseRefOf(metadata?.namespace ?? 'default', metadata?.labels);
            if (ref) candidates.push({ ...ref, secret });
          },
        );
        const releases: HelmReleaseSummary[] = [];
        for (const { latest, otherDeployed } of latestDeployed(candidates)) {
          try {
            const record = helmReleaseRecordFromSecret(latest.secret);
            if (record.status !== 'deployed') continue; // labels and payload disagree: trust the payload
            releases.push(summarizeHelmRelease(record, this.tracked, otherDeployed));
          } catch (error) {
            this.access.unavailable.push({
              what: `Helm release ${latest.namespace}/${latest.releaseName} revision ${latest.revision}`,
              reason: error instanceof Error ? error.message : String(error),
            });
          }
          latest.secret = {}; // drop the payload as soon as it is summarised
        }
        return releases.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
      },
    );
  }

  private async readCrds(): Promise<CrdSummary[] | undefined> {
    return this.section(
      'apiextensions.k8s.io/customresourcedefinitions',
      { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', verb: 'list' },
      async () => {
        const crds: CrdSummary[] = [];
        await this.listAll(
          (cont) => this.extensions.listCustomResourceDefinition({ limit: this.pageSize, _continue: cont }),
          (item) => {
            const summary = crdSummaryOf(plain(item));
            if (summary) crds.push(summary);
          },
        );
        return crds.sort((a, b) => a.name.localeCompare(b.name));
      },
    );
  }

  /** GET /metrics, streamed: only the requested-deprecated-APIs lines are kept. */
  private async readRequestedDeprecatedApis(): Promise<RequestedDeprecatedApi[] | undefined> {
    return this.section('/metrics', { group: 'nonResourceURL', resource: '/metrics', verb: 'get' }, async () => {
      const cluster = this.kc.getCurrentCluster();
      const request = new RequestContext(`${cluster?.server ?? ''}/metrics`, 'GET');
      request.setHeaderParam('Accept', 'text/plain');
      await this.kc.applySecurityAuthentication(request);
      const response = await this.transport.send(request);
      if (response.httpStatusCode !== 200) {
        const text = await response.body.text().catch(() => '');
        throw new ApiException(response.httpStatusCode, 'metrics', { message: text.slice(0, 200) }, response.headers);
      }
      const kept: string[] = [];
      const stream = response.body.stream();
      if (stream) {
        const decoder = new TextDecoder();
        let carry = '';
        for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
          const lines = (carry + decoder.decode(chunk, { stream: true })).split('\n');
          carry = lines.pop() ?? '';
          for (const line of lines) if (line.startsWith(REQUESTED_DEPRECATED_APIS_METRIC)) kept.push(line);
        }
        if (carry.startsWith(REQUESTED_DEPRECATED_APIS_METRIC)) kept.push(carry);
      }
      return parseRequestedDeprecatedApis(kept.join('\n'));
    });
  }

  /** The served group versions (preferred version per group) from discovery. */
  private async servedGroups(): Promise<Map<string, string> | undefined> {
    return this.section(
      'API discovery (/apis)',
      { group: 'nonResourceURL', resource: '/apis', verb: 'get' },
      async () => {
        const list = await this.apis.getAPIVersions();
        const preferred = new Map<string, string>([['', 'v1']]);
        for (const group of list.groups ?? []) {
          const version = group.preferredVersion?.groupVersion ?? group.versions?.[0]?.groupVersion;
          if (version) preferred.set(group.name, version);
        }
        return preferred;
      },
    );
  }

  /** Objects of the removal tables' kinds at their served version, keeping those whose last-applied version is tracked. */
  private async readLiveObjects(live: LiveObject[], crds: CrdSummary[] | undefined): Promise<void> {
    const served = await this.servedGroups();
    if (!served) return;
    const targets = new Map<string, { apiVersion: string; kind: string }>();
    for (const removal of API_REMOVALS) {
      if (removal.scope !== 'rest' || removal.kind.endsWith('List') || NOT_LISTED.has(removal.kind)) continue;
      if (READ_ELSEWHERE.has(removal.kind)) continue;
      const group = removal.groupVersion.includes('/') ? removal.groupVersion.split('/')[0]! : '';
      const apiVersion = served.get(group);
      if (apiVersion) targets.set(`${apiVersion}/${removal.kind}`, { apiVersion, kind: removal.kind });
    }
    const thirdParty = [...(this.options.tables?.thirdParty ?? []), ...THIRD_PARTY_APIS];
    for (const crd of crds ?? []) {
      const storage = crd.versions.find((v) => v.storage && v.served) ?? crd.versions.find((v) => v.served);
      const tracked = thirdParty.some(
        (e) => e.groupVersion.startsWith(`${crd.group}/`) && (e.kind === crd.kind || e.kind === ''),
      );
      if (storage && tracked)
        targets.set(`${crd.group}/${storage.name}/${crd.kind}`, {
          apiVersion: `${crd.group}/${storage.name}`,
          kind: crd.kind,
        });
    }
    await Promise.all(
      [...targets.values()].map(({ apiVersion, kind }) => {
        const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
        const resource = pluralOf(kind);
        return this.section(`${apiVersion} ${kind}`, { group, resource, verb: 'list' }, () =>
          this.listAll(
            (cont) =>
              this.objects.list(
                apiVersion,
                kind,
                undefined,
                undefined,
                undefined,
                undefined,
                undefined,
                undefined,
                this.pageSize,
                cont,
              ) as Promise<Page<unknown>>,
            (item) => {
              const object = this.liveObjectOf(plain(item), kind, apiVersion);
              if (object) live.push(object);
            },
          ).catch((error: unknown) => {
            // A kind the served version does not have (e.g. PodSecurityPolicy in policy/v1): nothing to read.
            if (error instanceof Error && /Unrecognized API version and kind/.test(error.message)) return;
            throw error;
          }),
        );
      }),
    );
  }

  async read(): Promise<KubernetesInventory> {
    const live: LiveObject[] = [];
    const [nodes, workloads, podDisruptionBudgets, helmReleases, customResourceDefinitions, requestedDeprecatedApis] =
      await Promise.all([
        this.readNodes(),
        this.readWorkloads(live),
        this.readPdbs(live),
        this.readHelmReleases(),
        this.readCrds(),
        this.readRequestedDeprecatedApis(),
      ]);
    await this.readLiveObjects(live, customResourceDefinitions);
    return {
      ...(nodes ? { nodes: nodes.sort((a, b) => a.name.localeCompare(b.name)) } : {}),
      ...(workloads ? { workloads } : {}),
      ...(podDisruptionBudgets ? { podDisruptionBudgets } : {}),
      liveObjects: live.sort((a, b) =>
        `${a.kind}/${a.namespace}/${a.name}`.localeCompare(`${b.kind}/${b.namespace}/${b.name}`),
      ),
      ...(helmReleases ? { helmReleases } : {}),
      ...(customResourceDefinitions ? { customResourceDefinitions } : {}),
      ...(requestedDeprecatedApis ? { requestedDeprecatedApis } : {}),
      kubernetesAccess: this.access,
    };
  }
}

/** Kept for callers that only want a plain function. */
export async function readKubernetesInventory(
  kc: KubeConfig,
  options: KubernetesReadOptions,
): Promise<KubernetesInventory> {
  return new KubernetesReader(kc, options).read();
}
