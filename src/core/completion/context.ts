// Where the cursor is in a YAML or JSON config, robust to the half-typed text people complete in: the key path
// down to it, whether a key or a value is being typed, the partial word and the range it replaces. YAML is read
// by indentation (block mappings and lists, one-line flow collections, block scalars) so a file that does not
// parse yet still completes; JSON goes through jsonc-parser's getLocation.
import { getLocation } from 'jsonc-parser';

export type PathSeg = string | number;

export interface CursorContext {
  lang: 'yaml' | 'json';
  /** Keys (and list indices) from the root to the mapping or list holding the cursor's key or value. */
  path: PathSeg[];
  /** 'key': a key of the mapping at `path` is being typed; 'value': the value at `path`. */
  at: 'key' | 'value';
  /** What is typed so far of the word being completed. */
  prefix: string;
  /** Offsets [start, end) of the text a chosen item replaces. */
  replace: [number, number];
  /** Inside a string value (args, cmd): the string's text up to the cursor, for flag completion. */
  stringBefore?: string;
  /** Sibling keys already present in the mapping at `path` (key position). */
  siblings: string[];
  /** Whether the value is written inside quotes (the item must not add its own). */
  quoted?: string;
  /** A YAML list item (`- …`) holds the word: a scalar item's value, or the first key of a mapping item. */
  listItem?: boolean;
}

const KEY_RE = /^[A-Za-z0-9_.$-]*$/;

function indentOf(line: string): number {
  return /^[ ]*/.exec(line)![0].length;
}

interface LineKey { indent: number; key?: string; listItem: boolean; rest: string; blockScalar: boolean }

function parseLine(line: string): LineKey | undefined {
  if (!line.trim() || /^\s*#/.test(line)) return undefined;
  const m = /^(\s*)(-\s+)?(?:("[^"]*"|'[^']*'|[^\s:#'"{[][^:#]*?)\s*:(?:\s+|$))?(.*)$/.exec(line);
  if (!m) return undefined;
  const key = m[3]?.replace(/^["']|["']$/g, '');
  const rest = m[4] ?? '';
  return { indent: m[1].length + (m[2] ? m[2].length : 0), key, listItem: !!m[2], rest, blockScalar: /^[|>][-+0-9]*\s*(#.*)?$/.test(rest.trim()) };
}

/** The keys above line `lineNo` that contain indentation `indent` (innermost last), with list items as indices. */
function parents(lines: readonly string[], lineNo: number, indent: number): { path: PathSeg[]; blockScalarKey?: string } {
  const path: PathSeg[] = [];
  let want = indent;
  let blockScalarKey: string | undefined;
  for (let l = lineNo - 1; l >= 0 && want > 0; l--) {
    const p = parseLine(lines[l]);
    if (!p) continue;
    const dashIndent = p.listItem ? indentOf(lines[l]) : p.indent;
    if (p.listItem && dashIndent < want && p.indent <= want) {
      // A list item holding the cursor's mapping: `- id: x` then `  memoryGiB: …`.
      if (p.key !== undefined && p.indent < want) {
        // The cursor is deeper than the item's first key: that key's value holds it.
        path.unshift(p.key);
      }
      path.unshift(itemIndex(lines, l, dashIndent));
      want = dashIndent;
      continue;
    }
    if (p.indent < want && p.key !== undefined) {
      if (p.blockScalar && path.length === 0) blockScalarKey = p.key;
      path.unshift(p.key);
      want = p.indent;
    }
  }
  return { path, blockScalarKey };
}

function itemIndex(lines: readonly string[], line: number, dashIndent: number): number {
  let n = 0;
  for (let l = line - 1; l >= 0; l--) {
    const t = lines[l];
    if (!t.trim() || /^\s*#/.test(t)) continue;
    const i = indentOf(t);
    if (i < dashIndent) break;
    if (i === dashIndent && /^\s*-(\s|$)/.test(t)) n++;
  }
  return n;
}

function wordStart(s: string, end: number, re = /[A-Za-z0-9_.$/-]/): number {
  let i = end;
  while (i > 0 && re.test(s[i - 1])) i--;
  return i;
}

/** The innermost unclosed flow collection in `s` (a one-line `{…}` or `[…]`), outside quotes. */
function openFlow(s: string): { kind: '{' | '['; from: number }[] {
  const stack: { kind: '{' | '['; from: number }[] = [];
  let q: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === q) q = undefined;
      continue;
    }
    if (c === '"' || c === "'") q = c;
    else if (c === '{' || c === '[') stack.push({ kind: c, from: i });
    else if ((c === '}' || c === ']') && stack.length) stack.pop();
  }
  return stack;
}

function unclosedQuote(s: string): { quote: string; at: number } | undefined {
  let q: { quote: string; at: number } | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === q.quote) q = undefined;
    } else if (c === '"' || c === "'") q = { quote: c, at: i };
  }
  return q;
}

export function yamlContext(text: string, offset: number): CursorContext {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lines = text.slice(0, lineStart).split('\n').map((l) => l.replace(/\r$/, ''));
  lines.pop();
  const nextNl = text.indexOf('\n', offset);
  const lineText = text.slice(lineStart, nextNl < 0 ? text.length : nextNl).replace(/\r$/, '');
  const before = text.slice(lineStart, offset);
  const lineNo = lines.length;
  const all = [...lines, lineText];

  // Inside a block scalar (`cmd: |`): the whole block is one string.
  const indent = indentOf(before);
  const up = parents(all, lineNo, before.trim() ? indent : Math.max(indent, 1));
  if (up.blockScalarKey) {
    const s = wordStart(before, before.length, /[^\s]/);
    return { lang: 'yaml', path: up.path, at: 'value', prefix: before.slice(s), replace: [lineStart + s, offset], stringBefore: before.trimStart(), siblings: [] };
  }

  const dash = /^(\s*)-\s+/.exec(before);
  const body = dash ? before.slice(dash[0].length) : before.slice(indent);
  const bodyIndent = dash ? dash[0].length : indent;
  const km = /^("[^"]*"|'[^']*'|[^\s:#'"{[][^:#]*?)\s*:(\s+|$)/.exec(body);
  const base = parents(all, lineNo, dash ? dash[1].length : bodyIndent).path;
  if (dash) base.push(itemIndex(all, lineNo, dash[1].length));
  if (!km) {
    // A key being typed, or a list item's scalar value (`- h100-sxm`).
    const s = wordStart(before, before.length);
    const prefix = before.slice(s);
    const quoted = unclosedQuote(body);
    if (dash && (!KEY_RE.test(body) || quoted)) {
      return { lang: 'yaml', path: base, at: 'value', prefix: quoted ? body.slice(quoted.at + 1) : prefix, replace: [quoted ? lineStart + bodyIndent + quoted.at + 1 : lineStart + s, offset], siblings: [], stringBefore: quoted ? body.slice(quoted.at + 1) : body, quoted: quoted?.quote };
    }
    return { lang: 'yaml', path: base, at: 'key', prefix, replace: [lineStart + s, offset], siblings: siblingKeys(all, lineNo, bodyIndent), listItem: !!dash };
  }
  const key = km[1].replace(/^["']|["']$/g, '');
  const valueText = body.slice(km[0].length);
  const valueStart = lineStart + bodyIndent + km[0].length;
  const path = [...base, key];
  // One-line flow collections: `targets: [h100-sxm, rt` or `engine: {kind: llama.cpp, ar`.
  const flows = openFlow(valueText);
  if (flows.length) {
    const inner = flows[flows.length - 1];
    const seg = valueText.slice(inner.from + 1);
    const last = seg.slice(Math.max(seg.lastIndexOf(','), -1) + 1);
    const innerPath = [...path];
    // Nested flows: `{kind: vllm, options: {max-model-len: 8192, kv` — walk the keys of the outer ones.
    for (let f = 0; f < flows.length - 1; f++) {
      const part = valueText.slice(flows[f].from + 1, flows[f + 1].from);
      const k = /([A-Za-z0-9_.-]+)\s*:\s*$/.exec(part)?.[1];
      innerPath.push(k ?? 0);
    }
    if (inner.kind === '[') {
      innerPath.push(seg.split(',').length - 1);
      const q = unclosedQuote(last);
      const t = last.trimStart();
      const from = q ? offset - last.length + q.at + 1 : offset - t.length;
      return { lang: 'yaml', path: innerPath, at: 'value', prefix: q ? last.slice(q.at + 1) : t, replace: [from, offset], siblings: [], quoted: q?.quote, stringBefore: q ? last.slice(q.at + 1) : undefined };
    }
    const pair = /^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.$-]+)\s*:\s*(.*)$/.exec(last);
    if (pair) {
      const v = pair[2];
      const q = unclosedQuote(v);
      const vStart = offset - v.length;
      return {
        lang: 'yaml', path: [...innerPath, pair[1].replace(/^["']|["']$/g, '')], at: 'value', prefix: q ? v.slice(q.at + 1) : v.trim(),
        replace: [q ? vStart + q.at + 1 : offset - v.trimStart().length, offset], siblings: [], quoted: q?.quote, stringBefore: q ? v.slice(q.at + 1) : undefined,
      };
    }
    const t = last.trimStart();
    const present = seg.split(',').map((x) => /^\s*([A-Za-z0-9_.$-]+)\s*:/.exec(x)?.[1]).filter((x): x is string => !!x);
    return { lang: 'yaml', path: innerPath, at: 'key', prefix: t, replace: [offset - t.length, offset], siblings: present };
  }
  const q = unclosedQuote(valueText);
  if (q) {
    const inside = valueText.slice(q.at + 1);
    return { lang: 'yaml', path, at: 'value', prefix: inside, replace: [valueStart + q.at + 1, offset], stringBefore: inside, siblings: [], quoted: q.quote };
  }
  return { lang: 'yaml', path, at: 'value', prefix: valueText.trim(), replace: [offset - valueText.trimStart().length, offset], stringBefore: valueText.trimStart(), siblings: [] };
}

function siblingKeys(lines: readonly string[], lineNo: number, indent: number): string[] {
  const out: string[] = [];
  const scan = (from: number, step: number) => {
    for (let l = from; l >= 0 && l < lines.length; l += step) {
      const p = parseLine(lines[l]);
      if (!p) continue;
      if (p.indent < indent) break;
      if (p.indent === indent && p.key !== undefined) out.push(p.key);
    }
  };
  scan(lineNo - 1, -1);
  scan(lineNo + 1, 1);
  return out;
}

export function jsonContext(text: string, offset: number): CursorContext {
  const loc = getLocation(text, offset);
  const path = [...loc.path];
  const node = loc.previousNode;
  if (loc.isAtPropertyKey) {
    path.pop();
    const inKey = node && node.type === 'string' && offset > node.offset && offset <= node.offset + node.length;
    const s = inKey ? node.offset : wordStart(text, offset, /[A-Za-z0-9_.-]/);
    const end = inKey ? node.offset + node.length : offset;
    return { lang: 'json', path, at: 'key', prefix: text.slice(s, offset).replace(/^"/, ''), replace: [s, end], siblings: [], quoted: text[s] === '"' ? '"' : undefined };
  }
  if (node && node.type === 'string' && offset > node.offset && offset <= node.offset + node.length) {
    const inside = text.slice(node.offset + 1, offset);
    return { lang: 'json', path, at: 'value', prefix: inside, replace: [node.offset, node.offset + node.length], stringBefore: inside, siblings: [], quoted: '"' };
  }
  const s = wordStart(text, offset, /[A-Za-z0-9_.-]/);
  return { lang: 'json', path, at: 'value', prefix: text.slice(s, offset), replace: [s, offset], siblings: [] };
}
