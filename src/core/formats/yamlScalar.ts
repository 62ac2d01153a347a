// Maps a character of a YAML scalar's *value* back to its place in the document, so a diagnostic about a
// flag inside `engine.args: "..."` or a llama-swap `cmd: |` block lands on the flag's own columns. The
// `yaml` package gives the scalar's source range but not a per-character map: we re-read the source with
// YAML's folding and escaping rules (plain, '…', "…", | and >, chomping, CRLF), check the result against the
// parsed value, and fall back to an in-order alignment in the rare case the two disagree.
import type { Scalar } from 'yaml';

export type OffsetMapper = (valueOffset: number) => number;

/**
 * The decoded value as runs: run k holds value characters [vStart[k], vStart[k+1]) which come from the source
 * at sStart[k] onwards (contiguous runs) or all from sStart[k] (an escape or a fold). Runs rather than one
 * offset per character keep big block scalars cheap.
 */
class Decoded {
  private readonly parts: string[] = [];
  readonly vStart: number[] = [];
  readonly sStart: number[] = [];
  readonly contiguous: boolean[] = [];
  length = 0;
  private cached?: string;

  /** Source text [from, to) copied as is. */
  slice(text: string, from: number, to: number): void {
    if (to <= from) return;
    const k = this.vStart.length - 1;
    if (k >= 0 && this.contiguous[k] && this.sStart[k] + (this.length - this.vStart[k]) === from) {
      // continues the previous run
    } else {
      this.vStart.push(this.length);
      this.sStart.push(from);
      this.contiguous.push(true);
    }
    this.parts.push(text.slice(from, to));
    this.length += to - from;
    this.cached = undefined;
  }

  /** Characters that stand for source text at `at` (an escape, a folded line break). */
  chars(str: string, at: number): void {
    if (!str) return;
    this.vStart.push(this.length);
    this.sStart.push(at);
    this.contiguous.push(str.length === 1);
    this.parts.push(str);
    this.length += str.length;
    this.cached = undefined;
  }

  get value(): string {
    this.cached ??= this.parts.join('');
    return this.cached;
  }

  /** Document offset of value character i (0 <= i < length). */
  offsetOf(i: number): number {
    let lo = 0;
    let hi = this.vStart.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.vStart[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return this.contiguous[lo] ? this.sStart[lo] + (i - this.vStart[lo]) : this.sStart[lo];
  }

  table(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.offsetOf(i));
    return out;
  }
}

/**
 * Value offset → document offset for a scalar node parsed from `text` (any style). Offsets at or past the
 * end of the value map to just after the last character. Cost: linear in the scalar's source, paid once.
 */
export function mapScalarOffsets(node: Scalar, text: string): OffsetMapper {
  const range = node.range;
  if (!range) return () => 0;
  return mapOffsets(node.type, range[0], range[1], scalarValue(node), text);
}

/**
 * mapScalarOffsets for a scalar of the document tree: written in `style` at [start, end) of `text`, with the
 * value `value` (as a string: a number's source text).
 */
export function mapOffsets(style: Scalar.Type | undefined, start: number, valueEnd: number, value: string, text: string): OffsetMapper {
  // Most values are written as they are: a one-line plain or quoted scalar without escapes maps character for
  // character, no decoding needed (75,000 cmds in one llama-swap file).
  const quote = style === 'QUOTE_DOUBLE' || style === 'QUOTE_SINGLE' ? 1 : style === 'PLAIN' ? 0 : -1;
  const n0 = value.length;
  if (quote >= 0 && n0 > 0 && valueEnd - start - 2 * quote === n0 && text.startsWith(value, start + quote)) {
    const base = start + quote;
    return (i: number): number => (i <= 0 ? base : i < n0 ? base + i : base + n0);
  }
  // A block scalar of one content line (`cmd: >-` then the command on the next line, the usual llama-swap cmd):
  // the value is that line's text after its indentation, plus the kept line break.
  if (quote < 0 && (style === 'BLOCK_FOLDED' || style === 'BLOCK_LITERAL')) {
    const body = value.endsWith('\n') ? value.slice(0, -1) : value;
    const header = text.indexOf('\n', start);
    let cs = header + 1;
    while (cs < valueEnd && text.charCodeAt(cs) === 0x20) cs++;
    const after = text.charCodeAt(cs + body.length);
    if (header >= 0 && body.length > 0 && !body.includes('\n') && text.startsWith(body, cs) && (after === 0x0a || after === 0x0d || cs + body.length >= text.length)) {
      // The kept line break (clip) maps to the line's end, cs + body.length, which is where character i lands too.
      const n = value.length;
      return (i: number): number => (i <= 0 ? cs : i < n ? cs + i : cs + n);
    }
  }
  const decoded = decodeScalar(style, text, start, valueEnd, value);
  if (decoded && decoded.value === value) {
    const n = decoded.length;
    if (n === 0) return () => start;
    const last = decoded.offsetOf(n - 1) + 1;
    return (i: number): number => (i <= 0 ? decoded.offsetOf(0) : i < n ? decoded.offsetOf(i) : last);
  }
  return tableMapper(alignInOrder(value, text, start, valueEnd), start, valueEnd);
}

/** Same as mapScalarOffsets, one document offset per value character (tests, bulk mapping). */
export function scalarOffsetTable(node: Scalar, text: string): number[] {
  const range = node.range;
  if (!range) return [];
  const value = scalarValue(node);
  const decoded = decodeScalar(node.type, text, range[0], range[1], value);
  return decoded && decoded.value === value ? decoded.table() : alignInOrder(value, text, range[0], range[1]);
}

function scalarValue(node: Scalar): string {
  return typeof node.value === 'string' ? node.value : String(node.source ?? node.value ?? '');
}

function tableMapper(offsets: number[], start: number, end: number): OffsetMapper {
  return (i: number): number => {
    if (offsets.length === 0) return i <= 0 ? start : end;
    if (i <= 0) return offsets[0];
    if (i < offsets.length) return offsets[i];
    return offsets[offsets.length - 1] + 1;
  };
}

function decodeScalar(type: Scalar.Type | undefined, text: string, start: number, end: number, value: string): Decoded | undefined {
  switch (type) {
    case 'QUOTE_SINGLE':
      return foldFlow(text, start + 1, closingQuote(text, start, end, "'"), 'single');
    case 'QUOTE_DOUBLE':
      return foldFlow(text, start + 1, closingQuote(text, start, end, '"'), 'double');
    case 'BLOCK_LITERAL':
    case 'BLOCK_FOLDED':
      return decodeBlock(text, start, end, type === 'BLOCK_FOLDED', value);
    case 'PLAIN':
    default:
      return foldFlow(text, start, end, 'plain');
  }
}

function closingQuote(text: string, start: number, end: number, quote: string): number {
  // range[1] is just past the closing quote
  return text[end - 1] === quote && end - 1 > start ? end - 1 : end;
}

function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/** Lines of [start, end): [contentStart, contentEnd, breakOffset] with `\r\n` or `\n` breaks. */
function splitLines(text: string, start: number, end: number): [number, number][] {
  const lines: [number, number][] = [];
  let ls = start;
  for (let p = start; p < end; p++) {
    if (text[p] === '\n') {
      lines.push([ls, p > ls && text[p - 1] === '\r' ? p - 1 : p]);
      ls = p + 1;
    }
  }
  lines.push([ls, end]);
  return lines;
}

const DOUBLE_ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};
const HEX_LEN: Record<string, number> = { x: 2, u: 4, U: 8 };

/** Flow scalars (plain and quoted): line folding, with quote-specific unescaping. */
function foldFlow(text: string, start: number, end: number, style: 'plain' | 'single' | 'double'): Decoded {
  const out = new Decoded();
  const lines = splitLines(text, start, end);
  let pendingBreak: number | undefined; // where the previous line ended (a fold point)
  let emptyBreaks: number[] = [];
  let joinNext = false; // double-quoted `\` at end of line: no fold
  for (let k = 0; k < lines.length; k++) {
    let [ls, le] = lines[k];
    const first = k === 0;
    const last = k === lines.length - 1;
    if (!first) while (ls < le && isBlank(text[ls])) ls++;
    if (!last || style === 'plain') {
      let te = le;
      while (te > ls && isBlank(text[te - 1])) {
        // a blank kept by an escape (`\ ` or `\t`) in double quotes stays
        if (style === 'double' && text[te - 2] === '\\' && !escapedBackslash(text, ls, te - 2)) break;
        te--;
      }
      le = te;
    }
    const empty = ls >= le;
    if (empty && !first && !last) {
      if (!joinNext) emptyBreaks.push(lines[k][0]);
      continue;
    }
    if (!first) {
      if (joinNext) {
        joinNext = false;
      } else if (emptyBreaks.length > 0) {
        for (const b of emptyBreaks) {
          out.chars('\n', b);
        }
      } else if (pendingBreak !== undefined && !(empty && last)) {
        out.chars(' ', pendingBreak);
      } else if (pendingBreak !== undefined && empty && last && style !== 'plain') {
        out.chars(' ', pendingBreak);
      }
      emptyBreaks = [];
    }
    // line content
    let p = ls;
    while (p < le) {
      const c = text[p];
      if (style === 'single' && c === "'" && text[p + 1] === "'") {
        out.chars("'", p);
        p += 2;
        continue;
      }
      if (style === 'double' && c === '\\') {
        const nx = text[p + 1];
        if (p + 1 >= le) {
          // escaped line break: join with the next line, no space
          joinNext = true;
          p++;
          continue;
        }
        const hexLen = HEX_LEN[nx];
        if (hexLen) {
          const hex = text.slice(p + 2, p + 2 + hexLen);
          const cp = parseInt(hex, 16);
          if (!Number.isNaN(cp)) {
            out.chars(String.fromCodePoint(cp), p);
          }
          p += 2 + hexLen;
          continue;
        }
        const esc = DOUBLE_ESCAPES[nx];
        out.chars(esc ?? nx, p);
        p += 2;
        continue;
      }
      // copy up to the next character that needs decoding
      let q = p + 1;
      while (q < le && !(style === 'single' && text[q] === "'") && !(style === 'double' && text[q] === '\\')) q++;
      out.slice(text, p, q);
      p = q;
    }
    pendingBreak = le;
  }
  return out;
}

function escapedBackslash(text: string, from: number, at: number): boolean {
  // true when the backslash at `at` is itself escaped by an odd run of backslashes before it
  let n = 0;
  for (let p = at - 1; p >= from && text[p] === '\\'; p--) n++;
  return n % 2 === 1;
}

/** Block scalars: header, indentation (auto-detected or explicit), literal or folded, chomping. */
function decodeBlock(text: string, start: number, end: number, folded: boolean, value: string): Decoded | undefined {
  // header: | or > then indicators, then optional comment, then a line break
  let p = start + 1;
  let chomp: 'clip' | 'strip' | 'keep' = 'clip';
  let explicit = 0;
  while (p < end && /[-+0-9]/.test(text[p])) {
    if (text[p] === '-') chomp = 'strip';
    else if (text[p] === '+') chomp = 'keep';
    else explicit = Number(text[p]);
    p++;
  }
  const nl = text.indexOf('\n', p);
  if (nl < 0 || nl >= end) return new Decoded();
  const lines = splitLines(text, nl + 1, end);
  // drop a final empty segment produced by the range ending right after a line break
  if (lines.length > 1 && lines[lines.length - 1][0] >= end) lines.pop();
  let autoIndent = 0;
  for (const [ls, le] of lines) {
    let q = ls;
    while (q < le && text[q] === ' ') q++;
    if (q < le) {
      autoIndent = q - ls;
      break;
    }
    autoIndent = Math.max(autoIndent, q - ls);
  }
  // An explicit indicator is relative to the parent's indentation, which the node does not record: try the
  // candidates from the detected indentation down and keep the one that reproduces the parsed value.
  const candidates: number[] = [];
  for (let ind = autoIndent; ind >= (explicit ? 0 : autoIndent); ind--) candidates.push(ind);
  for (const ind of candidates) {
    const d = blockWithIndent(text, lines, ind, folded, chomp);
    if (d.value === value) return d;
  }
  return blockWithIndent(text, lines, autoIndent, folded, chomp);
}

function blockWithIndent(text: string, lines: [number, number][], indent: number, folded: boolean, chomp: 'clip' | 'strip' | 'keep'): Decoded {
  const out = new Decoded();
  // content lines: [start of content, end, isEmpty, moreIndented]
  const rows = lines.map(([ls, le]) => {
    const cs = Math.min(ls + indent, le);
    let q = ls;
    while (q < le && text[q] === ' ') q++;
    // only spaces, no more than the indentation: an empty line (more spaces than that are content)
    const empty = q >= le && le - ls <= indent;
    return { cs, le, empty, more: !empty && isBlank(text[cs]) };
  });
  // trailing empty lines are handled by chomping
  let lastContent = rows.length - 1;
  while (lastContent >= 0 && rows[lastContent].empty) lastContent--;
  let prevWasText = false; // previous emitted line was a normal (foldable) text line
  let pendingNewlines: number[] = [];
  for (let k = 0; k <= lastContent; k++) {
    const r = rows[k];
    if (r.empty) {
      pendingNewlines.push(lines[k][0]);
      continue;
    }
    if (out.length > 0) {
      const breakAt = lastBreak(rows, k);
      if (folded && prevWasText && !r.more && pendingNewlines.length === 0) {
        out.chars(' ', breakAt);
      } else if (folded && prevWasText && !r.more) {
        // n empty lines between text lines become n newlines (the fold itself disappears)
        for (const b of pendingNewlines) {
          out.chars('\n', b);
        }
      } else {
        out.chars('\n', breakAt);
        for (const b of pendingNewlines) {
          out.chars('\n', b);
        }
      }
    } else {
      for (const b of pendingNewlines) {
        out.chars('\n', b);
      }
    }
    pendingNewlines = [];
    out.slice(text, r.cs, r.le);
    prevWasText = !r.more;
  }
  if (lastContent >= 0 && chomp !== 'strip') {
    out.chars('\n', rows[lastContent].le);
    if (chomp === 'keep') {
      for (let k = lastContent + 1; k < rows.length; k++) {
        if (k === rows.length - 1 && lines[k][0] === lines[k][1] && !hasBreakAfter(text, lines[k][1])) break;
        out.chars('\n', rows[k].le);
      }
    }
  } else if (lastContent < 0 && chomp === 'keep') {
    for (let k = 0; k < rows.length; k++) {
      out.chars('\n', rows[k].le);
    }
  }
  return out;
}

function lastBreak(rows: { le: number; empty: boolean }[], k: number): number {
  for (let j = k - 1; j >= 0; j--) if (!rows[j].empty) return rows[j].le;
  return rows[0].le;
}

function hasBreakAfter(text: string, at: number): boolean {
  return text[at] === '\n' || (text[at] === '\r' && text[at + 1] === '\n');
}

/**
 * Fallback when decoding disagrees with the parser: walk value and source together, matching equal
 * characters in order; characters that do not appear (escapes, folds) take the current source position.
 */
function alignInOrder(value: string, text: string, start: number, end: number): number[] {
  const offs: number[] = [];
  let p = start;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    let q = p;
    const limit = Math.min(end, p + 64);
    while (q < limit && text[q] !== c) q++;
    if (q < limit) {
      offs.push(q);
      p = q + 1;
    } else {
      offs.push(Math.min(p, Math.max(start, end - 1)));
    }
  }
  return offs;
}

/** Whether the exact decoder reproduces the parsed value (false = the in-order fallback is used). */
export function scalarDecodesExactly(node: Scalar, text: string): boolean {
  const range = node.range;
  if (!range || typeof node.value !== 'string') return false;
  return decodeScalar(node.type, text, range[0], range[1], node.value)?.value === node.value;
}
