#!/usr/bin/env node
'use strict';
// The `eks-upgrade` binary. It runs the compiled CLI in dist/ (built by `npm ci` through `prepare`, or by
// `npm run build`) when that build matches the sources, and otherwise the TypeScript sources themselves through
// tsx, which is correct but pays the TypeScript loader's start-up on every run. Both are the same code: dist/
// is only src/ transpiled, file for file.
require('./check-node.cjs').checkNode();
const { buildState } = require('./build-state.cjs');

if (buildState().fresh) {
  // V8's code cache (kept under the OS temp dir) spares re-parsing the same modules on every run.
  require('node:module').enableCompileCache?.();
  require('../dist/client/cli.js');
} else {
  require('tsx/cjs');
  require('tsx/esm/api').register(); // the commands' lazy import()s go through the ESM loader
  require('../src/client/cli.ts');
}
