// Renders an API scan for people and machines: text (a terminal, a CI log), Markdown (reports, pull requests) and
// JSON. The scan command and the evidence report artifact both render through here.
import type { ApiRemovalFinding, ApiScanResult } from './evidence';
import { markdownCell, markdownTable } from './format';

/** What the renderers receive: the scan result and the version it was compared from. */
export interface ScanReport {
  result: ApiScanResult;
  currentVersion: string;
  /** Every unreadable input, including those beyond the listed errors. */
  unreadable: number;
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

function errorWhere(e: { file: string; line?: number }): string {
  return `${e.file}${e.line !== undefined ? `:${e.line}` : ''}`;
}

export function formatScanText({ result, currentVersion: current, unreadable }: ScanReport): string {
  const lines: string[] = [];
  const removed = result.findings.filter((f) => f.removedByTarget);
  const deprecated = result.findings.filter((f) => !f.removedByTarget);
  lines.push(
    `API scan against Kubernetes ${result.targetVersion} (current ${current}): ${result.objectsScanned} objects, ${removed.length} removed, ${deprecated.length} deprecated, ${unreadable} unreadable.`,
  );
  for (const f of removed)
    lines.push(
      `${f.suppressed ? 'SUPPRESSED' : 'REMOVED   '} ${f.apiVersion} ${objectName(f)} at ${where(f)}: removed in ${f.removedIn}; ${replacementText(f, current)} [${f.code ?? ''} ${f.confidence}, ${f.source}]${f.note ? ` (${f.note})` : ''}${f.suppressed ? ` — suppressed: ${f.suppressed.reason}` : ''}`,
    );
  for (const f of deprecated)
    lines.push(
      `DEPRECATED ${f.apiVersion} ${objectName(f)} at ${where(f)}: removal ${f.removedIn === 'unscheduled' ? 'not scheduled' : `in ${f.removedIn}`}; ${replacementText(f, current)} [${f.code ?? ''} ${f.confidence}, ${f.source}]`,
    );
  for (const e of result.errors) lines.push(`UNREADABLE ${errorWhere(e)}: ${e.message}`);
  if (unreadable > result.errors.length) lines.push(`UNREADABLE … and ${unreadable - result.errors.length} more`);
  return `${lines.join('\n')}\n`;
}

export function formatScanMarkdown({ result, currentVersion: current, unreadable }: ScanReport): string {
  const lines = [
    `# API scan against Kubernetes ${result.targetVersion}`,
    '',
    `Current version ${current}; ${result.objectsScanned} objects scanned; ${unreadable} unreadable.`,
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
  if (unreadable > 0) {
    lines.push('## Unreadable inputs', '');
    for (const e of result.errors) lines.push(`- \`${errorWhere(e)}\`: ${markdownCell(e.message)}`);
    if (unreadable > result.errors.length) lines.push(`- … and ${unreadable - result.errors.length} more`);
    lines.push('');
  }
  return lines.join('\n');
}

export function formatScanJson({ result, currentVersion, unreadable }: ScanReport): string {
  return `${JSON.stringify({ currentVersion, ...result, unreadable }, null, 2)}\n`;
}
