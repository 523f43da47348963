// `eks-upgrade scan --manifests PATH... [--target 1.NN] [--current 1.NN] [--allow-unreadable] --format text|json|md`:
// the API-removal scan without Temporal, for CI. Exit codes (pluto's): 3 when an API removed at or before the
// target is in use; 1 when any input could not be read or held no Kubernetes object (a gate never passes on
// nothing), unless --allow-unreadable; 0 otherwise; 2 for bad usage (a missing path, a bad version, a limit).
// Manifests are streamed (src/activities/evidence/manifest-files.ts); findings then go to one renderer per format.
import { existsSync } from 'node:fs';
import type { ApiRemovalFinding } from '../../domain/evidence';
import { formatScanJson, formatScanMarkdown, formatScanText, type ScanReport } from '../../domain/api-scan-render';
import { buildApiScanResult, hasRemovedApiInUse, manifestFinding, resolveScanVersions } from '../../domain/api-scan';
import { ConfigError, loadInputLimits } from '../../domain/config';
import { ManifestLimitError } from '../../domain/manifests';
import { compareMinor, parseMinorArg, previousMinor } from '../../domain/versions';
import { readManifests } from '../../activities/evidence/manifest-files';
import type { CommandContext } from '../context';
import type { Output } from '../output';

/** Without --target the scan checks against the newest minor the facts table covers for released versions. */
export const DEFAULT_SCAN_TARGET = '1.35';

export const EXIT_OK = 0;
export const EXIT_UNREADABLE = 1;
export const EXIT_USAGE = 2;
export const EXIT_REMOVED_API = 3;

export type OutputFormat = 'text' | 'json' | 'md';

export interface ScanOptions {
  manifests: string[];
  target?: string;
  current?: string;
  /** Checked at run time too: commander hands over whatever the user typed. */
  format: OutputFormat;
  /** Exit 0 (not 1) when some input could not be read; the unreadable inputs are still listed. */
  allowUnreadable?: boolean;
  /** What "-" reads; defaults to process.stdin. */
  stdin?: AsyncIterable<string | Buffer> | Iterable<string | Buffer>;
  /** Where the input limits come from (EKS_UPGRADE_MAX_MANIFEST_*); defaults to process.env. */
  env?: Record<string, string | undefined>;
}

export { formatScanJson, formatScanMarkdown, formatScanText, type ScanReport };

/** One renderer per --format; CI formats (JUnit, SARIF) are added here. */
export const SCAN_RENDERERS: Record<OutputFormat, (report: ScanReport) => string> = {
  text: formatScanText,
  json: formatScanJson,
  md: formatScanMarkdown,
};

class ScanUsageError extends Error {}

function resolveVersions(options: ScanOptions): { target: string; current: string } {
  try {
    const target = parseMinorArg(options.target ?? DEFAULT_SCAN_TARGET, '--target');
    const current = options.current ? parseMinorArg(options.current, '--current') : previousMinor(target);
    if (compareMinor(current, target) > 0)
      throw new Error(
        `--current ${current} is newer than --target ${target}: the scan checks an upgrade, so give a target at or after the current version`,
      );
    return { target, current };
  } catch (error) {
    throw new ScanUsageError(error instanceof Error ? error.message : String(error));
  }
}

function checkUsage(options: ScanOptions): void {
  if (!Object.keys(SCAN_RENDERERS).includes(options.format))
    throw new ScanUsageError(`--format must be text, json or md (got '${options.format}')`);
  if (options.manifests.length === 0)
    throw new ScanUsageError(
      'give at least one manifest file or directory with --manifests (use - to read rendered Helm output from stdin)',
    );
  const missing = options.manifests.filter((p) => p !== '-' && !existsSync(p));
  if (missing.length > 0)
    throw new ScanUsageError(`--manifests: ${missing.join(', ')}: no such file or directory; check the path(s)`);
}

/** Reads and scans; the findings are complete (a CLI prints them all), the errors bounded with a count. */
export async function collectScan(
  options: ScanOptions,
  versions: { target: string; current: string },
): Promise<ScanReport> {
  const limits = loadInputLimits(options.env ?? process.env).manifests;
  const resolved = resolveScanVersions({ currentVersion: versions.current, targetVersion: versions.target });
  const findings: ApiRemovalFinding[] = [];
  const summary = await readManifests(
    options.manifests,
    (object) => {
      const finding = manifestFinding(object, resolved);
      if (finding) findings.push(finding);
    },
    {
      limits,
      targetVersion: versions.target,
      ...(options.manifests.includes('-') ? { stdin: options.stdin ?? process.stdin } : {}),
    },
  );
  const result = buildApiScanResult({
    targetVersion: versions.target,
    findings,
    errors: summary.errors,
    errorsOmitted: summary.errorCount - summary.errors.length,
    objectsScanned: summary.objects,
  });
  return { result, currentVersion: versions.current, unreadable: summary.errorCount };
}

export async function runScan(options: ScanOptions, out: Output): Promise<number> {
  let report: ScanReport;
  try {
    checkUsage(options);
    report = await collectScan(options, resolveVersions(options));
  } catch (error) {
    if (!(error instanceof ScanUsageError || error instanceof ConfigError || error instanceof ManifestLimitError))
      throw error;
    out.info(`error: ${error.message}\n`);
    return EXIT_USAGE;
  }
  out.result(SCAN_RENDERERS[options.format](report));
  const { result, unreadable } = report;
  for (const e of result.errors)
    out.info(`warning: could not read ${e.file}${e.line !== undefined ? ` line ${e.line}` : ''}: ${e.message}\n`);
  if (unreadable > result.errors.length)
    out.info(`warning: … and ${unreadable - result.errors.length} more unreadable documents\n`);
  if (hasRemovedApiInUse(result)) return EXIT_REMOVED_API;
  if (unreadable > 0 && !options.allowUnreadable) {
    out.info(
      `error: ${unreadable} input(s) could not be read or held no Kubernetes object (listed above), so the scan cannot vouch for them; fix them, or pass --allow-unreadable to accept the rest\n`,
    );
    return EXIT_UNREADABLE;
  }
  return EXIT_OK;
}

/** `eks-upgrade scan`: commander's flags to ScanOptions. */
export function runScanCommand(
  flags: { manifests?: string[]; target?: string; current?: string; format?: string; allowUnreadable?: boolean },
  ctx: CommandContext,
): Promise<number> {
  return runScan(
    {
      manifests: flags.manifests ?? [],
      format: (flags.format ?? 'text') as OutputFormat,
      allowUnreadable: flags.allowUnreadable === true,
      env: ctx.env,
      ...(flags.target !== undefined ? { target: flags.target } : {}),
      ...(flags.current !== undefined ? { current: flags.current } : {}),
    },
    ctx.out,
  );
}
