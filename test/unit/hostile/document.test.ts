// The document layer on hostile texts (issue 9's smaller list): the depth guard counts only real flow
// brackets and stops deep block nesting before the composer recurses into it, undefined aliases and !!binary get their own clear errors, CR-only files parse like LF files, and
// collection keys are reported instead of printed by the yaml library on stderr.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../../../src/core/formats/analyze';
import { parseDocument } from '../../../src/core/formats/document';
import { EXAMPLES, textAt } from '../formats/helpers';

const example = fs.readFileSync(path.join(EXAMPLES, 'llama-3.1-8b.kvlens.yaml'), 'utf8');
const codes = (text: string, lang: 'yaml' | 'json' = 'yaml') => parseDocument(text, lang).diagnostics.map((d) => d.code);

describe('hostile documents', () => {
  it('300 `[` in a comment, a quoted string, a block scalar or a JSON string are not nesting', () => {
    const b = '['.repeat(300);
    for (const text of [`# ${b}\nmodel: x\n`, `model: '${b}'\n`, `model: "${b}"\n`, `cmd: |\n  ${b}\nmodel: x\n`, `model: a${b}\n`]) {
      const doc = parseDocument(text, 'yaml');
      assert.deepEqual(doc.diagnostics.map((d) => d.code).filter((c) => c === 'too-deep'), [], text.slice(0, 40));
    }
    assert.deepEqual(codes(`{"model": "${b}"} // ${b}\n/* ${b} */`, 'json').filter((c) => c === 'too-deep'), []);
  });

  it('real deep nesting is refused at the bracket that passes 256 levels, a `"` in a plain scalar before it or not', () => {
    for (const text of [`a: ${'['.repeat(100_000)}\n`, `a: b"c\nd: ${'['.repeat(100_000)}\n`, `a: b'c\nd: ${'{x: '.repeat(50_000)}\n`]) {
      const doc = parseDocument(text, 'yaml');
      const deep = doc.diagnostics.find((d) => d.code === 'too-deep');
      assert.ok(deep, doc.diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'));
      assert.match(deep.message, /deeper than 256 levels/);
      assert.ok(!doc.diagnostics.some((d) => /call stack/i.test(d.message)));
    }
    const json = `{"a": "x\\"", "b": ${'['.repeat(10_000)}}`;
    assert.ok(codes(json, 'json').includes('too-deep'));
  });

  it('deep block nesting (5,000 × `- ` on a line crashed V8; 1,500 indentation levels) is a too-deep error, in well under a second', () => {
    const indented = Array.from({ length: 1500 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n';
    for (const text of ['- '.repeat(5000) + 'x\n', '- &a '.repeat(3000) + 'x\n', '- '.repeat(2_000_000) + 'x\n', indented]) {
      const t0 = Date.now();
      const doc = parseDocument(text, 'yaml');
      assert.ok(Date.now() - t0 < 3000, `${Date.now() - t0} ms`);
      assert.ok(!doc.diagnostics.some((d) => /call stack/i.test(d.message)), doc.diagnostics.map((d) => d.message).join('\n'));
      assert.ok(doc.diagnostics.some((d) => d.code === 'too-deep'), doc.diagnostics.map((d) => d.code).join(', '));
    }
    // Within the block limit it parses as before.
    const ok = parseDocument('- '.repeat(500) + 'x\n', 'yaml');
    assert.deepEqual(ok.diagnostics, []);
  });

  it('an undefined alias is reported on the alias, not as alias expansion', () => {
    const text = 'model: *nope\nengine: {kind: llama.cpp}\n';
    const doc = parseDocument(text, 'yaml');
    const d = doc.diagnostics.find((x) => x.code === 'yaml-undefined-alias');
    assert.ok(d, JSON.stringify(doc.diagnostics));
    assert.equal(textAt(text, d.range), '*nope');
    assert.match(d.message, /refers to no anchor: define `&nope`/);
    assert.ok(!doc.diagnostics.some((x) => x.code === 'yaml-aliases'));
  });

  it('!!binary is a clear error on the value, never "Unknown key readBigUInt64LE"', async () => {
    const text = 'model: !!binary AAAAAAAAAAA=\nengine: {kind: llama.cpp}\n';
    const a = await analyzeText(text, 'b.kvlens.yaml');
    const d = a.diagnostics.find((x) => x.code === 'yaml-binary');
    assert.ok(d, JSON.stringify(a.diagnostics));
    assert.match(textAt(text, d.range), /AAAAAAAAAAA=/);
    assert.ok(!a.diagnostics.some((x) => /readBig|Buffer|Uint8/.test(x.message)), a.diagnostics.map((x) => x.message).join('\n'));
  });

  it('CR-only line ends give the same diagnostics, at the same lines, as LF', async () => {
    const lf = example.replace('args: "-c 32768', 'args: "-c 32768 --no-such-flag');
    const cr = lf.replace(/\n/g, '\r');
    const a = await analyzeText(lf, 'x.kvlens.yaml');
    const b = await analyzeText(cr, 'x.kvlens.yaml');
    assert.ok(a.diagnostics.some((d) => d.code === 'unknown-flag'), JSON.stringify(a.diagnostics.map((d) => d.code)));
    assert.deepEqual(b.diagnostics.map((d) => [d.code, d.range]), a.diagnostics.map((d) => [d.code, d.range]));
    assert.equal(b.deployments[0]?.engine.contextSize, 32768);
  });

  it('a collection used as a key is a warning, and yaml prints nothing on stderr', () => {
    const writes: string[] = [];
    const orig = process.emitWarning;
    process.emitWarning = ((w: string | Error) => { writes.push(String(w)); }) as typeof process.emitWarning;
    try {
      const doc = parseDocument('? [a, b]\n: 1\nmodel: x\n', 'yaml');
      assert.ok(doc.diagnostics.some((d) => d.code === 'yaml-complex-key'));
    } finally {
      process.emitWarning = orig;
    }
    assert.deepEqual(writes, []);
  });
});
