// Runs every readiness check over a snapshot (and manifests, when given) for one target minor.
import type { ReadinessReport } from '../evidence';
import type { ManifestObject } from '../manifests';
import type { ClusterSnapshot } from '../snapshot';
import type { CheckSettings } from '../suppressions';
import { normalizeMinor } from '../versions';
import type { ReadinessCheck } from './check';
import { deprecatedCrdVersions, storedVersionsNotServed } from './crd-checks';
import { podDisruptionBudgetsOf, workloadsOf } from './workload-sources';
import {
  addonCompatibility,
  addonHealth,
  controlPlaneHealth,
  controlPlaneSubnets,
  misconfigurationInsights,
  nodeGroupHealth,
  pendingLaunchTemplateUpdate,
  upgradeReadinessInsights,
} from './infra-checks';
import {
  al2AmisOnTarget,
  dataPlaneOnControlPlaneMinor,
  kubeletSkewAfterUpgrade,
  kubeProxySkew,
  oneMinorStep,
  supportStatus,
  targetOffered,
} from './path-checks';
import {
  dockerSocketMounts,
  minimumReadySeconds,
  minimumReplicas,
  podDisruptionBudgets,
  podSpread,
  readinessProbes,
  zeroTerminationGrace,
} from './workload-checks';

export { CHECKS, CHECK_CODES, type CheckCode, type CheckDefinition } from './codes';

export const READINESS_CHECKS: readonly ReadinessCheck[] = [
  oneMinorStep,
  targetOffered,
  supportStatus,
  dataPlaneOnControlPlaneMinor,
  kubeletSkewAfterUpgrade,
  kubeProxySkew,
  controlPlaneSubnets,
  controlPlaneHealth,
  nodeGroupHealth,
  addonHealth,
  addonCompatibility,
  pendingLaunchTemplateUpdate,
  al2AmisOnTarget,
  upgradeReadinessInsights,
  misconfigurationInsights,
  minimumReplicas,
  minimumReadySeconds,
  podDisruptionBudgets,
  podSpread,
  readinessProbes,
  zeroTerminationGrace,
  dockerSocketMounts,
  storedVersionsNotServed,
  deprecatedCrdVersions,
];

export interface ReadinessInput {
  snapshot: ClusterSnapshot;
  targetVersion: string;
  /** Parsed manifests; undefined skips the workload checks. */
  manifests?: ManifestObject[];
  now?: Date;
  /** Per-check knobs from .eks-upgrade.yaml. */
  settings?: CheckSettings;
}

export function runReadinessChecks(input: ReadinessInput): ReadinessReport {
  const current = normalizeMinor(input.snapshot.cluster.version, 'cluster version');
  const target = normalizeMinor(input.targetVersion, 'target version');
  const context = {
    snapshot: input.snapshot,
    current,
    target,
    now: input.now ?? new Date(),
    manifests: input.manifests,
    workloads: workloadsOf(input.manifests, input.snapshot),
    podDisruptionBudgets: podDisruptionBudgetsOf(input.manifests, input.snapshot),
    settings: input.settings,
  };
  const report: ReadinessReport = {
    currentVersion: current,
    targetVersion: target,
    checksRun: [],
    findings: [],
    checksSkipped: [],
  };
  for (const check of READINESS_CHECKS) {
    const outcome = check.run(context);
    if ('skipped' in outcome) {
      report.checksSkipped?.push({ code: check.code, reason: outcome.skipped });
      continue;
    }
    report.checksRun.push(check.code);
    report.findings.push(...outcome.findings);
    if (outcome.partial) (report.checksPartial ??= []).push({ code: check.code, reason: outcome.partial });
  }
  // Required first, then by code: the order people act in.
  report.findings.sort((a, b) =>
    a.level === b.level ? a.code.localeCompare(b.code) : a.level === 'required' ? -1 : 1,
  );
  return report;
}

/** The report with at most `maxPerCode` findings of each code (the counts still cover them all), for payloads. */
export function boundReadinessReport(report: ReadinessReport, maxPerCode: number): ReadinessReport {
  const counts: Record<string, number> = {};
  const kept = report.findings.filter((f) => {
    counts[f.code] = (counts[f.code] ?? 0) + 1;
    return (counts[f.code] ?? 0) <= maxPerCode;
  });
  return {
    ...report,
    findings: kept,
    findingCounts: counts,
    findingsOmitted: (report.findingsOmitted ?? 0) + report.findings.length - kept.length,
  };
}
