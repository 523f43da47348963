// A wire-level fake of the Amazon EKS control-plane API (REST-JSON, as in botocore's eks/2017-11-01): the real
// @aws-sdk/client-eks talks to it through `endpoint` or AWS_ENDPOINT_URL_EKS. It serves the read operations the
// inventory uses, paginates with nextToken/maxResults, records every request and can inject faults.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClusterSnapshot } from '../../src/domain/snapshot';

type Wire = Record<string, unknown>;

export interface FakeCluster {
  cluster: Wire;
  nodegroups: Wire[];
  fargateProfiles: Wire[];
  addons: Wire[];
  insights: Wire[];
}

export interface FakeEksState {
  clusters: Map<string, FakeCluster>;
  /** DescribeAddonVersions catalogue: AddonInfo objects (addonName, addonVersions[{addonVersion, compatibilities}]). */
  addonCatalogue: Wire[];
  clusterVersions: Wire[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string[]>;
  body?: unknown;
  /** The SDK's User-Agent, to check what the inventory identifies itself as. */
  userAgent?: string;
}

export interface InjectedFault {
  /** Matches "METHOD /path" (path without query), e.g. /^GET \/clusters\/[^/]+$/. */
  match: RegExp;
  status: number;
  errorType: string;
  message: string;
  /** How many requests to fail (default 1). */
  times?: number;
}

function epochSeconds(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

/** Builds the fake's state from a snapshot, so tests can compare "snapshot file" with "through the EKS API". */
export function fakeStateFromSnapshot(snapshot: ClusterSnapshot): FakeEksState {
  const { cluster } = snapshot;
  const issues = (list: Array<{ code: string; message?: string; resourceIds?: string[] }> | undefined) => ({
    issues: list ?? [],
  });
  const fake: FakeCluster = {
    cluster: {
      name: cluster.name,
      arn: cluster.arn ?? `arn:aws:eks:${cluster.region ?? 'us-east-1'}:111122223333:cluster/${cluster.name}`,
      version: cluster.version,
      status: cluster.status ?? 'ACTIVE',
      platformVersion: cluster.platformVersion ?? 'eks.1',
      health: issues(cluster.health?.issues),
      resourcesVpcConfig: { subnetIds: cluster.subnetIds ?? [], vpcId: cluster.vpcId ?? 'vpc-1' },
      upgradePolicy: cluster.supportType ? { supportType: cluster.supportType } : undefined,
      createdAt: 1_700_000_000,
    },
    nodegroups: (snapshot.nodeGroups ?? []).map((g) => ({
      nodegroupName: g.name,
      clusterName: cluster.name,
      version: g.version,
      releaseVersion: g.releaseVersion,
      amiType: g.amiType,
      status: g.status ?? 'ACTIVE',
      capacityType: g.capacityType ?? 'ON_DEMAND',
      health: issues(g.health?.issues),
      launchTemplate: g.launchTemplate,
      scalingConfig: g.scaling ?? { minSize: 1, maxSize: 3, desiredSize: 2 },
    })),
    fargateProfiles: (snapshot.fargateProfiles ?? []).map((p) => ({
      fargateProfileName: p.name,
      clusterName: cluster.name,
      status: p.status ?? 'ACTIVE',
    })),
    addons: (snapshot.addons ?? []).map((a) => ({
      addonName: a.name,
      clusterName: cluster.name,
      addonVersion: a.version,
      status: a.status ?? 'ACTIVE',
      health: issues(a.health?.issues),
    })),
    insights: (snapshot.insights ?? []).map((i) => ({
      id: i.id,
      name: i.name,
      category: i.category,
      kubernetesVersion: i.kubernetesVersion,
      description: i.description,
      recommendation: i.recommendation,
      lastRefreshTime: epochSeconds(i.lastRefreshTime),
      lastTransitionTime: epochSeconds(i.lastTransitionTime),
      insightStatus: { status: i.status, reason: i.reason },
      categorySpecificSummary: {
        deprecationDetails: i.deprecationDetails?.map((d) => ({
          ...d,
          clientStats: d.clientStats?.map((c) => ({ ...c, lastRequestTime: epochSeconds(c.lastRequestTime) })),
        })),
        addonCompatibilityDetails: i.addonCompatibilityDetails,
      },
    })),
  };
  const catalogue = new Map<string, Map<string, Set<string>>>();
  const defaults = new Map<string, Map<string, string>>();
  for (const addon of snapshot.addons ?? []) {
    const versions = catalogue.get(addon.name) ?? new Map<string, Set<string>>();
    for (const [minor, list] of Object.entries(addon.compatibleVersions ?? {})) {
      for (const v of list) versions.set(v, (versions.get(v) ?? new Set()).add(minor));
    }
    catalogue.set(addon.name, versions);
    defaults.set(addon.name, new Map(Object.entries(addon.defaultVersions ?? {})));
  }
  const addonCatalogue = [...catalogue].map(([addonName, versions]) => ({
    addonName,
    type: 'networking',
    owner: 'aws',
    addonVersions: [...versions].map(([addonVersion, minors]) => ({
      addonVersion,
      architecture: ['amd64', 'arm64'],
      compatibilities: [...minors].map((clusterVersion) => ({
        clusterVersion,
        platformVersions: ['*'],
        defaultVersion: defaults.get(addonName)?.get(clusterVersion) === addonVersion,
      })),
    })),
  }));
  const clusterVersions = (snapshot.versions ?? []).map((v) => ({
    clusterVersion: v.clusterVersion,
    clusterType: 'eks',
    defaultPlatformVersion: v.defaultPlatformVersion,
    kubernetesPatchVersion: v.kubernetesPatchVersion,
    releaseDate: epochSeconds(v.releaseDate),
    endOfStandardSupportDate: epochSeconds(v.endOfStandardSupportDate),
    endOfExtendedSupportDate: epochSeconds(v.endOfExtendedSupportDate),
    versionStatus: v.status,
    status:
      v.status === 'STANDARD_SUPPORT'
        ? 'standard-support'
        : v.status === 'EXTENDED_SUPPORT'
          ? 'extended-support'
          : 'unsupported',
  }));
  return { clusters: new Map([[cluster.name, fake]]), addonCatalogue, clusterVersions };
}

export class FakeEks {
  readonly requests: RecordedRequest[] = [];
  private readonly faults: InjectedFault[] = [];
  private server: Server | undefined;

  constructor(
    public state: FakeEksState,
    private readonly options: { pageSize?: number } = {},
  ) {}

  /** Starts on 127.0.0.1 and a free port; returns the endpoint URL for the SDK. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this.endpoint;
  }

  get endpoint(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('FakeEks is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  }

  injectFault(fault: InjectedFault): void {
    this.faults.push({ times: 1, ...fault });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const query: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) (query[k] ??= []).push(v);
    const body = text === '' ? undefined : (JSON.parse(text) as unknown);
    const method = req.method ?? 'GET';
    const path = url.pathname;
    this.requests.push({ method, path, query, body, userAgent: req.headers['user-agent'] });
    const fault = this.faults.find((f) => f.match.test(`${method} ${path}`) && (f.times ?? 1) > 0);
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      return this.error(res, fault.status, fault.errorType, fault.message);
    }
    try {
      const result = this.route(
        method,
        path
          .split('/')
          .filter((s) => s !== '')
          .map(decodeURIComponent),
        query,
        body as Wire | undefined,
      );
      if (!result) return this.error(res, 404, 'ResourceNotFoundException', `No resource at ${method} ${path}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(result));
    } catch (error) {
      this.error(res, 400, 'InvalidParameterException', error instanceof Error ? error.message : String(error));
    }
  }

  private error(res: ServerResponse, status: number, errorType: string, message: string): void {
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-amzn-errortype': `${errorType}:http://internal.amazon.com/coral/com.amazonaws.eks/`,
    });
    res.end(JSON.stringify({ message }));
  }

  private page<T>(items: T[], maxResults: unknown, nextToken: unknown): { items: T[]; nextToken?: string } {
    const size = Math.min(Number(maxResults ?? this.options.pageSize ?? 100) || 100, this.options.pageSize ?? 100);
    const start = typeof nextToken === 'string' && nextToken !== '' ? Number(nextToken) : 0;
    if (!Number.isInteger(start) || start < 0 || start > items.length)
      throw new Error(`invalid nextToken ${String(nextToken)}`);
    const end = start + size;
    return { items: items.slice(start, end), nextToken: end < items.length ? String(end) : undefined };
  }

  private route(
    method: string,
    parts: string[],
    query: Record<string, string[]>,
    body: Wire | undefined,
  ): Wire | undefined {
    const q = (name: string) => query[name]?.[0];
    if (method === 'GET' && parts[0] === 'cluster-versions' && parts.length === 1) {
      const wanted = query.clusterVersions;
      const list = this.state.clusterVersions.filter((v) => !wanted || wanted.includes(String(v.clusterVersion)));
      const { items, nextToken } = this.page(list, q('maxResults'), q('nextToken'));
      return { clusterVersions: items, nextToken };
    }
    if (method === 'GET' && parts[0] === 'addons' && parts[1] === 'supported-versions') {
      const minor = q('kubernetesVersion');
      const name = q('addonName');
      const list = this.state.addonCatalogue
        .filter((a) => !name || a.addonName === name)
        .map((a) => ({
          ...a,
          addonVersions: (a.addonVersions as Wire[]).filter(
            (v) => !minor || (v.compatibilities as Wire[]).some((c) => c.clusterVersion === minor),
          ),
        }));
      const { items, nextToken } = this.page(list, q('maxResults'), q('nextToken'));
      return { addons: items, nextToken };
    }
    if (parts[0] !== 'clusters' || parts[1] === undefined) return undefined;
    const fake = this.state.clusters.get(parts[1]);
    if (!fake) return undefined;
    const [, , collection, id] = parts;
    if (method === 'GET' && collection === undefined) return { cluster: fake.cluster };
    const listOrGet = (items: Wire[], key: string, listKey: string, singleKey: string): Wire | undefined => {
      if (id === undefined) {
        const { items: page, nextToken } = this.page(
          items.map((i) => i[key]),
          q('maxResults'),
          q('nextToken'),
        );
        return { [listKey]: page, nextToken };
      }
      const item = items.find((i) => i[key] === id);
      return item ? { [singleKey]: item } : undefined;
    };
    if (method === 'GET' && collection === 'node-groups')
      return listOrGet(fake.nodegroups, 'nodegroupName', 'nodegroups', 'nodegroup');
    if (method === 'GET' && collection === 'fargate-profiles')
      return listOrGet(fake.fargateProfiles, 'fargateProfileName', 'fargateProfileNames', 'fargateProfile');
    if (method === 'GET' && collection === 'addons') return listOrGet(fake.addons, 'addonName', 'addons', 'addon');
    if (collection === 'insights') {
      if (method === 'GET' && id !== undefined) {
        const insight = fake.insights.find((i) => i.id === id);
        return insight ? { insight } : undefined;
      }
      if (method === 'POST' && id === undefined) {
        const filter = (body?.filter ?? {}) as {
          categories?: string[];
          statuses?: string[];
          kubernetesVersions?: string[];
        };
        const list = fake.insights.filter(
          (i) =>
            (!filter.categories || filter.categories.includes(String(i.category))) &&
            (!filter.statuses || filter.statuses.includes(String((i.insightStatus as Wire | undefined)?.status))) &&
            (!filter.kubernetesVersions || filter.kubernetesVersions.includes(String(i.kubernetesVersion))),
        );
        const { items, nextToken } = this.page(
          list.map(
            ({ recommendation: _r, additionalInfo: _a, resources: _res, categorySpecificSummary: _c, ...summary }) =>
              summary,
          ),
          body?.maxResults,
          body?.nextToken,
        );
        return { insights: items, nextToken };
      }
    }
    return undefined;
  }
}
