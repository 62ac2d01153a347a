// `kvlens report` on a real measured sweep, in chromium: a generated GGUF, a profile whose llama.cpp flags match the
// sweep, a real `kvlens bench --out` run through the CLI, then the report. Every record of the store must show with
// its measured t/s and KV bytes, joined to its estimate with (measured − estimate)/estimate; the targets tab must
// show what `kvlens estimate --format json` prints for the same profile. Needs `npm run build` (dist/cli.js).
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { bytesText, percentText, rateText, secondsText } from '../../src/core/report/format';
import { ResultsStore } from '../../src/core/results/store';
import type { ResultRecord } from '../../src/core/engine/protocol';
import type { EstimateReport } from '../../src/core/estimator/report';

const REPO = path.resolve(__dirname, '../../..');
const SCREENS = path.join(REPO, 'artifacts', 'screens');
const CHROMIUM = process.env.KVLENS_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
const run = promisify(execFile);

/** The real CLI as a user runs it (no shell). */
async function kvlens(cwd: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [path.join(REPO, 'bin/kvlens.js'), ...args], { cwd, timeout: 120_000, maxBuffer: 32 << 20 });
}

const PROFILE = `# made by test/e2e/report-measured.test.ts
model: ./model.gguf
engine:
  kind: llama.cpp
  args: "-c 512 -np 1 -ctk q8_0 -ctv q8_0 -fa on -t 1"
workload:
  promptTokens: 64
  outputTokens: 8
  concurrency: 1
targets: [local, h100-sxm]
`;

/** dist/webview/main.js, rebuilt (esbuild.mjs's options) when webview/ or src/core/report/ is newer: the CLI inlines it. */
async function freshWebviewBundle(): Promise<void> {
  const file = path.join(REPO, 'dist/webview/main.js');
  const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  const newest = Math.max(...[...walk(path.join(REPO, 'webview')), ...walk(path.join(REPO, 'src/core/report'))].map((f) => fs.statSync(f).mtimeMs));
  if (fs.existsSync(file) && fs.statSync(file).mtimeMs >= newest) return;
  const esbuild = await import('esbuild');
  await esbuild.build({ entryPoints: [path.join(REPO, 'webview/main.ts')], outfile: file, bundle: true, platform: 'browser', format: 'iife', target: 'es2022', loader: { '.css': 'text' }, legalComments: 'none', logLevel: 'warning' });
}

/** Cell texts of a row, keyed by the table's column headers. */
async function rowCells(page: Page, id: string): Promise<Record<string, string>> {
  return page.evaluate((rid) => {
    const tr = document.querySelector(`vscode-tab-panel[data-panel="runs"] tr[data-run-id="${rid}"]`);
    if (!tr) return {};
    const heads = Array.from(tr.closest('table')!.querySelectorAll('thead th')).map((th) => th.textContent ?? '');
    const out: Record<string, string> = {};
    Array.from(tr.children).forEach((c, i) => { out[heads[i]] = (c.textContent ?? '').trim(); });
    return out;
  }, id);
}

function expectedRate(rec: ResultRecord): number | undefined {
  const r = rec.result;
  if (r.n_prompt > 0 && r.n_gen === 0) return rec.estimate?.prefillTokensPerSec;
  if (r.n_gen > 0 && r.n_prompt === 0) return rec.estimate?.decodeTokensPerSec;
  return undefined;
}

function diffText(measured: number, estimate: number | undefined): string {
  return estimate === undefined ? '—' : percentText(((measured - estimate) / estimate) * 100, true);
}

describe('kvlens report on a real measured sweep (chromium)', function () {
  this.timeout(300_000);
  let browser: Browser;
  let dir: string;

  before(async function () {
    if (!fs.existsSync(CHROMIUM) || !fs.existsSync(path.join(REPO, 'dist/cli.js'))) this.skip();
    await freshWebviewBundle();
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-report-measured-'));
  });
  after(async () => {
    await browser?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists every stored run with its measured t/s and KV bytes beside its estimate, and the estimate tab matches `kvlens estimate`', async () => {
    await kvlens(dir, 'make-model', 'model.gguf');
    fs.writeFileSync(path.join(dir, 'p.kvlens.yaml'), PROFILE);
    const t0 = Date.now();
    const bench = await kvlens(dir, 'bench', '--format', 'json', '--out', 'runs.jsonl', 'p.kvlens.yaml', '-ctk', 'f16,q8_0', '-ctv', 'f16,q8_0', '-p', '64', '-n', '8', '-r', '2', '-t', '1');
    assert.ok(Date.now() - t0 < 60_000, 'the sweep stays small');
    assert.match(bench.stderr + bench.stdout, /saved 8 result/);
    const { records, corrupt } = await new ResultsStore(path.join(dir, 'runs.jsonl')).readAll();
    assert.equal(corrupt.length, 0);
    assert.equal(records.length, 8, '2 K types × 2 V types × (pp64, tg8)');

    const rep = await kvlens(dir, 'report', '--results', 'runs.jsonl', '--out', 'report.html', 'p.kvlens.yaml');
    assert.match(rep.stdout, /8 measured run\(s\)/);
    const est = JSON.parse((await kvlens(dir, 'estimate', '--format', 'json', 'p.kvlens.yaml')).stdout) as EstimateReport;
    const local = est.targets.find((t) => t.id === 'local');
    assert.ok(local, 'the estimate has the local target');
    // The profile's settings (q8_0/q8_0, -c 512 -np 1): the estimate saved with the run is `kvlens estimate`'s to the
    // byte; llama.cpp's measurement comes from its log line in MiB with 2 decimals, so it agrees within 0.005 MiB.
    const same = records.filter((r) => r.result.type_k === 'q8_0' && r.result.type_v === 'q8_0');
    assert.equal(same.length, 2);
    for (const r of same) {
      assert.ok(Math.abs(r.result.kv_bytes! - local.memory.kvBytes) <= 0.005 * 2 ** 20, `measured KV ${r.result.kv_bytes} ≈ kvlens estimate ${local.memory.kvBytes}`);
      assert.equal(r.estimate?.kvBytes, local.memory.kvBytes, 'saved estimate = kvlens estimate');
    }

    fs.mkdirSync(SCREENS, { recursive: true });
    for (const scheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      try {
        await page.goto('file://' + path.join(dir, 'report.html'));
        await page.waitForSelector('vscode-tabs');
        // Estimates tab: the numbers `kvlens estimate --format json` prints, per target.
        for (const t of est.targets) {
          const card = await page.locator('article.target', { has: page.locator('h3', { hasText: t.name }) }).innerText();
          assert.ok(card.includes(bytesText(t.memory.kvBytes)), `${t.id} KV ${bytesText(t.memory.kvBytes)} in\n${card}`);
          assert.ok(card.includes(bytesText(t.memory.weightsBytes)), `${t.id} weights`);
          assert.ok(card.includes(`${bytesText(t.memory.totalBytes)} of ${bytesText(t.memory.capacityBytes)}`), `${t.id} total`);
          assert.ok(card.includes(secondsText(t.perf.ttftSec)), `${t.id} TTFT`);
          assert.ok(card.includes(rateText(t.perf.decodeTokensPerSec)), `${t.id} decode`);
        }

        await page.click('vscode-tab-header[data-tab="runs"]');
        await page.waitForFunction(() => (document.querySelector('vscode-tab-panel[data-panel="runs"]') as HTMLElement | null)?.offsetParent !== null);
        assert.equal(await page.locator('vscode-tab-panel[data-panel="runs"] tbody tr[data-run-id]').count(), records.length);
        for (const rec of records) {
          const c = await rowCells(page, rec.id);
          const r = rec.result;
          const what = `${r.type_k}/${r.type_v} p${r.n_prompt} n${r.n_gen}`;
          assert.equal(c['Cache K/V'], `${r.type_k}/${r.type_v}`, what);
          assert.ok(c['Measured'].startsWith(rateText(r.avg_ts!)), `${what}: measured ${c['Measured']} vs ${rateText(r.avg_ts!)}`);
          assert.equal(c['KV measured'], bytesText(r.kv_bytes!), what);
          const e = expectedRate(rec);
          assert.ok(e !== undefined, `${what}: the bench saved a speed estimate`);
          assert.equal(c['Estimate'], rateText(e), what);
          assert.equal(c['Difference'], diffText(r.avg_ts!, e), what);
          assert.equal(c['KV estimate'], bytesText(rec.estimate!.kvBytes!), what);
          assert.equal(c['KV difference'], diffText(r.kv_bytes!, rec.estimate!.kvBytes), what);
        }
        await page.screenshot({ path: path.join(SCREENS, `report-measured-${scheme}.png`), fullPage: true });
        assert.deepEqual(errors, [], 'no script error and no CSP violation');
      } finally {
        await context.close();
      }
    }

    // High contrast, picked by the address: every table edge and focus ring in the contrast colours.
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    try {
      await page.goto('file://' + path.join(dir, 'report.html') + '?theme=hc-dark');
      await page.waitForSelector('article.target');
      const look = await page.evaluate(() => {
        const body = getComputedStyle(document.body);
        const td = getComputedStyle(document.querySelector('table.data td')!);
        const card = getComputedStyle(document.querySelector('article.target')!);
        return {
          classes: document.body.className,
          border: body.getPropertyValue('--vscode-contrastBorder').trim(),
          bg: body.backgroundColor,
          fg: body.color,
          td: td.borderBottomColor,
          card: card.borderTopColor,
        };
      });
      assert.match(look.classes, /vscode-high-contrast/);
      assert.doesNotMatch(look.classes, /vscode-(light|dark)\b/);
      assert.equal(look.border, '#6fc3df');
      assert.deepEqual([look.bg, look.fg, look.td, look.card], ['rgb(0, 0, 0)', 'rgb(255, 255, 255)', 'rgb(111, 195, 223)', 'rgb(111, 195, 223)']);
      await page.screenshot({ path: path.join(SCREENS, 'report-hc.png'), fullPage: true });
      await page.click('vscode-tab-header[data-tab="runs"]');
      // Keyboard focus on a tab header shows the high-contrast focus colour.
      await page.focus('vscode-tab-header[data-tab="runs"]');
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowRight');
      const ring = await page.evaluate(() => { const st = getComputedStyle(document.activeElement!); return `${st.outlineStyle} ${st.outlineWidth} ${st.outlineColor}`; });
      assert.equal(ring, 'solid 2px rgb(243, 133, 24)', 'the focused tab shows the high-contrast focus colour');
      await page.screenshot({ path: path.join(SCREENS, 'report-hc-runs.png'), fullPage: true });
      await page.click('vscode-tab-header[data-tab="charts"]');
      await page.waitForSelector('vscode-tab-panel[data-panel="charts"] canvas');
      await page.screenshot({ path: path.join(SCREENS, 'report-hc-charts.png'), fullPage: true });
      await page.goto('file://' + path.join(dir, 'report.html') + '?theme=hc-light');
      await page.waitForSelector('article.target');
      const light = await page.evaluate(() => [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.querySelector('table.data td')!).borderBottomColor]);
      assert.deepEqual(light, ['rgb(255, 255, 255)', 'rgb(15, 74, 133)']);
      await page.screenshot({ path: path.join(SCREENS, 'report-hc-light.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });
});
