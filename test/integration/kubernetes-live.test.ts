// The Kubernetes read through the real @kubernetes/client-node against the fake API server (TLS, bearer token):
// what it reads equals the snapshot fixture; findings on live data equal findings on the same data as a file;
// pagination, 403 (skipped with the RBAC rule), 429 with Retry-After, ≤ 10 requests in flight; superseded Helm
// revisions and every planted secret stay out of the result and the warnings.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectKubernetes } from '../../src/activities/kubernetes/connect';
import { mergeKubernetesInventory } from '../../src/activities/kubernetes/cluster-inventory';
import { KubernetesReader } from '../../src/activities/kubernetes/read-cluster';
import { createEvidenceActivities, loadSnapshotFile } from '../../src/activities/evidence';
import { parseClusterSnapshot, type ClusterSnapshot } from '../../src/domain/snapshot';
import { FakeKubernetes } from '../fakes/k8s-fake';
import { LIVE_METRICS, liveClusterObjects, PLANTED_VALUES } from '../fixtures/kubernetes/cluster-objects';

const TOKEN = 'fake-reader-token';
const SECTIONS = [
  'nodes',
  'workloads',
  'podDisruptionBudgets',
  'helmReleases',
  'customResourceDefinitions',
  'requestedDeprecatedApis',
  'liveObjects',
] as const;

async function readWith(fake: FakeKubernetes, server: string, dir: string, pageSize = 500) {
  const path = join(dir, `kubeconfig-${Math.random().toString(36).slice(2)}`);
  await writeFile(path, fake.kubeconfig(server, TOKEN));
  const kc = connectKubernetes({ kind: 'kubeconfig', path }, {});
  const warnings: string[] = [];
  const reader = new KubernetesReader(kc, {
    via: 'kubeconfig context fake',
    pageSize,
    secretPageSize: pageSize,
    transport: { sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))) },
    onWarning: (m) => warnings.push(m),
  });
  const inventory = await reader.read();
  return { inventory, warnings, stats: reader.stats };
}

async function evidence(snapshot: ClusterSnapshot) {
  const activities = createEvidenceActivities({ now: () => new Date('2026-02-01T00:00:00Z') });
  const scan = await activities.scanApiRemovals({
    manifestPaths: [],
    snapshot,
    currentVersion: '1.30',
    targetVersion: '1.31',
  });
  const readiness = await activities.checkClusterReadiness({ snapshot, targetVersion: '1.31', manifestPaths: [] });
  return { scan, readiness };
}

void describe('Kubernetes API read through @kubernetes/client-node against the fake API server', () => {
  let dir: string;
  let fixture: ClusterSnapshot;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'k8s-live-'));
    fixture = await loadSnapshotFile('test/fixtures/snapshots/live-1.30.json');
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  void it('reads nodes, workloads, PDBs, Helm releases, CRDs, the metric and live objects as the fixture has them', async () => {
    const fake = new FakeKubernetes({ staticTokens: [TOKEN], metrics: LIVE_METRICS }).add(...liveClusterObjects());
    const server = await fake.start();
    try {
      const { inventory, warnings, stats } = await readWith(fake, server, dir, 2);
      for (const section of SECTIONS) assert.deepEqual(inventory[section], fixture[section], section);
      assert.deepEqual(inventory.kubernetesAccess.denied, []);
      assert.deepEqual(warnings, []);
      // Pagination: pages of 2 followed with continue tokens; every request authenticated and identified.
      assert.ok(fake.requests.some((r) => r.query.get('continue') && r.query.get('limit') === '2'));
      assert.ok(fake.requests.every((r) => r.authorized && r.status === 200));
      assert.ok(fake.requests.every((r) => r.userAgent?.startsWith('eks-upgrade-agent/inventory')));
      // Helm: only Secrets labelled deployed of Helm's type were listed; the superseded revisions were never fetched.
      const secretLists = fake.requests.filter((r) => r.path === '/api/v1/secrets');
      assert.ok(secretLists.every((r) => r.query.get('labelSelector') === 'owner=helm,status=deployed'));
      assert.ok(secretLists.every((r) => r.query.get('fieldSelector') === 'type=helm.sh/release.v1'));
      assert.equal(stats.requests, fake.requests.length);
    } finally {
      await fake.stop();
    }
  });

  void it('honours a kubeconfig exec plugin (as aws eks get-token is run), the credential never logged', async () => {
    const fake = new FakeKubernetes({ staticTokens: ['token-from-exec-plugin'], metrics: LIVE_METRICS }).add(
      ...liveClusterObjects(),
    );
    const server = await fake.start();
    try {
      const plugin = join(dir, 'get-token.cjs');
      await writeFile(
        plugin,
        "process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: 'token-from-exec-plugin' } }));\n",
      );
      const withToken = fake.kubeconfig(server, 'unused', 'exec');
      const kubeconfig = withToken.replace(
        '    token: unused',
        [
          '    exec:',
          '      apiVersion: client.authentication.k8s.io/v1beta1',
          `      command: ${JSON.stringify(process.execPath)}`,
          `      args: [${JSON.stringify(plugin)}]`,
          '      interactiveMode: Never',
        ].join('\n'),
      );
      const path = join(dir, 'kubeconfig-exec');
      await writeFile(path, kubeconfig);
      const warnings: string[] = [];
      const reader = new KubernetesReader(connectKubernetes({ kind: 'kubeconfig', path }, {}), {
        via: 'kubeconfig context exec',
        onWarning: (m) => warnings.push(m),
      });
      const inventory = await reader.read();
      assert.equal(inventory.nodes?.length, 4);
      assert.ok(fake.requests.length > 0 && fake.requests.every((r) => r.status === 200));
      assert.ok(!JSON.stringify({ inventory, warnings }).includes('token-from-exec-plugin'));
    } finally {
      await fake.stop();
    }
  });

  void it('findings on the live data equal findings on the same data written as a snapshot file', async () => {
    const fake = new FakeKubernetes({ staticTokens: [TOKEN], metrics: LIVE_METRICS }).add(...liveClusterObjects());
    const server = await fake.start();
    try {
      const { inventory } = await readWith(fake, server, dir);
      const base = parseClusterSnapshot({ ...fixture, ...Object.fromEntries(SECTIONS.map((s) => [s, undefined])) });
      const live = mergeKubernetesInventory(base, inventory);
      const file = join(dir, 'live-snapshot.json');
      await writeFile(file, JSON.stringify(live));
      const offline = await loadSnapshotFile(file);
      const fromLive = await evidence(live);
      const fromFile = await evidence(offline);
      assert.deepEqual(fromFile, fromLive);
      const codes = fromLive.scan.findings.map((f) => `${f.code}:${f.source}:${f.kind}/${f.name}`).sort();
      assert.deepEqual(codes, [
        'API001:helm:HorizontalPodAutoscaler/edge-proxy',
        'API001:live-cluster:Ingress/shop',
        'API002:api-server-metrics:FlowSchema/(API clients)',
        'API003:helm:Certificate/edge-tls',
        'API004:helm:Certificate/edge-tls',
      ]);
      // The superseded revisions' removed APIs (extensions/v1beta1 Ingress, apps/v1beta2 Deployment) yield nothing.
      assert.ok(
        !fromLive.scan.findings.some((f) => f.apiVersion === 'extensions/v1beta1' || f.apiVersion === 'apps/v1beta2'),
      );
      const certificate = fromLive.scan.findings.find((f) => f.code === 'API003');
      assert.match(certificate?.note ?? '', /removed in cert-manager 1\.6\.0; cert-manager v1\.5\.3 is installed/);
      assert.ok(fromLive.readiness.checksRun.includes('K8S007') && fromLive.readiness.checksRun.includes('CRD001'));
    } finally {
      await fake.stop();
    }
  });

  void it('a 403 skips what needs the resource, names the RBAC rule, and never passes or crashes', async () => {
    const fake = new FakeKubernetes({
      staticTokens: [TOKEN],
      metrics: LIVE_METRICS,
      forbidden: ['apps/statefulsets', '/secrets', '/metrics', 'apiextensions.k8s.io/customresourcedefinitions'],
    }).add(...liveClusterObjects());
    const server = await fake.start();
    try {
      const { inventory, warnings } = await readWith(fake, server, dir);
      assert.deepEqual(inventory.kubernetesAccess.denied.map((d) => `${d.verb} ${d.group}/${d.resource}`).sort(), [
        'get nonResourceURL//metrics',
        'list /secrets',
        'list apiextensions.k8s.io/customresourcedefinitions',
        'list apps/statefulsets',
      ]);
      assert.equal(inventory.helmReleases, undefined);
      assert.equal(inventory.customResourceDefinitions, undefined);
      assert.ok(inventory.workloads?.some((w) => w.kind === 'Deployment'));
      assert.equal(warnings.length, 4);
      const snapshot = mergeKubernetesInventory(
        parseClusterSnapshot({ schemaVersion: 1, cluster: fixture.cluster }),
        inventory,
      );
      const { scan, readiness } = await evidence(snapshot);
      assert.match(
        readiness.checksSkipped?.find((c) => c.code === 'K8S007')?.reason ?? '',
        /resources: \[statefulsets\], verbs: \[list\]/,
      );
      assert.match(
        readiness.checksSkipped?.find((c) => c.code === 'CRD001')?.reason ?? '',
        /customresourcedefinitions/,
      );
      assert.ok(readiness.checksPartial?.some((c) => c.code === 'K8S002'));
      assert.deepEqual(scan.sourcesSkipped?.map((s) => s.source).sort(), [
        'API server metric apiserver_requested_deprecated_apis (/metrics)',
        'CRDs (third-party API versions)',
        'Helm releases (release Secrets)',
        'live objects: apps/statefulsets',
      ]);
      assert.match(
        scan.sourcesSkipped?.find((s) => s.source.startsWith('Helm'))?.reason ?? '',
        /resources: \[secrets\]/,
      );
    } finally {
      await fake.stop();
    }
  });

  void it('waits out 429 Retry-After and keeps at most 10 requests in flight', async () => {
    const fake = new FakeKubernetes({
      staticTokens: [TOKEN],
      metrics: LIVE_METRICS,
      latencyMs: 20,
      throttle: { everyNth: 3, times: 6, retryAfterSeconds: 1 },
    }).add(...liveClusterObjects());
    const server = await fake.start();
    try {
      const { inventory, stats } = await readWith(fake, server, dir, 1);
      for (const section of SECTIONS) assert.deepEqual(inventory[section], fixture[section], section);
      assert.equal(stats.throttled, 6);
      assert.equal(fake.requests.filter((r) => r.status === 429).length, 6);
      assert.ok(fake.maxInFlight <= 10, `max in flight ${fake.maxInFlight}`);
      assert.ok(fake.maxInFlight > 1, 'reads run concurrently');
    } finally {
      await fake.stop();
    }
  });

  void it('no planted secret reaches the inventory, its JSON, the warnings or the evidence', async () => {
    const fake = new FakeKubernetes({ staticTokens: [TOKEN], metrics: LIVE_METRICS }).add(...liveClusterObjects());
    const server = await fake.start();
    try {
      const { inventory, warnings } = await readWith(fake, server, dir);
      const snapshot = mergeKubernetesInventory(
        parseClusterSnapshot({ schemaVersion: 1, cluster: fixture.cluster }),
        inventory,
      );
      const everything = JSON.stringify({ inventory, warnings, snapshot, evidence: await evidence(snapshot) });
      for (const secret of PLANTED_VALUES)
        assert.ok(!everything.includes(secret), `planted value leaked: ${secret.slice(0, 6)}…`);
      assert.ok(!everything.includes(TOKEN));
      assert.ok(!(await readFile(join(dir, 'live-snapshot.json'), 'utf8').catch(() => '')).includes('planted'));
    } finally {
      await fake.stop();
    }
  });
});
