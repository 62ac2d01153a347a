// Formatting shared by CodeLens, hover, CLI and panel. Memory is always binary (KiB/MiB/GiB = 2^10/2^20/2^30)
// and says so in the unit; nothing here ever prints NaN, Infinity or "undefined".

const KIB = 1024;
const MIB = KIB * 1024;
const GIB = MIB * 1024;
const TIB = GIB * 1024;

function finite(n: number | undefined): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

/** Binary units: `1.50 GiB`, `512.0 MiB`, `300 B`. `digits` applies to GiB and above. */
export function formatBytes(n: number | undefined, digits = 1): string {
  if (!finite(n)) return '—';
  const sign = n < 0 ? '-' : '';
  const a = Math.abs(n);
  if (a >= TIB) return `${sign}${(a / TIB).toFixed(digits + 1)} TiB`;
  if (a >= GIB) return `${sign}${(a / GIB).toFixed(digits)} GiB`;
  if (a >= MIB) return `${sign}${(a / MIB).toFixed(1)} MiB`;
  if (a >= KIB) return `${sign}${(a / KIB).toFixed(1)} KiB`;
  return `${sign}${Math.round(a)} B`;
}

/** GiB as a bare number string (for `41.2/80 GiB`). */
export function formatGiB(n: number | undefined, digits = 1): string {
  if (!finite(n)) return '—';
  return (n / GIB).toFixed(digits);
}

/** `850 µs`, `12.3 ms`, `1.25 s`, `2.0 min`. */
export function formatDuration(seconds: number | undefined): string {
  if (!finite(seconds)) return '—';
  const a = Math.abs(seconds);
  if (a === 0) return '0 ms';
  if (a < 1e-3) return `${(seconds * 1e6).toFixed(0)} µs`;
  if (a < 1) return `${(seconds * 1e3).toFixed(a < 0.01 ? 2 : 1)} ms`;
  if (a < 120) return `${seconds.toFixed(2)} s`;
  if (a < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** `143 tok/s`, `12.5 tok/s`, `1.2k tok/s`. */
export function formatRate(tokensPerSec: number | undefined, unit = 'tok/s'): string {
  if (!finite(tokensPerSec)) return '—';
  const a = Math.abs(tokensPerSec);
  if (a >= 1e6) return `${(tokensPerSec / 1e6).toFixed(2)}M ${unit}`;
  if (a >= 1e4) return `${(tokensPerSec / 1e3).toFixed(1)}k ${unit}`;
  if (a >= 100) return `${tokensPerSec.toFixed(0)} ${unit}`;
  if (a >= 10) return `${tokensPerSec.toFixed(1)} ${unit}`;
  return `${tokensPerSec.toFixed(2)} ${unit}`;
}

/** Thousands separators: `131,072`. */
export function formatCount(n: number | undefined): string {
  if (!finite(n)) return '—';
  const r = Math.round(n);
  return r.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Context sizes the way people say them: `32K` for 32768, `100K`, `4096` when not a round K. */
export function formatTokens(n: number | undefined): string {
  if (!finite(n)) return '—';
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}K`;
  if (n >= 10000) return `${(n / 1000).toFixed(0)}k`;
  return formatCount(n);
}

/** FLOP/s and byte/s with SI prefixes (datasheets use decimal units here): `989 TFLOP/s`, `3.35 TB/s`. */
export function formatSi(n: number | undefined, unit: string, digits = 3): string {
  if (!finite(n)) return '—';
  const prefixes: Array<[number, string]> = [[1e15, 'P'], [1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [f, p] of prefixes) {
    if (Math.abs(n) >= f) return `${Number((n / f).toPrecision(digits))} ${p}${unit}`;
  }
  return `${Number(n.toPrecision(digits))} ${unit}`;
}


