// Complete evidence, written as files when the workflow payload carries only part of it: a manifest with 100k
// objects can yield 100k findings, which must not travel through history (Temporal refuses payloads over 2 MB). The
// files go to EKS_UPGRADE_REPORTS_DIR/<workflow id>/ on the worker's machine; the payload names the path.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { formatScanMarkdown } from '../../domain/api-scan-render';
import type { ApiScanResult, ReadinessReport } from '../../domain/evidence';
import { markdownTable } from '../../domain/format';

export const DEFAULT_REPORTS_DIR = '.eks-upgrade-reports';

/** Findings of one code kept in a workflow payload; the rest are counted and written to the report files. */
export const MAX_FINDINGS_PER_CODE = 50;

async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text, 'utf8');
  await rename(temporary, path);
}

function safeName(scope: string): string {
  return scope.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 200);
}

/** Writes `<name>.json` and `<name>.md`; returns the JSON file's absolute path. Rewriting on a retry is harmless. */
async function writeReport(dir: string, scope: string, name: string, json: unknown, markdown: string): Promise<string> {
  const folder = resolve(join(dir, safeName(scope)));
  await mkdir(folder, { recursive: true });
  const jsonPath = join(folder, `${name}.json`);
  await writeAtomically(jsonPath, `${JSON.stringify(json, null, 2)}\n`);
  await writeAtomically(join(folder, `${name}.md`), markdown);
  return jsonPath;
}

export function writeApiScanReport(
  dir: string,
  scope: string,
  result: ApiScanResult,
  currentVersion: string,
): Promise<string> {
  const unreadable = result.errors.length + (result.errorsOmitted ?? 0);
  return writeReport(
    dir,
    scope,
    'api-scan',
    { currentVersion, ...result, unreadable },
    formatScanMarkdown({ result, currentVersion, unreadable }),
  );
}

export function writeReadinessReport(dir: string, scope: string, report: ReadinessReport): Promise<string> {
  const markdown = [
    `# Readiness ${report.currentVersion} → ${report.targetVersion}`,
    '',
    `${report.findings.length} findings from ${report.checksRun.length} checks.`,
    '',
    ...markdownTable(
      ['Code', 'Level', 'Resource', 'What to do'],
      report.findings.map((f) => [f.code, f.level, f.resource ?? '—', f.message]),
    ),
    '',
  ].join('\n');
  return writeReport(dir, scope, 'readiness', report, markdown);
}
