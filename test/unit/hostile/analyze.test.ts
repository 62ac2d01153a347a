// analyze.ts on inputs that make many findings or many nodes: capped diagnostics (errors kept first, one note for
// the rest), no spread of a huge array (130,000 repeated flags used to overflow the stack), one model resolution
// per reference, and a node cap that keeps one file's analysis in bounded memory.
import * as assert from 'node:assert/strict';
import { analyzeText, capDiagnostics, countItems, MAX_DIAGNOSTICS, MAX_DIAGNOSTICS_PER_CODE, MAX_ITEMS, MAX_MESSAGE_CHARS } from '../../../src/core/formats/analyze';
import type { KvDiagnostic } from '../../../src/core/diagnostics';
import type { ModelResolverLike } from '../../../src/core/rules/rule';
import { createModelResolver } from '../../../src/core/models/resolve';
import { parseDocument } from '../../../src/core/formats/document';
import { analyzeSwapDocument } from '../../../src/core/formats/swap';

const d = (line: number, code: string, severity: KvDiagnostic['severity'] = 'warning'): KvDiagnostic =>
  ({ severity, code, message: code, range: { start: { line, character: 0 }, end: { line, character: 1 } } });

describe('analysis of hostile inputs', () => {
  it('130,000 repeated flags: capped warnings with a note, no internal error', async () => {
    const text = `model: meta-llama/Llama-3.1-8B-Instruct\nengine:\n  kind: llama.cpp\n  args: "${'-c 4096 '.repeat(130_000)}"\n`;
    const a = await analyzeText(text, 'd.kvlens.yaml');
    assert.ok(!a.diagnostics.some((x) => x.code === 'internal-error'), a.diagnostics.find((x) => x.code === 'internal-error')?.message);
    assert.equal(a.diagnostics.filter((x) => x.code === 'duplicate-flag').length, MAX_DIAGNOSTICS_PER_CODE);
    const note = a.diagnostics.find((x) => x.code === 'diagnostics-truncated');
    assert.match(note?.message ?? '', /129,899 more problems are not shown \(129,899 × duplicate-flag\)/);
    assert.equal(a.deployments[0]?.engine.contextSize, 4096);
  });

  it('a 3 MB value quoted in a message is shortened, its start and end kept', async () => {
    const a = await analyzeText(`model: ${'m'.repeat(3_000_000)}\nengine: {kind: llama.cpp}\n`, 'm.kvlens.yaml', { modelResolver: createModelResolver() });
    assert.ok(a.diagnostics.length > 0);
    for (const x of a.diagnostics) assert.ok(x.message.length <= MAX_MESSAGE_CHARS + 60, `${x.code}: ${x.message.length} characters`);
    assert.match(a.diagnostics.find((x) => x.code === 'model-not-found')!.message, /characters left out/);
  });

  it('caps keep every kind of error before warnings, and at most MAX_DIAGNOSTICS in all', () => {
    const many: KvDiagnostic[] = [];
    for (let i = 0; i < 5000; i++) many.push(d(i, `w${i % 40}`));
    many.push(d(4999, 'late-error', 'error'));
    const capped = capDiagnostics(many);
    assert.ok(capped.length <= MAX_DIAGNOSTICS + 1);
    assert.ok(capped.some((x) => x.code === 'late-error'), 'the error was dropped');
    assert.equal(capped.filter((x) => x.code === 'diagnostics-truncated').length, 1);
    assert.deepEqual(capDiagnostics([d(1, 'a'), d(2, 'b')]).map((x) => x.code), ['a', 'b']);
  });

  it('more than MAX_ITEMS lines or list items: one clear error, nothing parsed', async () => {
    const text = Array.from({ length: MAX_ITEMS + 10 }, (_, i) => `k${i}: 1`).join('\n');
    const a = await analyzeText(text, 'keys-vllm.yaml');
    assert.deepEqual(a.diagnostics.map((x) => x.code), ['file-too-complex']);
    // A CRLF file counts each line once; CR-only line ends count too.
    assert.equal(countItems('a\r\nb\r\nc', 100), 2);
    assert.equal(countItems('a\rb\rc,d', 100), 3);
    assert.equal(countItems('\n'.repeat(500), 10), 11);
  });

  it('a llama-swap file with 20,000 models without ${PORT}: each model\'s two findings merged, in linear time', async () => {
    const n = 20_000;
    const text = 'models:\n' + Array.from({ length: n }, (_, i) => `  m${i}:\n    cmd: llama-server -m m.gguf\n`).join('');
    const doc = parseDocument(text, 'yaml');
    const t0 = Date.now();
    const r = analyzeSwapDocument(doc);
    assert.ok(Date.now() - t0 < 5000, `${Date.now() - t0} ms`);
    assert.equal(r.diagnostics.filter((d) => d.code === 'port-without-cmd').length, 0);
    const merged = r.diagnostics.filter((d) => d.code === 'missing-proxy');
    assert.equal(merged.length, n);
    assert.ok(merged.every((d, i) => d.severity === 'error' && d.message.startsWith(`Model \`m${i}\` has no \`proxy\``)), merged[1]?.message);
  });

  it('resolves each model reference once per analysis, however many deployments name it', async () => {
    let calls = 0;
    const real = createModelResolver();
    const counting: ModelResolverLike = { resolve: (ref, base) => { calls++; return real.resolve(ref, base); } };
    const text = 'models:\n' + Array.from({ length: 500 }, (_, i) => `  m${i}:\n    cmd: llama-server --port \${PORT} -m meta-llama/Llama-3.1-8B-Instruct\n`).join('');
    const a = await analyzeText(text, 'x-llama-swap.yaml', { modelResolver: counting });
    assert.equal(a.deployments.length, 500);
    assert.equal(calls, 1);
  });
});
