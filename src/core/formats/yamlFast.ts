// A fast path for the YAML that serving configs are made of: block mappings and sequences, plain and quoted
// one-line scalars, one-line flow sequences of scalars, and `|`/`>` block scalars. It builds the same DocNode
// tree that document.ts builds from yaml's Document (Lexer → Parser → Composer, then fromYaml) for such a text —
// the same node types, offsets, keys, values, scalar styles and sources, typed by the same schema tags — in one
// pass over the lines, without yaml's syntax tree or Document: a 5,000-line llama-swap file parses in a few
// milliseconds instead of over 100, and an analysis keeps one tree instead of two.
//
// Anything outside that subset — anchors, aliases, tags, flow mappings, multi-line plain or quoted scalars,
// escapes, tabs, lone CR line ends, directives, several documents, merge keys, complex keys, repeated keys,
// anything yaml would report an error or a warning for — makes it return undefined, and the caller parses with
// `yaml` as before. test/unit/formats/yamlFast.test.ts compares both trees node by node on generated, real-world
// and example files, so a difference is a failing test, not a silent wrong range.
// The ranges are yaml's, comments included (a mapping's end is past its last value's comments, as yaml's); the
// comment placements whose attachment depends on the whole tree are yaml's to read.
import * as YAML from 'yaml';
import type { DocNode } from './document';

/** Thrown to leave the fast path; caught in fastYamlTree. */
const BAIL = new Error('outside the fast YAML subset');

const BLANK = 0;
const COMMENT = 1;
const CONTENT = 2;

/** Deeper block nesting goes to yaml (which has its own guards): real configs are under 10 levels. */
const MAX_FAST_DEPTH = 64;

export const FAST_YAML_OPTIONS = { merge: true, prettyErrors: false, uniqueKeys: false, keepSourceTokens: false, logLevel: 'error' } as const;

type ScalarStyle = NonNullable<YAML.Scalar['type']>;

/** yaml's schema for FAST_YAML_OPTIONS (the core schema with merge keys): its scalar tags type plain scalars here. */
interface Typing {
  tags: readonly YAML.ScalarTag[];
  strTag: YAML.ScalarTag;
}
let typing: Typing | undefined | null;

function schemaTyping(): Typing | undefined {
  if (typing === undefined) {
    const schema = new YAML.Document(undefined, FAST_YAML_OPTIONS).schema;
    const tags = schema.tags as YAML.ScalarTag[];
    const strTag = (schema as unknown as Record<symbol, YAML.ScalarTag | undefined>)[Symbol.for('yaml.scalar')];
    // TYPED_START is written for yaml's core schema with merge keys; another schema (a future yaml) is yaml's.
    typing = tags.map((x) => x.tag).join() === CORE_TAGS && strTag ? { tags, strTag } : null;
  }
  return typing ?? undefined;
}

class FastParser {
  private readonly n: number;
  private readonly starts: Int32Array;
  /** Where each line's text ends (before its '\r\n' or '\n'). */
  private readonly ends: Int32Array;
  /** Where each line's break ends (after its '\n'; the text's end for a last line without one). */
  private readonly breaks: Int32Array;
  private readonly indents: Int32Array;
  private readonly kinds: Uint8Array;
  /**
   * Second results, kept here instead of in a wrapper object per node (24,000 of them in a 5,000-line file): the
   * first line after the node block(), map(), seq(), value(), flowSeq() and blockScalar() just returned and where
   * that node's range ends with its trailing comments (yaml's third range offset), the ':' after the key key()
   * returned, and the offset after the closing quote quoted() found.
   */
  private next = 0;
  private end2 = 0;
  private colon = 0;
  private quoteEnd = 0;
  /** Whether the last scalar made (the last in the text, once parsing ends) is an empty value (`key:`). */
  private lastEmpty = false;

  constructor(private readonly text: string, private readonly typing: Typing) {
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
  }

  /** The root collection, or a bail. */
  parseRoot(): DocNode {
    const first = this.nextContent(0);
    if (first >= this.n || this.indents[first] !== 0) throw BAIL;
    const node = this.block(first, 0);
    if (this.nextContent(this.next) < this.n) throw BAIL;
    // A text that ends on an empty value (`key:`, then blank lines or comments): yaml ends the document at that
    // value or past its comments, not at the end of the text. Rare; yaml's own parse gets it right.
    if (this.lastEmpty) throw BAIL;
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
  private block(li: number, depth: number, col = this.indents[li]): DocNode {
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

  private map(li: number, col: number, depth: number): DocNode {
    const start = this.starts[li] + col;
    const members: DocNode[] = [];
    const props = new Map<string, DocNode>();
    let lastEnd = start;
    let after = li;
    let first = true;
    for (;;) {
      if (!first) {
        li = this.nextItem(li, col);
        if (li < 0) break;
        if (this.isDash(this.starts[li] + col)) throw BAIL;
      }
      const lineStart = this.starts[li];
      const keyNode = this.key(lineStart + col, this.ends[li]);
      // The key as fromYaml writes it: yaml's typed key value as a string, null as ''.
      const key = keyNode.value === null || keyNode.value === undefined ? '' : String(keyNode.value);
      // A repeated key (also `1` and `"1"`, which the tree cannot tell apart) is reported by fromYaml: yaml's way.
      if (props.has(key)) throw BAIL;
      const child = this.value(li, this.colon + 1, col, depth, true);
      lastEnd = this.end2;
      if (child.type === 'null' && child.end <= child.start) {
        // `key:` with nothing after it: the tree points at the key (as fromYaml does with yaml's empty scalar).
        child.start = keyNode.start;
        child.end = keyNode.end;
      }
      child.key = key;
      child.keyStart = keyNode.start;
      child.keyEnd = keyNode.end;
      members.push(child);
      props.set(key, child);
      li = after = this.next;
      first = false;
    }
    this.end2 = this.collectionEnd(after, col, lastEnd, depth === 0);
    // The lines after the last item (comments, blank lines) are for the parent to see too.
    this.next = after;
    return { type: 'object', start, end: lastEnd, members, props };
  }

  private seq(li: number, col: number, depth: number): DocNode {
    const start = this.starts[li] + col;
    const items: DocNode[] = [];
    let lastEnd = start;
    let after = li;
    let first = true;
    for (;;) {
      if (!first) {
        li = this.nextItem(li, col);
        // A mapping key at the sequence's column ends it (`key:` then `- a` at the key's indentation).
        if (li < 0 || !this.isDash(this.starts[li] + col)) break;
      }
      items.push(this.value(li, this.starts[li] + col + 1, col, depth, false));
      lastEnd = this.end2;
      li = after = this.next;
      first = false;
    }
    this.end2 = this.collectionEnd(after, col, lastEnd, depth === 0);
    this.next = after;
    return { type: 'array', start, end: lastEnd, items };
  }

  /** A mapping key at `at` (plain or simply quoted), and in `colon` the offset of its ':'. */
  private key(at: number, lineEnd: number): DocNode {
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
      const s = this.scalar(value, c === 0x22 ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE', at, end, end, true, false);
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
    return this.scalar(src, 'PLAIN', at, e, e, true, true);
  }

  /**
   * The value after a key's ':' (or a sequence's '-') at offset `from` on line li, in a collection at column
   * `col`. Returns the node; the first line after it is in `next`, its range's end in `end2`.
   */
  private value(li: number, from: number, col: number, depth: number, inMap: boolean): DocNode {
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
      const empty = this.scalar(null, 'PLAIN', q, q, this.nullEnd(li, col, c === 0x23), false, true);
      this.lastEmpty = true;
      return empty;
    }
    if (c === 0x22 || c === 0x27) {
      const s = this.quoted(q, lineEnd);
      const end = this.quoteEnd;
      this.tail(end, lineEnd);
      this.noContinuation(li, col);
      this.next = li + 1;
      return this.scalar(s, c === 0x22 ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE', q, end, this.trailEnd(li, col), false, false);
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
    return this.scalar(src, 'PLAIN', q, e, this.trailEnd(li, col), false, true);
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
  private flowSeq(li: number, at: number, col: number): DocNode {
    const t = this.text;
    const lineEnd = this.ends[li];
    const items: DocNode[] = [];
    let i = at + 1;
    const skip = () => { while (i < lineEnd && t.charCodeAt(i) === 0x20) i++; };
    skip();
    if (t.charCodeAt(i) !== 0x5d) {
      for (;;) {
        skip();
        const s = i;
        const c = t.charCodeAt(i);
        if (c === 0x22 || c === 0x27) {
          const q = this.quoted(i, lineEnd);
          i = this.quoteEnd;
          const e = i;
          skip();
          items.push(this.scalar(q, c === 0x22 ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE', s, e, i, false, false));
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
          items.push(this.scalar(t.slice(s, e), 'PLAIN', s, e, i, false, true));
        }
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
    this.end2 = this.trailEnd(li, col);
    this.next = li + 1;
    return { type: 'array', start: at, end: close, items };
  }

  /** `|`, `|-`, `>`, `>-` and the lines deeper than the collection below it. */
  private blockScalar(li: number, at: number, col: number): DocNode {
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
    let value: string;
    if (last === first && first === li + 1) {
      // One content line right below the header (`cmd: >-` then the command, most llama-swap cmds): that line.
      value = t.slice(this.starts[first] + indent, this.ends[first]);
    } else {
      const lines: string[] = [];
      for (let k = li + 1; k <= last; k++) {
        if (this.kinds[k] === BLANK) { lines.push(''); continue; }
        // Folded text with more-indented lines keeps their line breaks: yaml's rules.
        if (folded && this.indents[k] > indent) throw BAIL;
        lines.push(t.slice(this.starts[k] + indent, this.ends[k]));
      }
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
    }
    // Clip keeps one line break (yaml adds it at the end of the text too).
    if (!strip) value += '\n';
    const end = this.lineEnd(last);
    const node = this.scalar(value, folded ? 'BLOCK_FOLDED' : 'BLOCK_LITERAL', at, end, end, false, false);
    this.next = last + 1;
    return node;
  }

  /**
   * A scalar as fromYaml makes it from yaml's composeScalar: plain text typed by the schema's tags, the rest
   * strings; `source` (the text before typing) kept for values that are not strings. Its range ends at `end2`.
   */
  private scalar(source: string | null, style: ScalarStyle, start: number, end: number, end2: number, atKey: boolean, plain: boolean): DocNode {
    this.end2 = end2;
    this.lastEmpty = false;
    const v = source ?? '';
    // Every core-schema test (null, bool, int, float, merge) is anchored on one of these first characters; a
    // plain scalar starting with any other is a string without running them (most of a config's scalars).
    if (!plain || (v !== '' && !TYPED_START.has(v.charCodeAt(0)))) return { type: 'string', start, end, value: v, style };
    const tags = this.typing.tags;
    let tag = this.typing.strTag;
    for (const x of tags) {
      if ((x.default === true || (atKey && x.default === 'key')) && x.test?.test(v)) {
        tag = x;
        break;
      }
    }
    let warned = false;
    const res = tag.resolve(v, () => { warned = true; }, FAST_YAML_OPTIONS as YAML.ParseOptions);
    if (warned) throw BAIL;
    const value: unknown = YAML.isScalar(res) ? res.value : res;
    if (typeof value === 'string') return { type: 'string', start, end, value, style };
    if (value === null || value === undefined) return { type: 'null', start, end, value: null, style, source: v };
    if (typeof value === 'number') return { type: 'number', start, end, value, style, source: v };
    if (typeof value === 'boolean') return { type: 'boolean', start, end, value, style, source: v };
    // A value no config tree holds (a future tag's object): yaml's path.
    throw BAIL;
  }
}

const CORE_TAGS = ['map', 'seq', 'str', 'null', 'bool', 'int', 'int', 'int', 'float', 'float', 'float', 'merge'].map((t) => `tag:yaml.org,2002:${t}`).join();

/** First characters that a core-schema scalar test can match (`~`, null, true/false, numbers, `.inf`, `<<`). */
const TYPED_START = new Set([...'~nNtTfF0123456789+-.<'].map((c) => c.charCodeAt(0)));

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

/**
 * The tree document.ts would build from yaml's Document for `text`, when the text is in the fast subset;
 * undefined otherwise (parse it with yaml).
 */
export function fastYamlTree(text: string): DocNode | undefined {
  if (!text || text.includes('\t') || /\r(?!\n)/.test(text) || text.charCodeAt(0) === 0xfeff) return undefined;
  const typed = schemaTyping();
  if (!typed) return undefined;
  try {
    return new FastParser(text, typed).parseRoot();
  } catch {
    // BAIL, a stack overflow, or a bug here: yaml's own parse is always the answer of last resort.
    return undefined;
  }
}
