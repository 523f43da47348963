// `status`, `approve`, `abort`, `rollback`, `report`: reading and steering one upgrade. The steering commands are
// Temporal Updates: the workflow's validator accepts or refuses each request at once, with the reason, and the
// answer (the new phase, the rollback verdict) comes back from the update itself.
import { existsSync, readFileSync } from 'node:fs';
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  WorkflowUpdateStage,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { failureChainOfError, primaryCauseIndex } from '../../domain/failure';
import { UpgradeFailureType } from '../../domain/failure-types';
import { renderReportJson, renderReportMarkdown } from '../../domain/report';
import { renderFailureReportMarkdown } from '../../domain/status-render';
import { renderJUnit, renderSarif, toolVersion } from '../formats/ci-formats';
import { redactSecrets } from '../../domain/secrets';
import { blockerCodes } from '../../domain/upgrade-requests';
import { abortUpdate, approveUpdate, requestRollbackUpdate } from '../../workflows/upgrade-messages';
import { workflowUiLink } from '../connection';
import type { CommandContext } from '../context';
import { emit, toJson } from '../output';
import { describeUpgrade, NoWorkerError, queryStatus, resolveWorkflowId, type UpgradeRef } from '../upgrade-handle';
import { failureLine, readingExitCode, readUpgrade, workflowTaskFailure } from '../upgrade-reading';
import { EXIT_OK, formatDuration, parseDuration, parseFormat, UsageError } from '../usage';
import { printReading } from './show-upgrade';

interface FormatFlag {
  format?: string;
}

export async function runStatus(flags: UpgradeRef & FormatFlag, ctx: CommandContext): Promise<number> {
  const format = parseFormat(flags.format);
  const workflowId = resolveWorkflowId(flags);
  const { client, connection, namespace } = await ctx.connect();
  const code = printReading(await readUpgrade(client, connection, workflowId), format, ctx);
  ctx.out.info(`Web UI: ${workflowUiLink(ctx.uiUrl, namespace, workflowId)}`);
  return code;
}

/** A request the upgrade refused or could not take: exit 1 with the workflow's reason. */
export class StateError extends Error {
  override readonly name = 'StateError';
}

/** How long a request waits for the workflow to accept it: a worker must be there to run the validator. */
const ACCEPT_WAIT_MS = 30_000;

function isRefusal(err: WorkflowUpdateFailedError): boolean {
  return err.cause instanceof ApplicationFailure && err.cause.type === UpgradeFailureType.RequestRejected;
}

/** The workflow's own words for a refused update (its validator's or handler's ApplicationFailure). */
function refusal(err: WorkflowUpdateFailedError): string {
  if (err.cause instanceof ApplicationFailure) return err.cause.message;
  const chain = failureChainOfError(err.cause ?? err);
  return chain[primaryCauseIndex(chain)]?.message ?? err.message;
}

/**
 * Sends one update to a running upgrade, within `waitMs`. Refusals, closed runs, failing workflow tasks and
 * missing workers each become a StateError/NoWorkerError saying which, never a bare "Workflow Update failed".
 */
export async function sendUpdate<R>(
  ctx: CommandContext,
  workflowId: string,
  what: string,
  send: (handle: WorkflowHandle) => Promise<R>,
  waitMs = ACCEPT_WAIT_MS,
): Promise<R> {
  const { client, connection } = await ctx.connect();
  const handle = client.workflow.getHandle(workflowId);
  const view = await describeUpgrade(handle);
  if (view.status !== 'RUNNING')
    throw new StateError(
      `${workflowId} is ${view.status.toLowerCase()} (phase ${view.phase ?? '?'}): nothing to ${what}`,
    );
  const failing = await workflowTaskFailure(client, view);
  if (failing) throw new StateError(`cannot ${what}: ${failureLine(workflowId, failing)}`);
  try {
    return await connection.withDeadline(Date.now() + waitMs, () => send(handle));
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError)
      throw new StateError(`${what} refused by ${workflowId}: ${refusal(err)}`);
    if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError)
      throw new NoWorkerError(
        `${workflowId} did not answer the ${what} request within ${formatDuration(waitMs)}: is a worker running on task queue '${view.taskQueue}'? ` +
          'The request may still be applied when a worker picks it up: check `eks-upgrade status`.',
      );
    if (err instanceof WorkflowNotFoundError)
      throw new StateError(`${workflowId} ended before the ${what} request reached it: see \`eks-upgrade status\``);
    throw err;
  }
}

/**
 * Operator text travels as update arguments into workflow history, which must hold no secrets: a credential
 * pasted into --reason or an alert payload is replaced by a marker before anything is sent.
 */
export function redactOperatorText(text: string, flag: string, ctx: CommandContext): string {
  const { text: clean, total } = redactSecrets(text);
  if (total > 0)
    ctx.out.info(`${flag}: ${total} secret(s) replaced by markers before sending; workflow history keeps no secrets.`);
  return clean;
}

export async function runApprove(
  flags: UpgradeRef & { by?: string; comment?: string; overrideBlockers?: boolean; reason?: string } & FormatFlag,
  ctx: CommandContext,
): Promise<number> {
  const format = parseFormat(flags.format, ['text', 'json']);
  const workflowId = resolveWorkflowId(flags);
  if (flags.overrideBlockers && !flags.reason?.trim())
    throw new UsageError('--override-blockers needs --reason TEXT: why you approve despite the blockers', '--reason');
  if (flags.reason !== undefined && !flags.overrideBlockers)
    throw new UsageError('--reason goes with --override-blockers; a note on an approval is --comment', '--reason');
  const by = flags.by ?? ctx.env.USER ?? 'cli';
  const comment = flags.comment?.trim() ? redactOperatorText(flags.comment.trim(), '--comment', ctx) : undefined;
  let override: { reason: string; blockers: string[] } | undefined;
  if (flags.overrideBlockers) {
    // The override names the blockers the operator read, so history records exactly what was accepted.
    const { client, connection } = await ctx.connect();
    const status = await queryStatus(client, connection, workflowId);
    const blockers = blockerCodes(status.decision);
    if (blockers.length === 0)
      throw new StateError(
        `${workflowId}'s decision is ${status.decision?.verdict ?? 'not in yet'}: there are no blockers to override; approve without --override-blockers`,
      );
    override = { reason: redactOperatorText(flags.reason?.trim() ?? '', '--reason', ctx), blockers };
  }
  let result;
  try {
    result = await sendUpdate(ctx, workflowId, 'approve', (h) =>
      h.executeUpdate(approveUpdate, {
        args: [{ by, ...(comment ? { comment } : {}), ...(override ? { override } : {}) }],
      }),
    );
  } catch (err) {
    if (err instanceof StateError && /decision is NO_GO/.test(err.message))
      throw new StateError(
        `${err.message}\nTo approve anyway: eks-upgrade approve --workflow-id ${workflowId} --override-blockers --reason "why"`,
      );
    throw err;
  }
  if (format === 'json') ctx.out.result(toJson({ workflowId, update: 'approve', by, ...result }));
  else
    ctx.out.result(
      `approved ${workflowId} (by ${by}); now in phase ${result.phase}` +
        (result.override
          ? `\nNO_GO overridden, accepting blocker(s) ${result.override.blockers.join(', ')}: ${result.override.reason}`
          : ''),
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
  // The workflow answers once its running work has stopped (at most a minute): wait a little longer than that.
  const result = await sendUpdate(
    ctx,
    workflowId,
    'abort',
    (h) => h.executeUpdate(abortUpdate, { args: [{ reason, by }] }),
    90_000,
  );
  if (format === 'json') ctx.out.result(toJson({ workflowId, update: 'abort', reason, by, ...result }));
  else
    ctx.out.result(
      `aborted ${workflowId} in phase ${result.abortedIn}: ${reason}` +
        (result.stopped
          ? `; it ended in phase ${result.phase}`
          : `; ${result.message ?? 'its running work was still stopping'}`),
    );
  return EXIT_OK;
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
    confirm?: boolean;
  } & FormatFlag,
  ctx: CommandContext,
): Promise<number> {
  if (flags.confirm) {
    if (flags.evidence !== undefined || flags.wait)
      throw new UsageError(
        '--confirm runs the proposed rollback: --evidence and --wait go with a rollback request',
        '--confirm',
      );
    const { runConfirmRollback } = await import('./execution.js');
    return runConfirmRollback(flags, ctx);
  }
  const format = parseFormat(flags.format);
  if (!flags.reason?.trim())
    throw new UsageError('required: what is wrong, e.g. --reason "5xx rate doubled after the upgrade"', '--reason');
  const rawEvidence = readEvidence(flags.evidence);
  const evidence = rawEvidence === undefined ? undefined : redactOperatorText(rawEvidence, '--evidence', ctx);
  const reason = redactOperatorText(flags.reason.trim(), '--reason', ctx);
  const waitMs = flags.waitTimeout !== undefined ? parseDuration(flags.waitTimeout, '--wait-timeout') : 5 * 60_000;
  const workflowId = resolveWorkflowId(flags);
  const by = flags.by ?? ctx.env.USER ?? 'cli';
  const request = { reason, by, ...(evidence !== undefined ? { evidence } : {}) };
  const update = await sendUpdate(ctx, workflowId, 'request a rollback', (h) =>
    h.startUpdate(requestRollbackUpdate, { args: [request], waitForStage: WorkflowUpdateStage.ACCEPTED }),
  );
  // startUpdate returns a refused request as an update that already has its (failed) outcome: reading the result
  // costs no call then. Without --wait, a second is enough to tell refused from accepted.
  const { connection } = await ctx.connect();
  let verdict;
  try {
    verdict = await connection.withDeadline(Date.now() + (flags.wait ? waitMs : 1_000), () => update.result());
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError)
      throw new StateError(
        isRefusal(err)
          ? `request a rollback refused by ${workflowId}: ${refusal(err)}`
          : `no rollback verdict: ${refusal(err)}`,
      );
    if (!(err instanceof WorkflowUpdateRPCTimeoutOrCancelledError)) throw err;
    if (flags.wait)
      throw new StateError(
        `no rollback verdict from ${workflowId} within ${formatDuration(waitMs)}; the request was accepted and is still being decided: check \`eks-upgrade status\``,
      );
    ctx.out.result(
      format === 'json'
        ? toJson({ workflowId, update: 'requestRollback', updateId: update.updateId, reason })
        : `rollback request accepted by ${workflowId}; see the verdict with \`eks-upgrade status\``,
    );
    return EXIT_OK;
  }
  ctx.out.info(`rollback request accepted by ${workflowId} (update ${update.updateId})`);
  emit(ctx.out, format, verdict, (r, f) =>
    f === 'md'
      ? `## Rollback verdict: ${r.verdict}\n\n${r.reasons.map((x) => `- ${x}`).join('\n')}\n\n**Action:** ${r.action}`
      : `${r.verdict} (${r.basis}): ${r.reasons.join('; ')}\naction: ${r.action}`,
  );
  return EXIT_OK;
}

export async function runReport(flags: UpgradeRef & FormatFlag, ctx: CommandContext): Promise<number> {
  // junit/sarif: the report's findings for CI; the other formats are the report itself.
  const ci = flags.format === 'junit' || flags.format === 'sarif' ? flags.format : undefined;
  const format = ci ?? parseFormat(flags.format, ['md', 'json', 'text']);
  const workflowId = resolveWorkflowId(flags);
  const { client, connection } = await ctx.connect();
  const reading = await readUpgrade(client, connection, workflowId, { report: true });
  if (reading.unanswered) throw new NoWorkerError(reading.unanswered);
  if (reading.report) {
    const report = reading.report;
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
  } else if (reading.failure) {
    // No worker could replay the run for its full report: what the server knows.
    ctx.out.result(
      format === 'json'
        ? `${toJson({ schemaVersion: 1, workflowId, executionStatus: reading.view.status, failure: reading.failure })}\n`
        : renderFailureReportMarkdown(workflowId, reading.failure),
    );
  }
  if (reading.failure) ctx.out.info(`error: ${failureLine(workflowId, reading.failure)}`);
  return readingExitCode(reading);
}
