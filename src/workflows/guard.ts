// The singleton Bedrock cost/rate guard: one long-lived workflow per namespace (fixed id, started on demand by
// update-with-start) that every Bedrock call asks for a permit. Handlers are synchronous and answer within the
// workflow task, because the server allows only 10 in-flight updates per execution. The arithmetic lives in
// src/domain/guard-ledger.ts; this file is the thin durable shell around it.
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
  configure,
  emptyLedger,
  nextDeadline,
  nextUtcMidnight,
  reserve,
  reserveProblem,
  settle,
  summarize,
  type GuardSummary,
  type LedgerState,
} from '../domain/guard-ledger';
import { formatUsd } from '../domain/format';
import {
  configureUpdate,
  ConfigurePatchSchema,
  describeZodError,
  forceContinueAsNewUpdate,
  GuardLimitsSchema,
  reserveUpdate,
  ReserveRequestSchema,
  settleUpdate,
  SettleRequestSchema,
  summaryQuery,
  type GuardWorkflowInput,
} from './guard-messages';
import type { ZodError } from 'zod';

function rejectMalformed(what: string, result: { success: boolean; error?: ZodError }): void {
  if (!result.success && result.error) {
    throw ApplicationFailure.create({
      type: 'BedrockGuardBadRequest',
      message: describeZodError(what, result.error),
      nonRetryable: true,
    });
  }
}

function money(usd: number): string {
  return formatUsd(usd);
}

function details(s: GuardSummary, run: number): string {
  const tpm = s.maxTokensPerWindow == null ? '' : `, ${s.tokensInWindow}/${s.maxTokensPerWindow} tokens`;
  return [
    'Bedrock cost/rate guard: every Bedrock call reserves here first and settles after.',
    `**${s.day} (UTC): ${money(s.spentUsd)} spent + ${money(s.reservedUsd)} reserved of ${money(s.dailyLimitUsd)}** — ${s.budgetStatus}`,
    `Window ${s.windowMs / 1000}s: ${s.requestsInWindow}/${s.maxRequestsPerWindow} requests${tpm}; ${s.openReservations} open reservation(s)`,
    `Today: ${s.counters.granted} granted, ${s.counters.waited} told to wait, ${s.counters.refused} refused, ${s.counters.expired} expired; resets ${s.resetsAt}; run ${run}`,
  ].join('\n\n');
}

export async function bedrockGuardWorkflow(input: GuardWorkflowInput): Promise<void> {
  const limits = GuardLimitsSchema.safeParse(input.limits);
  if (!limits.success) {
    throw ApplicationFailure.create({
      type: 'BedrockGuardBadRequest',
      message: describeZodError('guard limits', limits.error),
      nonRetryable: true,
    });
  }
  const ledger: LedgerState = input.ledger ?? emptyLedger(limits.data, Date.now());
  const run = input.run ?? 1;
  let updatesThisRun = 0;
  let changed = true;
  let forceContinueAsNew = false;

  // Handlers first, before any await: update-with-start delivers the update in the very first activation.
  setHandler(
    reserveUpdate,
    (req) => {
      updatesThisRun += 1;
      changed = true;
      return reserve(ledger, req, Date.now());
    },
    {
      validator: (req) => {
        const parsed = ReserveRequestSchema.safeParse(req);
        rejectMalformed('reserve request', parsed);
        const problem = parsed.success ? reserveProblem(ledger, parsed.data) : undefined;
        if (problem)
          throw ApplicationFailure.create({ type: 'BedrockGuardBadRequest', message: problem, nonRetryable: true });
      },
      description: 'Ask for a permit before one Bedrock call: granted, wait (retryAfterMs) or budget exhausted.',
    },
  );
  setHandler(
    settleUpdate,
    (req) => {
      updatesThisRun += 1;
      changed = true;
      return settle(ledger, req, Date.now(), req.modelId);
    },
    {
      validator: (req) => rejectMalformed('settle request', SettleRequestSchema.safeParse(req)),
      description: 'Charge the actual cost of a call.',
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
      validator: (patch) => rejectMalformed('configure request', ConfigurePatchSchema.safeParse(patch)),
      description: 'Change limits at run time.',
    },
  );
  setHandler(forceContinueAsNewUpdate, () => {
    forceContinueAsNew = true;
    return { run };
  });
  setHandler(summaryQuery, () => ({ ...summarize(ledger, Date.now()), run }));

  // One timer at a time for the next deadline (midnight or earliest expiry); a stale one fires harmlessly.
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
      log.warn('Bedrock guard: reservations expired unsettled, charged at their estimate', { expired });
    if (changed || rolledOver || expired.length > 0) setCurrentDetails(details(summarize(ledger, now), run));
    changed = false;

    if (shouldContinueAsNew()) break;

    const deadline = nextDeadline(ledger, now);
    if (deadline < wakeAt || timerFired) {
      const target = deadline;
      wakeAt = target;
      timerFired = false;
      const what = target === nextUtcMidnight(now) ? 'UTC midnight: ledger reset' : 'reservation expiry';
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
  log.info('Bedrock guard: continuing as new', {
    run,
    updatesThisRun,
    openReservations: Object.keys(ledger.open).length,
  });
  await continueAsNew<typeof bedrockGuardWorkflow>({
    limits: ledger.limits,
    ledger,
    continueAsNewAfterUpdates: input.continueAsNewAfterUpdates,
    run: run + 1,
  });
}
