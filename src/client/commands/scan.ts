// `eks-upgrade scan --manifests PATH... [--target 1.NN] [--current 1.NN] [--allow-unreadable] [--config FILE]
// [--additional-versions FILE] --format text|json|md|junit|sarif`: the API-removal scan without Temporal, for CI.
// Helm release Secrets among the files (`kubectl get secret -o json`) are decoded to their newest deployed revision;
// .eks-upgrade.yaml suppressions apply (a suppressed removal does not make the exit code 3). Exit codes (pluto's): 3 when an API removed at or before the
// target is in use; 1 when any input could not be read or held no Kubernetes object (a gate never passes on
// nothing), unless --allow-unreadable; 0 otherwise; 2 for bad usage (a missing path, a bad version, a limit).
// Manifests are streamed (src/activities/evidence/manifest-files.ts); findings then go to one renderer per format.
import { existsSync } from 'node:fs';
import { formatScanJson, formatScanMarkdown, formatScanText, type ScanReport } from '../../domain/api-scan-render';
import { buildApiScanResult, hasRemovedApiInUse } from '../../domain/api-scan';
import { applySuppressions, type UpgradeConfig } from '../../domain/suppressions';
import type { UserVersions } from '../../domain/third-party-apis';
import { createFileScan } from '../../activities/kubernetes/file-scan';
import { renderJUnit, renderSarif, toolVersion } from '../formats/ci-formats';
import { mergeVersions, readUpgradeConfig, readVersionsFile } from '../upgrade-config';
import { UsageError } from '../usage';
import { ConfigError, loadInputLimits } from '../../domain/config';
import { ManifestLimitError } from '../../domain/manifest-limits';
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

export type OutputFormat = 'text' | 'json' | 'md' | 'junit' | 'sarif';

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
  /** .eks-upgrade.yaml (default: ./.eks-upgrade.yaml when present). */
  config?: string;
  /** A pluto-format versions file of extra deprecated APIs. */
  additionalVersions?: string;
}

export { formatScanJson, formatScanMarkdown, formatScanText, type ScanReport };

/** One renderer per --format. */
export const SCAN_RENDERERS: Record<OutputFormat, (report: ScanReport) => string> = {
  text: formatScanText,
  json: formatScanJson,
  md: formatScanMarkdown,
  junit: ({ result }) => renderJUnit({ name: `eks-upgrade scan ${result.targetVersion}`, apiScan: result }),
  sarif: ({ result }) => renderSarif({ toolVersion: toolVersion(), apiScan: result }),
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
    throw new ScanUsageError(`--format must be text, json, md, junit or sarif (got '${options.format}')`);
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
  settings: { config?: UpgradeConfig; user?: UserVersions; now?: Date } = {},
): Promise<ScanReport & { suppressionWarnings: string[] }> {
  const limits = loadInputLimits(options.env ?? process.env).manifests;
  const files = createFileScan({ currentVersion: versions.current, targetVersion: versions.target }, settings.user);
  const summary = await readManifests(options.manifests, (object) => files.onObject(object), {
    limits,
    targetVersion: versions.target,
    ...(options.manifests.includes('-') ? { stdin: options.stdin ?? process.stdin } : {}),
  });
  const scanned = files.finish();
  const built = buildApiScanResult({
    targetVersion: versions.target,
    findings: scanned.findings,
    errors: [...summary.errors, ...scanned.errors],
    errorsOmitted: summary.errorCount - summary.errors.length,
    objectsScanned: summary.objects + scanned.helmObjects,
  });
  const suppressed = applySuppressions({
    config: settings.config,
    targetVersion: versions.target,
    now: settings.now ?? new Date(),
    apiScan: built,
  });
  const result =
    suppressed.warnings.length > 0
      ? { ...suppressed.apiScan, suppressionWarnings: suppressed.warnings }
      : suppressed.apiScan;
  return {
    result,
    currentVersion: versions.current,
    unreadable: summary.errorCount + scanned.errors.length,
    suppressionWarnings: suppressed.warnings,
  };
}

export async function runScan(options: ScanOptions, out: Output): Promise<number> {
  let report: Awaited<ReturnType<typeof collectScan>>;
  try {
    checkUsage(options);
    const config = readUpgradeConfig(options.config);
    const user = mergeVersions(
      config,
      options.additionalVersions ? readVersionsFile(options.additionalVersions) : undefined,
    );
    report = await collectScan(options, resolveVersions(options), {
      ...(config ? { config } : {}),
      ...(user ? { user } : {}),
    });
  } catch (error) {
    if (!(
      error instanceof ScanUsageError ||
      error instanceof ConfigError ||
      error instanceof ManifestLimitError ||
      error instanceof UsageError
    ))
      throw error;
    out.info(`error: ${error.message}\n`);
    return EXIT_USAGE;
  }
  out.result(SCAN_RENDERERS[options.format](report));
  const { result, unreadable } = report;
  for (const w of report.suppressionWarnings) out.info(`warning: ${w}\n`);
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
  flags: {
    manifests?: string[];
    target?: string;
    current?: string;
    format?: string;
    allowUnreadable?: boolean;
    config?: string;
    additionalVersions?: string;
  },
  ctx: CommandContext,
): Promise<number> {
  return runScan(
    {
      manifests: flags.manifests ?? [],
      format: (flags.format ?? 'text') as OutputFormat,
      allowUnreadable: flags.allowUnreadable === true,
      env: ctx.env,
      ...(flags.config !== undefined ? { config: flags.config } : {}),
      ...(flags.additionalVersions !== undefined ? { additionalVersions: flags.additionalVersions } : {}),
      ...(flags.target !== undefined ? { target: flags.target } : {}),
      ...(flags.current !== undefined ? { current: flags.current } : {}),
    },
    ctx.out,
  );
}
