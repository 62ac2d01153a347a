// Hardware names as people write them → catalog ids. "4090", "RTX 4090", "NVIDIA GeForce RTX 4090",
// "m3 max 40c", "Apple M2 Ultra 76-Core GPU 192GB", "16x NVIDIA GeForce RTX 3090", an nvidia-smi or rocm-smi product
// name. Matching is by tokens, not by edit distance: an entry matches when every token of one of its names
// (id, name, aliases) is in the input; the most specific match wins unless the input carries a distinguishing
// token (Ti, SUPER, XT, Max, PCIe, 80GB, laptop, ...) that the entry does not explain. "Did you mean" is ranked the
// same way — shared model number and family first, then memory, and only then edit distance — so `a100` suggests
// the A100s before `a10`.
import type { HardwareKind, HardwareTarget } from './types';

/** Vendor and filler words that never distinguish two catalog entries. */
const NOISE = new Set([
  'nvidia', 'geforce', 'amd', 'radeon', 'intel', 'apple', 'tesla', 'graphics', 'gpu', 'card', 'the', 'with', 'and',
  'generation', 'edition', 'processor', 'chip', 'soc', 'core', 'cores', 'series', 'accelerator', 'tensor', 'r', 'tm',
  'mainboard', 'desktop', 'only', 'arm', 'instinct',
]);
/** Tokens that name a different product when present or absent ("RTX 3080" ≠ "RTX 3080 Ti"). */
const DISTINGUISHING = new Set([
  'ti', 'super', 'xt', 'xtx', 'gre', 'pro', 'max', 'ultra', 'plus', 'sxm', 'sxm2', 'sxm4', 'sxm5', 'pcie', 'nvl', 'ada',
  'blackwell', 'laptop', 'mobile', 'maxq', 'server', 'workstation', 'cpu', 'igpu', 'nano', 'hx', 'wx',
]);
/** A laptop part is a different, slower chip under the same name: never resolve it to the desktop card. */
const DIFFERENT_PRODUCT = new Set(['laptop', 'mobile', 'notebook']);

export interface NameTokens {
  tokens: Set<string>;
  /** Memory the name states ("24GB", "80 GB"), in GiB. */
  memoryGiB?: number;
  /** Apple GPU cores ("40-core GPU", "40c"). */
  gpuCores?: number;
  /** "16x RTX 3090", "2 × H100": devices. */
  count?: number;
}

/** Lowercase tokens with memory sizes, core counts and device counts pulled out. */
export function nameTokens(raw: string): NameTokens {
  let s = ` ${raw.toLowerCase()} `;
  let count: number | undefined;
  const cm = /^\s*(\d{1,3})\s*[x×]\s+/.exec(s) ?? /^\s*(\d{1,3})\s*[x×](?=[a-z])/.exec(s);
  if (cm) {
    count = Number(cm[1]);
    s = s.slice(cm[0].length);
  }
  // The host a GPU sat in is not the GPU: "(host: Ryzen 7 ...)", "on Raspberry Pi 5".
  s = s.replace(/\(\s*host[^)]*\)/g, ' ').replace(/\bhost:?\s[^,;)]*/g, ' ').replace(/\s(on|in)\s+(a\s+)?raspberry\b.*$/g, ' ');
  let gpuCores: number | undefined;
  s = s.replace(/(\d{1,3})\s*-?\s*(?:core|c)\b(?:\s*gpu)?/g, (_m, n: string) => {
    gpuCores = Number(n);
    return ` ${n}c `;
  });
  let memoryGiB: number | undefined;
  s = s.replace(/(\d{1,4}(?:\.\d+)?)\s*(gb|gib|g)\b/g, (_m, n: string) => {
    if (memoryGiB === undefined) memoryGiB = Number(n);
    return ` ${n}gb `;
  });
  s = s.replace(/max-q/g, 'maxq').replace(/\+/g, ' plus ');
  const tokens = new Set(s.split(/[^a-z0-9.]+/).map((t) => t.replace(/^\.+|\.+$/g, '')).filter((t) => t && !NOISE.has(t)));
  return { tokens, memoryGiB, gpuCores, count };
}

interface Indexed {
  target: HardwareTarget;
  /** Token sets of the id, name and each alias. */
  names: Set<string>[];
  /** Every token any of its names has. */
  all: Set<string>;
  compact: Set<string>;
}

const compactOf = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

let index: { targets: readonly HardwareTarget[]; entries: Indexed[]; byCompact: Map<string, Indexed[]> } | undefined;

function indexFor(targets: readonly HardwareTarget[]): NonNullable<typeof index> {
  if (index && index.targets === targets) return index;
  const entries: Indexed[] = [];
  const byCompact = new Map<string, Indexed[]>();
  for (const t of targets) {
    const names = [t.id.replace(/-/g, ' '), t.name, ...(t.aliases ?? [])];
    // A name's parenthesised configuration ("(1 socket, 12× DDR5-4800)") is not part of what people call it; an
    // Apple GPU core count ("(60-core GPU)") is.
    const bare = (n: string) => n.replace(/\(([^)]*)\)/g, (_m, inner: string) => (/\d+\s*-?\s*core\s+gpu/i.test(inner) ? ` ${inner} ` : ' '));
    const sets = names.map((n) => nameTokens(bare(n)).tokens).filter((x) => x.size > 0);
    const all = new Set<string>();
    for (const x of sets) for (const tok of x) all.add(tok);
    const compact = new Set([t.id, ...names].map(compactOf));
    const e: Indexed = { target: t, names: sets, all, compact };
    entries.push(e);
    for (const c of compact) {
      const l = byCompact.get(c) ?? [];
      l.push(e);
      byCompact.set(c, l);
    }
  }
  index = { targets, entries, byCompact };
  return index;
}

export interface HardwareMatch {
  id: string;
  score: number;
  /** How it matched: the id itself, a whole name/alias, the tokens of one, or only loosely (a suggestion). */
  how: 'id' | 'name' | 'tokens' | 'similar';
}

export interface NameResolution {
  /** The catalog id the name means, when one entry is clearly meant. */
  id?: string;
  how?: HardwareMatch['how'];
  /** Devices the name states ("16x RTX 3090"). */
  count?: number;
  /** Ranked candidates (best first): the answer and its runners-up, or "did you mean" when `id` is undefined. */
  candidates: HardwareMatch[];
  /** Why no single id was chosen. */
  ambiguous?: boolean;
}

export interface ResolveOptions {
  /** Only consider targets of this kind (a CPU row never maps to a GPU). */
  kind?: HardwareKind;
  /** Memory the device reports (nvidia-smi memory.total), to choose between memory variants. */
  memoryGiB?: number;
}

function memoryPenalty(t: HardwareTarget, gib: number | undefined): number {
  if (!gib) return 0;
  const have = t.memoryBytes / 2 ** 30;
  // nvidia-smi reports a little less than the marketing size; CPU and Apple capacities are a build choice.
  if (t.kind !== 'gpu') return 0;
  const ratio = gib / have;
  return ratio > 1.08 || ratio < 0.85 ? 3 : 0;
}

/** Score of `entry` for input tokens: best fully-contained name, minus distinguishing tokens it cannot explain. */
function tokenScore(e: Indexed, q: NameTokens): number {
  let best = -1;
  for (const n of e.names) {
    let ok = true;
    let w = 0;
    for (const tok of n) {
      if (!q.tokens.has(tok)) { ok = false; break; }
      w += /\d/.test(tok) ? 3 : DISTINGUISHING.has(tok) ? 2 : 1;
    }
    if (ok && w > best) best = w;
  }
  if (best < 0) return -1;
  let unexplained = 0;
  for (const tok of q.tokens) {
    if (e.all.has(tok)) continue;
    if (DIFFERENT_PRODUCT.has(tok)) unexplained += 100;
    else if (DISTINGUISHING.has(tok) || /^\d+c$/.test(tok)) unexplained += 2;
  }
  return best - unexplained - memoryPenalty(e.target, q.memoryGiB);
}

/** How alike two names are when no name matches: shared model numbers and family, then memory, then spelling. */
function similarity(e: Indexed, q: NameTokens, compactQ: string): number {
  let s = 0;
  for (const tok of q.tokens) {
    if (e.all.has(tok)) s += /\d/.test(tok) ? 6 : 2;
    else if (/\d/.test(tok) && tok.length >= 3) {
      // "409" is the start of "4090"; "a100" shares its number with "a100-80gb" but not with "a10".
      for (const t of e.all) if (/\d/.test(t) && t.startsWith(tok)) { s += 3; break; }
    }
  }
  if (q.memoryGiB && e.target.kind === 'gpu') s += memoryPenalty(e.target, q.memoryGiB) === 0 ? 2 : 0;
  let d = Infinity;
  for (const c of e.compact) d = Math.min(d, editDistanceCapped(compactQ, c, 4));
  if (d <= 3) s += (4 - d) * 0.75;
  return s;
}

function editDistanceCapped(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      rowMin = Math.min(rowMin, cur[j]!);
    }
    if (rowMin > cap) return cap + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * What a hardware name means in `targets` (the catalog). Unambiguous names resolve; a name two entries match
 * equally well (`a100`: 40 or 80 GB, SXM or PCIe) does not, and the tied entries lead the candidates.
 */
export function resolveHardwareName(raw: string, targets: readonly HardwareTarget[], opts: ResolveOptions = {}): NameResolution {
  const input = String(raw ?? '').slice(0, 300);
  const ix = indexFor(targets);
  const allowed = (e: Indexed) => !opts.kind || e.target.kind === opts.kind || (opts.kind === 'gpu' && e.target.kind === 'apple');
  const q = nameTokens(input);
  // What the device reports beats what its name says ("GH200 480GB" counts the CPU's LPDDR5X).
  if (opts.memoryGiB) q.memoryGiB = opts.memoryGiB;
  const key = input.trim().toLowerCase();
  const byId = ix.entries.find((e) => e.target.id === key && allowed(e));
  if (byId) return { id: byId.target.id, how: 'id', count: q.count, candidates: [{ id: byId.target.id, score: 100, how: 'id' }] };
  const compactQ = compactOf(input.replace(/^\s*\d{1,3}\s*[x×]\s*/i, ''));
  const whole = (ix.byCompact.get(compactQ) ?? []).filter(allowed);
  if (whole.length === 1) return { id: whole[0]!.target.id, how: 'name', count: q.count, candidates: [{ id: whole[0]!.target.id, score: 90, how: 'name' }] };

  const scored = ix.entries.filter(allowed).map((e) => ({ e, s: tokenScore(e, q) })).filter((x) => x.s > 0).sort((a, b) => b.s - a.s || a.e.target.id.localeCompare(b.e.target.id));
  const top = scored[0];
  if (top && (scored.length === 1 || top.s > scored[1]!.s)) {
    return { id: top.e.target.id, how: 'tokens', count: q.count, candidates: scored.slice(0, 5).map((x) => ({ id: x.e.target.id, score: x.s, how: 'tokens' as const })) };
  }
  // No single answer: rank everything by similarity (a tie among token matches leads).
  const tied = new Set(top ? scored.filter((x) => x.s === top.s).map((x) => x.e.target.id) : []);
  const ranked = ix.entries.filter(allowed)
    .map((e) => ({ e, s: similarity(e, q, compactQ) + (tied.has(e.target.id) ? 100 : 0) }))
    .filter((x) => x.s >= 2)
    .sort((a, b) => b.s - a.s || a.e.target.memoryBytes - b.e.target.memoryBytes || a.e.target.id.localeCompare(b.e.target.id));
  return { count: q.count, ambiguous: tied.size > 1, candidates: ranked.slice(0, 8).map((x) => ({ id: x.e.target.id, score: Math.round(x.s * 100) / 100, how: 'similar' as const })) };
}
