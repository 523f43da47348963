// The rollback rules: the model's ROLLBACK_DECISION within rule floors; HOLD when the model is not available.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysisResult } from '../../src/domain/analysis';
import type { UpgradeDecision } from '../../src/domain/decision';
import { decideRollbackVerdict, rollbackSeverityBand } from '../../src/domain/rollback';

const go: UpgradeDecision = {
  verdict: 'GO',
  severityScore: 2,
  confidence: 0.9,
  reasons: [],
  blockers: [],
  cautions: [],
  basis: 'rules+ai',
  aiVerdict: 'GO',
};
const noGo: UpgradeDecision = {
  ...go,
  verdict: 'NO_GO',
  severityScore: 8,
  blockers: [{ code: 'API001', message: 'Ingress uses v1beta1' }],
};

function model(verdict: string, severityScore: number, confidence = 0.9): AnalysisResult {
  return {
    analysisId: 'r1',
    template: 'ROLLBACK_DECISION',
    promptVersion: 'v1',
    modelId: 'm',
    summary: 's',
    findings: [],
    breakingChanges: [],
    recommendations: [],
    severityScore,
    confidence,
    verdict,
    reasons: ['error rate doubled'],
    usage: { inputTokens: 1, outputTokens: 1, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
    costUsd: 0.01,
    processingTimeMs: 3,
  };
}

const base = { requestedAt: '2026-11-26T08:00:00.000Z', reason: '5xx after upgrade', mode: 'analyze' as const };

void describe('decideRollbackVerdict', () => {
  void it('takes the model verdict when the rules agree, with what EKS allows as the action', () => {
    const r = decideRollbackVerdict({ ...base, decision: go, aiDecision: model('ROLLBACK', 8) });
    assert.deepEqual([r.verdict, r.basis, r.aiVerdict], ['ROLLBACK', 'rules+ai', 'ROLLBACK']);
    assert.match(r.action, /No automated action \(analyze mode\)\. Roll back by hand.*VersionRollback/);
    assert.ok(r.reasons.includes('Model: error rate doubled'));
  });

  void it('raises a MONITOR by severity band and by low confidence', () => {
    assert.deepEqual(
      [rollbackSeverityBand(3), rollbackSeverityBand(4), rollbackSeverityBand(7)],
      ['MONITOR', 'HOLD', 'ROLLBACK'],
    );
    assert.equal(decideRollbackVerdict({ ...base, decision: go, aiDecision: model('MONITOR', 2) }).verdict, 'MONITOR');
    assert.equal(decideRollbackVerdict({ ...base, decision: go, aiDecision: model('MONITOR', 9) }).verdict, 'ROLLBACK');
    assert.equal(
      decideRollbackVerdict({ ...base, decision: go, aiDecision: model('MONITOR', 1, 0.3) }).verdict,
      'HOLD',
    );
  });

  void it('rolls back when the upgrade was approved over rule blockers, whatever the model says', () => {
    const r = decideRollbackVerdict({ ...base, decision: noGo, aiDecision: model('MONITOR', 1) });
    assert.equal(r.verdict, 'ROLLBACK');
    assert.match(r.reasons[0] ?? '', /approved although the rules found 1 blocker\(s\) \(API001\)/);
  });

  void it('without the model: HOLD, naming why it was skipped', () => {
    const r = decideRollbackVerdict({
      ...base,
      decision: go,
      aiSkipped: { template: 'ROLLBACK_DECISION', errorType: 'BedrockCostThresholdError', reason: 'budget' },
    });
    assert.deepEqual([r.verdict, r.basis], ['HOLD', 'rules']);
    assert.match(r.reasons.join(' '), /ROLLBACK_DECISION skipped \(BedrockCostThresholdError: budget\)/);
    assert.equal(r.aiSkipped?.errorType, 'BedrockCostThresholdError');
  });
});
