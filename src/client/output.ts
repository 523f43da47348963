// Where command output goes: results on stdout (JSON alone when --format json), progress and logs on stderr.
import { explanatoryReasons } from '../domain/decision';
import { failureCause, failureTitle, underlyingCauses } from '../domain/failure';
import { formatUsd } from '../domain/format';
import { executionLine, waitLines } from '../domain/execution-render';
import type { ExecutionProgress } from '../domain/execution';
import { upgradeHeadline } from '../domain/status-render';
import type { UpgradeFailure, UpgradeStatus } from '../workflows/upgrade-messages';
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
  // A failure the client learned from the server (termination, timeout) is newer than the workflow's headline.
  if (status.failure) return upgradeHeadline(status);
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
  if (status.failure) lines.push(...failureLines(status.failure).slice(1).map(item)); // the headline has the title
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
    for (const c of d.cautions) lines.push(item(`  caution ${c.code}: ${c.message}`));
    for (const r of explanatoryReasons(d)) lines.push(item(`  reason: ${r}`));
  }
  for (const s of status.skippedAnalyses) lines.push(item(`skipped ${s.template}: ${s.reason} (${s.errorType})`));
  if (status.approvedBy) lines.push(item(`approved by: ${status.approvedBy}`));
  const o = status.override;
  if (o) lines.push(item(`NO_GO overridden by ${o.by} (${o.blockers.join(', ')}): ${o.reason}`));
  if (status.abortReason) lines.push(item(`aborted: ${status.abortReason}`));
  if (status.soakEndsAt) lines.push(item(`soak window until: ${status.soakEndsAt}`));
  for (const n of status.notes ?? []) lines.push(item(`note: ${n}`));
  for (const r of status.rollbacks)
    lines.push(item(`rollback requested ${r.requestedAt} (${r.reason}): ${r.verdict} [${r.basis}] ${r.action}`));
  if (status.execution) lines.push(...executionLines(status.execution, status.workflowId, h, item));
  const p = status.rollbackProposal;
  if (p) {
    lines.push(
      item(
        `rollback proposed ${p.proposedAt} (${p.steps} steps): ${p.state}${p.confirmedBy ? ` by ${p.confirmedBy}` : ''}`,
      ),
    );
    for (const n of p.notUndoable) lines.push(item(`  not undoable: ${n.resource}: ${n.reason}`));
    if (p.state === 'awaiting-confirmation')
      lines.push(
        item(`  confirm: eks-upgrade rollback --confirm --workflow-id ${status.workflowId}   (abort declines it)`),
      );
  }
  if (status.rollbackExecution) lines.push(...executionLines(status.rollbackExecution, status.workflowId, h, item));
  return lines.join('\n');
}

/** An execution's lines for `status`: where it stands, each step that started, and what it waits for. */
function executionLines(
  run: ExecutionProgress,
  workflowId: string,
  h: (text: string) => string,
  item: (text: string) => string,
): string[] {
  const lines = ['', h(`${run.kind === 'rollback' ? 'Rollback' : 'Execution'}: ${executionLine(run)}`)];
  for (const step of run.steps) {
    if (step.state === 'pending' && step.attempts.length === 0) continue;
    const last = step.attempts.at(-1);
    const update = last?.updateId ? ` update ${last.updateId}` : '';
    const rounds =
      step.attempts.length > 1 ? ` (${step.attempts.length} rounds${last?.force ? ', last forced' : ''})` : '';
    lines.push(item(`${step.state.padEnd(12)} ${step.stepId}${update}${rounds}${step.note ? ` — ${step.note}` : ''}`));
  }
  for (const wait of run.waits) lines.push(...waitLines(wait, workflowId, run.kind).map(item));
  for (const n of run.notUndone ?? []) lines.push(item(`not undone: ${n.resource}: ${n.reason}`));
  return lines;
}

/** The lines that say how an upgrade failed: what and where, the cause, what lies under it, what to do. */
export function failureLines(f: UpgradeFailure): string[] {
  const lines = [failureTitle(f), `cause: ${failureCause(f)}`, ...underlyingCauses(f).map((u) => `under it: ${u}`)];
  if (f.kind === 'workflow-task-failing')
    lines.push(
      'the workers cannot run this workflow from its history (often workflow code changed without patched()): ' +
        'deploy worker code that replays it (e.g. the previous version), then it continues where it stopped',
    );
  return lines;
}

/** What the server alone says about an upgrade no worker could describe: its state and how it failed. */
export interface ServerOnlyStatus {
  workflowId: string;
  executionStatus: string;
  phase?: string;
  decision?: string;
  failure?: UpgradeFailure;
}

export function renderServerOnlyStatus(s: ServerOnlyStatus, format: 'text' | 'md'): string {
  const md = format === 'md';
  const head = `${s.workflowId}: ${s.executionStatus}, phase ${s.phase ?? '?'}, decision ${s.decision ?? '-'}`;
  const lines = [md ? `## ${head}` : head, ...(md ? [''] : [])];
  for (const line of s.failure ? failureLines(s.failure) : []) lines.push(md ? `- ${line}` : `  ${line}`);
  return lines.join('\n');
}
