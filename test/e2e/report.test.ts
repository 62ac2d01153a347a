// The HTML report in a real browser (Debian chromium via playwright-core): hostile names stay text, the numbers on
// screen are the view-model's, and screenshots in light and dark land in artifacts/screens/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { buildViewModel, type DashboardViewModel } from '../../src/core/report/viewModel';
import { renderReportHtml } from '../../src/core/report/html';
import { bytesText, secondsText, rateText } from '../../src/core/report/format';
import { makeRecord, makeReport } from '../unit/report/fixtures';
import { run as report } from '../../src/cli/commands/report';
import { run as estimateCmd } from '../../src/cli/commands/estimate';
import { ResultsStore } from '../../src/core/results/store';
import type { EstimateReport } from '../../src/core/estimator/report';

const REPO = path.resolve(__dirname, '../../..');
export const SCREENS = path.join(REPO, 'artifacts', 'screens');
const CHROMIUM = process.env.KVLENS_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

/** The front-end bundle as `npm run build` makes it (built here when missing, with esbuild.mjs's options). */
export async function webviewBundle(): Promise<string> {
  const file = path.join(REPO, 'dist/webview/main.js');
  const src = path.join(REPO, 'webview');
  const newest = Math.max(...walk(src).map((f) => fs.statSync(f).mtimeMs), ...walk(path.join(REPO, 'src/core/report')).map((f) => fs.statSync(f).mtimeMs));
  if (!fs.existsSync(file) || fs.statSync(file).mtimeMs < newest) {
    const esbuild = await import('esbuild');
    await esbuild.build({ entryPoints: [path.join(src, 'main.ts')], outfile: file, bundle: true, platform: 'browser', format: 'iife', target: 'es2022', loader: { '.css': 'text' }, legalComments: 'none', logLevel: 'warning' });
  }
  return fs.readFileSync(file, 'utf8');
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const HOSTILE_MODEL = '<img src=x onerror=alert(1)>';
const HOSTILE_PATH = '/models/"><script>alert(2)</script>.gguf';
const HOSTILE_DEPLOYMENT = '</script><script>alert(3)</script>';

function hostileViewModel(): DashboardViewModel {
  const report = makeReport(HOSTILE_MODEL);
  report.warnings = ['<b onmouseover=alert(5)>bold</b>'];
  report.targets[0].assumptions.push('<iframe src="javascript:alert(6)"></iframe>');
  return buildViewModel({
    title: `KV Lens — ${HOSTILE_MODEL}`,
    source: HOSTILE_PATH,
    generatedAt: '2026-11-22T02:00:00Z',
    deployments: [{ name: HOSTILE_DEPLOYMENT, report }, { name: 'second <svg onload=alert(7)>', report: makeReport('model-b') }],
    runs: [
      makeRecord({ id: 'r1', savedAt: '2026-11-21T10:00:00Z', modelName: '<svg onload=alert(4)>', avgTs: 110, estimate: { decodeTokensPerSec: 100, kvBytes: 1_114_112 } }),
      makeRecord({ id: 'r2', savedAt: '2026-11-20T09:00:00Z', nPrompt: 512, nGen: 0, avgTs: 900, estimate: { prefillTokensPerSec: 1000, kvBytes: 1_114_112 } }),
    ],
    notes: ['note with <script>alert(8)</script>'],
  });
}

async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

interface Watch { dialogs: string[]; errors: string[] }

async function openReport(browser: Browser, html: string, scheme: 'light' | 'dark'): Promise<{ page: Page; watch: Watch; close: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-report-'));
  const file = path.join(dir, 'report.html');
  fs.writeFileSync(file, html);
  const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const watch: Watch = { dialogs: [], errors: [] };
  page.on('dialog', (d) => { watch.dialogs.push(d.message()); void d.dismiss(); });
  page.on('pageerror', (e) => watch.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') watch.errors.push(m.text()); });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto('file://' + file);
  await page.waitForSelector('vscode-tabs');
  return { page, watch, close: async () => { await context.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
}

async function showTab(page: Page, id: string): Promise<void> {
  await page.click(`vscode-tab-header[data-tab="${id}"]`);
  await page.waitForFunction((pid) => {
    const p = document.querySelector(`vscode-tab-panel[data-panel="${pid}"]`) as HTMLElement | null;
    return !!p && p.offsetParent !== null;
  }, id);
}

describe('kvlens report (HTML, in chromium)', function () {
  this.timeout(120_000);
  let browser: Browser;
  let bundle: string;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) this.skip();
    bundle = await webviewBundle();
    browser = await launch();
  });
  after(async () => { await browser?.close(); });

  it('shows hostile model names, paths and notes as text and runs none of them', async () => {
    const vm = hostileViewModel();
    const html = renderReportHtml(vm, bundle, randomBytes(18).toString('base64'));
    // The embedded JSON cannot close its script element.
    assert.equal((html.match(/<\/script>/gi) ?? []).length, 2, 'only the two real script elements end');
    const { page, watch, close } = await openReport(browser, html, 'light');
    try {
      for (const tab of ['targets', 'kv', 'charts', 'runs']) await showTab(page, tab);
      await page.waitForTimeout(300);
      assert.deepEqual(watch.dialogs, [], 'no dialog opened');
      const injected = await page.evaluate(() => ({
        imgs: document.querySelectorAll('img').length,
        svgs: document.querySelectorAll('svg[onload], svg').length,
        iframes: document.querySelectorAll('iframe').length,
        scripts: document.querySelectorAll('script').length,
        bold: document.querySelectorAll('b').length,
        handlers: Array.from(document.querySelectorAll('*')).filter((e) => Array.from(e.attributes).some((a) => /^on/i.test(a.name))).length,
      }));
      assert.deepEqual(injected, { imgs: 0, svgs: 0, iframes: 0, scripts: 2, bold: 0, handlers: 0 });
      const text = await page.evaluate(() => document.body.innerText);
      assert.ok(text.includes(HOSTILE_MODEL), 'the model name shows literally');
      assert.ok(text.includes('<svg onload=alert(4)>'), 'the run model name shows literally');
      assert.ok(text.includes('"><script>alert(2)</script>'), 'the path shows literally');
      assert.equal(await page.title(), `KV Lens — ${HOSTILE_MODEL}`);
      assert.deepEqual(watch.errors, [], 'no script error and no CSP violation');
    } finally {
      await close();
    }
  });

  it('shows the estimate\'s and the store\'s numbers, and saves light and dark screenshots', async () => {
    const report = makeReport();
    const runs = [
      makeRecord({ id: 'r1', savedAt: '2026-11-21T10:00:00Z', modelName: 'kvlens-default', avgTs: 110, estimate: { decodeTokensPerSec: 100, kvBytes: 1_114_112 } }),
      makeRecord({ id: 'r2', savedAt: '2026-11-21T10:01:00Z', modelName: 'kvlens-default', nPrompt: 512, nGen: 0, avgTs: 912.5, estimate: { prefillTokensPerSec: 1000, kvBytes: 1_114_112 } }),
      makeRecord({ id: 'r3', savedAt: '2026-11-20T09:00:00Z', modelName: 'kvlens-default', typeK: 'q4_0', typeV: 'q4_0', avgTs: 95, estimate: { decodeTokensPerSec: 105, kvBytes: 589_824 }, kv: 589_824 }),
    ];
    const vm = buildViewModel({ title: 'KV Lens — llama-8b.kvlens.yaml', source: 'examples/llama-8b.kvlens.yaml', generatedAt: '2026-11-22T02:00:00Z', deployments: [{ name: 'llama-8b', report }], runs });
    const html = renderReportHtml(vm, bundle, randomBytes(18).toString('base64'));
    fs.mkdirSync(SCREENS, { recursive: true });
    for (const scheme of ['light', 'dark'] as const) {
      const { page, watch, close } = await openReport(browser, html, scheme);
      try {
        const h100 = report.targets[0];
        const card = page.locator('article.target', { hasText: 'H100 SXM' });
        const cardText = await card.innerText();
        // Numbers from the estimator's report, formatted independently of the view-model's cells.
        assert.ok(cardText.includes(bytesText(h100.memory.kvBytes)), `KV ${bytesText(h100.memory.kvBytes)}`);
        assert.ok(cardText.includes(bytesText(h100.memory.weightsBytes)));
        assert.ok(cardText.includes(secondsText(h100.perf.ttftSec)));
        assert.ok(cardText.includes(rateText(h100.perf.decodeTokensPerSec)));
        assert.ok(cardText.includes(rateText(h100.perf.theoretical.decodeTokensPerSec)));
        assert.ok(cardText.includes(`${h100.concurrency.maxSequences} @ 8K tokens`));
        const row = await page.locator('article.target').first().locator('tr', { hasText: 'TTFT' }).innerText();
        assert.match(row, /205 ms/);
        assert.match(await page.locator('article.target', { hasText: 'Small 16 GiB' }).innerText(), /does not fit/);
        await page.screenshot({ path: path.join(SCREENS, `report-targets-${scheme}.png`), fullPage: true });

        await showTab(page, 'kv');
        const kvText = await page.locator('vscode-tab-panel[data-panel="kv"]').innerText();
        assert.match(kvText, /q4_0\/q4_0[\s\S]*Not usable: quantized V cache requires flash attention/);
        await page.screenshot({ path: path.join(SCREENS, `report-kv-${scheme}.png`), fullPage: true });

        await showTab(page, 'charts');
        // Every target on one chart (throughput, Pareto), then the selected target's two; each chart one canvas.
        const ids = await page.$$eval('vscode-tab-panel[data-panel="charts"] figure.chart-figure', (els) => els.map((e) => e.getAttribute('data-chart')));
        assert.deepEqual(ids, ['throughput-vs-concurrency', 'pareto', 'decode-vs-concurrency', 'kv-vs-context']);
        assert.equal(await page.locator('vscode-tab-panel[data-panel="charts"] canvas').count(), ids.length);
        await page.screenshot({ path: path.join(SCREENS, `report-charts-${scheme}.png`), fullPage: true });

        await showTab(page, 'runs');
        const runsText = await page.locator('vscode-tab-panel[data-panel="runs"]').innerText();
        // The store's tok/s and KV bytes, beside the estimate, with the difference.
        assert.match(runsText, /913 tok\/s ± 2\.5/);
        assert.match(runsText, /-8\.8 %/);
        assert.match(runsText, /\+10 %/);
        assert.match(runsText, new RegExp(bytesText(589_824).replace('.', '\\.')));
        await page.screenshot({ path: path.join(SCREENS, `report-runs-${scheme}.png`), fullPage: true });

        // The history filter narrows the table without losing focus in the field.
        await page.locator('#runs-filter-text').click();
        // The field is a web component: type once focus has reached it, or the first keys go to the page.
        await page.waitForFunction(() => document.activeElement?.id === 'runs-filter-text');
        await page.keyboard.type('q4_0', { delay: 20 });
        await page.waitForFunction(() => (document.getElementById('runs-filter-text') as HTMLInputElement | null)?.value === 'q4_0', undefined, { timeout: 10_000 })
          .catch(async (e) => { throw new Error(`filter field holds ${JSON.stringify(await page.evaluate(() => (document.getElementById('runs-filter-text') as HTMLInputElement | null)?.value))}, focus on ${await page.evaluate(() => document.activeElement?.id)}: ${e}`); });
        await page.waitForFunction(() => document.querySelectorAll('vscode-tab-panel[data-panel="runs"] tbody tr[data-run-id]').length === 1);
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'runs-filter-text');
        assert.deepEqual(watch.errors, []);
      } finally {
        await close();
      }
    }
  });

  it('is usable with the keyboard: tabs switch with the arrow keys and focus is visible', async () => {
    const vm = buildViewModel({ title: 'KV Lens — k', source: 'k.kvlens.yaml', generatedAt: '2026-11-22T02:00:00Z', deployments: [{ name: 'k', report: makeReport() }], runs: [] });
    const { page, close } = await openReport(browser, renderReportHtml(vm, bundle, randomBytes(18).toString('base64')), 'dark');
    try {
      await page.focus('vscode-tab-header[data-tab="targets"]');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => (document.querySelector('vscode-tab-panel[data-panel="kv"]') as HTMLElement).offsetParent !== null);
      const headers = await page.locator('vscode-tab-panel[data-panel="kv"] table th[scope="col"]').count();
      assert.ok(headers >= 6, 'column headers carry scope for screen readers');
    } finally {
      await close();
    }
  });
});


describe('kvlens report on a real profile and a real results store (chromium)', function () {
  this.timeout(180_000);
  let browser: Browser;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) this.skip();
    await webviewBundle();
    browser = await launch();
  });
  after(async () => { await browser?.close(); });

  it('shows the numbers `kvlens estimate --format json` prints and the runs the store holds', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-report-real-'));
    try {
      const profile = path.join(REPO, 'examples/llama-3.1-8b.kvlens.yaml');
      // A real results store, written by the store's own append (the records are hand-made measurements).
      const storeFile = path.join(dir, 'results.jsonl');
      const store = new ResultsStore(storeFile);
      await store.append([
        makeRecord({ id: 'm1', savedAt: '2026-11-22T01:00:00Z', avgTs: 48.25, estimate: { decodeTokensPerSec: 50, kvBytes: 1_114_112 } }),
        makeRecord({ id: 'm2', savedAt: '2026-11-22T01:01:00Z', typeK: 'f16', typeV: 'f16', nPrompt: 512, nGen: 0, avgTs: 612, kv: 2_097_152, estimate: { prefillTokensPerSec: 600, kvBytes: 2_097_152 } }),
      ]);
      fs.appendFileSync(storeFile, '{"truncated": \n');
      const out: string[] = [];
      const err: string[] = [];
      const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t), cwd: dir, isTTY: false };
      const html = path.join(dir, 'report.html');
      assert.equal(await report(['--out', html, '--results', storeFile, profile], io), 0, err.join(''));
      assert.match(out.join(''), /1 deployment\(s\), 3 target\(s\), 2 measured run\(s\)/);
      assert.match(err.join(''), /skipped an unreadable record/);

      const jsonOut: string[] = [];
      await estimateCmd(['--format', 'json', profile], { ...io, out: (t: string) => jsonOut.push(t) });
      const est = JSON.parse(jsonOut.join('')) as EstimateReport;

      const { page, watch, close } = await openReport(browser, fs.readFileSync(html, 'utf8'), 'light');
      try {
        for (const t of est.targets) {
          const card = await page.locator('article.target', { has: page.locator('h3', { hasText: t.name }) }).innerText();
          assert.ok(card.includes(bytesText(t.memory.kvBytes)), `${t.id} KV ${bytesText(t.memory.kvBytes)} in\n${card}`);
          assert.ok(card.includes(bytesText(t.memory.weightsBytes)), `${t.id} weights`);
          assert.ok(card.includes(`${bytesText(t.memory.totalBytes)} of ${bytesText(t.memory.capacityBytes)}`), `${t.id} total`);
          assert.ok(card.includes(secondsText(t.perf.ttftSec)), `${t.id} TTFT ${secondsText(t.perf.ttftSec)}`);
          assert.ok(card.includes(rateText(t.perf.decodeTokensPerSec)), `${t.id} decode ${rateText(t.perf.decodeTokensPerSec)}`);
        }
        await page.screenshot({ path: path.join(SCREENS, 'report-real-targets-light.png'), fullPage: true });
        await showTab(page, 'runs');
        const runsText = await page.locator('vscode-tab-panel[data-panel="runs"]').innerText();
        assert.match(runsText, /48\.3 tok\/s ± 2\.5/);
        assert.match(runsText, /612 tok\/s ± 2\.5/);
        assert.match(runsText, /-3\.5 %/);
        assert.match(runsText, /\+2\.0 %/);
        await showTab(page, 'charts');
        await page.screenshot({ path: path.join(SCREENS, 'report-real-charts-light.png'), fullPage: true });
        await showTab(page, 'kv');
        await page.screenshot({ path: path.join(SCREENS, 'report-real-kv-light.png'), fullPage: true });
        assert.deepEqual(watch.errors, []);
      } finally {
        await close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
