// The fast YAML path must build exactly the tree document.ts builds from yaml's Lexer → Parser → Composer
// Document (node types, value offsets, keys and key offsets, values, scalar styles and sources, members, props)
// and the same plain value as yaml's toJS — or refuse. Checked node by node on random texts in and around its
// subset, on every YAML file of the real-world set, the examples and the fixtures, and on the benchmark's
// 5,000-line llama-swap file (which it must accept).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as YAML from 'yaml';
import { fastYamlTree } from '../../../src/core/formats/yamlFast';
import { type DocNode, parseDocument } from '../../../src/core/formats/document';
import { generateLlamaSwap } from '../../../bench/validation';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');
const SHARED = path.resolve(REPO, '..', 'shared', 'realworld');

const FIELDS = ['type', 'start', 'end', 'key', 'keyStart', 'keyEnd', 'value', 'style', 'source', 'jsonRaw'] as const;

/** Differences between two trees, as paths and values (empty when they are the same). */
function differences(a: DocNode, b: DocNode, at: string, out: string[]): void {
  if (out.length > 5) return;
  for (const k of FIELDS) {
    if (!Object.is(a[k], b[k])) out.push(`${at}: ${k} ${JSON.stringify(a[k])} vs yaml's ${JSON.stringify(b[k])}`);
  }
  for (const k of ['members', 'items'] as const) {
    const x = a[k];
    const y = b[k];
    if (!x || !y) {
      if (x || y) out.push(`${at}: ${k} ${x ? 'present' : 'absent'} vs yaml's ${y ? 'present' : 'absent'}`);
      continue;
    }
    if (x.length !== y.length) {
      out.push(`${at}: ${x.length} ${k} vs yaml's ${y.length}`);
      continue;
    }
    x.forEach((c, i) => differences(c, y[i], `${at}/${k === 'members' ? c.key : i}`, out));
  }
  if (!!a.props !== !!b.props) out.push(`${at}: props ${a.props ? 'present' : 'absent'}`);
  if (a.props && b.props) {
    if (JSON.stringify([...a.props.keys()]) !== JSON.stringify([...b.props.keys()])) out.push(`${at}: props keys ${[...a.props.keys()]} vs ${[...b.props.keys()]}`);
    // props holds the members themselves (the last of each key), in both trees.
    for (const [k, v] of a.props) if (!a.members?.includes(v) || a.members.filter((m) => m.key === k).pop() !== v) out.push(`${at}: props[${k}] is not its member`);
  }
  const own = (n: DocNode) => Object.keys(n).filter((k) => n[k as keyof DocNode] !== undefined).sort().join();
  if (own(a) !== own(b)) out.push(`${at}: fields ${own(a)} vs yaml's ${own(b)}`);
}

/** undefined when the fast path refuses; else the differences from the tree and value built from yaml's Document. */
function compare(text: string): string[] | undefined {
  const fast = fastYamlTree(text);
  if (!fast) return undefined;
  const slow = parseDocument(text, 'yaml', { yamlFastPath: false });
  const out: string[] = [];
  if (slow.diagnostics.length) out.push(`yaml's path reports ${slow.diagnostics.map((d) => d.code).join(', ')}`);
  if (!slow.root) return [...out, "yaml's path builds no tree"];
  differences(fast, slow.root, '', out);
  // parseDocument's plain value for a fast tree is built from the tree, not by toJS: the same value (own
  // properties, prototypes, NaN) as yaml's toJS, or parseDocument took yaml's path.
  const value = parseDocument(text, 'yaml').value;
  const js = YAML.parseDocument(text, { merge: true, uniqueKeys: false }).toJS();
  if (!isDeepStrictEqual(value, js)) out.push(`parseDocument's value ${JSON.stringify(value)} vs toJS ${JSON.stringify(js)}`);
  if (!isDeepStrictEqual(slow.value, js)) out.push(`yaml's path value ${JSON.stringify(slow.value)} vs toJS ${JSON.stringify(js)}`);
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

describe('formats/yamlFast: the same tree as from yaml\'s Document, or none', () => {
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
    const cmd = doc.root?.props?.get('models')?.props?.get('model-7')?.props?.get('cmd');
    assert.equal(cmd?.style, 'BLOCK_FOLDED');
    assert.equal(text.slice(cmd.start, cmd.start + 3), '>-\n');
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
    ]) assert.equal(fastYamlTree(text), undefined, JSON.stringify(text));
    // The caller falls back: a duplicate key is still reported, an anchor still resolved.
    assert.ok(parseDocument('a: 1\na: 2\n', 'yaml').diagnostics.some((d) => d.code === 'duplicate-key'));
    assert.deepEqual(parseDocument('a: &x 1\nb: *x\n', 'yaml').value, { a: 1, b: 1 });
  });
});
