// Step 1 of the upgrade decision (src/domain/decision.ts): the deterministic rules read the evidence and set the
// blockers, the cautions and the best verdict the evidence allows; and the evidence in a few lines for the model.
import type { ApiRemovalFinding, ApiScanResult, ReadinessReport, ReleaseNotesExtract } from './evidence';
import { DECISION_CODES, READINESS_VERSION_PATH_CHECK, type RuleBlocker, type SuppressedBlocker } from './decision';
import type { UpgradeVerdict } from './analysis';
import { parseMinor } from './versions';

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
