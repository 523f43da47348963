// Rendering of the upgrade report (`report --format md|json`, the demo). Pure. The headline, the current details and
// a failure's Markdown are in ./status-render.ts.
import { explanatoryReasons } from './decision';
import { executionMarkdown } from './execution-render';
import { formatUsd, markdownTable as table } from './format';
import { renderPlanMarkdown } from './plan';
import { failureMarkdown, overrideLine } from './status-render';
import type { UpgradeReport } from './upgrade-report';

/** The full report as Markdown. */
export function renderReportMarkdown(report: UpgradeReport): string {
  const s = report.status;
  const out: string[] = [
    `# EKS upgrade report: ${s.clusterName} ${s.currentVersion ?? '?'} → ${s.targetVersion}`,
    '',
    `**${s.headline}**`,
    '',
  ];
  if (s.failure) out.push('## Failure', '', ...failureMarkdown(s.failure), '');
  out.push(
    `- Workflow: \`${s.workflowId}\` (mode ${s.mode}, phase ${s.phase})`,
    `- Approval: ${s.approval}${s.approvedBy ? ` by ${s.approvedBy}` : ''}${s.abortReason ? ` — aborted: ${s.abortReason}` : ''}`,
    `- Bedrock cost: ${formatUsd(s.costUsd)}`,
  );
  if (s.override) out.push(`- Override: ${overrideLine(s.override)}`);

  const d = s.decision;
  out.push('', '## Decision', '');
  if (d) {
    out.push(
      ...table(
        ['Verdict', 'Severity', 'Confidence', 'Basis', 'Model verdict'],
        [[d.verdict, `${d.severityScore}/10`, d.confidence.toFixed(2), d.basis, d.aiVerdict ?? '—']],
      ),
    );
    if (d.blockers.length > 0)
      out.push(
        '',
        '### Blockers (force NO_GO)',
        '',
        ...d.blockers.map((b) => `- \`${b.code}\`${b.resource ? ` ${b.resource}:` : ''} ${b.message}`),
      );
    if (d.suppressedBlockers && d.suppressedBlockers.length > 0)
      out.push(
        '',
        '### Suppressed blockers (waved through by .eks-upgrade.yaml; they would force NO_GO)',
        '',
        ...d.suppressedBlockers.map(
          (b) =>
            `- \`${b.code}\`${b.resource ? ` ${b.resource}:` : ''} ${b.message} — by ${b.suppressedBy.rule} until ${b.suppressedBy.expires ?? '?'}: ${b.suppressedBy.reason}`,
        ),
      );
    if (d.cautions.length > 0)
      out.push(
        '',
        '### Cautions',
        '',
        ...d.cautions.map((c) => `- \`${c.code}\`${c.resource ? ` ${c.resource}:` : ''} ${c.message}`),
      );
    const reasons = explanatoryReasons(d);
    if (reasons.length > 0) out.push('', '### Reasons', '', ...reasons.map((r) => `- ${r}`));
  } else out.push('No decision was reached.');

  out.push('', '## AI analysis', '');
  if (report.analyses.length === 0) out.push('No analysis ran.');
  for (const a of report.analyses) {
    out.push(
      `### ${a.template}`,
      '',
      `${a.summary}`,
      '',
      `Severity ${a.severityScore}/10, confidence ${a.confidence}${a.verdict ? `, verdict ${a.verdict}` : ''}; model \`${a.modelId}\`, prompt ${a.promptVersion}, ${a.usage.inputTokens}+${a.usage.outputTokens} tokens, ${formatUsd(a.costUsd)}.`,
    );
    if (a.cache?.hit)
      out.push(
        '',
        `From the shared analysis cache: produced by \`${a.cache.producedBy}\` at ${a.cache.producedAt} ($${a.cache.originalCostUsd.toFixed(4)}, paid once; \`${a.cache.workflowId}\`).`,
      );
    if (a.breakingChanges.length > 0) out.push('', 'Breaking changes:', ...a.breakingChanges.map((c) => `- ${c}`));
    if (a.findings.length > 0)
      out.push(
        '',
        ...table(
          ['Severity', 'Finding', 'Detail'],
          a.findings.map((f) => [f.severity, f.title, f.detail]),
        ),
      );
    if (a.recommendations.length > 0) out.push('', 'Recommendations:', ...a.recommendations.map((r) => `- ${r}`));
    out.push('');
  }
  if (s.skippedAnalyses.length > 0) {
    out.push(
      '### Skipped analyses',
      '',
      ...table(
        ['Analysis', 'Why', 'Type'],
        s.skippedAnalyses.map((a) => [a.template, a.reason, a.errorType]),
      ),
    );
  }

  out.push('', '## Evidence', '');
  const scan = report.apiScan;
  if (scan) {
    const total = scan.findings.length + (scan.findingsOmitted ?? 0);
    out.push(`### Deprecated and removed APIs (${total} found in ${scan.objectsScanned} objects)`, '');
    if ((scan.findingsOmitted ?? 0) > 0)
      out.push(
        `${scan.findings.length} listed here; all ${total} are in ${scan.fullReport ? `\`${scan.fullReport}\`` : 'the full scan report (it could not be written: see the worker log)'}.`,
        '',
      );
    if (scan.findings.length > 0) {
      out.push(
        ...table(
          ['Object', 'API version', 'Removed in', 'Replacement', 'Where', 'Confidence', 'Blocks target'],
          scan.findings.map((f) => [
            `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name}`,
            f.apiVersion,
            f.removedIn,
            f.replacement ?? '—',
            f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : (f.location ?? f.source),
            f.confidence,
            f.suppressed
              ? `suppressed (${f.suppressed.reason}${f.suppressed.expires ? `, until ${f.suppressed.expires}` : ''})`
              : f.removedByTarget
                ? 'yes'
                : 'no',
          ]),
        ),
      );
    }
    for (const e of scan.errors) out.push(`- Not scanned: ${e.file}${e.line ? `:${e.line}` : ''} — ${e.message}`);
    for (const k of scan.sourcesSkipped ?? []) out.push(`- Not scanned: ${k.source} — ${k.reason}`);
    for (const w of scan.suppressionWarnings ?? []) out.push(`- Warning: ${w}`);
    if ((scan.errorsOmitted ?? 0) > 0) out.push(`- … and ${scan.errorsOmitted} more not scanned`);
  }
  const readiness = report.readiness;
  if (readiness) {
    out.push('', `### Readiness (${readiness.checksRun.length} checks run)`, '');
    if (readiness.findings.length === 0) out.push('Every check that ran passed.');
    else
      out.push(
        ...table(
          ['Code', 'Level', 'Check', 'Resource', 'What to do'],
          readiness.findings.map((f) => [
            f.code,
            f.suppressed ? `${f.level}, suppressed (${f.suppressed.reason})` : f.level,
            f.title,
            f.resource ?? '—',
            f.message,
          ]),
        ),
      );
    if ((readiness.findingsOmitted ?? 0) > 0)
      out.push(
        '',
        `${readiness.findingsOmitted} more findings of the same codes are not listed here${readiness.fullReport ? `; all are in \`${readiness.fullReport}\`` : ''}.`,
      );
    for (const c of readiness.checksSkipped ?? []) out.push(`- Skipped ${c.code}: ${c.reason}`);
    for (const c of readiness.checksPartial ?? []) out.push(`- Partial ${c.code}: ${c.reason}`);
    for (const w of readiness.suppressionWarnings ?? []) out.push(`- Warning: ${w}`);
  }
  const notes = report.releaseNotes;
  if (notes) {
    out.push(
      '',
      `### Release notes ${notes.targetVersion} (${notes.entries.length} upgrade-relevant entries from ${notes.source})`,
      '',
    );
    if (notes.problem) out.push(`**Not read:** ${notes.problem}`, '');
    for (const e of notes.entries.slice(0, 30))
      out.push(`- **${e.category}** (${e.section}): ${e.text.split('\n')[0] ?? ''}`);
    if (notes.entries.length > 30) out.push(`- … ${notes.entries.length - 30} more`);
  }

  out.push('', '## Execution', '', report.execution);
  if (s.execution) out.push('', ...executionMarkdown(s.execution, s.workflowId));
  const proposal = s.rollbackProposal;
  if (proposal)
    out.push(
      '',
      `Rollback proposed at ${proposal.proposedAt} for the request of ${proposal.requestedAt} (${proposal.reason}): ${proposal.state}${proposal.confirmedBy ? ` by ${proposal.confirmedBy} at ${proposal.confirmedAt ?? '?'}` : ''}.`,
    );
  if (s.rollbackExecution) out.push('', '## Rollback', '', ...executionMarkdown(s.rollbackExecution, s.workflowId));
  if (s.rollbacks.length > 0) {
    out.push('', '## Rollback requests', '');
    for (const r of s.rollbacks) {
      out.push(
        `### ${r.requestedAt}: ${r.verdict} (${r.basis})`,
        '',
        `Reason given: ${r.reason}`,
        '',
        ...r.reasons.map((x) => `- ${x}`),
        '',
        `Action: ${r.action}`,
        '',
      );
    }
  }
  if (s.notes.length > 0) out.push('', '## Notes', '', ...s.notes.map((n) => `- ${n}`));
  // The playbooks last: long, and read after the outcome.
  if (report.plan) out.push('', demote(renderPlanMarkdown(report.plan)));
  else if (report.planError) out.push('', '## Upgrade plan', '', `No plan: ${report.planError}`);
  if (report.rollbackPlan) out.push('', demote(renderPlanMarkdown(report.rollbackPlan)));
  return `${out.join('\n')}\n`;
}

/** A playbook's headings one level down, so it sits under the report's title. */
function demote(markdown: string): string {
  let fenced = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (line.startsWith('```')) fenced = !fenced;
      return !fenced && /^#+ /.test(line) ? `#${line}` : line;
    })
    .join('\n')
    .trimEnd();
}

/** The full report as JSON (stable field names: the UpgradeReport type), for `--format json`. */
export function renderReportJson(report: UpgradeReport): string {
  return `${JSON.stringify({ schemaVersion: 1, ...report }, null, 2)}\n`;
}
