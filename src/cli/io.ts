// Commands write through this so tests can run them in-process and read what a user would see.
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
  /** True when stdout is a terminal (colour, progress lines). */
  isTTY: boolean;
  /**
   * A transient status line on stderr (our own terminal controls, written raw). Only when stderr is a terminal;
   * absent in tests and pipes.
   */
  progress?(text: string): void;
}

/**
 * Text that came from files (keys, values, paths, model names) must not drive the terminal: C0/C1 control
 * characters (ESC, CSI, BEL, backspace, CR …) and the bidirectional overrides are written as \u escapes, which
 * also keeps JSON output valid JSON with the same value. Newlines and tabs stay.
 */
// eslint-disable-next-line no-control-regex -- the point is to match control characters
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function sanitizeForTerminal(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A value from a file, shortened for a message line (a 3 MB `model:` string is quoted by its ends). */
export function clip(text: string, max = 300): string {
  if (text.length <= max) return text;
  const keep = Math.floor((max - 30) / 2);
  return `${text.slice(0, keep)}…(${(text.length - 2 * keep).toLocaleString('en-US')} more characters)…${text.slice(text.length - keep)}`;
}

export const processIO = (): CliIO => ({
  out: (t) => { process.stdout.write(sanitizeForTerminal(t)); },
  err: (t) => { process.stderr.write(sanitizeForTerminal(t)); },
  cwd: process.cwd(),
  isTTY: Boolean(process.stdout.isTTY),
  progress: process.stderr.isTTY ? (t) => { process.stderr.write(`\r\x1b[K${sanitizeForTerminal(t)}`); } : undefined,
});

/**
 * The exit-code contract, the same for every command (README "Exit status"):
 *   0  clean: the command did what was asked and found nothing wrong (warnings and notes allowed)
 *   1  findings: errors in a config, a target that does not fit, a model that cannot be resolved or read,
 *      flags llama.cpp would refuse, a benchmark test that failed
 *   2  usage or I/O: bad options; an input that is missing, not a regular file, too large or unreadable; an
 *      output that cannot be written
 *   3  internal error: a bug in KV Lens (the message asks for a report)
 *   128+N  stopped by signal N: 130 SIGINT (Ctrl-C), 143 SIGTERM, 129 SIGHUP; `kvlens bench` has saved every
 *      test that finished before it
 */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 3;
export const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGPIPE: 13, SIGTERM: 15 };
export const exitForSignal = (sig: string): number => 128 + (SIGNAL_NUMBERS[sig] ?? 15);

export class UsageError extends Error {}
