'use strict';
// Whether dist/ (the compiled CLI and worker, and the prebuilt workflow bundle) matches the sources. Plain
// CommonJS with no dependencies: the binary asks this before it knows whether it can load anything compiled.
// Fresh means: dist/build-stamp.json exists, no file under src/ nor package.json / package-lock.json changed
// after the build started, and src/ holds as many files as it did then. An install without src/ (an image that
// ships dist/ alone) is fresh by definition.
const { readdirSync, readFileSync, statSync, existsSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const DIST_DIR = join(ROOT, 'dist');
const STAMP_FILE = join(DIST_DIR, 'build-stamp.json');
const WORKFLOW_BUNDLE_FILE = join(DIST_DIR, 'workflow-bundle.js');

/** Every file under src/ with its modification time (ms). */
function sourceFiles(root = ROOT) {
  const src = join(root, 'src');
  if (!existsSync(src)) return undefined;
  const files = [];
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.push({ path, mtimeMs: statSync(path).mtimeMs });
  }
  return files;
}

function readStamp(root = ROOT) {
  try {
    return JSON.parse(readFileSync(join(root, 'dist', 'build-stamp.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** { fresh: true } or { fresh: false, reason } (the reason names what changed, for logs and `npm run build`). */
function buildState(root = ROOT) {
  const stamp = readStamp(root);
  if (!stamp || typeof stamp.builtAt !== 'number') return { fresh: false, reason: 'dist/ has not been built' };
  const files = sourceFiles(root);
  if (!files) return { fresh: true };
  if (files.length !== stamp.sources)
    return { fresh: false, reason: `src/ has ${files.length} files, the build had ${stamp.sources}` };
  for (const name of ['package.json', 'package-lock.json']) {
    const path = join(root, name);
    if (existsSync(path)) files.push({ path, mtimeMs: statSync(path).mtimeMs });
  }
  const changed = files.find((f) => f.mtimeMs > stamp.builtAt);
  return changed ? { fresh: false, reason: `${changed.path} changed after the build` } : { fresh: true };
}

module.exports = { ROOT, DIST_DIR, STAMP_FILE, WORKFLOW_BUNDLE_FILE, buildState, sourceFiles };
