// Shapes of the deterministic evidence (no LLM) that the upgrade workflow gathers and the decision rules read.
// Plain data: these values travel in Temporal payloads, so they hold extracts and findings, never raw documents.

/** How sure we are that a finding is real (live-cluster annotations give false positives: medium at best). */
export type Confidence = 'high' | 'medium' | 'low';

/** eksup's remediation levels: `required` must be fixed before upgrading; `recommended` should be. */
export type RemediationLevel = 'required' | 'recommended';

/** How a finding was suppressed by a rule of .eks-upgrade.yaml (src/domain/suppressions.ts): it stays reported. */
export interface Suppression {
  /** The rule as written, e.g. "suppressions[0] (K8S002 Deployment/batch/*)". */
  rule: string;
  reason: string;
  expires?: string;
}

/** One readiness check outcome that needs attention (checks that pass produce no finding). */
export interface ReadinessFinding {
  /** Stable code, e.g. `EKS002`; documented in README and never reused for another meaning. */
  code: string;
  level: RemediationLevel;
  /** Short name of the check, e.g. "Node group version skew". */
  title: string;
  /** What is wrong and what to do, in words a person can act on. */
  message: string;
  /** The resource concerned, e.g. `nodegroup/ng-1`, `addon/vpc-cni`, `Deployment default/web`. */
  resource?: string;
  /** Set when a suppression rule matched: the decision ignores the finding, the report still lists it. */
  suppressed?: Suppression;
}

export interface ReadinessReport {
  currentVersion: string;
  targetVersion: string;
  /** Codes of every check that ran (a check with no finding passed). */
  checksRun: string[];
  findings: ReadinessFinding[];
  /** Checks that could not run because the snapshot lacks their data (never counted as passed). */
  checksSkipped?: Array<{ code: string; reason: string }>;
  /** Checks that ran on part of their data (e.g. a list was forbidden): findings stand, the rest is unchecked. */
  checksPartial?: Array<{ code: string; reason: string }>;
  /** Suppression rules that expired or could not apply. */
  suppressionWarnings?: string[];
  /** Findings per code before any were left out (workload checks can find one per object). */
  findingCounts?: Record<string, number>;
  /** Findings left out of `findings` to keep the payload small; fullReport holds them all. */
  findingsOmitted?: number;
  /** Where the complete findings were written (a path on the worker's machine), when some were left out. */
  fullReport?: string;
}

/** Where an apiVersion in use was seen. */
export type ApiUsageSource = 'manifest' | 'helm' | 'live-cluster' | 'eks-insights' | 'api-server-metrics';

/** An object that uses a deprecated or removed API version. */
export interface ApiRemovalFinding {
  kind: string;
  name: string;
  namespace?: string;
  /** File and 1-based line for manifests; a description (e.g. user agent) for other sources. */
  file?: string;
  line?: number;
  location?: string;
  apiVersion: string;
  deprecatedIn?: string;
  removedIn: string;
  replacement?: string;
  /** Whether the replacement API is already served by the cluster's current version (migrate before upgrading). */
  replacementAvailableOnCurrent: boolean;
  /** True when the API is removed at or before the target version: the upgrade breaks this object. */
  removedByTarget: boolean;
  confidence: Confidence;
  source: ApiUsageSource;
  /** Stable code: API001 removed at or before the target (blocker), API002 deprecated only. */
  code?: string;
  /** Caveat from the facts table (e.g. "alpha; objects must be deleted before the upgrade"). */
  note?: string;
  /** For third-party APIs (API003): the add-on whose version the removal is keyed to, e.g. "cert-manager". */
  component?: string;
  /** Where the facts behind a third-party finding come from (release notes, a versions file). */
  factSource?: string;
  /** Set when a suppression rule matched: the decision ignores the finding, the report still lists it. */
  suppressed?: Suppression;
}

export interface ApiScanResult {
  targetVersion: string;
  /** Removed first. In workflow payloads at most a bounded number per code (see findingCounts for the totals). */
  findings: ApiRemovalFinding[];
  /** Files that could not be parsed: reported, never skipped silently. */
  errors: Array<{ file: string; line?: number; message: string }>;
  /** How many objects were examined, per source. */
  objectsScanned: number;
  /** Sources that could not be scanned (e.g. Helm release Secrets forbidden), with why: never a silent pass. */
  sourcesSkipped?: Array<{ source: string; reason: string }>;
  /** Suppression rules that expired or could not apply. */
  suppressionWarnings?: string[];
  /** Findings per code (API001, API002) before any were left out. */
  findingCounts?: Record<string, number>;
  /** Findings and errors left out of the lists above to keep the payload small; fullReport holds them all. */
  findingsOmitted?: number;
  errorsOmitted?: number;
  /** Where the complete findings were written (a path on the worker's machine), when some were left out. */
  fullReport?: string;
}

export type ReleaseNoteCategory = 'removal' | 'deprecation' | 'default-change' | 'action-required';

export interface ReleaseNoteEntry {
  category: ReleaseNoteCategory;
  /** The release-notes section it came from, e.g. "Urgent Upgrade Notes", "API Change", "Other (Cleanup or Flake)". */
  section: string;
  text: string;
  sigs: string[];
  prUrl?: string;
}

export interface ReleaseNotesExtract {
  targetVersion: string;
  /** Where the notes came from: a file path, a cache path or a URL. */
  source: string;
  entries: ReleaseNoteEntry[];
  /** Token counts of the full notes and of the extract (the extract is what the model sees). */
  fullTokens: number;
  extractTokens: number;
  /** Why the extract holds only the facts table although notes were asked for (e.g. the download failed). */
  problem?: string;
}
