// Completion in a fresh `x.kvlens.yaml`, in a real VS Code with no other extension installed (code-server +
// chromium): typing a key suggests our schema's keys with their documentation, then the engine kinds, llama.cpp
// flags and cache types inside `args`, and target ids — as a user types them.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { focusEditor, launchVsCode, openFile, REPO, saveIfFailed, screenshot, suggestLabels, type VsCodeSession } from './harness';

describe('e2e: completion in a fresh profile (code-server)', function () {
  this.timeout(300_000);
  let vs: VsCodeSession | undefined;
  let ws: string | undefined;

  before(async function () {
    if (!fs.existsSync(path.join(REPO, 'dist/extension.js'))) this.skip();
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-completion-'));
    fs.writeFileSync(path.join(ws, 'x.kvlens.yaml'), '');
    vs = await launchVsCode({ workspace: ws, theme: 'dark', viewport: { width: 1400, height: 900 } });
  });
  after(async () => {
    await vs?.close();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });
  afterEach(async function () {
    await saveIfFailed(vs, 'completion', this.currentTest);
  });

  it('suggests keys, values, flags, cache types and targets with nothing but KV Lens installed', async () => {
    const page = vs!.page;
    // Only KV Lens is in the extensions folder (code-server's built-ins aside): no YAML extension does this.
    const installed = fs.readdirSync(vs!.extensionsDir).filter((n) => !n.startsWith('.') && n !== 'extensions.json');
    assert.equal(installed.length, 1, JSON.stringify(installed));
    await openFile(page, 'x.kvlens.yaml');
    await focusEditor(page);
    await page.keyboard.type('eng');
    await page.keyboard.press('Control+Space');
    let labels = await suggestLabels(page, 60_000);
    assert.ok(labels.includes('engine'), labels.join(','));
    // The documentation of the focused item comes from the schema.
    await page.keyboard.press('Control+Space');
    await screenshot(page, 'completion-keys');
    await page.keyboard.press('Enter');
    // Accepting `engine` inserts `engine:` and a new indented line, then suggests its keys.
    labels = await suggestLabels(page);
    assert.ok(labels.includes('kind'), labels.join(','));
    await page.keyboard.press('Enter');
    labels = await suggestLabels(page);
    assert.deepEqual(labels.filter((l) => !l.startsWith('kvlens') && !l.startsWith('vllm-') && !l.startsWith('llama-swap')).sort(), ['llama.cpp', 'vllm']);
    await page.keyboard.type('llama.cpp');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    await page.keyboard.type('args: "-c 8192 -ct');
    labels = await suggestLabels(page);
    assert.ok(labels.includes('-ctk') && labels.includes('-ctv'), labels.join(','));
    await page.keyboard.press('Escape');
    await page.keyboard.type('k ');
    labels = await suggestLabels(page);
    assert.ok(labels.includes('q8_0') && labels.includes('f16'), labels.join(','));
    await screenshot(page, 'completion-cache-types');
    await page.keyboard.press('Escape');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.type('targets: [4090');
    await page.keyboard.press('Control+Space');
    labels = await suggestLabels(page);
    assert.ok(labels.includes('rtx-4090'), `typing "4090" finds rtx-4090: ${labels.join(',')}`);
    await screenshot(page, 'completion-targets');
    await page.keyboard.press('Escape');
  });
});
