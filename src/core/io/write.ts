// The one safe way to write an output (reports, generated models, rewritten results stores). Rules:
// - A regular file (or a new one) is written to a temp file beside it and renamed into place, so a reader sees
//   the old or the new file, never half of one. The temp file is tracked and removed on every exit path
//   (failure, process exit, the CLI's signal handlers).
// - A non-regular file is never replaced or renamed over. A FIFO or character device the user named (`--out
//   /dev/stdout`, a pipe) is written into in place, opened without blocking: no reader within a few seconds is a
//   clear error, not a hang. Folders, block devices and sockets are refused.
// - A symlink is followed: its target is written, the link stays a link.
// - Missing parent folders are created one level at a time (no recursive mkdir, which loops forever under
//   /proc on some Node versions); a folder that cannot be made is an error naming it.
// - With `expectedBytes`, a write that does not fit in the free space is refused before it starts.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatBytes } from '../units';
import { describeKind, errnoCode, errnoText, OutputError } from './errors';
import { trackTemp, untrackTemp } from './temps';

const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;
const O_NOCTTY = fs.constants.O_NOCTTY ?? 0;

export interface OutputOptions {
  /** Size of what will be written, when known: refused up front if the file system has less free space. */
  expectedBytes?: number;
  /** Mode of a new file (default 0o644; a replaced file keeps its own). */
  mode?: number;
  /** FIFOs: how long to wait for a reader to open the other end (default 5 s). */
  openTimeoutMs?: number;
  /** In-place writes: give up after this long without progress (default 30 s). */
  idleTimeoutMs?: number;
  /** fsync before the rename (results stores). */
  durable?: boolean;
  /** How to name the file in messages (default: the path as given). */
  display?: string;
}

export interface OutputSink {
  /** The file that will hold the output. */
  readonly path: string;
  /** True when writing into an existing FIFO or device instead of a temp file. */
  readonly inPlace: boolean;
  write(data: Uint8Array | string): Promise<void>;
  /** Finish: rename the temp file into place (or close the device). */
  commit(): Promise<void>;
  /** Give up: remove the temp file. Safe to call after a failed write or twice. */
  abort(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function isFolder(p: string): boolean {
  try { return fs.statSync(p).isDirectory(); } catch { return false; }
}

/** mkdir -p without recursion into the kernel's loops: find the deepest existing ancestor, then make each level. */
export function ensureFolder(dir: string, display = dir): void {
  const missing: string[] = [];
  let d = path.resolve(dir);
  for (let guard = 0; guard < 4096; guard++) {
    let st: fs.Stats | undefined;
    try { st = fs.statSync(d); } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw new OutputError(`cannot write to ${display}: ${d}: ${errnoText(e)}`, 'io', dir);
    }
    if (st) {
      if (!st.isDirectory()) throw new OutputError(`cannot write to ${display}: ${d} is ${describeKind(st)}, not a folder`, 'io', dir);
      break;
    }
    missing.push(d);
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  for (const m of missing.reverse()) {
    try { fs.mkdirSync(m); } catch (e) {
      if (errnoCode(e) === 'EEXIST' && isFolder(m)) continue;
      throw new OutputError(`cannot create the folder ${m} for ${display}: ${errnoCode(e) === 'EEXIST' ? 'something that is not a folder is in the way' : errnoText(e)}`, 'io', dir);
    }
  }
}

function freeBytes(dir: string): number | undefined {
  try {
    const s = fs.statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return undefined;
  }
}

/** Writes all of `buf` to a non-blocking descriptor, waiting out EAGAIN up to `idleMs` without progress. */
async function writeAllNonBlocking(fh: fs.promises.FileHandle, buf: Uint8Array, idleMs: number, name: string): Promise<void> {
  let off = 0;
  let last = Date.now();
  while (off < buf.length) {
    try {
      const { bytesWritten } = await fh.write(buf, off, buf.length - off, null);
      off += bytesWritten;
      if (bytesWritten > 0) last = Date.now();
    } catch (e) {
      const code = errnoCode(e);
      if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK') throw new OutputError(`cannot write to ${name}: ${errnoText(e)}`, 'io', name);
      if (Date.now() - last > idleMs) throw new OutputError(`cannot write to ${name}: nothing was taken for ${Math.round(idleMs / 1000)} s; stopped`, 'no-reader', name);
      await sleep(10);
    }
  }
}

async function openInPlace(target: string, st: fs.Stats, opts: OutputOptions, name: string): Promise<OutputSink> {
  const flags = fs.constants.O_WRONLY | O_NONBLOCK | O_NOCTTY;
  const wait = opts.openTimeoutMs ?? 5000;
  const t0 = Date.now();
  let fh: fs.promises.FileHandle | undefined;
  while (!fh) {
    try {
      fh = await fs.promises.open(target, flags);
    } catch (e) {
      // ENXIO: a FIFO with no reader yet. Wait a little for one, never forever.
      if (errnoCode(e) === 'ENXIO' && st.isFIFO() && Date.now() - t0 < wait) { await sleep(50); continue; }
      if (errnoCode(e) === 'ENXIO') throw new OutputError(`cannot write to ${name}: it is ${describeKind(st)} and nothing read from it within ${Math.round(wait / 1000)} s`, 'no-reader', target);
      throw new OutputError(`cannot write to ${name}: ${errnoText(e)}`, 'io', target);
    }
  }
  const handle = fh;
  const idle = opts.idleTimeoutMs ?? 30_000;
  let closed = false;
  return {
    path: target,
    inPlace: true,
    write: (data) => writeAllNonBlocking(handle, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, idle, name),
    commit: async () => { if (!closed) { closed = true; await handle.close(); } },
    abort: async () => { if (!closed) { closed = true; await handle.close().catch(() => undefined); } },
  };
}

/** Opens an output (see the module comment). Write with sink.write, then commit() or abort(). */
export async function openOutput(file: string, opts: OutputOptions = {}): Promise<OutputSink> {
  const name = opts.display ?? file;
  let target = path.resolve(file);
  let st: fs.Stats | undefined;
  try {
    const l = fs.lstatSync(target);
    if (l.isSymbolicLink()) {
      try {
        target = fs.realpathSync(target);
        st = fs.statSync(target);
      } catch (e) {
        throw new OutputError(`cannot write to ${name}: it is a symbolic link to something missing (${errnoText(e)})`, 'io', file);
      }
    } else {
      st = l;
    }
  } catch (e) {
    if (e instanceof OutputError) throw e;
    if (errnoCode(e) !== 'ENOENT') throw new OutputError(`cannot write to ${name}: ${errnoText(e)}`, 'io', file);
  }
  if (st && !st.isFile()) {
    if (st.isFIFO() || st.isCharacterDevice()) return openInPlace(target, st, opts, name);
    throw new OutputError(`cannot write to ${name}: it is ${describeKind(st)}; KV Lens writes a regular file (or into a pipe or character device you name) and never replaces anything else`,
      st.isDirectory() ? 'directory' : 'not-writable-kind', file);
  }
  const dir = path.dirname(target);
  ensureFolder(dir, name);
  if (opts.expectedBytes !== undefined) {
    const free = freeBytes(dir);
    if (free !== undefined && opts.expectedBytes > free) {
      throw new OutputError(`cannot write ${name}: it would be ${formatBytes(opts.expectedBytes)}, but ${dir} has ${formatBytes(free)} free; nothing was written`, 'no-space', file);
    }
  }
  const tmp = path.join(dir, `.${path.basename(target)}.kvlens-tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  let fh: fs.promises.FileHandle;
  trackTemp(tmp);
  try {
    fh = await fs.promises.open(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, st ? st.mode & 0o7777 : (opts.mode ?? 0o644));
  } catch (e) {
    untrackTemp(tmp);
    throw new OutputError(`cannot write to ${name}: ${errnoText(e)} (in ${dir})`, 'io', file);
  }
  let done = false;
  const abort = async () => {
    if (done) return;
    done = true;
    await fh.close().catch(() => undefined);
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    untrackTemp(tmp);
  };
  return {
    path: target,
    inPlace: false,
    write: async (data) => {
      const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      try {
        let off = 0;
        while (off < buf.length) off += (await fh.write(buf, off, buf.length - off)).bytesWritten;
      } catch (e) {
        await abort();
        throw new OutputError(`cannot write ${name}: ${errnoText(e)}`, errnoCode(e) === 'ENOSPC' ? 'no-space' : 'io', file);
      }
    },
    commit: async () => {
      if (done) return;
      try {
        if (opts.durable) await fh.sync();
        await fh.close();
        await fs.promises.rename(tmp, target);
      } catch (e) {
        done = false;
        await abort();
        throw new OutputError(`cannot write ${name}: ${errnoText(e)}`, 'io', file);
      }
      done = true;
      untrackTemp(tmp);
    },
    abort,
  };
}

/** Writes a whole output at once (see openOutput). */
export async function writeOutput(file: string, data: Uint8Array | string, opts: OutputOptions = {}): Promise<{ path: string; bytes: number; inPlace: boolean }> {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const sink = await openOutput(file, { expectedBytes: buf.length, ...opts });
  try {
    await sink.write(buf);
    await sink.commit();
  } catch (e) {
    await sink.abort();
    throw e;
  }
  return { path: sink.path, bytes: buf.length, inPlace: sink.inPlace };
}

/**
 * writeOutput for small files that synchronous code writes (the model resolver's Hub cache): a regular file or a
 * new one only, through a tracked temp file renamed into place; anything else in the way is refused, never
 * replaced. Missing folders are created.
 */
export function writeOutputSync(file: string, data: Uint8Array | string, opts: Pick<OutputOptions, 'mode' | 'display'> = {}): { path: string; bytes: number } {
  const name = opts.display ?? file;
  const target = path.resolve(file);
  let st: fs.Stats | undefined;
  try { st = fs.statSync(target); } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw new OutputError(`cannot write to ${name}: ${errnoText(e)}`, 'io', file);
  }
  if (st && !st.isFile()) {
    throw new OutputError(`cannot write to ${name}: it is ${describeKind(st)}; KV Lens never replaces anything but a regular file`, st.isDirectory() ? 'directory' : 'not-writable-kind', file);
  }
  // Through a symlink to a regular file: write its target, keep the link.
  let real = target;
  try { real = fs.realpathSync(target); } catch { /* new file */ }
  const dir = path.dirname(real);
  ensureFolder(dir, name);
  const tmp = path.join(dir, `.${path.basename(real)}.kvlens-tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  trackTemp(tmp);
  try {
    const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, st ? st.mode & 0o7777 : (opts.mode ?? 0o644));
    try {
      let off = 0;
      while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, real);
  } catch (e) {
    try { fs.rmSync(tmp, { force: true }); } catch { /* already gone */ }
    throw new OutputError(`cannot write ${name}: ${errnoText(e)}`, errnoCode(e) === 'ENOSPC' ? 'no-space' : 'io', file);
  } finally {
    untrackTemp(tmp);
  }
  return { path: real, bytes: buf.length };
}
