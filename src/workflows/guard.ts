// The singleton Bedrock cost/rate guard: one long-lived workflow per namespace (fixed id, started on demand by
// update-with-start). Worker processes do not ask it once per Bedrock call: each holds a lease of permits and
// budget, hands them to its own callers, and syncs with the guard one update at a time (docs/guard.md), so the
// updates in flight stay few whatever the number of callers. Handlers are synchronous and answer within the workflow
// task. The arithmetic lives in src/domain/guard-ledger.ts and guard-leases.ts; this file is the durable shell.
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  setCurrentDetails,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import {
  advance,
  callFloor,
  configure,
  dailyLimitProblem,
  emptyLedger,
  nextDeadline,
  nextUtcMidnight,
  summarize,
  type GuardSummary,
  type LedgerState,
} from '../domain/guard-ledger';
import { sync } from '../domain/guard-leases';
import { formatMicroUsd } from '../domain/money';
import {
  configureUpdate,
  ConfigurePatchSchema,
  describeZodError,
  forceContinueAsNewUpdate,
  GuardLimitsSchema,
  summaryQuery,
  syncUpdate,
  SyncRequestSchema,
  type ConfigurePatch,
  type GuardWorkflowInput,
} from './guard-messages';
import type { ZodError } from 'zod';

function badRequest(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'BedrockGuardBadRequest', message, nonRetryable: true });
}

function rejectMalformed(what: string, result: { success: boolean; error?: ZodError }): void {
  if (!result.success && result.error) throw badRequest(describeZodError(what, result.error));
}

/** Current details for the Web UI. Amounts read `USD 0.0123`: a `$` pair would render as TeX in its Markdown. */
function details(s: GuardSummary, run: number): string {
  const m = s.micros;
  const tpm = s.maxTokensPerWindow == null ? '' : `, ${s.tokensInWindow}/${s.maxTokensPerWindow} tokens`;
  const holders = s.leases.map((l) => `${l.holder} (${l.permits} permits, ${l.callsInFlight} calls)`).join(', ');
  return [
    'Bedrock cost/rate guard: worker processes lease permits and budget here, and report what every call cost.',
    `**${s.day} (UTC): ${formatMicroUsd(m.spent)} spent + ${formatMicroUsd(m.reserved)} reserved + ${formatMicroUsd(m.leased)} leased of ${formatMicroUsd(m.limit)}** — ${s.budgetStatus}`,
    `Window ${s.windowMs / 1000}s: ${s.requestsInWindow}/${s.maxRequestsPerWindow} requests${tpm}; permits valid ${s.permitValidityMs} ms`,
    `Leases: ${s.leases.length === 0 ? 'none' : holders}`,
    `Today: ${s.counters.granted} permits granted, ${s.counters.returned} returned, ${s.counters.settled} calls settled, ${s.counters.waited} waits, ${s.counters.refused} refused, ${s.counters.expired} leases expired; resets ${s.resetsAt}; run ${run}`,
  ].join('\n\n');
}

export async function bedrockGuardWorkflow(input: GuardWorkflowInput): Promise<void> {
  const parsedLimits = GuardLimitsSchema.safeParse(input.limits);
  // Invalid start limits: answer every update with the reason (a caller gets that, not "no handler"), then fail.
  const startProblem = parsedLimits.success ? undefined : describeZodError('guard start limits', parsedLimits.error);
  const epoch = workflowInfo().firstExecutionRunId.slice(0, 8);
  const ledger: LedgerState =
    input.ledger ?? emptyLedger(parsedLimits.success ? parsedLimits.data : input.limits, Date.now(), epoch);
  const run = input.run ?? 1;
  let updatesThisRun = 0;
  let changed = true;
  let forceContinueAsNew = false;
  const refuseIfBadStart = () => {
    if (startProblem) throw badRequest(`the Bedrock guard was started with invalid limits: ${startProblem}`);
  };

  // Handlers first, before any await: update-with-start delivers the update in the very first activation.
  setHandler(
    syncUpdate,
    (req) => {
      updatesThisRun += 1;
      changed = true;
      return sync(ledger, req, Date.now());
    },
    {
      validator: (req) => {
        refuseIfBadStart();
        rejectMalformed('sync request', SyncRequestSchema.safeParse(req));
      },
      description: 'One worker process reports its calls and asks for permits: granted, refused, or wait.',
    },
  );
  setHandler(
    configureUpdate,
    (patch) => {
      updatesThisRun += 1;
      changed = true;
      const clean = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      configure(ledger, clean, Date.now());
      log.info('Bedrock guard limits changed', { limits: ledger.limits });
      return summarize(ledger, Date.now());
    },
    {
      validator: (patch: ConfigurePatch) => {
        refuseIfBadStart();
        rejectMalformed('configure request', ConfigurePatchSchema.safeParse(patch));
        // The workers' own floor (their model and BEDROCK_MAX_TOKENS), which the CLI's config may not match.
        const floor = callFloor(ledger);
        const problem =
          patch.dailyCostLimitUsd !== undefined && floor
            ? dailyLimitProblem(patch.dailyCostLimitUsd, floor)
            : undefined;
        if (problem) throw badRequest(problem);
      },
      description: 'Change limits at run time.',
    },
  );
  setHandler(forceContinueAsNewUpdate, () => {
    forceContinueAsNew = true;
    return { run };
  });
  setHandler(summaryQuery, () => ({ ...summarize(ledger, Date.now()), run }));

  if (startProblem) {
    // Let the updates of this first activation be refused with the reason, then end.
    await condition(allHandlersFinished);
    throw badRequest(`the Bedrock guard was started with invalid limits: ${startProblem}`);
  }

  // One timer at a time for the next deadline (midnight or earliest lease expiry); a stale one fires harmlessly.
  let wakeAt = Number.POSITIVE_INFINITY;
  let timerFired = false;
  const shouldContinueAsNew = () =>
    forceContinueAsNew ||
    workflowInfo().continueAsNewSuggested ||
    (input.continueAsNewAfterUpdates !== undefined && updatesThisRun >= input.continueAsNewAfterUpdates);

  for (;;) {
    const now = Date.now();
    const { rolledOver, expired } = advance(ledger, now);
    if (rolledOver) log.info('Bedrock guard: new UTC day, ledger reset', { day: ledger.day });
    if (expired.length > 0)
      log.warn('Bedrock guard: leases expired unrenewed; their started calls and unaccounted permits are charged', {
        expired,
      });
    if (changed || rolledOver || expired.length > 0) setCurrentDetails(details(summarize(ledger, now), run));
    changed = false;

    if (shouldContinueAsNew()) break;

    const deadline = nextDeadline(ledger, now);
    if (deadline < wakeAt || timerFired) {
      const target = deadline;
      wakeAt = target;
      timerFired = false;
      const what = target === nextUtcMidnight(now) ? 'UTC midnight: ledger reset' : 'lease expiry';
      void sleep(Math.max(1, target - now), { summary: what }).then(() => {
        if (wakeAt === target) timerFired = true;
      });
    }
    await condition(() => changed || timerFired || shouldContinueAsNew());
  }

  // Updates accepted in this task have already answered (handlers are synchronous); wait anyway, as the server
  // fails accepted-but-unfinished updates when the run closes. Updates not yet admitted are retried on the new run.
  await condition(allHandlersFinished);
  advance(ledger, Date.now());
  log.info('Bedrock guard: continuing as new', { run, updatesThisRun, leases: Object.keys(ledger.leases).length });
  await continueAsNew<typeof bedrockGuardWorkflow>({
    limits: ledger.limits,
    ledger,
    continueAsNewAfterUpdates: input.continueAsNewAfterUpdates,
    run: run + 1,
  });
}
