// `status`, `approve`, `abort`, `rollback`, `report`: reading and steering one running upgrade.
import { existsSync, readFileSync } from 'node:fs';
import type { WorkflowHandle } from '@temporalio/client';
import {
  abortSignal,
  approveSignal,
  reportQuery,
  requestRollbackSignal,
  type UpgradeReport,
  type UpgradeStatus,
} from '../../workflows/upgrade-messages';
import { workflowUiLink } from '../connection';
import type { CommandContext } from '../context';
import { emit, toJson } from '../output';
import { printStatus } from './start';
import {
  describeUpgrade,
  NoWorkerError,
  queryStatus,
  queryWithDeadline,
  resolveWorkflowId,
  type UpgradeRef,
} from '../upgrade-handle';
import { EXIT_FAILURE, EXIT_OK, formatDuration, parseDuration, parseFormat, UsageError } from '../usage';
import { renderReportJson, renderReportMarkdown } from '../../domain/report';
import { renderJUnit, renderSarif, toolVersion } from '../formats/ci-formats';
import { redactSecrets } from '../../domain/secrets';

interface FormatFlag {
  format?: string;
}

export async function runStatus(flags: UpgradeRef & FormatFlag, ctx: CommandContext): Promise<number> {
  const format = parseFormat(flags.format);
  const workflowId = resolveWorkflowId(flags);
  const { client, connection, namespace } = await ctx.connect();
  // Still useful without a worker (what the server and the search attributes know), but then a failure.
  if (!(await printStatus(client, connection, workflowId, format, ctx))) return EXIT_FAILURE;
  ctx.out.info(`Web UI: ${workflowUiLink(ctx.uiUrl, namespace, workflowId)}`);
  return EXIT_OK;
}

const PHASE_SETTLE_MS = 5000;

/** Sends a signal after checking the upgrade exists and is running (a signal to a closed run would fail opaquely). */
async function signalRunning(
  ctx: CommandContext,
  workflowId: string,
  send: (handle: WorkflowHandle) => Promise<void>,
  expect?: { phase: string; hint: string },
): Promise<void> {
  const { client } = await ctx.connect();
  const handle = client.workflow.getHandle(workflowId);
  let view = await describeUpgrade(handle);
  // The workflow would only note and ignore a signal sent in the wrong phase; say so here instead. A few seconds'
  // grace covers a phase change in flight (e.g. `approve` then `rollback` at once: the soak opens a moment later).
  for (
    let waited = 0;
    expect && view.status === 'RUNNING' && view.phase && view.phase !== expect.phase && waited < PHASE_SETTLE_MS;
    waited += 500
  ) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    view = await describeUpgrade(handle);
  }
  if (view.status !== 'RUNNING')
    throw new StateError(
      `${workflowId} is ${view.status.toLowerCase()} (phase ${view.phase ?? '?'}): nothing to signal`,
    );
  if (expect && view.phase && view.phase !== expect.phase)
    throw new StateError(`${workflowId} is in phase ${view.phase}: ${expect.hint}`);
  await send(handle);
}

export class StateError extends Error {
  override readonly name = 'StateError';
}

export async function runApprove(
  flags: UpgradeRef & { by?: string; comment?: string } & FormatFlag,
  ctx: CommandContext,
): Promise<number> {
  const format = parseFormat(flags.format, ['text', 'json']);
  const workflowId = resolveWorkflowId(flags);
  const by = flags.by ?? ctx.env.USER ?? 'cli';
  await signalRunning(
    ctx,
    workflowId,
    (h) => h.signal(approveSignal, { by, ...(flags.comment ? { comment: flags.comment } : {}) }),
    {
      phase: 'awaiting-approval',
      hint: 'approve once the decision is in and the gate is open (follow it with `eks-upgrade status` or `start --wait`)',
    },
  );
  ctx.out.result(
    format === 'json' ? toJson({ workflowId, signal: 'approve', by }) : `approval sent to ${workflowId} (by ${by})`,
  );
  return EXIT_OK;
}

export async function runAbort(
  flags: UpgradeRef & { reason?: string; by?: string } & FormatFlag,
  ctx: CommandContext,
): Promise<number> {
  const format = parseFormat(flags.format, ['text', 'json']);
  if (!flags.reason?.trim())
    throw new UsageError('required: why the upgrade is aborted, e.g. --reason "change freeze"', '--reason');
  const workflowId = resolveWorkflowId(flags);
  const by = flags.by ?? ctx.env.USER ?? 'cli';
  const reason = redactOperatorText(flags.reason.trim(), '--reason', ctx);
  await signalRunning(ctx, workflowId, (h) => h.signal(abortSignal, { reason, by }));
  ctx.out.result(
    format === 'json' ? toJson({ workflowId, signal: 'abort', reason, by }) : `abort sent to ${workflowId}: ${reason}`,
  );
  return EXIT_OK;
}

/**
 * Operator text travels as signal arguments into workflow history, which must hold no secrets: a credential
 * pasted into --reason or an alert payload is replaced by a marker before anything is sent.
 */
export function redactOperatorText(text: string, flag: string, ctx: CommandContext): string {
  const { text: clean, total } = redactSecrets(text);
  if (total > 0)
    ctx.out.info(`${flag}: ${total} secret(s) replaced by markers before sending; workflow history keeps no secrets.`);
  return clean;
}

/** `--evidence` is text, or `@file` to read it from a file (log excerpt, alert payload). */
export function readEvidence(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!value.startsWith('@')) return value;
  const path = value.slice(1);
  if (!existsSync(path))
    throw new UsageError(`${path} does not exist (use --evidence TEXT or --evidence @FILE)`, '--evidence');
  return readFileSync(path, 'utf8');
}

export async function runRollback(
  flags: UpgradeRef & {
    reason?: string;
    evidence?: string;
    by?: string;
    wait?: boolean;
    waitTimeout?: string;
  } & FormatFlag,
  ctx: CommandContext,
): Promise<number> {
  const format = parseFormat(flags.format);
  if (!flags.reason?.trim())
    throw new UsageError('required: what is wrong, e.g. --reason "5xx rate doubled after the upgrade"', '--reason');
  const rawEvidence = readEvidence(flags.evidence);
  const evidence = rawEvidence === undefined ? undefined : redactOperatorText(rawEvidence, '--evidence', ctx);
  const reason = redactOperatorText(flags.reason.trim(), '--reason', ctx);
  const waitMs = flags.waitTimeout !== undefined ? parseDuration(flags.waitTimeout, '--wait-timeout') : 5 * 60_000;
  const workflowId = resolveWorkflowId(flags);
  const by = flags.by ?? ctx.env.USER ?? 'cli';
  const { client, connection } = await ctx.connect();
  const before = flags.wait ? (await queryStatus(client, connection, workflowId)).rollbacks.length : 0;
  await signalRunning(
    ctx,
    workflowId,
    (h) => h.signal(requestRollbackSignal, { reason, by, ...(evidence !== undefined ? { evidence } : {}) }),
    {
      phase: 'soak',
      hint: 'rollback requests are heard during the soak window, after approval',
    },
  );
  ctx.out.info(`rollback request sent to ${workflowId}`);
  if (!flags.wait) {
    ctx.out.result(
      format === 'json'
        ? toJson({ workflowId, signal: 'requestRollback', reason })
        : `rollback request sent to ${workflowId}; see the verdict with \`eks-upgrade status\``,
    );
    return EXIT_OK;
  }
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const status: UpgradeStatus = await queryStatus(client, connection, workflowId);
    const verdict = status.rollbacks[before];
    if (verdict) {
      emit(ctx.out, format, verdict, (r, f) =>
        f === 'md'
          ? `## Rollback verdict: ${r.verdict}\n\n${r.reasons.map((x) => `- ${x}`).join('\n')}\n\n**Action:** ${r.action}`
          : `${r.verdict} (${r.basis}): ${r.reasons.join('; ')}\naction: ${r.action}`,
      );
      return EXIT_OK;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new StateError(
    `no rollback verdict from ${workflowId} after ${formatDuration(waitMs)}; was it in its soak window? check \`eks-upgrade status\``,
  );
}

export async function runReport(flags: UpgradeRef & FormatFlag, ctx: CommandContext): Promise<number> {
  // junit/sarif: the report's findings for CI; the other formats are the report itself.
  const ci = flags.format === 'junit' || flags.format === 'sarif' ? flags.format : undefined;
  const format = ci ?? parseFormat(flags.format, ['md', 'json', 'text']);
  const workflowId = resolveWorkflowId(flags);
  const { client, connection } = await ctx.connect();
  const handle = client.workflow.getHandle(workflowId);
  const view = await describeUpgrade(handle); // throws WorkflowNotFoundError for an unknown id
  let report: UpgradeReport;
  if (view.status === 'COMPLETED') {
    // The workflow's result is its final report: readable with no worker running.
    report = (await handle.result()) as UpgradeReport;
  } else {
    try {
      report = await queryWithDeadline(connection, () => handle.query(reportQuery), 10_000);
    } catch (err) {
      throw new NoWorkerError(
        `${workflowId} (${view.status.toLowerCase()}) did not answer the report query: is a worker running on task queue '${view.taskQueue}'? (${(err as Error).message})`,
      );
    }
  }
  const findings = {
    ...(report.apiScan ? { apiScan: report.apiScan } : {}),
    ...(report.readiness ? { readiness: report.readiness } : {}),
  };
  ctx.out.result(
    format === 'json'
      ? renderReportJson(report)
      : format === 'junit'
        ? renderJUnit({ name: workflowId, ...findings })
        : format === 'sarif'
          ? renderSarif({ toolVersion: toolVersion(), ...findings })
          : renderReportMarkdown(report),
  );
  return EXIT_OK;
}
