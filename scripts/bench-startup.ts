// Start-up cost of the CLI and the worker (targets from the CLI's start-up budget):
//   1. CLI: CPU time, wall time and peak RSS of `--help` and of a `scan` of the sample manifests, as a ratio to a
//      bare `node -e ''` measured in the same run (targets: --help <= 5x, scan <= 10x, on median CPU time), for
//      the built binary (dist/) and for a checkout without a build (the sources through tsx);
//   2. worker: time from spawn to its "worker started" line against a real dev server, from the prebuilt workflow
//      bundle and without a build (bundling at start).
// `npm run bench` calls both; run alone: node --import tsx scripts/bench-startup.ts
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../bin/build-state.cjs';
import { markdownTable } from '../src/domain/format';
import { createTestEnv, uniqueTaskQueue } from '../test/harness/temporal';
import { ensureBuild } from './build';

const PROBE = join(__dirname, 'bench-probe.cjs');

export interface StartupFigure {
  what: string;
  build: 'dist' | 'sources';
  cpuMs: number;
  wallMs: number;
  maxRssMb: number;
  /** Median CPU time over the bare-node baseline's. */
  ratio: number;
  target?: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** A checkout of this repository without dist/ (sources, bin, package.json; node_modules linked). */
function unbuiltCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eks-upgrade-unbuilt-'));
  for (const name of ['src', 'bin', 'examples', 'package.json', 'tsconfig.json'])
    cpSync(join(ROOT, name), join(dir, name), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

function measure(args: string[], cwd: string, runs: number): { cpuMs: number; wallMs: number; maxRssMb: number } {
  const cpu: number[] = [];
  const wall: number[] = [];
  const rss: number[] = [];
  const probeFile = join(mkdtempSync(join(tmpdir(), 'eks-upgrade-probe-')), 'probe.json');
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['--require', PROBE, ...args], {
      cwd,
      env: { ...process.env, BENCH_PROBE_FILE: probeFile },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0 && r.status !== 3)
      throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
    const probe = JSON.parse(readFileSync(probeFile, 'utf8')) as { cpuMs: number; maxRssKb: number };
    cpu.push(probe.cpuMs);
    rss.push(probe.maxRssKb / 1024);
  }
  rmSync(join(probeFile, '..'), { recursive: true, force: true });
  return { cpuMs: median(cpu), wallMs: median(wall), maxRssMb: median(rss) };
}

export async function runCliStartupBench(runs = 7): Promise<{ baseline: StartupFigure; figures: StartupFigure[] }> {
  await ensureBuild();
  const unbuilt = unbuiltCopy();
  try {
    const bare = measure(['-e', ''], ROOT, runs);
    const baseline: StartupFigure = { what: "node -e ''", build: 'dist', ...bare, ratio: 1 };
    const commands: Array<{ what: string; args: string[]; target: number }> = [
      { what: '--help', args: ['--help'], target: 5 },
      {
        what: 'scan sample (1.32)',
        args: ['scan', '--manifests', 'examples/sample-cluster/manifests', '--target', '1.32'],
        target: 10,
      },
    ];
    const figures: StartupFigure[] = [];
    for (const build of ['dist', 'sources'] as const) {
      const cwd = build === 'dist' ? ROOT : unbuilt;
      for (const c of commands) {
        const m = measure([join(cwd, 'bin', 'eks-upgrade.cjs'), ...c.args], cwd, build === 'dist' ? runs : 3);
        figures.push({ what: c.what, build, ...m, ratio: m.cpuMs / bare.cpuMs, target: c.target });
      }
    }
    return { baseline, figures };
  } finally {
    rmSync(unbuilt, { recursive: true, force: true });
  }
}

export function formatCliStartupBench(result: { baseline: StartupFigure; figures: StartupFigure[] }): string {
  return markdownTable(
    ['command', 'build', 'CPU ms (median)', 'wall ms', 'peak RSS MB', 'CPU vs bare node', 'target'],
    [result.baseline, ...result.figures].map((f) => [
      f.what,
      f.build,
      f.cpuMs.toFixed(0),
      f.wallMs.toFixed(0),
      f.maxRssMb.toFixed(0),
      `${f.ratio.toFixed(1)}x`,
      f.target === undefined
        ? ''
        : f.build === 'sources'
          ? '(no build)'
          : `<= ${f.target}x ${f.ratio <= f.target ? 'met' : 'MISSED'}`,
    ]),
  ).join('\n');
}

/** Spawns `eks-upgrade worker` and resolves with the ms until it logs "worker started"; then stops it. */
async function timeWorkerStart(
  cwd: string,
  address: string,
  namespace: string,
): Promise<{ ms: number; bundle: string }> {
  const started = Date.now();
  const child = spawn(process.execPath, [join(cwd, 'bin', 'eks-upgrade.cjs'), 'worker'], {
    cwd,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      EKS_UPGRADE_TASK_QUEUE: uniqueTaskQueue('bench-worker'),
      EKS_UPGRADE_SHUTDOWN_GRACE_MS: '1000',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not start within 120 s:\n${stderr}`)), 120_000);
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        const line = stderr.split('\n').find((l) => l.includes('"msg":"worker started"'));
        if (line) {
          clearTimeout(timer);
          resolve({
            ms: Date.now() - started,
            bundle: String((JSON.parse(line) as { workflowBundle?: unknown }).workflowBundle),
          });
        }
      });
      void exited.then((code) => reject(new Error(`worker exited ${code} before starting:\n${stderr}`)));
    });
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

export interface WorkerStartupFigures {
  prebuiltMs: number[];
  unbuiltMs: number[];
}

export async function runWorkerStartupBench(runs = 3): Promise<WorkerStartupFigures> {
  await ensureBuild();
  const env = await createTestEnv();
  const unbuilt = unbuiltCopy();
  try {
    const namespace = env.namespace ?? 'default';
    const figures: WorkerStartupFigures = { prebuiltMs: [], unbuiltMs: [] };
    for (let i = 0; i < runs; i++) {
      const prebuilt = await timeWorkerStart(ROOT, env.address, namespace);
      if (prebuilt.bundle !== 'prebuilt')
        throw new Error(`expected the prebuilt bundle, the worker used: ${prebuilt.bundle}`);
      figures.prebuiltMs.push(prebuilt.ms);
      figures.unbuiltMs.push((await timeWorkerStart(unbuilt, env.address, namespace)).ms);
    }
    return figures;
  } finally {
    rmSync(unbuilt, { recursive: true, force: true });
    await env.teardown();
  }
}

export function formatWorkerStartupBench(f: WorkerStartupFigures): string {
  return markdownTable(
    ['worker start-up (spawn to "worker started")', 'median ms', 'runs'],
    [
      ['prebuilt bundle (dist/workflow-bundle.js)', median(f.prebuiltMs), f.prebuiltMs.join(', ')],
      ['no build: sources through tsx, workflows bundled at start', median(f.unbuiltMs), f.unbuiltMs.join(', ')],
    ],
  ).join('\n');
}

if (require.main === module) {
  void (async () => {
    console.log('CLI start-up');
    console.log(formatCliStartupBench(await runCliStartupBench()));
    console.log('\nWorker start-up');
    console.log(formatWorkerStartupBench(await runWorkerStartupBench()));
  })();
}
