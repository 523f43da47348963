// Phase 7, the soak window: rollback requests (accepted by the requestRollback validator) are decided one after
// another, rules first and then the model; a ROLLBACK verdict closes the window early. Requests accepted before
// the window closed are always decided, so every waiting requestRollback gets its verdict.
import { condition, isCancellation } from '@temporalio/workflow';
import type { SkippedAnalysis } from '../../domain/analysis';
import { decideRollbackVerdict, type RollbackRecord } from '../../domain/rollback';
import { describeSkipped } from './failure';
import type { UpgradeRun } from './run';
import type { PendingRollback } from './state';

export async function soakPhase(run: UpgradeRun): Promise<void> {
  const { state } = run;
  const endsAt = Date.now() + state.input.soakWindowMs;
  state.soakEndsAtMs = endsAt;
  state.soakEndsAt = new Date(endsAt).toISOString();
  state.enter('soak');
  const next = () => state.rollbackQueue.find((r) => !r.verdict);
  for (;;) {
    const pending = next();
    if (!pending) {
      const remaining = endsAt - Date.now();
      if (state.soakClosedBy || remaining <= 0) return;
      await condition(() => next() !== undefined, remaining);
      continue;
    }
    const record = await decideRollbackFor(run, pending);
    pending.verdict = record;
    state.rollbacks.push(record);
    if (record.verdict === 'ROLLBACK' && !state.soakClosedBy)
      state.soakClosedBy = `a ROLLBACK verdict was given for the request of ${record.requestedAt}`;
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
