// Commands write through this so tests can run them in-process and read what a user would see.
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
  /** True when stdout is a terminal (colour, progress lines). */
  isTTY: boolean;
}

export const processIO = (): CliIO => ({
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  cwd: process.cwd(),
  isTTY: Boolean(process.stdout.isTTY),
});

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {}
