// The worker's liveness file (docker-compose.yml's healthcheck): written while running, removed when stopped.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { keepHealthFile } from '../../src/worker/health';
import { loadWorkerEnv } from '../../src/worker/worker-env';

void test('the liveness file exists while the worker runs and is gone once it stops', () => {
  const dir = mkdtempSync(join(tmpdir(), 'worker-health-'));
  try {
    const file = join(dir, 'alive');
    const stop = keepHealthFile(file, () => true);
    assert.match(readFileSync(file, 'utf8'), /^\d{4}-\d\d-\d\dT/);
    stop();
    assert.equal(existsSync(file), false);
    assert.equal(loadWorkerEnv({ EKS_UPGRADE_HEALTH_FILE: file }).healthFile, file);
    assert.equal(loadWorkerEnv({ EKS_UPGRADE_HEALTH_FILE: ' ' }).healthFile, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
