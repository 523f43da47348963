// Work the plan does is not a caution: the sample cluster with its removed API migrated reaches a GO ceiling, while
// kube-proxy (no version runs on both minors) is a plan step after the nodes instead of an EKS005 finding.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { evaluateUpgradeRules } from '../../src/domain/upgrade-rules';
import { parseManifestText } from '../../src/domain/manifests';
import { buildUpgradePlan } from '../../src/domain/plan';
import { runReadinessChecks } from '../../src/domain/readiness';
import { parseClusterSnapshot } from '../../src/domain/snapshot';

const NOW = new Date('2025-06-16T12:00:00Z');

function healthySample() {
  const snapshot = parseClusterSnapshot(
    JSON.parse(readFileSync('examples/sample-cluster/snapshot.json', 'utf8')) as unknown,
  );
  // The removed flowcontrol API migrated: the deprecated-API insight passes again.
  snapshot.insights = snapshot.insights?.map((i) => ({ ...i, status: 'PASSING' }));
  return snapshot;
}

void describe('readiness and the plan', () => {
  void it('a healthy cluster reaches a GO ceiling: kube-proxy is a plan step, not an EKS005 caution', () => {
    const snapshot = healthySample();
    const manifests = parseManifestText(readFileSync('examples/sample-cluster/manifests/web.yaml', 'utf8'), 'web.yaml');
    const readiness = runReadinessChecks({ snapshot, targetVersion: '1.32', manifests: manifests.objects, now: NOW });
    assert.deepEqual(readiness.findings, []);
    assert.deepEqual(readiness.checksSkipped, [], 'EKS006 passes: no node group uses a launch template');
    const rules = evaluateUpgradeRules({
      clusterName: 'demo-prod-east',
      currentVersion: '1.31',
      targetVersion: '1.32',
      readiness,
    });
    assert.equal(rules.ceiling, 'GO');
    const plan = buildUpgradePlan(snapshot, '1.32');
    const kubeProxy = plan.steps.find((s) => s.change.kind === 'addon-version' && s.change.addonName === 'kube-proxy');
    assert.equal(kubeProxy?.stage, 'addons-after-nodes');
  });

  void it('an add-on that must move before the upgrade is still a blocker', () => {
    const snapshot = healthySample();
    snapshot.addons = snapshot.addons?.map((a) => (a.name === 'vpc-cni' ? { ...a, version: 'v1.18.6-eksbuild.1' } : a));
    const readiness = runReadinessChecks({ snapshot, targetVersion: '1.32', now: NOW });
    assert.deepEqual(
      readiness.findings.map((f) => `${f.code}:${f.level}:${f.resource}`),
      ['EKS005:required:addon/vpc-cni'],
    );
  });

  void it('launch-template node groups whose latest version is unknown are skipped, not passed', () => {
    const snapshot = healthySample();
    snapshot.nodeGroups = snapshot.nodeGroups?.map((g) => ({ ...g, launchTemplate: { id: 'lt-1', version: '3' } }));
    const readiness = runReadinessChecks({ snapshot, targetVersion: '1.32', now: NOW });
    assert.ok(readiness.checksSkipped?.some((c) => c.code === 'EKS006' && /EC2/.test(c.reason)));
  });
});
