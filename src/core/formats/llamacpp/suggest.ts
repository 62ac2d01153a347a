// "Did you mean" for misspelt flags and enum values: bounded edit distance (with transpositions) plus
// prefix matches, so `--ctx-sise`, `--ctx` and `-ctx-size` all point at `--ctx-size`.

/** Optimal-string-alignment distance, giving up (returning max + 1) once it cannot stay within `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const m = a.length;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[n];
}

/**
 * Candidates closest to `word`, best first (at most `limit`). Case differences count as nothing extra when
 * that is the only difference, since llama.cpp is case-sensitive and `Q8_0` for `q8_0` is a common slip.
 */
export function suggest(word: string, candidates: readonly string[], limit = 3): string[] {
  return rankSuggestions(word, candidates).slice(0, limit).map((s) => s.c);
}

interface Prepared {
  lower: string[];
  bare: string[];
  /** word → ranking; typos repeat across a file (one per model), so each is ranked once. */
  memo: Map<string, { c: string; d: number }[]>;
}

const prepared = new WeakMap<readonly string[], Prepared>();
const MEMO_LIMIT = 512;

function prepare(candidates: readonly string[]): Prepared {
  let p = prepared.get(candidates);
  if (!p) {
    const lower = candidates.map((c) => c.toLowerCase());
    p = { lower, bare: lower.map(stripDashes), memo: new Map() };
    prepared.set(candidates, p);
  }
  return p;
}

function stripDashes(s: string): string {
  let i = 0;
  while (s.charCodeAt(i) === 45) i++;
  return i ? s.slice(i) : s;
}

/** All candidates within reach, scored (lower is closer), best first. Do not mutate the result. */
export function rankSuggestions(word: string, candidates: readonly string[]): { c: string; d: number }[] {
  const prep = prepare(candidates);
  const hit = prep.memo.get(word);
  if (hit) return hit;
  const lower = word.toLowerCase();
  const bare = stripDashes(lower);
  const max = Math.max(1, Math.min(3, Math.floor(bare.length / 3)));
  const scored: { c: string; d: number }[] = [];
  for (let k = 0; k < candidates.length; k++) {
    const c = candidates[k];
    const cl = prep.lower[k];
    if (cl === lower) {
      scored.push({ c, d: 0 });
      continue;
    }
    const cb = prep.bare[k];
    if (cb === bare) {
      // Right name, wrong number of dashes (`-ctx-size`, `--ctk`).
      scored.push({ c, d: 0.5 });
      continue;
    }
    const d = editDistance(bare, cb, max);
    if (d <= max) scored.push({ c, d });
    else if (bare.length >= 2 && cb.startsWith(bare)) scored.push({ c, d: max + 0.5 });
  }
  scored.sort((x, y) => x.d - y.d || x.c.length - y.c.length || (x.c < y.c ? -1 : 1));
  if (prep.memo.size >= MEMO_LIMIT) prep.memo.clear();
  prep.memo.set(word, scored);
  return scored;
}

/**
 * The one suggestion worth a quick fix: the best candidate when it is strictly closer than every other one.
 * `sameAs` groups spellings of one thing (aliases of a flag) so they do not count as rivals.
 */
export function singleSuggestion(
  word: string,
  candidates: readonly string[],
  sameAs: (a: string, b: string) => boolean = (a, b) => a === b,
): string | undefined {
  const ranked = rankSuggestions(word, candidates);
  if (ranked.length === 0) return undefined;
  const best = ranked[0];
  const rival = ranked.find((r) => !sameAs(r.c, best.c));
  return !rival || rival.d > best.d ? best.c : undefined;
}
