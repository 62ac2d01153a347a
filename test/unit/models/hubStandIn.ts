// A stand-in for the Hugging Face Hub's network (these machines have none): a real HTTP server on 127.0.0.1 that
// answers in the Hub's URL layout — /api/models/{repo}/revision/{rev}?blobs=true, /{repo}/resolve/{rev}/{file} with
// Range (206 + Content-Range), ETag, X-Repo-Commit, X-Linked-Size, a redirect of weight files to a second "CDN"
// origin — and can inject the faults a real Hub produces (401, 403 gated, 404 with X-Error-Code, 429 with
// Retry-After, 500, a stalled body, truncated or absurd headers). The client under test is the real one.
//
// Weight files are virtual: a real safetensors or GGUF header (generated from real tensor layouts) followed by
// data that is never stored — Range reads inside it return zeros — so a 140 GB model costs a few kilobytes here.
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface VirtualFile {
  head: Buffer;
  /** Bytes after `head` that read as zeros. */
  virtualBytes: number;
}

export type Fault =
  | { kind: 'status'; status: number; times?: number; headers?: Record<string, string> }
  | { kind: 'stall'; afterBytes: number }
  | { kind: 'token'; token: string };

export interface StandInRepo {
  commit: string;
  files: Record<string, VirtualFile | Buffer>;
  /** Faults on the API call or on files (by file name, '*' for all, 'api' for the revision call). */
  faults?: Record<string, Fault>;
  gated?: boolean;
}

export interface RequestLog {
  method: string;
  path: string;
  range?: string;
  authorization?: string;
  host: 'hub' | 'cdn';
}

const isVirtual = (f: VirtualFile | Buffer): f is VirtualFile => !Buffer.isBuffer(f);
const sizeOf = (f: VirtualFile | Buffer): number => (isVirtual(f) ? f.head.length + f.virtualBytes : f.length);

function slice(f: VirtualFile | Buffer, start: number, end: number): Buffer {
  const out = Buffer.alloc(end - start + 1);
  const head = isVirtual(f) ? f.head : f;
  if (start < head.length) head.copy(out, 0, start, Math.min(head.length, end + 1));
  return out;
}

export class HubStandIn {
  readonly repos = new Map<string, StandInRepo>();
  readonly log: RequestLog[] = [];
  private hub?: http.Server;
  private cdn?: http.Server;
  private counts = new Map<string, number>();
  endpoint = '';
  cdnOrigin = '';

  async start(): Promise<this> {
    this.hub = http.createServer((req, res) => this.handle(req, res, 'hub'));
    this.cdn = http.createServer((req, res) => this.handle(req, res, 'cdn'));
    await new Promise<void>((r) => this.hub!.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => this.cdn!.listen(0, '127.0.0.1', r));
    this.endpoint = `http://127.0.0.1:${(this.hub.address() as AddressInfo).port}`;
    this.cdnOrigin = `http://127.0.0.1:${(this.cdn.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of [this.hub, this.cdn]) {
      if (!s) continue;
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }

  add(repo: string, r: StandInRepo): void {
    this.repos.set(repo, r);
  }

  requestsFor(repo: string): RequestLog[] {
    return this.log.filter((l) => l.path.includes(`/${repo}/`) || l.path.endsWith(`/${repo}`) || l.path.includes(`/${repo}?`));
  }

  private fault(r: StandInRepo, key: string): Fault | undefined {
    return r.faults?.[key] ?? r.faults?.['*'];
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, host: 'hub' | 'cdn'): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.log.push({ method: req.method ?? 'GET', path: url.pathname + url.search, range: req.headers.range, authorization: req.headers.authorization, host });
    const send = (status: number, body: Buffer | string, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
      res.end(body);
    };
    let m = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
    const fileMatch = /^\/(?:cdn\/)?([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const repoId = decodeURIComponent((m ?? fileMatch)?.[1] ?? '');
    const r = this.repos.get(repoId);
    if (!r) return send(404, JSON.stringify({ error: 'Repository not found' }), { 'x-error-code': 'RepoNotFound', 'x-error-message': 'Repository not found' });
    const tokenFault = this.fault(r, 'token');
    if (tokenFault?.kind === 'token' && host === 'hub') {
      const auth = req.headers.authorization;
      if (!auth) return send(401, JSON.stringify({ error: 'Access to model is restricted' }), { 'x-error-code': 'GatedRepo', 'x-error-message': 'Access to model is restricted and you are not in the authorized list.' });
      if (auth !== `Bearer ${tokenFault.token}`) return send(403, JSON.stringify({ error: 'gated' }), { 'x-error-code': 'GatedRepo', 'x-error-message': 'Access to model is restricted. Visit the model page to ask for access.' });
    }
    if (m) {
      const f = this.fault(r, 'api');
      if (this.applyStatusFault(f, `api:${repoId}`, send)) return;
      const rev = decodeURIComponent(m[2]!);
      if (rev !== 'main' && rev !== r.commit) return send(404, '{}', { 'x-error-code': 'RevisionNotFound' });
      const siblings = Object.entries(r.files).map(([name, file]) => ({ rfilename: name, size: sizeOf(file), ...(isVirtual(file) ? { lfs: { size: sizeOf(file), sha256: 'x'.repeat(64) } } : {}) }));
      return send(200, JSON.stringify({ id: repoId, sha: r.commit, siblings, gated: r.gated ? 'manual' : false }), { 'content-type': 'application/json', 'x-repo-commit': r.commit });
    }
    m = fileMatch;
    if (!m) return send(404, 'not found');
    const rev = decodeURIComponent(m[2]!);
    const name = m[3]!.split('/').map(decodeURIComponent).join('/');
    const file = r.files[name];
    if (rev !== 'main' && rev !== r.commit) return send(404, '{}', { 'x-error-code': 'RevisionNotFound' });
    if (!file) return send(404, '{}', { 'x-error-code': 'EntryNotFound' });
    const f = this.fault(r, name);
    if (this.applyStatusFault(f, `${repoId}/${name}`, send)) return;
    const etag = `"${crypto.createHash('sha1').update(`${repoId}/${name}/${r.commit}`).digest('hex')}"`;
    // Weight files live on the "CDN": the Hub answers 302 with its own headers, as huggingface.co does for LFS/Xet.
    if (host === 'hub' && isVirtual(file)) {
      res.writeHead(302, { location: `${this.cdnOrigin}/cdn/${repoId}/resolve/${r.commit}/${m[3]}`, 'x-repo-commit': r.commit, 'x-linked-size': String(sizeOf(file)), 'x-linked-etag': etag, 'content-length': '0' });
      return void res.end();
    }
    const size = sizeOf(file);
    const range = req.headers.range ? /^bytes=(\d+)-(\d+)?$/.exec(req.headers.range) : null;
    let start = 0;
    let end = size - 1;
    let status = 200;
    if (range) {
      start = Number(range[1]);
      end = Math.min(size - 1, range[2] !== undefined ? Number(range[2]) : size - 1);
      if (start >= size) return send(416, '', { 'content-range': `bytes */${size}` });
      status = 206;
    } else if (isVirtual(file) && size > 64 * 1024 * 1024) {
      // Never stream gigabytes of zeros: a client that forgets Range gets the headers and the declared length only.
      res.writeHead(200, { 'content-length': String(size), etag, 'x-repo-commit': r.commit });
      return void res.destroy();
    }
    const body = slice(file, start, end);
    const headers: Record<string, string> = { 'content-length': String(body.length), etag, 'x-repo-commit': r.commit, 'accept-ranges': 'bytes' };
    if (status === 206) headers['content-range'] = `bytes ${start}-${end}/${size}`;
    if (f?.kind === 'stall') {
      res.writeHead(status, headers);
      res.write(body.subarray(0, Math.min(f.afterBytes, body.length)));
      return; // never ends: a stalled body
    }
    res.writeHead(status, headers);
    res.end(body);
  }

  private applyStatusFault(f: Fault | undefined, key: string, send: (s: number, b: string, h?: Record<string, string>) => void): boolean {
    if (f?.kind !== 'status') return false;
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    if (f.times !== undefined && n > f.times) return false;
    send(f.status, JSON.stringify({ error: `fault ${f.status}` }), f.headers ?? {});
    return true;
  }
}

// ---- real tensor layouts ------------------------------------------------------------------------------------

export interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
}

const ELEM: Record<string, number> = { BF16: 2, F16: 2, F32: 4, F8_E4M3: 1, U8: 1, I32: 4 };

/** The tensors transformers' modeling_llama/qwen3 create for a config (dense, or Qwen3-MoE experts). */
export function llamaLikeTensors(cfg: Record<string, number | boolean | string>, dtype = 'BF16'): TensorEntry[] {
  const H = Number(cfg.hidden_size);
  const L = Number(cfg.num_hidden_layers);
  const nh = Number(cfg.num_attention_heads);
  const kv = Number(cfg.num_key_value_heads ?? nh);
  const hd = Number(cfg.head_dim ?? H / nh);
  const V = Number(cfg.vocab_size);
  const I = Number(cfg.intermediate_size);
  const experts = Number(cfg.num_experts ?? 0);
  const moeI = Number(cfg.moe_intermediate_size ?? 0);
  const qkNorm = String(cfg.model_type ?? '').startsWith('qwen3');
  const out: TensorEntry[] = [{ name: 'model.embed_tokens.weight', dtype, shape: [V, H] }];
  for (let l = 0; l < L; l++) {
    const p = `model.layers.${l}.`;
    out.push({ name: `${p}input_layernorm.weight`, dtype, shape: [H] });
    out.push({ name: `${p}self_attn.q_proj.weight`, dtype, shape: [nh * hd, H] });
    out.push({ name: `${p}self_attn.k_proj.weight`, dtype, shape: [kv * hd, H] });
    out.push({ name: `${p}self_attn.v_proj.weight`, dtype, shape: [kv * hd, H] });
    out.push({ name: `${p}self_attn.o_proj.weight`, dtype, shape: [H, nh * hd] });
    if (qkNorm) {
      out.push({ name: `${p}self_attn.q_norm.weight`, dtype, shape: [hd] });
      out.push({ name: `${p}self_attn.k_norm.weight`, dtype, shape: [hd] });
    }
    out.push({ name: `${p}post_attention_layernorm.weight`, dtype, shape: [H] });
    if (experts > 0) {
      out.push({ name: `${p}mlp.gate.weight`, dtype, shape: [experts, H] });
      for (let e = 0; e < experts; e++) {
        out.push({ name: `${p}mlp.experts.${e}.gate_proj.weight`, dtype, shape: [moeI, H] });
        out.push({ name: `${p}mlp.experts.${e}.up_proj.weight`, dtype, shape: [moeI, H] });
        out.push({ name: `${p}mlp.experts.${e}.down_proj.weight`, dtype, shape: [H, moeI] });
      }
    } else {
      out.push({ name: `${p}mlp.gate_proj.weight`, dtype, shape: [I, H] });
      out.push({ name: `${p}mlp.up_proj.weight`, dtype, shape: [I, H] });
      out.push({ name: `${p}mlp.down_proj.weight`, dtype, shape: [H, I] });
    }
  }
  out.push({ name: 'model.norm.weight', dtype, shape: [H] });
  if (cfg.tie_word_embeddings !== true) out.push({ name: 'lm_head.weight', dtype, shape: [V, H] });
  return out;
}

export const elementsOf = (t: TensorEntry): number => t.shape.reduce((a, b) => a * b, 1);
export const bytesOf = (t: TensorEntry): number => elementsOf(t) * (ELEM[t.dtype] ?? 2);

/** A safetensors file with a real header; its data is virtual. The header is space-padded to 8 bytes as the library does. */
export function safetensorsFile(tensors: TensorEntry[], meta: Record<string, string> = { format: 'pt' }): VirtualFile {
  const header: Record<string, unknown> = { __metadata__: meta };
  let off = 0;
  for (const t of tensors) {
    const b = bytesOf(t);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + b] };
    off += b;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return { head: Buffer.concat([len, Buffer.from(json)]), virtualBytes: off };
}

/** Shards like `save_pretrained` writes: model-0000k-of-0000n.safetensors plus the index with the weight map. */
export function shardedSafetensors(tensors: TensorEntry[], shards: number): Record<string, VirtualFile | Buffer> {
  const files: Record<string, VirtualFile | Buffer> = {};
  const weightMap: Record<string, string> = {};
  const per = Math.ceil(tensors.length / shards);
  let total = 0;
  for (let s = 0; s < shards; s++) {
    const part = tensors.slice(s * per, (s + 1) * per);
    if (!part.length) continue;
    const name = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    files[name] = safetensorsFile(part);
    for (const t of part) {
      weightMap[t.name] = name;
      total += bytesOf(t);
    }
  }
  files['model.safetensors.index.json'] = Buffer.from(JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }));
  return files;
}

export function fakeCommit(seed: string): string {
  return crypto.createHash('sha1').update(seed).digest('hex');
}
