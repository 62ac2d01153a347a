// The results store: one ResultRecord per line (JSON Lines). Pure Node, no vscode.
//
// Appends: each record is one complete line written with a single write() on a file opened with O_APPEND.
// POSIX makes O_APPEND positioning atomic, and a regular-file write of a few KiB from one call is not split by
// other writers on local file systems, so concurrent appends (two windows, the CLI beside the extension) never
// interleave partial lines and never lose each other's records — which rewrite-and-rename would (two writers
// each renaming their own copy: the last one wins). A crash mid-write can at worst leave one truncated last
// line; readAll() skips it and reports it, and the next append starts on a fresh line.
// appendSync() is the same for a caller that must have the line on disk before it returns (kvlens bench appends
// each finished test as it completes, so a signal never loses one).
// Deletes rewrite the whole file through core/io's writeOutput (temp file + rename), so a reader sees the old or
// the new file, never a mix.
// The store is a regular file: opening anything else (a FIFO, a device) is refused, never blocks. Reading is
// streamed line by line with a size cap, and every record is normalised to the full ResultRecord shape, so a
// record written by hand with only `id` and `result.avg_ts` reads as a complete record (empty model, no machine).
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BenchTestResult, ResultRecord } from '../engine/protocol';
import { describeKind, errnoText, InputError } from '../io/errors';
import { LIMITS } from '../io/limits';
import { forEachLine, openRegularSync } from '../io/read';
import { ensureFolder, writeOutput } from '../io/write';
import { isLoadTestLine, loadTestRecordProblem, type LoadTestRecord } from '../loadtest/record';
import { normaliseLoadTest } from './loadTestLine';

export interface CorruptLine { line: number; error: string; text: string }
/** `loadTests`: the endpoint load-test steps (`kind: "loadtest"`) kept in the same file, apart from `records`
 * (present only when the file has some). */
export interface ReadResult {
  records: ResultRecord[];
  corrupt: CorruptLine[];
  loadTests?: LoadTestRecord[];
  /** With readAll({ keepLast }): how many of each the file held. */
  total?: { records: number; loadTests: number };
  /** When more lines were unreadable than `corrupt` lists (MAX_CORRUPT_LISTED): how many. */
  corruptTotal?: number;
}

/** Unreadable lines listed by readAll; the rest are counted. */
export const MAX_CORRUPT_LISTED = 1000;

const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;
const APPEND_FLAGS = fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | O_NONBLOCK;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : d);
const num = (v: unknown, d = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const optStr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const optNum = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const nums = (v: unknown): number[] => (Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)) : []);

/**
 * A BenchTestResult with every required field of the right type, built as one literal (one object shape for
 * every record: a store of 150,000 lines normalises in well under a second). Known optional fields are kept.
 */
function normaliseResult(r: Json): BenchTestResult {
  const fa = r.flash_attn;
  const out: BenchTestResult = {
    build_commit: optStr(r.build_commit), build_number: optNum(r.build_number), cpu_info: optStr(r.cpu_info), gpu_info: optStr(r.gpu_info),
    backends: optStr(r.backends), model_filename: str(r.model_filename), model_type: optStr(r.model_type),
    model_size: num(r.model_size), model_n_params: num(r.model_n_params),
    n_batch: num(r.n_batch), n_ubatch: num(r.n_ubatch), n_threads: num(r.n_threads), n_gpu_layers: num(r.n_gpu_layers),
    type_k: str(r.type_k), type_v: str(r.type_v), flash_attn: typeof fa === 'boolean' || typeof fa === 'string' ? fa : '',
    n_prompt: num(r.n_prompt), n_gen: num(r.n_gen), n_depth: num(r.n_depth),
    test_time: str(r.test_time), avg_ns: num(r.avg_ns), stddev_ns: num(r.stddev_ns), avg_ts: num(r.avg_ts), stddev_ts: num(r.stddev_ts),
    samples_ns: nums(r.samples_ns), samples_ts: nums(r.samples_ts),
    n_ctx: num(r.n_ctx), n_seq: optNum(r.n_seq), kv_bytes: num(r.kv_bytes), kv_k_bytes: num(r.kv_k_bytes), kv_v_bytes: num(r.kv_v_bytes),
    model_buffer_bytes: optNum(r.model_buffer_bytes), compute_buffer_bytes: optNum(r.compute_buffer_bytes), output_buffer_bytes: optNum(r.output_buffer_bytes),
    peak_rss_bytes: optNum(r.peak_rss_bytes), engine: str(r.engine), engine_version: optStr(r.engine_version), llama_cpp_version: optStr(r.llama_cpp_version),
    error: r.error === undefined || r.error === null ? undefined : String(r.error),
  };
  return out;
}

/** A complete ResultRecord from a parsed line, or why the line is not a record. */
export function normaliseRecord(v: unknown): ResultRecord | string {
  if (!isObj(v)) return 'not a JSON object';
  if (typeof v.id !== 'string' || !v.id) return 'missing id';
  if (!isObj(v.result)) return 'missing result';
  if (typeof v.result.avg_ts !== 'number' || !Number.isFinite(v.result.avg_ts)) return 'result.avg_ts is not a number';
  if (v.model !== undefined && !isObj(v.model)) return 'model is not an object';
  const m = (v.model ?? {}) as Json;
  const mach = isObj(v.machine) ? v.machine : undefined;
  const est = isObj(v.estimate) ? v.estimate : undefined;
  const rec: ResultRecord = {
    id: v.id,
    runId: str(v.runId, v.id),
    savedAt: str(v.savedAt),
    // A record without one says nothing about the machine; consumers read it as unknown.
    machine: (mach ? { cpu: str(mach.cpu), cores: num(mach.cores), ramBytes: num(mach.ramBytes), os: str(mach.os), ...(Array.isArray(mach.gpus) ? { gpus: mach.gpus.filter((g): g is string => typeof g === 'string') } : {}) } : undefined) as ResultRecord['machine'],
    model: { path: str(m.path), sha256: str(m.sha256), name: optStr(m.name), architecture: optStr(m.architecture) },
    flags: Array.isArray(v.flags) ? v.flags.filter((f): f is string => typeof f === 'string') : [],
    profile: optStr(v.profile),
    result: normaliseResult(v.result),
  };
  // How many tests the run planned: fewer saved records mark a cancelled or stopped run in the panel.
  if (typeof v.planned === 'number' && Number.isInteger(v.planned) && v.planned > 0) rec.planned = v.planned;
  if (est) {
    const e: NonNullable<ResultRecord['estimate']> = {};
    for (const k of ['kvBytes', 'kvKBytes', 'kvVBytes', 'prefillTokensPerSec', 'decodeTokensPerSec'] as const) { const x = optNum(est[k]); if (x !== undefined) e[k] = x; }
    if (typeof est.calibration === 'string') e.calibration = est.calibration;
    rec.estimate = e;
  }
  return rec;
}

/** Opens the store for appending: a regular file or a new one; a FIFO or device is refused, never blocked on. */
function openForAppendSync(file: string): number {
  ensureFolder(path.dirname(path.resolve(file)), file);
  let fd: number;
  try {
    fd = fs.openSync(file, APPEND_FLAGS, 0o644);
  } catch (e) {
    // ENXIO: a FIFO nobody reads (the non-blocking open refuses instead of waiting); anything else: say what.
    let kind = '';
    try { kind = describeKind(fs.statSync(file)); } catch { /* gone */ }
    throw new InputError(`cannot append to the results store ${file}${kind ? `: it is ${kind}, not a regular file` : `: ${errnoText(e)}`}`, kind ? 'not-regular' : 'io', file);
  }
  const st = fs.fstatSync(fd);
  if (!st.isFile()) {
    fs.closeSync(fd);
    throw new InputError(`the results store ${file} is ${describeKind(st)}, not a regular file; pass a .jsonl file`, 'not-regular', file);
  }
  return fd;
}

/** True when the last byte of the file is not a newline (a writer died mid-line). */
function endsMidLine(file: string, size: number): boolean {
  if (size === 0) return false;
  const { fd } = openRegularSync(file, { what: 'results store' });
  try {
    const last = Buffer.alloc(1);
    fs.readSync(fd, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    fs.closeSync(fd);
  }
}

export class ResultsStore {
  constructor(readonly file: string) {}

  /** Refuses a store path that is not a regular file (or a new one), before a long run writes to it. */
  static checkWritable(file: string): void {
    let st: fs.Stats | undefined;
    try { st = fs.statSync(file); } catch { return; }
    if (!st.isFile()) throw new InputError(`the results store ${file} is ${describeKind(st)}, not a regular file; pass a .jsonl file`, st.isDirectory() ? 'directory' : 'not-regular', file);
  }

  /** Appends records, one atomic write per line. Returns the records as stored (ids filled in). */
  async append<T extends { id: string }>(records: readonly T[]): Promise<T[]> {
    return this.appendSync(records);
  }

  /** append(), synchronously: the lines are written (and fsynced) when it returns. Bench results and load-test steps. */
  appendSync<T extends { id: string }>(records: readonly T[]): T[] {
    const fd = openForAppendSync(this.file);
    const stored: T[] = [];
    try {
      // If a previous writer died mid-line, start ours on a fresh line so only that one line is lost.
      if (endsMidLine(this.file, fs.fstatSync(fd).size)) fs.writeSync(fd, '\n');
      for (const rec of records) {
        const r = { ...rec, id: rec.id || randomUUID() };
        const line = Buffer.from(JSON.stringify(r) + '\n', 'utf8');
        const n = fs.writeSync(fd, line, 0, line.length);
        if (n !== line.length) throw new Error(`short write to ${this.file} (${n} of ${line.length} bytes)`);
        stored.push(r);
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return stored;
  }

  /** Every readable record; unreadable lines are skipped and listed (1-based line numbers), never fatal. */
  async readAll(opts: { keepLast?: number } = {}): Promise<ReadResult> {
    // keepLast: only the newest N of each kind are kept while reading (a report of a store with 150,000 lines
    // holds 2N at most, not all of them); `total` then counts what the file held.
    const keep = opts.keepLast;
    let totalRecords = 0;
    let totalLoadTests = 0;
    // Unreadable lines: the first MAX_CORRUPT are listed, the rest only counted (a 1 GiB file of junk lines is
    // hundreds of millions of them).
    let corruptTotal = 0;
    const bad = (c: CorruptLine) => { corruptTotal++; if (corrupt.length < MAX_CORRUPT_LISTED) corrupt.push(c); };
    const trim = <T>(a: T[]) => { if (keep !== undefined && a.length >= 2 * keep) a.splice(0, a.length - keep); };
    const records: ResultRecord[] = [];
    const loadTests: LoadTestRecord[] = [];
    const corrupt: CorruptLine[] = [];
    await forEachLine(this.file, { maxBytes: LIMITS.resultsBytes, maxLineBytes: LIMITS.resultLineBytes, what: 'results store', missingIsEmpty: true }, (raw, lineNo, truncated) => {
      const line = raw.trim();
      if (!line) return;
      if (truncated) { bad({ line: lineNo, error: `line longer than ${LIMITS.resultLineBytes} bytes`, text: line.slice(0, 200) }); return; }
      let v: unknown;
      try { v = JSON.parse(line); } catch (e) {
        bad({ line: lineNo, error: e instanceof Error ? e.message : String(e), text: line.slice(0, 200) });
        return;
      }
      if (isLoadTestLine(v)) {
        const problem = loadTestRecordProblem(v);
        if (problem) bad({ line: lineNo, error: problem, text: line.slice(0, 200) });
        else { loadTests.push(normaliseLoadTest(v as Record<string, unknown>)); totalLoadTests++; trim(loadTests); }
        return;
      }
      const rec = normaliseRecord(v);
      if (typeof rec === 'string') bad({ line: lineNo, error: rec, text: line.slice(0, 200) });
      else { records.push(rec); totalRecords++; trim(records); }
    });
    if (keep !== undefined) {
      if (records.length > keep) records.splice(0, records.length - keep);
      if (loadTests.length > keep) loadTests.splice(0, loadTests.length - keep);
    }
    // Fields beyond records/corrupt only when they say something (callers compare whole results).
    const out: ReadResult = { records, corrupt };
    if (loadTests.length) out.loadTests = loadTests;
    if (keep !== undefined) out.total = { records: totalRecords, loadTests: totalLoadTests };
    if (corruptTotal > corrupt.length) out.corruptTotal = corruptTotal;
    return out;
  }

  /**
   * Removes records by id (rewrite to a temp file + rename). Corrupt lines are kept as they are, so a delete
   * never destroys data the user might still repair. Returns how many records were removed.
   */
  async delete(ids: readonly string[]): Promise<number> {
    const drop = new Set(ids);
    let removed = 0;
    const kept: string[] = [];
    await forEachLine(this.file, { maxBytes: LIMITS.resultsBytes, maxLineBytes: LIMITS.resultsBytes, what: 'results store', missingIsEmpty: true }, (raw) => {
      if (!raw.trim()) return;
      try {
        const v = JSON.parse(raw) as { id?: unknown };
        if (v && typeof v === 'object' && typeof v.id === 'string' && drop.has(v.id)) { removed++; return; }
      } catch { /* keep corrupt lines */ }
      kept.push(raw);
    });
    if (removed === 0) return 0;
    await writeOutput(this.file, kept.length ? kept.join('\n') + '\n' : '', { durable: true });
    return removed;
  }
}

/** sha256 of a regular file, streamed (models are gigabytes); a FIFO or device is refused, not read forever. */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let fd: number;
    try { fd = openRegularSync(file, { what: 'model' }).fd; } catch (e) { reject(e); return; }
    const h = createHash('sha256');
    fs.createReadStream('', { fd, autoClose: true }).on('data', (d) => h.update(d)).on('error', reject).on('end', () => resolve(h.digest('hex')));
  });
}
