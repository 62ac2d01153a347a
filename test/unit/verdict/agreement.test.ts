// One verdict everywhere: for every example and fixture the editor can open, Problems (the memory-fit
// diagnostics), the CodeLens, the hover's first line and the status bar state the same verdict and numbers,
// because they are all read from src/core/verdict.ts over the one estimate (src/core/editorAnalysis.ts).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeForEditor, type EditorAnalysis } from '../../../src/core/editorAnalysis';
import { detectFormat } from '../../../src/core/formats/detect';
import { createModelResolver } from '../../../src/core/models/resolve';
import { headline, MAX_LENS_COLUMNS } from '../../../src/core/verdict';
import { placeLenses } from '../../../src/vscode/lensPlacement';
import { statusText } from '../../../src/vscode/text';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');
/** The kvlens.targets.default setting's default (package.json). */
const DEFAULT_TARGETS = ['h100-sxm', 'l40s', 'rtx-4090'];

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else if (/\.(ya?ml|json)$/i.test(e.name)) out.push(p);
  }
  return out.sort();
}

/** Published configs (../shared/realworld, beside the repository in CI); skipped with a note when absent. */
const REALWORLD = path.resolve(REPO, '..', 'shared', 'realworld');
const realworld = fs.existsSync(REALWORLD) ? [...files(path.join(REALWORLD, 'vllm')), ...files(path.join(REALWORLD, 'llama-swap'))].filter((f) => fs.existsSync(f)) : [];
if (!realworld.length) console.log('    (../shared/realworld is absent: only examples and fixtures are checked)');

const CANDIDATES = [...files(path.join(REPO, 'examples')), ...files(path.join(REPO, 'test', 'fixtures')), ...files(path.join(REPO, 'test', 'e2e', 'fixtures')), ...realworld]
  .filter((f) => !f.includes(`${path.sep}models${path.sep}`));

export async function editorView(file: string, defaultTargets = DEFAULT_TARGETS): Promise<{ text: string; a: EditorAnalysis } | undefined> {
  const text = fs.readFileSync(file, 'utf8');
  const format = detectFormat(file, text);
  if (!format) return undefined;
  const a = await analyzeForEditor(text, file, { format, modelResolver: createModelResolver(), defaultTargets });
  return { text, a };
}

describe('one verdict: Problems, CodeLens, hover and status bar agree on every example and fixture', () => {
  let checkedTargets = 0;

  for (const file of CANDIDATES) {
    const rel = path.relative(REPO, file).replace(/^\.\.[\\/]shared/, 'shared');
    it(rel, async () => {
      const view = await editorView(file);
      if (!view) return;
      const { text, a } = view;
      const lenses = placeLenses(a, text, { trusted: true });
      for (const l of lenses) assert.ok([...l.title].length <= MAX_LENS_COLUMNS, `lens wider than ${MAX_LENS_COLUMNS}: "${l.title}"`);
      const memory = a.diagnostics.filter((d) => d.code === 'memory-does-not-fit' || d.code === 'memory-tight');
      let expectedMemory = 0;
      a.verdicts.forEach((dv, i) => {
        const est = a.estimates[i];
        assert.equal(dv.targets.length, est.report?.targets.length ?? 0);
        dv.targets.forEach((v) => {
          checkedTargets++;
          const lens = lenses.find((l) => l.kind === 'target' && l.deployment === i && l.targetId === v.id);
          assert.ok(lens, `${rel}: a lens for ${v.id}`);
          // The lens states the verdict mark and either the whole summary or its memory figure.
          const says = v.state === 'will-not-start' ? lens.title.includes("won't start") : lens.title.includes(v.memoryText);
          assert.ok(lens.title.includes(v.mark) && says, `${rel} ${v.id}: lens "${lens.title}" vs ${v.summary}`);
          const h = headline(v);
          assert.ok(h.includes(v.summary) && h.includes(v.words), `hover headline "${h}"`);
          const s = statusText(v);
          assert.ok(v.state === 'will-not-start' ? /won't start/.test(s) : s.includes(v.memoryText), `status "${s}"`);
          if (v.memoryState !== 'fits') {
            expectedMemory++;
            const diag = memory.filter((d) => d.message.startsWith(`${v.label} ${v.memoryState === 'tight' ? '⚠ tight' : '✗ does not fit'}`));
            assert.equal(diag.length, 1, `${rel} ${v.id} (${v.memoryState}): one memory diagnostic, got ${JSON.stringify(memory.map((d) => d.message))}`);
            assert.ok(diag[0].message.includes(v.memoryState === 'tight' ? v.summary : v.memoryText), `${diag[0].message} states ${v.summary}`);
          }
          // Speed figures only where it runs.
          assert.equal(v.speed === undefined, v.state === 'does-not-fit' || v.state === 'will-not-start');
          if (!v.speed) assert.doesNotMatch(lens.title, /tok\/s|TTFT/);
        });
      });
      assert.equal(memory.length, expectedMemory, `${rel}: every memory diagnostic matches a verdict`);
    });
  }

  it('checked a meaningful number of targets', () => {
    assert.ok(checkedTargets >= 20, `${checkedTargets} targets`);
  });

  it('the 70B vLLM profile says 6 sequences on l40s everywhere (the draft model counts in Problems too)', async () => {
    const view = (await editorView(path.join(REPO, 'examples', 'llama-3.1-70b-vllm.kvlens.yaml')))!;
    const l40s = view.a.verdicts[0].targets.find((t) => t.id === 'l40s')!;
    assert.equal(l40s.state, 'tight');
    const diag = view.a.diagnostics.find((d) => d.code === 'memory-tight')!;
    assert.match(diag.message, new RegExp(` ${l40s.users} users @32K`));
    const lens = placeLenses(view.a, view.text, { trusted: true }).find((l) => l.targetId === 'l40s')!;
    assert.ok(lens.title.includes(`${l40s.users} users @32K`), lens.title);
  });
});
