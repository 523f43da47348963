// Workflow bundle entry for the Bedrock activity tests on a real dev server: the real guard, plus small workflows
// that call one analysis activity with the retry policy the upgrade workflow is meant to use (non-retryable types
// from src/domain/bedrock-errors), or cancel it mid-call.
import {
  ActivityCancellationType,
  CancellationScope,
  isCancellation,
  proxyActivities,
  sleep,
} from '@temporalio/workflow';
import type { AnalysisActivities, AnalysisContext } from '../../src/activities/contracts';
import type { AnalysisResult } from '../../src/domain/analysis';
import type { ReleaseNotesExtract } from '../../src/domain/evidence';
import { NON_RETRYABLE_BEDROCK_FAILURE_TYPES } from '../../src/domain/bedrock-errors';

const { analyzeReleaseNotes } = proxyActivities<AnalysisActivities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '2 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: {
    initialInterval: '50 milliseconds',
    backoffCoefficient: 1,
    maximumAttempts: 4,
    nonRetryableErrorTypes: [...NON_RETRYABLE_BEDROCK_FAILURE_TYPES],
  },
});

export interface AnalyzeInput {
  context: AnalysisContext;
  extract: ReleaseNotesExtract;
}

export async function releaseNotesAnalysisWorkflow(input: AnalyzeInput): Promise<AnalysisResult> {
  return analyzeReleaseNotes(input);
}

/** Starts the analysis, cancels it after `cancelAfterMs`, and reports how it ended. */
export async function cancelledAnalysisWorkflow(
  input: AnalyzeInput & { cancelAfterMs: number },
): Promise<'cancelled' | 'completed'> {
  try {
    await CancellationScope.cancellable(async () => {
      const call = analyzeReleaseNotes(input);
      await sleep(input.cancelAfterMs);
      CancellationScope.current().cancel();
      await call;
    });
    return 'completed';
  } catch (err) {
    if (isCancellation(err)) return 'cancelled';
    throw err;
  }
}
