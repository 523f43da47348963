// Phase 6, execution. Analyze mode (the only mode the input accepts today) decides and records the approval;
// the changes themselves are the operator's, and the report says so.
import type { UpgradeRun } from './run';

export function executionPhase({ state }: UpgradeRun): Promise<void> {
  state.enter('execution');
  state.execution =
    'Not executed: analyze mode. This workflow decided and recorded the approval; upgrade the control plane, then add-ons, then node groups by your usual means. The soak window below stays open for rollback requests.';
  return Promise.resolve();
}
