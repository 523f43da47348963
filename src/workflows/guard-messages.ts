// Messages of the singleton Bedrock guard, shared by the guard workflow, the permit gate and the CLI.
// Update validators run these schemas synchronously, so a malformed request is rejected before it is accepted
// (and leaves no history event).
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import type { GuardLimits, GuardSummary, LedgerState, ReserveAnswer, SettleAnswer } from '../domain/guard-ledger';

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

export const ReserveRequestSchema = z
  .strictObject({
    requestId: z.string().min(1).max(400),
    modelId: z.string().min(1).max(200),
    caller: z.string().min(1).max(400),
    estimatedCostUsd: usd('estimatedCostUsd'),
    estimatedInputCostUsd: usd('estimatedInputCostUsd'),
    estimatedTokens: count('estimatedTokens'),
  })
  .refine((r) => r.estimatedInputCostUsd <= r.estimatedCostUsd, {
    error: 'estimatedInputCostUsd must not exceed estimatedCostUsd (the worst case includes the input)',
    path: ['estimatedInputCostUsd'],
  });

export const SettleRequestSchema = z.strictObject({
  reservationId: z.string().min(1).max(400),
  actualCostUsd: usd('actualCostUsd'),
  inputTokens: count('inputTokens'),
  outputTokens: count('outputTokens'),
  succeeded: z.boolean(),
  /** Charged to this model when the reservation is unknown to the guard (e.g. it was reset). */
  modelId: z.string().min(1).max(200).optional(),
});

export const GuardLimitsSchema = z.strictObject({
  dailyCostLimitUsd: usd('dailyCostLimitUsd').max(1_000_000),
  maxRequestsPerWindow: z.number().int().min(1, { error: 'maxRequestsPerWindow must be at least 1' }).max(100_000),
  maxTokensPerWindow: z.number().int().min(1).max(100_000_000).nullable(),
  windowMs: z.number().int().min(100, { error: 'windowMs must be at least 100' }).max(3_600_000),
  reservationTtlMs: z
    .number()
    .int()
    .min(100, { error: 'reservationTtlMs must be at least 100' })
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

export type ReserveUpdateArgs = z.infer<typeof ReserveRequestSchema>;
export type SettleUpdateArgs = z.infer<typeof SettleRequestSchema>;

/** Asks for a permit; answers at once: granted / wait (rate or reserved budget) / budget exhausted. */
export const reserveUpdate = defineUpdate<ReserveAnswer, [ReserveUpdateArgs]>('reserve');
/** Replaces a reservation's estimate with the actual cost (also after a failed call: at least the input cost). */
export const settleUpdate = defineUpdate<SettleAnswer, [SettleUpdateArgs]>('settle');
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
