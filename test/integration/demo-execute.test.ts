// `eks-upgrade demo --execute --external-worker`, as the README tells it: the demo hosts the dev server and the EKS
// simulator and prints the command for a worker; the test runs that command as a separate process, SIGKILLs it
// while the node group updates, starts it again, and the demo finishes on its own: the sample upgraded end to end
// on "simulated EKS" with one update per step.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from './cli-support';

const BIN = join(REPO_ROOT, 'bin', 'eks-upgrade.cjs');

/** The environment assignments of the printed worker command (`A=1 B=2 … npm run worker`). */
function workerEnv(command: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const token of command.trim().split(/\s+/)) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(token);
    if (!match) break;
    env[match[1] ?? ''] = match[2] ?? '';
  }
  return env;
}

void describe('demo --execute with an external worker that is killed and restarted', () => {
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  function startWorker(env: Record<string, string>): ChildProcess {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_')));
    const child = spawn(process.execPath, [BIN, 'worker'], {
      cwd: REPO_ROOT,
      env: { ...clean, ...env },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    children.push(child);
    return child;
  }

  void it('upgrades the sample on simulated EKS end to end, resuming after the worker is SIGKILLed', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const demo = spawn(
      process.execPath,
      [
        BIN,
        'demo',
        '--execute',
        '--external-worker',
        '--no-ai',
        '--port',
        String(port),
        '--eks-port',
        String(port + 77),
      ],
      { cwd: REPO_ROOT, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(demo);
    let stderr = '';
    let stdout = '';
    demo.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    const seen = (pattern: RegExp) => pattern.test(stderr);
    const waitFor = async (pattern: RegExp, timeoutMs: number, what: string) => {
      const deadline = Date.now() + timeoutMs;
      while (!seen(pattern)) {
        if (demo.exitCode !== null) throw new Error(`the demo exited (${demo.exitCode}) before ${what}:\n${stderr}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    demo.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const exited = once(demo, 'exit');

    await waitFor(/npm run worker/, 120_000, 'the worker command');
    const command = /^\s+(TEMPORAL_ADDRESS=\S+ AWS_ENDPOINT_URL_EKS=.*npm run worker)$/m.exec(stderr)?.[1];
    assert.ok(command, `the demo prints the worker command:\n${stderr}`);
    const env = workerEnv(command);
    assert.match(env.AWS_ENDPOINT_URL_EKS ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(!('AWS_ACCESS_KEY_ID' in env) || env.AWS_ACCESS_KEY_ID === 'SIMULATEDEKS', 'placeholder keys only');
    let worker = startWorker(env);
    await waitFor(/general-al2023 updating/, 240_000, 'the node group update');
    const killed = once(worker, 'exit');
    worker.kill('SIGKILL');
    await killed;
    await waitFor(/no worker answers \(killed\?\)/, 60_000, 'the demo to notice the dead worker');
    worker = startWorker(env);
    await waitFor(/a worker answers again/, 120_000, 'the new worker');

    const [code] = (await exited) as [number | null];
    assert.equal(code, 0, stderr);
    assert.match(stderr, /upgrade completed \(simulated EKS\): 5\/5 steps done/);
    assert.match(stderr, /simulated EKS now: cluster 1\.32, node group general-al2023 1\.32, .*; 5 update\(s\)/);
    assert.equal(
      (/5 update\(s\): (.*)$/m.exec(stderr)?.[1] ?? '').split(', ').filter((u) => u.endsWith('Successful')).length,
      5,
    );
    assert.match(stdout, /EKS API: simulated EKS/);
    assert.match(stdout, /NO_GO overridden by demo/);
    worker.kill('SIGTERM');
  });
});
