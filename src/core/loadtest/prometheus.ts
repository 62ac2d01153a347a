// A small reader for the Prometheus text exposition format (version 0.0.4): `name{label="v",...} value [ts]`,
// `# HELP` / `# TYPE` comments. Enough to read vLLM's and llama-server's /metrics; bounded (line and sample counts)
// because the answer comes from a server we do not control.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  samples: Sample[];
  types: Record<string, string>;
}

const MAX_SAMPLES = 200_000;

function parseLabels(s: string): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < s.length) {
    while (s[i] === ' ' || s[i] === ',') i++;
    if (i >= s.length) break;
    const eq = s.indexOf('=', i);
    if (eq < 0) return undefined;
    const key = s.slice(i, eq).trim();
    i = eq + 1;
    if (s[i] !== '"') return undefined;
    i++;
    let v = '';
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\' && i + 1 < s.length) {
        const c = s[i + 1];
        v += c === 'n' ? '\n' : c;
        i += 2;
      } else v += s[i++];
    }
    if (s[i] !== '"') return undefined;
    i++;
    labels[key] = v;
  }
  return labels;
}

function parseValue(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  return Number(s);
}

export function parsePrometheus(text: string): Scrape {
  const samples: Sample[] = [];
  const types: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('#')) {
      const m = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (m) types[m[1]!] = m[2]!;
      continue;
    }
    let name: string;
    let labels: Record<string, string> = {};
    let rest: string;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    if (brace >= 0 && (space < 0 || brace < space)) {
      const close = line.lastIndexOf('}');
      if (close < brace) continue;
      name = line.slice(0, brace);
      const l = parseLabels(line.slice(brace + 1, close));
      if (!l) continue;
      labels = l;
      rest = line.slice(close + 1).trim();
    } else {
      if (space < 0) continue;
      name = line.slice(0, space);
      rest = line.slice(space + 1).trim();
    }
    const value = parseValue(rest.split(/\s+/)[0] ?? '');
    if (!name || Number.isNaN(value) && rest.split(/\s+/)[0] !== 'NaN') continue;
    samples.push({ name, labels, value });
    if (samples.length >= MAX_SAMPLES) break;
  }
  return { samples, types };
}

/** Sum of every series of a metric (over engines / models / positions). Undefined when absent. */
export function total(s: Scrape, name: string, where?: (labels: Record<string, string>) => boolean): number | undefined {
  let sum: number | undefined;
  for (const x of s.samples) {
    if (x.name !== name || (where && !where(x.labels))) continue;
    sum = (sum ?? 0) + x.value;
  }
  return sum;
}

/** The first of several spellings of a metric that the scrape has (servers rename metrics across versions). */
export function first(s: Scrape, names: readonly string[], where?: (labels: Record<string, string>) => boolean): { name: string; value: number } | undefined {
  for (const n of names) {
    const v = total(s, n, where);
    if (v !== undefined) return { name: n, value: v };
  }
  return undefined;
}

/** Largest value of a gauge over its series (e.g. KV usage per engine). */
export function maxOf(s: Scrape, names: readonly string[]): number | undefined {
  let best: number | undefined;
  for (const x of s.samples) if (names.includes(x.name) && Number.isFinite(x.value)) best = best === undefined ? x.value : Math.max(best, x.value);
  return best;
}
