// The single activity factory the worker registers: evidence (no LLM) and analysis (Bedrock, through the permit
// gate) activities, each built from its own dependencies. Workflows see them only as the contracts' types.
import { createAnalysisActivities, type AnalysisActivitiesWithText, type AnalysisActivityDeps } from './analysis';
import type { EvidenceActivities } from './contracts';
import { createEvidenceActivities, type EvidenceDeps } from './evidence';
import { withHeartbeats } from './heartbeat';

export interface ActivityDeps {
  /** Logger, changelog cache, EKS inventory loader, clock… (all optional: snapshot files need none). */
  evidence?: EvidenceDeps;
  /** Bedrock client, config, logger and the permit gate every call passes through. */
  analysis: AnalysisActivityDeps;
}

export type UpgradeActivities = EvidenceActivities & AnalysisActivitiesWithText;

export function createActivities(deps: ActivityDeps): UpgradeActivities {
  // Evidence work has no progress points of its own: heartbeat while it runs (dead workers and aborts are then
  // noticed within the workflow's short heartbeat timeout). The analyses heartbeat themselves while they wait.
  const evidence = withHeartbeats(createEvidenceActivities(deps.evidence));
  const analysis = createAnalysisActivities(deps.analysis);
  const names = Object.keys(evidence).filter((name) => name in analysis);
  if (names.length > 0) throw new Error(`activity names registered twice: ${names.join(', ')}`);
  return { ...evidence, ...analysis };
}
