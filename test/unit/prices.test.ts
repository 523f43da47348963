// Model prices: profile prefixes and ARNs resolve to the base model, the 10% regional surcharge applies only to the
// 4.5+ generation outside `global.`, configured prices win, unknown models are refused (never a silent $0).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  actualCostUsd,
  estimateInputTokens,
  lifecycleWarning,
  MODEL_PRICES,
  parseModelId,
  resolveModelPricing,
  UnknownModelPriceError,
  worstCaseEstimate,
} from '../../src/domain/prices';
import { DEFAULT_BEDROCK_MODEL_ID, loadConfig } from '../../src/domain/config';

void test('every inference-profile prefix resolves to the base model and its tier', () => {
  const base = 'anthropic.claude-haiku-4-5-20251001-v1:0';
  for (const prefix of ['us', 'eu', 'apac', 'jp', 'au', 'ca', 'us-gov']) {
    assert.deepEqual(
      parseModelId(`${prefix}.${base}`),
      { baseModelId: base, tier: 'geo-profile', opaque: false },
      prefix,
    );
  }
  assert.deepEqual(parseModelId(`global.${base}`), { baseModelId: base, tier: 'global', opaque: false });
  assert.deepEqual(parseModelId(base), { baseModelId: base, tier: 'in-region', opaque: false });
  assert.deepEqual(parseModelId(`arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.${base}`), {
    baseModelId: base,
    tier: 'geo-profile',
    opaque: false,
  });
  assert.deepEqual(parseModelId(`arn:aws:bedrock:us-east-1::foundation-model/${base}`), {
    baseModelId: base,
    tier: 'in-region',
    opaque: false,
  });
  assert.equal(
    parseModelId('arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123').opaque,
    true,
  );
});

void test('the 4.5+ generation costs 10% more in-Region and on geo profiles than on global', () => {
  const global = resolveModelPricing('global.anthropic.claude-sonnet-4-6');
  const us = resolveModelPricing('us.anthropic.claude-sonnet-4-6');
  const inRegion = resolveModelPricing('anthropic.claude-sonnet-4-6');
  assert.deepEqual(global.rates, { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 });
  for (const p of [us, inRegion]) {
    assert.ok(
      Math.abs(p.rates.input - 3.3) < 1e-12 &&
        Math.abs(p.rates.output - 16.5) < 1e-12 &&
        Math.abs(p.rates.cacheWrite - 4.125) < 1e-12 &&
        Math.abs(p.rates.cacheRead - 0.33) < 1e-12,
    );
  }
});

void test('older models and Nova v1 have no cross-Region surcharge', () => {
  assert.deepEqual(resolveModelPricing('us.anthropic.claude-opus-4-1-20250805-v1:0').rates, {
    input: 15,
    output: 75,
    cacheRead: 1.5,
    cacheWrite: 18.75,
  });
  assert.deepEqual(resolveModelPricing('us.amazon.nova-lite-v1:0').rates, {
    input: 0.06,
    output: 0.24,
    cacheRead: 0.015,
    cacheWrite: 0,
  });
});

void test('the retired Claude 3 Sonnet keeps its $3/$15 (= $0.003/$0.015 per 1K) for reference, marked end-of-life', () => {
  const p = resolveModelPricing('anthropic.claude-3-sonnet-20240229-v1:0');
  assert.equal(p.lifecycle, 'end-of-life');
  assert.equal(actualCostUsd(p, { inputTokens: 1000, outputTokens: 1000 }), 0.018);
});

void test('the default model has a price and is active', () => {
  const p = resolveModelPricing(loadConfig({}).bedrock.modelId);
  assert.equal(p.baseModelId, 'anthropic.claude-sonnet-4-6');
  assert.equal(p.lifecycle, 'active');
  assert.equal(DEFAULT_BEDROCK_MODEL_ID, 'global.anthropic.claude-sonnet-4-6');
});

void test('an unknown model is a start-up error that says how to fix it, never a silent $0', () => {
  assert.throws(
    () => resolveModelPricing('us.acme.brand-new-model-v1:0'),
    (err: unknown) => {
      assert.ok(err instanceof UnknownModelPriceError);
      assert.match(err.message, /us\.acme\.brand-new-model-v1:0/);
      assert.match(err.message, /BEDROCK_MODEL_PRICES='\{"input"/);
      assert.match(err.message, /BEDROCK_MODEL_ID/);
      return true;
    },
  );
  assert.throws(
    () => resolveModelPricing('arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123'),
    /application inference profile/,
  );
});

void test('configured prices (BEDROCK_MODEL_PRICES) price an unknown model and override the table', () => {
  const config = loadConfig({ BEDROCK_MODEL_ID: 'acme.new-model', BEDROCK_MODEL_PRICES: '{"input":2,"output":8}' });
  const p = resolveModelPricing(config.bedrock.modelId, config.bedrock.modelPrices);
  assert.equal(p.source, 'configuration');
  assert.deepEqual(p.rates, { input: 2, output: 8, cacheRead: 0, cacheWrite: 0 });
  assert.equal(
    resolveModelPricing('global.anthropic.claude-sonnet-4-6', { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 })
      .rates.output,
    1,
  );
});

void test('actual cost prices all four buckets; the worst-case estimate is input estimate + maxTokens of output', () => {
  const p = resolveModelPricing('global.anthropic.claude-haiku-4-5-20251001-v1:0');
  assert.equal(
    actualCostUsd(p, {
      inputTokens: 1_000_000,
      outputTokens: 1_000_000,
      cacheReadInputTokens: 1_000_000,
      cacheWriteInputTokens: 1_000_000,
    }),
    1 + 5 + 0.1 + 1.25,
  );
  assert.deepEqual(worstCaseEstimate(p, 10_000, 4096), {
    estimatedInputCostUsd: 0.01,
    estimatedCostUsd: 0.03048,
    estimatedTokens: 14_096,
  });
});

void test('input tokens are estimated on the high side: chars/3 plus 20 per message', () => {
  assert.equal(estimateInputTokens(['a'.repeat(3000)], 1), 1020);
  assert.equal(estimateInputTokens(['abc', 'de'], 3), 2 + 60);
});

void test('every price row is complete and dated', () => {
  for (const row of MODEL_PRICES) {
    assert.ok(row.ids.length > 0 && row.input > 0 && row.output > 0, row.name);
    assert.match(row.effectiveFrom, /^\d{4}-\d{2}-\d{2}$/);
  }
});

void test('a retired or Legacy model gets a start-up warning naming the variable to change; active ones none', () => {
  assert.match(
    lifecycleWarning(resolveModelPricing('anthropic.claude-3-sonnet-20240229-v1:0')) ?? '',
    /end of life.*Set BEDROCK_MODEL_ID/,
  );
  assert.match(lifecycleWarning(resolveModelPricing('us.anthropic.claude-opus-4-1-20250805-v1:0')) ?? '', /Legacy/);
  assert.equal(lifecycleWarning(resolveModelPricing('global.anthropic.claude-sonnet-4-6')), undefined);
});
