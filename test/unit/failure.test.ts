// A failure's cause chain, walked from JavaScript errors and from history protos, and the cause shown.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ActivityFailure,
  ApplicationFailure,
  defaultFailureConverter,
  defaultPayloadConverter,
  RetryState,
} from '@temporalio/common';
import {
  failureChainOfError,
  failureChainOfProto,
  failureTitle,
  summarizeFailure,
  underlyingCauses,
} from '../../src/domain/failure';

function snapshotFailure(): ActivityFailure {
  const io = new Error("ENOENT: no such file or directory, open '/x.json'");
  const read = new Error('cannot read the snapshot file /x.json: check the path', { cause: io });
  const app = ApplicationFailure.create({
    type: 'InvalidEvidenceInput',
    message: read.message,
    nonRetryable: true,
    cause: read,
  });
  return new ActivityFailure(
    'Activity task failed',
    'loadClusterInventory',
    '5',
    RetryState.NON_RETRYABLE_FAILURE,
    'w',
    app,
  );
}

void describe('failure chains', () => {
  void it('the innermost typed failure is the cause; what lies under it is kept', () => {
    const f = summarizeFailure('failed', failureChainOfError(snapshotFailure()), 'inventory');
    assert.equal(f.type, 'InvalidEvidenceInput');
    assert.equal(f.message, 'cannot read the snapshot file /x.json: check the path');
    assert.equal(f.activity, 'loadClusterInventory');
    assert.equal(failureTitle(f), 'FAILED in phase inventory (activity loadClusterInventory)');
    assert.deepEqual(underlyingCauses(f), ["ENOENT: no such file or directory, open '/x.json'"]);
  });

  void it('reads the same from the failure proto a history event holds', () => {
    const proto = defaultFailureConverter.errorToFailure(snapshotFailure(), defaultPayloadConverter);
    const fromProto = summarizeFailure('failed', failureChainOfProto(proto), 'inventory');
    const fromError = summarizeFailure(
      'failed',
      failureChainOfError(defaultFailureConverter.failureToError(proto, defaultPayloadConverter)),
      'inventory',
    );
    assert.deepEqual(
      [fromProto.type, fromProto.message, fromProto.activity],
      ['InvalidEvidenceInput', 'cannot read the snapshot file /x.json: check the path', 'loadClusterInventory'],
    );
    assert.deepEqual(
      [fromError.type, fromError.message, fromError.activity],
      [fromProto.type, fromProto.message, fromProto.activity],
    );
  });

  void it('a retryable plain error (no specific type) is shown as the innermost message', () => {
    const app = ApplicationFailure.create({ message: 'fetch failed' });
    const f = summarizeFailure('failed', failureChainOfError(app));
    assert.equal(f.type, 'Error');
    assert.equal(f.message, 'fetch failed');
  });
});
