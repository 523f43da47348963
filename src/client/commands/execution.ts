// `retry`, `skip`, `pause`, `resume` and `rollback --confirm`: the operator's decisions on an upgrade running in
// execute mode. Each is a Temporal Update: the workflow's validator refuses a decision that fits nothing waiting (a
// retry when nothing failed, a skip of the control plane, a force without a reason), with its reason, before
// anything is recorded; an accepted one is in history with who and why.
import {
  confirmRollbackUpdate,
  pauseUpdate,
  resumeUpdate,
  retryUpdate,
  skipUpdate,
} from '../../workflows/upgrade-messages';
import type { CommandContext } from '../context';
import { toJson } from '../output';
import { resolveWorkflowId, type UpgradeRef } from '../upgrade-handle';
import { EXIT_OK, parseFormat, UsageError } from '../usage';
import { redactOperatorText, sendUpdate } from './control';

interface DecisionFlags extends UpgradeRef {
  by?: string;
  step?: string;
  reason?: string;
  format?: string;
}

function who(flags: DecisionFlags, ctx: CommandContext): string {
  return flags.by ?? ctx.env.USER ?? 'cli';
}

function reasonOf(flags: DecisionFlags, ctx: CommandContext): string | undefined {
  return flags.reason?.trim() ? redactOperatorText(flags.reason.trim(), '--reason', ctx) : undefined;
}

function print(ctx: CommandContext, format: string, json: Record<string, unknown>, text: string): number {
  ctx.out.result(format === 'json' ? toJson(json) : text);
  return EXIT_OK;
}

export async function runRetry(flags: DecisionFlags & { force?: boolean }, ctx: CommandContext): Promise<number> {
  const format = parseFormat(flags.format, ['text', 'json']);
  const workflowId = resolveWorkflowId(flags);
  const reason = reasonOf(flags, ctx);
  if (flags.force && !reason)
    throw new UsageError('--force needs --reason TEXT: who forced the step and why is recorded in history', '--reason');
  const by = who(flags, ctx);
  const request = {
    by,
    ...(flags.step ? { stepId: flags.step } : {}),
    ...(flags.force ? { force: true } : {}),
    ...(reason ? { reason } : {}),
  };
  const result = await sendUpdate(ctx, workflowId, 'retry', (h) => h.executeUpdate(retryUpdate, { args: [request] }));
  return print(
    ctx,
    format,
    { workflowId, update: 'retry', ...request, ...result },
    `retrying ${result.waitId} in ${workflowId}${result.round !== undefined ? ` (round ${result.round})` : ''}${result.force ? ', forced' : ''} (by ${by})`,
  );
}

export async function runSkip(flags: DecisionFlags, ctx: CommandContext): Promise<number> {
  const format = parseFormat(flags.format, ['text', 'json']);
  const workflowId = resolveWorkflowId(flags);
  const reason = reasonOf(flags, ctx);
  if (!reason) throw new UsageError('required: why the step is skipped, e.g. --reason "done by hand"', '--reason');
  const by = who(flags, ctx);
  const request = { by, reason, ...(flags.step ? { stepId: flags.step } : {}) };
  const result = await sendUpdate(ctx, workflowId, 'skip', (h) => h.executeUpdate(skipUpdate, { args: [request] }));
  return print(
    ctx,
    format,
    { workflowId, update: 'skip', ...request, ...result },
    `${result.what} in ${workflowId} (by ${by})`,
  );
}

export async function runPause(flags: DecisionFlags, ctx: CommandContext): Promise<number> {
  const format = parseFormat(flags.format, ['text', 'json']);
  const workflowId = resolveWorkflowId(flags);
  const reason = reasonOf(flags, ctx);
  const by = who(flags, ctx);
  const request = { by, ...(reason ? { reason } : {}) };
  const result = await sendUpdate(ctx, workflowId, 'pause', (h) => h.executeUpdate(pauseUpdate, { args: [request] }));
  return print(ctx, format, { workflowId, update: 'pause', ...request, ...result }, `${workflowId}: ${result.message}`);
}

export async function runResume(flags: DecisionFlags & { comment?: string }, ctx: CommandContext): Promise<number> {
  const format = parseFormat(flags.format, ['text', 'json']);
  const workflowId = resolveWorkflowId(flags);
  const comment = flags.comment?.trim() ? redactOperatorText(flags.comment.trim(), '--comment', ctx) : undefined;
  const by = who(flags, ctx);
  const request = { by, ...(comment ? { comment } : {}) };
  const result = await sendUpdate(ctx, workflowId, 'resume', (h) => h.executeUpdate(resumeUpdate, { args: [request] }));
  return print(
    ctx,
    format,
    { workflowId, update: 'resume', ...request, ...result },
    `resumed ${workflowId}: ${result.resumed.join(', ') || 'nothing was waiting'}`,
  );
}

/** `rollback --confirm`: runs the proposed rollback plan, or stops an executing upgrade to roll it back. */
export async function runConfirmRollback(flags: DecisionFlags, ctx: CommandContext): Promise<number> {
  const format = parseFormat(flags.format, ['text', 'json', 'md']);
  const workflowId = resolveWorkflowId(flags);
  const reason = reasonOf(flags, ctx);
  const by = who(flags, ctx);
  const request = { by, ...(reason ? { reason } : {}) };
  const result = await sendUpdate(ctx, workflowId, 'confirm the rollback', (h) =>
    h.executeUpdate(confirmRollbackUpdate, { args: [request] }),
  );
  return print(
    ctx,
    format,
    { workflowId, update: 'confirmRollback', ...request, ...result },
    `${workflowId}: ${result.message} (confirmed by ${by}); follow it with \`eks-upgrade status --workflow-id ${workflowId}\``,
  );
}
