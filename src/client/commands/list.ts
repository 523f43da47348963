// `eks-upgrade list`: upgrades found through the visibility store and our typed search attributes (what the Web
// UI's filter box does, from a terminal).
import { EKS_CLUSTER, EKS_TARGET_VERSION, UPGRADE_DECISION, UPGRADE_PHASE } from '../../workflows/search-attributes';
import { failureCause, failureTitle } from '../../domain/failure';
import { markdownTable } from '../../domain/format';
import { isUpgradePhase, UPGRADE_PHASES, type UpgradeFailure } from '../../domain/upgrade-report';
import type { CommandContext } from '../context';
import { emit } from '../output';
import { closeFailure, endedBadly } from '../upgrade-reading';
import { EXIT_FAILURE, EXIT_OK, parseFormat, UsageError } from '../usage';
import { UPGRADE_WORKFLOW_TYPE } from './start';

export interface ListFlags {
  cluster?: string;
  target?: string;
  phase?: string;
  decision?: string;
  running?: boolean;
  limit?: string;
  format?: string;
}

export interface UpgradeListEntry {
  workflowId: string;
  status: string;
  cluster?: string;
  targetVersion?: string;
  phase?: string;
  decision?: string;
  startTime: string;
  closeTime?: string;
  /** For a run that failed, was terminated, timed out or was cancelled: how, where, and the innermost cause. */
  failure?: UpgradeFailure;
}

/** How many failed upgrades of one list get their cause read from history. */
const MAX_CAUSES_READ = 100;

/** Longest cause shown in the table (the JSON has it whole). */
const CAUSE_WIDTH = 120;

/** Values go into a visibility query string: allow only what cluster names, versions and enums can contain. */
function literal(value: string, flag: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(value))
    throw new UsageError(`'${value}' may contain only letters, digits, '.', '-' and '_'`, flag);
  return `'${value}'`;
}

export function buildListQuery(flags: ListFlags): string {
  const clauses = [`WorkflowType = '${UPGRADE_WORKFLOW_TYPE}'`];
  if (flags.cluster) clauses.push(`${EKS_CLUSTER.name} = ${literal(flags.cluster, '--cluster')}`);
  if (flags.target) clauses.push(`${EKS_TARGET_VERSION.name} = ${literal(flags.target, '--target')}`);
  if (flags.phase) {
    if (!isUpgradePhase(flags.phase))
      throw new UsageError(`'${flags.phase}' is not a phase; use one of ${UPGRADE_PHASES.join(', ')}`, '--phase');
    clauses.push(`${UPGRADE_PHASE.name} = '${flags.phase}'`);
  }
  if (flags.decision) {
    const decision = flags.decision.toUpperCase();
    if (!['GO', 'GO_WITH_CAUTION', 'NO_GO'].includes(decision))
      throw new UsageError(`'${flags.decision}' is not a decision; use GO, GO_WITH_CAUTION or NO_GO`, '--decision');
    clauses.push(`${UPGRADE_DECISION.name} = '${decision}'`);
  }
  if (flags.running) clauses.push(`ExecutionStatus = 'Running'`);
  return clauses.join(' AND ');
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return 50;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw new UsageError(`'${value}' is not a count from 1 to 10000`, '--limit');
  return n;
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length <= CAUSE_WIDTH ? line : `${line.slice(0, CAUSE_WIDTH - 1)}…`;
}

function renderList(entries: UpgradeListEntry[], format: 'text' | 'md'): string {
  if (entries.length === 0) return 'no upgrades found';
  const withCause = entries.some((e) => e.failure);
  const header = ['WORKFLOW ID', 'STATUS', 'PHASE', 'DECISION', 'STARTED', ...(withCause ? ['CAUSE'] : [])];
  const rows = entries.map((e) => [
    e.workflowId,
    e.status,
    e.phase ?? '-',
    e.decision ?? '-',
    e.startTime.replace('T', ' ').slice(0, 19),
    ...(withCause ? [e.failure ? clip(failureCause(e.failure)) : '-'] : []),
  ]);
  if (format === 'md') return markdownTable(header, rows).join('\n');
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export async function runList(flags: ListFlags, ctx: CommandContext): Promise<number> {
  const format = parseFormat(flags.format);
  const query = buildListQuery(flags);
  const limit = parseLimit(flags.limit);
  const { client } = await ctx.connect();
  const entries: UpgradeListEntry[] = [];
  // One history read per failed upgrade, for its cause: bounded, so a long list of failures stays quick.
  let causesRead = 0;
  const causeOf = async (
    wf: { workflowId: string; runId: string; status: { name: string } },
    phase: string | undefined,
  ): Promise<UpgradeFailure> => {
    const view = { workflowId: wf.workflowId, runId: wf.runId, status: wf.status.name, ...(phase ? { phase } : {}) };
    if (++causesRead <= MAX_CAUSES_READ) return closeFailure(client, view);
    const message = `cause not read (more than ${MAX_CAUSES_READ} in this list): see \`eks-upgrade status --workflow-id ${wf.workflowId}\``;
    return { kind: 'failed', type: wf.status.name, message, chain: [], ...(isUpgradePhase(phase) ? { phase } : {}) };
  };
  for await (const wf of client.workflow.list({ query, pageSize: Math.min(limit, 1000) })) {
    const sa = wf.typedSearchAttributes;
    const [cluster, targetVersion, phase, decision] = [
      sa.get(EKS_CLUSTER),
      sa.get(EKS_TARGET_VERSION),
      sa.get(UPGRADE_PHASE),
      sa.get(UPGRADE_DECISION),
    ];
    entries.push({
      workflowId: wf.workflowId,
      status: wf.status.name,
      ...(cluster ? { cluster } : {}),
      ...(targetVersion ? { targetVersion } : {}),
      ...(phase ? { phase } : {}),
      ...(decision ? { decision } : {}),
      startTime: wf.startTime.toISOString(),
      ...(wf.closeTime ? { closeTime: wf.closeTime.toISOString() } : {}),
      ...(endedBadly(wf.status.name) ? { failure: await causeOf(wf, phase) } : {}),
    });
    if (entries.length >= limit) break;
  }
  emit(ctx.out, format, entries, renderList);
  // Like `status`, a failed upgrade makes the answer a failure: the list is also a health check.
  const failed = entries.filter((e) => e.failure);
  if (failed.length === 0) return EXIT_OK;
  ctx.out.info(`${failed.length} of ${entries.length} upgrade(s) did not complete:`);
  for (const e of failed.slice(0, 20))
    if (e.failure) ctx.out.info(`  ${e.workflowId}: ${failureTitle(e.failure)}: ${clip(failureCause(e.failure))}`);
  return EXIT_FAILURE;
}
