// The dashboard with a real measured sweep, inside a real VS Code (code-server + chromium): "KV Lens: Run
// Benchmark" from the palette on a profile whose model is a generated GGUF, with a tiny sweep set through the
// `kvlens.benchmark.defaultSweep` user setting; the dashboard's measured-runs tab then lists every record the
// extension saved, with the store's t/s and KV bytes. Needs `npm run build` and code-server (scripts/test-e2e.mjs).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { launchVsCode, openFile, runCommand, saveIfFailed, webviewFrame, REPO, type VsCodeSession } from './harness';
import { ResultsStore } from '../../src/core/results/store';
import type { ResultRecord } from '../../src/core/engine/protocol';
import { bytesText, percentText, rateText } from '../../src/core/report/format';
import type { EstimateReport } from '../../src/core/estimator/report';

const SCREENS = path.join(REPO, 'artifacts', 'screens');
const PROFILE = 'measured.kvlens.yaml';
const SWEEP = { cacheTypes: ['f16', 'q8_0'], promptTokens: 32, genTokens: 4, depths: [0], repetitions: 1 };

function findStore(dir: string): string | undefined {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) { const f = findStore(p); if (f) return f; }
    else if (e.name === 'results.jsonl' && p.includes('globalStorage')) return p;
  }
  return undefined;
}

describe('dashboard panel with a real benchmark (code-server)', function () {
  this.timeout(420_000);
  let vs: VsCodeSession | undefined;
  let ws: string | undefined;

  before(async function () {
    if (!fs.existsSync(path.join(REPO, 'dist/webview/main.js')) || !fs.existsSync(path.join(REPO, 'dist/extension.js')) || !fs.existsSync(path.join(REPO, 'dist/cli.js'))) this.skip();
    fs.mkdirSync(SCREENS, { recursive: true });
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-panel-measured-'));
    execFileSync(process.execPath, [path.join(REPO, 'bin/kvlens.js'), 'make-model', 'model.gguf'], { cwd: ws, stdio: 'pipe' });
    fs.writeFileSync(path.join(ws, PROFILE), 'model: ./model.gguf\nengine:\n  kind: llama.cpp\n  args: "-c 512 -np 1 -ctk q8_0 -ctv q8_0 -fa on -t 1"\nworkload:\n  promptTokens: 32\n  outputTokens: 4\n  concurrency: 1\ntargets: [local]\n');
    vs = await launchVsCode({
      workspace: ws, theme: 'dark', viewport: { width: 1500, height: 1000 },
      settings: { 'kvlens.benchmark.defaultSweep': SWEEP, 'kvlens.engine.threads': 1 },
    });
  });
  after(async () => {
    await vs?.close();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });
  afterEach(async function () {
    await saveIfFailed(vs, 'panel-measured', this.currentTest);
  });

  it('runs the benchmark from the palette and lists the saved runs in the dashboard', async () => {
    const page = vs!.page;
    await openFile(page, PROFILE);
    await page.locator('.codelens-decoration').first().waitFor({ timeout: 150_000 });
    await runCommand(page, 'KV Lens: Run Benchmark');
    await page.locator('.notification-toast', { hasText: /benchmark finished/ }).first().waitFor({ timeout: 240_000 });
    const toast = await page.locator('.notification-toast', { hasText: /benchmark finished/ }).first().innerText();
    const m = /(\d+) of (\d+) tests saved/.exec(toast);
    assert.ok(m, toast);
    assert.equal(m[1], m[2], `every test saved: ${toast}`);

    const storeFile = findStore(vs!.userDataDir);
    assert.ok(storeFile, 'the extension wrote a results store in its global storage');
    const { records, corrupt } = await new ResultsStore(storeFile).readAll();
    assert.equal(corrupt.length, 0);
    assert.equal(records.length, Number(m[1]));
    assert.deepEqual([...new Set(records.map((r: ResultRecord) => `${r.result.type_k}/${r.result.type_v}`))].sort(), ['f16/f16', 'q8_0/q8_0']);

    const est = JSON.parse(execFileSync(process.execPath, [path.join(REPO, 'bin/kvlens.js'), 'estimate', '--format', 'json', PROFILE], { cwd: vs!.workspace, encoding: 'utf8' })) as EstimateReport;
    assert.ok(est.targets.find((t) => t.id === 'local'), 'the estimate has the local target');

    await runCommand(page, 'KV Lens: Open Dashboard');
    const frame = await webviewFrame(page, { selector: 'vscode-tab-header[data-tab="runs"]', timeoutMs: 60_000 });
    await frame.click('vscode-tab-header[data-tab="runs"]');
    await frame.waitForFunction((n) => document.querySelectorAll('vscode-tab-panel[data-panel="runs"] tbody tr[data-run-id]').length === n, records.length, { timeout: 60_000 });
    for (const rec of records) {
      const row = await frame.locator(`tr[data-run-id="${rec.id}"]`).innerText();
      assert.ok(row.includes(`${rec.result.type_k}/${rec.result.type_v}`), row);
      assert.ok(row.includes(rateText(rec.result.avg_ts!)), `${row}\nmeasured ${rateText(rec.result.avg_ts!)}`);
      assert.ok(row.includes(bytesText(rec.result.kv_bytes!)), `${row}\nKV ${bytesText(rec.result.kv_bytes!)}`);
      if (rec.estimate?.kvBytes !== undefined) assert.ok(row.includes(bytesText(rec.estimate.kvBytes)), `${row}\nKV estimate`);
      // Every test is saved with the estimator's tok/s for its exact settings on this machine (threads included,
      // as `kvlens bench` does), and the row shows it with (measured − estimate) / estimate.
      const e = rec.result.n_gen > 0 ? rec.estimate?.decodeTokensPerSec : rec.estimate?.prefillTokensPerSec;
      assert.ok(e !== undefined && e > 0, `the record carries its speed estimate: ${JSON.stringify(rec.estimate)}`);
      assert.ok(row.includes(rateText(e)), `${row}\nestimate ${rateText(e)}`);
      assert.ok(row.includes(percentText(((rec.result.avg_ts! - e) / e) * 100, true)), `${row}\ndifference`);
      assert.equal(rec.planned, records.length, 'the run says how many tests it planned');
    }
    await page.screenshot({ path: path.join(SCREENS, 'panel-measured-dark.png') });
  });
});
