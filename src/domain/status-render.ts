// The one-line headline the Web UI and `eks-upgrade list` show, the workflow's current details (Web UI Markdown)
// and a failure in Markdown. Pure: the workflow, the CLI and the report (./report.ts) call these.
import { executionLine, waitLines } from './execution-render';
import { failureTitle, underlyingCauses } from './failure';
import { formatUsd } from './format';
import type { UpgradeFailure, UpgradeStatus } from './upgrade-report';

const PHASE_LABEL: Record<UpgradeStatus['phase'], string> = {
  inventory: 'reading inventory',
  evidence: 'gathering evidence',
  analysis: 'AI analysis',
  decision: 'deciding',
  'awaiting-approval': 'awaiting approval',
  execution: 'execution',
  soak: 'soak window',
  rollback: 'rolling back',
  report: 'writing report',
  completed: 'completed',
  aborted: 'aborted',
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

type HeadlineFields = Pick<
  UpgradeStatus,
  'clusterName' | 'currentVersion' | 'targetVersion' | 'phase' | 'progress' | 'decision' | 'failure'
> &
  Partial<Pick<UpgradeStatus, 'override' | 'execution' | 'rollbackExecution'>>;

/** Where an execution (or its rollback) stands, for the headline: " · upgraded (simulated EKS)". */
function executionTail(s: HeadlineFields): string {
  const run = s.rollbackExecution ?? s.execution;
  if (!run) return '';
  const label = run.targetLabel ? ` (${run.targetLabel})` : '';
  if (run.waits.some((w) => w.kind === 'failed' || w.kind === 'drift')) return ` · waiting for the operator${label}`;
  const words: Record<string, string> =
    run.kind === 'rollback'
      ? { undone: 'rolled back', 'partly-undone': 'partly rolled back', aborted: 'rollback aborted' }
      : { completed: 'upgraded', aborted: 'execution aborted', 'stopped-for-rollback': 'stopped to roll back' };
  const now = run.outcome
    ? (words[run.outcome] ?? run.outcome)
    : run.kind === 'rollback'
      ? 'rolling back'
      : 'upgrading';
  return ` · ${now}${label}`;
}

/**
 * Text shown as Markdown (the Web UI's details) that came from elsewhere (file names, error messages): `$` would
 * start TeX math and `*`, backquotes, brackets or `<` would change the rendering, so they are escaped (an
 * underscore inside a word, as in NO_GO, is left alone: Markdown does not read it as emphasis).
 */
export function markdownText(text: string): string {
  return text.replace(/[\\`*$<>[\]]/g, (c) => `\\${c}`);
}

/**
 * "prod-east 1.30→1.31: NO_GO (2 blockers)" once decided; "prod-east 1.30→1.31: AI analysis (2/8)" before;
 * "prod-east 1.30→1.31: FAILED in phase inventory" when it failed.
 */
export function upgradeHeadline(s: HeadlineFields): string {
  const path = `${s.clusterName} ${s.currentVersion ?? '?'}→${s.targetVersion}`;
  if (s.failure) return `${path}: ${failureTitle({ ...s.failure, phase: s.failure.phase ?? s.phase })}`;
  const d = s.decision;
  if (!d) return `${path}: ${PHASE_LABEL[s.phase]} (${s.progress.done}/${s.progress.total})`;
  const detail =
    d.blockers.length > 0
      ? plural(d.blockers.length, 'blocker')
      : d.cautions.length > 0
        ? plural(d.cautions.length, 'caution')
        : `severity ${d.severityScore}/10`;
  return `${path}: ${d.verdict} (${detail})${s.override ? ', overridden' : ''}${executionTail(s)}`;
}

/** The workflow's current details for the Web UI: headline, where it stands, what blocks it. Kept short. */
export function currentDetailsMarkdown(s: UpgradeStatus): string {
  const lines = [`**${markdownText(s.headline)}**`, ''];
  if (s.failure) lines.push(...failureMarkdown(s.failure), '');
  const facts = [
    `phase \`${s.phase}\``,
    `approval ${s.approval}`,
    `Bedrock cost ${markdownText(formatUsd(s.costUsd))}`,
  ];
  if (s.decision) facts.push(`basis ${s.decision.basis}`);
  if (s.soakEndsAt && s.phase === 'soak') facts.push(`soak until ${s.soakEndsAt}`);
  lines.push(facts.join(' · '));
  const d = s.decision;
  if (d && d.blockers.length > 0) {
    // A blank line before the list: the Web UI's markdown renderer does not let a list interrupt a paragraph.
    lines.push('', 'Blockers:', '');
    for (const b of d.blockers.slice(0, 10)) lines.push(`- \`${b.code}\` ${markdownText(b.message)}`);
    if (d.blockers.length > 10) lines.push(`- … ${d.blockers.length - 10} more (see the report)`);
  }
  if (s.skippedAnalyses.length > 0) {
    lines.push('', `AI analysis skipped: ${s.skippedAnalyses.map((a) => `${a.template} (${a.errorType})`).join(', ')}`);
  }
  if (s.override) lines.push('', overrideLine(s.override, markdownText));
  for (const run of [s.execution, s.rollbackExecution]) {
    if (!run) continue;
    lines.push('', `**${markdownText(executionLine(run))}**`);
    for (const w of run.waits) lines.push('', '```', ...waitLines(w, s.workflowId, run.kind), '```');
  }
  const proposal = s.rollbackProposal;
  if (proposal?.state === 'awaiting-confirmation')
    lines.push(
      '',
      `**Rollback proposed** (${proposal.steps} steps${proposal.notUndoable.length > 0 ? `; not undoable: ${proposal.notUndoable.map((n) => markdownText(n.resource)).join(', ')}` : ''}): confirm with \`eks-upgrade rollback --confirm --workflow-id ${s.workflowId}\``,
    );
  for (const r of s.rollbacks)
    lines.push('', `Rollback requested (${markdownText(r.reason)}): **${r.verdict}** — ${markdownText(r.action)}`);
  if (s.abortReason) lines.push('', `Aborted: ${markdownText(s.abortReason)}`);
  return lines.join('\n');
}

export function overrideLine(
  o: NonNullable<UpgradeStatus['override']>,
  escape: (t: string) => string = (t) => t,
): string {
  return `NO_GO overridden by ${escape(o.by)} at ${o.at}, accepting blocker(s) ${o.blockers.join(', ')}: ${escape(o.reason)}`;
}

/** A failure as Markdown lines: what ended the run and where, the cause, and what lies under it. */
export function failureMarkdown(f: UpgradeFailure): string[] {
  const under = underlyingCauses(f);
  return [
    `**${failureTitle(f)}**`,
    '',
    `Cause: \`${f.type}\` ${markdownText(f.message)}`,
    ...(under.length > 0 ? ['', ...under.map((u) => `- under it: ${markdownText(u)}`)] : []),
  ];
}

/**
 * The report of a run whose state no worker could give (it failed, was terminated…): what the server knows.
 * `label` names the run, e.g. its workflow id.
 */
export function renderFailureReportMarkdown(label: string, failure: UpgradeFailure): string {
  return `${[`# EKS upgrade report: ${label}`, '', ...failureMarkdown(failure)].join('\n')}\n`;
}
