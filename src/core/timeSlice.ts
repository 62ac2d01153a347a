// Work that could block an event loop for seconds on a huge file (a llama-swap config with 75,000 models): the
// editor's extension host runs every extension's features on one thread, so long loops hand it back regularly,
// and per-file work that grows with the number of deployments is capped (the CLI says so; the editor shows the
// first ones). Plain Node (setImmediate), no VS Code.

/** Deployments of one file that get an estimate (CLI `kvlens estimate` without --deployment; the editor's lenses). */
export const MAX_ESTIMATED_DEPLOYMENTS = 100;

/**
 * A function to call inside a long loop: once `budgetMs` of work has passed since the last yield it returns a
 * promise to await, which yields to the event loop (a macrotask, so timers, I/O and other requests run); otherwise
 * it returns undefined and costs nothing (no promise per iteration: `const p = slice(); if (p) await p;`).
 */
export function timeSlicer(budgetMs = 25): () => Promise<void> | undefined {
  let since = Date.now();
  return () => {
    if (Date.now() - since < budgetMs) return undefined;
    return new Promise<void>((resolve) => setImmediate(() => {
      since = Date.now();
      resolve();
    }));
  };
}

/** One yield to the event loop, between stages of a long analysis. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
