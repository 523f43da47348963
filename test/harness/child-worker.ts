// Starting, stopping and killing the child-process workers of test/harness/worker-process.ts from a test.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import type { LeaseHolder } from '../../src/activities/guard-lease';

const WORKER_SCRIPT = resolve(__dirname, 'worker-process.ts');

export interface ChildWorkerEnv {
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE?: string;
  UPGRADE_TEST_TASK_QUEUE: string;
  UPGRADE_TEST_GUARD_ID: string;
  UPGRADE_TEST_BEDROCK_URL: string;
  UPGRADE_TEST_GUARD_LIMITS?: string;
}

export type LeaseStats = LeaseHolder['stats'];

export interface ChildWorker {
  readonly process: ChildProcess;
  /** Everything it wrote to stderr (its logs), for failure messages. */
  stderr(): string;
  /** SIGTERM: it drains, gives its lease back and reports its lease holder's statistics. */
  stop(): Promise<LeaseStats>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
}

export function startChildWorker(env: ChildWorkerEnv, readyWithinMs = 120_000): Promise<ChildWorker> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_SCRIPT], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString('utf8')).slice(-20_000)));
  const worker: ChildWorker = {
    process: child,
    stderr: () => err,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      const line = out.split('\n').find((l) => l.startsWith('worker-stats '));
      if (!line) throw new Error(`child worker ${child.pid} reported no stats (exit ${child.exitCode}):\n${err}`);
      return JSON.parse(line.slice('worker-stats '.length)) as LeaseStats;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
  return new Promise((resolveReady, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`child worker not ready within ${readyWithinMs} ms:\n${err}`)),
      readyWithinMs,
    );
    const onData = () => {
      if (!out.includes('worker-ready')) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      resolveReady(worker);
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`child worker exited early with code ${String(code)}:\n${err}`));
    };
    child.stdout.on('data', onData);
    child.once('exit', onExit);
  });
}
