// Reads what sizes a Hub model, headers only, the way the Hub's own tools address it:
//   GET {endpoint}/api/models/{repo}/revision/{rev}?blobs=true   → the commit (sha), files and sizes, gated flag
//   GET {endpoint}/{repo}/resolve/{commit}/config.json            → the config (small)
//   GET …/resolve/{commit}/model.safetensors.index.json           → the shards
//   GET …/resolve/{commit}/{shard} with Range: bytes=0-7, then 8..8+N−1 → each shard's safetensors header
//   GET …/resolve/{commit}/{file}.gguf with growing Range prefixes → the GGUF header (split shards too)
// Addressing by commit makes every answer cacheable forever (HubCache); the revision → commit step is the only
// thing rechecked. Errors are HubErrors with a message that says what to do (gated → request access, 401 → token).
import type { HubEnvironment } from './env';
import { HubError, hubGet, totalSize, TrafficCounter, type HttpOptions } from './http';
import { GgufNeedMore, parseGgufPrefix, DEFAULT_GGUF_LIMITS } from '../gguf';
import { parseModelJson } from '../jsonText';
import { parseSafetensorsHeader, parseSafetensorsIndex, safetensorsHeaderLength, SafetensorsError, type SafetensorsTensor } from './safetensors';
import { summarizeSafetensors, type GgufSummary, type HubFacts } from './facts';
import { pickGgufFile, splitInfo } from './ggufPick';
import type { HubRef } from './ids';

export interface HubClientOptions extends HttpOptions {
  /** Parallel shard-header reads. Default 4. */
  concurrency?: number;
  /** Largest GGUF header fetched (a 256k-token vocabulary is ~10 MB). Default 64 MiB. */
  maxGgufHeaderBytes?: number;
}

const MAX_API_JSON = 16 * 1024 * 1024;
const MAX_CONFIG = 8 * 1024 * 1024;
const FIRST_GGUF_RANGE = 256 * 1024;

interface Sibling {
  rfilename: string;
  size?: number;
  lfs?: { size?: number };
}

function encPath(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}

export class HubClient {
  readonly traffic = new TrafficCounter();

  constructor(private readonly env: HubEnvironment, private readonly opts: HubClientOptions = {}) {}

  private url(repo: string, commit: string, file: string): string {
    return `${this.env.endpoint}/${repo.split('/').map(encodeURIComponent).join('/')}/resolve/${encodeURIComponent(commit)}/${encPath(file)}`;
  }

  private get(url: string, maxBytes: number, repo: string, range?: [number, number], allow?: number[]) {
    if (this.env.offlineReason) throw new HubError(`${repo}: not fetched (${this.env.offlineReason})`, 'offline');
    return hubGet({ url, token: this.env.token, maxBytes, range, allow }, this.opts, this.traffic, repo);
  }

  /** The commit a revision points at, and the repo's files. */
  async revision(repo: string, revision: string): Promise<{ commit: string; files: { name: string; size?: number }[]; gated?: boolean }> {
    const url = `${this.env.endpoint}/api/models/${repo.split('/').map(encodeURIComponent).join('/')}/revision/${encodeURIComponent(revision)}?blobs=true`;
    const res = await this.get(url, MAX_API_JSON, repo);
    let info: { sha?: unknown; siblings?: unknown; gated?: unknown };
    try {
      info = JSON.parse(res.body.toString('utf8')) as typeof info;
    } catch {
      throw new HubError(`${repo}: the Hub's model info is not JSON`, 'bad-response', res.status, url);
    }
    const commit = typeof info.sha === 'string' && /^[0-9a-f]{40}$/.test(info.sha) ? info.sha : res.first.get('x-repo-commit') ?? undefined;
    if (!commit || !/^[0-9a-f]{40}$/.test(commit)) throw new HubError(`${repo}: the Hub named no commit for revision ${revision}`, 'bad-response', res.status, url);
    const siblings = Array.isArray(info.siblings) ? (info.siblings as Sibling[]) : [];
    const files = siblings
      .filter((s) => s && typeof s.rfilename === 'string' && s.rfilename.length < 500 && !s.rfilename.includes('..'))
      .map((s) => ({ name: s.rfilename, size: typeof s.lfs?.size === 'number' ? s.lfs.size : typeof s.size === 'number' ? s.size : undefined }));
    return { commit, files, gated: info.gated === true || info.gated === 'auto' || info.gated === 'manual' };
  }

  private async json(repo: string, commit: string, file: string, maxBytes = MAX_CONFIG): Promise<unknown> {
    const res = await this.get(this.url(repo, commit, file), maxBytes, repo);
    return parseModelJson(res.body.toString('utf8'), `${repo}/${file}`).value;
  }

  /** One shard's safetensors header: 8 bytes, then exactly the header. */
  async safetensorsHeader(repo: string, commit: string, file: string): Promise<{ tensors: SafetensorsTensor[]; headerBytes: number; fileSize?: number }> {
    const where = `${repo}/${file}`;
    const first = await this.get(this.url(repo, commit, file), 4096, repo, [0, 7]);
    const size = totalSize(first);
    const lenBuf = first.status === 206 ? first.body : first.body.subarray(0, 8);
    const len = safetensorsHeaderLength(lenBuf, size, where);
    const head = await this.get(this.url(repo, commit, file), len + 64, repo, [8, 8 + len - 1]);
    const body = head.status === 206 ? head.body : head.body.subarray(8, 8 + len);
    if (body.length < len) throw new SafetensorsError(`${where}: the header was cut short (${body.length} of ${len} bytes)`);
    const h = parseSafetensorsHeader(body.subarray(0, len), size, where);
    return { tensors: h.tensors, headerBytes: h.headerBytes, fileSize: size };
  }

  /** A GGUF header from growing Range prefixes (only what the header needs, never the tensor data). */
  async ggufHeader(repo: string, commit: string, file: string): Promise<GgufSummary> {
    const where = `${repo}/${file}`;
    const cap = this.opts.maxGgufHeaderBytes ?? 64 * 1024 * 1024;
    let buf = Buffer.alloc(0);
    let size: number | undefined;
    let want = FIRST_GGUF_RANGE;
    for (;;) {
      const start = buf.length;
      const end = size !== undefined ? Math.min(size, want) - 1 : want - 1;
      if (end >= start) {
        const res = await this.get(this.url(repo, commit, file), end - start + 1 + 64, repo, [start, end]);
        size ??= totalSize(res);
        const part = res.status === 206 ? res.body : res.body.subarray(start, end + 1);
        buf = Buffer.concat([buf, part]);
      }
      if (size === undefined) throw new HubError(`${where}: the Hub gave no file size for a Range request`, 'bad-response');
      try {
        const info = parseGgufPrefix(buf, size, where, { ...DEFAULT_GGUF_LIMITS, maxHeaderBytes: cap });
        return {
          files: [file], metadata: info.metadata, tensors: info.tensors, totalTensorBytes: info.totalTensorBytes, totalElements: info.totalElements,
          version: info.version, dataOffset: info.dataOffset, fileSize: info.fileSize, alternatives: [],
        };
      } catch (e) {
        if (!(e instanceof GgufNeedMore)) throw e;
        if (e.needed > cap) throw new HubError(`${where}: the GGUF header is larger than ${cap} bytes`, 'too-large');
        if (buf.length >= size) throw e;
        want = Math.min(cap, Math.max(e.needed + 64 * 1024, buf.length * 2));
      }
    }
  }

  /** Everything needed to size `ref`: model info, config or GGUF header, shard headers. */
  async facts(ref: HubRef): Promise<HubFacts> {
    const before = { b: this.traffic.bytes, r: this.traffic.requests };
    const revision = ref.revision ?? 'main';
    const { commit, files, gated } = await this.revision(ref.repo, revision);
    const names = files.map((f) => f.name);
    const notes: string[] = [];
    const facts: HubFacts = {
      v: 1, endpoint: this.env.endpoint, repo: ref.repo, revision, commit, files, gated, bytesRead: 0, requests: 0,
      fetchedAt: new Date().toISOString(), notes,
    };
    const wantsGguf = ref.quant !== undefined || (ref.file !== undefined && /\.gguf$/i.test(ref.file)) || (!names.includes('config.json') && names.some((n) => /\.gguf$/i.test(n)));
    if (wantsGguf) {
      let pick;
      if (ref.file) {
        if (!names.includes(ref.file)) throw new HubError(`${ref.repo}: no file ${ref.file} at ${revision}`, 'not-found');
        const s = splitInfo(ref.file);
        pick = { file: ref.file, shards: s && s.count > 1 ? names.filter((n) => { const x = splitInfo(n); return x && x.prefix === s.prefix && x.count === s.count; }).sort() : [ref.file], reason: 'the file named (--hf-file)' };
      } else {
        pick = pickGgufFile(names, ref.quant);
      }
      if (!pick.file) throw new HubError(`${ref.repo}: ${pick.reason}`, 'not-found');
      notes.push(`GGUF ${pick.file}: ${pick.reason}`);
      const heads = await mapLimit(pick.shards, this.opts.concurrency ?? 4, (f) => this.ggufHeader(ref.repo, commit, f));
      const g = heads[0]!;
      for (const h of heads.slice(1)) {
        g.tensors.push(...h.tensors);
        g.totalTensorBytes += h.totalTensorBytes;
        g.totalElements += h.totalElements;
      }
      g.files = pick.shards;
      g.alternatives = names.filter((n) => /\.gguf$/i.test(n) && !pick.shards.includes(n)).slice(0, 50);
      facts.gguf = g;
    } else {
      if (!names.includes('config.json')) throw new HubError(`${ref.repo}: the repo has neither config.json nor a GGUF file — KV Lens cannot size it`, 'not-found');
      facts.config = await this.json(ref.repo, commit, 'config.json');
      let shards: string[] = [];
      if (names.includes('model.safetensors.index.json')) {
        shards = parseSafetensorsIndex(await this.json(ref.repo, commit, 'model.safetensors.index.json', 64 * 1024 * 1024)).files;
      } else if (names.includes('model.safetensors')) {
        shards = ['model.safetensors'];
      } else {
        notes.push('no safetensors weights in the repo: parameters and weight bytes come from config.json alone');
      }
      if (shards.length) {
        const heads = await mapLimit(shards, this.opts.concurrency ?? 4, (f) => this.safetensorsHeader(ref.repo, commit, f));
        const tensors = heads.flatMap((h) => h.tensors);
        const cfg = facts.config as Record<string, unknown> | undefined;
        const quant = cfg && typeof cfg.quantization_config === 'object' ? cfg.quantization_config as Record<string, unknown> : undefined;
        facts.safetensors = summarizeSafetensors(shards, tensors, quant);
      }
    }
    facts.bytesRead = this.traffic.bytes - before.b;
    facts.requests = this.traffic.requests - before.r;
    return facts;
  }
}
