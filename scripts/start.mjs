#!/usr/bin/env node
// `npm start`: opens examples/ in VS Code with KV Lens loaded from this checkout.
//   - desktop VS Code when `code` is on PATH: code --extensionDevelopmentPath=<repo> <repo>/examples
//   - otherwise (or KVLENS_EDITOR=code-server / --editor code-server) the bundled code-server on 127.0.0.1,
//     installed on first use by scripts/setup.mjs; prints the URL and runs until Ctrl-C.
// `npm start -- --smoke` (for CI): starts code-server, checks the URL answers and that the extension activates
// in a headless chromium, then exits 0 (1 on failure). Never waits for input.
// Options: --editor code|code-server, --port N, --folder DIR, --smoke, --no-build
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO, startCodeServer, linkExtension, launchChromium, sleep } from './code-server.mjs';
import { SetupError, ensureCodeServerRun } from './setup.mjs';

const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const smoke = argv.includes('--smoke');
const editor = opt('--editor') ?? process.env.KVLENS_EDITOR ?? (smoke ? 'code-server' : undefined);
const folder = path.resolve(opt('--folder') ?? path.join(REPO, 'examples'));
const port = opt('--port');

function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function buildIfNeeded() {
  const outputs = ['dist/extension.js', 'dist/runner.mjs', 'dist/webview/main.js', 'dist/cli.js'].map((f) => path.join(REPO, f));
  const oldest = Math.min(...outputs.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
  const newestSource = Math.max(newestMtime(path.join(REPO, 'src')), newestMtime(path.join(REPO, 'webview')), statSync(path.join(REPO, 'package.json')).mtimeMs);
  if (oldest > newestSource) return;
  console.log('[start] building the extension (esbuild)...');
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: REPO, stdio: 'inherit' });
}

// Looks `cmd` up on PATH ourselves: nothing in KV Lens is spawned through a shell.
function onPath(cmd) {
  const exts = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE;.CMD').split(';') : [''];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const ext of exts) {
      const p = path.join(dir, cmd + ext);
      try { if (statSync(p).isFile()) { accessSync(p, fsConstants.X_OK); return p; } } catch { /* not here */ }
    }
  }
  return undefined;
}

// The same one-time set-up as `npm test` (scripts/setup.mjs): Debian packages when root, Node 24 + code-server;
// --smoke also needs the browser that checks the workbench.
function ensureCodeServer() {
  ensureCodeServerRun({ browser: smoke, log: (l) => console.log(l.replace(/^\[setup\]/, '[start]')) });
}

/** Reads the remote extension host's log: activation of kvlens.kvlens, and any activation error. */
function activationState(userDataDir) {
  const logs = path.join(userDataDir, 'logs');
  let activated = false, error;
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/exthost\.log$/.test(e.name)) {
        const text = readFileSync(p, 'utf8');
        if (/_doActivateExtension kvlens\.kvlens\b/.test(text)) activated = true;
        const m = /Activating extension '?kvlens\.kvlens'? failed[^\n]*(\n[^\n]*){0,3}/.exec(text);
        if (m) error = m[0];
      }
    }
  };
  walk(logs);
  return { activated, error };
}

async function runCodeServer() {
  ensureCodeServer();
  if (!existsSync(folder)) throw new Error(`folder to open does not exist: ${folder}`);
  const t0 = Date.now();
  const server = await startCodeServer({
    // A person's own checkout: keep Workspace Trust as VS Code ships it (benchmarks need a trusted folder).
    workspaceTrust: !smoke,
    port: port ? Number(port) : undefined,
    log: process.env.KVLENS_DEBUG ? (l) => console.log(`[code-server] ${l}`) : undefined,
  });
  const { id } = linkExtension(server.extensionsDir);
  const url = `${server.origin}/?folder=${encodeURIComponent(folder)}`;
  if (!smoke) {
    console.log(`\n  KV Lens (${id}, from ${REPO}) is loaded in VS Code (code-server, listening on 127.0.0.1 only).`);
    console.log(`  Open: ${url}\n`);
    console.log('  Open a *.kvlens.yaml or a vLLM config in examples/ to see diagnostics, CodeLenses and hovers.');
    console.log('  Press Ctrl-C to stop.\n');
    await new Promise((resolve) => server.child.once('exit', resolve));
    console.log('[start] code-server stopped');
    return 0;
  }

  // --smoke: the URL answers, the workbench loads, and the extension activates in its extension host.
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url} answered HTTP ${res.status}`);
  console.log(`[start --smoke] ${url} answers HTTP 200 (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  const browser = await launchChromium();
  const page = await browser.context.newPage();
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 60_000 });
  console.log(`[start --smoke] workbench loaded (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  let state = activationState(server.userDataDir);
  const deadline = Date.now() + 90_000;
  while (!state.activated && !state.error && Date.now() < deadline) {
    await sleep(500);
    state = activationState(server.userDataDir);
  }
  if (state.activated && !state.error) {
    // An activation error is logged right after the activation line; give it a moment to appear.
    await sleep(3000);
    state = activationState(server.userDataDir);
  }
  await browser.close();
  await server.stop();
  if (state.error) throw new Error(`the extension failed to activate:\n${state.error}`);
  if (!state.activated) throw new Error('the extension did not activate within 90 s of opening examples/');
  console.log(`[start --smoke] ${id} activated; ok (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return 0;
}

async function main() {
  if (!argv.includes('--no-build')) buildIfNeeded();
  if (editor !== 'code-server') {
    const code = editor === 'code' || !editor ? onPath('code') : undefined;
    if (code) {
      console.log(`[start] opening ${path.relative(REPO, folder) || '.'} in VS Code with KV Lens from this checkout`);
      const child = spawn(code, [`--extensionDevelopmentPath=${REPO}`, folder], { stdio: 'inherit' });
      return new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 0)));
    }
    if (editor === 'code') throw new Error('`code` is not on PATH (install VS Code\'s shell command, or use --editor code-server)');
  }
  return runCodeServer();
}

main().then((code) => process.exit(code), (e) => {
  console.error(`[start] ${e instanceof SetupError ? 'stopped.' : 'FAILED:'} ${e?.message ?? e}`);
  process.exit(1);
});
