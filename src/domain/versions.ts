// Kubernetes minor versions ("1.30"): parsing, comparison and stepping. Pure functions shared by the API-removal
// facts, the scan, the readiness checks and the release-notes extraction.

export interface MinorVersion {
  major: number;
  minor: number;
}

const VERSION_PATTERN = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/;

/**
 * What a person may type as a Kubernetes version (`--target`, `--current`, the workflow input, a snapshot's
 * `cluster.version`): a minor, exactly "1.NN". EKS upgrades to a minor, never to a patch, so `1.32.1` and `v1.32`
 * are refused everywhere rather than silently rounded in some places. Versions read from a cluster (kubelet
 * `v1.30.2-eks-abc`, add-on builds) go through tryParseMinor instead.
 */
export const MINOR_VERSION_PATTERN = /^1\.\d{1,2}$/;

/** Parses "1.30", "v1.30.2", "1.30.2-eks-abc" or "v1.29.0-eksbuild.1" to its major/minor; undefined if not a version. */
export function tryParseMinor(text: string | undefined): MinorVersion | undefined {
  if (text === undefined) return undefined;
  const match = VERSION_PATTERN.exec(text.trim());
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]) };
}

/** "1.30" for any accepted spelling, or undefined when the text is not a version (e.g. a kubelet's "v1.30.4-eks-a1"). */
export function minorOf(text: string | undefined): string | undefined {
  const v = tryParseMinor(text);
  return v ? `${v.major}.${v.minor}` : undefined;
}

/** Like tryParseMinor, but a bad value is an error naming what was expected. */
export function parseMinor(text: string, what = 'version'): MinorVersion {
  const parsed = tryParseMinor(text);
  if (!parsed) throw new Error(`invalid ${what} '${text}': expected a Kubernetes minor version such as 1.30`);
  return parsed;
}

/** Checks a version a person gave (see MINOR_VERSION_PATTERN); the error says what to type instead. */
export function parseMinorArg(text: string, what = 'version'): string {
  const value = text.trim();
  if (MINOR_VERSION_PATTERN.test(value)) return value;
  const parsed = tryParseMinor(value);
  const minor = parsed ? `${parsed.major}.${parsed.minor}` : undefined;
  const hint =
    minor && MINOR_VERSION_PATTERN.test(minor)
      ? `EKS upgrades to a minor version, so give ${minor}`
      : 'expected a Kubernetes minor version such as 1.31';
  throw new Error(`invalid ${what} '${text}': ${hint}`);
}

/** "1.30" for any accepted spelling. */
export function normalizeMinor(text: string, what = 'version'): string {
  const v = parseMinor(text, what);
  return `${v.major}.${v.minor}`;
}

/** Negative when a < b, 0 when equal, positive when a > b (minor granularity). */
export function compareMinor(a: string, b: string): number {
  const va = parseMinor(a);
  const vb = parseMinor(b);
  return va.major !== vb.major ? va.major - vb.major : va.minor - vb.minor;
}

/** Number of minor steps from `from` to `to` (same major assumed, as for every Kubernetes 1.x). */
export function minorDistance(from: string, to: string): number {
  const a = parseMinor(from);
  const b = parseMinor(to);
  if (a.major !== b.major) throw new Error(`cannot compare ${from} and ${to}: different major versions`);
  return b.minor - a.minor;
}

export function nextMinor(version: string): string {
  const v = parseMinor(version);
  return `${v.major}.${v.minor + 1}`;
}

export function previousMinor(version: string): string {
  const v = parseMinor(version);
  return `${v.major}.${v.minor - 1}`;
}

/** True when `version` is at or before `limit` (both minors): e.g. removed in 1.29 with target 1.30 → true. */
export function isAtOrBefore(version: string, limit: string): boolean {
  return compareMinor(version, limit) <= 0;
}

/**
 * Why `current → target` is not an EKS upgrade (the UPG001 rule: forward, one minor at a time), or undefined when
 * it is one. The readiness check and the client's start-time check share these words.
 */
export function upgradeStepProblem(current: string, target: string): string | undefined {
  const distance = minorDistance(current, target);
  if (distance === 1) return undefined;
  if (distance <= 0)
    return `Target ${target} is not newer than the cluster's ${current}: EKS upgrades go forward one minor at a time. Choose ${nextMinor(current)}.`;
  return `EKS upgrades one minor version at a time: ${current} → ${target} is ${distance} steps. Upgrade to ${nextMinor(current)} first, then repeat.`;
}
