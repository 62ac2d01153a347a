// Display formatting for the panel, the HTML report and the exports. Every figure becomes a Cell: text with its
// unit, or "—" with a title saying what is missing — so NaN, Infinity or "undefined" can never reach a screen.

export interface Cell {
  /** What is shown, unit included. */
  text: string;
  /** The raw number behind the text (bytes, seconds, tok/s, percent), when there is one. */
  value?: number;
  /** Tooltip: what a "—" stands for, or where the figure comes from. */
  title?: string;
}

export const DASH = '—';
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const KiB = 1024;

export function isNum(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

export function missing(what: string): Cell {
  return { text: DASH, title: what };
}

const FIXED_FORMATS = new Map<number, Intl.NumberFormat>();

function fixed(n: number, digits: number): string {
  // One formatter per digit count: toLocaleString builds a new one per call (slow for a report of thousands of runs).
  let f = FIXED_FORMATS.get(digits);
  if (!f) FIXED_FORMATS.set(digits, (f = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })));
  return f.format(n);
}

/** Significant digits without exponent notation: 0.0123 → "0.0123", 143.2 → "143", 12.34 → "12.3". */
export function sig(n: number, digits = 3): string {
  if (n === 0) return '0';
  const mag = Math.floor(Math.log10(Math.abs(n)));
  const decimals = Math.max(0, Math.min(6, digits - 1 - mag));
  return fixed(n, decimals);
}

/** Binary units, named as such: GiB, MiB, KiB. */
export function bytesText(n: number): string {
  const a = Math.abs(n);
  if (a >= GiB) return `${fixed(n / GiB, 2)} GiB`;
  // Three significant digits below a GiB: 512 MiB, 1.06 MiB, 68.0 KiB — enough to tell a KV size from its neighbour.
  if (a >= MiB) return `${sig(n / MiB, 3)} MiB`;
  if (a >= KiB) return `${sig(n / KiB, 3)} KiB`;
  return `${Math.round(n)} B`;
}

export function bytesCell(n: unknown, what: string): Cell {
  return isNum(n) ? { text: bytesText(n), value: n, title: `${Math.round(n).toLocaleString('en-US')} bytes` } : missing(`${what}: not computed`);
}

export function secondsText(s: number): string {
  const a = Math.abs(s);
  if (a >= 1) return `${sig(s, 3)} s`;
  if (a >= 1e-3) return `${sig(s * 1e3, 3)} ms`;
  return `${sig(s * 1e6, 3)} µs`;
}

export function secondsCell(s: unknown, what: string): Cell {
  return isNum(s) && s >= 0 ? { text: secondsText(s), value: s } : missing(`${what}: not computed`);
}

export function rateText(r: number): string {
  return `${r >= 100 ? fixed(r, 0) : sig(r, 3)} tok/s`;
}

export function rateCell(r: unknown, what: string): Cell {
  return isNum(r) && r >= 0 ? { text: rateText(r), value: r } : missing(`${what}: not computed`);
}

export function intCell(n: unknown, what: string, unit = ''): Cell {
  return isNum(n) ? { text: `${Math.round(n).toLocaleString('en-US')}${unit ? ' ' + unit : ''}`, value: n } : missing(`${what}: not computed`);
}

/** Token counts the way llama.cpp users write contexts: 32K = 32,768, 1M = 1,048,576; others in full. */
export function tokensText(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)}M`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}K`;
  return n.toLocaleString('en-US');
}

/** `1 sequence`, `4 sequences`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export function percentText(p: number, signed = false): string {
  const s = Math.abs(p) >= 10 ? fixed(p, 0) : fixed(p, 1);
  return `${signed && p > 0 ? '+' : ''}${s} %`;
}

/** (measured − estimate) / estimate, in percent. */
export function diffCell(measured: unknown, estimate: unknown, what: string): Cell {
  if (!isNum(measured)) return missing(`${what}: no measurement`);
  if (!isNum(estimate)) return missing(`${what}: no estimate for these settings`);
  if (estimate === 0) return missing(`${what}: the estimate is zero`);
  const p = ((measured - estimate) / estimate) * 100;
  return { text: percentText(p, true), value: p, title: 'measured − estimate, relative to the estimate' };
}

/** Parameter counts: 8.03 B, 124 M. */
export function paramsText(n: number): string {
  if (n >= 1e9) return `${sig(n / 1e9, 3)} B`;
  if (n >= 1e6) return `${sig(n / 1e6, 3)} M`;
  if (n >= 1e3) return `${sig(n / 1e3, 3)} K`;
  return String(Math.round(n));
}
