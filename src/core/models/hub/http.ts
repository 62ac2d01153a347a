// HTTP for the Hub client: bounded in time and bytes, retried the way huggingface_hub's http_backoff retries
// (429 and 5xx, honouring Retry-After, exponential backoff otherwise), Range requests, and redirects followed by
// hand so the Hub's own headers (X-Repo-Commit, X-Linked-Size, X-Linked-Etag) are seen on the first hop and the
// Authorization header is never sent to another host (the Hub redirects LFS/Xet files to a CDN).
// Error mapping follows the Hub's answers (huggingface_hub utils/_http.py hf_raise_for_status): X-Error-Code
// RepoNotFound / RevisionNotFound / EntryNotFound / GatedRepo, 401 without a token, 403 for gated repos.

export type HubErrorKind = 'unauthorized' | 'gated' | 'not-found' | 'rate-limited' | 'server' | 'timeout' | 'network' | 'too-large' | 'bad-response' | 'offline';

export class HubError extends Error {
  /** The system error of a network failure (ENOTFOUND, ECONNREFUSED, …), when there was one. */
  code?: string;

  constructor(message: string, readonly kind: HubErrorKind, readonly status?: number, readonly url?: string) {
    super(message);
    this.name = 'HubError';
  }
}

export interface HttpOptions {
  /** Until the response headers arrive, per attempt. Default 15 s. */
  timeoutMs?: number;
  /** Longest pause between two body chunks. Default 15 s. */
  stallMs?: number;
  /** Retries after the first attempt on 429/5xx/network errors. Default 3. */
  retries?: number;
  /** First backoff; doubles per retry, capped at 8 s (Retry-After wins, capped at 30 s). Default 500 ms. */
  backoffMs?: number;
  signal?: AbortSignal;
  userAgent?: string;
  /** Called before each retry (for logs and tests). */
  onRetry?: (attempt: number, reason: string, waitMs: number) => void;
}

export interface HttpRequest {
  url: string;
  token?: string;
  /** Inclusive byte range. */
  range?: [number, number];
  /** The body is refused beyond this many bytes. */
  maxBytes: number;
  /** Statuses that are not errors (e.g. 404 for an optional file). */
  allow?: number[];
}

export interface HttpResponse {
  status: number;
  url: string;
  /** Headers of the first response (the Hub's own), then of the final one. */
  first: Headers;
  headers: Headers;
  body: Buffer;
}

/** Bytes and requests, for the "headers only" benchmark and `kvlens models resolve`. */
export class TrafficCounter {
  bytes = 0;
  requests = 0;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> => new Promise((resolve, reject) => {
  if (signal?.aborted) return reject(new HubError('cancelled', 'network'));
  const t = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(t); reject(new HubError('cancelled', 'network')); }, { once: true });
});

function describeStatus(status: number, res: Response, req: HttpRequest, repoHint: string): HubError {
  const code = res.headers.get('x-error-code') ?? '';
  const msg = res.headers.get('x-error-message') ?? '';
  const where = repoHint || req.url;
  if (code === 'GatedRepo' || (status === 403 && /gated|access/i.test(msg))) {
    return new HubError(`${where} is a gated model: ${req.token ? 'your token has no access yet' : 'it needs a token'} — request access on its Hub page, then set HF_TOKEN or run \`huggingface-cli login\``, 'gated', status, req.url);
  }
  if (status === 401) {
    return new HubError(req.token
      ? `${where}: the Hub refused the token (401) — it may be expired or lack read access`
      : `${where}: the Hub answered 401 — the repo is private or gated, or does not exist (the Hub hides which without a token); set HF_TOKEN or run \`huggingface-cli login\``, 'unauthorized', status, req.url);
  }
  if (status === 403) return new HubError(`${where}: access denied (403)${msg ? `: ${msg}` : ''}`, 'gated', status, req.url);
  if (status === 404) {
    const what = code === 'RevisionNotFound' ? 'no such revision' : code === 'EntryNotFound' ? 'no such file in the repo' : 'no such model on the Hub';
    return new HubError(`${where}: ${what} (404)`, 'not-found', status, req.url);
  }
  if (status === 429) return new HubError(`${where}: rate-limited by the Hub (429)`, 'rate-limited', status, req.url);
  if (status >= 500) return new HubError(`${where}: the Hub failed (${status})`, 'server', status, req.url);
  return new HubError(`${where}: unexpected HTTP ${status}`, 'bad-response', status, req.url);
}

async function readBody(res: Response, req: HttpRequest, o: HttpOptions, counter: TrafficCounter | undefined): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > req.maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new HubError(`${req.url}: the Hub offers ${declared} bytes where at most ${req.maxBytes} are expected`, 'too-large', res.status, req.url);
  }
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Buffer[] = [];
  let total = 0;
  const stall = o.stallMs ?? 15_000;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const next = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new HubError(`${req.url}: the body stalled for ${stall} ms`, 'timeout', res.status, req.url)), stall); }),
      ]).finally(() => clearTimeout(timer));
      if (next.done) break;
      total += next.value.byteLength;
      if (counter) counter.bytes += next.value.byteLength;
      if (total > req.maxBytes) throw new HubError(`${req.url}: more than ${req.maxBytes} bytes`, 'too-large', res.status, req.url);
      chunks.push(Buffer.from(next.value));
    }
  } catch (e) {
    await reader.cancel().catch(() => undefined);
    throw e;
  }
  return Buffer.concat(chunks, total);
}

/**
 * Hosts that could not be reached (no DNS answer, connection refused, no route), remembered for a short while:
 * a machine without a network answers the next model's lookup at once instead of after the same retries again
 * (an offline `kvlens estimate` of three Hub ids waited 3.5 s for each). Keyed by origin; a success forgets it.
 */
const unreachable = new Map<string, { at: number; message: string }>();
export const UNREACHABLE_MEMORY_MS = 30_000;
/** Errors that say the host is not there (as opposed to a slow or failing server): not worth retrying at once. */
const NO_HOST = new Set(['ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN']);

/** Forgets every unreachable host (tests). */
export function forgetUnreachableHosts(): void {
  unreachable.clear();
}

/** One GET with the Hub's semantics; `repoHint` names the model in error messages. */
export async function hubGet(req: HttpRequest, o: HttpOptions = {}, counter?: TrafficCounter, repoHint = ''): Promise<HttpResponse> {
  const retries = Math.max(0, o.retries ?? 3);
  const origin = new URL(req.url).origin;
  const down = unreachable.get(origin);
  if (down && Date.now() - down.at < UNREACHABLE_MEMORY_MS) {
    throw new HubError(`${repoHint || req.url}: not tried — ${down.message} ${Math.round((Date.now() - down.at) / 1000)} s ago`, 'network', undefined, req.url);
  }
  let lastErr: HubError | undefined;
  for (let attempt = 0; attempt <= retries; attempt++) {
    try {
      const res = await once(req, o, counter, repoHint);
      unreachable.delete(origin);
      return res;
    } catch (e) {
      const err = e instanceof HubError ? e : new HubError(`${repoHint || req.url}: ${(e as Error).message}`, 'network', undefined, req.url);
      const noHost = err.kind === 'network' && err.code !== undefined && NO_HOST.has(err.code);
      const retryable = !noHost && (err.kind === 'rate-limited' || err.kind === 'server' || err.kind === 'network' || err.kind === 'timeout');
      // A refused connection may be a server restarting: retried, and remembered only after the last attempt.
      const refused = err.code === 'ECONNREFUSED';
      if ((noHost || (refused && attempt === retries)) && !o.signal?.aborted) unreachable.set(origin, { at: Date.now(), message: `${new URL(req.url).host} was unreachable (${err.code})` });
      if (!retryable || attempt === retries || o.signal?.aborted) throw err;
      lastErr = err;
      const retryAfter = (err as HubError & { retryAfterMs?: number }).retryAfterMs;
      const wait = retryAfter !== undefined ? Math.min(30_000, retryAfter) : Math.min(8_000, (o.backoffMs ?? 500) * 2 ** attempt);
      o.onRetry?.(attempt + 1, err.message, wait);
      await sleep(wait, o.signal);
    }
  }
  throw lastErr ?? new HubError('unreachable', 'network');
}

async function once(req: HttpRequest, o: HttpOptions, counter: TrafficCounter | undefined, repoHint: string): Promise<HttpResponse> {
  let url = req.url;
  const origin = new URL(url).origin;
  let first: Headers | undefined;
  for (let hop = 0; hop < 6; hop++) {
    const ctl = new AbortController();
    const onAbort = (): void => ctl.abort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const timeout = o.timeoutMs ?? 15_000;
    const timer = setTimeout(() => ctl.abort(), timeout);
    const headers: Record<string, string> = { 'user-agent': o.userAgent ?? 'kvlens (https://github.com/kvlens)', 'accept-encoding': 'identity' };
    if (req.range) headers.range = `bytes=${req.range[0]}-${req.range[1]}`;
    // The token goes only to the endpoint's own origin, never to a CDN it redirects to.
    if (req.token && new URL(url).origin === origin) headers.authorization = `Bearer ${req.token}`;
    let res: Response;
    try {
      if (counter) counter.requests++;
      res = await fetch(url, { headers, redirect: 'manual', signal: ctl.signal });
    } catch (e) {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      if (o.signal?.aborted) throw new HubError('cancelled', 'network', undefined, url);
      if (ctl.signal.aborted) throw new HubError(`${repoHint || url}: no answer within ${timeout} ms`, 'timeout', undefined, url);
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const err = new HubError(`${repoHint || url}: cannot reach ${new URL(url).host} (${cause?.code ?? cause?.message ?? (e as Error).message})`, 'network', undefined, url);
      err.code = cause?.code;
      throw err;
    }
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
    first ??= res.headers;
    if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
      await res.body?.cancel().catch(() => undefined);
      url = new URL(res.headers.get('location')!, url).toString();
      continue;
    }
    if (res.status >= 400 && !(req.allow ?? []).includes(res.status)) {
      await res.body?.cancel().catch(() => undefined);
      const err = describeStatus(res.status, res, req, repoHint);
      const ra = res.headers.get('retry-after');
      if (ra && /^\d+$/.test(ra.trim())) (err as HubError & { retryAfterMs?: number }).retryAfterMs = Number(ra) * 1000;
      throw err;
    }
    const body = res.status >= 400 ? Buffer.alloc(0) : await readBody(res, req, o, counter);
    return { status: res.status, url, first, headers: res.headers, body };
  }
  throw new HubError(`${repoHint || req.url}: too many redirects`, 'bad-response', undefined, req.url);
}

/** Total size from `Content-Range: bytes 0-7/12345`, else Content-Length of a 200. */
export function totalSize(res: HttpResponse): number | undefined {
  const cr = res.headers.get('content-range');
  const m = cr ? /\/(\d+)\s*$/.exec(cr) : null;
  if (m) return Number(m[1]);
  const linked = res.first.get('x-linked-size');
  if (linked && /^\d+$/.test(linked)) return Number(linked);
  if (res.status === 200) {
    const cl = res.headers.get('content-length');
    if (cl && /^\d+$/.test(cl)) return Number(cl);
  }
  return undefined;
}
