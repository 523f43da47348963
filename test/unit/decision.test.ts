// The go/no-go rules: hard blockers force NO_GO whatever the model says; the model decides within the bounds.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysisResult, SkippedAnalysis } from '../../src/domain/analysis';
import { decideUpgradeVerdict, severityBand } from '../../src/domain/decision';
import { evaluateUpgradeRules, summarizeEvidence, type DecisionEvidence } from '../../src/domain/upgrade-rules';
import type { ApiRemovalFinding, ReadinessReport } from '../../src/domain/evidence';

const removedIngress: ApiRemovalFinding = {
  kind: 'Ingress',
  name: 'web',
  namespace: 'shop',
  file: 'manifests/web.yaml',
  line: 12,
  apiVersion: 'networking.k8s.io/v1beta1',
  deprecatedIn: '1.19',
  removedIn: '1.22',
  replacement: 'networking.k8s.io/v1',
  replacementAvailableOnCurrent: true,
  removedByTarget: true,
  confidence: 'high',
  source: 'manifest',
  code: 'API001',
};
const cleanReadiness: ReadinessReport = {
  currentVersion: '1.30',
  targetVersion: '1.31',
  checksRun: ['UPG001', 'UPG002', 'EKS005'],
  findings: [],
};

function evidence(over: Partial<DecisionEvidence> = {}): DecisionEvidence {
  return {
    clusterName: 'prod-east',
    currentVersion: '1.30',
    targetVersion: '1.31',
    apiScan: { targetVersion: '1.31', findings: [], errors: [], objectsScanned: 12 },
    readiness: cleanReadiness,
    ...over,
  };
}

function modelDecision(verdict: string, severityScore: number, confidence = 0.9): AnalysisResult {
  return {
    analysisId: 'a1',
    template: 'UPGRADE_DECISION',
    promptVersion: 'v1',
    modelId: 'm',
    summary: 's',
    findings: [],
    breakingChanges: [],
    recommendations: [],
    severityScore,
    confidence,
    verdict,
    reasons: [`model says ${verdict}`],
    usage: { inputTokens: 1, outputTokens: 1, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
    costUsd: 0.01,
    processingTimeMs: 5,
  };
}

void describe('evaluateUpgradeRules', () => {
  void it('finds nothing on clean evidence: ceiling GO', () => {
    const rules = evaluateUpgradeRules(evidence());
    assert.deepEqual(rules, { blockers: [], cautions: [], ceiling: 'GO' });
  });

  void it('makes a removed API in use a blocker named API001, once per object', () => {
    const live = {
      ...removedIngress,
      file: undefined,
      line: undefined,
      source: 'live-cluster' as const,
      confidence: 'medium' as const,
    };
    const rules = evaluateUpgradeRules(
      evidence({ apiScan: { targetVersion: '1.31', findings: [removedIngress, live], errors: [], objectsScanned: 3 } }),
    );
    assert.equal(rules.ceiling, 'NO_GO');
    assert.equal(rules.blockers.length, 1);
    assert.equal(rules.blockers[0]?.code, 'API001');
    assert.match(
      rules.blockers[0]?.message ?? '',
      /Ingress shop\/web uses networking\.k8s\.io\/v1beta1 \(manifests\/web\.yaml:12\), removed in 1\.22.*migrate it to networking\.k8s\.io\/v1/,
    );
  });

  void it('treats a low-confidence removal as a caution, and a deprecated-only API as nothing', () => {
    const low = { ...removedIngress, confidence: 'low' as const };
    const deprecatedOnly = {
      ...removedIngress,
      name: 'api',
      removedIn: '1.35',
      removedByTarget: false,
      code: 'API002',
    };
    const rules = evaluateUpgradeRules(
      evidence({ apiScan: { targetVersion: '1.31', findings: [low, deprecatedOnly], errors: [], objectsScanned: 3 } }),
    );
    assert.equal(rules.ceiling, 'GO_WITH_CAUTION');
    assert.deepEqual(rules.blockers, []);
    assert.equal(rules.cautions.length, 1);
    assert.match(rules.cautions[0]?.message ?? '', /^Possibly: .*low confidence/);
  });

  void it('makes every required readiness finding a blocker under its own code; recommended ones cautions', () => {
    const readiness: ReadinessReport = {
      ...cleanReadiness,
      findings: [
        {
          code: 'UPG002',
          level: 'required',
          title: 'Data plane on the control-plane minor',
          message: 'nodegroup ng-1 runs 1.29',
          resource: 'nodegroup/ng-1',
        },
        {
          code: 'EKS005',
          level: 'required',
          title: 'Add-on compatible',
          message: 'vpc-cni v1.12 is not supported on 1.31',
          resource: 'addon/vpc-cni',
        },
        { code: 'K8S004', level: 'recommended', title: 'No PDB', message: 'add a PDB' },
      ],
    };
    const rules = evaluateUpgradeRules(evidence({ readiness }));
    assert.deepEqual(
      rules.blockers.map((b) => b.code),
      ['UPG002', 'EKS005'],
    );
    assert.deepEqual(
      rules.cautions.map((c) => c.code),
      ['K8S004'],
    );
    assert.equal(rules.ceiling, 'NO_GO');
  });

  void it('blocks a version skip and a downgrade itself only when readiness did not check the path (UPG001)', () => {
    const noPathCheck = { ...cleanReadiness, checksRun: ['EKS005'] };
    assert.deepEqual(
      evaluateUpgradeRules(evidence({ targetVersion: '1.32', readiness: noPathCheck })).blockers.map((b) => b.code),
      ['DEC001'],
    );
    assert.deepEqual(
      evaluateUpgradeRules(evidence({ targetVersion: '1.30', readiness: noPathCheck })).blockers.map((b) => b.code),
      ['DEC002'],
    );
    // With UPG001 run, its finding (not ours) names the problem: never counted twice.
    const withFinding = {
      ...cleanReadiness,
      findings: [
        {
          code: 'UPG001',
          level: 'required' as const,
          title: 'One minor per upgrade',
          message: '1.30 → 1.32 skips 1.31',
        },
      ],
    };
    assert.deepEqual(
      evaluateUpgradeRules(evidence({ targetVersion: '1.32', readiness: withFinding })).blockers.map((b) => b.code),
      ['UPG001'],
    );
  });

  void it('cautions on unparsed files, skipped checks and missing evidence', () => {
    const rules = evaluateUpgradeRules(
      evidence({
        apiScan: {
          targetVersion: '1.31',
          findings: [],
          errors: [{ file: 'bad.yaml', line: 3, message: 'bad indentation' }],
          objectsScanned: 0,
        },
        readiness: { ...cleanReadiness, checksSkipped: [{ code: 'AWS001', reason: 'no subnets in the snapshot' }] },
        unavailable: ['release notes 1.31 (AWSServiceError: offline)'],
      }),
    );
    assert.deepEqual(
      rules.cautions.map((c) => c.code),
      ['DEC005', 'DEC006', 'DEC004'],
    );
    assert.match(rules.cautions[0]?.message ?? '', /bad\.yaml:3/);
    assert.equal(rules.ceiling, 'GO_WITH_CAUTION');
  });
});

void describe('decideUpgradeVerdict', () => {
  const blocked = evaluateUpgradeRules(
    evidence({ apiScan: { targetVersion: '1.31', findings: [removedIngress], errors: [], objectsScanned: 1 } }),
  );
  const clean = evaluateUpgradeRules(evidence());

  void it('forces NO_GO on a blocker even when the model answers GO with low severity', () => {
    const d = decideUpgradeVerdict({ rules: blocked, aiDecision: modelDecision('GO', 1), skipped: [] });
    assert.equal(d.verdict, 'NO_GO');
    assert.equal(d.aiVerdict, 'GO');
    assert.equal(d.basis, 'rules+ai');
    assert.ok(d.severityScore >= 7, 'severity sits in the halt band');
    assert.match(d.reasons[0] ?? '', /^\[API001\]/);
    assert.ok(d.reasons.some((r) => /The model answered GO .* NO_GO because of 1 rule blocker/.test(r)));
  });

  void it('follows the model within the bounds: GO on clean evidence', () => {
    const d = decideUpgradeVerdict({ rules: clean, aiDecision: modelDecision('GO', 2), skipped: [] });
    assert.deepEqual([d.verdict, d.severityScore, d.confidence, d.basis], ['GO', 2, 0.9, 'rules+ai']);
  });

  void it('applies the severity bands: the stricter of verdict and severity band wins', () => {
    assert.deepEqual(
      [severityBand(3), severityBand(3.5), severityBand(6), severityBand(6.1)],
      ['GO', 'GO_WITH_CAUTION', 'GO_WITH_CAUTION', 'NO_GO'],
    );
    assert.equal(
      decideUpgradeVerdict({ rules: clean, aiDecision: modelDecision('GO', 5), skipped: [] }).verdict,
      'GO_WITH_CAUTION',
    );
    assert.equal(
      decideUpgradeVerdict({ rules: clean, aiDecision: modelDecision('GO', 8), skipped: [] }).verdict,
      'NO_GO',
    );
    // A model NO_GO is never softened by a low severity; the severity is raised to the band's floor.
    const d = decideUpgradeVerdict({ rules: clean, aiDecision: modelDecision('NO_GO', 2), skipped: [] });
    assert.deepEqual([d.verdict, d.severityScore], ['NO_GO', 7]);
  });

  void it('does not trust an unsure GO', () => {
    assert.equal(
      decideUpgradeVerdict({ rules: clean, aiDecision: modelDecision('GO', 1, 0.4), skipped: [] }).verdict,
      'GO_WITH_CAUTION',
    );
  });

  void it('caps at GO_WITH_CAUTION when any analysis was skipped, and names it', () => {
    const skipped: SkippedAnalysis[] = [
      { template: 'RELEASE_NOTES_ANALYSIS', errorType: 'BedrockCostThresholdError', reason: 'budget' },
    ];
    const d = decideUpgradeVerdict({ rules: clean, aiDecision: modelDecision('GO', 1), skipped });
    assert.equal(d.verdict, 'GO_WITH_CAUTION');
    assert.equal(d.cautions.at(-1)?.code, 'DEC003');
    assert.match(
      d.cautions.at(-1)?.message ?? '',
      /RELEASE_NOTES_ANALYSIS skipped \(BedrockCostThresholdError: budget\)/,
    );
  });

  void it('without the model: never better than GO_WITH_CAUTION, NO_GO on blockers', () => {
    const skipped: SkippedAnalysis[] = [{ template: 'UPGRADE_DECISION', errorType: 'AiDisabled', reason: 'off' }];
    const d = decideUpgradeVerdict({ rules: clean, skipped });
    assert.deepEqual([d.verdict, d.basis, d.severityScore], ['GO_WITH_CAUTION', 'rules', 4]);
    assert.ok(d.reasons.some((r) => /deterministic evidence alone/.test(r)));
    assert.equal(decideUpgradeVerdict({ rules: blocked, skipped }).verdict, 'NO_GO');
  });

  void it('ignores a model answer without a valid verdict', () => {
    const d = decideUpgradeVerdict({ rules: clean, aiDecision: modelDecision('PROCEED', 1), skipped: [] });
    assert.deepEqual([d.verdict, d.basis], ['GO_WITH_CAUTION', 'rules']);
  });

  void it('summarizes the evidence for the prompt without raw documents', () => {
    const text = summarizeEvidence(
      evidence({ apiScan: { targetVersion: '1.31', findings: [removedIngress], errors: [], objectsScanned: 1 } }),
      blocked,
    );
    assert.match(text, /Cluster prod-east: 1\.30 → 1\.31/);
    assert.match(text, /Rule blockers \(force NO_GO\) \(1\):\n- \[API001\]/);
    assert.match(text, /Release notes: not available/);
  });
});
