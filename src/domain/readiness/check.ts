// What a readiness check is: a pure function from the snapshot (and optional manifests) to findings, or to
// "skipped" with the reason when the snapshot lacks its data.
import type { ReadinessFinding, RemediationLevel } from '../evidence';
import type { ManifestObject } from '../manifests';
import type { ClusterSnapshot } from '../snapshot';
import { CHECKS, type CheckCode } from './codes';

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
}

export type CheckOutcome = { findings: ReadinessFinding[] } | { skipped: string };

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
