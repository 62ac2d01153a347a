// Turns the `model:` reference of a profile or config into a ModelDescriptor: a .gguf file, a config.json (or a
// folder holding one), or a catalog id. Results are cached by absolute path + mtime + size, so re-analysing a
// document on every keystroke never re-reads a model file. resolve() never throws: failures are results.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ModelDescriptor } from './descriptor';
import { GgufError, GgufModelInfo, readGgufSync } from './gguf';
import { descriptorFromGguf } from './ggufDescriptor';
import { descriptorFromHfConfig } from './hfConfig';
import { parseModelJson } from './jsonText';
import { catalogDescriptor, findCatalogModel, listCatalogModels } from './catalog';

export interface ResolvedModel {
  kind: 'gguf' | 'hf-config' | 'catalog' | 'missing' | 'error';
  descriptor?: ModelDescriptor;
  /** Absolute path of the file that was read (GGUF or config.json). */
  path?: string;
  /** Why there is no descriptor (missing / error), in words for a diagnostic. */
  error?: string;
}

export interface ModelResolver {
  resolve(ref: string, baseDir: string): Promise<ResolvedModel>;
  /** Forget every cached result. */
  clear(): void;
}

export interface ModelResolverOptions {
  /** Entries kept (least recently used dropped first). Default 64. */
  maxEntries?: number;
  /** For `~` expansion; default os.homedir(). */
  homeDir?: string;
}

const MAX_CONFIG_BYTES = 8 * 1024 * 1024;
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

function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
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

function readConfigJson(file: string, size: number): unknown {
  if (size > MAX_CONFIG_BYTES) throw new Error(`${file} is ${size} bytes: too large for a config.json (limit ${MAX_CONFIG_BYTES})`);
  return parseModelJson(fs.readFileSync(file, 'utf8'), file).value;
}

function fileStartsWithGguf(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(4);
    return fs.readSync(fd, b, 0, 4, 0) === 4 && b.toString('latin1') === 'GGUF';
  } finally {
    fs.closeSync(fd);
  }
}

export function createModelResolver(opts: ModelResolverOptions = {}): ModelResolver {
  const maxEntries = opts.maxEntries ?? 64;
  const home = opts.homeDir ?? os.homedir();
  const cache = new Map<string, Promise<ResolvedModel>>();

  function remember(key: string, make: () => ResolvedModel): Promise<ResolvedModel> {
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

  function cloneResult(r: ResolvedModel): ResolvedModel {
    return r.descriptor ? { ...r, descriptor: structuredClone(r.descriptor) } : { ...r };
  }

  function fromFile(abs: string, st: fs.Stats): Promise<ResolvedModel> {
    return remember(`${abs}\0${st.mtimeMs}\0${st.size}`, () => {
      try {
        const isGguf = /\.gguf$/i.test(abs) || (!/\.json$/i.test(abs) && fileStartsWithGguf(abs));
        if (isGguf) {
          const info = readGgufModel(abs);
          return { kind: 'gguf', path: abs, descriptor: descriptorFromGguf(info, abs) };
        }
        const json = readConfigJson(abs, st.size);
        const parentName = path.basename(path.dirname(abs));
        return { kind: 'hf-config', path: abs, descriptor: descriptorFromHfConfig(json, parentName, { kind: 'hf-config', path: abs }) };
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        return { kind: 'error', path: abs, error: msg };
      }
    });
  }

  async function resolveUncaught(ref: string, baseDir: string): Promise<ResolvedModel> {
    const trimmed = ref.trim();
    if (!trimmed) return { kind: 'error', error: 'empty model reference' };
    const expanded = expandHome(trimmed, home);
    const abs = path.resolve(baseDir, expanded);
    const st = statOrUndefined(abs);
    if (st?.isFile()) return fromFile(abs, st);
    if (st?.isDirectory()) {
      const config = path.join(abs, 'config.json');
      const cst = statOrUndefined(config);
      if (cst?.isFile()) return fromFile(config, cst);
      // A folder of GGUF files: the first one by name (a split model's first shard sorts first and pulls in
      // the others); a model folder rarely holds more than one quantization, and the diagnostic names the pick.
      let ggufs: string[] = [];
      try {
        ggufs = fs.readdirSync(abs).filter((n) => /\.gguf$/i.test(n) && !/^mmproj/i.test(n)).sort();
      } catch (e) {
        return { kind: 'error', path: abs, error: `cannot list ${abs}: ${(e as Error).message}` };
      }
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

    const entry = findCatalogModel(trimmed);
    if (entry) {
      return remember(`catalog\0${entry.id}`, () => {
        try {
          return { kind: 'catalog', descriptor: catalogDescriptor(entry) };
        } catch (e) {
          return { kind: 'error', error: `catalog entry ${entry.id}: ${(e as Error).message}` };
        }
      });
    }
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
        return { kind: 'error', error: e instanceof Error ? e.message : String(e) };
      }
    },
    clear(): void {
      cache.clear();
    },
  };
}
