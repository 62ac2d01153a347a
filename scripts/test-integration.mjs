#!/usr/bin/env node
// Runs the integration suite (out/test/integration/index.js) inside a real VS Code extension host.
//   offline:  code-server (bundled, ~/.cache/kvlens) + headless chromium, through VS Code's smoke-test driver
//   online:   @vscode/test-electron (scripts/test-integration-electron.mjs), which downloads VS Code
// Picks code-server when it is installed or when test-electron cannot reach its download (and then installs it,
// scripts/setup.mjs), and falls back to it when that download fails anyway; says which runner and why.
// KVLENS_VSCODE=code-server|electron forces one (no fallback).
//
// Usage: node scripts/test-integration.mjs [--no-build] [--trust] [--timeout SECONDS]
//                                          [--suite ABS_PATH_WITHOUT_.js] [--workspace DIR]
// The suite's output is streamed to stdout; the exit code is the one the suite reported. The suite ends its
// output with `kvlens-results {"passed":N,"failed":N,"pending":N}` (contract: test/integration/README.md).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import {
  REPO, startCodeServer, launchChromium, extensionTestUrl, copyWorkspace, tempDir, sleep,
} from './code-server.mjs';
import { SetupError, ensureCodeServerRun, integrationRunner } from './setup.mjs';

/** scripts/test-integration-electron.mjs exits with this when it could not download VS Code (nothing ran). */
const ELECTRON_DOWNLOAD_FAILED = 75;

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 && argv[i + 1] ? argv[i + 1] : dflt; };

const timeoutSec = Number(opt('--timeout', process.env.KVLENS_INTEGRATION_TIMEOUT ?? '600'));
const suite = path.resolve(opt('--suite', path.join(REPO, 'out/test/integration/index')));
const fixture = path.resolve(opt('--workspace', path.join(REPO, 'test/fixtures/workspace')));
const artifacts = path.join(REPO, 'artifacts', 'integration');

function build() {
  const t0 = Date.now();
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: REPO, stdio: 'inherit' });
  // tsc emits even when some file has type errors; the suite's own errors surface when it runs.
  const r = spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: REPO, stdio: 'pipe', encoding: 'utf8' });
  if (r.status !== 0) console.log(`[integration] note: tsc reported type errors (see \`npx tsc -p . --noEmit\`); running what it emitted`);
  console.log(`[integration] build ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function runOnCodeServer() {
  ensureCodeServerRun({ log: (l) => console.log(l.replace(/^\[setup\]/, '[integration]')) });
  const ws = existsSync(fixture) ? copyWorkspace(fixture) : tempDir('kvlens-ws-empty-');
  if (!existsSync(fixture)) console.log(`[integration] note: ${fixture} does not exist; using an empty folder`);
  const t0 = Date.now();
  const cs = await startCodeServer({ smokeTestDriver: true, workspaceTrust: flag('--trust') });
  console.log(`[integration] code-server ${cs.origin} up in ${((Date.now() - t0) / 1000).toFixed(1)} s; workspace ${ws}`);

  const { context, close } = await launchChromium();
  const page = await context.newPage();
  let resolveExit;
  const exited = new Promise((r) => { resolveExit = r; });
  let log = '';
  // The workbench's own chatter (offline gallery lookups, connection setup) goes to the log file only.
  const noise = /^(Resolving connection token|Resolved connection token|Creating a socket|\[reconnection-grace-time\]|Updating additional builtin|\[Service Worker\]|\[AgentHost|\[AccountPolicyGate\]|getaddrinfo ENOTFOUND|Timed out waiting for authentication provider|Started local extension host|Extension host .* started|Ignoring fetching additional builtin extensions|Creation of workbench contribution)/;
  const emit = (text) => {
    log += text + '\n';
    if (process.env.KVLENS_DEBUG || !noise.test(text)) process.stdout.write(text + '\n');
  };
  // The smoke-test driver hands the extension host's output and its exit code to these (as @vscode/test-web does).
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    // console.log's arguments, format string first (mocha's reporters use '%s', '%d').
    const parts = Array.isArray(args) ? args : [args];
    emit(format(...parts));
  });
  await page.exposeFunction('codeAutomationExit', (code) => { resolveExit(Number(code)); });
  page.on('pageerror', (e) => { if (process.env.KVLENS_DEBUG) console.error(`[page error] ${e.message}`); });

  const url = extensionTestUrl(cs.origin, { workspace: ws, extensionDevelopmentPath: REPO, extensionTestsPath: suite });
  await page.goto(url);
  const timer = sleep(timeoutSec * 1000).then(() => 'timeout');
  const result = await Promise.race([exited, timer]);
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(path.join(artifacts, 'output.log'), log);
  let code;
  if (result === 'timeout') {
    const shot = path.join(artifacts, 'timeout.png');
    await page.screenshot({ path: shot }).catch(() => {});
    console.error(`[integration] FAILED: the suite did not finish within ${timeoutSec} s (no codeAutomationExit). Screenshot: ${path.relative(REPO, shot)}`);
    writeFileSync(path.join(artifacts, 'code-server.log'), cs.output());
    if (!/kvlens-results /.test(log)) console.log('kvlens-results {"passed":0,"failed":1,"pending":0}');
    code = 1;
  } else {
    code = result;
    if (code !== 0) {
      await page.screenshot({ path: path.join(artifacts, 'failure.png') }).catch(() => {});
      writeFileSync(path.join(artifacts, 'code-server.log'), cs.output());
    }
    // A suite that died before reporting counts still has to count as a failure.
    if (!/kvlens-results /.test(log)) console.log(`kvlens-results ${JSON.stringify({ passed: 0, failed: code === 0 ? 0 : 1, pending: 0 })}`);
  }
  await close();
  await cs.stop();
  console.log(`[integration] exit ${code} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return code;
}

async function main() {
  if (!flag('--no-build')) build();
  if (!existsSync(suite + '.js')) {
    console.error(`[integration] FAILED: no suite at ${suite}.js (test/integration/index.ts compiles there)`);
    console.log('kvlens-results {"passed":0,"failed":1,"pending":0}');
    return 1;
  }
  const { runner, reason } = await integrationRunner();
  console.log(`[integration] runner: ${runner} (${reason})`);
  if (runner === 'electron') {
    const r = spawnSync(process.execPath, [path.join(REPO, 'scripts/test-integration-electron.mjs'), '--suite', suite, '--workspace', fixture], { stdio: 'inherit' });
    // Forced, it stays electron; otherwise a failed download (nothing ran) falls back to code-server.
    if (r.status !== ELECTRON_DOWNLOAD_FAILED || process.env.KVLENS_VSCODE === 'electron') return r.status ?? 1;
    console.log('[integration] runner: code-server (@vscode/test-electron could not download VS Code, see above)');
  }
  return runOnCodeServer();
}

main().then((code) => process.exit(code), (e) => {
  // A set-up step for the user (e.g. a missing Debian package) is a message, not a stack trace.
  console.error(`[integration] FAILED: ${e instanceof SetupError ? e.message : e?.stack ?? e}`);
  console.log('kvlens-results {"passed":0,"failed":1,"pending":0}');
  process.exit(1);
});
