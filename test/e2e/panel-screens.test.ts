// The dashboard as an engineer reads it, in a real VS Code (code-server + chromium): two real benchmark runs on a
// generated GGUF (one complete, one cancelled after its first test) — every measured test joined to its own
// estimate with the difference, runs grouped by sweep with the cancelled one marked, measured points over the
// estimate, every target on one chart with a data table per chart — and a narrow panel (480 px) that scrolls
// its tables instead of cutting them. Screenshots at 1400 and 480 px in light, dark and high contrast go to
// artifacts/screens/panel-*.png.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { closePanel, setSidebar, launchVsCode, openFile, runCommand, saveIfFailed, waitForCodeLenses, waitForWorkbench, focusEditor, webviewFrame, REPO, type Theme, type VsCodeSession } from './harness';

const SCREENS = path.join(REPO, 'artifacts', 'screens');
const PROFILE = 'measured.kvlens.yaml';
const SWEEP = { cacheTypes: ['f16', 'q8_0'], promptTokens: 32, genTokens: 4, depths: [0, 64], repetitions: 1 };

/**
 * Waits for a notification toast whose text matches; on a timeout the error lists every toast text seen while
 * waiting (what the run said instead: a different count, an error, a refusal).
 */
async function waitForToast(page: Page, re: RegExp, timeoutMs: number): Promise<string> {
  const seen: string[] = [];
  const t0 = Date.now();
  for (;;) {
    const texts = await page.$$eval('.notification-toast', (els) => els.map((e) => (e as HTMLElement).innerText.replace(/\s+/g, ' ').trim())).catch(() => [] as string[]);
    for (const t of texts) if (t && !seen.includes(t)) seen.push(t);
    const hit = texts.find((t) => re.test(t));
    if (hit) return hit;
    if (Date.now() - t0 > timeoutMs) throw new Error(`no toast matched ${re} in ${timeoutMs / 1000} s; toasts seen: ${JSON.stringify(seen.slice(-20))}`);
    await page.waitForTimeout(250);
  }
}

async function tab(frame: Frame, id: string): Promise<void> {
  await frame.click(`vscode-tab-header[data-tab="${id}"]`);
  await frame.waitForFunction((t) => {
    const panel = document.querySelector(`vscode-tab-panel[data-panel="${t}"]`) as HTMLElement | null;
    return !!panel && panel.offsetParent !== null;
  }, id, { timeout: 20_000 });
  await frame.waitForTimeout(400);
}

describe('e2e: dashboard with measured runs, narrow and wide, in every theme (code-server)', function () {
  this.timeout(900_000);
  let vs: VsCodeSession | undefined;
  let ws: string | undefined;

  before(async function () {
    if (!fs.existsSync(path.join(REPO, 'dist/webview/main.js')) || !fs.existsSync(path.join(REPO, 'dist/cli.js'))) this.skip();
    fs.mkdirSync(SCREENS, { recursive: true });
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-panel-screens-'));
    execFileSync(process.execPath, [path.join(REPO, 'bin/kvlens.js'), 'make-model', 'model.gguf'], { cwd: ws, stdio: 'pipe' });
    fs.writeFileSync(path.join(ws, PROFILE), [
      'model: ./model.gguf',
      'engine:',
      '  kind: llama.cpp',
      '  args: "-c 512 -np 1 -ctk q8_0 -ctv q8_0 -fa on -t 1"',
      'workload: {promptTokens: 32, outputTokens: 4, concurrency: 1}',
      'targets:',
      '  - local',
      '  - rtx-4090',
      '  - h100-sxm',
      '',
    ].join('\n'));
    for (const f of ['llama-3.1-8b.kvlens.yaml', 'llama-3.1-70b-vllm.kvlens.yaml']) fs.copyFileSync(path.join(REPO, 'examples', f), path.join(ws, f));
    vs = await launchVsCode({
      workspace: ws, theme: 'dark', viewport: { width: 1400, height: 1000 },
      settings: { 'kvlens.benchmark.defaultSweep': SWEEP, 'kvlens.engine.threads': 1 },
    });
  });
  after(async () => {
    await vs?.close();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });
  afterEach(async function () {
    await saveIfFailed(vs, 'panel-screens', this.currentTest);
  });

  it('joins every measured test to its estimate, groups runs by sweep and marks the cancelled one', async () => {
    const page = vs!.page;
    await openFile(page, PROFILE);
    await waitForCodeLenses(page, /GiB/, 150_000);
    await runCommand(page, 'KV Lens: Run Benchmark');
    console.log(`      first run: ${await waitForToast(page, /benchmark finished/, 300_000)}`);
    await page.keyboard.press('Escape');
    // A second, longer run (more depths and repetitions), cancelled once two tests are saved: the progress names
    // the test in progress, so "3/12" means two are done.
    // settings.json written from outside is not read once an editor is open (harness: setSettings), so the window
    // is reloaded to read it; without that the run repeats the 8-test sweep and no "n/12" ever shows.
    await vs!.setSettings({ 'kvlens.benchmark.defaultSweep': { ...SWEEP, depths: [0, 64, 128], repetitions: 3 } });
    await runCommand(page, 'Developer: Reload Window');
    await page.waitForTimeout(2000);
    await waitForWorkbench(page);
    await openFile(page, PROFILE);
    await waitForCodeLenses(page, /GiB/, 150_000);
    await runCommand(page, 'KV Lens: Run Benchmark');
    await waitForToast(page, /\b([3-9]|1[0-5])\/12\b/, 300_000);
    await runCommand(page, 'KV Lens: Cancel Benchmark');
    await waitForToast(page, /benchmark cancelled/, 120_000);

    await runCommand(page, 'KV Lens: Open Dashboard');
    const frame = await webviewFrame(page, { selector: 'vscode-tab-header[data-tab="runs"]', timeoutMs: 60_000 });
    await tab(frame, 'runs');
    await frame.waitForFunction(() => document.querySelectorAll('vscode-tab-panel[data-panel="runs"] tbody.sweep').length === 2, undefined, { timeout: 60_000 });
    const head = await frame.$$eval('table.runs-data thead th', (els) => els.map((e) => (e.textContent ?? '').trim()));
    const groups = await frame.$$eval('tbody.sweep', (els) => els.map((e) => ({
      incomplete: e.classList.contains('incomplete'),
      head: (e.querySelector('tr.sweep-head')?.textContent ?? '').trim(),
      rows: Array.from(e.querySelectorAll('tr[data-run-id]')).map((r) => Array.from(r.querySelectorAll('td, th')).map((c) => (c.textContent ?? '').trim())),
    })));
    const col = (name: string) => head.indexOf(name);
    const [cancelled, complete] = groups;
    assert.ok(cancelled.incomplete && /of 12 tests .*— cancelled or stopped/.test(cancelled.head), JSON.stringify(cancelled.head));
    assert.ok(!complete.incomplete && /8 of 8 tests/.test(complete.head), JSON.stringify(complete.head));
    assert.equal(complete.rows.length, 8);
    // No row without an estimate or a difference.
    for (const r of [...complete.rows, ...cancelled.rows]) {
      assert.match(r[col('Estimate')], /tok\/s/, `estimate in ${JSON.stringify(r)}`);
      assert.match(r[col('Difference')], /^[+-]?\d+(\.\d)? %$/, `difference in ${JSON.stringify(r)}`);
    }
    // Measured points over the estimate lines, with their data tables.
    const sweepCharts = await frame.$$eval('vscode-tab-panel[data-panel="runs"] figure.chart-figure', (els) => els.map((e) => ({ id: e.getAttribute('data-chart'), canvas: !!e.querySelector('canvas'), table: !!e.querySelector('details.chart-data table') })));
    assert.ok(sweepCharts.length >= 2 && sweepCharts.every((c) => c.canvas && c.table), JSON.stringify(sweepCharts));
    const legend = await frame.locator('vscode-tab-panel[data-panel="runs"] figure.chart-figure').first().innerText();
    assert.match(legend, /measured/);
    await page.screenshot({ path: path.join(SCREENS, 'panel-runs-dark-1400.png') });

    await tab(frame, 'charts');
    const charts = await frame.$$eval('vscode-tab-panel[data-panel="charts"] figure.chart-figure', (els) => els.map((e) => ({ id: e.getAttribute('data-chart'), canvas: !!e.querySelector('canvas'), table: !!e.querySelector('details.chart-data table'), legend: Array.from(e.querySelectorAll('.u-legend .u-series .u-label')).map((x) => x.textContent) })));
    for (const id of ['throughput-vs-concurrency', 'pareto', 'ttft-vs-prompt']) {
      const c = charts.find((x) => x.id === id);
      assert.ok(c && c.canvas && c.table, `${id} drawn with a data table: ${JSON.stringify(charts)}`);
    }
    const thr = charts.find((x) => x.id === 'throughput-vs-concurrency')!;
    assert.ok(thr.legend.length >= 3, `every target on one chart: ${JSON.stringify(thr.legend)}`);
  });

  it('screenshots at 1400 and 480 px in light, dark and high contrast; the narrow panel scrolls its tables', async () => {
    const page = vs!.page;
    // The dashboard alone in the window, as in a narrow split.
    await setSidebar(page, false);
    const themes: Theme[] = ['light', 'dark', 'hc-dark'];
    for (const profile of [PROFILE, 'llama-3.1-70b-vllm.kvlens.yaml']) {
      // With a dashboard active there is no active text editor, so KV Lens's commands leave the palette
      // (kvlens.isKvFile): close it, and the profile editor is the active one again.
      await runCommand(page, 'View: Close All Editors');
      await openFile(page, profile);
      await waitForCodeLenses(page, /GiB/, 60_000);
      await runCommand(page, 'KV Lens: Open Dashboard');
      // The dashboard opens beside the profile: the window is twice the panel width we want (plus the activity bar).
      const name = profile === PROFILE ? 'measured' : '70b';
      for (const theme of themes) {
        // The theme picker from the profile's editor (the palette's keys do not reach it from inside the webview).
        await focusEditor(page);
        await vs!.setTheme(theme);
        for (const width of [1400, 480]) {
          await page.setViewportSize({ width: 2 * width + 60, height: 1000 });
          await closePanel(page);
          const frame = await webviewFrame(page, { selector: 'vscode-tab-header[data-tab="targets"]', timeoutMs: 60_000 });
          await page.waitForTimeout(500);
          for (const t of ['targets', 'charts', 'runs']) {
            if (name === '70b' && t === 'runs') continue;
            await tab(frame, t);
            if (width === 480) {
              // Nothing is cut: the page is no wider than the panel, and every table sits in a scroll box.
              const layout = await frame.evaluate(() => ({
                inner: window.innerWidth,
                page: document.documentElement.scrollWidth, view: window.innerWidth,
                loose: Array.from(document.querySelectorAll('vscode-tab-panel:not([hidden]) table.data')).filter((tb) => (tb as HTMLElement).offsetParent !== null && !tb.closest('.table-scroll')).length,
                scrollBoxes: Array.from(document.querySelectorAll('.table-scroll')).filter((b) => (b as HTMLElement).offsetParent !== null).map((b) => ({ w: b.clientWidth, sw: b.scrollWidth })),
              }));
              assert.ok(Math.abs(layout.inner - 480) <= 60, `the panel is ${layout.inner} px wide`);
              assert.ok(layout.page <= layout.view + 2, `${name} ${t} at 480: the page is ${layout.page} px wide in a ${layout.view} px view`);
              assert.equal(layout.loose, 0, `${name} ${t}: every visible table scrolls in its own box`);
              for (const b of layout.scrollBoxes) assert.ok(b.w <= layout.view, JSON.stringify(b));
            }
            // The panel itself (its editor group, with the tab), as wide as the panel is.
            const box = await page.locator('.editor-group-container').last().boundingBox();
            await page.screenshot({ path: path.join(SCREENS, `panel-${name}-${t}-${theme}-${width}.png`), ...(box ? { clip: box } : {}) });
          }
        }
      }
    }
    await page.setViewportSize({ width: 1400, height: 1000 });
  });
});
