// Reads what llama.cpp logs about a context's memory. Formats, from the llama.cpp bundled in node-llama-cpp:
//   src/llama-kv-cache.cpp: "%s: size = %7.2f MiB (%6u cells, %3d layers, %2u/%u seqs), K (%s): %7.2f MiB, V (%s): %7.2f MiB"
//     with kv_size (cells per stream), n_seq_max and n_stream as the three counts;
//   src/llama-model.cpp:    "%s: %12s model buffer size = %8.2f MiB"
//   src/llama-context.cpp:  "%s: %10s compute buffer size = %8.2f MiB", "%s: %10s  output buffer size = %8.2f MiB"
// MiB are printed with 2 decimals, so a byte count read back is exact to ±0.005 MiB (±5,243 bytes).

export const MIB = 1024 * 1024;
/** Half of the last printed digit: the most a byte count read from a "%.2f MiB" field can be off by. */
export const LOG_MIB_RESOLUTION_BYTES = Math.ceil(0.005 * MIB);

export interface KvLogLine {
  /** Cells per stream (kv_size). */
  cells: number;
  layers: number;
  /** n_seq_max. */
  seqMax: number;
  /** KV streams: 1 when unified, else n_seq_max. Total cells = cells × streams. */
  streams: number;
  typeK: string;
  typeV: string;
  bytes: number;
  kBytes: number;
  vBytes: number;
}

const mib = (s: string) => Math.round(Number(s) * MIB);

const KV_RE = /llama_kv_cache(?:_unified|_iswa)?:\s+size\s*=\s*([\d.]+)\s*MiB\s*\(\s*(\d+)\s*cells,\s*(\d+)\s*layers,\s*(\d+)\s*\/\s*(\d+)\s*seqs\),\s*K\s*\(([^)]+)\):\s*([\d.]+)\s*MiB,\s*V\s*\(([^)]+)\):\s*([\d.]+)\s*MiB/;

export function parseKvLine(line: string): KvLogLine | undefined {
  const m = KV_RE.exec(line);
  if (!m) return undefined;
  return {
    bytes: mib(m[1]!), cells: Number(m[2]), layers: Number(m[3]), seqMax: Number(m[4]), streams: Number(m[5]),
    typeK: m[6]!.trim(), kBytes: mib(m[7]!), typeV: m[8]!.trim(), vBytes: mib(m[9]!),
  };
}

export interface ContextMemory {
  /** One entry per KV cache the context made (an iSWA model has two: full and sliding-window layers). */
  kv: KvLogLine[];
  modelBufferBytes?: number;
  computeBufferBytes?: number;
  outputBufferBytes?: number;
}

/** Collects memory figures from log lines; the sums cover every backend buffer (CPU + GPU). */
export function parseContextMemory(lines: readonly string[]): ContextMemory {
  const out: ContextMemory = { kv: [] };
  let model = 0, compute = 0, output = 0, seenModel = false, seenCompute = false, seenOutput = false;
  for (const line of lines) {
    const kv = parseKvLine(line);
    if (kv) { out.kv.push(kv); continue; }
    let m = /model buffer size\s*=\s*([\d.]+)\s*MiB/.exec(line);
    if (m) { model += mib(m[1]!); seenModel = true; continue; }
    m = /compute buffer size\s*=\s*([\d.]+)\s*MiB/.exec(line);
    if (m) { compute += mib(m[1]!); seenCompute = true; continue; }
    m = /output buffer size\s*=\s*([\d.]+)\s*MiB/.exec(line);
    if (m) { output += mib(m[1]!); seenOutput = true; }
  }
  if (seenModel) out.modelBufferBytes = model;
  if (seenCompute) out.computeBufferBytes = compute;
  if (seenOutput) out.outputBufferBytes = output;
  return out;
}

/**
 * llama.cpp's own reason for a failure, from log lines around it: the last error-level line, else the last
 * line that reads like an error. Prefixes such as "llama_init_from_model: " are kept off.
 */
export function failureReason(lines: readonly { level: string; text: string }[]): string | undefined {
  const strip = (t: string) => t.replace(/^[a-z_0-9:]+:\s+/i, '').trim();
  // llama.cpp often logs the specific cause first and a generic "failed to load model" after it: keep both.
  const errs = [...new Set(lines.filter((l) => l.level === 'error' || l.level === 'fatal').map((l) => strip(l.text)))];
  if (errs.length) return errs.slice(-2).join('; ');
  for (let i = lines.length - 1; i >= 0; i--) {
    const t = lines[i]!.text;
    if (/\b(error|failed|requires|unsupported|invalid|cannot|not supported)\b/i.test(t) && !/Failed simulating/.test(t)) return strip(t);
  }
  return undefined;
}

export interface RecurrentLogLine {
  /** Rows per layer (llama_memory_recurrent mem_size = max(1, n_seq_max)). */
  cells: number;
  /** Layers the recurrent memory iterates (n_layer, filtered ones included). */
  layers: number;
  seqs: number;
  rsSeq: number;
  bytes: number;
  rBytes: number;
  sBytes: number;
}

// src/llama-memory-recurrent.cpp (bundled de3ff815): "%s: size = %7.2f MiB (%6u cells, %3d layers, %2u seqs %2u rs_seq),
// R (%s): %7.2f MiB, S (%s): %7.2f MiB, P (%s): %7.2f MiB"; older builds print no rs_seq and no P part.
const RS_RE = /llama_memory_recurrent:\s+size\s*=\s*([\d.]+)\s*MiB\s*\(\s*(\d+)\s*cells,\s*(\d+)\s*layers,\s*(\d+)\s*seqs(?:\s+(\d+)\s*rs_seq)?\),\s*R\s*\([^)]+\):\s*([\d.]+)\s*MiB,\s*S\s*\([^)]+\):\s*([\d.]+)\s*MiB/;

/** The recurrent-state size line of a hybrid or recurrent model's context. */
export function parseRecurrentLine(line: string): RecurrentLogLine | undefined {
  const m = RS_RE.exec(line);
  if (!m) return undefined;
  return {
    bytes: mib(m[1]!), cells: Number(m[2]), layers: Number(m[3]), seqs: Number(m[4]), rsSeq: Number(m[5] ?? 0),
    rBytes: mib(m[6]!), sBytes: mib(m[7]!),
  };
}
