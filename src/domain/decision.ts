// The go/no-go and rollback decision rules: plain functions, no I/O, used by the upgrade workflow.
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
import type { ApiRemovalFinding, ApiScanResult, ReadinessReport, ReleaseNotesExtract, Suppression } from './evidence';
import { parseMinor } from './versions';

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
const READINESS_VERSION_PATH_CHECK = 'UPG001';

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

export interface DecisionEvidence {
  clusterName: string;
  currentVersion: string;
  targetVersion: string;
  apiScan?: ApiScanResult;
  readiness?: ReadinessReport;
  releaseNotes?: ReleaseNotesExtract;
  /** Evidence that could not be gathered, each with why (e.g. release notes unreachable): a caution each. */
  unavailable?: string[];
}

export interface RuleOutcome {
  blockers: RuleBlocker[];
  cautions: RuleBlocker[];
  suppressedBlockers?: SuppressedBlocker[];
  /** The best verdict the evidence allows. */
  ceiling: UpgradeVerdict;
}

function objectName(f: ApiRemovalFinding): string {
  return `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name}`;
}

function whereSeen(f: ApiRemovalFinding): string {
  if (f.file) return f.line ? `${f.file}:${f.line}` : f.file;
  return f.location ?? f.source;
}

function removedApiMessage(f: ApiRemovalFinding, targetVersion: string): string {
  const fix = f.replacement
    ? `migrate it to ${f.replacement}${f.replacementAvailableOnCurrent ? ' (already served by the current version: migrate before upgrading)' : ''}`
    : 'remove it or find a replacement API';
  return `${objectName(f)} uses ${f.apiVersion} (${whereSeen(f)}), removed in ${f.removedIn} — at or before ${targetVersion}; ${fix}.`;
}

/** Step 1: what the deterministic evidence allows, whatever any model says. */
export function evaluateUpgradeRules(evidence: DecisionEvidence): RuleOutcome {
  const blockers: RuleBlocker[] = [];
  const cautions: RuleBlocker[] = [];
  const suppressedBlockers: SuppressedBlocker[] = [];
  // Minor numbers ("1.30" → 30): inputs are validated before they get here, so a bad one throws.
  const current = parseMinor(evidence.currentVersion).minor;
  const target = parseMinor(evidence.targetVersion).minor;

  const pathChecked = evidence.readiness?.checksRun.includes(READINESS_VERSION_PATH_CHECK) ?? false;
  if (pathChecked) {
    // The readiness finding (if any) speaks for the version path.
  } else if (target <= current) {
    blockers.push({
      code: DECISION_CODES.NOT_AN_UPGRADE,
      message: `Target ${evidence.targetVersion} is not newer than the current ${evidence.currentVersion}: EKS cannot downgrade a cluster. Pick 1.${current + 1}.`,
    });
  } else if (target > current + 1) {
    blockers.push({
      code: DECISION_CODES.VERSION_SKIP,
      message: `${evidence.currentVersion} → ${evidence.targetVersion} skips ${target - current - 1} minor version(s): EKS upgrades the control plane one minor at a time. Upgrade to 1.${current + 1} first.`,
    });
  }

  // One blocker per object: the same object seen in a manifest and on the live cluster is one thing to fix.
  const seen = new Set<string>();
  for (const f of evidence.apiScan?.findings ?? []) {
    if (!f.removedByTarget) continue;
    const key = `${f.kind}|${f.namespace ?? ''}|${f.name}|${f.apiVersion}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const entry = {
      code: f.code ?? DECISION_CODES.REMOVED_API_IN_USE,
      message: removedApiMessage(f, evidence.targetVersion),
      resource: objectName(f),
    };
    if (f.suppressed) {
      // Only rules with an expiry reach a blocker (src/domain/suppressions.ts); a low-confidence one is no blocker.
      if (f.confidence !== 'low') suppressedBlockers.push({ ...entry, suppressedBy: f.suppressed });
    } else if (f.confidence === 'low')
      cautions.push({ ...entry, message: `Possibly: ${entry.message} (low confidence: verify by hand)` });
    else blockers.push(entry);
  }
  // The scan's payload lists a bounded number of findings per code; the rest are counted and in its full report.
  const removedTotal = evidence.apiScan?.findingCounts?.[DECISION_CODES.REMOVED_API_IN_USE] ?? 0;
  const removedListed = (evidence.apiScan?.findings ?? []).filter((f) => f.removedByTarget).length;
  if (removedTotal > removedListed) {
    blockers.push({
      code: DECISION_CODES.REMOVED_API_IN_USE,
      message: `… and ${removedTotal - removedListed} more uses of APIs removed by ${evidence.targetVersion}${evidence.apiScan?.fullReport ? ` (all listed in ${evidence.apiScan.fullReport})` : ''}.`,
    });
  }
  const scanErrors = evidence.apiScan?.errors ?? [];
  const scanErrorCount = scanErrors.length + (evidence.apiScan?.errorsOmitted ?? 0);
  if (scanErrorCount > 0) {
    const files = scanErrors.slice(0, 5).map((e) => (e.line ? `${e.file}:${e.line}` : e.file));
    cautions.push({
      code: DECISION_CODES.SCAN_ERRORS,
      message: `${scanErrorCount} input(s) could not be scanned for removed APIs (${files.join(', ')}${scanErrorCount > 5 ? ', …' : ''}); fix them or check them by hand.`,
    });
  }

  for (const f of evidence.readiness?.findings ?? []) {
    const entry: RuleBlocker = {
      code: f.code,
      message: `${f.title}: ${f.message}`,
      ...(f.resource ? { resource: f.resource } : {}),
    };
    if (f.suppressed) {
      if (f.level === 'required') suppressedBlockers.push({ ...entry, suppressedBy: f.suppressed });
      continue;
    }
    // Readiness checks may also report a version skip; the rule above already names it once.
    if (f.level === 'required' && !blockers.some((b) => b.code === f.code && b.message === entry.message))
      blockers.push(entry);
    else if (f.level === 'recommended') cautions.push(entry);
  }

  const skippedChecks = evidence.readiness?.checksSkipped ?? [];
  if (skippedChecks.length > 0) {
    cautions.push({
      code: DECISION_CODES.CHECKS_SKIPPED,
      message: `${skippedChecks.length} readiness check(s) could not run for lack of data, so they did not pass: ${skippedChecks.map((c) => `${c.code} (${c.reason})`).join('; ')}.`,
    });
  }
  const partialChecks = evidence.readiness?.checksPartial ?? [];
  if (partialChecks.length > 0) {
    cautions.push({
      code: DECISION_CODES.CHECKS_SKIPPED,
      message: `${partialChecks.length} readiness check(s) ran on part of their data, so the rest did not pass: ${partialChecks.map((c) => `${c.code} (${c.reason})`).join('; ')}.`,
    });
  }
  for (const skipped of evidence.apiScan?.sourcesSkipped ?? []) {
    cautions.push({
      code: DECISION_CODES.SCAN_ERRORS,
      message: `API scan source not read: ${skipped.source} (${skipped.reason}); removed APIs there are unchecked.`,
    });
  }
  if (evidence.releaseNotes?.problem) {
    cautions.push({
      code: DECISION_CODES.EVIDENCE_UNAVAILABLE,
      message: `Evidence not available: ${evidence.releaseNotes.problem}`,
    });
  }
  for (const what of evidence.unavailable ?? []) {
    cautions.push({
      code: DECISION_CODES.EVIDENCE_UNAVAILABLE,
      message: `Evidence not available: ${what}. Check it by hand.`,
    });
  }

  const ceiling: UpgradeVerdict = blockers.length > 0 ? 'NO_GO' : cautions.length > 0 ? 'GO_WITH_CAUTION' : 'GO';
  return { blockers, cautions, ceiling, ...(suppressedBlockers.length > 0 ? { suppressedBlockers } : {}) };
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

const MAX_LISTED = 20;

/**
 * The evidence in a few lines, for the UPGRADE_DECISION prompt and the report: counts and rule outcomes, never
 * raw documents (the model sees the analyses' results besides this).
 */
export function summarizeEvidence(evidence: DecisionEvidence, rules: RuleOutcome): string {
  const lines = [`Cluster ${evidence.clusterName}: ${evidence.currentVersion} → ${evidence.targetVersion}.`];
  const list = (title: string, items: RuleBlocker[]) => {
    lines.push(`${title} (${items.length})${items.length > 0 ? ':' : '.'}`);
    for (const item of items.slice(0, MAX_LISTED)) lines.push(`- [${item.code}] ${item.message}`);
    if (items.length > MAX_LISTED) lines.push(`- … and ${items.length - MAX_LISTED} more`);
  };
  list('Rule blockers (force NO_GO)', rules.blockers);
  list('Cautions', rules.cautions);
  if (rules.suppressedBlockers)
    list(
      'Blockers suppressed by the operator (with reason and expiry; do not count them)',
      rules.suppressedBlockers.map((b) => ({ ...b, message: `${b.message} — suppressed: ${b.suppressedBy.reason}` })),
    );
  const scan = evidence.apiScan;
  if (scan) {
    const removed =
      scan.findingCounts?.[DECISION_CODES.REMOVED_API_IN_USE] ?? scan.findings.filter((f) => f.removedByTarget).length;
    const uses = scan.findings.length + (scan.findingsOmitted ?? 0);
    lines.push(
      `API scan: ${scan.objectsScanned} objects scanned, ${uses} deprecated/removed API uses (${removed} removed by ${evidence.targetVersion}), ${scan.errors.length + (scan.errorsOmitted ?? 0)} unparsed inputs.`,
    );
  } else lines.push('API scan: not available.');
  const readiness = evidence.readiness;
  if (readiness) {
    const required = readiness.findings.filter((f) => f.level === 'required').length;
    const omitted = readiness.findingsOmitted ?? 0;
    lines.push(
      `Readiness: ${readiness.checksRun.length} checks run (${readiness.checksRun.join(', ')}); ${required} required and ${readiness.findings.length - required} recommended findings${omitted > 0 ? ` listed, ${omitted} more of the same codes not listed` : ''}.`,
    );
  } else lines.push('Readiness: not available.');
  const notes = evidence.releaseNotes;
  if (notes) {
    const byCategory = new Map<string, number>();
    for (const e of notes.entries) byCategory.set(e.category, (byCategory.get(e.category) ?? 0) + 1);
    const counts = [...byCategory].map(([k, v]) => `${v} ${k}`).join(', ') || 'none';
    lines.push(`Release notes ${notes.targetVersion}: ${notes.entries.length} upgrade-relevant entries (${counts}).`);
  } else lines.push('Release notes: not available.');
  return lines.join('\n');
}
