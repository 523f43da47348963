// The activity proxies of the upgrade workflow and their retry policies (Temporal owns retries). Every proxy
// waits for a cancelled activity to acknowledge, so an abort returns once the work has really stopped; the short
// heartbeat timeouts are what let a cancellation, or a dead worker, be noticed within seconds.
import {
  ActivityCancellationType,
  proxyActivities,
  type ActivityOptions,
  type RetryPolicy,
} from '@temporalio/workflow';
import type {
  AnalysisActivities,
  EvidenceActivities,
  ExecutionActivities,
  PlanningActivities,
} from '../../activities/contracts';
import type { PlanStep } from '../../domain/plan';
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

/**
 * EKS step activities poll inside themselves, heartbeating: a retry comes only after a worker death or a transient
 * error, and reads the state first, so it is quick and at a constant interval (retries add no history events).
 */
export const EKS_STEP_RETRY: RetryPolicy = {
  initialInterval: '2s',
  backoffCoefficient: 1,
  maximumInterval: '2s',
  maximumAttempts: 100,
};

/** The preflight reads EKS: a few quick retries for throttling or a 5xx, then the operator is asked. */
export const PREFLIGHT_RETRY: RetryPolicy = {
  initialInterval: '2s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  maximumAttempts: 8,
};

export interface UpgradeActivityProxies {
  inventory: Pick<EvidenceActivities, 'loadClusterInventory'>;
  evidence: Omit<EvidenceActivities, 'loadClusterInventory'>;
  ai: AnalysisActivities;
  plan: PlanningActivities;
  /** The preflight, and the activities of one plan step (their timeouts depend on the step). */
  preflight: ExecutionActivities['preflightCluster'];
  forStep(step: PlanStep): Omit<ExecutionActivities, 'preflightCluster'>;
}

const MIN = 60_000;

/** Longer than the step can take in EKS: a node group ⌈nodes ÷ maxUnavailable⌉ rounds of up to 25 minutes. */
export function stepStartToCloseMs(step: PlanStep): number {
  const c = step.change;
  if (c.kind === 'nodegroup-version') return (Math.ceil(c.nodes / Math.max(1, c.maxUnavailable)) * 30 + 60) * MIN;
  if (c.kind === 'control-plane-version') return 180 * MIN;
  return 60 * MIN;
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
  const { pollIntervalMs, heartbeatTimeoutMs } = input.execution;
  const plan = (summary: string) =>
    proxyActivities<PlanningActivities>({ startToCloseTimeout: '1 minute', retry: READ_RETRY, summary });
  return {
    plan: {
      planUpgrade: plan('upgrade plan').planUpgrade,
      planRollback: plan('rollback plan').planRollback,
    },
    preflight: proxyActivities<ExecutionActivities>({
      startToCloseTimeout: '5 minutes',
      retry: PREFLIGHT_RETRY,
      summary: 'preflight: cluster ACTIVE, no update running, versions as planned',
    }).preflightCluster,
    forStep: (step) =>
      proxyActivities<ExecutionActivities>({
        startToCloseTimeout: stepStartToCloseMs(step),
        // A dead worker is noticed within this: the activity heartbeats after every DescribeUpdate poll.
        heartbeatTimeout: heartbeatTimeoutMs ?? Math.max(2 * pollIntervalMs, 10_000),
        retry: EKS_STEP_RETRY,
        summary: step.title.slice(0, 200),
      }),
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
