#!/usr/bin/env node
'use strict';
// `npx eks-upgrade` runs the TypeScript sources through tsx, so the CLI works right after `npm ci` with no build
// step and no stale compiled copy to drift from the code the tests exercise.
require('tsx/cjs');
require('../src/client/cli.ts');
