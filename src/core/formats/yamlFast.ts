// A fast path for the YAML that serving configs are made of: block mappings and sequences, plain and quoted
// one-line scalars, one-line flow sequences of scalars, and `|`/`>` block scalars. It builds the same
// `yaml` Document that yaml's Lexer → Parser → Composer builds for such a text (the same node classes, ranges,
// values, scalar types and sources, typed by the same schema tags), in one pass over the lines and without the
// concrete syntax tree: a 5,000-line llama-swap file parses in a few milliseconds instead of over 100.
//
// Anything outside that subset — anchors, aliases, tags, flow mappings, multi-line plain or quoted scalars,
// escapes, tabs, lone CR line ends, directives, several documents, merge keys, complex keys, anything yaml would
// report an error or a warning for — makes it return undefined, and the caller parses with `yaml` as before.
// test/unit/formats/yamlFast.test.ts compares both parsers node by node on generated, real-world and example
// files, so a difference is a failing test, not a silent wrong range.
// Comments and blank-line marks are not kept (nothing in KV Lens reads yaml's comment or spaceBefore fields; the
// ranges still cover them as yaml's do).
import * as YAML from 'yaml';

// Bound once: under tsc's CommonJS output every `YAML.x` is a getter call, on the hot path here.
const { Scalar, YAMLMap, YAMLSeq, Pair, isScalar } = YAML;

/**
 * Nodes are made from prototypes that carry yaml's node-type mark, instead of by their constructors: the
 * constructors mark each node with Object.defineProperty, a runtime call that costs ~0.4 µs and leaves a slower
 * object — 10 ms of a 5,000-line file's 26,000 nodes, against under 2 ms this way. The nodes are otherwise the
 * same (the same classes for instanceof and yaml's isScalar/isMap/…, the same own fields); should a yaml version
 * mark nodes another way, the check below finds it and the constructors are used.
 */
const NODE_TYPE = Symbol.for('yaml.node.type');
const SCALAR_PROTO: YAML.Scalar = Object.create(Scalar.prototype, { [NODE_TYPE]: { value: Symbol.for('yaml.scalar') } });
const PAIR_PROTO: YAML.Pair = Object.create(Pair.prototype, { [NODE_TYPE]: { value: Symbol.for('yaml.pair') } });
const MAP_PROTO: YAML.YAMLMap = Object.create(YAMLMap.prototype, { [NODE_TYPE]: { value: Symbol.for('yaml.map') } });
const SEQ_PROTO: YAML.YAMLSeq = Object.create(YAMLSeq.prototype, { [NODE_TYPE]: { value: Symbol.for('yaml.seq') } });
const MARKED = YAML.isScalar(Object.create(SCALAR_PROTO)) && YAML.isPair(Object.create(PAIR_PROTO)) && YAML.isMap(Object.create(MAP_PROTO)) &&
  YAML.isSeq(Object.create(SEQ_PROTO)) && (new Scalar(1) as unknown as Record<symbol, unknown>)[NODE_TYPE] !== undefined;

function makeScalar(value: unknown): YAML.Scalar {
  if (!MARKED) return new Scalar(value);
  const s = Object.create(SCALAR_PROTO) as YAML.Scalar;
  s.value = value;
  return s;
}

/** A collection's `schema` is a plain own field here (yaml defines it non-enumerable; nothing enumerates nodes). */
function makeCollection<T extends YAML.YAMLMap | YAML.YAMLSeq>(proto: T, schema: YAML.Schema): T {
  const c = Object.create(proto) as T;
  c.schema = schema;
  c.items = [];
  return c;
}

function makeMap(schema: YAML.Schema): YAML.YAMLMap {
  return MARKED ? makeCollection(MAP_PROTO, schema) : new YAMLMap(schema);
}

function makeSeq(schema: YAML.Schema): YAML.YAMLSeq {
  return MARKED ? makeCollection(SEQ_PROTO, schema) : new YAMLSeq(schema);
}

function makePair(key: YAML.Scalar, value: YNode): YAML.Pair {
  if (!MARKED) return new Pair(key, value);
  const p = Object.create(PAIR_PROTO) as YAML.Pair;
  p.key = key;
  p.value = value;
  return p;
}

/** Thrown to leave the fast path; caught in fastYamlDocument. */
const BAIL = new Error('outside the fast YAML subset');

const BLANK = 0;
const COMMENT = 1;
const CONTENT = 2;

/** Mappings with more keys check for a repeated key with a Set. */
const SMALL_MAP = 8;

/** Deeper block nesting goes to yaml (which has its own guards): real configs are under 10 levels. */
const MAX_FAST_DEPTH = 64;

export const FAST_YAML_OPTIONS = { merge: true, prettyErrors: false, uniqueKeys: false, keepSourceTokens: false, logLevel: 'error' } as const;

type YNode = YAML.Scalar | YAML.YAMLMap | YAML.YAMLSeq;
type Range3 = [number, number, number];

class FastParser {
  private readonly n: number;
  private readonly starts: Int32Array;
  /** Where each line's text ends (before its '\r\n' or '\n'). */
  private readonly ends: Int32Array;
  /** Where each line's break ends (after its '\n'; the text's end for a last line without one). */
  private readonly breaks: Int32Array;
  private readonly indents: Int32Array;
  private readonly kinds: Uint8Array;
  private readonly schema: YAML.Schema;
  private readonly tags: readonly YAML.ScalarTag[];
  private readonly strTag: YAML.ScalarTag;
  /**
   * Second results, kept here instead of in a wrapper object per node (24,000 of them in a 5,000-line file): the
   * first line after the node block(), map(), seq(), value(), flowSeq() and blockScalar() just returned, the ':'
   * after the key key() returned, and the offset after the closing quote quoted() found.
   */
  private next = 0;
  private colon = 0;
  private quoteEnd = 0;

  constructor(private readonly text: string, doc: YAML.Document) {
    let count = 1;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
    // A text ending in '\n' has no line after it.
    if (text.endsWith('\n')) count--;
    this.n = count;
    this.starts = new Int32Array(count);
    this.ends = new Int32Array(count);
    this.indents = new Int32Array(count);
    this.kinds = new Uint8Array(count);
    this.breaks = new Int32Array(count);
    let at = 0;
    for (let li = 0; li < count; li++) {
      let nl = text.indexOf('\n', at);
      if (nl === -1) nl = text.length;
      this.breaks[li] = Math.min(nl + 1, text.length);
      // CRLF: the '\r' belongs to the line break, as in yaml (a lone '\r' never gets here).
      const end = nl > at && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
      let i = at;
      while (i < end && text.charCodeAt(i) === 0x20) i++;
      this.starts[li] = at;
      this.ends[li] = end;
      this.indents[li] = i - at;
      this.kinds[li] = i === end ? BLANK : text.charCodeAt(i) === 0x23 ? COMMENT : CONTENT;
      if (i === at && this.kinds[li] === CONTENT) {
        // Directives and document markers at column 0: several documents, or a %YAML line.
        const c = text.charCodeAt(i);
        if (c === 0x25) throw BAIL;
        if ((c === 0x2d || c === 0x2e) && text.startsWith(c === 0x2d ? '---' : '...', i) && (i + 3 === end || text.charCodeAt(i + 3) === 0x20)) throw BAIL;
      }
      at = nl + 1;
    }
    this.schema = doc.schema;
    this.tags = doc.schema.tags as YAML.ScalarTag[];
    // TYPED_START is written for yaml's core schema with merge keys (the options above); another schema is yaml's.
    if (this.tags.map((x) => x.tag).join() !== CORE_TAGS) throw BAIL;
    this.strTag = (doc.schema as unknown as Record<symbol, YAML.ScalarTag>)[Symbol.for('yaml.scalar')];
  }

  /** The root collection and its line range, or a bail. */
  parseRoot(): YNode {
    const first = this.nextContent(0);
    if (first >= this.n || this.indents[first] !== 0) throw BAIL;
    const node = this.block(first, 0);
    if (this.nextContent(this.next) < this.n) throw BAIL;
    return node;
  }

  private nextContent(li: number): number {
    while (li < this.n && this.kinds[li] !== CONTENT) li++;
    return li;
  }

  /** After line li's newline (the text's end for a last line without one). */
  private lineEnd(li: number): number {
    return this.breaks[li];
  }

  /**
   * A block collection starting on line li at column `col` (a compact mapping in `- k: v` starts mid-line). Its
   * callers have checked the column: deeper than the parent's, or the parent key's own for a sequence.
   */
  private block(li: number, depth: number, col = this.indents[li]): YAML.YAMLMap | YAML.YAMLSeq {
    if (depth > MAX_FAST_DEPTH) throw BAIL;
    return this.isDash(this.starts[li] + col) ? this.seq(li, col, depth) : this.map(li, col, depth);
  }

  private isDash(at: number): boolean {
    const t = this.text;
    const n = t.charCodeAt(at + 1);
    return t.charCodeAt(at) === 0x2d && (at + 1 >= t.length || n === 0x20 || n === 0x0a || n === 0x0d);
  }

  /**
   * Where a collection's own range ends (its third offset): past its last item, unless comment lines follow it.
   * Comments less indented than the collection are not its own; those at its indentation or deeper are attached
   * by yaml depending on what follows them — yaml's to read. At the end of the text they are the document's.
   */
  private collectionEnd(next: number, indent: number, valueEnd: number, root: boolean): number {
    for (let li = next; li < this.n && this.kinds[li] !== CONTENT; li++) {
      if (this.kinds[li] === COMMENT && this.indents[li] >= indent && !root) throw BAIL;
    }
    return valueEnd;
  }

  /** The next item's line of a collection at column `col`, from line li; -1 where the collection ends. */
  private nextItem(li: number, col: number): number {
    li = this.nextContent(li);
    if (li >= this.n || this.indents[li] < col) return -1;
    // Deeper than the collection after a complete item: a continuation or an error, yaml's to read.
    if (this.indents[li] > col) throw BAIL;
    return li;
  }

  private map(li: number, col: number, depth: number): YAML.YAMLMap {
    const map = makeMap(this.schema);
    const start = this.starts[li] + col;
    let lastEnd = start;
    let after = li;
    let first = true;
    // Keys so far: looked through directly in small mappings (most of them), in a Set past SMALL_MAP keys.
    let seen: Set<unknown> | undefined;
    for (;;) {
      if (!first) {
        li = this.nextItem(li, col);
        if (li < 0) break;
        if (this.isDash(this.starts[li] + col)) throw BAIL;
      }
      const lineStart = this.starts[li];
      const key = this.key(lineStart + col, this.ends[li]);
      // A repeated key is reported by yaml (uniqueKeys off: by fromYaml); here any repeat goes the slow way.
      const kv = key.value;
      if (seen) {
        if (seen.has(kv)) throw BAIL;
        seen.add(kv);
      } else {
        for (const p of map.items) if (sameValueZero((p.key as YAML.Scalar).value, kv)) throw BAIL;
        if (map.items.length >= SMALL_MAP) seen = new Set([...map.items.map((p) => (p.key as YAML.Scalar).value), kv]);
      }
      const v = this.value(li, this.colon + 1, col, depth, true);
      map.items.push(makePair(key, v));
      lastEnd = v.range![2];
      li = after = this.next;
      first = false;
    }
    map.range = [start, lastEnd, this.collectionEnd(after, col, lastEnd, depth === 0)];
    // The lines after the last item (comments, blank lines) are for the parent to see too.
    this.next = after;
    return map;
  }

  private seq(li: number, col: number, depth: number): YAML.YAMLSeq {
    const seq = makeSeq(this.schema);
    const start = this.starts[li] + col;
    let lastEnd = start;
    let after = li;
    let first = true;
    for (;;) {
      if (!first) {
        li = this.nextItem(li, col);
        // A mapping key at the sequence's column ends it (`key:` then `- a` at the key's indentation).
        if (li < 0 || !this.isDash(this.starts[li] + col)) break;
      }
      const v = this.value(li, this.starts[li] + col + 1, col, depth, false);
      seq.items.push(v);
      lastEnd = v.range![2];
      li = after = this.next;
      first = false;
    }
    seq.range = [start, lastEnd, this.collectionEnd(after, col, lastEnd, depth === 0)];
    this.next = after;
    return seq;
  }

  /** A mapping key at `at` (plain or simply quoted) and the offset of its ':'. */
  private key(at: number, lineEnd: number): YAML.Scalar {
    const t = this.text;
    const c = t.charCodeAt(at);
    if (c === 0x22 || c === 0x27) {
      const value = this.quoted(at, lineEnd);
      const end = this.quoteEnd;
      let i = end;
      while (i < lineEnd && t.charCodeAt(i) === 0x20) i++;
      if (t.charCodeAt(i) !== 0x3a || !(i + 1 === lineEnd || t.charCodeAt(i + 1) === 0x20)) throw BAIL;
      // A quoted '<<' is a plain key to yaml's toJS but skipped like a merge key by the tree (document.ts's
      // fromYaml): the plain value built from the tree would lose it.
      if (value === '<<') throw BAIL;
      const s = this.scalar(value, value, c === 0x22 ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE', [at, end, end], true, false);
      this.colon = i;
      return s;
    }
    // A key that starts with '-' changes how yaml's lexer splits the line before it: yaml's to read.
    if (startsPlainBadly(t, at, lineEnd) || t.charCodeAt(at) === 0x2d) throw BAIL;
    let i = at;
    for (; i < lineEnd; i++) {
      const ch = t.charCodeAt(i);
      if (ch === 0x3a && (i + 1 === lineEnd || t.charCodeAt(i + 1) === 0x20)) break;
      if (ch === 0x23 && t.charCodeAt(i - 1) === 0x20) throw BAIL;
    }
    if (i >= lineEnd) throw BAIL;
    let e = i;
    while (e > at && t.charCodeAt(e - 1) === 0x20) e--;
    if (e === at) throw BAIL;
    const src = t.slice(at, e);
    // Merge keys (`<<`) resolve differently: yaml's path.
    if (src === '<<') throw BAIL;
    this.colon = i;
    return this.scalar(src, src, 'PLAIN', [at, e, e], true, true);
  }

  /**
   * The value after a key's ':' (or a sequence's '-') at offset `from` on line li, in a collection at column
   * `col`. Returns the node and the first line after it.
   */
  private value(li: number, from: number, col: number, depth: number, inMap: boolean): YNode {
    const t = this.text;
    const lineEnd = this.ends[li];
    let q = from;
    while (q < lineEnd && t.charCodeAt(q) === 0x20) q++;
    const c = q < lineEnd ? t.charCodeAt(q) : -1;
    if (c === -1 || (c === 0x23 && q > from)) {
      // Nothing after the indicator on this line: a nested block below, or null.
      const below = this.nextContent(li + 1);
      if (below < this.n && (this.indents[below] > col || (inMap && this.indents[below] === col && this.isDash(this.starts[below] + col)))) {
        return this.block(below, depth + 1);
      }
      // An empty sequence item's range depends on the lines around it: yaml's to read.
      if (!inMap) throw BAIL;
      this.next = li + 1;
      return this.scalar(null, '', 'PLAIN', [q, q, this.nullEnd(li, col, c === 0x23)], false, true);
    }
    if (c === 0x22 || c === 0x27) {
      const s = this.quoted(q, lineEnd);
      const end = this.quoteEnd;
      this.tail(end, lineEnd);
      this.noContinuation(li, col);
      this.next = li + 1;
      return this.scalar(s, s, c === 0x22 ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE', [q, end, this.trailEnd(li, col)], false, false);
    }
    if (c === 0x5b) return this.flowSeq(li, q, col);
    if (c === 0x7c || c === 0x3e) return this.blockScalar(li, q, col);
    if (!inMap && this.isDash(q)) throw BAIL; // `- - x`
    if (!inMap && this.looksLikeEntry(q, lineEnd)) {
      // `- key: value`: a mapping whose column is the key's.
      return this.block(li, depth + 1, q - this.starts[li]);
    }
    if (startsPlainBadly(t, q, lineEnd)) throw BAIL;
    let e = q;
    for (let i = q; i < lineEnd; i++) {
      const ch = t.charCodeAt(i);
      if (ch === 0x23 && t.charCodeAt(i - 1) === 0x20) break;
      if (ch === 0x3a && (i + 1 === lineEnd || t.charCodeAt(i + 1) === 0x20)) throw BAIL;
      if (ch !== 0x20) e = i + 1;
    }
    this.noContinuation(li, col);
    const src = t.slice(q, e);
    this.next = li + 1;
    return this.scalar(src, src, 'PLAIN', [q, e, this.trailEnd(li, col)], false, true);
  }

  /** Whether `k: …` starts at `at` (a plain or quoted key, then ': ' or ':' at the end of the line). */
  private looksLikeEntry(at: number, lineEnd: number): boolean {
    const t = this.text;
    const c = t.charCodeAt(at);
    if (c === 0x22 || c === 0x27) {
      const close = t.indexOf(String.fromCharCode(c), at + 1);
      if (close === -1 || close >= lineEnd) return false;
      let i = close + 1;
      while (i < lineEnd && t.charCodeAt(i) === 0x20) i++;
      return t.charCodeAt(i) === 0x3a && (i + 1 === lineEnd || t.charCodeAt(i + 1) === 0x20);
    }
    for (let i = at; i < lineEnd; i++) {
      const ch = t.charCodeAt(i);
      if (ch === 0x23 && t.charCodeAt(i - 1) === 0x20) return false;
      if (ch === 0x3a && (i + 1 === lineEnd || t.charCodeAt(i + 1) === 0x20)) return true;
    }
    return false;
  }

  /** A multi-line plain or quoted scalar (content below, deeper than the collection) is yaml's to read. */
  private noContinuation(li: number, col: number): void {
    const below = this.nextContent(li + 1);
    if (below < this.n && this.indents[below] > col) throw BAIL;
  }

  /** Only spaces and a comment may follow a complete value on its line. */
  private tail(from: number, lineEnd: number): void {
    const t = this.text;
    let i = from;
    while (i < lineEnd && t.charCodeAt(i) === 0x20) i++;
    if (i < lineEnd && !(t.charCodeAt(i) === 0x23 && i > from)) throw BAIL;
  }

  /**
   * A value's third range offset: past its line (spaces, comment, newline) and the comment lines right after it
   * that are deeper than its collection (yaml gives them to the value).
   */
  private trailEnd(li: number, col: number): number {
    let end = this.lineEnd(li);
    for (let j = li + 1; j < this.n && this.kinds[j] !== CONTENT; j++) {
      if (this.kinds[j] === COMMENT) {
        if (this.indents[j] <= col) break;
        end = this.lineEnd(j);
      }
    }
    return end;
  }

  /**
   * An empty value's third range offset: its position, or past its line when a comment follows it there. Comment
   * lines below an empty value are attached by yaml in ways that depend on the whole tree: yaml's to read.
   */
  private nullEnd(li: number, col: number, commented: boolean): number {
    for (let j = li + 1; j < this.n && this.kinds[j] !== CONTENT; j++) if (this.kinds[j] === COMMENT) throw BAIL;
    if (!commented) return this.ends[li];
    // `key: # comment` right above the next key of its mapping: yaml's range takes that key's indentation too.
    const next = li + 1;
    return this.lineEnd(li) + (next < this.n && this.kinds[next] === CONTENT && this.indents[next] === col ? col : 0);
  }

  /** A one-line quoted scalar at `at`: its value (and in quoteEnd the offset after the closing quote). No escapes. */
  private quoted(at: number, lineEnd: number): string {
    const t = this.text;
    if (t.charCodeAt(at) === 0x22) {
      const close = t.indexOf('"', at + 1);
      if (close === -1 || close >= lineEnd) throw BAIL;
      const value = t.slice(at + 1, close);
      if (value.includes('\\')) throw BAIL;
      this.quoteEnd = close + 1;
      return value;
    }
    let out = '';
    let i = at + 1;
    for (;;) {
      const close = t.indexOf("'", i);
      if (close === -1 || close >= lineEnd) throw BAIL;
      out += t.slice(i, close);
      if (t.charCodeAt(close + 1) === 0x27) {
        out += "'";
        i = close + 2;
        continue;
      }
      this.quoteEnd = close + 1;
      return out;
    }
  }

  /** `[a, "b", 3]` on one line: scalars only, no trailing comma. */
  private flowSeq(li: number, at: number, col: number): YAML.YAMLSeq {
    const t = this.text;
    const lineEnd = this.ends[li];
    const seq = makeSeq(this.schema);
    seq.flow = true;
    let i = at + 1;
    const skip = () => { while (i < lineEnd && t.charCodeAt(i) === 0x20) i++; };
    skip();
    if (t.charCodeAt(i) !== 0x5d) {
      for (;;) {
        skip();
        const s = i;
        const c = t.charCodeAt(i);
        let item: YAML.Scalar;
        if (c === 0x22 || c === 0x27) {
          const q = this.quoted(i, lineEnd);
          i = this.quoteEnd;
          const e = i;
          skip();
          item = this.scalar(q, q, c === 0x22 ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE', [s, e, i], false, false);
        } else {
          if (i >= lineEnd || c === 0x2c || c === 0x5d || startsPlainBadly(t, i, lineEnd)) throw BAIL;
          let e = i;
          for (; i < lineEnd; i++) {
            const ch = t.charCodeAt(i);
            if (ch === 0x2c || ch === 0x5d) break;
            // Colons (pairs, or not), nested collections and comments inside a flow sequence: yaml's to read.
            if (ch === 0x3a || ch === 0x5b || ch === 0x7b || ch === 0x7d || (ch === 0x23 && t.charCodeAt(i - 1) === 0x20)) throw BAIL;
            if (ch !== 0x20) e = i + 1;
          }
          const src = t.slice(s, e);
          item = this.scalar(src, src, 'PLAIN', [s, e, i], false, true);
        }
        seq.items.push(item);
        const sep = t.charCodeAt(i);
        if (sep === 0x5d) break;
        if (sep !== 0x2c) throw BAIL;
        i++;
        skip();
        if (t.charCodeAt(i) === 0x5d) throw BAIL; // trailing comma
      }
    }
    const close = i + 1;
    this.tail(close, lineEnd);
    this.noContinuation(li, col);
    seq.range = [at, close, this.trailEnd(li, col)];
    this.next = li + 1;
    return seq;
  }

  /** `|`, `|-`, `>`, `>-` and the lines deeper than the collection below it. */
  private blockScalar(li: number, at: number, col: number): YAML.Scalar {
    const t = this.text;
    const folded = t.charCodeAt(at) === 0x3e;
    let i = at + 1;
    let strip = false;
    if (t.charCodeAt(i) === 0x2d) { strip = true; i++; }
    // Keep chomping (`+`) and explicit indentation (`|2`) are yaml's.
    this.tail(i, this.ends[li]);
    if (i < this.ends[li] && t.charCodeAt(i) !== 0x20) throw BAIL;
    // Content: the first non-blank line below sets the indentation; blank lines may come first.
    let first = li + 1;
    while (first < this.n && this.kinds[first] === BLANK) first++;
    if (first >= this.n || this.indents[first] <= col) throw BAIL; // an empty block scalar
    const indent = this.indents[first];
    let last = first;
    let j = li + 1;
    for (; j < this.n; j++) {
      if (this.kinds[j] === BLANK) {
        // A blank line with more spaces than the indentation holds spaces of the value: yaml's.
        if (this.ends[j] - this.starts[j] > indent) throw BAIL;
        continue;
      }
      if (this.indents[j] < indent) {
        if (this.indents[j] > col) throw BAIL;
        break;
      }
      last = j;
    }
    const lines: string[] = [];
    for (let k = li + 1; k <= last; k++) {
      if (this.kinds[k] === BLANK) { lines.push(''); continue; }
      const s = t.slice(this.starts[k] + indent, this.ends[k]);
      // Folded text with more-indented lines keeps their line breaks: yaml's rules.
      if (folded && this.indents[k] > indent) throw BAIL;
      lines.push(s);
    }
    let value: string;
    if (!folded) value = lines.join('\n');
    else {
      value = '';
      let breaks = 0;
      let started = false;
      for (const l of lines) {
        if (l === '') { breaks++; continue; }
        if (!started) value += '\n'.repeat(breaks);
        else value += breaks ? '\n'.repeat(breaks) : ' ';
        value += l;
        breaks = 0;
        started = true;
      }
    }
    // Clip keeps one line break (yaml adds it at the end of the text too).
    if (!strip) value += '\n';
    const end = this.lineEnd(last);
    const node = this.scalar(value, value, folded ? 'BLOCK_FOLDED' : 'BLOCK_LITERAL', [at, end, end], false, false);
    this.next = last + 1;
    return node;
  }

  /** A scalar as yaml's composeScalar makes it: plain text typed by the schema's tags, the rest strings. */
  private scalar(value: string | null, source: string, type: YAML.Scalar.Type, range: Range3, atKey: boolean, plain: boolean): YAML.Scalar {
    const v = value ?? '';
    // Every core-schema test (null, bool, int, float, merge) is anchored on one of these first characters; a
    // plain scalar starting with any other is a string without running them (most of a config's scalars).
    const tag = plain && (v === '' || TYPED_START.has(v.charCodeAt(0)))
      ? (this.tags.find((x) => (x.default === true || (atKey && x.default === 'key')) && x.test?.test(v)) ?? this.strTag)
      : this.strTag;
    let warned = false;
    const res = tag.resolve(v, () => { warned = true; }, FAST_YAML_OPTIONS as YAML.ParseOptions);
    if (warned) throw BAIL;
    const s = isScalar(res) ? res : makeScalar(res);
    s.range = range;
    s.source = source;
    s.type = type;
    if (tag.format) s.format = tag.format;
    return s;
  }
}

const CORE_TAGS = ['map', 'seq', 'str', 'null', 'bool', 'int', 'int', 'int', 'float', 'float', 'float', 'merge'].map((t) => `tag:yaml.org,2002:${t}`).join();

/** First characters that a core-schema scalar test can match (`~`, null, true/false, numbers, `.inf`, `<<`). */
const TYPED_START = new Set([...'~nNtTfF0123456789+-.<'].map((c) => c.charCodeAt(0)));

/** A Set's equality (NaN equals NaN), for the small-mapping key check. */
function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}

/** What may not start a plain scalar (YAML 1.2 indicators), or a plain scalar that ends where it begins. */
function startsPlainBadly(t: string, at: number, lineEnd: number): boolean {
  if (at >= lineEnd) return true;
  const c = t[at];
  if ('[]{},#&*!|>\'"%@`'.includes(c)) return true;
  if (c === '-' || c === '?' || c === ':') {
    const n = t.charCodeAt(at + 1);
    return at + 1 >= lineEnd || n === 0x20;
  }
  return false;
}

function endsOnEmptyValue(root: YNode): boolean {
  let n: unknown = root;
  while (YAML.isMap(n) || YAML.isSeq(n)) {
    const last: unknown = n.items[n.items.length - 1];
    n = YAML.isPair(last) ? last.value : last;
  }
  return YAML.isScalar(n) && n.value === null && n.source === '';
}

/**
 * The Document yaml would build for `text`, when the text is in the fast subset; undefined otherwise (parse it
 * with yaml). `lineCounter` gets every line start, as yaml's parser reports them.
 */
export function fastYamlDocument(text: string): { doc: YAML.Document.Parsed; lineCounter: YAML.LineCounter } | undefined {
  if (!text || text.includes('\t') || /\r(?!\n)/.test(text) || text.charCodeAt(0) === 0xfeff) return undefined;
  const doc = new YAML.Document(undefined, FAST_YAML_OPTIONS) as YAML.Document.Parsed;
  let root: YNode;
  try {
    root = new FastParser(text, doc).parseRoot();
  } catch {
    // BAIL, a stack overflow, or a bug here: yaml's own parse is always the answer of last resort.
    return undefined;
  }
  // A text that ends on an empty value (`key:`, then blank lines or comments): yaml ends the document at that
  // value or past its comments, not at the end of the text. Rare; yaml's own parse gets it right.
  if (endsOnEmptyValue(root)) return undefined;
  doc.contents = root as YAML.Document.Parsed['contents'];
  (doc as { range: Range3 }).range = [root.range![0], root.range![2], text.length];
  const lineCounter = new YAML.LineCounter();
  lineCounter.addNewLine(0);
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineCounter.addNewLine(i + 1);
  return { doc, lineCounter };
}
