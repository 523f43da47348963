// What a readiness check is: a pure function from the snapshot (and optional manifests) to findings, or to
// "skipped" with the reason when the snapshot lacks its data.
import type { ReadinessFinding, RemediationLevel } from '../evidence';
import type { PodDisruptionBudgetSummary, WorkloadSummary } from '../kubernetes-inventory';
import type { ManifestObject } from '../manifests';
import type { ClusterSnapshot } from '../snapshot';
import type { CheckSettings } from '../suppressions';
import { CHECKS, type CheckCode } from './codes';

/** A workload from a manifest (`where` is file:line) or from the live cluster (`where` absent). */
export type CheckedWorkload = WorkloadSummary & { where?: string };

export interface CheckContext {
  snapshot: ClusterSnapshot;
  /** Control-plane minor now ("1.30"). */
  current: string;
  /** Target minor ("1.31"). */
  target: string;
  /** Injected clock, for support end dates. */
  now: Date;
  /** Parsed manifests, when the user gave some. */
  manifests?: ManifestObject[];
  /** Workloads of the manifests and of the live cluster; undefined when there are neither. */
  workloads?: CheckedWorkload[];
  podDisruptionBudgets?: PodDisruptionBudgetSummary[];
  /** Per-check knobs from .eks-upgrade.yaml (e.g. K8S002 minimum replicas). */
  settings?: CheckSettings;
}

/** `partial`: the check ran, but part of its data could not be read (why, and what to grant). */
export type CheckOutcome = { findings: ReadinessFinding[]; partial?: string } | { skipped: string };

export interface ReadinessCheck {
  code: CheckCode;
  run(context: CheckContext): CheckOutcome;
}

export function finding(
  code: CheckCode,
  level: RemediationLevel,
  message: string,
  resource?: string,
): ReadinessFinding {
  return { code, level, title: CHECKS[code].title, message, ...(resource !== undefined ? { resource } : {}) };
}

export function passed(): CheckOutcome {
  return { findings: [] };
}

export function found(findings: ReadinessFinding[]): CheckOutcome {
  return { findings };
}

export function skipped(reason: string): CheckOutcome {
  return { skipped: reason };
}
