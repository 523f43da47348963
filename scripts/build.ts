// `npm run build` (also run by `npm ci`/`npm install` through `prepare`): compiles src/ to dist/ (CommonJS, one
// file per source, so each command still loads only what it imports) and bundles the workflow code once into
// dist/workflow-bundle.js, which the worker starts from. esbuild only transpiles (type-checking is `npm run
// typecheck`'s job), so the whole build takes seconds. A new dist/ is written beside the old one and swapped in,
// so a CLI or worker starting meanwhile sees the old build or the new one, never half of one.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build as esbuild } from 'esbuild';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { checkNode } from '../bin/check-node.cjs';
import { buildState, DIST_DIR, ROOT, sourceFiles } from '../bin/build-state.cjs';

export interface BuildResult {
  files: number;
  workflowBundleBytes: number;
  compileMs: number;
  bundleMs: number;
}

/** Builds dist/ from the sources, whatever state it is in. */
export async function build(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<BuildResult> {
  const builtAt = Date.now(); // before reading any source: an edit made during the build leaves it stale
  const sources = sourceFiles(ROOT) ?? [];
  const next = `${DIST_DIR}.${process.pid}.tmp`;
  rmSync(next, { recursive: true, force: true });
  mkdirSync(next, { recursive: true });
  try {
    const t0 = Date.now();
    await esbuild({
      entryPoints: sources.filter((f) => f.path.endsWith('.ts')).map((f) => f.path),
      outdir: next,
      outbase: join(ROOT, 'src'),
      format: 'cjs',
      platform: 'node',
      target: 'node22',
      logLevel: 'warning',
    });
    const compileMs = Date.now() - t0;
    const t1 = Date.now();
    const { code } = await bundleWorkflowCode({
      workflowsPath: join(ROOT, 'src', 'workflows', 'index.ts'),
      logger: new DefaultLogger('WARN'),
    });
    writeFileSync(join(next, 'workflow-bundle.js'), code);
    const bundleMs = Date.now() - t1;
    writeFileSync(
      join(next, 'build-stamp.json'),
      `${JSON.stringify({ builtAt, sources: sources.length, node: process.version }, null, 2)}\n`,
    );
    rmSync(DIST_DIR, { recursive: true, force: true });
    renameSync(next, DIST_DIR);
    const result = { files: sources.length, workflowBundleBytes: code.length, compileMs, bundleMs };
    log(
      `[build] ${relative(process.cwd(), DIST_DIR) || DIST_DIR}: ${result.files} sources compiled in ${compileMs} ms, ` +
        `workflow bundle ${(code.length / 1024).toFixed(0)} KiB in ${bundleMs} ms`,
    );
    return result;
  } finally {
    rmSync(next, { recursive: true, force: true });
  }
}

/** Builds only when dist/ is missing or older than the sources; says why when it builds. */
export async function ensureBuild(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<void> {
  const state = buildState(ROOT);
  if (state.fresh) return;
  log(`[build] ${state.reason}: building`);
  await build(log);
}

if (require.main === module) {
  checkNode();
  build().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`[build] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
