'use strict';
// Stops at once, with one line saying what is needed, when Node is older than package.json's engines range
// (the tools below it fail later with unrelated-looking errors: a glob, a syntax error, a stack). Plain old
// JavaScript on purpose: it must run on the very Node versions it refuses. `node bin/check-node.cjs` exits 1.
var path = require('path');
var fs = require('fs');

function requiredNode() {
  var engines = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).engines || {};
  var match = /(\d+)\.(\d+)/.exec(engines.node || '');
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : { major: 0, minor: 0 };
}

/** Writes the one line and exits 1 when this Node is too old; returns quietly otherwise. */
function checkNode() {
  var need = requiredNode();
  var have = process.versions.node.split('.').map(Number);
  if (have[0] > need.major || (have[0] === need.major && have[1] >= need.minor)) return;
  process.stderr.write(
    'eks-upgrade-agent needs Node.js >= ' +
      need.major +
      '.' +
      need.minor +
      ', but this is ' +
      process.version +
      ' (' +
      process.execPath +
      '): install Node 24 (.nvmrc), e.g. `nvm install` in the checkout or https://nodejs.org/en/download\n',
  );
  process.exit(1);
}

module.exports = { checkNode };
if (require.main === module) checkNode();
