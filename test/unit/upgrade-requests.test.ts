// The rules by which a running upgrade hears or refuses approve, abort and requestRollback.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { UpgradeDecision } from '../../src/domain/decision';
import {
  MAX_PENDING_ROLLBACKS,
  REQUESTS_BY_PHASE,
  refuseAbort,
  refuseApprove,
  refuseRollback,
  type RequestView,
} from '../../src/domain/upgrade-requests';
import { UPGRADE_PHASES } from '../../src/domain/upgrade-report';

const noGo: UpgradeDecision = {
  verdict: 'NO_GO',
  severityScore: 9,
  confidence: 0.9,
  basis: 'rules',
  reasons: [],
  blockers: [
    { code: 'API001', message: 'Ingress shop/web uses networking.k8s.io/v1beta1', resource: 'Ingress shop/web' },
    { code: 'API001', message: 'CronJob ops/backup uses batch/v1beta1' },
    { code: 'EKS002', message: 'vpc-cni 1.11 is not compatible with 1.31' },
  ],
  cautions: [],
};
const go: UpgradeDecision = { ...noGo, verdict: 'GO', blockers: [] };
const gate: RequestView = { phase: 'awaiting-approval', approval: 'pending', decision: go, pendingRollbacks: 0 };

void describe('refuseApprove', () => {
  void it('hears approve only at an open gate', () => {
    assert.equal(refuseApprove(gate, { by: 'alice' }), undefined);
    assert.match(
      refuseApprove({ ...gate, phase: 'analysis', approval: 'not-requested' }, {}) ?? '',
      /^the upgrade is in phase analysis: approve once the decision is in/,
    );
    assert.match(refuseApprove({ ...gate, phase: 'soak', approval: 'approved' }, {}) ?? '', /phase soak/);
    assert.match(refuseApprove({ ...gate, abortReason: 'freeze' }, {}) ?? '', /being aborted \(freeze\)/);
  });

  void it('refuses a NO_GO without an override, listing its blockers', () => {
    const refusal = refuseApprove({ ...gate, decision: noGo }, { by: 'alice' }) ?? '';
    assert.match(refusal, /^the decision is NO_GO with 3 blocker\(s\):/);
    assert.match(refusal, /- \[API001\] Ingress shop\/web uses/);
    assert.match(refusal, /- \[EKS002\] vpc-cni 1\.11/);
    assert.match(refusal, /acknowledges blocker\(s\) API001, EKS002/);
  });

  void it('accepts an override that gives a reason and acknowledges exactly the blocker codes', () => {
    const view = { ...gate, decision: noGo };
    const override = (blockers: string[], reason = 'migrated in the same window') => ({
      override: { reason, blockers },
    });
    assert.equal(refuseApprove(view, override(['EKS002', 'API001'])), undefined);
    assert.match(refuseApprove(view, override(['API001'])) ?? '', /missing: EKS002/);
    assert.match(
      refuseApprove(view, override(['API001', 'EKS002', 'RDY9'])) ?? '',
      /not blockers of this decision: RDY9/,
    );
    assert.match(
      refuseApprove(view, override(['API001', 'EKS002'], '   ')) ?? '',
      /^malformed approve request: override\.reason/,
    );
    assert.match(refuseApprove(gate, override(['API001'])) ?? '', /decision is GO: there are no blockers to override/);
  });

  void it('refuses malformed requests, naming the field', () => {
    assert.match(refuseApprove(gate, { by: 3 }) ?? '', /^malformed approve request: by:/);
    assert.match(refuseApprove(gate, { approver: 'x' }) ?? '', /malformed approve request/);
  });
});

void describe('refuseAbort and refuseRollback', () => {
  void it('abort is heard in every phase that still has work, once', () => {
    for (const phase of UPGRADE_PHASES) {
      const refused = refuseAbort({ ...gate, phase }, { reason: 'freeze' });
      assert.equal(refused === undefined, !['report', 'completed', 'aborted'].includes(phase), phase);
    }
    assert.match(refuseAbort(gate, { reason: '' }) ?? '', /^malformed abort request: reason/);
    assert.match(refuseAbort({ ...gate, abortReason: 'first' }, { reason: 'second' }) ?? '', /being aborted \(first\)/);
  });

  void it('a rollback request is heard during an open soak window only', () => {
    const soak: RequestView = { ...gate, phase: 'soak', approval: 'approved', soakEndsAtMs: 10_000 };
    assert.equal(refuseRollback(soak, { reason: '5xx' }, 5_000), undefined);
    assert.match(
      refuseRollback(gate, { reason: '5xx' }, 5_000) ?? '',
      /rollback requests are heard during the soak window/,
    );
    assert.match(refuseRollback(soak, { reason: '5xx' }, 10_000) ?? '', /soak window closed at 1970-01-01T00:00:10/);
    assert.match(refuseRollback({ ...soak, soakClosedBy: 'a ROLLBACK verdict' }, { reason: 'x' }, 0) ?? '', /closing/);
    assert.match(
      refuseRollback({ ...soak, pendingRollbacks: MAX_PENDING_ROLLBACKS }, { reason: 'x' }, 0) ?? '',
      /already waiting/,
    );
    assert.match(refuseRollback(soak, { reason: 'x', evidence: 'e'.repeat(100_001) }, 0) ?? '', /evidence/);
  });

  void it('every phase is in the table', () => {
    assert.deepEqual(Object.keys(REQUESTS_BY_PHASE).sort(), [...UPGRADE_PHASES].sort());
  });
});
