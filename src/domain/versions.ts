// Kubernetes minor versions ("1.30"): parsing, comparison and stepping. Pure functions shared by the API-removal
// facts, the scan, the readiness checks and the release-notes extraction.

export interface MinorVersion {
  major: number;
  minor: number;
}

const VERSION_PATTERN = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/;

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
