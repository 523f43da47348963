// `eks-upgrade cost`: its Markdown never carries a bare `$` pair (renderers with math support read it as TeX), and a
// daily limit below one call's worst case is refused before anything changes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildGuardPatch, checkDailyLimit, renderGuardSummary } from '../../src/client/commands/cost';
import { loadConfig } from '../../src/domain/config';
import { emptyLedger, summarize } from '../../src/domain/guard-ledger';
import { ask, LIMITS, settled, T0, want } from './guard-support';

void test('the summary in Markdown escapes every $, the text keeps it plain', () => {
  const state = emptyLedger(LIMITS, T0);
  const a = ask(state, 'worker-1', T0, { want: [want('a', 120_000), want('b', 50_000)] });
  ask(state, 'worker-1', T0 + 1, { settled: [settled(a.permits[0]?.id ?? '', 'a', 12_345)] });
  const s = summarize(state, T0 + 1);
  const md = renderGuardSummary(s, 'md');
  assert.match(md, /spent \\\$0\.0123 \+ reserved \\\$0\.00 \+ leased \\\$0\.0500 of \\\$1\.00/);
  assert.doesNotMatch(md.replace(/\\\$/g, ''), /\$/, 'no unescaped $ left');
  assert.match(md, /worker-1: 1 permits, 0 calls in flight/);
  assert.match(renderGuardSummary(s, 'text'), /spent \$0\.0123 \+ reserved \$0\.00 \+ leased \$0\.0500 of \$1\.00/);
});

void test('--set-daily-limit below one call of BEDROCK_MAX_TOKENS output is a usage error naming the floor', () => {
  const config = loadConfig({ BEDROCK_MAX_TOKENS: '1000' });
  assert.throws(
    () => checkDailyLimit(buildGuardPatch({ setDailyLimit: '0.01' }), config),
    /--set-daily-limit|USD 0\.0100 is below what one call can cost \(USD 0\.0150: up to 1000 output tokens/,
  );
  assert.doesNotThrow(() => checkDailyLimit(buildGuardPatch({ setDailyLimit: '0.015' }), config));
  assert.doesNotThrow(() => checkDailyLimit(buildGuardPatch({ setRpm: '10' }), config));
});
