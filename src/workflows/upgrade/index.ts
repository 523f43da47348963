// The durable upgrade workflow, one per cluster and target version (id `upgrade-<cluster>-<target>`):
// inventory → evidence (parallel) → AI analysis (parallel, every call through the Bedrock guard) → decision
// (rules first, model within their bounds) and the plan → approval gate → execution (execute mode: the plan's
// steps, one EKS update each; analyze mode: not executed) → soak window open to requestRollback → rollback (an
// executed upgrade, once a ROLLBACK verdict is confirmed or the operator chose it) → report. One function per phase
// (./*.ts); they run in one cancellation scope, which the abort update cancels, so running activities stop within
// seconds (a running EKS update is let finish: EKS cannot cancel it).
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  isCancellation,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import { failureChainOfError, summarizeFailure } from '../../domain/failure';
import { markdownText } from '../../domain/status-render';
import type { UpgradeReport } from '../../domain/upgrade-report';
import { parseUpgradeInput, type UpgradeInput, type ValidUpgradeInput } from '../upgrade-messages';
import { upgradeActivities } from './proxies';
import { analysisPhase } from './analysis';
import { approvalGatePhase } from './approval';
import { decisionPhase } from './decision';
import { evidencePhase } from './evidence';
import { executionPhase } from './execution';
import { failUpgrade, invalidUpgradeInput } from './failure';
import { finishRun } from './finish';
import { registerExecutionHandlers } from './execution-handlers';
import { registerUpgradeHandlers } from './handlers';
import { inventoryPhase } from './inventory';
import { rollbackPhase } from './rollback';
import type { UpgradeRun } from './run';
import { soakPhase } from './soak';
import { UpgradeState } from './state';

async function runPhases(run: UpgradeRun): Promise<void> {
  await inventoryPhase(run);
  await evidencePhase(run);
  await analysisPhase(run);
  await decisionPhase(run);
  await approvalGatePhase(run);
  if (!run.state.goAhead()) return;
  if ((await executionPhase(run)) === 'rollback') {
    await rollbackPhase(run, 'the operator chose to roll back during the execution');
    return;
  }
  if ((await soakPhase(run)) === 'rollback') {
    const p = run.state.rollbackProposal;
    await rollbackPhase(
      run,
      p?.state === 'auto'
        ? 'a ROLLBACK verdict with autoRollback'
        : `a ROLLBACK verdict confirmed by ${p?.confirmedBy ?? '?'}`,
    );
  }
}

function validInput(raw: UpgradeInput): ValidUpgradeInput {
  const parsed = parseUpgradeInput(raw);
  if (parsed.ok) return parsed.input;
  const message = `Invalid upgrade input: ${parsed.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`;
  setCurrentDetails(`**Upgrade refused: invalid input**\n\n${markdownText(message)}`);
  throw invalidUpgradeInput(message);
}

/** Lets every accepted update finish (they answer once `closed` is set), even in a cancelled workflow. */
async function closeRun(state: UpgradeState): Promise<void> {
  state.closed = true;
  await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
}

export async function upgradeWorkflow(rawInput: UpgradeInput): Promise<UpgradeReport> {
  const input = validInput(rawInput);
  const state = new UpgradeState(input, workflowInfo().workflowId);
  const work = new CancellationScope();
  // Handlers first, before any await: an update sent early is then validated against the real state.
  registerUpgradeHandlers(state, { cancelWork: () => work.cancel() });
  registerExecutionHandlers(state);
  try {
    await work.run(() => runPhases({ state, acts: upgradeActivities(input) }));
  } catch (err) {
    if (!state.isAborted()) {
      if (isCancellation(err)) {
        // The workflow itself was cancelled (not aborted by the update): it ends as cancelled, saying so.
        state.failure = summarizeFailure('cancelled', failureChainOfError(err), state.phase);
        state.publish();
        await closeRun(state);
        throw err;
      }
      const failure = failUpgrade(state, err);
      if (failure === err) throw err; // a bug in workflow code: fail the task, not the upgrade
      await closeRun(state);
      throw failure;
    }
    if (!isCancellation(err)) state.note(`While aborting, the running work failed: ${String(err)}`);
  }
  finishRun(state);
  await closeRun(state);
  return state.report();
}
