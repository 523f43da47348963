// The single activity factory the worker registers: evidence (no LLM) and analysis (Bedrock, through the permit
// gate) activities, each built from its own dependencies. Workflows see them only as the contracts' types.
import { createAnalysisActivities, type AnalysisActivitiesWithText, type AnalysisActivityDeps } from './analysis';
import { createCampaignActivities, type CampaignActivities, type CampaignActivityDeps } from './campaign';
import type { EvidenceActivities } from './contracts';
import { createEvidenceActivities, type EvidenceDeps } from './evidence';

export interface ActivityDeps {
  /** Logger, changelog cache, EKS inventory loader, clock… (all optional: snapshot files need none). */
  evidence?: EvidenceDeps;
  /** Bedrock client, config, logger and the permit gate every call passes through. */
  analysis: AnalysisActivityDeps;
  /** The Temporal client campaigns start, watch, approve and abort upgrades with (omit: no campaign activities). */
  campaign?: CampaignActivityDeps;
}

export type UpgradeActivities = EvidenceActivities & AnalysisActivitiesWithText & Partial<CampaignActivities>;

export function createActivities(deps: ActivityDeps): UpgradeActivities {
  const evidence = createEvidenceActivities(deps.evidence);
  const analysis = createAnalysisActivities(deps.analysis);
  const campaign = deps.campaign ? createCampaignActivities(deps.campaign) : {};
  const groups: object[] = [evidence, analysis, campaign];
  const names = groups.flatMap((g) => Object.keys(g));
  const twice = names.filter((name, i) => names.indexOf(name) !== i);
  if (twice.length > 0) throw new Error(`activity names registered twice: ${twice.join(', ')}`);
  return { ...evidence, ...analysis, ...campaign };
}
