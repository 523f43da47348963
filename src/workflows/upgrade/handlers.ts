// The upgrade workflow's queries and updates. Each update has a synchronous validator that asks the domain rules
// (src/domain/upgrade-requests.ts) whether the current state hears it, so a request in the wrong phase is refused
// at once, with the reason, and never reaches history. Handlers wait (condition) only for what their answer needs.
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { UpgradeFailureType } from '../../domain/failure-types';
import {
  AbortRequestSchema,
  ApproveRequestSchema,
  blockerCodes,
  MAX_PENDING_ROLLBACKS,
  refuseAbort,
  refuseApprove,
  refuseRollback,
  RollbackRequestSchema,
} from '../../domain/upgrade-requests';
import { abortUpdate, approveUpdate, reportQuery, requestRollbackUpdate, statusQuery } from '../upgrade-messages';
import type { PendingRollback, UpgradeState } from './state';

/** What handlers may do to the running phases. */
export interface UpgradeControls {
  /** Cancels the phases' scope: running activities are cancelled and awaited. */
  cancelWork(): void;
}

/**
 * How long a rollback request waits for its verdict: every request ahead of it (at most MAX_PENDING_ROLLBACKS)
 * and its own decision, each bounded by the Bedrock retry policy (3 attempts of at most 15 minutes).
 */
const ROLLBACK_VERDICT_WAIT_MS = MAX_PENDING_ROLLBACKS * 50 * 60_000;
/** How long abort waits for the work to stop before answering (cancelled activities acknowledge at a heartbeat). */
const ABORT_ANSWER_WAIT_MS = 60_000;

function rejectIf(reason: string | undefined): void {
  if (reason) throw ApplicationFailure.create({ type: UpgradeFailureType.RequestRejected, message: reason });
}

function abandoned(state: UpgradeState, what: string): ApplicationFailure {
  const why = state.abortReason
    ? `the upgrade was aborted (${state.abortReason})`
    : state.failure
      ? `the upgrade failed in phase ${state.failure.phase ?? state.phase}`
      : `the upgrade ended (phase ${state.phase})`;
  return ApplicationFailure.create({ type: UpgradeFailureType.RequestAbandoned, message: `${why} before ${what}` });
}

export function registerUpgradeHandlers(state: UpgradeState, controls: UpgradeControls): void {
  setHandler(statusQuery, () => state.status(), { description: 'phase, progress, decision, approval and cost' });
  setHandler(reportQuery, () => state.report(), { description: 'the full report so far' });

  setHandler(
    approveUpdate,
    async (raw) => {
      const request = ApproveRequestSchema.parse(raw);
      state.approval = 'approved';
      state.approvedBy = [request.by, request.comment].filter(Boolean).join(': ') || undefined;
      if (request.override) {
        state.override = {
          by: request.by ?? 'unknown',
          reason: request.override.reason,
          blockers: blockerCodes(state.decision),
          at: new Date().toISOString(),
        };
        state.note(
          `Approved by ${state.override.by} although the decision is NO_GO, overriding blocker(s) ${state.override.blockers.join(', ')}: ${state.override.reason}`,
        );
      }
      state.publish();
      // Answer once the gate has opened, so the caller sees where the upgrade went (and a rollback request
      // sent right after is heard by the soak window).
      await condition(() => state.phase !== 'awaiting-approval' || state.closed);
      return { approval: state.approval, phase: state.phase, ...(state.override ? { override: state.override } : {}) };
    },
    {
      validator: (request) => rejectIf(refuseApprove(state.requestView(), request)),
      description: 'approve at the approval gate (a NO_GO needs an override with a reason)',
    },
  );

  setHandler(
    abortUpdate,
    async (raw) => {
      const { reason, by } = AbortRequestSchema.parse(raw);
      const abortedIn = state.phase;
      state.abortReason = `${reason}${by ? ` (by ${by})` : ''}`;
      state.publish();
      controls.cancelWork();
      const running = state.activeRun()?.running() ?? [];
      if (running.length > 0) {
        // EKS cannot cancel an update: the run lets it finish, records it, and stops before anything else.
        const message = `EKS cannot cancel a running update: ${running.join(', ')} will finish (the run records it), then the upgrade stops; nothing after it runs`;
        state.note(message);
        return { abortedIn, phase: state.phase, stopped: false, runningUpdates: running, message };
      }
      const stopped = await condition(() => state.closed, ABORT_ANSWER_WAIT_MS);
      return { abortedIn, phase: state.phase, stopped };
    },
    {
      validator: (request) => rejectIf(refuseAbort(state.requestView(), request)),
      description: 'abort: cancels the running work and ends the upgrade',
    },
  );

  setHandler(
    requestRollbackUpdate,
    async (raw) => {
      const pending: PendingRollback = {
        request: RollbackRequestSchema.parse(raw),
        requestedAt: new Date().toISOString(),
      };
      state.rollbackQueue.push(pending);
      try {
        const ended = await condition(() => pending.verdict !== undefined || state.closed, ROLLBACK_VERDICT_WAIT_MS);
        if (pending.verdict) return pending.verdict;
        if (ended) throw abandoned(state, 'this rollback request was decided');
        throw ApplicationFailure.create({
          type: UpgradeFailureType.RequestAbandoned,
          message: `no rollback verdict within ${ROLLBACK_VERDICT_WAIT_MS / 3_600_000} hours; see the status for the requests decided so far`,
        });
      } finally {
        state.rollbackQueue.splice(state.rollbackQueue.indexOf(pending), 1);
      }
    },
    {
      validator: (request) => rejectIf(refuseRollback(state.requestView(), request, Date.now())),
      description: 'request a rollback decision during the soak window; answers with the verdict',
    },
  );
}
