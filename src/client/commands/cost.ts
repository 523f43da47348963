// `eks-upgrade cost`: the Bedrock guard's daily ledger and rate window, and run-time limit changes
// (`--set-daily-limit`, `--set-rpm`, …) that take effect on every worker without a restart.
import { configureGuard, readGuardSummary } from '../../activities/guard-client';
import { loadConfig, type AppConfig } from '../../domain/config';
import { formatUsd as usd, markdownTable } from '../../domain/format';
import { callFloorFor, dailyLimitProblem, type GuardSummary } from '../../domain/guard-ledger';
import { resolveModelPricing } from '../../domain/prices';
import { markdownText } from '../../domain/status-render';
import type { ConfigurePatch } from '../../workflows/guard-messages';
import type { CommandContext } from '../context';
import { emit } from '../output';
import { guardTaskQueueFor } from '../../worker/worker-env';
import { queryWithDeadline } from '../upgrade-handle';
import { EXIT_OK, formatDuration, parseDuration, parseFormat, UsageError } from '../usage';

export interface CostFlags {
  format?: string;
  setDailyLimit?: string;
  setRpm?: string;
  setTpm?: string;
  setWindow?: string;
}

function number(value: string, flag: string, what: string, integer: boolean, min: number, max: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    throw new UsageError(`'${value}' is not ${what} from ${min} to ${max}`, flag);
  }
  return n;
}

/** The configure patch the flags ask for; empty when only reading. */
export function buildGuardPatch(flags: CostFlags): ConfigurePatch {
  const patch: ConfigurePatch = {};
  if (flags.setDailyLimit !== undefined)
    patch.dailyCostLimitUsd = number(flags.setDailyLimit, '--set-daily-limit', 'a dollar amount', false, 0, 1_000_000);
  if (flags.setRpm !== undefined)
    patch.maxRequestsPerWindow = number(flags.setRpm, '--set-rpm', 'a whole number of requests', true, 1, 100_000);
  if (flags.setTpm !== undefined)
    patch.maxTokensPerWindow =
      flags.setTpm === 'off'
        ? null
        : number(flags.setTpm, '--set-tpm', "a whole number of tokens (or 'off')", true, 1, 100_000_000);
  if (flags.setWindow !== undefined) {
    const ms = parseDuration(flags.setWindow, '--set-window');
    if (ms < 100 || ms > 3_600_000)
      throw new UsageError(`'${flags.setWindow}' must be between 100ms and 1h`, '--set-window');
    patch.windowMs = ms;
  }
  return patch;
}

/**
 * A daily limit below one call's worst case (this config's model and BEDROCK_MAX_TOKENS) would refuse every call:
 * refused here, before anything changes. The guard checks again against what the workers declared.
 */
export function checkDailyLimit(patch: ConfigurePatch, config: Pick<AppConfig, 'bedrock'>): void {
  if (patch.dailyCostLimitUsd === undefined) return;
  let floor;
  try {
    floor = callFloorFor(
      resolveModelPricing(config.bedrock.modelId, config.bedrock.modelPrices),
      config.bedrock.maxTokens,
    );
  } catch {
    return; // an unpriced model here: the guard still checks against the workers' own floor
  }
  const problem = dailyLimitProblem(patch.dailyCostLimitUsd, floor);
  if (problem) throw new UsageError(problem, '--set-daily-limit');
}

export function renderGuardSummary(s: GuardSummary, format: 'text' | 'md'): string {
  const md = format === 'md';
  // In Markdown a pair of `$` reads as TeX in renderers with math support (GitHub, the Temporal UI): escaped there.
  const money = (n: number) => (md ? markdownText(usd(n)) : usd(n));
  const item = (t: string) => (md ? `- ${t}` : `  ${t}`);
  const lines = [
    md ? `## Bedrock spend, ${s.day} (UTC)` : `Bedrock spend, ${s.day} (UTC)`,
    ...(md ? [''] : []),
    item(
      `spent ${money(s.spentUsd)} + reserved ${money(s.reservedUsd)} + leased ${money(s.leasedUsd)} of ${money(s.dailyLimitUsd)} (${s.budgetStatus}); remaining ${money(s.remainingUsd)}; resets ${s.resetsAt}`,
    ),
    item(`requests in the last ${formatDuration(s.windowMs)}: ${s.requestsInWindow}/${s.maxRequestsPerWindow}`),
    item(
      `tokens in the last ${formatDuration(s.windowMs)}: ${s.tokensInWindow}${s.maxTokensPerWindow === null ? ' (no limit)' : `/${s.maxTokensPerWindow}`}`,
    ),
    item(
      `permits valid ${formatDuration(s.permitValidityMs)}; today: granted ${s.counters.granted}, returned ${s.counters.returned}, settled ${s.counters.settled}, waits ${s.counters.waited}, refused ${s.counters.refused}, leases expired ${s.counters.expired}`,
    ),
    item(
      `leases: ${s.leases.length === 0 ? 'none' : s.leases.map((l) => `${l.holder}: ${l.permits} permits, ${l.callsInFlight} calls in flight, ${money(l.heldUsd)} held`).join('; ')}`,
    ),
  ];
  const models = Object.entries(s.models);
  if (models.length > 0) {
    if (md)
      lines.push(
        '',
        ...markdownTable(
          ['model', 'requests', 'failed', 'input tokens', 'output tokens', 'cost'],
          models.map(([model, u]) => [model, u.requests, u.failed, u.inputTokens, u.outputTokens, money(u.costUsd)]),
        ),
      );
    else {
      lines.push('  per model:');
      for (const [model, u] of models)
        lines.push(
          `    ${model}: ${u.requests} requests (${u.failed} failed), ${u.inputTokens} in / ${u.outputTokens} out tokens, ${money(u.costUsd)}`,
        );
    }
  }
  return lines.join('\n');
}

export async function runCost(flags: CostFlags, ctx: CommandContext): Promise<number> {
  const format = parseFormat(flags.format);
  const patch = buildGuardPatch(flags);
  const config = loadConfig(ctx.env);
  checkDailyLimit(patch, config);
  const { client, connection } = await ctx.connect();
  const workflowId = config.guard.workflowId;
  let summary: GuardSummary | undefined;
  if (Object.keys(patch).length > 0) {
    summary = await configureGuard(client, { config, patch, taskQueue: guardTaskQueueFor(ctx.taskQueue), workflowId });
    ctx.out.info(`guard ${workflowId} reconfigured: ${JSON.stringify(patch)}`);
  } else {
    try {
      summary = await queryWithDeadline(connection, () => readGuardSummary(client, workflowId), 10_000);
    } catch (err) {
      throw new Error(
        `the guard ${workflowId} did not answer: is a worker running on task queue '${ctx.taskQueue}'? (${(err as Error).message})`,
        { cause: err },
      );
    }
  }
  if (!summary) {
    ctx.out.info(`no Bedrock guard (${workflowId}) has run in this namespace yet: nothing spent`);
    ctx.out.result(format === 'json' ? 'null' : 'no Bedrock calls yet');
    return EXIT_OK;
  }
  emit(ctx.out, format, summary, renderGuardSummary);
  return EXIT_OK;
}
