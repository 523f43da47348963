// The operator's requests to an executing upgrade or rollback — retry, skip, pause, resume, confirmRollback — and
// the rules that accept or refuse them (beyond the phase table in upgrade-requests.ts). The workflow's validators
// call these with its current state, so a request that fits nothing waiting is refused at once, with the reason.
import { z } from 'zod';
import type { ExecutionWait, WaitKind } from './execution';
import { refusePhase, type RequestView } from './upgrade-requests';
import type { UpgradePhase } from './upgrade-report';

const text = (max: number) => z.string().trim().min(1).max(max);
const by = text(200).optional();
/** The wait to answer: a step id, `preflight:<stage>`, `stage:<stage>`; needed only when several wait at once. */
const stepId = text(300).optional();

export const RetryRequestSchema = z.strictObject({
  by,
  stepId,
  /** EKS force: evict pods past their PDBs, skip readiness insights, overwrite add-on fields. Needs a reason. */
  force: z.boolean().optional(),
  reason: text(2000).optional(),
});
export type RetryRequest = z.input<typeof RetryRequestSchema>;

export const SkipRequestSchema = z.strictObject({ by, stepId, reason: text(2000) });
export type SkipRequest = z.input<typeof SkipRequestSchema>;

export const PauseRequestSchema = z.strictObject({ by, reason: text(2000).optional() });
export type PauseRequest = z.input<typeof PauseRequestSchema>;

export const ResumeRequestSchema = z.strictObject({ by, comment: text(2000).optional() });
export type ResumeRequest = z.input<typeof ResumeRequestSchema>;

export const ConfirmRollbackRequestSchema = z.strictObject({ by, reason: text(2000).optional() });
export type ConfirmRollbackRequest = z.input<typeof ConfirmRollbackRequestSchema>;

export interface RetryResult {
  /** The wait answered: the step id, or `preflight:<stage>` for drift. */
  waitId: string;
  /** The operator round the step runs as now (its EKS token changes with it). */
  round?: number;
  force: boolean;
}

export interface SkipResult {
  waitId: string;
  what: string;
}

export interface PauseResult {
  /** Steps whose EKS updates run on: EKS cannot pause them; the run stops before its next step. */
  running: string[];
  message: string;
}

export interface ResumeResult {
  /** What was waiting: `pause`, `stage:<stage>` or a manual step id. */
  resumed: string[];
}

export interface ConfirmRollbackResult {
  phase: UpgradePhase;
  message: string;
}

function schemaProblem(result: { success: boolean; error?: z.ZodError }): string | undefined {
  if (result.success || !result.error) return undefined;
  return result.error.issues.map((i) => `${i.path.map(String).join('.') || '(request)'}: ${i.message}`).join('; ');
}

function executing(view: RequestView, name: 'retry' | 'skip' | 'pause' | 'resume'): string | undefined {
  const phase = refusePhase(name, view);
  if (phase) return phase;
  if (view.mode !== 'execute')
    return `the upgrade runs in analyze mode: it executes nothing, so there is nothing to ${name}`;
  if (!view.execution) return `no plan is executing yet: nothing to ${name}`;
  return undefined;
}

/** The wait a request answers: the one it names, or the only one of the kinds it can answer. */
export function targetWait(
  waits: readonly ExecutionWait[],
  kinds: readonly WaitKind[],
  id: string | undefined,
): { wait: ExecutionWait } | { refusal: string } {
  const candidates = waits.filter((w) => kinds.includes(w.kind));
  if (id !== undefined) {
    const named = candidates.find((w) => w.id === id);
    if (named) return { wait: named };
    const known = waits.map((w) => w.id);
    return {
      refusal: `nothing that this request can answer waits as '${id}'${known.length > 0 ? ` (waiting: ${known.join(', ')})` : ' (nothing waits)'}`,
    };
  }
  const [only, ...more] = candidates;
  if (!only)
    return { refusal: `nothing waits for this decision (waiting: ${waits.map((w) => w.id).join(', ') || 'nothing'})` };
  if (more.length > 0)
    return {
      refusal: `${candidates.length} steps wait for a decision (${candidates.map((w) => w.id).join(', ')}): name one with --step`,
    };
  return { wait: only };
}

const RETRYABLE: readonly WaitKind[] = ['failed', 'drift'];
const SKIPPABLE: readonly WaitKind[] = ['failed', 'drift', 'manual'];

export function refuseRetry(view: RequestView, request: unknown): string | undefined {
  const parsed = RetryRequestSchema.safeParse(request);
  const malformed = schemaProblem(parsed);
  if (malformed) return `malformed retry request: ${malformed}`;
  const state = executing(view, 'retry');
  if (state) return state;
  const target = targetWait(view.execution?.waits ?? [], RETRYABLE, parsed.data?.stepId);
  if ('refusal' in target) return `nothing to retry: ${target.refusal}`;
  if (parsed.data?.force && !parsed.data.reason)
    return 'retry --force needs a reason (--reason TEXT): who forced it and why is recorded in history and the report';
  const wait = target.wait;
  if (parsed.data?.force && (wait.kind === 'drift' || (wait.kind === 'failed' && wait.stepKind === 'preflight')))
    return 'force applies to a failed EKS update; for drift, retry checks the cluster again (or skip goes on despite it)';
  return undefined;
}

export function refuseSkip(view: RequestView, request: unknown): string | undefined {
  const parsed = SkipRequestSchema.safeParse(request);
  const malformed = schemaProblem(parsed);
  if (malformed) return `malformed skip request: ${malformed}`;
  const state = executing(view, 'skip');
  if (state) return state;
  const target = targetWait(view.execution?.waits ?? [], SKIPPABLE, parsed.data?.stepId);
  if ('refusal' in target) return `nothing to skip: ${target.refusal}`;
  const wait = target.wait;
  if (wait.kind === 'failed' && wait.stepKind === 'control-plane-version')
    return `the control plane cannot be skipped: ${view.execution?.kind === 'rollback' ? 'abort to leave it where it is' : 'node groups and add-ons depend on it'}; retry (with --force if EKS refuses for insights), ${view.execution?.kind === 'upgrade' ? 'roll back, ' : ''}or abort`;
  return undefined;
}

export function refusePause(view: RequestView, request: unknown): string | undefined {
  const malformed = schemaProblem(PauseRequestSchema.safeParse(request));
  if (malformed) return `malformed pause request: ${malformed}`;
  const state = executing(view, 'pause');
  if (state) return state;
  if (view.execution?.pauseRequested) return 'a pause is already requested: resume ends it';
  return undefined;
}

export function refuseResume(view: RequestView, request: unknown): string | undefined {
  const malformed = schemaProblem(ResumeRequestSchema.safeParse(request));
  if (malformed) return `malformed resume request: ${malformed}`;
  const state = executing(view, 'resume');
  if (state) return state;
  const waits = view.execution?.waits ?? [];
  if (view.execution?.pauseRequested || waits.some((w) => ['paused', 'between-stages', 'manual'].includes(w.kind)))
    return undefined;
  const failed = waits.find((w) => w.kind === 'failed' || w.kind === 'drift');
  if (failed) return `nothing is paused: ${failed.id} waits for a decision (retry, skip, rollback --confirm or abort)`;
  return 'nothing is paused or waiting for a manual step';
}

export function refuseConfirmRollback(view: RequestView, request: unknown): string | undefined {
  const malformed = schemaProblem(ConfirmRollbackRequestSchema.safeParse(request));
  if (malformed) return `malformed rollback confirmation: ${malformed}`;
  const phase = refusePhase('confirmRollback', view);
  if (phase) return phase;
  if (view.mode !== 'execute')
    return 'the upgrade ran in analyze mode: nothing was changed, so there is nothing to roll back (the verdict is advice)';
  if (view.phase === 'soak') {
    if (view.rollbackProposal === 'awaiting-confirmation') return undefined;
    if (view.rollbackProposal) return `the rollback is already ${view.rollbackProposal}`;
    return 'no rollback is proposed: ask for a verdict first (eks-upgrade rollback --reason TEXT); a ROLLBACK verdict proposes the rollback plan';
  }
  const execution = view.execution;
  if (!execution || execution.kind !== 'upgrade') return 'no upgrade is executing';
  if (execution.waits.length === 0)
    return `steps are running (${execution.running.join(', ') || 'none'}): pause first, or wait for the decision a failed step asks for`;
  return undefined;
}
