import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, DEFAULT_BEDROCK_MODEL_ID, loadConfig } from '../../src/domain/config';

void test('defaults: 60 requests/min, $100/day, temperature 0.1, a current model', () => {
  const cfg = loadConfig({});
  assert.equal(cfg.bedrock.modelId, DEFAULT_BEDROCK_MODEL_ID);
  assert.equal(cfg.bedrock.maxTokens, 4096);
  assert.deepEqual(cfg.bedrock.sampling, { temperature: 0.1 });
  assert.equal(cfg.guard.maxRequestsPerWindow, 60);
  assert.equal(cfg.guard.windowMs, 60_000);
  assert.equal(cfg.guard.dailyCostLimitUsd, 100);
  assert.equal(cfg.guard.maxTokensPerWindow, undefined);
  assert.equal(cfg.awsRegion, 'us-east-1');
});

void test('values from the environment are parsed and typed', () => {
  const cfg = loadConfig({
    BEDROCK_MODEL_ID: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
    BEDROCK_MAX_TOKENS: '2048',
    BEDROCK_TOP_P: '0.9',
    BEDROCK_MAX_REQUESTS_PER_MINUTE: '30',
    BEDROCK_MAX_TOKENS_PER_MINUTE: '200000',
    BEDROCK_DAILY_COST_LIMIT_USD: '12.5',
    BEDROCK_MODEL_PRICES: '{"input":1,"output":5}',
    AWS_REGION: 'eu-west-1',
    LOG_LEVEL: 'WARN',
  });
  assert.equal(cfg.bedrock.maxTokens, 2048);
  assert.deepEqual(cfg.bedrock.sampling, { topP: 0.9 }, 'only topP is sent when topP is configured');
  assert.equal(cfg.guard.maxRequestsPerWindow, 30);
  assert.equal(cfg.guard.maxTokensPerWindow, 200_000);
  assert.equal(cfg.guard.dailyCostLimitUsd, 12.5);
  assert.deepEqual(cfg.bedrock.modelPrices, { input: 1, output: 5, cacheRead: 0, cacheWrite: 0 });
  assert.equal(cfg.awsRegion, 'eu-west-1');
  assert.equal(cfg.logLevel, 'warn');
});

void test('blank values count as unset', () => {
  assert.equal(loadConfig({ BEDROCK_MAX_TOKENS: '  ' }).bedrock.maxTokens, 4096);
});

const badValues: Array<[string, string, RegExp]> = [
  ['BEDROCK_MAX_TOKENS', 'lots', /BEDROCK_MAX_TOKENS='lots': expected an integer from 1 to 200000/],
  ['BEDROCK_MAX_TOKENS', '12.5', /BEDROCK_MAX_TOKENS='12.5': expected an integer/],
  ['BEDROCK_TEMPERATURE', '1.5', /BEDROCK_TEMPERATURE='1.5': expected a number from 0 to 1/],
  ['BEDROCK_MAX_REQUESTS_PER_MINUTE', '0', /BEDROCK_MAX_REQUESTS_PER_MINUTE='0': expected an integer from 1/],
  ['BEDROCK_DAILY_COST_LIMIT_USD', '-3', /BEDROCK_DAILY_COST_LIMIT_USD='-3': expected a dollar amount/],
  ['BEDROCK_MODEL_PRICES', '{input:3}', /BEDROCK_MODEL_PRICES='\{input:3\}': expected JSON/],
  ['LOG_LEVEL', 'loud', /LOG_LEVEL='loud': expected one of trace/],
];
for (const [name, value, expected] of badValues) {
  void test(`an invalid ${name}=${value} fails naming the variable, the value and what is allowed`, () => {
    assert.throws(
      () => loadConfig({ [name]: value }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, expected);
        return true;
      },
    );
  });
}

void test('temperature and topP together are refused: newer models reject requests carrying both', () => {
  assert.throws(() => loadConfig({ BEDROCK_TEMPERATURE: '0.2', BEDROCK_TOP_P: '0.9' }), /BEDROCK_TOP_P=.*not both/);
});

void test('every bad variable is reported at once', () => {
  assert.throws(
    () => loadConfig({ BEDROCK_MAX_TOKENS: 'x', BEDROCK_TEMPERATURE: 'y' }),
    (err: Error) => {
      assert.match(err.message, /BEDROCK_MAX_TOKENS/);
      assert.match(err.message, /BEDROCK_TEMPERATURE/);
      return true;
    },
  );
});
