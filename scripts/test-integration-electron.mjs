#!/usr/bin/env node
// The integration suite under @vscode/test-electron: downloads a VS Code build (needs internet; cached in
// .vscode-test/) and runs out/test/integration/index.js in its extension host. The offline path is code-server
// (scripts/test-integration.mjs picks between them). VS Code's stdout (with the suite's `kvlens-results` line)
// is forwarded to ours.
// Usage: node scripts/test-integration-electron.mjs [--suite ABS_PATH_WITHOUT_.js] [--workspace DIR] [--version X]
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';

/** Exit code for "could not download VS Code" (nothing ran): scripts/test-integration.mjs then uses code-server. */
const DOWNLOAD_FAILED = 75;

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 && argv[i + 1] ? argv[i + 1] : dflt; };
const suite = path.resolve(opt('--suite', path.join(REPO, 'out/test/integration/index')));
const fixture = path.resolve(opt('--workspace', path.join(REPO, 'test/fixtures/workspace')));

// Tests may edit files: give them a copy.
const tmp = mkdtempSync(path.join(tmpdir(), 'kvlens-ws-'));
const ws = path.join(tmp, 'workspace');
if (existsSync(fixture)) cpSync(fixture, ws, { recursive: true });
const cleanup = () => rmSync(tmp, { recursive: true, force: true });
process.on('exit', cleanup);

// Download first, apart from the run, so a machine that cannot reach the download says so (and the caller can fall
// back) instead of reporting a failed test run.
let vscodeExecutablePath;
try {
  vscodeExecutablePath = await downloadAndUnzipVSCode({ version: opt('--version', process.env.KVLENS_VSCODE_VERSION ?? 'stable'), cachePath: path.join(REPO, '.vscode-test') });
} catch (e) {
  console.error(`[integration/electron] cannot download VS Code: ${e?.message ?? e}`);
  process.exit(DOWNLOAD_FAILED);
}

let code = 1;
try {
  code = await runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: REPO,
    extensionTestsPath: suite,
    launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  });
} catch (e) {
  // runTests rejects with the exit code ("Failed").
  console.error(`[integration/electron] FAILED: ${e?.message ?? e}`);
  code = typeof e === 'number' ? e : 1;
}
process.exit(code);
