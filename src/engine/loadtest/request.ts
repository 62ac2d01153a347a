// One streaming generation request (/v1/completions or /v1/chat/completions) measured as it arrives. Timestamps
// are taken when a socket read lands (performance.now()), before any parsing of that read, so the client's own
// work is not in the gaps it measures. Every way a request can go wrong ends in exactly one error reason; none
// throws, none hangs: a stall timer (no byte for stallMs) and a total timer bound every request.
import type { ClientRequest, IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { SseParser, type SseEvent } from '../../core/loadtest/sse';
import type { ApiKind, ErrorReason, RequestSample, ServerTimings } from '../../core/loadtest/types';
import { describeLocation, type Endpoint } from './endpoint';

export interface GenerationSpec {
  api: ApiKind;
  model?: string;
  prompt: string;
  maxTokens: number;
  /** Sent only when the server accepts them (detected before the run). */
  ignoreEos?: boolean;
  minTokens?: number;
  temperature?: number;
  /** Extra body fields (e.g. llama-server's cache_prompt). */
  extra?: Record<string, unknown>;
}

export interface RequestLimits {
  /** No byte for this long → 'stalled'. */
  stallMs: number;
  /** The whole request → 'timeout'. */
  timeoutMs: number;
  /** Output chunks beyond max_tokens + this many → the server ignores max_tokens; stop reading. */
  maxTokensSlack: number;
  signal?: AbortSignal;
  /** Every parsed event with its arrival time (the overhead benchmark reads the stand-in's send stamps). */
  onEvent?: (v: Record<string, unknown>, arrivedMs: number) => void;
}

export const API_PATH: Record<ApiKind, string> = { completions: '/v1/completions', chat: '/v1/chat/completions' };

export function requestBody(g: GenerationSpec): Record<string, unknown> {
  const body: Record<string, unknown> = g.api === 'chat'
    ? { messages: [{ role: 'user', content: g.prompt }] }
    : { prompt: g.prompt };
  if (g.model) body.model = g.model;
  body.max_tokens = g.maxTokens;
  body.stream = true;
  body.stream_options = { include_usage: true };
  body.temperature = g.temperature ?? 0;
  if (g.ignoreEos) body.ignore_eos = true;
  if (g.minTokens !== undefined) body.min_tokens = g.minTokens;
  return { ...body, ...(g.extra ?? {}) };
}

const ERROR_BODY_BYTES = 4096;

function num(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

function timingsOf(t: unknown): ServerTimings | undefined {
  if (!t || typeof t !== 'object') return undefined;
  const o = t as Record<string, unknown>;
  const s: ServerTimings = {
    prompt_n: num(o.prompt_n), prompt_ms: num(o.prompt_ms), predicted_n: num(o.predicted_n), predicted_ms: num(o.predicted_ms),
    predicted_per_token_ms: num(o.predicted_per_token_ms), cache_n: num(o.cache_n), draft_n: num(o.draft_n), draft_n_accepted: num(o.draft_n_accepted),
  };
  return Object.values(s).some((v) => v !== undefined) ? s : undefined;
}

/** A short, key-free description of an error answer's body (JSON error message, or the first line of text). */
export function errorText(body: string): string {
  try {
    const v = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
    const m = typeof v.error === 'string' ? v.error : v.error?.message ?? v.message ?? v.detail;
    if (typeof m === 'string' && m) return m.slice(0, 300);
  } catch { /* not JSON */ }
  return body.replace(/\s+/g, ' ').trim().slice(0, 200);
}

/** The request body, built ahead of time so the measured request does no prompt or JSON work. */
export function requestPayload(g: GenerationSpec): Buffer {
  return Buffer.from(JSON.stringify(requestBody(g)), 'utf8');
}

/** Runs one request and fills `sample`. Resolves when the request is over, whatever happened. */
export function streamRequest(ep: Endpoint, g: GenerationSpec, sample: RequestSample, lim: RequestLimits, prebuilt?: Buffer): Promise<void> {
  return new Promise<void>((resolve) => {
    let settled = false;
    let sawDone = false;
    let sawFinish = false;
    let lastChunkMs: number | undefined;
    let arrivedMs = 0;
    const payload = prebuilt ?? requestPayload(g);
    const isChat = g.api === 'chat';

    const finish = (error?: { reason: ErrorReason; message: string; status?: number }) => {
      if (settled) return;
      settled = true;
      clearTimeout(stall);
      clearTimeout(total);
      lim.signal?.removeEventListener('abort', onAbort);
      if (error) sample.error = error;
      else {
        if (sample.endMs === undefined) sample.endMs = lastChunkMs ?? performance.now();
        if (sample.outputTokens === undefined) {
          sample.outputTokens = sample.chunks;
          sample.tokenSource = 'chunks';
        }
        if (sample.outputTokens > g.maxTokens) {
          sample.error = { reason: 'max_tokens_exceeded', message: `${sample.outputTokens} output tokens for max_tokens ${g.maxTokens}: the server ignored max_tokens` };
        } else if (sample.outputTokens < g.maxTokens) {
          sample.short = true;
        }
      }
      resolve();
    };

    const onEvent = (e: SseEvent) => {
      if (settled) return;
      const data = e.data;
      if (data === '[DONE]') { sawDone = true; sample.endMs = arrivedMs; return; }
      let v: Record<string, unknown>;
      try { v = JSON.parse(data) as Record<string, unknown>; } catch {
        req.destroy();
        return finish({ reason: 'malformed_sse', message: `a data line is not JSON: ${JSON.stringify(data.slice(0, 80))}` });
      }
      if (v === null || typeof v !== 'object') {
        req.destroy();
        return finish({ reason: 'malformed_sse', message: 'a data line is not a JSON object' });
      }
      lim.onEvent?.(v, arrivedMs);
      if (v.error) {
        req.destroy();
        const m = typeof v.error === 'string' ? v.error : (v.error as { message?: unknown }).message;
        return finish({ reason: 'server_error', message: `error in the stream: ${String(m ?? 'no message').slice(0, 200)}` });
      }
      const choices = Array.isArray(v.choices) ? v.choices : [];
      const c = choices[0] as Record<string, unknown> | undefined;
      if (c) {
        let text: unknown;
        if (isChat) {
          const d = c.delta as Record<string, unknown> | undefined;
          text = d ? (d.content || d.reasoning_content || d.reasoning) : undefined;
        } else text = c.text;
        if (typeof text === 'string' && text.length > 0) {
          sample.chunks++;
          if (sample.firstTokenMs === undefined) sample.firstTokenMs = arrivedMs;
          else if (lastChunkMs !== undefined) sample.chunkGapsMs.push(arrivedMs - lastChunkMs);
          lastChunkMs = arrivedMs;
          sample.lastTokenMs = arrivedMs;
          if (sample.chunks > g.maxTokens + lim.maxTokensSlack) {
            req.destroy();
            return finish({ reason: 'max_tokens_exceeded', message: `more than ${g.maxTokens + lim.maxTokensSlack} output chunks for max_tokens ${g.maxTokens}: the server ignores max_tokens; stopped reading` });
          }
        }
        if (typeof c.finish_reason === 'string' && c.finish_reason) { sawFinish = true; sample.finishReason = c.finish_reason; }
      }
      const u = v.usage as Record<string, unknown> | undefined;
      if (u && typeof u === 'object') {
        const out = num(u.completion_tokens);
        const inp = num(u.prompt_tokens);
        if (out !== undefined) { sample.outputTokens = out; sample.tokenSource = 'usage'; }
        if (inp !== undefined) sample.promptTokens = inp;
      }
      const t = timingsOf(v.timings);
      if (t) sample.server = t;
    };

    const parser = new SseParser(onEvent);
    let req: ClientRequest;
    let retried = false;
    const onResponse = (res: IncomingMessage) => {
      gotResponse = true;
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        res.resume();
        req.destroy();
        const where = res.headers.location ? describeLocation(String(res.headers.location)) : 'no location';
        return finish({ reason: 'redirect_refused', status, message: `HTTP ${status} redirect (to ${where}) refused: only the URL given is contacted` });
      }
      if (status < 200 || status >= 300) {
        const parts: Buffer[] = [];
        let size = 0;
        res.on('data', (d: Buffer) => { if (size < ERROR_BODY_BYTES) { parts.push(d); size += d.length; } });
        res.on('end', () => finish({ reason: 'http_status', status, message: `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}: ${errorText(Buffer.concat(parts).toString('utf8').slice(0, ERROR_BODY_BYTES))}` }));
        res.on('error', () => finish({ reason: 'http_status', status, message: `HTTP ${status}` }));
        return;
      }
      const ct = String(res.headers['content-type'] ?? '');
      if (!/text\/event-stream/i.test(ct)) {
        res.resume();
        req.destroy();
        return finish({ reason: 'malformed_sse', status, message: `the answer is not an event stream (content-type ${ct.slice(0, 60) || 'none'})` });
      }
      res.on('data', (d: Buffer) => {
        if (settled) return;
        arrivedMs = performance.now();
        stall.refresh();
        try { parser.push(d); } catch (e) {
          req.destroy();
          finish({ reason: 'malformed_sse', message: e instanceof Error ? e.message : String(e) });
        }
      });
      res.on('end', () => {
        if (settled) return;
        try { parser.end(); } catch { /* reported below as truncated */ }
        if (settled) return;
        if (!sawDone && !sawFinish) return finish({ reason: 'truncated', message: `the stream ended after ${sample.chunks} output chunks without a finish_reason or [DONE]` });
        if (sample.endMs === undefined) sample.endMs = arrivedMs;
        finish();
      });
      res.on('error', (e) => finish({ reason: 'connection', message: `the answer broke off: ${e.message}` }));
      res.on('aborted', () => finish({ reason: 'connection', message: 'the server closed the connection mid-answer' }));
    };
    let gotResponse = false;
    const send = () => {
      sample.sentMs = performance.now();
      req = ep.request(ep.requestOptions('POST', API_PATH[g.api], {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        'content-length': String(payload.length),
        ...(ep.closesAfterStream ? { connection: 'close' } : {}),
      }), onResponse);
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (settled) return;
        // A kept-alive socket the server had already closed (llama-server closes after every streamed answer
        // although it announces keep-alive): the request never reached it. Resend once on a fresh connection,
        // and stop reusing sockets after streams from now on.
        if (!retried && !gotResponse && req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) {
          retried = true;
          ep.noteStaleSocket();
          send();
          return;
        }
        const code = e.code ? `${e.code}: ` : '';
        finish({ reason: 'connection', message: `${code}${e.message}`.slice(0, 200) });
      });
      req.once('finish', () => { sample.writtenMs = performance.now(); });
      req.end(payload);
    };
    const stall = setTimeout(() => {
      req.destroy();
      finish({ reason: 'stalled', message: `no byte for ${(lim.stallMs / 1e3).toFixed(1)} s${sample.chunks ? ` after ${sample.chunks} output chunks` : ' (no output yet)'}` });
    }, lim.stallMs);
    const total = setTimeout(() => {
      req.destroy();
      finish({ reason: 'timeout', message: `the request took longer than ${(lim.timeoutMs / 1e3).toFixed(0)} s` });
    }, lim.timeoutMs);
    const onAbort = () => {
      req.destroy();
      finish({ reason: 'cancelled', message: String(lim.signal?.reason ?? 'cancelled').slice(0, 120) });
    };
    send();
    if (lim.signal?.aborted) { onAbort(); return; }
    lim.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
