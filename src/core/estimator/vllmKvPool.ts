// vLLM's paged KV pool for a model's per-layer specs (models/arch/vllmSpec.ts), computed the way vLLM V1 does:
//   vllm/v1/kv_cache_interface.py (001cabc1)   page_size_bytes and max_memory_usage_bytes of each spec
//   vllm/v1/core/kv_cache_utils.py (001cabc1)  get_kv_cache_groups: one uniform spec → one group; one type with
//       different sizes → UniformTypeKVCacheSpecs; otherwise unify_kv_cache_spec_page_size (smaller pages get a
//       larger block_size) and _get_kv_cache_groups_uniform_page_size (groups of min-layers-per-type, padded);
//       get_num_blocks = available // page_size // group_size; _report_kv_cache_config logs
//       "GPU KV cache size: N tokens" (num_blocks // groups × min block_size) and "Maximum concurrency for L tokens
//       per request: X.XXx" (get_max_concurrency_for_kv_cache_config)
//   vllm/model_executor/models/config.py (0144dd5b) HybridAttentionMambaModelConfig: attention block_size raised to
//       16 × cdiv(mamba_page, 16 × attention page per token) and the Mamba page padded to the attention page
//   vllm/model_executor/layers/mamba/mamba_utils.py (02d71083) state shapes per tensor-parallel rank
// Newer vLLM moved the Mamba/attention page alignment later in start-up; the arithmetic is the same rule.
import type { VllmLayerSpec, VllmMambaParams, VllmModelSpec } from '../models/arch/vllmSpec';

export interface VllmPoolOptions {
  /** Bytes available for KV on one GPU (after weights, activations, non-torch memory). */
  availableBytes: number;
  maxModelLen: number;
  /** --block-size; default 16 (raised automatically for hybrid Mamba models). */
  blockSize?: number;
  maxNumBatchedTokens?: number;
  tensorParallel?: number;
  /** --kv-cache-dtype (auto, fp8, fp8_e4m3, fp8_e5m2, bfloat16, …). */
  kvCacheDtype?: string;
  /** Element size of the model dtype (bf16/fp16 = 2). */
  modelDtypeBytes?: number;
  /** --disable-hybrid-kv-cache-manager (vLLM also disables it for chunked local attention by default). */
  disableHybrid?: boolean;
  /** --mamba-cache-dtype / --mamba-ssm-cache-dtype overrides. */
  mambaCacheDtype?: string;
  mambaSsmCacheDtype?: string;
  /** Speculative tokens held per Mamba state (num_speculative_blocks). */
  numSpeculativeBlocks?: number;
}

type SpecKind = 'full' | 'sliding' | 'chunked' | 'mla' | 'mamba';

interface RankSpec {
  kind: SpecKind;
  /** Tokens per block for this spec (after page-size unification). */
  blockSize: number;
  /** Bytes per block. */
  page: number;
  /** Bytes one token adds (attention kinds); 0 for Mamba. */
  perToken: number;
  window?: number;
  /** Equality key (vLLM groups layers whose specs compare equal). */
  key: string;
  mambaBytes?: number;
}

export interface VllmKvGroup {
  kind: SpecKind;
  layers: number[];
  blockSize: number;
  pageBytes: number;
  window?: number;
}

export interface VllmKvPool {
  groups: VllmKvGroup[];
  /** num_blocks of the pool (per GPU). */
  numBlocks: number;
  /** What vLLM logs: "GPU KV cache size: N tokens". */
  tokens: number;
  /** "Maximum concurrency for maxModelLen tokens per request: X.XXx". */
  maxConcurrency: number;
  /** Attention KV bytes one token adds on one GPU (all attention layers). */
  bytesPerToken: number;
  /** Mamba/linear-attention state per sequence on one GPU (unpadded), bytes. */
  stateBytesPerSequence: number;
  /** Bytes of the pool actually allocated (num_blocks × page × group_size). */
  poolBytes: number;
  /** Padding layers vLLM adds to even out groups. */
  paddingLayers: number;
  attentionBlockSize: number;
  errors: string[];
  notes: string[];
}

const cdiv = (a: number, b: number): number => Math.ceil(a / b);

function dtypeBytes(name: string | undefined, model: number): number {
  const d = (name ?? 'auto').toLowerCase();
  if (d === 'auto') return model;
  if (d.startsWith('fp8') || d === 'int8' || d.startsWith('int8')) return 1;
  if (d === 'float32' || d === 'fp32') return 4;
  return 2;
}

function divide(n: number, tp: number, what: string, errors: string[]): number {
  if (n % tp !== 0) errors.push(`${what} ${n} is not divisible by tensor-parallel size ${tp} (vLLM asserts it)`);
  return Math.floor(n / tp);
}

/** MambaStateShapeCalculator (per rank) and the element sizes MambaStateDtypeCalculator picks. */
export function mambaStateBytes(m: VllmMambaParams, tp: number, modelBytes: number, opts: VllmPoolOptions, errors: string[] = []): number {
  const convB = dtypeBytes(opts.mambaCacheDtype, modelBytes);
  const ssmSetting = opts.mambaSsmCacheDtype && opts.mambaSsmCacheDtype !== 'auto' ? opts.mambaSsmCacheDtype : m.ssmDtype;
  const ssmB = !ssmSetting || ssmSetting === 'auto' ? convB : dtypeBytes(ssmSetting, modelBytes);
  switch (m.type) {
    case 'mamba2': {
      const ng = m.nGroups! % tp === 0 ? m.nGroups! : tp;
      const convDim = m.intermediate! + 2 * ng * m.stateSize!;
      return divide(convDim, tp, 'mamba2 conv dim', errors) * (m.convKernel - 1) * convB + divide(m.numHeads!, tp, 'mamba heads', errors) * m.headDim! * m.stateSize! * ssmB;
    }
    case 'mamba1':
      return divide(m.intermediate!, tp, 'mamba intermediate size', errors) * (m.convKernel - 1) * convB + divide(m.intermediate!, tp, 'mamba intermediate size', errors) * m.stateSize! * ssmB;
    case 'short_conv':
      return divide(m.intermediate!, tp, 'short-conv width', errors) * (m.convKernel - 1) * convB;
    case 'gated_delta_net': {
      const convDim = m.headKDim! * m.numKHeads! * 2 + m.headVDim! * m.numVHeads!;
      return divide(convDim, tp, 'gated-delta-net conv dim', errors) * (m.convKernel - 1) * convB + divide(m.numVHeads!, tp, 'value heads', errors) * m.headVDim! * m.headKDim! * ssmB;
    }
    case 'kda':
    case 'linear_attention':
      return divide(m.numHeads!, tp, 'heads', errors) * m.headDim! * m.headDim! * ssmB;
  }
}

function maxMemoryBytes(s: RankSpec, o: Required<Pick<VllmPoolOptions, 'maxModelLen' | 'maxNumBatchedTokens' | 'numSpeculativeBlocks'>>): number {
  switch (s.kind) {
    case 'full':
    case 'mla':
      return cdiv(o.maxModelLen, s.blockSize) * s.page;
    case 'sliding':
      return (cdiv(Math.min(s.window! - 1 + o.maxNumBatchedTokens, o.maxModelLen), s.blockSize) + 1) * s.page;
    case 'chunked':
      return cdiv(Math.min(s.window! + o.maxNumBatchedTokens, o.maxModelLen), s.blockSize) * s.page;
    case 'mamba':
      return s.page * (1 + o.numSpeculativeBlocks);
  }
}

/** The pool vLLM builds for `spec` on one GPU with `availableBytes` of KV memory. */
export function vllmKvPool(spec: VllmModelSpec, opts: VllmPoolOptions): VllmKvPool {
  const errors: string[] = [];
  const notes: string[] = [];
  const tp = Math.max(1, Math.floor(opts.tensorParallel ?? 1));
  const modelB = opts.modelDtypeBytes ?? 2;
  const kvDtype = (opts.kvCacheDtype ?? 'auto').toLowerCase();
  const elem = dtypeBytes(kvDtype === 'fp8_ds_mla' ? 'fp8' : kvDtype, modelB);
  const userBlock = Math.max(1, Math.floor(opts.blockSize ?? 16));
  const maxNumBatchedTokens = Math.max(1, Math.floor(opts.maxNumBatchedTokens ?? 8192));
  const numSpeculativeBlocks = Math.max(0, Math.floor(opts.numSpeculativeBlocks ?? 0));
  const maxModelLen = Math.max(1, Math.floor(opts.maxModelLen));
  const limits = { maxModelLen, maxNumBatchedTokens, numSpeculativeBlocks };
  const fp8DsMla = spec.fp8DsMla && kvDtype.startsWith('fp8');

  const hasChunked = spec.layers.some((l) => l.spec.kind === 'chunked');
  const disableHybrid = opts.disableHybrid ?? hasChunked;
  if (hasChunked && opts.disableHybrid === undefined) notes.push('chunked local attention: vLLM disables the hybrid KV cache manager by default (VLLM_ALLOW_CHUNKED_LOCAL_ATTN_WITH_HYBRID_KV_CACHE unset), so every layer is sized for the full context; newer releases enable it');

  // Per-token attention bytes on one rank (vLLM's get_num_kv_heads: max(1, heads // tp)).
  const perToken = (s: VllmLayerSpec): number => {
    if (s.kind === 'mla') return fp8DsMla ? 656 : s.headSize * elem;
    if (s.kind === 'mamba') return 0;
    const heads = Math.max(1, Math.floor(s.kvHeads / tp));
    if (s.kvHeads < tp) notes.push(`${s.kvHeads} KV heads < tensor-parallel ${tp}: each GPU keeps a replicated head`);
    return heads * (s.headSize + s.headSizeV) * elem;
  };
  const mambaBytes = (s: VllmLayerSpec): number => (s.kind === 'mamba' ? mambaStateBytes(s.mamba, tp, modelB, opts, errors) : 0);

  // Hybrid Mamba models: attention block size so that an attention page ≥ a Mamba page; Mamba pages padded.
  const mambaLayers = spec.layers.filter((l) => l.spec.kind === 'mamba');
  const attnLayers = spec.layers.filter((l) => l.spec.kind !== 'mamba');
  let attnBlock = userBlock;
  let mambaPage = 0;
  let stateBytesPerSequence = 0;
  for (const l of mambaLayers) {
    const b = mambaBytes(l.spec);
    stateBytesPerSequence += b;
    mambaPage = Math.max(mambaPage, b);
  }
  if (mambaLayers.length && attnLayers.length) {
    const attn1 = perToken(attnLayers[0]!.spec);
    const needed = 16 * cdiv(mambaPage, 16 * attn1);
    if (userBlock < needed) {
      attnBlock = needed;
      notes.push(`attention block size set to ${needed} tokens so an attention page (${needed} × ${attn1} B) holds a Mamba state page (${mambaPage} B)`);
    }
    const attnPage = attnBlock * attn1;
    if (attnPage > mambaPage) {
      notes.push(`Mamba page padded by ${((100 * (attnPage - mambaPage)) / mambaPage).toFixed(2)} % to the attention page`);
      mambaPage = attnPage;
    }
  }

  let rank: { index: number; s: RankSpec }[] = spec.layers.map((l) => {
    const s = l.spec;
    const disabledSliding = disableHybrid && (s.kind === 'sliding' || s.kind === 'chunked');
    const kind: SpecKind = disabledSliding ? 'full' : s.kind;
    const pt = perToken(s);
    const page = s.kind === 'mamba' ? mambaPage : attnBlock * pt;
    const window = s.kind === 'sliding' ? s.window : s.kind === 'chunked' ? s.chunk : undefined;
    // FullAttentionSpec keeps its sliding window as metadata only; it still compares by the AttentionSpec fields.
    return { index: l.index, s: { kind, blockSize: s.kind === 'mamba' ? maxModelLen : attnBlock, page, perToken: pt, window: disabledSliding ? undefined : window, key: `${kind}|${pt}|${disabledSliding ? '' : window ?? ''}|${s.kind === 'mamba' ? page : ''}` } };
  });

  const bytesPerToken = rank.reduce((a, r) => a + r.s.perToken, 0);
  const fail = (msg: string): VllmKvPool => {
    errors.push(msg);
    return { groups: [], numBlocks: 0, tokens: 0, maxConcurrency: 0, bytesPerToken, stateBytesPerSequence, poolBytes: 0, paddingLayers: 0, attentionBlockSize: attnBlock, errors, notes };
  };
  if (!rank.length) {
    notes.push('attention-free model: no KV cache (vLLM allocates a single null block)');
    return { groups: [], numBlocks: 1, tokens: 0, maxConcurrency: 0, bytesPerToken: 0, stateBytesPerSequence, poolBytes: 0, paddingLayers: 0, attentionBlockSize: attnBlock, errors, notes };
  }
  const avail = Math.max(0, Math.floor(opts.availableBytes));
  const keys = new Set(rank.map((r) => r.s.key));
  let groups: VllmKvGroup[];
  let numBlocks: number;
  let paddingLayers = 0;
  let maxPerRequest: number;
  let memoryPerBlock: number;
  const uniformType = (() => {
    const kinds = new Set(rank.map((r) => r.s.kind));
    if (kinds.size !== 1) return false;
    const k = [...kinds][0];
    if (k === 'full' || k === 'mla') return true;
    if (k === 'sliding' || k === 'chunked') return new Set(rank.map((r) => r.s.window)).size === 1;
    return k === 'mamba';
  })();
  if (keys.size === 1) {
    // _get_kv_cache_groups_uniform_spec: one group, one pool per layer.
    const s = rank[0]!.s;
    groups = [{ kind: s.kind, layers: rank.map((r) => r.index), blockSize: s.blockSize, pageBytes: s.page, window: s.window }];
    numBlocks = Math.floor(avail / s.page / rank.length);
    maxPerRequest = rank.length * maxMemoryBytes(s, limits);
    memoryPerBlock = s.page * rank.length;
  } else if (uniformType) {
    // UniformTypeKVCacheSpecs: one group, each layer its own page size; num_blocks = available // Σ pages.
    const sumPages = rank.reduce((a, r) => a + r.s.page, 0);
    groups = [{ kind: rank[0]!.s.kind, layers: rank.map((r) => r.index), blockSize: rank[0]!.s.blockSize, pageBytes: sumPages, window: rank[0]!.s.window }];
    numBlocks = Math.floor(avail / sumPages);
    const pages = Math.max(...rank.map((r) => cdiv(maxMemoryBytes(r.s, limits), r.s.page)));
    maxPerRequest = pages * sumPages;
    memoryPerBlock = sumPages;
    notes.push('one attention type with different head sizes: one block table, each layer its own page size (UniformTypeKVCacheSpecs)');
  } else {
    // unify_kv_cache_spec_page_size: raise block_size of smaller pages to the largest page.
    const maxPage = Math.max(...rank.map((r) => r.s.page));
    for (const r of rank) {
      if (r.s.page === maxPage) continue;
      if (maxPage % r.s.page !== 0) return fail(`vLLM cannot unify the KV page sizes (${r.s.page} B does not divide ${maxPage} B): NotImplementedError at start-up`);
      const ratio = maxPage / r.s.page;
      r.s = { ...r.s, blockSize: r.s.blockSize * ratio, page: maxPage, key: `${r.s.key}|bs${r.s.blockSize * ratio}` };
    }
    const byType = new Map<string, { index: number; s: RankSpec }[]>();
    for (const r of rank) {
      const list = byType.get(r.s.key) ?? [];
      list.push(r);
      byType.set(r.s.key, list);
    }
    const sizes = [...byType.values()].map((v) => v.length);
    const minN = Math.min(...sizes);
    const maxN = Math.max(...sizes);
    const groupSize = maxN < minN * 1.5 ? maxN : minN;
    groups = [];
    for (const list of byType.values()) {
      const pad = groupSize - (list.length % groupSize);
      if (pad !== groupSize) paddingLayers += pad;
      const n = cdiv(list.length, groupSize);
      for (let i = 0; i < n; i++) {
        const members = list.filter((_, j) => j % n === i);
        groups.push({ kind: list[0]!.s.kind, layers: members.map((m) => m.index), blockSize: list[0]!.s.blockSize, pageBytes: maxPage, window: list[0]!.s.window });
      }
    }
    numBlocks = Math.floor(avail / maxPage / groupSize);
    const perGroupSpec = groups.map((g) => byTypeSpec(byType, g));
    maxPerRequest = groupSize * perGroupSpec.reduce((a, s) => a + maxMemoryBytes(s, limits), 0);
    memoryPerBlock = maxPage * groupSize;
    rank = rank.slice();
    if (paddingLayers) notes.push(`${paddingLayers} padding layer(s) added so every group has ${groupSize} layers (vLLM warns "Add N padding layers")`);
  }
  const minBlock = Math.min(...groups.map((g) => g.blockSize));
  const tokens = Math.floor(numBlocks / groups.length) * minBlock;
  const perRequestBlocks = cdiv(maxPerRequest, memoryPerBlock);
  const maxConcurrency = perRequestBlocks > 0 ? numBlocks / perRequestBlocks : 0;
  const groupLayers = Math.max(...groups.map((g) => g.layers.length));
  const poolBytes = groups.length === 1 && uniformType && keys.size > 1 ? numBlocks * groups[0]!.pageBytes : numBlocks * groups[0]!.pageBytes * groupLayers;
  return { groups, numBlocks, tokens, maxConcurrency, bytesPerToken, stateBytesPerSequence, poolBytes, paddingLayers, attentionBlockSize: attnBlock, errors, notes };
}

function byTypeSpec(byType: Map<string, { index: number; s: RankSpec }[]>, g: VllmKvGroup): RankSpec {
  for (const list of byType.values()) if (list.some((m) => m.index === g.layers[0] && m.s.kind === g.kind)) return list[0]!.s;
  return [...byType.values()][0]![0]!.s;
}

/** KV bytes one token adds on one GPU for vLLM (attention layers only; Mamba state is per sequence). */
export function vllmBytesPerToken(spec: VllmModelSpec, opts: Pick<VllmPoolOptions, 'tensorParallel' | 'kvCacheDtype' | 'modelDtypeBytes'>): number {
  return vllmKvPool(spec, { ...opts, availableBytes: 0, maxModelLen: 1 }).bytesPerToken;
}

const POOLS = new WeakMap<VllmModelSpec, Map<string, VllmKvPool>>();

/** The estimator's simple pool (memory.ts vllmPool), refined by the model's per-layer vLLM spec when it has one. */
export function refineVllmPool<P extends { poolBytes: number; blocks: number; maxKvTokens: number; maxSequences: number; maxConcurrency: number; blockBytes: number; notes: string[] }>(
  pool: P,
  spec: VllmModelSpec | undefined,
  o: { maxModelLen: number; maxNumSeqs: number; blockSize: number; maxNumBatchedTokens: number; tensorParallel: number; kvCacheDtype: string; modelDtypeBytes: number },
): { pool: P; detail?: VllmKvPool } {
  if (!spec) return { pool };
  // The editor re-estimates on every keystroke with the same model: pools are remembered per spec and settings.
  let memo = POOLS.get(spec);
  if (!memo) POOLS.set(spec, (memo = new Map()));
  const key = `${pool.poolBytes}|${o.maxModelLen}|${o.blockSize}|${o.maxNumBatchedTokens}|${o.tensorParallel}|${o.kvCacheDtype}|${o.modelDtypeBytes}`;
  let detail = memo.get(key);
  if (!detail) {
    detail = vllmKvPool(spec, {
      availableBytes: pool.poolBytes, maxModelLen: o.maxModelLen, blockSize: o.blockSize, maxNumBatchedTokens: o.maxNumBatchedTokens,
      tensorParallel: o.tensorParallel, kvCacheDtype: o.kvCacheDtype, modelDtypeBytes: o.modelDtypeBytes,
    });
    if (memo.size > 64) memo.clear();
    memo.set(key, detail);
  }
  if (detail.errors.length && !detail.groups.length) return { pool: { ...pool, notes: [...pool.notes, ...detail.errors] }, detail };
  const maxSequences = Math.min(o.maxNumSeqs, Math.floor(detail.maxConcurrency));
  return {
    pool: {
      ...pool, blocks: detail.numBlocks, maxKvTokens: detail.tokens, maxConcurrency: detail.maxConcurrency, maxSequences,
      blockBytes: detail.groups[0]?.pageBytes ?? pool.blockBytes, notes: [...pool.notes, ...detail.notes, ...detail.errors],
    },
    detail,
  };
}

/** One line for the estimate's assumptions: the groups vLLM forms and what it would log. */
export function describeVllmPool(p: VllmKvPool, maxModelLen: number): string {
  const kinds = new Map<string, number>();
  for (const g of p.groups) kinds.set(g.kind, (kinds.get(g.kind) ?? 0) + 1);
  const groups = [...kinds.entries()].map(([k, n]) => `${n} ${k} group${n === 1 ? '' : 's'}`).join(', ');
  return `vLLM hybrid allocator: ${groups} of ${Math.max(0, ...p.groups.map((g) => g.layers.length))} layers, page ${p.groups[0]?.pageBytes ?? 0} B, attention block ${p.attentionBlockSize} tokens → "GPU KV cache size: ${p.tokens.toLocaleString('en')} tokens", "Maximum concurrency for ${maxModelLen.toLocaleString('en')} tokens per request: ${p.maxConcurrency.toFixed(2)}x"${p.stateBytesPerSequence ? `; Mamba/linear-attention state ${p.stateBytesPerSequence} B per sequence` : ''}`;
}
