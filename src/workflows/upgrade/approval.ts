// Phase 5, the approval gate: `auto` approves GO only; anything else waits for the approve update (a NO_GO only
// with an audited override, which its validator checks), an abort, or the approval timeout.
import { condition } from '@temporalio/workflow';
import type { UpgradeRun } from './run';

export async function approvalGatePhase({ state }: UpgradeRun): Promise<void> {
  const decision = state.decision;
  if (!decision) throw new Error('the decision phase has not run');
  state.enter('awaiting-approval');
  if (state.input.approval === 'auto' && decision.verdict === 'GO') {
    state.approval = 'auto-approved';
    return;
  }
  state.approval = 'pending';
  state.publish();
  // The approve handler sets the approval; an abort cancels this wait.
  const answered = await condition(() => state.approval !== 'pending', state.input.approvalTimeoutMs);
  if (!answered) {
    state.approval = 'timed-out';
    state.execution = `Not executed: nobody approved or aborted within ${state.input.approvalTimeoutMs} ms.`;
  }
}
