// The fast YAML path must build exactly the Document yaml's Lexer → Parser → Composer builds (classes, all three
// range offsets, values, scalar types, sources, formats, flow flags, line starts, toJS) — or refuse. Checked
// node by node on random texts in and around its subset, on every YAML file of the real-world set, the examples
// and the fixtures, and on the benchmark's 5,000-line llama-swap file (which it must accept).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as YAML from 'yaml';
import { FAST_YAML_OPTIONS, fastYamlDocument } from '../../../src/core/formats/yamlFast';
import { parseDocument } from '../../../src/core/formats/document';
import { generateLlamaSwap } from '../../../bench/validation';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');
const SHARED = path.resolve(REPO, '..', 'shared', 'realworld');

const kind = (x: unknown) => (YAML.isMap(x) ? 'map' : YAML.isSeq(x) ? 'seq' : YAML.isScalar(x) ? 'scalar' : String(x));

/** Differences between two yaml nodes, as paths and values (empty when they are the same). */
function differences(a: unknown, b: unknown, at: string, out: string[]): void {
  if (out.length > 5) return;
  if (kind(a) !== kind(b)) return void out.push(`${at}: ${kind(a)} vs yaml's ${kind(b)}`);
  if (!a || !b) return;
  const x = a as YAML.Scalar | YAML.YAMLMap | YAML.YAMLSeq;
  const y = b as typeof x;
  if (JSON.stringify(x.range) !== JSON.stringify(y.range)) out.push(`${at}: range ${JSON.stringify(x.range)} vs yaml's ${JSON.stringify(y.range)}`);
  if (YAML.isScalar(x) && YAML.isScalar(y)) {
    for (const k of ['type', 'source', 'format', 'minFractionDigits'] as const) {
      if (x[k as keyof YAML.Scalar] !== y[k as keyof YAML.Scalar]) out.push(`${at}: ${k} ${JSON.stringify(x[k as keyof YAML.Scalar])} vs ${JSON.stringify(y[k as keyof YAML.Scalar])}`);
    }
    if (!Object.is(x.value, y.value)) out.push(`${at}: value ${JSON.stringify(x.value)} vs ${JSON.stringify(y.value)}`);
    return;
  }
  const xi = (x as YAML.YAMLMap | YAML.YAMLSeq).items as unknown[];
  const yi = (y as YAML.YAMLMap | YAML.YAMLSeq).items as unknown[];
  if (!!(x as YAML.YAMLSeq).flow !== !!(y as YAML.YAMLSeq).flow) out.push(`${at}: flow`);
  if (xi.length !== yi.length) return void out.push(`${at}: ${xi.length} items vs ${yi.length}`);
  xi.forEach((item, i) => {
    if (YAML.isPair(item)) {
      const other = yi[i] as YAML.Pair;
      differences(item.key, other.key, `${at}/key${i}`, out);
      differences(item.value, other.value, `${at}/${String((item.key as YAML.Scalar).value)}`, out);
    } else differences(item, yi[i], `${at}/${i}`, out);
  });
}

/** undefined when the fast path refuses; else the differences from yaml's own Document. */
function compare(text: string): string[] | undefined {
  const fast = fastYamlDocument(text);
  if (!fast) return undefined;
  const lc = new YAML.LineCounter();
  const docs = [...new YAML.Composer(FAST_YAML_OPTIONS).compose(new YAML.Parser(lc.addNewLine).parse(text), true, text.length)];
  const out: string[] = [];
  if (docs.length !== 1) return [`yaml reads ${docs.length} documents`];
  const y = docs[0];
  if (y.errors.length || y.warnings.length) out.push(`yaml reports ${[...y.errors, ...y.warnings].map((e) => e.code).join(', ')}`);
  if (JSON.stringify(fast.doc.range) !== JSON.stringify(y.range)) out.push(`document range ${JSON.stringify(fast.doc.range)} vs ${JSON.stringify(y.range)}`);
  if (JSON.stringify(fast.lineCounter.lineStarts) !== JSON.stringify(lc.lineStarts)) out.push('line starts differ');
  differences(fast.doc.contents, y.contents, '', out);
  if (JSON.stringify(fast.doc.toJS()) !== JSON.stringify(y.toJS())) out.push('toJS differs');
  // The nodes are yaml's classes (they are made from prototypes, not constructors) and behave as such: cloned and
  // stringified the same (comments and blank lines aside: the fast path keeps neither, nothing reads them).
  if (!text.includes('#') && !/\n *\r?\n/.test(text)) {
    const a = fast.doc.clone().toString();
    const b = y.toString();
    if (a !== b) out.push(`toString ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  }
  // parseDocument's plain value for a fast Document is built from its tree, not by toJS: the same value (own
  // properties, prototypes, NaN), or parseDocument took yaml's path.
  const value = parseDocument(text, 'yaml').value;
  if (!isDeepStrictEqual(value, y.toJS())) out.push(`parseDocument's value ${JSON.stringify(value)} vs toJS ${JSON.stringify(y.toJS())}`);
  return out;
}

/** A small deterministic generator (xorshift) of YAML in and around the fast subset. */
function randomYaml(seed: number): string {
  let s = seed >>> 0 || 1;
  const r = () => { s ^= s << 13; s >>>= 0; s ^= s >> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const scalars = ['x', 'hello world', '1', '-3', '0x1F', '0o17', '1.50', '.5', '1e3', 'true', 'False', 'null', '~', '', 'yes', 'llama-server --port ${PORT} -m /m/x.gguf', 'a:b',
    'http://h:8080/v1', '"q"', "'s'", "'it''s'", '"a # b"', 'x # c', '-ngl 99', '[a, b]', '[ ]', '[1, "2", 3.0]', '[a , b ]', '.inf', '-.Inf', '+1', '007', '2024-01-01',
    '@x', '*a', '&a x', '!!str x', '{a: 1}', '"a\\nb"', '[a, [b]]', '[a,]', '? x', 'x: y', '- z'];
  const keys = ['a', 'b', 'cmd', 'ttl', 'models', 'model-1', 'qwen2.5:7b', '"quoted key"', "'sq'", '1', 'true', 'null', '<<', '"<<"', '__proto__', 'toString', '~', '1.0', '.nan', 'k k', 'x.y/z', '-k', 'a#b'];
  const lines: string[] = [];
  const maxDepth = 1 + Math.floor(r() * 4);
  const filler = (ind: number) => {
    const n = r() < 0.3 ? Math.floor(r() * 3) : 0;
    for (let i = 0; i < n; i++) lines.push(r() < 0.5 ? '' : ' '.repeat(Math.max(0, ind + Math.floor(r() * 5) - 2)) + '# c' + i);
  };
  const block = (ind: number, depth: number, kindOf: 'map' | 'seq'): void => {
    const n = 1 + Math.floor(r() * 4);
    for (let i = 0; i < n; i++) {
      filler(ind);
      const pre = ' '.repeat(ind) + (kindOf === 'seq' ? '-' + (r() < 0.9 ? ' ' : '   ') : pick(keys) + (r() < 0.95 ? ':' : ' :') + ' ');
      const v = r();
      if (depth < maxDepth && v < 0.3) {
        const sub = r() < 0.6 ? 'map' : 'seq';
        if (kindOf === 'seq' && sub === 'map' && r() < 0.5) {
          // A compact mapping (`- k: v`), its values scalars or nested blocks (`- name: x\n  args:\n    - a`).
          const col = ind + 2;
          if (r() < 0.5) lines.push(' '.repeat(ind) + '- ' + pick(keys) + ': ' + pick(scalars));
          else {
            lines.push(' '.repeat(ind) + '- ' + pick(keys) + ':');
            const inner = r() < 0.5 ? 'map' : 'seq';
            block(inner === 'seq' && r() < 0.5 ? col : col + 1 + Math.floor(r() * 2), depth + 1, inner);
          }
          const m = Math.floor(r() * 3);
          for (let j = 0; j < m; j++) {
            filler(col);
            if (r() < 0.3 && depth + 1 < maxDepth) {
              lines.push(' '.repeat(col) + pick(keys) + ':');
              block(col + 2, depth + 1, r() < 0.5 ? 'map' : 'seq');
            } else lines.push(' '.repeat(col) + pick(keys) + ': ' + pick(scalars));
          }
          continue;
        }
        lines.push(pre.trimEnd() + (r() < 0.2 ? ' # h' : ''));
        const sameIndent = kindOf === 'map' && sub === 'seq' && r() < 0.3;
        block(sameIndent ? ind : ind + 1 + Math.floor(r() * 3), depth + 1, sub);
      } else if (v < 0.4) {
        lines.push(pre + pick(['|', '|-', '>', '>-', '|+', '|2']) + (r() < 0.2 ? ' # b' : ''));
        const bi = ind + 1 + Math.floor(r() * 3);
        const m = 1 + Math.floor(r() * 4);
        for (let j = 0; j < m; j++) {
          const q = r();
          lines.push(q < 0.15 ? '' : q < 0.25 ? ' '.repeat(bi + 1) + 'more' : q < 0.3 ? ' '.repeat(bi) + '# not a comment' : ' '.repeat(bi) + `line ${j} \${X}`);
        }
      } else lines.push(pre + pick(scalars) + (r() < 0.15 ? '   ' : '') + (r() < 0.15 ? ' # t' : ''));
    }
  };
  if (r() < 0.2) lines.push('# header');
  block(0, 1, r() < 0.85 ? 'map' : 'seq');
  filler(0);
  return lines.join('\n') + (r() < 0.9 ? '\n' : '');
}

function yamlFiles(dir: string, out: string[] = [], depth = 0): string[] {
  if (depth > 8 || !fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yamlFiles(p, out, depth + 1);
    else if (/\.ya?ml$/i.test(e.name)) out.push(p);
  }
  return out;
}

describe('formats/yamlFast: the same Document as yaml, or none', () => {
  it('random texts in and around the subset, with LF and CRLF line ends: identical when accepted (2 × 10,000 texts)', () => {
    let accepted = 0;
    for (let seed = 1; seed <= 20_000; seed++) {
      const lf = randomYaml(seed >> 1);
      const text = seed & 1 ? lf.replace(/\n/g, '\r\n') : lf;
      const d = compare(text);
      if (!d) continue;
      accepted++;
      assert.deepEqual(d, [], `seed ${seed}: ${JSON.stringify(text)}`);
    }
    // The generator is built to leave the subset often; enough must stay in it for the comparison to mean something.
    assert.ok(accepted > 3000, `${accepted} accepted`);
  });

  it('every YAML file of the real-world set, the examples and the fixtures: identical when accepted; most accepted', () => {
    const files = [...yamlFiles(SHARED), ...yamlFiles(path.join(REPO, 'examples')), ...yamlFiles(path.join(REPO, 'test', 'fixtures'))];
    let accepted = 0;
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      const d = compare(text);
      // The same file as saved on Windows.
      assert.deepEqual(compare(text.replace(/\r?\n/g, '\r\n')) ?? [], [], `${path.relative(REPO, f)} with CRLF line ends`);
      if (!d) continue;
      accepted++;
      assert.deepEqual(d, [], path.relative(REPO, f));
    }
    assert.ok(files.length >= 20 && accepted >= files.length / 2, `${accepted} of ${files.length} accepted`);
  });

  it("the benchmark's 5,000-line llama-swap file is accepted and identical; parseDocument reads it without a diagnostic", () => {
    const text = generateLlamaSwap(5000);
    assert.deepEqual(compare(text), []);
    const doc = parseDocument(text, 'yaml');
    assert.equal(doc.diagnostics.length, 0);
    const models = (doc.yamlDoc!.contents as YAML.YAMLMap).get('models', true) as unknown as YAML.YAMLMap;
    assert.ok(models.items[0] instanceof YAML.Pair && models.items[0].key instanceof YAML.Scalar && YAML.isPair(models.items[0]));
    assert.equal((doc.value as { models: Record<string, { ttl: number }> }).models['model-7'].ttl, 480);
  });

  it('shapes of Kubernetes, compose and llama-swap files: identical', () => {
    for (const text of [
      '- name: x\n  command: |\n    echo a\n    echo b\n  args:\n    - a\n',
      '- cmd: >-\n    a\n    b\n- x\n',
      'spec:\n  containers:\n    - name: vllm\n      image: vllm/vllm-openai:latest\n      args: ["--model", "x"]\n      command:\n        - vllm\n        - serve\n',
      'k:\n- a: |\n    t\n  b: 1\n',
      'models:\n  # Qwen\n  "qwen:7b":\n    cmd: |\n      llama-server --port ${PORT}\n      -m /m/q.gguf   # the model\n    ttl: 300\n\n  l:\n    cmd: llama-server -m x.gguf\n',
    ]) assert.deepEqual(compare(text), [], JSON.stringify(text));
  });

  it('refuses what it does not read, so yaml reads it (and reports what yaml reports)', () => {
    for (const text of [
      'a: &x 1\nb: *x\n', 'a: !!str 1\n', 'a: {b: 1}\n', 'a:\n\tb: 1\n', 'a: 1\rb: 2\r', '---\na: 1\n---\nb: 2\n', '%YAML 1.2\n---\na: 1\n',
      'a: "x\\ny"\n', 'a: "multi\n  line"\n', 'a: plain\n  continued\n', 'a: |+\n  x\n\n', 'a: |2\n   x\n', '<<: {a: 1}\n', '? [a]\n: 1\n', 'a: 1\na: 2\n',
      'a: [x,\n  y]\n', '- - x\n', 'a: b: c\n', '\ufeffa: 1\n', '', '# only a comment\n',
    ]) assert.equal(fastYamlDocument(text), undefined, JSON.stringify(text));
    // The caller falls back: a duplicate key is still reported, an anchor still resolved.
    assert.ok(parseDocument('a: 1\na: 2\n', 'yaml').diagnostics.some((d) => d.code === 'duplicate-key'));
    assert.deepEqual(parseDocument('a: &x 1\nb: *x\n', 'yaml').value, { a: 1, b: 1 });
  });
});
