// Phase 2, evidence, in parallel and without an LLM: release notes, the deprecated/removed API scan and the
// readiness checks. Release notes are helpful but not essential: their failure is a caution, not a stop.
import { isCancellation } from '@temporalio/workflow';
import { allOrCancel } from './concurrency';
import { describeSkipped } from './failure';
import type { UpgradeRun } from './run';

export async function evidencePhase(run: UpgradeRun): Promise<void> {
  const { state, acts } = run;
  state.enter('evidence');
  const input = state.input;
  const { snapshot, context } = state.inventory();
  const unavailable: string[] = [];
  const [releaseNotes, apiScan, readiness] = await allOrCancel([
    // kind 'none' still yields the facts table's removals for the target.
    () =>
      acts.evidence
        .extractReleaseNotes({ targetVersion: input.targetVersion, source: input.releaseNotes })
        .catch((err: unknown) => {
          if (isCancellation(err)) throw err;
          const { errorType, reason } = describeSkipped(err);
          unavailable.push(`release notes ${input.targetVersion} (${errorType}: ${reason})`);
          return undefined;
        }),
    () =>
      acts.evidence.scanApiRemovals({
        manifestPaths: input.manifestPaths,
        snapshot,
        currentVersion: context.currentVersion,
        targetVersion: input.targetVersion,
        ...(input.config ? { config: input.config } : {}),
      }),
    () =>
      acts.evidence.checkClusterReadiness({
        snapshot,
        targetVersion: input.targetVersion,
        manifestPaths: input.manifestPaths,
        ...(input.config ? { config: input.config } : {}),
      }),
  ]);
  Object.assign(state, { releaseNotes, apiScan, readiness });
  state.evidence = { ...context, apiScan, readiness, ...(releaseNotes ? { releaseNotes } : {}), unavailable };
}
