// The workflow bundle the worker runs holds only deterministic code: the bundler rejects Node built-ins itself,
// but pino and the AWS SDK have browser builds it would silently include, and the eslint rule sees only direct
// imports. This checks the packages really bundled, whatever path pulled them in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { getWorkflowBundle } from '../harness/temporal';

const ALLOWED_PACKAGES = new Set(['@temporalio/common', '@temporalio/workflow', 'long', 'ms', 'nexus-rpc', 'zod']);

async function bundleCode(): Promise<string> {
  const bundle = await getWorkflowBundle();
  return 'code' in bundle ? bundle.code : readFileSync(bundle.codePath, 'utf8');
}

void test('the workflow bundle contains our workflows and no I/O package (pino, AWS SDK, tokenizer…)', async () => {
  const code = await bundleCode();
  const packages = new Set([...code.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].map((m) => m[1] ?? ''));
  const unexpected = [...packages].filter((p) => !ALLOWED_PACKAGES.has(p));
  assert.deepEqual(unexpected, [], `packages bundled into workflow code that should not be: ${unexpected.join(', ')}`);
  assert.ok(packages.has('@temporalio/workflow'), 'the bundle was read (module paths present)');
  for (const workflow of ['bedrockGuardWorkflow', 'upgradeWorkflow'])
    assert.match(code, new RegExp(`\\b${workflow}\\b`));
  const ioModules = [...code.matchAll(/"\.\/src\/(?:activities|worker|client)\/[^"]+"/g)].map((m) => m[0]);
  assert.deepEqual([...new Set(ioModules)], [], 'no activity, worker or client module in workflow code');
});
