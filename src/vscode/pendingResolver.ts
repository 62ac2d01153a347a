// A model resolver the editor never waits on for long: a lookup that has not answered within `waitMs` (a Hub
// query, a large GGUF read for the first time) answers `pending` now, keeps running, and tells the listener when
// it settles so the document is analysed again and the lenses fill in — wix/import-cost's progressive results.
// No 'vscode' import: unit-tested on plain Node.

export interface Resolution {
  kind: string;
  descriptor?: unknown;
  path?: string;
  error?: string;
}

export interface ResolverLike<R extends Resolution> {
  resolve(ref: string, baseDir: string): Promise<R>;
}

export interface PendingResolverOptions {
  /** How long an analysis waits for one model before answering `pending` (default 150 ms). */
  waitMs?: number;
  /** How long a slow lookup's result is kept for the re-analysis that follows it (default 60 s). */
  keepMs?: number;
  /** Called once per slow lookup when it settles (resolved or failed). */
  onSettled?: (ref: string, baseDir: string) => void;
}

export class PendingResolver<R extends Resolution> implements ResolverLike<R> {
  private readonly inflight = new Map<string, Promise<R>>();
  private readonly slow = new Map<string, { result: R; at: number }>();
  private readonly waitMs: number;
  private readonly keepMs: number;

  constructor(private readonly inner: ResolverLike<R>, private readonly opts: PendingResolverOptions = {}) {
    this.waitMs = opts.waitMs ?? 150;
    this.keepMs = opts.keepMs ?? 60_000;
  }

  /** Refs still being looked up. */
  get pendingCount(): number {
    return this.inflight.size;
  }

  async resolve(ref: string, baseDir: string): Promise<R> {
    const key = `${baseDir}\0${ref}`;
    const kept = this.slow.get(key);
    if (kept && Date.now() - kept.at < this.keepMs) return kept.result;
    if (kept) this.slow.delete(key);
    let p = this.inflight.get(key);
    if (!p) {
      const t0 = Date.now();
      p = this.inner.resolve(ref, baseDir).catch((e: unknown) => ({ kind: 'error', error: e instanceof Error ? e.message : String(e) }) as R);
      this.inflight.set(key, p);
      void p.then((result) => {
        this.inflight.delete(key);
        // Only a slow lookup is kept and announced: a fast one was answered to its caller directly.
        const owed = this.owed.delete(key);
        if (!owed && Date.now() - t0 < this.waitMs / 2) return;
        this.slow.set(key, { result, at: Date.now() });
        if (this.slow.size > 256) this.slow.delete(this.slow.keys().next().value as string);
        if (owed || Date.now() - t0 >= this.waitMs) this.opts.onSettled?.(ref, baseDir);
      });
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), this.waitMs); });
    const first = await Promise.race([p, late]);
    clearTimeout(timer);
    if (first !== 'late') return first;
    // It may have settled between the timer and here; then its result is already kept.
    const settled = this.slow.get(key);
    if (settled) return settled.result;
    this.owed.add(key);
    return { kind: 'pending', error: `resolving ${ref}…` } as R;
  }

  /** Lookups whose callers were told `pending`: they are owed an onSettled. */
  private readonly owed = new Set<string>();
}
