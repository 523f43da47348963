// Findings as CI reports: JUnit XML (junit-report-builder; CI test views: a check that ran is a test case, each
// finding a failing one, suppressed findings and skipped checks skipped) and SARIF 2.1.0 (node-sarif-builder; GitHub
// code scanning: one rule per check code, one result per finding with file and line where known, suppressed findings
// carried as SARIF suppressions with their justification).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import junit from 'junit-report-builder';
import { SarifBuilder, SarifResultBuilder, SarifRuleBuilder, SarifRunBuilder } from 'node-sarif-builder';
import type { ApiRemovalFinding, ApiScanResult, ReadinessReport, Suppression } from '../../domain/evidence';
import { CHECKS, type CheckCode } from '../../domain/readiness';

/** This tool's version (package.json), for SARIF's tool driver. */
export function toolVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Relative to the repository root (SARIF allows URI references): the catalogue of check codes. */
export const CHECKS_DOC = 'docs/checks.md';

const API_TITLES: Record<string, string> = {
  API001: 'API version removed at or before the target',
  API002: 'Deprecated API version in use',
  API003: 'Third-party API version deprecated or removed by its add-on',
  API004: 'API version no longer served by the cluster (CRD)',
};

/** One finding, whatever its origin, in the shape both formats need. */
export interface CiFinding {
  code: string;
  title: string;
  level: 'error' | 'warning' | 'note';
  message: string;
  resource: string;
  file?: string;
  line?: number;
  suppressed?: Suppression;
}

function titleOf(code: string): string {
  return API_TITLES[code] ?? (code in CHECKS ? CHECKS[code as CheckCode].title : code);
}

function apiLevel(f: ApiRemovalFinding): CiFinding['level'] {
  if (f.removedByTarget) return f.confidence === 'low' ? 'warning' : 'error';
  return f.code === 'API003' || f.code === 'API004' ? 'warning' : 'note';
}

function apiMessage(f: ApiRemovalFinding): string {
  const where = f.location ? ` (${f.location})` : '';
  const replacement = f.replacement ? `; use ${f.replacement}` : '';
  const removal = f.removedIn === 'unscheduled' ? 'deprecated, removal not scheduled' : `removed in ${f.removedIn}`;
  return `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name} uses ${f.apiVersion}: ${removal}${replacement} [${f.confidence} confidence, ${f.source}]${where}${f.note ? `. ${f.note}` : ''}`;
}

export function ciFindings(input: { apiScan?: ApiScanResult; readiness?: ReadinessReport }): CiFinding[] {
  const api = (input.apiScan?.findings ?? []).map((f): CiFinding => ({
    code: f.code ?? 'API002',
    title: titleOf(f.code ?? 'API002'),
    level: apiLevel(f),
    message: apiMessage(f),
    resource: `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name}`,
    ...(f.file ? { file: f.file } : {}),
    ...(f.line ? { line: f.line } : {}),
    ...(f.suppressed ? { suppressed: f.suppressed } : {}),
  }));
  const readiness = (input.readiness?.findings ?? []).map((f): CiFinding => {
    // Workload messages carry "file:line" when they came from a manifest.
    const at = /\(([^()\s]+\.(?:ya?ml|json)):(\d+)\)/.exec(f.message);
    return {
      code: f.code,
      title: f.title,
      level: f.level === 'required' ? 'error' : 'warning',
      message: f.message,
      resource: f.resource ?? 'cluster',
      ...(at ? { file: at[1], line: Number(at[2]) } : {}),
      ...(f.suppressed ? { suppressed: f.suppressed } : {}),
    };
  });
  return [...api, ...readiness];
}

export function renderJUnit(input: { name: string; apiScan?: ApiScanResult; readiness?: ReadinessReport }): string {
  const builder = junit.newBuilder().name(input.name);
  const findings = ciFindings(input);
  if (input.apiScan) {
    const suite = builder.testSuite().name(`API removals (target ${input.apiScan.targetVersion})`);
    const apiFindings = findings.filter((f) => f.code.startsWith('API'));
    if (apiFindings.length === 0)
      suite
        .testCase()
        .className('eks-upgrade.API')
        .name(`${input.apiScan.objectsScanned} objects use no deprecated or removed API`);
    for (const f of apiFindings) addCase(suite.testCase(), f);
    for (const e of input.apiScan.errors)
      suite
        .testCase()
        .className('eks-upgrade.scan')
        .name(`unreadable ${e.file}${e.line ? `:${e.line}` : ''}`)
        .file(e.file)
        .error(e.message, 'UnreadableFile');
    for (const s of input.apiScan.sourcesSkipped ?? [])
      suite
        .testCase()
        .className('eks-upgrade.scan')
        .name(`not scanned: ${s.source}`)
        .skipped()
        .standardOutput(s.reason);
  }
  if (input.readiness) {
    const suite = builder
      .testSuite()
      .name(`Readiness ${input.readiness.currentVersion} → ${input.readiness.targetVersion}`);
    const readinessFindings = findings.filter((f) => !f.code.startsWith('API'));
    for (const code of input.readiness.checksRun) {
      const mine = readinessFindings.filter((f) => f.code === code);
      if (mine.length === 0)
        suite
          .testCase()
          .className(`eks-upgrade.${code}`)
          .name(`${code} ${titleOf(code)}`);
      for (const f of mine) addCase(suite.testCase(), f);
    }
    for (const c of input.readiness.checksSkipped ?? [])
      suite
        .testCase()
        .className(`eks-upgrade.${c.code}`)
        .name(`${c.code} ${titleOf(c.code)}`)
        .skipped()
        .standardOutput(c.reason);
  }
  return builder.build();
}

function addCase(testCase: ReturnType<ReturnType<typeof junit.newBuilder>['testCase']>, f: CiFinding): void {
  testCase.className(`eks-upgrade.${f.code}`).name(`${f.code} ${f.resource}`);
  if (f.file) testCase.file(f.line ? `${f.file}:${f.line}` : f.file);
  if (f.suppressed) testCase.skipped().standardOutput(`suppressed by ${f.suppressed.rule}: ${f.suppressed.reason}`);
  else if (f.level === 'note') testCase.standardOutput(f.message);
  else testCase.failure(f.message, f.level === 'error' ? 'required' : 'recommended');
}

export function renderSarif(input: {
  toolVersion: string;
  apiScan?: ApiScanResult;
  readiness?: ReadinessReport;
}): string {
  const sarif = new SarifBuilder();
  const run = new SarifRunBuilder().initSimple({
    toolDriverName: 'eks-upgrade-agent',
    toolDriverVersion: input.toolVersion,
  });
  const findings = ciFindings(input);
  for (const code of [...new Set(findings.map((f) => f.code))].sort())
    run.addRule(
      new SarifRuleBuilder().initSimple({
        ruleId: code,
        shortDescriptionText: titleOf(code),
        helpUri: `${CHECKS_DOC}#${code.toLowerCase()}`,
      }),
    );
  for (const f of findings) {
    const result = new SarifResultBuilder().initSimple({
      level: f.level,
      messageText: f.message,
      ruleId: f.code,
      ...(f.file ? { fileUri: f.file } : {}),
      ...(f.file && f.line ? { startLine: f.line } : {}),
    });
    if (!f.file)
      result.result.locations = [{ logicalLocations: [{ fullyQualifiedName: f.resource, kind: 'resource' }] }];
    if (f.suppressed)
      result.result.suppressions = [
        {
          kind: 'external',
          justification: `${f.suppressed.reason} (${f.suppressed.rule}${f.suppressed.expires ? `, until ${f.suppressed.expires}` : ''})`,
        },
      ];
    run.addResult(result);
  }
  sarif.addRun(run);
  return `${sarif.buildSarifJsonString({ indent: true })}\n`;
}
