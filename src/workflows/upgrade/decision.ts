// Phase 4, decision: deterministic rules first (hard blockers cap the outcome), then the model within their
// bounds (src/domain/upgrade-rules.ts and decision.ts); then the plan, the playbook of every mode and what execute mode
// runs (an activity, so the plan is recorded in history once).
import { isCancellation } from '@temporalio/workflow';
import { decideUpgradeVerdict } from '../../domain/decision';
import { evaluateUpgradeRules, summarizeEvidence } from '../../domain/upgrade-rules';
import { attemptAnalysis } from './analysis';
import { describeSkipped } from './failure';
import type { UpgradeRun } from './run';

export async function decisionPhase(run: UpgradeRun): Promise<void> {
  const { state, acts } = run;
  state.enter('decision');
  const { context } = state.inventory();
  const evidence = state.evidence;
  if (!evidence) throw new Error('the evidence phase has not run');
  const rules = evaluateUpgradeRules(evidence);
  const aiDecision = await attemptAnalysis(run, 'UPGRADE_DECISION', () =>
    acts.ai.decideUpgrade({
      context,
      evidenceSummary: summarizeEvidence(evidence, rules),
      analyses: [...state.analyses],
      ruleBlockers: rules.blockers.map((b) => `[${b.code}] ${b.message}`),
    }),
  );
  state.decision = decideUpgradeVerdict({ rules, skipped: state.skipped, ...(aiDecision ? { aiDecision } : {}) });
  state.publish();
  await planPhase(run);
}

async function planPhase({ state, acts }: UpgradeRun): Promise<void> {
  const { snapshot } = state.inventory();
  const { nodegroupConcurrency, maxUnavailable, launchTemplateVersions, resolveConflicts } = state.input.execution;
  // What the plan reads, not the whole inventory (insights, subnets, live objects stay out of this payload).
  const { schemaVersion, cluster, nodeGroups, fargateProfiles, addons, nodes } = snapshot;
  try {
    state.plan = await acts.plan.planUpgrade({
      snapshot: {
        schemaVersion,
        cluster,
        ...(nodeGroups ? { nodeGroups } : {}),
        ...(fargateProfiles ? { fargateProfiles } : {}),
        ...(addons ? { addons } : {}),
        ...(nodes ? { nodes } : {}),
      },
      targetVersion: state.input.targetVersion,
      options: {
        nodegroupConcurrency,
        resolveConflicts,
        ...(maxUnavailable !== undefined ? { maxUnavailable } : {}),
        ...(launchTemplateVersions ? { launchTemplateVersions } : {}),
      },
    });
  } catch (err) {
    if (isCancellation(err)) throw err;
    const { errorType, reason } = describeSkipped(err);
    state.planError = `${errorType}: ${reason}`;
    state.note(`No upgrade plan: ${reason}`);
  }
}
