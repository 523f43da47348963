// Messages of the singleton Bedrock guard, shared by the guard workflow, the lease holder in each worker process and
// the CLI. Update validators run these schemas synchronously, so a malformed request is rejected before it is
// accepted (and leaves no history event).
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import type { GuardLimits, GuardSummary, LedgerState } from '../domain/guard-ledger';
import type { SyncAnswer } from '../domain/guard-leases';

const usd = (what: string) =>
  z
    .number({ error: `${what} must be a number of US dollars` })
    .finite()
    .nonnegative({ error: `${what} must be >= 0` });
const count = (what: string) =>
  z
    .number({ error: `${what} must be a whole number` })
    .int({ error: `${what} must be a whole number` })
    .nonnegative({ error: `${what} must be >= 0` });
const micros = (what: string) => count(`${what} (micro-dollars)`).max(1e15);
const id = z.string().min(1).max(400);
const ms = (what: string) => count(what).max(24 * 3_600_000);

const StartedCallSchema = z.strictObject({
  callId: id,
  permitId: id,
  estimateMicros: micros('estimateMicros'),
  modelId: z.string().min(1).max(200),
  caller: id,
  wireBoundMs: ms('wireBoundMs'),
});

const SettledCallSchema = z.strictObject({
  callId: id,
  permitId: id,
  chargedMicros: micros('chargedMicros'),
  modelId: z.string().min(1).max(200),
  inputTokens: count('inputTokens'),
  outputTokens: count('outputTokens'),
  succeeded: z.boolean(),
  wireBoundMs: ms('wireBoundMs'),
});

const WantedCallSchema = z.strictObject({
  callId: id,
  allowanceMicros: micros('allowanceMicros'),
  tokens: count('tokens'),
  modelId: z.string().min(1).max(200),
  caller: id,
});

export const SyncRequestSchema = z.strictObject({
  holder: id,
  seq: z.number().int().positive(),
  started: z.array(StartedCallSchema).max(10_000),
  settled: z.array(SettledCallSchema).max(10_000),
  returned: z.array(id).max(10_000),
  want: z.array(WantedCallSchema).max(1_000),
  spare: z
    .strictObject({
      count: count('spare.count').max(1_000),
      allowanceMicros: micros('spare.allowanceMicros'),
      tokens: count('spare.tokens'),
      modelId: z.string().min(1).max(200),
    })
    .optional(),
  floor: z
    .strictObject({
      micros: micros('floor.micros'),
      modelId: z.string().min(1).max(200),
      maxTokens: count('floor.maxTokens'),
    })
    .optional(),
  release: z.boolean().optional(),
});

export const GuardLimitsSchema = z.strictObject({
  dailyCostLimitUsd: usd('dailyCostLimitUsd').max(1_000_000),
  maxRequestsPerWindow: z.number().int().min(1, { error: 'maxRequestsPerWindow must be at least 1' }).max(100_000),
  maxTokensPerWindow: z.number().int().min(1).max(100_000_000).nullable(),
  windowMs: z.number().int().min(100, { error: 'windowMs must be at least 100' }).max(3_600_000),
  permitValidityMs: z
    .number()
    .int()
    .min(50, { error: 'permitValidityMs must be at least 50' })
    .max(600_000, { error: 'permitValidityMs must be at most 600000 (10 minutes)' }),
  leaseTtlMs: z
    .number()
    .int()
    .min(1_000, { error: 'leaseTtlMs must be at least 1000' })
    .max(24 * 3_600_000),
  warnAtFraction: z.number().gt(0).max(1),
});

/** `configure`: any subset of the limits; the rest stay as they are. */
export const ConfigurePatchSchema = GuardLimitsSchema.partial();
export type ConfigurePatch = z.infer<typeof ConfigurePatchSchema>;

export interface GuardWorkflowInput {
  limits: GuardLimits;
  /** The ledger carried over by continue-as-new; absent on a fresh start. */
  ledger?: LedgerState;
  /**
   * Continue-as-new after this many accepted updates in one run. Tests set it low to exercise continue-as-new
   * under load; in production the server's `continueAsNewSuggested` decides.
   */
  continueAsNewAfterUpdates?: number;
  /** Runs so far (1 on a fresh start), for the UI and tests. */
  run?: number;
}

export type SyncUpdateArgs = z.infer<typeof SyncRequestSchema>;

/**
 * The one update a worker process sends (one at a time): reports calls started and settled and permits given back,
 * and asks for permits. Answers at once with what it grants, what it refuses, and when to ask again.
 */
export const syncUpdate = defineUpdate<SyncAnswer, [SyncUpdateArgs]>('sync');
/** Changes limits at run time, without restarting workers; returns the summary under the new limits. */
export const configureUpdate = defineUpdate<GuardSummary, [ConfigurePatch]>('configure');
/** Continues-as-new now (after all handlers finish), carrying the ledger: for tests and operators. */
export const forceContinueAsNewUpdate = defineUpdate<{ run: number }, []>('forceContinueAsNew');

export const summaryQuery = defineQuery<GuardSummary & { run: number }>('summary');

/** Reads a zod error as one line naming each bad field, for validator rejections. */
export function describeZodError(what: string, error: z.ZodError): string {
  const problems = error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`);
  return `malformed ${what}: ${problems.join('; ')}`;
}
