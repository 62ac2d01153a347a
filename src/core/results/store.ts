// The results store: one ResultRecord per line (JSON Lines). Pure Node, no vscode.
//
// Appends: each record is one complete line written with a single write() on a file opened with O_APPEND.
// POSIX makes O_APPEND positioning atomic, and a regular-file write of a few KiB from one call is not split by
// other writers on local file systems, so concurrent appends (two windows, the CLI beside the extension) never
// interleave partial lines and never lose each other's records — which rewrite-and-rename would (two writers
// each renaming their own copy: the last one wins). A crash mid-write can at worst leave one truncated last
// line; readAll() skips it and reports it, and the next append starts on a fresh line.
// Deletes rewrite the whole file to a temp file and rename it over the old one, so a reader sees the old or the
// new file, never a mix.
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResultRecord } from '../engine/protocol';
import { isLoadTestLine, loadTestRecordProblem, type LoadTestRecord } from '../loadtest/record';

export interface CorruptLine { line: number; error: string; text: string }
/** `loadTests`: the endpoint load-test steps (`kind: "loadtest"`) kept in the same file, apart from `records`
 * (present only when the file has some). */
export interface ReadResult { records: ResultRecord[]; corrupt: CorruptLine[]; loadTests?: LoadTestRecord[] }

function validRecord(v: unknown): string | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'not a JSON object';
  const r = v as Partial<ResultRecord>;
  if (typeof r.id !== 'string' || !r.id) return 'missing id';
  if (!r.result || typeof r.result !== 'object') return 'missing result';
  if (typeof r.result.avg_ts !== 'number' || !Number.isFinite(r.result.avg_ts)) return 'result.avg_ts is not a number';
  return undefined;
}

export class ResultsStore {
  constructor(readonly file: string) {}

  /** Appends records, one atomic write per line. Returns the records as stored (ids filled in). */
  async append<T extends { id: string }>(records: readonly T[]): Promise<T[]> {
    await fs.promises.mkdir(path.dirname(path.resolve(this.file)), { recursive: true });
    const fh = await fs.promises.open(this.file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o644);
    const stored: T[] = [];
    try {
      // If a previous writer died mid-line, start ours on a fresh line so only that one line is lost.
      const st = await fh.stat();
      if (st.size > 0) {
        const last = Buffer.alloc(1);
        const rfh = await fs.promises.open(this.file, 'r');
        try { await rfh.read(last, 0, 1, st.size - 1); } finally { await rfh.close(); }
        if (last[0] !== 0x0a) await fh.write('\n');
      }
      for (const rec of records) {
        const r = { ...rec, id: rec.id || randomUUID() };
        const line = Buffer.from(JSON.stringify(r) + '\n', 'utf8');
        const { bytesWritten } = await fh.write(line, 0, line.length);
        if (bytesWritten !== line.length) throw new Error(`short write to ${this.file} (${bytesWritten} of ${line.length} bytes)`);
        stored.push(r);
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    return stored;
  }

  /** Every readable record; unreadable lines are skipped and listed (1-based line numbers), never fatal. */
  async readAll(): Promise<ReadResult> {
    let text: string;
    try { text = await fs.promises.readFile(this.file, 'utf8'); } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], corrupt: [] };
      throw e;
    }
    const records: ResultRecord[] = [];
    const loadTests: LoadTestRecord[] = [];
    const corrupt: CorruptLine[] = [];
    const lines = text.split('\n');
    lines.forEach((raw, i) => {
      const line = raw.trim();
      if (!line) return;
      let v: unknown;
      try { v = JSON.parse(line); } catch (e) {
        corrupt.push({ line: i + 1, error: e instanceof Error ? e.message : String(e), text: line.slice(0, 200) });
        return;
      }
      if (isLoadTestLine(v)) {
        const problem = loadTestRecordProblem(v);
        if (problem) corrupt.push({ line: i + 1, error: problem, text: line.slice(0, 200) });
        else loadTests.push(v as LoadTestRecord);
        return;
      }
      const bad = validRecord(v);
      if (bad) corrupt.push({ line: i + 1, error: bad, text: line.slice(0, 200) });
      else records.push(v as ResultRecord);
    });
    return loadTests.length ? { records, corrupt, loadTests } : { records, corrupt };
  }

  /**
   * Removes records by id (rewrite to a temp file + rename). Corrupt lines are kept as they are, so a delete
   * never destroys data the user might still repair. Returns how many records were removed.
   */
  async delete(ids: readonly string[]): Promise<number> {
    const drop = new Set(ids);
    let text: string;
    try { text = await fs.promises.readFile(this.file, 'utf8'); } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw e;
    }
    let removed = 0;
    const kept: string[] = [];
    for (const raw of text.split('\n')) {
      if (!raw.trim()) continue;
      try {
        const v = JSON.parse(raw) as { id?: unknown };
        if (v && typeof v === 'object' && typeof v.id === 'string' && drop.has(v.id)) { removed++; continue; }
      } catch { /* keep corrupt lines */ }
      kept.push(raw);
    }
    if (removed === 0) return 0;
    const tmp = `${this.file}.${process.pid}.${randomUUID()}.tmp`;
    await fs.promises.writeFile(tmp, kept.length ? kept.join('\n') + '\n' : '', { mode: 0o644 });
    await fs.promises.rename(tmp, this.file);
    return removed;
  }
}

/** sha256 of a file, streamed (models are gigabytes). */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    fs.createReadStream(file).on('data', (d) => h.update(d)).on('error', reject).on('end', () => resolve(h.digest('hex')));
  });
}
