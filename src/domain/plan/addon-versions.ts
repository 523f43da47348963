// EKS add-on versions ("v1.19.2-eksbuild.1"): ordering, and the path from the installed version to the target's
// default one. EKS add-ons move one minor per update (VPC CNI refuses more: "Updating VPC-CNI can only go up or down
// 1 minor version at a time"), so a longer move goes through the newest known build of each minor in between.
import type { Addon } from '../snapshot';

interface ParsedAddonVersion {
  major: number;
  minor: number;
  patch: number;
  build: number;
}

const ADDON_VERSION = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-eksbuild\.(\d+))?/;

export function parseAddonVersion(version: string): ParsedAddonVersion | undefined {
  const match = ADDON_VERSION.exec(version.trim());
  if (!match) return undefined;
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3] ?? 0),
    build: Number(match[4] ?? 0),
  };
}

/** Negative when a is older than b; unparsable versions sort first. */
export function compareAddonVersions(a: string, b: string): number {
  const pa = parseAddonVersion(a);
  const pb = parseAddonVersion(b);
  if (!pa || !pb) return pa ? 1 : pb ? -1 : a.localeCompare(b);
  return pa.major - pb.major || pa.minor - pb.minor || pa.patch - pb.patch || pa.build - pb.build;
}

function addonMinorKey(version: string): string | undefined {
  const parsed = parseAddonVersion(version);
  return parsed ? `${parsed.major}.${parsed.minor}` : undefined;
}

/** The target minor's default add-on version, else the newest compatible one; undefined without data. */
export function targetAddonVersion(addon: Addon, target: string): string | undefined {
  const preferred = addon.defaultVersions?.[target];
  if (preferred) return preferred;
  const compatible = addon.compatibleVersions?.[target] ?? [];
  return [...compatible].sort(compareAddonVersions).at(-1);
}

export interface AddonPath {
  /** Versions to update to, in order (the last one is the target); empty when nothing is to be done. */
  hops: string[];
  /** Minors in between for which no version compatible with the target is known (EKS may refuse the jump). */
  missingMinors: string[];
}

/**
 * From the installed version to `to`, one add-on minor per update, through versions compatible with `clusterMinor`
 * (the cluster's version when the updates run: the target, as add-ons follow the control plane).
 */
export function addonUpgradePath(addon: Addon, to: string, clusterMinor: string): AddonPath {
  const from = parseAddonVersion(addon.version);
  const end = parseAddonVersion(to);
  if (compareAddonVersions(addon.version, to) >= 0) return { hops: [], missingMinors: [] };
  if (!from || !end || from.major !== end.major || end.minor - from.minor <= 1)
    return { hops: [to], missingMinors: [] };
  const candidates = addon.compatibleVersions?.[clusterMinor] ?? [];
  const hops: string[] = [];
  const missingMinors: string[] = [];
  for (let minor = from.minor + 1; minor < end.minor; minor++) {
    const key = `${from.major}.${minor}`;
    const newest = candidates
      .filter((v) => addonMinorKey(v) === key)
      .sort(compareAddonVersions)
      .at(-1);
    if (newest) hops.push(newest);
    else missingMinors.push(`v${key}`);
  }
  hops.push(to);
  return { hops, missingMinors };
}

/** Whether every version on the path also runs on `current` (then it may precede the node groups). */
export function validForBoth(addon: Addon, versions: string[], current: string, target: string): boolean {
  const forCurrent = addon.compatibleVersions?.[current];
  const forTarget = addon.compatibleVersions?.[target];
  if (!forCurrent || !forTarget) return false;
  return versions.every((v) => forCurrent.includes(v) && forTarget.includes(v));
}
