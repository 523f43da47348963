// Phase 8, the end of a run: the report for a completed run, or the record of an abort. An abort during the soak
// window only closes the window early: the decision and the approval stand. An abort during an execution keeps its
// record: what ran, what the running EKS updates did, what did not run.
import type { UpgradeState } from './state';

export function finishRun(state: UpgradeState): void {
  if (state.isAborted() && state.phase !== 'soak') {
    if (state.approval === 'pending' || state.approval === 'not-requested') state.approval = 'aborted';
    state.execution = state.upgradeRun
      ? `${state.execution} Aborted (${state.abortReason ?? ''}).`
      : `Not executed: aborted (${state.abortReason ?? ''}).`;
    state.enter('aborted');
    return;
  }
  if (state.isAborted()) {
    state.note(`Soak window closed early: ${state.abortReason ?? ''}`);
    if (state.rollbackProposal?.state === 'awaiting-confirmation') {
      state.rollbackProposal.state = 'expired';
      state.note('The proposed rollback was declined by the abort: nothing was undone.');
    }
  }
  state.enter('report');
  state.enter('completed');
}
