// `python -m sglang.launch_server …` arguments. KV Lens has no SGLang option table yet (server_args.py is
// ~490 KB; not generated in this release), so options are not checked: the command gets one information
// diagnostic saying so, and the options that size a deployment are read under SGLang's names (the few names
// below are a mapping onto EngineSettings, not a list of what SGLang accepts).
import type { Span } from '../llamacpp/parse';
import type { ArgToken } from '../llamacpp/tokenize';
import { spanOfToken } from '../commands/spans';
import type { CommandIssue } from '../vllm/argv';

/** SGLang option → the vLLM option of the same meaning (vllm/settings.ts maps those to EngineSettings). */
const AS_VLLM: Record<string, string> = {
  'model-path': 'model',
  model: 'model',
  'tp-size': 'tensor-parallel-size',
  'tensor-parallel-size': 'tensor-parallel-size',
  'pp-size': 'pipeline-parallel-size',
  'pipeline-parallel-size': 'pipeline-parallel-size',
  'dp-size': 'data-parallel-size',
  'data-parallel-size': 'data-parallel-size',
  'context-length': 'max-model-len',
  'max-running-requests': 'max-num-seqs',
  'kv-cache-dtype': 'kv-cache-dtype',
  dtype: 'dtype',
  quantization: 'quantization',
  'served-model-name': 'served-model-name',
};

export function parseSglangArgv(tokens: readonly ArgToken[]): {
  entries: { name: string; value: unknown; span: Span }[];
  issues: CommandIssue[];
} {
  const entries: { name: string; value: unknown; span: Span }[] = [];
  const issues: CommandIssue[] = [];
  if (tokens.length) {
    issues.push({
      severity: 'information',
      code: 'options-not-checked',
      message: 'SGLang options are not checked: KV Lens has no SGLang option table yet. Model, tp/pp/dp size, context length and KV cache dtype are read for the estimate.',
      span: spanOfToken(tokens[0]),
    });
  }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i].value;
    if (!t.startsWith('--')) continue;
    const eq = t.indexOf('=');
    const name = (eq > 0 ? t.slice(2, eq) : t.slice(2)).replace(/_/g, '-');
    const as = AS_VLLM[name];
    if (!as) continue;
    if (eq > 0) entries.push({ name: as, value: t.slice(eq + 1), span: spanOfToken(tokens[i], eq + 1) });
    else if (tokens[i + 1] && !tokens[i + 1].value.startsWith('--')) {
      entries.push({ name: as, value: tokens[i + 1].value, span: spanOfToken(tokens[i + 1]) });
      i++;
    }
  }
  return { entries, issues };
}
