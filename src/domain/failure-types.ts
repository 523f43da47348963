// Failure types (ApplicationFailure.type) raised by the upgrade workflow and its activities, in one place so that
// retry policies, the workflow and the client agree on their names. The Bedrock ones live beside their
// classification in ./bedrock-errors and are re-exported here.
export { BedrockFailureType, NON_RETRYABLE_BEDROCK_FAILURE_TYPES } from './bedrock-errors';

export const UpgradeFailureType = {
  /** The workflow's input is invalid, or the inventory does not match it. Non-retryable. */
  InvalidUpgradeInput: 'InvalidUpgradeInput',
  /** A snapshot, manifest or release-notes input cannot be used as given. Non-retryable. */
  InvalidEvidenceInput: 'InvalidEvidenceInput',
  /** An input larger than a configured limit (EKS_UPGRADE_MAX_*: the message names it). Non-retryable. */
  EvidenceLimitExceeded: 'EvidenceLimitExceeded',
  /** A malformed request to the Bedrock guard. Non-retryable. */
  GuardBadRequest: 'BedrockGuardBadRequest',
  /** An approve/abort/requestRollback refused by its validator (wrong phase, NO_GO without override…). */
  RequestRejected: 'UpgradeRequestRejected',
  /** An accepted request whose answer never came: the upgrade ended or was aborted first. */
  RequestAbandoned: 'UpgradeRequestAbandoned',
  /** The worker could not assume the cluster's role (STS refused it, or could not be reached). */
  AssumeRoleFailed: 'AssumeRoleFailed',
} as const;
export type UpgradeFailureTypeName = (typeof UpgradeFailureType)[keyof typeof UpgradeFailureType];

/** AWS errors of the EKS API that no retry will fix (their `type` is the AWS error name). */
export const NON_RETRYABLE_AWS_READ_ERRORS: readonly string[] = [
  'AccessDeniedException',
  'ResourceNotFoundException',
  'ValidationException',
];
