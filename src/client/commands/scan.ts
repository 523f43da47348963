// `eks-upgrade scan --manifests PATH... [--target 1.NN] [--current 1.NN] --format text|json|md`: the API-removal
// scan without Temporal, for CI. Exit 3 when an API removed at or before the target is in use, 0 otherwise,
// 2 for bad usage (or when nothing at all could be read). Unparsable files are listed, never skipped silently.
import type { ApiRemovalFinding, ApiScanResult } from '../../domain/evidence';
import { buildApiScanResult, hasRemovedApiInUse, scanManifestObjects } from '../../domain/api-scan';
import { normalizeMinor, previousMinor } from '../../domain/versions';
import { readManifestPaths } from '../../activities/evidence/manifest-files';
import { markdownCell, markdownTable } from '../../domain/format';
import type { CommandContext } from '../context';
import type { Output } from '../output';
import { readStdin } from '../stdin';

/** Without --target the scan checks against the newest minor the facts table covers for released versions. */
export const DEFAULT_SCAN_TARGET = '1.35';

export const EXIT_OK = 0;
export const EXIT_USAGE = 2;
export const EXIT_REMOVED_API = 3;

export type OutputFormat = 'text' | 'json' | 'md';

export interface ScanOptions {
  manifests: string[];
  target?: string;
  current?: string;
  /** Checked at run time too: commander hands over whatever the user typed. */
  format: OutputFormat;
  /** Reader for "-" (stdin); defaults to process.stdin. */
  stdin?: () => Promise<string>;
}

function where(f: ApiRemovalFinding): string {
  if (f.file !== undefined)
    return `${f.file}${f.line !== undefined ? `:${f.line}` : ''}${f.location ? ` (${f.location})` : ''}`;
  return f.location ?? f.source;
}

function objectName(f: ApiRemovalFinding): string {
  return `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name}`;
}

function replacementText(f: ApiRemovalFinding, current: string): string {
  if (!f.replacement) return 'no replacement API';
  return `use ${f.replacement}${f.replacementAvailableOnCurrent ? ` (already served on ${current})` : ` (not served on ${current} yet)`}`;
}

export function formatScanText(result: ApiScanResult, current: string): string {
  const lines: string[] = [];
  const removed = result.findings.filter((f) => f.removedByTarget);
  const deprecated = result.findings.filter((f) => !f.removedByTarget);
  lines.push(
    `API scan against Kubernetes ${result.targetVersion} (current ${current}): ${result.objectsScanned} objects, ${removed.length} removed, ${deprecated.length} deprecated, ${result.errors.length} unreadable.`,
  );
  for (const f of removed)
    lines.push(
      `REMOVED    ${f.apiVersion} ${objectName(f)} at ${where(f)}: removed in ${f.removedIn}; ${replacementText(f, current)} [${f.code ?? ''} ${f.confidence}, ${f.source}]${f.note ? ` (${f.note})` : ''}`,
    );
  for (const f of deprecated)
    lines.push(
      `DEPRECATED ${f.apiVersion} ${objectName(f)} at ${where(f)}: removal ${f.removedIn === 'unscheduled' ? 'not scheduled' : `in ${f.removedIn}`}; ${replacementText(f, current)} [${f.code ?? ''} ${f.confidence}, ${f.source}]`,
    );
  for (const e of result.errors)
    lines.push(`UNREADABLE ${e.file}${e.line !== undefined ? `:${e.line}` : ''}: ${e.message}`);
  return `${lines.join('\n')}\n`;
}

export function formatScanMarkdown(result: ApiScanResult, current: string): string {
  const lines = [
    `# API scan against Kubernetes ${result.targetVersion}`,
    '',
    `Current version ${current}; ${result.objectsScanned} objects scanned.`,
    '',
  ];
  if (result.findings.length === 0) lines.push('No deprecated or removed API in use.', '');
  else {
    lines.push(
      ...markdownTable(
        ['Status', 'apiVersion', 'Object', 'Where', 'Removed in', 'Replacement', 'Code', 'Confidence', 'Source'],
        result.findings.map((f) => [
          f.removedByTarget ? '❌ removed' : '⚠️ deprecated',
          `\`${f.apiVersion}\``,
          objectName(f),
          where(f),
          f.removedIn,
          replacementText(f, current),
          f.code,
          f.confidence,
          f.source,
        ]),
      ),
      '',
    );
  }
  if (result.errors.length > 0) {
    lines.push('## Unreadable files', '');
    for (const e of result.errors)
      lines.push(`- \`${e.file}${e.line !== undefined ? `:${e.line}` : ''}\`: ${markdownCell(e.message)}`);
    lines.push('');
  }
  return lines.join('\n');
}

export async function runScan(options: ScanOptions, out: Output): Promise<number> {
  if (!(['text', 'json', 'md'] as string[]).includes(options.format)) {
    out.info(`error: --format must be text, json or md (got '${options.format}')\n`);
    return EXIT_USAGE;
  }
  if (options.manifests.length === 0) {
    out.info(
      'error: give at least one manifest file or directory with --manifests (use - to read rendered Helm output from stdin)\n',
    );
    return EXIT_USAGE;
  }
  let target: string;
  let current: string;
  try {
    target = normalizeMinor(options.target ?? DEFAULT_SCAN_TARGET, '--target');
    current = options.current ? normalizeMinor(options.current, '--current') : previousMinor(target);
  } catch (error) {
    out.info(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_USAGE;
  }
  const stdinText = options.manifests.includes('-') ? await (options.stdin ?? (() => readStdin()))() : undefined;
  const parsed = await readManifestPaths(options.manifests, stdinText);
  const findings = scanManifestObjects(parsed.objects, { currentVersion: current, targetVersion: target });
  const result = buildApiScanResult({
    targetVersion: target,
    findings,
    errors: parsed.errors,
    objectsScanned: parsed.objects.length,
  });
  if (options.format === 'json') out.result(`${JSON.stringify({ currentVersion: current, ...result }, null, 2)}\n`);
  else if (options.format === 'md') out.result(formatScanMarkdown(result, current));
  else out.result(formatScanText(result, current));
  for (const e of parsed.errors)
    out.info(`warning: could not parse ${e.file}${e.line !== undefined ? ` line ${e.line}` : ''}: ${e.message}\n`);
  if (parsed.objects.length === 0 && parsed.errors.length > 0) {
    out.info('error: no manifest could be read; check the paths above\n');
    return EXIT_USAGE;
  }
  return hasRemovedApiInUse(result) ? EXIT_REMOVED_API : EXIT_OK;
}

/** `eks-upgrade scan`: commander's flags to ScanOptions. */
export function runScanCommand(
  flags: { manifests?: string[]; target?: string; current?: string; format?: string },
  ctx: CommandContext,
): Promise<number> {
  return runScan(
    {
      manifests: flags.manifests ?? [],
      format: (flags.format ?? 'text') as OutputFormat,
      ...(flags.target !== undefined ? { target: flags.target } : {}),
      ...(flags.current !== undefined ? { current: flags.current } : {}),
    },
    ctx.out,
  );
}
