#!/usr/bin/env node
// npm's prestart/pretest hook: on a fresh clone `npm start` and `npm test` must work as the README's first
// lines promise, so install the dependencies when any declared one is missing. Uses only Node built-ins.
// The rest of the one-time set-up (Debian packages, code-server) is scripts/setup.mjs, run by test-all/start.
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
const declared = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
const missing = declared.filter((name) => !existsSync(path.join(repo, 'node_modules', name, 'package.json')));
if (missing.length === 0) process.exit(0);

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const t0 = Date.now();
console.log(`[kvlens] installing npm dependencies (${missing.length} missing, e.g. ${missing.slice(0, 3).join(', ')}): npm ci`);
// npm ci installs exactly what package-lock.json lists, and refuses a lock that disagrees with package.json.
// The lock lists node-llama-cpp's platform packages for every OS (scripts/lock-platform-packages.mjs), so this
// works on every platform; `npm install` stays a fallback off CI for a lock someone's edit left behind.
let r = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: repo, stdio: 'inherit' });
if (r.status !== 0) {
  if (process.env.CI) {
    console.error('[kvlens] npm ci failed (see above). On CI that is an error: no fallback to npm install, which would'
      + ' change the lock. `node scripts/lock-platform-packages.mjs --check` says whether the lock is complete.');
    process.exit(r.status ?? 1);
  }
  console.log('[kvlens] npm ci did not succeed (see above); falling back to npm install, which may update package-lock.json');
  r = spawnSync(npm, ['install', '--no-audit', '--no-fund'], { cwd: repo, stdio: 'inherit' });
}
if (r.status === 0) console.log(`[kvlens] npm dependencies installed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
process.exit(r.status ?? 1);
