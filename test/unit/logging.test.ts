import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/worker/logging';

function captureLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger('debug', sink), lines };
}

void test('log lines are JSON with the structured fields intact', () => {
  const { logger, lines } = captureLogger();
  logger.info(
    { analysisId: 'a-1', processingTimeMs: 812, findingsCount: 3, severityScore: 7 },
    'Text analysis completed',
  );
  const entry = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
  assert.equal(entry.msg, 'Text analysis completed');
  assert.equal(entry.analysisId, 'a-1');
  assert.equal(entry.findingsCount, 3);
  assert.equal(entry.service, 'eks-upgrade');
});

void test('credentials are redacted by configuration, at the top level and nested', () => {
  const { logger, lines } = captureLogger();
  const planted = {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    request: { headers: { authorization: 'Bearer eyJhbGciOi.planted.token' } },
    credentials: { sessionToken: 'FwoGZXIvYXdzEXAMPLESESSION' },
    secret: { stringData: { password: 'hunter2-planted' } },
    apiKey: 'sk-planted-api-key',
  };
  logger.warn(planted, 'calling AWS');
  const out = lines.join('\n');
  for (const value of [
    'AKIAIOSFODNN7EXAMPLE',
    'wJalrXUtnFEMI',
    'eyJhbGciOi',
    'FwoGZXIvYXdz',
    'hunter2-planted',
    'sk-planted-api-key',
  ]) {
    assert.ok(!out.includes(value), `${value} leaked into a log line: ${out}`);
  }
  assert.match(out, /\[REDACTED\]/);
});
