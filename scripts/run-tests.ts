// The test runner behind `npm test` (after lint and type-check): brings dist/ up to date (the compiled CLI the
// tests run as users do, and the production workflow bundle the worker starts from), starts or finds ONE Temporal
// dev server, bundles the test-only workflows once, then runs every test file with node's test runner against
// them, and ends with a "N passed, N failed" line. Arguments, if any, replace the default file globs.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { BUNDLE_PATH_ENV, createTestEnv, TEST_BUNDLE_PATH_ENV, TEST_WORKFLOWS_PATH } from '../test/harness/temporal';
import { WORKFLOW_BUNDLE_FILE } from '../bin/build-state.cjs';
import { ensureBuild } from './build';
import { prepareReferenceData } from '../test/harness/reference-data';

async function main(): Promise<number> {
  await ensureBuild((line) => console.error(line));
  // Real release notes for the tests that read them: a failed download is said here, and those tests then fail
  // naming what to set; the rest still run.
  await prepareReferenceData().then(
    (origin) => console.error(`[run-tests] reference data: ${origin}`),
    (err: unknown) => console.error(`[run-tests] ERROR: ${err instanceof Error ? err.message : String(err)}`),
  );
  const work = mkdtempSync(join(tmpdir(), 'eks-upgrade-test-'));
  const started = Date.now();
  const env = await createTestEnv();
  console.error(`[run-tests] Temporal server at ${env.address} (${Date.now() - started} ms)`);
  try {
    const bundle = async (workflowsPath: string, file: string): Promise<string> => {
      const t0 = Date.now();
      const { code } = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
      writeFileSync(join(work, file), code);
      console.error(`[run-tests] ${file} ${(code.length / 1024).toFixed(0)} KiB in ${Date.now() - t0} ms`);
      return join(work, file);
    };
    const bundlePath = WORKFLOW_BUNDLE_FILE;
    const testBundlePath = await bundle(TEST_WORKFLOWS_PATH, 'test-workflow-bundle.js');

    const tapPath = join(work, 'results.tap');
    const files = process.argv.slice(2);
    const args = [
      '--import',
      'tsx',
      '--test',
      `--test-concurrency=${process.env.TEST_CONCURRENCY ?? '3'}`,
      '--test-timeout=600000',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tapPath}`,
      ...(files.length > 0 ? files : ['test/**/*.test.ts']),
    ];
    const exitCode = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, args, {
        stdio: 'inherit',
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: env.address,
          TEMPORAL_NAMESPACE: env.namespace ?? 'default',
          [BUNDLE_PATH_ENV]: bundlePath,
          [TEST_BUNDLE_PATH_ENV]: testBundlePath,
        },
      });
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });

    const tap = readFileSync(tapPath, 'utf8');
    const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
    const [passed, failed, skipped, cancelled] = [count('pass'), count('fail'), count('skipped'), count('cancelled')];
    console.log(`\n${passed} passed, ${failed + cancelled} failed, ${skipped} skipped`);
    if (passed + failed + cancelled === 0) return 1;
    return failed + cancelled > 0 ? 1 : exitCode;
  } finally {
    await env.teardown();
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
