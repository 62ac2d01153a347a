// What llama.cpp allocates for a model, layer by layer, decided from GGUF metadata the way the bundled llama.cpp
// decides it (ggml-org/llama.cpp de3ff815, the source inside node-llama-cpp 3.22.1):
//   src/llama-model.cpp  llama_model_base::load_hparams   (head counts, head sizes, per-layer arrays, SWA head sizes)
//   src/models/<arch>.cpp load_arch_hparams               (SWA type/window/pattern, recurrent layers, shared KV)
//                                                          — summarised per architecture in data/llama-cpp-archs.json
//   src/llama-hparams.cpp n_embd_k_gqa/n_embd_v_gqa/n_embd_r/n_embd_s, set_swa_pattern, has_kv
//   src/llama-model.cpp  llama_model::create_memory        (which cache: kv, iswa, recurrent, hybrid; layer filters)
//   src/llama-kv-cache.cpp  one K [n_embd_k_gqa(il), cells, streams] and (not for MLA) one V tensor per cache layer
//   src/llama-memory-recurrent.cpp  r [n_embd_r, rs_size·(1+n_rs_seq)] and s [n_embd_s, …] f32 per recurrent layer
// Facts go through validate.ts first, so hostile metadata becomes a ModelFactError, not a giant array.
//
// Engine versions differ on one rule that matters a lot (MLA): the bundled de3ff815 and the upstream snapshot
// 001d906a store no V for MLA layers (has_v = !is_mla, the 2026 "V-less" MLA cache); the older upstream snapshot
// 3514e9f6 allocated V too (n_embd_head_v = kv_lora_rank), 576 + 512 elements per layer per cell instead of 576.
import { checkInt, checkIntArray, LLAMA_MAX_LAYERS, ModelFactError, optInt } from '../validate';
import { LLAMA_CPP_COMMIT_SHORT, llamaArch, type LlamaArchEntry } from './llamaArchTable';

export type SwaType = 'standard' | 'chunked' | 'symmetric';

export interface LlamaLayerPlan {
  /** Owns a K/V pair in the attention cache (after has_kv, the hybrid/MTP filters and KV sharing). */
  kv: boolean;
  /** Sliding-window layer (cached in the SWA half of an iSWA cache). */
  swa: boolean;
  /** Owns a recurrent state (r/s rows). */
  recurrent: boolean;
  /** n_head_kv(il), n_embd_head_k(il), n_embd_head_v(il). */
  kvHeads: number;
  headK: number;
  headV: number;
  /** Layer whose cache this one reads (Gemma 3n/4 shared-KV layers), when it owns none. */
  reuses?: number;
}

export type LlamaMemoryKind = 'kv' | 'iswa' | 'recurrent' | 'hybrid' | 'hybrid-iswa' | 'none' | 'unsupported';

export interface LlamaMemoryPlan {
  arch: string;
  memory: LlamaMemoryKind;
  /** One entry per GGUF block (block_count, MTP/NextN blocks included). */
  layers: LlamaLayerPlan[];
  /** Trunk layers (block_count − nextn_predict_layers). */
  trunkLayers: number;
  nSwa: number;
  swaType?: SwaType;
  /** MLA: the latent is cached as K (kv_lora_rank + rope dim); value_length (= kv_lora_rank) only by older builds. */
  mla?: { kvLoraRank: number; ropeDim: number; keyLengthMla: number; valueLengthMla: number };
  /** n_embd_r / n_embd_s: f32 elements per recurrent layer per sequence. */
  rElements: number;
  sElements: number;
  /** Which source rule decided what, in words, for hovers ("SWA: every 2nd layer full (load_swa_pattern(ml, 2))"). */
  rules: string[];
  /** llama.cpp would fail to load this model, or part of its memory is not modelled. */
  problems: string[];
  /** False when the bundled llama.cpp cannot load the architecture at all. */
  loadable: boolean;
}

type Md = Record<string, unknown>;

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** ml.get_key_or_arr: a scalar fills every layer, an array must have one entry per layer. */
function keyOrArr(where: string, md: Md, key: string, n: number, lim: Parameters<typeof checkInt>[3], dflt: number): number[] {
  const v = md[key];
  if (v === undefined) return new Array<number>(n).fill(dflt);
  if (Array.isArray(v)) return checkIntArray(where, key, v, n, lim);
  if (typeof v === 'object' && v !== null) throw new ModelFactError(`${where}: ${key} is an array too long to read (more entries than layers)`, key);
  return new Array<number>(n).fill(checkInt(where, key, v, lim));
}

function boolArray(where: string, md: Md, key: string, n: number): boolean[] | undefined {
  const v = md[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) return undefined;
  if (v.length > n) throw new ModelFactError(`${where}: ${key} has ${v.length} entries; the model has ${n} layers`, key);
  // ml.get_arr into a std::array of LLAMA_MAX_LAYERS: shorter arrays leave the rest false.
  const out = new Array<boolean>(n).fill(false);
  v.forEach((x, i) => { out[i] = x === true || x === 1; });
  return out;
}

/** llama_hparams::set_swa_pattern over the trunk layers; NextN layers are never SWA. */
function swaPeriod(nAll: number, trunk: number, period: number, denseFirst: boolean): boolean[] {
  const out = new Array<boolean>(nAll).fill(false);
  for (let il = 0; il < trunk; il++) out[il] = period === 0 || (denseFirst ? il % period !== 0 : il % period < period - 1);
  return out;
}

function describePattern(period: number, denseFirst: boolean): string {
  if (period === 0) return 'every layer sliding-window';
  if (period === 1) return 'no sliding-window layers';
  return denseFirst ? `the first of every ${period} layers full, the rest sliding-window` : `every ${period}${period === 2 ? 'nd' : period === 3 ? 'rd' : 'th'} layer full, the others sliding-window`;
}

/**
 * The llama.cpp memory plan for GGUF-style metadata (`general.architecture`, `<arch>.block_count`, …). `where` names
 * the source for error messages. Throws ModelFactError on impossible facts; returns problems for what llama.cpp
 * would refuse but a size can still be given for.
 */
export function llamaMemoryPlan(md: Md, where: string): LlamaMemoryPlan {
  const arch = typeof md['general.architecture'] === 'string' ? (md['general.architecture'] as string) : undefined;
  if (!arch) throw new ModelFactError(`${where}: general.architecture is missing`, 'general.architecture');
  const entry: LlamaArchEntry | undefined = llamaArch(arch);
  const rules: string[] = [];
  const problems: string[] = [];
  let loadable = true;
  if (!entry) {
    loadable = false;
    problems.push(`llama.cpp ${LLAMA_CPP_COMMIT_SHORT} (the bundled engine) does not know the architecture '${arch}': sized as a standard KV cache`);
  } else if (!entry.class && !entry.memory.startsWith('special')) {
    loadable = false;
    problems.push(`llama.cpp ${LLAMA_CPP_COMMIT_SHORT} lists '${arch}' but has no model class for it`);
  }
  const k = (name: string): string => `${arch}.${name}`;

  const nAll = checkInt(where, k('block_count'), md[k('block_count')], { min: 1, max: LLAMA_MAX_LAYERS, what: `a layer count llama.cpp accepts` });
  const nNextn = optInt(where, k('nextn_predict_layers'), md[k('nextn_predict_layers')], { min: 0, max: nAll, what: 'a count of NextN/MTP layers' }) ?? 0;
  const trunk = nAll - nNextn;
  const nEmbd = checkInt(where, k('embedding_length'), md[k('embedding_length')], 'hidden');
  const nHead = keyOrArr(where, md, k('attention.head_count'), nAll, { min: 0, max: 1 << 16, what: 'an attention head count' }, 0);
  // n_head_kv is optional and defaults to n_head (load_hparams).
  const nHeadKv = md[k('attention.head_count_kv')] === undefined ? [...nHead] : keyOrArr(where, md, k('attention.head_count_kv'), nAll, 'kvHeads', 0);
  const nFf = keyOrArr(where, md, k('feed_forward_length'), nAll, 'ffn', 0);

  // Head sizes: key_length / value_length, else n_embd / n_head(0) (integer division, as in C).
  let headKFull = 0;
  let headVFull = 0;
  if (nHead[0]! > 0) {
    const dflt = Math.floor(nEmbd / nHead[0]!);
    headKFull = optInt(where, k('attention.key_length'), md[k('attention.key_length')], 'headDim') ?? dflt;
    headVFull = optInt(where, k('attention.value_length'), md[k('attention.value_length')], 'headDim') ?? dflt;
    if (md[k('attention.key_length')] === undefined) rules.push(`head size ${dflt} = embedding_length ${nEmbd} / head_count ${nHead[0]}`);
  }
  const headKSwa = optInt(where, k('attention.key_length_swa'), md[k('attention.key_length_swa')], 'headDim') ?? headKFull;
  const headVSwa = optInt(where, k('attention.value_length_swa'), md[k('attention.value_length_swa')], 'headDim') ?? headVFull;

  // ---- recurrent layers ----------------------------------------------------------------------------------
  let isRecr = new Array<boolean>(nAll).fill(false);
  const recRule = entry?.recurrentLayers;
  if (recRule === 'all') {
    isRecr = new Array<boolean>(nAll).fill(true);
    rules.push(entry?.recurrent ? `${arch} is recurrent: every layer keeps a state instead of a KV cache` : `${arch}: every layer has both attention and a recurrent state`);
  } else if (recRule === 'recurrent-layers-or-interval') {
    const arr = boolArray(where, md, k('attention.recurrent_layers'), nAll);
    if (arr) {
      isRecr = arr;
      rules.push('recurrent layers from attention.recurrent_layers');
    } else {
      const interval = optInt(where, k('full_attention_interval'), md[k('full_attention_interval')], { min: 1, max: 4096, what: 'a full-attention interval' }) ?? 4;
      for (let i = 0; i < nAll; i++) isRecr[i] = i < trunk && (i + 1) % interval !== 0;
      rules.push(`every ${interval}th layer full attention, the others linear attention with a recurrent state (full_attention_interval ${interval})`);
    }
  } else if (recRule === 'kv-heads-and-ff-zero') {
    for (let i = 0; i < nAll; i++) isRecr[i] = i < trunk && nHeadKv[i] === 0 && nFf[i] === 0;
    rules.push('a layer is recurrent (Mamba-2) when head_count_kv and feed_forward_length are both 0 for it; attention layers have KV heads and no FFN');
  } else if (recRule === 'kv-heads-zero') {
    for (let i = 0; i < trunk; i++) isRecr[i] = nHeadKv[i] === 0;
    rules.push('a layer is recurrent when its head_count_kv is 0');
  } else if (recRule === 'unparsed') {
    problems.push(`which layers of ${arch} are recurrent is decided by a rule KV Lens does not model`);
  }

  // ---- sliding window ----------------------------------------------------------------------------------------
  let isSwa = new Array<boolean>(nAll).fill(false);
  let nSwa = 0;
  let swaType: SwaType | undefined;
  const swa = entry?.swa;
  const windowRaw = md[k('attention.sliding_window')];
  const windowKey = optInt(where, k('attention.sliding_window'), windowRaw, 'window');
  if (swa && swa.type === null) {
    if (windowKey) rules.push(`${arch}: attention.sliding_window ${windowKey} is read and then disabled by llama.cpp (full cache on every layer)`);
  } else if (swa && swa.type) {
    let active = true;
    const when = swa.when ?? 'always';
    if (when === 'window-positive') active = windowKey !== undefined && windowKey > 0;
    else if (when === 'unless-window-zero') active = !(windowKey === 0);
    else if (when.startsWith('layers-')) active = trunk === Number(when.slice(7));
    if (active) {
      if (swa.windowKey === 'required' && windowKey === undefined) {
        loadable = false;
        problems.push(`llama.cpp requires ${k('attention.sliding_window')} for ${arch} and the file has none (load fails: key not found)`);
      }
      nSwa = swa.defaultOverridesKey && swa.defaultWindow !== undefined ? swa.defaultWindow : windowKey ?? swa.defaultWindow ?? 0;
      swaType = swa.type;
      const pat = swa.pattern;
      const patArr = boolArray(where, md, k('attention.sliding_window_pattern'), nAll);
      if (pat?.source === 'array') {
        if (patArr) {
          isSwa = patArr;
          rules.push('sliding-window layers from attention.sliding_window_pattern');
        } else {
          loadable = false;
          problems.push(`llama.cpp requires ${k('attention.sliding_window_pattern')} for ${arch} (load fails without it)`);
        }
      } else if (pat?.source === 'array-or-period' || pat?.source === 'period') {
        if (pat.source === 'array-or-period' && patArr) {
          isSwa = patArr;
          rules.push('sliding-window layers from attention.sliding_window_pattern');
        } else {
          const scalar = pat.source === 'array-or-period' ? optInt(where, k('attention.sliding_window_pattern'), Array.isArray(md[k('attention.sliding_window_pattern')]) ? undefined : md[k('attention.sliding_window_pattern')], { min: 0, max: 4096, what: 'an SWA period' }) : undefined;
          const period = scalar ?? pat.period ?? 0;
          isSwa = swaPeriod(nAll, trunk, period, pat.denseFirst ?? false);
          rules.push(`${describePattern(period, pat.denseFirst ?? false)} (${pat.source === 'period' ? 'set_swa_pattern' : 'load_swa_pattern'}(${period}${pat.denseFirst ? ', dense first' : ''}) in ${entry?.file ?? arch})`);
        }
      } else if (pat?.source === 'non-recurrent-layers') {
        isSwa = isRecr.map((r, i) => i < trunk && !r);
        rules.push('every attention layer is sliding-window (LFM2 with a window)');
      }
      const windowSrc = swa.defaultOverridesKey && swa.defaultWindow !== undefined ? `llama.cpp's fixed ${swa.defaultWindow}` : windowKey !== undefined ? 'attention.sliding_window' : `llama.cpp's default for ${arch}`;
      rules.push(`${swa.type === 'chunked' ? 'chunked attention, chunks' : 'window'} of ${nSwa} tokens (${windowSrc})`);
      if (!isSwa.some(Boolean)) swaType = undefined;
    }
  } else if (windowKey && windowKey > 0) {
    rules.push(`attention.sliding_window ${windowKey} is not used by llama.cpp's ${arch}: full cache on every layer`);
  }

  // ---- MLA ---------------------------------------------------------------------------------------------------
  let mla: LlamaMemoryPlan['mla'];
  if (entry?.mla) {
    const kMla = optInt(where, k('attention.key_length_mla'), md[k('attention.key_length_mla')], 'headDim');
    const vMla = optInt(where, k('attention.value_length_mla'), md[k('attention.value_length_mla')], 'headDim');
    if (kMla !== undefined && vMla !== undefined) {
      const rank = checkInt(where, k('attention.kv_lora_rank'), md[k('attention.kv_lora_rank')], 'latentRank');
      const rope = optInt(where, k('rope.dimension_count'), md[k('rope.dimension_count')], 'ropeDim') ?? headKFull - rank;
      mla = { kvLoraRank: rank, ropeDim: rope, keyLengthMla: kMla, valueLengthMla: vMla };
      rules.push(`MLA: one latent of key_length ${headKFull} (kv_lora_rank ${rank} + rope ${rope}) per layer per cell, no V (V-less MLA cache since llama.cpp 2026; older builds also stored value_length ${headVFull})`);
    } else if (md[k('attention.kv_lora_rank')] !== undefined) {
      rules.push('DeepSeek GGUF from before MLA support (no key_length_mla): expanded K and V per head are cached');
    }
  }

  // ---- shared KV layers (has_kv) and reuse --------------------------------------------------------------------
  let kvFromStart = -1;
  if (typeof entry?.kvLayersFromStart === 'number') kvFromStart = entry.kvLayersFromStart;
  else if (entry?.kvLayersFromStart === 'layers-minus-shared-kv-layers') {
    const shared = optInt(where, k('attention.shared_kv_layers'), md[k('attention.shared_kv_layers')], { min: 0, max: nAll, what: 'a count of KV-sharing layers' }) ?? 0;
    kvFromStart = nAll - shared;
  }
  if (kvFromStart >= 0 && kvFromStart < nAll) rules.push(`layers ${kvFromStart}–${nAll - 1} own no KV: they read the cache of the last full/SWA layer before ${kvFromStart} (shared-KV layers)`);

  // ---- create_memory ----------------------------------------------------------------------------------------
  const memEntry = entry?.memory ?? 'kv';
  let memory: LlamaMemoryKind;
  const hasSwa = swaType !== undefined;
  if (memEntry === 'none') memory = 'none';
  else if (memEntry.startsWith('special')) {
    memory = 'unsupported';
    problems.push(`llama.cpp sizes ${arch} with its own cache (${memEntry.slice(8)}): its indexer/compressed parts are not modelled; the MLA/attention part is`);
  } else if (memEntry === 'recurrent') memory = 'recurrent';
  else if (memEntry === 'hybrid' || memEntry === 'hybrid-idx') {
    memory = hasSwa ? 'hybrid-iswa' : 'hybrid';
    if (memEntry === 'hybrid-idx') problems.push(`${arch}'s sparse-attention indexer cache is not modelled`);
  } else memory = hasSwa ? 'iswa' : 'kv';

  const filter = entry?.hybridLayerFilter;
  const attnFilter = (il: number): boolean => {
    if (memory === 'hybrid' || memory === 'hybrid-iswa') {
      if (filter === 'attn-and-recr-every-layer') return true;
      if (filter === 'ff-zero') return !isRecr[il] && nFf[il] === 0;
      if (filter === 'trunk') return il < trunk && !isRecr[il];
      return !isRecr[il];
    }
    // Non-hybrid models with NextN/MTP blocks: the main context caches the trunk only.
    return nNextn > 0 && trunk > 0 ? il < trunk : true;
  };
  const recrFilter = (il: number): boolean => {
    if (memory === 'recurrent') return il < trunk;
    if (filter === 'attn-and-recr-every-layer') return il < trunk;
    if (filter === 'ff-zero') return isRecr[il]! && nFf[il] === 0;
    if (filter === 'trunk') return il < trunk && isRecr[il]!;
    return il < trunk && isRecr[il]!;
  };
  const reuse = (il: number): number | undefined => {
    if (!entry?.reusesKvOfEarlierLayers || kvFromStart < 2 || il < kvFromStart) return undefined;
    return kvFromStart - (isSwa[il] ? 2 : 1);
  };

  const hasAttnMemory = memory !== 'none' && memory !== 'recurrent';
  const hasRecrMemory = memory === 'recurrent' || memory === 'hybrid' || memory === 'hybrid-iswa';
  const layers: LlamaLayerPlan[] = [];
  for (let il = 0; il < nAll; il++) {
    const sw = isSwa[il]!;
    const hasKv = kvFromStart < 0 || il < kvFromStart;
    layers.push({
      kv: hasAttnMemory && hasKv && attnFilter(il),
      swa: sw,
      recurrent: hasRecrMemory && recrFilter(il),
      kvHeads: nHeadKv[il]!,
      headK: sw ? headKSwa : headKFull,
      headV: sw ? headVSwa : headVFull,
      reuses: hasKv ? undefined : reuse(il),
    });
  }
  if (memory === 'hybrid' || memory === 'hybrid-iswa') {
    const a = layers.filter((l) => l.kv).length;
    const r = layers.filter((l) => l.recurrent).length;
    rules.push(`hybrid memory: ${a} attention layer(s) with a KV cache, ${r} recurrent layer(s) with a fixed state per sequence (create_memory${filter ? `, ${filter} filter` : ''})`);
  }
  if (nNextn > 0) rules.push(`${nNextn} NextN/MTP block(s) after the ${trunk} trunk layers: not in the main context's cache`);

  // ---- recurrent state sizes (llama_hparams::n_embd_r / n_embd_s) -----------------------------------------------
  let rElements = 0;
  let sElements = 0;
  if (hasRecrMemory) {
    const wkv = optInt(where, k('wkv.head_size'), md[k('wkv.head_size')], 'headDim') ?? 0;
    const shift = optInt(where, k('token_shift_count'), md[k('token_shift_count')], { min: 0, max: 64, what: 'a token-shift count' }) ?? 2;
    const lCache = optInt(where, k('shortconv.l_cache'), md[k('shortconv.l_cache')], 'ssmConv') ?? 0;
    const kda = optInt(where, k('kda.head_dim'), md[k('kda.head_dim')], 'headDim') ?? 0;
    const dConv = optInt(where, k('ssm.conv_kernel'), md[k('ssm.conv_kernel')], 'ssmConv') ?? 0;
    const dInner = optInt(where, k('ssm.inner_size'), md[k('ssm.inner_size')], 'ssmInner') ?? 0;
    const dState = optInt(where, k('ssm.state_size'), md[k('ssm.state_size')], 'ssmState') ?? 0;
    const nGroup = optInt(where, k('ssm.group_count'), md[k('ssm.group_count')], 'ssmGroups') ?? 0;
    const la = arch === 'minimax-01' ? headKFull : 0;
    if (wkv) {
      rElements = shift * nEmbd;
      sElements = nEmbd * wkv;
      rules.push(`RWKV state per layer: token shift ${shift} × ${nEmbd} + wkv ${nEmbd} × head size ${wkv} f32 elements`);
    } else if (lCache) {
      rElements = nEmbd * (lCache - 1);
      sElements = 0;
      rules.push(`short-conv state per layer: ${nEmbd} × (l_cache ${lCache} − 1) = ${rElements} f32 elements`);
    } else if (kda) {
      const dIn = nHead[0]! * kda;
      rElements = 3 * (dConv > 0 ? dConv - 1 : 3) * dIn;
      sElements = kda * kda * nHead[0]!;
      rules.push(`KDA state per layer: conv 3 × ${(dConv > 0 ? dConv - 1 : 3)} × ${dIn} + ${kda}² × ${nHead[0]} heads f32 elements`);
    } else {
      rElements = (dConv > 0 ? dConv - 1 : 0) * (dInner + 2 * nGroup * dState);
      sElements = la ? la * la * nHead[0]! : dState * dInner;
      rules.push(`recurrent state per layer: conv (${dConv} − 1) × (inner ${dInner} + 2 × groups ${nGroup} × state ${dState}) = ${rElements} + ${la ? `${la}² × ${nHead[0]} heads` : `state ${dState} × inner ${dInner}`} = ${sElements} f32 elements`);
    }
  }

  return { arch, memory, layers, trunkLayers: trunk, nSwa, swaType, mla, rElements, sElements, rules, problems, loadable };
}

/** n_embd_v_gqa_max(): the widest V row over all layers (V rows are padded to it without flash attention). */
export function maxVRow(plan: LlamaMemoryPlan): number {
  let m = 0;
  for (const l of plan.layers) m = Math.max(m, l.headV * l.kvHeads);
  return m;
}

export function isNumeric(v: unknown): boolean {
  return isNum(v);
}
