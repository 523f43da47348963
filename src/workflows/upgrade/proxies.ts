// The activity proxies of the upgrade workflow and their retry policies (Temporal owns retries). Every proxy
// waits for a cancelled activity to acknowledge, so an abort returns once the work has really stopped; the short
// heartbeat timeouts are what let a cancellation, or a dead worker, be noticed within seconds.
import {
  ActivityCancellationType,
  proxyActivities,
  type ActivityOptions,
  type RetryPolicy,
} from '@temporalio/workflow';
import type { AnalysisActivities, EvidenceActivities } from '../../activities/contracts';
import {
  NON_RETRYABLE_AWS_READ_ERRORS,
  NON_RETRYABLE_BEDROCK_FAILURE_TYPES,
  UpgradeFailureType,
} from '../../domain/failure-types';
import type { ValidUpgradeInput } from '../upgrade-messages';

/** Bedrock calls: 3 attempts, backing off exponentially from 4 s to at most 10 s. */
export const BEDROCK_RETRY: RetryPolicy = {
  initialInterval: '4s',
  backoffCoefficient: 2,
  maximumInterval: '10s',
  maximumAttempts: 3,
  nonRetryableErrorTypes: [...NON_RETRYABLE_BEDROCK_FAILURE_TYPES, UpgradeFailureType.GuardBadRequest],
};

/** Reads of files, the changelog and the EKS API: quick first retry, a few attempts; bad input is not retried. */
export const READ_RETRY: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '15s',
  maximumAttempts: 4,
  nonRetryableErrorTypes: [UpgradeFailureType.InvalidEvidenceInput, ...NON_RETRYABLE_AWS_READ_ERRORS],
};

export interface UpgradeActivityProxies {
  inventory: Pick<EvidenceActivities, 'loadClusterInventory'>;
  evidence: Omit<EvidenceActivities, 'loadClusterInventory'>;
  ai: AnalysisActivities;
}

export function upgradeActivities(input: ValidUpgradeInput): UpgradeActivityProxies {
  const read = (startToCloseTimeout: string, summary: string): ActivityOptions => ({
    startToCloseTimeout,
    heartbeatTimeout: input.evidenceHeartbeatTimeoutMs,
    retry: READ_RETRY,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    summary,
  });
  // Bedrock: long start-to-close (rate waits + the call), short heartbeat so a dead worker's call moves on.
  const bedrock = (summary: string): ActivityOptions => ({
    startToCloseTimeout: '15 minutes',
    heartbeatTimeout: input.analysisHeartbeatTimeoutMs,
    retry: BEDROCK_RETRY,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    summary,
  });
  // One proxy per activity, so the Web UI names each one in the history (its summary).
  const evidence = (startToClose: string, summary: string) =>
    proxyActivities<EvidenceActivities>(read(startToClose, summary));
  const ai = (summary: string) => proxyActivities<AnalysisActivities>(bedrock(summary));
  return {
    inventory: { loadClusterInventory: evidence('2 minutes', 'cluster inventory').loadClusterInventory },
    evidence: {
      extractReleaseNotes: evidence('5 minutes', 'release notes').extractReleaseNotes,
      scanApiRemovals: evidence('5 minutes', 'deprecated/removed APIs').scanApiRemovals,
      checkClusterReadiness: evidence('5 minutes', 'readiness checks').checkClusterReadiness,
    },
    ai: {
      analyzeReleaseNotes: ai('Bedrock: release-notes analysis').analyzeReleaseNotes,
      analyzeDeprecationImpact: ai('Bedrock: deprecation impact').analyzeDeprecationImpact,
      assessClusterReadiness: ai('Bedrock: cluster readiness').assessClusterReadiness,
      decideUpgrade: ai('Bedrock: upgrade decision').decideUpgrade,
      decideRollback: ai('Bedrock: rollback decision').decideRollback,
    },
  };
}
