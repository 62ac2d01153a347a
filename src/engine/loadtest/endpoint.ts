// The one way the load tester talks to a server: node:http(s) with a keep-alive agent, pinned to the origin the
// user gave. Every request goes to that scheme, host and port; paths are the API's constants. No redirect is
// followed for a generation request; a GET probe follows at most three redirects and only within the same origin
// — a redirect to another host is refused and reported. The API key goes in the Authorization header and nowhere
// else (never into errors, logs or records).
import * as http from 'node:http';
import * as https from 'node:https';

export class EndpointError extends Error {
  constructor(message: string, readonly code: 'redirect_refused' | 'connection' | 'timeout' | 'too_large' | 'bad_url') { super(message); }
}

export interface EndpointOptions {
  baseUrl: string;
  apiKey?: string;
  /** Sockets kept open at most (≥ the largest concurrency of the run). */
  maxSockets?: number;
  /** Extra request headers (never logged). */
  headers?: Record<string, string>;
}

export interface GetResult { status: number; contentType: string; body: string }

/** http://host:port[/prefix][/v1] → the origin and the path prefix in front of /v1 (proxies mount APIs under one). */
export function parseBaseUrl(raw: string): { url: URL; prefix: string } {
  let url: URL;
  try { url = new URL(raw.trim()); } catch { throw new EndpointError(`not a URL: ${JSON.stringify(raw.slice(0, 200))}`, 'bad_url'); }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new EndpointError(`only http:// and https:// endpoints (got ${url.protocol})`, 'bad_url');
  if (url.username || url.password) throw new EndpointError('put credentials in an API key (environment or secret storage), not in the URL', 'bad_url');
  if (url.search || url.hash) throw new EndpointError('the endpoint URL takes no query or fragment', 'bad_url');
  let prefix = url.pathname.replace(/\/+$/, '');
  if (prefix.endsWith('/v1')) prefix = prefix.slice(0, -3);
  return { url, prefix };
}

export class Endpoint {
  readonly url: URL;
  readonly prefix: string;
  readonly origin: string;
  readonly agent: http.Agent;
  private readonly mod: typeof http | typeof https;
  private readonly baseHeaders: Record<string, string>;

  constructor(opts: EndpointOptions) {
    const { url, prefix } = parseBaseUrl(opts.baseUrl);
    this.url = url;
    this.prefix = prefix;
    this.origin = `${url.protocol}//${url.host}`;
    this.mod = url.protocol === 'https:' ? https : http;
    const max = Math.max(1, opts.maxSockets ?? 64);
    // LIFO keeps the warmest sockets busy; no socket limit below the concurrency (the agent must never queue).
    this.agent = new this.mod.Agent({ keepAlive: true, keepAliveMsecs: 10_000, maxSockets: max, maxFreeSockets: max, scheduling: 'lifo' });
    this.baseHeaders = { 'user-agent': 'kvlens-loadtest', ...(opts.headers ?? {}) };
    if (opts.apiKey) this.baseHeaders.authorization = `Bearer ${opts.apiKey}`;
  }

  path(p: string): string {
    return `${this.prefix}${p}`;
  }

  requestOptions(method: string, path: string, headers: Record<string, string> = {}, absolute = false): http.RequestOptions {
    return {
      protocol: this.url.protocol,
      hostname: this.url.hostname.replace(/^\[|\]$/g, ''),
      port: this.url.port || (this.url.protocol === 'https:' ? 443 : 80),
      method,
      path: absolute ? path : this.path(path),
      agent: this.agent,
      headers: { ...this.baseHeaders, ...headers },
    };
  }

  request(opts: http.RequestOptions, cb: (res: http.IncomingMessage) => void): http.ClientRequest {
    return this.mod.request(opts, cb);
  }

  /** A small GET (probe, /metrics, /props). Bounded in time and size; same-origin redirects only. */
  get(path: string, opts: { timeoutMs?: number; maxBytes?: number } = {}, hops = 0, absolute = false): Promise<GetResult> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const maxBytes = opts.maxBytes ?? 8 << 20;
    return new Promise<GetResult>((resolve, reject) => {
      const req = this.request(this.requestOptions('GET', path, { accept: '*/*' }, absolute), (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          const loc = this.sameOriginPath(res.headers.location);
          if (loc === undefined) return reject(new EndpointError(`redirect to another host refused (${path} → ${describeLocation(res.headers.location)})`, 'redirect_refused'));
          if (hops >= 3) return reject(new EndpointError(`too many redirects from ${path}`, 'redirect_refused'));
          clearTimeout(timer);
          this.get(loc, opts, hops + 1, true).then(resolve, reject);
          return;
        }
        const parts: Buffer[] = [];
        let size = 0;
        res.on('data', (d: Buffer) => {
          size += d.length;
          if (size > maxBytes) { req.destroy(new EndpointError(`${path}: answer larger than ${maxBytes} bytes`, 'too_large')); return; }
          parts.push(d);
        });
        res.on('end', () => { clearTimeout(timer); resolve({ status, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(parts).toString('utf8') }); });
        res.on('error', (e) => { clearTimeout(timer); reject(e); });
      });
      const timer = setTimeout(() => req.destroy(new EndpointError(`${path}: no answer within ${timeoutMs} ms`, 'timeout')), timeoutMs);
      req.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        // A stale kept-alive socket: a GET is idempotent, send it again once on a fresh connection.
        if (req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE') && hops < 4) {
          this.staleSocketRetries++;
          this.get(path, opts, 4, absolute).then(resolve, reject);
          return;
        }
        reject(e);
      });
      req.end();
    });
  }

  /** The path of a redirect target when it stays on this origin; undefined otherwise. */
  sameOriginPath(location: string): string | undefined {
    let target: URL;
    try { target = new URL(location, this.url); } catch { return undefined; }
    if (target.protocol !== this.url.protocol || target.host !== this.url.host) return undefined;
    return target.pathname + target.search;
  }

  /** The server closed a kept-alive socket after a streamed answer; later streams ask for `Connection: close`. */
  closesAfterStream = false;
  staleSocketRetries = 0;

  noteStaleSocket(): void {
    this.staleSocketRetries++;
    this.closesAfterStream = true;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A redirect target for an error message: its origin only (a Location could carry tokens in its query). */
export function describeLocation(location: string): string {
  try { const u = new URL(location); return `${u.protocol}//${u.host}`; } catch { return 'an unreadable location'; }
}
