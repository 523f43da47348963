// Phase 3, AI analysis, in parallel (every call through the Bedrock guard): release notes, deprecation impact,
// cluster readiness. A failed or refused analysis is recorded as skipped and the workflow goes on; only a
// cancellation (abort) stops the phase.
import { isCancellation } from '@temporalio/workflow';
import type { AnalysisResult, AnalysisTemplateName } from '../../domain/analysis';
import { allOrCancel } from './concurrency';
import { describeSkipped } from './failure';
import type { UpgradeRun } from './run';

/**
 * Runs one analysis unless AI is off or the day's budget is spent, recording it as done or skipped (with the
 * cause). Resolves to the result, or undefined when skipped.
 */
export async function attemptAnalysis(
  { state }: UpgradeRun,
  template: AnalysisTemplateName,
  call: () => Promise<AnalysisResult>,
): Promise<AnalysisResult | undefined> {
  if (!state.input.aiAnalysis) {
    state.skipped.push({ template, errorType: 'AiDisabled', reason: 'AI analysis is turned off (aiAnalysis: false)' });
    return undefined;
  }
  if (state.budgetExhausted()) {
    state.skipped.push({
      template,
      errorType: 'BedrockCostThresholdError',
      reason: 'not attempted: the daily Bedrock budget already refused an analysis of this upgrade',
    });
    return undefined;
  }
  try {
    const result = await call();
    state.analyses.push(result);
    return result;
  } catch (err) {
    if (isCancellation(err)) throw err;
    state.skipped.push({ template, ...describeSkipped(err) });
    state.publish();
    return undefined;
  }
}

export async function analysisPhase(run: UpgradeRun): Promise<void> {
  const { state, acts } = run;
  state.enter('analysis');
  const { snapshot, context } = state.inventory();
  const { releaseNotes, apiScan, readiness } = state;
  if (!apiScan || !readiness) throw new Error('the evidence phase has not run');
  await allOrCancel([
    () =>
      releaseNotes
        ? attemptAnalysis(run, 'RELEASE_NOTES_ANALYSIS', () =>
            acts.ai.analyzeReleaseNotes({ context, extract: releaseNotes }),
          )
        : Promise.resolve(
            void state.skipped.push({
              template: 'RELEASE_NOTES_ANALYSIS',
              errorType: 'NoReleaseNotes',
              reason: 'no release notes to analyse',
            }),
          ),
    () =>
      attemptAnalysis(run, 'DEPRECATION_IMPACT_ANALYSIS', () =>
        acts.ai.analyzeDeprecationImpact({ context, scan: apiScan }),
      ),
    () =>
      attemptAnalysis(run, 'CLUSTER_READINESS_ASSESSMENT', () =>
        acts.ai.assessClusterReadiness({ context, snapshot, readiness }),
      ),
  ]);
}
