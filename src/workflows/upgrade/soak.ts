// Phase 7, the soak window: rollback requests (accepted by the requestRollback validator) are decided one after
// another, rules first and then the model; a ROLLBACK verdict closes the window early. Requests accepted before
// the window closed are always decided, so every waiting requestRollback gets its verdict. After an executed upgrade
// a ROLLBACK verdict proposes the rollback plan: it runs once the operator confirms it (confirmRollback), or at once
// with autoRollback; analyze mode records the verdict and acts on nothing.
import { condition, isCancellation } from '@temporalio/workflow';
import type { SkippedAnalysis } from '../../domain/analysis';
import { decideRollbackVerdict, type RollbackRecord } from '../../domain/rollback';
import { describeSkipped } from './failure';
import type { UpgradeRun } from './run';
import { proposeRollback } from './rollback';
import type { PendingRollback } from './state';

export async function soakPhase(run: UpgradeRun): Promise<'done' | 'rollback'> {
  const { state } = run;
  const rollbackVerdict = await decideRequests(run);
  if (!rollbackVerdict) return 'done';
  const proposal = await proposeRollback(run, rollbackVerdict);
  if (!proposal) return 'done';
  if (proposal.state === 'auto') return 'rollback';
  // The proposal waits as long as an approval would; abort declines it.
  const answered = await condition(() => proposal.state !== 'awaiting-confirmation', state.input.approvalTimeoutMs);
  if (answered) return 'rollback';
  proposal.state = 'expired';
  state.note(
    `The rollback proposed at ${proposal.proposedAt} was not confirmed within ${state.input.approvalTimeoutMs} ms: nothing was undone.`,
  );
  state.publish();
  return 'done';
}

/** Decides rollback requests until the window closes; the first ROLLBACK verdict, if one was given. */
async function decideRequests(run: UpgradeRun): Promise<RollbackRecord | undefined> {
  const { state } = run;
  const endsAt = Date.now() + state.input.soakWindowMs;
  state.soakEndsAtMs = endsAt;
  state.soakEndsAt = new Date(endsAt).toISOString();
  state.enter('soak');
  const next = () => state.rollbackQueue.find((r) => !r.verdict);
  let rollback: RollbackRecord | undefined;
  for (;;) {
    const pending = next();
    if (!pending) {
      const remaining = endsAt - Date.now();
      if (state.soakClosedBy || remaining <= 0) return rollback;
      await condition(() => next() !== undefined, remaining);
      continue;
    }
    const record = await decideRollbackFor(run, pending);
    pending.verdict = record;
    state.rollbacks.push(record);
    if (record.verdict === 'ROLLBACK' && !state.soakClosedBy) {
      state.soakClosedBy = `a ROLLBACK verdict was given for the request of ${record.requestedAt}`;
      rollback = record;
    }
    state.publish();
  }
}

async function decideRollbackFor(run: UpgradeRun, pending: PendingRollback): Promise<RollbackRecord> {
  const { state, acts } = run;
  const { request } = pending;
  const base = {
    requestedAt: pending.requestedAt,
    reason: `${request.reason}${request.by ? ` (by ${request.by})` : ''}`,
    mode: state.input.mode,
    ...(state.decision ? { decision: state.decision } : {}),
  };
  if (!state.input.aiAnalysis) {
    return decideRollbackVerdict({
      ...base,
      aiSkipped: {
        template: 'ROLLBACK_DECISION',
        errorType: 'AiDisabled',
        reason: 'AI analysis is turned off (aiAnalysis: false)',
      },
    });
  }
  const d = state.decision;
  const upgradeSummary = [
    state.status().headline,
    ...(d
      ? [`Decision ${d.verdict}, severity ${d.severityScore}/10, basis ${d.basis}.`, ...d.reasons.slice(0, 10)]
      : []),
  ].join('\n');
  try {
    const aiDecision = await acts.ai.decideRollback({
      context: state.inventory().context,
      reason: request.reason,
      upgradeSummary,
      ...(request.evidence ? { evidence: request.evidence } : {}),
    });
    state.analyses.push(aiDecision);
    return decideRollbackVerdict({ ...base, aiDecision });
  } catch (err) {
    if (isCancellation(err)) throw err;
    const aiSkipped: SkippedAnalysis = { template: 'ROLLBACK_DECISION', ...describeSkipped(err) };
    state.skipped.push(aiSkipped);
    return decideRollbackVerdict({ ...base, aiSkipped });
  }
}
