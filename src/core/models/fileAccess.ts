// The one local helper the models area reads and writes files through (model configs, the Hub cache, local
// stores), so it can be switched to the project's bounded I/O module (src/core/io, issue 9) in one place.
// Reads are bounded (regular files only, size checked before reading); writes go to a temp file and are renamed
// into place so a crash never leaves a half-written cache entry.
import * as fs from 'node:fs';
import * as path from 'node:path';

export class FileAccessError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = 'FileAccessError';
  }
}

export function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

/** A regular file of at most `maxBytes`, as UTF-8 text; undefined when it does not exist. */
export function readTextIfExists(p: string, maxBytes: number): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(p, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new FileAccessError(`cannot open ${p}: ${(e as Error).message}`, code);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new FileAccessError(`${p} is not a regular file`);
    if (st.size > maxBytes) throw new FileAccessError(`${p} is ${st.size} bytes, more than the ${maxBytes} expected`);
    const buf = Buffer.alloc(st.size);
    let got = 0;
    while (got < st.size) {
      const n = fs.readSync(fd, buf, got, st.size - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** `length` bytes at `position` of a regular file (a header), or fewer at its end. */
export function readBytes(p: string, position: number, length: number): Buffer {
  const fd = fs.openSync(p, 'r');
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new FileAccessError(`${p} is not a regular file`);
    const n = Math.max(0, Math.min(length, st.size - position));
    const buf = Buffer.alloc(n);
    let got = 0;
    while (got < n) {
      const r = fs.readSync(fd, buf, got, n - got, position + got);
      if (r === 0) break;
      got += r;
    }
    return buf.subarray(0, got);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes atomically (temp file + rename); creates the folder. Failures are returned, not thrown: a cache is optional. */
export function writeFileAtomic(p: string, data: string | Buffer): string | undefined {
  const tmp = `${p}.tmp-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    fs.renameSync(tmp, p);
    return undefined;
  } catch (e) {
    try { fs.rmSync(tmp, { force: true }); } catch { /* nothing to clean */ }
    return (e as Error).message;
  }
}

export function listDir(p: string): string[] {
  try {
    return fs.readdirSync(p);
  } catch {
    return [];
  }
}

/** Where a symlink in the HF cache points (snapshots → blobs), resolved; the path itself when not a link. */
export function realPath(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}
