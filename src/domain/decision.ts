// The go/no-go verdict: plain functions, no I/O, used by the upgrade workflow. Step 1 below is in ./upgrade-rules.ts,
// steps 2 and 3 here; the rollback verdict is in ./rollback.ts.
//
// How rules and model combine (upgrade):
//   1. Deterministic rules read the evidence. Hard blockers — a removed API still in use (removedByTarget, not low
//      confidence), a version skip or downgrade, and every `required` readiness finding (node groups behind the
//      control plane, an incompatible add-on, …) — force NO_GO whatever the model says. Cautions (recommended
//      findings, low-confidence removals, unparsed files, any skipped AI analysis) cap the verdict at GO_WITH_CAUTION.
//   2. The model's UPGRADE_DECISION counts only within that ceiling. Its verdict is read together with its
//      severity band (≤ 3 proceed, ≤ 6 proceed with caution, > 6 halt) and the stricter of the two wins;
//      a GO given with confidence below MIN_CONFIDENCE_FOR_GO becomes GO_WITH_CAUTION.
//   3. Final verdict = the strictest of (rule ceiling, model verdict, model severity band). Without a usable model
//      decision the basis is `rules` and the verdict is never better than GO_WITH_CAUTION. The reported severity is
//      raised, never lowered, to the floor of the final verdict's band, so verdict and severity always agree.
import type { AnalysisResult, SkippedAnalysis, UpgradeVerdict } from './analysis';
import type { Suppression } from './evidence';
import type { RuleOutcome } from './upgrade-rules';

/** A rule outcome with its stable check code (readiness codes such as EKS005, or the UPG/API codes below). */
export interface RuleBlocker {
  code: string;
  message: string;
  resource?: string;
}

/** A blocker that a rule of .eks-upgrade.yaml suppressed until its expiry. */
export interface SuppressedBlocker extends RuleBlocker {
  suppressedBy: Suppression;
}

export interface UpgradeDecision {
  verdict: UpgradeVerdict;
  severityScore: number;
  confidence: number;
  reasons: string[];
  blockers: RuleBlocker[];
  /** Findings that cap the verdict at GO_WITH_CAUTION without blocking. */
  cautions: RuleBlocker[];
  /** Blockers a suppression rule (with a reason and an expiry) waved through: ignored by the verdict, listed. */
  suppressedBlockers?: SuppressedBlocker[];
  /** `rules` when the AI decision was skipped; `rules+ai` when the model decided within the rules' bounds. */
  basis: 'rules' | 'rules+ai';
  aiVerdict?: UpgradeVerdict;
}

/**
 * Check codes of the rules that live here. API001 is the scan's code for an API removed by the target (a blocker,
 * or a caution at low confidence); DEC001/DEC002 apply only when the readiness checks did not run UPG001 (which
 * reports the same path problem), so one problem is never counted twice.
 */
export const DECISION_CODES = {
  REMOVED_API_IN_USE: 'API001',
  VERSION_SKIP: 'DEC001',
  NOT_AN_UPGRADE: 'DEC002',
  AI_INCOMPLETE: 'DEC003',
  EVIDENCE_UNAVAILABLE: 'DEC004',
  SCAN_ERRORS: 'DEC005',
  CHECKS_SKIPPED: 'DEC006',
} as const;

/** The readiness check that covers the version path (one minor per upgrade). */
export const READINESS_VERSION_PATH_CHECK = 'UPG001';

export const MIN_CONFIDENCE_FOR_GO = 0.6;

const VERDICT_RANK: Record<UpgradeVerdict, number> = { GO: 0, GO_WITH_CAUTION: 1, NO_GO: 2 };
const BAND_FLOOR: Record<UpgradeVerdict, number> = { GO: 0, GO_WITH_CAUTION: 4, NO_GO: 7 };

export function isUpgradeVerdict(value: unknown): value is UpgradeVerdict {
  return value === 'GO' || value === 'GO_WITH_CAUTION' || value === 'NO_GO';
}

/** Severity bands: ≤ 3 proceed, ≤ 6 proceed with caution, > 6 halt. */
export function severityBand(score: number): UpgradeVerdict {
  if (score <= 3) return 'GO';
  if (score <= 6) return 'GO_WITH_CAUTION';
  return 'NO_GO';
}

export function strictestVerdict(...verdicts: UpgradeVerdict[]): UpgradeVerdict {
  return verdicts.reduce((a, b) => (VERDICT_RANK[b] > VERDICT_RANK[a] ? b : a), 'GO');
}

export interface UpgradeVerdictInput {
  rules: RuleOutcome;
  /** The UPGRADE_DECISION analysis, when it ran. */
  aiDecision?: AnalysisResult;
  /** Every analysis that did not run (any of them caps the verdict at GO_WITH_CAUTION). */
  skipped: SkippedAnalysis[];
}

function clampScore(n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : min;
}

/** Steps 2 and 3: the model's verdict within the rules' bounds. */
export function decideUpgradeVerdict({ rules, aiDecision, skipped }: UpgradeVerdictInput): UpgradeDecision {
  const reasons: string[] = rules.blockers.map((b) => `[${b.code}] ${b.message}`);
  const cautions = [...rules.cautions];
  const aiVerdict = isUpgradeVerdict(aiDecision?.verdict) ? aiDecision.verdict : undefined;
  const usable = aiDecision !== undefined && aiVerdict !== undefined;

  if (skipped.length > 0) {
    cautions.push({
      code: DECISION_CODES.AI_INCOMPLETE,
      message: `AI analysis incomplete: ${skipped.map((s) => `${s.template} skipped (${s.errorType}: ${s.reason})`).join('; ')}.`,
    });
  } else if (aiDecision !== undefined && !usable) {
    cautions.push({
      code: DECISION_CODES.AI_INCOMPLETE,
      message: `The model's decision carried no valid verdict ('${String(aiDecision.verdict)}'): ignored.`,
    });
  }

  const ceiling = strictestVerdict(rules.ceiling, cautions.length > 0 ? 'GO_WITH_CAUTION' : 'GO');
  let verdict: UpgradeVerdict;
  let confidence: number;
  if (usable) {
    const aiSeverity = clampScore(aiDecision.severityScore, 0, 10);
    const aiConfidence = clampScore(aiDecision.confidence, 0, 1);
    const unsureGo = aiVerdict === 'GO' && aiConfidence < MIN_CONFIDENCE_FOR_GO ? 'GO_WITH_CAUTION' : 'GO';
    verdict = strictestVerdict(ceiling, aiVerdict, severityBand(aiSeverity), unsureGo);
    confidence = rules.blockers.length > 0 ? Math.max(aiConfidence, 0.95) : aiConfidence;
    if (verdict !== aiVerdict) {
      const why =
        rules.blockers.length > 0
          ? `${rules.blockers.length} rule blocker(s)`
          : VERDICT_RANK[ceiling] > VERDICT_RANK[aiVerdict]
            ? `${cautions.length} caution(s)`
            : unsureGo !== 'GO'
              ? `its confidence ${aiConfidence} < ${MIN_CONFIDENCE_FOR_GO}`
              : `its severity ${aiSeverity}/10`;
      reasons.push(
        `The model answered ${aiVerdict} (severity ${aiSeverity}/10, confidence ${aiConfidence}); ${verdict} because of ${why}.`,
      );
    }
    reasons.push(...(aiDecision.reasons ?? []).map((r) => `Model: ${r}`));
    const severityScore = Math.max(aiSeverity, BAND_FLOOR[verdict]);
    return {
      verdict,
      severityScore,
      confidence,
      reasons: withCautions(reasons, rules.blockers.length, cautions),
      blockers: rules.blockers,
      cautions,
      ...(rules.suppressedBlockers ? { suppressedBlockers: rules.suppressedBlockers } : {}),
      basis: 'rules+ai',
      aiVerdict,
    };
  }

  verdict = strictestVerdict(ceiling, 'GO_WITH_CAUTION');
  confidence = rules.blockers.length > 0 ? 0.95 : 0.5;
  if (rules.blockers.length === 0)
    reasons.push(
      'Decided on the deterministic evidence alone: never better than GO_WITH_CAUTION without the AI analysis.',
    );
  return {
    verdict,
    severityScore: BAND_FLOOR[verdict],
    confidence,
    reasons: withCautions(reasons, rules.blockers.length, cautions),
    blockers: rules.blockers,
    cautions,
    ...(rules.suppressedBlockers ? { suppressedBlockers: rules.suppressedBlockers } : {}),
    basis: 'rules',
  };
}

/** Blockers first, then cautions, then the explanation and the model's own reasons. */
function withCautions(reasons: string[], blockerCount: number, cautions: RuleBlocker[]): string[] {
  return [
    ...reasons.slice(0, blockerCount),
    ...cautions.map((c) => `[${c.code}] ${c.message}`),
    ...reasons.slice(blockerCount),
  ];
}

/** The reasons that explain the verdict beyond its blockers and cautions (which reports list on their own). */
export function explanatoryReasons(d: Pick<UpgradeDecision, 'reasons' | 'blockers' | 'cautions'>): string[] {
  const listed = new Set([...d.blockers, ...d.cautions].map((c) => `[${c.code}] ${c.message}`));
  return d.reasons.filter((r) => !listed.has(r));
}
