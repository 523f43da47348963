// Suppression rules of .eks-upgrade.yaml: matching by code, resource glob and version; blockers only with an
// expiry; expired rules warn; suppressed findings stay in the report and the decision ignores them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { evaluateUpgradeRules } from '../../src/domain/upgrade-rules';
import type { ApiScanResult, ReadinessReport } from '../../src/domain/evidence';
import { renderReportMarkdown } from '../../src/domain/report';
import { applySuppressions, parseUpgradeConfig } from '../../src/domain/suppressions';

const NOW = new Date('2026-03-01T12:00:00Z');

const readiness: ReadinessReport = {
  currentVersion: '1.31',
  targetVersion: '1.32',
  checksRun: ['K8S002', 'K8S008'],
  findings: [
    {
      code: 'K8S008',
      level: 'required',
      title: 'Docker socket',
      message: 'mounts docker.sock',
      resource: 'DaemonSet ci/build-agent',
    },
    {
      code: 'K8S002',
      level: 'recommended',
      title: 'Replicas',
      message: 'one replica',
      resource: 'Deployment batch/nightly',
    },
    {
      code: 'K8S002',
      level: 'recommended',
      title: 'Replicas',
      message: 'one replica',
      resource: 'Deployment shop/web',
    },
  ],
};

const apiScan: ApiScanResult = {
  targetVersion: '1.32',
  objectsScanned: 1,
  errors: [],
  findings: [
    {
      kind: 'FlowSchema',
      name: 'legacy',
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3',
      removedIn: '1.32',
      replacement: 'flowcontrol.apiserver.k8s.io/v1',
      replacementAvailableOnCurrent: true,
      removedByTarget: true,
      confidence: 'medium',
      source: 'live-cluster',
      code: 'API001',
    },
  ],
};

function config(yaml: string) {
  return parseUpgradeConfig(parse(yaml));
}

void describe('suppressions', () => {
  void it('suppresses by code and glob; a blocker only with an expiry; the decision ignores what is suppressed', () => {
    const rules = config(`
suppressions:
  - code: K8S002
    resource: Deployment/batch/*
    reason: batch jobs tolerate a restart
  - code: K8S008
    resource: DaemonSet/ci/build-agent
    reason: the CI agent is moved to kaniko this sprint
    expires: 2026-03-31
  - code: API001
    resource: FlowSchema/legacy
    reason: the annotation is stale; the object was migrated with kubectl patch
`);
    const out = applySuppressions({ config: rules, targetVersion: '1.32', now: NOW, readiness, apiScan });
    const byResource = new Map(out.readiness.findings.map((f) => [f.resource, f.suppressed?.reason]));
    assert.equal(byResource.get('Deployment batch/nightly'), 'batch jobs tolerate a restart');
    assert.equal(byResource.get('Deployment shop/web'), undefined);
    assert.equal(byResource.get('DaemonSet ci/build-agent'), 'the CI agent is moved to kaniko this sprint');
    // API001 is a blocker and its rule has no expiry: not applied, and said so.
    assert.equal(out.apiScan.findings[0]?.suppressed, undefined);
    assert.equal(out.warnings.length, 1);
    assert.match(out.warnings[0] ?? '', /suppressions\[2\].*no expiry/);

    const rulesOutcome = evaluateUpgradeRules({
      clusterName: 'c',
      currentVersion: '1.31',
      targetVersion: '1.32',
      readiness: out.readiness,
      apiScan: out.apiScan,
    });
    assert.deepEqual(
      rulesOutcome.blockers.map((b) => b.code),
      ['API001'],
    );
    assert.deepEqual(
      rulesOutcome.suppressedBlockers?.map((b) => [b.code, b.suppressedBy.expires]),
      [['K8S008', '2026-03-31']],
    );
    assert.deepEqual(
      rulesOutcome.cautions.map((c) => c.resource),
      ['Deployment shop/web'],
    );
  });

  void it('an expired rule warns and suppresses nothing; a version-scoped rule applies only to that target', () => {
    const rules = config(`
suppressions:
  - { code: K8S008, reason: old waiver, expires: 2026-02-28 }
  - { code: K8S002, version: "1.33", reason: only for the next hop }
`);
    const out = applySuppressions({ config: rules, targetVersion: '1.32', now: NOW, readiness });
    assert.ok(out.readiness.findings.every((f) => f.suppressed === undefined));
    assert.deepEqual(out.warnings, [
      'suppressions[0] (K8S008) expired on 2026-02-28: it no longer suppresses anything.',
    ]);
  });

  void it('the report lists suppressed blockers with their rule, reason and expiry', () => {
    const rules = config(`
suppressions:
  - { code: API001, resource: "FlowSchema/*", reason: migrated, expires: 2026-04-01 }
`);
    const out = applySuppressions({ config: rules, targetVersion: '1.32', now: NOW, apiScan });
    const outcome = evaluateUpgradeRules({
      clusterName: 'c',
      currentVersion: '1.31',
      targetVersion: '1.32',
      apiScan: out.apiScan,
    });
    assert.equal(outcome.blockers.length, 0);
    const md = renderReportMarkdown({
      status: {
        workflowId: 'w',
        clusterName: 'c',
        currentVersion: '1.31',
        targetVersion: '1.32',
        phase: 'completed',
        progress: { done: 1, total: 1 },
        findingsCount: 1,
        approval: 'not-requested',
        costUsd: 0,
        skippedAnalyses: [],
        rollbacks: [],
        notes: [],
        headline: 'c',
        mode: 'analyze',
        decision: {
          verdict: 'GO_WITH_CAUTION',
          severityScore: 4,
          confidence: 0.5,
          reasons: [],
          blockers: [],
          cautions: [],
          basis: 'rules',
          ...(outcome.suppressedBlockers ? { suppressedBlockers: outcome.suppressedBlockers } : {}),
        },
      },
      analyses: [],
      apiScan: out.apiScan,
      execution: 'Not executed',
    } as unknown as Parameters<typeof renderReportMarkdown>[0]);
    assert.match(md, /### Suppressed blockers/);
    assert.match(md, /FlowSchema legacy: .* by suppressions\[0\] \(API001 FlowSchema\/\*\) until 2026-04-01: migrated/);
    assert.match(md, /suppressed \(migrated, until 2026-04-01\)/);
  });

  void it('bad configuration names the field and how to fix it', () => {
    assert.throws(
      () => config('suppressions:\n  - code: k8s002\n    reason: ""\n    expires: tomorrow\n'),
      (e: Error) =>
        /suppressions\.0\.code: expected a check code/.test(e.message) &&
        /suppressions\.0\.reason/.test(e.message) &&
        /suppressions\.0\.expires: expected a date/.test(e.message),
    );
    assert.deepEqual(config('checks:\n  K8S002: { minReplicas: 3 }\n').checks.K8S002?.minReplicas, 3);
  });
});
