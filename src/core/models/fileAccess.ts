// The one local helper the models area reads and writes files through (model configs, the Hub cache, local
// stores), on top of the project's bounded I/O module (src/core/io, issue 9): opens never block (a FIFO where a
// config.json, a manifest or a safetensors header should be cannot hang the resolver), only regular files are
// read, sizes are checked before reading and reads stop at the cap; writes go to a tracked temp file renamed
// into place, so a crash never leaves a half-written cache entry and nothing but a regular file is replaced.
import * as fs from 'node:fs';
import { InputError, openRegularSync, readInputSync, writeOutputSync } from '../io';

export function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

/**
 * A regular file of at most `maxBytes`, as UTF-8 text; undefined when nothing is there. A folder, FIFO, device or
 * socket, or a file over the cap, throws core/io's InputError (its message says what the file is).
 */
export function readTextIfExists(p: string, maxBytes: number): string | undefined {
  if (!statOrUndefined(p)) return undefined;
  try {
    return readInputSync(p, { maxBytes, what: 'model file' }).toString('utf8');
  } catch (e) {
    // Removed between the stat and the open: as if it had never been there.
    if (e instanceof InputError && e.problem === 'missing') return undefined;
    throw e;
  }
}

/** `length` bytes at `position` of a regular file (a header), or fewer at its end. */
export function readBytes(p: string, position: number, length: number): Buffer {
  const { fd, size } = openRegularSync(p, { what: 'model file' });
  try {
    const n = Math.max(0, Math.min(length, size - position));
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

/** Writes atomically (core/io's safe writer; creates the folder). Failures are returned, not thrown: a cache is optional. */
export function writeFileAtomic(p: string, data: string | Buffer): string | undefined {
  try {
    writeOutputSync(p, data, { mode: 0o600 });
    return undefined;
  } catch (e) {
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
