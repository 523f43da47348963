// `eks-upgrade scan` on Helm release Secrets given as files (pluto's own e2e fixtures), with suppressions from
// .eks-upgrade.yaml, a pluto-format versions file, and the CI formats: JUnit XML and SARIF 2.1.0 with file and line.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runScan, type ScanOptions } from '../../src/client/commands/scan';
import { helmReleaseSecret } from '../fixtures/kubernetes/cluster-objects';

const PLUTO = 'test/fixtures/helm3-pluto';

async function scan(options: Partial<ScanOptions> & { manifests: string[] }) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runScan(
    { format: 'json', ...options },
    { result: (t: string) => void out.push(t), info: (t: string) => void err.push(t) },
  );
  return { code, stdout: out.join(''), stderr: err.join('') };
}

interface Json {
  findings: Array<Record<string, unknown> & { suppressed?: { reason: string } }>;
  objectsScanned: number;
}

void describe('scan: Helm release Secrets, suppressions, CI formats', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scan-helm-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  void it("finds pluto's two removed Deployments (default, demo2) in its Helm 3 release Secrets", async () => {
    const { code, stdout } = await scan({ manifests: [PLUTO], target: '1.16' });
    assert.equal(code, 3);
    const result = JSON.parse(stdout) as Json;
    assert.deepEqual(
      result.findings.map((f) => [f.code, f.kind, f.namespace, f.name, f.apiVersion, f.source]),
      [
        ['API001', 'Deployment', 'default', 'test-helm3chart-v1beta1', 'extensions/v1beta1', 'helm'],
        ['API001', 'Deployment', 'demo2', 'test-helm3chart-v1beta1', 'extensions/v1beta1', 'helm'],
      ],
    );
    const first = result.findings[0];
    assert.match(String(first?.file), /helm3-pluto\/secret(_duplicate_name)?\.json$/);
    assert.equal(first?.line, 1);
    assert.match(
      String(first?.location),
      /Helm release (default|demo2)\/test revision \d \(chart helm3chart-0\.1\.0\)/,
    );
    // At a later target the demo2 chart's policy/v1beta1 PDB (removed in 1.25) shows up too.
    const later = JSON.parse((await scan({ manifests: [PLUTO], target: '1.25' })).stdout) as Json;
    assert.ok(later.findings.some((f) => f.kind === 'PodDisruptionBudget' && f.namespace === 'demo2'));
  });

  void it('scans only the newest deployed revision: a superseded one with a removed API yields nothing', async () => {
    const file = join(dir, 'releases.json');
    const items = [
      helmReleaseSecret({
        name: 'web',
        namespace: 'shop',
        revision: 1,
        status: 'superseded',
        chart: 'web',
        chartVersion: '1.0.0',
        manifest: 'apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: web\n',
      }),
      helmReleaseSecret({
        name: 'web',
        namespace: 'shop',
        revision: 2,
        status: 'deployed',
        chart: 'web',
        chartVersion: '1.1.0',
        manifest: 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n',
      }),
    ];
    await writeFile(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    const { code, stdout } = await scan({ manifests: [file], target: '1.32' });
    assert.equal(code, 0);
    assert.deepEqual((JSON.parse(stdout) as Json).findings, []);
  });

  void it('a blocker is suppressed only by a rule with an expiry; the suppressed finding stays in the output', async () => {
    const withExpiry = join(dir, 'with-expiry.yaml');
    await writeFile(
      withExpiry,
      'suppressions:\n  - code: API001\n    resource: "Deployment/*/test-helm3chart-v1beta1"\n    reason: chart upgrade scheduled\n    expires: 2099-01-01\n',
    );
    const suppressed = await scan({ manifests: [PLUTO], target: '1.16', config: withExpiry });
    assert.equal(suppressed.code, 0);
    const findings = (JSON.parse(suppressed.stdout) as Json).findings;
    assert.equal(findings.length, 2);
    assert.ok(findings.every((f) => f.suppressed?.reason === 'chart upgrade scheduled'));

    const noExpiry = join(dir, 'no-expiry.yaml');
    await writeFile(noExpiry, 'suppressions:\n  - { code: API001, reason: trust me }\n');
    const refused = await scan({ manifests: [PLUTO], target: '1.16', config: noExpiry });
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /no expiry, so it was not applied/);

    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'suppressions:\n  - { code: API001 }\n');
    const invalid = await scan({ manifests: [PLUTO], target: '1.16', config: bad });
    assert.equal(invalid.code, 2);
    assert.match(invalid.stderr, /suppressions\.0\.reason/);
  });

  void it('a pluto versions file adds third-party APIs (API003, never a Kubernetes blocker)', async () => {
    const manifest = join(dir, 'crd-use.yaml');
    await writeFile(
      manifest,
      'apiVersion: someother/v1beta1\nkind: AnotherCRD\nmetadata:\n  name: x\n---\napiVersion: cert-manager.io/v1alpha2\nkind: Certificate\nmetadata:\n  name: tls\n  namespace: web\n',
    );
    const versions = join(dir, 'versions.yaml');
    await writeFile(
      versions,
      'target-versions:\n  other: v1.0.0\ndeprecated-versions:\n- version: someother/v1beta1\n  kind: AnotherCRD\n  deprecated-in: v0.9.0\n  removed-in: v1.0.0\n  replacement-api: someother/v1\n  component: other\n',
    );
    const { code, stdout } = await scan({ manifests: [manifest], target: '1.32', additionalVersions: versions });
    assert.equal(code, 0);
    const findings = (JSON.parse(stdout) as Json).findings;
    assert.deepEqual(
      findings.map((f) => [f.code, f.kind, f.component, f.removedIn]),
      [
        ['API003', 'AnotherCRD', 'other', 'other 1.0.0'],
        ['API003', 'Certificate', 'cert-manager', 'cert-manager 1.6.0'],
      ],
    );
    assert.match(
      String(findings[0]?.note),
      /other v1\.0\.0 is installed or targeted, so this version is no longer served/,
    );
    assert.match(String(findings[1]?.factSource), /cert-manager 1\.6 release notes/);
  });

  void it('writes JUnit XML and SARIF 2.1.0 with file and line', async () => {
    const junit = await scan({
      manifests: ['test/fixtures/manifests/removed/1.29-flowcontrol.yaml'],
      target: '1.29',
      format: 'junit',
    });
    assert.equal(junit.code, 3);
    assert.match(junit.stdout, /^<\?xml/);
    assert.match(junit.stdout, /<testsuite name="API removals \(target 1\.29\)"[^>]*failures="\d+"/);
    assert.match(
      junit.stdout,
      /<testcase classname="eks-upgrade\.API001" name="API001 FlowSchema service-accounts" file="[^"]*1\.29-flowcontrol\.yaml:1">/,
    );
    assert.match(
      junit.stdout,
      /<failure message="FlowSchema service-accounts uses flowcontrol\.apiserver\.k8s\.io\/v1beta2: removed in 1\.29/,
    );

    const sarif = await scan({
      manifests: ['test/fixtures/manifests/removed/1.29-flowcontrol.yaml'],
      target: '1.29',
      format: 'sarif',
    });
    const log = JSON.parse(sarif.stdout) as {
      version: string;
      $schema: string;
      runs: Array<{
        tool: { driver: { name: string; rules: Array<{ id: string }> } };
        results: Array<{
          ruleId: string;
          level: string;
          locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }>;
        }>;
      }>;
    };
    assert.equal(log.version, '2.1.0');
    assert.match(log.$schema, /sarif/);
    const run = log.runs[0];
    assert.equal(run?.tool.driver.name, 'eks-upgrade-agent');
    assert.ok(run?.tool.driver.rules.some((r) => r.id === 'API001'));
    const result = run?.results.find((r) => r.ruleId === 'API001');
    assert.equal(result?.level, 'error');
    assert.match(result?.locations[0]?.physicalLocation.artifactLocation.uri ?? '', /1\.29-flowcontrol\.yaml$/);
    assert.equal(result?.locations[0]?.physicalLocation.region.startLine, 1);

    // Suppressed findings are SARIF suppressions with the justification; JUnit lists them as skipped.
    const rule = join(dir, 'suppress.yaml');
    await writeFile(rule, 'suppressions:\n  - { code: API001, reason: migrating this week, expires: 2099-01-01 }\n');
    const suppressedSarif = await scan({ manifests: [PLUTO], target: '1.16', format: 'sarif', config: rule });
    const parsed = JSON.parse(suppressedSarif.stdout) as {
      runs: Array<{ results: Array<{ suppressions?: Array<{ kind: string; justification: string }> }> }>;
    };
    assert.ok(
      parsed.runs[0]?.results.every((r) => r.suppressions?.[0]?.justification.startsWith('migrating this week')),
    );
    const suppressedJunit = await scan({ manifests: [PLUTO], target: '1.16', format: 'junit', config: rule });
    assert.match(suppressedJunit.stdout, /skipped="2"/);
  });
});
