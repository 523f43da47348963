// The rules by which an executing upgrade (or rollback) hears or refuses retry, skip, pause, resume and
// confirmRollback, and the phase table's rows for them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExecutionWait } from '../../src/domain/execution';
import {
  refuseConfirmRollback,
  refusePause,
  refuseResume,
  refuseRetry,
  refuseSkip,
  targetWait,
} from '../../src/domain/execution-requests';
import { REQUESTS_BY_PHASE, type RequestView } from '../../src/domain/upgrade-requests';

const since = '2026-07-01T10:00:00.000Z';
const evictionWait: ExecutionWait = {
  kind: 'failed',
  id: 'nodegroup/batch/version/1.32',
  stepId: 'nodegroup/batch/version/1.32',
  stepKind: 'nodegroup-version',
  since,
  errorCode: 'PodEvictionFailure',
  message: 'Reached max retries while trying to evict pods from nodes in node group batch',
  resourceIds: ['ip-10-0-1-1.ec2.internal'],
};
const controlPlaneWait: ExecutionWait = {
  ...evictionWait,
  id: 'control-plane/1.32',
  stepId: 'control-plane/1.32',
  stepKind: 'control-plane-version',
  errorCode: 'InvalidStateException',
};
const driftWait: ExecutionWait = { kind: 'drift', id: 'preflight:node-groups', stage: 'node-groups', since, drift: [] };

function executing(waits: ExecutionWait[], extra: Partial<NonNullable<RequestView['execution']>> = {}): RequestView {
  return {
    phase: 'execution',
    approval: 'approved',
    pendingRollbacks: 0,
    mode: 'execute',
    execution: { kind: 'upgrade', waits, pauseRequested: false, running: [], stepKinds: {}, ...extra },
  };
}

void describe('retry', () => {
  void it('answers a failed step or drift; force needs a reason and a failed update', () => {
    assert.equal(refuseRetry(executing([evictionWait]), { by: 'bob' }), undefined);
    assert.equal(refuseRetry(executing([evictionWait]), { force: true, reason: 'PDB too strict' }), undefined);
    assert.match(refuseRetry(executing([evictionWait]), { force: true }) ?? '', /--force needs a reason/);
    assert.equal(refuseRetry(executing([driftWait]), {}), undefined);
    assert.match(refuseRetry(executing([driftWait]), { force: true, reason: 'x' }) ?? '', /for drift, retry checks/);
  });

  void it('is refused when nothing waits, in analyze mode, outside the execution, and when two steps wait unnamed', () => {
    assert.match(refuseRetry(executing([]), {}) ?? '', /nothing to retry: nothing waits/);
    assert.match(refuseRetry({ ...executing([evictionWait]), mode: 'analyze' }, {}) ?? '', /analyze mode/);
    assert.match(refuseRetry({ ...executing([evictionWait]), phase: 'soak' }, {}) ?? '', /phase soak/);
    const two = executing([evictionWait, { ...evictionWait, id: 'nodegroup/web/version/1.32', stepId: 'x' }]);
    assert.match(refuseRetry(two, {}) ?? '', /2 steps wait for a decision .* name one with --step/);
    assert.equal(refuseRetry(two, { stepId: 'nodegroup/web/version/1.32' }), undefined);
    assert.match(refuseRetry(two, { stepId: 'nope' }) ?? '', /nothing that this request can answer waits as 'nope'/);
    assert.match(refuseRetry(executing([evictionWait]), { extra: 1 }) ?? '', /malformed retry request/);
  });
});

void describe('skip', () => {
  void it('needs a reason, and never skips the control plane', () => {
    assert.equal(refuseSkip(executing([evictionWait]), { reason: 'done by hand' }), undefined);
    assert.match(refuseSkip(executing([evictionWait]), {}) ?? '', /malformed skip request: reason/);
    assert.match(
      refuseSkip(executing([controlPlaneWait]), { reason: 'later' }) ?? '',
      /the control plane cannot be skipped: node groups and add-ons depend on it/,
    );
    assert.equal(refuseSkip(executing([driftWait]), { reason: 'someone moved coredns on purpose' }), undefined);
    const manual: ExecutionWait = { kind: 'manual', id: 'manual/fargate', stepId: 'manual/fargate', since };
    assert.equal(refuseSkip(executing([manual]), { reason: 'no Fargate pods left' }), undefined);
  });
});

void describe('pause and resume', () => {
  void it('pause once; resume a pause, a stage gate or a manual step, not a failure', () => {
    assert.equal(refusePause(executing([]), { by: 'alice' }), undefined);
    assert.match(refusePause(executing([], { pauseRequested: true }), {}) ?? '', /already requested/);
    assert.equal(refuseResume(executing([], { pauseRequested: true }), {}), undefined);
    const gate: ExecutionWait = { kind: 'between-stages', id: 'stage:node-groups', stage: 'node-groups', since };
    assert.equal(refuseResume(executing([gate]), {}), undefined);
    assert.match(refuseResume(executing([evictionWait]), {}) ?? '', /waits for a decision \(retry, skip/);
    assert.match(refuseResume(executing([]), {}) ?? '', /nothing is paused/);
  });
});

void describe('confirmRollback', () => {
  const soak: RequestView = { phase: 'soak', approval: 'approved', pendingRollbacks: 0, mode: 'execute' };

  void it('in the soak window: only a proposal awaiting confirmation', () => {
    assert.equal(refuseConfirmRollback({ ...soak, rollbackProposal: 'awaiting-confirmation' }, {}), undefined);
    assert.match(refuseConfirmRollback(soak, {}) ?? '', /no rollback is proposed: ask for a verdict first/);
    assert.match(refuseConfirmRollback({ ...soak, rollbackProposal: 'confirmed' }, {}) ?? '', /already confirmed/);
    assert.match(refuseConfirmRollback({ ...soak, mode: 'analyze' }, {}) ?? '', /analyze mode: nothing was changed/);
  });

  void it('during the execution: while something waits for the operator, not while steps run unattended', () => {
    assert.equal(refuseConfirmRollback(executing([evictionWait]), { reason: 'too risky' }), undefined);
    assert.match(
      refuseConfirmRollback(executing([], { running: ['control-plane/1.32'] }), {}) ?? '',
      /steps are running \(control-plane\/1\.32\): pause first/,
    );
    assert.match(
      refuseConfirmRollback({ ...executing([evictionWait]), phase: 'rollback' }, {}) ?? '',
      /phase rollback/,
    );
  });
});

void describe('the phase table', () => {
  void it('hears the execution decisions during the execution and the rollback only', () => {
    for (const name of ['retry', 'skip', 'pause', 'resume'] as const) {
      const phases = Object.entries(REQUESTS_BY_PHASE)
        .filter(([, names]) => names.includes(name))
        .map(([phase]) => phase);
      assert.deepEqual(phases, ['execution', 'rollback'], name);
    }
    assert.deepEqual(
      Object.entries(REQUESTS_BY_PHASE)
        .filter(([, names]) => names.includes('confirmRollback'))
        .map(([phase]) => phase),
      ['execution', 'soak'],
    );
    assert.ok(REQUESTS_BY_PHASE.rollback.includes('abort'));
  });

  void it('targetWait picks the only wait of the kinds asked', () => {
    const pause: ExecutionWait = { kind: 'paused', id: 'pause', since, by: 'alice' };
    const found = targetWait([pause, evictionWait], ['failed'], undefined);
    assert.ok('wait' in found && found.wait.id === evictionWait.id);
  });
});
