#!/usr/bin/env node
// npm's prestart/pretest hook: on a fresh clone `npm start` and `npm test` must work as the README's first
// lines promise, so install the dependencies when any declared one is missing. Uses only Node built-ins.
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
console.log(`[kvlens] installing npm dependencies (${missing.length} missing, e.g. ${missing.slice(0, 3).join(', ')})...`);
// npm ci when the lock is usable; these offline machines' registry lacks node-llama-cpp's macOS/Windows binary
// packages, so the lock cannot list them and npm ci refuses it: npm install then follows the lock for the rest.
let r = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: repo, stdio: 'inherit' });
if (r.status !== 0) {
  console.log('[kvlens] npm ci did not succeed; falling back to npm install');
  r = spawnSync(npm, ['install', '--no-audit', '--no-fund'], { cwd: repo, stdio: 'inherit' });
}
process.exit(r.status ?? 1);
