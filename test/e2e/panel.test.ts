// The dashboard panel inside a real VS Code (code-server + chromium): opened from the command palette on an
// example profile, its numbers equal `kvlens estimate`'s, it follows edits of the profile, it keeps its tab
// across a window reload, and screenshots in dark and light land in artifacts/screens/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import { launchVsCode, openFile, runCommand, saveIfFailed, waitForWorkbench, webviewFrame, REPO, type VsCodeSession } from './harness';
import { run as estimateCmd } from '../../src/cli/commands/estimate';
import type { EstimateReport } from '../../src/core/estimator/report';
import { bytesText, rateText, secondsText } from '../../src/core/report/format';

const SCREENS = path.join(REPO, 'artifacts', 'screens');
const PROFILE = 'llama-3.1-8b.kvlens.yaml';

async function estimateJson(file: string): Promise<EstimateReport> {
  const out: string[] = [];
  const code = await estimateCmd(['--format', 'json', file], { out: (t) => out.push(t), err: () => undefined, cwd: path.dirname(file), isTTY: false });
  assert.ok(code === 0 || code === 1, `kvlens estimate exit ${code}`);
  return JSON.parse(out.join('')) as EstimateReport;
}

async function dashboard(vs: VsCodeSession, selector = 'article.target'): Promise<Frame> {
  return webviewFrame(vs.page, { selector, timeoutMs: 60_000 });
}

async function cardText(frame: Frame, name: string): Promise<string> {
  return frame.locator('article.target', { has: frame.locator('h3', { hasText: name }) }).innerText();
}

describe('dashboard panel in VS Code (code-server)', function () {
  this.timeout(300_000);
  let vs: VsCodeSession | undefined;

  before(async function () {
    if (!fs.existsSync(path.join(REPO, 'dist/webview/main.js')) || !fs.existsSync(path.join(REPO, 'dist/extension.js'))) this.skip();
    fs.mkdirSync(SCREENS, { recursive: true });
    vs = await launchVsCode({ workspace: path.join(REPO, 'examples'), theme: 'dark', viewport: { width: 1500, height: 1000 } });
  });
  after(async () => { await vs?.close(); });
  afterEach(async function () {
    await saveIfFailed(vs, 'panel', this.currentTest);
  });

  it('opens from the palette and shows the estimator\'s numbers', async () => {
    const page = vs!.page;
    await openFile(page, PROFILE);
    // The extension is active and has estimated the file once its CodeLenses show (the palette entry needs that too).
    await page.locator('.codelens-decoration', { hasText: 'GiB' }).first().waitFor({ timeout: 150_000 });
    await runCommand(page, 'KV Lens: Open Dashboard');
    const frame = await dashboard(vs!);
    await page.locator('.tab', { hasText: `KV Lens — ${PROFILE}` }).first().waitFor({ timeout: 30_000 });
    const est = await estimateJson(path.join(vs!.workspace, PROFILE));
    for (const t of est.targets) {
      const text = await cardText(frame, t.name);
      assert.ok(text.includes(bytesText(t.memory.kvBytes)), `${t.id}: KV ${bytesText(t.memory.kvBytes)}\n${text}`);
      assert.ok(text.includes(bytesText(t.memory.weightsBytes)), `${t.id}: weights`);
      assert.ok(text.includes(secondsText(t.perf.ttftSec)), `${t.id}: TTFT ${secondsText(t.perf.ttftSec)}`);
      assert.ok(text.includes(rateText(t.perf.decodeTokensPerSec)), `${t.id}: decode ${rateText(t.perf.decodeTokensPerSec)}`);
    }
    await page.screenshot({ path: path.join(SCREENS, 'panel-targets-dark.png') });
    await frame.click('vscode-tab-header[data-tab="charts"]');
    await frame.waitForSelector('vscode-tab-panel[data-panel="charts"] canvas', { state: 'visible' });
    await page.screenshot({ path: path.join(SCREENS, 'panel-charts-dark.png') });
  });

  it('comes back after a window reload, in the light theme', async () => {
    const page = vs!.page;
    let frame = await dashboard(vs!);
    await frame.click('vscode-tab-header[data-tab="kv"]');
    await frame.waitForFunction(() => document.querySelector('vscode-tabs')?.getAttribute('selected-index') === '1');
    // This code-server applies a theme written to settings.json at the next window load: switch, then reload.
    await vs!.setTheme('light').catch(() => undefined);
    // The workbench writes webview state to its storage asynchronously; give it time before the reload.
    await page.waitForTimeout(5000);
    await page.reload();
    await waitForWorkbench(page);
    frame = await dashboard(vs!, 'article.target');
    await frame.waitForFunction(() => document.body.classList.contains('vscode-light'), undefined, { timeout: 60_000 });
    // The serializer re-created the panel for the same profile and the webview's saved state chose the tab. The
    // workbench flushes webview state on its own schedule, so the tab is the last one it saved: one of those picked
    // in this session (charts or KV), never the default.
    const idx = await frame.evaluate(() => document.querySelector('vscode-tabs')?.getAttribute('selected-index'));
    assert.ok(idx === '1' || idx === '2', `restored tab index ${idx}`);
    assert.equal(await page.locator('.tab', { hasText: `KV Lens — ${PROFILE}` }).count(), 1, 'one dashboard for the profile');
    const fg = await frame.evaluate(() => getComputedStyle(document.body).color);
    assert.notEqual(fg, 'rgb(204, 204, 204)', 'text follows the light theme');
    await page.waitForTimeout(500);
    await frame.click('vscode-tab-header[data-tab="charts"]');
    await frame.waitForSelector('vscode-tab-panel[data-panel="charts"] canvas', { state: 'visible' });
    await page.screenshot({ path: path.join(SCREENS, 'panel-charts-light.png') });
    await frame.click('vscode-tab-header[data-tab="targets"]');
    await page.screenshot({ path: path.join(SCREENS, 'panel-targets-light.png') });
  });

  it('follows edits of the profile', async () => {
    const file = path.join(vs!.workspace, PROFILE);
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, /-ctk q8_0 -ctv q8_0/);
    fs.writeFileSync(file, text.replace('-ctk q8_0 -ctv q8_0', '-ctk f16 -ctv f16'));
    const est = await estimateJson(file);
    const frame = await dashboard(vs!);
    await frame.waitForFunction(() => /f16\/f16/.test((document.querySelector('.facts') as HTMLElement | null)?.innerText ?? ''), undefined, { timeout: 120_000 });
    const t = est.targets[0];
    assert.equal(est.engine.cacheTypeK, 'f16');
    const card = await cardText(frame, t.name);
    assert.ok(card.includes(bytesText(t.memory.kvBytes)), `KV after the edit: ${bytesText(t.memory.kvBytes)}\n${card}`);
  });

});
