// The huggingface_hub cache as a local model store (the layout huggingface_hub and the bundled llama.cpp's
// common/hf-cache.cpp share): $HF_HUB_CACHE/models--{org}--{name}/refs/{revision} holds a commit id,
// snapshots/{commit}/{file} are (usually) symlinks into blobs/. What is found there is read like a Hub answer:
// config.json, the safetensors index and each shard's header, or a GGUF header — from disk, no network.
import * as path from 'node:path';
import { listDir, readBytes, readTextIfExists, statOrUndefined } from '../fileAccess';
import type { HubFacts } from '../hub/facts';
import { summarizeSafetensors } from '../hub/facts';
import { repoFolderName, type HubRef } from '../hub/ids';
import { pickGgufFile } from '../hub/ggufPick';
import { parseModelJson } from '../jsonText';
import { parseSafetensorsHeader, parseSafetensorsIndex, safetensorsHeaderLength, SafetensorsError } from '../hub/safetensors';
import { readGgufSync } from '../gguf';

export interface HfCacheHit {
  snapshot: string;
  commit: string;
  facts: HubFacts;
}

function listFiles(dir: string, prefix = '', depth = 0, out: string[] = []): string[] {
  if (depth > 3 || out.length > 5000) return out;
  for (const n of listDir(dir)) {
    const p = path.join(dir, n);
    const st = statOrUndefined(p);
    if (!st) continue;
    if (st.isDirectory()) listFiles(p, `${prefix}${n}/`, depth + 1, out);
    else if (st.isFile()) out.push(`${prefix}${n}`);
  }
  return out;
}

/** The snapshot a revision points at in the HF cache, when the cache has one. */
export function hfCacheSnapshot(hubCache: string, ref: HubRef): { snapshot: string; commit: string } | undefined {
  const repoDir = path.join(hubCache, repoFolderName(ref.repo));
  const revision = ref.revision ?? 'main';
  let commit: string | undefined;
  if (/^[0-9a-f]{40}$/.test(revision)) commit = revision;
  else {
    const t = readTextIfExists(path.join(repoDir, 'refs', ...revision.split('/')), 256)?.trim();
    if (t && /^[0-9a-f]{40}$/.test(t)) commit = t;
  }
  if (!commit) {
    // No ref file: a single snapshot is unambiguous (offline copies made with `hf download --local-dir` are not).
    const snaps = listDir(path.join(repoDir, 'snapshots')).filter((s) => /^[0-9a-f]{40}$/.test(s));
    if (snaps.length === 1 && ref.revision === undefined) commit = snaps[0];
  }
  if (!commit) return undefined;
  const snapshot = path.join(repoDir, 'snapshots', commit);
  return statOrUndefined(snapshot)?.isDirectory() ? { snapshot, commit } : undefined;
}

/** Facts from a snapshot folder (any folder laid out like a Hub repo). Throws on unreadable headers. */
export function factsFromFolder(folder: string, ref: HubRef, commit: string, endpoint: string): HubFacts | undefined {
  const files = listFiles(folder);
  const notes: string[] = [];
  const facts: HubFacts = {
    v: 1, endpoint, repo: ref.repo, revision: ref.revision ?? 'main', commit, files: files.map((name) => ({ name })), bytesRead: 0, requests: 0,
    fetchedAt: new Date().toISOString(), notes,
  };
  const wantsGguf = ref.quant !== undefined || (ref.file !== undefined && /\.gguf$/i.test(ref.file)) || (!files.includes('config.json') && files.some((f) => /\.gguf$/i.test(f)));
  if (wantsGguf) {
    const pick = ref.file ? { file: files.includes(ref.file) ? ref.file : undefined, shards: [ref.file], reason: 'the file named' } : pickGgufFile(files, ref.quant);
    if (!pick.file) return undefined;
    const info = readGgufSync(path.join(folder, pick.file));
    facts.gguf = {
      files: [pick.file], metadata: info.metadata, tensors: info.tensors, totalTensorBytes: info.totalTensorBytes, totalElements: info.totalElements,
      version: info.version, dataOffset: info.dataOffset, fileSize: info.fileSize, alternatives: files.filter((f) => /\.gguf$/i.test(f) && f !== pick.file).slice(0, 50),
    };
    notes.push(`GGUF ${pick.file}: ${pick.reason}`);
    return facts;
  }
  const cfgText = readTextIfExists(path.join(folder, 'config.json'), 8 * 1024 * 1024);
  if (cfgText === undefined) return undefined;
  facts.config = parseModelJson(cfgText, path.join(folder, 'config.json')).value;
  let shards: string[] = [];
  const idx = readTextIfExists(path.join(folder, 'model.safetensors.index.json'), 64 * 1024 * 1024);
  if (idx !== undefined) shards = parseSafetensorsIndex(parseModelJson(idx, 'model.safetensors.index.json').value).files;
  else if (files.includes('model.safetensors')) shards = ['model.safetensors'];
  const present = shards.filter((s) => statOrUndefined(path.join(folder, s))?.isFile());
  if (present.length && present.length === shards.length) {
    const tensors = present.flatMap((s) => {
      const p = path.join(folder, s);
      const size = statOrUndefined(p)!.size;
      const len = safetensorsHeaderLength(readBytes(p, 0, 8), size, p);
      const body = readBytes(p, 8, len);
      if (body.length < len) throw new SafetensorsError(`${p}: truncated header`);
      return parseSafetensorsHeader(body, size, p).tensors;
    });
    const cfg = facts.config as Record<string, unknown>;
    facts.safetensors = summarizeSafetensors(shards, tensors, typeof cfg?.quantization_config === 'object' ? cfg.quantization_config as Record<string, unknown> : undefined);
  } else if (shards.length) {
    notes.push(`${shards.length - present.length} of ${shards.length} safetensors shards are not in the cache: parameters from config.json`);
  }
  return facts;
}

export function hfCacheLookup(hubCache: string, ref: HubRef, endpoint: string): HfCacheHit | undefined {
  const snap = hfCacheSnapshot(hubCache, ref);
  if (!snap) return undefined;
  const facts = factsFromFolder(snap.snapshot, ref, snap.commit, endpoint);
  return facts ? { ...snap, facts } : undefined;
}
