// Cost to the cent through the whole path (real SDK, fake Bedrock, analysis activity, permit gate): four token
// buckets at the model's own rates, cross-Region profile surcharges, and the worst-case estimate asked before.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analysisToolInput,
  startBedrockFake,
  toolUseReply,
  type BedrockFake,
  type FakeUsage,
} from '../fakes/bedrock-fake';
import { analysisSetup, CONTEXT } from './bedrock-support';

const EXTRACT = { targetVersion: '1.32', source: 'test', entries: [], fullTokens: 0, extractTokens: 0 };

interface CostCase {
  modelId: string;
  usage: Required<FakeUsage>;
  /** Worked out by hand from reference/bedrock.md §4 ($ per 1M: input, output, cache read, cache write). */
  expectedUsd: number;
  why: string;
  outputRate: number;
}

const CASES: CostCase[] = [
  {
    modelId: 'global.anthropic.claude-sonnet-4-6',
    usage: {
      inputTokens: 400_000,
      outputTokens: 60_000,
      cacheReadInputTokens: 1_000_000,
      cacheWriteInputTokens: 200_000,
    },
    expectedUsd: 3.15,
    why: '0.4M×3 + 0.06M×15 + 1M×0.30 + 0.2M×3.75 = 1.20 + 0.90 + 0.30 + 0.75 (global = base price)',
    outputRate: 15,
  },
  {
    modelId: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
    usage: {
      inputTokens: 500_000,
      outputTokens: 100_000,
      cacheReadInputTokens: 2_000_000,
      cacheWriteInputTokens: 300_000,
    },
    expectedUsd: 1.7325,
    why: 'geo profile +10%: 0.5M×1.10 + 0.1M×5.50 + 2M×0.11 + 0.3M×1.375 = 0.55 + 0.55 + 0.22 + 0.4125',
    outputRate: 5.5,
  },
  {
    modelId: 'eu.anthropic.claude-opus-4-5-20251101-v1:0',
    usage: { inputTokens: 100_000, outputTokens: 40_000, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
    expectedUsd: 1.65,
    why: 'geo profile +10%: 0.1M×5.50 + 0.04M×27.50',
    outputRate: 27.5,
  },
  {
    modelId: 'amazon.nova-pro-v1:0',
    usage: { inputTokens: 1_000_000, outputTokens: 250_000, cacheReadInputTokens: 400_000, cacheWriteInputTokens: 0 },
    expectedUsd: 1.68,
    why: 'Nova v1 has no regional surcharge: 1M×0.80 + 0.25M×3.20 + 0.4M×0.20',
    outputRate: 3.2,
  },
  {
    modelId: 'us.anthropic.claude-sonnet-4-20250514-v1:0',
    usage: { inputTokens: 10_000, outputTokens: 2_000, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
    expectedUsd: 0.06,
    why: 'before the 4.5 generation cross-Region costs the same: 0.01M×3 + 0.002M×15',
    outputRate: 15,
  },
];

void describe('cost to the cent over the wire', () => {
  let fake: BedrockFake;
  before(async () => {
    fake = await startBedrockFake();
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  for (const c of CASES) {
    void test(`${c.modelId}: $${c.expectedUsd} (${c.why})`, async () => {
      const { activities, gate } = analysisSetup(fake, { BEDROCK_MODEL_ID: c.modelId, BEDROCK_MAX_TOKENS: '2000' });
      fake.enqueue(toolUseReply(analysisToolInput(), c.usage));
      const result = await activities.analyzeReleaseNotes({ context: CONTEXT, extract: EXTRACT });
      assert.equal(fake.calls[0]?.modelId, c.modelId);
      assert.equal(result.costUsd.toFixed(2), c.expectedUsd.toFixed(2));
      assert.ok(Math.abs(result.costUsd - c.expectedUsd) < 1e-9, `${result.costUsd} vs ${c.expectedUsd}`);
      const settled = gate.settlements[0];
      assert.ok(settled?.ok);
      assert.equal(settled.actualCostUsd, result.costUsd);
      assert.equal(
        settled.inputTokens,
        c.usage.inputTokens + c.usage.cacheReadInputTokens + c.usage.cacheWriteInputTokens,
        'all input buckets count',
      );
      assert.equal(settled.outputTokens, c.usage.outputTokens);

      // Before the call: estimated input at the input price + the full maxTokens at the output price.
      const asked = gate.requests[0];
      assert.ok(asked);
      assert.ok(Math.abs(asked.estimatedCostUsd - (asked.estimatedInputCostUsd + (2000 * c.outputRate) / 1e6)) < 1e-8);
      assert.equal(asked.estimatedTokens - 2000 > 0, true);
      assert.equal(asked.modelId, c.modelId);
    });
  }

  void test('the worst-case estimate covers a real-sized prompt: input estimated at chars/3 or more', async () => {
    const { activities, gate } = analysisSetup(fake);
    fake.enqueue(toolUseReply(analysisToolInput()));
    const entries = Array.from({ length: 200 }, (_, i) => ({
      category: 'removal' as const,
      section: 'API Change',
      text: `Entry ${i}: the v1beta${i % 3} API of group example${i}.k8s.io is removed; migrate to v1.`,
      sigs: ['api-machinery'],
    }));
    await activities.analyzeReleaseNotes({ context: CONTEXT, extract: { ...EXTRACT, entries } });
    const sentChars = fake.calls[0]?.rawBody.length ?? 0;
    const asked = gate.requests[0];
    assert.ok(
      asked && asked.estimatedTokens - 4096 >= sentChars / 3.2,
      `estimated ${asked?.estimatedTokens} for ${sentChars} chars`,
    );
  });
});
