// Reading published measurements (../shared/data/measured/*.jsonl, see its README) into what the estimator
// takes: a model descriptor, a llama-bench test and the hardware as written. Used by the fit script
// (scripts/fit-calibration.ts) and the fidelity benchmark (bench/fidelity.ts) only — the product never reads the
// measured rows, it reads the parameters fitted from them (data/calibration.json).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelDescriptor } from '../../models/descriptor';
import { catalogDescriptor, findCatalogModel } from '../../models/catalog';
import { BITS_PER_WEIGHT } from '../weights';

/** The fields of a llama-bench.jsonl row this code reads. */
export interface PublishedBenchRow {
  id: string;
  confidence: 'primary' | 'secondary';
  source: string;
  date: string;
  hardware: string;
  hw_family: string;
  hw_count: number;
  backend: string;
  engine: string;
  model: string;
  model_key: string;
  quant: string;
  size_gib?: number;
  params_b?: number;
  size_as_printed?: string;
  test: string;
  test_kind: 'pp' | 'tg' | 'pg';
  n_prompt?: number;
  n_gen?: number;
  depth: number;
  ts_mean: number;
  build: string;
  ngl?: number;
  threads?: number;
  n_ubatch?: number;
  n_batch?: number;
  fa?: number;
  power_limit_w?: number;
  suspect?: boolean;
  notes?: string;
}

/** The fields of a serving.jsonl row this code reads. */
export interface PublishedServingRow {
  id: string;
  source: string;
  date: string;
  engine: string;
  hardware: string;
  hw_count: number;
  tp?: number;
  pp?: number;
  ep?: number;
  model: string;
  model_name?: string;
  precision: string;
  input_len?: number;
  output_len?: number;
  num_requests?: number;
  concurrency: number | string;
  output_tok_s?: number;
  tpot_mean_ms?: number;
  ttft_mean_ms?: number;
  e2e_latency_mean_ms?: number;
  req_per_s?: number;
  metric_label: string;
}

export function readJsonl<T>(file: string): T[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
}

/** `../shared/data/measured` from the repository root, or undefined when it is absent (CI without ../shared). */
export function measuredDir(root: string): string | undefined {
  const dir = path.resolve(root, '../shared/data/measured');
  return fs.existsSync(path.join(dir, 'llama-bench.jsonl')) ? dir : undefined;
}

/** What a published test ran: tokens of prompt and generation, and the KV depth before it. */
export interface PublishedTest {
  nPrompt: number;
  nGen: number;
  depth: number;
  /** Set when the row does not state the test length and llama-bench's default was assumed. */
  assumed?: string;
}

export function publishedTest(row: PublishedBenchRow): PublishedTest {
  if (typeof row.n_prompt === 'number' && typeof row.n_gen === 'number') return { nPrompt: row.n_prompt, nGen: row.n_gen, depth: row.depth ?? 0 };
  // README summary tables ("pp (avg)", "tg (avg)") state no length: llama-bench's defaults -p 512 / -n 128.
  if (row.test_kind === 'pp') return { nPrompt: 512, nGen: 0, depth: row.depth ?? 0, assumed: 'test length not stated: pp512 assumed' };
  return { nPrompt: 0, nGen: 128, depth: row.depth ?? 0, assumed: 'test length not stated: tg128 assumed' };
}

/**
 * When the row's build ran, as a fractional year (2024.4 = May 2024), read from `date` (or the build number when
 * the date is missing: llama.cpp build numbers grew roughly 2,300 a year from b1000 in Aug 2023).
 */
export function buildYear(row: { date: string; build?: string }): number | undefined {
  const ym = /(20\d\d)-(\d\d)/.exec(row.date);
  if (ym) return Number(ym[1]) + (Number(ym[2]) - 0.5) / 12;
  const b = /\((\d{3,5})\)/.exec(row.build ?? '') ?? /build (\d{3,5})/.exec(row.date);
  if (b) return 2023.6 + (Number(b[1]) - 1000) / 2300;
  const y = /(20\d\d)/.exec(row.date) ?? /(20\d\d)/.exec(row.build ?? '');
  return y ? Number(y[1]) + 0.5 : undefined;
}

/** Dataset model families → catalog ids (data/models.json). Families with no supported config are absent. */
export const PUBLISHED_MODEL_FAMILIES: Record<string, string> = {
  'llama2-7b': 'meta-llama/Llama-2-7b-hf',
  'llama2-13b': 'meta-llama/Llama-2-13b-hf',
  'llama2-70b': 'meta-llama/Llama-2-70b-hf',
  'llama3-8b': 'meta-llama/Meta-Llama-3-8B',
  'llama3-70b': 'meta-llama/Meta-Llama-3-70B',
  'llama3.1-405b': 'meta-llama/Llama-3.1-405B-Instruct',
  'llama3.2-3b': 'meta-llama/Llama-3.2-3B-Instruct',
  'tinyllama-1.1b': 'TinyLlama/TinyLlama-1.1B-Chat-v1.0',
  'mistral-7b': 'mistralai/Mistral-7B-Instruct-v0.2',
  'qwen2.5-7b': 'Qwen/Qwen2.5-7B-Instruct',
  'qwen2.5-14b': 'Qwen/Qwen2.5-14B-Instruct',
  'qwen3-30b-a3b': 'Qwen/Qwen3-30B-A3B',
  'gemma-3-4b': 'google/gemma-3-4b-it',
  'gpt-oss-20b': 'openai/gpt-oss-20b',
  'gpt-oss-120b': 'openai/gpt-oss-120b',
  'deepseek-r1-671b': 'deepseek-ai/DeepSeek-R1',
};

/** Bits per weight of quants missing from BITS_PER_WEIGHT (ik_llama.cpp's Q6_0 and row-interleaved _R4 variants). */
const EXTRA_BPW: Record<string, number> = { q6_0: 6.5, q6_0_r4: 6.5, q5_0_r4: 5.5, iq2_xxs: 2.0625 };

export function bitsPerWeight(quant: string): number | undefined {
  const q = quant.toLowerCase();
  return BITS_PER_WEIGHT[q] ?? EXTRA_BPW[q];
}

/** GiB from `size_gib` or a `size_as_printed` like "4.58 GB (README VRAM table)" (llama-bench prints GiB). */
function printedGiB(row: PublishedBenchRow): number | undefined {
  if (typeof row.size_gib === 'number' && row.size_gib > 0) return row.size_gib;
  const m = /([\d.]+)\s*Gi?B/.exec(row.size_as_printed ?? '');
  return m ? Number(m[1]) : undefined;
}

export interface PublishedModel {
  descriptor: ModelDescriptor;
  catalogId: string;
  /** How the weight bytes were known: printed by llama-bench (this or another row of the same GGUF), or params × bits. */
  weightsFrom: 'printed' | 'bits-per-weight';
}

/**
 * The model a row measured: the catalog descriptor of its family with the weight bytes of its GGUF — the size
 * llama-bench printed for that model_key (in this row or another), else parameters × the quant's bits per weight.
 */
export function publishedModels(rows: readonly PublishedBenchRow[]): (row: PublishedBenchRow) => PublishedModel | undefined {
  const printed = new Map<string, number>();
  for (const r of rows) {
    const g = printedGiB(r);
    if (g && !printed.has(r.model_key)) printed.set(r.model_key, g);
  }
  const cache = new Map<string, PublishedModel | undefined>();
  return (row) => {
    if (cache.has(row.model_key)) return cache.get(row.model_key);
    const [family, quant = row.quant] = row.model_key.split('|');
    const id = PUBLISHED_MODEL_FAMILIES[family ?? ''];
    const entry = id ? findCatalogModel(id) : undefined;
    let out: PublishedModel | undefined;
    if (entry) {
      const d = catalogDescriptor(entry);
      const gib = printed.get(row.model_key);
      const bpw = bitsPerWeight(quant);
      const bytes = gib ? gib * 2 ** 30 : bpw ? (d.params * bpw) / 8 : undefined;
      if (bytes) {
        d.weightsBytes = Math.round(bytes);
        d.weightsType = quant;
        d.source = { kind: 'gguf', id: entry.id };
        out = { descriptor: d, catalogId: entry.id, weightsFrom: gib ? 'printed' : 'bits-per-weight' };
      }
    }
    cache.set(row.model_key, out);
    return out;
  };
}
