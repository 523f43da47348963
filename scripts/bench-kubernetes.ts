// Benchmark of the live Kubernetes read against the wire-level fake API server (TLS, bearer token) with a latency
// per request (default 20 ms): a cluster of 200 nodes, 300 Helm releases (each with a superseded revision) and 5,000
// other objects. Targets: the read finishes in <= 60 s, never more than 10 requests in flight, and the snapshot it
// adds (what travels in workflow history) stays small: <= 1 MiB. Figures: elapsed time, requests, pages, the peak
// concurrency the server saw, Helm payloads decoded, snapshot bytes, and the heap growth of the read.
// `npm run bench` calls runKubernetesBenchmark(); run alone: node --import tsx scripts/bench-kubernetes.ts
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectKubernetes } from '../src/activities/kubernetes/connect';
import { KubernetesReader } from '../src/activities/kubernetes/read-cluster';
import { FakeKubernetes } from '../test/fakes/k8s-fake';
import { helmReleaseSecret } from '../test/fixtures/kubernetes/cluster-objects';

export interface KubernetesBenchOptions {
  nodes?: number;
  helmReleases?: number;
  /** Deployments, StatefulSets, DaemonSets, PDBs, Ingresses, HPAs, Roles and CronJobs together. */
  objects?: number;
  latencyMs?: number;
}

export interface KubernetesBenchResult {
  nodes: number;
  helmReleases: number;
  objects: number;
  latencyMs: number;
  elapsedMs: number;
  requests: number;
  throttled: number;
  serverMaxInFlight: number;
  snapshotBytes: number;
  heapGrowthMiB: number;
  findingsKept: { liveObjects: number; helmObjects: number; workloads: number };
  withinTime: boolean;
  withinConcurrency: boolean;
  withinSize: boolean;
}

type Json = Record<string, unknown>;

function clusterObjects(options: Required<KubernetesBenchOptions>): Json[] {
  const objects: Json[] = [];
  for (let i = 0; i < options.nodes; i++)
    objects.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: `ip-10-0-${Math.floor(i / 250)}-${i % 250}.ec2.internal`,
        labels:
          i % 10 === 0 ? { 'karpenter.sh/nodepool': 'default' } : { 'eks.amazonaws.com/nodegroup': `ng-${i % 4}` },
      },
      status: { nodeInfo: { kubeletVersion: i % 20 === 0 ? 'v1.29.8-eks-1' : 'v1.30.9-eks-1' } },
    });
  // The 5,000 objects: a realistic mix; 1 in 10 Ingresses was last applied at a removed version.
  const shares: Array<[string, string, number]> = [
    ['apps/v1', 'Deployment', 0.3],
    ['apps/v1', 'StatefulSet', 0.06],
    ['apps/v1', 'DaemonSet', 0.04],
    ['policy/v1', 'PodDisruptionBudget', 0.2],
    ['networking.k8s.io/v1', 'Ingress', 0.2],
    ['autoscaling/v2', 'HorizontalPodAutoscaler', 0.1],
    ['rbac.authorization.k8s.io/v1', 'Role', 0.06],
    ['batch/v1', 'CronJob', 0.04],
  ];
  for (const [apiVersion, kind, share] of shares) {
    const count = Math.round(options.objects * share);
    for (let i = 0; i < count; i++) {
      const name = `${kind.toLowerCase()}-${i}`;
      const namespace = `team-${i % 40}`;
      const lastApplied =
        kind === 'Ingress' && i % 10 === 0
          ? {
              'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
                apiVersion: 'networking.k8s.io/v1beta1',
                kind,
                metadata: { name, namespace },
              }),
            }
          : {
              'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
                apiVersion,
                kind,
                metadata: { name, namespace },
              }),
            };
      const template = {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'app',
              image: `registry.example.com/${name}:1`,
              readinessProbe: { httpGet: { path: '/', port: 80 } },
            },
          ],
        },
      };
      const spec: Json =
        kind === 'PodDisruptionBudget'
          ? { maxUnavailable: 1, selector: { matchLabels: { app: `deployment-${i}` } } }
          : ['Deployment', 'StatefulSet', 'DaemonSet'].includes(kind)
            ? { replicas: 2, selector: { matchLabels: { app: name } }, template }
            : {};
      objects.push({ apiVersion, kind, metadata: { name, namespace, annotations: lastApplied }, spec });
    }
  }
  for (let i = 0; i < options.helmReleases; i++) {
    const manifest = (version: string) =>
      Array.from({ length: 15 }, (_, k) =>
        k === 0
          ? `---\n# Source: app/templates/hpa.yaml\napiVersion: ${version}\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: release-${i}\n`
          : `---\n# Source: app/templates/cm-${k}.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: release-${i}-${k}\ndata:\n  config: ${'x'.repeat(200)}\n`,
      ).join('');
    const base = { name: `release-${i}`, namespace: `team-${i % 40}`, chart: 'app', chartVersion: '1.2.3' };
    objects.push(
      helmReleaseSecret({ ...base, revision: 1, status: 'superseded', manifest: manifest('autoscaling/v2beta1') }),
    );
    objects.push(
      helmReleaseSecret({
        ...base,
        revision: 2,
        status: 'deployed',
        manifest: manifest(i % 5 === 0 ? 'autoscaling/v2beta2' : 'autoscaling/v2'),
      }),
    );
  }
  return objects;
}

export async function runKubernetesBenchmark(options: KubernetesBenchOptions = {}): Promise<KubernetesBenchResult> {
  const o: Required<KubernetesBenchOptions> = {
    nodes: options.nodes ?? 200,
    helmReleases: options.helmReleases ?? 300,
    objects: options.objects ?? 5000,
    latencyMs: options.latencyMs ?? 20,
  };
  const fake = new FakeKubernetes({ staticTokens: ['bench-token'], latencyMs: o.latencyMs }).add(...clusterObjects(o));
  const server = await fake.start();
  const dir = mkdtempSync(join(tmpdir(), 'bench-k8s-'));
  try {
    const path = join(dir, 'kubeconfig');
    writeFileSync(path, fake.kubeconfig(server, 'bench-token'));
    const reader = new KubernetesReader(connectKubernetes({ kind: 'kubeconfig', path }, {}), { via: 'bench' });
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const inventory = await reader.read();
    const elapsedMs = performance.now() - started;
    const heapGrowthMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    const snapshotBytes = Buffer.byteLength(JSON.stringify(inventory));
    const result: KubernetesBenchResult = {
      ...o,
      elapsedMs,
      requests: reader.stats.requests,
      throttled: reader.stats.throttled,
      serverMaxInFlight: fake.maxInFlight,
      snapshotBytes,
      heapGrowthMiB,
      findingsKept: {
        liveObjects: inventory.liveObjects?.length ?? 0,
        helmObjects: (inventory.helmReleases ?? []).reduce((n, r) => n + r.objects.length, 0),
        workloads: inventory.workloads?.length ?? 0,
      },
      withinTime: elapsedMs <= 60_000,
      withinConcurrency: fake.maxInFlight <= 10,
      withinSize: snapshotBytes <= 2 ** 20,
    };
    return result;
  } finally {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatKubernetesBenchmark(r: KubernetesBenchResult): string {
  const mark = (ok: boolean) => (ok ? 'ok' : 'OVER');
  return [
    `Kubernetes live read: ${r.nodes} nodes, ${r.helmReleases} Helm releases (+1 superseded revision each), ${r.objects} other objects, ${r.latencyMs} ms per request`,
    `  elapsed            ${(r.elapsedMs / 1000).toFixed(2)} s (target <= 60 s: ${mark(r.withinTime)})`,
    `  requests           ${r.requests} (${r.throttled} answered 429)`,
    `  in flight, peak    ${r.serverMaxInFlight} as seen by the server (target <= 10: ${mark(r.withinConcurrency)})`,
    `  snapshot part      ${(r.snapshotBytes / 1024).toFixed(1)} KiB of summaries (target <= 1024 KiB: ${mark(r.withinSize)}): ${r.findingsKept.workloads} workloads, ${r.findingsKept.liveObjects} live objects with an old last-applied version, ${r.findingsKept.helmObjects} tracked Helm objects`,
    `  heap growth        ${r.heapGrowthMiB.toFixed(1)} MiB during the read`,
  ].join('\n');
}

if (require.main === module) {
  runKubernetesBenchmark().then(
    (r) => {
      console.log(formatKubernetesBenchmark(r));
      process.exit(r.withinTime && r.withinConcurrency && r.withinSize ? 0 : 1);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
