// Text-edit helpers the quick fixes share: read what a range holds, insert a setting that is not written yet in
// the file's own style (YAML block or JSON), replace a value keeping its quotes.
import type { Deployment } from '../deployment';
import type { Position, Range, TextEdit } from '../diagnostics';

export function lines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** The text a (single- or multi-line) range covers, or undefined when the text is empty or the range is outside it. */
export function rangeText(text: string, r: Range): string | undefined {
  if (!text) return undefined;
  const ls = lines(text);
  if (r.start.line >= ls.length || r.end.line >= ls.length) return undefined;
  if (r.start.line === r.end.line) return ls[r.start.line].slice(r.start.character, r.end.character);
  const parts = [ls[r.start.line].slice(r.start.character)];
  for (let l = r.start.line + 1; l < r.end.line; l++) parts.push(ls[l]);
  parts.push(ls[r.end.line].slice(0, r.end.character));
  return parts.join('\n');
}

/** Applies edits (non-overlapping) to a text: what VS Code does with a WorkspaceEdit; used by tests and previews. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const offsets = lineOffsets(text);
  const at = (p: Position): number => Math.min(text.length, (offsets[p.line] ?? text.length) + p.character);
  const sorted = [...edits].sort((a, b) => at(b.range.start) - at(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, at(e.range.start)) + e.newText + out.slice(at(e.range.end));
  return out;
}

function lineOffsets(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\r' && text[i + 1] === '\n') {
      out.push(i + 2);
      i++;
    } else if (text[i] === '\n' || text[i] === '\r') out.push(i + 1);
  }
  return out;
}

export function eol(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

export function isJsonText(text: string): boolean {
  return /^\s*[{[]/.test(text.replace(/^\uFEFF/, ''));
}

/** Replacement text that keeps the quotes of what it replaces (`"a100"` → `"a100-80gb"`). */
export function keepQuotes(now: string | undefined, s: string): string {
  const q = now && /^["']/.test(now) ? now[0] : '';
  return q ? `${q}${s}${q}` : s;
}

/**
 * Inserts a vLLM option that the deployment does not write yet, next to the ones it does: a new `key: value` line
 * at the same indentation (YAML block mappings) or `, "key": value` after the model (JSON). Undefined where the
 * file's shape makes an insertion ambiguous (flow mappings, no option written at all in a profile).
 */
export function insertSettingEdit(text: string, d: Deployment, key: string, value: string): TextEdit | undefined {
  if (!text) return undefined;
  const anchor = (d.format === 'vllm' ? d.model?.range : undefined)
    ?? Object.entries(d.settingRanges).find(([k, r]) => r && k !== 'model' && k !== 'modelRef' && !['promptTokens', 'outputTokens', 'concurrency', 'acceptanceRate', 'draftLength', 'weights', 'kind'].includes(k))?.[1];
  if (!anchor) return undefined;
  const ls = lines(text);
  if (isJsonText(text)) {
    return { range: { start: anchor.end, end: anchor.end }, newText: `, ${JSON.stringify(key)}: ${/^[0-9.]+$|^(true|false)$/.test(value) ? value : JSON.stringify(value)}` };
  }
  const line = ls[anchor.start.line] ?? '';
  const m = /^(\s*)([A-Za-z0-9_.-]+|"[^"]*"|'[^']*')\s*:/.exec(line);
  // Only a block mapping line (`  key: value`) tells us where a sibling goes.
  if (!m || anchor.start.line !== anchor.end.line) return undefined;
  const nl = eol(text);
  const lineNo = anchor.start.line;
  if (lineNo + 1 < ls.length) return { range: { start: { line: lineNo + 1, character: 0 }, end: { line: lineNo + 1, character: 0 } }, newText: `${m[1]}${key}: ${value}${nl}` };
  return { range: { start: { line: lineNo, character: line.length }, end: { line: lineNo, character: line.length } }, newText: `${nl}${m[1]}${key}: ${value}` };
}
