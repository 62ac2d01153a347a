// What the CLI does when it is told to stop. By default (every command): remove the temp files of outputs not
// yet renamed into place, and exit 128+N (130 SIGINT, 143 SIGTERM, 129 SIGHUP). A command that owns a child
// process takes the signals over while it runs (kvlens bench: stop the engine's process group, keep what
// finished). A closed stdout (`kvlens estimate … | head`) ends the command quietly with 141, like SIGPIPE would.
// Installed only by the real CLI entry (cliMain), never when tests call commands in-process.
import { removeTempsSync } from '../core/io/temps';
import { exitForSignal } from './io';

export type InterruptHandler = (signal: NodeJS.Signals, count: number) => void;

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let current: InterruptHandler | undefined;
let installed = false;
const counts: Partial<Record<NodeJS.Signals, number>> = {};

/** Routes SIGINT/SIGTERM/SIGHUP to `handler` until the returned function is called. */
export function takeSignals(handler: InterruptHandler): () => void {
  current = handler;
  return () => { if (current === handler) current = undefined; };
}

/** Removes temp outputs and exits with the signal's status. */
export function exitForSignalNow(signal: NodeJS.Signals | 'SIGPIPE'): never {
  removeTempsSync();
  process.exit(exitForSignal(signal));
}

export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  for (const sig of SIGNALS) {
    process.on(sig, () => {
      const n = (counts[sig] = (counts[sig] ?? 0) + 1);
      if (current) {
        try { current(sig, n); return; } catch { /* fall through to the default */ }
      }
      exitForSignalNow(sig);
    });
  }
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') exitForSignalNow('SIGPIPE');
      throw e;
    });
  }
}
