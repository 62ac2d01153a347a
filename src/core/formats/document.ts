// One tree for YAML and JSON documents that keeps where every key and value is written, so schema errors,
// rules and quick fixes land on exact ranges. YAML: built by yamlFast.ts for the common subset, else from the
// Document of yaml's Lexer, Parser and Composer (the Document is not kept); JSON via jsonc-parser. Parsing never
// throws: syntax errors, alias bombs, excessive nesting and stack overflows all become diagnostics.
import * as jsonc from 'jsonc-parser';
import * as YAML from 'yaml';
import type { KvDiagnostic, Position, Range } from '../diagnostics';
import { FAST_YAML_OPTIONS, fastYamlTree } from './yamlFast';
import { mapOffsets } from './yamlScalar';

/** How a YAML scalar is written: yaml's Scalar.type. */
export type ScalarStyle = 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' | 'BLOCK_FOLDED' | 'BLOCK_LITERAL';

export type NodeType = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null' | 'other';

export interface DocNode {
  type: NodeType;
  /** Offsets of the value in the document text ([start, end)). */
  start: number;
  end: number;
  /** For a member of a mapping: its key and where the key is written. */
  key?: string;
  keyStart?: number;
  keyEnd?: number;
  /** Members in document order (duplicates included); `props` keeps the last, as PyYAML and JSON.parse do. */
  members?: DocNode[];
  props?: Map<string, DocNode>;
  items?: DocNode[];
  value?: string | number | boolean | null;
  /**
   * YAML scalars: how the value is written (for offset mapping inside plain, quoted and block scalars; absent
   * for a value an alias brings, which is written elsewhere).
   */
  style?: ScalarStyle;
  /** YAML scalars that are not strings: the text as written, before typing (`1.0`, `0x1F`, `~`, '' when empty). */
  source?: string;
  /** JSON string nodes: the raw text including quotes. */
  jsonRaw?: string;
}

export interface ParsedDocument {
  lang: 'yaml' | 'json';
  text: string;
  lines: LineIndex;
  root?: DocNode;
  /** The plain value (YAML: yaml's toJS, with aliases and merge keys resolved). Undefined when unusable. */
  value: unknown;
  diagnostics: KvDiagnostic[];
}

/** Deeper documents are not parsed (recursive parsers would overflow the stack); real configs are < 10 deep. */
export const MAX_DEPTH = 256;
/**
 * Block (indentation) nesting deeper than this is refused: the yaml composer recurses per level, and at a few
 * thousand levels V8 can abort the process (a regular expression compiled near the end of the stack).
 */
export const MAX_BLOCK_DEPTH = 1000;
/** An alias bomb (billion laughs) stops here. */
export const MAX_ALIAS_COUNT = 1000;

const LONE_CR = /\r(?!\n)/;

export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(private readonly text: string) {
    // indexOf finds line breaks several times faster than a loop over every character; a lone CR (old Mac line
    // ends, left in JSON) needs that loop.
    if (!LONE_CR.test(text)) {
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
      return;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13 && text.charCodeAt(i + 1) !== 10) this.starts.push(i + 1);
    }
  }
  /** The line the last position was on: callers ask for nearby offsets in a row (every flag of one cmd). */
  private hint = 0;
  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const starts = this.starts;
    let h = this.hint;
    if (starts[h] <= o && (h + 1 === starts.length || starts[h + 1] > o)) return { line: h, character: o - starts[h] };
    h++;
    if (h < starts.length && starts[h] <= o && (h + 1 === starts.length || starts[h + 1] > o)) {
      this.hint = h;
      return { line: h, character: o - starts[h] };
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    this.hint = lo;
    return { line: lo, character: o - starts[lo] };
  }
  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(Math.max(start, end)) };
  }
  offset(p: Position): number {
    const start = this.starts[Math.min(Math.max(0, p.line), this.starts.length - 1)];
    return Math.min(start + p.character, this.text.length);
  }
  get lineCount(): number {
    return this.starts.length;
  }
  /** Range of the whole line (without its line break). */
  lineRange(line: number): Range {
    const l = Math.min(Math.max(0, line), this.starts.length - 1);
    const start = this.starts[l];
    let end = l + 1 < this.starts.length ? this.starts[l + 1] : this.text.length;
    while (end > start && (this.text.charCodeAt(end - 1) === 10 || this.text.charCodeAt(end - 1) === 13)) end--;
    return this.range(start, end);
  }
}

export function keyRange(doc: ParsedDocument, node: DocNode): Range {
  return node.keyStart !== undefined ? doc.lines.range(node.keyStart, node.keyEnd ?? node.keyStart) : valueRange(doc, node);
}

export function valueRange(doc: ParsedDocument, node: DocNode): Range {
  return doc.lines.range(node.start, node.end);
}

/** Where to report something about the node as a whole: its key when it has one, else its value's first line. */
export function anchorRange(doc: ParsedDocument, node: DocNode | undefined): Range {
  if (!node) return firstContentRange(doc);
  if (node.keyStart !== undefined) return keyRange(doc, node);
  if (node.type === 'object' || node.type === 'array') {
    const start = doc.lines.position(node.start);
    const line = doc.lines.lineRange(start.line);
    return { start, end: line.end };
  }
  return valueRange(doc, node);
}

function firstContentOffset(doc: ParsedDocument): number {
  return /\S/.exec(doc.text)?.index ?? 0;
}

export function firstContentRange(doc: ParsedDocument): Range {
  const m = /\S/.exec(doc.text);
  if (!m) return doc.lines.range(0, 0);
  const start = doc.lines.position(m.index);
  return { start, end: doc.lines.lineRange(start.line).end };
}

/** The node at `path`, or undefined. */
export function locate(root: DocNode | undefined, path: readonly (string | number)[]): DocNode | undefined {
  let n = root;
  for (const seg of path) {
    if (!n) return undefined;
    if (n.type === 'object' && n.props) n = n.props.get(String(seg));
    else if (n.type === 'array' && n.items) n = n.items[Number(seg)];
    else return undefined;
  }
  return n;
}

/** The deepest node along `path` that exists (for errors inside values the tree does not model, e.g. merges). */
export function locateNearest(root: DocNode | undefined, path: readonly (string | number)[]): DocNode | undefined {
  let n = root;
  for (const seg of path) {
    let next: DocNode | undefined;
    if (n?.type === 'object' && n.props) next = n.props.get(String(seg));
    else if (n?.type === 'array' && n.items) next = n.items[Number(seg)];
    if (!next) return n;
    n = next;
  }
  return n;
}

/**
 * A document parsed by format detection (detect.ts sniffing a llama-swap `config.yaml` by content), handed to the
 * parseDocument call for the same text that follows it, so a 5,000-line file is not parsed twice in a row.
 * Taken once: the object reaches exactly one caller, as a fresh parse would.
 */
let handoff: ParsedDocument | undefined;

/** YAML texts from this size read by yaml's parser call the after-parse hook (a CST of tens of megabytes has just become garbage). */
export const BIG_PARSE_CHARS = 1024 * 1024;
let afterBigParse: (() => void) | undefined;

/**
 * A function to call once a big YAML text's syntax tree (CST) is garbage: the CLI collects it there. The CST is
 * tenured while it is built and would otherwise stay until the next full collection, well after the value trees
 * have been built on top of it (a 3.6 MiB llama-swap file: 510 MB peak RSS instead of 400 MB). The editor sets
 * none: a full collection there would pause every extension.
 */
export function setAfterBigParse(hook: (() => void) | undefined): void {
  afterBigParse = hook;
}

export function offerParsedDocument(doc: ParsedDocument): void {
  handoff = doc;
}

/**
 * `yamlFastPath: false` parses with yaml even in the fast subset (the tests compare both trees); the default is
 * the fast path where it applies.
 */
export function parseDocument(text: string, lang: 'yaml' | 'json', opts: { yamlFastPath?: boolean } = {}): ParsedDocument {
  const fastPath = opts.yamlFastPath !== false;
  // Old Mac line ends (a CR alone) are line breaks to LineIndex and to editors, but the yaml parser reads them as
  // spaces (a whole profile after a comment becomes that comment). Each lone CR becomes an LF: same length, so
  // every offset and range stays where the user sees it.
  if (lang === 'yaml' && /\r(?!\n)/.test(text)) text = text.replace(/\r(?!\n)/g, '\n');
  if (handoff) {
    const offered = handoff;
    handoff = undefined;
    if (offered.lang === lang && offered.text === text && fastPath) return offered;
  }
  const lines = new LineIndex(text);
  const doc: ParsedDocument = { lang, text, lines, value: undefined, diagnostics: [] };
  try {
    if (lang === 'json') parseJson(doc);
    else parseYaml(doc, fastPath);
  } catch (e) {
    // A RangeError here is a stack overflow inside a parser; anything else is a parser bug. Either way the
    // user gets a diagnostic, never an exception.
    doc.root = undefined;
    doc.value = undefined;
    // A RangeError is the parser's stack: deep block nesting (indentation) that the flow guard does not count.
    if (e instanceof RangeError) {
      tooDeep(doc, firstContentOffset(doc));
    } else {
      doc.diagnostics.push({
        severity: 'error',
        code: lang === 'json' ? 'json-syntax' : 'yaml-syntax',
        message: `Could not parse this ${lang.toUpperCase()} file: ${e instanceof Error ? e.message : String(e)}.`,
        range: firstContentRange(doc),
      });
    }
  }
  return doc;
}

/** More `[`/`{` characters than this anywhere in the text are needed before nesting can pass MAX_DEPTH. */
function mayBeTooDeep(text: string): boolean {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c === 0x5b || c === 0x7b) && ++n > MAX_DEPTH) return true;
  }
  return false;
}

/**
 * JSON: where flow nesting first passes `limit`, with jsonc's scanner (no recursion, linear time), so brackets in
 * strings and comments never count and never hide real ones.
 */
function jsonDepth(text: string, limit: number): number | undefined {
  if (!mayBeTooDeep(text)) return undefined;
  let depth = 0;
  const scanner = jsonc.createScanner(text, true);
  for (let t = scanner.scan(); t !== jsonc.SyntaxKind.EOF; t = scanner.scan()) {
    if (t === jsonc.SyntaxKind.OpenBraceToken || t === jsonc.SyntaxKind.OpenBracketToken) {
      if (++depth > limit) return scanner.getTokenOffset();
    } else if (t === jsonc.SyntaxKind.CloseBraceToken || t === jsonc.SyntaxKind.CloseBracketToken) depth = Math.max(0, depth - 1);
  }
  return undefined;
}

// The yaml lexer's control tokens: markers it inserts that are not part of the source text.
const YAML_CONTROL = new Set(['\u0002', '\u0018', '\u001f']);

/**
 * Lexes and parses YAML in one pass (yaml's Parser.parse, written out: Lexer tokens fed to Parser.next) and
 * counts flow nesting on the way: the CST parser slows down quadratically on deep flow nesting (100,000 `[` take
 * seconds), so it stops where the nesting passes `limit`. One lexer pass, not a second one to count first.
 */
function parseYamlTokens(text: string, onNewLine: ((offset: number) => void) | undefined, limit: number): { tokens: YAML.CST.Token[] } | { tooDeepAt: number } {
  const parser = new YAML.Parser(onNewLine);
  const tokens: YAML.CST.Token[] = [];
  onNewLine?.(0);
  let depth = 0;
  let offset = 0;
  for (const lexeme of new YAML.Lexer().lex(text)) {
    if (!YAML_CONTROL.has(lexeme)) {
      const type = YAML.CST.tokenType(lexeme);
      if (type === 'flow-seq-start' || type === 'flow-map-start') {
        if (++depth > limit) return { tooDeepAt: offset };
      } else if (type === 'flow-seq-end' || type === 'flow-map-end') depth = Math.max(0, depth - 1);
      offset += lexeme.length;
    }
    for (const t of parser.next(lexeme)) tokens.push(t);
  }
  for (const t of parser.end()) tokens.push(t);
  return { tokens };
}

/**
 * Compact block nesting on one line (`- - - - x`, `? - ? x`, with anchors or tags between): the CST parser is
 * quadratic in it too (2,000,000 levels took 28 s), so a line with more indicators than `limit` is refused first.
 * Indentation nesting needs a longer line per level, so 4 MiB cannot hold enough of it to be slow.
 */
function compactDepth(text: string, limit: number): number | undefined {
  const re = /^[ \t]*(?:(?:[-?](?:[ \t]+|$)|[&!][^ \t\n]*[ \t]+))+/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0].length > limit) {
      let n = 0;
      for (let i = 0; i < m[0].length; i++) if ((m[0][i] === '-' || m[0][i] === '?') && ++n > limit) return m.index + i;
    }
    if (m[0].length === 0) re.lastIndex++;
  }
  return undefined;
}

/**
 * YAML: where collection nesting (block and flow alike) first passes `limit`, walking the parser's concrete syntax
 * tree with an explicit stack. The CST parser itself is iterative; the composer after it recurses once per level
 * (and V8 can abort the whole process when that recursion meets a regular expression near the stack's end: 5,000
 * levels of `- - - x` did), so it only ever sees trees this walk accepted. Quotes, comments and block scalars are
 * tokens of their own here: a `[` inside them is text.
 */
function yamlDepth(tokens: readonly YAML.CST.Token[], limit: number): number | undefined {
  const stack: [YAML.CST.Token | null | undefined, number][] = [];
  for (const t of tokens) if (t.type === 'document') stack.push([t.value, 1]);
  while (stack.length) {
    const [t, depth] = stack.pop()!;
    if (!t) continue;
    if (t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection') {
      if (depth > limit) return t.offset;
      for (const item of t.items) {
        const it = item as { key?: YAML.CST.Token | null; value?: YAML.CST.Token };
        if (it.key) stack.push([it.key, depth + 1]);
        if (it.value) stack.push([it.value, depth + 1]);
      }
    }
  }
  return undefined;
}

function tooDeep(doc: ParsedDocument, at: number, limit = MAX_DEPTH): void {
  doc.diagnostics.push({
    severity: 'error',
    code: 'too-deep',
    message: `This document nests deeper than ${limit} levels; KV Lens does not analyse it (no serving config needs that).`,
    range: doc.lines.range(at, at + 1),
  });
}

// ---------- JSON ----------

const JSON_ERRORS: Record<number, string> = {
  [jsonc.ParseErrorCode.InvalidSymbol]: 'Invalid symbol',
  [jsonc.ParseErrorCode.InvalidNumberFormat]: 'Invalid number',
  [jsonc.ParseErrorCode.PropertyNameExpected]: 'Expected a property name in double quotes',
  [jsonc.ParseErrorCode.ValueExpected]: 'Expected a value',
  [jsonc.ParseErrorCode.ColonExpected]: 'Expected a colon',
  [jsonc.ParseErrorCode.CommaExpected]: 'Expected a comma',
  [jsonc.ParseErrorCode.CloseBraceExpected]: 'Expected a closing brace `}`',
  [jsonc.ParseErrorCode.CloseBracketExpected]: 'Expected a closing bracket `]`',
  [jsonc.ParseErrorCode.EndOfFileExpected]: 'Expected the end of the file',
  [jsonc.ParseErrorCode.InvalidCommentToken]: 'Invalid comment',
  [jsonc.ParseErrorCode.UnexpectedEndOfComment]: 'Unterminated comment',
  [jsonc.ParseErrorCode.UnexpectedEndOfString]: 'Unterminated string',
  [jsonc.ParseErrorCode.UnexpectedEndOfNumber]: 'Unexpected end of number',
  [jsonc.ParseErrorCode.InvalidUnicode]: 'Invalid unicode escape',
  [jsonc.ParseErrorCode.InvalidEscapeCharacter]: 'Invalid escape character',
  [jsonc.ParseErrorCode.InvalidCharacter]: 'Invalid character',
};

function parseJson(doc: ParsedDocument): void {
  const deep = jsonDepth(doc.text, MAX_DEPTH);
  if (deep !== undefined) return tooDeep(doc, deep);
  const errors: jsonc.ParseError[] = [];
  const tree = jsonc.parseTree(doc.text, errors, { allowTrailingComma: false, disallowComments: false });
  for (const e of errors.slice(0, 20)) {
    doc.diagnostics.push({
      severity: 'error',
      code: 'json-syntax',
      message: `${JSON_ERRORS[e.error] ?? jsonc.printParseErrorCode(e.error)}.`,
      range: doc.lines.range(e.offset, e.offset + Math.max(1, e.length)),
    });
  }
  if (!tree) return;
  doc.root = fromJson(doc, tree, 0);
  if (errors.length === 0) doc.value = plain(doc.root);
}

function fromJson(doc: ParsedDocument, n: jsonc.Node, depth: number): DocNode {
  const node: DocNode = { type: 'other', start: n.offset, end: n.offset + n.length };
  if (depth > MAX_DEPTH) return node;
  switch (n.type) {
    case 'object': {
      node.type = 'object';
      node.members = [];
      node.props = new Map();
      for (const prop of n.children ?? []) {
        const [k, v] = prop.children ?? [];
        if (!k || typeof k.value !== 'string') continue;
        const child: DocNode = v ? fromJson(doc, v, depth + 1) : { type: 'null', start: k.offset + k.length, end: k.offset + k.length, value: null };
        child.key = k.value;
        child.keyStart = k.offset;
        child.keyEnd = k.offset + k.length;
        const earlier = node.props.get(k.value);
        if (earlier) {
          doc.diagnostics.push({
            severity: 'warning',
            code: 'duplicate-key',
            message: `\`${k.value}\` is written twice in this object; the last one wins (line ${doc.lines.position(earlier.keyStart ?? 0).line + 1} is ignored).`,
            range: doc.lines.range(k.offset, k.offset + k.length),
          });
        }
        node.members.push(child);
        node.props.set(k.value, child);
      }
      break;
    }
    case 'array':
      node.type = 'array';
      node.items = (n.children ?? []).map((c) => fromJson(doc, c, depth + 1));
      break;
    case 'string':
      node.type = 'string';
      node.value = n.value as string;
      node.jsonRaw = doc.text.slice(n.offset, n.offset + n.length);
      break;
    case 'number':
      node.type = 'number';
      node.value = n.value as number;
      break;
    case 'boolean':
      node.type = 'boolean';
      node.value = n.value as boolean;
      break;
    case 'null':
      node.type = 'null';
      node.value = null;
      break;
  }
  return node;
}

/** The plain JS value of a tree (used for JSON, where the tree is the whole truth). */
export function plain(n: DocNode): unknown {
  switch (n.type) {
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const m of n.members ?? []) {
        if (m.key === '__proto__') Object.defineProperty(o, m.key, { value: plain(m), enumerable: true, writable: true, configurable: true });
        else o[m.key as string] = plain(m);
      }
      return o;
    }
    case 'array':
      return (n.items ?? []).map(plain);
    case 'other':
      return undefined;
    default:
      return n.value;
  }
}

/** Map an offset inside a JSON string's decoded value to a document offset (escapes make them differ). */
export function jsonStringOffsetMapper(node: DocNode): (valueOffset: number) => number {
  const raw = node.jsonRaw ?? '';
  const map: number[] = [];
  for (let i = 1; i < raw.length - 1; ) {
    map.push(node.start + i);
    if (raw[i] === '\\') i += raw[i + 1] === 'u' ? 6 : 2;
    else i += 1;
  }
  const end = node.start + Math.max(1, raw.length - 1);
  return (o) => (o < 0 ? node.start + 1 : o < map.length ? map[o] : end);
}

/**
 * Offset in a string node's value → document offset, past JSON escapes and YAML's scalar styles (quotes, escapes,
 * folds, block indentation). A value that an alias brings (no style) maps onto the alias, clamped.
 */
export function valueOffsetMapper(doc: ParsedDocument, node: DocNode): (valueOffset: number) => number {
  if (doc.lang === 'json') return jsonStringOffsetMapper(node);
  if (node.style) {
    const value = typeof node.value === 'string' ? node.value : node.source ?? String(node.value ?? '');
    try {
      return mapOffsets(node.style, node.start, node.end, value, doc.text);
    } catch {
      // fall through to the start of the value
    }
  }
  return (o) => Math.min(node.start + Math.max(0, o), node.end);
}

// ---------- YAML ----------

function yamlMessage(e: YAML.YAMLError): string {
  // yaml appends " at line L, column C:\n\n<excerpt>"; the range already says where.
  const first = e.message.split(/ at line \d+, column \d+/)[0].split('\n')[0].trim();
  return first.endsWith('.') ? first : `${first}.`;
}

function parseYaml(doc: ParsedDocument, fastPath: boolean): void {
  // The configs people write are mostly in the subset yamlFast reads (the same tree, without yaml's CST and
  // Document). Its trees have no aliases, merge keys, tags or repeated keys: the plain value is the tree's.
  const fast = fastPath ? fastYamlTree(doc.text) : undefined;
  if (fast) {
    doc.root = fast;
    doc.value = plainValue(fast);
    return;
  }
  const parsed = composeYaml(doc);
  if (parsed) fromYamlDocument(doc, parsed);
}

/** yaml's own path: Lexer and Parser (with the nesting guards), then Composer. Undefined when refused. */
function composeYaml(doc: ParsedDocument): YAML.Document.Parsed | undefined {
  const compact = compactDepth(doc.text, MAX_BLOCK_DEPTH);
  if (compact !== undefined) return void tooDeep(doc, compact, MAX_BLOCK_DEPTH);
  // YAML.parseDocument in steps (its own code: Lexer and Parser, then Composer), so the nesting is checked
  // while parsing and between. (Positions come from doc.lines, not from yaml's LineCounter.)
  const parsed = parseYamlTokens(doc.text, undefined, MAX_DEPTH);
  if ('tooDeepAt' in parsed) return void tooDeep(doc, parsed.tooDeepAt);
  const tokens = parsed.tokens;
  const deep = yamlDepth(tokens, MAX_BLOCK_DEPTH);
  if (deep !== undefined) return void tooDeep(doc, deep, MAX_BLOCK_DEPTH);
  // uniqueKeys is checked in fromYaml with a Map: yaml's own check is quadratic in the keys of a mapping.
  // logLevel 'error': yaml would print its warnings (collection keys) on the process's stderr; they are reported
  // here as diagnostics instead.
  const composer = new YAML.Composer(FAST_YAML_OPTIONS);
  let ydoc: YAML.Document.Parsed | undefined;
  for (const d of composer.compose(tokens, true, doc.text.length)) {
    if (!ydoc) ydoc = d as YAML.Document.Parsed;
    else {
      ydoc.errors.push(new YAML.YAMLParseError(d.range.slice(0, 2) as [number, number], 'MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()'));
      break;
    }
  }
  // The CST is not needed past this point (keepSourceTokens is off): let it go before the value trees are built
  // (a 3.6 MiB file's CST is over 100 MB).
  tokens.length = 0;
  if (afterBigParse && doc.text.length >= BIG_PARSE_CHARS) afterBigParse();
  if (!ydoc) return undefined;
  // The composer recurses per nesting level and turns its own stack overflow into an error; should one still
  // happen (a deep tree inside a very long key), it is reported as what it is.
  const overflow = ydoc.errors.find((e) => /call stack/i.test(e.message));
  if (overflow) return void tooDeep(doc, overflow.pos[0]);
  return ydoc;
}

/** The diagnostics, tree and plain value of yaml's Document. */
function fromYamlDocument(doc: ParsedDocument, ydoc: YAML.Document.Parsed): void {
  for (const e of ydoc.errors.slice(0, 20)) {
    const duplicate = e.code === 'DUPLICATE_KEY';
    doc.diagnostics.push({
      severity: duplicate ? 'warning' : 'error',
      code: duplicate ? 'duplicate-key' : 'yaml-syntax',
      message: duplicate ? 'This key is written twice in the same mapping; the last one wins.' : yamlMessage(e),
      range: doc.lines.range(e.pos[0], Math.max(e.pos[1], e.pos[0] + 1)),
    });
  }
  for (const w of ydoc.warnings.slice(0, 20)) {
    doc.diagnostics.push({ severity: 'warning', code: 'yaml-warning', message: yamlMessage(w), range: doc.lines.range(w.pos[0], w.pos[1]) });
  }
  const fatal = ydoc.errors.some((e) => e.code !== 'DUPLICATE_KEY');
  if (!ydoc.contents) return;
  const before = doc.diagnostics.length;
  doc.root = fromYaml(doc, ydoc, ydoc.contents, 0);
  if (fatal) return;
  // fromYaml reported values no config can hold (undefined aliases, !!binary): no plain value to validate.
  if (doc.diagnostics.slice(before).some((d) => d.code === 'yaml-undefined-alias' || d.code === 'yaml-binary')) return;
  try {
    doc.value = ydoc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    doc.diagnostics.push({
      severity: 'error',
      code: 'yaml-aliases',
      message: `Aliases expand too far (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); KV Lens stops here, as vLLM's PyYAML would run out of memory.`,
      range: firstContentRange(doc),
    });
    doc.root = undefined;
  }
}

/**
 * What yaml's toJS gives for a text in the fast subset, from its tree: a mapping is an object of its members
 * (keys as fromYaml stringifies them, which is yaml's stringifyKey for scalar keys: null → ''), a key that an
 * object already has (`__proto__`, `toString`) defined as its own property as yaml does, a sequence an array, a
 * scalar its value. yaml's generic toJS (anchors, merge keys, revivers) costs a third of a 5,000-line file's parse.
 */
function plainValue(n: DocNode): unknown {
  if (n.type === 'object') {
    const out: Record<string, unknown> = {};
    for (const m of n.members ?? []) {
      const key = m.key ?? '';
      const v = plainValue(m);
      if (key in out) Object.defineProperty(out, key, { value: v, writable: true, enumerable: true, configurable: true });
      else out[key] = v;
    }
    return out;
  }
  if (n.type === 'array') return (n.items ?? []).map(plainValue);
  return n.value;
}

function fromYaml(doc: ParsedDocument, ydoc: YAML.Document, n: unknown, depth: number, inAlias = false): DocNode {
  const range = (n as { range?: [number, number, number] }).range;
  const node: DocNode = { type: 'other', start: range?.[0] ?? 0, end: range?.[1] ?? range?.[0] ?? 0 };
  if (depth > MAX_DEPTH) return node;
  if (YAML.isAlias(n)) {
    // The alias's own range, the contents of what it points at (ranges where they are written) — expanded one
    // level only: aliases inside an expansion keep just their shape, so an alias bomb costs linear time
    // before toJS's maxAliasCount refuses it.
    const target = n.resolve(ydoc);
    if (!target) {
      doc.diagnostics.push({
        severity: 'error',
        code: 'yaml-undefined-alias',
        message: `\`*${n.source}\` refers to no anchor: define \`&${n.source}\` on a value before this alias.`,
        range: doc.lines.range(node.start, Math.max(node.end, node.start + 1)),
      });
      return node;
    }
    if (inAlias) {
      if (YAML.isMap(target)) node.type = 'object';
      else if (YAML.isSeq(target)) node.type = 'array';
      if (!YAML.isScalar(target)) return node;
    }
    const t = fromYaml(doc, ydoc, target, depth + 1, true);
    return { ...t, start: node.start, end: node.end, style: undefined };
  }
  if (YAML.isMap(n)) {
    node.type = 'object';
    node.members = [];
    node.props = new Map();
    // `<<: *base` (or a list of them): merged after the mapping's own keys, which win, the first source first.
    let merges: unknown[] | undefined;
    for (const pair of n.items) {
      const k = pair.key;
      let key: string | undefined;
      if (YAML.isScalar(k)) key = k.value === null ? '' : String(k.value);
      if (key === undefined && k && !inAlias) {
        const kr0 = (k as { range?: [number, number, number] }).range;
        doc.diagnostics.push({
          severity: 'warning',
          code: 'yaml-complex-key',
          message: 'This key is a collection (`? [a, b]: …` or `{a: 1}: …`); config keys are text, so KV Lens ignores this entry.',
          range: doc.lines.range(kr0?.[0] ?? node.start, Math.max(kr0?.[1] ?? node.start, (kr0?.[0] ?? node.start) + 1)),
        });
      }
      if (isMergeKey(k)) {
        if (inAlias) continue;
        const v = pair.value;
        (merges ??= []).push(...(YAML.isSeq(v) ? v.items : [v]));
        continue;
      }
      if (key === undefined) continue;
      const kr = (k as YAML.Scalar).range;
      let child: DocNode;
      if (pair.value === null || pair.value === undefined) {
        const at = kr?.[1] ?? node.start;
        child = { type: 'null', start: at, end: at, value: null };
      } else {
        child = fromYaml(doc, ydoc, pair.value, depth + 1, inAlias);
        if (child.type === 'null' && child.end <= child.start) {
          // `key:` with nothing after it: yaml puts an empty scalar after the colon; point at the key instead.
          child.start = kr?.[0] ?? child.start;
          child.end = kr?.[1] ?? child.end;
        }
      }
      child.key = key;
      child.keyStart = kr?.[0];
      child.keyEnd = kr?.[1];
      const earlier = node.props.get(key);
      if (earlier && key !== '<<') {
        doc.diagnostics.push({
          severity: 'warning',
          code: 'duplicate-key',
          message: `\`${key}\` is written twice in this mapping; the last one wins (line ${doc.lines.position(earlier.keyStart ?? 0).line + 1} is ignored).`,
          range: doc.lines.range(child.keyStart ?? child.start, child.keyEnd ?? child.end),
        });
      }
      node.members.push(child);
      node.props.set(key, child);
    }
    if (merges) mergeInto(doc, ydoc, node, merges, depth);
    return node;
  }
  if (YAML.isSeq(n)) {
    node.type = 'array';
    node.items = n.items.map((it) => fromYaml(doc, ydoc, it, depth + 1, inAlias));
    return node;
  }
  if (YAML.isScalar(n)) {
    const v = n.value;
    if (n.type) node.style = n.type;
    if (typeof v !== 'string' && typeof n.source === 'string') node.source = n.source;
    if (v === null || v === undefined) {
      node.type = 'null';
      node.value = null;
    } else if (typeof v === 'string') {
      node.type = 'string';
      node.value = v;
    } else if (typeof v === 'number') {
      node.type = 'number';
      node.value = v;
    } else if (typeof v === 'boolean') {
      node.type = 'boolean';
      node.value = v;
    } else if (typeof v === 'bigint') {
      node.type = 'number';
      node.value = Number(v);
    } else if (v instanceof Uint8Array) {
      // `!!binary` decodes to bytes, which would reach the schema and the rules as an object of Buffer methods.
      doc.diagnostics.push({
        severity: 'error',
        code: 'yaml-binary',
        message: 'A `!!binary` value is bytes, not a setting any serving engine reads; write it as plain text.',
        range: doc.lines.range(node.start, Math.max(node.end, node.start + 1)),
      });
    }
    return node;
  }
  return node;
}

/** A plain `<<` key: yaml (merge on) gives it a Symbol value. */
function isMergeKey(k: unknown): boolean {
  return YAML.isScalar(k) && k.type === 'PLAIN' && k.source === '<<';
}

/**
 * YAML merge keys in the tree, as yaml's toJS (and PyYAML, Go's yaml.v3, compose) apply them: each source mapping
 * (an alias or a mapping written in place) adds the keys the mapping does not have yet. The merged nodes keep
 * where they are written (in the anchor), so a diagnostic about a merged `cmd` lands on its text. A source is
 * read as an alias expansion (its own aliases keep only their shape, its merges are not followed again), so
 * merges cost what aliases cost; toJS's maxAliasCount still bounds the plain value.
 */
function mergeInto(doc: ParsedDocument, ydoc: YAML.Document, node: DocNode, sources: unknown[], depth: number): void {
  // A source merged again adds nothing (`<<: [*a, *a, …]` a thousand times must cost one).
  const seen = new Set<unknown>();
  for (const src of sources) {
    const target = YAML.isAlias(src) ? src.resolve(ydoc) : src;
    if (!YAML.isMap(target) || seen.has(target)) continue;
    seen.add(target);
    const t = fromYaml(doc, ydoc, target, depth + 1, true);
    // One level of merge inside the source (`x-gpu: {<<: *base, …}` then `<<: *gpu`): the chain compose files use.
    const inner = target.items.find((p) => isMergeKey(p.key));
    if (inner && depth < MAX_DEPTH) {
      const v = inner.value;
      for (const s2 of YAML.isSeq(v) ? v.items : [v]) {
        const t2 = YAML.isAlias(s2) ? s2.resolve(ydoc) : s2;
        if (YAML.isMap(t2) && t2 !== target) {
          for (const m of fromYaml(doc, ydoc, t2, depth + 2, true).members ?? []) if (!t.props!.has(m.key!)) { t.members!.push(m); t.props!.set(m.key!, m); }
        }
      }
    }
    for (const m of t.members ?? []) {
      if (node.props!.has(m.key!)) continue;
      node.members!.push(m);
      node.props!.set(m.key!, m);
    }
  }
}

/** JSON when the name says so or the text starts like JSON; YAML otherwise (YAML is a superset anyway). */
export function languageOf(fileName: string, text: string): 'yaml' | 'json' {
  if (/\.jsonc?$/i.test(fileName)) return 'json';
  if (/\.ya?ml$/i.test(fileName)) return 'yaml';
  return /^\s*[{[]/.test(text) ? 'json' : 'yaml';
}
