// Where command output goes: results on stdout (JSON alone when --format json), progress and logs on stderr.
import type { UpgradeStatus } from '../workflows/upgrade-messages';
import { formatUsd } from '../domain/format';
import type { OutputFormat } from './usage';

export interface Output {
  /** A command's result (stdout). */
  result(text: string): void;
  /** Progress, hints and warnings (stderr). */
  info(text: string): void;
}

export const processOutput: Output = {
  result: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  info: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** Prints a value as JSON, or through the text/markdown renderer. */
export function emit<T>(
  out: Output,
  format: OutputFormat,
  value: T,
  render: (value: T, format: 'text' | 'md') => string,
): void {
  out.result(format === 'json' ? toJson(value) : render(value, format));
}

/** One line a person scanning a terminal (or the Web UI) reads: "prod-east 1.30→1.31: NO_GO (2 blockers)". */
export function statusHeadline(status: UpgradeStatus): string {
  if (status.headline) return status.headline;
  const versions = `${status.currentVersion ?? '?'}→${status.targetVersion}`;
  const outcome = status.decision
    ? `${status.decision.verdict}${status.decision.blockers.length > 0 ? ` (${status.decision.blockers.length} blocker${status.decision.blockers.length === 1 ? '' : 's'})` : ''}`
    : status.phase;
  return `${status.clusterName} ${versions}: ${outcome}`;
}

export function renderStatus(status: UpgradeStatus, format: 'text' | 'md'): string {
  const md = format === 'md';
  const lines: string[] = [];
  const h = (text: string) => (md ? `## ${text}` : text);
  const item = (text: string) => (md ? `- ${text}` : `  ${text}`);
  lines.push(h(statusHeadline(status)));
  if (md) lines.push('');
  lines.push(item(`workflow: ${status.workflowId}`));
  lines.push(item(`phase: ${status.phase} (${status.progress.done}/${status.progress.total})`));
  lines.push(item(`approval: ${status.approval}`));
  lines.push(item(`findings: ${status.findingsCount}   Bedrock cost: ${formatUsd(status.costUsd)}`));
  const d = status.decision;
  if (d) {
    lines.push(
      item(
        `decision: ${d.verdict}  severity ${d.severityScore}/10  confidence ${d.confidence}  basis ${d.basis}${d.aiVerdict ? `  (AI said ${d.aiVerdict})` : ''}`,
      ),
    );
    for (const b of d.blockers) lines.push(item(`  blocker ${b.code}: ${b.message}`));
    for (const r of d.reasons) lines.push(item(`  reason: ${r}`));
  }
  for (const s of status.skippedAnalyses) lines.push(item(`skipped ${s.template}: ${s.reason} (${s.errorType})`));
  if (status.approvedBy) lines.push(item(`approved by: ${status.approvedBy}`));
  if (status.abortReason) lines.push(item(`aborted: ${status.abortReason}`));
  if (status.soakEndsAt) lines.push(item(`soak window until: ${status.soakEndsAt}`));
  for (const n of status.notes ?? []) lines.push(item(`note: ${n}`));
  for (const r of status.rollbacks)
    lines.push(item(`rollback requested ${r.requestedAt} (${r.reason}): ${r.verdict} [${r.basis}] ${r.action}`));
  return lines.join('\n');
}
