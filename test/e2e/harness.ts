// Browser end-to-end helpers: a real code-server (VS Code 1.139 in a browser) driven by Debian's chromium via
// playwright-core, with the built extension installed. Shared by every e2e test (problems, panel).
//
//   const vs = await launchVsCode({ theme: 'dark' });
//   await openFile(vs.page, 'bad-vllm.yaml');
//   const rows = await waitForProblems(vs.page, (r) => r.some((p) => p.severity === 'error'));
//   await screenshot(vs.page, 'problems-dark');
//   await vs.close();
//
// The extension is installed by linking the repository into a fresh extensions dir (what VS Code scans at start:
// fast, no packaging); `install: 'vsix'` installs a packaged VSIX with `code-server --install-extension` instead.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Frame, Page } from 'playwright-core';

type CodeServerModule = typeof import('../../scripts/code-server.mjs', { with: { 'resolution-mode': 'import' } });

/** Repository root (this file runs as out/test/e2e/harness.js). */
export const REPO = path.resolve(__dirname, '../../..');
export const ARTIFACTS = path.join(REPO, 'artifacts', 'e2e');
export const DEFAULT_WORKSPACE = path.join(REPO, 'test/e2e/fixtures/workspace');

let csModule: Promise<CodeServerModule> | undefined;
/** scripts/code-server.mjs (ESM) loaded from CommonJS. */
export function codeServer(): Promise<CodeServerModule> {
  csModule ??= import(pathToFileURL(path.join(REPO, 'scripts/code-server.mjs')).href) as Promise<CodeServerModule>;
  return csModule;
}

export type Theme = 'dark' | 'light' | 'hc-dark' | 'hc-light';
/** `name` is the settings id (workbench.colorTheme), `label` what the theme picker shows (VS Code 1.139). */
export const THEMES: Record<Theme, { name: string; label: string; bodyClass: string }> = {
  dark: { name: 'Dark Modern', label: 'Dark Modern', bodyClass: 'vs-dark' },
  light: { name: 'Light Modern', label: 'Light Modern', bodyClass: 'vs' },
  'hc-dark': { name: 'Default High Contrast', label: 'Dark High Contrast', bodyClass: 'hc-black' },
  'hc-light': { name: 'Default High Contrast Light', label: 'Light High Contrast', bodyClass: 'hc-light' },
};

export interface LaunchOptions {
  /** Folder copied to a temp dir and opened (default test/e2e/fixtures/workspace). */
  workspace?: string;
  /** User settings (settings.json of the user-data-dir). */
  settings?: Record<string, unknown>;
  theme?: Theme;
  /** 'link' (default): symlink the repo into the extensions dir; 'vsix': install `vsix`; 'none'. */
  install?: 'link' | 'vsix' | 'none';
  vsix?: string;
  /** Keep Workspace Trust on (default off). */
  trust?: boolean;
  viewport?: { width: number; height: number };
}

export interface VsCodeSession {
  page: Page;
  context: BrowserContext;
  origin: string;
  /** The temp copy that is open in the window. */
  workspace: string;
  userDataDir: string;
  extensionsDir: string;
  /**
   * Merges settings into the user settings.json. VS Code reads an outside write only when its file watcher reports
   * it, and in code-server here that stops once an editor is open (a second write not applied in 30 s): reload
   * the window (`Developer: Reload Window`) before relying on the new values.
   */
  setSettings(settings: Record<string, unknown>): Promise<void>;
  /** Switches the color theme and waits until the workbench shows it. */
  setTheme(theme: Theme): Promise<void>;
  /** code-server's output so far (for failure messages). */
  serverOutput(): string;
  close(): Promise<void>;
}

export async function launchVsCode(o: LaunchOptions = {}): Promise<VsCodeSession> {
  const cs = await codeServer();
  const ws = cs.copyWorkspace(o.workspace ?? DEFAULT_WORKSPACE);
  const settings = { ...(o.settings ?? {}), ...(o.theme ? { 'workbench.colorTheme': THEMES[o.theme].name } : {}) };
  const server = await cs.startCodeServer({ workspaceTrust: o.trust, settings });
  const install = o.install ?? 'link';
  if (install === 'link') {
    cs.linkExtension(server.extensionsDir);
  } else if (install === 'vsix') {
    if (!o.vsix || !fs.existsSync(o.vsix)) throw new Error(`no VSIX at ${o.vsix}; build one with \`npm run package\``);
    cs.codeServerCli(['--install-extension', o.vsix, '--force'], { userDataDir: server.userDataDir, extensionsDir: server.extensionsDir });
  }
  // Extensions are scanned when the window's extension host starts, so install before opening the page.
  const browser = await cs.launchChromium({ viewport: o.viewport });
  const page = await browser.context.newPage();
  await page.goto(`${server.origin}/?folder=${encodeURIComponent(ws)}`);
  await waitForWorkbench(page);
  if (o.theme) await waitForTheme(page, o.theme);

  const session: VsCodeSession = {
    page,
    context: browser.context,
    origin: server.origin,
    workspace: ws,
    userDataDir: server.userDataDir,
    extensionsDir: server.extensionsDir,
    async setSettings(s) { cs.writeUserSettings(server.userDataDir, s); },
    async setTheme(theme) {
      // As a user does: the theme picker (it also writes settings.json). If that fails, edit settings.json and
      // let VS Code's file watcher notice (slower: ~10 s on a quiet machine).
      try {
        await runCommand(page, 'Preferences: Color Theme');
        await pickQuickInput(page, THEMES[theme].label);
        await waitForTheme(page, theme, 10_000);
      } catch {
        await page.keyboard.press('Escape').catch(() => undefined);
        cs.writeUserSettings(server.userDataDir, { 'workbench.colorTheme': THEMES[theme].name });
        await waitForTheme(page, theme, 45_000);
      }
    },
    serverOutput: () => server.output(),
    async close() {
      await browser.close();
      await server.stop();
    },
  };
  return session;
}

/** Waits until the workbench has rendered its status bar and the explorer shows the folder. */
export async function waitForWorkbench(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: timeoutMs });
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: timeoutMs });
}

export async function waitForTheme(page: Page, theme: Theme, timeoutMs = 20_000): Promise<void> {
  const cls = THEMES[theme].bodyClass;
  await page.waitForFunction((c) => document.querySelector('.monaco-workbench')?.classList.contains(c) ?? false, cls, { timeout: timeoutMs });
}

/** Opens a workspace file through Quick Open (Ctrl+P), as a user would, and waits for its editor tab. */
export async function openFile(page: Page, relPath: string, timeoutMs = 30_000): Promise<void> {
  const base = path.basename(relPath);
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('Escape').catch(() => undefined);
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: timeoutMs });
    await input.fill(relPath);
    // File search answers asynchronously: click the row whose file name is exactly this one (Enter would take
    // whichever row is focused, which after a theme switch or a slow search is not always this file).
    const rows = page.locator('.quick-input-list .monaco-list-row', { hasText: base });
    try {
      await rows.first().waitFor({ timeout: Math.max(1000, deadline - Date.now()) });
      const labels = await rows.evaluateAll((els) => els.map((e) => (e.querySelector('.label-name')?.textContent ?? '').trim()));
      const i = Math.max(0, labels.indexOf(base));
      await rows.nth(i).click();
      // The tab may exist already (the file was open): wait until it is the active one.
      await page.locator(`.tabs-container .tab.active[aria-label^="${base}"], .tabs-container .tab.active:has-text("${base}")`).first().waitFor({ state: 'attached', timeout: Math.max(1000, Math.min(10_000, deadline - Date.now())) });
      break;
    } catch (e) {
      if (Date.now() >= deadline || attempt >= 3) throw e;
    }
  }
  await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ timeout: timeoutMs });
}

/** Runs a command from the palette by its label as shown there (e.g. 'KV Lens: Open Dashboard'). */
export async function runCommand(page: Page, label: string, timeoutMs = 30_000): Promise<void> {
  // An open palette lists the commands whose `when` held when it opened and never refreshes; a context key set a
  // moment later (kvlens.isKvFile after the first analysis) needs the palette opened again.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: Math.max(1000, deadline - Date.now()) });
    await input.fill('>' + label);
    try {
      await acceptRow(page, label, Math.max(1000, Math.min(8000, deadline - Date.now())));
      return;
    } catch (e) {
      if (Date.now() >= deadline) throw e;
      await page.keyboard.press('Escape');
    }
  }
}

/**
 * Clicks the quick-input row whose label is `text` (exactly, else the first that starts with it, else the first
 * that contains it). Enter would accept the focused row, which is not always the one asked for (the palette puts
 * "Browse Color Themes in Marketplace" above "Color Theme").
 */
async function acceptRow(page: Page, text: string, timeoutMs: number): Promise<void> {
  const rows = page.locator('.quick-input-list .monaco-list-row');
  await rows.filter({ hasText: text }).first().waitFor({ timeout: timeoutMs });
  const labels = await rows.evaluateAll((els) => els.map((e) => (e.querySelector('.label-name')?.textContent ?? e.getAttribute('aria-label') ?? '').trim()));
  let i = labels.findIndex((l) => l === text);
  if (i < 0) i = labels.findIndex((l) => l.startsWith(text));
  if (i < 0) i = labels.findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`no quick-input row "${text}" among ${JSON.stringify(labels)}`);
  await rows.nth(i).click();
}

/** Types into an open quick pick (e.g. after runCommand) and accepts the first row that shows `text`. */
export async function pickQuickInput(page: Page, text: string, timeoutMs = 30_000): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  // A command that opens its own picker first closes the palette: wait until the palette's '>' is gone.
  const t0 = Date.now();
  for (;;) {
    const ready = await input.evaluate((el: HTMLInputElement) => {
      const widget = el.closest('.quick-input-widget') as HTMLElement | null;
      return !!widget && widget.style.display !== 'none' && !el.closest('[inert]') && !el.value.startsWith('>');
    }).catch(() => false);
    if (ready) break;
    if (Date.now() - t0 > timeoutMs) throw new Error(`no quick pick opened within ${timeoutMs} ms`);
    await page.waitForTimeout(100);
  }
  await input.fill(text);
  await acceptRow(page, text, timeoutMs);
  await input.waitFor({ state: 'hidden', timeout: timeoutMs }).catch(() => undefined);
}

export interface ProblemRow {
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** "generated by X" part of the row, e.g. the diagnostic source. */
  source?: string;
  /** 1-based, as shown in the panel. */
  line?: number;
  column?: number;
  /** The visible text of the row (message, source(code), [Ln, Col]). */
  text: string;
  /** File name of the group the row is listed under. */
  file?: string;
}

/** Shows the Problems panel (Ctrl+Shift+M toggles, so only when it is not visible). */
export async function openProblems(page: Page): Promise<void> {
  if (await page.locator('.markers-panel').isVisible().catch(() => false)) return;
  await page.keyboard.press('Control+Shift+M');
  await page.locator('.markers-panel').waitFor({ state: 'visible', timeout: 15_000 });
}

/** The marker rows of the Problems panel (file rows skipped), parsed from their accessible labels. */
export async function readProblems(page: Page): Promise<ProblemRow[]> {
  await openProblems(page);
  const raw = await page.locator('.markers-panel .monaco-list-row').evaluateAll((els) =>
    els.map((e) => ({ aria: e.getAttribute('aria-label') ?? '', text: (e.textContent ?? '').trim() })));
  const rows: ProblemRow[] = [];
  let file: string | undefined;
  for (const r of raw) {
    // "2 problems in file bad-vllm.yaml of folder ."
    const f = /problems? in file (.+?) of folder /.exec(r.aria);
    if (f) { file = f[1]; continue; }
    // "Error: <message> at line 1 and character 10. generated by json"
    const m = /^(Error|Warning|Info): ([\s\S]*?)(?: at line (\d+) and character (\d+))?\.?(?: generated by (.*))?$/.exec(r.aria);
    if (!m) continue;
    rows.push({
      severity: m[1] === 'Error' ? 'error' : m[1] === 'Warning' ? 'warning' : 'info',
      message: m[2],
      line: m[3] ? Number(m[3]) : undefined,
      column: m[4] ? Number(m[4]) : undefined,
      source: m[5],
      text: r.text,
      file,
    });
  }
  return rows;
}

/** Polls the Problems panel until `until(rows)` holds. */
export async function waitForProblems(page: Page, until: (rows: ProblemRow[]) => boolean, timeoutMs = 30_000): Promise<ProblemRow[]> {
  const t0 = Date.now();
  let rows: ProblemRow[] = [];
  while (Date.now() - t0 < timeoutMs) {
    rows = await readProblems(page);
    if (until(rows)) return rows;
    await page.waitForTimeout(200);
  }
  throw new Error(`Problems panel did not reach the expected state within ${timeoutMs} ms; rows: ${JSON.stringify(rows.map((r) => r.text))}`);
}

/** Error/warning counts from the status bar item (the same numbers the Problems badge shows). */
export async function statusBarProblemCounts(page: Page): Promise<{ errors: number; warnings: number }> {
  const text = (await page.locator('#status\\.problems').textContent()) ?? '';
  const nums = text.match(/\d+/g)?.map(Number) ?? [];
  return { errors: nums[0] ?? 0, warnings: nums[1] ?? 0 };
}

/** Squiggle decorations rendered in the visible editors (`.squiggly-error`, `.squiggly-warning`, ...). */
export async function countSquiggles(page: Page, severity: 'error' | 'warning' | 'info' = 'error'): Promise<number> {
  return page.locator(`.editor-instance .monaco-editor .squiggly-${severity}`).count();
}

/** Waits until the editor draws a squiggle of `severity`: decorations render a frame or more after the Problems rows. */
export async function waitForSquiggle(page: Page, severity: 'error' | 'warning' | 'info' = 'error', timeoutMs = 30_000): Promise<void> {
  await page.locator(`.editor-instance .monaco-editor .squiggly-${severity}`).first().waitFor({ state: 'attached', timeout: timeoutMs });
}

/** The source text under each squiggle (reads the rendered line at the decoration's horizontal span). */
export async function squiggledText(page: Page, severity: 'error' | 'warning' | 'info' = 'error'): Promise<string[]> {
  return page.evaluate((sev) => {
    const out: string[] = [];
    for (const sq of Array.from(document.querySelectorAll<HTMLElement>(`.editor-instance .monaco-editor .squiggly-${sev}`))) {
      const r = sq.getBoundingClientRect();
      const editor = sq.closest('.monaco-editor');
      if (!editor) continue;
      let text = '';
      for (const span of Array.from(editor.querySelectorAll<HTMLElement>('.view-lines .view-line span span'))) {
        const s = span.getBoundingClientRect();
        if (s.bottom <= r.top || s.top >= r.bottom) continue;
        if (s.right <= r.left + 1 || s.left >= r.right - 1) continue;
        text += span.textContent ?? '';
      }
      out.push(text.replace(/\u00a0/g, ' ').trim());
    }
    return out;
  }, severity);
}

/** Saves a PNG under artifacts/e2e/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name.endsWith('.png') ? name : `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * The inner frame of a webview (VS Code nests it: iframe.webview → #active-frame). With `selector`, waits until
 * that element exists inside the webview's document; with `title`, picks the webview whose tab has that title.
 */
export async function webviewFrame(page: Page, o: { selector?: string; timeoutMs?: number } = {}): Promise<Frame> {
  const timeoutMs = o.timeoutMs ?? 30_000;
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    for (const f of page.frames()) {
      const parent = f.parentFrame();
      if (!parent || parent === page.mainFrame()) continue;
      // The outer webview frame loads .../webview/index.html; the content frame inside it is the one we want.
      if (!/\/index\.html/.test(parent.url()) && !/webview/i.test(parent.url())) continue;
      if (o.selector) {
        const found = await f.$(o.selector).catch(() => null);
        if (!found) continue;
      } else {
        const ready = await f.evaluate(() => document.readyState === 'complete' && !!document.body?.childElementCount).catch(() => false);
        if (!ready) continue;
      }
      return f;
    }
    await page.waitForTimeout(200);
  }
  throw new Error(`no webview frame${o.selector ? ` containing ${o.selector}` : ''} within ${timeoutMs} ms`);
}

/** Writes a small failure report (screenshot + code-server output) for a failed test; returns the PNG path. */
export async function saveFailure(vs: VsCodeSession | undefined, name: string): Promise<string | undefined> {
  if (!vs) return undefined;
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.writeFileSync(path.join(ARTIFACTS, `${name}.code-server.log`), vs.serverOutput());
  return screenshot(vs.page, `${name}.failure`).catch(() => undefined);
}

/** For afterEach: a failed test's screenshot and code-server log, named `<suite>-<start of the test's title>`. */
export async function saveIfFailed(vs: VsCodeSession | undefined, suite: string, test: Mocha.Test | undefined, titleChars = 30): Promise<void> {
  if (test?.state === 'failed') await saveFailure(vs, `${suite}-${test.title.slice(0, titleChars).replace(/\W+/g, '-')}`);
}

/** One rendered CodeLens: its text and the editor line (0-based) it sits above. */
export interface RenderedLens { text: string; line: number }

/**
 * The CodeLenses the editor draws, each lens separately (a line's lenses are joined with '|' separators in the
 * DOM), with the line they sit above, read from the view zone's position relative to the rendered lines.
 */
export async function readCodeLenses(page: Page): Promise<RenderedLens[]> {
  return page.evaluate(() => {
    const out: { text: string; line: number }[] = [];
    const editor = document.querySelector('.editor-instance .monaco-editor');
    if (!editor) return out;
    const lines = Array.from(editor.querySelectorAll<HTMLElement>('.view-lines .view-line'));
    const lineHeight = lines[0]?.getBoundingClientRect().height || 19;
    // Line numbers are drawn in the margin at the same top as their line.
    const numbers = Array.from(editor.querySelectorAll<HTMLElement>('.margin-view-overlays .line-numbers'));
    const numberAt = (top: number): number | undefined => {
      let best: { n: number; d: number } | undefined;
      for (const el of numbers) {
        const r = el.getBoundingClientRect();
        const d = r.top - top;
        if (d >= -2 && (!best || d < best.d)) best = { n: Number(el.textContent?.trim()), d };
      }
      return best && Number.isFinite(best.n) ? best.n - 1 : undefined;
    };
    for (const deco of Array.from(editor.querySelectorAll<HTMLElement>('.codelens-decoration'))) {
      const r = deco.getBoundingClientRect();
      const line = numberAt(r.bottom - 1) ?? Math.round(r.top / lineHeight);
      for (const a of Array.from(deco.querySelectorAll<HTMLElement>('a, span:not(.codicon):not([class*="separator"])'))) {
        if (a.closest('a') && a.tagName !== 'A') continue;
        const text = (a.textContent ?? '').replace(/\u00a0/g, ' ').trim();
        if (text && text !== '|') out.push({ text, line });
      }
    }
    return out;
  });
}

/** Waits until a CodeLens with text matching `re` is drawn, and returns all lenses then. */
export async function waitForCodeLenses(page: Page, re: RegExp, timeoutMs = 90_000): Promise<RenderedLens[]> {
  const t0 = Date.now();
  let last: RenderedLens[] = [];
  while (Date.now() - t0 < timeoutMs) {
    last = await readCodeLenses(page);
    if (last.some((l) => re.test(l.text))) return last;
    await page.waitForTimeout(250);
  }
  throw new Error(`no CodeLens matching ${re} within ${timeoutMs} ms; lenses: ${JSON.stringify(last)}`);
}

/** The text of a status bar item whose id ends with `idSuffix` (VS Code prefixes the extension id). */
export async function statusBarItemText(page: Page, idSuffix: string): Promise<string | undefined> {
  const el = page.locator(`.statusbar-item[id$="${idSuffix}"]`).first();
  if (!(await el.count())) return undefined;
  return ((await el.innerText().catch(() => '')) ?? '').replace(/\s+/g, ' ').trim();
}

/** Moves the mouse over the first rendered token equal to `word` (optionally on a line containing `onLine`) and returns the hover's text. */
export async function hoverText(page: Page, word: string, o: { onLine?: string; timeoutMs?: number } = {}): Promise<string> {
  const lineLoc = o.onLine ? page.locator('.editor-instance .view-line', { hasText: o.onLine }).first() : page.locator('.editor-instance .view-line').filter({ hasText: word }).first();
  const box = await lineLoc.evaluate((line, w) => {
    for (const span of Array.from(line.querySelectorAll<HTMLElement>('span span'))) {
      const t = (span.textContent ?? '').replace(/\u00a0/g, ' ');
      const i = t.indexOf(w);
      if (i < 0) continue;
      const r = span.getBoundingClientRect();
      const chars = Math.max(1, t.length);
      const x = r.left + (r.width * (i + Math.min(2, w.length / 2))) / chars;
      return { x, y: r.top + r.height / 2 };
    }
    return undefined;
  }, word);
  if (!box) throw new Error(`"${word}" is not rendered${o.onLine ? ` on a line with "${o.onLine}"` : ''}`);
  await page.mouse.move(box.x - 40, box.y);
  await page.mouse.move(box.x, box.y, { steps: 4 });
  const hover = page.locator('.monaco-hover-content:visible, .monaco-resizable-hover .hover-contents:visible').first();
  await hover.waitFor({ state: 'visible', timeout: o.timeoutMs ?? 15_000 });
  await page.waitForTimeout(300);
  const text = (await hover.innerText()).replace(/\u00a0/g, ' ');
  await page.mouse.move(5, 5);
  await page.keyboard.press('Escape').catch(() => undefined);
  return text;
}

/** The labels of the suggest widget's rows (after Ctrl+Space or a trigger character). */
export async function suggestLabels(page: Page, timeoutMs = 15_000): Promise<string[]> {
  const rows = page.locator('.suggest-widget .monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: timeoutMs });
  await page.waitForTimeout(200);
  return rows.evaluateAll((els) => els.map((e) => (e.querySelector('.label-name')?.textContent ?? e.getAttribute('aria-label') ?? '').trim()));
}

/** Moves the cursor to a 1-based line with Go to Line (Ctrl+G), which scrolls it into view. */
export async function gotoLine(page: Page, line: number): Promise<void> {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
  await page.waitForTimeout(250);
}

/** Focuses the active editor's text, as a click into it does. */
export async function focusEditor(page: Page): Promise<void> {
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
}

/** Hides the bottom panel (Problems, Output, …) when it is shown (Ctrl+J toggles it). */
export async function closePanel(page: Page): Promise<void> {
  const panel = page.locator('.part.panel');
  if (!(await panel.isVisible().catch(() => false))) return;
  await page.keyboard.press('Control+J');
  await panel.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
}

/** Shows or hides the primary side bar (Ctrl+B toggles it). */
export async function setSidebar(page: Page, visible: boolean): Promise<void> {
  const bar = page.locator('.part.sidebar');
  if ((await bar.isVisible().catch(() => false)) === visible) return;
  await page.keyboard.press('Control+B');
  await bar.waitFor({ state: visible ? 'visible' : 'hidden', timeout: 10_000 }).catch(() => undefined);
}
