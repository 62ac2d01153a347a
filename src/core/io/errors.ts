// Errors of the one input/output layer: each says what the file is and what KV Lens will or will not do with it,
// in words for a user. The CLI maps both to exit status 2 (usage or I/O); the editor shows the message.
import type * as fs from 'node:fs';

export type InputProblem = 'missing' | 'directory' | 'not-regular' | 'too-large' | 'timeout' | 'io';
export type OutputProblem = 'directory' | 'not-writable-kind' | 'no-reader' | 'no-space' | 'io';

export class InputError extends Error {
  constructor(message: string, readonly problem: InputProblem, readonly file: string) {
    super(message);
    this.name = 'InputError';
  }
}

export class OutputError extends Error {
  constructor(message: string, readonly problem: OutputProblem, readonly file: string) {
    super(message);
    this.name = 'OutputError';
  }
}

/** 'a FIFO (named pipe)', 'a character device', … — what a non-regular file is, for messages. */
export function describeKind(st: fs.Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/** The errno code of a Node error, if any. */
export function errnoCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** A short reason for an errno error ("permission denied"), falling back to the message. */
export function errnoText(e: unknown): string {
  const code = errnoCode(e);
  const words: Record<string, string> = {
    ENOENT: 'no such file or folder', EACCES: 'permission denied', EPERM: 'operation not permitted', EISDIR: 'it is a folder',
    ENOTDIR: 'a part of the path is not a folder', ELOOP: 'too many levels of symbolic links', ENAMETOOLONG: 'the name is too long',
    ENOSPC: 'no space left on the device', EROFS: 'read-only file system', EXDEV: 'crosses file systems', EMFILE: 'too many open files',
  };
  return (code && words[code]) ?? (e instanceof Error ? e.message : String(e));
}
