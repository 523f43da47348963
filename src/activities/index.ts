// The single activity factory the worker registers: evidence (no LLM), analysis (Bedrock, through the permit gate)
// and, when configured, execution (EKS changes) activities, each built from its own dependencies. Workflows see them
// only as the contracts' types.
import { createAnalysisActivities, type AnalysisActivitiesWithText, type AnalysisActivityDeps } from './analysis';
import { createCampaignActivities, type CampaignActivities, type CampaignActivityDeps } from './campaign';
import type { EvidenceActivities, ExecutionActivities, PlanningActivities } from './contracts';
import { createExecutionActivities, type ExecutionDeps } from './eks-execution';
import { createEvidenceActivities, type EvidenceDeps } from './evidence';
import { withHeartbeats } from './heartbeat';
import { createPlanningActivities, type PlanningDeps } from './planning';

export interface ActivityDeps {
  /** Logger, changelog cache, EKS inventory loader, clock… (all optional: snapshot files need none). */
  evidence?: EvidenceDeps;
  /** Bedrock client, config, logger and the permit gate every call passes through. */
  analysis: AnalysisActivityDeps;
  /** EKS client provider, logger, clock: registers the execution activities (preflight, the EKS changes). */
  execution?: ExecutionDeps;
  /** The clock of the rollback plan's 7-day window (default: the system clock). */
  planning?: PlanningDeps;
  /** The Temporal client campaigns start, watch, approve and abort upgrades with (omit: no campaign activities). */
  campaign?: CampaignActivityDeps;
}

export type UpgradeActivities = EvidenceActivities &
  AnalysisActivitiesWithText &
  PlanningActivities &
  Partial<ExecutionActivities> &
  Partial<CampaignActivities>;

export function createActivities(deps: ActivityDeps): UpgradeActivities {
  // Evidence work has no progress points of its own: heartbeat while it runs (dead workers and aborts are then
  // noticed within the workflow's short heartbeat timeout). The analyses heartbeat themselves while they wait.
  const evidence = withHeartbeats(createEvidenceActivities(deps.evidence));
  const analysis = createAnalysisActivities(deps.analysis);
  const execution = deps.execution ? createExecutionActivities(deps.execution) : {};
  const planning = createPlanningActivities(deps.planning);
  const campaign = deps.campaign ? createCampaignActivities(deps.campaign) : {};
  const names = [evidence, analysis, planning, execution, campaign].flatMap((group) => Object.keys(group));
  const twice = names.filter((name, i) => names.indexOf(name) !== i);
  if (twice.length > 0) throw new Error(`activity names registered twice: ${twice.join(', ')}`);
  return { ...evidence, ...analysis, ...planning, ...execution, ...campaign };
}
