// A user opens a broken vLLM config in VS Code (code-server in chromium, extension installed) and sees the
// mistakes in the Problems panel and as squiggles under the offending key and value.
import * as assert from 'node:assert/strict';
import {
  VsCodeSession, countSquiggles, launchVsCode, openFile, readProblems, saveFailure, screenshot, squiggledText,
  statusBarProblemCounts, waitForProblems, waitForSquiggle,
} from './harness';

describe('e2e: Problems panel and squiggles', function () {
  this.timeout(180_000);
  let vs: VsCodeSession | undefined;

  before(async () => {
    vs = await launchVsCode({ theme: 'dark' });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      const shot = await saveFailure(vs, (this.currentTest.title ?? 'test').replace(/\W+/g, '-'));
      if (shot) console.log(`    failure screenshot: ${shot}`);
    }
  });

  after(async () => {
    await vs?.close();
  });

  it('lists the misspelt key and the wrong cache type of bad-vllm.yaml, with squiggles on them', async () => {
    const page = vs!.page;
    await openFile(page, 'bad-vllm.yaml');
    const rows = await waitForProblems(page, (r) =>
      r.some((p) => p.file === 'bad-vllm.yaml' && /gpu-memory-utili[sz]ation/.test(p.message)) &&
      r.some((p) => p.file === 'bad-vllm.yaml' && /q8_0|kv-cache-dtype/.test(p.message)), 60_000);
    const ours = rows.filter((p) => p.file === 'bad-vllm.yaml');

    // The misspelling is an error (vLLM refuses unknown options) on its own line (4) and suggests vLLM's spelling.
    const misspelt = ours.find((p) => /gpu-memory-utilisation/.test(p.message) || /gpu-memory-utilization/.test(p.message))!;
    assert.equal(misspelt.line, 4, `misspelt key reported on line ${misspelt.line}: ${misspelt.text}`);
    assert.equal(misspelt.severity, 'error');
    assert.match(misspelt.message, /gpu-memory-utilization/, 'the message suggests the correct key');
    // The cache type is a warning on line 5, where the value is (platforms extend vLLM's kv-cache-dtype list).
    const dtype = ours.find((p) => /q8_0|kv-cache-dtype/.test(p.message))!;
    assert.equal(dtype.line, 5, `cache type reported on line ${dtype.line}: ${dtype.text}`);
    assert.equal(dtype.severity, 'warning');

    // The status bar counts agree with the panel.
    const counts = await statusBarProblemCounts(page);
    assert.equal(counts.errors, rows.filter((p) => p.severity === 'error').length);

    // The editor draws an error squiggle under the offending text.
    await waitForSquiggle(page, 'error').catch(() => undefined);
    assert.ok(await countSquiggles(page, 'error') >= 1, 'at least one error squiggle is rendered');
    const under = [...await squiggledText(page, 'error'), ...await squiggledText(page, 'warning')];
    assert.ok(under.some((t) => /q8_0/.test(t)), `a squiggle lies under q8_0; squiggled: ${JSON.stringify(under)}`);

    const shot = await screenshot(page, 'problems-bad-vllm');
    console.log(`    screenshot: ${shot}`);
  });

  it('shows no problems for the corrected file', async () => {
    const page = vs!.page;
    await openFile(page, 'good-vllm.yaml');
    // The analysis of the good file has run once its estimate CodeLens is drawn; only then does "no rows" mean
    // something.
    await page.locator('.editor-instance .monaco-editor .codelens-decoration', { hasText: 'GiB' }).first().waitFor({ timeout: 60_000 });
    const rows = await readProblems(page);
    assert.deepEqual(rows.filter((p) => p.file === 'good-vllm.yaml').map((p) => p.text), []);
    assert.equal(await countSquiggles(page, 'error'), 0, 'no error squiggle in the corrected file');
    await screenshot(page, 'problems-good-vllm');
  });
});
