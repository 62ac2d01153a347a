#!/usr/bin/env node
// The one-time set-up behind `npm test` and `npm start` on a fresh machine, beyond node_modules (which
// scripts/ensure-deps.mjs installs): the Debian packages the tests need, Node 24 + code-server (VS Code) in the
// cache, and which VS Code the integration suite runs in. Idempotent: on a ready machine it checks and returns
// in well under a second, printing nothing.
//
//   Debian packages   chromium + fonts-liberation (the browser), libkrb5-dev + make/g++/python3 (only while
//                     code-server's native modules compile). As root they are installed with apt-get; otherwise
//                     set-up stops with one message naming the `apt-get install` line to run (exit 2).
//   code-server       scripts/setup-code-server.sh (Node 24 + code-server into ~/.cache/kvlens; several minutes once).
//   llama-server      cmake + make/g++/git while the real llama-server the load-test tests run against is not yet
//                     built (the tests build it themselves with scripts/build-llama-server.sh, once per commit).
//
// Usage: node scripts/setup.mjs [--for integration,e2e,smoke,start]   (default: all of them)
// Exit:  0 ready · 2 the user must act (the message says what) · 1 failed
// Env:   KVLENS_VSCODE=code-server|electron forces the integration runner.
//        KVLENS_SETUP_PRETEND_MISSING=pkg,pkg (tests only) makes the package check see these as missing.
import { spawnSync } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, readdirSync, statSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO, toolchain } from './code-server.mjs';

/** What each system package is for (printed when one is missing). */
export const WHY = {
  chromium: 'the headless browser that drives VS Code in the integration and e2e tests and `npm start -- --smoke`',
  'fonts-liberation': 'the fonts the e2e screenshots are made with (chromium only recommends them)',
  'libkrb5-dev': 'headers code-server\'s native modules compile against (once, while installing code-server)',
  make: 'node-gyp builds code-server\'s native modules (once)',
  'g++': 'node-gyp builds code-server\'s native modules (once)',
  python3: 'node-gyp builds code-server\'s native modules (once)',
  cmake: 'builds the real llama-server the load-test tests run against (once per llama.cpp commit)',
  git: 'unpacks the llama.cpp source bundled in node-llama-cpp for that build (once)',
};

/** A llama-server built by scripts/build-llama-server.sh is in the cache (any commit). */
function llamaServerBuilt(env = process.env) {
  const dir = path.join(env.KVLENS_CACHE || path.join(env.XDG_CACHE_HOME || path.join(env.HOME || '', '.cache'), 'kvlens'), 'llama-server');
  try { return readdirSync(dir).some((d) => /^[0-9a-f]{40}$/.test(d) && existsSync(path.join(dir, d, 'llama-server'))); } catch { return false; }
}

/** A set-up step the user has to take; its message is complete (printed without a stack trace). */
export class SetupError extends Error {
  constructor(message) { super(message); this.name = 'SetupError'; }
}

const BROWSERS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

function onPath(cmd) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const p = path.join(dir, cmd);
    try { if (statSync(p).isFile()) { accessSync(p, fsConstants.X_OK); return p; } } catch { /* not here */ }
  }
  return undefined;
}

/** The machine as set-up sees it. Every check is a file lookup or one dpkg-query call: no shell. */
export function probeMachine(env = process.env) {
  const pretend = new Set((env.KVLENS_SETUP_PRETEND_MISSING ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  const dpkg = spawnSync('dpkg-query', ['--version'], { stdio: 'ignore' }).status === 0;
  const real = {
    chromium: () => [env.KVLENS_CHROMIUM, ...BROWSERS].some((p) => p && existsSync(p)),
    debian: (pkg) => dpkg && /^install ok installed/.test(spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).stdout ?? ''),
    command: (cmd) => onPath(cmd) !== undefined,
  };
  return {
    dpkg,
    root: typeof process.getuid === 'function' && process.getuid() === 0,
    codeServerInstalled: toolchain().installed,
    llamaServerBuilt: llamaServerBuilt(env),
    /** Whether `pkg` (a Debian package; make/g++/python3 are looked up as commands) is present. */
    has: (pkg, { ignorePretend = false } = {}) => {
      if (!ignorePretend && pretend.has(pkg)) return false;
      if (pkg === 'chromium') return real.chromium();
      if (pkg === 'make' || pkg === 'g++' || pkg === 'python3' || pkg === 'cmake' || pkg === 'git') return real.command(pkg);
      return real.debian(pkg);
    },
  };
}

/**
 * Which system packages `needs` calls for on this machine and what to do about the missing ones.
 * @param {{ browser?: boolean, codeServer?: boolean, llamaServer?: boolean }} needs
 * @param {ReturnType<typeof probeMachine>} m
 * @returns {{ missing: string[], action: 'none' | 'install' | 'ask', command?: string, message?: string }}
 */
export function planSystemPackages(needs, m) {
  const want = [];
  if (needs.browser) want.push('chromium', ...(m.dpkg ? ['fonts-liberation'] : []));
  if (needs.codeServer && !m.codeServerInstalled) want.push(...(m.dpkg ? ['libkrb5-dev'] : []), 'make', 'g++', 'python3');
  if (needs.llamaServer && !m.llamaServerBuilt) want.push(...['cmake', 'make', 'g++', 'git'].filter((p) => !want.includes(p)));
  const missing = want.filter((p) => !m.has(p));
  if (missing.length === 0) return { missing, action: 'none' };
  const list = missing.map((p) => `  ${p.padEnd(17)} ${WHY[p]}`).join('\n');
  if (m.dpkg && m.root) return { missing, action: 'install' };
  if (m.dpkg) {
    const command = `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`;
    return {
      missing, action: 'ask', command,
      message: `These Debian packages are missing:\n${list}\nInstalling them needs root, and this is not root. Run once:\n\n  ${command}\n\nthen run the command again.`,
    };
  }
  return {
    missing, action: 'ask',
    message: `Missing (this is not a Debian system, so nothing is installed automatically):\n${list}\nInstall them with your package manager (or point KVLENS_CHROMIUM at a Chromium), then run the command again.`,
  };
}

function apt(args, log) {
  log(`[setup] apt-get ${args.join(' ')}`);
  const r = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) throw new Error(`apt-get ${args[0]} failed (exit ${r.status ?? r.signal})`);
}

/** Installs the missing system packages when root; otherwise throws a SetupError naming the line to run. */
export function ensureSystemPackages(needs, { log = console.log, machine = probeMachine() } = {}) {
  const plan = planSystemPackages(needs, machine);
  if (plan.action === 'none') return { installed: [] };
  if (plan.action === 'ask') throw new SetupError(plan.message);
  const t0 = Date.now();
  log(`[setup] installing Debian packages (running as root): ${plan.missing.join(', ')}`);
  apt(['update', '-qq'], log);
  apt(['install', '-y', '-qq', '--no-install-recommends', ...plan.missing], log);
  const still = plan.missing.filter((p) => !machine.has(p, { ignorePretend: true }));
  if (still.length) throw new Error(`apt-get finished but these are still missing: ${still.join(', ')}`);
  log(`[setup] Debian packages installed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return { installed: plan.missing };
}

/** Node 24 + code-server into the cache (scripts/setup-code-server.sh), once. */
export function ensureCodeServer({ log = console.log } = {}) {
  const t = toolchain();
  if (t.installed) return { installed: false };
  ensureSystemPackages({ codeServer: true }, { log });
  const t0 = Date.now();
  log(`[setup] installing Node 24 and code-server (VS Code) into ${t.cache}: one time, several minutes (it compiles native modules)`);
  const r = spawnSync('bash', [path.join(REPO, 'scripts/setup-code-server.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status === 2) throw new SetupError('scripts/setup-code-server.sh stopped (see its message above)');
  if (r.status !== 0 || !toolchain().installed) throw new Error(`installing code-server failed (exit ${r.status ?? r.signal}; see above)`);
  log(`[setup] code-server installed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return { installed: true };
}

/** code-server (and the browser that drives it, unless `browser` is false) ready to start; installs what is missing. */
export function ensureCodeServerRun({ browser = true, log = console.log } = {}) {
  ensureSystemPackages({ codeServer: true, browser }, { log });
  return ensureCodeServer({ log });
}

const ELECTRON_HOST = 'update.code.visualstudio.com';

/** Whether @vscode/test-electron can reach the host it downloads VS Code from. */
export function electronReachable({ timeoutMs = 5000 } = {}) {
  // test-electron honours npm's proxy settings (npm_config_proxy / npm_config_https_proxy); a direct probe
  // would say nothing about the proxy, so try the download itself and let the runner fall back if it fails.
  const proxy = process.env.npm_config_https_proxy || process.env.npm_config_proxy;
  if (proxy) return Promise.resolve({ ok: true, reason: `npm's proxy setting is ${proxy}; trying the download through it` });
  return new Promise((resolve) => {
    const req = https.request({ host: ELECTRON_HOST, path: '/api/releases/stable', method: 'HEAD', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve({ ok: true, reason: `${ELECTRON_HOST} answers (HTTP ${res.statusCode})` });
    });
    req.on('timeout', () => { req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)); });
    req.on('error', (e) => resolve({ ok: false, reason: `${ELECTRON_HOST}: ${e.code ? `${e.syscall ?? 'connect'} ${e.code}` : e.message}` }));
    req.end();
  });
}

/**
 * Which VS Code the integration suite runs in, and why: KVLENS_VSCODE when set; the bundled code-server when it
 * is installed or when @vscode/test-electron cannot reach its download; otherwise a downloaded desktop VS Code.
 * @returns {Promise<{ runner: 'code-server' | 'electron', reason: string }>}
 */
export async function integrationRunner() {
  const forced = process.env.KVLENS_VSCODE;
  if (forced === 'electron' || forced === 'code-server') return { runner: forced, reason: `KVLENS_VSCODE=${forced}` };
  if (forced) throw new SetupError(`KVLENS_VSCODE must be code-server or electron, not "${forced}"`);
  const t = toolchain();
  const net = await electronReachable();
  if (t.installed) {
    return {
      runner: 'code-server',
      reason: `code-server is installed in ${t.cache}` + (net.ok
        ? '; KVLENS_VSCODE=electron runs the suite in a downloaded desktop VS Code instead'
        : `; @vscode/test-electron cannot download VS Code here: ${net.reason}`),
    };
  }
  if (net.ok) return { runner: 'electron', reason: `code-server is not installed and @vscode/test-electron can download VS Code: ${net.reason}` };
  return { runner: 'code-server', reason: `@vscode/test-electron cannot download VS Code here: ${net.reason}; the bundled code-server is used instead` };
}

/**
 * Everything `targets` need: 'integration' (code-server + browser when that is the runner), 'e2e' and 'smoke'
 * (code-server + browser), 'start' (code-server). Throws SetupError when the user must act.
 */
export async function setup(targets, { log = console.log } = {}) {
  const t0 = Date.now();
  let codeServer = false, browser = false, llamaServer = false, runner;
  if (targets.includes('integration')) {
    runner = await integrationRunner();
    log(`[setup] integration runner: ${runner.runner} (${runner.reason})`);
    if (runner.runner === 'code-server') codeServer = browser = true;
  }
  if (targets.includes('e2e') || targets.includes('smoke')) codeServer = browser = true;
  // The load-test tests (unit and e2e) run against the real llama-server, built from source when not cached.
  if (targets.includes('llama-server') || targets.includes('e2e')) llamaServer = true;
  if (targets.includes('start')) codeServer = true;
  // All packages at once, before anything slow, so a missing one stops set-up in its first second.
  const { installed } = ensureSystemPackages({ codeServer, browser, llamaServer }, { log });
  const cs = codeServer ? ensureCodeServer({ log }) : { installed: false };
  return { runner, seconds: (Date.now() - t0) / 1000, installedPackages: installed, installedCodeServer: cs.installed };
}

export const TARGETS = ['integration', 'e2e', 'smoke', 'start', 'llama-server'];

async function main() {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--for');
  const targets = i >= 0 ? (argv[i + 1] ?? '').split(',').filter(Boolean) : TARGETS;
  const unknown = targets.filter((t) => !TARGETS.includes(t));
  if (unknown.length || argv.some((a, j) => a !== '--for' && j !== i + 1)) {
    console.error(`usage: node scripts/setup.mjs [--for ${TARGETS.join(',')}]`);
    return 2;
  }
  const r = await setup(targets);
  const did = [r.installedPackages.length ? `Debian packages ${r.installedPackages.join(', ')}` : '', r.installedCodeServer ? 'code-server' : ''].filter(Boolean);
  console.log(`[setup] ready for ${targets.join(', ')} in ${r.seconds.toFixed(1)} s${did.length ? ` (installed ${did.join(' and ')})` : ' (nothing to install)'}`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then((code) => process.exit(code), (e) => {
    if (e instanceof SetupError) {
      console.error(`\n[setup] stopped. ${e.message}\n`);
      process.exit(2);
    }
    console.error(`[setup] FAILED: ${e?.message ?? e}`);
    process.exit(1);
  });
}
