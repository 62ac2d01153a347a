// Temp files this process is writing (outputs before their rename into place). They are removed on every exit
// path: a failed write removes its own; process exit removes the rest; the CLI's signal handlers call
// removeTempsSync() before they exit (a signal's default action would skip the 'exit' event).
import * as fs from 'node:fs';

const temps = new Set<string>();
let hooked = false;

export function trackTemp(file: string): void {
  temps.add(file);
  if (!hooked) {
    hooked = true;
    process.once('exit', removeTempsSync);
  }
}

export function untrackTemp(file: string): void {
  temps.delete(file);
}

/** Removes every temp file still tracked. Synchronous: safe in 'exit' handlers and signal handlers. */
export function removeTempsSync(): void {
  for (const f of temps) {
    try { fs.rmSync(f, { force: true }); } catch { /* best effort: it may be gone already */ }
  }
  temps.clear();
}

/** Paths still tracked (for tests). */
export function trackedTemps(): string[] {
  return [...temps];
}
