#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is bundled by esbuild (npm's prepare step runs it on install).
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('kvlens: the CLI is not built yet; run `npm run build` in ' + path.join(__dirname, '..') + '\n');
  process.exit(2);
}
require(cli).cliMain(process.argv.slice(2));
