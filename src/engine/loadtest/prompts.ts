// Prompts of a chosen length in tokens, without the server's tokenizer: text of random words, sized by a linear
// fit tokens = a + b·words measured on the server itself (two probe requests; `a` absorbs BOS and the chat
// template). By default every prompt is random from its first word, so no two requests share a prefix and no
// prefix cache can make a run look faster than it is; `sharedPrefixTokens` puts the same text in front of every
// prompt on purpose, to measure prefix caching. The prompt tokens reported are the server's usage, not this fit.
import type { LengthSpec } from '../../core/loadtest/types';

/** mulberry32: small, fast, seedable; a run with the same seed sends the same prompts. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gauss(r: () => number): number {
  const u = Math.max(r(), 1e-12);
  const v = r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** One length drawn from a spec, an integer ≥ 1. */
export function drawLength(spec: LengthSpec, r: () => number): number {
  let v: number;
  switch (spec.kind) {
    case 'fixed': v = spec.value ?? 1; break;
    case 'uniform': { const lo = spec.min ?? 1; const hi = spec.max ?? lo; v = lo + r() * (hi - lo + 1); break; }
    case 'normal': v = (spec.mean ?? 1) + (spec.sd ?? 0) * gauss(r); break;
    case 'lognormal': v = (spec.median ?? 1) * Math.exp((spec.sigma ?? 0) * gauss(r)); break;
  }
  const lo = spec.min ?? 1;
  const hi = spec.max ?? Infinity;
  return Math.max(1, Math.max(lo, Math.min(hi, Math.floor(v))));
}

/** `128`, `64-256` (uniform), `normal:512,64`, `lognormal:512,0.5` → a LengthSpec. */
export function parseLength(text: string): LengthSpec {
  const t = text.trim();
  let m: RegExpExecArray | null;
  if ((m = /^(\d+)$/.exec(t))) return { kind: 'fixed', value: Number(m[1]) };
  if ((m = /^(\d+)\s*-\s*(\d+)$/.exec(t))) {
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    if (hi < lo) throw new Error(`length range ${t}: the upper end is below the lower`);
    return { kind: 'uniform', min: lo, max: hi };
  }
  if ((m = /^normal:(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)$/.exec(t))) return { kind: 'normal', mean: Number(m[1]), sd: Number(m[2]) };
  if ((m = /^lognormal:(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)$/.exec(t))) return { kind: 'lognormal', median: Number(m[1]), sigma: Number(m[2]) };
  throw new Error(`not a length: ${JSON.stringify(t)} (use 128, 64-256, normal:MEAN,SD or lognormal:MEDIAN,SIGMA)`);
}

export function describeLength(s: LengthSpec): string {
  switch (s.kind) {
    case 'fixed': return String(s.value);
    case 'uniform': return `uniform ${s.min}–${s.max}`;
    case 'normal': return `normal ${s.mean} ± ${s.sd}`;
    case 'lognormal': return `lognormal median ${s.median}, σ ${s.sigma}`;
  }
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'shi', 'pe', 'da', 'zu', 'ge', 'fa', 'wi', 'bo', 'ny', 'ch', 'qu', 'xe', 'jo'];

function word(r: () => number): string {
  const n = 1 + Math.floor(r() * 3);
  let w = '';
  for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(r() * SYLLABLES.length)];
  return w;
}

export function randomWords(n: number, r: () => number): string {
  const out: string[] = new Array(Math.max(0, n));
  for (let i = 0; i < out.length; i++) out[i] = word(r);
  return out.join(' ');
}

/** tokens ≈ a + b · words, fitted on the server. */
export interface TokenFit { a: number; b: number; probes: { words: number; tokens: number }[] }

export function fitTokens(probes: { words: number; tokens: number }[]): TokenFit {
  const ok = probes.filter((p) => p.tokens > 0 && p.words > 0);
  if (ok.length >= 2) {
    const [p, q] = [ok[0]!, ok[ok.length - 1]!];
    const b = q.words !== p.words ? (q.tokens - p.tokens) / (q.words - p.words) : q.tokens / q.words;
    if (b > 0) return { a: Math.max(0, p.tokens - b * p.words), b, probes };
  }
  // No usage from the server: assume 1.3 tokens per word (typical BPE English), and say so in the notes.
  return { a: 0, b: 1.3, probes };
}

export function wordsFor(tokens: number, fit: TokenFit): number {
  return Math.max(1, Math.round((tokens - fit.a) / fit.b));
}

export class PromptMaker {
  private readonly r: () => number;
  private readonly prefix: string;
  private readonly prefixWords: number;

  constructor(private readonly fit: TokenFit, seed: number, sharedPrefixTokens = 0) {
    this.r = rng(seed);
    this.prefixWords = sharedPrefixTokens > 0 ? Math.max(1, Math.round(sharedPrefixTokens / fit.b)) : 0;
    // The shared prefix comes from its own fixed seed, so every step and every run shares the same one.
    this.prefix = this.prefixWords ? randomWords(this.prefixWords, rng(0x5eed)) : '';
  }

  /** A prompt of about `tokens` tokens; random from the first word unless a shared prefix was asked for. */
  make(tokens: number): string {
    const total = wordsFor(tokens, this.fit);
    if (!this.prefixWords) return randomWords(total, this.r);
    return `${this.prefix} ${randomWords(Math.max(1, total - this.prefixWords), this.r)}`;
  }
}
