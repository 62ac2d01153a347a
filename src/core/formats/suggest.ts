// "Did you mean" for misspelt keys and enum values. vLLM treats `max_model_len`, `max-model-len` and
// `--max-model-len` as one option, so spelling style is normalised away before distances are measured, and
// the suggestion is written back in the user's own style.
import { editDistance } from './llamacpp/suggest';

function norm(s: string): string {
  return s.replace(/^-+/, '').replace(/_/g, '-').toLowerCase();
}

/**
 * The closest candidate, or undefined when nothing is close enough or two different candidates tie.
 * Candidates that normalise to the same name count as one (both spellings of a vLLM option).
 */
/** Spellings of data types people carry over from other tools (llama.cpp, PyTorch shorthands). */
const ABBREVIATIONS: Record<string, string> = { bf16: 'bfloat16', fp16: 'float16', f16: 'float16', fp32: 'float32', f32: 'float32', half: 'float16' };

/** Each list's candidates normalised once, duplicates (both spellings of one option) dropped. */
const normCache = new WeakMap<readonly string[], [string, string][]>();
function normalised(candidates: readonly string[]): [string, string][] {
  let hit = normCache.get(candidates);
  if (!hit) {
    const seen = new Set<string>();
    hit = [];
    for (const c of candidates) {
      const n = norm(c);
      if (seen.has(n)) continue;
      seen.add(n);
      hit.push([c, n]);
    }
    normCache.set(candidates, hit);
  }
  return hit;
}

export function suggestName(word: string, candidates: readonly string[]): string | undefined {
  const w = norm(word);
  if (!w) return undefined;
  const expanded = ABBREVIATIONS[w];
  if (expanded && candidates.includes(expanded)) return expanded;
  const max = Math.max(1, Math.min(4, Math.floor(w.length / 4)));
  let best: { c: string; n: string; d: number } | undefined;
  let tie = false;
  for (const [c, n] of normalised(candidates)) {
    let d = n === w ? 0 : editDistance(w, n, max);
    // A prefix or a dropped word still points somewhere useful: `gpu-memory` → `gpu-memory-utilization`.
    if (d > max && w.length >= 6 && (n.startsWith(w) || w.startsWith(n))) d = max + 0.5;
    if (d > max + 0.5) continue;
    if (!best || d < best.d) {
      best = { c, n, d };
      tie = false;
    } else if (d === best.d) tie = true;
  }
  if (!best || tie) return undefined;
  return restyle(best.n, word, candidates);
}

/** Write the normalised name as the user would have: underscores if they used them, and as a candidate. */
function restyle(n: string, word: string, candidates: readonly string[]): string {
  const underscored = word.includes('_') && !word.replace(/^-+/, '').includes('-');
  const want = underscored ? n.replace(/-/g, '_') : n;
  if (candidates.includes(want)) return want;
  return candidates.find((c) => norm(c) === n) ?? want;
}

/** `a`, `b` or `c` for messages. */
export function listForMessage(values: readonly string[], max = 12): string {
  const shown = values.slice(0, max).map((v) => `\`${v}\``);
  const more = values.length > max ? `, … (${values.length - max} more)` : '';
  return shown.join(', ') + more;
}
