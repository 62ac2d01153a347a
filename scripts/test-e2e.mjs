#!/usr/bin/env node
// Browser end-to-end tests: mocha on plain Node over out/test/e2e/**/*.test.js; each test drives code-server
// (VS Code in a browser, bundled offline) with Debian's chromium through playwright-core (test/e2e/harness.ts).
// Installs what it needs first (scripts/setup.mjs). Screenshots land in artifacts/e2e/. Ends with `kvlens-results {...}` (scripts/mocha-results-reporter.cjs).
// Usage: node scripts/test-e2e.mjs [--no-build] [--grep PATTERN] [files...]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO, chromiumPath } from './code-server.mjs';
import { SetupError, ensureCodeServerRun } from './setup.mjs';

const argv = process.argv.slice(2);
const noBuild = argv.includes('--no-build');
const gi = argv.indexOf('--grep');
const grep = gi >= 0 ? argv[gi + 1] : undefined;
const files = argv.filter((a, i) => !a.startsWith('--') && (gi < 0 || i !== gi + 1));

function fail(msg) {
  console.error(`[e2e] FAILED: ${msg}`);
  console.log('kvlens-results {"passed":0,"failed":1,"pending":0}');
  process.exit(1);
}

// The one-time set-up `npm test` runs first; here too, so `npm run test:e2e` alone works on a fresh machine.
try {
  ensureCodeServerRun({ log: (l) => console.log(l.replace(/^\[setup\]/, '[e2e]')) });
  chromiumPath();
} catch (e) {
  fail(e instanceof SetupError ? e.message : e?.message ?? String(e));
}

if (!noBuild) {
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: REPO, stdio: 'inherit' });
  const r = spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: REPO, stdio: 'pipe' });
  if (r.status !== 0) console.log('[e2e] note: tsc reported type errors (see `npx tsc -p . --noEmit`); running what it emitted');
}
if (!existsSync(path.join(REPO, 'dist/extension.js'))) fail('dist/extension.js is missing: the build failed');
if (!existsSync(path.join(REPO, 'out/test/e2e/harness.js'))) fail('out/test/e2e/harness.js is missing: tsc did not emit the tests');

const args = [
  path.join(REPO, 'node_modules/mocha/bin/mocha.js'), '--no-config',
  '--reporter', path.join(REPO, 'scripts/mocha-results-reporter.cjs'),
  '--timeout', '180000', '--exit',
  ...(grep ? ['--grep', grep] : []),
  ...(files.length ? files : ['out/test/e2e/**/*.test.js']),
];
const t0 = Date.now();
const r = spawnSync(process.execPath, args, { cwd: REPO, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } });
console.log(`[e2e] exit ${r.status} after ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in artifacts/e2e/`);
process.exit(r.status ?? 1);
