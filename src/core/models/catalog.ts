// The offline model catalog (data/models.json): popular open models by Hugging Face id, each a trimmed
// config.json plus its source URL, so `model: meta-llama/Llama-3.1-70B-Instruct` estimates without a download.

import catalogJson from '../../../data/models.json';
import { ModelDescriptor } from './descriptor';
import { descriptorFromHfConfig } from './hfConfig';

export interface CatalogEntry {
  id: string;
  aliases?: string[];
  source: string;
  note?: string;
  published?: { params?: number; activeParams?: number; activeExcludesInputEmbedding?: boolean; notCounted?: number };
  config: Record<string, unknown>;
}

const ENTRIES: CatalogEntry[] = (catalogJson as unknown as { models: CatalogEntry[] }).models;

let index: Map<string, CatalogEntry> | undefined;
function byName(): Map<string, CatalogEntry> {
  if (!index) {
    index = new Map();
    for (const e of ENTRIES) {
      index.set(e.id.toLowerCase(), e);
      for (const a of e.aliases ?? []) if (!index.has(a.toLowerCase())) index.set(a.toLowerCase(), e);
    }
  }
  return index;
}

/** Strips what people paste around an id: a huggingface.co URL prefix, `hf://`, a trailing slash or `:tag`. */
function normalizeId(id: string): string {
  return id.trim()
    .replace(/^https?:\/\/(www\.)?huggingface\.co\//i, '')
    .replace(/^hf:\/\//i, '')
    .replace(/\/(tree|blob|resolve)\/.*$/i, '')
    .replace(/\/+$/, '')
    .toLowerCase();
}

export function listCatalogModels(): readonly CatalogEntry[] {
  return ENTRIES;
}

/** Case-insensitive lookup by id or alias. */
export function findCatalogModel(id: string): CatalogEntry | undefined {
  return byName().get(normalizeId(id));
}

const descriptorCache = new Map<string, ModelDescriptor>();

/** The descriptor of a catalog entry (computed once; callers get a copy they may change). */
export function catalogDescriptor(entry: CatalogEntry): ModelDescriptor {
  let d = descriptorCache.get(entry.id);
  if (!d) {
    d = descriptorFromHfConfig(entry.config, entry.id, { kind: 'catalog', id: entry.id, url: entry.source });
    if (entry.note) d.notes.push(entry.note);
    descriptorCache.set(entry.id, d);
  }
  return structuredClone(d);
}
