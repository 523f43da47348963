#!/usr/bin/env node
'use strict';
// `npx eks-upgrade` runs the TypeScript sources through tsx (CommonJS hooks for the modules, ESM hooks for the
// commands' lazy import()s).
require('tsx/cjs');
require('tsx/esm/api').register();
require('../src/client/cli.ts');
