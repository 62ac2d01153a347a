import * as assert from 'node:assert/strict';
import { BIG_PARSE_CHARS, jsonStringOffsetMapper, LineIndex, locate, MAX_DEPTH, parseDocument, setAfterBigParse } from '../../../src/core/formats/document';
import { fullCollector } from '../../../src/cli/gc';
import { one, textAt } from './helpers';

describe('formats/document', () => {
  it('maps offsets to 0-based line/character and back, for LF and CRLF', () => {
    const text = 'a: 1\r\nbb: 2\nccc: 3';
    const li = new LineIndex(text);
    assert.deepEqual(li.position(0), { line: 0, character: 0 });
    assert.deepEqual(li.position(text.indexOf('bb')), { line: 1, character: 0 });
    assert.deepEqual(li.position(text.indexOf('3')), { line: 2, character: 5 });
    assert.equal(li.offset({ line: 2, character: 5 }), text.indexOf('3'));
    // A lone CR (old Mac line ends) is a line break too, mixed with the others.
    const mac = '{\r"a": 1,\r\n"b": 2\n}';
    const lm = new LineIndex(mac);
    assert.deepEqual(lm.position(mac.indexOf('"a"')), { line: 1, character: 0 });
    assert.deepEqual(lm.position(mac.indexOf('"b"')), { line: 2, character: 0 });
    assert.deepEqual(lm.position(mac.indexOf('}')), { line: 3, character: 0 });
  });

  it('gives every offset its line in any order of asking (the last line found is tried first)', () => {
    const text = 'a\n\nbb\r\n\r\nccc\nd\n\n';
    const naive = (o: number) => {
      const before = text.slice(0, Math.max(0, Math.min(o, text.length)));
      const line = before.split('\n').length - 1;
      return { line, character: before.length - (before.lastIndexOf('\n') + 1) };
    };
    const li = new LineIndex(text);
    let s = 7;
    const offsets = [...Array(text.length + 3).keys()].map((i) => i - 1);
    for (let round = 0; round < 4; round++) {
      for (const o of offsets) assert.deepEqual(li.position(o), naive(o), `offset ${o}, round ${round}`);
      // Next round in another order: ascending, descending, then shuffled.
      if (round === 0) offsets.reverse();
      else offsets.sort(() => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5);
    }
  });

  it('keeps key and value ranges of YAML mappings, sequences and flow collections', () => {
    const text = 'engine:\n  kind: vllm\n  options: {max-model-len: 4096}\ntargets: [h100-sxm, local]\n';
    const doc = parseDocument(text, 'yaml');
    assert.equal(doc.diagnostics.length, 0);
    const kind = locate(doc.root, ['engine', 'kind'])!;
    assert.equal(text.slice(kind.keyStart, kind.keyEnd), 'kind');
    assert.equal(text.slice(kind.start, kind.end), 'vllm');
    const mml = locate(doc.root, ['engine', 'options', 'max-model-len'])!;
    assert.equal(mml.value, 4096);
    assert.equal(text.slice(mml.start, mml.end), '4096');
    const local = locate(doc.root, ['targets', 1])!;
    assert.equal(text.slice(local.start, local.end), 'local');
    assert.deepEqual(doc.value, { engine: { kind: 'vllm', options: { 'max-model-len': 4096 } }, targets: ['h100-sxm', 'local'] });
  });

  it('applies YAML merge keys in the tree as toJS does: own keys win, the first source first, one chain level; merged nodes where written', () => {
    const text = [
      'x-base: &base', '  image: ghcr.io/ggml-org/llama.cpp:server', '  x: 0', '  y: base',
      'x-gpu: &gpu', '  <<: *base', '  gpu: 1', '  y: gpu',
      'main:', '  <<: [*gpu, {z: 3, y: inline}]', '  x: 2',
      'quoted:', '  "<<": 1', '',
    ].join('\n');
    const doc = parseDocument(text, 'yaml');
    const main = doc.root?.props?.get('main');
    assert.deepEqual([...main!.props!.keys()].sort(), ['gpu', 'image', 'x', 'y', 'z']);
    assert.equal(main!.props!.get('x')!.value, 2, 'the own key wins');
    assert.equal(main!.props!.get('y')!.value, 'gpu', 'the first source wins, and a source over what it merges itself');
    assert.equal(textAt(text, doc.lines.range(main!.props!.get('image')!.start, main!.props!.get('image')!.end)), 'ghcr.io/ggml-org/llama.cpp:server');
    assert.deepEqual(Object.keys((doc.value as Record<string, Record<string, unknown>>).main).sort(), ['gpu', 'image', 'x', 'y', 'z']);
    assert.ok(doc.root?.props?.get('quoted')?.props?.has('<<'), 'a quoted "<<" is an ordinary key');
    assert.ok(![...doc.root!.props!.get('x-gpu')!.props!.keys()].some((k) => k.includes('<<')), 'no member for the merge key itself');
  });

  it('keeps key and value ranges of JSON, with quotes in key ranges', () => {
    const text = '{\n  "a": {"b": [1, "x"]}\n}';
    const doc = parseDocument(text, 'json');
    const b = locate(doc.root, ['a', 'b'])!;
    assert.equal(text.slice(b.keyStart, b.keyEnd), '"b"');
    assert.equal(text.slice(b.start, b.end), '[1, "x"]');
    assert.deepEqual(doc.value, { a: { b: [1, 'x'] } });
  });

  it('reports YAML syntax errors at their position, without throwing', () => {
    const text = 'model: x\nengine:\n  kind: "vllm\n';
    const doc = parseDocument(text, 'yaml');
    const d = doc.diagnostics.find((x) => x.code === 'yaml-syntax');
    assert.ok(d, JSON.stringify(doc.diagnostics));
    assert.ok(d.range.start.line >= 2, 'at or after the opening quote');
    assert.match(d.message, /quote|string/i);
    assert.equal(doc.value, undefined);
    assert.ok(!/at line \d+/.test(d.message), 'the position is in the range, not repeated in the message');
  });

  it('reports JSON syntax errors at their position', () => {
    const text = '{\n  "a": 1,\n  "b" 2\n}';
    const doc = parseDocument(text, 'json');
    const d = doc.diagnostics[0];
    assert.equal(d.code, 'json-syntax');
    assert.equal(d.range.start.line, 2);
    assert.match(d.message, /colon/i);
  });

  it('warns about duplicate keys in YAML and JSON (the last wins, as in vLLM)', () => {
    const y = parseDocument('a: 1\nb: 2\na: 3\n', 'yaml');
    const dy = one(y.diagnostics, 'duplicate-key');
    assert.equal(dy.severity, 'warning');
    assert.equal(dy.range.start.line, 2);
    const jText = '{"a": 1, "a": 2}';
    const j = parseDocument(jText, 'json');
    const dj = one(j.diagnostics, 'duplicate-key');
    assert.equal(textAt(jText, dj.range), '"a"');
    assert.equal(dj.range.start.character, 9);
    assert.deepEqual(j.value, { a: 2 });
  });

  it('refuses 10,000-deep JSON and YAML flow nesting with a diagnostic instead of overflowing the stack', () => {
    for (const lang of ['json', 'yaml'] as const) {
      const text = '['.repeat(10_000) + ']'.repeat(10_000);
      const doc = parseDocument(text, lang);
      const d = one(doc.diagnostics, 'too-deep');
      assert.equal(d.range.start.character, MAX_DEPTH, 'at the bracket that crosses the limit');
      assert.equal(doc.root, undefined);
    }
  });

  it('survives deep block-style YAML nesting', () => {
    let text = '';
    for (let i = 0; i < 400; i++) text += ' '.repeat(i) + `k${i}:\n`;
    const doc = parseDocument(text, 'yaml');
    assert.equal(doc.diagnostics.length, 0);
    assert.equal(locate(doc.root, ['k0', 'k1', 'k2'])?.key, 'k2');
  });

  it('stops a YAML alias bomb with a diagnostic', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const t0 = Date.now();
    const doc = parseDocument(lines.join('\n') + '\n', 'yaml');
    assert.ok(Date.now() - t0 < 2000);
    one(doc.diagnostics, 'yaml-aliases');
    assert.equal(doc.value, undefined);
  });

  it('maps offsets inside a JSON string through escapes', () => {
    const text = '{"args": "-c 1 \\"x\\" \\u0041 -fa on"}';
    const doc = parseDocument(text, 'json');
    const n = locate(doc.root, ['args'])!;
    const value = String(n.value);
    const map = jsonStringOffsetMapper(n);
    const i = value.indexOf('-fa');
    assert.equal(text.slice(map(i), map(i) + 3), '-fa');
    const a = value.indexOf('A');
    assert.equal(text.slice(map(a), map(a) + 6), '\\u0041');
  });

  it('calls the after-parse hook once per big YAML text read by yaml (a CST was built), never for small ones or the fast path', () => {
    const calls: number[] = [];
    setAfterBigParse(() => calls.push(1));
    try {
      parseDocument('a: 1\n', 'yaml');
      assert.equal(calls.length, 0);
      const models = Array.from({ length: Math.ceil(BIG_PARSE_CHARS / 30) }, (_, i) => `  m${i}:\n    cmd: llama-server -m x.gguf\n`).join('');
      // The fast path builds no CST: nothing to let go.
      const fast = parseDocument('models:\n' + models, 'yaml');
      assert.equal(calls.length, 0);
      assert.equal(locate(fast.root, ['models', 'm7', 'cmd'])?.value, 'llama-server -m x.gguf');
      // An anchor is outside the fast subset: yaml's Lexer, Parser and Composer read it.
      const doc = parseDocument('models: &all\n' + models, 'yaml');
      assert.equal(calls.length, 1);
      assert.equal(doc.diagnostics.length, 0);
      assert.equal(locate(doc.root, ['models', 'm7', 'cmd'])?.value, 'llama-server -m x.gguf');
      parseDocument(JSON.stringify({ pad: 'x'.repeat(BIG_PARSE_CHARS) }), 'json');
      assert.equal(calls.length, 1, 'JSON has no CST to let go');
    } finally {
      setAfterBigParse(undefined);
    }
  });

  it('the CLI\'s full collector is available in Node without --expose-gc and frees garbage', () => {
    const gc = fullCollector();
    let junk: unknown[] | undefined = Array.from({ length: 200_000 }, (_, i) => ({ i, s: `x${i}` }));
    const before = process.memoryUsage().heapUsed;
    junk = undefined;
    gc();
    assert.equal(junk, undefined);
    assert.ok(process.memoryUsage().heapUsed < before - 5_000_000, 'at least 5 MB of garbage collected');
  });
});
