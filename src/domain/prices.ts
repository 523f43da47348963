// Bedrock on-demand prices (USD per 1M tokens, us-east-1) and the two numbers every call needs: the worst-case
// estimate before it and the actual cost after it. Source: reference/bedrock.md §4 (pydantic/genai-prices, AWS
// Price List API, checked 2026-08). Prices change monthly: BEDROCK_MODEL_PRICES overrides this table, and a model
// it does not know is refused at start-up (never priced at a silent $0).
import type { ModelPrices } from './config';
import { microsToUsd, usdToMicros, usdToMicrosUp } from './money';

export type ModelLifecycle = 'active' | 'legacy' | 'end-of-life' | 'unverified';

export interface ModelPriceRow {
  /** Base model ids (no inference-profile prefix) this row prices. */
  ids: readonly string[];
  /** Also matches ids starting with this (families whose ids carry a version suffix we cannot list yet). */
  idPrefix?: string;
  name: string;
  /** Base (global-profile) prices, USD per 1M tokens. */
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /** Claude 4.5+ generation and Nova 2: in-Region ids and geo profiles (us., eu., …) cost 10% more than global. */
  regionalSurcharge: boolean;
  lifecycle: ModelLifecycle;
  effectiveFrom: string;
}

const claude45Plus = { regionalSurcharge: true, lifecycle: 'active' } as const;

export const MODEL_PRICES: readonly ModelPriceRow[] = [
  {
    name: 'Claude Sonnet 4.6',
    ids: ['anthropic.claude-sonnet-4-6'],
    input: 3,
    output: 15,
    cacheRead: 0.3,
    cacheWrite: 3.75,
    ...claude45Plus,
    effectiveFrom: '2026-06-26',
  },
  {
    name: 'Claude Sonnet 4.5',
    ids: ['anthropic.claude-sonnet-4-5-20250929-v1:0'],
    input: 3,
    output: 15,
    cacheRead: 0.3,
    cacheWrite: 3.75,
    ...claude45Plus,
    effectiveFrom: '2025-09-29',
  },
  {
    name: 'Claude Haiku 4.5',
    ids: ['anthropic.claude-haiku-4-5-20251001-v1:0'],
    input: 1,
    output: 5,
    cacheRead: 0.1,
    cacheWrite: 1.25,
    ...claude45Plus,
    effectiveFrom: '2025-10-01',
  },
  {
    name: 'Claude Opus 4.5',
    ids: ['anthropic.claude-opus-4-5-20251101-v1:0'],
    input: 5,
    output: 25,
    cacheRead: 0.5,
    cacheWrite: 6.25,
    ...claude45Plus,
    effectiveFrom: '2026-02-23',
  },
  {
    name: 'Claude Opus 4.6 / 4.7 / 4.8',
    ids: ['anthropic.claude-opus-4-6-v1', 'anthropic.claude-opus-4-7', 'anthropic.claude-opus-4-8'],
    input: 5,
    output: 25,
    cacheRead: 0.5,
    cacheWrite: 6.25,
    ...claude45Plus,
    effectiveFrom: '2026-04-01',
  },
  {
    name: 'Claude Opus 5',
    ids: ['anthropic.claude-opus-5'],
    idPrefix: 'anthropic.claude-opus-5',
    input: 5,
    output: 25,
    cacheRead: 0.5,
    cacheWrite: 6.25,
    ...claude45Plus,
    effectiveFrom: '2026-07-01',
  },
  // Launched at 2/10; the price rose to 3/15 on 2026-09-01.
  {
    name: 'Claude Sonnet 5',
    ids: ['anthropic.claude-sonnet-5'],
    idPrefix: 'anthropic.claude-sonnet-5',
    input: 3,
    output: 15,
    cacheRead: 0.3,
    cacheWrite: 3.75,
    ...claude45Plus,
    effectiveFrom: '2026-09-01',
  },
  {
    name: 'Claude Opus 4.1',
    ids: ['anthropic.claude-opus-4-1-20250805-v1:0'],
    input: 15,
    output: 75,
    cacheRead: 1.5,
    cacheWrite: 18.75,
    regionalSurcharge: false,
    lifecycle: 'legacy',
    effectiveFrom: '2025-08-05',
  },
  {
    name: 'Claude Sonnet 4',
    ids: ['anthropic.claude-sonnet-4-20250514-v1:0'],
    input: 3,
    output: 15,
    cacheRead: 0.3,
    cacheWrite: 3.75,
    regionalSurcharge: false,
    lifecycle: 'end-of-life',
    effectiveFrom: '2025-05-14',
  },
  // Claude 3 Sonnet, kept so older configurations get a clear answer: retired on Bedrock (404). No prompt caching.
  {
    name: 'Claude 3 Sonnet',
    ids: ['anthropic.claude-3-sonnet-20240229-v1:0'],
    input: 3,
    output: 15,
    cacheRead: 0,
    cacheWrite: 0,
    regionalSurcharge: false,
    lifecycle: 'end-of-life',
    effectiveFrom: '2024-02-29',
  },
  // Nova v1 has no cache-write charge.
  {
    name: 'Amazon Nova Micro',
    ids: ['amazon.nova-micro-v1:0'],
    input: 0.035,
    output: 0.14,
    cacheRead: 0.00875,
    cacheWrite: 0,
    regionalSurcharge: false,
    lifecycle: 'active',
    effectiveFrom: '2025-01-01',
  },
  {
    name: 'Amazon Nova Lite',
    ids: ['amazon.nova-lite-v1:0'],
    input: 0.06,
    output: 0.24,
    cacheRead: 0.015,
    cacheWrite: 0,
    regionalSurcharge: false,
    lifecycle: 'active',
    effectiveFrom: '2025-01-01',
  },
  {
    name: 'Amazon Nova Pro',
    ids: ['amazon.nova-pro-v1:0'],
    input: 0.8,
    output: 3.2,
    cacheRead: 0.2,
    cacheWrite: 0,
    regionalSurcharge: false,
    lifecycle: 'active',
    effectiveFrom: '2025-01-01',
  },
  {
    name: 'Amazon Nova 2 Lite',
    ids: ['amazon.nova-2-lite-v1:0'],
    input: 0.3,
    output: 2.5,
    cacheRead: 0.075,
    cacheWrite: 0,
    regionalSurcharge: true,
    lifecycle: 'active',
    effectiveFrom: '2026-06-11',
  },
  {
    name: 'Mistral Large 3',
    ids: ['mistral.mistral-large-3-675b-instruct'],
    input: 0.5,
    output: 1.5,
    cacheRead: 0,
    cacheWrite: 0,
    regionalSurcharge: false,
    lifecycle: 'active',
    effectiveFrom: '2026-06-03',
  },
  {
    name: 'Llama 3.3 70B',
    ids: ['meta.llama3-3-70b-instruct-v1:0'],
    input: 0.72,
    output: 0.72,
    cacheRead: 0,
    cacheWrite: 0,
    regionalSurcharge: false,
    lifecycle: 'unverified',
    effectiveFrom: '2025-01-01',
  },
];

export const REGIONAL_SURCHARGE = 1.1;

/** System inference-profile prefixes; `global.` is the base-price tier. */
const PROFILE_PREFIX = /^(us-gov|us|eu|apac|jp|au|ca|global)\./;

export type PricingTier = 'global' | 'geo-profile' | 'in-region';

export interface ModelPricing {
  modelId: string;
  /** The model id with any inference-profile prefix or ARN wrapper removed. */
  baseModelId: string;
  tier: PricingTier;
  /** USD per 1M tokens, surcharge included. */
  rates: { input: number; output: number; cacheRead: number; cacheWrite: number };
  source: 'table' | 'configuration';
  /** Table name of the model, or "configured prices". */
  name: string;
  lifecycle: ModelLifecycle;
}

/** Thrown at start-up when the model has no price: the message says how to give one. */
export class UnknownModelPriceError extends Error {
  override readonly name = 'UnknownModelPriceError';
}

/** Splits a model id (bare, profile-prefixed, or a foundation-model / inference-profile ARN) into base id and tier. */
export function parseModelId(modelId: string): { baseModelId: string; tier: PricingTier; opaque: boolean } {
  let id = modelId.trim();
  const arn = /^arn:aws[a-z-]*:bedrock:[^:]*:[^:]*:([a-z-]+)\/(.+)$/.exec(id);
  if (arn) {
    const [, resource, rest] = arn;
    // Application inference profiles, provisioned models and custom deployments hide the model behind an opaque id.
    if (resource !== 'foundation-model' && resource !== 'inference-profile')
      return { baseModelId: id, tier: 'in-region', opaque: true };
    id = rest ?? id;
  }
  const prefix = PROFILE_PREFIX.exec(id);
  if (!prefix) return { baseModelId: id, tier: 'in-region', opaque: false };
  return {
    baseModelId: id.slice(prefix[0].length),
    tier: prefix[1] === 'global' ? 'global' : 'geo-profile',
    opaque: false,
  };
}

export function findPriceRow(baseModelId: string): ModelPriceRow | undefined {
  return (
    MODEL_PRICES.find((row) => row.ids.includes(baseModelId)) ??
    MODEL_PRICES.find((row) => row.idPrefix !== undefined && baseModelId.startsWith(row.idPrefix))
  );
}

/**
 * The prices one model id is billed at. Configured prices (BEDROCK_MODEL_PRICES) win over the table and are used
 * as given; table prices get the 10% regional surcharge where it applies. Throws UnknownModelPriceError otherwise.
 */
export function resolveModelPricing(modelId: string, configuredPrices?: ModelPrices): ModelPricing {
  const { baseModelId, tier, opaque } = parseModelId(modelId);
  if (configuredPrices) {
    return {
      modelId,
      baseModelId,
      tier,
      rates: { ...configuredPrices },
      source: 'configuration',
      name: 'configured prices',
      lifecycle: 'unverified',
    };
  }
  const row = opaque ? undefined : findPriceRow(baseModelId);
  if (!row) {
    const known = MODEL_PRICES.filter((r) => r.lifecycle === 'active')
      .map((r) => r.ids[0])
      .join(', ');
    throw new UnknownModelPriceError(
      `No price is known for Bedrock model '${modelId}'${opaque ? ' (an application inference profile or provisioned model ARN hides the model)' : ''}. ` +
        `Set BEDROCK_MODEL_PRICES to its USD prices per 1M tokens, e.g. BEDROCK_MODEL_PRICES='{"input":3,"output":15,"cacheRead":0.3,"cacheWrite":3.75}', ` +
        `or set BEDROCK_MODEL_ID to a priced model (optionally with a us./eu./apac./jp./au./global. prefix): ${known}.`,
    );
  }
  const factor = row.regionalSurcharge && tier !== 'global' ? REGIONAL_SURCHARGE : 1;
  const rates = {
    input: row.input * factor,
    output: row.output * factor,
    cacheRead: row.cacheRead * factor,
    cacheWrite: row.cacheWrite * factor,
  };
  return { modelId, baseModelId, tier, rates, source: 'table', name: row.name, lifecycle: row.lifecycle };
}

/** A start-up warning for a model that Bedrock has retired or will retire (it answers 404 once end-of-life). */
export function lifecycleWarning(pricing: ModelPricing): string | undefined {
  if (pricing.lifecycle !== 'legacy' && pricing.lifecycle !== 'end-of-life') return undefined;
  const state =
    pricing.lifecycle === 'legacy'
      ? 'is Legacy on Bedrock and will reach end of life'
      : 'has reached end of life on Bedrock and answers 404';
  return `Model ${pricing.modelId} (${pricing.name}) ${state}. Set BEDROCK_MODEL_ID to an active model such as global.anthropic.claude-sonnet-4-6.`;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

const PER_TOKEN = 1 / 1_000_000;

/** After the call: all four usage buckets at their own rates (inputTokens counts only the uncached input), to the
 * micro-dollar — the unit the guard's ledger keeps, so a call's cost and its charge are the same number. */
export function actualCostUsd(pricing: ModelPricing, usage: TokenUsage): number {
  const r = pricing.rates;
  return microsToUsd(
    usdToMicros(
      (usage.inputTokens * r.input +
        usage.outputTokens * r.output +
        (usage.cacheReadInputTokens ?? 0) * r.cacheRead +
        (usage.cacheWriteInputTokens ?? 0) * r.cacheWrite) *
        PER_TOKEN,
    ),
  );
}

/** Before the call: the worst case (every estimated input token uncached, the full maxTokens of output). */
export function worstCaseEstimate(
  pricing: ModelPricing,
  estimatedInputTokens: number,
  maxTokens: number,
): { estimatedCostUsd: number; estimatedInputCostUsd: number; estimatedTokens: number } {
  // Rounded up to the micro-dollar: a worst case never under-counts.
  const estimatedInputCostUsd = microsToUsd(usdToMicrosUp(estimatedInputTokens * pricing.rates.input * PER_TOKEN));
  return {
    estimatedInputCostUsd,
    estimatedCostUsd: microsToUsd(
      usdToMicrosUp(estimatedInputCostUsd) + usdToMicrosUp(maxTokens * pricing.rates.output * PER_TOKEN),
    ),
    estimatedTokens: estimatedInputTokens + maxTokens,
  };
}

/**
 * Input tokens, estimated on the high side without a round trip: prompts here are mostly YAML, JSON and release
 * notes, which tokenise denser than prose, so chars/3 (reference/bedrock.md §5.3) plus a per-message allowance.
 */
export function estimateInputTokens(texts: readonly string[], messageCount = 1): number {
  const chars = texts.reduce((n, t) => n + t.length, 0);
  return Math.ceil(chars / 3) + 20 * messageCount;
}
