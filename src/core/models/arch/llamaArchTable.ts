// Typed view of data/llama-cpp-archs.json, the architecture table scripts/gen-arch-llama.mjs generates from the
// llama.cpp source KV Lens bundles (node-llama-cpp's gitRelease.bundle). The rules that interpret it live in
// llamaPlan.ts; nothing in the table is typed by hand.
import table from '../../../../data/llama-cpp-archs.json';

export interface LlamaSwaRule {
  /** llama_swa_type set by load_arch_hparams; null: the window key is read and then ignored (phi3). */
  type: 'standard' | 'chunked' | 'symmetric' | null;
  ignoresWindowKey?: boolean;
  /** How `<arch>.attention.sliding_window` is read: required (load fails without it), optional, or not at all. */
  windowKey?: 'required' | 'optional' | 'none';
  defaultWindow?: number;
  /** The literal default is assigned after the key is read, so it wins (smallthinker). */
  defaultOverridesKey?: boolean;
  pattern?: { source: 'array-or-period' | 'period' | 'array' | 'non-recurrent-layers'; period?: number; denseFirst?: boolean };
  /** When the SWA type applies: always, only with a window > 0, unless the window is 0, or for one layer count. */
  when?: string;
}

export interface LlamaArchEntry {
  enum: string;
  class?: string;
  file?: string;
  recurrent?: boolean;
  hybrid?: boolean;
  recurrentRollback?: boolean;
  swa?: LlamaSwaRule;
  recurrentLayers?: 'all' | 'recurrent-layers-or-interval' | 'kv-heads-and-ff-zero' | 'kv-heads-zero' | 'unparsed';
  recurrentInputs?: string[];
  kvLayersFromStart?: number | string;
  mla?: boolean;
  /** create_memory's choice: kv, recurrent, hybrid, hybrid-idx, none (no cache), or special:<classes>. */
  memory: string;
  hybridLayerFilter?: string;
  reusesKvOfEarlierLayers?: boolean;
  note?: string;
}

export interface LlamaArchTable {
  source: { repository: string; commit: string; via: string; files: string[] };
  generatorNotes: string[];
  archs: Record<string, LlamaArchEntry>;
  hfArchitectures: Record<string, { arch: string; converter: string; file: string }>;
}

export const LLAMA_ARCH_TABLE = table as unknown as LlamaArchTable;

/** The commit every llama.cpp rule in this folder was read from (the bundled engine). */
export const LLAMA_CPP_COMMIT = LLAMA_ARCH_TABLE.source.commit;
export const LLAMA_CPP_COMMIT_SHORT = LLAMA_CPP_COMMIT.slice(0, 8);

export function llamaArch(name: string): LlamaArchEntry | undefined {
  return Object.prototype.hasOwnProperty.call(LLAMA_ARCH_TABLE.archs, name) ? LLAMA_ARCH_TABLE.archs[name] : undefined;
}

/** convert_hf_to_gguf.py's choice of GGUF architecture for an HF `architectures[0]` class name. */
export function ggufArchForHf(hfArchitecture: string): { arch: string; converter: string; file: string } | undefined {
  const t = LLAMA_ARCH_TABLE.hfArchitectures;
  return Object.prototype.hasOwnProperty.call(t, hfArchitecture) ? t[hfArchitecture] : undefined;
}
