// A local Temporal dev server with its Web UI, for `npm run demo`: the `temporal` CLI from TEMPORAL_CLI_PATH, PATH
// or $(go env GOPATH)/bin when there is one (started by us, with our search attributes registered), otherwise the
// SDK's cached download through @temporalio/testing (needs internet the first time).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { devServerSearchAttributeArgs } from '../worker/search-attributes';

export interface DevServer {
  address: string;
  namespace: string;
  uiUrl: string;
  /** Where the server came from, for the banner. */
  origin: string;
  stop(): Promise<void>;
}

/** The `temporal` binary: TEMPORAL_CLI_PATH, then PATH, then $(go env GOPATH)/bin; undefined when none. */
export function findTemporalBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TEMPORAL_CLI_PATH) {
    if (!existsSync(env.TEMPORAL_CLI_PATH))
      throw new Error(
        `TEMPORAL_CLI_PATH=${env.TEMPORAL_CLI_PATH} does not exist: point it at a temporal binary or unset it.`,
      );
    return env.TEMPORAL_CLI_PATH;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'temporal'))) return join(dir, 'temporal');
  }
  try {
    const gopath = execFileSync('go', ['env', 'GOPATH'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
    const candidate = join(gopath, 'bin', 'temporal');
    if (gopath && existsSync(candidate)) return candidate;
  } catch {
    // no Go toolchain: fall through to the SDK download
  }
  return undefined;
}

/** True when nothing listens on 127.0.0.1:port. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function randomFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** 7233/8233 when both are free (the addresses every doc uses), otherwise a free pair. */
export async function choosePorts(preferred = 7233): Promise<{ port: number; uiPort: number }> {
  if ((await portIsFree(preferred)) && (await portIsFree(preferred + 1000)))
    return { port: preferred, uiPort: preferred + 1000 };
  for (let i = 0; i < 20; i++) {
    const port = await randomFreePort();
    if (port + 1000 < 65536 && (await portIsFree(port + 1000))) return { port, uiPort: port + 1000 };
  }
  throw new Error('could not find two free ports for the dev server and its Web UI');
}

async function waitUntilReachable(
  address: string,
  child: ChildProcess,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the dev server exited with code ${child.exitCode}: ${output().trim().slice(-2000)}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: '1s' });
      try {
        await connection.healthService.check({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = (err as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `the dev server at ${address} did not answer within ${timeoutMs / 1000}s (${lastError}): ${output().trim().slice(-2000)}`,
  );
}

/** Starts `temporal server start-dev` with the Web UI and our search attributes; in-memory unless dbFile is given. */
export async function startDevServer(
  options: {
    namespace?: string;
    port?: number;
    dbFile?: string;
    env?: NodeJS.ProcessEnv;
    startupTimeoutMs?: number;
  } = {},
): Promise<DevServer> {
  const namespace = options.namespace ?? 'default';
  const { port, uiPort } = await choosePorts(options.port);
  const address = `127.0.0.1:${port}`;
  const uiUrl = `http://localhost:${uiPort}`;
  const binary = findTemporalBinary(options.env);

  if (!binary) {
    // The SDK downloads the same CLI (cached under the OS temp dir) and runs it with the UI on.
    let env: TestWorkflowEnvironment;
    try {
      env = await TestWorkflowEnvironment.createLocal({
        server: { ip: '127.0.0.1', port, ui: true, uiPort, namespace, searchAttributes: [...ALL_SEARCH_ATTRIBUTES] },
      });
    } catch (err) {
      throw new Error(
        `no temporal binary found (TEMPORAL_CLI_PATH, PATH, $(go env GOPATH)/bin) and the Temporal SDK could not download one: ${(err as Error).message}\n` +
          'Install the Temporal CLI (brew install temporal, https://temporal.download, or go install github.com/temporalio/cli/cmd/temporal@v1.5.1) and run the demo again, or set TEMPORAL_CLI_PATH.',
        { cause: err },
      );
    }
    return {
      address: env.address,
      namespace,
      uiUrl,
      origin: 'temporal CLI downloaded by the Temporal SDK',
      stop: () => env.teardown(),
    };
  }

  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--namespace',
    namespace,
    '--log-level',
    'error',
    ...devServerSearchAttributeArgs(),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // Never leave an orphan server behind, whatever way this process ends.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  try {
    await waitUntilReachable(address, child, options.startupTimeoutMs ?? 60_000, () => output);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    address,
    namespace,
    uiUrl,
    origin: binary,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
