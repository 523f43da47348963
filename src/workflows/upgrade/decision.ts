// Phase 4, decision: deterministic rules first (hard blockers cap the outcome), then the model within their
// bounds (src/domain/decision.ts holds the rules).
import { decideUpgradeVerdict, evaluateUpgradeRules, summarizeEvidence } from '../../domain/decision';
import { attemptAnalysis } from './analysis';
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
}
