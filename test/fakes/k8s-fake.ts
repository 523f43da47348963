// A wire-level fake of the Kubernetes API server (HTTP/1.1 over TLS with a CA made at test time), reached only
// through @kubernetes/client-node: bearer-token authentication (static tokens, or EKS IAM tokens checked like
// aws-iam-authenticator: shape, STS host and action, signed x-k8s-aws-id, age), discovery (/api, /apis, resource
// lists), lists with limit/continue and equality label/field selectors, /metrics in the Prometheus text format,
// 403 for chosen resources, 429 with Retry-After, a per-request latency, and a record of requests and concurrency.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeTls } from './k8s-tls';
import { checkEksToken, decodeEksToken, type EksTokenCheck } from './k8s-token-check';

function checkEksTokenAge(token: string, now: Date): boolean {
  try {
    const { signedAt } = decodeEksToken(token);
    return now.getTime() - signedAt.getTime() <= 15 * 60_000;
  } catch {
    return false;
  }
}

type Json = Record<string, unknown>;

export interface FakeResource {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
}

/** The built-in APIs a 1.31 cluster serves (the preferred version first in each group). */
export const SERVED_RESOURCES: FakeResource[] = [
  ...[
    ['nodes', 'Node', false],
    ['namespaces', 'Namespace', false],
    ['secrets', 'Secret', true],
    ['configmaps', 'ConfigMap', true],
    ['services', 'Service', true],
    ['pods', 'Pod', true],
  ].map(([resource, kind, namespaced]) => ({ group: '', version: 'v1', resource, kind, namespaced }) as FakeResource),
  ...(
    [
      ['apps', 'v1', 'deployments', 'Deployment', true],
      ['apps', 'v1', 'statefulsets', 'StatefulSet', true],
      ['apps', 'v1', 'daemonsets', 'DaemonSet', true],
      ['apps', 'v1', 'replicasets', 'ReplicaSet', true],
      ['policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true],
      ['apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false],
      ['networking.k8s.io', 'v1', 'ingresses', 'Ingress', true],
      ['networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true],
      ['networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false],
      ['batch', 'v1', 'cronjobs', 'CronJob', true],
      ['autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true],
      ['scheduling.k8s.io', 'v1', 'priorityclasses', 'PriorityClass', false],
      ['flowcontrol.apiserver.k8s.io', 'v1', 'flowschemas', 'FlowSchema', false],
      ['flowcontrol.apiserver.k8s.io', 'v1', 'prioritylevelconfigurations', 'PriorityLevelConfiguration', false],
      ['rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false],
      ['rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false],
      ['rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true],
      ['rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true],
      ['storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false],
      ['storage.k8s.io', 'v1', 'csidrivers', 'CSIDriver', false],
      ['admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', false],
      [
        'admissionregistration.k8s.io',
        'v1',
        'validatingwebhookconfigurations',
        'ValidatingWebhookConfiguration',
        false,
      ],
      ['certificates.k8s.io', 'v1', 'certificatesigningrequests', 'CertificateSigningRequest', false],
      ['node.k8s.io', 'v1', 'runtimeclasses', 'RuntimeClass', false],
      ['apiregistration.k8s.io', 'v1', 'apiservices', 'APIService', false],
    ] as const
  ).map(([group, version, resource, kind, namespaced]) => ({ group, version, resource, kind, namespaced })),
];

export interface FakeKubernetesOptions {
  /** Bearer tokens accepted as they are (kubeconfig users). */
  staticTokens?: string[];
  /** Accept EKS IAM tokens for this cluster, signed with these test credentials. */
  eksToken?: Omit<EksTokenCheck, 'token'>;
  /** Latency added to every request, in ms (the benchmark's 20 ms). */
  latencyMs?: number;
  /** "group/resource" (core group: "/nodes") or a non-resource path ("/metrics") answered 403. */
  forbidden?: string[];
  /** Answer this many requests 429 with Retry-After (seconds) before serving normally, spread over the read. */
  throttle?: { everyNth: number; times: number; retryAfterSeconds: number };
  /** The /metrics exposition. */
  metrics?: string;
}

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  status: number;
  /** Whether an Authorization header was present (its value is never recorded). */
  authorized: boolean;
  userAgent?: string;
}

function selectorMatches(selector: string | null, get: (key: string) => string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const not = term.split('!=');
    if (not.length === 2) return get(not[0]!.trim()) !== not[1]!.trim();
    const [key, value] = term.split(/==?/);
    return get((key ?? '').trim()) === (value ?? '').trim();
  });
}

function fieldOf(object: Json, path: string): string | undefined {
  let value: unknown = object;
  for (const part of path.split('.')) value = (value as Json | undefined)?.[part];
  return typeof value === 'string' ? value : undefined;
}

function status(code: number, reason: string, message: string): Json {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export class FakeKubernetes {
  readonly requests: FakeRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private server?: Server;
  private readonly resources: FakeResource[] = [...SERVED_RESOURCES];
  private readonly objects = new Map<string, Json[]>();
  private throttled = 0;
  private served = 0;

  constructor(readonly options: FakeKubernetesOptions = {}) {}

  private key(group: string, resource: string): string {
    return `${group}/${resource}`;
  }

  /** Stores objects; a CustomResourceDefinition also registers its served versions, as the API server does. */
  add(...objects: Json[]): this {
    for (const object of objects) {
      const [group, version] = String(object.apiVersion).includes('/')
        ? String(object.apiVersion).split('/')
        : ['', String(object.apiVersion)];
      const resource = this.resources.find((r) => r.group === group && r.kind === object.kind);
      if (!resource)
        throw new Error(`fake Kubernetes: no resource for ${String(object.apiVersion)} ${String(object.kind)}`);
      void version;
      const list = this.objects.get(this.key(group ?? '', resource.resource)) ?? [];
      list.push(object);
      this.objects.set(this.key(group ?? '', resource.resource), list);
      if (object.kind === 'CustomResourceDefinition') {
        const spec = object.spec as {
          group: string;
          names: { plural: string; kind: string };
          scope: string;
          versions: Array<{ name: string; served: boolean }>;
        };
        for (const v of spec.versions.filter((x) => x.served))
          this.resources.push({
            group: spec.group,
            version: v.name,
            resource: spec.names.plural,
            kind: spec.names.kind,
            namespaced: spec.scope === 'Namespaced',
          });
      }
    }
    return this;
  }

  async start(): Promise<string> {
    const tls = fakeTls();
    this.server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A kubeconfig (YAML text) for this server with a static token user. */
  kubeconfig(server: string, token: string, context = 'fake'): string {
    const ca = Buffer.from(fakeTls().caPem).toString('base64');
    return [
      'apiVersion: v1',
      'kind: Config',
      `current-context: ${context}`,
      'clusters:',
      `- name: ${context}`,
      '  cluster:',
      `    server: ${server}`,
      `    certificate-authority-data: ${ca}`,
      'users:',
      `- name: ${context}-user`,
      '  user:',
      `    token: ${token}`,
      'contexts:',
      `- name: ${context}`,
      '  context:',
      `    cluster: ${context}`,
      `    user: ${context}-user`,
      '',
    ].join('\n');
  }

  /** Tokens seen, for tests that check the token is refreshed (values stay in memory only). */
  readonly tokensSeen = new Set<string>();
  private readonly verdicts = new Map<string, Promise<{ ok: boolean; reason?: string }>>();

  private async authorized(header: string | undefined): Promise<boolean> {
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
    if (!token) return false;
    this.tokensSeen.add(token);
    if (this.options.staticTokens?.includes(token)) return true;
    if (!this.options.eksToken) return false;
    const check = this.options.eksToken;
    // The signature is checked once per token; its age on every request.
    let verdict = this.verdicts.get(token);
    if (!verdict) {
      verdict = checkEksToken({ ...check, token });
      this.verdicts.set(token, verdict);
    }
    const fresh = checkEksTokenAge(token, check.now?.() ?? new Date());
    return (await verdict).ok && fresh;
  }

  private send(res: ServerResponse, code: number, body: Json | string, headers: Record<string, string> = {}): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(code, {
      'content-type': typeof body === 'string' ? 'text/plain; version=0.0.4' : 'application/json',
      ...headers,
    });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const url = new URL(req.url ?? '/', 'https://fake');
    const record: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      status: 200,
      authorized: req.headers.authorization !== undefined,
      ...(typeof req.headers['user-agent'] === 'string' ? { userAgent: req.headers['user-agent'] } : {}),
    };
    this.requests.push(record);
    try {
      if (this.options.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
      const [code, body, headers] = (await this.authorized(req.headers.authorization))
        ? this.route(url)
        : [401, status(401, 'Unauthorized', 'Unauthorized')];
      record.status = code;
      this.send(res, code, body, headers);
    } catch (error) {
      record.status = 500;
      this.send(res, 500, status(500, 'InternalError', error instanceof Error ? error.message : String(error)));
    } finally {
      this.inFlight--;
    }
  }

  private route(url: URL): [number, Json | string, Record<string, string>?] {
    const throttle = this.options.throttle;
    this.served++;
    if (throttle && this.throttled < throttle.times && this.served % throttle.everyNth === 0) {
      this.throttled++;
      return [
        429,
        status(429, 'TooManyRequests', 'Too many requests, please try again later.'),
        { 'retry-after': String(throttle.retryAfterSeconds) },
      ];
    }
    const path = url.pathname.replace(/\/$/, '');
    const forbidden = this.options.forbidden ?? [];
    if (path === '/metrics') {
      if (forbidden.includes('/metrics'))
        return [403, status(403, 'Forbidden', 'forbidden: User "reader" cannot get path "/metrics"')];
      return [
        200,
        this.options.metrics ??
          '# HELP apiserver_requested_deprecated_apis Gauge of deprecated APIs that have been requested, broken out by API group, version, resource, subresource, and removed_release.\n# TYPE apiserver_requested_deprecated_apis gauge\n',
      ];
    }
    if (path === '/api') return [200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] }];
    if (path === '/apis') return [200, this.groupList()];
    const match = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?(?:\/([^/]+))?$/.exec(path);
    if (!match) return [404, status(404, 'NotFound', `the server could not find the requested resource (${path})`)];
    const group = match[2] ?? '';
    const version = match[1] ?? match[3] ?? '';
    const namespace = match[4];
    const plural = match[5];
    if (!plural) return this.resourceList(group, version);
    const resource = this.resources.find((r) => r.group === group && r.version === version && r.resource === plural);
    if (!resource)
      return [404, status(404, 'NotFound', `the server could not find the requested resource (get ${plural})`)];
    if (forbidden.includes(this.key(group, plural)))
      return [
        403,
        status(
          403,
          'Forbidden',
          `${plural}${group ? `.${group}` : ''} is forbidden: User "reader" cannot list resource "${plural}" in API group "${group}" at the cluster scope`,
        ),
      ];
    return [200, this.list(resource, namespace, url.searchParams)];
  }

  private groupList(): Json {
    const groups = new Map<string, string[]>();
    for (const r of this.resources)
      if (r.group !== '') groups.set(r.group, [...new Set([...(groups.get(r.group) ?? []), r.version])]);
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups].map(([name, versions]) => ({
        name,
        versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
      })),
    };
  }

  private resourceList(group: string, version: string): [number, Json] {
    const resources = this.resources.filter((r) => r.group === group && r.version === version);
    if (resources.length === 0)
      return [404, status(404, 'NotFound', 'the server could not find the requested resource')];
    return [
      200,
      {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: group ? `${group}/${version}` : version,
        resources: resources.map((r) => ({
          name: r.resource,
          singularName: r.kind.toLowerCase(),
          namespaced: r.namespaced,
          kind: r.kind,
          verbs: ['get', 'list', 'watch'],
        })),
      },
    ];
  }

  private list(resource: FakeResource, namespace: string | undefined, query: URLSearchParams): Json {
    const all = (this.objects.get(this.key(resource.group, resource.resource)) ?? []).filter((o) => {
      const metadata = (o.metadata ?? {}) as { namespace?: string; labels?: Record<string, string> };
      return (
        (!namespace || metadata.namespace === namespace) &&
        selectorMatches(query.get('labelSelector'), (k) => metadata.labels?.[k]) &&
        selectorMatches(query.get('fieldSelector'), (k) => fieldOf(o, k))
      );
    });
    const start = query.get('continue') ? Number(Buffer.from(query.get('continue') ?? '', 'base64url').toString()) : 0;
    const limit = Number(query.get('limit') ?? 0) || all.length;
    const items = all.slice(start, start + limit);
    const next = start + limit < all.length ? Buffer.from(String(start + limit)).toString('base64url') : undefined;
    const apiVersion = resource.group ? `${resource.group}/${resource.version}` : resource.version;
    return {
      kind: `${resource.kind}List`,
      apiVersion,
      metadata: {
        resourceVersion: '1000',
        ...(next ? { continue: next, remainingItemCount: all.length - start - limit } : {}),
      },
      // Served at the requested version, as the API server converts; list items carry no kind/apiVersion.
      items: items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest),
    };
  }
}
