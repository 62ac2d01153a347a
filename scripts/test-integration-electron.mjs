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
import { runTests } from '@vscode/test-electron';

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

let code = 1;
try {
  code = await runTests({
    version: opt('--version', process.env.KVLENS_VSCODE_VERSION ?? 'stable'),
    extensionDevelopmentPath: REPO,
    extensionTestsPath: suite,
    launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  });
} catch (e) {
  // runTests rejects with the exit code ("Failed") or a download error.
  console.error(`[integration/electron] FAILED: ${e?.message ?? e}`);
  code = typeof e === 'number' ? e : 1;
}
process.exit(code);
