// The durable upgrade workflow, one per cluster and target version (id `upgrade-<cluster>-<target>`):
// inventory → evidence (parallel) → AI analysis (parallel, every call through the Bedrock guard) → decision
// (rules first, model within their bounds: src/domain/decision.ts) → approval gate → execution (analyze mode:
// not executed) → soak window open to requestRollback → report. Temporal retry policies do the retrying.
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  isCancellation,
  proxyActivities,
  setHandler,
  TimeoutFailure,
  workflowInfo,
  type ActivityOptions,
  type RetryPolicy,
} from '@temporalio/workflow';
import type {
  AnalysisActivities,
  AnalysisContext,
  EvidenceActivities,
  InventorySource,
  ReleaseNotesSource,
} from '../activities/contracts';
import type { AnalysisResult, AnalysisTemplateName, SkippedAnalysis } from '../domain/analysis';
import { NON_RETRYABLE_BEDROCK_FAILURE_TYPES } from '../domain/bedrock-errors';
import {
  decideUpgradeVerdict,
  evaluateUpgradeRules,
  summarizeEvidence,
  type DecisionEvidence,
} from '../domain/decision';
import { decideRollbackVerdict, type RollbackRecord } from '../domain/rollback';
import { UpgradeState } from './upgrade-state';
import {
  abortSignal,
  approveSignal,
  parseUpgradeInput,
  reportQuery,
  requestRollbackSignal,
  statusQuery,
  type UpgradeInput,
  type UpgradeReport,
} from './upgrade-messages';

/** Bedrock calls: 3 attempts, backing off exponentially from 4 s to at most 10 s. */
export const BEDROCK_RETRY: RetryPolicy = {
  initialInterval: '4s',
  backoffCoefficient: 2,
  maximumInterval: '10s',
  maximumAttempts: 3,
  nonRetryableErrorTypes: [...NON_RETRYABLE_BEDROCK_FAILURE_TYPES, 'BedrockGuardBadRequest'],
};

/** Reads of files, the changelog and the EKS API: quick first retry, a few attempts; bad input is not retried. */
export const READ_RETRY: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '15s',
  maximumAttempts: 4,
  nonRetryableErrorTypes: [
    'InvalidEvidenceInput',
    'AccessDeniedException',
    'ResourceNotFoundException',
    'ValidationException',
  ],
};

const inventoryActivities = proxyActivities<EvidenceActivities>({
  startToCloseTimeout: '2 minutes',
  retry: READ_RETRY,
  summary: 'cluster inventory',
});
const evidenceActivities = proxyActivities<EvidenceActivities>({ startToCloseTimeout: '5 minutes', retry: READ_RETRY });

/**
 * Bedrock analyses: long start-to-close (rate waits + the call), short heartbeat so a dead worker's call moves on.
 * One proxy per activity, so the Web UI names each analysis in the history.
 */
function analysisActivities(heartbeatTimeoutMs: number): AnalysisActivities {
  const options = (summary: string): ActivityOptions => ({
    startToCloseTimeout: '15 minutes',
    heartbeatTimeout: heartbeatTimeoutMs,
    retry: BEDROCK_RETRY,
    summary,
  });
  return {
    analyzeReleaseNotes: proxyActivities<AnalysisActivities>(options('Bedrock: release-notes analysis'))
      .analyzeReleaseNotes,
    analyzeDeprecationImpact: proxyActivities<AnalysisActivities>(options('Bedrock: deprecation impact'))
      .analyzeDeprecationImpact,
    assessClusterReadiness: proxyActivities<AnalysisActivities>(options('Bedrock: cluster readiness'))
      .assessClusterReadiness,
    decideUpgrade: proxyActivities<AnalysisActivities>(options('Bedrock: upgrade decision')).decideUpgrade,
    decideRollback: proxyActivities<AnalysisActivities>(options('Bedrock: rollback decision')).decideRollback,
  };
}

/** What a failed activity says about itself: its failure type and message, for the skipped-analysis record. */
function describeFailure(err: unknown): Pick<SkippedAnalysis, 'errorType' | 'reason'> {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return { errorType: cause.type ?? 'Error', reason: cause.message };
  if (cause instanceof TimeoutFailure)
    return { errorType: 'Timeout', reason: `the activity timed out (${String(cause.timeoutType)})` };
  if (cause instanceof Error) return { errorType: cause.name, reason: cause.message };
  return { errorType: 'Error', reason: String(cause) };
}

function fail(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

export async function upgradeWorkflow(rawInput: UpgradeInput): Promise<UpgradeReport> {
  const parsed = parseUpgradeInput(rawInput);
  if (!parsed.ok)
    fail(
      'InvalidUpgradeInput',
      `Invalid upgrade input: ${parsed.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
    );
  const input = parsed.input;
  const state = new UpgradeState(input, workflowInfo().workflowId);
  const rollbackRequests: Array<{ reason: string; evidence?: string; by?: string; requestedAt: string }> = [];
  let approved = false;

  // Handlers first, before any await: signals sent early are then handled, never lost.
  setHandler(statusQuery, () => state.status());
  setHandler(reportQuery, () => state.report());
  setHandler(approveSignal, ({ by, comment }) => {
    if (state.phase !== 'awaiting-approval') {
      state.note(
        `approve${by ? ` by ${by}` : ''} received in phase ${state.phase}: ignored (approve once the decision is in and the gate is open).`,
      );
      return;
    }
    approved = true;
    state.approvedBy = [by, comment].filter(Boolean).join(': ') || undefined;
  });
  setHandler(abortSignal, ({ reason, by }) => {
    if (state.phase === 'completed' || state.phase === 'report' || state.isAborted()) return;
    state.abortReason = `${reason}${by ? ` (by ${by})` : ''}`;
  });
  setHandler(requestRollbackSignal, ({ reason, evidence, by }) => {
    if (state.phase !== 'soak') {
      state.note(
        `requestRollback (${reason}) received in phase ${state.phase}: ignored; rollback requests are heard during the soak window after approval.`,
      );
      return;
    }
    rollbackRequests.push({
      reason,
      requestedAt: new Date().toISOString(),
      ...(evidence ? { evidence } : {}),
      ...(by ? { by } : {}),
    });
  });

  // 1. Inventory.
  state.enter('inventory');
  const inventory: InventorySource =
    input.inventory.kind === 'snapshot'
      ? input.inventory
      : {
          kind: 'eks',
          clusterName: input.clusterName,
          region: input.region ?? '',
          ...(input.inventory.assumeUpgradedTo ? { assumeUpgradedTo: input.inventory.assumeUpgradedTo } : {}),
        };
  const snapshot = await inventoryActivities.loadClusterInventory(inventory);
  if (snapshot.cluster.name !== input.clusterName) {
    fail(
      'InvalidUpgradeInput',
      `inventory: the snapshot describes cluster '${snapshot.cluster.name}', not clusterName '${input.clusterName}'. Pass the matching snapshot or cluster name.`,
    );
  }
  if (input.currentVersion && input.currentVersion !== snapshot.cluster.version) {
    state.note(
      `currentVersion ${input.currentVersion} was given, but the cluster runs ${snapshot.cluster.version}: the inventory wins.`,
    );
  }
  const currentVersion = snapshot.cluster.version;
  state.currentVersion = currentVersion;
  const context: AnalysisContext = {
    clusterName: input.clusterName,
    currentVersion,
    targetVersion: input.targetVersion,
  };

  // 2. Evidence, in parallel. Release notes are helpful but not essential: their failure is a caution, not a stop.
  if (!state.isAborted()) {
    state.enter('evidence');
    const unavailable: string[] = [];
    const notesSource: ReleaseNotesSource = input.releaseNotes;
    const [releaseNotes, apiScan, readiness] = await Promise.all([
      // kind 'none' still yields the facts table's removals for the target.
      evidenceActivities
        .extractReleaseNotes({ targetVersion: input.targetVersion, source: notesSource })
        .catch((err: unknown) => {
          if (isCancellation(err)) throw err;
          const { errorType, reason } = describeFailure(err);
          unavailable.push(`release notes ${input.targetVersion} (${errorType}: ${reason})`);
          return undefined;
        }),
      evidenceActivities.scanApiRemovals({
        manifestPaths: input.manifestPaths,
        snapshot,
        currentVersion,
        targetVersion: input.targetVersion,
      }),
      evidenceActivities.checkClusterReadiness({
        snapshot,
        targetVersion: input.targetVersion,
        manifestPaths: input.manifestPaths,
      }),
    ]);
    Object.assign(state, { releaseNotes, apiScan, readiness });
    const evidence: DecisionEvidence = {
      ...context,
      apiScan,
      readiness,
      ...(releaseNotes ? { releaseNotes } : {}),
      unavailable,
    };

    // 3. AI analysis, in parallel; a failed or refused analysis is recorded as skipped and the workflow goes on.
    const ai = analysisActivities(input.analysisHeartbeatTimeoutMs);
    const attempt = async (
      template: AnalysisTemplateName,
      call: () => Promise<AnalysisResult>,
    ): Promise<AnalysisResult | undefined> => {
      if (!input.aiAnalysis) {
        state.skipped.push({
          template,
          errorType: 'AiDisabled',
          reason: 'AI analysis is turned off (aiAnalysis: false)',
        });
        return undefined;
      }
      if (state.budgetExhausted()) {
        state.skipped.push({
          template,
          errorType: 'BedrockCostThresholdError',
          reason: 'not attempted: the daily Bedrock budget already refused an analysis of this upgrade',
        });
        return undefined;
      }
      try {
        const result = await call();
        state.analyses.push(result);
        return result;
      } catch (err) {
        if (isCancellation(err)) throw err;
        state.skipped.push({ template, ...describeFailure(err) });
        state.publish();
        return undefined;
      }
    };
    if (!state.isAborted()) {
      state.enter('analysis');
      await Promise.all([
        releaseNotes
          ? attempt('RELEASE_NOTES_ANALYSIS', () => ai.analyzeReleaseNotes({ context, extract: releaseNotes }))
          : Promise.resolve(
              void state.skipped.push({
                template: 'RELEASE_NOTES_ANALYSIS',
                errorType: 'NoReleaseNotes',
                reason: 'no release notes to analyse',
              }),
            ),
        attempt('DEPRECATION_IMPACT_ANALYSIS', () => ai.analyzeDeprecationImpact({ context, scan: apiScan })),
        attempt('CLUSTER_READINESS_ASSESSMENT', () => ai.assessClusterReadiness({ context, snapshot, readiness })),
      ]);
    }

    // 4. Decision: rules first, then the model within their bounds.
    if (!state.isAborted()) {
      state.enter('decision');
      const rules = evaluateUpgradeRules(evidence);
      const aiDecision = await attempt('UPGRADE_DECISION', () =>
        ai.decideUpgrade({
          context,
          evidenceSummary: summarizeEvidence(evidence, rules),
          analyses: [...state.analyses],
          ruleBlockers: rules.blockers.map((b) => `[${b.code}] ${b.message}`),
        }),
      );
      state.decision = decideUpgradeVerdict({ rules, skipped: state.skipped, ...(aiDecision ? { aiDecision } : {}) });
      state.publish();
    }

    // 5. Approval gate: `auto` approves GO only; anything else waits for a person.
    if (!state.isAborted() && state.decision) {
      state.enter('awaiting-approval');
      if (input.approval === 'auto' && state.decision.verdict === 'GO') {
        state.approval = 'auto-approved';
      } else {
        state.approval = 'pending';
        state.publish();
        const answered = await condition(() => approved || state.isAborted(), input.approvalTimeoutMs);
        state.approval = !answered ? 'timed-out' : state.isAborted() ? 'aborted' : 'approved';
        if (state.approval === 'approved' && state.decision.verdict === 'NO_GO') {
          state.note(
            `Approved although the decision is NO_GO (${state.decision.blockers.length} blocker(s)): the operator overrode the rules.`,
          );
        }
      }
    }

    // 6. Execution belongs to a later issue: analyze mode says so plainly.
    const goAhead = state.approval === 'approved' || state.approval === 'auto-approved';
    if (goAhead) {
      state.enter('execution');
      state.execution =
        'Not executed: analyze mode. This workflow decided and recorded the approval; upgrade the control plane, then add-ons, then node groups by your usual means. The soak window below stays open for rollback requests.';
      // 7. Soak window: requestRollback runs the rollback decision; a ROLLBACK verdict closes the window early.
      state.soakEndsAt = new Date(Date.now() + input.soakWindowMs).toISOString();
      state.enter('soak');
      const soakEnd = Date.now() + input.soakWindowMs;
      let rolledBack = false;
      while (!rolledBack && !state.isAborted() && Date.now() < soakEnd) {
        await condition(() => rollbackRequests.length > 0 || state.isAborted(), soakEnd - Date.now());
        for (let request = rollbackRequests.shift(); request; request = rollbackRequests.shift()) {
          const record = await decideRollbackFor(request, state, ai, context);
          state.rollbacks.push(record);
          state.publish();
          if (record.verdict === 'ROLLBACK') rolledBack = true;
        }
      }
      if (state.isAborted()) state.note(`Soak window closed early: ${state.abortReason ?? ''}`);
    } else if (state.approval === 'timed-out') {
      state.execution = `Not executed: nobody approved or aborted within ${input.approvalTimeoutMs} ms.`;
    }
  }

  // 8. Report.
  if (state.isAborted() && state.phase !== 'soak') {
    if (state.approval === 'pending' || state.approval === 'not-requested') state.approval = 'aborted';
    state.execution = `Not executed: aborted (${state.abortReason ?? ''}).`;
    state.enter('aborted');
  } else {
    state.enter('report');
    state.enter('completed');
  }
  return state.report();
}

async function decideRollbackFor(
  request: { reason: string; evidence?: string; by?: string; requestedAt: string },
  state: UpgradeState,
  ai: AnalysisActivities,
  context: AnalysisContext,
): Promise<RollbackRecord> {
  const base = {
    requestedAt: request.requestedAt,
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
    const aiDecision = await ai.decideRollback({
      context,
      reason: request.reason,
      upgradeSummary,
      ...(request.evidence ? { evidence: request.evidence } : {}),
    });
    state.analyses.push(aiDecision);
    return decideRollbackVerdict({ ...base, aiDecision });
  } catch (err) {
    if (isCancellation(err)) throw err;
    const aiSkipped: SkippedAnalysis = { template: 'ROLLBACK_DECISION', ...describeFailure(err) };
    state.skipped.push(aiSkipped);
    return decideRollbackVerdict({ ...base, aiSkipped });
  }
}
