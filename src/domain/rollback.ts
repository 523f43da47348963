// The rollback decision rules: plain functions, no I/O. A `requestRollback` during the soak window runs the
// ROLLBACK_DECISION analysis; these rules bound its answer the way decision.ts bounds the upgrade decision.
//
// How rules and model combine (rollback), verdicts ordered MONITOR < HOLD < ROLLBACK:
//   - Rule floor: ROLLBACK when the upgrade was approved although the rules had found hard blockers (the failure
//     was predicted); otherwise MONITOR with the model, HOLD without it (an operator asked: without the model we
//     stop and let a person decide, we neither dismiss the request nor act on it blindly).
//   - The model's verdict and its severity band (> 6 → ROLLBACK, > 3 → HOLD, else MONITOR) — the stricter wins;
//     a MONITOR given with confidence below 0.5 becomes HOLD.
//   - Final verdict = the strictest of the rule floor and the model's.
import type { AnalysisResult, RollbackVerdict, SkippedAnalysis } from './analysis';
import type { UpgradeDecision } from './decision';

export interface RollbackRecord {
  requestedAt: string;
  reason: string;
  verdict: RollbackVerdict;
  reasons: string[];
  basis: 'rules' | 'rules+ai';
  /** What was done about it (EKS cannot roll a control plane back in most cases: then, what to do by hand). */
  action: string;
  aiVerdict?: RollbackVerdict;
  /** Why the model was not asked, when it was not. */
  aiSkipped?: SkippedAnalysis;
  severityScore?: number;
}

const RANK: Record<RollbackVerdict, number> = { MONITOR: 0, HOLD: 1, ROLLBACK: 2 };

export function isRollbackVerdict(value: unknown): value is RollbackVerdict {
  return value === 'ROLLBACK' || value === 'HOLD' || value === 'MONITOR';
}

export function rollbackSeverityBand(score: number): RollbackVerdict {
  if (score > 6) return 'ROLLBACK';
  if (score > 3) return 'HOLD';
  return 'MONITOR';
}

function strictest(...verdicts: RollbackVerdict[]): RollbackVerdict {
  return verdicts.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), 'MONITOR');
}

export interface RollbackVerdictInput {
  requestedAt: string;
  reason: string;
  mode: 'analyze' | 'execute';
  /** The upgrade decision the operator approved. */
  decision?: UpgradeDecision;
  aiDecision?: AnalysisResult;
  aiSkipped?: SkippedAnalysis;
}

/**
 * What the verdict leads to. Execute mode acts (the rollback plan, once confirmed); analyze mode changed nothing, so
 * it says what the operator can do: node groups and add-ons back to their previous versions, then the control plane
 * back one minor (VersionRollback), which EKS allows within 7 days of the upgrade.
 */
export function rollbackAction(verdict: RollbackVerdict, mode: 'analyze' | 'execute'): string {
  switch (verdict) {
    case 'ROLLBACK':
      return mode === 'execute'
        ? 'The rollback plan is proposed: node groups and add-ons back to their previous versions, then the control plane back one minor (VersionRollback, within 7 days of its upgrade, after the ROLLBACK_READINESS insights pass). It runs once confirmed (eks-upgrade rollback --confirm), or at once with --auto-rollback; what EKS refuses is listed with what to do by hand.'
        : 'No automated action (analyze mode). Roll back by hand in this order: managed node groups to their previous AMI release or launch-template version (UpdateNodegroupVersion; if EKS refuses, a blue/green node-group swap), add-ons to their previous versions (UpdateAddon), then the control plane one minor back (UpdateClusterVersion, a VersionRollback EKS allows within 7 days of the upgrade); or fail over to a standby (blue/green) cluster.';
    case 'HOLD':
      return `${mode === 'analyze' ? 'No automated action (analyze mode). ' : ''}Stop further upgrade steps (node groups, add-ons); investigate the reported problem before going on or rolling back.`;
    case 'MONITOR':
      return `${mode === 'analyze' ? 'No automated action (analyze mode). ' : ''}Keep the upgrade; keep watching during the soak window and ask again with new evidence if it gets worse.`;
  }
}

export function decideRollbackVerdict(input: RollbackVerdictInput): RollbackRecord {
  const reasons: string[] = [];
  const blockers = input.decision?.blockers ?? [];
  const approvedOverBlockers = input.decision?.verdict === 'NO_GO' && blockers.length > 0;
  if (approvedOverBlockers) {
    reasons.push(
      `The upgrade was approved although the rules found ${blockers.length} blocker(s) (${blockers.map((b) => b.code).join(', ')}): the failure was predicted.`,
    );
  }
  const ai = input.aiDecision;
  const aiVerdict = isRollbackVerdict(ai?.verdict) ? ai.verdict : undefined;
  const common = {
    requestedAt: input.requestedAt,
    reason: input.reason,
    ...(input.aiSkipped ? { aiSkipped: input.aiSkipped } : {}),
  };

  if (ai && aiVerdict) {
    const severity = Number.isFinite(ai.severityScore) ? Math.min(10, Math.max(0, ai.severityScore)) : 10;
    const confidence = Number.isFinite(ai.confidence) ? ai.confidence : 0;
    const unsure: RollbackVerdict = aiVerdict === 'MONITOR' && confidence < 0.5 ? 'HOLD' : 'MONITOR';
    const verdict = strictest(
      approvedOverBlockers ? 'ROLLBACK' : 'MONITOR',
      aiVerdict,
      rollbackSeverityBand(severity),
      unsure,
    );
    if (verdict !== aiVerdict)
      reasons.push(
        `The model answered ${aiVerdict} (severity ${severity}/10, confidence ${confidence}); raised to ${verdict} by the rules.`,
      );
    reasons.push(...(ai.reasons ?? []).map((r) => `Model: ${r}`));
    return {
      ...common,
      verdict,
      reasons,
      basis: 'rules+ai',
      action: rollbackAction(verdict, input.mode),
      aiVerdict,
      severityScore: severity,
    };
  }

  const verdict: RollbackVerdict = approvedOverBlockers ? 'ROLLBACK' : 'HOLD';
  if (input.aiSkipped)
    reasons.push(`ROLLBACK_DECISION skipped (${input.aiSkipped.errorType}: ${input.aiSkipped.reason}).`);
  else if (ai)
    reasons.push(`The model's rollback decision carried no valid verdict ('${String(ai.verdict)}'): ignored.`);
  if (!approvedOverBlockers)
    reasons.push('Decided on the rules alone: HOLD until a person has looked at the reported problem.');
  return { ...common, verdict, reasons, basis: 'rules', action: rollbackAction(verdict, input.mode) };
}
