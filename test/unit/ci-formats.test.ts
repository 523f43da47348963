// JUnit XML and SARIF 2.1.0 of a report's findings (what `report --format junit|sarif` writes): checks that ran are
// test cases, findings fail them, skipped checks and suppressed findings are skipped; SARIF carries file and line for
// manifest findings, a logical location for cluster ones, and suppressions with their justification.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderJUnit, renderSarif } from '../../src/client/formats/ci-formats';
import type { ApiScanResult, ReadinessReport } from '../../src/domain/evidence';

const readiness: ReadinessReport = {
  currentVersion: '1.30',
  targetVersion: '1.31',
  checksRun: ['UPG001', 'K8S002', 'K8S008'],
  checksSkipped: [{ code: 'EKS001', reason: 'no subnets (EC2 access not configured)' }],
  findings: [
    {
      code: 'K8S002',
      level: 'recommended',
      title: 'Workloads with fewer than 2 replicas',
      message: 'Deployment shop/checkout runs 1 replica(s) (k8s/shop.yaml:12); set replicas >= 2.',
      resource: 'Deployment shop/checkout',
    },
    {
      code: 'K8S008',
      level: 'required',
      title: 'Pods mounting the Docker socket',
      message: 'DaemonSet ci/agent (live cluster) mounts /var/run/docker.sock.',
      resource: 'DaemonSet ci/agent',
      suppressed: { rule: 'suppressions[0] (K8S008)', reason: 'moving to kaniko', expires: '2026-12-31' },
    },
  ],
};

const apiScan: ApiScanResult = {
  targetVersion: '1.31',
  objectsScanned: 3,
  errors: [],
  findings: [
    {
      kind: 'FlowSchema',
      name: '(API clients)',
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3',
      removedIn: '1.32',
      replacementAvailableOnCurrent: true,
      removedByTarget: false,
      confidence: 'high',
      source: 'api-server-metrics',
      code: 'API002',
      location: 'API server metric apiserver_requested_deprecated_apis',
    },
  ],
  sourcesSkipped: [{ source: 'Helm releases (release Secrets)', reason: 'list secrets was forbidden' }],
};

void describe('CI formats of a report', () => {
  void it('JUnit: a test case per check that ran, failures per finding, skipped checks and suppressions skipped', () => {
    const xml = renderJUnit({ name: 'upgrade-prod-1.31', readiness, apiScan });
    assert.match(xml, /<testsuites name="upgrade-prod-1\.31"/);
    assert.match(xml, /<testcase classname="eks-upgrade\.UPG001" name="UPG001 One minor version per upgrade"\/>/);
    assert.match(
      xml,
      /<testcase classname="eks-upgrade\.K8S002" name="K8S002 Deployment shop\/checkout" file="k8s\/shop\.yaml:12">\s*<failure message="Deployment shop\/checkout runs 1 replica/,
    );
    assert.match(
      xml,
      /name="K8S008 DaemonSet ci\/agent">\s*<skipped\/>\s*<system-out><!\[CDATA\[suppressed by suppressions\[0\] \(K8S008\): moving to kaniko/,
    );
    assert.match(xml, /name="EKS001 Control-plane subnets with free IPs in two AZs">\s*<skipped\/>/);
    assert.match(xml, /name="not scanned: Helm releases \(release Secrets\)">\s*<skipped\/>/);
    assert.match(xml, /name="API002 FlowSchema \(API clients\)">\s*<system-out>/);
  });

  void it('SARIF 2.1.0: rules per code, file and line where known, logical locations, suppressions', () => {
    const log = JSON.parse(renderSarif({ toolVersion: '1.2.3', readiness, apiScan })) as {
      version: string;
      runs: Array<{
        tool: { driver: { version: string; rules: Array<{ id: string; helpUri: string }> } };
        results: Array<{
          ruleId: string;
          level: string;
          locations?: Array<{
            physicalLocation?: { artifactLocation: { uri: string }; region: { startLine: number } };
            logicalLocations?: Array<{ fullyQualifiedName: string }>;
          }>;
          suppressions?: Array<{ kind: string; justification: string }>;
        }>;
      }>;
    };
    assert.equal(log.version, '2.1.0');
    const run = log.runs[0];
    assert.equal(run?.tool.driver.version, '1.2.3');
    assert.deepEqual(
      run?.tool.driver.rules.map((r) => r.id),
      ['API002', 'K8S002', 'K8S008'],
    );
    assert.equal(run?.tool.driver.rules[1]?.helpUri, 'docs/checks.md#k8s002');
    const byRule = new Map(run?.results.map((r) => [r.ruleId, r]));
    assert.equal(byRule.get('K8S002')?.level, 'warning');
    assert.equal(byRule.get('K8S002')?.locations?.[0]?.physicalLocation?.artifactLocation.uri, 'k8s/shop.yaml');
    assert.equal(byRule.get('K8S002')?.locations?.[0]?.physicalLocation?.region.startLine, 12);
    assert.equal(byRule.get('K8S008')?.level, 'error');
    assert.equal(byRule.get('K8S008')?.locations?.[0]?.logicalLocations?.[0]?.fullyQualifiedName, 'DaemonSet ci/agent');
    assert.deepEqual(byRule.get('K8S008')?.suppressions, [
      { kind: 'external', justification: 'moving to kaniko (suppressions[0] (K8S008), until 2026-12-31)' },
    ]);
    assert.equal(byRule.get('API002')?.level, 'note');
  });
});
