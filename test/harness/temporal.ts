// The one way tests reach Temporal: a real dev server, never a mock.
// Order (docs/reference/temporal.md §5.5): TEMPORAL_ADDRESS (an existing server, which is what scripts/run-tests.ts
// hands every test file so the whole run shares one server) → TEMPORAL_CLI_PATH or `temporal` on PATH
// (createLocal with an existing-path executable) → the SDK's cached download (needs internet).
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundleOption } from '@temporalio/worker';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';
import { registerSearchAttributes } from '../../src/worker/search-attributes';
import { loadWorkflowBundle } from '../../src/worker/workflow-bundle';

/** Env vars through which scripts/run-tests.ts passes the workflow bundles of the whole run. */
export const BUNDLE_PATH_ENV = 'EKS_UPGRADE_TEST_WORKFLOW_BUNDLE';
export const TEST_BUNDLE_PATH_ENV = 'EKS_UPGRADE_TEST_ONLY_WORKFLOW_BUNDLE';
export const WORKFLOWS_PATH = require.resolve('../../src/workflows/index.ts');
/** The production workflows plus test-only ones (test/harness/test-workflows.ts). */
export const TEST_WORKFLOWS_PATH = require.resolve('./test-workflows.ts');

/** The `temporal` binary to run, from TEMPORAL_CLI_PATH or PATH; undefined when there is none. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!existsSync(explicit))
      throw new Error(
        `TEMPORAL_CLI_PATH=${explicit} does not exist. Point it at a temporal binary (go install github.com/temporalio/cli/cmd/temporal@v1.5.1) or unset it.`,
      );
    return explicit;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'temporal'))) return join(dir, 'temporal');
  }
  return undefined;
}

let runtimeInstalled = false;
/** Keeps the SDK quiet in tests (warnings and errors only); safe to call more than once. */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

/** Lease holders (permit gates) made by this test process: closed before its connections are (see createTestEnv). */
const openGates = new Set<{ close(timeoutMs?: number): Promise<void> }>();

/** Registers a gate to be closed by the environment's teardown, if the test has not closed it already. */
export function closeWithTestEnv<G extends { close(timeoutMs?: number): Promise<void> }>(gate: G): G {
  openGates.add(gate);
  return gate;
}

/** Connects to (or starts) the Temporal server for this test process. Call teardown() when done. */
export async function createTestEnv(): Promise<TestWorkflowEnvironment> {
  const env = await connectTestEnv();
  // A gate still open would go on syncing over a closed connection: close them all first (their last syncs are
  // abandoned quickly when no worker serves the guard any more).
  const teardown = env.teardown.bind(env);
  env.teardown = async () => {
    const gates = [...openGates];
    openGates.clear();
    await Promise.all(gates.map((g) => g.close(2_000)));
    await teardown();
  };
  return env;
}

async function connectTestEnv(): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  const address = process.env.TEMPORAL_ADDRESS;
  if (address) {
    const env = await TestWorkflowEnvironment.createFromExistingServer({
      address,
      namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    });
    await registerSearchAttributes(env.connection, env.namespace ?? 'default');
    return env;
  }
  const cli = findTemporalCli();
  try {
    return await TestWorkflowEnvironment.createLocal({
      server: {
        searchAttributes: [...ALL_SEARCH_ATTRIBUTES],
        ...(cli ? { executable: { type: 'existing-path' as const, path: cli } } : {}),
      },
    });
  } catch (err) {
    throw new Error(
      `Could not start a Temporal dev server (${(err as Error).message}). Set TEMPORAL_ADDRESS to a running server, ` +
        'or TEMPORAL_CLI_PATH to a temporal binary (go install github.com/temporalio/cli/cmd/temporal@v1.5.1).',
      { cause: err },
    );
  }
}

const bundles = new Map<string, Promise<WorkflowBundleOption>>();
function bundleOnce(workflowsPath: string, pathEnv: string): Promise<WorkflowBundleOption> {
  const path = process.env[pathEnv];
  const built =
    bundles.get(workflowsPath) ??
    (path && existsSync(path)
      ? Promise.resolve({ codePath: path })
      : workflowsPath === WORKFLOWS_PATH
        ? loadWorkflowBundle(workflowsPath).then((loaded) => loaded.bundle)
        : bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') }));
  bundles.set(workflowsPath, built);
  return built;
}

/** The production workflow bundle: the build's (what workers start from) when fresh, else bundled once per process. */
export function getWorkflowBundle(): Promise<WorkflowBundleOption> {
  return bundleOnce(WORKFLOWS_PATH, BUNDLE_PATH_ENV);
}

/** The production workflows plus the test-only ones, built once like the production bundle. */
export function getTestWorkflowBundle(): Promise<WorkflowBundleOption> {
  return bundleOnce(TEST_WORKFLOWS_PATH, TEST_BUNDLE_PATH_ENV);
}

/** A task queue name unique to one test, so tests sharing a server never steal each other's tasks. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}
