// The one resolver: turns the `model:` reference of a profile, a vLLM config, a llama.cpp command or the CLI into a
// ModelDescriptor. Sources, in the order it asks them:
//   a local file or folder (.gguf, config.json, a folder holding one)          — plain paths as before
//   Ollama's store for Ollama names (qwen3:8b)                                    — ollama/
//   LM Studio's models folder, the huggingface_hub cache, KV Lens's Hub cache   — lmStudio/, hfCache/, hub/cache.ts
//   the offline catalog (data/models.json)                                       — catalog.ts
//   the Hub itself (headers only)                                               — hub/client.ts
// Network use is a mode: 'off' (the default for callers that never opted in), 'blocking' (the CLI awaits the Hub)
// and 'background' (the editor: the answer comes at once from memory and caches, or as `pending` with a promise;
// each model is fetched once per session and onDidResolve fires when it arrives). resolve() never throws.
import * as os from 'node:os';
import * as path from 'node:path';
import { ModelDescriptor } from './descriptor';
import { GgufError, GgufModelInfo, readGgufSync } from './gguf';
import { descriptorFromGguf } from './ggufDescriptor';
import { descriptorFromHfConfig } from './hfConfig';
import { parseModelJson } from './jsonText';
import { catalogDescriptor, findCatalogModel, listCatalogModels } from './catalog';
import { readTextIfExists, statOrUndefined, listDir, readBytes } from './fileAccess';
import { parseModelRef, type HubRef, type OllamaRef } from './hub/ids';
import { hubEnvironment, type HubEnvironment, type HubSettings } from './hub/env';
import { HubCache, REF_TTL_MS } from './hub/cache';
import { HubClient, type HubClientOptions } from './hub/client';
import { HubError } from './hub/http';
import { descriptorFromHubFacts } from './hub/descriptor';
import type { HubFacts } from './hub/facts';
import { hfCacheLookup } from './hfCache';
import { ollamaLookup, ollamaModelsDir } from './ollama';
import { lmStudioLookup, lmStudioRoots } from './lmStudio';

export type ResolvedKind = 'gguf' | 'hf-config' | 'catalog' | 'hub' | 'hf-cache' | 'ollama' | 'lmstudio' | 'pending' | 'missing' | 'error';

export interface ResolvedModel {
  kind: ResolvedKind;
  descriptor?: ModelDescriptor;
  /** Absolute path of the file that was read (GGUF or config.json). */
  path?: string;
  /** Why there is no descriptor (missing / error), in words for a diagnostic. */
  error?: string;
  /** kind 'pending': settles with the final answer (also announced through onDidResolve). */
  pending?: Promise<ResolvedModel>;
  /** What was read, from where, and what it cost (for `kvlens models resolve` and hovers). */
  origin?: { store: string; where: string; commit?: string; bytes?: number; requests?: number; cached?: boolean };
  /** Places that were looked in (offline answers list them). */
  checked?: string[];
}

export interface ModelResolver {
  resolve(ref: string, baseDir: string): Promise<ResolvedModel>;
  /** Called when a `pending` answer settles (editor: re-analyse documents that use the model). */
  onDidResolve(listener: (ref: string, result: ResolvedModel) => void): () => void;
  /** Forget every cached result. */
  clear(): void;
}

export type NetworkMode = 'off' | 'blocking' | 'background';

export interface ModelResolverOptions {
  /** Entries kept (least recently used dropped first). Default 64. */
  maxEntries?: number;
  /** For `~` expansion and the default store locations; default os.homedir(). */
  homeDir?: string;
  /** Whether the Hub may be asked, and whether the caller waits for it. Default 'off'. */
  network?: NetworkMode;
  /** Machine/application-scoped Hub settings (endpoint, token file, network switch, workspace trust). */
  hub?: HubSettings;
  /** Environment (HF_*, OLLAMA_MODELS, XDG_CACHE_HOME); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** HTTP timeouts and retries (tests shorten them). */
  http?: HubClientOptions;
  /** Extra LM Studio models folder (machine-scoped setting). */
  lmStudioFolder?: string;
}

const MAX_CONFIG_BYTES = 8 * 1024 * 1024;
/** Offline answers (catalog, cached) are looked up in the local stores again after this long. */
const LOCAL_RECHECK_MS = 30_000;
const SHARD_RE = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/i;

function expandHome(ref: string, home: string): string {
  if (ref === '~') return home;
  if (ref.startsWith('~/') || ref.startsWith('~\\')) return path.join(home, ref.slice(2));
  return ref;
}

/** Looks like a path rather than a hub id: explicit prefixes, separators hubs do not use, or a file extension. */
function looksLikePath(ref: string): boolean {
  return /^(\.{1,2}[\\/]|[\\/]|~|[A-Za-z]:[\\/])/.test(ref) || ref.includes('\\') || /\.(gguf|json)$/i.test(ref) ||
    ref.split('/').length > 2;
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

function closestCatalogIds(ref: string): string[] {
  const r = ref.toLowerCase();
  return listCatalogModels()
    .map((e) => ({ id: e.id, d: Math.min(editDistance(r, e.id.toLowerCase()), ...(e.aliases ?? []).map((a) => editDistance(r, a.toLowerCase()))) }))
    .filter((x) => x.d <= Math.max(3, Math.floor(r.length / 4)))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((x) => x.id);
}

/** Reads a GGUF; for a split model (`name-00001-of-00003.gguf`) the other shards' tensors are added. */
function readGgufModel(file: string): GgufModelInfo {
  const info = readGgufSync(file);
  const m = SHARD_RE.exec(path.basename(file));
  if (!m || Number(m[2]) !== 1) return info;
  const count = Number(m[3]);
  for (let i = 2; i <= count; i++) {
    const shard = path.join(path.dirname(file), `${m[1]}-${String(i).padStart(5, '0')}-of-${m[3]}.gguf`);
    if (!statOrUndefined(shard)) throw new GgufError(`split GGUF: shard ${i} of ${count} is missing (${shard})`);
    const part = readGgufSync(shard);
    info.tensors.push(...part.tensors);
    info.totalTensorBytes += part.totalTensorBytes;
    info.totalElements += part.totalElements;
  }
  return info;
}

function readConfigJson(file: string): unknown {
  const text = readTextIfExists(file, MAX_CONFIG_BYTES);
  if (text === undefined) throw new Error(`${file} does not exist`);
  return parseModelJson(text, file).value;
}

function fileStartsWithGguf(file: string): boolean {
  const b = readBytes(file, 0, 4);
  return b.length === 4 && b.toString('latin1') === 'GGUF';
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function createModelResolver(opts: ModelResolverOptions = {}): ModelResolver {
  const maxEntries = opts.maxEntries ?? 64;
  const home = opts.homeDir ?? os.homedir();
  const env = opts.env ?? process.env;
  const network: NetworkMode = opts.network ?? 'off';
  const cache = new Map<string, Promise<ResolvedModel>>();
  const hubAnswers = new Map<string, Promise<ResolvedModel>>();
  const offlineAnswers = new Map<string, { answer: Promise<ResolvedModel>; at: number }>();
  const listeners = new Set<(ref: string, result: ResolvedModel) => void>();
  let hubEnv: HubEnvironment | undefined;
  let client: HubClient | undefined;
  const envOf = (): HubEnvironment => (hubEnv ??= hubEnvironment(opts.hub, env, (p) => { try { return readTextIfExists(p, 4096); } catch { return undefined; } }, home));
  const hubCache = (): HubCache => new HubCache(envOf().kvlensCache, envOf().endpoint);

  function remember(key: string, make: () => ResolvedModel | Promise<ResolvedModel>): Promise<ResolvedModel> {
    const hit = cache.get(key);
    if (hit) {
      cache.delete(key);
      cache.set(key, hit);
      return hit;
    }
    const p = Promise.resolve().then(make);
    cache.set(key, p);
    while (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
    return p;
  }

  // Callers get their own copy of what they might change; the per-layer plan and vLLM spec are facts shared by
  // every copy (nothing changes them after reading), so a repeat resolve costs no deep copy of 100-layer tables.
  function cloneResult(r: ResolvedModel): ResolvedModel {
    const d = r.descriptor;
    if (!d) return { ...r };
    return {
      ...r,
      descriptor: {
        ...d, source: { ...d.source }, kvHeadsPerLayer: [...d.kvHeadsPerLayer], layerKinds: [...d.layerKinds],
        llamaCppLayerKinds: d.llamaCppLayerKinds ? [...d.llamaCppLayerKinds] : undefined, mla: d.mla ? { ...d.mla } : undefined,
        moe: d.moe ? { ...d.moe } : undefined, missing: [...d.missing], notes: [...d.notes], provenance: d.provenance?.map((p) => ({ ...p })),
      },
    };
  }

  function fromFile(abs: string, st: { mtimeMs: number; size: number }, store?: ResolvedKind, where?: string): Promise<ResolvedModel> {
    return remember(`${abs}\0${st.mtimeMs}\0${st.size}\0${store ?? ''}`, () => {
      try {
        const isGguf = /\.gguf$/i.test(abs) || (!/\.json$/i.test(abs) && fileStartsWithGguf(abs));
        if (isGguf) {
          const info = readGgufModel(abs);
          return { kind: store ?? 'gguf', path: abs, descriptor: descriptorFromGguf(info, abs), origin: { store: store ?? 'file', where: where ?? abs, bytes: info.dataOffset } };
        }
        const json = readConfigJson(abs);
        const parentName = path.basename(path.dirname(abs));
        return { kind: 'hf-config', path: abs, descriptor: descriptorFromHfConfig(json, parentName, { kind: 'hf-config', path: abs }), origin: { store: 'file', where: abs } };
      } catch (e) {
        return { kind: 'error', path: abs, error: message(e) };
      }
    });
  }

  function fromFacts(facts: HubFacts, kind: ResolvedKind, where: string, cached: boolean): ResolvedModel {
    try {
      return {
        kind, descriptor: descriptorFromHubFacts(facts, where), path: where,
        origin: { store: kind, where, commit: facts.commit, bytes: cached ? 0 : facts.bytesRead, requests: cached ? 0 : facts.requests, cached },
      };
    } catch (e) {
      return { kind: 'error', error: `${facts.repo} (${where}): ${message(e)}` };
    }
  }

  function ollama(ref: OllamaRef, text: string): Promise<ResolvedModel> {
    const dir = ollamaModelsDir(env, home);
    try {
      const hit = ollamaLookup(ref, dir);
      if (!hit) {
        return Promise.resolve({ kind: 'missing', error: `${text} is not in Ollama's store (looked in ${path.join(dir, 'manifests')}; run \`ollama pull ${text}\` or set OLLAMA_MODELS)`, checked: [dir] });
      }
      const st = statOrUndefined(hit.gguf)!;
      return fromFile(hit.gguf, st, 'ollama', `Ollama ${hit.name} (${hit.manifest})`).then((r) => (r.descriptor
        ? { ...r, descriptor: { ...r.descriptor, notes: [...r.descriptor.notes, `from Ollama's store: ${hit.name} → ${hit.gguf}`] } }
        : r));
    } catch (e) {
      return Promise.resolve({ kind: 'error', error: message(e) });
    }
  }

  /** Local stores and caches only: never a request. */
  function hubFromCaches(ref: HubRef, checked: string[]): ResolvedModel | undefined {
    const e = envOf();
    const lm = lmStudioLookup(ref.repo, ref.quant, lmStudioRoots(opts.lmStudioFolder, home));
    checked.push('LM Studio models folder');
    if (lm && !ref.file) {
      try {
        const info = readGgufModel(lm.gguf);
        const d = descriptorFromGguf(info, lm.gguf);
        d.notes.push(`from LM Studio's models folder: ${lm.gguf} (${lm.reason})`);
        return { kind: 'lmstudio', path: lm.gguf, descriptor: d, origin: { store: 'lmstudio', where: lm.gguf, bytes: info.dataOffset } };
      } catch (err) {
        return { kind: 'error', path: lm.gguf, error: message(err) };
      }
    }
    checked.push(`huggingface_hub cache (${e.hfHubCache})`);
    try {
      const hf = hfCacheLookup(e.hfHubCache, ref, e.endpoint);
      if (hf) return fromFacts(hf.facts, 'hf-cache', hf.snapshot, true);
    } catch (err) {
      return { kind: 'error', error: `${ref.repo} in the huggingface_hub cache: ${message(err)}` };
    }
    checked.push(`KV Lens Hub cache (${e.kvlensCache})`);
    const c = hubCache();
    const r = c.ref(ref.repo, ref.revision ?? 'main');
    if (r) {
      const facts = c.facts(ref.repo, r.commit, factsKey(ref));
      if (facts) {
        const res = fromFacts(facts, 'hub', `${e.endpoint}/${ref.repo}@${r.commit.slice(0, 12)} (cached)`, true);
        if (Date.now() - r.checkedAt > REF_TTL_MS) (res as ResolvedModel & { stale?: boolean }).stale = true;
        return res;
      }
    }
    return undefined;
  }

  function factsKey(ref: HubRef): string {
    return ref.file ? `facts-file-${ref.file}` : ref.quant ? `facts-quant-${ref.quant}` : 'facts';
  }

  async function fetchHub(ref: HubRef, text: string, checked: string[]): Promise<ResolvedModel> {
    const e = envOf();
    client ??= new HubClient(e, opts.http);
    try {
      const facts = await client.facts(ref);
      hubCache().put(facts, factsKey(ref));
      return fromFacts(facts, 'hub', `${e.endpoint}/${ref.repo}@${facts.commit.slice(0, 12)}`, false);
    } catch (err) {
      const cachedNote = checked.length ? ` (not in: ${checked.join(', ')})` : '';
      if (err instanceof HubError) {
        if (err.kind === 'not-found') return { kind: 'missing', error: `${err.message}${cachedNote}`, checked };
        return { kind: 'error', error: `${err.message}${err.kind === 'network' || err.kind === 'timeout' ? cachedNote : ''}`, checked };
      }
      return { kind: 'error', error: `${text}: ${message(err)}`, checked };
    }
  }

  function hub(ref: HubRef, text: string): Promise<ResolvedModel> {
    const e = envOf();
    const key = `${e.endpoint}\0${ref.repo}\0${ref.revision ?? ''}\0${ref.quant ?? ''}\0${ref.file ?? ''}`;
    const known = hubAnswers.get(key);
    if (known) return known;
    const recheck = offlineAnswers.get(key);
    if (recheck && Date.now() - recheck.at < LOCAL_RECHECK_MS) return recheck.answer;
    const checked: string[] = [];
    const local = hubFromCaches(ref, checked);
    if (local && !(local as { stale?: boolean }).stale) {
      const p = Promise.resolve(local);
      hubAnswers.set(key, p);
      return p;
    }
    const entry = !ref.quant && !ref.file ? findCatalogModel(text) : undefined;
    const offline = network === 'off' ? 'network resolution is off for this caller' : e.offlineReason;
    if (offline) {
      // Without the network the answer only changes when a local store does: looked up again after a while.
      const answer = local ? Promise.resolve(local) : entry ? remember(`catalog\0${entry.id}`, () => catalogResult(entry)) : undefined;
      if (answer) {
        offlineAnswers.set(key, { answer, at: Date.now() });
        return answer;
      }
      const close = closestCatalogIds(text);
      const miss = Promise.resolve<ResolvedModel>({
        kind: 'missing', checked,
        error: `${ref.repo} is not in KV Lens's catalog or any local cache, and the Hub was not asked (${offline}); looked in: ${checked.join(', ')}` +
          (network === 'off' ? '' : ' — download it (`huggingface-cli download`) or turn network resolution on') + (close.length ? ` — did you mean ${close.join(', ')}?` : ''),
      });
      offlineAnswers.set(key, { answer: miss, at: Date.now() });
      return miss;
    }
    // What to show until (or instead of) the Hub's answer: a stale cached answer, else the catalog entry.
    const interim = local ?? (entry ? catalogResult(entry) : undefined);
    const fetching = fetchHub(ref, text, checked).then((r) => {
      // A refresh that failed keeps what it was refreshing (with the reason), as does a catalog model.
      let final = r;
      if (!r.descriptor && interim?.descriptor) {
        final = { ...interim, descriptor: { ...interim.descriptor, notes: [...interim.descriptor.notes, `the Hub could not be read (${r.error ?? r.kind}): ${interim.kind === 'catalog' ? "KV Lens's catalog entry" : 'the cached answer'} is used`] } };
      }
      hubAnswers.set(key, Promise.resolve(final));
      for (const l of listeners) {
        try { l(text, final); } catch { /* a listener's failure is not the resolver's */ }
      }
      return final;
    });
    hubAnswers.set(key, fetching);
    if (network === 'background') {
      if (interim) return Promise.resolve(interim);
      return Promise.resolve({ kind: 'pending', pending: fetching, error: `resolving ${ref.repo}${ref.quant ? `:${ref.quant}` : ''}…` });
    }
    return fetching;
  }

  function catalogResult(entry: NonNullable<ReturnType<typeof findCatalogModel>>): ResolvedModel {
    try {
      return { kind: 'catalog', descriptor: catalogDescriptor(entry), origin: { store: 'catalog', where: `data/models.json (${entry.source})` } };
    } catch (e) {
      return { kind: 'error', error: `catalog entry ${entry.id}: ${message(e)}` };
    }
  }

  async function resolveUncaught(ref: string, baseDir: string): Promise<ResolvedModel> {
    const trimmed = ref.trim();
    if (!trimmed) return { kind: 'error', error: 'empty model reference' };
    const parsed = parseModelRef(trimmed);
    const expanded = expandHome(trimmed, home);
    const abs = path.resolve(baseDir, expanded);
    // A Hub URL or hf:// reference is never a local path.
    const st = parsed.kind === 'hub' && parsed.spelling !== 'id' && parsed.spelling !== 'llama-hf' ? undefined : statOrUndefined(abs);
    if (st?.isFile()) return fromFile(abs, st);
    if (st?.isDirectory()) {
      const config = path.join(abs, 'config.json');
      const cst = statOrUndefined(config);
      if (cst?.isFile()) return fromFile(config, cst);
      // A folder of GGUF files: the first one by name (a split model's first shard sorts first and pulls in
      // the others); a model folder rarely holds more than one quantization, and the diagnostic names the pick.
      const ggufs = listDir(abs).filter((n) => /\.gguf$/i.test(n) && !/^mmproj/i.test(n)).sort();
      const first = ggufs.find((n) => !SHARD_RE.test(n) || Number(SHARD_RE.exec(n)![2]) === 1) ?? ggufs[0];
      if (first) {
        const file = path.join(abs, first);
        const fst = statOrUndefined(file);
        if (fst?.isFile()) {
          const r = await fromFile(file, fst);
          if (r.descriptor && ggufs.length > 1) {
            return { ...r, descriptor: { ...r.descriptor, notes: [...r.descriptor.notes, `folder holds ${ggufs.length} GGUF files: using ${first}`] } };
          }
          return r;
        }
      }
      return { kind: 'error', path: abs, error: `${abs} is a folder without config.json or a .gguf file` };
    }
    if (st) return { kind: 'error', path: abs, error: `${abs} is neither a file nor a folder` };

    if (parsed.kind === 'ollama') return ollama(parsed, trimmed);
    if (parsed.kind === 'hub') return hub(parsed, trimmed);

    const entry = findCatalogModel(trimmed);
    if (entry) return remember(`catalog\0${entry.id}`, () => catalogResult(entry));
    if (looksLikePath(trimmed)) return { kind: 'missing', path: abs, error: `model file not found: ${abs}` };
    const close = closestCatalogIds(trimmed);
    return {
      kind: 'missing',
      error: `${trimmed} is neither a local file or folder (looked for ${abs}) nor a model in KV Lens's catalog` +
        (close.length ? ` — did you mean ${close.join(', ')}?` : ''),
    };
  }

  return {
    async resolve(ref: string, baseDir: string): Promise<ResolvedModel> {
      try {
        return cloneResult(await resolveUncaught(String(ref ?? ''), baseDir || process.cwd()));
      } catch (e) {
        return { kind: 'error', error: message(e) };
      }
    },
    onDidResolve(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    clear(): void {
      cache.clear();
      hubAnswers.clear();
      offlineAnswers.clear();
      hubEnv = undefined;
      client = undefined;
    },
  };
}
