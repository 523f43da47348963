// The shared formatters: dollar amounts and Markdown tables read the same in every renderer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatUsd, markdownTable } from '../../src/domain/format';
import { minorOf } from '../../src/domain/versions';

void test('dollars: four decimals under $1, two from $1 up, $0.00 for nothing', () => {
  assert.deepEqual([0, 0.00042, 0.5, 1, 12.345].map(formatUsd), ['$0.00', '$0.0004', '$0.5000', '$1.00', '$12.35']);
});

void test('a Markdown table escapes pipes and folds line breaks inside cells', () => {
  assert.deepEqual(
    markdownTable(
      ['a', 'b'],
      [
        ['x|y', 'two\nlines'],
        [1, undefined],
      ],
    ),
    ['| a | b |', '|---|---|', '| x\\|y | two lines |', '| 1 |  |'],
  );
});

void test('minorOf reads the minor of any version spelling, or says there is none', () => {
  assert.deepEqual(['1.30', 'v1.30.4-eks-a1b2', '1.29.0-eksbuild.1', 'latest', undefined].map(minorOf), [
    '1.30',
    '1.30',
    '1.29',
    undefined,
    undefined,
  ]);
});
