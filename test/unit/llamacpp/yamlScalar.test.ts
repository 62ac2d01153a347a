import * as assert from 'node:assert/strict';
import * as YAML from 'yaml';
import { mapScalarOffsets, scalarDecodesExactly, scalarOffsetTable } from '../../../src/core/formats/yamlScalar';

/** The scalar at `a` (or the given key) of a one-document YAML text. */
function scalar(text: string, key = 'a'): YAML.Scalar {
  const doc = YAML.parseDocument(text);
  const node = doc.get(key, true);
  assert.ok(YAML.isScalar(node), `no scalar at ${key}`);
  return node;
}

/**
 * The property every style must have: each value character that is written literally in the source maps to
 * that same character. Folds (space/newline made from a line break) and escapes are the only exceptions.
 */
function assertFaithful(text: string, key = 'a'): { node: YAML.Scalar; table: number[] } {
  const node = scalar(text, key);
  const value = String(node.value);
  assert.ok(scalarDecodesExactly(node, text), `decoder disagrees with yaml for ${JSON.stringify(text)}`);
  const table = scalarOffsetTable(node, text);
  assert.equal(table.length, value.length);
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === ' ' || c === '\n') continue;
    if (text[table[i]] === '\\') continue; // an escape in double quotes maps to its backslash
    assert.equal(text[table[i]], c, `value[${i}] ${JSON.stringify(c)} of ${JSON.stringify(value)} maps to ${JSON.stringify(text[table[i]])}`);
  }
  for (let i = 1; i < table.length; i++) assert.ok(table[i] > table[i - 1] || text[table[i]] === '\\', 'offsets increase');
  return { node, table };
}

/** Document offset of the n-th occurrence of `needle` in the value, via the mapper. */
function mapped(text: string, needle: string, key = 'a'): number {
  const node = scalar(text, key);
  const i = String(node.value).indexOf(needle);
  assert.ok(i >= 0, `${needle} not in value`);
  return mapScalarOffsets(node, text)(i);
}

describe('formats/yamlScalar', () => {
  it('plain, single line', () => {
    const text = 'a: -c 4096 -ctv q8_0\n';
    assertFaithful(text);
    assert.equal(mapped(text, 'q8_0'), text.indexOf('q8_0'));
  });

  it('plain, folded over lines with an empty line', () => {
    const text = 'a: -c 4096\n  -np 4\n\n  -fa on\n';
    const { node } = assertFaithful(text);
    assert.equal(node.value, '-c 4096 -np 4\n-fa on');
    assert.equal(mapped(text, '-np'), text.indexOf('-np'));
    assert.equal(mapped(text, '-fa'), text.indexOf('-fa'));
  });

  it("single-quoted with '' escapes and folding", () => {
    const text = "a: '--chat-template ''x'' -c\n   8192'\n";
    const { node } = assertFaithful(text);
    assert.equal(node.value, "--chat-template 'x' -c 8192");
    assert.equal(mapped(text, '8192'), text.indexOf('8192'));
  });

  it('double-quoted with escapes: characters after an escape keep their columns', () => {
    const text = 'a: "-m \\"my model.gguf\\" \\t -ctv q4_0 \\u00e9 -fa off"\n';
    const { node } = assertFaithful(text);
    assert.equal(node.value, '-m "my model.gguf" \t -ctv q4_0 é -fa off');
    assert.equal(mapped(text, 'q4_0'), text.indexOf('q4_0'));
    assert.equal(mapped(text, '-fa off'), text.indexOf('-fa off'));
  });

  it('double-quoted with an escaped line break (no space) and a folded one', () => {
    const text = 'a: "-c 40\\\n   96 -np\n   4"\n';
    const { node } = assertFaithful(text);
    assert.equal(node.value, '-c 4096 -np 4');
    assert.equal(mapped(text, '96'), text.indexOf('96'));
    assert.equal(mapped(text, '4', 'a'), text.indexOf('40'));
  });

  it('block literal |, keeping indentation beyond the block indent', () => {
    const text = 'models:\n  m:\n    cmd: |\n      llama-server\n        -c 4096\n      -fa off\nx: 1\n';
    const doc = YAML.parseDocument(text);
    const node = doc.getIn(['models', 'm', 'cmd'], true) as YAML.Scalar;
    assert.equal(node.value, 'llama-server\n  -c 4096\n-fa off\n');
    const map = mapScalarOffsets(node, text);
    const v = String(node.value);
    assert.equal(map(v.indexOf('-c')), text.indexOf('-c 4096'));
    assert.equal(map(v.indexOf('-fa')), text.indexOf('-fa off'));
    assert.ok(scalarDecodesExactly(node, text));
  });

  for (const header of ['|', '|-', '|+', '>', '>-', '>+']) {
    it(`block ${header} with trailing empty lines (chomping)`, () => {
      const text = `a: ${header}\n  -c 4096\n  -np 4\n\n  -fa on\n\n\nb: 1\n`;
      assertFaithful(text);
      assert.equal(mapped(text, '-fa'), text.indexOf('-fa'));
      assert.equal(mapped(text, '-np'), text.indexOf('-np'));
    });
  }

  it('block folded > keeps more-indented lines as they are', () => {
    const text = 'a: >\n  one\n  two\n    three\n  four\n';
    const { node } = assertFaithful(text);
    assert.equal(node.value, 'one two\n  three\nfour\n');
    assert.equal(mapped(text, 'three'), text.indexOf('three'));
  });

  it('block scalar with an explicit indentation indicator', () => {
    const text = 'a: |2\n    -c 1\n  -np 2\n';
    const { node } = assertFaithful(text);
    assert.equal(node.value, '  -c 1\n-np 2\n');
    assert.equal(mapped(text, '-np'), text.indexOf('-np'));
  });

  it('block scalar in a sequence item and with a header comment', () => {
    const text = 'a:\n  - |  # flags\n    -c 1\n    -np 2\n';
    const doc = YAML.parseDocument(text);
    const node = doc.getIn(['a', 0], true) as YAML.Scalar;
    assert.ok(scalarDecodesExactly(node, text));
    assert.equal(mapScalarOffsets(node, text)(String(node.value).indexOf('-np')), text.indexOf('-np'));
  });

  for (const style of ['plain', "'", '"', '|', '>']) {
    it(`CRLF line endings, ${style}`, () => {
      const body = style === 'plain' ? 'a: -c 4096\r\n  -np 4\r\n' : style === '|' || style === '>' ? `a: ${style}\r\n  -c 4096\r\n  -np 4\r\n` : `a: ${style}-c 4096\r\n  -np 4${style}\r\n`;
      assertFaithful(body);
      assert.equal(mapped(body, '-np'), body.indexOf('-np'));
      assert.equal(mapped(body, '4096'), body.indexOf('4096'));
    });
  }

  it('block scalars of one content line (the one-line shortcut) map every offset as the full decoder does', () => {
    for (const header of ['|', '|-', '>', '>-', '| # c', '>- # c']) {
      for (const eol of ['\n', '\r\n']) {
        for (const body of [
          `a: ${header}${eol}  llama-server -m x.gguf -c 4096${eol}`,
          `a: ${header}${eol}    -c 1${eol}b: 2${eol}`,
          `a: ${header}${eol}  -c 1`,
          `a: ${header}${eol}${eol}  -c 1${eol}`,
          `a: ${header}${eol}  -c 1${eol}  -np 4${eol}`,
          `a: ${header}${eol}  -c 1${eol}${eol}  -np 4${eol}`,
          `a: ${header}${eol}  -c 1${eol}   -np 4${eol}`,
        ]) {
          const node = scalar(body);
          const table = scalarOffsetTable(node, body);
          const map = mapScalarOffsets(node, body);
          const n = String(node.value).length;
          for (let i = 0; i < n; i++) assert.equal(map(i), table[i], `${JSON.stringify(body)} offset ${i}`);
          assert.equal(map(n), table[n - 1] + 1, `${JSON.stringify(body)} end`);
          assert.equal(map(-1), table[0]);
        }
      }
    }
  });

  it('a tab in block indentation is a YAML error; mapping stays inside the document', () => {
    const text = 'a: |\n\t-c 1\n';
    const doc = YAML.parseDocument(text);
    assert.ok(doc.errors.length > 0, 'yaml rejects tab indentation');
    const node = doc.get('a', true);
    if (YAML.isScalar(node)) {
      const map = mapScalarOffsets(node, text);
      for (let i = 0; i <= String(node.value).length; i++) {
        assert.ok(map(i) >= 0 && map(i) <= text.length);
      }
    }
  });

  it('tabs after the indentation are content', () => {
    const text = 'a: |\n  -c\t4096\n';
    const { node } = assertFaithful(text);
    assert.equal(node.value, '-c\t4096\n');
  });

  it('offsets past the end map just after the last character; empty scalars map to their start', () => {
    const text = 'a: -c 1\nb: ""\n';
    const map = mapScalarOffsets(scalar(text), text);
    assert.equal(map(4), text.indexOf('1') + 1);
    assert.equal(map(100), text.indexOf('1') + 1);
    const empty = scalar(text, 'b');
    assert.equal(mapScalarOffsets(empty, text)(0), text.indexOf('""'));
  });

  it('property: for 1,500 random values written by `yaml` in every style (also nested, in flow sequences, CRLF), the decoder reproduces the parsed value', () => {
    let seed = 12345;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const alphabet = ['word', '--ctx-size', ',', '[', '{', 'a', '-', ' ', ' ', '\n', '\t', '"', "'", '\\', 'é', '#', ':', '0', '  ', '\n\n', '${PORT}', '😀'];
    const styles = ['PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'] as const;
    const failures: string[] = [];
    let checked = 0;
    for (let n = 0; n < 1500; n++) {
      let v = '';
      const len = 1 + Math.floor(rnd() * 40);
      for (let i = 0; i < len; i++) v += alphabet[Math.floor(rnd() * alphabet.length)];
      const shape = Math.floor(rnd() * 3);
      const pathTo = shape === 1 ? ['models', 'm', 'cmd'] : shape === 2 ? ['a', 1] : ['a'];
      let text: string;
      try {
        const doc = new YAML.Document(shape === 1 ? { models: { m: { cmd: v } } } : shape === 2 ? { a: ['-c', v, 'z'] } : { a: v });
        if (shape === 2) (doc.get('a', true) as YAML.YAMLSeq).flow = true;
        (doc.getIn(pathTo, true) as YAML.Scalar).type = styles[n % styles.length];
        text = doc.toString({ lineWidth: 20 + Math.floor(rnd() * 30), minContentWidth: 5, indent: rnd() < 0.5 ? 2 : 4 });
      } catch {
        continue; // a style yaml cannot write for this value
      }
      if (rnd() < 0.3) text = text.replace(/\n/g, '\r\n');
      const parsed = YAML.parseDocument(text);
      if (parsed.errors.length) continue;
      const node = parsed.getIn(pathTo, true);
      if (!YAML.isScalar(node) || typeof node.value !== 'string') continue;
      checked++;
      if (!scalarDecodesExactly(node, text)) failures.push(JSON.stringify(text));
    }
    assert.ok(checked > 1400, `only ${checked} cases checked`);
    assert.deepEqual(failures.slice(0, 5), []);
  });

  it('is linear: a 5,000-line block scalar maps in a few milliseconds', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `  -c ${i} \\`).join('\n');
    const text = `a: |\n${lines}\n  -np 4\n`;
    const node = scalar(text);
    const t0 = process.hrtime.bigint();
    const map = mapScalarOffsets(node, text);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.equal(map(String(node.value).indexOf('-np')), text.indexOf('-np'));
    assert.ok(ms < 500, `took ${ms} ms`);
  });
});
