// The one bounded way to open and read an input (configs, results stores, model files, profiles named inside
// results). Rules:
// - Regular files only, unless the user named a special file on purpose (`-`, /dev/stdin, /dev/fd/N,
//   /proc/self/fd/N — e.g. `kvlens check <(helm template …)`): a FIFO, device or socket found anywhere else, or
//   behind a symlink such as `z.kvlens.yaml → /dev/zero`, is refused with what it is.
// - Every open is O_NONBLOCK, so a FIFO swapped in after a stat can never block the open; the kind is checked on
//   the open descriptor (fstat), not on the name.
// - A size cap with a clear message before anything is read; the read itself stops at the cap, so a file that
//   grows (or /dev/zero named on purpose) costs at most the cap.
// - Special files are read without blocking and give up after a stretch without data.
import * as fs from 'node:fs';
import { formatBytes } from '../units';
import { describeKind, errnoCode, errnoText, InputError } from './errors';

const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;
const O_NOCTTY = fs.constants.O_NOCTTY ?? 0;
const READ_FLAGS = fs.constants.O_RDONLY | O_NONBLOCK | O_NOCTTY;
const CHUNK = 1 << 20;
/** How long a FIFO with no writer yet is given to get one before it reads as empty. */
const FIFO_WRITER_GRACE_MS = 1000;

export interface ReadOptions {
  /** Refuse (and never read past) this many bytes. */
  maxBytes: number;
  /** What the file is for, in messages: 'config', 'model', 'results store'. Default 'file'. */
  what?: string;
  /** How to name the file in messages (default: the path as given). */
  display?: string;
  /** Accept a FIFO or character device. Default: only when the path itself names one on purpose (namedOnPurpose). */
  allowSpecial?: boolean;
  /** Special files: give up after this long without data (default 10 s). */
  idleTimeoutMs?: number;
}

/** `-`, /dev/…, /dev/fd/N, /proc/self/fd/N: a path that names a stream or device itself, not a file that became one. */
export function namedOnPurpose(file: string): boolean {
  return file === '-' || /^\/dev\//.test(file) || /^\/proc\/(self|\d+)\/fd\/\d+$/.test(file);
}

function osPath(file: string): string {
  return file === '-' ? '/dev/stdin' : file;
}

/** " (a symbolic link to /dev/zero)" when `file` is a symlink, else "". */
function linkNote(file: string): string {
  try {
    if (!fs.lstatSync(file).isSymbolicLink()) return '';
    return ` (a symbolic link to ${fs.readlinkSync(file)})`;
  } catch {
    return '';
  }
}

function label(file: string, opts: { display?: string }): string {
  return opts.display ?? file;
}

function openError(file: string, e: unknown, opts: { display?: string; what?: string }): InputError {
  const code = errnoCode(e);
  const name = label(file, opts);
  if (code === 'ENOENT') return new InputError(`cannot read ${name}: no such file`, 'missing', file);
  if (code === 'ENXIO') return new InputError(`cannot read ${name}: it is a socket or a device with nothing behind it${linkNote(file)}`, 'not-regular', file);
  return new InputError(`cannot read ${name}: ${errnoText(e)}`, 'io', file);
}

/** Checks what the open descriptor is; throws the user-facing refusal. Returns true for a special file to stream. */
function checkKind(file: string, st: fs.Stats, opts: ReadOptions | OpenOptions, allowSpecial: boolean): boolean {
  const name = label(file, opts);
  const what = opts.what ?? 'file';
  if (st.isFile()) {
    if (opts.maxBytes !== undefined && st.size > opts.maxBytes) {
      throw new InputError(`${name} is ${formatBytes(st.size)}: larger than the ${formatBytes(opts.maxBytes)} KV Lens reads for a ${what}; not read`, 'too-large', file);
    }
    return false;
  }
  if (st.isDirectory()) throw new InputError(`${name} is a folder, not a ${what} file${linkNote(file)}`, 'directory', file);
  if (allowSpecial && (st.isFIFO() || st.isCharacterDevice())) return true;
  throw new InputError(
    `${name} is ${describeKind(st)}${linkNote(file)}, not a regular file; KV Lens reads a ${what} only from a regular file` +
      (st.isFIFO() || st.isCharacterDevice() ? ' (to read a pipe, pass it as - or /dev/stdin)' : ''),
    'not-regular', file);
}

function tooLarge(file: string, opts: ReadOptions): InputError {
  return new InputError(`${label(file, opts)} is larger than the ${formatBytes(opts.maxBytes)} KV Lens reads for a ${opts.what ?? 'file'}; not read`, 'too-large', file);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Standard input (`-`, /dev/stdin) as a stream: it may be a pipe, a file, a terminal or a socket (which cannot be
 * opened again through /dev/stdin), so the process's own descriptor is read, with the same cap and idle timeout.
 */
function readStdin(file: string, opts: ReadOptions): Promise<Buffer> {
  const idle = opts.idleTimeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    const parts: Buffer[] = [];
    let total = 0;
    let timer: NodeJS.Timeout | undefined;
    const done = (e?: Error) => {
      clearTimeout(timer);
      stdin.off('data', onData).off('end', onEnd).off('error', onError);
      stdin.pause();
      if (e) { stdin.destroy(); reject(e); } else resolve(Buffer.concat(parts, total));
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => done(new InputError(`${label(file, opts)}: nothing arrived on standard input for ${Math.round(idle / 1000)} s; stopped waiting`, 'timeout', file)), idle);
    };
    const onData = (d: Buffer) => {
      total += d.length;
      if (total > opts.maxBytes) return done(tooLarge(file, opts));
      parts.push(d);
      arm();
    };
    const onEnd = () => done();
    const onError = (e: Error) => done(openError(file, e, opts));
    stdin.on('data', onData).on('end', onEnd).on('error', onError);
    arm();
    stdin.resume();
  });
}

/** Reads a whole input, bounded (see the module comment). */
export async function readInput(file: string, opts: ReadOptions): Promise<Buffer> {
  if (file === '-' || file === '/dev/stdin') return readStdin(file, opts);
  const p = osPath(file);
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(p, READ_FLAGS);
  } catch (e) {
    throw openError(file, e, opts);
  }
  try {
    const st = await fh.stat();
    const special = checkKind(file, st, opts, opts.allowSpecial ?? namedOnPurpose(file));
    if (!special) {
      // Regular: read what fstat promised, plus one byte to notice a file that grew past the cap meanwhile.
      const want = Math.min(st.size, opts.maxBytes) + 1;
      const buf = Buffer.allocUnsafe(want);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await fh.read(buf, got, Math.min(CHUNK, want - got), got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      if (got > opts.maxBytes) throw tooLarge(file, opts);
      return buf.subarray(0, got);
    }
    const idle = opts.idleTimeoutMs ?? 10_000;
    const opened = Date.now();
    const parts: Buffer[] = [];
    let total = 0;
    let last = Date.now();
    const chunk = Buffer.allocUnsafe(64 * 1024);
    for (;;) {
      let n: number;
      try {
        n = (await fh.read(chunk, 0, chunk.length, null)).bytesRead;
      } catch (e) {
        const code = errnoCode(e);
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') {
          if (Date.now() - last > idle) throw new InputError(`${label(file, opts)}: nothing arrived for ${Math.round(idle / 1000)} s; stopped waiting`, 'timeout', file);
          await sleep(20);
          continue;
        }
        throw openError(file, e, opts);
      }
      // EOF. On a FIFO opened without blocking it can also mean "no writer yet" (a process substitution racing
      // us): with nothing read so far, wait a moment for one before taking it as an empty input.
      if (n === 0) {
        if (total === 0 && st.isFIFO() && Date.now() - opened < FIFO_WRITER_GRACE_MS) { await sleep(20); continue; }
        break;
      }
      last = Date.now();
      total += n;
      if (total > opts.maxBytes) throw tooLarge(file, opts);
      parts.push(Buffer.from(chunk.subarray(0, n)));
    }
    return Buffer.concat(parts, total);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** readInput as UTF-8 text (invalid bytes become U+FFFD, which the analysers report). */
export async function readInputText(file: string, opts: ReadOptions): Promise<string> {
  return (await readInput(file, opts)).toString('utf8');
}

export interface OpenOptions {
  what?: string;
  display?: string;
  /** Refuse regular files larger than this. */
  maxBytes?: number;
}

/**
 * Opens a regular file for reading (no FIFO can block the open; the kind is checked on the descriptor). For
 * readers that seek: the GGUF reader, hashing. The caller closes the descriptor.
 */
export function openRegularSync(file: string, opts: OpenOptions = {}): { fd: number; size: number } {
  let fd: number;
  try {
    fd = fs.openSync(osPath(file), READ_FLAGS);
  } catch (e) {
    throw openError(file, e, opts);
  }
  try {
    const st = fs.fstatSync(fd);
    checkKind(file, st, opts, false);
    return { fd, size: st.size };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/**
 * Opens a path for reading without blocking (a FIFO cannot stall the open) and without checking what it is: for
 * readers with their own messages that fstat the descriptor themselves (the GGUF reader). Throws the errno error.
 */
export function openInputSync(file: string): number {
  return fs.openSync(osPath(file), READ_FLAGS);
}

/** Reads a whole regular file, bounded; synchronous (for code that cannot wait, such as the model resolver). */
export function readInputSync(file: string, opts: ReadOptions): Buffer {
  const { fd, size } = openRegularSync(file, opts);
  try {
    const want = Math.min(size, opts.maxBytes) + 1;
    const buf = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const n = fs.readSync(fd, buf, got, Math.min(CHUNK, want - got), got);
      if (n === 0) break;
      got += n;
    }
    if (got > opts.maxBytes) throw tooLarge(file, opts);
    return buf.subarray(0, got);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Streams a regular file's lines to `onLine` (1-based numbers), holding one chunk and one line at a time. Lines
 * longer than `maxLineBytes` are passed truncated with `truncated` set, so one endless line costs a bounded amount.
 * A missing file reads as empty when `missingIsEmpty`.
 */
export async function forEachLine(
  file: string,
  opts: ReadOptions & { maxLineBytes?: number; missingIsEmpty?: boolean },
  onLine: (line: string, lineNo: number, truncated: boolean) => void,
): Promise<void> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(osPath(file), READ_FLAGS);
  } catch (e) {
    if (opts.missingIsEmpty && errnoCode(e) === 'ENOENT') return;
    throw openError(file, e, opts);
  }
  try {
    const st = await fh.stat();
    checkKind(file, st, opts, false);
    const maxLine = opts.maxLineBytes ?? 16 * 1024 * 1024;
    const buf = Buffer.allocUnsafe(CHUNK);
    let pending: Buffer[] = [];
    let pendingLen = 0;
    let truncated = false;
    let lineNo = 0;
    let pos = 0;
    const emit = () => {
      lineNo++;
      const line = Buffer.concat(pending, pendingLen).toString('utf8');
      pending = [];
      pendingLen = 0;
      const t = truncated;
      truncated = false;
      onLine(line.endsWith('\r') ? line.slice(0, -1) : line, lineNo, t);
    };
    const add = (b: Buffer) => {
      if (pendingLen >= maxLine) { truncated = true; return; }
      const room = maxLine - pendingLen;
      if (b.length > room) { truncated = true; b = b.subarray(0, room); }
      pending.push(Buffer.from(b));
      pendingLen += b.length;
    };
    for (;;) {
      if (pos >= opts.maxBytes) throw tooLarge(file, opts);
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, opts.maxBytes + 1 - pos), pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(10, start);
        if (nl < 0 || nl >= bytesRead) { add(buf.subarray(start, bytesRead)); break; }
        add(buf.subarray(start, nl));
        emit();
        start = nl + 1;
      }
      if (pos > opts.maxBytes) throw tooLarge(file, opts);
    }
    if (pendingLen > 0 || truncated) emit();
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/**
 * What a path is, without opening it: for commands that dispatch on the kind (a model folder vs a config file).
 * Follows symlinks; undefined when nothing is there.
 */
export function statInput(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(osPath(file));
  } catch {
    return undefined;
  }
}
