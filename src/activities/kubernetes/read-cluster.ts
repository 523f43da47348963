// Reads what the upgrade checks need from a cluster's Kubernetes API, through @kubernetes/client-node: nodes,
// Deployments/StatefulSets/DaemonSets and PDBs (reduced to WorkloadSummary), Helm release Secrets (newest deployed
// revision only, reduced to tracked objects), CRDs, the API server's apiserver_requested_deprecated_apis metric, and
// the last-applied apiVersion of objects of every kind a removal table names. Every list is paginated (limit /
// continue); every request goes through one KubernetesTransport (≤ 10 in flight, 429 Retry-After honoured). A 403
// is recorded with what was denied (the checks that need it are then skipped with the RBAC rule), other failures
// as unavailable: never a pass, never a crash. Object bodies stay in this function; summaries leave it.
import {
  ApiextensionsV1Api,
  ApisApi,
  AppsV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  PolicyV1Api,
  type KubeConfig,
} from '@kubernetes/client-node';
import { isTrackedApi, type ApiTables } from '../../domain/api-scan-cluster';
import type {
  CrdSummary,
  HelmReleaseSummary,
  KubernetesAccess,
  PodDisruptionBudgetSummary,
  RequestedDeprecatedApi,
  WorkloadSummary,
} from '../../domain/kubernetes-inventory';
import {
  crdSummaryOf,
  nodeSummaryOf,
  pdbSummaryOf,
  workloadSummaryOf,
  type NodeSummary,
} from '../../domain/kubernetes-objects';
import type { LiveObject } from '../../domain/snapshot';
import { THIRD_PARTY_APIS } from '../../domain/third-party-apis';
import { readHelmReleases } from './helm-read';
import { AccessRecorder, listAll, plain } from './list-support';
import { liveObjectOf, readLiveObjects, type Tracked } from './live-objects';
import { fetchRequestedDeprecatedApis } from './metrics-read';
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

export class KubernetesReader {
  readonly transport: KubernetesTransport;
  private readonly recorder: AccessRecorder;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly policy: PolicyV1Api;
  private readonly extensions: ApiextensionsV1Api;
  private readonly apis: ApisApi;
  private readonly objects: KubernetesObjectApi;
  private readonly pageSize: number;
  private readonly secretPageSize: number;
  private readonly tracked: Tracked;

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
    this.recorder = new AccessRecorder(options.via, options.onWarning);
    this.tracked = (apiVersion, kind) => isTrackedApi(apiVersion, kind, options.tables);
  }

  get stats(): TransportStats {
    return this.transport.stats;
  }

  private async readNodes(): Promise<NodeSummary[] | undefined> {
    return this.recorder.section('nodes', { group: '', resource: 'nodes', verb: 'list' }, async () => {
      const nodes: NodeSummary[] = [];
      await listAll(
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
      const object = liveObjectOf(body, kind, 'apps/v1', this.tracked);
      if (object) live.push(object);
    };
    const reads = await Promise.all([
      this.recorder.section('apps/deployments', { group: 'apps', resource: 'deployments', verb: 'list' }, () =>
        listAll(
          (cont) => this.apps.listDeploymentForAllNamespaces({ limit: this.pageSize, _continue: cont }),
          take('Deployment'),
        ).then(() => true),
      ),
      this.recorder.section('apps/statefulsets', { group: 'apps', resource: 'statefulsets', verb: 'list' }, () =>
        listAll(
          (cont) => this.apps.listStatefulSetForAllNamespaces({ limit: this.pageSize, _continue: cont }),
          take('StatefulSet'),
        ).then(() => true),
      ),
      this.recorder.section('apps/daemonsets', { group: 'apps', resource: 'daemonsets', verb: 'list' }, () =>
        listAll(
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
    return this.recorder.section(
      'policy/poddisruptionbudgets',
      { group: 'policy', resource: 'poddisruptionbudgets', verb: 'list' },
      async () => {
        const pdbs: PodDisruptionBudgetSummary[] = [];
        await listAll(
          (cont) => this.policy.listPodDisruptionBudgetForAllNamespaces({ limit: this.pageSize, _continue: cont }),
          (item) => {
            const body = { ...plain(item), kind: 'PodDisruptionBudget' };
            const summary = pdbSummaryOf(body);
            if (summary) pdbs.push(summary);
            const object = liveObjectOf(body, 'PodDisruptionBudget', 'policy/v1', this.tracked);
            if (object) live.push(object);
          },
        );
        return pdbs;
      },
    );
  }

  private async readCrds(): Promise<CrdSummary[] | undefined> {
    return this.recorder.section(
      'apiextensions.k8s.io/customresourcedefinitions',
      { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', verb: 'list' },
      async () => {
        const crds: CrdSummary[] = [];
        await listAll(
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

  private async readRequestedDeprecatedApis(): Promise<RequestedDeprecatedApi[] | undefined> {
    return this.recorder.section('/metrics', { group: 'nonResourceURL', resource: '/metrics', verb: 'get' }, () =>
      fetchRequestedDeprecatedApis(this.kc, this.transport),
    );
  }

  async read(): Promise<KubernetesInventory> {
    const live: LiveObject[] = [];
    const [nodes, workloads, podDisruptionBudgets, helmReleases, customResourceDefinitions, requestedDeprecatedApis] =
      await Promise.all([
        this.readNodes(),
        this.readWorkloads(live),
        this.readPdbs(live),
        readHelmReleases({
          core: this.core,
          recorder: this.recorder,
          pageSize: this.secretPageSize,
          tracked: this.tracked,
        }),
        this.readCrds(),
        this.readRequestedDeprecatedApis(),
      ]);
    await readLiveObjects(
      {
        apis: this.apis,
        objects: this.objects,
        recorder: this.recorder,
        pageSize: this.pageSize,
        tracked: this.tracked,
        thirdParty: [...(this.options.tables?.thirdParty ?? []), ...THIRD_PARTY_APIS],
      },
      customResourceDefinitions ?? [],
      live,
    );
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
      kubernetesAccess: this.recorder.access,
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
