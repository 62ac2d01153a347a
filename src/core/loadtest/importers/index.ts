// Which tool wrote a results file, by its content (file names are only a hint), and the import itself.
import { importAiperf, looksLikeAiperf } from './aiperf';
import { ImportError, type ImportResult } from './common';
import { importGuidellm, looksLikeGuidellm } from './guidellm';
import { importInferencePerf, looksLikeInferencePerf } from './inferencePerf';
import { importVllmBench, looksLikeVllmBench } from './vllmBench';

export { ImportError, type ImportedStep, type ImportResult } from './common';

export type ImportFormat = 'guidellm' | 'vllm-bench-serve' | 'aiperf' | 'genai-perf' | 'inference-perf';

export function detectFormat(text: string, fileName = ''): ImportFormat | undefined {
  let v: unknown;
  try { v = JSON.parse(text); } catch {
    // --append-result writes one JSON object per line.
    const firstLine = text.split('\n').find((l) => l.trim());
    try { v = firstLine ? JSON.parse(firstLine) : undefined; } catch { return undefined; }
    return looksLikeVllmBench(v) ? 'vllm-bench-serve' : undefined;
  }
  if (looksLikeGuidellm(v)) return 'guidellm';
  if (looksLikeVllmBench(v) || (Array.isArray(v) && v.some(looksLikeVllmBench))) return 'vllm-bench-serve';
  if (looksLikeAiperf(v)) return /genai_perf/i.test(fileName) ? 'genai-perf' : 'aiperf';
  if (looksLikeInferencePerf(v)) return 'inference-perf';
  return undefined;
}

export function importResults(text: string, fileName = ''): ImportResult {
  const format = detectFormat(text, fileName);
  if (!format) throw new ImportError('not a results file of GuideLLM, vllm bench serve, AIPerf/genai-perf or inference-perf');
  if (format === 'vllm-bench-serve') return importVllmBench(text);
  const v = JSON.parse(text);
  if (format === 'guidellm') return importGuidellm(v);
  if (format === 'inference-perf') return importInferencePerf(v, fileName);
  return importAiperf(v, fileName);
}
