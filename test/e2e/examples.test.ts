// Each shipped example in a real VS Code (code-server + chromium, no other extension): no CodeLens is wider than
// 80 columns, and Problems, the CodeLens, the hover and the status bar state the same verdict and the same numbers
// — the ones src/core/verdict.ts computes for the file (checked here against the core run in this process).
// Then screenshots of every example at 1400 and 480 px in light, dark and high contrast (artifacts/screens/).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import {
  closePanel, gotoLine, readCodeLenses, setSidebar, hoverText, launchVsCode, openFile, readProblems, REPO, saveIfFailed, statusBarItemText, waitForCodeLenses, type RenderedLens, type Theme,
  type VsCodeSession,
} from './harness';
import { analyzeForEditor } from '../../src/core/editorAnalysis';
import { detectFormat } from '../../src/core/formats/detect';
import { createModelResolver } from '../../src/core/models/resolve';
import { MAX_LENS_COLUMNS, type TargetVerdict } from '../../src/core/verdict';

const EXAMPLES = path.join(REPO, 'examples');
const SCREENS = path.join(REPO, 'artifacts', 'screens');
const FILES = fs.readdirSync(EXAMPLES).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
const SETTINGS = parseJsonc(fs.readFileSync(path.join(EXAMPLES, '.vscode', 'settings.json'), 'utf8')) as Record<string, unknown>;

/**
 * The lenses once no model is still being looked up: a first lookup slower than 150 ms shows `KV Lens: resolving
 * <id>…` and the document is analysed again when it settles (what a user sees for a moment on a busy machine).
 */
async function settledLenses(page: Parameters<typeof waitForCodeLenses>[0]): Promise<RenderedLens[]> {
  const t0 = Date.now();
  for (;;) {
    const ls = await waitForCodeLenses(page, /GiB|KV Lens:/);
    // Two reads alike, 300 ms apart: the editor draws lenses and line numbers in separate passes, and a read
    // between them put every lens of a file on line 2 once (CI, a loaded machine).
    await page.waitForTimeout(300);
    const again = await readCodeLenses(page);
    const stable = JSON.stringify(again) === JSON.stringify(ls);
    if ((stable && !ls.some((l) => /^KV Lens: resolving /.test(l.text))) || Date.now() - t0 > 90_000) return again;
  }
}

async function expected(file: string) {
  const text = fs.readFileSync(path.join(EXAMPLES, file), 'utf8');
  const format = detectFormat(file, text)!;
  // The editor resolves Hub ids over the network (in the background, then re-analyses): here the same lookup,
  // waited for, so offline both say the Hub cannot be reached and online both size the downloaded facts.
  return analyzeForEditor(text, path.join(EXAMPLES, file), { format, modelResolver: createModelResolver({ network: 'blocking' }), defaultTargets: SETTINGS['kvlens.targets.default'] as string[] });
}

const shortName = (f: string) => f.replace(/\.(kvlens\.)?ya?ml$/, '');

describe('e2e: the examples state one verdict everywhere (code-server)', function () {
  this.timeout(600_000);
  let vs: VsCodeSession | undefined;

  before(async function () {
    if (!fs.existsSync(path.join(REPO, 'dist/extension.js'))) this.skip();
    fs.mkdirSync(SCREENS, { recursive: true });
    vs = await launchVsCode({ workspace: EXAMPLES, theme: 'dark', viewport: { width: 1400, height: 1250 } });
  });
  after(async () => { await vs?.close(); });
  afterEach(async function () {
    await saveIfFailed(vs, 'examples', this.currentTest, 40);
  });

  for (const file of FILES) {
    it(`${file}: lenses ≤ ${MAX_LENS_COLUMNS} columns; Problems, CodeLens, hover and status bar agree`, async () => {
      const page = vs!.page;
      const want = await expected(file);
      await openFile(page, file);
      const lenses = await settledLenses(page);
      // Every lens of the file (the editor draws those in view: the examples are short enough to be all in view).
      for (const l of lenses) assert.ok([...l.text].length <= MAX_LENS_COLUMNS, `${file}: ${[...l.text].length} columns: "${l.text}"`);
      console.log(`      ${file}: ${lenses.map((l) => `L${l.line + 1} ${l.text}`).join('\n        ')}`);
      const rows = (await readProblems(page)).filter((r) => r.file === file);
      // The Problems panel takes editor height: close it again so every lens and target stays in view.
      await closePanel(page);
      const status = await statusBarItemText(page, 'kvlens.verdict');

      for (const [i, dv] of want.verdicts.entries()) {
        if (!dv.targets.length) {
          // No estimate: one lens says why, on the model line or the header.
          // The lens states the core's reason, cut at 80 columns with an ellipsis.
          const said = (l: RenderedLens) => l.text.replace(/^KV Lens: /, '').replace(/…$/, '');
          assert.ok(lenses.some((l) => l.text.startsWith('KV Lens: ') && said(l).length >= 20 && dv.problem!.startsWith(said(l))), `${file} #${i}: "${dv.problem}" in ${JSON.stringify(lenses)}`);
          continue;
        }
        const est = want.estimates[i];
        for (const [j, v] of dv.targets.entries()) {
          const lens = lenses.find((l) => l.text.startsWith(`${v.label} ${v.mark}`));
          assert.ok(lens, `${file}: a lens for ${v.id} ("${v.label} ${v.mark} …") among ${JSON.stringify(lenses.map((l) => l.text))}`);
          assert.ok(v.state === 'will-not-start' ? lens.text.includes("won't start") : lens.text.includes(v.memoryText), `${file} ${v.id}: "${lens.text}" states ${v.memoryText}`);
          // On the target's own line when the file names it, else on the model line.
          const line = dv.targetsFromSettings ? est.deployment.model?.range.start.line : est.targetRanges?.[j]?.start.line;
          if (line !== undefined) assert.equal(lens.line, line, `${file} ${v.id}: lens above line ${line + 1}, drawn above ${lens.line + 1}`);
          checkProblems(file, v, rows.map((r) => r.message));
        }
        if (i === 0) {
          const first = dv.targets[0];
          assert.ok(status, `${file}: the KV Lens status bar item is shown`);
          assert.ok(first.state === 'will-not-start' ? /won't start/.test(status) : status.includes(`${first.label} ${first.memoryText}`), `${file}: status "${status}" vs ${first.label} ${first.memoryText}`);
        }
      }
      await checkHovers(file, want);
      await page.screenshot({ path: path.join(SCREENS, `example-${shortName(file)}-dark-1400.png`) });
    });
  }

  async function checkHovers(file: string, want: Awaited<ReturnType<typeof expected>>): Promise<void> {
    const page = vs!.page;
    for (const [i, dv] of want.verdicts.entries()) {
      const est = want.estimates[i];
      if (!dv.targets.length) continue;
      if (!dv.targetsFromSettings) {
        for (const [j, v] of dv.targets.entries()) {
          const ref = est.deployment.targets[j];
          if (!ref || !('id' in ref)) continue;
          if (ref.range) await gotoLine(page, ref.range.start.line + 1);
          const text = await hoverText(page, ref.id, { onLine: `- ${ref.id}` }).catch(() => hoverText(page, ref.id));
          assert.ok(text.includes(v.summary) && text.includes(v.words), `${file} ${v.id}: hover states "${v.words}: ${v.summary}"\n${text.slice(0, 400)}`);
        }
      } else if (est.deployment.model) {
        // Targets from settings: the model's hover starts with the primary (first) target's verdict.
        const ref = est.deployment.model.ref;
        const v = dv.targets[0];
        await gotoLine(page, est.deployment.model.range.start.line + 1);
        const text = await hoverText(page, ref.split('/').pop()!, { onLine: ref });
        assert.ok(text.includes(v.summary), `${file}: model hover states ${v.summary}\n${text.slice(0, 400)}`);
      }
    }
  }

  it('screenshots of every example at 1400 and 480 px, light, dark and high contrast', async () => {
    const page = vs!.page;
    const themes: Theme[] = ['light', 'dark', 'hc-dark'];
    await closePanel(page);
    for (const theme of themes) {
      await vs!.setTheme(theme);
      for (const width of [1400, 480]) {
        await page.setViewportSize({ width, height: 1250 });
        // At 480 px the editor gets the window, as someone on a narrow screen would arrange it.
        await setSidebar(page, width !== 480);
        for (const file of FILES) {
          await openFile(page, file);
          await settledLenses(page);
          // From the top: the header's actions are in the picture too.
          await page.keyboard.press('Control+Home');
          await page.waitForTimeout(300);
          await page.screenshot({ path: path.join(SCREENS, `example-${shortName(file)}-${theme}-${width}.png`) });
        }
      }
    }
    await page.setViewportSize({ width: 1400, height: 1250 });
  });
});

/** A target that does not fit or is tight has exactly one memory row in Problems, with the lens's figures; one that fits has none. */
function checkProblems(file: string, v: TargetVerdict, messages: string[]): void {
  const mine = messages.filter((m) => m.startsWith(`${v.label} ✗ does not fit`) || m.startsWith(`${v.label} ⚠ tight`));
  if (v.memoryState === 'fits') {
    assert.equal(mine.length, 0, `${file} ${v.id} fits: no memory problem, got ${JSON.stringify(mine)}`);
    return;
  }
  assert.equal(mine.length, 1, `${file} ${v.id} (${v.memoryState}): one Problems row, got ${JSON.stringify(messages)}`);
  assert.ok(mine[0].includes(v.memoryState === 'tight' ? v.summary : v.memoryText), `${file} ${v.id}: "${mine[0]}" states ${v.summary}`);
}

export type { RenderedLens };
