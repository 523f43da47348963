// The requests an operator sends a running upgrade (approve, abort, requestRollback) and the rules that accept or
// refuse them. The workflow's update validators call these with its current state, so a request in the wrong
// phase is refused at once with the reason, and the rules are plain functions with plain tests.
import { z } from 'zod';
import type { RuleBlocker, UpgradeDecision } from './decision';
import type { ExecutionWait, RollbackProposal } from './execution';
import type { ApprovalState, BlockerOverride, UpgradePhase } from './upgrade-report';

export type UpgradeRequestName =
  'approve' | 'abort' | 'requestRollback' | 'retry' | 'skip' | 'pause' | 'resume' | 'confirmRollback';

/**
 * Which requests each phase hears; a phase not listed for a request refuses it with the request's hint. The
 * execution requests (retry, skip, pause, resume, confirmRollback) have further rules of their own in
 * execution-requests.ts (execute mode, something waiting for that answer).
 */
export const REQUESTS_BY_PHASE: Record<UpgradePhase, readonly UpgradeRequestName[]> = {
  inventory: ['abort'],
  evidence: ['abort'],
  analysis: ['abort'],
  decision: ['abort'],
  'awaiting-approval': ['approve', 'abort'],
  execution: ['abort', 'retry', 'skip', 'pause', 'resume', 'confirmRollback'],
  soak: ['requestRollback', 'confirmRollback', 'abort'],
  rollback: ['abort', 'retry', 'skip', 'pause', 'resume'],
  report: [],
  completed: [],
  aborted: [],
};

/** When each request is heard, for the refusal message. */
const WHEN_HEARD: Record<UpgradeRequestName, string> = {
  approve: 'approve once the decision is in and the approval gate is open',
  abort: 'it has already finished its work',
  requestRollback: 'rollback requests are heard during the soak window, after approval',
  retry: 'retry is heard while an executing upgrade or rollback waits for a decision on a failed step or drift',
  skip: 'skip is heard while an executing upgrade or rollback waits for a decision on a step',
  pause: 'pause is heard while an upgrade or rollback executes',
  resume: 'resume is heard while an executing upgrade or rollback is paused or waits for a manual step',
  confirmRollback:
    'a rollback is confirmed after a ROLLBACK verdict in the soak window, or while an executing upgrade waits for a decision',
};

const text = (max: number) => z.string().trim().min(1).max(max);

export const ApproveRequestSchema = z.strictObject({
  by: text(200).optional(),
  comment: text(2000).optional(),
  /** Approving a NO_GO: why, and the blocker codes the operator read and accepts. */
  override: z.strictObject({ reason: text(2000), blockers: z.array(text(64)).min(1).max(200) }).optional(),
});
export type ApproveRequest = z.input<typeof ApproveRequestSchema>;

export const AbortRequestSchema = z.strictObject({ reason: text(2000), by: text(200).optional() });
export type AbortRequest = z.input<typeof AbortRequestSchema>;

/** Evidence is a log excerpt or an alert payload: bounded, since it is kept in workflow history. */
export const MAX_ROLLBACK_EVIDENCE_CHARS = 100_000;
export const RollbackRequestSchema = z.strictObject({
  reason: text(2000),
  evidence: z.string().max(MAX_ROLLBACK_EVIDENCE_CHARS).optional(),
  by: text(200).optional(),
});
export type RollbackRequest = z.input<typeof RollbackRequestSchema>;

export interface ApproveResult {
  approval: ApprovalState;
  /** Where the upgrade went on approval (execution or the soak window). */
  phase: UpgradePhase;
  override?: BlockerOverride;
}

export interface AbortResult {
  /** The phase the abort arrived in. */
  abortedIn: UpgradePhase;
  /** The phase the upgrade ended in. */
  phase: UpgradePhase;
  /** Whether the workflow had stopped its running work when the answer was sent. */
  stopped: boolean;
  /** EKS updates that run on (EKS cannot cancel them): the run stops once they end. */
  runningUpdates?: string[];
  message?: string;
}

/** What the validators know about the upgrade at the moment a request arrives. */
export interface RequestView {
  phase: UpgradePhase;
  approval: ApprovalState;
  decision?: UpgradeDecision;
  abortReason?: string;
  /** Workflow time (ms) at which the soak window closes, once it is open. */
  soakEndsAtMs?: number;
  /** Set when a ROLLBACK verdict closed the soak window. */
  soakClosedBy?: string;
  pendingRollbacks: number;
  mode?: 'analyze' | 'execute';
  /** The plan executing now (the upgrade's, or the rollback's), when one is. */
  execution?: {
    kind: 'upgrade' | 'rollback';
    waits: ExecutionWait[];
    pauseRequested: boolean;
    /** Steps whose EKS update runs now. */
    running: string[];
    /** Kind of change of each step (to refuse `skip` for the control plane). */
    stepKinds: Record<string, string>;
  };
  rollbackProposal?: RollbackProposal['state'];
}

/** At most this many rollback requests wait for a verdict at once (the server allows 10 in-flight updates). */
export const MAX_PENDING_ROLLBACKS = 5;

function schemaProblem(result: { success: boolean; error?: z.ZodError }): string | undefined {
  if (result.success || !result.error) return undefined;
  return result.error.issues.map((i) => `${i.path.map(String).join('.') || '(request)'}: ${i.message}`).join('; ');
}

/** The refusal for a request the phase does not hear, or undefined. */
export function refusePhase(name: UpgradeRequestName, view: RequestView): string | undefined {
  if (view.abortReason !== undefined)
    return `the upgrade is being aborted (${view.abortReason}): ${name} is no longer heard`;
  if (REQUESTS_BY_PHASE[view.phase].includes(name)) return undefined;
  return `the upgrade is in phase ${view.phase}: ${WHEN_HEARD[name]}`;
}

function blockerLine(b: RuleBlocker): string {
  return `[${b.code}] ${b.message}`;
}

/** The unique blocker codes of a decision, in order. */
export function blockerCodes(decision: UpgradeDecision | undefined): string[] {
  return [...new Set((decision?.blockers ?? []).map((b) => b.code))];
}

export function refuseApprove(view: RequestView, request: unknown): string | undefined {
  const parsed = ApproveRequestSchema.safeParse(request);
  const malformed = schemaProblem(parsed);
  if (malformed) return `malformed approve request: ${malformed}`;
  const phase = refusePhase('approve', view);
  if (phase) return phase;
  if (view.approval !== 'pending') return `the approval gate is not waiting (approval ${view.approval})`;
  const decision = view.decision;
  const override = parsed.data?.override;
  if (!decision) return 'there is no decision to approve yet';
  const codes = blockerCodes(decision);
  if (decision.verdict !== 'NO_GO') {
    if (override) return `the decision is ${decision.verdict}: there are no blockers to override; approve without one`;
    return undefined;
  }
  if (!override) {
    const listed = decision.blockers.slice(0, 20).map(blockerLine);
    if (decision.blockers.length > 20) listed.push(`… ${decision.blockers.length - 20} more`);
    return (
      `the decision is NO_GO with ${decision.blockers.length} blocker(s):\n${listed.map((l) => `  - ${l}`).join('\n')}\n` +
      `Fix them and start a new analysis, or approve with an override that gives a reason and acknowledges ` +
      `blocker(s) ${codes.join(', ')} (recorded in history and the report).`
    );
  }
  const acknowledged = new Set(override.blockers);
  const missing = codes.filter((c) => !acknowledged.has(c));
  const unknown = [...acknowledged].filter((c) => !codes.includes(c));
  if (missing.length > 0 || unknown.length > 0)
    return (
      `the override must acknowledge exactly the decision's blockers (${codes.join(', ')})` +
      `${missing.length > 0 ? `; missing: ${missing.join(', ')}` : ''}${unknown.length > 0 ? `; not blockers of this decision: ${unknown.join(', ')}` : ''}`
    );
  return undefined;
}

export function refuseAbort(view: RequestView, request: unknown): string | undefined {
  const malformed = schemaProblem(AbortRequestSchema.safeParse(request));
  if (malformed) return `malformed abort request: ${malformed}`;
  return refusePhase('abort', view);
}

export function refuseRollback(view: RequestView, request: unknown, nowMs: number): string | undefined {
  const malformed = schemaProblem(RollbackRequestSchema.safeParse(request));
  if (malformed) return `malformed rollback request: ${malformed}`;
  const phase = refusePhase('requestRollback', view);
  if (phase) return phase;
  if (view.soakClosedBy) return `the soak window is closing: ${view.soakClosedBy}`;
  if (view.soakEndsAtMs !== undefined && nowMs >= view.soakEndsAtMs)
    return `the soak window closed at ${new Date(view.soakEndsAtMs).toISOString()}`;
  if (view.pendingRollbacks >= MAX_PENDING_ROLLBACKS)
    return `${view.pendingRollbacks} rollback requests are already waiting for a verdict; wait for one to finish`;
  return undefined;
}
