// Quick fixes added after analysis, for diagnostics whose one obvious fix needs only the text around them:
//   empty-file       → insert a commented starter profile (or vLLM config)
//   duplicate-flag   → delete the occurrence llama.cpp ignores (the earlier one)
//   model-twice      → delete the `-m …` that the profile's `model:` overrides
//   unknown-macro    → the macro it most likely meant (the one the message suggests)
// Fixes computed where the diagnostic is made (schema errors, memory fit, tensor parallel, context length, flags)
// are left as they are. Every fix replaces text only where the range still holds what the message is about.
import type { ConfigFormat } from '../deployment';
import type { KvDiagnostic, QuickFix, Range, TextEdit } from '../diagnostics';
import { eol, isJsonText, lines, rangeText } from './edits';
import { starterFor } from './starter';

export interface FixContext {
  text: string;
  format?: ConfigFormat;
  fileName: string;
}

type Fixer = (d: KvDiagnostic, c: FixContext) => QuickFix[] | undefined;

const FIXERS: Record<string, Fixer> = {
  'empty-file': emptyFileFix,
  'duplicate-flag': duplicateFlagFix,
  'model-twice': modelTwiceFix,
  'unknown-macro': unknownMacroFix,
};

/** Adds the fixes above to the diagnostics that have none yet; returns the same array. */
export function attachFixes(diagnostics: KvDiagnostic[], c: FixContext): KvDiagnostic[] {
  for (const d of diagnostics) {
    if (d.fixes?.length) continue;
    const f = FIXERS[d.code];
    if (!f) continue;
    try {
      const fixes = f(d, c);
      if (fixes?.length) d.fixes = fixes;
    } catch {
      // A fix is a convenience: a failure to compute one must not lose the diagnostic.
    }
  }
  return diagnostics;
}

function emptyFileFix(_d: KvDiagnostic, c: FixContext): QuickFix[] | undefined {
  if (!c.format) return undefined;
  const json = /\.json$/i.test(c.fileName) || isJsonText(c.text);
  const starter = starterFor(c.format, json, eol(c.text));
  if (!starter) return undefined;
  const ls = lines(c.text);
  const end = { line: ls.length - 1, character: ls[ls.length - 1].length };
  // Comments the user wrote stay; a JSON file that is `{}` or blank is replaced.
  const whole: Range = { start: { line: 0, character: 0 }, end };
  const edit: TextEdit = json || !c.text.trim() ? { range: whole, newText: starter } : { range: { start: end, end }, newText: (c.text.endsWith('\n') ? '' : eol(c.text)) + starter };
  return [{ title: c.format === 'vllm' ? 'Insert a starter vLLM config' : 'Insert a starter profile (model, engine, workload, targets)', preferred: true, edits: [edit] }];
}

/** Deletes a single-line range plus the whitespace before it (or after it, at the start of a value). */
function deletion(text: string, r: Range): TextEdit | undefined {
  if (r.start.line !== r.end.line) return undefined;
  const line = lines(text)[r.start.line] ?? '';
  let s = r.start.character;
  let e = r.end.character;
  while (s > 0 && (line[s - 1] === ' ' || line[s - 1] === '\t')) s--;
  if (s === r.start.character || /["'[(,]/.test(line[s - 1] ?? '')) {
    s = r.start.character;
    while (e < line.length && (line[e] === ' ' || line[e] === '\t')) e++;
  }
  return { range: { start: { line: r.start.line, character: s }, end: { line: r.end.line, character: e } }, newText: '' };
}

function duplicateFlagFix(d: KvDiagnostic, c: FixContext): QuickFix[] | undefined {
  const now = rangeText(c.text, d.range);
  if (!now || !now.startsWith('-')) return undefined;
  const edit = deletion(c.text, d.range);
  return edit && [{ title: `Remove \`${now}\` (llama.cpp uses the later one)`, preferred: true, edits: [edit] }];
}

function modelTwiceFix(d: KvDiagnostic, c: FixContext): QuickFix[] | undefined {
  if (d.range.start.line !== d.range.end.line) return undefined;
  const line = lines(c.text)[d.range.start.line] ?? '';
  const before = line.slice(0, d.range.start.character);
  const m = /(-m|--model)(\s+|=)$/.exec(before);
  if (!m || (m.index > 0 && !/[\s"'[,]/.test(before[m.index - 1]))) return undefined;
  const flagStart = m.index;
  const edit = deletion(c.text, { start: { line: d.range.start.line, character: flagStart }, end: d.range.end });
  return edit && [{ title: `Remove \`${m[1]} ${rangeText(c.text, d.range)}\` (the profile's model is the one sized)`, preferred: true, edits: [edit] }];
}

function unknownMacroFix(d: KvDiagnostic, c: FixContext): QuickFix[] | undefined {
  const meant = /Did you mean `\$\{([^}`]+)\}`\?/.exec(d.message)?.[1];
  const now = rangeText(c.text, d.range);
  if (!meant || !now || !/^\$\{[^}]*\}$/.test(now)) return undefined;
  return [{ title: `Change to \`\${${meant}}\``, preferred: true, edits: [{ range: d.range, newText: `\${${meant}}` }] }];
}
